"""Working-day calendar: holidays, make-up days, overrides, unknown years, period arithmetic."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from brigade_desk.core.rules import workdays
from brigade_desk.core.rules.workdays import (
    DateInterval,
    WorkdayCalendar,
    add_days_excluding,
    add_months_plain,
    days_excluding,
    unknown_year_warning,
)

WARNING_2027 = "2027年节假日安排未导入，按周末计算，请导入县级工作日历"


def test_national_day_2025_five_working_day_window() -> None:
    # TECH-NOTES example: served Monday 2025-09-29; 10-01..10-08 off; Saturday 10-11 a make-up day.
    calendar = WorkdayCalendar()
    assert calendar.add_workdays(date(2025, 9, 29), 5) == date(2025, 10, 13)
    assert calendar.workdays_between(date(2025, 9, 29), date(2025, 10, 13)) == 5
    assert calendar.warnings == ()


def test_national_day_2025_holidays_and_make_up_days() -> None:
    calendar = WorkdayCalendar()
    for day in range(1, 9):
        assert not calendar.is_workday(date(2025, 10, day)), f"2025-10-{day:02d} is a holiday"
    assert calendar.is_workday(date(2025, 9, 28))  # Sunday, make-up working day
    assert calendar.is_workday(date(2025, 10, 11))  # Saturday, make-up working day
    assert not calendar.is_workday(date(2025, 10, 12))  # plain Sunday
    assert not calendar.is_workday(date(2025, 10, 18))  # plain Saturday


def test_make_up_saturday_counts_as_a_working_day() -> None:
    calendar = WorkdayCalendar()
    # Friday 2025-10-10 + 1 working day is the make-up Saturday, not Monday.
    assert calendar.add_workdays(date(2025, 10, 10), 1) == date(2025, 10, 11)
    # A calendar-day period ending on the make-up Sunday 2025-09-28 stays there.
    assert calendar.add_calendar_days(date(2025, 9, 13), 15) == date(2025, 9, 28)


def test_overrides_win_over_the_library() -> None:
    # The county declares the make-up Saturday a rest day: the window moves one working day later.
    calendar = WorkdayCalendar({date(2025, 10, 11): False})
    assert not calendar.is_workday(date(2025, 10, 11))
    assert calendar.add_workdays(date(2025, 9, 29), 5) == date(2025, 10, 14)
    # ...and a local holiday on an ordinary Tuesday.
    assert not WorkdayCalendar({date(2025, 11, 4): False}).is_workday(date(2025, 11, 4))


def test_unknown_year_without_overrides_falls_back_to_weekends_and_warns() -> None:
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 1, 4))  # the premise of the fallback
    calendar = WorkdayCalendar()
    assert not calendar.is_known_year(2027)
    assert calendar.warnings == ()
    # 2027-01-01 is a Friday; weekends-only counts it although New Year's Day will surely be off.
    assert calendar.add_workdays(date(2026, 12, 31), 3) == date(2027, 1, 5)
    assert calendar.warnings == (WARNING_2027,)
    assert calendar.fallback_years == frozenset({2027})
    # The warning is recorded once, however many dates were counted.
    calendar.add_workdays(date(2027, 3, 1), 30)
    assert calendar.warnings == (WARNING_2027,)


def test_unknown_year_with_county_overrides_counts_them_without_warning() -> None:
    county_2027 = {
        date(2027, 1, 1): False,  # New Year's Day (Friday)
        date(2027, 1, 9): True,  # an assumed make-up Saturday
    }
    calendar = WorkdayCalendar(county_2027)
    assert calendar.is_known_year(2027)
    assert calendar.add_workdays(date(2026, 12, 31), 3) == date(2027, 1, 6)
    assert calendar.is_workday(date(2027, 1, 9))
    assert not calendar.is_workday(date(2027, 1, 10))  # days without an override: plain weekdays
    assert calendar.warnings == ()


def test_years_before_the_library_also_fall_back() -> None:
    calendar = WorkdayCalendar()
    assert not calendar.is_known_year(2003)
    assert calendar.is_workday(date(2003, 1, 6))
    assert calendar.warnings == (unknown_year_warning(2003),)


def test_known_years_and_unknown_years_in_a_span() -> None:
    calendar = WorkdayCalendar()
    assert calendar.is_known_year(2004)
    assert calendar.is_known_year(2026)
    assert calendar.unknown_years(date(2025, 6, 1), date(2028, 1, 1)) == (2027, 2028)
    assert calendar.unknown_years(date(2028, 1, 1), date(2025, 6, 1)) == (2027, 2028)
    assert calendar.unknown_years(date(2025, 1, 1), date(2026, 12, 31)) == ()
    # Asking does not count anything, so it records no warning.
    assert calendar.warnings == ()


def test_calendar_day_period_ending_on_a_holiday_moves_to_next_working_day() -> None:
    calendar = WorkdayCalendar()
    # 15 days after 2025-09-16 is 2025-10-01, National Day: the period ends on Thursday 10-09.
    assert calendar.add_calendar_days(date(2025, 9, 16), 15) == date(2025, 10, 9)
    # Ending on a plain Saturday moves to Monday.
    assert calendar.add_calendar_days(date(2025, 10, 17), 15) == date(2025, 11, 3)
    # Ending on a working day stays.
    assert calendar.add_calendar_days(date(2025, 10, 20), 15) == date(2025, 11, 4)
    assert calendar.add_calendar_days(date(2025, 10, 20), 0) == date(2025, 10, 20)
    with pytest.raises(ValueError):
        calendar.add_calendar_days(date(2025, 10, 20), -1)


def test_month_periods_use_the_last_day_of_a_short_month() -> None:
    assert add_months_plain(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert add_months_plain(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months_plain(date(2025, 11, 30), 3) == date(2026, 2, 28)
    assert add_months_plain(date(2025, 3, 15), 24) == date(2027, 3, 15)
    calendar = WorkdayCalendar()
    # 2026-02-28 is a Saturday but a make-up working day of the 2026 Spring Festival.
    assert calendar.add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
    # 2025-05-31 (Saturday, Dragon Boat Festival) -> Tuesday 2025-06-03 after the holiday Monday.
    assert calendar.add_months(date(2025, 3, 31), 2) == date(2025, 6, 3)


def test_backwards_working_days_for_a_notice_before_a_hearing() -> None:
    calendar = WorkdayCalendar()
    # Hearing Monday 2025-10-20: 7 working days before it, counting the make-up Saturday 10-11.
    assert calendar.add_workdays(date(2025, 10, 20), -7) == date(2025, 10, 10)
    assert calendar.add_workdays(date(2025, 10, 10), 7) == date(2025, 10, 20)
    assert calendar.add_workdays(date(2025, 10, 20), 0) == date(2025, 10, 20)


def test_workdays_between_signs() -> None:
    calendar = WorkdayCalendar()
    assert calendar.workdays_between(date(2025, 10, 13), date(2025, 9, 29)) == -5
    assert calendar.workdays_between(date(2025, 10, 13), date(2025, 10, 13)) == 0
    # Across the whole holiday week only 10-09 and 10-10 count.
    assert calendar.workdays_between(date(2025, 9, 30), date(2025, 10, 10)) == 2


def test_roll_to_workday() -> None:
    calendar = WorkdayCalendar()
    assert calendar.roll_to_workday(date(2025, 10, 1)) == date(2025, 10, 9)
    assert calendar.roll_to_workday(date(2025, 10, 11)) == date(2025, 10, 11)


def test_library_is_asked_once_per_date(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[date] = []
    real = chinese_calendar.is_workday

    def counting(day: date) -> bool:
        calls.append(day)
        return bool(real(day))

    monkeypatch.setattr(workdays.chinese_calendar, "is_workday", counting)
    calendar = WorkdayCalendar()
    for _ in range(3):
        calendar.add_workdays(date(2025, 9, 29), 5)
    asked = [day for day in calls if day != date(2025, 1, 1)]  # the one probe of the year
    assert len(asked) == len(set(asked)) == 14


def test_pause_arithmetic() -> None:
    pause = DateInterval(date(2025, 1, 4), date(2025, 1, 6))
    # Days after 01-01 not in 01-04..01-06: 2, 3, 7, ..., 14 is the 10th.
    assert add_days_excluding(date(2025, 1, 1), 10, [pause], date(2025, 1, 1)) == date(2025, 1, 14)
    # A pause before the start does not matter; one covering the start only delays.
    before = DateInterval(date(2024, 12, 1), date(2024, 12, 31))
    assert add_days_excluding(date(2025, 1, 1), 10, [before], date(2025, 1, 1)) == date(2025, 1, 11)
    covering = DateInterval(date(2024, 12, 30), date(2025, 1, 3))
    assert add_days_excluding(date(2025, 1, 1), 10, [covering], date(2025, 1, 1)) == date(2025, 1, 13)
    # A running pause lasts until the given open end.
    running = DateInterval(date(2025, 1, 5))
    assert add_days_excluding(date(2025, 1, 1), 10, [running], date(2025, 1, 20)) == date(2025, 1, 27)
    # Overlapping pauses are not excluded twice.
    overlapping = [pause, DateInterval(date(2025, 1, 5), date(2025, 1, 8))]
    assert add_days_excluding(date(2025, 1, 1), 10, overlapping, date(2025, 1, 1)) == date(2025, 1, 16)
    assert days_excluding(date(2025, 1, 1), date(2025, 1, 10), overlapping) == 5
    assert days_excluding(date(2025, 1, 1), date(2025, 1, 10), [running]) == 4
    assert days_excluding(date(2025, 1, 10), date(2025, 1, 1), []) == 0


dates_2024_2026 = st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 11, 30))


@given(dates_2024_2026, st.integers(min_value=0, max_value=40))
def test_forward_working_days_agree_with_counting(start: date, n: int) -> None:
    calendar = WorkdayCalendar()
    end = calendar.add_workdays(start, n)
    assert calendar.workdays_between(start, end) == n
    if n:
        assert calendar.is_workday(end)
        # The n-th working day, not a later one: the day before holds only n - 1.
        assert calendar.workdays_between(start, end - timedelta(days=1)) == n - 1


@given(dates_2024_2026, st.integers(min_value=0, max_value=40))
def test_backwards_is_the_inverse_on_working_days(day: date, n: int) -> None:
    calendar = WorkdayCalendar()
    day = calendar.roll_to_workday(day)
    assert calendar.add_workdays(calendar.add_workdays(day, n), -n) == day


@given(dates_2024_2026, st.integers(min_value=0, max_value=120))
def test_calendar_day_periods_end_on_the_first_working_day_on_or_after(start: date, n: int) -> None:
    calendar = WorkdayCalendar()
    end = calendar.add_calendar_days(start, n)
    plain = start + timedelta(days=n)
    assert calendar.is_workday(end)
    assert end >= plain
    assert all(not calendar.is_workday(plain + timedelta(days=i)) for i in range((end - plain).days))
