"""The general and simple procedures as service calls, each checking its gate (DOMAIN.md 7.2, 7.3).

Every step is one transaction: permission -> rule checks (all problems listed at once) -> change ->
dated `CaseStep` (which drives the clocks) -> audit event -> the case's next deadline refreshed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from brigade_desk.core import audit, crypto, search, signing_keys
from brigade_desk.core.errors import FieldError, NotFound, PermissionDenied, RuleViolation, ValidationError
from brigade_desk.core.model import (
    Approval,
    Case,
    CaseOfficer,
    CaseParty,
    CasePowerItem,
    CaseStep,
    Evidence,
    InvestigationRecord,
    Lead,
    Organ,
    Party,
    PowerItem,
    User,
)
from brigade_desk.core.numbering import case_number, take_next
from brigade_desk.core.rules import gates
from brigade_desk.core.rules.clocks import (
    CLOCK_SPECS,
    CaseEvent,
    ClockNature,
    ClockSettings,
    Deadline,
    DeadlineStatus,
    EventKind,
    compute_deadlines,
)
from brigade_desk.core.rules.major import MajorThresholds, ProposedDecision, major_reasons
from brigade_desk.core.rules.permissions import Actor, Permission
from brigade_desk.core.rules.procedure import (
    CASE_SOURCES,
    HEARING_KINDS,
    OUTCOMES,
    PENALTY_KINDS,
    STATE_LABELS,
    TERMINAL_STATES,
    CaseState,
)
from brigade_desk.core.rules.workdays import WorkdayCalendar
from brigade_desk.core.services.base import Service, ensure_unchanged, operation
from brigade_desk.core.services.calendar import load_calendar
from brigade_desk.core.services.parties import case_party_kinds
from brigade_desk.core.services.reviews import approval_message, discussion_problems, review_problems
from brigade_desk.core.services.settings import read_setting
from brigade_desk.core.store import Store
from brigade_desk.core.timeutil import beijing_today
from brigade_desk.core.timeutil import format_date as cn_date

# Step kinds that are not clock events.
STATEMENT_RECEIVED = "statement_received"
HEARING_HELD = "hearing_held"
COLLECTIVE_DISCUSSION = "collective_discussion"
INVESTIGATION_CLOSED = "investigation_closed"
CLOSED = "closed"
ARCHIVED = "archived"
FILED_FOR_RECORD = "filed_for_record"

RECORD_KINDS = {
    "inspection": "现场检查（勘验）笔录",
    "inquiry": "询问笔录",
    "statement": "陈述申辩笔录",
    "preservation": "先行登记保存笔录",
    "seizure": "查封（扣押）现场笔录",
    "demolition": "强制拆除笔录",
    "hearing": "听证笔录",
    "delivery": "送达笔录",
}
# Records whose act must be fully audio-video recorded (118号; DOMAIN.md 2.2, rule 15).
AV_REQUIRED_RECORDS = frozenset({"seizure", "demolition"})
DIRECT_DELIVERY_MODES = frozenset({"直接送达", "留置送达"})
DELIVERY_MODES = ("直接送达", "留置送达", "邮寄送达", "电子送达", "委托送达", "公告送达")


# --- inputs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FilingInput:
    power_item_ids: tuple[str, ...]
    party_ids: tuple[str, ...]
    officer_ids: tuple[str, ...]  # the first is the lead handler (主办)
    violation_date: date
    summary: str
    facts: str = ""
    place: str = ""
    violation_end_date: date | None = None
    serious_harm: bool = False
    lead_id: str | None = None
    source: str = "巡查发现"
    received_at: datetime | None = None


@dataclass(frozen=True)
class RecordInput:
    kind: str
    started_at: datetime
    ended_at: datetime
    place: str
    officer_ids: tuple[str, ...]
    persons: tuple[dict[str, str], ...] = ()
    text: str = ""
    qa: tuple[tuple[str, str], ...] = ()
    av_evidence_ids: tuple[str, ...] = ()
    recorder: str = ""


@dataclass(frozen=True)
class Proposal:
    outcome: str
    penalty_kinds: tuple[str, ...] = ()
    fine_fen: int | None = None
    mitigation_ground: str = ""
    report: str = ""


@dataclass(frozen=True)
class SimpleInput:
    party_id: str
    power_item_id: str
    officer_ids: tuple[str, ...]
    decided_on: date
    place: str
    facts: str
    fine_fen: int = 0
    warning_only: bool = False
    collect_on_spot: bool = False
    hard_to_enforce: bool = False
    finance_receipt_no: str = ""
    # The lead the officers went out on (a complaint, a 12345 ticket): the decision closes it.
    lead_id: str | None = None
    # A fine below the item's statutory minimum needs the 减轻 ground (APL Art 30–32), as in the
    # general procedure.
    mitigation_ground: str = ""


@dataclass(frozen=True)
class StepView:
    kind: str
    on: date
    note: str
    recorded_at: datetime


@dataclass(frozen=True)
class StageView:
    """One step of the stepper: done, current, blocked (with the reason), todo or skipped."""

    label: str
    status: str
    reason: str = ""


@dataclass(frozen=True)
class CaseStatus:
    case_id: str
    case_number: str
    state: str
    state_label: str
    stages: list[StageView]
    deadlines: list[Deadline]
    next_action: str
    blocked_by: list[str] = field(default_factory=list)
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class PowerItemView:
    """A catalogue item as the filing form offers it."""

    id: str
    code: str
    name: str
    item_type: str
    legal_basis: str
    source_department: str
    claimed: bool
    valid_from: date
    valid_to: date | None
    penalty_min_fen: int | None
    penalty_max_fen: int | None

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class CaseOfficerView:
    user_id: str
    name: str
    duty: str  # lead (主办) | assist (协办)
    certificate_no: str
    certificate_valid_to: date | None


@dataclass(frozen=True)
class RecordView:
    """A 笔录 as the records tab lists it."""

    id: str
    kind: str
    kind_label: str
    started_at: datetime
    ended_at: datetime
    place: str
    officers: tuple[str, ...]  # 张三（ZJ10000001）
    persons: tuple[dict[str, str], ...]
    text: str
    qa: tuple[tuple[str, str], ...]
    recorder: str


@dataclass(frozen=True)
class ApprovalView:
    kind: str
    kind_label: str
    approved: bool
    opinion: str
    approver_name: str
    at: datetime
    fingerprint: str = ""  # of the approver's signing key; "" when approved without a signature


APPROVAL_LABELS = {
    "filing": "立案审批",
    "extension": "延期审批",
    "withdrawal": "销案审批",
    "transfer": "移送审批",
    "closing": "结案审批",
    "decision": "决定审批",
    "preservation": "先行登记保存审批",
    "seizure": "查封扣押审批",
}


@dataclass(frozen=True)
class CaseHandling:
    """What the case detail shows beside the stepper: people, items and the proposed handling."""

    case_id: str
    version: int
    procedure: str
    state: str
    officers: tuple[CaseOfficerView, ...]
    party_ids: tuple[str, ...]
    power_items: tuple[PowerItemView, ...]
    proposed_outcome: str
    proposed_outcome_label: str
    penalty_kinds: tuple[str, ...]
    proposed_fine_fen: int | None
    noticed_fine_fen: int | None
    fine_fen: int | None
    mitigation_ground: str
    hearing_eligible: bool
    is_major: bool
    major_reasons: tuple[str, ...]
    discussion_required: bool
    filed_on: date | None
    closed_on: date | None


def power_item_view(item: PowerItem) -> PowerItemView:
    return PowerItemView(
        item.id,
        item.code,
        item.name,
        item.item_type,
        item.legal_basis,
        item.source_department,
        item.claimed,
        item.valid_from,
        item.valid_to,
        item.penalty_min_fen,
        item.penalty_max_fen,
    )


def record_view(r: InvestigationRecord) -> RecordView:
    officers = tuple(
        f"{o.get('name', '')}（{o.get('certificate_no') or '无执法证号'}）" for o in (r.officers or [])
    )
    content = r.content or {}
    qa = tuple((str(x.get("q", "")), str(x.get("a", ""))) for x in content.get("qa", []))
    return RecordView(
        r.id,
        r.kind,
        RECORD_KINDS.get(r.kind, r.kind),
        r.started_at,
        r.ended_at,
        r.place,
        officers,
        tuple({str(k): str(v) for k, v in dict(p).items()} for p in (r.persons or [])),
        str(content.get("text", "")),
        qa,
        r.recorder,
    )


# --- helpers ----------------------------------------------------------------------------------


def _case(session: Session, case_id: str) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound("案件不存在")
    return case


def _refuse(problems: list[str]) -> None:
    if problems:
        raise RuleViolation("；".join(problems))


def _officers(session: Session, user_ids: Iterable[str]) -> list[User]:
    ids = list(dict.fromkeys(user_ids))
    users = {u.id: u for u in session.execute(select(User).where(User.id.in_(ids))).scalars()}
    missing = [i for i in ids if i not in users]
    if missing:
        raise ValidationError.single("执法人员", "所选执法人员不存在")
    return [users[i] for i in ids]


def _on_duty(users: Sequence[User]) -> list[gates.OfficerOnDuty]:
    return [
        gates.OfficerOnDuty(
            u.display_name, u.certificate_no, u.certificate_valid_from, u.certificate_valid_to
        )
        for u in users
    ]


def _case_officer_ids(session: Session, case_id: str) -> list[str]:
    return list(session.execute(select(CaseOfficer.user_id).where(CaseOfficer.case_id == case_id)).scalars())


def case_steps(session: Session, case_id: str) -> list[CaseStep]:
    return list(
        session.execute(
            select(CaseStep).where(CaseStep.case_id == case_id).order_by(CaseStep.on, CaseStep.recorded_at)
        ).scalars()
    )


def _latest(steps: Sequence[CaseStep], kind: str) -> CaseStep | None:
    found = [s for s in steps if s.kind == kind]
    return found[-1] if found else None


class StepLike(Protocol):
    kind: str
    on: date
    ref: str | None
    extension_days: int | None
    until: date | None
    fine_fen: int


def clock_events(steps: Iterable[StepLike]) -> list[CaseEvent]:
    known = {k.value for k in EventKind}
    return [
        CaseEvent(EventKind(s.kind), s.on, s.ref, s.extension_days, s.until, s.fine_fen)
        for s in steps
        if s.kind in known
    ]


def clock_settings(store: Store) -> ClockSettings:
    return ClockSettings(
        statement_workdays=read_setting(store, "statement_workdays"),
        filing_workdays=read_setting(store, "filing_workdays"),
        reporter_reply_workdays=read_setting(store, "reporter_reply_workdays"),
        legal_review_workdays=read_setting(store, "legal_review_workdays"),
        publication_workdays=read_setting(store, "publication_workdays"),
        due_soon_workdays=read_setting(store, "due_soon_workdays"),
    )


OPEN_STATUSES = frozenset(
    {DeadlineStatus.OVERDUE, DeadlineStatus.DUE_TODAY, DeadlineStatus.DUE_SOON, DeadlineStatus.OK}
)


def next_open_deadline(deadlines: Sequence[Deadline]) -> Deadline | None:
    """The earliest clock on which someone must act (waiting periods such as the statement window
    are the party's, not the brigade's, and show on the case itself)."""
    open_ones = [
        d
        for d in deadlines
        if d.status in OPEN_STATUSES and CLOCK_SPECS[d.clock].nature == ClockNature.DEADLINE
    ]
    return min(open_ones, key=lambda d: d.due) if open_ones else None


def next_due(
    steps: Iterable[StepLike],
    calendar: WorkdayCalendar,
    today: date,
    settings: ClockSettings,
    serious_harm: bool = False,
) -> tuple[date | None, str]:
    """The earliest open clock of a case's steps (anything with `kind` and `on`): its due day and
    label, or (None, ""). The one rule for `Case.next_due_on`, here and in bulk demo data."""
    deadlines = compute_deadlines(
        clock_events(steps), calendar, today=today, settings=settings, serious_harm=serious_harm
    )
    nxt = next_open_deadline(deadlines)
    return (nxt.due, nxt.label) if nxt else (None, "")


def refresh_next_due(session: Session, store: Store, case: Case, today: date) -> None:
    """Keep `case.next_due_on` at the earliest open clock; every step that changes clocks calls it."""
    case.next_due_on, case.next_due_label = next_due(
        case_steps(session, case.id), load_calendar(session), today, clock_settings(store), case.serious_harm
    )


def _open_lead(session: Session, lead_id: str, doing: str) -> Lead:
    """A lead still waiting for a decision: not decided, transferred, or already made into a case
    (a filing proposal waiting for approval counts: one lead makes one case)."""
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise NotFound("线索不存在")
    if lead.status != "open" or lead.case_id is not None:
        raise RuleViolation(f"该线索已处理（已提请立案、已决定或已移送），不能再{doing}")
    return lead


def flag_major(session: Session, actor: Actor, case: Case, reason: str) -> None:
    """Mark the case a major decision for `reason` (once per reason), with an audit event."""
    if reason in case.major_reasons:
        return
    case.is_major = True
    case.major_reasons = [*case.major_reasons, reason]
    audit.record(session, actor, audit.Change("case.major", "case", case.id, f"列为重大执法决定：{reason}"))


class ProcedureService(Service):
    """Steps of a case, from filing to archiving, and the simple procedure."""

    # --- plumbing ------------------------------------------------------------------------------

    def _today(self) -> date:
        return beijing_today(self.clock())

    def _step(
        self,
        session: Session,
        actor: Actor,
        case: Case,
        kind: str,
        on: date,
        summary: str,
        *,
        ref: str | None = None,
        extension_days: int | None = None,
        until: date | None = None,
        fine_fen: int = 0,
        note: str = "",
        detail: dict[str, object] | None = None,
    ) -> CaseStep:
        step = CaseStep(
            case_id=case.id,
            kind=kind,
            on=on,
            ref=ref,
            extension_days=extension_days,
            until=until,
            fine_fen=fine_fen,
            note=note,
            detail=dict(detail or {}),
            recorded_by=actor.user_id or None,
            recorded_at=self.clock(),
        )
        session.add(step)
        session.flush()
        audit.record(
            session,
            actor,
            audit.Change(
                f"case.step.{kind}",
                "case",
                case.id,
                summary,
                after={
                    "kind": kind,
                    "on": on,
                    "ref": ref,
                    "fine_fen": fine_fen,
                    "note": note,
                    "detail": step.detail,
                },
            ),
        )
        return step

    def _move(self, session: Session, actor: Actor, case: Case, state: CaseState) -> None:
        before = case.state
        case.state = state.value
        case.updated_at = self.clock()
        audit.record(
            session,
            actor,
            audit.Change(
                "case.state",
                "case",
                case.id,
                f"状态：{STATE_LABELS.get(CaseState(before), before)} → {STATE_LABELS[state]}",
                before={"state": before},
                after={"state": state.value},
            ),
        )

    def _refresh_due(self, session: Session, case: Case) -> None:
        refresh_next_due(session, self.store, case, self._today())

    def _require_state(self, case: Case, allowed: Iterable[CaseState], action: str) -> None:
        allowed = list(allowed)
        if case.state not in {s.value for s in allowed}:
            now = STATE_LABELS.get(CaseState(case.state), case.state)
            need = "、".join(STATE_LABELS[s] for s in allowed)
            raise RuleViolation(f"案件当前为“{now}”，不能{action}（须处于：{need}）")

    def _not_a_handler(self, session: Session, actor: Actor, case: Case, role: str) -> None:
        if actor.user_id and actor.user_id in _case_officer_ids(session, case.id):
            raise PermissionDenied(f"{actor.display_name}是本案承办人员，不能作为{role}（职能分离）")

    # --- filing ----------------------------------------------------------------------------------

    @operation(Permission.CASE_EDIT)
    def propose_filing(self, actor: Actor, data: FilingInput) -> str:
        """立案审批表: a case waiting for the leader's filing approval. Returns the case id."""
        today = self._today()
        errors: list[FieldError] = []
        if not data.summary.strip():
            errors.append(FieldError("案由", "请填写案由"))
        if not data.power_item_ids:
            errors.append(FieldError("赋权事项", "请选择至少一个权力事项"))
        if not data.party_ids:
            errors.append(FieldError("当事人", "请选择至少一个当事人"))
        if data.violation_date > today:
            errors.append(FieldError("违法行为发生日期", "不能晚于今天"))
        if data.violation_end_date and data.violation_end_date < data.violation_date:
            errors.append(FieldError("违法行为终了日期", "不能早于发生日期"))
        if data.lead_id is None and data.source not in CASE_SOURCES:
            errors.append(FieldError("来源", "请选择：" + "、".join(CASE_SOURCES)))
        if errors:
            raise ValidationError(errors)
        with self.store.write() as session:
            organ = session.execute(select(Organ).where(Organ.is_self)).scalar_one()
            lead = _open_lead(session, data.lead_id, "立案") if data.lead_id else None
            received_at = lead.received_at if lead else (data.received_at or self.clock())
            discovered = beijing_today(received_at)
            items = list(
                session.execute(select(PowerItem).where(PowerItem.id.in_(data.power_item_ids))).scalars()
            )
            problems = self._power_item_problems(items, data, today)
            officers = _officers(session, data.officer_ids)
            problems += gates.two_certified_officers(_on_duty(officers), today)
            years = 5 if data.serious_harm and any(i.statute_years >= 5 for i in items) else 2
            problems += gates.limitation_problem(
                data.violation_end_date or data.violation_date, discovered, years
            )
            parties = list(session.execute(select(Party.id).where(Party.id.in_(data.party_ids))).scalars())
            if len(parties) != len(set(data.party_ids)):
                problems.append("所选当事人不存在")
            _refuse(problems)
            now = self.clock()
            case = Case(
                organ_id=organ.id,
                source=lead.source if lead else data.source,
                received_at=received_at,
                violation_date=data.violation_date,
                violation_end_date=data.violation_end_date,
                place=data.place.strip() or (lead.place if lead else ""),
                summary=data.summary.strip(),
                facts=data.facts.strip(),
                state=CaseState.PENDING_FILING.value,
                serious_harm=data.serious_harm,
                created_at=now,
                updated_at=now,
            )
            session.add(case)
            session.flush()
            session.add_all(CasePowerItem(case_id=case.id, power_item_id=i.id) for i in items)
            session.add_all(CaseParty(case_id=case.id, party_id=p) for p in dict.fromkeys(data.party_ids))
            session.add_all(
                CaseOfficer(case_id=case.id, user_id=u.id, duty="lead" if n == 0 else "assist")
                for n, u in enumerate(officers)
            )
            if lead is not None:
                lead.case_id = case.id
            audit.record(
                session,
                actor,
                audit.Change(
                    "case.propose_filing", "case", case.id, f"提请立案：{case.summary}", after=data.__dict__
                ),
            )
            self._step(
                session,
                actor,
                case,
                EventKind.VIOLATION_ENDED,
                data.violation_end_date or data.violation_date,
                "违法行为终了日",
            )
            self._step(session, actor, case, EventKind.DISCOVERED, discovered, "发现违法线索")
            self._refresh_due(session, case)
            search.index_cases(session, [case.id])
            return case.id

    @staticmethod
    def _power_item_problems(items: Sequence[PowerItem], data: FilingInput, today: date) -> list[str]:
        problems: list[str] = []
        if len(items) != len(set(data.power_item_ids)):
            problems.append("所选权力事项不存在")
        for item in items:
            if not item.claimed:
                dept = item.source_department or "县级主管部门"
                problems.append(
                    f"“{item.name}”不属于本乡镇承接的赋权事项，应由{dept}管辖；可将线索移送{dept}"
                )
                continue
            for day, what in ((data.violation_date, "违法行为发生日"), (today, "立案日")):
                if item.valid_from > day or (item.valid_to is not None and day > item.valid_to):
                    problems.append(f"“{item.name}”在{what}（{cn_date(day)}）不在本乡镇的有效赋权期内")
        return problems

    @operation(Permission.CASE_APPROVE)
    def approve_filing(
        self,
        actor: Actor,
        case_id: str,
        approved: bool,
        opinion: str,
        version: int,
        *,
        password: str | None = None,
    ) -> str:
        """The leader approves (立案, numbering the case) or refuses (不予立案) the proposal."""
        if not opinion.strip():
            raise ValidationError.single("审批意见", "请填写审批意见")
        with self.store.write() as session:
            case = _case(session, case_id)
            ensure_unchanged(case, version, "案件")
            self._require_state(case, [CaseState.PENDING_FILING], "审批立案")
            self._not_a_handler(session, actor, case, "立案审批人")
            today = self._today()
            self._approval(session, actor, case, "filing", approved, opinion, password)
            lead = session.execute(select(Lead).where(Lead.case_id == case.id)).scalar_one_or_none()
            if approved:
                organ = session.get(Organ, case.organ_id)
                assert organ is not None
                serial = take_next(session, f"{organ.id}:case", today.year)
                case.case_number = case_number(organ.doc_prefix, "立", today.year, serial)
                case.filed_on = today
                self._step(session, actor, case, EventKind.FILED, today, f"立案：{case.case_number}")
                search.index_cases(session, [case.id])
                self._move(session, actor, case, CaseState.FILED)
                if lead is not None:
                    lead.status, lead.decided_at, lead.decided_by = (
                        "filed",
                        self.clock(),
                        actor.user_id or None,
                    )
            else:
                self._step(session, actor, case, EventKind.NOT_FILED, today, "决定不予立案", note=opinion)
                self._move(session, actor, case, CaseState.NOT_FILED)
                if lead is not None:
                    lead.status, lead.decision_reason = "not_filed", opinion
            self._refresh_due(session, case)
            return case.case_number or ""

    def _approval(
        self,
        session: Session,
        actor: Actor,
        case: Case,
        kind: str,
        approved: bool,
        opinion: str,
        password: str | None = None,
    ) -> None:
        """Record a leader's approval; signed with their personal key when they give their password."""
        approval = Approval(
            case_id=case.id,
            kind=kind,
            approved=approved,
            opinion=opinion.strip(),
            approver_id=actor.user_id,
            approver_name=actor.display_name,
            at=self.clock(),
        )
        if password is not None:
            approval.public_key, approval.signature = signing_keys.sign_as(
                session, actor.user_id, password, approval_message(approval)
            )
        elif read_setting(self.store, "approvals_require_signature"):
            raise RuleViolation("审批须由负责人输入本人密码签名确认")
        session.add(approval)
        verdict = "同意" if approved else "不同意"
        audit.record(
            session,
            actor,
            audit.Change(
                f"approval.{kind}",
                "case",
                case.id,
                f"审批（{kind}）：{verdict}。{opinion.strip()}",
                after={"kind": kind, "approved": approved, "opinion": opinion.strip()},
            ),
        )

    # --- investigation ----------------------------------------------------------------------------

    @operation(Permission.CASE_EDIT)
    def add_record(self, actor: Actor, case_id: str, data: RecordInput) -> str:
        """A 笔录 (inspection, inquiry, seizure …): two certified officers, AV where the act requires it."""
        errors: list[FieldError] = []
        if data.kind not in RECORD_KINDS:
            errors.append(FieldError("笔录种类", "请选择：" + "、".join(RECORD_KINDS.values())))
        if data.ended_at < data.started_at:
            errors.append(FieldError("结束时间", "不能早于开始时间"))
        if not data.place.strip():
            errors.append(FieldError("地点", "请填写"))
        if data.kind == "inquiry" and not data.qa:
            errors.append(FieldError("问答", "询问笔录须记录问答内容"))
        if data.kind != "inquiry" and not data.text.strip() and not data.qa:
            errors.append(FieldError("内容", "请记录检查或处理情况"))
        if errors:
            raise ValidationError(errors)
        with self.store.write() as session:
            case = _case(session, case_id)
            self._require_state(
                case,
                [CaseState.FILED, CaseState.INVESTIGATING, CaseState.NOTICE_SERVED, CaseState.HEARING],
                "制作笔录",
            )
            officers = _officers(session, data.officer_ids)
            day = beijing_today(data.started_at)
            problems = gates.two_certified_officers(_on_duty(officers), day)
            if data.kind in AV_REQUIRED_RECORDS:
                av = list(
                    session.execute(
                        select(Evidence.id).where(
                            Evidence.id.in_(data.av_evidence_ids), Evidence.case_id == case.id, Evidence.is_av
                        )
                    ).scalars()
                )
                if not av:
                    problems.append(
                        f"{RECORD_KINDS[data.kind]}须关联全程音像记录（执法全过程记录制度），请先上传音像证据"
                    )
            _refuse(problems)
            record = InvestigationRecord(
                case_id=case.id,
                kind=data.kind,
                started_at=data.started_at,
                ended_at=data.ended_at,
                place=data.place.strip(),
                officers=[
                    {"user_id": u.id, "name": u.display_name, "certificate_no": u.certificate_no}
                    for u in officers
                ],
                persons=[dict(p) for p in data.persons],
                content={
                    "text": data.text,
                    "qa": [{"q": q, "a": a} for q, a in data.qa],
                    "av": list(data.av_evidence_ids),
                },
                recorder=data.recorder,
                created_at=self.clock(),
            )
            session.add(record)
            session.flush()
            for evidence_id in data.av_evidence_ids:
                item = session.get(Evidence, evidence_id)
                if item is not None and item.case_id == case.id:
                    item.record_id = record.id
            audit.record(
                session,
                actor,
                audit.Change(
                    "record.add",
                    "case",
                    case.id,
                    f"制作{RECORD_KINDS[data.kind]}（{data.place.strip()}）",
                    after={"record_id": record.id, "kind": data.kind},
                ),
            )
            if case.state == CaseState.FILED.value:
                self._move(session, actor, case, CaseState.INVESTIGATING)
            return record.id

    @operation(Permission.CASE_EDIT)
    def update_facts(
        self, actor: Actor, case_id: str, summary: str, facts: str, place: str, version: int
    ) -> None:
        """Edit the case's 案由, facts and place; a save from an older copy is refused (version)."""
        if not summary.strip():
            raise ValidationError.single("案由", "请填写案由")
        with self.store.write() as session:
            case = _case(session, case_id)
            ensure_unchanged(case, version, "案件")
            if case.state in {s.value for s in TERMINAL_STATES} or case.state in (
                CaseState.DECIDED.value,
                CaseState.DECIDED_NO_PENALTY.value,
            ):
                raise RuleViolation("案件已作出决定或已办结，事实不能再修改；如有错误请以更正文书处理")
            before = {"summary": case.summary, "facts": case.facts, "place": case.place}
            case.summary, case.facts, case.place = summary.strip(), facts.strip(), place.strip()
            case.updated_at = self.clock()
            audit.record(
                session,
                actor,
                audit.Change(
                    "case.edit",
                    "case",
                    case.id,
                    "修改案由、事实或地点",
                    before=before,
                    after={"summary": case.summary, "facts": case.facts, "place": case.place},
                ),
            )
            search.index_cases(session, [case.id])

    @operation(Permission.CASE_APPROVE)
    def approve_measure(
        self, actor: Actor, case_id: str, kind: str, opinion: str, *, password: str | None = None
    ) -> None:
        """The head's prior approval of 先行登记保存 (preservation) or 查封扣押 (seizure)."""
        if kind not in ("preservation", "seizure"):
            raise ValidationError.single("审批事项", "只能是先行登记保存或查封扣押")
        with self.store.write() as session:
            case = _case(session, case_id)
            self._not_a_handler(session, actor, case, "审批人")
            self._approval(session, actor, case, kind, True, opinion or "同意", password)

    @operation(Permission.CASE_EDIT)
    def record_measure(
        self,
        actor: Actor,
        case_id: str,
        kind: EventKind,
        on: date,
        ref: str,
        *,
        until: date | None = None,
        extension_days: int | None = None,
        note: str = "",
    ) -> None:
        """Preservation, seizure and their resolution or extension; testing and other pauses."""
        allowed = {
            EventKind.EVIDENCE_PRESERVED: "先行登记保存证据",
            EventKind.PRESERVATION_RESOLVED: "作出先行登记保存处理决定",
            EventKind.SEIZED: "查封、扣押",
            EventKind.SEIZURE_EXTENDED: "延长查封、扣押期限",
            EventKind.SEIZURE_RESOLVED: "解除或处理查封、扣押",
            EventKind.TESTING: "检测、检验、鉴定期间",
            EventKind.EXPERT_REVIEW: "专家论证期间",
            EventKind.PUBLIC_ANNOUNCEMENT: "公告期间",
        }
        if kind not in allowed:
            raise ValidationError.single("措施", "不支持的措施：" + str(kind))
        with self.store.write() as session:
            case = _case(session, case_id)
            self._require_state(case, [CaseState.FILED, CaseState.INVESTIGATING], allowed[kind])
            steps = case_steps(session, case.id)
            problems: list[str] = []
            needs_approval = {
                EventKind.EVIDENCE_PRESERVED: "preservation",
                EventKind.SEIZED: "seizure",
                EventKind.SEIZURE_EXTENDED: "seizure",
            }
            if kind in needs_approval:
                approvals = (
                    session.execute(
                        select(Approval).where(
                            Approval.case_id == case.id,
                            Approval.kind == needs_approval[kind],
                            Approval.approved,
                        )
                    )
                    .scalars()
                    .all()
                )
                if not approvals:
                    problems.append(f"{allowed[kind]}须事先经行政机关负责人批准")
            record = (
                session.get(InvestigationRecord, ref)
                if kind in (EventKind.EVIDENCE_PRESERVED, EventKind.SEIZED)
                else None
            )
            if kind == EventKind.SEIZED and (record is None or record.kind != "seizure"):
                problems.append("查封、扣押须先制作查封（扣押）现场笔录并关联全程音像记录")
            if kind in (
                EventKind.PRESERVATION_RESOLVED,
                EventKind.SEIZURE_RESOLVED,
                EventKind.SEIZURE_EXTENDED,
            ):
                start = (
                    EventKind.EVIDENCE_PRESERVED
                    if kind == EventKind.PRESERVATION_RESOLVED
                    else EventKind.SEIZED
                )
                if not any(s.kind == start and s.ref == ref for s in steps):
                    problems.append("找不到对应的保存或查封扣押记录")
            _refuse(problems)
            self._step(
                session,
                actor,
                case,
                kind,
                on,
                allowed[kind],
                ref=ref,
                until=until,
                extension_days=extension_days,
                note=note,
            )
            if case.state == CaseState.FILED.value:
                self._move(session, actor, case, CaseState.INVESTIGATING)
            self._refresh_due(session, case)

    @operation(Permission.CASE_EDIT)
    def close_investigation(self, actor: Actor, case_id: str, proposal: Proposal, version: int) -> None:
        """案件调查终结报告 with the proposed handling (APL Art 57)."""
        errors: list[FieldError] = []
        if proposal.outcome not in OUTCOMES:
            errors.append(FieldError("处理意见", "请选择：" + "、".join(OUTCOMES.values())))
        unknown = [k for k in proposal.penalty_kinds if k not in PENALTY_KINDS]
        if unknown:
            errors.append(FieldError("处罚种类", f"不认识的处罚种类：{'、'.join(unknown)}"))
        if proposal.outcome == "penalty" and not proposal.penalty_kinds:
            errors.append(FieldError("处罚种类", "给予处罚须选择处罚种类"))
        if "罚款" in proposal.penalty_kinds and proposal.fine_fen is None:
            errors.append(FieldError("罚款金额", "拟罚款须写明具体金额"))
        if not proposal.report.strip():
            errors.append(FieldError("调查终结报告", "请写明案件事实、证据、性质、依据和处理意见"))
        if errors:
            raise ValidationError(errors)
        with self.store.write() as session:
            case = _case(session, case_id)
            ensure_unchanged(case, version, "案件")
            self._require_state(case, [CaseState.INVESTIGATING], "调查终结")
            steps = case_steps(session, case.id)
            problems: list[str] = []
            records = session.execute(
                select(InvestigationRecord.id).where(InvestigationRecord.case_id == case.id)
            ).first()
            if records is None and proposal.outcome != "not_established":
                problems.append("尚无任何调查笔录，不能调查终结")
            for start, stop, what in (
                (
                    EventKind.EVIDENCE_PRESERVED,
                    EventKind.PRESERVATION_RESOLVED,
                    "先行登记保存的证据尚未作出处理决定",
                ),
                (EventKind.SEIZED, EventKind.SEIZURE_RESOLVED, "查封、扣押尚未解除或处理"),
            ):
                open_refs = {s.ref for s in steps if s.kind == start} - {
                    s.ref for s in steps if s.kind == stop
                }
                if open_refs:
                    problems.append(what)
            item = self._primary_item(session, case)
            if proposal.outcome == "penalty":
                problems += gates.fine_in_statutory_range(
                    proposal.fine_fen,
                    item.penalty_min_fen if item else None,
                    item.penalty_max_fen if item else None,
                    proposal.mitigation_ground,
                )
            _refuse(problems)
            case.proposed_outcome = proposal.outcome
            case.penalty_kinds = list(proposal.penalty_kinds)
            case.proposed_fine_fen = proposal.fine_fen
            case.mitigation_ground = proposal.mitigation_ground.strip()
            case.discussion_required = case.discussion_required or self._discussion_by_setting(proposal, item)
            if proposal.outcome == "penalty":
                self._apply_major_catalogue(session, actor, case, proposal.fine_fen, proposal.penalty_kinds)
            self._step(
                session,
                actor,
                case,
                INVESTIGATION_CLOSED,
                self._today(),
                f"调查终结：{OUTCOMES[proposal.outcome]}",
                fine_fen=proposal.fine_fen or 0,
                note=proposal.report.strip(),
                detail={"outcome": proposal.outcome, "kinds": list(proposal.penalty_kinds)},
            )
            self._move(session, actor, case, CaseState.INVESTIGATION_CLOSED)
            self._refresh_due(session, case)

    def _discussion_by_setting(self, proposal: Proposal, item: PowerItem | None) -> bool:
        if not read_setting(self.store, "discussion_for_no_penalty_and_mitigation"):
            return False
        below_minimum = (
            item is not None
            and item.penalty_min_fen is not None
            and proposal.fine_fen is not None
            and proposal.fine_fen < item.penalty_min_fen
        )
        return proposal.outcome == "no_penalty" or below_minimum

    @staticmethod
    def _primary_item(session: Session, case: Case) -> PowerItem | None:
        return session.execute(
            select(PowerItem)
            .join(CasePowerItem, CasePowerItem.power_item_id == PowerItem.id)
            .where(CasePowerItem.case_id == case.id)
            .limit(1)
        ).scalar_one_or_none()

    # --- endings without a decision ------------------------------------------------------------

    @operation(Permission.CASE_APPROVE)
    def withdraw(self, actor: Actor, case_id: str, opinion: str, *, password: str | None = None) -> None:
        """销案: the facts are not established (APL Art 57(3))."""
        self._end(
            actor,
            case_id,
            "not_established",
            EventKind.WITHDRAWN,
            CaseState.WITHDRAWN,
            "withdrawal",
            opinion,
            "销案",
            password=password,
        )

    @operation(Permission.CASE_APPROVE)
    def transfer(
        self, actor: Actor, case_id: str, to_organ: str, opinion: str, *, password: str | None = None
    ) -> None:
        """移送: a suspected crime or another organ's matter (APL Art 57(4), Art 27)."""
        if not to_organ.strip():
            raise ValidationError.single("移送单位", "请填写接收移送的机关")
        self._end(
            actor,
            case_id,
            "transfer",
            EventKind.TRANSFERRED,
            CaseState.TRANSFERRED,
            "transfer",
            opinion,
            f"移送{to_organ.strip()}",
            password=password,
        )

    def _end(
        self,
        actor: Actor,
        case_id: str,
        outcome: str,
        kind: EventKind,
        state: CaseState,
        approval: str,
        opinion: str,
        summary: str,
        *,
        password: str | None = None,
    ) -> None:
        if not opinion.strip():
            raise ValidationError.single("审批意见", "请填写审批意见")
        with self.store.write() as session:
            case = _case(session, case_id)
            self._require_state(case, [CaseState.INVESTIGATION_CLOSED], summary)
            if case.proposed_outcome != outcome:
                raise RuleViolation(f"调查终结报告的处理意见不是“{OUTCOMES[outcome]}”")
            self._not_a_handler(session, actor, case, "审批人")
            self._approval(session, actor, case, approval, True, opinion, password)
            self._step(session, actor, case, kind, self._today(), summary, note=opinion.strip())
            self._move(session, actor, case, state)
            case.closed_on = self._today()
            self._refresh_due(session, case)

    # --- prior notice, statement, hearing ----------------------------------------------------------

    @operation(Permission.CASE_DELIVER)
    def serve_prior_notice(
        self, actor: Actor, case_id: str, served_on: date, officer_ids: Sequence[str], mode: str = "直接送达"
    ) -> None:
        """行政处罚事先（听证）告知书 served: concrete penalty, rights, and the windows start."""
        with self.store.write() as session:
            self._serve_prior_notice_in(session, actor, case_id, served_on, officer_ids, mode)

    def _serve_prior_notice_in(
        self,
        session: Session,
        actor: Actor,
        case_id: str,
        served_on: date,
        officer_ids: Sequence[str],
        mode: str = "直接送达",
    ) -> None:
        """The step inside the caller's transaction (the document service records the service of
        the issued notice and this step together)."""
        case = _case(session, case_id)
        self._require_state(case, [CaseState.INVESTIGATION_CLOSED, CaseState.NOTICE_SERVED], "送达事先告知书")
        problems: list[str] = []
        if case.proposed_outcome not in ("penalty", "no_penalty"):
            problems.append("调查终结报告的处理意见不是给予或不予处罚")
        if "罚款" in case.penalty_kinds and case.proposed_fine_fen is None:
            problems.append("事先告知须写明具体的罚款金额，不得只告知幅度")
        problems += self._delivery_officer_problems(session, mode, officer_ids, served_on)
        _refuse(problems)
        case.noticed_fine_fen = case.proposed_fine_fen
        case.hearing_eligible = self._hearing_eligible(session, case)
        detail = {
            "kinds": list(case.penalty_kinds),
            "mode": mode,
            "hearing_eligible": case.hearing_eligible,
        }
        self._step(
            session,
            actor,
            case,
            EventKind.PRIOR_NOTICE_SERVED,
            served_on,
            "送达行政处罚事先告知书",
            fine_fen=case.noticed_fine_fen or 0,
            detail=detail,
        )
        if case.hearing_eligible:
            self._step(session, actor, case, EventKind.HEARING_RIGHTS_NOTIFIED, served_on, "告知听证权利")
        if case.state != CaseState.NOTICE_SERVED.value:
            self._move(session, actor, case, CaseState.NOTICE_SERVED)
        self._refresh_due(session, case)

    def _delivery_officer_problems(
        self, session: Session, mode: str, officer_ids: Sequence[str], on: date
    ) -> list[str]:
        if mode not in DELIVERY_MODES:
            return [f"送达方式应为：{'、'.join(DELIVERY_MODES)}"]
        if mode in DIRECT_DELIVERY_MODES:
            return gates.two_certified_officers(_on_duty(_officers(session, officer_ids)), on)
        return []

    def _hearing_eligible(self, session: Session, case: Case) -> bool:
        """APL Art 63: heavier penalty kinds, or a fine of a "larger amount" (a provincial setting)."""
        if HEARING_KINDS & set(case.penalty_kinds):
            return True
        if case.proposed_fine_fen is None:
            return False
        kinds = case_party_kinds(session, case.id)
        person = kinds <= {"natural_person"}
        threshold = read_setting(
            self.store, "hearing_threshold_person_fen" if person else "hearing_threshold_org_fen"
        )
        return int(case.proposed_fine_fen) >= int(threshold)

    @operation(Permission.CASE_EDIT)
    def record_statement(self, actor: Actor, case_id: str, on: date, text: str, adopted: bool) -> None:
        """陈述申辩 heard and re-examined (APL Art 45): the organ records whether it is adopted."""
        if not text.strip():
            raise ValidationError.single("陈述申辩内容", "请记录当事人的陈述申辩")
        with self.store.write() as session:
            case = _case(session, case_id)
            self._require_state(case, [CaseState.NOTICE_SERVED, CaseState.HEARING], "记录陈述申辩")
            verdict = "采纳" if adopted else "不予采纳"
            self._step(
                session,
                actor,
                case,
                STATEMENT_RECEIVED,
                on,
                f"记录陈述申辩（复核意见：{verdict}）",
                note=text.strip(),
                detail={"adopted": adopted},
            )

    @operation(Permission.CASE_EDIT)
    def record_waiver(self, actor: Actor, case_id: str, on: date, statement: bool, hearing: bool) -> None:
        """The party's written waiver of the statement and/or hearing rights."""
        if not statement and not hearing:
            raise ValidationError.single("放弃事项", "请选择放弃陈述申辩或听证")
        with self.store.write() as session:
            case = _case(session, case_id)
            self._require_state(case, [CaseState.NOTICE_SERVED], "记录放弃权利")
            if statement:
                self._step(session, actor, case, EventKind.STATEMENT_WAIVED, on, "当事人书面放弃陈述申辩")
            if hearing:
                self._step(session, actor, case, EventKind.HEARING_WAIVED, on, "当事人书面放弃听证")
            self._refresh_due(session, case)

    @operation(Permission.CASE_EDIT)
    def request_hearing(self, actor: Actor, case_id: str, on: date) -> None:
        """The party asks for a hearing: only where it has the right, within 5 working days (APL Art 64)."""
        with self.store.write() as session:
            case = _case(session, case_id)
            self._require_state(case, [CaseState.NOTICE_SERVED], "申请听证")
            notice = _latest(case_steps(session, case.id), EventKind.PRIOR_NOTICE_SERVED)
            assert notice is not None
            problems: list[str] = []
            if not case.hearing_eligible:
                problems.append("本案拟作出的处罚不属于《行政处罚法》第六十三条规定的听证范围")
            ends = gates.hearing_window_ends(load_calendar(session), notice.on)
            if on > ends:
                problems.append(f"听证申请期已于{cn_date(ends)}届满（告知书送达后五个工作日内）")
            _refuse(problems)
            self._step(session, actor, case, EventKind.HEARING_REQUESTED, on, "当事人申请听证")
            self._move(session, actor, case, CaseState.HEARING)
            self._refresh_due(session, case)

    @operation(Permission.CASE_EDIT)
    def schedule_hearing(
        self, actor: Actor, case_id: str, hearing_on: date, notified_on: date, presider_id: str
    ) -> None:
        """听证通知书: presider not an investigator, notice 7 working days before (APL Art 64)."""
        with self.store.write() as session:
            case = _case(session, case_id)
            self._require_state(case, [CaseState.HEARING], "安排听证")
            problems: list[str] = []
            presider = session.get(User, presider_id)
            if presider is None:
                raise ValidationError.single("听证主持人", "所选人员不存在")
            if presider.id in _case_officer_ids(session, case.id):
                problems.append(
                    f"{presider.display_name}是本案调查人员，不能主持听证（《行政处罚法》第六十四条）"
                )
            problems += gates.hearing_notice_problem(load_calendar(session), notified_on, hearing_on)
            _refuse(problems)
            self._step(session, actor, case, EventKind.HEARING_NOTICE_SERVED, notified_on, "送达听证通知书")
            self._step(
                session,
                actor,
                case,
                EventKind.HEARING_SCHEDULED,
                hearing_on,
                f"定于{cn_date(hearing_on)}举行听证",
                detail={"presider_id": presider.id, "presider": presider.display_name},
            )
            self._refresh_due(session, case)

    @operation(Permission.CASE_EDIT)
    def hold_hearing(self, actor: Actor, case_id: str, held_on: date, report: str) -> None:
        """听证举行 and 听证报告; a decision after a hearing is a major one (APL Art 58(2))."""
        if not report.strip():
            raise ValidationError.single("听证报告", "请写明听证情况和处理意见")
        with self.store.write() as session:
            case = _case(session, case_id)
            self._require_state(case, [CaseState.HEARING], "举行听证")
            scheduled = _latest(case_steps(session, case.id), EventKind.HEARING_SCHEDULED)
            if scheduled is None:
                raise RuleViolation("尚未安排听证并送达听证通知书")
            if held_on < scheduled.on:
                raise RuleViolation(f"听证定于{cn_date(scheduled.on)}举行，不能早于通知的日期")
            self._step(session, actor, case, HEARING_HELD, held_on, "举行听证", note=report.strip())
            self._flag_major(session, actor, case, "经过听证程序（《行政处罚法》第五十八条第一款第二项）")
            self._refresh_due(session, case)

    def _flag_major(self, session: Session, actor: Actor, case: Case, reason: str) -> None:
        flag_major(session, actor, case, reason)

    # --- review, discussion, decision ----------------------------------------------------------

    def _apply_major_catalogue(
        self, session: Session, actor: Actor, case: Case, fine_fen: int | None, kinds: Sequence[str]
    ) -> None:
        """Flag the case major where the catalogue's thresholds or kinds apply (DOMAIN.md 2.3)."""
        party_kinds = case_party_kinds(session, case.id)
        thresholds = MajorThresholds(
            read_setting(self.store, "major_fine_person_fen"), read_setting(self.store, "major_fine_org_fen")
        )
        proposed = ProposedDecision(fine_fen, None, kinds, party_is_person=party_kinds <= {"natural_person"})
        for reason in major_reasons(proposed, thresholds):
            self._flag_major(session, actor, case, reason)

    @operation(Permission.CASE_EDIT)
    def mark_major(self, actor: Actor, case_id: str, reason: str, discussion: bool = True) -> None:
        """An officer's or leader's own flag: a major or complex case (APL Art 57 para 2, 58)."""
        if not reason.strip():
            raise ValidationError.single("理由", "请写明列为重大或复杂案件的理由")
        with self.store.write() as session:
            case = _case(session, case_id)
            self._flag_major(session, actor, case, reason.strip())
            case.discussion_required = case.discussion_required or discussion

    @operation(Permission.CASE_APPROVE)
    def approve_extension(
        self, actor: Actor, case_id: str, days: int, basis: str, opinion: str, *, password: str | None = None
    ) -> None:
        """延期: the head approves more time to decide, citing the rule that allows it (APL Art 60)."""
        errors = []
        if days <= 0:
            errors.append(FieldError("延长天数", "应为正数"))
        if not basis.strip():
            errors.append(FieldError("延期依据", "请写明允许延期的规定"))
        if errors:
            raise ValidationError(errors)
        with self.store.write() as session:
            case = _case(session, case_id)
            self._not_a_handler(session, actor, case, "延期审批人")
            self._approval(session, actor, case, "extension", True, opinion or "同意", password)
            self._step(
                session,
                actor,
                case,
                EventKind.DECISION_EXTENDED,
                self._today(),
                f"批准延长办案期限{days}日",
                extension_days=days,
                note=basis.strip(),
            )
            self._refresh_due(session, case)

    def _decision_problems(
        self,
        session: Session,
        case: Case,
        decided_on: date,
        fine_fen: int | None,
        kinds: Sequence[str],
        outcome: str,
    ) -> list[str]:
        """Every rule that blocks the decision (rules 2, 4–8, 10), for the gate and for `status`."""
        steps = case_steps(session, case.id)
        calendar = load_calendar(session)
        problems: list[str] = []
        notice = _latest(steps, EventKind.PRIOR_NOTICE_SERVED)
        if outcome == "penalty":
            waived = _latest(steps, EventKind.STATEMENT_WAIVED) is not None
            problems += gates.statement_window_problem(
                calendar,
                notice.on if notice else None,
                read_setting(self.store, "statement_workdays"),
                decided_on,
                waived,
            )
            if notice is not None:
                problems += gates.heavier_than_notice_problem(
                    case.noticed_fine_fen, fine_fen, notice.detail.get("kinds", []), kinds
                )
            if (
                notice is not None
                and case.hearing_eligible
                and _latest(steps, EventKind.HEARING_WAIVED) is None
            ):
                requested = _latest(steps, EventKind.HEARING_REQUESTED)
                if requested is None:
                    ends = gates.hearing_window_ends(calendar, notice.on)
                    if decided_on <= ends:
                        problems.append(
                            f"听证申请期至{cn_date(ends)}届满，之前不得作出决定；当事人书面放弃的除外"
                        )
                elif _latest(steps, HEARING_HELD) is None:
                    problems.append("当事人申请了听证，尚未举行听证")
        problems += review_problems(session, case)
        problems += discussion_problems(session, case)
        if case.filed_on is not None:
            extension = sum(s.extension_days or 0 for s in steps if s.kind == EventKind.DECISION_EXTENDED)
            problems += gates.decision_period_problem(case.filed_on, decided_on, extension)
        if outcome == "penalty":
            item = self._primary_item(session, case)
            problems += gates.fine_in_statutory_range(
                fine_fen,
                item.penalty_min_fen if item else None,
                item.penalty_max_fen if item else None,
                case.mitigation_ground,
            )
        return problems

    @operation(Permission.CASE_APPROVE)
    def decide(
        self,
        actor: Actor,
        case_id: str,
        decided_on: date,
        outcome: str,
        fine_fen: int | None,
        penalty_kinds: Sequence[str],
        version: int,
        *,
        password: str | None = None,
    ) -> None:
        """行政处罚决定 or 不予行政处罚决定, blocked until every gate is passed."""
        if outcome not in ("penalty", "no_penalty"):
            raise ValidationError.single("决定", "只能是给予或不予行政处罚")
        if outcome == "penalty" and not penalty_kinds:
            raise ValidationError.single("处罚种类", "请选择处罚种类")
        if "罚款" in penalty_kinds and fine_fen is None:
            raise ValidationError.single("罚款金额", "请填写罚款金额")
        with self.store.write() as session:
            case = _case(session, case_id)
            ensure_unchanged(case, version, "案件")
            allowed = [CaseState.NOTICE_SERVED, CaseState.HEARING, CaseState.LEGAL_REVIEW]
            if outcome == "no_penalty":
                allowed.append(CaseState.INVESTIGATION_CLOSED)
            self._require_state(case, allowed, "作出决定")
            self._not_a_handler(session, actor, case, "决定的负责人")
            if outcome == "penalty":
                self._apply_major_catalogue(session, actor, case, fine_fen, penalty_kinds)
            _refuse(self._decision_problems(session, case, decided_on, fine_fen, penalty_kinds, outcome))
            verdict = f"罚款{fine_fen}分" if fine_fen else ("、".join(penalty_kinds) or "不予处罚")
            self._approval(session, actor, case, "decision", True, f"决定：{verdict}", password)
            if outcome == "penalty":
                case.fine_fen, case.penalty_kinds = fine_fen, list(penalty_kinds)
                self._step(
                    session,
                    actor,
                    case,
                    EventKind.PENALTY_DECIDED,
                    decided_on,
                    "作出行政处罚决定",
                    fine_fen=fine_fen or 0,
                )
                self._move(session, actor, case, CaseState.DECIDED)
            else:
                case.fine_fen, case.penalty_kinds = None, []
                self._step(
                    session, actor, case, EventKind.NO_PENALTY_DECIDED, decided_on, "作出不予行政处罚决定"
                )
                self._move(session, actor, case, CaseState.DECIDED_NO_PENALTY)
            self._refresh_due(session, case)

    # --- service, performance, enforcement ------------------------------------------------------

    @operation(Permission.CASE_DELIVER)
    def serve_decision(
        self, actor: Actor, case_id: str, served_on: date, officer_ids: Sequence[str], mode: str = "直接送达"
    ) -> None:
        with self.store.write() as session:
            self._serve_decision_in(session, actor, case_id, served_on, officer_ids, mode)

    def _serve_decision_in(
        self,
        session: Session,
        actor: Actor,
        case_id: str,
        served_on: date,
        officer_ids: Sequence[str],
        mode: str = "直接送达",
    ) -> None:
        """The step inside the caller's transaction (used by the document service as well)."""
        case = _case(session, case_id)
        self._require_state(case, [CaseState.DECIDED, CaseState.DECIDED_NO_PENALTY], "送达决定书")
        _refuse(self._delivery_officer_problems(session, mode, officer_ids, served_on))
        decided = _latest(case_steps(session, case.id), EventKind.PENALTY_DECIDED) or _latest(
            case_steps(session, case.id), EventKind.NO_PENALTY_DECIDED
        )
        if decided is not None and served_on < decided.on:
            raise RuleViolation("送达日期不能早于决定日期")
        self._step(
            session,
            actor,
            case,
            EventKind.DECISION_SERVED,
            served_on,
            f"送达决定书（{mode}）",
            detail={"mode": mode},
        )
        self._move(session, actor, case, CaseState.PERFORMING if case.fine_fen else CaseState.DECISION_SERVED)
        self._refresh_due(session, case)

    @operation(Permission.CASE_EDIT)
    def record_payment(
        self,
        actor: Actor,
        case_id: str,
        paid_on: date,
        amount_fen: int,
        receipt_no: str,
        channel: str = "银行缴纳",
    ) -> None:
        """Payment at the bank or electronically (罚缴分离, APL Art 67): the brigade never collects here."""
        errors = []
        if channel not in ("银行缴纳", "电子缴纳"):
            errors.append(
                FieldError(
                    "缴纳方式", "普通程序罚款只能通过银行或电子支付缴纳（罚缴分离，《行政处罚法》第六十七条）"
                )
            )
        if amount_fen <= 0:
            errors.append(FieldError("缴纳金额", "应大于零"))
        if not receipt_no.strip():
            errors.append(FieldError("票据号", "请填写罚没款票据或缴款凭证号"))
        if errors:
            raise ValidationError(errors)
        with self.store.write() as session:
            case = _case(session, case_id)
            self._require_state(case, [CaseState.PERFORMING, CaseState.OVERDUE, CaseState.URGED], "登记缴款")
            if case.fine_fen is not None and amount_fen < case.fine_fen:
                raise RuleViolation("缴纳金额少于决定的罚款金额；分期缴纳须先经批准")
            self._step(
                session,
                actor,
                case,
                EventKind.PAID,
                paid_on,
                f"缴纳罚款（{channel}，票据{receipt_no.strip()}）",
                fine_fen=amount_fen,
                detail={"receipt_no": receipt_no.strip(), "channel": channel},
            )
            self._move(session, actor, case, CaseState.PAID)
            self._refresh_due(session, case)

    @operation(Permission.CASE_DELIVER)
    def serve_demand_notice(self, actor: Actor, case_id: str, served_on: date) -> None:
        """催告书 (AEL Art 35) after the payment period ran out."""
        with self.store.write() as session:
            self._serve_demand_notice_in(session, actor, case_id, served_on)

    def _serve_demand_notice_in(self, session: Session, actor: Actor, case_id: str, served_on: date) -> None:
        """The step inside the caller's transaction (used by the document service as well)."""
        case = _case(session, case_id)
        self._require_state(case, [CaseState.PERFORMING, CaseState.OVERDUE], "送达催告书")
        deadlines = self._deadlines(session, case)
        payment = next((d for d in deadlines if d.clock == "payment"), None)
        if payment is not None and served_on <= payment.due:
            raise RuleViolation(f"缴款期限至{cn_date(payment.due)}届满，之前不得催告")
        self._step(session, actor, case, EventKind.DEMAND_NOTICE_SERVED, served_on, "送达催告书")
        self._move(session, actor, case, CaseState.URGED)
        self._refresh_due(session, case)

    @operation(Permission.CASE_APPROVE)
    def apply_to_court(self, actor: Actor, case_id: str, applied_on: date, court: str) -> None:
        """Application for court enforcement: rule 14 (AEL Art 53, 54)."""
        if not court.strip():
            raise ValidationError.single("人民法院", "请填写申请执行的人民法院")
        with self.store.write() as session:
            case = _case(session, case_id)
            self._require_state(case, [CaseState.URGED], "申请人民法院强制执行")
            steps = case_steps(session, case.id)
            calendar = load_calendar(session)
            problems: list[str] = []
            demand = _latest(steps, EventKind.DEMAND_NOTICE_SERVED)
            served = _latest(steps, EventKind.DECISION_SERVED)
            if demand is not None:
                earliest = calendar.add_workdays(demand.on, 10)
                if applied_on <= earliest:
                    problems.append(
                        f"催告书送达满十个工作日（{cn_date(earliest)}）后方可申请（《行政强制法》第五十四条）"
                    )
            if served is not None:
                litigation_end = calendar.add_months(served.on, 6)
                reconsideration_end = calendar.add_calendar_days(served.on, 60)
                lapse = max(litigation_end, reconsideration_end)
                if applied_on <= lapse:
                    problems.append(
                        f"复议、诉讼期限至{cn_date(lapse)}届满后方可申请（《行政强制法》第五十三条）"
                    )
                last = calendar.add_months(lapse, 3)
                if applied_on > last:
                    problems.append(f"申请期限已于{cn_date(last)}届满（期限届满之日起三个月内）")
            if _latest(steps, EventKind.RECONSIDERATION) or _latest(steps, EventKind.LITIGATION):
                problems.append("当事人已申请复议或提起诉讼，不得申请强制执行")
            _refuse(problems)
            self._step(
                session, actor, case, EventKind.COURT_APPLIED, applied_on, f"申请{court.strip()}强制执行"
            )
            self._move(session, actor, case, CaseState.COURT_APPLIED)
            self._refresh_due(session, case)

    @operation(Permission.CASE_APPROVE)
    def close_case(self, actor: Actor, case_id: str, opinion: str, *, password: str | None = None) -> None:
        """结案审批 (leader): only once the decision has been carried out or handed to the court."""
        if not opinion.strip():
            raise ValidationError.single("审批意见", "请填写结案审批意见")
        with self.store.write() as session:
            case = _case(session, case_id)
            self._require_state(
                case, [CaseState.PAID, CaseState.COURT_APPLIED, CaseState.DECISION_SERVED], "结案"
            )
            self._not_a_handler(session, actor, case, "结案审批人")
            self._approval(session, actor, case, "closing", True, opinion, password)
            self._step(session, actor, case, CLOSED, self._today(), "结案", note=opinion.strip())
            case.closed_on = self._today()
            self._move(session, actor, case, CaseState.CLOSED)
            self._refresh_due(session, case)

    @operation(Permission.CASE_ARCHIVE)
    def archive(self, actor: Actor, case_id: str) -> None:
        with self.store.write() as session:
            case = _case(session, case_id)
            self._require_state(case, [CaseState.CLOSED], "归档")
            self._step(session, actor, case, ARCHIVED, self._today(), "案卷归档")
            self._move(session, actor, case, CaseState.ARCHIVED)

    @operation(Permission.CASE_EDIT)
    def record_publication(
        self, actor: Actor, case_id: str, on: date, channel: str, exempt_reason: str = ""
    ) -> None:
        """公示 of the decision (118号: within the local limit), or the reason it is not published."""
        if not channel.strip() and not exempt_reason.strip():
            raise ValidationError.single("公示渠道", "请填写公示渠道，或写明依法不予公开的理由")
        with self.store.write() as session:
            case = _case(session, case_id)
            steps = case_steps(session, case.id)
            decided = _latest(steps, EventKind.PENALTY_DECIDED) or _latest(
                steps, EventKind.NO_PENALTY_DECIDED
            )
            if decided is None:
                raise RuleViolation("尚未作出处罚决定，无需公示")
            if on < decided.on:
                raise RuleViolation("公示日期不能早于决定日期")
            if exempt_reason.strip():
                self._step(
                    session,
                    actor,
                    case,
                    EventKind.PUBLICATION_EXEMPTED,
                    on,
                    "决定不予公开",
                    note=exempt_reason.strip(),
                )
            else:
                self._step(
                    session, actor, case, EventKind.PUBLISHED, on, f"公示处罚决定（{channel.strip()}）"
                )
            self._refresh_due(session, case)

    # --- simple procedure ----------------------------------------------------------------------

    @operation(Permission.CASE_EDIT)
    def on_the_spot(self, actor: Actor, data: SimpleInput) -> str:
        """当场处罚 (APL Art 51–52): thresholds, two officers, receipt for on-the-spot collection."""
        errors = []
        if not data.party_id:
            errors.append(FieldError("当事人", "请选择当事人"))
        if not data.power_item_id:
            errors.append(FieldError("赋权事项", "请选择处罚依据的权力事项"))
        if data.decided_on > self._today():
            errors.append(FieldError("决定日期", "不能晚于今天"))
        if data.fine_fen < 0:
            errors.append(FieldError("罚款金额", "罚款金额不能为负数"))
        elif not data.warning_only and data.fine_fen == 0:
            errors.append(FieldError("罚款金额", "请填写罚款金额，或选择警告"))
        if not data.facts.strip():
            errors.append(FieldError("违法事实", "请填写"))
        if not data.place.strip():
            errors.append(FieldError("地点", "请填写"))
        if data.collect_on_spot and not data.finance_receipt_no.strip():
            errors.append(
                FieldError(
                    "罚没款票据号", "当场收缴须出具财政部门统一制发的罚款收据（《行政处罚法》第七十条）"
                )
            )
        if errors:
            raise ValidationError(errors)
        with self.store.write() as session:
            party = session.get(Party, data.party_id)
            item = session.get(PowerItem, data.power_item_id)
            if party is None or item is None:
                raise NotFound("当事人或权力事项不存在")
            lead = self._open_lead_for_the_spot(session, data)
            problems = gates.simple_procedure_problems(
                data.fine_fen,
                data.warning_only,
                party.kind == "natural_person",
                data.collect_on_spot,
                data.hard_to_enforce,
            )
            problems += gates.fine_in_statutory_range(
                None if data.warning_only else data.fine_fen,
                item.penalty_min_fen,
                item.penalty_max_fen,
                data.mitigation_ground,
            )
            problems += gates.two_certified_officers(
                _on_duty(_officers(session, data.officer_ids)), data.decided_on
            )
            problems += self._power_item_problems(
                [item], FilingInput((item.id,), (party.id,), (), data.decided_on, "x"), data.decided_on
            )
            _refuse(problems)
            organ = session.execute(select(Organ).where(Organ.is_self)).scalar_one()
            now = self.clock()
            serial = take_next(session, f"{organ.id}:simple", data.decided_on.year)
            case = Case(
                organ_id=organ.id,
                procedure="simple",
                source=lead.source if lead else "巡查发现",
                received_at=lead.received_at if lead else now,
                violation_date=(lead.violation_date if lead else None) or data.decided_on,
                place=data.place.strip(),
                summary=f"{party.name}{item.name.removeprefix('对').removesuffix('的处罚')}案",
                facts=data.facts.strip(),
                state=CaseState.ON_THE_SPOT.value,
                filed_on=data.decided_on,
                case_number=case_number(organ.doc_prefix, "简罚", data.decided_on.year, serial),
                penalty_kinds=["警告"] if data.warning_only else ["罚款"],
                fine_fen=data.fine_fen or None,
                mitigation_ground="" if data.warning_only else data.mitigation_ground.strip(),
                created_at=now,
                updated_at=now,
            )
            session.add(case)
            session.flush()
            session.add(CasePowerItem(case_id=case.id, power_item_id=item.id))
            session.add(CaseParty(case_id=case.id, party_id=party.id))
            session.add_all(
                CaseOfficer(case_id=case.id, user_id=u, duty="lead" if n == 0 else "assist")
                for n, u in enumerate(dict.fromkeys(data.officer_ids))
            )
            audit.record(
                session,
                actor,
                audit.Change(
                    "case.on_the_spot", "case", case.id, f"当场处罚：{case.case_number}", after=data.__dict__
                ),
            )
            self._step(
                session,
                actor,
                case,
                EventKind.PENALTY_DECIDED,
                data.decided_on,
                "当场作出行政处罚决定",
                fine_fen=data.fine_fen,
            )
            self._step(session, actor, case, EventKind.DECISION_SERVED, data.decided_on, "当场交付决定书")
            if data.collect_on_spot:
                self._step(
                    session,
                    actor,
                    case,
                    EventKind.CASH_COLLECTED,
                    data.decided_on,
                    "当场收缴罚款",
                    fine_fen=data.fine_fen,
                    detail={"receipt_no": data.finance_receipt_no.strip()},
                )
            if lead is not None:
                lead.case_id, lead.status = case.id, "on_the_spot"
                lead.decided_at, lead.decided_by = now, actor.user_id or None
                audit.record(
                    session,
                    actor,
                    audit.Change(
                        "lead.on_the_spot",
                        "lead",
                        lead.id,
                        f"当场处罚：{case.case_number}",
                        after={"status": "on_the_spot", "case_id": case.id},
                    ),
                )
            self._refresh_due(session, case)
            search.index_cases(session, [case.id])
            return case.id

    @staticmethod
    def _open_lead_for_the_spot(session: Session, data: SimpleInput) -> Lead | None:
        """The lead an on-the-spot decision closes: still open, and not after the decision."""
        if not data.lead_id:
            return None
        lead = _open_lead(session, data.lead_id, "据此当场处罚")
        received_on = beijing_today(lead.received_at)
        if data.decided_on < received_on:
            raise ValidationError.single("决定日期", f"不能早于线索受理日期（{received_on:%Y-%m-%d}）")
        if lead.violation_date and lead.violation_date > data.decided_on:
            raise ValidationError.single(
                "决定日期", f"不能早于线索所记违法行为发生日期（{lead.violation_date:%Y-%m-%d}）"
            )
        return lead

    @operation(Permission.CASE_APPROVE)
    def file_for_record(self, actor: Actor, case_id: str) -> None:
        """备案 of an on-the-spot decision with the organ (APL Art 52 para 3); closes it."""
        with self.store.write() as session:
            case = _case(session, case_id)
            self._require_state(case, [CaseState.ON_THE_SPOT], "备案")
            self._step(
                session, actor, case, FILED_FOR_RECORD, self._today(), "当场处罚决定报所属行政机关备案"
            )
            case.closed_on = self._today()
            self._move(session, actor, case, CaseState.CLOSED)
            self._refresh_due(session, case)

    # --- reading -------------------------------------------------------------------------------

    def _deadlines(self, session: Session, case: Case) -> list[Deadline]:
        return compute_deadlines(
            clock_events(case_steps(session, case.id)),
            load_calendar(session),
            today=self._today(),
            settings=clock_settings(self.store),
            serious_harm=case.serious_harm,
        )

    @operation(Permission.CASE_VIEW)
    def power_items(self, actor: Actor, *, on: date | None = None) -> list[PowerItemView]:
        """The catalogue for the filing form: claimed items first, then the county's (which the form
        may still offer, so that choosing one gives the message about the county department).
        With `on`, only items valid on that day."""
        with self.store.read() as session:
            items = [power_item_view(i) for i in session.execute(select(PowerItem)).scalars()]
        if on is not None:
            items = [i for i in items if i.valid_on(on)]
        return sorted(items, key=lambda i: (not i.claimed, i.code, i.name))

    @operation(Permission.CASE_VIEW)
    def handling(self, actor: Actor, case_id: str) -> CaseHandling:
        with self.store.read() as session:
            case = _case(session, case_id)
            officers = session.execute(
                select(CaseOfficer.duty, User)
                .join(User, User.id == CaseOfficer.user_id)
                .where(CaseOfficer.case_id == case.id)
            ).all()
            officer_views = sorted(
                (
                    CaseOfficerView(
                        u.id, u.display_name, duty, u.certificate_no or "", u.certificate_valid_to
                    )
                    for duty, u in officers
                ),
                key=lambda o: (o.duty != "lead", o.name),
            )
            party_ids = tuple(
                session.execute(select(CaseParty.party_id).where(CaseParty.case_id == case.id)).scalars()
            )
            items = tuple(
                power_item_view(i)
                for i in session.execute(
                    select(PowerItem)
                    .join(CasePowerItem, CasePowerItem.power_item_id == PowerItem.id)
                    .where(CasePowerItem.case_id == case.id)
                ).scalars()
            )
            return CaseHandling(
                case.id,
                case.version,
                case.procedure,
                case.state,
                tuple(officer_views),
                party_ids,
                items,
                case.proposed_outcome,
                OUTCOMES.get(case.proposed_outcome, ""),
                tuple(case.penalty_kinds or ()),
                case.proposed_fine_fen,
                case.noticed_fine_fen,
                case.fine_fen,
                case.mitigation_ground,
                case.hearing_eligible,
                case.is_major,
                tuple(case.major_reasons or ()),
                case.discussion_required,
                case.filed_on,
                case.closed_on,
            )

    @operation(Permission.CASE_VIEW)
    def records(self, actor: Actor, case_id: str) -> list[RecordView]:
        """The case's 笔录, oldest first."""
        with self.store.read() as session:
            rows = session.execute(
                select(InvestigationRecord)
                .where(InvestigationRecord.case_id == case_id)
                .order_by(InvestigationRecord.started_at, InvestigationRecord.created_at)
            ).scalars()
            return [record_view(r) for r in rows]

    @operation(Permission.CASE_VIEW)
    def approvals(self, actor: Actor, case_id: str) -> list[ApprovalView]:
        """Leaders' approvals of the case (立案, 延期, 销案, 结案 …), oldest first."""
        with self.store.read() as session:
            rows = session.execute(
                select(Approval).where(Approval.case_id == case_id).order_by(Approval.at)
            ).scalars()
            return [
                ApprovalView(
                    a.kind,
                    APPROVAL_LABELS.get(a.kind, a.kind),
                    a.approved,
                    a.opinion,
                    a.approver_name,
                    a.at,
                    crypto.fingerprint(a.public_key) if a.signature else "",
                )
                for a in rows
            ]

    @operation(Permission.CASE_VIEW)
    def steps(self, actor: Actor, case_id: str) -> list[StepView]:
        with self.store.read() as session:
            return [StepView(s.kind, s.on, s.note, s.recorded_at) for s in case_steps(session, case_id)]

    @operation(Permission.CASE_VIEW)
    def status(self, actor: Actor, case_id: str) -> CaseStatus:
        """The stepper, the clocks and what blocks the next action, as of today."""
        with self.store.read() as session:
            case = _case(session, case_id)
            calendar = load_calendar(session)
            deadlines = compute_deadlines(
                clock_events(case_steps(session, case.id)),
                calendar,
                today=self._today(),
                settings=clock_settings(self.store),
                serious_harm=case.serious_harm,
            )
            next_action, blocked = self._next_action(session, case)
            return CaseStatus(
                case.id,
                case.case_number or "",
                case.state,
                STATE_LABELS.get(CaseState(case.state), case.state),
                self._stages(session, case, blocked),
                deadlines,
                next_action,
                blocked,
                calendar.warnings,
            )

    def _next_action(self, session: Session, case: Case) -> tuple[str, list[str]]:
        state = CaseState(case.state)
        today = self._today()
        if state in (CaseState.NOTICE_SERVED, CaseState.HEARING, CaseState.LEGAL_REVIEW):
            outcome = case.proposed_outcome or "penalty"
            return "作出决定", self._decision_problems(
                session, case, today, case.proposed_fine_fen, case.penalty_kinds, outcome
            )
        actions = {
            CaseState.PENDING_FILING: "负责人审批立案",
            CaseState.FILED: "调查取证",
            CaseState.INVESTIGATING: "调查终结",
            CaseState.INVESTIGATION_CLOSED: "事先告知"
            if case.proposed_outcome in ("penalty", "no_penalty")
            else "审批销案或移送",
            CaseState.DECIDED: "送达决定书",
            CaseState.DECIDED_NO_PENALTY: "送达决定书",
            CaseState.DECISION_SERVED: "结案",
            CaseState.PERFORMING: "等待缴款",
            CaseState.OVERDUE: "催告",
            CaseState.URGED: "申请人民法院强制执行",
            CaseState.PAID: "结案",
            CaseState.COURT_APPLIED: "结案",
            CaseState.CLOSED: "归档",
            CaseState.ON_THE_SPOT: "备案",
        }
        return actions.get(state, "无"), []

    def _stages(self, session: Session, case: Case, blocked: list[str]) -> list[StageView]:
        if case.procedure == "simple":
            order = [("当场处罚", {CaseState.ON_THE_SPOT}), ("备案结案", {CaseState.CLOSED})]
        else:
            order = [
                ("立案", {CaseState.PENDING_FILING}),
                ("调查取证", {CaseState.FILED, CaseState.INVESTIGATING}),
                ("调查终结", {CaseState.INVESTIGATION_CLOSED}),
                ("告知与陈述申辩", {CaseState.NOTICE_SERVED, CaseState.HEARING}),
                ("法制审核", {CaseState.LEGAL_REVIEW}),
                ("决定", {CaseState.DECIDED, CaseState.DECIDED_NO_PENALTY}),
                (
                    "送达与执行",
                    {
                        CaseState.DECISION_SERVED,
                        CaseState.PERFORMING,
                        CaseState.OVERDUE,
                        CaseState.URGED,
                        CaseState.PAID,
                        CaseState.COURT_APPLIED,
                    },
                ),
                ("结案", {CaseState.CLOSED}),
                ("归档", {CaseState.ARCHIVED}),
            ]
        state = CaseState(case.state)
        ended = state in (CaseState.WITHDRAWN, CaseState.TRANSFERRED, CaseState.NOT_FILED)
        if state == CaseState.ARCHIVED or (case.procedure == "simple" and state == CaseState.CLOSED):
            current: int | None = len(order)  # every stage done
        else:
            current = next((n for n, (_, states) in enumerate(order) if state in states), None)
        stages: list[StageView] = []
        for n, (label, _) in enumerate(order):
            if label == "法制审核" and not case.is_major:
                stages.append(StageView(label, "skipped", "非重大执法决定，无须法制审核"))
                continue
            if ended:
                done = current is not None and n < current
                stages.append(
                    StageView(label, "done" if done else "skipped", "" if done else STATE_LABELS[state])
                )
            elif current is None or n < current:
                stages.append(StageView(label, "done"))
            elif n == current:
                stages.append(StageView(label, "blocked" if blocked else "current", "；".join(blocked)))
            else:
                stages.append(StageView(label, "todo"))
        return stages
