"""Binding: the merged data a form reads, built from plain facts of one case.

The document service reads the store and fills the dataclasses below; ``bind`` turns them into the
dict described in ``docs/forms.md`` (``samples.sample_data()`` is the reference shape). No database
and no Qt here, so the same facts always give the same data.

What the case records do not hold (the items preserved, what was said at a hearing, the payment
bank …) stays empty; the service asks for it when the document is generated, and ``apply_inputs``
writes the answers at the fields' own data paths. Values that come from the records of the case
itself (organ, party, case, officers, number) can never be typed over.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from brigade_desk.core.documents.definition import FieldDef, FormDef
from brigade_desk.core.documents.values import check_value, is_empty, lookup
from brigade_desk.core.rules.late_fine import compute_late_fine
from brigade_desk.core.rules.money import amount_in_capitals, format_yuan
from brigade_desk.core.timeutil import beijing_today, format_date, format_datetime

# Data paths filled only from the case's records: never typed over at generation.
PROTECTED_PREFIXES = (
    "organ.name",
    "organ.doc_prefix",
    "party",
    "case.",
    "officers",
    "doc.",
    "corrects.",
    "evidence",
)
# The organ's own particulars: typed at generation only while the organ record leaves them empty.
ORGAN_PREFIX = "organ."

OUTCOME_LABELS = {
    "penalty": "给予行政处罚",
    "no_penalty": "不予行政处罚",
    "not_established": "违法事实不能成立（销案）",
    "transfer": "移送（涉嫌犯罪或其他机关管辖）",
}
# Case sources as the 立案审批表 lists them (forms/_common.toml case_source).
SOURCE_OPTIONS = {
    "巡查发现": "巡查",
    "投诉举报": "举报",
    "12345热线转办": "投诉",
    "网格员上报": "巡查",
    "部门移送": "部门移送",
    "上级交办": "上级交办",
    "媒体": "其他",
    "其他": "其他",
}
EVIDENCE_KIND_LABELS = {
    "documentary": "书证",
    "physical": "物证",
    "audio_visual": "视听资料",
    "electronic": "电子数据",
    "witness": "证人证言",
    "party_statement": "当事人的陈述",
    "expert_opinion": "鉴定意见",
    "inspection_record": "勘验笔录、现场笔录",
}
RECORD_TITLES = {
    "inspection": ("现场检查（勘验）笔录", "勘验笔录、现场笔录"),
    "inquiry": ("询问笔录", "当事人的陈述"),
    "statement": ("陈述申辩笔录", "当事人的陈述"),
    "preservation": ("先行登记保存笔录", "勘验笔录、现场笔录"),
    "seizure": ("查封（扣押）现场笔录", "勘验笔录、现场笔录"),
    "hearing": ("听证笔录", "当事人的陈述"),
}
_CN_NUMBERS = "零一二三四五六七八九十"
REVIEW_CHECKLIST = (
    "执法主体是否合法，是否超越法定权限",
    "执法人员是否具备执法资格",
    "当事人基本情况是否清楚",
    "案件事实是否清楚，证据是否合法充分",
    "适用法律、法规、规章是否准确",
    "裁量基准运用是否适当",
    "程序是否合法",
    "执法文书是否规范、齐备",
    "是否涉嫌犯罪需要移送司法机关",
)


# ----------------------------------------------------------------------------- facts


@dataclass(frozen=True)
class OrganFacts:
    name: str
    doc_prefix: str = ""
    area_code: str = ""
    credit_code: str = ""
    address: str = ""
    phone: str = ""
    contact_person: str = ""
    reconsideration_organ: str = ""
    court: str = ""
    unit_name: str = ""


@dataclass(frozen=True)
class PartyFacts:
    id: str
    kind: str
    name: str
    id_type: str = ""
    id_number: str = ""
    credit_code: str = ""
    trade_name: str = ""
    legal_representative: str = ""
    legal_representative_id: str = ""
    address: str = ""
    phone: str = ""


@dataclass(frozen=True)
class PersonFacts:
    """An officer, leader, reviewer or clerk as the documents name them."""

    user_id: str
    name: str
    certificate_no: str = ""
    post: str = ""
    is_leader: bool = False


@dataclass(frozen=True)
class StepFacts:
    kind: str
    on: date
    note: str = ""
    detail: Mapping[str, Any] = field(default_factory=dict)
    fine_fen: int = 0
    ref: str | None = None
    until: date | None = None
    recorded_by_name: str = ""


@dataclass(frozen=True)
class RecordFacts:
    id: str
    kind: str
    started_at: datetime
    ended_at: datetime
    place: str
    officers: tuple[PersonFacts, ...] = ()
    persons: tuple[Mapping[str, str], ...] = ()
    text: str = ""
    qa: tuple[tuple[str, str], ...] = ()
    recorder: str = ""
    attachments: tuple[str, ...] = ()


@dataclass(frozen=True)
class EvidenceFacts:
    id: str
    kind: str
    description: str
    proves: str = ""
    collected_by: str = ""
    collected_at: datetime | None = None
    is_av: bool = False
    file_name: str = ""
    media_type: str = ""
    sha256: str | None = None


@dataclass(frozen=True)
class PowerItemFacts:
    code: str
    name: str
    legal_basis: str = ""


@dataclass(frozen=True)
class ApprovalFacts:
    kind: str
    approved: bool
    opinion: str
    approver_name: str
    at: datetime


@dataclass(frozen=True)
class SignatureFacts:
    """A personal signature on a review or discussion: who, in what capacity, with which key."""

    name: str
    role: str  # 审核人 / 法制机构负责人 / 负责人
    at: datetime | None
    fingerprint: str = ""  # "" for a signature recorded on paper
    paper_note: str = ""  # where the paper signature is kept


@dataclass(frozen=True)
class ReviewFacts:
    """One legal-review round (model LegalReview) as the 法制审核意见书 prints it."""

    round: int
    status: str  # pending | passed | returned | refused
    submitted_on: date
    package_hash: str
    opinion: str = ""  # core.review.OPINIONS
    opinion_text: str = ""
    checklist: tuple[tuple[str, str, str], ...] = ()
    """(question, answer 是/否, note), in the checklist's order."""
    reviewer: str = ""
    head: str = ""
    signed_at: datetime | None = None
    signatures: tuple[SignatureFacts, ...] = ()


@dataclass(frozen=True)
class DiscussionFacts:
    """One collective discussion (model CollectiveDiscussion) as the 集体讨论记录 prints it."""

    held_on: date
    place: str
    chair: str
    recorder: str
    report: str
    conclusion: str
    opinions: tuple[tuple[str, str, str], ...]
    """(leader, opinion, reasons)."""
    attendees: tuple[tuple[str, str], ...] = ()
    confirmations: tuple[SignatureFacts, ...] = ()
    content_hash: str = ""


@dataclass(frozen=True)
class IssuedFacts:
    """An issued document of the case, for the documents that cite it."""

    id: str
    form_id: str
    title: str
    doc_number: str
    doc_date: date | None
    party_id: str | None = None


@dataclass(frozen=True)
class DeliveryFacts:
    documents: tuple[tuple[str, str], ...]
    """(title, number) of the documents served together."""
    mode: str
    delivered_on: date
    effective_on: date
    addressee: str
    place: str = ""
    delivered_at: datetime | None = None
    receiver: str = ""
    receiver_relation: str = ""
    refused: bool = False
    refusal_reason: str = ""
    witnesses: tuple[Mapping[str, str], ...] = ()
    servers: tuple[PersonFacts, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class CaseFacts:
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
    filed_on: date | None = None
    closed_on: date | None = None
    proposed_outcome: str = ""
    penalty_kinds: tuple[str, ...] = ()
    proposed_fine_fen: int | None = None
    noticed_fine_fen: int | None = None
    fine_fen: int | None = None
    mitigation_ground: str = ""
    hearing_eligible: bool = False
    is_major: bool = False
    major_reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class DiscretionFacts:
    """The discretion result saved on the case, in the words documents print."""

    basis: str  # 《…裁量基准》（文号）第N项
    tier: str  # 从轻 / 一般 / 从重 … or 法定幅度
    reason: str


@dataclass(frozen=True)
class CaseBundle:
    """Everything the binder may read about one case, as plain values."""

    case: CaseFacts
    organ: OrganFacts
    parties: tuple[PartyFacts, ...] = ()
    officers: tuple[PersonFacts, ...] = ()
    """The case's handlers (主办 first)."""
    steps: tuple[StepFacts, ...] = ()
    """Oldest first."""
    records: tuple[RecordFacts, ...] = ()
    evidence: tuple[EvidenceFacts, ...] = ()
    power_items: tuple[PowerItemFacts, ...] = ()
    provision_roles: Mapping[tuple[str, str], str] = field(default_factory=dict)
    """(law name, citation such as 第四十一条第一款) -> role (禁止性规范, 罚则, 责令改正依据 …)."""
    approvals: tuple[ApprovalFacts, ...] = ()
    issued: tuple[IssuedFacts, ...] = ()
    statement_workdays: int = 5
    people: Mapping[str, PersonFacts] = field(default_factory=dict)
    """Everyone who may be named (by user id): presiders, reviewers, leaders."""
    reviews: tuple[ReviewFacts, ...] = ()
    """Legal-review rounds, oldest first."""
    discussions: tuple[DiscussionFacts, ...] = ()
    """Collective discussions, oldest first."""
    discretion: DiscretionFacts | None = None
    """The saved discretion result: documents print its clause instead of asking for it again."""


# ----------------------------------------------------------------------------- helpers


def cn_count(n: int) -> str:
    """3 -> 三, 15 -> 十五 (for periods such as 三个工作日)."""
    if n <= 10:
        return _CN_NUMBERS[n]
    if n < 20:
        return "十" + _CN_NUMBERS[n % 10] if n % 10 else "十"
    tens, ones = divmod(n, 10)
    return _CN_NUMBERS[tens] + "十" + (_CN_NUMBERS[ones] if ones else "")


def cause_of(item_name: str) -> str:
    """对擅自占用城市道路从事经营活动的处罚 -> 擅自占用城市道路从事经营活动."""
    text = item_name.strip().removeprefix("对")
    for suffix in ("的行政处罚", "的处罚", "的处理", "的行政强制"):
        text = text.removesuffix(suffix)
    return text


_BASIS_PART = re.compile(r"^(?:《(?P<law>[^》]+)》)?(?P<cite>.+)$")


def split_basis(basis: str, roles: Mapping[tuple[str, str], str]) -> tuple[list[str], list[str], list[str]]:
    """Split a power item's legal basis into (violated, penalty, correction) provision texts.

    ``《城乡规划法》第四十一条第一款、第六十五条`` names two provisions of one law. The role of each
    comes from the legal provisions table; without roles the last provision is taken as the penalty
    clause and the others as the violated norm.
    """
    parts: list[tuple[str, str]] = []
    law = ""
    for raw in re.split(r"[、；;]", basis):
        raw = raw.strip()
        if not raw:
            continue
        m = _BASIS_PART.match(raw)
        if m is None:
            continue
        law = m.group("law") or law
        parts.append((law, m.group("cite").strip()))
    if not parts:
        return [], [], []
    violated: list[str] = []
    penalty: list[str] = []
    correction: list[str] = []
    known = any(roles.get(part) for part in parts)
    for n, (law, cite) in enumerate(parts):
        role = roles.get((law, cite), "")
        text = f"《{law}》{cite}" if law else cite
        if role == "罚则" or (not known and n == len(parts) - 1 and len(parts) > 1):
            penalty.append(text)
        elif role == "责令改正依据":
            correction.append(text)
        else:
            violated.append(text)
    if not penalty and not known:
        penalty = list(violated)
    return violated, penalty, correction or penalty


def _join(texts: Iterable[str]) -> str:
    return "、".join(dict.fromkeys(t for t in texts if t))


def _sex_from_id(id_number: str) -> str:
    if len(id_number) == 18 and id_number[16].isdigit():
        return "男" if int(id_number[16]) % 2 else "女"
    return ""


def _birth_from_id(id_number: str) -> date | None:
    if len(id_number) == 18 and id_number[6:14].isdigit():
        try:
            return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
        except ValueError:
            return None
    return None


def party_data(party: PartyFacts) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": party.kind,
        "name": party.name,
        "id_type": party.id_type or ("居民身份证" if party.id_number else ""),
        "id_number": party.id_number,
        "credit_code": party.credit_code,
        "trade_name": party.trade_name,
        "legal_representative": party.legal_representative,
        "legal_representative_id": party.legal_representative_id,
        "address": party.address,
        "phone": party.phone,
    }
    if party.kind in ("natural_person", "individual_business"):
        data["sex"] = _sex_from_id(party.id_number)
        birth = _birth_from_id(party.id_number)
        if birth is not None:
            data["birth_date"] = format_date(birth)  # text: survives the JSON snapshot as printed
    return {k: v for k, v in data.items() if not is_empty(v)}


def person_data(person: PersonFacts) -> dict[str, str]:
    return {"user_id": person.user_id, "name": person.name, "certificate_no": person.certificate_no}


def penalty_content(kinds: Sequence[str], fine_fen: int | None, correction: str = "") -> str:
    """1. 警告；\n2. 罚款人民币伍佰元整。 (the decision's list of penalties)."""
    items: list[str] = []
    if correction:
        items.append(correction)
    for kind in kinds:
        if kind == "罚款" and fine_fen:
            items.append(f"罚款人民币{amount_in_capitals(fine_fen)}")
        else:
            items.append(kind)
    if not items:
        return ""
    if len(items) == 1:
        return items[0] + "。"
    return "\n".join(
        f"{n}. {text}{'。' if n == len(items) else '；'}" for n, text in enumerate(items, start=1)
    )


def _latest(steps: Sequence[StepFacts], kind: str) -> StepFacts | None:
    found = [s for s in steps if s.kind == kind]
    return found[-1] if found else None


def _issued(bundle: CaseBundle, form_id: str, party_id: str | None) -> IssuedFacts | None:
    found = [
        d
        for d in bundle.issued
        if d.form_id == form_id and (party_id is None or d.party_id in (None, party_id))
    ]
    return found[-1] if found else None


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node = data
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[parts[-1]] = value


def is_protected(fd: FieldDef) -> bool:
    return not fd.free and any(fd.source.startswith(p) for p in PROTECTED_PREFIXES)


# ----------------------------------------------------------------------------- bind


def bind(
    bundle: CaseBundle,
    *,
    party_id: str | None = None,
    signing_officers: Sequence[PersonFacts] = (),
    doc_date: date,
    doc_number: str = "",
    record_id: str | None = None,
    delivery: DeliveryFacts | None = None,
    corrects: IssuedFacts | None = None,
) -> dict[str, Any]:
    """The merged data for one document of ``bundle``'s case (docs/forms.md)."""
    case = bundle.case
    steps = bundle.steps
    party = next((p for p in bundle.parties if p.id == party_id), None) if party_id else None
    if party is None and bundle.parties:
        party = bundle.parties[0]
    pid = party.id if party else None
    organ = bundle.organ
    officers = list(signing_officers) or list(bundle.officers)

    items = bundle.power_items
    cause = _join(cause_of(i.name) for i in items) or case.summary
    violated: list[str] = []
    penalty_basis: list[str] = []
    correction_basis: list[str] = []
    for item in items:
        v, p, c = split_basis(item.legal_basis, bundle.provision_roles)
        violated += v
        penalty_basis += p
        correction_basis += c

    data: dict[str, Any] = {
        "organ": {
            "name": organ.name,
            "doc_prefix": organ.doc_prefix,
            "area_code": organ.area_code,
            "address": organ.address,
            "phone": organ.phone,
            "contact_person": organ.contact_person,
            "reconsideration_organ": organ.reconsideration_organ,
            "court": organ.court,
            "unit_name": organ.unit_name,
        },
        "party": party_data(party) if party else {},
        "case": {
            "case_number": case.case_number,
            "cause": cause,
            "source": SOURCE_OPTIONS.get(case.source, "其他"),
            "received_date": beijing_today(case.received_at),
            "filing_date": case.filed_on,
            "violation_date": case.violation_date,
            "place": case.place,
            "brief": case.facts or case.summary,
            "facts": case.facts,
        },
        "officers": [person_data(o) for o in officers],
        "evidence": _evidence(bundle),
        "doc": {"number": doc_number, "date": doc_date},
        "input": {},
    }
    data["decision"] = _decision(bundle, pid, violated, penalty_basis, correction_basis)
    data["prior_notice"] = _prior_notice(bundle, pid)
    data["filing"] = _filing(bundle, items)
    data["record"] = _record(bundle, record_id)
    data["investigation"] = _investigation(bundle)
    data["statement"] = _statement(steps)
    data["hearing"] = _hearing(bundle)
    data["legal_review"] = _legal_review(bundle, data["decision"])
    data["discussion"] = _discussion(bundle)
    data["simple"] = _simple(bundle)
    data["demand"] = _demand(bundle, pid, doc_date)
    data["enforcement"] = _enforcement(bundle)
    data["closing"] = _closing(bundle, data["decision"])
    data["preservation"] = _preservation(bundle, pid)
    data["seizure"] = {}
    data["service_address"] = {
        "address": party.address if party else "",
        "phone": party.phone if party else "",
    }
    data["deferral"] = {}
    if delivery is not None:
        data["delivery"] = _delivery(delivery)
    else:
        data["delivery"] = {"addressee": party.name if party else "", "place": party.address if party else ""}
    if corrects is not None:
        data["corrects"] = {"title": corrects.title, "number": corrects.doc_number, "date": corrects.doc_date}
    cleaned: dict[str, Any] = _clean(data)
    return cleaned


def _clean(value: Any) -> Any:
    """Drop empty values so that what the records lack reads as missing, not as blank text."""
    if isinstance(value, dict):
        out = {k: _clean(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if not (v is None or (isinstance(v, str) and not v.strip()))}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _evidence(bundle: CaseBundle) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for record in bundle.records:
        title, kind = RECORD_TITLES.get(record.kind, ("笔录", "勘验笔录、现场笔录"))
        day = beijing_today(record.started_at)
        out.append({"name": f"{title}（{format_date(day)}）", "kind": kind, "proves": "", "source": ""})
    for item in bundle.evidence:
        out.append(
            {
                "name": item.description,
                "kind": EVIDENCE_KIND_LABELS.get(item.kind, item.kind),
                "proves": item.proves,
                "source": item.collected_by,
            }
        )
    return out


def _decision(
    bundle: CaseBundle,
    party_id: str | None,
    violated: list[str],
    penalty_basis: list[str],
    correction_basis: list[str],
) -> dict[str, Any]:
    case, steps = bundle.case, bundle.steps
    fine = case.fine_fen if case.fine_fen is not None else (case.noticed_fine_fen or case.proposed_fine_fen)
    kinds = list(case.penalty_kinds)
    decided = _latest(steps, "penalty_decided") or _latest(steps, "no_penalty_decided")
    served = _latest(steps, "decision_served")
    issued = _issued(bundle, "penalty_decision", party_id) or _issued(bundle, "no_penalty_decision", party_id)
    if case.procedure == "simple":
        issued = _issued(bundle, "on_the_spot_decision", party_id) or issued
    no_penalty = _latest(steps, "no_penalty_decided") is not None
    out: dict[str, Any] = {
        "violated_provisions": _join(violated),
        "penalty_basis": _join(penalty_basis),
        "correction_basis": _join(correction_basis),
        "penalty_content": "不予行政处罚。" if no_penalty else penalty_content(kinds, fine),
        "fine_fen": fine if fine and "罚款" in kinds else None,
        "statement_result": _statement_result(bundle),
        "review_text": _review_text(steps),
        "number": issued.doc_number if issued else "",
        "date": decided.on if decided else (issued.doc_date if issued else None),
        "served_date": served.on if served else None,
    }
    if case.mitigation_ground:
        out["mitigation_ground"] = case.mitigation_ground
    if bundle.discretion is not None:
        out["discretion_basis"] = bundle.discretion.basis
        out["discretion_tier"] = bundle.discretion.tier
        out["discretion_reason"] = bundle.discretion.reason
    return out


def _statement_result(bundle: CaseBundle) -> str:
    case, steps = bundle.case, bundle.steps
    parts: list[str] = []
    for step in steps:
        if step.kind == "statement_received":
            verdict = "予以采纳" if step.detail.get("adopted") else "不予采纳"
            parts.append(
                f"你于{format_date(step.on)}提出陈述、申辩：{step.note.rstrip('。')}。经复核，本机关{verdict}。"
            )
        elif step.kind == "statement_waived":
            parts.append(f"你于{format_date(step.on)}书面放弃陈述、申辩的权利。")
        elif step.kind == "hearing_waived":
            parts.append(f"你于{format_date(step.on)}书面放弃听证的权利。")
        elif step.kind == "hearing_held":
            parts.append(f"本机关于{format_date(step.on)}依法举行了听证。")
    if not parts and _latest(steps, "prior_notice_served") is not None:
        text = "你在法定期限内未提出陈述、申辩"
        if case.hearing_eligible and _latest(steps, "hearing_requested") is None:
            text += "，未要求举行听证"
        parts.append(text + "。")
    return "".join(parts)


def _review_text(steps: Sequence[StepFacts]) -> str:
    parts: list[str] = []
    review = _latest(steps, "legal_review_completed")
    if review is not None and review.detail.get("passed"):
        parts.append(f"本案于{format_date(review.on)}经法制审核")
    discussion = _latest(steps, "collective_discussion")
    if discussion is not None:
        parts.append(f"于{format_date(discussion.on)}经本机关负责人集体讨论决定")
    return ("，".join(parts) + "。") if parts else ""


def _prior_notice(bundle: CaseBundle, party_id: str | None) -> dict[str, Any]:
    case, steps = bundle.case, bundle.steps
    served = _latest(steps, "prior_notice_served")
    issued = _issued(bundle, "prior_notice", party_id)
    hearing = bool(served.detail.get("hearing_eligible")) if served else case.hearing_eligible
    return {
        "kind": "行政处罚事先（听证）告知书" if hearing else "行政处罚事先告知书",
        "number": issued.doc_number if issued else "",
        "served_date": served.on if served else None,
        "statement_period": f"{cn_count(bundle.statement_workdays)}个工作日",
        "hearing_right": hearing,
    }


def _filing(bundle: CaseBundle, items: Sequence[PowerItemFacts]) -> dict[str, Any]:
    approval = next((a for a in reversed(bundle.approvals) if a.kind == "filing"), None)
    names = _join(i.name for i in items)
    out: dict[str, Any] = {
        "proposal": "建议立案",
        "basis": (
            f"当事人涉嫌违反{_join(split_basis(items[0].legal_basis, bundle.provision_roles)[0])}的规定，"
            f"属于本机关承接的“{names}”事项，在追责时效内，依法应予行政处罚。"
            if items and items[0].legal_basis
            else ""
        ),
    }
    if approval is not None:
        out["approval_decision"] = "同意立案" if approval.approved else "不同意立案"
        out["approval_opinion"] = f"{approval.opinion}（{approval.approver_name}）"
    return out


def _record(bundle: CaseBundle, record_id: str | None) -> dict[str, Any]:
    record = next((r for r in bundle.records if r.id == record_id), None) if record_id else None
    if record is None:
        return {}
    persons = list(record.persons)
    main = next(
        (p for p in persons if p.get("role") not in ("见证人", "witness")), persons[0] if persons else {}
    )
    witnesses = [
        {"name": p.get("name", ""), "unit": p.get("unit", "") or p.get("relation", "")}
        for p in persons
        if p.get("role") in ("见证人", "witness")
    ]
    return {
        "start_time": record.started_at,
        "end_time": record.ended_at,
        "place": record.place,
        "person": {
            "name": main.get("name", ""),
            "sex": main.get("sex", "") or _sex_from_id(main.get("id_number", "")),
            "id_number": main.get("id_number", ""),
            "unit": main.get("unit", ""),
            "address": main.get("address", ""),
            "phone": main.get("phone", ""),
            "relation": main.get("relation", ""),
            "role": main.get("role", ""),
        },
        "witnesses": witnesses,
        "recorder": record.recorder,
        "content": record.text,
        "qa": [{"q": q, "a": a} for q, a in record.qa],
        "attachments": list(record.attachments),
    }


def _investigation(bundle: CaseBundle) -> dict[str, Any]:
    case = bundle.case
    closed = _latest(bundle.steps, "investigation_closed")
    return {
        "outcome": OUTCOME_LABELS.get(case.proposed_outcome, ""),
        "proposal": closed.note if closed else "",
        "fine_fen": case.proposed_fine_fen,
        "major": case.is_major,
        "major_reason": "；".join(case.major_reasons),
        "report_date": closed.on if closed else None,
    }


def _statement(steps: Sequence[StepFacts]) -> dict[str, Any]:
    step = _latest(steps, "statement_received")
    if step is None:
        return {}
    return {"content": step.note, "review_result": "采纳" if step.detail.get("adopted") else "不予采纳"}


def _hearing(bundle: CaseBundle) -> dict[str, Any]:
    steps = bundle.steps
    requested = _latest(steps, "hearing_requested")
    scheduled = _latest(steps, "hearing_scheduled")
    held = _latest(steps, "hearing_held")
    out: dict[str, Any] = {
        "request_date": requested.on if requested else None,
        "presider": str(scheduled.detail.get("presider", "")) if scheduled else "",
        "conclusion": held.note if held else "",
        "report_date": held.on if held else None,
    }
    return out


# The 意见书's wording of core.review.OPINIONS (forms/legal_review_opinion.toml opinion_type).
REVIEW_OPINION_TYPES = {
    "同意": "同意",
    "存在问题、建议修改后重新提交": "存在问题，建议修改后重新送审",
    "不同意": "不同意",
}


def _signature_text(at: datetime | None) -> str:
    return format_datetime(at) if at is not None else ""


def signature_items(signatures: Sequence[SignatureFacts]) -> list[dict[str, str]]:
    """One line each: 审核人孙审核，2025年10月9日 10:00 电子签名，公钥指纹 1A2B:…"""
    out = []
    for sig in signatures:
        if sig.fingerprint:
            how = f"{_signature_text(sig.at)} 电子签名，公钥指纹 {sig.fingerprint}".strip()
        else:
            how = f"纸质签名（{sig.paper_note}）" if sig.paper_note else "纸质签名"
        out.append({"name": sig.name, "role": sig.role, "text": how})
    return out


def _signed_review(bundle: CaseBundle) -> ReviewFacts | None:
    """The latest round with an opinion (a pending round after it has nothing to print yet)."""
    signed = [r for r in bundle.reviews if r.status != "pending"]
    return signed[-1] if signed else None


def _legal_review(bundle: CaseBundle, decision: Mapping[str, Any]) -> dict[str, Any]:
    steps = bundle.steps
    review = _signed_review(bundle)
    if review is not None:
        return _legal_review_of(bundle, review, decision)
    submitted = _latest(steps, "legal_review_submitted")
    completed = _latest(steps, "legal_review_completed")
    closed = _latest(steps, "investigation_closed")
    out: dict[str, Any] = {
        "submitted_date": submitted.on if submitted else None,
        "unit_proposal": closed.note if closed else "",
        "fine_fen": decision.get("fine_fen"),
    }
    if completed is not None:
        passed = bool(completed.detail.get("passed"))
        out["opinion_type"] = "同意" if passed else "存在问题，建议修改后重新送审"
        out["opinion"] = completed.note
        out["completed_date"] = completed.on
        if completed.recorded_by_name:
            out["reviewers"] = [{"name": completed.recorded_by_name}]
        if passed:
            out["checklist"] = [{"item": item, "result": "符合", "note": ""} for item in REVIEW_CHECKLIST]
    return out


def _legal_review_of(bundle: CaseBundle, review: ReviewFacts, decision: Mapping[str, Any]) -> dict[str, Any]:
    closed = _latest(bundle.steps, "investigation_closed")
    return {
        "round": review.round,
        "submitted_date": review.submitted_on,
        "unit_proposal": closed.note if closed else "",
        "fine_fen": decision.get("fine_fen"),
        "checklist": [{"item": q, "result": a, "note": n} for q, a, n in review.checklist],
        "opinion_type": REVIEW_OPINION_TYPES.get(review.opinion, review.opinion),
        "opinion": review.opinion_text,
        "completed_date": beijing_today(review.signed_at) if review.signed_at else None,
        "reviewers": [{"name": review.reviewer}] if review.reviewer else [],
        "heads": [{"name": review.head}] if review.head else [],
        "signatures": signature_items(review.signatures),
        "package_hash": review.package_hash,
    }


def _discussion(bundle: CaseBundle) -> dict[str, Any]:
    if bundle.discussions:
        return _discussion_of(bundle, bundle.discussions[-1])
    step = _latest(bundle.steps, "collective_discussion")
    if step is None:
        return {}
    leaders = [str(n) for n in step.detail.get("leaders", [])]
    posts = {p.name: p.post for p in bundle.people.values()}
    return {
        "leaders": [{"name": n, "post": posts.get(n, "")} for n in leaders],
        "presider": leaders[0] if leaders else "",
        "conclusion": step.note,
    }


def _discussion_of(bundle: CaseBundle, d: DiscussionFacts) -> dict[str, Any]:
    posts = {p.name: p.post for p in bundle.people.values()}
    leaders = [name for name, _, _ in d.opinions]
    return {
        "place": d.place,
        "presider": d.chair or (leaders[0] if leaders else ""),
        "leaders": [{"name": n, "post": posts.get(n) or "负责人"} for n in leaders],
        "recorder": d.recorder,
        "attendees": [{"name": n, "post": p} for n, p in d.attendees],
        "case_report": d.report,
        "opinions": [
            {"name": n, "opinion": f"{o.rstrip('。')}。理由：{r}" if r.strip() else o}
            for n, o, r in d.opinions
        ],
        "conclusion": d.conclusion,
        "confirmations": signature_items(d.confirmations),
        "content_hash": d.content_hash,
    }


def _simple(bundle: CaseBundle) -> dict[str, Any]:
    case = bundle.case
    if case.procedure != "simple":
        return {}
    cash = _latest(bundle.steps, "cash_collected")
    out: dict[str, Any] = {}
    if cash is not None:
        out["payment_manner"] = "当场缴纳"
        out["receipt_no"] = str(cash.detail.get("receipt_no", ""))
    elif case.fine_fen:
        out["payment_manner"] = "到指定银行或者通过电子支付系统缴纳"
    return out


def _demand(bundle: CaseBundle, party_id: str | None, doc_date: date) -> dict[str, Any]:
    case, steps = bundle.case, bundle.steps
    served = _latest(steps, "decision_served")
    issued = _issued(bundle, "demand_notice", party_id)
    demand_served = _latest(steps, "demand_notice_served")
    out: dict[str, Any] = {
        "number": issued.doc_number if issued else "",
        "served_date": demand_served.on if demand_served else None,
        "statement_period": "三日",
    }
    fine = case.fine_fen or 0
    if served is not None and fine:
        due = served.on + timedelta(days=15)
        as_of = (demand_served.on if demand_served else doc_date) - timedelta(days=1)
        late = compute_late_fine(fine, due, max(as_of, due)).amount_fen
        if late:
            out["late_fine_fen"] = late
            out["late_fine_until"] = max(as_of, due)
        out["total_fen"] = fine + late
    return out


def _enforcement(bundle: CaseBundle) -> dict[str, Any]:
    case = bundle.case
    fine = case.fine_fen or 0
    text = f"罚款人民币{amount_in_capitals(fine)}" if fine else ""
    return {"execution_object": text + "及依法加处的罚款。" if text else ""}


def _closing(bundle: CaseBundle, decision: Mapping[str, Any]) -> dict[str, Any]:
    case, steps = bundle.case, bundle.steps
    state = case.state
    types = {
        "paid": "作出行政处罚决定并执行完毕",
        "decision_served": "作出行政处罚决定并执行完毕",
        "court_applied": "申请人民法院强制执行",
        "decided_no_penalty": "不予行政处罚",
        "withdrawn": "违法事实不能成立（销案）",
        "transferred": "移送",
    }
    out: dict[str, Any] = {"closure_type": types.get(state, "")}
    if state in ("closed", "archived"):
        if _latest(steps, "court_applied"):
            out["closure_type"] = "申请人民法院强制执行"
        elif _latest(steps, "no_penalty_decided"):
            out["closure_type"] = "不予行政处罚"
        elif _latest(steps, "withdrawn"):
            out["closure_type"] = "违法事实不能成立（销案）"
        elif _latest(steps, "transferred"):
            out["closure_type"] = "移送"
        else:
            out["closure_type"] = "作出行政处罚决定并执行完毕"
    paid = [s for s in steps if s.kind == "paid"]
    if paid:
        total = sum(s.fine_fen for s in paid)
        last = paid[-1]
        out["payment_status"] = f"已于{format_date(last.on)}缴清罚款{format_yuan(total)}"
        out["receipt_numbers"] = "、".join(str(s.detail.get("receipt_no", "")) for s in paid if s.detail)
    court = _latest(steps, "court_applied")
    if court is not None:
        out["coercion_status"] = f"已于{format_date(court.on)}{court.note or '申请人民法院强制执行'}"
    approval = next((a for a in reversed(bundle.approvals) if a.kind == "closing"), None)
    if approval is not None:
        out["approval_opinion"] = f"{approval.opinion}（{approval.approver_name}）"
    return out


def _preservation(bundle: CaseBundle, party_id: str | None) -> dict[str, Any]:
    step = _latest(bundle.steps, "evidence_preserved")
    issued = _issued(bundle, "preservation_notice", party_id)
    out: dict[str, Any] = {"basis": "《中华人民共和国行政处罚法》第五十六条"}
    if step is not None:
        out["start_date"] = step.on
    if issued is not None:
        out["notice_number"] = issued.doc_number
        out["start_date"] = out.get("start_date") or issued.doc_date
    return out


def _delivery(delivery: DeliveryFacts) -> dict[str, Any]:
    return {
        "documents": [{"name": title, "number": number} for title, number in delivery.documents],
        "addressee": delivery.addressee,
        "place": delivery.place,
        "mode": delivery.mode,
        "time": delivery.delivered_at,
        "receiver": delivery.receiver,
        "receiver_relation": delivery.receiver_relation,
        "refusal_reason": delivery.refusal_reason,
        "witnesses": [dict(w) for w in delivery.witnesses],
        "servers": [person_data(s) for s in delivery.servers],
        "remarks": delivery.note,
    }


# ----------------------------------------------------------------------------- inputs


def askable(form: FormDef, data: Mapping[str, Any]) -> list[FieldDef]:
    """Fields to ask for at generation: free fields, and those the case records left empty."""
    out: list[FieldDef] = []
    for fd in form.fields.values():
        if fd.free or (not is_protected(fd) and not fd.at_issue and is_empty(lookup(data, fd.source))):
            out.append(fd)
    return out


def input_problems(
    form: FormDef, inputs: Mapping[str, Any], data: Mapping[str, Any] | None = None
) -> list[tuple[str, str]]:
    """(label, problem) for every typed value that cannot be used, all at once."""
    problems: list[tuple[str, str]] = []
    for name, value in inputs.items():
        fd = form.fields.get(name)
        if fd is None:
            problems.append((name, f"《{form.title}》没有这一项"))
            continue
        if is_protected(fd):
            problems.append((fd.label, "取自案件记录，不能在生成文书时改写；请修改案件记录"))
            continue
        if (
            data is not None
            and fd.source.startswith(ORGAN_PREFIX)
            and not is_empty(value)
            and not is_empty(lookup(data, fd.source))
        ):
            problems.append((fd.label, "已在本机关信息中登记，不能在生成文书时改写"))
            continue
        try:
            check_value(fd, value)
        except Exception as exc:  # ValueFormatError and the like carry a Chinese message
            problems.append((fd.label, getattr(exc, "message", str(exc))))
    return problems


def apply_inputs(form: FormDef, data: Mapping[str, Any], inputs: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``data`` with each typed value written at its field's path (``input.<name>`` for a
    free field). Empty values leave the bound value in place."""
    out = copy.deepcopy(dict(data))
    for name, value in inputs.items():
        fd = form.fields.get(name)
        if fd is None or is_protected(fd) or is_empty(value):
            continue
        set_path(out, fd.source or f"input.{name}", value)
    return out
