"""Time: stored in UTC with zone, shown in Beijing time (DESIGN.md conventions)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Normalise an aware datetime to UTC; a naive one is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def to_beijing(value: datetime) -> datetime:
    return as_utc(value).astimezone(BEIJING)


def beijing_today(now: datetime | None = None) -> date:
    return to_beijing(now or utc_now()).date()


def format_date(value: date) -> str:
    """2026年11月26日 — the form people write on paper."""
    return f"{value.year}年{value.month}月{value.day}日"


def format_datetime(value: datetime) -> str:
    """Beijing time to the minute: 2026年11月26日 15:30."""
    local = to_beijing(value)
    return f"{format_date(local.date())} {local:%H:%M}"
