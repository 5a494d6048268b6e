"""Shared fixtures: a fresh store per test on a real SQLite file, and on the local PostgreSQL.

PostgreSQL tests create a database of their own on the server named by `BRIGADE_DESK_TEST_PG`
(default: the local server, trust auth, database `test`) and drop it afterwards; where no server
answers they skip and say so.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import queue
import tempfile
import threading
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
from brigade_desk.core.store import Store, copy_sqlite, open_store

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


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated, empty SQLite store per test session; tests start from a copy of it."""
    folder = tmp_path_factory.mktemp("template")
    open_store(folder).dispose()
    return folder / "brigade-desk.sqlite3"


class PgPool:
    """Migrated PostgreSQL databases made ahead of need, and dropped behind, by a background thread.

    Creating a database from a template and dropping one take about a second each on the server;
    done in a thread they overlap with the tests instead of adding to them.
    """

    AHEAD = 3

    def __init__(self) -> None:
        self.admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        self.template = f"bdtmpl_{uuid.uuid4().hex[:12]}"
        self._sql(f'CREATE DATABASE "{self.template}"')
        with tempfile.TemporaryDirectory() as folder:
            open_store(Path(folder), self.url(self.template)).dispose()
        self.ready: queue.Queue[str] = queue.Queue(maxsize=self.AHEAD)
        self.to_drop: queue.Queue[str | None] = queue.Queue()
        self.stopping = threading.Event()
        self.maker = threading.Thread(target=self._make, daemon=True)
        self.dropper = threading.Thread(target=self._drop, daemon=True)
        self.maker.start()
        self.dropper.start()

    def url(self, name: str) -> str:
        return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)

    def _sql(self, statement: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(statement))

    def _make(self) -> None:
        while not self.stopping.is_set():
            name = f"bdtest_{uuid.uuid4().hex[:12]}"
            self._sql(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
            self.ready.put(name)  # blocks while enough are waiting

    def _drop(self) -> None:
        while not self.stopping.is_set() and (name := self.to_drop.get()) is not None:
            self._sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def take(self) -> str:
        return self.ready.get(timeout=120)

    def give_back(self, name: str) -> None:
        self.to_drop.put(name)

    def close(self) -> None:
        self.stopping.set()
        leftovers: list[str] = []
        while self.maker.is_alive():  # unblock the maker so that it sees the stop
            with contextlib.suppress(queue.Empty):
                leftovers.append(self.ready.get(timeout=1))
        while not self.ready.empty():
            leftovers.append(self.ready.get_nowait())
        self.to_drop.put(None)
        self.dropper.join()
        while not self.to_drop.empty():
            name = self.to_drop.get_nowait()
            if name is not None:
                leftovers.append(name)
        # What is left is dropped several at a time: each drop waits on the server, not on Python.
        with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
            list(pool.map(lambda n: self._sql(f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)'), leftovers))
        self._sql(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        self.admin.dispose()


@pytest.fixture(scope="session")
def pg_pool() -> Iterator[PgPool]:
    problem = pg_problem()
    if problem:
        pytest.skip(problem)
    pool = PgPool()
    yield pool
    pool.close()


@pytest.fixture
def store(backend: str, data_dir: Path, request: pytest.FixtureRequest) -> Iterator[Store]:
    """A migrated, empty store on each backend (a copy of the session's template: migrating every
    test's store from scratch cost seconds per test)."""
    if backend == "postgresql":
        pool: PgPool = request.getfixturevalue("pg_pool")
        name = pool.take()
        s = open_store(data_dir, pool.url(name))
        yield s
        s.dispose()
        pool.give_back(name)
    else:
        copy_sqlite(request.getfixturevalue("sqlite_template"), data_dir / "brigade-desk.sqlite3")
        s = open_store(data_dir)
        yield s
        s.dispose()


@pytest.fixture
def sqlite_store(data_dir: Path, sqlite_template: Path) -> Iterator[Store]:
    copy_sqlite(sqlite_template, data_dir / "brigade-desk.sqlite3")
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
