"""Reading cases. Filing, steps and gates arrive with the case-handling work."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal_column, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from brigade_desk.core import search
from brigade_desk.core.errors import NotFound, ValidationError
from brigade_desk.core.model import Case, CaseOfficer, CaseParty, CasePowerItem, Party
from brigade_desk.core.rules.permissions import Actor, Permission
from brigade_desk.core.rules.procedure import STATE_LABELS, TERMINAL_STATES, CaseState
from brigade_desk.core.services.base import Service, open_operation, operation
from brigade_desk.core.services.calendar import load_calendar
from brigade_desk.core.services.settings import read_setting
from brigade_desk.core.timeutil import BEIJING, beijing_today


@dataclass(frozen=True)
class CaseRow:
    id: str
    case_number: str
    received_at: datetime
    source: str
    summary: str
    state: str
    state_label: str
    parties: str
    # The earliest open clock on which the brigade must act (kept on the case by every step).
    next_due_on: date | None = None
    next_due_label: str = ""
    is_major: bool = False
    # overdue | due_today | due_soon | ok, as of today; "" for a closed case or one with no deadline.
    due_status: str = ""


@dataclass(frozen=True)
class CaseDetail:
    id: str
    case_number: str
    procedure: str
    source: str
    received_at: datetime
    violation_date: date | None
    place: str
    summary: str
    facts: str
    state: str
    state_label: str
    fine_fen: int | None
    parties: tuple[str, ...]
    version: int


# Columns the list may sort by (all in SQL; indexed where it matters at county scale).
SORT_COLUMNS = {
    "received_at": Case.received_at,
    "case_number": Case.case_number,
    "state": Case.state,
    "source": Case.source,
    "next_due_on": Case.next_due_on,
    "filed_on": Case.filed_on,
}
DEADLINE_FILTERS = ("overdue", "due_today", "due_soon", "none")
# A search combined with filters considers at most this many newest matches.


@dataclass(frozen=True)
class CaseFilter:
    """What the case list shows: every field optional; all filtering and sorting happen in SQL."""

    query: str = ""
    states: tuple[str, ...] = ()
    officer_id: str | None = None
    source: str | None = None
    power_item_id: str | None = None
    deadline: str | None = None  # one of DEADLINE_FILTERS
    received_from: date | None = None
    received_to: date | None = None
    major_only: bool = False
    sort: str = "received_at"
    descending: bool = True


def state_label(state: str) -> str:
    try:
        return STATE_LABELS[CaseState(state)]
    except ValueError:
        return state


class CaseService(Service):
    @operation(Permission.CASE_VIEW)
    def count(self, actor: Actor) -> int:
        with self.store.read() as session:
            return session.execute(select(func.count()).select_from(Case)).scalar_one()

    @operation(Permission.CASE_VIEW)
    def count_by_state(self, actor: Actor) -> dict[str, int]:
        """How many cases are in each state (the dashboard's figures), in one grouped query."""
        with self.store.read() as session:
            rows = session.execute(select(Case.state, func.count()).group_by(Case.state)).all()
            return {state: number for state, number in rows}

    @operation(Permission.CASE_VIEW)
    def page(self, actor: Actor, offset: int, limit: int) -> list[CaseRow]:
        """One page of the case list, newest first, rows built only for that page."""
        with self.store.read() as session:
            ids = list(
                session.execute(
                    select(Case.id)
                    .order_by(Case.received_at.desc(), _tie_breaker(session).desc())
                    .offset(offset)
                    .limit(limit)
                ).scalars()
            )
            return _rows(session, ids, self._due_bounds(session))

    @operation(Permission.CASE_VIEW)
    def count_filtered(self, actor: Actor, flt: CaseFilter) -> int:
        with self.store.read() as session:
            if _search_only(flt):
                return search.count_matches(session, flt.query)
            ids = self._filtered_ids(session, flt)
            return int(session.execute(select(func.count()).select_from(ids.subquery())).scalar_one())

    def _ordered(self, session: Session, query: Select[Any], flt: CaseFilter) -> Select[Any]:
        column = SORT_COLUMNS.get(flt.sort, Case.received_at)
        tie = _tie_breaker(session)
        if flt.descending:
            return query.order_by(column.desc(), tie.desc())
        return query.order_by(column.asc(), tie.asc())

    @operation(Permission.CASE_VIEW)
    def page_filtered(
        self, actor: Actor, flt: CaseFilter, offset: int, limit: int, total: int | None = None
    ) -> list[CaseRow]:
        """One page of the filtered, sorted list; rows are built only for that page.

        With `total` (the list's count), a page in the second half is read from the other end in
        the opposite order: OFFSET then skips fewer rows, and where the order has to merge several
        index ranges (办理中 = many states) the nearer end is the cheap one."""
        with self.store.read() as session:
            if _search_only(flt):
                # The index lists matches newest first already: page it directly, no id list.
                ids = search.search_case_ids(session, flt.query, limit, offset)
                return _rows(session, ids, self._due_bounds(session))
            from_end = total is not None and offset > total // 2 and offset < total
            if total is not None and from_end:
                limit = min(limit, total - offset)
                offset, flipped = total - offset - limit, replace(flt, descending=not flt.descending)
                query = self._ordered(session, self._filtered_ids(session, flipped), flipped)
            else:
                query = self._ordered(session, self._filtered_ids(session, flt), flt)
            ids = list(session.execute(query.offset(offset).limit(limit)).scalars())
            return _rows(session, ids[::-1] if from_end else ids, self._due_bounds(session))

    def _due_bounds(self, session: Session) -> tuple[date, date]:
        """Today and the last day that counts as due soon (in working days), for the rows' status."""
        today = beijing_today(self.clock())
        soon = load_calendar(session).add_workdays(today, read_setting(self.store, "due_soon_workdays"))
        return today, soon

    def _filtered_ids(self, session: Session, flt: CaseFilter) -> Select[Any]:
        query = select(Case.id)
        matching = search.matching_case_ids(session, flt.query)
        if matching is not None:
            query = query.where(Case.id.in_(matching))
        if flt.states:
            query = query.where(Case.state.in_(flt.states))
        if flt.officer_id:
            query = query.where(
                Case.id.in_(select(CaseOfficer.case_id).where(CaseOfficer.user_id == flt.officer_id))
            )
        if flt.source:
            query = query.where(Case.source == flt.source)
        if flt.power_item_id:
            query = query.where(
                Case.id.in_(
                    select(CasePowerItem.case_id).where(CasePowerItem.power_item_id == flt.power_item_id)
                )
            )
        if flt.received_from:
            query = query.where(Case.received_at >= datetime.combine(flt.received_from, time.min, BEIJING))
        if flt.received_to:
            query = query.where(
                Case.received_at < datetime.combine(flt.received_to + timedelta(days=1), time.min, BEIJING)
            )
        if flt.major_only:
            query = query.where(Case.is_major)
        if flt.deadline:
            query = self._deadline_clause(session, query, flt.deadline)
        return query

    def _deadline_clause(self, session: Session, query: Select[Any], which: str) -> Select[Any]:
        if which not in DEADLINE_FILTERS:
            raise ValidationError.single("期限", "只能是：逾期、今日到期、即将到期、无期限")
        today = beijing_today(self.clock())
        open_states = [s.value for s in CaseState if s not in TERMINAL_STATES]
        query = query.where(Case.state.in_(open_states))
        if which == "overdue":
            return query.where(Case.next_due_on < today)
        if which == "due_today":
            return query.where(Case.next_due_on == today)
        if which == "none":
            return query.where(Case.next_due_on.is_(None))
        soon = load_calendar(session).add_workdays(today, read_setting(self.store, "due_soon_workdays"))
        return query.where(Case.next_due_on > today, Case.next_due_on <= soon)

    @operation(Permission.CASE_VIEW)
    def search(self, actor: Actor, query: str, limit: int = 50, offset: int = 0) -> list[CaseRow]:
        """Cases whose number, text, parties, ID numbers or addresses contain the query (newest first)."""
        with self.store.read() as session:
            ids = search.search_case_ids(session, query, limit, offset)
            return _rows(session, ids, self._due_bounds(session))

    @operation(Permission.CASE_VIEW)
    def count_search(self, actor: Actor, query: str) -> int:
        with self.store.read() as session:
            return search.count_matches(session, query)

    @operation(Permission.CASE_VIEW)
    def find_by_number(self, actor: Actor, case_number: str) -> CaseDetail:
        with self.store.read() as session:
            case_id = session.execute(
                select(Case.id).where(Case.case_number == case_number.strip())
            ).scalar_one_or_none()
        if case_id is None:
            raise NotFound(f"没有案号为“{case_number}”的案件")
        return self.get(actor, case_id)

    @open_operation("检索索引是由案件数据导出的，重建不改变任何业务记录")
    def rebuild_search_if_needed(self, progress: Callable[[int, int], None] | None = None) -> bool:
        """Rebuild the search index when a store was upgraded with data or the tokens changed."""
        with self.store.read() as session:
            if not search.needs_rebuild(session):
                return False
        with self.store.write() as session:
            search.rebuild_index(session, progress)
        return True

    @operation(Permission.CASE_VIEW)
    def get(self, actor: Actor, case_id: str) -> CaseDetail:
        with self.store.read() as session:
            c = session.get(Case, case_id)
            if c is None:
                raise NotFound("案件不存在")
            names = _party_names(session, [c.id]).get(c.id, [])
            return CaseDetail(
                c.id,
                c.case_number or "",
                c.procedure,
                c.source,
                c.received_at,
                c.violation_date,
                c.place,
                c.summary,
                c.facts,
                c.state,
                state_label(c.state),
                c.fine_fen,
                tuple(names),
                c.version,
            )


def _search_only(flt: CaseFilter) -> bool:
    """A search with no other filter, newest first: the search index pages it by itself (no join
    with the case table needed)."""
    return bool(flt.query.strip()) and replace(flt, query="") == CaseFilter() and flt.descending


def _tie_breaker(session: Session) -> ColumnElement[Any] | InstrumentedAttribute[str]:
    """The second sort key that makes the order total. On SQLite the rowid: every index entry ends
    with it, so `ORDER BY column, rowid` is read straight from the column's index and OFFSET skips
    index entries only (the last page of 200,000 cases in ~15 ms instead of ~250 ms with the id,
    which needs a sort of every row). Elsewhere the id."""
    if session.get_bind().dialect.name == "sqlite":
        return literal_column("case_record.rowid")
    return Case.id


def due_status(state: str, due: date | None, today: date, soon_until: date) -> str:
    """overdue | due_today | due_soon | ok for an open case's next deadline; "" otherwise."""
    if due is None or state in _TERMINAL:
        return ""
    if due < today:
        return "overdue"
    if due == today:
        return "due_today"
    return "due_soon" if due <= soon_until else "ok"


_TERMINAL = frozenset(s.value for s in TERMINAL_STATES)


def _rows(session: Session, ids: list[str], bounds: tuple[date, date] | None = None) -> list[CaseRow]:
    """List rows for `ids`, in that order, with their parties' names (built only for these rows).

    Only the list's columns are read, as plain rows: no ORM objects, no case text (facts can be long)."""
    columns = (
        Case.id,
        Case.case_number,
        Case.received_at,
        Case.source,
        Case.summary,
        Case.state,
        Case.next_due_on,
        Case.next_due_label,
        Case.is_major,
    )
    by_id = {c.id: c for c in session.execute(select(*columns).where(Case.id.in_(ids)))} if ids else {}
    names = _party_names(session, ids)
    return [
        CaseRow(
            c.id,
            c.case_number or "（未立案）",
            c.received_at,
            c.source,
            c.summary,
            c.state,
            state_label(c.state),
            "、".join(names.get(c.id, [])),
            c.next_due_on,
            c.next_due_label,
            c.is_major,
            due_status(c.state, c.next_due_on, *bounds) if bounds else "",
        )
        for c in (by_id[i] for i in ids if i in by_id)
    ]


def _party_names(session: Session, case_ids: list[str]) -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    if not case_ids:
        return names
    rows = session.execute(
        select(CaseParty.case_id, Party.name)
        .join(Party, Party.id == CaseParty.party_id)
        .where(CaseParty.case_id.in_(case_ids))
    )
    for case_id, name in rows:
        names.setdefault(case_id, []).append(name)
    return names
