"""Money text for documents: figures (1,000.00元) and Chinese capitals (壹仟元整).

Private stand-in until ``brigade_desk.core.rules.money`` provides ``amount_in_capitals`` and
``format_yuan``; the document engine imports from there when it exists.
"""

from __future__ import annotations

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ("", "拾", "佰", "仟")
_GROUP_UNITS = ("", "万", "亿", "万亿")


def _check(fen: int) -> None:
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError(f"金额必须是以分为单位的整数，收到 {fen!r}")
    if fen < 0:
        raise ValueError(f"金额不能为负数：{fen}")
    if fen >= 10**18:
        raise ValueError(f"金额过大：{fen}")


def _integer_capitals(n: int) -> str:
    groups: list[int] = []
    while n:
        groups.append(n % 10000)
        n //= 10000
    out: list[str] = []
    zero = False
    for gi in reversed(range(len(groups))):
        g = groups[gi]
        if g == 0:
            if out:
                zero = True
            continue
        for pos in (3, 2, 1, 0):
            d = g // 10**pos % 10
            if d == 0:
                if out:
                    zero = True
                continue
            if zero:
                out.append("零")
                zero = False
            out.append(_DIGITS[d] + _UNITS[pos])
        out.append(_GROUP_UNITS[gi])
    return "".join(out)


def amount_in_capitals(fen: int) -> str:
    """Chinese capitals as written on receipts and decisions: 100050 -> 壹仟元伍角整, 100005 -> 壹仟元零伍分."""
    _check(fen)
    if fen == 0:
        return "零元整"
    yuan, rest = divmod(fen, 100)
    jiao, cents = divmod(rest, 10)
    text = ""
    if yuan:
        text += _integer_capitals(yuan) + "元"
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif yuan and cents:
        text += "零"
    if cents:
        text += _DIGITS[cents] + "分"
    else:
        text += "整"
    return text


def format_yuan(fen: int) -> str:
    """Figures with thousands separators and the unit: 100000 -> 1,000.00元."""
    _check(fen)
    yuan, cents = divmod(fen, 100)
    return f"{yuan:,}.{cents:02d}元"
