"""The working-day calendar in force: chinese-calendar plus the county's overrides in the store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from brigade_desk.core import audit
from brigade_desk.core.model import WorkdayOverride
from brigade_desk.core.rules.permissions import Actor, Permission
from brigade_desk.core.rules.workdays import WorkdayCalendar
from brigade_desk.core.services.base import Service, open_operation, operation


def load_calendar(session: Session) -> WorkdayCalendar:
    rows = session.execute(select(WorkdayOverride.day, WorkdayOverride.is_workday)).all()
    return WorkdayCalendar({day: is_workday for day, is_workday in rows})


@dataclass(frozen=True)
class OverrideView:
    day: date
    is_workday: bool
    note: str


class CalendarService(Service):
    @open_operation("工作日历是公开的参考数据")
    def calendar(self) -> WorkdayCalendar:
        with self.store.read() as session:
            return load_calendar(session)

    @operation(Permission.CASE_VIEW)
    def overrides(self, actor: Actor) -> list[OverrideView]:
        with self.store.read() as session:
            rows = session.execute(select(WorkdayOverride).order_by(WorkdayOverride.day)).scalars()
            return [OverrideView(r.day, r.is_workday, r.note) for r in rows]

    @operation(Permission.REFERENCE_MANAGE)
    def set_override(self, actor: Actor, day: date, is_workday: bool, note: str = "") -> None:
        """A holiday (False) or make-up working day (True) the library does not know yet."""
        with self.store.write() as session:
            row = session.get(WorkdayOverride, day)
            before = None if row is None else {"is_workday": row.is_workday, "note": row.note}
            if row is None:
                session.add(WorkdayOverride(day=day, is_workday=is_workday, note=note))
            else:
                row.is_workday, row.note = is_workday, note
            kind = "工作日" if is_workday else "休息日"
            audit.record(
                session,
                actor,
                audit.Change(
                    "calendar.override",
                    "workday_override",
                    day.isoformat(),
                    f"将{day.isoformat()}设为{kind}",
                    before=before,
                    after={"is_workday": is_workday, "note": note},
                ),
            )
