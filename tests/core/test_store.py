"""The store opens, migrates and refuses what it cannot use, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select, text

from brigade_desk.core.errors import StaleEdit, StoreError
from brigade_desk.core.model import Party
from brigade_desk.core.paths import STORE_FILE
from brigade_desk.core.services.base import ensure_unchanged
from brigade_desk.core.store import Store, open_store


def test_new_store_is_migrated_to_head(store: Store) -> None:
    status = store.status()
    assert status.revision == status.head


def test_sqlite_pragmas_are_set(sqlite_store: Store) -> None:
    with sqlite_store.read() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert session.execute(text("PRAGMA busy_timeout")).scalar() == 30000
        assert session.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL


def test_times_come_back_as_utc_with_zone(store: Store) -> None:
    beijing_noon = datetime(2026, 11, 26, 12, 0, tzinfo=timezone(timedelta(hours=8)))
    with store.write() as session:
        session.add(Party(id="p1", kind="natural_person", name="张三", created_at=beijing_noon))
    with store.read() as session:
        created = session.execute(select(Party.created_at)).scalar_one()
    assert created.tzinfo is not None
    assert created == beijing_noon
    assert created.utcoffset() == timedelta(0)


def test_save_from_an_older_copy_is_refused(store: Store) -> None:
    with store.write() as session:
        session.add(Party(id="p1", kind="natural_person", name="张三", created_at=datetime.now(UTC)))
    with store.read() as session:
        opened_by_second = session.get(Party, "p1").version  # type: ignore[union-attr]
    with store.write() as session:  # the first person saves
        party = session.get(Party, "p1")
        assert party is not None
        party.name = "张三丰"
    with pytest.raises(StaleEdit) as info, store.write() as session:  # the second saves their older copy
        party = session.get(Party, "p1")
        assert party is not None
        ensure_unchanged(party, opened_by_second, "当事人")
        party.name = "张四"
    assert "仍保留在表单中" in info.value.message
    with store.read() as session:
        assert session.get(Party, "p1").name == "张三丰"  # type: ignore[union-attr]
        assert session.get(Party, "p1").version == 2  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "url",
    ["mysql://user@host/db", "not a url at all", "postgresql+pg8000://u@h/d", "sqlite:///:memory:"],
)
def test_unknown_database_url_is_refused_and_nothing_written(tmp_path: Path, url: str) -> None:
    data_dir = tmp_path / "never-created"
    with pytest.raises(StoreError) as info:
        open_store(data_dir, url)
    assert "数据库" in info.value.message or "SQLite" in info.value.message
    assert not data_dir.exists()


def test_unwritable_data_dir_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(StoreError) as info:
        open_store(blocker / "data")
    assert "数据目录不可写" in info.value.message


def test_store_from_a_newer_program_is_refused_untouched(data_dir: Path) -> None:
    open_store(data_dir).dispose()
    db = data_dir / STORE_FILE
    conn = sqlite3.connect(db)
    conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    conn.commit()
    conn.close()
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    with pytest.raises(StoreError) as info:
        open_store(data_dir)
    assert "更新版本" in info.value.message
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert not (data_dir / "backups").exists()


def test_postgres_unreachable_gives_a_clear_message(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as info:
        open_store(tmp_path, "postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert "无法连接数据库" in info.value.message


def test_demo_data_leaves_the_planner_statistics_current(store: Store) -> None:
    from brigade_desk.core.app import Services
    from brigade_desk.core.services.demo import DemoService
    from tests.conftest import initialise

    services = Services.over(store)
    DemoService(store).generate(initialise(services), cases=30)
    with store.write_engine.connect() as conn:
        if store.is_sqlite:
            # `PRAGMA optimize` analyses what the connection's queries would use; it must not fail
            # and leaves the data as it was.
            assert conn.exec_driver_sql("SELECT count(*) FROM case_record").scalar_one() == 30
        else:
            analysed = conn.exec_driver_sql(
                "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'case_record'"
            ).scalar_one()
            assert analysed
