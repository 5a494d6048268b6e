"""Check digits for generated identity numbers, and UUIDs drawn from a seeded random source.

These build numbers; validation of what users type lives in ``core.rules.identity`` (python-stdnum).
The tests check every builder here against python-stdnum.
"""

from __future__ import annotations

import random

# GB 32100-2015 (统一社会信用代码): 31 characters, no I, O, S, V, Z.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# GB 11714-1997 (组织机构代码): eight body characters and a check character.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def ric_check_digit(body17: str) -> str:
    """GB 11643-1999 check character for the first 17 digits of a resident ID number.

    ISO 7064 MOD 11-2: the weights 2**(17-i) mod 11 make sum(d_i * w_i) equal to 2 * int(body, 13)
    modulo 11 (13 ≡ 2), so one base-13 conversion in C replaces the weighted loop.
    """
    value = (1 - 2 * int(body17, 13)) % 11
    return "X" if value == 10 else str(value)


def org_code_check_digit(body8: str) -> str:
    """GB 11714 check character for an eight-character organisation code body (digits or A–Z)."""
    total = sum(int(c, 36) * w for c, w in zip(body8, _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


def uscc_check_digit(body17: str) -> str:
    """GB 32100 check character for the first 17 characters of a unified social credit code."""
    total = sum(_USCC_VALUE[c] * w for c, w in zip(body17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def make_uscc(authority_and_type: str, area_code: str, org_body8: str) -> str:
    """Assemble a credit code: 2 registration characters + 6-digit area + organisation code + check.

    ``authority_and_type`` is e.g. ``91`` (市场监管, 企业), ``92`` (个体工商户), ``93`` (农民专业合作社),
    ``11`` (机关), ``51`` (社会团体), ``52`` (民办非企业单位), ``N2`` (村级集体经济组织).
    """
    org = org_body8 + org_code_check_digit(org_body8)
    body = authority_and_type + area_code + org
    return body + uscc_check_digit(body)


_V4_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_V4_SET = (0x4000 << 64) | (0x8000 << 48)


def _format_uuid(value: int) -> str:
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def uuid4_from(rng: random.Random) -> str:
    """A version-4 UUID whose 122 random bits come from ``rng`` (so a seed reproduces it)."""
    return _format_uuid((rng.getrandbits(128) & _V4_CLEAR) | _V4_SET)


def uuid7_from(rng: random.Random, unix_ms: int) -> str:
    """A version-7 UUID (RFC 9562) for the given time, random part from ``rng``.

    Time-ordered like ``core.ids.new_id`` so bulk inserts stay local in B-tree indexes.
    """
    rand = rng.getrandbits(74)
    value = (
        (unix_ms & 0xFFFF_FFFF_FFFF) << 80
        | 0x7 << 76
        | (rand >> 62) << 64  # 12 bits rand_a
        | 0b10 << 62  # variant
        | (rand & ((1 << 62) - 1))  # 62 bits rand_b
    )
    return _format_uuid(value)
