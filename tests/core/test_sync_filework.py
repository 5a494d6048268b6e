"""Attachment files handled by the child process (core.sync.filework): refusals, cancelling, and what
is left behind (nothing)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from brigade_desk.core.errors import StoreError
from brigade_desk.core.files import path_for
from brigade_desk.core.sync.filework import FileWork, FileWorkError
from brigade_desk.core.sync.importer import SENT_DIR, bundles_dir
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


def test_cancelling_an_import_stops_the_child_and_leaves_the_store_as_it_was(
    sides: tuple[Side, Side], tmp_path: Path
) -> None:
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

    with pytest.raises(Cancelled):
        county.sync.import_bundle(county.admin, bundle, progress=progress)
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
