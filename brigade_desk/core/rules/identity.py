"""Identity numbers and codes, validated with python-stdnum (GB 11643 and GB 32100 check digits)."""

from __future__ import annotations

import re

from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

AREA_CODE = re.compile(r"^[1-9]\d{5}$")


def check_resident_id(value: str) -> str | None:
    """None when valid; otherwise the Chinese reason."""
    try:
        ric.validate(value)
    except StdnumError as exc:
        kind = type(exc).__name__
        if kind == "InvalidLength":
            return f"居民身份证号码应为18位，现为{len(ric.compact(value))}位"
        if kind == "InvalidChecksum":
            return "居民身份证号码校验位不正确，请核对最后一位"
        if kind == "InvalidComponent":
            return "居民身份证号码中的出生日期或地区码无效"
        return "居民身份证号码格式不正确"
    return None


def check_credit_code(value: str) -> str | None:
    try:
        uscc.validate(value)
    except StdnumError as exc:
        kind = type(exc).__name__
        if kind == "InvalidLength":
            return f"统一社会信用代码应为18位，现为{len(uscc.compact(value))}位"
        if kind == "InvalidChecksum":
            return "统一社会信用代码校验位不正确，请核对最后一位"
        return "统一社会信用代码格式不正确（只含数字和大写字母，不含 I、O、Z、S、V）"
    return None


def normalise_resident_id(value: str) -> str:
    return str(ric.compact(value)).upper()


def normalise_credit_code(value: str) -> str:
    return str(uscc.compact(value)).upper()


def check_area_code(value: str) -> str | None:
    return None if AREA_CODE.match(value) else "行政区划代码应为6位数字（GB/T 2260），如 330185"
