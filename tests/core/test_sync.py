"""Bundles between a township (SQLite) and its county (SQLite and PostgreSQL): the whole loop."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from brigade_desk.core.errors import PermissionDenied, RuleViolation, ValidationError
from brigade_desk.core.model import Case, Evidence, PowerItem, Setting, SyncPeerAudit, User, WorkdayOverride
from brigade_desk.core.rules.permissions import Actor, Role
from brigade_desk.core.sync.format import BundleRefused
from tests.core.sync_support import (
    Side,
    add_evidence,
    case_ids,
    demo,
    make_county,
    make_town,
    officer,
    pair,
    store_digest,
)


@pytest.fixture
def county_url(backend: str, request: pytest.FixtureRequest) -> str | None:
    return str(request.getfixturevalue("pg_url")) if backend == "postgresql" else None


@pytest.fixture
def town(tmp_path: Path) -> Iterator[Side]:
    side = make_town(tmp_path / "town")
    yield side
    side.close()


@pytest.fixture
def county(tmp_path: Path, county_url: str | None) -> Iterator[Side]:
    side = make_county(tmp_path / "county", county_url)
    yield side
    side.close()


@pytest.fixture
def out(tmp_path: Path) -> Path:
    path = tmp_path / "usb"
    path.mkdir()
    return path


def _count(side: Side, model: type) -> int:
    with side.store.read() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def test_town_to_county_and_back(town: Side, county: Side, out: Path) -> None:
    pair(town, county)
    demo(town, 12)
    open_case = case_ids(town, open_only=True)[0]
    add_evidence(town, open_case, b"\x89PNG fake photo " * 5000, "现场照片.png")

    [sent] = town.sync.export(town.admin, out)
    assert sent.kind == "town_data" and sent.sequence == 1 and sent.files == 1
    assert sent.path.exists() and sent.kept_copy.exists()

    trial = county.sync.import_bundle(county.admin, sent.path, dry_run=True)
    assert trial.status == "dry_run" and trial.counts["case"]["created"] == 12
    assert _count(county, Case) == 0  # a dry run writes nothing

    applied = county.sync.import_bundle(county.admin, sent.path)
    assert applied.status == "applied" and not applied.refusals
    assert _count(county, Case) == 12 and _count(county, Evidence) == 1
    assert applied.files_added == 1
    with county.store.read() as session:
        # The township's people are known at the county but can never sign in there.
        logins = set(session.execute(select(User.login).where(User.login.like("330185:%"))).scalars())
        assert "330185:admin" in logins
        assert not session.execute(select(User.active).where(User.login == "330185:admin")).scalar_one()
        assert session.execute(select(func.count()).select_from(SyncPeerAudit)).scalar_one() > 0

    # The same bundle again: nothing changes.
    before = store_digest(county.store)
    again = county.sync.import_bundle(county.admin, sent.path)
    assert again.status == "duplicate"
    assert store_digest(county.store) == before

    # The county changes its reference data and sends it back with the receipt.
    county.services.settings.set(county.admin, "hearing_threshold_person_fen", 2_000_00)
    from datetime import date

    county.services.calendar.set_override(county.admin, date(2027, 1, 4), False, "县定调休")
    [back] = county.sync.export(county.admin, out)
    assert back.kind == "county_data" and back.receipts == 1
    result = town.sync.import_bundle(town.admin, back.path)
    assert result.status == "applied", result.refusals
    status = town.sync.status(town.admin)
    assert status.sent[0].status == "acknowledged"
    assert not sent.kept_copy.exists()  # acknowledged: the kept copy is no longer needed
    with town.store.read() as session:
        assert session.get(Setting, "hearing_threshold_person_fen").value == {"v": 2_000_00}  # type: ignore[union-attr]
        assert session.get(WorkdayOverride, date(2027, 1, 4)) is not None

    # Incremental: after the receipt only what changed travels.
    add_evidence(town, open_case, b"second file" * 100, "询问录音.mp3")
    [second] = town.sync.export(town.admin, out)
    assert second.sequence == 2 and second.counts["case"] == 1 and second.files == 1
    applied2 = county.sync.import_bundle(county.admin, second.path)
    assert applied2.status == "applied" and not applied2.refusals
    assert applied2.counts["case"]["skipped"] + applied2.counts["case"]["updated"] == 1
    assert _count(county, Evidence) == 2

    # The county removes its override: the next county bundle removes it at the township too.
    with county.store.write() as session:
        session.delete(session.get(WorkdayOverride, date(2027, 1, 4)))
    [back2] = county.sync.export(county.admin, out)
    town.sync.import_bundle(town.admin, back2.path)
    with town.store.read() as session:
        assert session.get(WorkdayOverride, date(2027, 1, 4)) is None
        assert session.execute(select(func.count()).select_from(PowerItem)).scalar_one() > 0


def test_gap_is_held_then_released(town: Side, county: Side, out: Path, tmp_path: Path) -> None:
    pair(town, county)
    demo(town, 12)
    [first] = town.sync.export(town.admin, out)
    moved = tmp_path / "first.bdbundle"
    first.path.rename(moved)
    add_evidence(town, case_ids(town, open_only=True)[0], b"x" * 10_000)
    [second] = town.sync.export(town.admin, out)

    held = county.sync.import_bundle(county.admin, second.path)
    assert held.status == "held" and "缺少第1号数据包" in held.message
    assert _count(county, Case) == 0
    status = county.sync.status(county.admin)
    assert [b.sequence for b in status.held] == [2]
    # Importing the held one again changes nothing.
    assert county.sync.import_bundle(county.admin, second.path).status == "still_held"

    done = county.sync.import_bundle(county.admin, moved)
    assert done.status == "applied"
    assert [r.sequence for r in done.released] == [2]
    status = county.sync.status(county.admin)
    assert status.held == [] and sorted(b.sequence for b in status.received) == [1, 2]
    assert _count(county, Evidence) == 1


def test_resend_a_lost_bundle(town: Side, county: Side, out: Path) -> None:
    pair(town, county)
    demo(town, 2)
    [first] = town.sync.export(town.admin, out)
    first.path.unlink()  # the stick was lost
    again = town.sync.resend(town.admin, 1, out)
    assert county.sync.import_bundle(county.admin, again).status == "applied"


def test_full_export_after_acknowledgement_is_skipped_record_by_record(
    town: Side, county: Side, out: Path
) -> None:
    pair(town, county)
    demo(town, 4)
    [first] = town.sync.export(town.admin, out)
    county.sync.import_bundle(county.admin, first.path)
    [back] = county.sync.export(county.admin, out)
    town.sync.import_bundle(town.admin, back.path)
    [full] = town.sync.export(town.admin, out, full=True)
    assert full.full and full.counts["case"] == 4
    result = county.sync.import_bundle(county.admin, full.path)
    assert result.counts["case"] == {"created": 0, "updated": 0, "skipped": 4, "refused": 0}


def test_peers_and_permissions(town: Side, county: Side) -> None:
    with pytest.raises(ValidationError, match="行政区划代码"):
        town.sync.add_peer(town.admin, kind="county", area_code="33", name="县", public_key="x")
    with pytest.raises(RuleViolation, match="乡镇只与县级"):
        key = county.sync.own_key(county.admin).public_key
        town.sync.add_peer(town.admin, kind="township", area_code="330100", name="县", public_key=key)
    clerk = Actor("c", "clerk", "内勤", frozenset({Role.CLERK}))
    town.sync.status(clerk)  # a clerk carries bundles
    with pytest.raises(PermissionDenied):
        town.sync.add_peer(clerk, kind="county", area_code="330100", name="县", public_key=key)
    officer_actor = officer(town)
    with pytest.raises(PermissionDenied):
        town.sync.export(officer_actor, Path("."))


def test_export_without_a_registered_county_is_refused(town: Side, out: Path) -> None:
    with pytest.raises(RuleViolation, match="尚未登记县级"):
        town.sync.export(town.admin, out)


def test_unknown_sender_is_refused_and_nothing_changes(town: Side, county: Side, out: Path) -> None:
    town.sync.add_peer(
        town.admin,
        kind="county",
        area_code="330100",
        name="临溪县人民政府",
        public_key=county.sync.own_key(county.admin).public_key,
    )
    demo(town, 1)
    [sent] = town.sync.export(town.admin, out)
    before = store_digest(county.store)
    with pytest.raises(BundleRefused, match="未登记的发送方"):
        county.sync.import_bundle(county.admin, sent.path)
    assert store_digest(county.store) == before
