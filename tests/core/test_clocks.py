"""Deadline clocks computed from realistic event sequences (dates checked by hand against the 2025 calendar)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from brigade_desk.core.rules.clocks import (
    CLOCK_SPECS,
    DEFAULT_SETTINGS,
    CaseEvent,
    ClockKind,
    ClockSettings,
    Deadline,
    DeadlineStatus,
    EventKind,
    PeriodUnit,
    compute_deadlines,
)
from brigade_desk.core.rules.workdays import WorkdayCalendar

K = EventKind
S = DeadlineStatus
E = CaseEvent
BEIJING = ZoneInfo("Asia/Shanghai")
WARNING_2027 = "2027年节假日安排未导入，按周末计算，请导入县级工作日历"


def by_clock(deadlines: list[Deadline]) -> dict[ClockKind, Deadline]:
    result = {d.clock: d for d in deadlines}
    assert len(result) == len(deadlines), "one clock of each kind expected here"
    return result


def compute(
    events: list[CaseEvent],
    today: date,
    settings: ClockSettings = DEFAULT_SETTINGS,
    serious_harm: bool = False,
) -> dict[ClockKind, Deadline]:
    calendar = WorkdayCalendar()
    return by_clock(
        compute_deadlines(events, calendar, today=today, settings=settings, serious_harm=serious_harm)
    )


# A general-procedure case around National Day 2025: a report, a seizure with testing, a
# preservation, a combined prior (hearing) notice served on 09-29, a hearing, legal review, a
# 5,000-yuan fine that is not paid, a demand notice.
GENERAL_CASE = [
    E(K.REPORT_RECEIVED, date(2025, 8, 18), ref="12345-0818"),
    E(K.REPORTER_ANSWERED, date(2025, 8, 22), ref="12345-0818"),
    E(K.VIOLATION_ENDED, date(2025, 8, 15)),
    E(K.DISCOVERED, date(2025, 8, 18)),
    E(K.FILED, date(2025, 8, 20)),
    E(K.SEIZED, date(2025, 8, 22), ref="seizure-1"),
    E(K.TESTING, date(2025, 9, 1), ref="seizure-1", until=date(2025, 9, 5)),
    E(K.SEIZURE_EXTENDED, date(2025, 9, 19), ref="seizure-1"),
    E(K.EVIDENCE_PRESERVED, date(2025, 9, 26), ref="preservation-1"),
    E(K.PRIOR_NOTICE_SERVED, date(2025, 9, 29)),
    E(K.HEARING_RIGHTS_NOTIFIED, date(2025, 9, 29)),
    E(K.HEARING_REQUESTED, date(2025, 10, 9)),
    E(K.HEARING_PROCEEDINGS, date(2025, 10, 9), until=date(2025, 10, 20)),
    E(K.HEARING_NOTICE_SERVED, date(2025, 10, 10)),
    E(K.HEARING_SCHEDULED, date(2025, 10, 20)),
    E(K.PRESERVATION_RESOLVED, date(2025, 10, 14), ref="preservation-1"),
    E(K.LEGAL_REVIEW_SUBMITTED, date(2025, 10, 21)),
    E(K.LEGAL_REVIEW_COMPLETED, date(2025, 10, 24)),
    E(K.PENALTY_DECIDED, date(2025, 10, 27), fine_fen=500_000),
    E(K.SEIZURE_RESOLVED, date(2025, 10, 27), ref="seizure-1"),
    E(K.DECISION_SERVED, date(2025, 10, 29)),
    E(K.PUBLISHED, date(2025, 11, 3)),
    E(K.DEMAND_NOTICE_SERVED, date(2025, 11, 20)),
]


def test_general_case_every_clock() -> None:
    clocks = compute(GENERAL_CASE, today=date(2025, 12, 1))
    expected = {
        # clock: (start, due, status, remaining working days)
        ClockKind.REPORTER_REPLY: (date(2025, 8, 18), date(2025, 8, 25), S.DONE, None),
        ClockKind.FILING: (date(2025, 8, 18), date(2025, 9, 8), S.DONE, None),
        ClockKind.LIMITATION: (date(2025, 8, 15), date(2027, 8, 15), S.DONE, None),
        # 90 days from 08-20 is 11-18; + 12 hearing days + 5 testing days = Friday 12-05.
        ClockKind.DECISION: (date(2025, 8, 20), date(2025, 12, 5), S.DONE, None),
        # 30 + 30 days from 08-22 plus 5 testing days: Sunday 10-26 -> Monday 10-27.
        ClockKind.SEIZURE: (date(2025, 8, 22), date(2025, 10, 27), S.DONE, None),
        # 7 working days from Friday 09-26: 09-28 (make-up Sunday), 09-29, 09-30, 10-09, 10-10,
        # 10-11 (make-up Saturday), 10-13. Resolved a day late.
        ClockKind.PRESERVATION: (date(2025, 9, 26), date(2025, 10, 13), S.DONE_LATE, None),
        ClockKind.STATEMENT: (date(2025, 9, 29), date(2025, 10, 13), S.ELAPSED, -35),
        ClockKind.HEARING_REQUEST: (date(2025, 9, 29), date(2025, 10, 13), S.DONE, None),
        ClockKind.HEARING_NOTICE: (date(2025, 10, 20), date(2025, 10, 10), S.DONE, None),
        ClockKind.LEGAL_REVIEW: (date(2025, 10, 21), date(2025, 10, 30), S.DONE, None),
        ClockKind.DECISION_SERVICE: (date(2025, 10, 27), date(2025, 11, 5), S.DONE, None),
        ClockKind.PUBLICATION: (date(2025, 10, 27), date(2025, 11, 5), S.DONE, None),
        ClockKind.PAYMENT: (date(2025, 10, 29), date(2025, 11, 13), S.OVERDUE, -12),
        # The 34th day after 11-13; 12 working days left on 12-01.
        ClockKind.LATE_FINE_CAP: (date(2025, 11, 14), date(2025, 12, 17), S.OK, 12),
        # 10 working days after 11-20; three left on Monday 12-01.
        ClockKind.DEMAND_NOTICE: (date(2025, 11, 20), date(2025, 12, 4), S.DUE_SOON, 3),
        # 60 days: Sunday 12-28 -> Monday 12-29.
        ClockKind.RECONSIDERATION: (date(2025, 10, 29), date(2025, 12, 29), S.OK, 20),
        ClockKind.LITIGATION: (date(2025, 10, 29), date(2026, 4, 29), S.OK, None),
        # Three months from the later of the two remedy periods.
        ClockKind.COURT_APPLICATION: (date(2026, 4, 29), date(2026, 7, 29), S.OK, None),
    }
    assert set(clocks) == set(expected)
    for kind, (start, due, status, remaining) in expected.items():
        deadline = clocks[kind]
        assert (deadline.start, deadline.due, deadline.status) == (start, due, status), kind
        if remaining is not None or status in (S.DONE, S.DONE_LATE):
            assert deadline.remaining_workdays == remaining, kind
        assert deadline.label == CLOCK_SPECS[kind].label
        assert deadline.notes == (), kind
    assert clocks[ClockKind.REPORTER_REPLY].ref == "12345-0818"
    assert clocks[ClockKind.SEIZURE].ref == "seizure-1"
    assert clocks[ClockKind.PRESERVATION].closed_on == date(2025, 10, 14)


def test_results_are_ordered_by_due_date() -> None:
    deadlines = compute_deadlines(GENERAL_CASE, WorkdayCalendar(), today=date(2025, 12, 1))
    assert [d.due for d in deadlines] == sorted(d.due for d in deadlines)


def test_simple_procedure_cash_hand_over() -> None:
    events = [
        E(K.CASH_COLLECTED, date(2025, 9, 26)),  # Friday
        E(K.CASH_HANDED_TO_ORGAN, date(2025, 9, 29)),
        E(K.CASH_DEPOSITED, date(2025, 10, 10)),
    ]
    clocks = compute(events, today=date(2025, 10, 10))
    # Two working days after Friday 09-26: the make-up Sunday 09-28 and Monday 09-29.
    assert clocks[ClockKind.CASH_TO_ORGAN].due == date(2025, 9, 29)
    assert clocks[ClockKind.CASH_TO_ORGAN].status is S.DONE
    # Two working days after 09-29: 09-30 and, after the holiday, 10-09. Deposited a day late.
    assert clocks[ClockKind.CASH_TO_BANK].due == date(2025, 10, 9)
    assert clocks[ClockKind.CASH_TO_BANK].status is S.DONE_LATE


def test_service_by_publication_then_payment() -> None:
    events = [
        E(K.PENALTY_DECIDED, date(2025, 9, 1), fine_fen=20_000),
        E(K.SERVICE_BY_PUBLICATION, date(2025, 9, 5)),
        E(K.DECISION_SERVED, date(2025, 10, 9)),  # deemed served when the notice period ended
    ]
    clocks = compute(events, today=date(2025, 10, 10))
    assert clocks[ClockKind.DECISION_SERVICE].status is S.DONE  # public notice started in time
    # 30 days after 09-05 is Sunday 10-05, inside the holiday: the period ends on 10-09.
    assert clocks[ClockKind.SERVICE_BY_PUBLICATION].due == date(2025, 10, 9)
    assert clocks[ClockKind.SERVICE_BY_PUBLICATION].status is S.DONE
    assert clocks[ClockKind.PAYMENT].due == date(2025, 10, 24)
    assert clocks[ClockKind.PUBLICATION].status is S.OVERDUE


def test_withdrawal_of_a_published_decision() -> None:
    published = [
        E(K.PENALTY_DECIDED, date(2025, 9, 1)),
        E(K.PUBLISHED, date(2025, 9, 5)),
        E(K.DECISION_REVOKED, date(2025, 9, 26)),
    ]
    clocks = compute(published, today=date(2025, 9, 30))
    withdraw = clocks[ClockKind.WITHDRAW_PUBLICATION]
    # Three working days after Friday 09-26: 09-28, 09-29, 09-30.
    assert (withdraw.due, withdraw.status, withdraw.remaining_workdays) == (date(2025, 9, 30), S.DUE_TODAY, 0)
    never_published = [e for e in published if e.kind is not K.PUBLISHED]
    assert ClockKind.WITHDRAW_PUBLICATION not in compute(never_published, today=date(2025, 9, 30))


@pytest.mark.parametrize(
    ("now", "status", "remaining"),
    [
        (datetime(2025, 9, 29, 16, 0), S.OK, 5),
        (datetime(2025, 9, 30, 9, 0), S.OK, 4),
        # In the holiday week: 8 calendar days left but only 4 working days.
        (datetime(2025, 10, 5, 12, 0), S.OK, 4),
        (datetime(2025, 10, 9, 8, 30), S.DUE_SOON, 3),
        (datetime(2025, 10, 12, 8, 30), S.DUE_SOON, 1),
        (datetime(2025, 10, 13, 23, 59), S.DUE_TODAY, 0),
        (datetime(2025, 10, 14, 0, 1), S.ELAPSED, -1),
    ],
)
def test_statement_window_status_across_national_day(now: datetime, status: S, remaining: int) -> None:
    events = [E(K.PRIOR_NOTICE_SERVED, date(2025, 9, 29))]
    with time_machine.travel(now.replace(tzinfo=BEIJING), tick=False):
        (deadline,) = compute_deadlines(events, WorkdayCalendar())
    assert deadline.due == date(2025, 10, 13)
    assert (deadline.status, deadline.remaining_workdays) == (status, remaining)


def test_obligation_past_due_is_overdue_not_elapsed() -> None:
    events = [E(K.EVIDENCE_PRESERVED, date(2025, 9, 26))]
    with time_machine.travel(datetime(2025, 10, 14, 9, 0, tzinfo=BEIJING), tick=False):
        (deadline,) = compute_deadlines(events, WorkdayCalendar())
    assert (deadline.due, deadline.status, deadline.remaining_workdays) == (date(2025, 10, 13), S.OVERDUE, -1)


def test_decision_clock_ending_on_national_day_moves_to_next_working_day() -> None:
    clocks = compute([E(K.FILED, date(2025, 7, 3))], today=date(2025, 7, 3))
    assert clocks[ClockKind.DECISION].due == date(2025, 10, 9)  # day 90 is 10-01


def test_decision_clock_extensions() -> None:
    filed = E(K.FILED, date(2025, 7, 1))  # day 90 is Monday 09-29
    assert compute([filed], today=date(2025, 7, 1))[ClockKind.DECISION].due == date(2025, 9, 29)
    default = [filed, E(K.DECISION_EXTENDED, date(2025, 9, 20))]  # + 30 days: 10-29
    assert compute(default, today=date(2025, 9, 20))[ClockKind.DECISION].due == date(2025, 10, 29)
    explicit = [filed, E(K.DECISION_EXTENDED, date(2025, 9, 20), extension_days=15)]  # 10-14
    assert compute(explicit, today=date(2025, 9, 20))[ClockKind.DECISION].due == date(2025, 10, 14)
    # An extension approved before the case was (re)filed does not count.
    stale = [E(K.DECISION_EXTENDED, date(2025, 6, 1)), filed]
    assert compute(stale, today=date(2025, 7, 1))[ClockKind.DECISION].due == date(2025, 9, 29)


def test_decision_clock_with_a_running_pause_is_flagged_and_provisional() -> None:
    events = [E(K.FILED, date(2025, 7, 1)), E(K.EXPERT_REVIEW, date(2025, 9, 1))]
    decision = compute(events, today=date(2025, 9, 10))[ClockKind.DECISION]
    # 61 days counted before 09-01; 29 remain after a pause that is assumed to end today.
    assert decision.paused
    assert decision.due == date(2025, 10, 9)  # 09-10 + 29
    later = compute(events, today=date(2025, 9, 20))[ClockKind.DECISION]
    assert later.due == date(2025, 10, 20)  # 09-20 + 29 = Sunday 10-19 -> Monday 10-20
    closed = [*events[:1], dataclasses.replace(events[1], until=date(2025, 9, 10))]
    assert not compute(closed, today=date(2025, 9, 20))[ClockKind.DECISION].paused
    # A pause starting after the 90 days ran out (09-29) neither moves nor revives the clock.
    too_late = [events[0], E(K.EXPERT_REVIEW, date(2025, 10, 10))]
    decision = compute(too_late, today=date(2025, 10, 15))[ClockKind.DECISION]
    assert (decision.due, decision.status, decision.paused) == (date(2025, 9, 29), S.OVERDUE, False)


def test_decision_pause_kinds_are_a_setting() -> None:
    events = [E(K.FILED, date(2025, 7, 1)), E(K.TESTING, date(2025, 8, 1), until=date(2025, 8, 10))]
    assert compute(events, today=date(2025, 8, 1))[ClockKind.DECISION].due == date(2025, 10, 9)
    no_pauses = dataclasses.replace(DEFAULT_SETTINGS, decision_pause_kinds=frozenset())
    clocks = compute(events, today=date(2025, 8, 1), settings=no_pauses)
    assert clocks[ClockKind.DECISION].due == date(2025, 9, 29)


def test_two_seizures_run_separate_clocks_and_extensions_are_capped() -> None:
    events = [
        E(K.SEIZED, date(2025, 6, 2), ref="a"),
        E(K.SEIZED, date(2025, 6, 2), ref="b"),
        E(K.TESTING, date(2025, 6, 10), ref="b", until=date(2025, 6, 19)),
        E(K.SEIZURE_EXTENDED, date(2025, 6, 25), ref="a", extension_days=20),
        E(K.SEIZURE_EXTENDED, date(2025, 7, 20), ref="a", extension_days=20),
    ]
    seizures = {d.ref: d for d in compute_deadlines(events, WorkdayCalendar(), today=date(2025, 7, 1))}
    # a: 30 + 30 (capped from 40) days after 06-02 = 08-01 (Friday).
    assert seizures["a"].due == date(2025, 8, 1)
    assert seizures["a"].notes == ("延长期限合计40日，超过上限30日，按30日计算",)
    # b: 30 days + 10 testing days of its own items = 07-12 (Saturday) -> 07-14.
    assert seizures["b"].due == date(2025, 7, 14)
    assert seizures["b"].notes == ()


def test_legal_review_extension_and_resubmission() -> None:
    submitted = E(K.LEGAL_REVIEW_SUBMITTED, date(2025, 9, 30))
    # 7 working days: 10-09, 10-10, 10-11, 10-13, 10-14, 10-15, 10-16.
    assert compute([submitted], today=date(2025, 9, 30))[ClockKind.LEGAL_REVIEW].due == date(2025, 10, 16)
    extended = [submitted, E(K.LEGAL_REVIEW_EXTENDED, date(2025, 10, 15))]
    assert compute(extended, today=date(2025, 10, 15))[ClockKind.LEGAL_REVIEW].due == date(2025, 10, 21)
    # Sent back and resubmitted on 10-20: the clock restarts, the old extension no longer applies.
    resubmitted = [*extended, E(K.LEGAL_REVIEW_SUBMITTED, date(2025, 10, 20))]
    review = compute(resubmitted, today=date(2025, 10, 20))[ClockKind.LEGAL_REVIEW]
    assert (review.start, review.due) == (date(2025, 10, 20), date(2025, 10, 29))


def test_hearing_notice_served_too_late() -> None:
    events = [E(K.HEARING_SCHEDULED, date(2025, 10, 20)), E(K.HEARING_NOTICE_SERVED, date(2025, 10, 11))]
    notice = compute(events, today=date(2025, 10, 11))[ClockKind.HEARING_NOTICE]
    assert (notice.due, notice.status) == (date(2025, 10, 10), S.DONE_LATE)
    not_yet = compute(events[:1], today=date(2025, 10, 9))[ClockKind.HEARING_NOTICE]
    assert (not_yet.status, not_yet.remaining_workdays) == (S.DUE_SOON, 1)


def test_waiver_closes_the_statement_window() -> None:
    events = [E(K.PRIOR_NOTICE_SERVED, date(2025, 9, 29)), E(K.STATEMENT_WAIVED, date(2025, 9, 29))]
    statement = compute(events, today=date(2025, 9, 30))[ClockKind.STATEMENT]
    assert (statement.status, statement.closed_on) == (S.DONE, date(2025, 9, 29))


def test_payment_paid_late_and_the_late_fine_clock() -> None:
    events = [
        E(K.PENALTY_DECIDED, date(2025, 9, 15), fine_fen=100_000),
        E(K.DECISION_SERVED, date(2025, 9, 16)),
        E(K.PAID, date(2025, 10, 20)),
    ]
    clocks = compute(events, today=date(2025, 10, 21))
    # 15 days after 09-16 is 10-01, National Day: due 10-09.
    assert (clocks[ClockKind.PAYMENT].due, clocks[ClockKind.PAYMENT].status) == (
        date(2025, 10, 9),
        S.DONE_LATE,
    )
    cap = clocks[ClockKind.LATE_FINE_CAP]
    assert (cap.start, cap.due, cap.status) == (date(2025, 10, 10), date(2025, 11, 12), S.DONE)
    assert clocks[ClockKind.COURT_APPLICATION].status is S.DONE  # paid: nothing to enforce


def test_no_late_fine_clock_before_payment_is_late() -> None:
    events = [
        E(K.PENALTY_DECIDED, date(2025, 9, 15), fine_fen=100_000),
        E(K.DECISION_SERVED, date(2025, 9, 16)),
    ]
    assert ClockKind.LATE_FINE_CAP not in compute(events, today=date(2025, 10, 9))
    assert ClockKind.LATE_FINE_CAP in compute(events, today=date(2025, 10, 10))


def test_deferral_moves_payment_and_court_application() -> None:
    events = [
        E(K.PENALTY_DECIDED, date(2025, 9, 15), fine_fen=100_000),
        E(K.DECISION_SERVED, date(2025, 9, 16)),
        E(K.DEFERRAL_APPROVED, date(2025, 9, 25), until=date(2026, 3, 31)),
    ]
    clocks = compute(events, today=date(2025, 10, 10))
    assert clocks[ClockKind.PAYMENT].due == date(2026, 3, 31)
    assert clocks[ClockKind.PAYMENT].notes == ("已批准暂缓缴纳至2026年3月31日",)
    assert ClockKind.LATE_FINE_CAP not in clocks
    # Litigation period ends 2026-03-16; the deferral later, so the 3 months run from 03-31.
    court = clocks[ClockKind.COURT_APPLICATION]
    assert (court.start, court.due) == (date(2026, 3, 31), date(2026, 6, 30))


def test_reconsideration_pauses_the_late_fine_and_suspends_the_court_clock() -> None:
    events = [
        E(K.PENALTY_DECIDED, date(2025, 9, 15), fine_fen=100_000),
        E(K.DECISION_SERVED, date(2025, 9, 16)),
        E(K.RECONSIDERATION, date(2025, 10, 20), until=date(2025, 12, 18)),
    ]
    clocks = compute(events, today=date(2025, 12, 19))
    assert clocks[ClockKind.RECONSIDERATION].status is S.DONE
    # Payment due 10-09; days 10-10..10-19 count (10), 10-20..12-18 do not, 24 more from 12-19.
    assert clocks[ClockKind.LATE_FINE_CAP].due == date(2026, 1, 11)
    assert ClockKind.COURT_APPLICATION not in clocks


def test_no_payment_clocks_without_a_fine() -> None:
    warning_only = [E(K.PENALTY_DECIDED, date(2025, 9, 15)), E(K.DECISION_SERVED, date(2025, 9, 16))]
    clocks = compute(warning_only, today=date(2025, 9, 20))
    assert ClockKind.PAYMENT not in clocks
    assert ClockKind.COURT_APPLICATION not in clocks
    assert ClockKind.RECONSIDERATION in clocks
    no_penalty = compute([E(K.NO_PENALTY_DECIDED, date(2025, 9, 15))], today=date(2025, 9, 20))
    assert set(no_penalty) == {ClockKind.DECISION_SERVICE}


def test_limitation_period() -> None:
    events = [E(K.VIOLATION_ENDED, date(2023, 3, 15)), E(K.DISCOVERED, date(2025, 3, 17))]
    # 2025-03-15 is a Saturday; the bar is not moved to Monday.
    late = compute(events, today=date(2025, 3, 17))[ClockKind.LIMITATION]
    assert (late.due, late.status) == (date(2025, 3, 15), S.DONE_LATE)
    serious = compute(events, today=date(2025, 3, 17), serious_harm=True)[ClockKind.LIMITATION]
    assert (serious.due, serious.status) == (date(2028, 3, 15), S.DONE)
    assert serious.notes == ()  # a closed year period relies on no working days


def test_unknown_year_is_flagged_on_the_deadline() -> None:
    events = [
        E(K.PENALTY_DECIDED, date(2026, 12, 18), fine_fen=50_000),
        E(K.DECISION_SERVED, date(2026, 12, 20)),
    ]
    calendar = WorkdayCalendar()
    payment = by_clock(compute_deadlines(events, calendar, today=date(2026, 12, 21)))[ClockKind.PAYMENT]
    assert payment.due == date(2027, 1, 4)
    assert payment.notes == (WARNING_2027,)
    assert WARNING_2027 in calendar.warnings
    county = WorkdayCalendar({date(2027, 1, 1): False, date(2027, 1, 4): False})
    payment = by_clock(compute_deadlines(events, county, today=date(2026, 12, 21)))[ClockKind.PAYMENT]
    assert payment.due == date(2027, 1, 5)
    assert payment.notes == ()
    assert county.warnings == ()


def test_open_clock_counted_into_an_unknown_year_is_flagged() -> None:
    # Due in 2026, but today is in 2027: the overdue count crosses a year nobody imported.
    events = [E(K.EVIDENCE_PRESERVED, date(2026, 12, 1))]
    preservation = compute(events, today=date(2027, 1, 15))[ClockKind.PRESERVATION]
    assert preservation.status is S.OVERDUE
    assert preservation.notes == (WARNING_2027,)


def test_settings_change_the_periods() -> None:
    events = [E(K.PENALTY_DECIDED, date(2025, 9, 1)), E(K.PRIOR_NOTICE_SERVED, date(2025, 9, 1))]
    settings = ClockSettings(publication_workdays=20, statement_workdays=3, due_soon_workdays=0)
    clocks = compute(events, today=date(2025, 9, 3), settings=settings)
    assert clocks[ClockKind.PUBLICATION].due == date(2025, 9, 28)  # the 20th is the make-up Sunday
    assert clocks[ClockKind.STATEMENT].due == date(2025, 9, 4)
    assert clocks[ClockKind.STATEMENT].status is S.OK  # 1 working day left, threshold 0
    with pytest.raises(ValueError, match="statement_workdays"):
        ClockSettings(statement_workdays=-1)


def test_no_events_no_deadlines() -> None:
    assert compute_deadlines([], WorkdayCalendar(), today=date(2025, 1, 1)) == []


def test_clock_table_is_complete_and_consistent() -> None:
    assert set(CLOCK_SPECS) == set(ClockKind)
    for kind, spec in CLOCK_SPECS.items():
        assert spec.kind is kind
        assert spec.label and spec.source
        assert spec.length(DEFAULT_SETTINGS) > 0
        # Pauses are only implemented for calendar-day periods.
        if spec.pause_kinds(DEFAULT_SETTINGS):
            assert spec.unit is PeriodUnit.CALENDAR_DAYS, kind


def test_docs_list_every_clock() -> None:
    text = (Path(__file__).parents[2] / "docs" / "deadlines.md").read_text(encoding="utf-8")
    missing = [kind.value for kind in ClockKind if f"`{kind.value}`" not in text]
    assert not missing
