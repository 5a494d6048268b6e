"""Evidence: files hashed while streamed in, stored once, thumbnails and EXIF capture time, every
view/export/print in the audit chain, bad input refused with nothing written, and the completeness
panel of the full-process record. On SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import io
import os
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PIL import ExifTags, Image, ImageDraw
from sqlalchemy import func, select

from brigade_desk.core import audit
from brigade_desk.core.app import Services
from brigade_desk.core.errors import NotFound, PermissionDenied, RuleViolation, ValidationError
from brigade_desk.core.files import path_for
from brigade_desk.core.model import (
    Attachment,
    AuditEvent,
    Case,
    CaseStep,
    Delivery,
    Document,
    Evidence,
    InvestigationRecord,
)
from brigade_desk.core.rules import evidence as rules
from brigade_desk.core.services import evidence as evidence_module
from brigade_desk.core.services.evidence import EvidenceInput
from brigade_desk.core.services.procedure import FilingInput, RecordInput
from brigade_desk.core.store import Store
from tests.factories import Cast, Clock, cast_of

NOW = datetime(2025, 9, 24, 2, 0, tzinfo=UTC)  # 2025-09-24 10:00 Beijing


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def svc(store: Store, clock: Clock) -> Services:
    return Services.over(store, clock)


@pytest.fixture
def cast(svc: Services) -> Cast:
    return cast_of(svc)


@pytest.fixture
def case_id(svc: Services, cast: Cast) -> str:
    p = svc.procedure
    case_id = p.propose_filing(
        cast.officer,
        FilingInput(
            power_item_ids=(cast.item_id,),
            party_ids=(cast.person_id,),
            officer_ids=cast.officer_ids,
            violation_date=date(2025, 9, 20),
            summary="陈喆擅自占用城市道路从事经营活动案",
            place="青溪镇东村路口",
        ),
    )
    p.approve_filing(cast.leader, case_id, True, "同意立案", svc.cases.get(cast.officer, case_id).version)
    return case_id


def _input(**changes: object) -> EvidenceInput:
    data: dict[str, object] = dict(
        kind="audio_visual",
        description="东村路口占道水果摊现场照片",
        proves="当事人占用人行道摆摊经营",
        collected_by="张三、李四",
        collected_at=datetime(2025, 9, 23, 2, 30, tzinfo=UTC),
        place="青溪镇东村路口",
        step="inspection",
    )
    data.update(changes)
    return EvidenceInput(**data)  # type: ignore[arg-type]


def make_jpeg(
    path: Path, taken: str | None = "2025:09:23 10:15:00", size: tuple[int, int] = (1600, 1200)
) -> Path:
    image = Image.new("RGB", size, (70, 120, 160))
    draw = ImageDraw.Draw(image)
    draw.rectangle((200, 300, 900, 1000), fill=(230, 180, 40))
    draw.ellipse((1000, 200, 1400, 600), fill=(30, 160, 60))
    exif = Image.Exif()
    if taken:
        exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = taken
    image.save(path, "JPEG", quality=90, exif=exif)
    return path


def _sha(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _stored_files(store: Store) -> list[Path]:
    if not store.files_dir.exists():
        return []
    return sorted(p for p in store.files_dir.rglob("*") if p.is_file())


def _counts(store: Store) -> tuple[int, int, int]:
    with store.read() as session:
        return (
            session.execute(select(func.count()).select_from(Evidence)).scalar_one(),
            session.execute(select(func.count()).select_from(Attachment)).scalar_one(),
            session.execute(select(func.count()).select_from(AuditEvent)).scalar_one(),
        )


def _chain_ok(store: Store) -> None:
    with store.read() as session:
        report = audit.verify_chain(session)
    assert report.ok, report.reason


def _actions(store: Store, case_id: str) -> list[str]:
    with store.read() as session:
        return list(
            session.execute(
                select(AuditEvent.action)
                .where(AuditEvent.entity_id == case_id, AuditEvent.action.like("evidence.%"))
                .order_by(AuditEvent.seq)
            ).scalars()
        )


# --- ingest -----------------------------------------------------------------------------------------


def test_photo_is_hashed_stored_thumbnailed_and_dated_from_exif(
    svc: Services, cast: Cast, case_id: str, tmp_path: Path
) -> None:
    photo = make_jpeg(tmp_path / "IMG_0001.JPG")
    added = svc.evidence.add_file(cast.officer, case_id, photo, _input())
    item = added.evidence

    assert item.sha256 == _sha(photo)
    stored = path_for(svc.store.files_dir, item.sha256)
    assert stored.read_bytes() == photo.read_bytes()
    assert not os.access(stored, os.W_OK) or os.geteuid() == 0  # read-only (root may write anyway)
    assert (item.file_name, item.media_type, item.category, item.size) == (
        "IMG_0001.JPG",
        "image/jpeg",
        "photo",
        photo.stat().st_size,
    )
    assert item.is_av and item.number == 1 and item.kind_label == "视听资料"
    assert item.step_label == "现场检查（勘验）"
    # EXIF DateTimeOriginal is Beijing local time; stored in UTC.
    assert item.captured_at == datetime(2025, 9, 23, 2, 15, tzinfo=UTC)
    assert added.warnings == () and not added.reused_file

    # The thumbnail is its own content-addressed JPEG, at most 256 px.
    assert item.thumbnail_path is not None and item.thumbnail_path.is_file()
    assert item.thumbnail_path == path_for(svc.store.files_dir, _sha(item.thumbnail_path))
    with Image.open(item.thumbnail_path) as thumb:
        assert thumb.format == "JPEG" and thumb.size == (256, 192)
    with svc.store.read() as session:
        row = session.get(Attachment, item.sha256)
        assert row is not None and row.size == item.size and row.media_type == "image/jpeg"
    # No temporary file is left in the store.
    assert not [p for p in _stored_files(svc.store) if p.name.startswith(".incoming-")]
    assert _actions(svc.store, case_id) == ["evidence.add"]
    _chain_ok(svc.store)
    assert [e.id for e in svc.evidence.list_for_case(cast.clerk, case_id)] == [item.id]


def test_identical_file_is_stored_once(svc: Services, cast: Cast, case_id: str, tmp_path: Path) -> None:
    photo = make_jpeg(tmp_path / "a.jpg")
    copy = tmp_path / "copy-of-a.jpg"
    copy.write_bytes(photo.read_bytes())
    first = svc.evidence.add_file(cast.officer, case_id, photo, _input())
    files_after_first = _stored_files(svc.store)
    second = svc.evidence.add_file(
        cast.officer, case_id, copy, _input(description="同一照片（另一张存储卡）")
    )

    assert second.reused_file and second.evidence.sha256 == first.evidence.sha256
    assert second.evidence.thumbnail_path == first.evidence.thumbnail_path
    assert second.evidence.file_name == "copy-of-a.jpg" and second.evidence.number == 2
    assert any("本案已登记过同一文件" in w for w in second.warnings)
    assert _stored_files(svc.store) == files_after_first  # the file and its thumbnail, once
    assert _counts(svc.store)[:2] == (2, 2)  # two evidence rows; attachments: the photo and its thumbnail


def test_stream_with_a_name_and_magic_bytes_fallback(
    svc: Services, cast: Cast, case_id: str, tmp_path: Path
) -> None:
    mp4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 4096
    added = svc.evidence.add_file(
        cast.officer, case_id, io.BytesIO(mp4), _input(description="执法记录仪视频"), file_name="REC0001"
    )
    assert (added.evidence.media_type, added.evidence.category, added.evidence.is_av) == (
        "video/mp4",
        "video",
        True,
    )
    assert added.evidence.thumbnail_path is None and added.warnings == ()
    wav = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 1000
    added = svc.evidence.add_file(
        cast.officer, case_id, io.BytesIO(wav), _input(description="询问录音"), file_name="rec.dat"
    )
    assert (added.evidence.media_type, added.evidence.category_label) == ("audio/wav", "录音")


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"\xff\xd8\xff\xe0" + b"\x13" * 5000, id="garbage-after-jpeg-header"),
        pytest.param(None, id="truncated-jpeg"),
    ],
)
def test_corrupt_photo_is_filed_without_thumbnail_and_with_a_warning(
    svc: Services, cast: Cast, case_id: str, tmp_path: Path, content: bytes | None
) -> None:
    path = tmp_path / "broken.jpg"
    path.write_bytes(
        content if content is not None else make_jpeg(tmp_path / "whole.jpg").read_bytes()[:3000]
    )
    added = svc.evidence.add_file(cast.officer, case_id, path, _input())
    assert added.evidence.thumbnail_path is None
    assert any("无法解码" in w for w in added.warnings)
    assert added.evidence.sha256 == _sha(path) and added.evidence.is_av
    with svc.store.read() as session:
        event = session.execute(select(AuditEvent).where(AuditEvent.action == "evidence.add")).scalar_one()
    assert any("无法解码" in w for w in event.detail["warnings"])


def test_png_with_transparency_and_a_photo_without_exif(
    svc: Services, cast: Cast, case_id: str, tmp_path: Path
) -> None:
    png = tmp_path / "scan.png"
    Image.new("RGBA", (300, 900), (10, 20, 30, 0)).save(png)
    added = svc.evidence.add_file(
        cast.officer, case_id, png, _input(kind="documentary", description="营业执照复印件")
    )
    assert added.evidence.thumbnail_path is not None and added.evidence.captured_at is None
    with Image.open(added.evidence.thumbnail_path) as thumb:
        assert thumb.size == (85, 256) and thumb.mode == "RGB"
    assert not added.evidence.is_av  # a scanned paper document is a 书证, not an audio-video record
    plain = svc.evidence.add_file(cast.officer, case_id, make_jpeg(tmp_path / "n.jpg", taken=None), _input())
    assert plain.evidence.captured_at is None and plain.warnings == ()


def _big_file(path: Path, megabytes: int) -> str:
    """A file written 1 MB at a time (never held whole); returns its SHA-256."""
    hasher = hashlib.sha256()
    block = bytes(range(256)) * 4096
    with path.open("wb") as out:
        for n in range(megabytes):
            chunk = n.to_bytes(4, "big") + block[4:]
            hasher.update(chunk)
            out.write(chunk)
    return hasher.hexdigest()


def test_large_file_is_streamed_with_bounded_memory(
    svc: Services, cast: Cast, case_id: str, tmp_path: Path
) -> None:
    video = tmp_path / "DJI_0001.MP4"
    expected = _big_file(video, 200)
    seen: list[tuple[int, int]] = []
    tracemalloc.start()
    try:
        added = svc.evidence.add_file(
            cast.officer,
            case_id,
            video,
            _input(description="执法记录仪全程录像"),
            progress=lambda done, total: seen.append((done, total)),
        )
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert added.evidence.sha256 == expected and added.evidence.size == 200 * 1024 * 1024
    assert _sha(path_for(svc.store.files_dir, expected)) == expected
    assert peak < 12 * 1024 * 1024, f"peak Python memory {peak / 1e6:.1f} MB while copying 200 MB"
    assert len(seen) == 200 and seen[-1] == (200 * 1024 * 1024, 200 * 1024 * 1024)


def test_a_cancelled_copy_leaves_nothing(svc: Services, cast: Cast, case_id: str, tmp_path: Path) -> None:
    video = tmp_path / "long.mp4"
    _big_file(video, 8)
    before = _counts(svc.store)

    class Stop(Exception):
        pass

    def cancel_at_half(done: int, total: int) -> None:
        if done >= total // 2:
            raise Stop

    with pytest.raises(Stop):
        svc.evidence.add_file(cast.officer, case_id, video, _input(), progress=cancel_at_half)
    assert _counts(svc.store) == before
    assert _stored_files(svc.store) == []


def test_physical_item_without_a_file(svc: Services, cast: Cast, case_id: str) -> None:
    item = svc.evidence.add_item(
        cast.officer, case_id, _input(kind="physical", description="扣押的水果摊车一辆", step="")
    )
    assert not item.has_file and item.category == "item" and item.category_label == "实物"
    assert not item.is_av and item.thumbnail_path is None
    with pytest.raises(RuleViolation, match="是实物，没有电子文件"):
        svc.evidence.open_for_view(cast.officer, item.id)
    assert _actions(svc.store, case_id) == ["evidence.add"]


# --- access log -------------------------------------------------------------------------------------


def test_every_view_export_and_print_is_in_the_audit_chain(
    svc: Services, cast: Cast, case_id: str, tmp_path: Path, clock: Clock
) -> None:
    photo = make_jpeg(tmp_path / "现场照片1.jpg")
    item = svc.evidence.add_file(cast.officer, case_id, photo, _input()).evidence

    clock.now = NOW + timedelta(hours=1)
    viewed = svc.evidence.open_for_view(cast.reviewer, item.id)
    assert viewed.name == "现场照片1.jpg" and viewed.read_bytes() == photo.read_bytes()
    assert svc.evidence.open_for_view(cast.reviewer, item.id) == viewed  # a second view, logged again

    clock.now = NOW + timedelta(hours=2)
    out = tmp_path / "out" / "导出.jpg"
    result = svc.evidence.export(cast.leader, item.id, out)
    assert out.read_bytes() == photo.read_bytes() and result.sha256 == item.sha256
    into_dir = svc.evidence.export(cast.leader, item.id, tmp_path / "out")
    assert into_dir.path == tmp_path / "out" / "现场照片1.jpg"

    clock.now = NOW + timedelta(hours=3)
    svc.evidence.record_print(cast.clerk, item.id, copies=2)

    assert _actions(svc.store, case_id) == [
        "evidence.add",
        "evidence.view",
        "evidence.view",
        "evidence.export",
        "evidence.export",
        "evidence.print",
    ]
    log = svc.evidence.access_log(cast.officer, item.id)
    assert [(e.action_label, e.actor_name) for e in log] == [
        ("登记", "张三"),
        ("查看", "孙审核"),
        ("查看", "孙审核"),
        ("导出", "赵镇长"),
        ("导出", "赵镇长"),
        ("打印", "周内勤"),
    ]
    assert [e.at for e in log] == [NOW, *[NOW + timedelta(hours=h) for h in (1, 1, 2, 2, 3)]]
    assert "2份" in log[-1].summary
    _chain_ok(svc.store)
    # The case history (entity "case") shows the same events.
    history = svc.audit.history(cast.officer, "case", case_id)
    assert sum(1 for h in history if h.action.startswith("evidence.")) == 6


def test_a_damaged_stored_file_is_not_exported(
    svc: Services, cast: Cast, case_id: str, tmp_path: Path
) -> None:
    item = svc.evidence.add_file(cast.officer, case_id, make_jpeg(tmp_path / "p.jpg"), _input()).evidence
    assert item.sha256 is not None
    stored = path_for(svc.store.files_dir, item.sha256)
    os.chmod(stored, 0o644)
    with stored.open("r+b") as f:
        f.seek(100)
        f.write(b"tampered")
    before = _counts(svc.store)
    with pytest.raises(RuleViolation, match="哈希值不符"):
        svc.evidence.export(cast.officer, item.id, tmp_path / "out.jpg")
    assert not (tmp_path / "out.jpg").exists() and not list(tmp_path.glob(".export-*"))
    assert _counts(svc.store) == before


def test_roles(svc: Services, cast: Cast, case_id: str, tmp_path: Path) -> None:
    photo = make_jpeg(tmp_path / "p.jpg")
    with pytest.raises(PermissionDenied, match="无权办理案件"):
        svc.evidence.add_file(cast.clerk, case_id, photo, _input())
    with pytest.raises(PermissionDenied):
        svc.evidence.add_file(cast.reviewer, case_id, photo, _input())
    item = svc.evidence.add_file(cast.leader, case_id, photo, _input()).evidence
    assert svc.evidence.get(cast.reviewer, item.id).id == item.id


# --- refusals -----------------------------------------------------------------------------------------


@pytest.fixture
def files(tmp_path: Path) -> Iterator[dict[str, Path]]:
    empty = tmp_path / "empty.jpg"
    empty.touch()
    folder = tmp_path / "folder"
    folder.mkdir()
    locked = make_jpeg(tmp_path / "locked.jpg")
    locked.chmod(0)
    yield {"photo": make_jpeg(tmp_path / "ok.jpg"), "empty": empty, "folder": folder, "locked": locked}
    locked.chmod(0o644)


@pytest.mark.parametrize(
    ("source", "changes", "fields"),
    [
        ("photo", {"kind": "照片"}, ["证据种类"]),
        ("photo", {"collected_at": NOW + timedelta(days=1)}, ["收集时间"]),
        ("photo", {"description": "  "}, ["证据说明"]),
        ("photo", {"collected_by": ""}, ["收集人"]),
        ("photo", {"collected_by": "张" * 101}, ["收集人"]),
        ("photo", {"step": "lunch"}, ["执法环节"]),
        ("missing", {}, ["文件"]),
        ("folder", {}, ["文件"]),
        ("empty", {}, ["文件"]),
        ("locked", {}, ["文件"]),
        ("empty-stream", {}, ["文件"]),
        ("missing", {"kind": "x", "description": ""}, ["证据种类", "证据说明", "文件"]),
    ],
)
def test_bad_input_is_refused_with_nothing_written(
    svc: Services,
    cast: Cast,
    case_id: str,
    files: dict[str, Path],
    tmp_path: Path,
    source: str,
    changes: dict[str, object],
    fields: list[str],
) -> None:
    if source == "locked" and os.access(files["locked"], os.R_OK):
        pytest.skip("running as a user who can read any file (root)")
    before = _counts(svc.store)
    given: Path | io.BytesIO = (
        io.BytesIO(b"") if source == "empty-stream" else files.get(source, tmp_path / "no-such-file.jpg")
    )
    with pytest.raises(ValidationError) as info:
        svc.evidence.add_file(cast.officer, case_id, given, _input(**changes), file_name="x.jpg")
    assert [e.field for e in info.value.errors] == fields
    assert _counts(svc.store) == before
    assert _stored_files(svc.store) == []


def test_unknown_or_closed_case_is_refused_before_copying(
    svc: Services, cast: Cast, case_id: str, tmp_path: Path
) -> None:
    photo = make_jpeg(tmp_path / "p.jpg")
    with pytest.raises(NotFound):
        svc.evidence.add_file(cast.officer, "no-such-case", photo, _input())
    with svc.store.write() as session:
        case = session.get(Case, case_id)
        assert case is not None
        case.state = "archived"
    with pytest.raises(RuleViolation, match="已结案或归档"):
        svc.evidence.add_file(cast.officer, case_id, photo, _input())
    assert _stored_files(svc.store) == [] and _counts(svc.store)[:2] == (0, 0)


def test_a_failed_transaction_after_copying_leaves_no_row_and_no_file(
    svc: Services, cast: Cast, case_id: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = svc.evidence.add_file(cast.officer, case_id, make_jpeg(tmp_path / "kept.jpg"), _input())
    files_before, counts_before = _stored_files(svc.store), _counts(svc.store)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(evidence_module.audit, "record", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        svc.evidence.add_file(
            cast.officer, case_id, make_jpeg(tmp_path / "new.jpg", size=(900, 600)), _input()
        )
    # The same bytes as an item already filed: the failure must not remove the file that item uses.
    again = tmp_path / "again.jpg"
    again.write_bytes((tmp_path / "kept.jpg").read_bytes())
    with pytest.raises(RuntimeError, match="disk full"):
        svc.evidence.add_file(cast.officer, case_id, again, _input())
    assert _stored_files(svc.store) == files_before
    assert _counts(svc.store) == counts_before
    assert kept.evidence.sha256 is not None
    assert path_for(svc.store.files_dir, kept.evidence.sha256).is_file()


# --- completeness ---------------------------------------------------------------------------------------


def _seizure_step(svc: Services, cast: Cast, case_id: str) -> list[rules.StepCompleteness]:
    return [s for s in svc.evidence.completeness(cast.officer, case_id).steps if s.step == "seizure"]


def test_completeness_of_a_seizure(svc: Services, cast: Cast, case_id: str, tmp_path: Path) -> None:
    assert svc.evidence.completeness(cast.officer, case_id).steps == ()

    # The leader approved a seizure: the step is under way, its record and AV are missing.
    svc.procedure.approve_measure(cast.leader, case_id, "seizure", "同意扣押")
    (step,) = _seizure_step(svc, cast, case_id)
    assert step.label == "查封、扣押" and step.record_id is None
    assert step.required == ("查封（扣押）现场笔录", "全程音像记录")
    assert step.missing == ("查封（扣押）现场笔录", "全程音像记录") and not step.complete

    # The body-camera video is filed under the step, then the record links it.
    video = svc.evidence.add_file(
        cast.officer,
        case_id,
        io.BytesIO(b"\x00\x00\x00\x18ftypmp42" + b"\x01" * 2048),
        _input(description="扣押过程执法记录仪录像", step="seizure"),
        file_name="seizure.mp4",
    ).evidence
    (step,) = _seizure_step(svc, cast, case_id)
    assert step.missing == ("查封（扣押）现场笔录",) and "全程音像记录" in step.present
    record_id = svc.procedure.add_record(
        cast.officer,
        case_id,
        RecordInput(
            kind="seizure",
            started_at=datetime(2025, 9, 23, 1, tzinfo=UTC),
            ended_at=datetime(2025, 9, 23, 2, tzinfo=UTC),
            place="东村路口",
            officer_ids=cast.officer_ids,
            text="扣押水果摊车一辆",
            av_evidence_ids=(video.id,),
        ),
    )
    (step,) = _seizure_step(svc, cast, case_id)
    assert step.record_id == record_id and step.complete
    assert step.present == ("查封（扣押）现场笔录", "全程音像记录")
    assert step.title == "查封、扣押（2025年9月23日 东村路口）"

    # A seizure record without AV (made before the rule was enforced, or brought in by a bundle).
    with svc.store.write() as session:
        bare = InvestigationRecord(
            case_id=case_id,
            kind="seizure",
            started_at=datetime(2025, 9, 23, 6, tzinfo=UTC),
            ended_at=datetime(2025, 9, 23, 7, tzinfo=UTC),
            place="西村桥头",
            officers=[],
            persons=[],
            content={"text": "扣押三轮车一辆"},
            created_at=NOW,
        )
        session.add(bare)
        session.flush()
        bare_id = bare.id
    steps = _seizure_step(svc, cast, case_id)
    assert [(s.record_id, s.missing) for s in steps] == [(record_id, ()), (bare_id, ("全程音像记录",))]
    assert svc.evidence.completeness(cast.officer, case_id).missing_count == 1

    second = svc.evidence.add_file(
        cast.officer,
        case_id,
        io.BytesIO(b"\x00\x00\x00\x18ftypmp42" + b"\x02" * 2048),
        _input(description="西村桥头扣押录像"),
        file_name="seizure2.mp4",
    ).evidence
    linked = svc.evidence.link_to_record(cast.officer, second.id, bare_id)
    assert linked.record_id == bare_id and linked.step == "seizure"
    assert all(s.complete for s in _seizure_step(svc, cast, case_id))
    assert svc.evidence.completeness(cast.officer, case_id).complete
    assert _actions(svc.store, case_id)[-1] == "evidence.link"
    with pytest.raises(RuleViolation, match="已关联到另一份笔录"):
        svc.evidence.link_to_record(cast.officer, second.id, record_id)


def test_inspection_av_is_recommended_not_required(
    svc: Services, cast: Cast, case_id: str, tmp_path: Path
) -> None:
    svc.procedure.add_record(
        cast.officer,
        case_id,
        RecordInput(
            kind="inspection",
            started_at=datetime(2025, 9, 22, 1, tzinfo=UTC),
            ended_at=datetime(2025, 9, 22, 2, tzinfo=UTC),
            place="东村路口",
            officer_ids=cast.officer_ids,
            text="现场有水果摊一处",
        ),
    )
    (step,) = svc.evidence.completeness(cast.officer, case_id).steps
    assert step.required == ("现场检查（勘验）笔录",) and step.recommended == ("音像记录",)
    assert step.complete and step.advised == ("音像记录",)
    svc.evidence.add_file(cast.officer, case_id, make_jpeg(tmp_path / "p.jpg"), _input(step="inspection"))
    (step,) = svc.evidence.completeness(cast.officer, case_id).steps
    assert step.advised == () and step.present == ("现场检查（勘验）笔录", "音像记录")


def test_link_refuses_a_record_of_another_case(svc: Services, cast: Cast, case_id: str) -> None:
    item = svc.evidence.add_item(cast.officer, case_id, _input(kind="physical", description="摊车"))
    with svc.store.write() as session:
        other = session.get(Case, case_id)
        assert other is not None
    with pytest.raises(ValidationError, match="不属于本案"):
        svc.evidence.link_to_record(cast.officer, item.id, "no-such-record")


# --- rules (pure) -------------------------------------------------------------------------------------------


def test_the_eight_kinds_of_article_46() -> None:
    assert [k.label for k in rules.EVIDENCE_KINDS] == [
        "书证",
        "物证",
        "视听资料",
        "电子数据",
        "证人证言",
        "当事人的陈述",
        "鉴定意见",
        "勘验笔录、现场笔录",
    ]
    assert len({k.code for k in rules.EVIDENCE_KINDS}) == 8


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("IMG_1.JPG", b"", "image/jpeg"),
        ("a.ts", b"", "video/mp2t"),
        ("call.amr", b"", "audio/amr"),
        ("noname", b"\xff\xd8\xff\xe1", "image/jpeg"),
        ("noname", b"\x89PNG\r\n\x1a\n", "image/png"),
        ("clip.bin", b"\x00\x00\x00\x20ftypisom", "video/mp4"),
        ("voice", b"ID3\x04", "audio/mpeg"),
        ("voice", b"\xff\xfb\x90\x64", "audio/mpeg"),
        ("rec", b"RIFF\x00\x00\x00\x00WAVEfmt ", "audio/wav"),
        ("unknown", b"hello", "application/octet-stream"),
    ],
)
def test_media_type_by_name_then_magic_bytes(name: str, head: bytes, expected: str) -> None:
    assert rules.detect_media_type(name, head) == expected


def test_what_counts_as_audio_video() -> None:
    assert rules.is_audio_video("video/mp4", "documentary")  # a recording is always AV
    assert rules.is_audio_video("image/jpeg", "audio_visual")
    assert rules.is_audio_video("image/jpeg", "physical")
    assert not rules.is_audio_video("image/jpeg", "documentary")  # a scanned receipt
    assert not rules.is_audio_video("application/pdf", "audio_visual")
    assert not rules.is_audio_video("", "physical")


def test_service_of_documents_counts_receipts_and_stresses_av_for_disputed_modes() -> None:
    served = [
        rules.ProcedureFact("prior_notice_served", date(2025, 9, 29), mode="直接送达"),
        rules.ProcedureFact("decision_served", date(2025, 10, 20), mode="留置送达"),
    ]
    (step,) = rules.completeness([], [], served).steps
    assert step.step == "delivery" and step.missing == ("送达回证（送达笔录）",)
    text, av = step.needs
    assert text.note == "已有0份，应有2份"
    assert av.level == rules.RECOMMENDED and "留置送达" in av.note
    receipts = [rules.EvidenceFact(f"e{n}", "delivery", False, "documentary") for n in range(2)]
    (step,) = rules.completeness([], receipts, served).steps
    assert step.complete and step.advised == ("音像记录",)


def test_each_recorded_service_needs_its_receipt_and_is_not_counted_twice() -> None:
    deliveries = [
        rules.DeliveryFact(
            "d1", "行政处罚事先告知书", "直接送达", date(2025, 9, 29), date(2025, 9, 29), True, False
        ),
        rules.DeliveryFact(
            "d2", "行政处罚决定书", "留置送达", date(2025, 10, 20), date(2025, 10, 20), False, True
        ),
        rules.DeliveryFact("d3", "催告书", "公告送达", date(2025, 11, 3), date(2025, 12, 3), False, False),
    ]
    # The procedure's steps for the same services (the document service records both).
    steps = [
        rules.ProcedureFact("prior_notice_served", date(2025, 9, 29), mode="直接送达"),
        rules.ProcedureFact("decision_served", date(2025, 10, 20), mode="留置送达"),
        rules.ProcedureFact("demand_notice_served", date(2025, 12, 3), mode="公告送达"),
    ]
    report = rules.completeness([], [], steps, deliveries)
    assert [s.title for s in report.steps] == [
        "送达《行政处罚事先告知书》（2025年9月29日，直接送达）",
        "送达《行政处罚决定书》（2025年10月20日，留置送达）",
        "送达《催告书》（2025年11月3日，公告送达）",
    ]
    first, second, third = report.steps
    assert first.complete and first.advised == ("音像记录",)
    assert second.missing == ("送达回证",) and "音像记录" in second.present
    assert third.complete and third.present == ("送达公告及公告情况",)
    assert "公告送达宜全程音像记录" in third.needs[1].note


def test_completeness_reads_the_document_services_deliveries(svc: Services, cast: Cast, case_id: str) -> None:
    with svc.store.write() as session:
        notice = Document(
            case_id=case_id,
            form_id="prior_notice",
            form_version="1",
            title="行政处罚事先告知书",
            kind="outward",
            status="issued",
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(notice)
        session.flush()
        served = Delivery(
            document_id=notice.id,
            case_id=case_id,
            mode="直接送达",
            delivered_on=date(2025, 9, 23),
            effective_on=date(2025, 9, 23),
            addressee="陈喆",
            recorded_at=NOW,
        )
        session.add(served)
        session.add(
            CaseStep(
                case_id=case_id, kind="prior_notice_served", on=date(2025, 9, 23), detail={}, recorded_at=NOW
            )
        )
        session.flush()
        delivery_id = served.id
    (step,) = svc.evidence.completeness(cast.officer, case_id).steps
    assert step.title == "送达《行政处罚事先告知书》（2025年9月23日，直接送达）"
    assert step.missing == ("送达回证",)
    with svc.store.write() as session:
        session.add(
            Document(
                case_id=case_id,
                form_id="delivery_receipt",
                form_version="1",
                title="送达回证",
                kind="outward",
                status="issued",
                delivery_id=delivery_id,
                created_at=NOW,
                updated_at=NOW,
            )
        )
    (step,) = svc.evidence.completeness(cast.officer, case_id).steps
    assert step.complete


def test_exif_time_with_and_without_an_offset() -> None:
    from brigade_desk.core.images import parse_exif_time

    assert parse_exif_time("2025:09:23 10:15:00") == datetime(2025, 9, 23, 2, 15, tzinfo=UTC)
    assert parse_exif_time("2025:09:23 10:15:00", "+09:00") == datetime(2025, 9, 23, 1, 15, tzinfo=UTC)
    assert parse_exif_time(b"2025:09:23 10:15:00\x00") == datetime(2025, 9, 23, 2, 15, tzinfo=UTC)
    assert parse_exif_time("0000:00:00 00:00:00") is None
    assert parse_exif_time(None) is None


def test_an_on_the_spot_decision_needs_no_delivery_receipt(svc: Services, cast: Cast) -> None:
    """A 简罚 decision is handed over on the spot and signed for on the decision itself (APL Art 52):
    its service is not a step missing a 送达回证. The same service in a general case is."""
    from brigade_desk.core.services.procedure import SimpleInput

    simple = svc.procedure.on_the_spot(
        cast.officer,
        SimpleInput(
            cast.person_id,
            cast.item_id,
            cast.officer_ids,
            date(2025, 9, 22),
            "东村路口",
            "占道经营",
            fine_fen=50_00,
        ),
    )
    steps = svc.evidence.completeness(cast.officer, simple).steps
    assert not [s for s in steps if s.step == "delivery"]

    general = svc.procedure.propose_filing(
        cast.officer,
        FilingInput((cast.item_id,), (cast.person_id,), cast.officer_ids, date(2025, 9, 20), "占道经营案"),
    )
    with svc.store.write() as session:
        session.add(
            CaseStep(
                case_id=general, kind="decision_served", on=date(2025, 9, 23), detail={}, recorded_at=NOW
            )
        )
    (served,) = [s for s in svc.evidence.completeness(cast.officer, general).steps if s.step == "delivery"]
    assert "送达回证（送达笔录）" in served.missing
