"""Attachment files handled by the child process (core.sync.filework): refusals, cancelling, and what
is left behind (nothing)."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from brigade_desk.core import files
from brigade_desk.core.errors import StoreError
from brigade_desk.core.files import path_for
from brigade_desk.core.model import SyncBundle
from brigade_desk.core.sync import exporter, filework, importer
from brigade_desk.core.sync.filework import FileWork, FileWorkError
from brigade_desk.core.sync.importer import SENT_DIR, bundles_dir
from brigade_desk.core.sync.reader import BundleReader
from brigade_desk.core.sync.records import TOWN_TYPES
from brigade_desk.core.sync.writer import Cancelled
from tests.core.sync_support import (
    Side,
    add_evidence,
    case_ids,
    demo,
    make_county,
    make_town,
    pair,
    store_digest,
)


@pytest.fixture
def sides(tmp_path: Path) -> Iterator[tuple[Side, Side]]:
    town, county = make_town(tmp_path / "town"), make_county(tmp_path / "county")
    pair(town, county)
    demo(town, 8)
    yield town, county
    town.close()
    county.close()


def _stored_file(town: Side, content: bytes) -> Path:
    add_evidence(town, case_ids(town, open_only=True)[0], content)
    import hashlib

    return path_for(town.store.files_dir, hashlib.sha256(content).hexdigest())


def _leftovers(town: Side) -> list[str]:
    sent = bundles_dir(town.data_dir) / SENT_DIR
    return sorted(p.name for p in sent.iterdir()) if sent.exists() else []


@pytest.mark.parametrize(
    ("damage", "message"),
    [("missing", "附件文件缺失"), ("altered", "附件文件已损坏")],
)
def test_export_refuses_a_missing_or_damaged_stored_file_and_leaves_nothing(
    sides: tuple[Side, Side], tmp_path: Path, damage: str, message: str
) -> None:
    town, _county = sides
    stored = _stored_file(town, os.urandom(300_000))
    if damage == "missing":
        stored.unlink()
    else:
        stored.chmod(0o644)
        stored.write_bytes(b"x" + stored.read_bytes()[1:])
    out = tmp_path / "usb"
    out.mkdir()
    before = _leftovers(town)
    with pytest.raises(StoreError, match=message):
        town.sync.export(town.admin, out)
    assert list(out.iterdir()) == []
    assert _leftovers(town) == before


@pytest.mark.parametrize("lines_checked_by", ["this process", "the child"])
def test_cancelling_an_import_stops_the_child_and_leaves_the_store_as_it_was(
    sides: tuple[Side, Side], tmp_path: Path, lines_checked_by: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if lines_checked_by == "the child":
        monkeypatch.setattr(importer, "CHILD_CHECKS_FROM", 0)
    town, county = sides
    for n in range(3):
        _stored_file(town, os.urandom(2_000_000) + bytes([n]))
    out = tmp_path / "usb"
    out.mkdir()
    bundle = town.sync.export(town.admin, out)[0].path
    before = store_digest(county.store)
    calls = [0]

    def progress(done: int, total: int) -> None:
        calls[0] += 1
        if calls[0] == 3:
            raise Cancelled

    waited: list[object] = []
    monkeypatch.setattr(importer, "_files_verified", lambda work, step: waited.append(work))
    with pytest.raises(Cancelled):
        county.sync.import_bundle(county.admin, bundle, progress=progress)
    assert waited == []  # a cancel stops at once: it does not wait for the child's verdict
    monkeypatch.undo()
    assert store_digest(county.store) == before
    assert not [p for p in county.store.files_dir.rglob(".incoming-*")]
    # and the same bundle imports afterwards
    result = county.sync.import_bundle(county.admin, bundle)
    assert result.status == "applied" and result.files_added == 3


def test_a_child_whose_parent_goes_away_stops_and_reports_nothing(tmp_path: Path) -> None:
    sources = []
    for n in range(40):
        path = tmp_path / f"f{n}"
        path.write_bytes(os.urandom(1_000_000))
        sources.append(path)
    import hashlib

    job = [[hashlib.sha256(p.read_bytes()).hexdigest(), str(p)] for p in sources]
    work = FileWork({"kind": "pack", "zip": str(tmp_path / "out.zip"), "files": job})
    work.close()  # what a cancelled or killed parent does: the child's stdin closes
    assert work.answer is None or "done" in work.answer
    assert work._proc.returncode is not None


def test_a_bad_job_is_reported_not_hidden(tmp_path: Path) -> None:
    work = FileWork(
        {"kind": "verify", "bundle": str(tmp_path / "absent.zip"), "files": [["files/x", "x", 1, None]]}
    )
    with pytest.raises(FileWorkError) as caught:
        work.wait()
    assert caught.value.report["failed"] == "error"
    assert "absent.zip" in caught.value.report["detail"]


def _stored_zip(path: Path, contents: list[bytes]) -> list[list[object]]:
    """A ZIP of stored `files/<sha256>` members, as a bundle carries them; returns the verify job's
    file list (member, sha256, size, no staging)."""
    import hashlib
    import zipfile

    files: list[list[object]] = []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for content in contents:
            sha = hashlib.sha256(content).hexdigest()
            zf.writestr(f"files/{sha}", content)
            files.append([f"files/{sha}", sha, len(content), None])
    return files


def _verify_and_stage(bundle: Path, files: list[list[object]], staging: Path) -> list[bytes]:
    staging.mkdir(exist_ok=True)
    for entry in files:
        entry[3] = str(staging / str(entry[1]))
    FileWork({"kind": "verify", "bundle": str(bundle), "files": files}).wait()
    return [Path(str(entry[3])).read_bytes() for entry in files]


def test_verify_stages_every_byte_when_the_kernel_copies(tmp_path: Path) -> None:
    contents = [os.urandom(2_500_000), b"", os.urandom(1_048_576), b"short"]
    files = _stored_zip(tmp_path / "b.zip", contents)
    assert _verify_and_stage(tmp_path / "b.zip", files, tmp_path / "staged") == contents


def test_verify_stages_every_byte_from_another_file_system(tmp_path: Path) -> None:
    """A bundle on a USB stick is on another file system, where the kernel may refuse to copy
    (EXDEV): the child writes the pieces itself."""
    shm = Path("/dev/shm")
    if not shm.is_dir() or shm.stat().st_dev == tmp_path.stat().st_dev:
        pytest.skip("needs /dev/shm on a file system other than the test's temporary directory")
    bundle = shm / f"bd-test-{os.getpid()}.zip"
    try:
        contents = [os.urandom(3_000_000), os.urandom(10)]
        files = _stored_zip(bundle, contents)
        assert _verify_and_stage(bundle, files, tmp_path / "staged") == contents
    finally:
        bundle.unlink(missing_ok=True)


def test_the_copier_writes_the_piece_itself_where_the_kernel_cannot(tmp_path: Path) -> None:
    from brigade_desk.core.sync.filework import _Copier

    source = tmp_path / "src"
    source.write_bytes(b"0123456789" * 1000)
    copier = _Copier()
    copier.kernel = False
    piece = memoryview(source.read_bytes())[100:5100]
    src, dst = os.open(source, os.O_RDONLY), os.open(tmp_path / "dst", os.O_WRONLY | os.O_CREAT)
    try:
        copier.copy(src, dst, 100, piece)
    finally:
        os.close(src)
        os.close(dst)
    assert (tmp_path / "dst").read_bytes() == source.read_bytes()[100:5100]


def test_a_local_header_that_names_another_member_is_refused(tmp_path: Path) -> None:
    contents = [os.urandom(50_000), os.urandom(60_000)]
    bundle = tmp_path / "b.zip"
    files = _stored_zip(bundle, contents)
    first, second = (str(entry[1]) for entry in files)
    data = bundle.read_bytes()
    # The first member's local header now names the second file: the central directory and the
    # bytes disagree about what the member is.
    bundle.write_bytes(data.replace(first.encode(), second.encode(), 1))
    with pytest.raises(FileWorkError) as caught:
        FileWork({"kind": "verify", "bundle": str(bundle), "files": files}).wait()
    assert caught.value.report["failed"] == "member_altered"
    assert caught.value.report["member"] == f"files/{first}"
    assert "names another member" in caught.value.report["detail"]


def test_a_member_cut_short_by_the_end_of_the_bundle_is_a_size_mismatch(tmp_path: Path) -> None:
    contents = [os.urandom(200_000)]
    bundle = tmp_path / "b.zip"
    files = _stored_zip(bundle, contents)
    files[0][2] = 300_000  # the manifest's size runs past the end of the bundle
    with pytest.raises(FileWorkError) as caught:
        FileWork({"kind": "verify", "bundle": str(bundle), "files": files}).wait()
    assert caught.value.report["failed"] == "size_mismatch"
    assert caught.value.report["member"] == files[0][0]


@pytest.mark.parametrize("source_dir", ["same", "other"])
def test_pack_writes_an_archive_zipfile_reads_back_with_every_crc_right(
    tmp_path: Path, source_dir: str
) -> None:
    """The child appends members itself (the kernel copies the bytes, or the child writes them
    when the sources are on another file system); zipfile must read the result as its own."""
    import hashlib
    import zipfile

    folder = tmp_path if source_dir == "same" else Path("/dev/shm") / f"bd-pack-{os.getpid()}"
    if source_dir == "other" and (
        not Path("/dev/shm").is_dir() or Path("/dev/shm").stat().st_dev == tmp_path.stat().st_dev
    ):
        pytest.skip("needs /dev/shm on a file system other than the test's temporary directory")
    folder.mkdir(exist_ok=True)
    try:
        contents = [os.urandom(2_100_000), b"", os.urandom(1_048_576), "执法记录".encode()]
        job = []
        for n, content in enumerate(contents):
            path = folder / f"f{n}"
            path.write_bytes(content)
            job.append([hashlib.sha256(content).hexdigest(), str(path)])
        answer = FileWork({"kind": "pack", "zip": str(tmp_path / "files.zip"), "files": job}).wait()
    finally:
        if source_dir == "other":
            for path in folder.iterdir():
                path.unlink()
            folder.rmdir()
    with zipfile.ZipFile(tmp_path / "files.zip") as zf:
        assert zf.testzip() is None
        assert [zf.read(f"files/{sha}") for sha, _path in job] == contents
        assert all(info.compress_type == zipfile.ZIP_STORED for info in zf.infolist())
    assert answer["done"] == {
        f"files/{sha}": {"sha256": sha, "size": len(c)} for (sha, _p), c in zip(job, contents, strict=True)
    }
    # The records are appended to this archive afterwards (BundleWriter.take_files).
    with zipfile.ZipFile(tmp_path / "files.zip", "a") as zf:
        zf.writestr("records/x.jsonl", b"{}\n")
    with zipfile.ZipFile(tmp_path / "files.zip") as zf:
        assert zf.testzip() is None and len(zf.infolist()) == len(contents) + 1


# --- durability: a bundle recorded as sent has a kept copy on disk ---------------------------------


def test_an_export_makes_its_kept_copy_and_the_delivered_bundle_durable(
    sides: tuple[Side, Side], monkeypatch: pytest.MonkeyPatch
) -> None:
    town, _county = sides
    add_evidence(town, case_ids(town, open_only=True)[0], b"video " * 5000)
    synced: list[tuple[str, int]] = []

    def fsync_file(path: Path) -> None:
        synced.append(("file", os.stat(path).st_ino))
        files.fsync_file(path)

    def fsync_dir(path: Path) -> None:
        synced.append(("dir", os.stat(path).st_ino))
        files.fsync_dir(path)

    monkeypatch.setattr(exporter, "fsync_file", fsync_file)
    monkeypatch.setattr(exporter, "fsync_dir", fsync_dir)
    # Another file system than the kept copy's, as a USB stick is: the bundle is copied there.
    with tempfile.TemporaryDirectory(dir="/dev/shm") as stick:
        [result] = town.sync.export(town.admin, Path(stick))
        kept, delivered = result.kept_copy, result.path
        assert os.stat(kept).st_ino != os.stat(delivered).st_ino  # a copy, not a link
        assert ("file", os.stat(kept).st_ino) in synced
        assert ("dir", os.stat(kept.parent).st_ino) in synced
        assert ("file", os.stat(delivered).st_ino) in synced
        assert ("dir", os.stat(stick).st_ino) in synced


def test_a_bundle_whose_kept_copy_cannot_be_made_durable_is_not_recorded_as_sent(
    sides: tuple[Side, Side], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    town, _county = sides
    out = tmp_path / "usb"
    out.mkdir()
    before = store_digest(town.store)

    def failing(path: Path) -> None:
        raise OSError(errno.EIO, "Input/output error", str(path))

    monkeypatch.setattr(exporter, "fsync_file", failing)
    with pytest.raises(OSError, match="Input/output"):
        town.sync.export(town.admin, out)
    assert store_digest(town.store) == before
    assert list(out.iterdir()) == []
    assert list((bundles_dir(town.data_dir) / SENT_DIR).iterdir()) == []


def test_the_flusher_keeps_the_error_of_a_disk_that_fails() -> None:
    read_end, write_end = os.pipe()  # a pipe cannot be flushed to disk: fdatasync fails, as on a bad disk
    try:
        flusher = filework.Flusher(write_end)
        flusher.poke()
        for _ in range(200):
            if flusher.error is not None:
                break
            time.sleep(0.01)
        flusher.stop()
        assert isinstance(flusher.error, OSError)
    finally:
        os.close(read_end)
        os.close(write_end)


def test_the_child_checks_record_lines_without_loading_the_model(
    sides: tuple[Side, Side], tmp_path: Path
) -> None:
    """The checking child gets the types as specs: SQLAlchemy and the model stay unloaded (they
    cost half a second of the child's time on every large import)."""
    town, _county = sides
    out = tmp_path / "usb"
    out.mkdir()
    bundle = town.sync.export(town.admin, out)[0].path
    with BundleReader(bundle) as reader:
        specs = [spec for rtype in TOWN_TYPES if (spec := reader.stream_spec(rtype)) is not None]
    assert len(specs) > 5
    script = (
        "import json, sys, threading\n"
        "from brigade_desk.core.sync import filework\n"
        "job = json.loads(sys.stdin.read())\n"
        "verdict = filework._check_records(job, threading.Event())\n"
        "print(json.dumps({'verdict': verdict, 'loaded': sorted(m for m in sys.modules\n"
        "    if m.startswith(('sqlalchemy', 'brigade_desk.core.model')))}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps({"bundle": str(bundle), "records": specs}),
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    answer = json.loads(done.stdout)
    assert answer["verdict"] == {"done": len(specs)}
    assert answer["loaded"] == []


def test_an_import_makes_the_names_of_the_files_it_adds_durable_before_it_commits(
    sides: tuple[Side, Side], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    town, county = sides
    stored = _stored_file(town, os.urandom(100_000))
    out = tmp_path / "usb"
    out.mkdir()
    bundle = town.sync.export(town.admin, out)[0].path
    synced: list[tuple[Path, int]] = []

    def fsync_dir(path: Path) -> None:
        with county.store.read() as session:  # what others see: the import not yet committed
            received = session.execute(select(func.count()).select_from(SyncBundle)).scalar_one()
        synced.append((path, received))

    monkeypatch.setattr(importer, "fsync_dir", fsync_dir)
    assert county.sync.import_bundle(county.admin, bundle).status == "applied"
    placed = path_for(county.store.files_dir, stored.parent.name + stored.name)
    assert placed.exists()
    assert (placed.parent, 0) in synced and (county.store.files_dir, 0) in synced
