"""Backups: create, verify every hash, refuse damaged ones, restore with the current store kept aside."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from brigade_desk.cli import main as cli
from brigade_desk.core.app import Services
from brigade_desk.core.backup import restore_backup, verify_backup
from brigade_desk.core.errors import StoreError
from brigade_desk.core.files import ingest_stream, path_for
from brigade_desk.core.model import User
from brigade_desk.core.rules.permissions import Actor
from brigade_desk.core.services.users import NewUser
from brigade_desk.core.store import open_store


def _with_attachment(services: Services) -> str:
    sha, _ = ingest_stream(services.store.files_dir, io.BytesIO(b"body camera bytes" * 1000))
    return sha


def _rewrite(src: Path, dest: Path, change: dict[str, bytes | None]) -> None:
    """Copy a ZIP, replacing (bytes) or dropping (None) the named members."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w") as zout:
        for item in zin.infolist():
            if item.filename in change:
                data = change[item.filename]
                if data is not None:
                    zout.writestr(item.filename, data)
            else:
                zout.writestr(item, zin.read(item.filename))


def test_backup_create_verify_and_last_good(
    sqlite_services: Services, sqlite_admin: Actor, tmp_path: Path
) -> None:
    sha = _with_attachment(sqlite_services)
    assert sqlite_services.backups.last_verified(sqlite_admin) is None
    result, check = sqlite_services.backups.create(sqlite_admin, tmp_path)
    assert check.ok, check.problems
    assert result.path.parent == tmp_path and result.members == 2
    with zipfile.ZipFile(result.path) as zf:
        assert f"files/{sha[:2]}/{sha[2:]}" in zf.namelist()
    last = sqlite_services.backups.last_verified(sqlite_admin)
    assert last is not None and last.path == str(result.path)


@pytest.mark.parametrize(
    "damage", ["truncated", "altered_db", "altered_file", "missing_file", "extra", "no_manifest"]
)
def test_damaged_backup_fails_verification(
    sqlite_services: Services, sqlite_admin: Actor, tmp_path: Path, damage: str
) -> None:
    sha = _with_attachment(sqlite_services)
    result, _ = sqlite_services.backups.create(sqlite_admin, tmp_path / "good.zip")
    bad = tmp_path / "bad.zip"
    member = f"files/{sha[:2]}/{sha[2:]}"
    if damage == "truncated":
        bad.write_bytes(result.path.read_bytes()[: result.path.stat().st_size // 2])
    elif damage == "altered_db":
        with zipfile.ZipFile(result.path) as zf:
            db = bytearray(zf.read("store.sqlite3"))
        db[5000] ^= 0xFF
        _rewrite(result.path, bad, {"store.sqlite3": bytes(db)})
    elif damage == "altered_file":
        _rewrite(result.path, bad, {member: b"something else"})
    elif damage == "missing_file":
        _rewrite(result.path, bad, {member: None})
    elif damage == "extra":
        _rewrite(result.path, bad, {})
        with zipfile.ZipFile(bad, "a") as zf:
            zf.writestr("files/zz/unlisted", b"x")
    else:
        _rewrite(result.path, bad, {"manifest.json": None})
    check = verify_backup(bad)
    assert not check.ok and check.problems
    assert cli(["--data-dir", str(sqlite_services.store.data_dir), "backup", "verify", str(bad)]) == 1


def test_restore_brings_back_the_backed_up_store(
    sqlite_services: Services, sqlite_admin: Actor, tmp_path: Path
) -> None:
    data_dir = sqlite_services.store.data_dir
    sha = _with_attachment(sqlite_services)
    result, _ = sqlite_services.backups.create(sqlite_admin, tmp_path / "b.zip")
    sqlite_services.users.add_user(sqlite_admin, NewUser("later", "后来者", "Passw0rd1"))
    path_for(sqlite_services.store.files_dir, sha).unlink()
    sqlite_services.close()

    aside = restore_backup(data_dir, result.path)
    assert (aside / "brigade-desk.sqlite3").exists()
    store = open_store(data_dir)
    with store.read() as session:
        logins = set(session.execute(select(User.login)).scalars())
    store.dispose()
    assert logins == {"admin"}
    assert path_for(data_dir / "files", sha).read_bytes() == b"body camera bytes" * 1000


def test_restore_refuses_a_bad_backup_and_keeps_the_store(
    sqlite_services: Services, sqlite_admin: Actor, tmp_path: Path
) -> None:
    data_dir = sqlite_services.store.data_dir
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    before = (data_dir / "brigade-desk.sqlite3").read_bytes()
    with pytest.raises(StoreError, match="拒绝恢复"):
        restore_backup(data_dir, bad)
    assert (data_dir / "brigade-desk.sqlite3").read_bytes() == before
    assert not list(data_dir.glob("replaced-*"))
    assert cli(["--data-dir", str(data_dir), "backup", "restore", str(bad)]) == 2


def test_postgres_store_backup_is_refused_with_advice(
    services: Services, admin: Actor, tmp_path: Path
) -> None:
    if services.store.is_sqlite:
        pytest.skip("PostgreSQL only")
    with pytest.raises(StoreError, match="pg_dump"):
        services.backups.create(admin, tmp_path)
