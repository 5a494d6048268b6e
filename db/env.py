"""Alembic environment: migrations run inside the connection the program hands over.

The program calls Alembic itself (core.store.Store.migrate) with `config.attributes["connection"]`;
running `alembic` by hand against a URL works too (`-x url=sqlite:///path`).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from brigade_desk.core.model import Base

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url")
    if not url:
        raise SystemExit("pass the store as: alembic -x url=sqlite:///path/to/brigade-desk.sqlite3 …")
    with create_engine(url).begin() as conn:
        _run(conn)


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters tables by copy; batch mode makes that portable
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
