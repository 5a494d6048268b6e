"""The store: engines, sessions and migrations, for SQLite (embedded default) and PostgreSQL.

SQLite needs care (TECH-NOTES.md): with the driver's default transaction handling a SELECT runs
outside the transaction and two processes doing read-modify-write lose updates. Write sessions
therefore take the database lock up front with `BEGIN IMMEDIATE`; reads go through their own engine
with a plain deferred `BEGIN`, so readers never queue behind the write lock.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from brigade_desk.core.errors import StoreError
from brigade_desk.core.ownership import guard_foreign_cases
from brigade_desk.core.paths import BACKUPS_DIR, FILES_DIR, MIGRATIONS_DIR, STORE_FILE
from brigade_desk.core.timeutil import utc_now

log = logging.getLogger(__name__)

SUPPORTED = "sqlite:///路径 或 postgresql+psycopg://用户@主机/数据库"
# Arbitrary constant naming Brigade Desk's writer lock among PostgreSQL advisory locks.
WRITER_LOCK_KEY = 0x42524944


@dataclass(frozen=True)
class StoreStatus:
    url: str
    backend: str
    revision: str | None
    head: str
    sqlite_version: str


def _parse_url(db_url: str) -> URL:
    try:
        url = make_url(db_url)
    except ArgumentError as exc:
        raise StoreError(f"无法识别的数据库地址“{db_url}”；支持的格式：{SUPPORTED}") from exc
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise StoreError(f"不支持的数据库类型“{url.get_backend_name()}”；支持的格式：{SUPPORTED}")
    if url.get_backend_name() == "postgresql" and url.get_driver_name() not in ("psycopg",):
        raise StoreError(f"数据库地址“{db_url}”的驱动不受支持：PostgreSQL 请使用 postgresql+psycopg://…")
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        raise StoreError("SQLite 存储必须是磁盘上的文件（sqlite:///路径），不能是内存数据库")
    return url


def ensure_writable_dir(path: Path) -> None:
    """Create `path` if needed and prove a file can be written there; refuse with the path otherwise."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise StoreError(
            f"数据目录不可写：{path}（{exc.strerror or exc}）。请换一个目录或修改权限。"
        ) from exc


def _sqlite_pragmas(dbapi_conn: sqlite3.Connection) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _make_sqlite_engine(url: URL, begin_statement: str) -> Engine:
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        # Take transaction control away from the driver so that BEGIN is ours (see module doc).
        dbapi_conn.isolation_level = None
        _sqlite_pragmas(dbapi_conn)

    @event.listens_for(engine, "begin")
    def on_begin(conn: Any) -> None:
        conn.exec_driver_sql(begin_statement)

    return engine


class Store:
    """Engines and session factories for one store, plus the directory its files live in."""

    def __init__(self, db_url: str, data_dir: Path) -> None:
        self.url = _parse_url(db_url)
        self.data_dir = data_dir
        self.files_dir = data_dir / FILES_DIR
        self.backups_dir = data_dir / BACKUPS_DIR
        if self.is_sqlite:
            self.write_engine = _make_sqlite_engine(self.url, "BEGIN IMMEDIATE")
            self.read_engine = _make_sqlite_engine(self.url, "BEGIN")
        else:
            self.write_engine = create_engine(self.url, pool_pre_ping=True)
            self.read_engine = self.write_engine
        self._writer = sessionmaker(self.write_engine, expire_on_commit=False)
        self._reader = sessionmaker(self.read_engine, expire_on_commit=False)
        event.listen(self._writer, "before_flush", guard_foreign_cases)

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def sqlite_path(self) -> Path:
        assert self.is_sqlite and self.url.database
        return Path(self.url.database)

    def display_name(self) -> str:
        """What the status bar shows: the file, or the server and database (never a password)."""
        if self.is_sqlite:
            return f"SQLite：{self.sqlite_path}"
        return f"PostgreSQL：{self.url.host or 'localhost'}/{self.url.database}"

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: commits when the block ends, rolls back on any exception.

        Writers are serialised on both backends: SQLite by `BEGIN IMMEDIATE`, PostgreSQL by a
        transaction-scoped advisory lock. A brigade's write load is tiny, and serial writers rule
        out lost updates, forked audit chains and racing number counters in every service at once
        (docs/decisions/serialised-writers.md).
        """
        with self._writer.begin() as session:
            if not self.is_sqlite:
                session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITER_LOCK_KEY})
            yield session

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        with self._reader() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            self.read_engine.dispose()

    # --- migrations -------------------------------------------------------------------------

    def _alembic_config(self) -> Config:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        return config

    def head_revision(self) -> str:
        head = ScriptDirectory.from_config(self._alembic_config()).get_current_head()
        assert head is not None
        return head

    def refresh_statistics(self) -> None:
        """Bring the query planner's table statistics up to date after a bulk load (demo data, a
        large import). PostgreSQL planned a filtered search at 200,000 cases from stale counts and
        took 0.5 s a page instead of 0.06 s; SQLite's `PRAGMA optimize` analyses what needs it."""
        with self.write_engine.connect() as conn:
            if self.is_sqlite:
                conn.exec_driver_sql("PRAGMA optimize")
            else:
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")

    def current_revision(self) -> str | None:
        try:
            with self.write_engine.connect() as conn:
                return MigrationContext.configure(conn).get_current_revision()
        except OperationalError as exc:
            raise StoreError(f"无法连接数据库 {self.display_name()}：{exc.orig}") from exc

    def status(self) -> StoreStatus:
        return StoreStatus(
            url=self.url.render_as_string(hide_password=True),
            backend=self.url.get_backend_name(),
            revision=self.current_revision(),
            head=self.head_revision(),
            sqlite_version=sqlite3.sqlite_version,
        )

    def migrate(self, target: str = "head") -> None:
        """Bring the schema to `target`; back up an SQLite file with data before changing it."""
        script = ScriptDirectory.from_config(self._alembic_config())
        current = self.current_revision()
        if current is not None:
            try:
                script.get_revision(current)
            except Exception as exc:
                raise StoreError(
                    f"该数据库由更新版本的程序创建（结构版本 {current}），本程序无法打开。"
                    "请升级 Brigade Desk 后再打开，数据未做任何改动。"
                ) from exc
        if target == "head" and current == script.get_current_head():
            return
        if current is not None and self.is_sqlite:
            self.backup_before_migration(current)
        config = self._alembic_config()
        with self.write_engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, target)

    def backup_before_migration(self, revision: str) -> Path:
        self.backups_dir.mkdir(parents=True, exist_ok=True)
        dest = self.backups_dir / f"pre-migration-{revision}-{utc_now():%Y%m%dT%H%M%S}.sqlite3"
        copy_sqlite(self.sqlite_path, dest)
        log.info("backed up store to %s before migrating from %s", dest, revision)
        return dest


def copy_sqlite(source: Path, dest: Path) -> None:
    """A consistent copy of a live SQLite database through the online backup API."""
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(dest)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def open_store(data_dir: Path, db_url: str | None = None, *, migrate: bool = True) -> Store:
    """Open (and on first use create) the store. Refuses, writing nothing, when it cannot be used."""
    if db_url is None:
        ensure_writable_dir(data_dir)
        db_url = sqlite_url(data_dir / STORE_FILE)
    else:
        _parse_url(db_url)  # refuse a bad URL before touching the data directory
        ensure_writable_dir(data_dir)
    store = Store(db_url, data_dir)
    if store.is_sqlite:
        log.info("SQLite library version %s", sqlite3.sqlite_version)
        parent = store.sqlite_path.parent
        if not parent.is_dir():
            raise StoreError(f"数据库文件所在目录不存在：{parent}")
        if store.sqlite_path.exists() and not os.access(store.sqlite_path, os.W_OK):
            raise StoreError(f"数据库文件不可写：{store.sqlite_path}")
    try:
        if migrate:
            store.migrate()
        elif store.current_revision() != store.head_revision():
            raise StoreError("数据库结构不是最新版本，请先打开程序完成升级。")
    except Exception:
        store.dispose()
        raise
    return store
