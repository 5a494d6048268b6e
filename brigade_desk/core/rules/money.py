"""Money in integer fen (分): figures for screens and documents, Chinese capitals (大写), parsing.

All amounts in the program are ``int`` fen. This module turns them into text the way Chinese
financial and legal documents write them, and reads the yuan figures people type or paste from a
published table back into fen.

Capitals follow 《支付结算办法》 (中国人民银行) conventions:

* 壹拾 is written with its leading 壹 (100000 yuan -> 壹拾万元整), as banks require;
* any run of zero digits between two non-zero digits is written as a single 零
  (1005 -> 壹仟零伍元整, 101000 -> 壹拾万零壹仟元整);
* nothing after 元 -> 整; a 角 with no 分 -> ...角整; 角 zero but 分 not -> 元零X分;
* where the yuan digit is 0 but the 角 is not, no 零 is written (1680.32 -> 壹仟陆佰捌拾元叁角贰分),
  one of the two forms the rules allow.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

__all__ = [
    "MAX_FEN",
    "amount_in_capitals",
    "fen_to_yuan_text",
    "format_yuan",
    "parse_yuan",
    "round_to_yuan",
    "yuan_to_fen",
]

# 10^16 yuan is far beyond any fine or cost; the capitals below have units up to 万亿.
MAX_FEN = 10**18 - 1

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_GROUP_UNITS = ("", "万", "亿", "万亿")


def _check_fen(fen: int) -> None:
    # bool is an int subclass; True as "1 fen" is always a bug at the call site.
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError(f"金额必须是以分为单位的整数，收到 {fen!r}")
    if fen < 0:
        raise ValueError(f"金额不能为负数：{fen}")
    if fen > MAX_FEN:
        raise ValueError(f"金额过大：{fen}")


def _integer_capitals(yuan: int) -> str:
    """Capitals for a positive whole number of yuan, without the 元."""
    digits = str(yuan)
    count = len(digits)
    out: list[str] = []
    zero_pending = False
    group_has_value = False
    for index, char in enumerate(digits):
        position = count - 1 - index  # 0 = units digit
        small, group = position % 4, position // 4
        digit = ord(char) - 48
        if digit == 0:
            # A zero only matters if something non-zero was already written and more follows.
            zero_pending = bool(out)
        else:
            if zero_pending:
                out.append("零")
                zero_pending = False
            out.append(_DIGITS[digit] + _SMALL_UNITS[small])
            group_has_value = True
        if small == 0 and group > 0:
            if group_has_value:
                out.append(_GROUP_UNITS[group])
            group_has_value = False
    return "".join(out)


def amount_in_capitals(fen: int) -> str:
    """Chinese capitals for an amount in fen: 100000 -> 壹仟元整, 1234567 -> 壹万贰仟叁佰肆拾伍元陆角柒分."""
    _check_fen(fen)
    if fen == 0:
        return "零元整"
    yuan, rest = divmod(fen, 100)
    jiao, cents = divmod(rest, 10)
    parts: list[str] = []
    if yuan:
        parts.append(_integer_capitals(yuan) + "元")
    if jiao:
        parts.append(_DIGITS[jiao] + "角")
    elif yuan and cents:
        parts.append("零")
    if cents:
        parts.append(_DIGITS[cents] + "分")
    else:
        parts.append("整")
    return "".join(parts)


def format_yuan(fen: int) -> str:
    """Figures with thousands separators and two decimals, as shown everywhere: 100000 -> 1,000.00元."""
    _check_fen(fen)
    yuan, cents = divmod(fen, 100)
    return f"{yuan:,}.{cents:02d}元"


def fen_to_yuan_text(fen: int) -> str:
    """Shortest plain figure in yuan for data files: 100000 -> 1000, 100050 -> 1000.5, 5 -> 0.05."""
    _check_fen(fen)
    yuan, cents = divmod(fen, 100)
    if cents == 0:
        return str(yuan)
    return f"{yuan}.{cents:02d}".rstrip("0")


def yuan_to_fen(yuan: Decimal | int | str) -> int:
    """Exact conversion of a yuan amount to fen; more than two decimals is an error, never rounded."""
    try:
        value = Decimal(str(yuan).strip())
    except InvalidOperation:
        raise ValueError(f"不是有效的金额：{yuan}") from None
    if not value.is_finite():
        raise ValueError(f"不是有效的金额：{yuan}")
    fen = value * 100
    if fen != fen.to_integral_value():
        raise ValueError(f"金额最多保留到分（两位小数）：{yuan}")
    result = int(fen)
    _check_fen(result)
    return result


def round_to_yuan(fen: Decimal | int) -> int:
    """Round an exact amount in fen to whole yuan, half up (1250.50 -> 1251 yuan), returned in fen."""
    value = Decimal(fen) / 100
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP)) * 100


# Full-width digits and punctuation arrive when people type with a Chinese input method.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，", "0123456789.,")
_YUAN_TEXT = re.compile(r"^(?P<number>\d+(?:\.\d+)?)(?P<unit>万元|万|元)?$")


def parse_yuan(text: str) -> int:
    """Read a yuan figure as people write it and return fen.

    Accepts ``1000``, ``1,000``, ``1000.50``, ``1000元``, ``2万元``, ``1.5万`` and full-width digits.
    Raises ``ValueError`` with a Chinese message for anything else (negative, empty, words).
    """
    cleaned = text.strip().translate(_FULL_WIDTH).replace(",", "").replace(" ", "")
    match = _YUAN_TEXT.match(cleaned)
    if match is None:
        raise ValueError(f"“{text}”不是有效的金额，请填写数字，如 1000 或 1,000.50 或 2万元")
    value = Decimal(match.group("number"))
    if match.group("unit") in ("万", "万元"):
        value *= 10000
    return yuan_to_fen(value)
