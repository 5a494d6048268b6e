"""Evidence kinds, media types and the full-process-record completeness rules (pure, no I/O).

Sources (DOMAIN.md 1.2 and 2.2):
- the eight kinds of evidence: 《行政处罚法》第四十六条;
- text and audio-video records of the whole process: 《行政处罚法》第四十七条 and 国办发〔2018〕118号;
- audio-video (音像记录) = photographs, audio, video, video surveillance (P-REC-DL); text may stand
  alone where it records the act fully, except where AV is mandatory (P-REC-PROV Art 4);
- mandatory full AV for 查封扣押财产 and 强制拆除 (P-118-AV; 浙江省违法建筑处置规定第十九条);
- AV "according to circumstances" for on-site inspection, questioning, preservation, hearing,
  oral statement and service, especially 留置送达 and 公告送达 (P-AV-LISTS).
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import PurePath

from brigade_desk.core.timeutil import to_beijing

# --- the eight kinds of APL Art 46 --------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceKind:
    code: str
    label: str


EVIDENCE_KINDS: tuple[EvidenceKind, ...] = (
    EvidenceKind("documentary", "书证"),
    EvidenceKind("physical", "物证"),
    EvidenceKind("audio_visual", "视听资料"),
    EvidenceKind("electronic", "电子数据"),
    EvidenceKind("witness", "证人证言"),
    EvidenceKind("party_statement", "当事人的陈述"),
    EvidenceKind("expert_opinion", "鉴定意见"),
    EvidenceKind("inspection_record", "勘验笔录、现场笔录"),
)
KIND_LABELS: dict[str, str] = {k.code: k.label for k in EVIDENCE_KINDS}

# Kinds whose picture file is a scan of paper (a receipt, a signed statement, an expert report),
# not an audio-video record of the act; see docs/decisions/evidence-av-classification.md.
PAPER_KINDS = frozenset({"documentary", "witness", "party_statement", "expert_opinion", "inspection_record"})


def kind_label(code: str) -> str:
    return KIND_LABELS.get(code, code)


# --- media types ----------------------------------------------------------------------------------


class MediaCategory(StrEnum):
    PHOTO = "photo"
    AUDIO = "audio"
    VIDEO = "video"
    DOCUMENT = "document"
    OTHER = "other"
    ITEM = "item"  # physical evidence without a file


MEDIA_LABELS: dict[MediaCategory, str] = {
    MediaCategory.PHOTO: "照片",
    MediaCategory.AUDIO: "录音",
    MediaCategory.VIDEO: "录像",
    MediaCategory.DOCUMENT: "文档",
    MediaCategory.OTHER: "文件",
    MediaCategory.ITEM: "实物",
}

OCTET_STREAM = "application/octet-stream"

# Formats that enforcement recorders, phones and scanners produce, fixed here so a file gets the same
# type on every machine (Python's own table reads the Windows registry and /etc/mime.types).
_KNOWN_SUFFIXES: dict[str, str] = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".jpe": "image/jpeg",
    ".png": "image/png",
    ".bmp": "image/bmp",
    ".gif": "image/gif",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".webp": "image/webp",
    ".heic": "image/heic",
    ".heif": "image/heif",
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mov": "video/quicktime",
    ".avi": "video/x-msvideo",
    ".mkv": "video/x-matroska",
    ".ts": "video/mp2t",
    ".mts": "video/mp2t",
    ".m2ts": "video/mp2t",
    ".3gp": "video/3gpp",
    ".wmv": "video/x-ms-wmv",
    ".flv": "video/x-flv",
    ".mp3": "audio/mpeg",
    ".wav": "audio/wav",
    ".m4a": "audio/mp4",
    ".aac": "audio/aac",
    ".amr": "audio/amr",
    ".wma": "audio/x-ms-wma",
    ".ogg": "audio/ogg",
    ".flac": "audio/flac",
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ofd": "application/ofd",
    ".txt": "text/plain",
}
_BUILTIN = mimetypes.MimeTypes(filenames=())  # Python's table only, no system files


def sniff_media_type(head: bytes) -> str | None:
    """The type from the first bytes of a file, for the formats recorders produce: JPEG, PNG, MP4
    (ISO base media), MP3, WAV. None when the bytes say nothing we know."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"M4A ", b"M4B "):
            return "audio/mp4"
        if brand == b"qt  ":
            return "video/quicktime"
        return "video/mp4"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return "video/x-msvideo"
    if head.startswith(b"ID3"):
        return "audio/mpeg"
    # An MPEG audio frame without an ID3 tag: 11 sync bits, layer III (bits 01).
    if len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0 and (head[1] & 0x06) == 0x02:
        return "audio/mpeg"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def detect_media_type(file_name: str, head: bytes = b"") -> str:
    """By the name's suffix first (fixed table, then Python's own), else by the first bytes."""
    suffix = PurePath(file_name).suffix.lower()
    if suffix in _KNOWN_SUFFIXES:
        return _KNOWN_SUFFIXES[suffix]
    guessed, _encoding = _BUILTIN.guess_type(PurePath(file_name).name.lower() or "x", strict=False)
    if guessed and guessed != OCTET_STREAM:
        return guessed
    return sniff_media_type(head) or OCTET_STREAM


def media_category(media_type: str) -> MediaCategory:
    if not media_type:
        return MediaCategory.ITEM
    major = media_type.split("/", 1)[0]
    if major == "image":
        return MediaCategory.PHOTO
    if major == "audio":
        return MediaCategory.AUDIO
    if major == "video":
        return MediaCategory.VIDEO
    if media_type.startswith(("application/pdf", "application/ofd", "application/msword", "text/")) or (
        "officedocument" in media_type or "ms-excel" in media_type
    ):
        return MediaCategory.DOCUMENT
    return MediaCategory.OTHER


def is_audio_video(media_type: str, kind: str = "") -> bool:
    """An audio-video record (音像记录): audio and video always; a picture unless it is the scan of
    a paper kind of evidence (a signed receipt photographed is still a 书证)."""
    category = media_category(media_type)
    if category in (MediaCategory.AUDIO, MediaCategory.VIDEO):
        return True
    return category == MediaCategory.PHOTO and kind not in PAPER_KINDS


def default_kind(media_type: str) -> str:
    """What the add dialog proposes: audio-video for recordings and photos, 书证 for documents."""
    category = media_category(media_type)
    if category in (MediaCategory.PHOTO, MediaCategory.AUDIO, MediaCategory.VIDEO):
        return "audio_visual"
    if category == MediaCategory.DOCUMENT:
        return "documentary"
    if category == MediaCategory.ITEM:
        return "physical"
    return "electronic"


# --- completeness of the full-process record ---------------------------------------------------


class AvNeed(StrEnum):
    MANDATORY = "mandatory"  # 应当全程音像记录
    CIRCUMSTANTIAL = "circumstantial"  # 根据情况音像记录


REQUIRED = "required"
RECOMMENDED = "recommended"


@dataclass(frozen=True)
class StepRule:
    """What one step of the procedure needs on record."""

    code: str
    label: str
    text_record: str  # the 笔录 (InvestigationRecord kind) or document that records the step
    text_label: str
    av: AvNeed
    source: str
    note: str = ""


STEP_RULES: tuple[StepRule, ...] = (
    StepRule(
        "inspection",
        "现场检查（勘验）",
        "inspection",
        "现场检查（勘验）笔录",
        AvNeed.CIRCUMSTANTIAL,
        "《行政处罚法》第四十七条；国办发〔2018〕118号（现场检查视情况音像记录）",
    ),
    StepRule(
        "inquiry",
        "调查询问",
        "inquiry",
        "询问笔录",
        AvNeed.CIRCUMSTANTIAL,
        "《行政处罚法》第四十七条；各地音像记录事项清单（询问）",
    ),
    StepRule(
        "preservation",
        "证据先行登记保存",
        "preservation",
        "先行登记保存笔录",
        AvNeed.CIRCUMSTANTIAL,
        "《行政处罚法》第五十六条；国办发〔2018〕118号（证据保全视情况音像记录）",
    ),
    StepRule(
        "seizure",
        "查封、扣押",
        "seizure",
        "查封（扣押）现场笔录",
        AvNeed.MANDATORY,
        "国办发〔2018〕118号：查封扣押财产应当全程音像记录；《行政强制法》第二十四条",
    ),
    StepRule(
        "demolition",
        "强制拆除",
        "demolition",
        "强制拆除笔录",
        AvNeed.MANDATORY,
        "国办发〔2018〕118号：强制拆除应当全程音像记录；《浙江省违法建筑处置规定》第十九条",
    ),
    StepRule(
        "statement",
        "陈述申辩（口头）",
        "statement",
        "陈述申辩笔录",
        AvNeed.CIRCUMSTANTIAL,
        "《行政处罚法》第四十五条；各地音像记录事项清单（陈述申辩）",
    ),
    StepRule(
        "hearing",
        "听证",
        "hearing",
        "听证笔录",
        AvNeed.CIRCUMSTANTIAL,
        "《行政处罚法》第六十四条；国办发〔2018〕118号（听证视情况音像记录）",
    ),
    StepRule(
        "delivery",
        "送达",
        "delivery",
        "送达回证（送达笔录）",
        AvNeed.CIRCUMSTANTIAL,
        "《行政处罚法》第六十一条；各地音像记录事项清单（送达，尤其留置送达、公告送达）",
        "留置送达、公告送达宜全程音像记录",
    ),
)
STEP_RULE_BY_CODE: dict[str, StepRule] = {r.code: r for r in STEP_RULES}
STEP_LABELS: dict[str, str] = {r.code: r.label for r in STEP_RULES}

# Procedure steps (CaseStep kinds, approval kinds) that show a step has happened or is under way.
_STEP_OF_CASE_STEP: dict[str, str] = {
    "evidence_preserved": "preservation",
    "seized": "seizure",
    "hearing_held": "hearing",
    "prior_notice_served": "delivery",
    "hearing_notice_served": "delivery",
    "decision_served": "delivery",
    "demand_notice_served": "delivery",
    "service_by_publication": "delivery",
}
_STEP_OF_APPROVAL: dict[str, str] = {"preservation": "preservation", "seizure": "seizure"}
_DOCUMENT_OF_DELIVERY: dict[str, str] = {
    "prior_notice_served": "事先告知书",
    "hearing_notice_served": "听证通知书",
    "decision_served": "决定书",
    "demand_notice_served": "催告书",
    "service_by_publication": "送达公告",
}
AV_EMPHASIS_DELIVERY_MODES = frozenset({"留置送达", "公告送达"})
# Modes whose proof of service is a 送达回证 (public notice and e-service are proved by their own
# record); the same set as the document service's.
RECEIPT_MODES = frozenset({"直接送达", "留置送达", "邮寄送达", "委托送达"})
_PROOF_OF_OTHER_MODES = {"公告送达": "送达公告及公告情况", "电子送达": "电子送达记录"}
# A 当场处罚决定书 handed over on the spot is signed for on the decision itself: no 送达回证.
ON_THE_SPOT_HANDOVER = "当场交付"


def step_label(code: str) -> str:
    return STEP_LABELS.get(code, code or "（未指定环节）")


@dataclass(frozen=True)
class RecordFact:
    """An investigation record (笔录) of the case."""

    id: str
    kind: str
    started_at: datetime
    place: str = ""


@dataclass(frozen=True)
class EvidenceFact:
    id: str
    step: str
    is_av: bool
    kind: str = ""
    record_id: str | None = None


@dataclass(frozen=True)
class ProcedureFact:
    """A dated procedure step (`CaseStep.kind`) or an approval (`approval:<kind>`)."""

    kind: str
    on: date
    ref: str | None = None
    mode: str = ""


@dataclass(frozen=True)
class DeliveryFact:
    """One service of an issued document, as the document service records it (`Delivery`)."""

    id: str
    document: str  # the served document's title: 行政处罚决定书
    mode: str
    on: date  # the day of service (of publication, for 公告送达)
    effective_on: date
    receipt: bool  # a 送达回证 was issued for this service
    av: bool  # an audio-video record of the service is linked


@dataclass(frozen=True)
class Need:
    """One record a step needs: its text record or its audio-video record."""

    label: str
    medium: str  # "text" | "av"
    level: str  # REQUIRED | RECOMMENDED
    present: bool
    note: str = ""


@dataclass(frozen=True)
class StepCompleteness:
    """One occurrence of a step in a case, what it needs and what is on record."""

    step: str
    label: str  # 查封、扣押
    title: str  # 查封、扣押（2025年9月23日 东村路口）
    on: date | None
    record_id: str | None
    needs: tuple[Need, ...]
    source: str
    required: tuple[str, ...]
    recommended: tuple[str, ...]
    present: tuple[str, ...]
    missing: tuple[str, ...]  # required and not on record
    advised: tuple[str, ...]  # recommended and not on record

    @property
    def complete(self) -> bool:
        return not self.missing


@dataclass(frozen=True)
class CaseCompleteness:
    steps: tuple[StepCompleteness, ...]

    @property
    def missing_count(self) -> int:
        return sum(len(s.missing) for s in self.steps)

    @property
    def complete(self) -> bool:
        return self.missing_count == 0


def _day(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _finish(
    rule: StepRule, title: str, on: date | None, record_id: str | None, needs: Sequence[Need]
) -> StepCompleteness:
    needs = tuple(needs)
    return StepCompleteness(
        step=rule.code,
        label=rule.label,
        title=title,
        on=on,
        record_id=record_id,
        needs=needs,
        source=rule.source,
        required=tuple(n.label for n in needs if n.level == REQUIRED),
        recommended=tuple(n.label for n in needs if n.level == RECOMMENDED),
        present=tuple(n.label for n in needs if n.present),
        missing=tuple(n.label for n in needs if n.level == REQUIRED and not n.present),
        advised=tuple(n.label for n in needs if n.level == RECOMMENDED and not n.present),
    )


def _av_need(rule: StepRule, count: int, loose: int, *, linked_only: bool, emphasis: str = "") -> Need:
    """The audio-video line of a step. `count` AV items linked to its record, `loose` tagged with the
    step but linked to no record."""
    mandatory = rule.av == AvNeed.MANDATORY
    label = "全程音像记录" if mandatory else "音像记录"
    level = REQUIRED if mandatory else RECOMMENDED
    usable = count + (0 if linked_only and mandatory else loose)
    if usable:
        parts = []
        if count:
            parts.append(f"已关联{count}件")
        if loose and not (linked_only and mandatory):
            parts.append(f"{loose}件已上传、未关联笔录")
        return Need(label, "av", level, True, "，".join(parts))
    if mandatory:
        note = f"{rule.label}应当全程音像记录（执法全过程记录制度）"
        if loose:
            note += f"；已上传{loose}件音像证据，请关联到该笔录"
        return Need(label, "av", level, False, note)
    return Need(label, "av", level, False, emphasis or "根据情况进行音像记录")


def completeness(
    records: Iterable[RecordFact],
    evidence: Iterable[EvidenceFact],
    procedure: Iterable[ProcedureFact] = (),
    deliveries: Iterable[DeliveryFact] = (),
) -> CaseCompleteness:
    """Per step of the case: which text and audio-video records it needs and which are missing.

    A step is in the case when it has its record (笔录), when the procedure recorded it (a seizure,
    a hearing held, a document served, a leader's approval of preservation or seizure), or when
    evidence was filed under it. Records are one step each, and so is each recorded service of a
    document."""
    records = sorted(records, key=lambda r: (r.started_at, r.id))
    deliveries = list(deliveries)
    evidence = list(evidence)
    procedure = sorted(procedure, key=lambda p: p.on)
    av_by_record: dict[str, int] = {}
    loose_av: dict[str, int] = {}
    paper_by_step: dict[str, int] = {}
    for item in evidence:
        if item.is_av and item.record_id:
            av_by_record[item.record_id] = av_by_record.get(item.record_id, 0) + 1
        elif item.is_av and item.step:
            loose_av[item.step] = loose_av.get(item.step, 0) + 1
        elif not item.is_av and item.step and item.kind in PAPER_KINDS:
            paper_by_step[item.step] = paper_by_step.get(item.step, 0) + 1

    out: list[StepCompleteness] = []
    record_kinds = {r.kind for r in records}
    record_ids = {r.id for r in records}

    # 1. Every record of a step kind (delivery records are counted with the services below).
    for record in records:
        rule = STEP_RULE_BY_CODE.get(record.kind)
        if rule is None or rule.code == "delivery":
            continue
        day = to_beijing(record.started_at).date()
        title = f"{rule.label}（{_day(day)}{' ' + record.place if record.place else ''}）"
        needs = [
            Need(rule.text_label, "text", REQUIRED, True, "已制作"),
            _av_need(rule, av_by_record.get(record.id, 0), loose_av.get(rule.code, 0), linked_only=True),
        ]
        out.append(_finish(rule, title, day, record.id, needs))

    # 2. Steps under way or done without their record: approved or recorded measures, a hearing
    #    held, evidence filed under a step. One line per step kind.
    pending: dict[str, date | None] = {}
    for fact in procedure:
        if fact.kind.startswith("approval:"):
            code = _STEP_OF_APPROVAL.get(fact.kind.removeprefix("approval:"), "")
        else:
            code = _STEP_OF_CASE_STEP.get(fact.kind, "")
        if not code or code == "delivery" or code in record_kinds or (fact.ref and fact.ref in record_ids):
            continue
        pending.setdefault(code, fact.on)
    for item in evidence:
        if item.step in STEP_RULE_BY_CODE and item.step != "delivery" and item.step not in record_kinds:
            pending.setdefault(item.step, None)
    for rule in STEP_RULES:
        if rule.code not in pending:
            continue
        on = pending[rule.code]
        title = f"{rule.label}（{_day(on)}）" if on else rule.label
        needs = [
            Need(rule.text_label, "text", REQUIRED, False, f"尚未制作{rule.text_label}"),
            _av_need(rule, 0, loose_av.get(rule.code, 0), linked_only=False),
        ]
        out.append(_finish(rule, title, on, None, needs))

    # 3. Service of documents. Each service recorded by the document service is one step: it needs
    #    its 送达回证 (or, for 公告送达 and 电子送达, their own record). Services the procedure recorded
    #    without such a record are one step for the case, their receipts counted.
    rule = STEP_RULE_BY_CODE["delivery"]
    loose_delivery_av = loose_av.get("delivery", 0)
    unmatched = [
        p
        for p in procedure
        if _STEP_OF_CASE_STEP.get(p.kind) == "delivery" and p.mode != ON_THE_SPOT_HANDOVER
    ]
    for d in sorted(deliveries, key=lambda d: (d.on, d.id)):
        match = next((p for p in unmatched if p.on in (d.on, d.effective_on)), None)
        if match is not None:
            unmatched.remove(match)
        if d.mode in RECEIPT_MODES:
            text = Need(
                "送达回证", "text", REQUIRED, d.receipt, "已签发" if d.receipt else "尚未制作送达回证"
            )
        else:
            text = Need(_PROOF_OF_OTHER_MODES.get(d.mode, "送达记录"), "text", REQUIRED, True, "已记录")
        emphasis = f"{d.mode}宜全程音像记录" if d.mode in AV_EMPHASIS_DELIVERY_MODES else ""
        av = _av_need(rule, int(d.av), loose_delivery_av, linked_only=False, emphasis=emphasis)
        title = f"送达《{d.document}》（{_day(d.on)}，{d.mode}）"
        out.append(_finish(rule, title, d.on, None, [text, av]))

    delivery_records = [r for r in records if r.kind == "delivery"]
    others = bool(delivery_records or "delivery" in paper_by_step or loose_delivery_av)
    if unmatched or (others and not deliveries):
        receipts = len(delivery_records) + paper_by_step.get("delivery", 0)
        wanted = max(len(unmatched), 1)
        served = "、".join(
            f"{_DOCUMENT_OF_DELIVERY.get(p.kind, '文书')}（{_day(p.on)}{'，' + p.mode if p.mode else ''}）"
            for p in unmatched
        )
        text_note = f"已有{receipts}份，应有{wanted}份" if receipts < wanted else f"已有{receipts}份"
        modes = sorted({p.mode for p in unmatched} & AV_EMPHASIS_DELIVERY_MODES)
        emphasis = f"本案有{'、'.join(modes)}，宜全程音像记录" if modes else ""
        av_linked = sum(av_by_record.get(r.id, 0) for r in delivery_records)
        needs = [
            Need(rule.text_label, "text", REQUIRED, receipts >= wanted, text_note),
            _av_need(rule, av_linked, loose_delivery_av, linked_only=False, emphasis=emphasis),
        ]
        title = f"{rule.label}：{served}" if served else rule.label
        first = unmatched[0].on if unmatched else None
        out.append(_finish(rule, title, first, None, needs))

    order = {r.code: n for n, r in enumerate(STEP_RULES)}
    out.sort(key=lambda s: (order[s.step], s.on or date.max, s.record_id or ""))
    return CaseCompleteness(tuple(out))
