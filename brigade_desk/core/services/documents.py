"""Documents of a case: drafts, issuing (签发) with number and frozen PDF, voiding, corrections,
service (送达), verification, and the case file (案卷) with its self-check.

Issuing is one transaction: the number is taken (per township, 文书代字 and year; gapless, never
reused), every merged value is frozen in a snapshot, the PDF is rendered with a QR code (number,
township area code, short hash) and stored by SHA-256. A reprint returns those stored bytes.
Recording the service of a prior notice, a decision or a 催告书 also records the procedure's step
(its gates included), so the service date starts the clocks (docs/documents.md).
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from pypdf import PdfReader
from pypdf.errors import PyPdfError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from brigade_desk.core import audit, files
from brigade_desk.core.canonical import canonical_json, sha256_hex
from brigade_desk.core.documents import (
    FormDef,
    FormLibrary,
    MissingFieldsError,
    ValueFormatError,
    format_doc_number,
    missing_required,
    render_docx,
    render_pdf,
)
from brigade_desk.core.documents import binding as b
from brigade_desk.core.documents import casefile as cf
from brigade_desk.core.documents.errors import DocumentError, FormDefinitionError, FormNotFoundError
from brigade_desk.core.documents.result import RenderedDocument
from brigade_desk.core.errors import FieldError, NotFound, RuleViolation, ValidationError
from brigade_desk.core.model import (
    Approval,
    Attachment,
    Case,
    CaseDiscretion,
    CaseOfficer,
    CaseParty,
    CasePowerItem,
    CaseStep,
    Delivery,
    Document,
    Evidence,
    InvestigationRecord,
    LegalProvision,
    Organ,
    Party,
    PowerItem,
    User,
    VoidedNumber,
)
from brigade_desk.core.numbering import take_next
from brigade_desk.core.rules import gates
from brigade_desk.core.rules.discretion_engine import DiscretionResult
from brigade_desk.core.rules.gates import certificate_valid_on
from brigade_desk.core.rules.money import format_yuan
from brigade_desk.core.rules.permissions import Actor, Permission
from brigade_desk.core.rules.procedure import STATE_LABELS, CaseState
from brigade_desk.core.services.base import Service, ensure_unchanged, operation
from brigade_desk.core.services.form_packs import stored_digest, stored_pack
from brigade_desk.core.services.procedure import DELIVERY_MODES, DIRECT_DELIVERY_MODES, ProcedureService
from brigade_desk.core.services.reviews import discussion_facts, review_facts
from brigade_desk.core.services.settings import read_setting
from brigade_desk.core.timeutil import beijing_today
from brigade_desk.core.timeutil import format_date as cn_date

log = logging.getLogger(__name__)

Format = Literal["pdf", "docx"]

STATUS_LABELS = {"draft": "草稿", "issued": "已签发", "voided": "已作废"}
QR_PREFIX = "BDDOC1"
_QR_RE = re.compile(r"BDDOC1\|[^,]*")
PUBLIC_NOTICE_DAYS = 30  # 公告送达: deemed served 30 days after publication (CPL Art 95)

# Forms made from one 笔录 of the case (the record's kind).
FORM_RECORD_KINDS = {
    "inspection_record": "inspection",
    "inquiry_record": "inquiry",
    "statement_record": "statement",
}
# What each state of the case calls for (DOMAIN.md 1.5, 7.2).
STATE_FORMS: dict[str, tuple[str, ...]] = {
    "pending_filing": ("filing_approval", "no_filing_approval"),
    "not_filed": ("no_filing_approval",),
    "filed": ("inspection_record", "inquiry_record", "delivery_address", "rectification_notice"),
    "investigating": (
        "inspection_record",
        "inquiry_record",
        "delivery_address",
        "rectification_notice",
        "preservation_notice",
        "preservation_decision",
        "seizure_decision",
        "investigation_report",
    ),
    "investigation_closed": ("investigation_report", "prior_notice", "delivery_receipt"),
    "notice_served": ("statement_record", "hearing_notice", "delivery_receipt"),
    "hearing": ("hearing_notice", "hearing_record", "hearing_report", "delivery_receipt"),
    "legal_review": ("legal_review_opinion", "collective_discussion"),
    "decided": ("penalty_decision", "delivery_receipt"),
    "decided_no_penalty": ("no_penalty_decision", "delivery_receipt"),
    "decision_served": ("closing_approval",),
    "performing": ("deferral_decision", "delivery_receipt"),
    "overdue": ("demand_notice", "delivery_receipt"),
    "urged": ("enforcement_application", "delivery_receipt"),
    "paid": ("closing_approval",),
    "court_applied": ("closing_approval",),
    "withdrawn": ("closing_approval",),
    "transferred": ("closing_approval",),
    "closed": (),
    "archived": (),
    "on_the_spot": ("on_the_spot_decision", "delivery_receipt"),
}
# Outward documents that must be served on the party (the others go to a court, or are signed by
# the party, or are the receipt itself).
NOT_SERVED = frozenset({"delivery_receipt", "delivery_address", "enforcement_application"})
# Modes after which a 送达回证 belongs in the file (public notice and e-service have their own proof).
RECEIPT_MODES = frozenset({"直接送达", "留置送达", "邮寄送达", "委托送达"})
ARCHIVE_FORMS = frozenset({"case_cover", "case_index", "case_notes"})
# Issuing these requires the procedure to have reached the act they record.
ISSUE_GATES: dict[str, tuple[tuple[str, ...], str]] = {
    "penalty_decision": (("penalty_decided",), "负责人作出行政处罚决定后方可签发行政处罚决定书"),
    "no_penalty_decision": (
        ("no_penalty_decided",),
        "负责人作出不予行政处罚决定后方可签发不予行政处罚决定书",
    ),
    "on_the_spot_decision": (("penalty_decided",), "当场处罚决定登记后方可签发当场行政处罚决定书"),
    "investigation_report": (("investigation_closed",), "调查终结后方可签发案件调查终结报告"),
    "closing_approval": (("closed", "withdrawn", "transferred"), "负责人审批结案后方可签发结案审批表"),
}
# Archive order (DOMAIN.md 5.1, "行政处罚案卷装订规范"): main volume documents, served documents with
# their receipts, evidence, then internal documents.
ARCHIVE_ORDER: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("立案", ("filing_approval", "no_filing_approval")),
    ("处罚决定", ("penalty_decision", "no_penalty_decision", "on_the_spot_decision", "correction_notice")),
    (
        "送达当事人的其他文书",
        (
            "prior_notice",
            "hearing_notice",
            "rectification_notice",
            "preservation_notice",
            "preservation_decision",
            "seizure_decision",
            "deferral_decision",
            "demand_notice",
            "delivery_address",
        ),
    ),
    ("证据材料", ("inquiry_record", "statement_record", "inspection_record", "hearing_record")),
    (
        "内部文书",
        (
            "investigation_report",
            "hearing_report",
            "legal_review_opinion",
            "collective_discussion",
            "enforcement_application",
            "closing_approval",
        ),
    ),
)


class MissingDataError(ValidationError):
    """What is still missing to make a document: one Chinese list of everything to fill in."""

    def __init__(self, title: str, missing: Sequence[str]) -> None:
        super().__init__([FieldError(m, "请填写") for m in missing])
        self.missing = list(missing)
        self.message = f"生成《{title}》还需填写：" + "、".join(self.missing)
        self.args = (self.message,)


# --- inputs and views -------------------------------------------------------------------------


@dataclass(frozen=True)
class GenerateOptions:
    """What is chosen when a document is generated."""

    case_id: str
    form_id: str
    officer_ids: tuple[str, ...] = ()
    """The signing officers; empty: the case's handlers (never the person at the keyboard by default)."""
    inputs: Mapping[str, Any] = field(default_factory=dict)
    """Free fields and data the case records lack, by field name."""
    party_id: str | None = None
    record_id: str | None = None
    delivery_id: str | None = None
    doc_date: date | None = None


@dataclass(frozen=True)
class DeliveryInput:
    mode: str
    delivered_on: date
    server_ids: tuple[str, ...]
    place: str = ""
    addressee: str = ""
    delivered_at: datetime | None = None
    receiver: str = ""
    receiver_relation: str = ""
    refused: bool = False
    refusal_reason: str = ""
    witnesses: tuple[Mapping[str, str], ...] = ()
    av_evidence_id: str | None = None
    note: str = ""


@dataclass(frozen=True)
class DeliveryView:
    id: str
    document_id: str
    mode: str
    delivered_on: date
    effective_on: date
    place: str
    addressee: str
    receiver: str
    receiver_relation: str
    refused: bool
    refusal_reason: str
    witnesses: tuple[str, ...]
    av_evidence_id: str | None
    servers: tuple[str, ...]
    note: str
    recorded_by_name: str
    recorded_at: datetime
    receipt_id: str | None = None
    """The 送达回证 made from this service, when one was issued."""


@dataclass(frozen=True)
class DocumentView:
    id: str
    case_id: str
    form_id: str
    form_version: str
    title: str
    kind: str
    step: str
    status: str
    status_label: str
    doc_number: str
    doc_date: date | None
    party_id: str | None
    party_name: str
    officers: tuple[str, ...]
    officer_ids: tuple[str, ...]
    inputs: Mapping[str, Any]
    record_id: str | None
    subject_id: str | None
    delivery_id: str | None
    corrects_id: str | None
    issued_at: datetime | None
    issued_by_name: str
    page_count: int | None
    pdf_sha256: str | None
    verify_code: str
    void_reason: str
    needs_delivery: bool
    deliveries: tuple[DeliveryView, ...]
    version: int

    @property
    def label(self) -> str:
        return f"{self.title}（{self.doc_number}）" if self.doc_number else self.title


# The brigade's document worklists (the 文书 page): drafts not yet issued, and issued documents that
# go to a party and have no delivery recorded.
WORKLISTS = {"drafts": "待签发", "to_serve": "待送达"}


@dataclass(frozen=True)
class WorkItem:
    """One document on a worklist, with its case."""

    document_id: str
    case_id: str
    case_number: str  # "" before the case is numbered
    case_summary: str
    title: str
    party_name: str
    doc_number: str
    # Drafts: when last saved and by whom it was made; to serve: when and by whom it was issued.
    at: datetime | None
    by: str


@dataclass(frozen=True)
class Worklist:
    items: list[WorkItem]
    total: int  # all that match; `items` holds at most the limit asked for


@dataclass(frozen=True)
class FieldPrompt:
    """One item to ask for when generating, with what is filled so far."""

    name: str
    label: str
    type: str
    hint: str
    required: bool
    options: tuple[str, ...]
    multiple: bool
    keys: tuple[str, ...]
    key_labels: tuple[str, ...]
    value: Any
    missing: bool


@dataclass(frozen=True)
class OfficerChoice:
    user_id: str
    name: str
    certificate_no: str
    valid: bool


@dataclass(frozen=True)
class Preparation:
    form_id: str
    title: str
    kind: str
    numbered: bool
    doc_date: date
    fields: tuple[FieldPrompt, ...]
    officers: tuple[OfficerChoice, ...]
    default_officer_ids: tuple[str, ...]
    parties: tuple[tuple[str, str], ...]
    party_id: str | None
    records: tuple[tuple[str, str], ...]
    record_id: str | None
    missing: tuple[str, ...]


@dataclass(frozen=True)
class FormNeed:
    form_id: str
    title: str
    kind: str
    numbered: bool
    documents: tuple[DocumentView, ...]


@dataclass(frozen=True)
class StepNeeds:
    state: str
    state_label: str
    needed: tuple[FormNeed, ...]
    other_forms: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class RenderedFile:
    content: bytes
    format: str
    file_name: str
    page_count: int | None
    missing: tuple[str, ...] = ()

    @property
    def media_type(self) -> str:
        if self.format == "pdf":
            return "application/pdf"
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class Verification:
    """genuine: the file is the stored PDF of an issued document; changed: it names an issued
    document but its bytes differ; voided: genuine but the document was voided; unknown: not a
    document this store issued."""

    status: Literal["genuine", "changed", "voided", "unknown"]
    message: str
    document: DocumentView | None = None

    @property
    def ok(self) -> bool:
        return self.status == "genuine"


@dataclass(frozen=True)
class CheckItem:
    kind: Literal["missing", "unsigned", "unserved", "inconsistent"]
    message: str


@dataclass(frozen=True)
class SelfCheck:
    items: tuple[CheckItem, ...]

    @property
    def ok(self) -> bool:
        return not self.items

    def lines(self) -> list[str]:
        labels = {"missing": "缺少", "unsigned": "未签发", "unserved": "未送达", "inconsistent": "不一致"}
        return [f"［{labels[i.kind]}］{i.message}" for i in self.items]


@dataclass(frozen=True)
class CaseFileResult:
    content: bytes
    page_count: int
    documents: int
    check: SelfCheck
    bookmarks: tuple[str, ...]
    file_name: str


# --- helpers ------------------------------------------------------------------------------------


def _json_safe(value: Mapping[str, Any]) -> dict[str, Any]:
    """The value as the snapshot keeps it (dates as ISO text): what is rendered is what is stored."""
    out: dict[str, Any] = json.loads(canonical_json(value))
    return out


def _case(session: Session, case_id: str) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound("案件不存在")
    return case


def _doc(session: Session, document_id: str) -> Document:
    doc = session.get(Document, document_id)
    if doc is None:
        raise NotFound("文书不存在")
    return doc


def _person(user: User) -> b.PersonFacts:
    return b.PersonFacts(user.id, user.display_name, user.certificate_no, user.post, user.is_leader)


def _safe_name(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text).strip("_")


def parse_code(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", text).upper()


class DocumentService(Service):
    """Documents of a case from draft to case file."""

    _library: FormLibrary | None = None
    _library_key: tuple[str, bool] | None = None

    # --- plumbing ----------------------------------------------------------------------------------

    @property
    def library(self) -> FormLibrary:
        """The forms this store uses: the program's < the county's pack (from the store) < the
        township's own override directory (`<data dir>/forms`). The pack changes when a county
        bundle is imported (perhaps by another process or PC), so its digest is read on each use
        (names and hashes of a few dozen rows) and the library rebuilt when it changed."""
        override = self.store.data_dir / "forms"
        with self.store.read() as session:
            digest = stored_digest(session)
            key = (digest, override.is_dir())
            if self._library is not None and self._library_key == key:
                return self._library
            pack = stored_pack(session) if digest else {}
        township = override if key[1] else None
        try:
            library = FormLibrary(override_dir=township, county_pack=pack)
        except FormDefinitionError as exc:
            if not pack:
                raise
            # The pack was checked when it arrived; a newer program may no longer take it. The
            # program's forms (and the township's own) still work; `forms pack show` names the problem.
            log.warning(
                "county form pack %s does not load with this program's forms: %s", digest[:12], exc.message
            )
            library = FormLibrary(override_dir=township)
        self._library, self._library_key = library, key
        return library

    def _form(self, form_id: str) -> FormDef:
        library = self.library
        try:
            return library.get(form_id)
        except FormNotFoundError as exc:
            known = "、".join(f"{f.id}（{f.title}）" for f in library.forms()[:8])
            raise NotFound(
                f"{exc.message}；可用的文书格式例如：{known}……（brigade-desk forms list）"
            ) from None

    def _today(self) -> date:
        return beijing_today(self.clock())

    def _procedure(self) -> ProcedureService:
        return ProcedureService(self.store, self.clock)

    def _bundle(self, session: Session, case: Case) -> b.CaseBundle:
        organ = session.get(Organ, case.organ_id)
        assert organ is not None
        brigade = session.execute(
            select(Organ.name).where(Organ.parent_id == organ.id, Organ.kind == "brigade")
        ).scalar_one_or_none()
        users = {u.id: u for u in session.execute(select(User)).scalars()}
        people = {uid: _person(u) for uid, u in users.items()}
        parties = session.execute(
            select(Party)
            .join(CaseParty, CaseParty.party_id == Party.id)
            .where(CaseParty.case_id == case.id)
            .order_by(Party.created_at, Party.id)
        ).scalars()
        handlers = session.execute(
            select(CaseOfficer).where(CaseOfficer.case_id == case.id).order_by(CaseOfficer.duty.desc())
        ).scalars()
        steps = session.execute(
            select(CaseStep).where(CaseStep.case_id == case.id).order_by(CaseStep.on, CaseStep.recorded_at)
        ).scalars()
        evidence = list(
            session.execute(
                select(Evidence)
                .where(Evidence.case_id == case.id)
                .order_by(Evidence.collected_at, Evidence.id)
            ).scalars()
        )
        records = session.execute(
            select(InvestigationRecord)
            .where(InvestigationRecord.case_id == case.id)
            .order_by(InvestigationRecord.started_at)
        ).scalars()
        items = session.execute(
            select(PowerItem)
            .join(CasePowerItem, CasePowerItem.power_item_id == PowerItem.id)
            .where(CasePowerItem.case_id == case.id)
            .order_by(PowerItem.code)
        ).scalars()
        roles = {
            (p.law_name, f"{p.article}{p.paragraph}{p.item}"): p.role
            for p in session.execute(select(LegalProvision)).scalars()
        }
        approvals = session.execute(
            select(Approval).where(Approval.case_id == case.id).order_by(Approval.at)
        ).scalars()
        issued = session.execute(
            select(Document)
            .where(Document.case_id == case.id, Document.status == "issued")
            .order_by(Document.issued_at)
        ).scalars()
        return b.CaseBundle(
            case=b.CaseFacts(
                id=case.id,
                case_number=case.case_number or "",
                procedure=case.procedure,
                source=case.source,
                received_at=case.received_at,
                violation_date=case.violation_date,
                place=case.place,
                summary=case.summary,
                facts=case.facts,
                state=case.state,
                filed_on=case.filed_on,
                closed_on=case.closed_on,
                proposed_outcome=case.proposed_outcome,
                penalty_kinds=tuple(case.penalty_kinds),
                proposed_fine_fen=case.proposed_fine_fen,
                noticed_fine_fen=case.noticed_fine_fen,
                fine_fen=case.fine_fen,
                mitigation_ground=case.mitigation_ground,
                hearing_eligible=case.hearing_eligible,
                is_major=case.is_major,
                major_reasons=tuple(case.major_reasons),
            ),
            organ=b.OrganFacts(
                name=organ.name,
                doc_prefix=organ.doc_prefix,
                area_code=organ.area_code,
                credit_code=organ.credit_code,
                address=organ.address,
                phone=organ.phone,
                reconsideration_organ=organ.reconsideration_organ,
                court=organ.court,
                unit_name=brigade or organ.name.removesuffix("人民政府") + "综合行政执法队",
            ),
            parties=tuple(
                b.PartyFacts(
                    p.id,
                    p.kind,
                    p.name,
                    p.id_type,
                    p.id_number,
                    p.credit_code,
                    p.trade_name,
                    p.legal_representative,
                    p.legal_representative_id,
                    p.address,
                    p.phone,
                )
                for p in parties
            ),
            officers=tuple(people[o.user_id] for o in handlers if o.user_id in people),
            steps=tuple(
                b.StepFacts(
                    s.kind,
                    s.on,
                    s.note,
                    dict(s.detail or {}),
                    s.fine_fen,
                    s.ref,
                    s.until,
                    users[s.recorded_by].display_name if s.recorded_by in users else "",
                )
                for s in steps
            ),
            records=tuple(
                b.RecordFacts(
                    r.id,
                    r.kind,
                    r.started_at,
                    r.ended_at,
                    r.place,
                    tuple(
                        b.PersonFacts(
                            str(o.get("user_id", "")),
                            str(o.get("name", "")),
                            str(o.get("certificate_no", "")),
                        )
                        for o in r.officers
                    ),
                    tuple(dict(p) for p in r.persons),
                    str(r.content.get("text", "")),
                    tuple((str(x.get("q", "")), str(x.get("a", ""))) for x in r.content.get("qa", [])),
                    r.recorder,
                    tuple(e.description for e in evidence if e.record_id == r.id),
                )
                for r in records
            ),
            evidence=tuple(
                b.EvidenceFacts(
                    e.id,
                    e.kind,
                    e.description,
                    e.proves,
                    e.collected_by,
                    e.collected_at,
                    e.is_av,
                    e.file_name,
                    e.media_type,
                    e.sha256,
                )
                for e in evidence
            ),
            power_items=tuple(b.PowerItemFacts(i.code, i.name, i.legal_basis) for i in items),
            provision_roles=roles,
            approvals=tuple(
                b.ApprovalFacts(a.kind, a.approved, a.opinion, a.approver_name, a.at) for a in approvals
            ),
            issued=tuple(
                b.IssuedFacts(d.id, d.form_id, d.title, d.doc_number or "", d.doc_date, d.party_id)
                for d in issued
            ),
            statement_workdays=int(read_setting(self.store, "statement_workdays")),
            people=people,
            reviews=review_facts(session, case.id),
            discussions=discussion_facts(session, case.id),
            discretion=_discretion_facts(session, case.id),
        )

    @staticmethod
    def _first_party(session: Session, case_id: str) -> str | None:
        return session.execute(
            select(Party.id)
            .join(CaseParty, CaseParty.party_id == Party.id)
            .where(CaseParty.case_id == case_id)
            .order_by(Party.created_at, Party.id)
            .limit(1)
        ).scalar_one_or_none()

    def _signers(self, session: Session, ids: Sequence[str]) -> list[User]:
        unique = list(dict.fromkeys(ids))
        users = {u.id: u for u in session.execute(select(User).where(User.id.in_(unique))).scalars()}
        if len(users) != len(unique):
            raise ValidationError.single("执法人员", "所选执法人员不存在")
        return [users[i] for i in unique]

    def _default_date(self, session: Session, case: Case, form: FormDef) -> date:
        kinds = {
            "penalty_decision": "penalty_decided",
            "no_penalty_decision": "no_penalty_decided",
            "on_the_spot_decision": "penalty_decided",
            "filing_approval": "filed",
        }
        kind = kinds.get(form.id)
        if kind:
            on = session.execute(
                select(CaseStep.on)
                .where(CaseStep.case_id == case.id, CaseStep.kind == kind)
                .order_by(CaseStep.on.desc())
                .limit(1)
            ).scalar_one_or_none()
            if on is not None:
                return on
        return self._today()

    def _compose(
        self,
        session: Session,
        form: FormDef,
        options: GenerateOptions,
        *,
        doc_number: str = "",
        corrects: Document | None = None,
    ) -> tuple[dict[str, Any], date, list[User]]:
        """Merged data (JSON form) for a document, the document date and the signing officers."""
        case = _case(session, options.case_id)
        bundle = self._bundle(session, case)
        if options.party_id and options.party_id not in {p.id for p in bundle.parties}:
            raise ValidationError.single("当事人", "所选当事人不是本案当事人")
        record_id = options.record_id
        if form.id in FORM_RECORD_KINDS and record_id is None:
            kind = FORM_RECORD_KINDS[form.id]
            found = [r for r in bundle.records if r.kind == kind]
            record_id = found[-1].id if found else None
        if record_id and record_id not in {r.id for r in bundle.records}:
            raise ValidationError.single("笔录", "所选笔录不属于本案")
        record = next((r for r in bundle.records if r.id == record_id), None)
        if options.officer_ids:
            signers = self._signers(session, options.officer_ids)
        elif record is not None and record.officers:
            signers = self._signers(session, [o.user_id for o in record.officers if o.user_id])
        else:
            signers = self._signers(session, [o.user_id for o in bundle.officers])
        delivery = (
            self._delivery_facts(session, options.delivery_id, case.id) if options.delivery_id else None
        )
        doc_date = options.doc_date or self._default_date(session, case, form)
        corrects_facts = None
        if corrects is not None:
            corrects_facts = b.IssuedFacts(
                corrects.id, corrects.form_id, corrects.title, corrects.doc_number or "", corrects.doc_date
            )
        data = b.bind(
            bundle,
            party_id=options.party_id,
            signing_officers=[_person(u) for u in signers],
            doc_date=doc_date,
            doc_number=doc_number,
            record_id=record_id,
            delivery=delivery,
            corrects=corrects_facts,
        )
        problems = b.input_problems(form, options.inputs, data)
        if problems:
            raise ValidationError([FieldError(label, text) for label, text in problems])
        data = b.apply_inputs(form, data, options.inputs)
        return _json_safe(data), doc_date, signers

    def _delivery_facts(self, session: Session, delivery_id: str, case_id: str) -> b.DeliveryFacts:
        row = session.get(Delivery, delivery_id)
        if row is None or row.case_id != case_id:
            raise ValidationError.single("送达记录", "所选送达记录不属于本案")
        served = session.get(Document, row.document_id)
        assert served is not None
        return b.DeliveryFacts(
            documents=((served.title, served.doc_number or ""),),
            mode=row.mode,
            delivered_on=row.delivered_on,
            effective_on=row.effective_on,
            addressee=row.addressee,
            place=row.place,
            delivered_at=row.delivered_at,
            receiver=row.receiver,
            receiver_relation=row.receiver_relation,
            refused=row.refused,
            refusal_reason=row.refusal_reason,
            witnesses=tuple(dict(w) for w in row.witnesses),
            servers=tuple(
                b.PersonFacts(
                    str(s.get("user_id", "")), str(s.get("name", "")), str(s.get("certificate_no", ""))
                )
                for s in row.servers
            ),
            note=row.note,
        )

    def _render(
        self,
        form: FormDef,
        data: Mapping[str, Any],
        fmt: Format,
        *,
        draft: bool,
        allow_missing: bool = False,
        qr_payload: str | None = None,
        qr_caption: str | None = None,
    ) -> RenderedDocument:
        try:
            if fmt == "pdf":
                return render_pdf(
                    form,
                    data,
                    draft=draft,
                    allow_missing=allow_missing,
                    qr_payload=qr_payload,
                    qr_caption=qr_caption,
                )
            if fmt == "docx":
                return render_docx(
                    form, data, draft=draft, allow_missing=allow_missing, qr_payload=qr_payload
                )
        except MissingFieldsError as exc:
            raise MissingDataError(form.title, exc.missing) from None
        except ValueFormatError as exc:
            raise ValidationError.single(form.title, exc.message) from None
        except DocumentError as exc:
            raise RuleViolation(exc.message) from None
        raise ValidationError.single("格式", f"只能是 pdf 或 docx，收到“{fmt}”")

    def _view(self, session: Session, doc: Document) -> DocumentView:
        party = session.get(Party, doc.party_id) if doc.party_id else None
        deliveries = list(
            session.execute(
                select(Delivery).where(Delivery.document_id == doc.id).order_by(Delivery.delivered_on)
            ).scalars()
        )
        receipts: dict[str, str] = {}
        if deliveries:
            for rid, did in session.execute(
                select(Document.id, Document.delivery_id).where(
                    Document.subject_id == doc.id,
                    Document.form_id == "delivery_receipt",
                    Document.status == "issued",
                )
            ).all():
                if did:
                    receipts[did] = rid
        return DocumentView(
            id=doc.id,
            case_id=doc.case_id,
            form_id=doc.form_id,
            form_version=doc.form_version,
            title=doc.title,
            kind=doc.kind,
            step=doc.step,
            status=doc.status,
            status_label=STATUS_LABELS.get(doc.status, doc.status),
            doc_number=doc.doc_number or "",
            doc_date=doc.doc_date,
            party_id=doc.party_id,
            party_name=party.name if party else "",
            officers=tuple(str(o.get("name", "")) for o in doc.officers),
            officer_ids=tuple(str(o.get("user_id", "")) for o in doc.officers),
            inputs=dict(doc.inputs or {}),
            record_id=doc.record_id,
            subject_id=doc.subject_id,
            delivery_id=doc.delivery_id,
            corrects_id=doc.corrects_id,
            issued_at=doc.issued_at,
            issued_by_name=doc.issued_by_name,
            page_count=doc.page_count,
            pdf_sha256=doc.pdf_sha256,
            verify_code=doc.verify_code,
            void_reason=doc.void_reason,
            needs_delivery=doc.kind == "outward" and doc.form_id not in NOT_SERVED,
            deliveries=tuple(_delivery_view(d, receipts.get(d.id)) for d in deliveries),
            version=doc.version,
        )

    def _options_of(self, doc: Document) -> GenerateOptions:
        return GenerateOptions(
            case_id=doc.case_id,
            form_id=doc.form_id,
            officer_ids=tuple(str(o.get("user_id", "")) for o in doc.officers if o.get("user_id")),
            inputs=dict(doc.inputs or {}),
            party_id=doc.party_id,
            record_id=doc.record_id,
            delivery_id=doc.delivery_id,
            doc_date=doc.doc_date,
        )

    # --- what a step needs, and preparing a document ------------------------------------------------

    @operation(Permission.CASE_VIEW)
    def forms(self, actor: Actor) -> list[tuple[str, str, str, str]]:
        """(id, version, title, step) of every form this township uses."""
        return [(f.id, f.version, f.title, f.step) for f in self.library.forms()]

    @operation(Permission.CASE_VIEW)
    def needs(self, actor: Actor, case_id: str) -> StepNeeds:
        """The documents the case's current step calls for, with those already made."""
        library = self.library
        with self.store.read() as session:
            case = _case(session, case_id)
            docs = list(
                session.execute(
                    select(Document).where(Document.case_id == case.id).order_by(Document.created_at)
                ).scalars()
            )
            wanted = [f for f in STATE_FORMS.get(case.state, ()) if f in library]
            needed = []
            for form_id in wanted:
                form = library.get(form_id)
                needed.append(
                    FormNeed(
                        form.id,
                        form.title,
                        form.kind,
                        form.numbered,
                        tuple(self._view(session, d) for d in docs if d.form_id == form_id),
                    )
                )
            others = tuple(
                (f.id, f.title)
                for f in library.forms()
                if f.id not in wanted and f.id not in ARCHIVE_FORMS and f.id != "correction_notice"
            )
            try:
                label = STATE_LABELS[CaseState(case.state)]
            except ValueError:
                label = case.state
            return StepNeeds(case.state, label, tuple(needed), others)

    @operation(Permission.CASE_VIEW)
    def documents(self, actor: Actor, case_id: str) -> list[DocumentView]:
        with self.store.read() as session:
            _case(session, case_id)
            docs = session.execute(
                select(Document).where(Document.case_id == case_id).order_by(Document.created_at)
            ).scalars()
            return [self._view(session, d) for d in docs]

    @operation(Permission.CASE_VIEW)
    def worklist(self, actor: Actor, which: str, limit: int = 500) -> Worklist:
        """The brigade's 待签发 (drafts, last saved first) or 待送达 (issued documents that go to a
        party with no delivery recorded, longest waiting first)."""
        if which not in WORKLISTS:
            raise ValueError(f"unknown worklist: {which}")
        drafts = which == "drafts"
        where = (
            [Document.status == "draft"]
            if drafts
            else [
                Document.status == "issued",
                Document.kind == "outward",
                Document.form_id.notin_(NOT_SERVED),
                ~select(Delivery.id).where(Delivery.document_id == Document.id).exists(),
            ]
        )
        at = Document.updated_at if drafts else Document.issued_at
        by = Document.created_by_name if drafts else Document.issued_by_name
        order = Document.updated_at.desc() if drafts else Document.issued_at.asc()
        with self.store.read() as session:
            total = session.execute(select(func.count()).select_from(Document).where(*where)).scalar_one()
            rows = session.execute(
                select(
                    Document.id,
                    Document.case_id,
                    Case.case_number,
                    Case.summary,
                    Document.title,
                    Party.name,
                    Document.doc_number,
                    at,
                    by,
                )
                .join(Case, Case.id == Document.case_id)
                .outerjoin(Party, Party.id == Document.party_id)
                .where(*where)
                .order_by(order, Document.id)
                .limit(limit)
            ).all()
        items = [
            WorkItem(d, c, number or "", summary, title, party or "", doc_number or "", when, who)
            for d, c, number, summary, title, party, doc_number, when, who in rows
        ]
        return Worklist(items, total)

    @operation(Permission.CASE_VIEW)
    def get(self, actor: Actor, document_id: str) -> DocumentView:
        with self.store.read() as session:
            return self._view(session, _doc(session, document_id))

    @operation(Permission.CASE_VIEW)
    def prepare(self, actor: Actor, options: GenerateOptions) -> Preparation:
        """What the generation dialog asks: officers, party, record, and the fields to fill in."""
        form = self._form(options.form_id)
        with self.store.read() as session:
            case = _case(session, options.case_id)
            bare = GenerateOptions(
                options.case_id,
                options.form_id,
                options.officer_ids,
                {},
                options.party_id,
                options.record_id,
                options.delivery_id,
                options.doc_date,
            )
            data, doc_date, signers = self._compose(session, form, bare)
            merged = b.apply_inputs(form, data, options.inputs)
            missing = missing_required(form, merged, draft=True)
            prompts = []
            for fd in b.askable(form, data):
                value = options.inputs.get(fd.name)
                prompts.append(
                    FieldPrompt(
                        fd.name,
                        fd.label,
                        fd.type,
                        fd.hint,
                        fd.required and not fd.required_when,
                        fd.options,
                        fd.multiple,
                        fd.keys,
                        fd.key_labels,
                        value,
                        fd.label in missing,
                    )
                )
            officers = tuple(_officer_choices(session, self._today()))
            parties = tuple(
                (p.id, p.name)
                for p in session.execute(
                    select(Party)
                    .join(CaseParty, CaseParty.party_id == Party.id)
                    .where(CaseParty.case_id == case.id)
                    .order_by(Party.created_at, Party.id)
                ).scalars()
            )
            kind = FORM_RECORD_KINDS.get(form.id)
            records: tuple[tuple[str, str], ...] = ()
            record_id = options.record_id
            if kind:
                rows = list(
                    session.execute(
                        select(InvestigationRecord)
                        .where(InvestigationRecord.case_id == case.id, InvestigationRecord.kind == kind)
                        .order_by(InvestigationRecord.started_at)
                    ).scalars()
                )
                records = tuple((r.id, f"{cn_date(beijing_today(r.started_at))} {r.place}") for r in rows)
                record_id = record_id or (rows[-1].id if rows else None)
            return Preparation(
                form.id,
                form.title,
                form.kind,
                form.numbered,
                doc_date,
                tuple(prompts),
                officers,
                tuple(u.id for u in signers),
                parties,
                options.party_id or (parties[0][0] if parties else None),
                records,
                record_id,
                tuple(missing),
            )

    @operation(Permission.CASE_VIEW)
    def preview(
        self, actor: Actor, options: GenerateOptions, fmt: Format = "pdf", *, allow_missing: bool = False
    ) -> RenderedFile:
        """A draft (marked 草稿) rendered from the case as it is now; writes nothing."""
        form = self._form(options.form_id)
        with self.store.read() as session:
            case = _case(session, options.case_id)
            data, _, _ = self._compose(session, form, options)
        missing = tuple(missing_required(form, data, draft=True))
        rendered = self._render(form, data, fmt, draft=True, allow_missing=allow_missing)
        name = _safe_name(f"{case.case_number or '未立案'}-{form.title}-草稿") + f".{fmt}"
        return RenderedFile(rendered.content, fmt, name, rendered.page_count, missing)

    # --- drafts and issuing ------------------------------------------------------------------------

    @operation(Permission.CASE_EDIT)
    def save_draft(
        self,
        actor: Actor,
        options: GenerateOptions,
        document_id: str | None = None,
        version: int | None = None,
    ) -> DocumentView:
        """Keep a draft with its chosen officers and typed values; a draft may still be incomplete."""
        form = self._form(options.form_id)
        with self.store.write() as session:
            case = _case(session, options.case_id)
            self._compose(session, form, options)  # refuses unknown parties, officers, bad values
            signers = self._signers(session, options.officer_ids) if options.officer_ids else []
            party_id = options.party_id or self._first_party(session, case.id)
            now = self.clock()
            if document_id is not None:
                doc = _doc(session, document_id)
                if doc.status != "draft":
                    raise RuleViolation(
                        f"《{doc.title}》已{STATUS_LABELS[doc.status]}，不能再修改；如需更正请制作更正通知书"
                    )
                if version is not None:
                    ensure_unchanged(doc, version, f"《{doc.title}》草稿")
                before = {"inputs": doc.inputs, "officers": doc.officers}
            else:
                doc = _new_draft(form, case.id, actor, now)
                session.add(doc)
                before = None
            doc.form_version = form.version
            doc.party_id = party_id
            doc.record_id = options.record_id
            doc.delivery_id = options.delivery_id
            if options.delivery_id:
                row = session.get(Delivery, options.delivery_id)
                doc.subject_id = row.document_id if row is not None else None
            doc.doc_date = options.doc_date
            doc.officers = _officer_entries(signers)
            doc.inputs = _json_safe(dict(options.inputs))
            doc.updated_at = now
            session.flush()
            audit.record(
                session,
                actor,
                audit.Change(
                    "document.draft",
                    "case",
                    case.id,
                    f"保存《{form.title}》草稿",
                    before=before,
                    after={"document_id": doc.id, "inputs": doc.inputs, "officers": doc.officers},
                ),
            )
            return self._view(session, doc)

    @operation(Permission.CASE_VIEW)
    def render(self, actor: Actor, document_id: str, fmt: Format = "pdf") -> RenderedFile:
        """A draft as it would print now (blanks for what is missing); an issued PDF is the stored
        bytes (a reprint), an issued DOCX is rendered from the frozen snapshot."""
        with self.store.read() as session:
            doc = _doc(session, document_id)
            case = _case(session, doc.case_id)
            stem = _safe_name(
                f"{case.case_number or '未立案'}-{doc.title}-{doc.doc_number or STATUS_LABELS[doc.status]}"
            )
            if doc.status != "draft":
                if fmt == "pdf":
                    return RenderedFile(self._stored_pdf(doc), "pdf", f"{stem}.pdf", doc.page_count)
                form = self._form(doc.form_id)
                assert doc.snapshot is not None
                rendered = self._render(
                    form, doc.snapshot["data"], "docx", draft=False, qr_payload=self._payload(session, doc)
                )
                return RenderedFile(rendered.content, "docx", f"{stem}.docx", None)
            form = self._form(doc.form_id)
            data, _, _ = self._compose(
                session, form, self._options_of(doc), corrects=self._corrects(session, doc)
            )
        missing = tuple(missing_required(form, data, draft=True))
        rendered = self._render(form, data, fmt, draft=True, allow_missing=True)
        return RenderedFile(rendered.content, fmt, f"{stem}.{fmt}", rendered.page_count, missing)

    @operation(Permission.CASE_VIEW)
    def record_output(self, actor: Actor, document_id: str, how: str, detail: str = "") -> None:
        """Printing or exporting a document goes into the full-process record (全过程记录): who
        put which document on paper or into a file, and when."""
        labels = {"print": "打印", "export": "导出"}
        if how not in labels:
            raise ValidationError.single("方式", "只能记录打印或导出")
        with self.store.write() as session:
            doc = _doc(session, document_id)
            number = doc.doc_number or STATUS_LABELS[doc.status]
            audit.record(
                session,
                actor,
                audit.Change(
                    f"document.{how}",
                    "document",
                    doc.id,
                    f"{labels[how]}《{doc.title}》{number}" + (f"：{detail[:200]}" if detail else ""),
                ),
            )

    def _corrects(self, session: Session, doc: Document) -> Document | None:
        return session.get(Document, doc.corrects_id) if doc.corrects_id else None

    def _stored_pdf(self, doc: Document) -> bytes:
        if not doc.pdf_sha256:
            raise NotFound(f"《{doc.title}》没有存档的PDF")
        path = files.path_for(self.store.files_dir, doc.pdf_sha256)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise NotFound(
                f"《{doc.title}》的存档PDF文件缺失（{doc.pdf_sha256[:12]}），请从备份恢复"
            ) from None

    def _payload(self, session: Session, doc: Document) -> str:
        organ = session.execute(select(Organ).where(Organ.is_self)).scalar_one()
        return f"{QR_PREFIX}|{organ.area_code}|{doc.doc_number or doc.id}|{doc.verify_code}"

    @operation(Permission.CASE_DELIVER)
    def issue(self, actor: Actor, document_id: str, version: int) -> DocumentView:
        """签发: number, snapshot, PDF with QR code stored by hash, all in one transaction."""
        with self.store.write() as session:
            doc = _doc(session, document_id)
            ensure_unchanged(doc, version, f"《{doc.title}》")
            return self._issue_in(session, actor, doc)

    def _issue_in(self, session: Session, actor: Actor, doc: Document) -> DocumentView:
        if doc.status != "draft":
            raise RuleViolation(f"《{doc.title}》已{STATUS_LABELS[doc.status]}，不能再次签发")
        form = self._form(doc.form_id)
        case = _case(session, doc.case_id)
        gate = ISSUE_GATES.get(form.id)
        if gate is not None:
            done = session.execute(
                select(CaseStep.id).where(CaseStep.case_id == case.id, CaseStep.kind.in_(gate[0])).limit(1)
            ).first()
            if done is None:
                raise RuleViolation(gate[1])
        corrects = self._corrects(session, doc)
        data, doc_date, signers = self._compose(session, form, self._options_of(doc), corrects=corrects)
        missing = missing_required(form, data, draft=True)
        if missing:
            raise MissingDataError(form.title, missing)
        if "officers" in form.fields and form.kind != "internal":
            problems = gates.two_certified_officers(
                [
                    gates.OfficerOnDuty(
                        u.display_name, u.certificate_no, u.certificate_valid_from, u.certificate_valid_to
                    )
                    for u in signers
                ],
                doc_date,
            )
            if problems:
                raise RuleViolation("；".join(problems))
        organ = session.execute(select(Organ).where(Organ.is_self)).scalar_one()
        number = ""
        if form.numbered:
            if not organ.doc_prefix:
                raise RuleViolation("本机关尚未设置机关代字，无法编制文号；请在设置中填写")
            scope = f"{organ.id}:doc:{form.doc_code}"[:60]
            serial = take_next(session, scope, doc_date.year)
            number = format_doc_number(form, organ_code=organ.doc_prefix, year=doc_date.year, serial=serial)
            doc.number_scope, doc.number_year, doc.number_serial = scope, doc_date.year, serial
            doc.doc_number = number
            data["doc"]["number"] = number
        snapshot = {"form": form.ref, "number": number, "date": doc_date.isoformat(), "data": data}
        snapshot_sha = sha256_hex(canonical_json(snapshot))
        doc.verify_code = snapshot_sha[:12].upper()
        code = doc.verify_code
        rendered = self._render(
            form,
            data,
            "pdf",
            draft=False,
            qr_payload=f"{QR_PREFIX}|{organ.area_code}|{number or doc.id}|{code}",
            qr_caption=f"验证码 {code[:4]}-{code[4:8]}-{code[8:]}",
        )
        now = self.clock()
        if session.get(Attachment, rendered.sha256) is None:
            session.add(
                Attachment(
                    sha256=rendered.sha256,
                    size=len(rendered.content),
                    media_type="application/pdf",
                    original_name=_safe_name(f"{form.title}-{number or doc.id}") + ".pdf",
                    created_at=now,
                )
            )
        doc.status = "issued"
        doc.form_version = form.version
        doc.doc_date = doc_date
        doc.officers = _officer_entries(signers)
        doc.snapshot = snapshot
        doc.snapshot_sha256 = snapshot_sha
        doc.pdf_sha256 = rendered.sha256
        doc.page_count = rendered.page_count
        doc.issued_at = now
        doc.issued_by = actor.user_id or None
        doc.issued_by_name = actor.display_name
        doc.updated_at = now
        session.flush()
        audit.record(
            session,
            actor,
            audit.Change(
                "document.issue",
                "case",
                case.id,
                f"签发《{form.title}》" + (f"（{number}）" if number else ""),
                after={
                    "document_id": doc.id,
                    "form": form.ref,
                    "number": number,
                    "snapshot_sha256": snapshot_sha,
                    "pdf_sha256": rendered.sha256,
                },
            ),
        )
        # Last, so a refusal above leaves no file behind; content-addressed, so a rolled-back
        # commit leaves at most an unreferenced copy of these bytes.
        files.ingest_stream(self.store.files_dir, io.BytesIO(rendered.content))
        return self._view(session, doc)

    @operation(Permission.CASE_DELIVER)
    def void(self, actor: Actor, document_id: str, reason: str, version: int) -> DocumentView:
        """Take an issued document out of use; its number is recorded as voided and never reused."""
        if not reason.strip():
            raise ValidationError.single("作废理由", "请写明作废的理由")
        with self.store.write() as session:
            doc = _doc(session, document_id)
            ensure_unchanged(doc, version, f"《{doc.title}》")
            if doc.status != "issued":
                raise RuleViolation(f"只能作废已签发的文书；《{doc.title}》为{STATUS_LABELS[doc.status]}")
            now = self.clock()
            doc.status = "voided"
            doc.void_reason = reason.strip()
            doc.voided_at = now
            doc.voided_by = actor.user_id or None
            doc.voided_by_name = actor.display_name
            doc.updated_at = now
            if doc.doc_number:
                assert (
                    doc.number_scope is not None
                    and doc.number_year is not None
                    and doc.number_serial is not None
                )
                session.add(
                    VoidedNumber(
                        doc_number=doc.doc_number,
                        number_scope=doc.number_scope,
                        number_year=doc.number_year,
                        number_serial=doc.number_serial,
                        document_id=doc.id,
                        reason=reason.strip(),
                        voided_at=now,
                        voided_by=actor.user_id or None,
                        voided_by_name=actor.display_name,
                    )
                )
            session.flush()
            audit.record(
                session,
                actor,
                audit.Change(
                    "document.void",
                    "case",
                    doc.case_id,
                    f"作废《{doc.title}》"
                    + (f"（{doc.doc_number}）" if doc.doc_number else "")
                    + f"：{reason.strip()}",
                    before={"status": "issued"},
                    after={"document_id": doc.id, "status": "voided", "reason": reason.strip()},
                ),
            )
            return self._view(session, doc)

    @operation(Permission.CASE_VIEW)
    def voided_numbers(self, actor: Actor, year: int | None = None) -> list[tuple[str, str, datetime, str]]:
        """The void register: (number, reason, when, who)."""
        with self.store.read() as session:
            query = select(VoidedNumber).order_by(VoidedNumber.number_scope, VoidedNumber.number_serial)
            if year is not None:
                query = query.where(VoidedNumber.number_year == year)
            return [
                (v.doc_number, v.reason, v.voided_at, v.voided_by_name)
                for v in session.execute(query).scalars()
            ]

    @operation(Permission.CASE_EDIT)
    def correct(
        self,
        actor: Actor,
        original_id: str,
        inputs: Mapping[str, Any],
        officer_ids: Sequence[str] = (),
    ) -> DocumentView:
        """A draft 文书更正通知书 linked to the issued original (which stays as it was issued)."""
        form = self._form("correction_notice")
        with self.store.write() as session:
            original = _doc(session, original_id)
            if original.status != "issued":
                raise RuleViolation(
                    f"只能更正已签发的文书；《{original.title}》为{STATUS_LABELS[original.status]}"
                )
            options = GenerateOptions(
                original.case_id, form.id, tuple(officer_ids), dict(inputs), original.party_id
            )
            self._compose(session, form, options, corrects=original)
            signers = self._signers(session, officer_ids) if officer_ids else []
            now = self.clock()
            doc = _new_draft(
                form,
                original.case_id,
                actor,
                now,
                party_id=original.party_id,
                subject_id=original.id,
                corrects_id=original.id,
                officers=_officer_entries(signers),
                inputs=_json_safe(dict(inputs)),
            )
            session.add(doc)
            session.flush()
            audit.record(
                session,
                actor,
                audit.Change(
                    "document.correct",
                    "case",
                    original.case_id,
                    f"制作更正通知书，更正《{original.title}》（{original.doc_number or '无文号'}）",
                    after={"document_id": doc.id, "corrects_id": original.id, "inputs": doc.inputs},
                ),
            )
            return self._view(session, doc)

    # --- service (送达) ---------------------------------------------------------------------------

    @operation(Permission.CASE_DELIVER)
    def record_delivery(self, actor: Actor, document_id: str, data: DeliveryInput) -> DeliveryView:
        """送达 of an issued document; for the prior notice, the decision and the 催告书 the
        procedure's step is recorded in the same transaction, so the clocks start."""
        errors: list[FieldError] = []
        if data.mode not in DELIVERY_MODES:
            errors.append(FieldError("送达方式", f"应为：{'、'.join(DELIVERY_MODES)}"))
        if data.mode == "留置送达":
            if not data.refusal_reason.strip():
                errors.append(FieldError("拒收事由", "留置送达须记明受送达人拒收的事由"))
            if not [w for w in data.witnesses if str(w.get("name", "")).strip()]:
                errors.append(FieldError("见证人", "留置送达须有基层组织或者所在单位的代表到场见证并签名"))
            if not data.av_evidence_id:
                errors.append(FieldError("音像记录", "留置送达须关联记录送达过程的音像证据（拍照、录像）"))
        if data.mode == "公告送达" and not data.note.strip():
            errors.append(
                FieldError(
                    "公告情况", "公告送达须写明受送达人下落不明或者其他方式无法送达的原因，以及公告的媒体"
                )
            )
        if data.receiver.strip() and not data.receiver_relation.strip():
            errors.append(FieldError("代收人与受送达人关系", "由他人代收的，须写明与受送达人的关系"))
        if data.delivered_on > self._today():
            errors.append(FieldError("送达日期", "不能晚于今天"))
        if data.mode in DIRECT_DELIVERY_MODES and not data.place.strip():
            errors.append(FieldError("送达地点", "请填写"))
        if errors:
            raise ValidationError(errors)
        with self.store.write() as session:
            doc = _doc(session, document_id)
            if doc.status != "issued":
                raise RuleViolation(f"只能送达已签发的文书；《{doc.title}》为{STATUS_LABELS[doc.status]}")
            if doc.doc_date and data.delivered_on < doc.doc_date:
                raise RuleViolation(f"送达日期不能早于文书日期（{cn_date(doc.doc_date)}）")
            case = _case(session, doc.case_id)
            procedure = self._procedure()
            problems = procedure._delivery_officer_problems(
                session, data.mode, data.server_ids, data.delivered_on
            )
            if data.av_evidence_id:
                av = session.get(Evidence, data.av_evidence_id)
                if av is None or av.case_id != case.id or not av.is_av:
                    problems.append("所选音像记录不是本案的音像证据")
            if data.mode == "电子送达" and not self._consented_to_e_service(session, case.id, doc.party_id):
                problems.append("电子送达须当事人同意并签订送达地址确认书（《行政处罚法》第六十一条）")
            if problems:
                raise RuleViolation("；".join(problems))
            servers = self._signers(session, data.server_ids) if data.server_ids else []
            party = session.get(Party, doc.party_id) if doc.party_id else None
            effective = data.delivered_on + timedelta(
                days=PUBLIC_NOTICE_DAYS if data.mode == "公告送达" else 0
            )
            row = Delivery(
                document_id=doc.id,
                case_id=case.id,
                mode=data.mode,
                delivered_on=data.delivered_on,
                delivered_at=data.delivered_at,
                effective_on=effective,
                place=data.place.strip(),
                addressee=data.addressee.strip() or (party.name if party else ""),
                receiver=data.receiver.strip(),
                receiver_relation=data.receiver_relation.strip(),
                refused=data.refused or data.mode == "留置送达",
                refusal_reason=data.refusal_reason.strip(),
                witnesses=[
                    {"name": str(w.get("name", "")).strip(), "unit": str(w.get("unit", "")).strip()}
                    for w in data.witnesses
                ],
                av_evidence_id=data.av_evidence_id,
                servers=_officer_entries(servers),
                note=data.note.strip(),
                recorded_by=actor.user_id or None,
                recorded_by_name=actor.display_name,
                recorded_at=self.clock(),
            )
            if not row.addressee:
                raise ValidationError.single("受送达人", "请填写")
            session.add(row)
            session.flush()
            audit.record(
                session,
                actor,
                audit.Change(
                    "document.delivery",
                    "case",
                    case.id,
                    f"送达《{doc.title}》"
                    + (f"（{doc.doc_number}）" if doc.doc_number else "")
                    + f"：{data.mode}，{cn_date(data.delivered_on)}",
                    after={
                        "delivery_id": row.id,
                        "document_id": doc.id,
                        "mode": data.mode,
                        "effective_on": effective,
                    },
                ),
            )
            self._procedure_step(session, actor, procedure, doc, case, effective, data)
            receipt = (
                self._make_receipt(session, actor, doc, row, servers) if data.mode in RECEIPT_MODES else None
            )
            return _delivery_view(row, receipt.id if receipt else None)

    def _make_receipt(
        self, session: Session, actor: Actor, doc: Document, row: Delivery, servers: Sequence[User]
    ) -> DocumentView | None:
        """The 送达回证 of this service, filled in and issued, when everything it needs is known."""
        library = self.library
        if "delivery_receipt" not in library:
            return None
        form = library.get("delivery_receipt")
        options = GenerateOptions(
            doc.case_id,
            form.id,
            tuple(u.id for u in servers),
            {},
            doc.party_id,
            None,
            row.id,
            row.delivered_on,
        )
        data, _, _ = self._compose(session, form, options)
        if missing_required(form, data, draft=True):
            return None
        now = self.clock()
        receipt = _new_draft(
            form,
            doc.case_id,
            actor,
            now,
            party_id=doc.party_id,
            subject_id=doc.id,
            delivery_id=row.id,
            doc_date=row.delivered_on,
            officers=_officer_entries(servers),
            inputs={},
        )
        session.add(receipt)
        session.flush()
        return self._issue_in(session, actor, receipt)

    def _procedure_step(
        self,
        session: Session,
        actor: Actor,
        procedure: ProcedureService,
        doc: Document,
        case: Case,
        effective: date,
        data: DeliveryInput,
    ) -> None:
        """The service date starts the clocks: reuse the procedure's own step and gates."""
        done = {k for (k,) in session.execute(select(CaseStep.kind).where(CaseStep.case_id == case.id)).all()}
        if doc.form_id == "prior_notice":
            procedure._serve_prior_notice_in(session, actor, case.id, effective, data.server_ids, data.mode)
        elif doc.form_id in ("penalty_decision", "no_penalty_decision") and "decision_served" not in done:
            procedure._serve_decision_in(session, actor, case.id, effective, data.server_ids, data.mode)
        elif doc.form_id == "demand_notice" and "demand_notice_served" not in done:
            procedure._serve_demand_notice_in(session, actor, case.id, effective)

    def _consented_to_e_service(self, session: Session, case_id: str, party_id: str | None) -> bool:
        for doc in session.execute(
            select(Document).where(
                Document.case_id == case_id,
                Document.form_id == "delivery_address",
                Document.status == "issued",
            )
        ).scalars():
            if party_id and doc.party_id not in (None, party_id):
                continue
            consent = ((doc.snapshot or {}).get("data", {}).get("service_address") or {}).get(
                "electronic_consent"
            )
            if consent:
                return True
        return False

    @operation(Permission.CASE_VIEW)
    def av_evidence(self, actor: Actor, case_id: str) -> list[tuple[str, str]]:
        """(id, description) of the case's audio-video evidence, for the 留置送达 link."""
        with self.store.read() as session:
            rows = session.execute(
                select(Evidence.id, Evidence.description)
                .where(Evidence.case_id == case_id, Evidence.is_av)
                .order_by(Evidence.collected_at)
            ).all()
            return [(i, d) for i, d in rows]

    @operation(Permission.CASE_VIEW)
    def officer_choices(self, actor: Actor) -> list[OfficerChoice]:
        with self.store.read() as session:
            return _officer_choices(session, self._today())

    # --- verification ------------------------------------------------------------------------------

    @operation(Permission.CASE_VIEW)
    def verify_pdf(self, actor: Actor, path: Path) -> Verification:
        """Is this PDF the stored PDF of a document issued here, unchanged?"""
        try:
            content = Path(path).read_bytes()
        except OSError as exc:
            raise ValidationError.single("文件", f"无法读取 {path}：{exc.strerror or exc}") from None
        return self.verify_bytes(actor, content)

    @operation(Permission.CASE_VIEW)
    def verify_bytes(self, actor: Actor, content: bytes) -> Verification:
        sha = sha256_hex(content)
        with self.store.read() as session:
            doc = session.execute(select(Document).where(Document.pdf_sha256 == sha)).scalar_one_or_none()
            if doc is not None:
                return self._verdict(session, doc, matches=True)
            payload = _read_payload(content)
            if payload is None:
                return Verification(
                    "unknown",
                    "文件中没有本系统签发文书的验证信息，无法确认真伪（可能不是本机关签发的文书，或已被改动）",
                )
            doc = self._by_reference(session, payload[2])
            if doc is None or doc.status == "draft":
                return Verification("unknown", f"本机关没有签发过“{payload[2]}”")
            return self._verdict(session, doc, matches=False)

    @operation(Permission.CASE_VIEW)
    def verify_code(self, actor: Actor, number: str, code: str) -> Verification:
        """For a printed copy: the number and the 验证码 printed under the QR code."""
        with self.store.read() as session:
            doc = self._by_reference(session, number.strip())
            if doc is None or doc.status == "draft":
                return Verification("unknown", f"本机关没有签发过“{number.strip()}”")
            return self._verdict(session, doc, matches=parse_code(code) == doc.verify_code)

    def _by_reference(self, session: Session, ref: str) -> Document | None:
        doc = session.execute(select(Document).where(Document.doc_number == ref)).scalar_one_or_none()
        return doc if doc is not None else session.get(Document, ref)

    def _verdict(self, session: Session, doc: Document, *, matches: bool) -> Verification:
        view = self._view(session, doc)
        name = f"《{doc.title}》" + (f"（{doc.doc_number}）" if doc.doc_number else "")
        issued = f"{cn_date(doc.doc_date)}签发" if doc.doc_date else "已签发"
        if not matches:
            return Verification(
                "changed",
                f"{name}确由本机关{issued}，但此文件或验证码与存档不一致：内容已被改动或验证码有误",
                view,
            )
        if doc.status == "voided":
            return Verification(
                "voided",
                f"{name}与存档一致，但已于{cn_date(beijing_today(doc.voided_at))}作废：{doc.void_reason}",
                view,
            )
        correction = (
            session.execute(
                select(Document).where(Document.corrects_id == doc.id, Document.status == "issued")
            )
            .scalars()
            .first()
        )
        note = (
            f"；已由《{correction.title}》（{correction.doc_number}）更正" if correction is not None else ""
        )
        return Verification("genuine", f"{name}为本机关{issued}的文书，与存档一致，未被改动{note}", view)

    # --- case file ----------------------------------------------------------------------------------

    @operation(Permission.CASE_VIEW)
    def self_check(self, actor: Actor, case_id: str) -> SelfCheck:
        """Before archiving: missing documents, unsigned or unserved ones, inconsistent party data."""
        with self.store.read() as session:
            return self._self_check(session, _case(session, case_id))

    def _self_check(self, session: Session, case: Case) -> SelfCheck:
        docs = list(
            session.execute(
                select(Document).where(Document.case_id == case.id).order_by(Document.created_at)
            ).scalars()
        )
        issued = [d for d in docs if d.status == "issued"]
        steps = {
            k for (k,) in session.execute(select(CaseStep.kind).where(CaseStep.case_id == case.id)).all()
        }
        items: list[CheckItem] = []
        library = self.library

        def title(form_id: str) -> str:
            return library.get(form_id).title if form_id in library else form_id

        have = {d.form_id for d in issued}
        required: list[tuple[str, str]] = []
        simple = case.procedure == "simple"
        if "filed" in steps and not simple:
            required.append(("filing_approval", "已立案"))
        if "not_filed" in steps:
            required.append(("no_filing_approval", "决定不予立案"))
        if "evidence_preserved" in steps:
            required.append(("preservation_notice", "已先行登记保存证据"))
        if "preservation_resolved" in steps:
            required.append(("preservation_decision", "已作出先行登记保存处理决定"))
        if "seized" in steps:
            required.append(("seizure_decision", "已查封、扣押"))
        if "investigation_closed" in steps:
            required.append(("investigation_report", "已调查终结"))
        if "prior_notice_served" in steps:
            required.append(("prior_notice", "已事先告知"))
        if "hearing_scheduled" in steps:
            required.append(("hearing_notice", "已安排听证"))
        if "hearing_held" in steps:
            required += [("hearing_record", "已举行听证"), ("hearing_report", "已举行听证")]
        if "legal_review_completed" in steps:
            required.append(("legal_review_opinion", "已经法制审核"))
        if "collective_discussion" in steps:
            required.append(("collective_discussion", "已经集体讨论"))
        if "penalty_decided" in steps:
            required.append(("on_the_spot_decision" if simple else "penalty_decision", "已作出处罚决定"))
        if "no_penalty_decided" in steps:
            required.append(("no_penalty_decision", "已作出不予处罚决定"))
        if "deferral_approved" in steps:
            required.append(("deferral_decision", "已批准延期（分期）缴纳"))
        if "demand_notice_served" in steps:
            required.append(("demand_notice", "已催告"))
        if "court_applied" in steps:
            required.append(("enforcement_application", "已申请人民法院强制执行"))
        if "closed" in steps and not simple:
            required.append(("closing_approval", "已结案"))
        for form_id, why in required:
            if form_id not in have:
                items.append(CheckItem("missing", f"{why}，但卷中没有已签发的《{title(form_id)}》"))
        for kind, form_id in (
            ("inspection", "inspection_record"),
            ("inquiry", "inquiry_record"),
            ("statement", "statement_record"),
        ):
            for rec in session.execute(
                select(InvestigationRecord).where(
                    InvestigationRecord.case_id == case.id, InvestigationRecord.kind == kind
                )
            ).scalars():
                if not any(d.form_id == form_id and d.record_id in (None, rec.id) for d in issued):
                    items.append(
                        CheckItem(
                            "missing",
                            f"{cn_date(beijing_today(rec.started_at))}的笔录（{rec.place}）没有已签发的《{title(form_id)}》",
                        )
                    )
        for d in docs:
            if d.status == "draft" and d.form_id not in ARCHIVE_FORMS:
                items.append(CheckItem("unsigned", f"《{d.title}》仍为草稿，尚未签发"))
            elif (
                d.status == "issued"
                and not d.officers
                and d.form_id in library
                and "officers" in library.get(d.form_id).fields
            ):
                items.append(CheckItem("unsigned", f"《{d.title}》（{d.doc_number}）没有签名的执法人员"))
        deliveries = list(session.execute(select(Delivery).where(Delivery.case_id == case.id)).scalars())
        receipts = {d.subject_id for d in issued if d.form_id == "delivery_receipt"}
        for d in issued:
            if d.kind != "outward" or d.form_id in NOT_SERVED:
                continue
            served = [r for r in deliveries if r.document_id == d.id]
            label = f"《{d.title}》" + (f"（{d.doc_number}）" if d.doc_number else "")
            if simple and d.form_id == "on_the_spot_decision" and "decision_served" in steps:
                continue
            if not served:
                items.append(CheckItem("unserved", f"{label}尚无送达记录"))
            elif any(r.mode in RECEIPT_MODES for r in served) and d.id not in receipts:
                items.append(CheckItem("missing", f"{label}已送达，但卷中没有其送达回证"))
        items += self._inconsistencies(issued)
        return SelfCheck(tuple(items))

    def _inconsistencies(self, issued: Sequence[Document]) -> list[CheckItem]:
        items: list[CheckItem] = []
        fields = (
            ("name", "当事人姓名或名称"),
            ("id_number", "当事人身份证号码"),
            ("credit_code", "统一社会信用代码"),
            ("address", "当事人住址"),
        )
        by_party: dict[str | None, list[Document]] = {}
        for d in issued:
            if d.form_id in ARCHIVE_FORMS or not d.snapshot:
                continue
            by_party.setdefault(d.party_id, []).append(d)
        for docs in by_party.values():
            for key, label in fields:
                seen: dict[str, list[str]] = {}
                for d in docs:
                    value = str(
                        ((d.snapshot or {}).get("data", {}).get("party") or {}).get(key) or ""
                    ).strip()
                    if value:
                        seen.setdefault(value, []).append(f"《{d.title}》")
                if len(seen) > 1:
                    detail = "；".join(f"{'、'.join(dict.fromkeys(t))}为“{v}”" for v, t in seen.items())
                    items.append(CheckItem("inconsistent", f"{label}在文书间不一致：{detail}"))
        notice = next((d for d in reversed(issued) if d.form_id == "prior_notice"), None)
        decision = next((d for d in reversed(issued) if d.form_id == "penalty_decision"), None)
        if notice is not None and decision is not None and notice.snapshot and decision.snapshot:
            for key, label in (
                ("violated_provisions", "违反的法律条款"),
                ("discretion_basis", "裁量基准条款"),
            ):
                a = str(notice.snapshot["data"].get("decision", {}).get(key) or "")
                c = str(decision.snapshot["data"].get("decision", {}).get(key) or "")
                if a and c and a != c:
                    items.append(
                        CheckItem("inconsistent", f"事先告知书与处罚决定书的{label}不一致：“{a}”与“{c}”")
                    )
        return items

    @operation(Permission.CASE_VIEW)
    def case_file(
        self,
        actor: Actor,
        case_id: str,
        *,
        retention: str = "",
        progress: Callable[[int, int], None] | None = None,
    ) -> CaseFileResult:
        """The case file as one PDF in archive order, with its self-check (DOMAIN.md 5.1)."""
        with self.store.read() as session:
            case = _case(session, case_id)
            check = self._self_check(session, case)
            docs = list(
                session.execute(
                    select(Document)
                    .where(Document.case_id == case.id, Document.status == "issued")
                    .order_by(Document.doc_date, Document.issued_at)
                ).scalars()
            )
            parts = self._parts(docs)
            pictures, av_list = self._pictures(session, case)
            if pictures:
                photo_pdf = cf.picture_pages(pictures, "证据照片")
                n = cf.page_count(photo_pdf)
                parts.append(
                    cf.FilePart(
                        "证据照片", photo_pdf, section="证据材料", photo_pages=n, note=f"{len(pictures)}张"
                    )
                )
            bundle = self._bundle(session, case)
            base = b.bind(bundle, doc_date=self._today())
            archive = self._archive_data(session, case, base, retention or "定期30年", actor, av_list)
        library = self.library

        def data_with(extra: Mapping[str, Any]) -> dict[str, Any]:
            data = dict(base)
            data["archive"] = {**archive, **extra}
            return _json_safe(data)

        def cover(counts: cf.Counts) -> bytes:
            form = library.get("case_cover")
            data = data_with({"doc_count": counts.documents, "page_count": counts.pages})
            return self._render(form, data, "pdf", draft=False, allow_missing=True).content

        def index(rows: list[cf.IndexRow]) -> bytes:
            form = library.get("case_index")
            items = [
                {"title": r.title, "number": r.number, "date": r.date, "pages": r.pages, "note": r.note}
                for r in rows
            ]
            return self._render(
                form, data_with({"items": items}), "pdf", draft=False, allow_missing=True
            ).content

        def notes(counts: cf.Counts) -> bytes:
            form = library.get("case_notes")
            data = data_with(
                {
                    "doc_count": counts.documents,
                    "page_count": counts.pages,
                    "text_pages": counts.text_pages,
                    "drawing_pages": 0,
                    "photo_pages": counts.photo_pages,
                }
            )
            return self._render(form, data, "pdf", draft=False, allow_missing=True).content

        title = str(archive["title"])
        result = cf.assemble(parts, cover=cover, index=index, notes=notes, title=title, progress=progress)
        name = _safe_name(f"{case.case_number or case.id}-案卷") + ".pdf"
        return CaseFileResult(
            result.content,
            result.page_count,
            result.counts.documents,
            check,
            tuple(t for t, _ in result.bookmarks),
            name,
        )

    def _parts(self, docs: Sequence[Document]) -> list[cf.FilePart]:
        rank: dict[str, tuple[int, int, str]] = {}
        for g, (section, form_ids) in enumerate(ARCHIVE_ORDER):
            for n, form_id in enumerate(form_ids):
                rank[form_id] = (g, n, section)
        receipts: dict[str, list[Document]] = {}
        for d in docs:
            if d.form_id == "delivery_receipt" and d.subject_id:
                receipts.setdefault(d.subject_id, []).append(d)
        placed = {d.id for ds in receipts.values() for d in ds if any(x.id == d.subject_id for x in docs)}
        main = [d for d in docs if d.id not in placed and d.form_id not in ARCHIVE_FORMS]
        main.sort(
            key=lambda d: (
                *rank.get(d.form_id, (len(ARCHIVE_ORDER), 0, "其他文书"))[:2],
                d.doc_date or date.min,
            )
        )
        parts: list[cf.FilePart] = []
        for d in main:
            section = rank.get(d.form_id, (0, 0, "其他文书"))[2]
            parts.append(cf.FilePart(d.title, self._stored_pdf(d), d.doc_number or "", d.doc_date, section))
            for r in receipts.get(d.id, []):
                parts.append(
                    cf.FilePart(f"{r.title}（{d.title}）", self._stored_pdf(r), "", r.doc_date, section)
                )
        return parts

    def _pictures(self, session: Session, case: Case) -> tuple[list[cf.EvidencePicture], list[str]]:
        pictures: list[cf.EvidencePicture] = []
        others: list[str] = []
        for e in session.execute(
            select(Evidence).where(Evidence.case_id == case.id).order_by(Evidence.collected_at, Evidence.id)
        ).scalars():
            kind = b.EVIDENCE_KIND_LABELS.get(e.kind, e.kind)
            path = files.path_for(self.store.files_dir, e.sha256) if e.sha256 else None
            if path is not None and e.media_type.startswith("image/") and path.exists():
                caption = (
                    f"{e.description}（{kind}）",
                    f"采集：{e.collected_by or '—'}　{cn_date(beijing_today(e.collected_at))}　{e.place or ''}".rstrip(),
                    f"证明事项：{e.proves or '—'}",
                    f"SHA-256：{e.sha256}",
                )
                pictures.append(cf.EvidencePicture(path.read_bytes(), caption))
            elif e.sha256:
                others.append(
                    f"{e.description}（{kind}，{e.file_name or e.media_type}，SHA-256 {e.sha256[:16]}…）"
                )
        return pictures, others

    def _archive_data(
        self,
        session: Session,
        case: Case,
        base: Mapping[str, Any],
        retention: str,
        actor: Actor,
        av_list: Sequence[str],
    ) -> dict[str, Any]:
        party = base.get("party", {}).get("name", "")
        cause = base.get("case", {}).get("cause", "")
        archive_no = "（结案后编号）"
        if case.closed_on is not None:
            year = case.closed_on.year
            earlier = session.execute(
                select(func.count())
                .select_from(Case)
                .where(
                    Case.closed_on.is_not(None),
                    Case.closed_on >= date(year, 1, 1),
                    Case.closed_on <= date(year, 12, 31),
                    (Case.closed_on < case.closed_on)
                    | ((Case.closed_on == case.closed_on) & (Case.id <= case.id)),
                )
            ).scalar_one()
            archive_no = f"{year}{earlier:04d}"
        notes = ""
        if av_list:
            notes = "另有音像、电子证据（电子存档）：" + "；".join(av_list) + "。"
        return {
            "title": f"{party}{cause}案",
            "closing_date": case.closed_on,
            "retention": retention,
            "archive_no": archive_no,
            "volume": "正卷",
            "notes": notes,
            "filer": actor.display_name,
            "filed_date": self._today(),
            "checker": "",
        }


def _delivery_view(d: Delivery, receipt_id: str | None = None) -> DeliveryView:
    return DeliveryView(
        id=d.id,
        document_id=d.document_id,
        mode=d.mode,
        delivered_on=d.delivered_on,
        effective_on=d.effective_on,
        place=d.place,
        addressee=d.addressee,
        receiver=d.receiver,
        receiver_relation=d.receiver_relation,
        refused=d.refused,
        refusal_reason=d.refusal_reason,
        witnesses=tuple(str(w.get("name", "")) for w in d.witnesses),
        av_evidence_id=d.av_evidence_id,
        servers=tuple(str(s.get("name", "")) for s in d.servers),
        note=d.note,
        recorded_by_name=d.recorded_by_name,
        recorded_at=d.recorded_at,
        receipt_id=receipt_id,
    )


def _read_payload(content: bytes) -> tuple[str, str, str, str] | None:
    """(prefix, area code, number or id, code) from the PDF's keywords, or None."""
    try:
        reader = PdfReader(io.BytesIO(content))
        info = reader.metadata
        keywords = str(info.get("/Keywords") or "") if info is not None else ""
    except (PyPdfError, ValueError, OSError, KeyError):
        keywords = ""
    m = _QR_RE.search(keywords)
    if m is None:
        # A damaged file may still carry the payload as plain bytes.
        m2 = re.search(rb"BDDOC1\|[^,)\\]*", content)
        if m2 is None:
            return None
        text = m2.group(0).decode("utf-8", "replace")
    else:
        text = m.group(0)
    parts = text.strip().split("|")
    if len(parts) != 4:
        return None
    return parts[0], parts[1], parts[2], parts[3]


def _officer_entries(users: Sequence[User]) -> list[dict[str, str]]:
    """How a document or a delivery records the people who signed or served it."""
    return [{"user_id": u.id, "name": u.display_name, "certificate_no": u.certificate_no} for u in users]


def _new_draft(form: FormDef, case_id: str, actor: Actor, now: datetime, **fields: Any) -> Document:
    """A draft made from `form` for a case, stamped with who made it and when."""
    return Document(
        case_id=case_id,
        form_id=form.id,
        form_version=form.version,
        title=form.title,
        kind=form.kind,
        doc_code=form.doc_code,
        step=form.step,
        status="draft",
        created_at=now,
        created_by=actor.user_id or None,
        created_by_name=actor.display_name,
        updated_at=now,
        **fields,
    )


def _discretion_facts(session: Session, case_id: str) -> b.DiscretionFacts | None:
    """The saved discretion result in the words documents print (the officer no longer types the
    clause again; a typed value at generation still takes precedence)."""
    row = session.execute(
        select(CaseDiscretion).where(CaseDiscretion.case_id == case_id)
    ).scalar_one_or_none()
    if row is None:
        return None
    result = DiscretionResult.from_dict(row.result)
    basis = f"《{result.benchmark_title}》" + (
        f"（{result.benchmark_doc_number}）" if result.benchmark_doc_number else ""
    )
    basis += f"第{result.item_seq}项" if result.item_seq else f"{result.item_code}项"
    tier = "不予处罚" if result.no_penalty else (result.tier_label or "法定幅度")
    # A sentence of its own in the document: it ends with 。 like the text around it.
    reason = ("；".join(result.circumstances) or result.rule_text).rstrip("。") + "。"
    if row.proposed_fen is not None and row.proposed_fen != result.recommended_fen and row.proposal_reason:
        reason += f"拟处罚款{format_yuan(row.proposed_fen)}，理由：{row.proposal_reason.rstrip('。')}。"
    return b.DiscretionFacts(basis, tier, reason)


def _officer_choices(session: Session, today: date) -> list[OfficerChoice]:
    """Active people with a certificate number, marked valid as the procedure's gates read it."""
    return [
        OfficerChoice(
            u.id,
            u.display_name,
            u.certificate_no,
            certificate_valid_on(u.certificate_no, u.certificate_valid_from, u.certificate_valid_to, today),
        )
        for u in session.execute(
            select(User).where(User.active, User.certificate_no != "").order_by(User.display_name)
        ).scalars()
    ]
