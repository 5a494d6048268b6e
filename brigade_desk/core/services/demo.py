"""Demo data in the store: the starter catalogue, officers, parties and cases with their histories.

The rows come from `core.demo.DemoGenerator` (deterministic for a seed); this module inserts them
in bulk (Core `INSERT … executemany`, one transaction per batch) with one audit event per record,
the procedural steps each case's state implies (so clocks and the dashboard have something to
show) and each open case's next deadline.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import islice
from typing import Any, TypeVar, cast

from sqlalchemy import Table, insert, select

from brigade_desk.core import audit, search
from brigade_desk.core.demo import CaseRow, DemoGenerator, PartyRow, load_power_items, load_township
from brigade_desk.core.errors import RuleViolation
from brigade_desk.core.ids import new_id
from brigade_desk.core.model import (
    Base,
    Case,
    CaseOfficer,
    CaseParty,
    CasePowerItem,
    CaseStep,
    NumberSequence,
    Organ,
    Party,
    PowerItem,
    User,
)
from brigade_desk.core.numbering import case_number
from brigade_desk.core.reference import load_starter_catalogue
from brigade_desk.core.rules.clocks import EventKind
from brigade_desk.core.rules.permissions import Actor, Permission
from brigade_desk.core.rules.procedure import TERMINAL_STATES, CaseState
from brigade_desk.core.services.base import Service, operation
from brigade_desk.core.services.calendar import load_calendar
from brigade_desk.core.services.procedure import FILED_FOR_RECORD, clock_settings, next_due
from brigade_desk.core.services.users import hash_password
from brigade_desk.core.text import pinyin_initials
from brigade_desk.core.timeutil import beijing_today

DEMO_PASSWORD = "Demo12345"
NUMBER = re.compile(r"〔(\d{4})〕第(\d+)号")
BATCH = 5000
DEMO_YEARS = 4
T = TypeVar("T")
Progress = Callable[[int, int], None]

# The steps a case in each state has been through, as (kind, days after filing); None = the
# received date. Dates are capped at the demo's "today".
_FILED = [(EventKind.DISCOVERED, None), (EventKind.FILED, 0)]
_NOTICE = [*_FILED, (EventKind.PRIOR_NOTICE_SERVED, 21)]
_DECIDED = [*_NOTICE, (EventKind.PENALTY_DECIDED, 35), (EventKind.PUBLISHED, 40)]
_SERVED = [*_DECIDED, (EventKind.DECISION_SERVED, 37)]
STATE_STEPS: dict[str, list[tuple[EventKind, int | None]]] = {
    "pending_filing": [(EventKind.DISCOVERED, None)],
    "not_filed": [(EventKind.DISCOVERED, None), (EventKind.NOT_FILED, 0)],
    "filed": _FILED,
    "investigating": _FILED,
    "investigation_closed": _FILED,
    "notice_served": _NOTICE,
    "hearing": [*_NOTICE, (EventKind.HEARING_REQUESTED, 24)],
    "legal_review": [*_NOTICE, (EventKind.LEGAL_REVIEW_SUBMITTED, 30)],
    "collective_discussion": [*_NOTICE, (EventKind.LEGAL_REVIEW_SUBMITTED, 30)],
    "decided": _DECIDED,
    "decision_served": _SERVED,
    "performing": _SERVED,
    "paid": [*_SERVED, (EventKind.PAID, 45)],
    "overdue": _SERVED,
    "urged": [*_SERVED, (EventKind.DEMAND_NOTICE_SERVED, 60)],
    "court_applied": [*_SERVED, (EventKind.DEMAND_NOTICE_SERVED, 60), (EventKind.COURT_APPLIED, 250)],
    "closed": [*_SERVED, (EventKind.PAID, 45)],
    "archived": [*_SERVED, (EventKind.PAID, 45)],
    "decided_no_penalty": [*_FILED, (EventKind.NO_PENALTY_DECIDED, 30), (EventKind.PUBLISHED, 35)],
    "withdrawn": [*_FILED, (EventKind.WITHDRAWN, 30)],
    "transferred": [*_FILED, (EventKind.TRANSFERRED, 20)],
    # Paid on the spot or at the bank within days: an unpaid on-the-spot fine would sit on the board for years.
    "on_the_spot": [
        (EventKind.PENALTY_DECIDED, 0),
        (EventKind.DECISION_SERVED, 0),
        (EventKind.PAID, 3),
        (EventKind.PUBLISHED, 5),
    ],
}
# A closed or archived 简罚 case went the simple way and was then 备案'd: none of the general
# procedure's steps (no 事先告知书, no separate service of the decision).
SIMPLE_CLOSED_STEPS: list[tuple[str, int | None]] = [
    *((kind.value, offset) for kind, offset in STATE_STEPS["on_the_spot"]),
    (FILED_FOR_RECORD, 7),
]


@dataclass(frozen=True)
class DemoReport:
    cases: int
    parties: int
    officers: int
    seconds: float
    password: str


def _table(model: type[Base]) -> Table:
    """A model's table, for Core executemany inserts (bulk work skips the ORM unit of work)."""
    return cast(Table, model.__table__)


def _chunks(items: Iterator[T], size: int) -> Iterator[list[T]]:
    while chunk := list(islice(items, size)):
        yield chunk


class DemoService(Service):
    @operation(Permission.DEMO_GENERATE)
    def generate(
        self, actor: Actor, *, cases: int, seed: int = 1, progress: Progress | None = None
    ) -> DemoReport:
        started = time.perf_counter()
        self._due_memo: dict[tuple[tuple[str, date], ...], tuple[date | None, str]] = {}
        today = beijing_today(self.clock())
        township = load_township()
        with self.store.write() as session:
            organ = session.execute(select(Organ).where(Organ.is_self)).scalar_one_or_none()
            if organ is None:
                raise RuleViolation("存储尚未初始化，不能生成演示数据")
            if session.execute(select(Case.id).limit(1)).first() is not None:
                raise RuleViolation("演示数据只能生成在尚无案件的存储中；请换一个数据目录（--data-dir）")
            load_starter_catalogue(session, actor)
            items = {i.code: i for i in session.execute(select(PowerItem)).scalars()}
            existing_logins = set(session.execute(select(User.login)).scalars())
        generator = DemoGenerator(
            seed,
            {**township, "doc_prefix": organ.doc_prefix or township["doc_prefix"]},
            load_power_items(),
            [s.value for s in CaseState],
            today.year - DEMO_YEARS + 1,
            today.year,
            as_of=today,
            id_version=7,
        )
        officer_count = max(10, min(60, 10 + cases // 10_000))
        officers = self._insert_officers(actor, generator, officer_count, existing_logins)
        party_count = max(4, cases * 3 // 5)
        party_ids = self._insert_parties(actor, generator.parties(party_count))
        done = 0
        calendar_cache: list[Any] = []
        serials: dict[tuple[str, int], int] = {}
        for chunk in _chunks(generator.cases(cases, party_ids, officers), BATCH):
            self._number_simple_cases(chunk, organ.doc_prefix, serials)
            self._insert_cases(actor, organ.id, chunk, items, today, calendar_cache)
            done += len(chunk)
            if progress:
                progress(done, cases)
        with self.store.write() as session:
            # Real filings after the demo continue the demo's registers, gapless.
            for (kind, year), last in serials.items():
                session.add(NumberSequence(scope=f"{organ.id}:{kind}", year=year, last_value=last))
            search.rebuild_index(session)
        self.store.refresh_statistics()
        return DemoReport(cases, len(party_ids), len(officers), time.perf_counter() - started, DEMO_PASSWORD)

    @staticmethod
    def _number_simple_cases(
        chunk: Sequence[CaseRow], prefix: str, serials: dict[tuple[str, int], int]
    ) -> None:
        """Give on-the-spot cases their 简罚 numbers and note the last serial of every register."""
        for row in chunk:
            if row["case_number"]:
                match = NUMBER.search(row["case_number"])
                if match:
                    key = ("case", int(match.group(1)))
                    serials[key] = max(serials.get(key, 0), int(match.group(2)))
            elif row["procedure"] == "simple":
                year = (row["filed_on"] or beijing_today(row["received_at"])).year
                serial = serials.get(("simple", year), 0) + 1
                serials[("simple", year)] = serial
                row["case_number"] = case_number(prefix, "简罚", year, serial)

    def _insert_officers(
        self, actor: Actor, generator: DemoGenerator, n: int, existing: set[str]
    ) -> list[str]:
        password_hash = hash_password(
            DEMO_PASSWORD
        )  # one hash for all demo accounts: argon2 is slow on purpose
        now = self.clock()
        rows: list[dict[str, Any]] = [
            {**row, "password_hash": password_hash, "created_at": now, "failed_attempts": 0, "version": 1}
            for row in generator.officers(n)
            if row["login"] not in existing
        ]
        with self.store.write() as session:
            session.execute(insert(_table(User)), rows)
            audit.record_many(
                session,
                actor,
                (
                    audit.Change(
                        "user.add", "user", r["id"], f"演示数据：新增用户 {r['display_name']}（{r['login']}）"
                    )
                    for r in rows
                ),
            )
        return [r["id"] for r in rows if "officer" in r["roles"] or "leader" in r["roles"]]

    def _insert_parties(self, actor: Actor, parties: Iterator[PartyRow]) -> list[str]:
        ids: list[str] = []
        now = self.clock()
        for chunk in _chunks(parties, BATCH * 2):
            rows: list[dict[str, Any]] = [
                {**p, "name_initials": pinyin_initials(p["name"]), "created_at": now, "version": 1}
                for p in chunk
            ]
            with self.store.write() as session:
                session.execute(insert(_table(Party)), rows)
                audit.record_many(
                    session,
                    actor,
                    (
                        audit.Change("party.create", "party", r["id"], f"演示数据：登记当事人 {r['name']}")
                        for r in rows
                    ),
                )
            ids.extend(r["id"] for r in rows)
        return ids

    def _insert_cases(
        self,
        actor: Actor,
        organ_id: str,
        chunk: Sequence[CaseRow],
        items: dict[str, PowerItem],
        today: date,
        calendar_cache: list[Any],
    ) -> None:
        now = self.clock()
        case_rows: list[dict[str, Any]] = []
        links_party: list[dict[str, Any]] = []
        links_item: list[dict[str, Any]] = []
        links_officer: list[dict[str, Any]] = []
        step_rows: list[dict[str, Any]] = []
        for row in chunk:
            if row["received_at"] > now:
                # The generator fills all of today; mirror the hours still to come into the past.
                row["received_at"] = now - (row["received_at"] - now)
            item = items.get(row["power_item_code"])
            steps = self._steps_for(row, today, now)
            case_rows.append(
                {
                    "id": row["id"],
                    "organ_id": organ_id,
                    "case_number": row["case_number"],
                    "procedure": row["procedure"],
                    "source": row["source"],
                    "received_at": row["received_at"],
                    "violation_date": row["violation_date"],
                    "place": row["place"],
                    "summary": row["summary"],
                    "facts": row["facts"],
                    "state": row["state"],
                    "is_major": row["is_major"],
                    "fine_fen": row["fine_fen"],
                    "filed_on": row["filed_on"],
                    "penalty_kinds": ["罚款"] if row["fine_fen"] else [],
                    "proposed_fine_fen": row["fine_fen"],
                    "noticed_fine_fen": row["fine_fen"],
                    "proposed_outcome": "penalty" if row["fine_fen"] else "",
                    "closed_on": None,
                    "created_at": row["received_at"],
                    "updated_at": now,
                    "version": 1,
                    "major_reasons": ["演示数据：罚款数额较大"] if row["is_major"] else [],
                    "next_due_on": None,
                    "next_due_label": "",
                    "_steps": steps,
                }
            )
            links_party += [{"case_id": row["id"], "party_id": p, "role": "party"} for p in row["party_ids"]]
            if item is not None:
                links_item.append({"case_id": row["id"], "power_item_id": item.id})
            links_officer += [
                {"case_id": row["id"], "user_id": u, "duty": "lead" if n == 0 else "assist"}
                for n, u in enumerate(dict.fromkeys(row["officer_ids"]))
            ]
            step_rows += steps
        with self.store.write() as session:
            if not calendar_cache:
                calendar_cache.append(load_calendar(session))
            self._set_next_due(case_rows, calendar_cache[0], today)
            session.execute(
                insert(_table(Case)), [{k: v for k, v in r.items() if k != "_steps"} for r in case_rows]
            )
            session.execute(insert(_table(CaseParty)), links_party)
            if links_item:
                session.execute(insert(_table(CasePowerItem)), links_item)
            session.execute(insert(_table(CaseOfficer)), links_officer)
            if step_rows:
                session.execute(insert(_table(CaseStep)), step_rows)
            audit.record_many(
                session,
                actor,
                (
                    audit.Change(
                        "case.demo",
                        "case",
                        r["id"],
                        f"演示数据：{r['case_number'] or '未立案'} {r['summary']}",
                        after={
                            "case_number": r["case_number"],
                            "state": r["state"],
                            "fine_fen": r["fine_fen"],
                        },
                    )
                    for r in case_rows
                ),
            )

    @staticmethod
    def _steps_for(row: CaseRow, today: date, now: datetime) -> list[dict[str, Any]]:
        received = beijing_today(row["received_at"])
        filed = row["filed_on"] or received
        steps: list[dict[str, Any]] = []
        plan: list[tuple[str, int | None]] = (
            SIMPLE_CLOSED_STEPS
            if row["procedure"] == "simple" and row["state"] != "on_the_spot"
            else [(kind.value, offset) for kind, offset in STATE_STEPS.get(row["state"], [])]
        )
        for kind, offset in plan:
            on = received if offset is None else filed + timedelta(days=offset)
            steps.append(
                {
                    "id": new_id(),
                    "case_id": row["id"],
                    "kind": kind,
                    "on": min(on, today),
                    "ref": None,
                    "extension_days": None,
                    "until": None,
                    "fine_fen": row["fine_fen"] or 0
                    if kind in (EventKind.PENALTY_DECIDED.value, EventKind.PAID.value)
                    else 0,
                    "note": "",
                    "detail": {},
                    "recorded_by": None,
                    "recorded_at": now,
                }
            )
        return steps

    def _set_next_due(self, case_rows: list[dict[str, Any]], calendar: Any, today: date) -> None:
        settings = clock_settings(self.store)
        terminal = {s.value for s in TERMINAL_STATES}
        # Demo histories repeat (same state, same dates): compute each distinct history once.
        memo: dict[tuple[tuple[str, date], ...], tuple[date | None, str]] = self._due_memo
        for r in case_rows:
            if r["state"] in terminal:
                continue
            key = tuple((s["kind"], s["on"]) for s in r["_steps"])
            if key in memo:
                r["next_due_on"], r["next_due_label"] = memo[key]
                continue
            memo[key] = next_due((_AsSteps(s) for s in r["_steps"]), calendar, today, settings)
            r["next_due_on"], r["next_due_label"] = memo[key]


class _AsSteps:
    """A step row (dict) seen as a CaseStep for `clock_events`."""

    def __init__(self, row: dict[str, Any]) -> None:
        self.kind = row["kind"]
        self.on = row["on"]
        self.ref = row["ref"]
        self.extension_days = row["extension_days"]
        self.until = row["until"]
        self.fine_fen = row["fine_fen"]
