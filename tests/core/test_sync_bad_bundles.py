"""Bad bundles: each kind is refused with a clear Chinese message naming the problem, and the
receiving store is left exactly as it was (a digest of every table's rows and of the files)."""

from __future__ import annotations

import io
import json
import re
import stat
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from brigade_desk.core import crypto
from brigade_desk.core.canonical import canonical_json, sha256_hex
from brigade_desk.core.model import SyncKey
from brigade_desk.core.sync import importer, keys, lines, reader
from brigade_desk.core.sync.format import BundleRefused
from tests.conftest import PG_ADMIN_URL, pg_problem
from tests.core.sync_support import (
    TOWN_B,
    Side,
    add_evidence,
    case_ids,
    demo,
    make_county,
    make_town,
    pair,
    store_digest,
)

CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class World:
    town: Side
    county: Side
    good: Path
    tmp: Path
    members: dict[str, bytes]
    manifest: dict[str, Any]

    def sign_as_town(self, body: bytes) -> str:
        with self.town.store.read() as session:
            key = session.get(SyncKey, self.manifest["sender"]["organ_id"])
            assert key is not None
            session.expunge(key)
        return keys.sign(key, self.town.data_dir, body)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp(f"bad-{request.param}")
    db_url = None
    dbname = ""
    admin = None
    if request.param == "postgresql":
        problem = pg_problem()
        if problem:
            pytest.skip(problem)
        dbname = f"bdtest_{uuid.uuid4().hex[:12]}"
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{dbname}"'))
        db_url = make_url(PG_ADMIN_URL).set(database=dbname).render_as_string(hide_password=False)
    town = make_town(tmp / "town")
    county = make_county(tmp / "county", db_url)
    pair(town, county)
    demo(town, 12)
    add_evidence(town, case_ids(town, open_only=True)[0], b"evidence bytes " * 2000, "照片.jpg")
    out = tmp / "usb"
    out.mkdir()
    [sent] = town.sync.export(town.admin, out)
    with zipfile.ZipFile(sent.path) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    manifest = json.loads(members["manifest.json"])
    try:
        yield World(town, county, sent.path, tmp, members, manifest)
    finally:
        town.close()
        county.close()
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)'))
            admin.dispose()


# --- building bad bundles -------------------------------------------------------------------------


def _info(name: str, compress: int = zipfile.ZIP_DEFLATED) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = compress
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    return info


def rebuild(
    w: World,
    *,
    edit_members: Callable[[dict[str, bytes]], None] | None = None,
    edit_manifest: Callable[[dict[str, Any]], None] | None = None,
    rehash: bool = True,
    resign: bool = True,
    signer: Callable[[bytes], str] | None = None,
    extra: list[tuple[zipfile.ZipInfo, bytes]] = (),  # type: ignore[assignment]
    drop: tuple[str, ...] = (),
) -> Path:
    members = {k: v for k, v in w.members.items() if k not in ("manifest.json", "manifest.sig")}
    if edit_members:
        edit_members(members)
    manifest = json.loads(json.dumps(w.manifest))
    if rehash:
        for name in list(manifest["members"]):
            if name in members:
                manifest["members"][name] = {"sha256": sha256_hex(members[name]), "size": len(members[name])}
    if edit_manifest:
        edit_manifest(manifest)
    body = canonical_json(manifest)
    if resign:
        signature = (signer or w.sign_as_town)(body)
        sig = canonical_json(
            {
                "algorithm": "ed25519",
                "key_fingerprint": manifest["sender"]["key_fingerprint"],
                "signature": signature,
            }
        )
    else:
        sig = w.members["manifest.sig"]
        body = body if edit_manifest else w.members["manifest.json"]
    path = w.tmp / f"bad-{uuid.uuid4().hex[:8]}.bdbundle"
    with zipfile.ZipFile(path, "w") as zf:
        if "manifest.json" not in drop:
            zf.writestr(_info("manifest.json"), body)
        if "manifest.sig" not in drop:
            zf.writestr(_info("manifest.sig", zipfile.ZIP_STORED), sig)
        for name, data in members.items():
            if name in drop:
                continue
            zf.writestr(
                _info(name, zipfile.ZIP_STORED if name.startswith("files/") else zipfile.ZIP_DEFLATED), data
            )
        for info, data in extra:
            zf.writestr(info, data)
    return path


def _lines(members: dict[str, bytes], type_name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in members[f"records/{type_name}.jsonl"].splitlines()]


def _set_lines(members: dict[str, bytes], type_name: str, lines: list[Any]) -> None:
    members[f"records/{type_name}.jsonl"] = b"".join(
        (canonical_json(x) if not isinstance(x, bytes) else x) + b"\n" for x in lines
    )


def edit_record(
    type_name: str, change: Callable[[dict[str, Any]], None]
) -> Callable[[dict[str, bytes]], None]:
    def edit(members: dict[str, bytes]) -> None:
        lines = _lines(members, type_name)
        change(lines[0])
        _set_lines(members, type_name, lines)

    return edit


def _flip_in(name: str) -> Callable[[dict[str, bytes]], None]:
    """Change one letter inside a value, keeping the size (so only the hash can tell)."""

    def edit(members: dict[str, bytes]) -> None:
        data = bytearray(members[name])
        pos = data.index(b'"state":"') + len(b'"state":"')
        data[pos] = ord("Q") if data[pos] != ord("Q") else ord("R")
        members[name] = bytes(data)

    return edit


def _file_member(w: World) -> str:
    return next(n for n in w.members if n.startswith("files/"))


def _raw(w: World, name: str, data: bytes) -> Path:
    path = w.tmp / name
    path.write_bytes(data)
    return path


def _zip_with(w: World, entries: list[tuple[zipfile.ZipInfo, bytes]]) -> Path:
    """The good bundle plus raw entries appended (names the writer would never produce)."""
    path = w.tmp / f"bad-{uuid.uuid4().hex[:8]}.bdbundle"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in w.members.items():
            zf.writestr(
                _info(name, zipfile.ZIP_STORED if name.startswith("files/") else zipfile.ZIP_DEFLATED), data
            )
        for info, data in entries:
            zf.writestr(info, data)
    return path


def _other_signer(body: bytes) -> str:
    key = crypto.new_key_pair("x")
    return crypto.sign(key, "x", body)


def _symlink_entry() -> zipfile.ZipInfo:
    info = zipfile.ZipInfo("files/" + "a" * 64)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def _bomb(w: World) -> Path:
    """A records member declared as 200 MB of zeros, deflated to about 200 KB."""
    path = w.tmp / f"bomb-{uuid.uuid4().hex[:8]}.bdbundle"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in w.members.items():
            if name == "records/party.jsonl":
                continue
            zf.writestr(
                _info(name, zipfile.ZIP_STORED if name.startswith("files/") else zipfile.ZIP_DEFLATED), data
            )
        with zf.open(_info("records/party.jsonl"), "w") as out:
            block = b"\0" * (1024 * 1024)
            for _ in range(200):
                out.write(block)
    return path


def _duplicate(w: World) -> Path:
    path = w.tmp / f"dup-{uuid.uuid4().hex[:8]}.bdbundle"
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(path, "w") as zf:
        for name, data in w.members.items():
            zf.writestr(
                _info(name, zipfile.ZIP_STORED if name.startswith("files/") else zipfile.ZIP_DEFLATED),
                data,
            )
        zf.writestr(_info("records/case.jsonl"), w.members["records/case.jsonl"])
    return path


def _patch_central(w: World, offset: int, value: int) -> Path:
    """The good bundle plus one member whose central-directory header has a field patched
    (zipfile itself would never write such a header)."""
    path = _zip_with(w, [(_info("records/zz.jsonl", zipfile.ZIP_STORED), b"{}\n")])
    data = bytearray(path.read_bytes())
    name = b"records/zz.jsonl"
    pos = data.rfind(b"PK\x01\x02", 0, data.rfind(name))
    data[pos + offset : pos + offset + 2] = value.to_bytes(2, "little")
    path.write_bytes(bytes(data))
    return path


def _encrypted(w: World) -> Path:
    return _patch_central(w, 8, 0x1)  # general purpose flags: bit 0 = encrypted


def _patch_compression(w: World, method: int) -> Path:
    return _patch_central(w, 10, method)  # compression method


def _deflated_file(w: World) -> Path:
    name = _file_member(w)

    def build() -> Path:
        path = w.tmp / f"defl-{uuid.uuid4().hex[:8]}.bdbundle"
        with zipfile.ZipFile(path, "w") as zf:
            for n, data in w.members.items():
                zf.writestr(_info(n, zipfile.ZIP_DEFLATED), data)
        return path

    assert name
    return build()


def _second_town_bundle(w: World) -> Path:
    """A bundle signed with an unregistered township's key."""
    other = make_town(w.tmp / f"other-{uuid.uuid4().hex[:6]}", organ=TOWN_B)
    try:
        key = other.sync.own_key(other.admin)
        other.sync.add_peer(
            other.admin,
            kind="county",
            area_code="330100",
            name="临溪县人民政府",
            public_key=w.county.sync.own_key(w.county.admin).public_key,
        )
        demo(other, 1)
        out = w.tmp / f"other-out-{uuid.uuid4().hex[:6]}"
        out.mkdir()
        [sent] = other.sync.export(other.admin, out)
        assert key.fingerprint
        return sent.path
    finally:
        other.close()


def _ascii_bad_name(w: World, name: str) -> Path:
    return _zip_with(w, [(_info(name), b"x")])


CASES: list[tuple[str, str, Callable[[World], Path]]] = [
    (
        "truncated",
        "not_a_zip",
        lambda w: _raw(w, "cut.bdbundle", w.good.read_bytes()[: w.good.stat().st_size // 2]),
    ),
    ("truncated_tail", "not_a_zip", lambda w: _raw(w, "tail.bdbundle", w.good.read_bytes()[:-30])),
    ("empty_file", "not_a_zip", lambda w: _raw(w, "empty.bdbundle", b"")),
    ("not_a_zip", "not_a_zip", lambda w: _raw(w, "text.bdbundle", "这不是数据包".encode() * 100)),
    (
        "altered_record_member",
        "member_altered",
        lambda w: rebuild(w, edit_members=_flip_in("records/case.jsonl"), rehash=False, resign=False),
    ),
    (
        "altered_file_member",
        "member_altered",
        lambda w: rebuild(
            w,
            edit_members=lambda m: m.update({_file_member(w): b"X" + m[_file_member(w)][1:]}),
            rehash=False,
            resign=False,
        ),
    ),
    (
        "altered_manifest",
        "bad_signature",
        lambda w: rebuild(w, edit_manifest=lambda m: m.update(full=not m["full"]), resign=False),
    ),
    (
        "missing_member",
        "missing_member",
        lambda w: rebuild(w, drop=("records/case_step.jsonl",), rehash=False),
    ),
    ("missing_file_member", "missing_member", lambda w: rebuild(w, drop=(_file_member(w),), rehash=False)),
    (
        "extra_member",
        "extra_member",
        lambda w: rebuild(w, extra=[(_info("files/" + sha256_hex(b"more"), zipfile.ZIP_STORED), b"more")]),
    ),
    ("foreign_member", "unexpected_member", lambda w: _ascii_bad_name(w, "readme.txt")),
    (
        "wrong_signature",
        "bad_signature",
        lambda w: rebuild(w, edit_manifest=lambda m: None, signer=_other_signer),
    ),
    ("missing_signature", "no_signature", lambda w: rebuild(w, drop=("manifest.sig",))),
    (
        "malformed_signature",
        "signature_invalid",
        lambda w: _zip_with_sig(w, b"{not json"),
    ),
    ("unknown_sender", "unknown_sender", _second_town_bundle),
    (
        "wrong_receiver",
        "wrong_receiver",
        lambda w: rebuild(
            w, edit_manifest=lambda m: m["receiver"].update(area_code="330200", name="别县人民政府")
        ),
    ),
    (
        "unknown_format_version",
        "format_version",
        lambda w: rebuild(w, edit_manifest=lambda m: m.update(format_version=2)),
    ),
    (
        "not_our_format",
        "not_a_bundle",
        lambda w: rebuild(w, edit_manifest=lambda m: m.update(format="other")),
    ),
    ("parent_path", "parent_path", lambda w: _ascii_bad_name(w, "files/../../etc/passwd")),
    ("absolute_path", "absolute_path", lambda w: _ascii_bad_name(w, "/etc/cron.d/evil")),
    ("windows_drive_path", "absolute_path", lambda w: _ascii_bad_name(w, "C:/Windows/evil.dll")),
    ("backslash_path", "parent_path", lambda w: _ascii_bad_name(w, "files\\..\\evil")),
    ("symlink", "symlink", lambda w: _zip_with(w, [(_symlink_entry(), b"/etc/passwd")])),
    ("directory_entry", "directory_entry", lambda w: _zip_with(w, [(zipfile.ZipInfo("files/"), b"")])),
    ("zip_bomb", "zip_bomb", _bomb),
    ("duplicate_names", "duplicate_member", _duplicate),
    ("encrypted_member", "encrypted", _encrypted),
    ("unsupported_compression", "compression", lambda w: _patch_compression(w, 12)),
    ("deflated_attachment", "compression", _deflated_file),
    (
        "size_lies",
        "size_mismatch",
        lambda w: rebuild(w, edit_manifest=lambda m: m["members"]["records/case.jsonl"].update(size=1)),
    ),
    (
        "malformed_json_line",
        "record_invalid",
        lambda w: rebuild(
            w, edit_members=lambda m: _set_lines(m, "case", [b"{not json", *_lines(m, "case")[1:]])
        ),
    ),
    (
        "missing_field",
        "record_invalid",
        lambda w: rebuild(w, edit_members=edit_record("case", lambda r: r["data"].pop("summary"))),
    ),
    (
        "unknown_field",
        "record_invalid",
        lambda w: rebuild(w, edit_members=edit_record("case", lambda r: r["data"].update(secret="x"))),
    ),
    (
        "wrong_type",
        "record_invalid",
        lambda w: rebuild(w, edit_members=edit_record("case", lambda r: r["data"].update(summary=42))),
    ),
    (
        "bool_for_int",
        "record_invalid",
        lambda w: rebuild(w, edit_members=edit_record("case", lambda r: r["data"].update(fine_fen=True))),
    ),
    (
        "bad_uuid",
        "record_invalid",
        lambda w: rebuild(
            w, edit_members=edit_record("case_party", lambda r: r["data"].update(party_id="not-a-uuid"))
        ),
    ),
    (
        "bad_date",
        "record_invalid",
        lambda w: rebuild(
            w, edit_members=edit_record("case_step", lambda r: r["data"].update(on="2026-13-45"))
        ),
    ),
    (
        "time_without_zone",
        "record_invalid",
        lambda w: rebuild(
            w, edit_members=edit_record("case", lambda r: r["data"].update(received_at="2026-01-01T08:00:00"))
        ),
    ),
    (
        "time_out_of_range",
        "record_invalid",
        lambda w: rebuild(
            w,
            edit_members=edit_record(
                "case", lambda r: r["data"].update(received_at="0001-01-01T00:00:00+08:00")
            ),
        ),
    ),
    (
        "string_too_long",
        "record_invalid",
        lambda w: rebuild(w, edit_members=edit_record("case", lambda r: r["data"].update(state="x" * 31))),
    ),
    (
        "null_in_required",
        "record_invalid",
        lambda w: rebuild(w, edit_members=edit_record("case", lambda r: r["data"].update(organ_id=None))),
    ),
    (
        "id_not_key",
        "record_invalid",
        lambda w: rebuild(w, edit_members=edit_record("case", lambda r: r.update(id=str(uuid.uuid4())))),
    ),
    (
        "version_mismatch",
        "record_invalid",
        lambda w: rebuild(w, edit_members=edit_record("case", lambda r: r.update(version=r["version"] + 5))),
    ),
    (
        "record_of_other_stream",
        "record_invalid",
        lambda w: rebuild(w, edit_members=edit_record("case", lambda r: r.update(type="party"))),
    ),
    (
        "duplicate_record",
        "record_invalid",
        lambda w: rebuild(
            w,
            edit_members=lambda m: _set_lines(m, "case", [*_lines(m, "case"), _lines(m, "case")[0]]),
            edit_manifest=lambda m: m["counts"].update(case=m["counts"]["case"] + 1),
        ),
    ),
    (
        "nan_value",
        "record_invalid",
        lambda w: rebuild(
            w,
            edit_members=lambda m: m.update(
                {
                    "records/case.jsonl": m["records/case.jsonl"].replace(
                        b'"fine_fen":', b'"fine_fen":NaN,"x":', 1
                    )
                }
            ),
        ),
    ),
    (
        "duplicate_json_key",
        "record_invalid",
        lambda w: rebuild(
            w,
            edit_members=lambda m: m.update(
                {
                    "records/case.jsonl": m["records/case.jsonl"].replace(
                        b'{"data":{', b'{"data":{"id":"x",', 1
                    )
                }
            ),
        ),
    ),
    (
        "no_final_newline",
        "record_invalid",
        lambda w: rebuild(
            w, edit_members=lambda m: m.update({"records/case.jsonl": m["records/case.jsonl"].rstrip(b"\n")})
        ),
    ),
    (
        "count_mismatch",
        "count_mismatch",
        lambda w: rebuild(w, edit_manifest=lambda m: m["counts"].update(case=m["counts"]["case"] + 1)),
    ),
    (
        "file_not_its_hash",
        "member_altered",
        lambda w: rebuild(w, edit_members=lambda m: m.update({_file_member(w): b"other bytes"})),
    ),
    ("manifest_not_json", "manifest_invalid", lambda w: _zip_with_manifest(w, b"{broken")),
    ("missing_manifest", "no_manifest", lambda w: rebuild(w, drop=("manifest.json",))),
    (
        "unknown_record_type",
        "unknown_type",
        lambda w: rebuild(
            w,
            edit_members=lambda m: m.update({"records/secret.jsonl": b""}),
            edit_manifest=lambda m: (
                m["counts"].update(secret=0),
                m["members"].update({"records/secret.jsonl": {"sha256": sha256_hex(b""), "size": 0}}),
            ),
        ),
    ),
    (
        "county_type_in_town_bundle",
        "type_not_allowed",
        lambda w: rebuild(
            w,
            edit_members=lambda m: m.update({"records/setting.jsonl": b""}),
            edit_manifest=lambda m: (
                m["counts"].update(setting=0),
                m["members"].update({"records/setting.jsonl": {"sha256": sha256_hex(b""), "size": 0}}),
            ),
        ),
    ),
    (
        "wrong_kind",
        "wrong_kind",
        lambda w: rebuild(
            w,
            edit_manifest=lambda m: (m.update(kind="county_data"), m["counts"].clear(), _only_files(m)),
        ),
    ),
    (
        "sender_kind_lies",
        "wrong_kind",
        lambda w: rebuild(w, edit_manifest=lambda m: m["sender"].update(kind="county")),
    ),
    (
        "sequence_zero",
        "manifest_invalid",
        lambda w: rebuild(w, edit_manifest=lambda m: m.update(sequence=0)),
    ),
    (
        "manifest_extra_field",
        "manifest_invalid",
        lambda w: rebuild(w, edit_manifest=lambda m: m.update(note="hi")),
    ),
    (
        "bad_member_name_in_manifest",
        "bad_member_name",
        lambda w: rebuild(
            w, edit_manifest=lambda m: m["members"].update({"../x": {"sha256": "0" * 64, "size": 0}})
        ),
    ),
]


def _only_files(m: dict[str, Any]) -> None:
    m["members"] = {k: v for k, v in m["members"].items() if k.startswith("files/")}


def _zip_with_sig(w: World, sig: bytes) -> Path:
    path = w.tmp / f"sig-{uuid.uuid4().hex[:8]}.bdbundle"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in w.members.items():
            if name == "manifest.sig":
                data = sig
            zf.writestr(
                _info(name, zipfile.ZIP_STORED if name.startswith("files/") else zipfile.ZIP_DEFLATED), data
            )
    return path


def _zip_with_manifest(w: World, body: bytes) -> Path:
    path = w.tmp / f"man-{uuid.uuid4().hex[:8]}.bdbundle"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in w.members.items():
            if name == "manifest.json":
                data = body
            zf.writestr(
                _info(name, zipfile.ZIP_STORED if name.startswith("files/") else zipfile.ZIP_DEFLATED), data
            )
    return path


def test_there_are_at_least_thirty_kinds() -> None:
    assert len(CASES) >= 30
    assert len({name for name, _code, _build in CASES}) == len(CASES)


@pytest.mark.parametrize(("name", "code", "build"), CASES, ids=[c[0] for c in CASES])
def test_bad_bundle_is_refused_and_the_store_is_untouched(
    world: World, name: str, code: str, build: Callable[[World], Path]
) -> None:
    bad = build(world)
    before = store_digest(world.county.store)
    with pytest.raises(BundleRefused) as verify_info:
        world.county.sync.verify(world.county.admin, bad)
    with pytest.raises(BundleRefused) as import_info:
        world.county.sync.import_bundle(world.county.admin, bad)
    assert store_digest(world.county.store) == before, name
    for info in (verify_info, import_info):
        assert info.value.code == code, (name, info.value.code, info.value.message)
        assert CJK.search(info.value.message), info.value.message
    # Refusals are logged outside the store, with the reason.
    log = (world.county.data_dir / "bundles" / "refused.log").read_text(encoding="utf-8").splitlines()
    assert json.loads(log[-1])["reason"] == import_info.value.message


# Refusals met while the records and files are read: a large bundle has them checked by the file
# child while this process applies the lines unchecked (importer.CHILD_CHECKS_FROM).
READ_TIME_CODES = {"record_invalid", "count_mismatch", "member_altered"}


@pytest.mark.parametrize(
    ("name", "build"),
    [(name, build) for name, code, build in CASES if code in READ_TIME_CODES],
    ids=[name for name, code, _build in CASES if code in READ_TIME_CODES],
)
def test_the_child_refuses_bad_records_as_this_process_does(
    world: World, name: str, build: Callable[[World], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = build(world)
    before = store_digest(world.county.store)
    with pytest.raises(BundleRefused) as here:
        world.county.sync.import_bundle(world.county.admin, bad)
    converted = []

    def converter(rtype: Any) -> Any:
        converted.append(rtype.name)
        return lines.converter(rtype)

    monkeypatch.setattr(importer, "CHILD_CHECKS_FROM", 0)
    monkeypatch.setattr(reader, "converter", converter)
    with pytest.raises(BundleRefused) as in_child:
        world.county.sync.import_bundle(world.county.admin, bad)
    assert converted, "the lines were not handed to the child"
    assert (in_child.value.code, in_child.value.message) == (here.value.code, here.value.message), name
    assert store_digest(world.county.store) == before, name


def test_the_good_bundle_still_imports(world: World) -> None:
    """Run last in the module (pytest keeps file order): the fixture's bundle was fine all along."""
    result = world.county.sync.import_bundle(world.county.admin, world.good)
    assert result.status == "applied" and not result.refusals


def test_bundle_of_the_same_number_with_other_content_is_refused(world: World) -> None:
    bad = rebuild(world, edit_manifest=lambda m: m.update(bundle_id=str(uuid.uuid4())))
    before = store_digest(world.county.store)
    with pytest.raises(BundleRefused) as info:
        world.county.sync.import_bundle(world.county.admin, bad)
    assert info.value.code == "sequence_reused" and "第 1 号" in info.value.message
    assert store_digest(world.county.store) == before


def test_own_bundle_is_refused_at_home(world: World) -> None:
    before = store_digest(world.town.store)
    with pytest.raises(BundleRefused) as info:
        world.town.sync.import_bundle(world.town.admin, world.good)
    assert info.value.code in ("own_bundle", "wrong_kind")
    assert store_digest(world.town.store) == before


def test_next_bundle_with_a_wrong_predecessor_is_refused(world: World) -> None:
    bad = rebuild(
        world,
        edit_manifest=lambda m: m.update(
            bundle_id=str(uuid.uuid4()), sequence=2, previous_bundle_id=str(uuid.uuid4())
        ),
    )
    before = store_digest(world.county.store)
    with pytest.raises(BundleRefused) as info:
        world.county.sync.import_bundle(world.county.admin, bad)
    assert info.value.code == "previous_mismatch"
    assert store_digest(world.county.store) == before


def test_sender_with_another_organ_id_is_refused(world: World) -> None:
    bad = rebuild(
        world,
        edit_manifest=lambda m: (
            m.update(bundle_id=str(uuid.uuid4()), sequence=2, previous_bundle_id=m["bundle_id"])
            or m["sender"].update(organ_id=str(uuid.uuid4()))
        ),
    )
    before = store_digest(world.county.store)
    with pytest.raises(BundleRefused) as info:
        world.county.sync.import_bundle(world.county.admin, bad)
    assert info.value.code == "sender_mismatch"
    assert store_digest(world.county.store) == before


def test_io_helpers_are_sound(world: World) -> None:
    """The rebuild helper itself produces an importable bundle when nothing is changed."""
    same = rebuild(world)
    with zipfile.ZipFile(same) as zf:
        assert set(zf.namelist()) == set(world.members)
    assert io.BytesIO(same.read_bytes()).getbuffer().nbytes > 0
