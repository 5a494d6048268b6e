"""Migrations: a store at any earlier revision upgrades to the models' schema, backed up first."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from brigade_desk.core.model import Base
from brigade_desk.core.paths import MIGRATIONS_DIR
from brigade_desk.core.store import Store, open_store, sqlite_url

_config = Config()
_config.set_main_option("script_location", str(MIGRATIONS_DIR))
SCRIPT = ScriptDirectory.from_config(_config)
REVISIONS = [r.revision for r in SCRIPT.walk_revisions()]  # newest first


def _not_search_table(name: str | None, type_: str, _parents: object) -> bool:
    """The search index (core/search.py) is created by its migration only, outside the models."""
    return not (type_ == "table" and name is not None and name.startswith("case_search"))


def _schema_differences(url: str) -> list[object]:
    engine = create_engine(url)
    with engine.connect() as conn:
        opts = {"compare_type": True, "include_name": _not_search_table}
        diffs = compare_metadata(MigrationContext.configure(conn, opts=opts), Base.metadata)
    engine.dispose()
    return list(diffs)


def test_migrated_schema_matches_the_models(store: Store) -> None:
    assert _schema_differences(store.url.render_as_string(hide_password=False)) == []


@pytest.mark.parametrize("start", ["base", *REVISIONS[1:]])
def test_upgrade_from_every_earlier_revision(data_dir: Path, start: str) -> None:
    """Stop a new store at `start`, then let the program open it: it backs it up and migrates it."""
    db_url = sqlite_url(data_dir / "brigade-desk.sqlite3")
    if start != "base":
        Store(db_url, data_dir).migrate(start)
    store = open_store(data_dir)
    assert store.current_revision() == SCRIPT.get_current_head()
    store.dispose()
    assert _schema_differences(db_url) == []
    backups = list((data_dir / "backups").glob("pre-migration-*.sqlite3"))
    assert len(backups) == (0 if start == "base" else 1)


def test_history_is_linear() -> None:
    assert len(SCRIPT.get_heads()) == 1
