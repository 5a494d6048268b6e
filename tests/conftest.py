"""Shared fixtures: a fresh store per test on a real SQLite file, and on the local PostgreSQL.

PostgreSQL tests create a database of their own on the server named by `BRIGADE_DESK_TEST_PG`
(default: the local server, trust auth, database `test`) and drop it afterwards; where no server
answers they skip and say so.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

# Qt must never look for a display in tests; set before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from brigade_desk.core.app import Services
from brigade_desk.core.rules.permissions import Actor
from brigade_desk.core.services.setup import TownshipInput
from brigade_desk.core.services.users import NewUser
from brigade_desk.core.store import Store, open_store

PG_ADMIN_URL = os.environ.get("BRIGADE_DESK_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

TOWNSHIP = TownshipInput(
    name="青溪镇人民政府",
    area_code="330185",
    credit_code="11330185MB0251845Y",
    doc_prefix="青综执",
    county_name="临溪县",
    court="临溪县人民法院",
)
ADMIN_PASSWORD = "Admin12345"


def _pg_reachable() -> str | None:
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any failure means: skip, with the reason
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {type(exc).__name__}: {exc}".splitlines()[0]


_PG_PROBLEM: str | bool | None = False


def pg_problem() -> str | None:
    global _PG_PROBLEM
    if _PG_PROBLEM is False:
        _PG_PROBLEM = _pg_reachable()
    return _PG_PROBLEM  # type: ignore[return-value]


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test."""
    problem = pg_problem()
    if problem:
        pytest.skip(problem)
    name = f"bdtest_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 with production cost takes ~0.3 s a hash on this machine; tests create many accounts.
    Same algorithm (argon2id), minimal cost."""
    from argon2 import PasswordHasher

    from brigade_desk.core.services import users

    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    # Signing keys are sealed with scrypt; the cost travels with each seal, so a cheap one is safe here.
    from brigade_desk.core import crypto

    monkeypatch.setattr(crypto, "SCRYPT_N", 2**10)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store(backend: str, data_dir: Path, request: pytest.FixtureRequest) -> Iterator[Store]:
    """A migrated, empty store on each backend."""
    url = request.getfixturevalue("pg_url") if backend == "postgresql" else None
    s = open_store(data_dir, url)
    yield s
    s.dispose()


@pytest.fixture
def sqlite_store(data_dir: Path) -> Iterator[Store]:
    s = open_store(data_dir)
    yield s
    s.dispose()


def initialise(services: Services) -> Actor:
    services.setup.initialize(TOWNSHIP, NewUser("admin", "系统管理员", ADMIN_PASSWORD, roles=("admin",)))
    return services.users.sign_in("admin", ADMIN_PASSWORD)


@pytest.fixture
def services(store: Store) -> Services:
    return Services.over(store)


@pytest.fixture
def admin(services: Services) -> Actor:
    return initialise(services)


@pytest.fixture
def sqlite_services(sqlite_store: Store) -> Services:
    return Services.over(sqlite_store)


@pytest.fixture
def sqlite_admin(sqlite_services: Services) -> Actor:
    return initialise(sqlite_services)
