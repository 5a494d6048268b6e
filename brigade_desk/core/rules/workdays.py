"""Working-day calendar and the date arithmetic of legal periods.

Counting conventions (APL Art 85, AEL Art 69, Civil Code Art 201-203; see docs/deadlines.md):

* the start day is not counted; a period counts from the next day;
* a working-day period ends on its n-th working day after the start day;
* a calendar-day or month period whose last day is a rest day ends on the next working day;
* a month period ends on the same day of the target month, or on that month's last day if it has
  no such day (Civil Code Art 202).

The calendar comes from ``chinese_calendar`` (State Council holidays and make-up working days)
with a local override table on top. ``chinese_calendar`` only knows the years it was released
with; for any other year we count weekends only and record a warning, because the State Council
announces each year's holidays late in the year before and a brigade must keep working.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar

_ONE_DAY = timedelta(days=1)


def unknown_year_warning(year: int) -> str:
    """The message shown wherever a date in ``year`` was counted weekends-only."""
    return f"{year}年节假日安排未导入，按周末计算，请导入县级工作日历"


class WorkdayCalendar:
    """Chinese working days: ``chinese_calendar`` plus local overrides, with a weekends-only fallback.

    ``overrides`` maps a date to ``True`` (working day, e.g. a make-up Saturday) or ``False``
    (rest day). Overrides win over the library. A year with at least one override counts as
    imported: the county table for a year must list every holiday and make-up day of that year.

    Results are cached per date; one instance is meant to be shared by every computation of a
    screen (the dashboard counts thousands of deadlines).
    """

    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        self._overrides: dict[date, bool] = dict(overrides or {})
        self._override_years = frozenset(d.year for d in self._overrides)
        self._day_cache: dict[date, bool] = {}
        self._library_years: dict[int, bool] = {}
        self._fallback_years: set[int] = set()

    @property
    def warnings(self) -> tuple[str, ...]:
        """Chinese messages for every year counted weekends-only so far, oldest year first."""
        return tuple(unknown_year_warning(year) for year in sorted(self._fallback_years))

    @property
    def fallback_years(self) -> frozenset[int]:
        """Years that were counted weekends-only so far."""
        return frozenset(self._fallback_years)

    def is_known_year(self, year: int) -> bool:
        """True when the library or the override table has this year's holiday arrangement."""
        return year in self._override_years or self._library_knows(year)

    def unknown_years(self, first: date, last: date) -> tuple[int, ...]:
        """Years from ``first`` to ``last`` (either order) that would be counted weekends-only."""
        low, high = sorted((first.year, last.year))
        return tuple(year for year in range(low, high + 1) if not self.is_known_year(year))

    def is_workday(self, day: date) -> bool:
        cached = self._day_cache.get(day)
        if cached is None:
            cached = self._compute_is_workday(day)
            self._day_cache[day] = cached
        return cached

    def roll_to_workday(self, day: date) -> date:
        """``day`` itself if it is a working day, else the next working day."""
        while not self.is_workday(day):
            day += _ONE_DAY
        return day

    def add_workdays(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (start not counted).

        A negative ``n`` counts backwards: ``add_workdays(hearing, -7)`` is the last day a hearing
        notice may be served so that the hearing is the 7th working day after it. For a working day
        ``d``, ``add_workdays(add_workdays(d, -n), n) == d``.
        """
        step = _ONE_DAY if n >= 0 else -_ONE_DAY
        day = start
        remaining = abs(n)
        while remaining:
            day += step
            if self.is_workday(day):
                remaining -= 1
        return day

    def add_calendar_days(self, start: date, n: int) -> date:
        """Last day of an n-calendar-day period after ``start``, moved to a working day if needed."""
        if n < 0:
            raise ValueError("calendar-day periods run forwards; n must be >= 0")
        return self.roll_to_workday(start + timedelta(days=n))

    def add_months(self, start: date, n: int) -> date:
        """Last day of an n-month period after ``start`` (Civil Code Art 202), moved to a working day."""
        if n < 0:
            raise ValueError("month periods run forwards; n must be >= 0")
        return self.roll_to_workday(add_months_plain(start, n))

    def workdays_between(self, a: date, b: date) -> int:
        """Working days in (a, b]; negative (working days in (b, a]) when b is before a.

        ``workdays_between(today, due)`` is the number of working days left until ``due``.
        """
        if b < a:
            return -self.workdays_between(b, a)
        count = 0
        day = a
        while day < b:
            day += _ONE_DAY
            if self.is_workday(day):
                count += 1
        return count

    def _compute_is_workday(self, day: date) -> bool:
        override = self._overrides.get(day)
        if override is not None:
            return override
        if self._library_knows(day.year):
            return bool(chinese_calendar.is_workday(day))
        if day.year not in self._override_years:
            # Neither the library nor the county table knows this year: count it, but say so.
            self._fallback_years.add(day.year)
        # A year imported through overrides lists its exceptions; every other day is a plain weekday.
        return day.weekday() < 5

    def _library_knows(self, year: int) -> bool:
        known = self._library_years.get(year)
        if known is None:
            try:
                chinese_calendar.is_workday(date(year, 1, 1))
            except NotImplementedError:
                known = False
            else:
                known = True
            self._library_years[year] = known
        return known


def add_months_plain(start: date, n: int) -> date:
    """Same day n months later, or the last day of that month (Civil Code Art 202); no rest-day rule."""
    month_index = start.year * 12 + (start.month - 1) + n
    year, month = divmod(month_index, 12)
    month += 1
    last_day = _stdlib_calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last_day))


@dataclass(frozen=True)
class DateInterval:
    """Days from ``start`` to ``end``, both included; ``end=None`` means still running."""

    start: date
    end: date | None = None

    def end_or(self, default: date) -> date:
        return self.end if self.end is not None else default


def _merged(intervals: Iterable[DateInterval], open_end: date) -> list[tuple[date, date]]:
    """Sorted, non-overlapping (start, end) pairs; running intervals end on ``open_end``."""
    spans = sorted((i.start, i.end_or(open_end)) for i in intervals)
    merged: list[tuple[date, date]] = []
    for start, end in spans:
        if end < start:
            continue
        if merged and start <= merged[-1][1] + _ONE_DAY:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def add_days_excluding(start: date, n: int, paused: Iterable[DateInterval], open_end: date) -> date:
    """The n-th day after ``start`` that lies in no paused interval (no rest-day rule).

    Running pauses (``end=None``) are taken to end on ``open_end`` (usually today), so the result
    is the due date if the pause ended today.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    cursor = start
    remaining = n
    for pause_start, pause_end in _merged(paused, open_end):
        if pause_end <= cursor:
            continue
        pause_start = max(pause_start, cursor + _ONE_DAY)
        free_days = (pause_start - cursor).days - 1
        if free_days >= remaining:
            break
        remaining -= free_days
        cursor = pause_end
    return cursor + timedelta(days=remaining)


def days_excluding(first: date, last: date, paused: Iterable[DateInterval]) -> int:
    """Days from ``first`` to ``last`` (both included) that lie in no paused interval; 0 if last < first."""
    if last < first:
        return 0
    total = (last - first).days + 1
    for pause_start, pause_end in _merged(paused, last):
        overlap_start = max(pause_start, first)
        overlap_end = min(pause_end, last)
        if overlap_end >= overlap_start:
            total -= (overlap_end - overlap_start).days + 1
    return total
