"""Evidence of a case: files streamed into the content-addressed store, physical items, every view,
export and print logged, and the completeness of the full-process record per step.

Adding a file, in order (docs/evidence.md):
1. check the input and the case, before anything is copied;
2. copy the file into the store under a temporary name while hashing it (1 MB at a time, outside
   any database lock: body-camera video runs to several GB);
3. for a picture, make the thumbnail and read the EXIF capture time from the copy;
4. in one write transaction: move the copy to its content address, the attachment row (once per
   hash), the evidence row and the audit event. If that transaction fails, a file this call placed
   is removed again unless another writer recorded the same content meanwhile.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import shutil
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from brigade_desk.core import audit
from brigade_desk.core.errors import FieldError, NotFound, RuleViolation, ValidationError
from brigade_desk.core.files import CHUNK, Staged, discard, hash_file, path_for, place, stage_stream
from brigade_desk.core.images import inspect_image
from brigade_desk.core.model import (
    Approval,
    Attachment,
    AuditEvent,
    Case,
    CaseStep,
    Delivery,
    Document,
    Evidence,
    InvestigationRecord,
)
from brigade_desk.core.rules.clocks import EventKind
from brigade_desk.core.rules.evidence import (
    EVIDENCE_KINDS,
    KIND_LABELS,
    MEDIA_LABELS,
    ON_THE_SPOT_HANDOVER,
    STEP_LABELS,
    STEP_RULES,
    CaseCompleteness,
    DeliveryFact,
    EvidenceFact,
    MediaCategory,
    ProcedureFact,
    RecordFact,
    completeness,
    default_kind,
    detect_media_type,
    is_audio_video,
    kind_label,
    media_category,
    step_label,
)
from brigade_desk.core.rules.permissions import Actor, Permission
from brigade_desk.core.rules.procedure import CaseState
from brigade_desk.core.services.base import Service, operation
from brigade_desk.core.timeutil import as_utc, format_datetime, to_beijing

__all__ = [
    "EVIDENCE_KINDS",
    "MEDIA_LABELS",
    "STEP_LABELS",
    "STEP_RULES",
    "AccessEntry",
    "CaseCompleteness",
    "EvidenceAdded",
    "EvidenceInput",
    "EvidenceService",
    "EvidenceView",
    "ExportResult",
    "RecordChoice",
    "default_kind",
    "detect_media_type",
]

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
VIEW_DIR = "view"
HEAD_BYTES = 64
# Minutes of grace for "collected in the future": forms fill in the time to the minute.
FUTURE_GRACE = timedelta(minutes=2)
FROZEN_STATES = frozenset({CaseState.CLOSED.value, CaseState.ARCHIVED.value})
RECORD_LABELS = {r.text_record: r.text_label for r in STEP_RULES}
ACTION_LABELS = {
    "evidence.add": "登记",
    "evidence.link": "关联笔录",
    "evidence.view": "查看",
    "evidence.export": "导出",
    "evidence.print": "打印",
}


# --- inputs and views ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceInput:
    kind: str  # a code of rules.evidence.EVIDENCE_KINDS
    description: str
    proves: str
    collected_by: str
    collected_at: datetime
    place: str = ""
    step: str = ""  # a code of rules.evidence.STEP_RULES, or "" for the case as a whole
    record_id: str | None = None  # the 笔录 this item belongs to (its step follows the record)


@dataclass(frozen=True)
class EvidenceView:
    id: str
    case_id: str
    number: int  # 1, 2, 3 … in the order items were filed in the case
    kind: str
    kind_label: str
    description: str
    proves: str
    collected_by: str
    collected_at: datetime
    place: str
    step: str
    step_label: str
    record_id: str | None
    sha256: str | None
    file_name: str
    media_type: str
    category: str  # rules.evidence.MediaCategory value
    category_label: str
    size: int
    captured_at: datetime | None
    is_av: bool
    thumbnail_path: Path | None
    created_at: datetime
    version: int

    @property
    def has_file(self) -> bool:
        return self.sha256 is not None

    @property
    def title(self) -> str:
        return f"证据{self.number}　{self.description}"


@dataclass(frozen=True)
class EvidenceAdded:
    evidence: EvidenceView
    reused_file: bool  # the store already held these bytes (no second copy was kept)
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExportResult:
    path: Path
    sha256: str
    size: int


@dataclass(frozen=True)
class AccessEntry:
    at: datetime
    actor_name: str
    action: str
    action_label: str
    summary: str


@dataclass(frozen=True)
class RecordChoice:
    id: str
    kind: str
    label: str  # 查封（扣押）现场笔录 2025年9月23日 09:00 东村路口


# --- helpers ------------------------------------------------------------------------------------


class _Reading:
    """Reads a source for `stage_stream`: reports progress per chunk and keeps the first bytes."""

    def __init__(self, source: BinaryIO, total: int, progress: Progress | None) -> None:
        self._source = source
        self._progress = progress
        self.total = total
        self.done = 0
        self.head = b""

    def read(self, size: int = -1, /) -> bytes:
        chunk = self._source.read(size)
        if len(self.head) < HEAD_BYTES:
            self.head += chunk[: HEAD_BYTES - len(self.head)]
        self.done += len(chunk)
        if self._progress is not None and chunk:
            self._progress(self.done, self.total)
        return chunk


def _size_of(stream: BinaryIO) -> int:
    try:
        return os.fstat(stream.fileno()).st_size
    except (AttributeError, OSError, ValueError):
        return 0


def _read_only(path: Path) -> None:
    """Stored files are read-only: a viewer opened on one cannot save over the evidence."""
    with contextlib.suppress(OSError):
        os.chmod(path, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
        path.unlink()


def _safe_name(name: str, fallback: str) -> str:
    base = Path(name.replace("\\", "/")).name
    cleaned = "".join(c for c in base if c.isprintable() and c not in '<>:"/\\|?*').strip(" .")
    return cleaned[:120] or fallback


def _case(session: Session, case_id: str) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound("案件不存在")
    return case


def _evidence(session: Session, evidence_id: str) -> Evidence:
    item = session.get(Evidence, evidence_id)
    if item is None:
        raise NotFound("证据不存在")
    return item


def _editable(case: Case) -> None:
    if case.state in FROZEN_STATES:
        raise RuleViolation("案件已结案或归档，不能再登记或更改证据")


def _record_label(record: InvestigationRecord) -> str:
    return (
        f"{RECORD_LABELS.get(record.kind, record.kind)}　{format_datetime(record.started_at)}　{record.place}"
    )


class EvidenceService(Service):
    """Evidence items of a case and their files, their access log, and the completeness panel."""

    # --- views ------------------------------------------------------------------------------------

    def _view(self, item: Evidence, number: int) -> EvidenceView:
        category = media_category(item.media_type) if item.sha256 else MediaCategory.ITEM
        thumb = path_for(self.store.files_dir, item.thumbnail_sha256) if item.thumbnail_sha256 else None
        return EvidenceView(
            id=item.id,
            case_id=item.case_id,
            number=number,
            kind=item.kind,
            kind_label=kind_label(item.kind),
            description=item.description,
            proves=item.proves,
            collected_by=item.collected_by,
            collected_at=item.collected_at,
            place=item.place,
            step=item.step,
            step_label=step_label(item.step) if item.step else "",
            record_id=item.record_id,
            sha256=item.sha256,
            file_name=item.file_name,
            media_type=item.media_type,
            category=category.value,
            category_label=MEDIA_LABELS[category],
            size=item.size,
            captured_at=item.captured_at,
            is_av=item.is_av,
            thumbnail_path=thumb,
            created_at=item.created_at,
            version=item.version,
        )

    @staticmethod
    def _items(session: Session, case_id: str) -> list[Evidence]:
        return list(
            session.execute(
                select(Evidence).where(Evidence.case_id == case_id).order_by(Evidence.created_at, Evidence.id)
            ).scalars()
        )

    def _view_of(self, session: Session, item: Evidence) -> EvidenceView:
        ids = [e.id for e in self._items(session, item.case_id)]
        return self._view(item, ids.index(item.id) + 1 if item.id in ids else 0)

    # --- input checks -------------------------------------------------------------------------------

    def _field_errors(self, data: EvidenceInput) -> list[FieldError]:
        errors: list[FieldError] = []
        if data.kind not in KIND_LABELS:
            errors.append(
                FieldError(
                    "证据种类", "请选择《行政处罚法》第四十六条规定的种类：" + "、".join(KIND_LABELS.values())
                )
            )
        if not data.description.strip():
            errors.append(FieldError("证据说明", "请写明证据的名称和内容"))
        if not data.collected_by.strip():
            errors.append(FieldError("收集人", "请填写收集（制作）人"))
        elif len(data.collected_by.strip()) > 100:
            errors.append(FieldError("收集人", "不超过100个字"))
        if as_utc(data.collected_at) > self.clock() + FUTURE_GRACE:
            errors.append(FieldError("收集时间", f"不能晚于现在（{format_datetime(self.clock())}）"))
        if data.step and data.step not in STEP_LABELS:
            errors.append(FieldError("执法环节", "请选择：" + "、".join(STEP_LABELS.values())))
        return errors

    def _check_case(self, case_id: str, data: EvidenceInput) -> None:
        """The case accepts evidence and the record named belongs to it (read before copying)."""
        with self.store.read() as session:
            self._check_case_in(session, case_id, data)

    @staticmethod
    def _check_case_in(session: Session, case_id: str, data: EvidenceInput) -> InvestigationRecord | None:
        _editable(_case(session, case_id))
        if data.record_id is None:
            return None
        record = session.get(InvestigationRecord, data.record_id)
        if record is None or record.case_id != case_id:
            raise ValidationError.single("关联笔录", "所选笔录不属于本案")
        return record

    # --- adding -------------------------------------------------------------------------------------

    @operation(Permission.CASE_EDIT)
    def check(self, actor: Actor, case_id: str, data: EvidenceInput) -> None:
        """Refuse input that `add_file`/`add_item` would refuse, before a long copy is started (the
        add dialog calls it on OK, so the person fixes the form while it is still open)."""
        errors = self._field_errors(data)
        if errors:
            raise ValidationError(errors)
        self._check_case(case_id, data)

    @operation(Permission.CASE_EDIT)
    def add_file(
        self,
        actor: Actor,
        case_id: str,
        source: Path | BinaryIO,
        data: EvidenceInput,
        *,
        file_name: str | None = None,
        progress: Progress | None = None,
    ) -> EvidenceAdded:
        """File a photo, recording, video, scan or other file as evidence of a case.

        `source` is a path or an open binary stream (then `file_name` names it). `progress(done,
        total)` is called after each megabyte copied; an exception it raises (a cancel) stops the
        copy and nothing is kept."""
        errors = self._field_errors(data)
        stream: BinaryIO | None = None
        if isinstance(source, Path):
            name = file_name or source.name
            stream, problem = self._open(source)
            if problem:
                errors.append(FieldError("文件", problem))
        else:
            name = file_name or str(getattr(source, "name", "") or "")
            stream = source
        name = Path(name.replace("\\", "/")).name
        if errors:
            if isinstance(source, Path) and stream is not None:
                stream.close()
            raise ValidationError(errors)
        assert stream is not None
        staged: list[Staged] = []
        try:
            with contextlib.ExitStack() as closing:
                if isinstance(source, Path):
                    closing.callback(stream.close)
                self._check_case(case_id, data)
                reading = _Reading(stream, _size_of(stream), progress)
                staged.append(stage_stream(self.store.files_dir, reading))
            copy = staged[0]
            if copy.size == 0:
                raise ValidationError.single("文件", f"“{name}”是空文件（0 字节），不能作为证据")
            media_type = detect_media_type(name, reading.head)
            category = media_category(media_type)
            warnings: list[str] = []
            thumb_sha, captured_at = None, None
            if category == MediaCategory.PHOTO:
                thumb_sha, captured_at, thumb_staged, notes = self._picture(copy)
                warnings += notes
                if thumb_staged is not None:
                    staged.append(thumb_staged)
            if captured_at and captured_at > as_utc(data.collected_at) + timedelta(minutes=5):
                warnings.append("照片的拍摄时间晚于登记的收集时间，请核对相机时间或收集时间")
            return self._record_file(
                actor, case_id, data, name, media_type, copy, staged[1:], thumb_sha, captured_at, warnings
            )
        finally:
            for item in staged:
                discard(item)  # placed copies are gone already; this drops what was not placed

    @staticmethod
    def _open(path: Path) -> tuple[BinaryIO | None, str]:
        if not path.exists():
            return None, f"找不到文件：{path}"
        if not path.is_file():
            return None, f"不是文件：{path}"
        if path.stat().st_size == 0:
            return None, f"“{path.name}”是空文件（0 字节），不能作为证据"
        try:
            stream = path.open("rb")
        except OSError as exc:
            return None, f"无法读取文件：{path}（{exc.strerror or exc}）"
        return stream, ""

    def _picture(self, copy: Staged) -> tuple[str | None, datetime | None, Staged | None, list[str]]:
        """Thumbnail and capture time: taken from an earlier filing of the same bytes when there is
        one, else made from the copy."""
        with self.store.read() as session:
            earlier = session.execute(
                select(Evidence.thumbnail_sha256, Evidence.captured_at)
                .where(Evidence.sha256 == copy.sha256, Evidence.thumbnail_sha256.is_not(None))
                .limit(1)
            ).first()
        if earlier is not None and path_for(self.store.files_dir, str(earlier[0])).exists():
            return str(earlier[0]), earlier[1], None, []
        facts = inspect_image(copy.path)
        if facts.thumbnail_jpeg is None:
            return None, facts.captured_at, None, list(facts.warnings)
        thumb = stage_stream(self.store.files_dir, io.BytesIO(facts.thumbnail_jpeg))
        return thumb.sha256, facts.captured_at, thumb, list(facts.warnings)

    def _record_file(
        self,
        actor: Actor,
        case_id: str,
        data: EvidenceInput,
        name: str,
        media_type: str,
        copy: Staged,
        extra: list[Staged],
        thumb_sha: str | None,
        captured_at: datetime | None,
        warnings: list[str],
    ) -> EvidenceAdded:
        placed: list[str] = []
        try:
            with self.store.write() as session:
                record = self._check_case_in(session, case_id, data)
                now = self.clock()
                reused = session.get(Attachment, copy.sha256) is not None
                for staged, kind, label in [(copy, media_type, name)] + [
                    (s, "image/jpeg", f"缩略图：{name}") for s in extra
                ]:
                    target = path_for(self.store.files_dir, staged.sha256)
                    if place(self.store.files_dir, staged):
                        placed.append(staged.sha256)
                        _read_only(target)
                    if session.get(Attachment, staged.sha256) is None:
                        session.add(
                            Attachment(
                                sha256=staged.sha256,
                                size=staged.size,
                                media_type=kind,
                                original_name=label[:255],
                                created_at=now,
                            )
                        )
                session.flush()
                earlier = session.execute(
                    select(Evidence.description).where(
                        Evidence.case_id == case_id, Evidence.sha256 == copy.sha256
                    )
                ).first()
                if earlier is not None:
                    warnings.append(f"本案已登记过同一文件（证据“{earlier[0]}”），本次另行登记")
                item = Evidence(
                    case_id=case_id,
                    step=record.kind if record is not None else data.step,
                    kind=data.kind,
                    description=data.description.strip(),
                    proves=data.proves.strip(),
                    collected_by=data.collected_by.strip(),
                    collected_at=as_utc(data.collected_at),
                    place=data.place.strip(),
                    sha256=copy.sha256,
                    file_name=name[:255],
                    media_type=media_type,
                    size=copy.size,
                    captured_at=captured_at,
                    thumbnail_sha256=thumb_sha,
                    is_av=is_audio_video(media_type, data.kind),
                    record_id=data.record_id,
                    created_at=now,
                )
                session.add(item)
                session.flush()
                audit.record(
                    session,
                    actor,
                    audit.Change(
                        "evidence.add",
                        "case",
                        case_id,
                        f"登记证据：{item.description}（{kind_label(item.kind)}，{name}）",
                        after=_snapshot(item),
                        detail={"evidence_id": item.id, "sha256": copy.sha256, "warnings": list(warnings)},
                    ),
                    at=now,
                )
                view = self._view_of(session, item)
        except BaseException:
            self._drop_unreferenced(placed)
            raise
        return EvidenceAdded(view, reused, tuple(warnings))

    def _drop_unreferenced(self, shas: list[str]) -> None:
        """Remove files this call placed when its transaction failed, unless another writer has
        recorded the same content since (checked under the writer lock)."""
        if not shas:
            return
        try:
            with self.store.write() as session:
                for sha in shas:
                    if session.get(Attachment, sha) is None:
                        _remove(path_for(self.store.files_dir, sha))
        except Exception:  # the original error matters more; an orphan file is harmless (docs/evidence.md)
            log.exception("could not remove unreferenced files %s", shas)

    @operation(Permission.CASE_EDIT)
    def add_item(self, actor: Actor, case_id: str, data: EvidenceInput) -> EvidenceView:
        """Physical evidence (物证) or a paper original kept in the file, without an electronic file."""
        errors = self._field_errors(data)
        if errors:
            raise ValidationError(errors)
        with self.store.write() as session:
            record = self._check_case_in(session, case_id, data)
            now = self.clock()
            item = Evidence(
                case_id=case_id,
                step=record.kind if record is not None else data.step,
                kind=data.kind,
                description=data.description.strip(),
                proves=data.proves.strip(),
                collected_by=data.collected_by.strip(),
                collected_at=as_utc(data.collected_at),
                place=data.place.strip(),
                is_av=False,
                record_id=data.record_id,
                created_at=now,
            )
            session.add(item)
            session.flush()
            audit.record(
                session,
                actor,
                audit.Change(
                    "evidence.add",
                    "case",
                    case_id,
                    f"登记证据：{item.description}（{kind_label(item.kind)}，无电子文件）",
                    after=_snapshot(item),
                    detail={"evidence_id": item.id},
                ),
                at=now,
            )
            return self._view_of(session, item)

    @operation(Permission.CASE_EDIT)
    def link_to_record(self, actor: Actor, evidence_id: str, record_id: str) -> EvidenceView:
        """Link an item to the 笔录 of the act it records (a seizure's video to the seizure record)."""
        with self.store.write() as session:
            item = _evidence(session, evidence_id)
            case = _case(session, item.case_id)
            _editable(case)
            record = session.get(InvestigationRecord, record_id)
            if record is None or record.case_id != item.case_id:
                raise ValidationError.single("关联笔录", "所选笔录不属于本案")
            if item.record_id == record.id:
                return self._view_of(session, item)
            if item.record_id is not None:
                raise RuleViolation("该证据已关联到另一份笔录，不能改为关联其他笔录")
            before = _snapshot(item)
            item.record_id = record.id
            item.step = record.kind
            session.flush()
            audit.record(
                session,
                actor,
                audit.Change(
                    "evidence.link",
                    "case",
                    item.case_id,
                    f"证据“{item.description}”关联{_record_label(record)}",
                    before=before,
                    after=_snapshot(item),
                    detail={"evidence_id": item.id, "record_id": record.id},
                ),
                at=self.clock(),
            )
            return self._view_of(session, item)

    # --- reading ------------------------------------------------------------------------------------

    @operation(Permission.CASE_VIEW)
    def list_for_case(self, actor: Actor, case_id: str) -> list[EvidenceView]:
        """The case's evidence in filing order, with thumbnail paths (the list itself is not logged:
        opening, exporting and printing an item are)."""
        with self.store.read() as session:
            _case(session, case_id)
            return [self._view(item, n) for n, item in enumerate(self._items(session, case_id), 1)]

    @operation(Permission.CASE_VIEW)
    def get(self, actor: Actor, evidence_id: str) -> EvidenceView:
        with self.store.read() as session:
            return self._view_of(session, _evidence(session, evidence_id))

    @operation(Permission.CASE_VIEW)
    def record_choices(self, actor: Actor, case_id: str) -> list[RecordChoice]:
        """The case's 笔录, for linking evidence to one."""
        with self.store.read() as session:
            _case(session, case_id)
            records = session.execute(
                select(InvestigationRecord)
                .where(InvestigationRecord.case_id == case_id)
                .order_by(InvestigationRecord.started_at)
            ).scalars()
            return [RecordChoice(r.id, r.kind, _record_label(r)) for r in records]

    @operation(Permission.AUDIT_VIEW)
    def access_log(self, actor: Actor, evidence_id: str) -> list[AccessEntry]:
        """Who filed, linked, viewed, exported or printed this item, and when (oldest first)."""
        with self.store.read() as session:
            item = _evidence(session, evidence_id)
            events = session.execute(
                select(AuditEvent)
                .where(
                    AuditEvent.entity_type == "case",
                    AuditEvent.entity_id == item.case_id,
                    AuditEvent.action.like("evidence.%"),
                )
                .order_by(AuditEvent.seq)
            ).scalars()
            return [
                AccessEntry(e.at, e.actor_name, e.action, ACTION_LABELS.get(e.action, e.action), e.summary)
                for e in events
                if e.detail.get("evidence_id") == evidence_id
            ]

    # --- views, exports and prints, each logged --------------------------------------------------

    def _log_access(
        self, session: Session, actor: Actor, item: Evidence, action: str, summary: str, **detail: object
    ) -> None:
        audit.record(
            session,
            actor,
            audit.Change(
                action,
                "case",
                item.case_id,
                summary,
                detail={"evidence_id": item.id, "sha256": item.sha256 or "", **detail},
            ),
            at=self.clock(),
        )

    def _stored(self, item: Evidence) -> Path:
        if item.sha256 is None:
            raise RuleViolation(f"证据“{item.description}”是实物，没有电子文件")
        path = path_for(self.store.files_dir, item.sha256)
        if not path.is_file():
            raise NotFound(f"证据文件不在本机的存储目录中（{path}）；请从备份恢复或在保存该文件的电脑上操作")
        return path

    @operation(Permission.CASE_VIEW)
    def open_for_view(self, actor: Actor, evidence_id: str) -> Path:
        """A path to open the file with the system's viewer, under its own name (a hard link to the
        read-only stored file, or a copy where links are not possible); the view is logged."""
        with self.store.read() as session:
            item = _evidence(session, evidence_id)
            view = self._view_path(item, self._stored(item))
        with self.store.write() as session:
            item = _evidence(session, evidence_id)
            self._log_access(
                session,
                actor,
                item,
                "evidence.view",
                f"查看证据：{item.description}（{item.file_name}）",
            )
            return view

    def _view_path(self, item: Evidence, stored: Path) -> Path:
        folder = self.store.data_dir / VIEW_DIR / item.id
        name = _safe_name(item.file_name, f"证据{Path(item.file_name).suffix}")
        target = folder / name
        folder.mkdir(parents=True, exist_ok=True)
        if target.exists():
            same = target.stat().st_ino == stored.stat().st_ino and target.stat().st_ino != 0
            if same or (target.stat().st_size == item.size and hash_file(target) == item.sha256):
                return target
            _remove(target)
        _read_only(stored)
        try:
            os.link(stored, target)
        except OSError:
            shutil.copyfile(stored, target)
            _read_only(target)
        return target

    @operation(Permission.CASE_VIEW)
    def export(
        self, actor: Actor, evidence_id: str, dest: Path, *, progress: Progress | None = None
    ) -> ExportResult:
        """Copy the file to `dest`, checking its hash on the way; the export is logged. A stored
        file whose bytes no longer match its hash is refused, not exported."""
        with self.store.read() as session:
            item = _evidence(session, evidence_id)
            stored = self._stored(item)
        if dest.is_dir():
            dest = dest / _safe_name(item.file_name, f"证据{item.id[:8]}")
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=".export-")
        except OSError as exc:
            raise ValidationError.single(
                "导出位置", f"无法写入 {dest.parent}（{exc.strerror or exc}）"
            ) from exc
        tmp = Path(tmp_name)
        moved = False
        try:
            hasher = hashlib.sha256()
            done = 0
            with stored.open("rb") as src, os.fdopen(fd, "wb") as out:
                while chunk := src.read(CHUNK):
                    hasher.update(chunk)
                    out.write(chunk)
                    done += len(chunk)
                    if progress is not None:
                        progress(done, item.size)
            if hasher.hexdigest() != item.sha256:
                raise RuleViolation("存储中的证据文件与登记时的哈希值不符（文件可能已被改动），已停止导出")
            with self.store.write() as session:
                current = _evidence(session, evidence_id)
                self._log_access(
                    session,
                    actor,
                    current,
                    "evidence.export",
                    f"导出证据：{current.description}（{current.file_name}）",
                    to=str(dest),
                )
                os.replace(tmp, dest)
                moved = True
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                (dest if moved else tmp).unlink()
            raise
        return ExportResult(dest, item.sha256 or "", done)

    @operation(Permission.CASE_VIEW)
    def record_print(self, actor: Actor, evidence_id: str, copies: int = 1) -> None:
        """Log that an item was printed (the GUI prints, then records it)."""
        if copies < 1:
            raise ValidationError.single("份数", "至少打印一份")
        with self.store.write() as session:
            item = _evidence(session, evidence_id)
            self._log_access(
                session,
                actor,
                item,
                "evidence.print",
                f"打印证据：{item.description}（{copies}份）",
                copies=copies,
            )

    # --- completeness -------------------------------------------------------------------------------

    @operation(Permission.CASE_VIEW)
    def completeness(self, actor: Actor, case_id: str) -> CaseCompleteness:
        """Per step of the case: the text and audio-video records it needs and which are missing."""
        with self.store.read() as session:
            case = _case(session, case_id)
            records = [
                RecordFact(r.id, r.kind, r.started_at, r.place)
                for r in session.execute(
                    select(InvestigationRecord).where(InvestigationRecord.case_id == case_id)
                ).scalars()
            ]
            evidence = [
                EvidenceFact(e.id, e.step, e.is_av, e.kind, e.record_id)
                for e in self._items(session, case_id)
            ]
            steps = [
                ProcedureFact(s.kind, s.on, s.ref, _service_mode(case, s))
                for s in session.execute(select(CaseStep).where(CaseStep.case_id == case_id)).scalars()
            ]
            approvals = [
                ProcedureFact(f"approval:{a.kind}", to_beijing(a.at).date())
                for a in session.execute(
                    select(Approval).where(Approval.case_id == case_id, Approval.approved)
                ).scalars()
            ]
            served = session.execute(
                select(Delivery, Document.title)
                .join(Document, Document.id == Delivery.document_id)
                .where(Delivery.case_id == case_id)
            ).all()
            receipts = set(
                session.execute(
                    select(Document.delivery_id).where(
                        Document.case_id == case_id,
                        Document.form_id == "delivery_receipt",
                        Document.status == "issued",
                    )
                ).scalars()
            )
            deliveries = [
                DeliveryFact(
                    d.id,
                    title,
                    d.mode,
                    d.delivered_on,
                    d.effective_on,
                    d.id in receipts,
                    bool(d.av_evidence_id),
                )
                for d, title in served
            ]
        return completeness(records, evidence, steps + approvals, deliveries)


def _snapshot(item: Evidence) -> dict[str, object]:
    return {
        "id": item.id,
        "case_id": item.case_id,
        "kind": item.kind,
        "description": item.description,
        "proves": item.proves,
        "collected_by": item.collected_by,
        "collected_at": item.collected_at,
        "place": item.place,
        "step": item.step,
        "sha256": item.sha256,
        "file_name": item.file_name,
        "media_type": item.media_type,
        "size": item.size,
        "captured_at": item.captured_at,
        "is_av": item.is_av,
        "record_id": item.record_id,
    }


def _service_mode(case: Case, step: CaseStep) -> str:
    """How a recorded service was made. A simple-procedure decision is handed over on the spot
    (APL Art 52): the party signs the 当场行政处罚决定书 itself, so it needs no 送达回证."""
    if case.procedure == "simple" and step.kind == EventKind.DECISION_SERVED:
        return ON_THE_SPOT_HANDOVER
    return str((step.detail or {}).get("mode", ""))
