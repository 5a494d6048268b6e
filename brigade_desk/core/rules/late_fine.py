"""Additional fine for late payment (加处罚款), APL Art 72 para 1 (1) and Art 73 para 3.

"到期不缴纳罚款的，每日按罚款数额的百分之三加处罚款，加处罚款的数额不得超出罚款的数额。"
Days under reconsideration or litigation (APL Art 73) and under an approved deferral (APL Art 66)
are not counted; the caller passes them as paused intervals.

Money is integer fen. Rounding: the amount is computed on the whole overdue period at once
(fine × 3 × days ÷ 100) and rounded *down* to the fen. Rounding down never asks the party for
more than the statute allows (rounding up would exceed it by up to 0.99 fen), and computing on the
total instead of adding rounded daily amounts keeps the result independent of how long ago the
period started. The result is then capped at the fine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from brigade_desk.core.rules.workdays import DateInterval, add_days_excluding, days_excluding

LATE_FINE_PERCENT_PER_DAY = 3

# The first overdue day on which 3% × days reaches 100% of the fine: ceil(100 / 3) = 34.
DAYS_TO_CAP = -(-100 // LATE_FINE_PERCENT_PER_DAY)


@dataclass(frozen=True)
class LateFine:
    days_overdue: int
    """Counted days from the day after ``payment_due`` to ``as_of`` (included), pauses excluded."""
    amount_fen: int
    capped: bool
    """True when the amount reached the fine; it grows no further."""


def compute_late_fine(
    fine_fen: int,
    payment_due: date,
    as_of: date,
    paused: Sequence[DateInterval] = (),
) -> LateFine:
    """Additional fine owed for payment made (or still missing) on ``as_of``.

    ``payment_due`` is the last day to pay (already moved off a rest day, or the end of an approved
    deferral when the deferral is given that way; then do not pass the deferral again in ``paused``).
    The day of payment counts: paying the day after the due date owes one day.
    A running pause (``end=None``) counts as paused up to ``as_of``.
    """
    if fine_fen < 0:
        raise ValueError("fine_fen must be >= 0")
    days = days_excluding(payment_due + timedelta(days=1), as_of, paused)
    uncapped = fine_fen * LATE_FINE_PERCENT_PER_DAY * days // 100
    return LateFine(days_overdue=days, amount_fen=min(uncapped, fine_fen), capped=uncapped >= fine_fen > 0)


def late_fine_cap_date(
    payment_due: date, paused: Sequence[DateInterval] = (), today: date | None = None
) -> date:
    """The day the additional fine reaches the fine (34th counted overdue day).

    Running pauses are taken to end on ``today`` (default: ``payment_due``), so the date is
    provisional while a reconsideration or litigation is still open.
    """
    open_end = today if today is not None else payment_due
    return add_days_excluding(payment_due, DAYS_TO_CAP, paused, open_end)
