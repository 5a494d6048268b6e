"""How values are shown: dates in Beijing time, money in yuan, procedure names in Chinese."""

from __future__ import annotations

from datetime import date, datetime

from brigade_desk.core.timeutil import format_date, format_datetime

PROCEDURE_LABELS = {"general": "普通程序", "simple": "简易程序"}


def show_datetime(value: datetime | None) -> str:
    return format_datetime(value) if value is not None else ""


def show_date(value: date | None) -> str:
    return format_date(value) if value is not None else ""


def show_fen(fen: int | None) -> str:
    """12345678 -> 123,456.78元 (money is stored in integer fen)."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan:,}.{cents:02d}元"


def procedure_label(procedure: str) -> str:
    return PROCEDURE_LABELS.get(procedure, procedure)
