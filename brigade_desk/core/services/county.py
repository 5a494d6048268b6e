"""County mode: the townships' cases side by side, read only, and the county's own reference work.

A county store holds each township's cases as its bundles brought them (core.sync). Nothing here
changes a township's records: the county reads them, keeps the claims each township makes on the
catalogue and the enforcement certificates of their officers, and sends those back in its bundles.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from brigade_desk.core import audit
from brigade_desk.core.errors import NotFound, RuleViolation
from brigade_desk.core.model import (
    Case,
    CaseOfficer,
    CaseParty,
    CaseStep,
    Document,
    Evidence,
    LegalReview,
    Organ,
    Party,
    PowerItem,
    SyncBundle,
    SyncPeer,
    SyncQuarantine,
    SyncTownClaim,
    User,
)
from brigade_desk.core.rules.evidence import kind_label
from brigade_desk.core.rules.permissions import Actor, Permission
from brigade_desk.core.rules.procedure import STATE_LABELS, CaseState
from brigade_desk.core.services.base import Service, operation
from brigade_desk.core.services.documents import STATUS_LABELS as DOCUMENT_STATUS_LABELS
from brigade_desk.core.services.reviews import STATUS_LABELS as REVIEW_STATUS_LABELS
from brigade_desk.core.timeutil import beijing_today

ENDED = (
    CaseState.CLOSED.value,
    CaseState.ARCHIVED.value,
    CaseState.NOT_FILED.value,
    CaseState.WITHDRAWN.value,
    CaseState.TRANSFERRED.value,
    CaseState.DECIDED_NO_PENALTY.value,
)
DECIDED_STEPS = ("penalty_decided",)
PAID_STEPS = ("paid", "cash_collected", "cash_deposited")
REVIEWED_STEPS = ("legal_review_completed",)
PUBLISHED_STEPS = ("published", "publication_exempted")
# Every step kind a township records (rules.clocks.EventKind and the procedure's own steps).
STEP_LABELS = {
    "report_received": "收到举报",
    "reporter_answered": "答复举报人",
    "violation_ended": "违法行为发生（终了）",
    "discovered": "发现线索",
    "filing_extended": "延长立案审查期限",
    "filed": "立案",
    "not_filed": "不予立案",
    "evidence_preserved": "先行登记保存",
    "preservation_resolved": "先行登记保存处理决定",
    "seized": "查封扣押",
    "seizure_extended": "延长查封扣押",
    "seizure_resolved": "解除查封扣押或依法处理",
    "investigation_closed": "调查终结",
    "prior_notice_served": "事先告知书送达",
    "statement_received": "陈述申辩",
    "statement_waived": "放弃陈述申辩",
    "hearing_rights_notified": "听证告知书送达",
    "hearing_requested": "申请听证",
    "hearing_waived": "放弃听证",
    "hearing_scheduled": "确定听证日期",
    "hearing_notice_served": "听证通知书送达",
    "hearing_held": "举行听证",
    "hearing_proceedings": "听证期间",
    "legal_review_submitted": "提交法制审核",
    "legal_review_extended": "延长法制审核期限",
    "legal_review_completed": "法制审核意见",
    "collective_discussion": "集体讨论",
    "decision_extended": "延长办案期限",
    "penalty_decided": "作出处罚决定",
    "no_penalty_decided": "不予处罚决定",
    "decision_served": "决定书送达",
    "service_by_publication": "公告送达",
    "published": "处罚决定公示",
    "publication_exempted": "依法不予公开",
    "decision_revoked": "决定被变更或撤销",
    "publication_withdrawn": "撤回公示",
    "deferral_approved": "批准暂缓缴纳",
    "paid": "缴清罚款",
    "cash_collected": "当场收缴",
    "cash_handed_to_organ": "罚款交至机关",
    "cash_deposited": "罚款缴付银行",
    "demand_notice_served": "催告书送达",
    "court_applied": "申请强制执行",
    "testing": "检测检验期间",
    "expert_review": "专家论证期间",
    "public_announcement": "公告期间",
    "reconsideration": "行政复议期间",
    "litigation": "行政诉讼期间",
    "withdrawn": "销案",
    "transferred": "移送",
    "closed": "结案",
    "archived": "归档",
    "filed_for_record": "备案",
}


@dataclass(frozen=True)
class TownshipRow:
    area_code: str
    name: str
    organ_id: str | None
    last_sequence: int
    last_received_at: datetime | None
    held: int
    quarantined: int
    cases: int
    open_cases: int
    overdue: int
    major: int
    major_reviewed: int
    decisions: int
    fines_decided_fen: int
    fines_paid_fen: int
    published: int
    publication_pending: int


@dataclass(frozen=True)
class CountyOverview:
    today: date
    townships: list[TownshipRow]

    def total(self, name: str) -> int:
        return sum(int(getattr(t, name)) for t in self.townships)


@dataclass(frozen=True)
class CountyCaseRow:
    id: str
    case_number: str
    summary: str
    state: str
    state_label: str
    received_at: datetime
    fine_fen: int | None
    is_major: bool
    next_due_on: date | None
    next_due_label: str
    overdue: bool


@dataclass(frozen=True)
class CountyDocumentRow:
    id: str
    title: str
    doc_number: str
    status: str
    status_label: str
    pdf_sha256: str | None  # the archived PDF of an issued (or voided) document; None for a draft


@dataclass(frozen=True)
class CountyEvidenceRow:
    id: str
    kind: str
    kind_label: str
    description: str
    file_name: str
    sha256: str | None  # None for a physical item without a file
    size: int


@dataclass(frozen=True)
class CountyReviewRow:
    round: int
    status: str
    status_label: str
    reviewer: str


@dataclass(frozen=True)
class CountyCaseView:
    id: str
    township: str
    case_number: str
    summary: str
    facts: str
    place: str
    state_label: str
    received_at: datetime
    filed_on: date | None
    fine_fen: int | None
    is_major: bool
    major_reasons: list[str]
    parties: list[str]
    officers: list[str]
    steps: list[tuple[date, str]]  # (date, step label), oldest first
    # With their ids: documents.render and evidence.open_for_view show (and log) the files.
    documents: list[CountyDocumentRow]
    evidence: list[CountyEvidenceRow]
    reviews: list[CountyReviewRow]


def _require_county(session: Session) -> Organ:
    own = session.execute(select(Organ).where(Organ.is_self)).scalar_one_or_none()
    if own is None or own.kind != "county":
        raise RuleViolation("跨乡镇概览只在县级存储中提供（brigade-desk init --county）")
    return own


def _has_step(kinds: tuple[str, ...]) -> ColumnElement[bool]:
    return exists().where(CaseStep.case_id == Case.id, CaseStep.kind.in_(kinds))


def _state_label(state: str) -> str:
    try:
        return STATE_LABELS[CaseState(state)]
    except (ValueError, KeyError):
        return state


class CountyService(Service):
    @operation(Permission.CASE_VIEW)
    def overview(self, actor: Actor, today: date | None = None) -> CountyOverview:
        today = today or beijing_today(self.clock())
        with self.store.read() as session:
            _require_county(session)
            peers = list(session.execute(select(SyncPeer).where(SyncPeer.kind == "township")).scalars())
            open_case = Case.state.not_in(ENDED)
            decided = _has_step(DECIDED_STEPS)
            stats = {
                row.organ_id: row
                for row in session.execute(
                    select(
                        Case.organ_id,
                        func.count().label("cases"),
                        func.sum(case((open_case, 1), else_=0)).label("open_cases"),
                        func.sum(case((and_(open_case, Case.next_due_on < today), 1), else_=0)).label(
                            "overdue"
                        ),
                        func.sum(case((Case.is_major, 1), else_=0)).label("major"),
                        func.sum(
                            case(
                                (
                                    and_(
                                        Case.is_major,
                                        or_(
                                            _has_step(REVIEWED_STEPS),
                                            exists().where(
                                                LegalReview.case_id == Case.id, LegalReview.status == "passed"
                                            ),
                                        ),
                                    ),
                                    1,
                                ),
                                else_=0,
                            )
                        ).label("major_reviewed"),
                        func.sum(case((decided, 1), else_=0)).label("decisions"),
                        func.sum(case((decided, func.coalesce(Case.fine_fen, 0)), else_=0)).label("fines"),
                        func.sum(
                            case((_has_step(PAID_STEPS), func.coalesce(Case.fine_fen, 0)), else_=0)
                        ).label("paid"),
                        func.sum(case((and_(decided, _has_step(PUBLISHED_STEPS)), 1), else_=0)).label(
                            "published"
                        ),
                    ).group_by(Case.organ_id)
                )
            }
            received = {
                area: (seq, at)
                for area, seq, at in session.execute(
                    select(
                        SyncBundle.sender_area_code,
                        func.max(SyncBundle.sequence),
                        func.max(SyncBundle.applied_at),
                    )
                    .where(SyncBundle.direction == "received", SyncBundle.status == "applied")
                    .group_by(SyncBundle.sender_area_code)
                )
            }
            held = dict(
                session.execute(
                    select(SyncBundle.sender_area_code, func.count())
                    .where(SyncBundle.direction == "received", SyncBundle.status == "held")
                    .group_by(SyncBundle.sender_area_code)
                ).all()
            )
            quarantined = dict(
                session.execute(
                    select(SyncQuarantine.sender_area_code, func.count()).group_by(
                        SyncQuarantine.sender_area_code
                    )
                ).all()
            )
            rows = []
            for p in sorted(peers, key=lambda p: p.area_code):
                s = stats.get(p.organ_id) if p.organ_id else None
                decisions = int(s.decisions or 0) if s else 0
                published = int(s.published or 0) if s else 0
                rows.append(
                    TownshipRow(
                        area_code=p.area_code,
                        name=p.name,
                        organ_id=p.organ_id,
                        last_sequence=int(received.get(p.area_code, (0, None))[0] or 0),
                        last_received_at=received.get(p.area_code, (0, None))[1],
                        held=int(held.get(p.area_code, 0)),
                        quarantined=int(quarantined.get(p.area_code, 0)),
                        cases=int(s.cases) if s else 0,
                        open_cases=int(s.open_cases or 0) if s else 0,
                        overdue=int(s.overdue or 0) if s else 0,
                        major=int(s.major or 0) if s else 0,
                        major_reviewed=int(s.major_reviewed or 0) if s else 0,
                        decisions=decisions,
                        fines_decided_fen=int(s.fines or 0) if s else 0,
                        fines_paid_fen=int(s.paid or 0) if s else 0,
                        published=published,
                        publication_pending=decisions - published,
                    )
                )
            return CountyOverview(today, rows)

    @operation(Permission.CASE_VIEW)
    def township_cases(
        self,
        actor: Actor,
        area_code: str,
        *,
        overdue_only: bool = False,
        limit: int = 200,
        offset: int = 0,
        today: date | None = None,
    ) -> list[CountyCaseRow]:
        today = today or beijing_today(self.clock())
        with self.store.read() as session:
            _require_county(session)
            peer = session.execute(
                select(SyncPeer).where(SyncPeer.area_code == area_code)
            ).scalar_one_or_none()
            if peer is None:
                raise NotFound(f"没有登记区划代码为 {area_code} 的乡镇")
            if peer.organ_id is None:
                return []
            query = select(Case).where(Case.organ_id == peer.organ_id)
            if overdue_only:
                query = query.where(Case.state.not_in(ENDED), Case.next_due_on < today)
            query = query.order_by(Case.received_at.desc(), Case.id).limit(limit).offset(offset)
            return [
                CountyCaseRow(
                    id=c.id,
                    case_number=c.case_number or "（未立案）",
                    summary=c.summary,
                    state=c.state,
                    state_label=_state_label(c.state),
                    received_at=c.received_at,
                    fine_fen=c.fine_fen,
                    is_major=c.is_major,
                    next_due_on=c.next_due_on,
                    next_due_label=c.next_due_label,
                    overdue=c.state not in ENDED and c.next_due_on is not None and c.next_due_on < today,
                )
                for c in session.execute(query).scalars()
            ]

    @operation(Permission.CASE_VIEW)
    def case_view(self, actor: Actor, case_id: str) -> CountyCaseView:
        """One township case as the county sees it: read only, with its documents and evidence."""
        with self.store.read() as session:
            _require_county(session)
            c = session.get(Case, case_id)
            if c is None:
                raise NotFound("没有该案件")
            organ = session.get(Organ, c.organ_id)
            parties = list(
                session.execute(
                    select(Party.name)
                    .join(CaseParty, CaseParty.party_id == Party.id)
                    .where(CaseParty.case_id == c.id)
                ).scalars()
            )
            officers = list(
                session.execute(
                    select(User.display_name)
                    .join(CaseOfficer, CaseOfficer.user_id == User.id)
                    .where(CaseOfficer.case_id == c.id)
                ).scalars()
            )
            steps = [
                (on, STEP_LABELS.get(kind, kind))
                for on, kind in session.execute(
                    select(CaseStep.on, CaseStep.kind).where(CaseStep.case_id == c.id).order_by(CaseStep.on)
                )
            ]
            documents = [
                CountyDocumentRow(
                    d.id,
                    d.title,
                    d.doc_number or "",
                    d.status,
                    DOCUMENT_STATUS_LABELS.get(d.status, d.status),
                    d.pdf_sha256,
                )
                for d in session.execute(
                    select(Document).where(Document.case_id == c.id).order_by(Document.created_at)
                ).scalars()
            ]
            evidence = [
                CountyEvidenceRow(
                    e.id, e.kind, kind_label(e.kind), e.description, e.file_name, e.sha256, e.size
                )
                for e in session.execute(
                    select(Evidence).where(Evidence.case_id == c.id).order_by(Evidence.created_at)
                ).scalars()
            ]
            reviews = [
                CountyReviewRow(
                    r.round, r.status, REVIEW_STATUS_LABELS.get(r.status, r.status), r.reviewer_name
                )
                for r in session.execute(
                    select(LegalReview).where(LegalReview.case_id == c.id).order_by(LegalReview.round)
                ).scalars()
            ]
            return CountyCaseView(
                id=c.id,
                township=organ.name if organ else "",
                case_number=c.case_number or "（未立案）",
                summary=c.summary,
                facts=c.facts,
                place=c.place,
                state_label=_state_label(c.state),
                received_at=c.received_at,
                filed_on=c.filed_on,
                fine_fen=c.fine_fen,
                is_major=c.is_major,
                major_reasons=list(c.major_reasons),
                parties=parties,
                officers=officers,
                steps=steps,
                documents=documents,
                evidence=evidence,
                reviews=reviews,
            )

    @operation(Permission.REFERENCE_MANAGE)
    def set_claims(self, actor: Actor, area_code: str, claims: dict[str, bool]) -> int:
        """Which catalogue items (by code) a township claims; sent in the county's next bundle to it."""
        with self.store.write() as session:
            _require_county(session)
            peer = session.execute(
                select(SyncPeer).where(SyncPeer.area_code == area_code)
            ).scalar_one_or_none()
            if peer is None:
                raise NotFound(f"没有登记区划代码为 {area_code} 的乡镇")
            items = {code: pid for pid, code in session.execute(select(PowerItem.id, PowerItem.code))}
            unknown = sorted(set(claims) - set(items))
            if unknown:
                raise NotFound(f"县级目录中没有这些事项代码：{'、'.join(unknown[:5])}")
            existing = {
                c.power_item_id: c
                for c in session.execute(
                    select(SyncTownClaim).where(SyncTownClaim.peer_id == peer.id)
                ).scalars()
            }
            for code, claimed in claims.items():
                row = existing.get(items[code])
                if row is None:
                    session.add(SyncTownClaim(peer_id=peer.id, power_item_id=items[code], claimed=claimed))
                else:
                    row.claimed = claimed
            audit.record(
                session,
                actor,
                audit.Change(
                    "county.claims",
                    "sync_peer",
                    peer.id,
                    f"设定{peer.name}承接的事项 {len(claims)} 项",
                    after={"claims": claims},
                ),
            )
            return len(claims)

    @operation(Permission.REFERENCE_MANAGE)
    def set_certificate(
        self,
        actor: Actor,
        user_id: str,
        certificate_no: str,
        valid_from: date | None,
        valid_to: date | None,
    ) -> None:
        """The county's roster: a township officer's enforcement certificate (sent back to the township)."""
        with self.store.write() as session:
            _require_county(session)
            user = session.get(User, user_id)
            if user is None or ":" not in user.login:
                raise NotFound("没有该乡镇执法人员")
            before = {
                "certificate_no": user.certificate_no,
                "from": user.certificate_valid_from,
                "to": user.certificate_valid_to,
            }
            user.certificate_no = certificate_no.strip()
            user.certificate_valid_from, user.certificate_valid_to = valid_from, valid_to
            audit.record(
                session,
                actor,
                audit.Change(
                    "county.certificate",
                    "user",
                    user.id,
                    f"登记{user.display_name}的执法证 {certificate_no}",
                    before=before,
                    after={"certificate_no": certificate_no, "from": valid_from, "to": valid_to},
                ),
            )
