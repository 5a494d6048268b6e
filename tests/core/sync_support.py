"""Two stores that exchange bundles: a township and its county, registered with each other's keys."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, select, text

from brigade_desk.core.app import Services
from brigade_desk.core.canonical import canonical_json, sha256_hex
from brigade_desk.core.model import Case, SyncKey
from brigade_desk.core.rules.permissions import Actor
from brigade_desk.core.services.demo import DemoService
from brigade_desk.core.services.evidence import EvidenceInput
from brigade_desk.core.services.setup import TownshipInput
from brigade_desk.core.services.sync import read_card
from brigade_desk.core.services.users import NewUser
from brigade_desk.core.store import Store, open_store
from brigade_desk.core.sync import keys
from tests.conftest import ADMIN_PASSWORD, TOWNSHIP

COUNTY = TownshipInput(
    name="临溪县人民政府",
    area_code="330100",
    credit_code="",
    doc_prefix="",
    county_name="临溪县",
    kind="county",
)
TOWN_B = TownshipInput(
    name="石门乡人民政府",
    area_code="330186",
    credit_code="",
    doc_prefix="石综执",
    county_name="临溪县",
)


@dataclass
class Side:
    services: Services
    admin: Actor
    data_dir: Path

    @property
    def store(self) -> Store:
        return self.services.store

    @property
    def sync(self):  # type: ignore[no-untyped-def]
        return self.services.sync

    def close(self) -> None:
        self.services.close()


def make_side(data_dir: Path, organ: TownshipInput, db_url: str | None = None) -> Side:
    data_dir.mkdir(parents=True, exist_ok=True)
    services = Services.over(open_store(data_dir, db_url))
    services.setup.initialize(organ, NewUser("admin", "系统管理员", ADMIN_PASSWORD, roles=("admin",)))
    return Side(services, services.users.sign_in("admin", ADMIN_PASSWORD), data_dir)


def make_town(data_dir: Path, db_url: str | None = None, organ: TownshipInput = TOWNSHIP) -> Side:
    return make_side(data_dir, organ, db_url)


def make_county(data_dir: Path, db_url: str | None = None) -> Side:
    return make_side(data_dir, COUNTY, db_url)


def pair(town: Side, county: Side) -> None:
    """Each side registers the other's public key (as read from its peer card)."""
    town_card = read_card(town.sync.peer_card(town.admin))
    county_card = read_card(county.sync.peer_card(county.admin))
    county.sync.add_peer(
        county.admin,
        kind="township",
        area_code=town_card["area_code"],
        name=town_card["name"],
        public_key=town_card["public_key"],
    )
    town.sync.add_peer(
        town.admin,
        kind="county",
        area_code=county_card["area_code"],
        name=county_card["name"],
        public_key=county_card["public_key"],
    )


def demo(side: Side, cases: int, seed: int = 1) -> None:
    DemoService(side.store).generate(side.admin, cases=cases, seed=seed)


def case_ids(side: Side, *, open_only: bool = False) -> list[str]:
    query = select(Case.id).order_by(Case.id)
    if open_only:
        query = query.where(Case.state.not_in(("closed", "archived")))
    with side.store.read() as session:
        return list(session.execute(query).scalars())


def officer(side: Side) -> Actor:
    users = {u.login for u in side.services.users.list_users(side.admin)}
    if "zhangsan" not in users:
        side.services.users.add_user(side.admin, NewUser("zhangsan", "张三", "Passw0rd1", roles=("officer",)))
    return side.services.users.sign_in("zhangsan", "Passw0rd1")


def add_evidence(side: Side, case_id: str, content: bytes, name: str = "现场.bin") -> str:
    added = side.services.evidence.add_file(
        officer(side),
        case_id,
        io.BytesIO(content),
        EvidenceInput(
            kind="electronic",
            description=f"电子数据 {name}",
            proves="违法事实",
            collected_by="张三",
            collected_at=datetime(2026, 3, 2, 2, 0, tzinfo=UTC),
        ),
        file_name=name,
    )
    return added.evidence.id


def store_digest(store: Store) -> dict[str, str]:
    """A digest of every table's rows (and of the files directory): equal before and after means the
    store was left exactly as it was."""
    out: dict[str, str] = {}
    with store.write_engine.connect() as conn:
        virtual: set[str] = set()
        if store.is_sqlite:  # FTS tables cannot be scanned; their shadow tables hold the rows
            virtual = set(
                conn.execute(
                    text("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'")
                ).scalars()
            )
        for table in sorted(set(inspect(conn).get_table_names()) - virtual):
            rows = conn.execute(text(f'SELECT * FROM "{table}"')).all()
            lines = sorted(repr(tuple(r)) for r in rows)
            out[table] = hashlib.sha256("\n".join(lines).encode()).hexdigest()
        conn.rollback()
    files = (
        sorted(
            f"{p.relative_to(store.files_dir)}:{p.stat().st_size}"
            for p in store.files_dir.rglob("*")
            if p.is_file()
        )
        if store.files_dir.exists()
        else []
    )
    out["<files>"] = hashlib.sha256("\n".join(files).encode()).hexdigest()
    return out


def rewrite_bundle(
    path: Path,
    signer: Side,
    dest: Path,
    edit: Callable[[dict[str, list[dict[str, Any]]]], None],
) -> Path:
    """A bundle with its records edited and re-signed with `signer`'s organ key (a sender whose
    records break the ownership rules, not the format)."""
    with zipfile.ZipFile(path) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    manifest = json.loads(members.pop("manifest.json"))
    members.pop("manifest.sig")
    streams = {
        name.removeprefix("records/").removesuffix(".jsonl"): [json.loads(x) for x in data.splitlines()]
        for name, data in members.items()
        if name.startswith("records/")
    }
    edit(streams)
    for type_name, lines in streams.items():
        data = b"".join(canonical_json(x) + b"\n" for x in lines)
        members[f"records/{type_name}.jsonl"] = data
        manifest["members"][f"records/{type_name}.jsonl"] = {"sha256": sha256_hex(data), "size": len(data)}
        manifest["counts"][type_name] = len(lines)
    body = canonical_json(manifest)
    with signer.store.read() as session:
        key = session.get(SyncKey, manifest["sender"]["organ_id"])
        assert key is not None
        session.expunge(key)
    sig = canonical_json(
        {
            "algorithm": "ed25519",
            "key_fingerprint": manifest["sender"]["key_fingerprint"],
            "signature": keys.sign(key, signer.data_dir, body),
        }
    )
    with zipfile.ZipFile(dest, "w") as zf:
        zf.writestr("manifest.json", body)
        zf.writestr("manifest.sig", sig)
        for name, data in members.items():
            method = zipfile.ZIP_STORED if name.startswith("files/") else zipfile.ZIP_DEFLATED
            zf.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data, compress_type=method)
    return dest


def lines_of(path: Path, type_name: str) -> list[dict[str, Any]]:
    with zipfile.ZipFile(path) as zf:
        return [json.loads(x) for x in zf.read(f"records/{type_name}.jsonl").splitlines()]
