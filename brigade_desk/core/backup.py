"""Verified backups of a SQLite store with its attachment files.

A backup is one ZIP file: `store.sqlite3` (a consistent online copy through SQLite's backup API),
every attachment under `files/<sha256>` and `manifest.json` listing each member's SHA-256 and size.
Verification re-hashes every member, checks each attachment against its own name and runs SQLite's
integrity check on the database copy. Restore refuses a backup that does not verify, keeps the
current store aside, and puts it back when the restored one will not open.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from brigade_desk import __version__
from brigade_desk.core.errors import StoreError
from brigade_desk.core.files import CHUNK
from brigade_desk.core.paths import FILES_DIR, STORE_FILE
from brigade_desk.core.store import Store, copy_sqlite, open_store
from brigade_desk.core.timeutil import utc_now

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DB_MEMBER = "store.sqlite3"
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class BackupResult:
    path: Path
    members: int
    bytes: int
    created_at: datetime


@dataclass
class BackupCheck:
    path: Path
    ok: bool = False
    problems: list[str] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return "备份完整，可用于恢复" if self.ok else "；".join(self.problems)


def _attachment_files(files_dir: Path) -> list[Path]:
    if not files_dir.is_dir():
        return []
    return sorted(p for p in files_dir.rglob("*") if p.is_file() and not p.name.startswith(".incoming-"))


def _copy_into_zip(zf: zipfile.ZipFile, source: Path, name: str, compress: int) -> tuple[str, int]:
    """Stream one file into the archive, hashing it on the way (each file is read once)."""
    hasher, size = hashlib.sha256(), 0
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = compress
    with source.open("rb") as src, zf.open(info, "w", force_zip64=True) as out:
        while chunk := src.read(CHUNK):
            hasher.update(chunk)
            out.write(chunk)
            size += len(chunk)
    return hasher.hexdigest(), size


def create_backup(store: Store, dest: Path, progress: Progress | None = None) -> BackupResult:
    """Write a backup to `dest` (a file, or a folder to put a dated file in)."""
    if not store.is_sqlite:
        raise StoreError("PostgreSQL 存储请用数据库服务器的备份工具（pg_dump）备份；本功能备份 SQLite 存储")
    now = utc_now()
    if dest.is_dir():
        dest = dest / f"brigade-desk-backup-{now:%Y%m%d-%H%M%S}.zip"
    if not dest.parent.is_dir():
        raise StoreError(f"备份目标目录不存在：{dest.parent}")
    files = _attachment_files(store.files_dir)
    total, done = len(files) + 1, 0
    members: dict[str, dict[str, Any]] = {}
    partial = dest.with_name(dest.name + ".partial")
    with tempfile.TemporaryDirectory(prefix="brigade-backup-") as tmp:
        db_copy = Path(tmp) / DB_MEMBER
        copy_sqlite(store.sqlite_path, db_copy)
        try:
            with zipfile.ZipFile(partial, "w", allowZip64=True) as zf:
                sha, size = _copy_into_zip(zf, db_copy, DB_MEMBER, zipfile.ZIP_DEFLATED)
                members[DB_MEMBER] = {"sha256": sha, "size": size}
                done += 1
                if progress:
                    progress(done, total)
                for path in files:
                    name = f"{FILES_DIR}/{path.relative_to(store.files_dir).as_posix()}"
                    # Media gain nothing from deflate (TECH-NOTES.md): store them.
                    sha, size = _copy_into_zip(zf, path, name, zipfile.ZIP_STORED)
                    members[name] = {"sha256": sha, "size": size}
                    done += 1
                    if progress:
                        progress(done, total)
                manifest = {
                    "format": FORMAT_VERSION,
                    "program_version": __version__,
                    "schema_revision": store.current_revision(),
                    "created_at": now.isoformat(),
                    "members": members,
                }
                zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True))
            os.replace(partial, dest)
        finally:
            if partial.exists():
                partial.unlink()
    return BackupResult(dest, len(members), sum(m["size"] for m in members.values()), now)


def verify_backup(path: Path, progress: Progress | None = None) -> BackupCheck:
    check = BackupCheck(path)
    if not path.is_file():
        check.problems.append(f"备份文件不存在：{path}")
        return check
    try:
        with zipfile.ZipFile(path) as zf:
            _verify_members(zf, check, progress)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        check.problems.append(f"备份文件已损坏或不完整（{exc}）")
    check.ok = not check.problems
    return check


def _verify_members(zf: zipfile.ZipFile, check: BackupCheck, progress: Progress | None) -> None:
    try:
        manifest = json.loads(zf.read(MANIFEST))
    except KeyError:
        check.problems.append("备份中缺少清单 manifest.json")
        return
    except ValueError:
        check.problems.append("备份清单 manifest.json 无法解析")
        return
    check.manifest = manifest
    if manifest.get("format") != FORMAT_VERSION:
        check.problems.append(f"不认识的备份格式版本：{manifest.get('format')}")
        return
    listed: dict[str, dict[str, Any]] = manifest.get("members", {})
    present = {n for n in zf.namelist() if n != MANIFEST}
    for name in sorted(set(listed) - present):
        check.problems.append(f"缺少成员：{name}")
    for name in sorted(present - set(listed)):
        check.problems.append(f"清单之外的成员：{name}")
    if DB_MEMBER not in present:
        check.problems.append("备份中没有数据库文件")
    names = sorted(set(listed) & present)
    for index, name in enumerate(names, 1):
        hasher = hashlib.sha256()
        with zf.open(name) as member:
            while chunk := member.read(CHUNK):
                hasher.update(chunk)
        sha = hasher.hexdigest()
        if sha != listed[name]["sha256"]:
            check.problems.append(f"成员内容与清单哈希不符：{name}")
        elif name.startswith(f"{FILES_DIR}/") and name.removeprefix(f"{FILES_DIR}/").replace("/", "") != sha:
            check.problems.append(f"附件内容与其文件名哈希不符：{name}")
        if progress:
            progress(index, len(names))
    if DB_MEMBER in present and not check.problems:
        with tempfile.TemporaryDirectory(prefix="brigade-verify-") as tmp:
            db_path = Path(zf.extract(DB_MEMBER, tmp))
            problem = _sqlite_integrity(db_path)
            if problem:
                check.problems.append(problem)


def _sqlite_integrity(db_path: Path) -> str | None:
    conn = sqlite3.connect(db_path)
    try:
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            return f"数据库完整性检查未通过：{result}"
        conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        return f"数据库文件无法读取：{exc}"
    finally:
        conn.close()
    return None


def restore_backup(data_dir: Path, path: Path) -> Path:
    """Replace the store in `data_dir` by the backup; return where the replaced store was kept."""
    check = verify_backup(path)
    if not check.ok:
        raise StoreError(f"备份未通过校验，拒绝恢复：{check.message}")
    aside = data_dir / f"replaced-{utc_now():%Y%m%d-%H%M%S}"
    aside.mkdir(parents=True)
    live = [
        data_dir / STORE_FILE,
        data_dir / f"{STORE_FILE}-wal",
        data_dir / f"{STORE_FILE}-shm",
        data_dir / FILES_DIR,
    ]
    moved = [p for p in live if p.exists()]
    for p in moved:
        shutil.move(p, aside / p.name)
    try:
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                if name == MANIFEST:
                    continue
                target = data_dir / (STORE_FILE if name == DB_MEMBER else name)
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(name) as src, target.open("wb") as out:
                    shutil.copyfileobj(src, out, CHUNK)
        open_store(data_dir).dispose()
    except Exception:
        for p in live:
            if p.is_dir():
                shutil.rmtree(p)
            elif p.exists():
                p.unlink()
        for p in moved:
            shutil.move(aside / p.name, p)
        aside.rmdir()
        raise
    return aside
