"""Additional fine (加处罚款): 3% a day, integer fen rounded down, capped at the fine, pauses excluded."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brigade_desk.core.rules.late_fine import DAYS_TO_CAP, LateFine, compute_late_fine, late_fine_cap_date
from brigade_desk.core.rules.workdays import DateInterval

DUE = date(2025, 3, 17)  # last day to pay (Monday)
FINE = 100_000  # 1,000.00 yuan


def on_day(n: int) -> date:
    """The n-th day after the due date."""
    return DUE + timedelta(days=n)


def test_nothing_owed_on_or_before_the_due_date() -> None:
    assert compute_late_fine(FINE, DUE, DUE) == LateFine(days_overdue=0, amount_fen=0, capped=False)
    assert compute_late_fine(FINE, DUE, DUE - timedelta(days=5)).amount_fen == 0


def test_three_percent_per_day_counting_the_day_of_payment() -> None:
    assert compute_late_fine(FINE, DUE, on_day(1)) == LateFine(days_overdue=1, amount_fen=3_000, capped=False)
    assert compute_late_fine(FINE, DUE, on_day(10)).amount_fen == 30_000


def test_cap_at_the_fine() -> None:
    assert DAYS_TO_CAP == 34
    assert compute_late_fine(FINE, DUE, on_day(33)) == LateFine(33, 99_000, capped=False)
    assert compute_late_fine(FINE, DUE, on_day(34)) == LateFine(34, 100_000, capped=True)
    assert compute_late_fine(FINE, DUE, on_day(400)) == LateFine(400, 100_000, capped=True)


def test_rounds_down_to_the_fen_on_the_total() -> None:
    # 3.33 yuan × 3% = 9.99 fen a day: 9 fen after one day, 29 (not 27) after three.
    assert compute_late_fine(333, DUE, on_day(1)).amount_fen == 9
    assert compute_late_fine(333, DUE, on_day(3)).amount_fen == 29
    # A 1-fen fine reaches its cap on the same day as any other.
    assert compute_late_fine(1, DUE, on_day(33)).amount_fen == 0
    assert compute_late_fine(1, DUE, on_day(34)) == LateFine(34, 1, capped=True)


def test_reconsideration_and_litigation_days_are_not_counted() -> None:
    reconsideration = DateInterval(on_day(3), on_day(12))  # 10 days
    assert compute_late_fine(FINE, DUE, on_day(15), [reconsideration]).days_overdue == 5
    litigation = DateInterval(on_day(20))  # still running
    result = compute_late_fine(FINE, DUE, on_day(60), [reconsideration, litigation])
    assert result == LateFine(days_overdue=9, amount_fen=27_000, capped=False)


def test_deferral_overlapping_the_due_date_only_removes_overdue_days() -> None:
    deferral = DateInterval(DUE - timedelta(days=10), on_day(5))
    assert compute_late_fine(FINE, DUE, on_day(8), [deferral]).days_overdue == 3


def test_cap_date_moves_with_pauses() -> None:
    assert late_fine_cap_date(DUE) == on_day(34) == date(2025, 4, 20)
    pause = DateInterval(on_day(3), on_day(12))
    assert late_fine_cap_date(DUE, [pause]) == on_day(44)
    # A running pause is assumed to end today: the date is provisional.
    running = DateInterval(on_day(3))
    assert late_fine_cap_date(DUE, [running], today=on_day(20)) == on_day(20 + 32)


def test_negative_fine_is_refused() -> None:
    with pytest.raises(ValueError):
        compute_late_fine(-1, DUE, on_day(1))


@given(
    st.integers(min_value=0, max_value=10**10),
    st.integers(min_value=0, max_value=200),
)
def test_never_above_the_statute(fine_fen: int, days: int) -> None:
    result = compute_late_fine(fine_fen, DUE, on_day(days))
    assert result.days_overdue == days
    assert 0 <= result.amount_fen <= fine_fen
    assert result.amount_fen * 100 <= fine_fen * 3 * days
    # Less than one fen below the exact amount, unless capped.
    if not result.capped:
        assert fine_fen * 3 * days - result.amount_fen * 100 < 100
    assert result.capped == (fine_fen > 0 and days >= DAYS_TO_CAP)
