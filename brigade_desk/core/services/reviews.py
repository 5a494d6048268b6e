"""Legal review of major decisions and collective discussion, with signatures bound to content.

A handling officer submits the case: the package (core.review) is frozen with its hash and a time
limit. A qualified reviewer who did not handle the case answers every checklist item, gives the
opinion and signs the package hash with it (Ed25519, personal key). Any later change to the case's
package makes the review stale; the decision gate (ProcedureService) refuses until a new round
passes. Collective discussion is recorded with each leader's opinion and confirmed by each leader's
signature (or a recorded paper signature).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from brigade_desk.core import audit, crypto, signing_keys
from brigade_desk.core.canonical import canonical_json, digest
from brigade_desk.core.documents import binding
from brigade_desk.core.errors import FieldError, NotFound, PermissionDenied, RuleViolation, ValidationError
from brigade_desk.core.model import (
    Approval,
    Case,
    CaseOfficer,
    CaseStep,
    CollectiveDiscussion,
    LegalReview,
    User,
)
from brigade_desk.core.review import (
    CHECKLIST,
    OPINIONS,
    answer_text,
    build_package,
    changed_sections,
    checklist_label,
    package_hash,
    signed_content,
)
from brigade_desk.core.rules.clocks import EventKind
from brigade_desk.core.rules.permissions import Actor, Permission
from brigade_desk.core.rules.procedure import STATE_LABELS, CaseState
from brigade_desk.core.services.base import Service, operation
from brigade_desk.core.services.calendar import load_calendar
from brigade_desk.core.services.settings import read_setting
from brigade_desk.core.timeutil import beijing_today

PASSED, RETURNED, REFUSED, PENDING = "passed", "returned", "refused", "pending"
OPINION_STATUS = {"同意": PASSED, "存在问题、建议修改后重新提交": RETURNED, "不同意": REFUSED}
STATUS_LABELS = {PENDING: "待审核", PASSED: "审核通过", RETURNED: "退回修改", REFUSED: "不同意"}


@dataclass(frozen=True)
class ChecklistAnswer:
    item: str  # a code of core.review.CHECKLIST
    ok: bool  # 是 / 否
    note: str = ""


@dataclass(frozen=True)
class ReviewRow:
    review_id: str
    case_id: str
    case_number: str
    summary: str
    round: int
    status: str
    status_label: str
    submitted_by: str
    submitted_at: datetime
    due_on: date
    overdue: bool
    reviewer: str
    major_reasons: tuple[str, ...]


@dataclass(frozen=True)
class ReviewState:
    """What the case shows about review: required or not and why, the latest round, staleness."""

    required: bool
    reasons: tuple[str, ...]
    latest: ReviewRow | None
    passed: bool
    stale: bool
    changed: tuple[str, ...]
    discussion_required: bool
    discussion_done: bool


@dataclass(frozen=True)
class ChecklistLine:
    item: str
    label: str
    ok: bool
    answer: str  # 是 / 否 as the reviewer gave it (core.review.answer_text)
    note: str


@dataclass(frozen=True)
class RoundView:
    """One review round as the case shows it: status, the signed opinion and who signed with which key."""

    review_id: str
    round: int
    status: str
    status_label: str
    submitted_by: str
    submitted_at: datetime
    due_on: date
    extended: bool
    overdue: bool
    package_hash: str
    reviewer: str
    opinion: str
    opinion_text: str
    signed_at: datetime | None
    fingerprint: str  # of the reviewer's public key ("" until signed)
    head_name: str
    head_fingerprint: str
    checklist: tuple[ChecklistLine, ...]


@dataclass(frozen=True)
class LeaderOpinion:
    user_id: str
    name: str
    opinion: str
    reasons: str
    method: str  # "signature" | "paper" | "" (not confirmed yet)
    fingerprint: str
    note: str  # where the paper signature is kept
    at: datetime | None
    valid: bool  # the confirmation checks out (a paper one is taken as recorded)


@dataclass(frozen=True)
class DiscussionView:
    discussion_id: str
    held_on: date
    place: str
    chair: str
    recorder: str
    attendees: tuple[tuple[str, str], ...]
    report: str
    conclusion: str
    opinions: tuple[LeaderOpinion, ...]
    content_hash: str
    created_at: datetime

    @property
    def confirmed(self) -> int:
        return sum(1 for o in self.opinions if o.method and o.valid)


@dataclass(frozen=True)
class DiscussionInput:
    held_on: date
    place: str
    recorder: str
    report: str
    conclusion: str
    # (user id of a leader, opinion, reasons)
    opinions: tuple[tuple[str, str, str], ...]
    attendees: tuple[tuple[str, str], ...] = ()  # (name, post)
    chair: str = ""


@dataclass(frozen=True)
class VerificationReport:
    ok: bool
    checked: int
    problems: list[str] = field(default_factory=list)


def _case(session: Session, case_id: str) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound("案件不存在")
    return case


def _handlers(session: Session, case_id: str) -> set[str]:
    return set(session.execute(select(CaseOfficer.user_id).where(CaseOfficer.case_id == case_id)).scalars())


def latest_review(session: Session, case_id: str) -> LegalReview | None:
    return session.execute(
        select(LegalReview).where(LegalReview.case_id == case_id).order_by(LegalReview.round.desc()).limit(1)
    ).scalar_one_or_none()


def latest_discussion(session: Session, case_id: str) -> CollectiveDiscussion | None:
    return session.execute(
        select(CollectiveDiscussion)
        .where(CollectiveDiscussion.case_id == case_id)
        .order_by(CollectiveDiscussion.created_at.desc())
        .limit(1)
    ).scalar_one_or_none()


def stored_review_message(review: LegalReview) -> bytes:
    """The bytes the reviewer signed, rebuilt from the stored round (what verification checks)."""
    return signed_content(
        review_id=review.id,
        case_id=review.case_id,
        round_no=review.round,
        package_hash=review.package_hash,
        opinion=review.opinion,
        opinion_text=review.opinion_text,
        checklist=review.checklist,
        reviewer_id=review.reviewer_id or "",
        signed_at=review.signed_at.isoformat() if review.signed_at else "",
    )


def review_problems(session: Session, case: Case) -> list[str]:
    """The decision gate's view of review (rule 6): required, passed, signed and not stale."""
    if not case.is_major:
        return []
    review = latest_review(session, case.id)
    if review is None or review.status == PENDING:
        return ["重大执法决定须经法制审核，尚未审核"]
    if review.status != PASSED:
        return [f"法制审核意见为“{review.opinion}”，须修改后重新提交审核"]
    message = stored_review_message(review)
    if not (
        crypto.verify(review.public_key, message, review.signature)
        and signing_keys.key_belongs(session, review.reviewer_id, review.public_key)
    ):
        return ["法制审核签名无效或被篡改，视为未审核"]
    current = build_package(session, case)
    if package_hash(current) != review.package_hash:
        changed = "、".join(changed_sections(review.package, current))
        return [f"法制审核后案件内容已变化（{changed}），须重新提交审核"]
    return []


def discussion_problems(session: Session, case: Case) -> list[str]:
    """Rule 7: a required discussion exists and at least two leaders confirmed it."""
    if not (case.is_major or case.discussion_required):
        return []
    discussion = latest_discussion(session, case.id)
    if discussion is None:
        return ["本案须经行政机关负责人集体讨论决定，尚无集体讨论记录"]
    confirmed = [c for c in discussion.confirmations if _confirmation_valid(session, discussion, c)]
    if len(confirmed) < 2:
        return [f"集体讨论记录须经参加讨论的负责人签名确认（已确认 {len(confirmed)} 人，至少 2 人）"]
    return []


def _discussion_message(discussion: CollectiveDiscussion, user_id: str) -> bytes:
    return canonical_json(
        {
            "purpose": "collective_discussion",
            "id": discussion.id,
            "hash": discussion.content_hash,
            "user": user_id,
        }
    )


def _confirmation_valid(session: Session, discussion: CollectiveDiscussion, c: dict[str, Any]) -> bool:
    if c.get("method") == "paper":
        return True
    return crypto.verify(
        c.get("public_key", ""), _discussion_message(discussion, c["user_id"]), c.get("signature", "")
    ) and (signing_keys.key_belongs(session, c["user_id"], c.get("public_key", "")))


def approval_message(approval: Approval) -> bytes:
    return canonical_json(
        {
            "purpose": "approval",
            "case_id": approval.case_id,
            "kind": approval.kind,
            "approved": approval.approved,
            "opinion": approval.opinion,
            "approver_id": approval.approver_id,
            "at": approval.at.isoformat(),
        }
    )


class ReviewService(Service):
    def _refresh_due(self, session: Session, case: Case) -> None:
        """Keep the case's next deadline current (the review clock starts and stops here)."""
        from brigade_desk.core.services.procedure import refresh_next_due  # procedure imports this module

        refresh_next_due(session, self.store, case, beijing_today(self.clock()))

    # --- submission -----------------------------------------------------------------------------

    @operation(Permission.CASE_EDIT)
    def submit(self, actor: Actor, case_id: str) -> str:
        """Submit the case's review package; returns the review round's id."""
        with self.store.write() as session:
            case = _case(session, case_id)
            if case.state not in (
                CaseState.NOTICE_SERVED.value,
                CaseState.HEARING.value,
                CaseState.LEGAL_REVIEW.value,
            ):
                now = STATE_LABELS.get(CaseState(case.state), case.state)
                raise RuleViolation(f"案件当前为“{now}”，事先告知后方可提交法制审核")
            previous = latest_review(session, case.id)
            if previous is not None and previous.status == PENDING:
                raise RuleViolation("已有一轮审核尚在进行，不能重复提交")
            package = build_package(session, case)
            today = beijing_today(self.clock())
            due = load_calendar(session).add_workdays(
                today, read_setting(self.store, "legal_review_workdays")
            )
            review = LegalReview(
                case_id=case.id,
                round=(previous.round + 1) if previous else 1,
                package=package,
                package_hash=package_hash(package),
                submitted_by=actor.user_id or None,
                submitted_by_name=actor.display_name,
                submitted_at=self.clock(),
                due_on=due,
            )
            session.add(review)
            session.flush()
            session.add(
                CaseStep(
                    case_id=case.id,
                    kind=EventKind.LEGAL_REVIEW_SUBMITTED.value,
                    on=today,
                    detail={"review_id": review.id},
                    recorded_by=actor.user_id or None,
                    recorded_at=self.clock(),
                )
            )
            if case.state != CaseState.LEGAL_REVIEW.value:
                case.state = CaseState.LEGAL_REVIEW.value
            session.flush()
            self._refresh_due(session, case)
            audit.record(
                session,
                actor,
                audit.Change(
                    "review.submit",
                    "case",
                    case.id,
                    f"提交法制审核（第{review.round}轮，材料摘要 {review.package_hash[:12]}）",
                    after={"review_id": review.id, "package_hash": review.package_hash},
                ),
            )
            return review.id

    @operation(Permission.CASE_APPROVE)
    def extend(self, actor: Actor, review_id: str, opinion: str) -> date:
        """The leader's approval of 3 more working days (once)."""
        with self.store.write() as session:
            review = self._review(session, review_id)
            if review.status != PENDING:
                raise RuleViolation("该轮审核已结束，无需延期")
            if review.extended:
                raise RuleViolation("审核期限已延长过一次")
            review.due_on = load_calendar(session).add_workdays(review.due_on, 3)
            review.extended = True
            session.add(
                CaseStep(
                    case_id=review.case_id,
                    kind=EventKind.LEGAL_REVIEW_EXTENDED.value,
                    on=beijing_today(self.clock()),
                    extension_days=3,
                    detail={},
                    recorded_by=actor.user_id or None,
                    recorded_at=self.clock(),
                )
            )
            audit.record(
                session,
                actor,
                audit.Change(
                    "review.extend",
                    "case",
                    review.case_id,
                    f"批准审核期限延长至{review.due_on}",
                    after={"opinion": opinion},
                ),
            )
            return review.due_on

    # --- the reviewer's desk --------------------------------------------------------------------

    @operation(Permission.CASE_VIEW)
    def queue(self, actor: Actor, *, pending_only: bool = True) -> list[ReviewRow]:
        """Review rounds, overdue first, then by due date."""
        today = beijing_today(self.clock())
        with self.store.read() as session:
            query = select(LegalReview, Case).join(Case, Case.id == LegalReview.case_id)
            if pending_only:
                query = query.where(LegalReview.status == PENDING)
            rows = [self._row(r, c, today) for r, c in session.execute(query)]
        return sorted(rows, key=lambda r: (not r.overdue, r.due_on, r.submitted_at))

    def _row(self, review: LegalReview, case: Case, today: date) -> ReviewRow:
        return ReviewRow(
            review.id,
            case.id,
            case.case_number or "",
            case.summary,
            review.round,
            review.status,
            STATUS_LABELS[review.status],
            review.submitted_by_name,
            review.submitted_at,
            review.due_on,
            review.status == PENDING and review.due_on < today,
            review.reviewer_name,
            tuple(case.major_reasons),
        )

    @operation(Permission.CASE_VIEW)
    def package(self, actor: Actor, review_id: str) -> dict[str, Any]:
        with self.store.read() as session:
            return dict(self._review(session, review_id).package)

    @operation(Permission.LEGAL_REVIEW)
    def sign(
        self,
        actor: Actor,
        review_id: str,
        checklist: Sequence[ChecklistAnswer],
        opinion: str,
        opinion_text: str,
        password: str,
        *,
        head_login: str | None = None,
        head_password: str | None = None,
    ) -> str:
        """The reviewer's signed opinion over the package hash; returns the review's new status."""
        errors = self._check_answers(checklist, opinion, opinion_text)
        if errors:
            raise ValidationError(errors)
        with self.store.write() as session:
            review = self._review(session, review_id)
            case = _case(session, review.case_id)
            if review.status != PENDING:
                raise RuleViolation("该轮审核已出具意见")
            reviewer = session.get(User, actor.user_id)
            if reviewer is None or not reviewer.legal_review_qualified:
                raise PermissionDenied("审核人员须具有法制审核资格（初次从事法制审核须取得法律职业资格）")
            if reviewer.id in _handlers(session, case.id):
                raise PermissionDenied(f"{reviewer.display_name}是本案承办人员，不能审核本案（职能分离）")
            if package_hash(build_package(session, case)) != review.package_hash:
                raise RuleViolation("提交审核后案件内容已变化，请退回由承办人员重新提交")
            now = self.clock()
            answers = [{"item": a.item, "ok": a.ok, "note": a.note.strip()} for a in checklist]
            message = signed_content(
                review_id=review.id,
                case_id=case.id,
                round_no=review.round,
                package_hash=review.package_hash,
                opinion=opinion,
                opinion_text=opinion_text.strip(),
                checklist=answers,
                reviewer_id=reviewer.id,
                signed_at=now.isoformat(),
            )
            public_key, signature = signing_keys.sign_as(session, reviewer.id, password, message)
            if read_setting(self.store, "review_requires_head_signature"):
                self._head_signs(session, review, reviewer, head_login, head_password, message)
            review.reviewer_id, review.reviewer_name = reviewer.id, reviewer.display_name
            review.checklist, review.opinion, review.opinion_text = answers, opinion, opinion_text.strip()
            review.signed_at, review.public_key, review.signature = now, public_key, signature
            review.status = OPINION_STATUS[opinion]
            session.flush()
            self._refresh_due(session, case)
            session.add(
                CaseStep(
                    case_id=case.id,
                    kind=EventKind.LEGAL_REVIEW_COMPLETED.value,
                    on=beijing_today(now),
                    note=opinion_text.strip(),
                    detail={"passed": review.status == PASSED, "review_id": review.id},
                    recorded_by=reviewer.id,
                    recorded_at=now,
                )
            )
            audit.record(
                session,
                actor,
                audit.Change(
                    "review.sign",
                    "case",
                    case.id,
                    f"法制审核意见（第{review.round}轮）：{opinion}",
                    after={
                        "review_id": review.id,
                        "opinion": opinion,
                        "package_hash": review.package_hash,
                        "fingerprint": crypto.fingerprint(public_key),
                    },
                ),
            )
            return review.status

    def _head_signs(
        self,
        session: Session,
        review: LegalReview,
        reviewer: User,
        login: str | None,
        password: str | None,
        message: bytes,
    ) -> None:
        if not login or not password:
            raise ValidationError.single(
                "法制机构负责人签名", "本单位设置要求法制机构负责人签名，缺少签名视为未审核"
            )
        head = session.execute(select(User).where(User.login == login)).scalar_one_or_none()
        if head is None or not head.legal_review_qualified or head.id == reviewer.id:
            raise ValidationError.single("法制机构负责人", "须为审核人以外、具有法制审核资格的人员")
        review.head_public_key, review.head_signature = signing_keys.sign_as(
            session, head.id, password, message
        )
        review.head_id, review.head_name = head.id, head.display_name

    @staticmethod
    def _check_answers(checklist: Sequence[ChecklistAnswer], opinion: str, text: str) -> list[FieldError]:
        errors: list[FieldError] = []
        answered = {a.item for a in checklist}
        for code, label in CHECKLIST:
            if code not in answered:
                errors.append(FieldError(label, "请逐项填写审核意见（是/否）"))
        for a in checklist:
            if not a.ok and not a.note.strip():
                label = dict(CHECKLIST).get(a.item, a.item)
                errors.append(FieldError(label, "选择“否”时须写明存在的问题"))
        if opinion not in OPINIONS:
            errors.append(FieldError("审核结论", "请选择：" + "、".join(OPINIONS)))
        if not text.strip():
            errors.append(FieldError("审核意见", "请写明审核意见，不能只写“同意”二字以外的空白"))
        return errors

    def _review(self, session: Session, review_id: str) -> LegalReview:
        review = session.get(LegalReview, review_id)
        if review is None:
            raise NotFound("审核记录不存在")
        return review

    # --- reading and verifying --------------------------------------------------------------------

    @operation(Permission.CASE_VIEW)
    def state(self, actor: Actor, case_id: str) -> ReviewState:
        with self.store.read() as session:
            case = _case(session, case_id)
            review = latest_review(session, case.id)
            row = self._row(review, case, beijing_today(self.clock())) if review else None
            current = build_package(session, case)
            stale = bool(review and review.status == PASSED and package_hash(current) != review.package_hash)
            changed = tuple(changed_sections(review.package, current)) if (review and stale) else ()
            return ReviewState(
                case.is_major,
                tuple(case.major_reasons),
                row,
                bool(review and review.status == PASSED),
                stale,
                changed,
                case.is_major or case.discussion_required,
                not discussion_problems(session, case),
            )

    @operation(Permission.CASE_VIEW)
    def rounds(self, actor: Actor, case_id: str) -> list[RoundView]:
        """Every review round of the case, newest first, with the signers' key fingerprints."""
        today = beijing_today(self.clock())
        with self.store.read() as session:
            _case(session, case_id)
            reviews = session.execute(
                select(LegalReview).where(LegalReview.case_id == case_id).order_by(LegalReview.round.desc())
            ).scalars()
            return [round_view(r, today) for r in reviews]

    @operation(Permission.CASE_VIEW)
    def discussions(self, actor: Actor, case_id: str) -> list[DiscussionView]:
        """The case's collective-discussion records, newest first, each leader's confirmation checked."""
        with self.store.read() as session:
            _case(session, case_id)
            rows = session.execute(
                select(CollectiveDiscussion)
                .where(CollectiveDiscussion.case_id == case_id)
                .order_by(CollectiveDiscussion.created_at.desc())
            ).scalars()
            return [discussion_view(session, d) for d in rows]

    @operation(Permission.CASE_VIEW)
    def verify_case(self, actor: Actor, case_id: str) -> VerificationReport:
        """Check every signature on the case (reviews, approvals, discussion) and staleness."""
        problems: list[str] = []
        checked = 0
        with self.store.read() as session:
            case = _case(session, case_id)
            for review in session.execute(
                select(LegalReview).where(LegalReview.case_id == case.id, LegalReview.signature != "")
            ).scalars():
                checked += 1
                message = stored_review_message(review)
                if not crypto.verify(review.public_key, message, review.signature):
                    problems.append(f"第{review.round}轮法制审核签名无效（内容或签名被改动）")
                elif not signing_keys.key_belongs(session, review.reviewer_id, review.public_key):
                    problems.append(
                        f"第{review.round}轮法制审核签名所用密钥不属于审核人{review.reviewer_name}"
                    )
                if review.head_signature and not crypto.verify(
                    review.head_public_key, message, review.head_signature
                ):
                    problems.append(f"第{review.round}轮法制机构负责人签名无效")
            for approval in session.execute(
                select(Approval).where(Approval.case_id == case.id, Approval.signature != "")
            ).scalars():
                checked += 1
                if not (
                    crypto.verify(approval.public_key, approval_message(approval), approval.signature)
                    and signing_keys.key_belongs(session, approval.approver_id, approval.public_key)
                ):
                    problems.append(f"{approval.approver_name}的审批（{approval.kind}）签名无效")
            for discussion in session.execute(
                select(CollectiveDiscussion).where(CollectiveDiscussion.case_id == case.id)
            ).scalars():
                if digest(_discussion_content(discussion)) != discussion.content_hash:
                    problems.append("集体讨论记录的内容与其摘要不符（记录被改动）")
                for c in discussion.confirmations:
                    checked += 1
                    if not _confirmation_valid(session, discussion, c):
                        problems.append(f"{c.get('name', '')}对集体讨论记录的签名无效")
            stale = [p for p in review_problems(session, case) if "已变化" in p or "签名无效" in p]
            problems += stale
        return VerificationReport(not problems, checked, problems)

    # --- collective discussion ---------------------------------------------------------------------

    @operation(Permission.CASE_EDIT)
    def record_discussion(self, actor: Actor, case_id: str, data: DiscussionInput) -> str:
        """集体讨论记录: at least two organ leaders, each opinion and its reasons, the conclusion."""
        errors: list[FieldError] = []
        for name, value in (
            ("讨论地点", data.place),
            ("记录人", data.recorder),
            ("案情汇报", data.report),
            ("讨论结论", data.conclusion),
        ):
            if not value.strip():
                errors.append(FieldError(name, "请填写"))
        if any(not opinion.strip() for _, opinion, _ in data.opinions):
            errors.append(FieldError("参加人员意见", "每位负责人须发表意见"))
        if errors:
            raise ValidationError(errors)
        with self.store.write() as session:
            case = _case(session, case_id)
            ids = [u for u, _, _ in data.opinions]
            leaders = {
                u.id: u
                for u in session.execute(select(User).where(User.id.in_(ids))).scalars()
                if u.is_leader
            }
            if len(leaders) < 2:
                raise RuleViolation("集体讨论须有两名以上行政机关负责人参加并发表意见")
            discussion = CollectiveDiscussion(
                case_id=case.id,
                held_on=data.held_on,
                place=data.place.strip(),
                chair=data.chair.strip(),
                recorder=data.recorder.strip(),
                attendees=[{"name": n, "post": p} for n, p in data.attendees],
                report=data.report.strip(),
                opinions=[
                    {"user_id": u, "name": leaders[u].display_name, "opinion": o, "reasons": r}
                    for u, o, r in data.opinions
                    if u in leaders
                ],
                conclusion=data.conclusion.strip(),
                confirmations=[],
                content_hash="",
                created_at=self.clock(),
                created_by=actor.user_id or None,
            )
            session.add(discussion)
            session.flush()
            discussion.content_hash = digest(_discussion_content(discussion))
            session.add(
                CaseStep(
                    case_id=case.id,
                    kind="collective_discussion",
                    on=data.held_on,
                    note=data.conclusion.strip(),
                    detail={"discussion_id": discussion.id},
                    recorded_by=actor.user_id or None,
                    recorded_at=self.clock(),
                )
            )
            audit.record(
                session,
                actor,
                audit.Change(
                    "discussion.record",
                    "case",
                    case.id,
                    f"集体讨论：{data.conclusion.strip()}",
                    after={"discussion_id": discussion.id, "hash": discussion.content_hash},
                ),
            )
            return discussion.id

    @operation(Permission.CASE_APPROVE)
    def confirm_discussion(self, actor: Actor, discussion_id: str, password: str) -> None:
        """A participating leader confirms the record by signing it (signed in as themselves)."""
        with self.store.write() as session:
            discussion = self._discussion(session, discussion_id)
            if actor.user_id not in {o["user_id"] for o in discussion.opinions}:
                raise PermissionDenied("只有参加讨论的负责人可以签名确认")
            if any(c["user_id"] == actor.user_id for c in discussion.confirmations):
                raise RuleViolation("您已签名确认")
            public_key, signature = signing_keys.sign_as(
                session, actor.user_id, password, _discussion_message(discussion, actor.user_id)
            )
            discussion.confirmations = [
                *discussion.confirmations,
                {
                    "user_id": actor.user_id,
                    "name": actor.display_name,
                    "method": "signature",
                    "public_key": public_key,
                    "signature": signature,
                    "at": self.clock().isoformat(),
                },
            ]
            audit.record(
                session,
                actor,
                audit.Change(
                    "discussion.confirm",
                    "case",
                    discussion.case_id,
                    f"{actor.display_name}签名确认集体讨论记录",
                ),
            )

    @operation(Permission.CASE_EDIT)
    def record_paper_signature(self, actor: Actor, discussion_id: str, leader_id: str, note: str) -> None:
        """When the discussion was signed on paper: who signed, recorded by the person entering it."""
        if not note.strip():
            raise ValidationError.single("说明", "请写明纸质签名的存放位置（如案卷页码）")
        with self.store.write() as session:
            discussion = self._discussion(session, discussion_id)
            match = next((o for o in discussion.opinions if o["user_id"] == leader_id), None)
            if match is None:
                raise ValidationError.single("负责人", "该人员未参加本次讨论")
            if any(c["user_id"] == leader_id for c in discussion.confirmations):
                raise RuleViolation("该负责人已确认")
            discussion.confirmations = [
                *discussion.confirmations,
                {
                    "user_id": leader_id,
                    "name": match["name"],
                    "method": "paper",
                    "note": note.strip(),
                    "recorded_by": actor.display_name,
                    "at": self.clock().isoformat(),
                },
            ]
            audit.record(
                session,
                actor,
                audit.Change(
                    "discussion.paper",
                    "case",
                    discussion.case_id,
                    f"登记{match['name']}的纸质签名：{note.strip()}",
                ),
            )

    def _discussion(self, session: Session, discussion_id: str) -> CollectiveDiscussion:
        discussion = session.get(CollectiveDiscussion, discussion_id)
        if discussion is None:
            raise NotFound("集体讨论记录不存在")
        return discussion


def _discussion_content(d: CollectiveDiscussion) -> dict[str, Any]:
    return {
        "case_id": d.case_id,
        "held_on": d.held_on,
        "place": d.place,
        "chair": d.chair,
        "recorder": d.recorder,
        "attendees": d.attendees,
        "report": d.report,
        "opinions": d.opinions,
        "conclusion": d.conclusion,
    }


def round_view(review: LegalReview, today: date) -> RoundView:
    return RoundView(
        review_id=review.id,
        round=review.round,
        status=review.status,
        status_label=STATUS_LABELS[review.status],
        submitted_by=review.submitted_by_name,
        submitted_at=review.submitted_at,
        due_on=review.due_on,
        extended=review.extended,
        overdue=review.status == PENDING and review.due_on < today,
        package_hash=review.package_hash,
        reviewer=review.reviewer_name,
        opinion=review.opinion,
        opinion_text=review.opinion_text,
        signed_at=review.signed_at,
        fingerprint=crypto.fingerprint(review.public_key) if review.public_key else "",
        head_name=review.head_name,
        head_fingerprint=crypto.fingerprint(review.head_public_key) if review.head_public_key else "",
        checklist=tuple(
            ChecklistLine(
                str(a["item"]),
                checklist_label(str(a["item"])),
                bool(a["ok"]),
                answer_text(str(a["item"]), bool(a["ok"])),
                str(a.get("note", "")),
            )
            for a in review.checklist
        ),
    )


def discussion_view(session: Session, d: CollectiveDiscussion) -> DiscussionView:
    confirmations = {c["user_id"]: c for c in d.confirmations}
    opinions = []
    for o in d.opinions:
        c = confirmations.get(o["user_id"])
        opinions.append(
            LeaderOpinion(
                user_id=o["user_id"],
                name=o["name"],
                opinion=o["opinion"],
                reasons=o.get("reasons", ""),
                method=c.get("method", "") if c else "",
                fingerprint=crypto.fingerprint(c["public_key"]) if c and c.get("public_key") else "",
                note=c.get("note", "") if c else "",
                at=datetime.fromisoformat(c["at"]) if c and c.get("at") else None,
                valid=c is not None and _confirmation_valid(session, d, c),
            )
        )
    return DiscussionView(
        discussion_id=d.id,
        held_on=d.held_on,
        place=d.place,
        chair=d.chair,
        recorder=d.recorder,
        attendees=tuple((a.get("name", ""), a.get("post", "")) for a in d.attendees),
        report=d.report,
        conclusion=d.conclusion,
        opinions=tuple(opinions),
        content_hash=d.content_hash,
        created_at=d.created_at,
    )


# --- what the documents print (core.documents.binding) -----------------------------------------------


def review_facts(session: Session, case_id: str) -> tuple[binding.ReviewFacts, ...]:
    """The case's review rounds, oldest first, for the 法制审核意见书."""
    rows = session.execute(
        select(LegalReview).where(LegalReview.case_id == case_id).order_by(LegalReview.round)
    ).scalars()
    out = []
    for r in rows:
        signatures = []
        if r.public_key:
            signatures.append(
                binding.SignatureFacts(
                    r.reviewer_name, "审核人", r.signed_at, crypto.fingerprint(r.public_key)
                )
            )
        if r.head_public_key:
            signatures.append(
                binding.SignatureFacts(
                    r.head_name, "法制机构负责人", r.signed_at, crypto.fingerprint(r.head_public_key)
                )
            )
        out.append(
            binding.ReviewFacts(
                round=r.round,
                status=r.status,
                submitted_on=beijing_today(r.submitted_at),
                package_hash=r.package_hash,
                opinion=r.opinion,
                opinion_text=r.opinion_text,
                checklist=tuple(
                    (
                        checklist_label(str(a["item"])),
                        answer_text(str(a["item"]), bool(a["ok"])),
                        str(a.get("note", "")),
                    )
                    for a in r.checklist
                ),
                reviewer=r.reviewer_name,
                head=r.head_name,
                signed_at=r.signed_at,
                signatures=tuple(signatures),
            )
        )
    return tuple(out)


def discussion_facts(session: Session, case_id: str) -> tuple[binding.DiscussionFacts, ...]:
    """The case's collective discussions, oldest first, with each leader's confirmation."""
    rows = session.execute(
        select(CollectiveDiscussion)
        .where(CollectiveDiscussion.case_id == case_id)
        .order_by(CollectiveDiscussion.created_at)
    ).scalars()
    out = []
    for d in rows:
        view = discussion_view(session, d)
        out.append(
            binding.DiscussionFacts(
                held_on=d.held_on,
                place=d.place,
                chair=d.chair,
                recorder=d.recorder,
                report=d.report,
                conclusion=d.conclusion,
                opinions=tuple((o.name, o.opinion, o.reasons) for o in view.opinions),
                attendees=view.attendees,
                confirmations=tuple(
                    binding.SignatureFacts(o.name, "负责人", o.at, o.fingerprint, o.note)
                    for o in view.opinions
                    if o.method and o.valid
                ),
                content_hash=d.content_hash,
            )
        )
    return tuple(out)
