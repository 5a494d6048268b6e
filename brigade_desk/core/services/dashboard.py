"""The dashboard's deadline board: overdue, due today, due soon, and open cases with no deadline.

Every step keeps each case's earliest open clock in `case_record.next_due_on`, so the board is a
few indexed queries even with years of cases in the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from brigade_desk.core.model import Case, CaseOfficer, CaseParty, CaseStep, Party
from brigade_desk.core.rules.clocks import compute_deadlines
from brigade_desk.core.rules.permissions import Actor, Permission
from brigade_desk.core.rules.procedure import STATE_LABELS, TERMINAL_STATES, CaseState
from brigade_desk.core.services.base import Service, operation
from brigade_desk.core.services.calendar import load_calendar
from brigade_desk.core.services.procedure import OPEN_STATUSES, case_steps, clock_events, clock_settings
from brigade_desk.core.services.settings import read_setting
from brigade_desk.core.timeutil import BEIJING, beijing_today

OPEN_STATES = [s.value for s in CaseState if s not in TERMINAL_STATES]


@dataclass(frozen=True)
class DueCase:
    case_id: str
    case_number: str
    summary: str
    parties: str
    state_label: str
    due: date | None
    clock: str
    # overdue | due_today | due_soon | none
    status: str


@dataclass(frozen=True)
class DeadlineBoard:
    today: date
    soon_until: date
    overdue: list[DueCase]
    due_today: list[DueCase]
    due_soon: list[DueCase]
    without_deadline: list[DueCase]
    counts: dict[str, int]
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class DeadlineSetToday:
    case_number: str
    summary: str
    clock: str
    start: date
    due: date


class DashboardService(Service):
    @operation(Permission.DASHBOARD_VIEW)
    def deadlines(
        self, actor: Actor, *, mine: bool = False, due_within: int | None = None, limit: int = 200
    ) -> DeadlineBoard:
        """Open cases by deadline status; `mine` keeps the cases the person handles."""
        today = beijing_today(self.clock())
        with self.store.read() as session:
            calendar = load_calendar(session)
            soon_days = (
                due_within if due_within is not None else read_setting(self.store, "due_soon_workdays")
            )
            soon_until = calendar.add_workdays(today, soon_days)
            base = select(Case).where(Case.state.in_(OPEN_STATES))
            if mine:
                base = base.where(
                    Case.id.in_(select(CaseOfficer.case_id).where(CaseOfficer.user_id == actor.user_id))
                )
            buckets = {
                "overdue": base.where(Case.next_due_on < today),
                "due_today": base.where(Case.next_due_on == today),
                "due_soon": base.where(Case.next_due_on > today, Case.next_due_on <= soon_until),
                "none": base.where(Case.next_due_on.is_(None)),
            }
            counts = {k: _count(session, q) for k, q in buckets.items()}
            lists = {
                k: _rows(session, q.order_by(Case.next_due_on, Case.received_at).limit(limit), k)
                for k, q in buckets.items()
            }
            return DeadlineBoard(
                today,
                soon_until,
                lists["overdue"],
                lists["due_today"],
                lists["due_soon"],
                lists["none"],
                counts,
                calendar.warnings,
            )

    @operation(Permission.DASHBOARD_VIEW)
    def set_today(self, actor: Actor) -> list[DeadlineSetToday]:
        """Deadlines started by steps recorded today: the printable daily list (PEERS.md, j-lawyer #519)."""
        today = beijing_today(self.clock())
        # Today in Beijing as a UTC range, so that only today's steps are read (not every step ever).
        start = datetime.combine(today, time.min, BEIJING).astimezone(UTC)
        with self.store.read() as session:
            case_ids = set(
                session.execute(
                    select(CaseStep.case_id).where(
                        CaseStep.recorded_at >= start, CaseStep.recorded_at < start + timedelta(days=1)
                    )
                ).scalars()
            )
            calendar = load_calendar(session)
            settings = clock_settings(self.store)
            result: list[DeadlineSetToday] = []
            for case in session.execute(select(Case).where(Case.id.in_(case_ids))).scalars():
                steps = case_steps(session, case.id)
                started_today = {s.on for s in steps if beijing_today(s.recorded_at) == today}
                for d in compute_deadlines(
                    clock_events(steps),
                    calendar,
                    today=today,
                    settings=settings,
                    serious_harm=case.serious_harm,
                ):
                    if d.start in started_today and d.status in OPEN_STATUSES:
                        result.append(
                            DeadlineSetToday(
                                case.case_number or "（未立案）", case.summary, d.label, d.start, d.due
                            )
                        )
            return sorted(result, key=lambda r: (r.due, r.case_number))


def _count(session: Session, query: Select[Any]) -> int:
    return int(session.execute(select(func.count()).select_from(query.subquery())).scalar_one())


def _rows(session: Session, query: Select[Any], status: str) -> list[DueCase]:
    cases: list[Case] = list(session.execute(query).scalars())
    names: dict[str, list[str]] = {}
    if cases:
        for case_id, name in session.execute(
            select(CaseParty.case_id, Party.name)
            .join(Party, Party.id == CaseParty.party_id)
            .where(CaseParty.case_id.in_([c.id for c in cases]))
        ):
            names.setdefault(case_id, []).append(name)
    return [
        DueCase(
            c.id,
            c.case_number or "（未立案）",
            c.summary,
            "、".join(names.get(c.id, [])),
            STATE_LABELS.get(CaseState(c.state), c.state),
            c.next_due_on,
            c.next_due_label,
            status,
        )
        for c in cases
    ]
