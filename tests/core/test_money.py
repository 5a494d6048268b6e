"""Money text: 1,000.00元 figures, Chinese capitals (大写) with the banks' zero rules, and parsing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brigade_desk.core.rules.money import (
    MAX_FEN,
    amount_in_capitals,
    fen_to_yuan_text,
    format_yuan,
    parse_yuan,
    round_to_yuan,
    yuan_to_fen,
)


@pytest.mark.parametrize(
    ("fen", "capitals"),
    [
        (0, "零元整"),
        (100, "壹元整"),
        (1_000, "壹拾元整"),
        (11_000, "壹佰壹拾元整"),
        (100_000, "壹仟元整"),
        (100_500, "壹仟零伍元整"),
        (101_000, "壹仟零壹拾元整"),
        (1_000_000, "壹万元整"),
        (1_234_567, "壹万贰仟叁佰肆拾伍元陆角柒分"),
        (2_000_050, "贰万元伍角整"),
        (10_000_000, "壹拾万元整"),
        (10_100_000, "壹拾万零壹仟元整"),
        (10_700_053, "壹拾万零柒仟元伍角叁分"),
        (100_000_100, "壹佰万零壹元整"),
        (1_000_100_000, "壹仟万零壹仟元整"),
        (10_000_000_000, "壹亿元整"),
        (10_001_000_000, "壹亿零壹万元整"),
        (100_000_000_000_000, "壹万亿元整"),
        (100_050, "壹仟元伍角整"),
        (100_005, "壹仟元零伍分"),
        (168_032, "壹仟陆佰捌拾元叁角贰分"),
        (1_640_902, "壹万陆仟肆佰零玖元零贰分"),
        (5, "伍分"),
        (50, "伍角整"),
        (55, "伍角伍分"),
    ],
)
def test_capitals(fen: int, capitals: str) -> None:
    assert amount_in_capitals(fen) == capitals


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (0, "0.00元"),
        (5, "0.05元"),
        (100_000, "1,000.00元"),
        (123_456_789, "1,234,567.89元"),
        (95_000, "950.00元"),
    ],
)
def test_format_yuan(fen: int, text: str) -> None:
    assert format_yuan(fen) == text


@pytest.mark.parametrize("bad", [-1, -100_000])
def test_negative_amounts_are_refused(bad: int) -> None:
    with pytest.raises(ValueError, match="负数"):
        amount_in_capitals(bad)
    with pytest.raises(ValueError, match="负数"):
        format_yuan(bad)


@pytest.mark.parametrize("bad", [True, 1.5, "100", Decimal("1")])
def test_non_integer_amounts_are_a_type_error(bad: object) -> None:
    with pytest.raises(TypeError):
        amount_in_capitals(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        format_yuan(bad)  # type: ignore[arg-type]


def test_too_large_amount_is_refused() -> None:
    with pytest.raises(ValueError, match="过大"):
        amount_in_capitals(MAX_FEN + 1)


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("1000", 100_000),
        ("1,000", 100_000),
        ("1000.5", 100_050),
        ("1000.05元", 100_005),
        ("2万元", 2_000_000),
        ("1.5万", 1_500_000),
        ("１０００元", 100_000),
        (" 500 ", 50_000),
        ("0", 0),
    ],
)
def test_parse_yuan(text: str, fen: int) -> None:
    assert parse_yuan(text) == fen


@pytest.mark.parametrize("bad", ["", "abc", "-5", "1.234", "一千元", "1000美元", "1.2.3"])
def test_parse_yuan_refuses_with_a_chinese_message(bad: str) -> None:
    with pytest.raises(ValueError) as excinfo:
        parse_yuan(bad)
    assert "金额" in str(excinfo.value)


def test_yuan_to_fen_is_exact_and_never_rounds() -> None:
    assert yuan_to_fen(Decimal("12.34")) == 1234
    assert yuan_to_fen("0.1") == 10
    with pytest.raises(ValueError, match="两位小数"):
        yuan_to_fen("0.001")


def test_round_to_yuan_rounds_half_up() -> None:
    assert round_to_yuan(125_050) == 125_100
    assert round_to_yuan(125_049) == 125_000
    assert round_to_yuan(Decimal("99.5")) == 100


@pytest.mark.parametrize(
    ("fen", "text"), [(0, "0"), (5, "0.05"), (50, "0.5"), (100_000, "1000"), (100_050, "1000.5")]
)
def test_fen_to_yuan_text(fen: int, text: str) -> None:
    assert fen_to_yuan_text(fen) == text
    assert parse_yuan(text) == fen


# --- property: the capitals read back to the same amount ------------------------------------

_DIGIT = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
_SMALL = {"拾": 10, "佰": 100, "仟": 1000}


def _read_small(text: str) -> int:
    total, digit = 0, 0
    for char in text:
        if char in _SMALL:
            total += digit * _SMALL[char]
            digit = 0
        else:
            digit = _DIGIT[char]
    return total + digit


def _read_integer(text: str) -> int:
    if "亿" in text:
        high, _, low = text.partition("亿")
        return _read_integer(high) * 10**8 + _read_integer(low)
    if "万" in text:
        high, _, low = text.partition("万")
        return _read_small(high) * 10**4 + _read_small(low)
    return _read_small(text)


def _read_capitals(text: str) -> int:
    """A reader for the output format, written independently of the writer."""
    if text == "零元整":
        return 0
    body = text.removesuffix("整")
    yuan_text, _, rest = body.rpartition("元") if "元" in body else ("", "", body)
    fen = _read_integer(yuan_text) * 100 if yuan_text else 0
    rest = rest.removeprefix("零")
    if "角" in rest:
        jiao, _, rest = rest.partition("角")
        fen += _DIGIT[jiao] * 10
    if "分" in rest:
        fen += _DIGIT[rest.removesuffix("分")]
    return fen


@given(st.integers(min_value=0, max_value=10**16))
def test_capitals_read_back_and_follow_the_zero_rules(fen: int) -> None:
    text = amount_in_capitals(fen)
    assert _read_capitals(text) == fen
    assert "零零" not in text
    assert fen == 0 or not text.startswith("零")
    assert text.endswith(("整", "分"))
    assert "零元" not in text or fen == 0
    assert set(text) <= set("零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整")


@given(st.integers(min_value=0, max_value=10**14))
def test_format_then_parse_is_identity(fen: int) -> None:
    assert parse_yuan(format_yuan(fen)) == fen
