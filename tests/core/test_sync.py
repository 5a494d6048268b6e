"""Bundles between a township (SQLite) and its county (SQLite and PostgreSQL): the whole loop."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from brigade_desk.core import audit
from brigade_desk.core.errors import PermissionDenied, RuleViolation, ValidationError
from brigade_desk.core.model import (
    Case,
    CasePowerItem,
    Evidence,
    PowerItem,
    Setting,
    SyncPeerAudit,
    User,
    WorkdayOverride,
)
from brigade_desk.core.rules.permissions import Actor, Role
from brigade_desk.core.sync.format import BundleRefused
from tests.core.sync_support import (
    TOWN_B,
    Side,
    add_evidence,
    case_ids,
    demo,
    lines_of,
    make_county,
    make_town,
    officer,
    pair,
    rewrite_bundle,
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


def test_records_of_another_owner_are_refused_quarantined_and_reported(
    town: Side, county: Side, out: Path, tmp_path: Path
) -> None:
    """Town B sends, besides its own data, a case and a party that belong to town A: those are
    refused with the reason and kept in the quarantine; B's own records are applied; B's receipt
    lists the rejections."""
    town_b = make_town(tmp_path / "town-b", organ=TOWN_B)
    try:
        pair(town, county)
        pair(town_b, county)
        demo(town, 12)
        demo(town_b, 3, seed=2)
        [a_bundle] = town.sync.export(town.admin, out)
        county.sync.import_bundle(county.admin, a_bundle.path)
        [b_bundle] = town_b.sync.export(town_b.admin, out)
        a_case = lines_of(a_bundle.path, "case")[0]
        a_party = lines_of(a_bundle.path, "party")[0]
        b_case = lines_of(b_bundle.path, "case")[0]

        def smuggle(streams: dict[str, list[dict[str, object]]]) -> None:
            # A's case, re-labelled as B's: the county already holds it as A's.
            stolen = dict(a_case)
            stolen["data"] = {  # type: ignore[dict-item]
                **a_case["data"],
                "summary": "被改写的案情",
                "organ_id": b_case["data"]["organ_id"],
            }
            streams["case"].append(stolen)
            streams["party"].append({**a_party, "data": {**a_party["data"], "name": "冒名"}})  # type: ignore[dict-item]
            # A case of B that claims to be A's.
            streams["case"][0] = {
                **b_case,
                "data": {**b_case["data"], "organ_id": a_case["data"]["organ_id"]},
            }  # type: ignore[dict-item]

        bad = rewrite_bundle(b_bundle.path, town_b, tmp_path / "b-smuggled.bdbundle", smuggle)
        result = county.sync.import_bundle(county.admin, bad)
        assert result.status == "applied"
        reasons = {(r.record_type, r.record_id): r.reason for r in result.refusals}
        assert "不是发送方乡镇" in reasons[("case", b_case["id"])]
        assert "属于另一机关" in reasons[("case", a_case["id"])]
        assert "属于另一机关" in reasons[("party", a_party["id"])]
        # Children of the refused case are refused with it, never dropped silently.
        assert any("已被拒收" in r for (t, _i), r in reasons.items() if t == "case_step")
        with county.store.read() as session:
            summary = session.execute(select(Case.summary).where(Case.id == a_case["id"])).scalar_one()
        assert summary != "被改写的案情"
        quarantine = county.sync.quarantine(county.admin)
        assert {(q.record_type, q.record_id) for q in quarantine} >= set(reasons)
        dump = tmp_path / "quarantine.jsonl"
        assert county.sync.export_quarantine(county.admin, dump) == len(quarantine)
        assert "被改写的案情" in dump.read_text(encoding="utf-8")

        # The receipt tells B which records were rejected and why.
        backs = county.sync.export(county.admin, out, area_code="330186")
        town_b.sync.import_bundle(town_b.admin, backs[0].path)
        status = town_b.sync.status(town_b.admin)
        assert status.sent[0].status == "acknowledged"
        assert {(r.record_type, r.record_id) for r in status.rejections} == set(reasons)
    finally:
        town_b.close()


def test_case_link_to_an_item_the_county_lacks_is_refused_with_the_reason(
    town: Side, county: Side, out: Path
) -> None:
    pair(town, county)
    demo(town, 12)
    case_id = case_ids(town, open_only=True)[0]
    with town.store.write() as session:
        item = PowerItem(
            code="LOCAL-001", name="乡镇自拟事项", item_type="行政处罚", valid_from=date(2024, 1, 1)
        )
        session.add(item)
        session.flush()
        session.add(CasePowerItem(case_id=case_id, power_item_id=item.id))
        audit.record(session, None, audit.Change("case.item", "case", case_id, "增加事项"))
    [sent] = town.sync.export(town.admin, out)
    result = county.sync.import_bundle(county.admin, sent.path)
    reasons = [r.reason for r in result.refusals]
    assert any("县级目录中没有权责事项“乡镇自拟事项”" in r for r in reasons)
    assert any("所依赖的权责事项" in r for r in reasons)
    assert result.counts["case"]["refused"] == 0  # the case itself is accepted


def test_county_reference_that_is_not_the_countys_is_refused_at_the_town(
    town: Side, county: Side, out: Path, tmp_path: Path
) -> None:
    pair(town, county)
    [back] = county.sync.export(county.admin, out)

    def inject(streams: dict[str, list[dict[str, object]]]) -> None:
        streams["setting"].append(
            {
                "type": "setting",
                "id": "idle_lock_minutes",
                "version": 0,
                "op": "upsert",
                "data": {
                    "key": "idle_lock_minutes",
                    "value": {"v": 0},
                    "updated_at": "2026-01-01T00:00:00+00:00",
                },
            }
        )

    bad = rewrite_bundle(back.path, county, tmp_path / "county-bad.bdbundle", inject)
    result = town.sync.import_bundle(town.admin, bad)
    assert [r.record_id for r in result.refusals] == ["idle_lock_minutes"]
    assert "不由县级规定" in result.refusals[0].reason
    with town.store.read() as session:
        assert session.get(Setting, "idle_lock_minutes") is None


def test_county_overview_views_claims_and_roster(town: Side, county: Side, out: Path) -> None:
    pair(town, county)
    demo(town, 30)
    [sent] = town.sync.export(town.admin, out)
    county.sync.import_bundle(county.admin, sent.path)
    overview = county.services.county.overview(county.admin)
    [row] = overview.townships
    assert row.cases == 30 and row.last_sequence == 1
    assert row.open_cases + 0 <= row.cases and row.decisions > 0 and row.fines_decided_fen > 0
    assert overview.total("cases") == 30
    cases = county.services.county.township_cases(county.admin, "330185")
    assert len(cases) == 30
    view = county.services.county.case_view(county.admin, cases[0].id)
    assert view.township == "青溪镇人民政府" and view.parties
    # Every step the demo cases record has a Chinese label (the GUI shows them as they are).
    for case_row in cases:
        steps = county.services.county.case_view(county.admin, case_row.id).steps
        assert all(not label.isascii() for _on, label in steps), steps
    with pytest.raises(RuleViolation, match="县级存储"):
        town.services.county.overview(town.admin)

    # Claims and certificates the county keeps travel back to the township.
    items = (
        {i.code: i for i in town.services.cases.power_items(town.admin)}
        if hasattr(town.services.cases, "power_items")
        else {}
    )
    with county.store.read() as session:
        code = session.execute(select(PowerItem.code).order_by(PowerItem.code)).scalars().first()
        officer_id = (
            session.execute(select(User.id).where(User.login.like("330185:%"), User.login != "330185:admin"))
            .scalars()
            .first()
        )
    assert code is not None and officer_id is not None
    county.services.county.set_claims(county.admin, "330185", {code: False})
    county.services.county.set_certificate(
        county.admin, officer_id, "ZJ-县-0001", date(2025, 1, 1), date(2030, 12, 31)
    )
    [back] = county.sync.export(county.admin, out)
    result = town.sync.import_bundle(town.admin, back.path)
    assert result.counts["officer_certificate"]["updated"] == 1
    with town.store.read() as session:
        assert (
            session.execute(select(User.certificate_no).where(User.id == officer_id)).scalar_one()
            == "ZJ-县-0001"
        )
        assert not session.execute(select(PowerItem.claimed).where(PowerItem.code == code)).scalars().first()
    assert items is not None


def test_a_received_township_case_is_read_only_at_the_county(town: Side, county: Side, out: Path) -> None:
    pair(town, county)
    demo(town, 12)
    open_case = case_ids(town, open_only=True)[0]
    evidence_id = add_evidence(town, open_case, b"photo bytes " * 1000, "现场照片.png")
    [sent] = town.sync.export(town.admin, out)
    assert county.sync.import_bundle(county.admin, sent.path).status == "applied"
    before = store_digest(county.store)
    with pytest.raises(RuleViolation, match="只能由该机关办理"):
        add_evidence(county, open_case, b"added at the county", "县级补充.png")
    with pytest.raises(RuleViolation, match="只能由该机关办理"):
        county.services.procedure.mark_major(officer(county), open_case, "县级认为属于重大执法决定")
    after = store_digest(county.store)
    assert {k: v for k, v in after.items() if k not in ("audit_event", "audit_head", "app_user")} == {
        k: v for k, v in before.items() if k not in ("audit_event", "audit_head", "app_user")
    }
    # Looking is allowed, and logged.
    assert county.services.evidence.open_for_view(county.admin, evidence_id).exists()
    # The township still works on its own case.
    add_evidence(town, open_case, b"more photos " * 100, "补充照片.png")


def test_replacing_a_peers_key(town: Side, county: Side, out: Path) -> None:
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    pair(town, county)
    demo(town, 3)
    [sent] = town.sync.export(town.admin, out)
    [registered] = county.sync.list_peers(county.admin)
    other = base64.b64encode(
        Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    ).decode()
    before = store_digest(county.store)
    for key, reason, message in (
        (other, "", "原因"),
        ("not a key", "重装系统", "公钥"),
        (registered.public_key, "重装系统", "相同"),
    ):
        with pytest.raises((ValidationError, RuleViolation), match=message):
            county.sync.replace_peer_key(county.admin, registered.area_code, key, reason)
    assert store_digest(county.store) == before
    changed = county.sync.replace_peer_key(county.admin, registered.area_code, other, "对方重装系统")
    assert changed.fingerprint != registered.fingerprint and changed.last_received == 0
    # The bundle signed with the old key no longer verifies...
    with pytest.raises(BundleRefused, match="签名验证失败"):
        county.sync.import_bundle(county.admin, sent.path)
    # ...and with the township's key registered again it does, in sequence.
    county.sync.replace_peer_key(county.admin, registered.area_code, registered.public_key, "核对后恢复")
    assert county.sync.import_bundle(county.admin, sent.path).status == "applied"
    history = [e.summary for e in county.services.audit.history(county.admin, "sync_peer", registered.id)]
    assert any("更换" in s and "对方重装系统" in s for s in history)


def test_a_key_renewal_interrupted_either_side_of_its_commit_still_signs(
    town: Side, county: Side, out: Path
) -> None:
    from datetime import UTC, datetime

    from brigade_desk.core.model import Organ
    from brigade_desk.core.sync import keys

    pair(town, county)
    demo(town, 2)
    secret = keys.secret_path(town.data_dir)
    pending = secret.with_name(secret.name + ".new")
    with town.store.read() as session:
        own = session.execute(select(Organ.id).where(Organ.is_self)).scalar_one()
    now = datetime(2026, 3, 1, tzinfo=UTC)
    # Stopped before the commit: the new secret is left over and is not used.
    with pytest.raises(RuntimeError), town.store.write() as session:
        keys.renew_key(session, town.data_dir, own, now, None, "测试")
        raise RuntimeError("stopped")
    assert pending.exists()
    [first] = town.sync.export(town.admin, out)
    assert not pending.exists()
    assert county.sync.import_bundle(county.admin, first.path).status == "applied"
    # Stopped after the commit, before the new secret took the old one's place: signing finds it.
    old_secret = secret.read_text()
    with town.store.write() as session:
        keys.renew_key(session, town.data_dir, own, now, None, "测试")
    assert pending.exists() and secret.read_text() == old_secret
    [second] = town.sync.export(town.admin, out)
    assert not pending.exists() and secret.read_text() != old_secret
    with pytest.raises(BundleRefused, match="签名验证失败"):  # the county must register the new key
        county.sync.import_bundle(county.admin, second.path)
