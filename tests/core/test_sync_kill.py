"""Killing an import at a random moment never leaves a half-applied bundle (slow suite).

Each trial starts from a copy of the county store as it was before the import, runs
`brigade-desk bundle import` in a child process and SIGKILLs it after a random delay within the
time a whole import takes. Afterwards the store is either untouched (every table's rows as before)
or fully applied (the bundle recorded, every case, evidence row and file present, the audit chain
whole). Files are the one allowed trace of a killed import: staged `.incoming-sync-*` copies and
attachment files placed just before the commit, which nobody refers to and a re-import reuses.
Finally an import that is left alone completes.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from brigade_desk.core.app import Services
from brigade_desk.core.audit import verify_chain
from brigade_desk.core.files import hash_file, path_for
from brigade_desk.core.model import Case, Evidence, SyncBundle
from brigade_desk.core.store import open_store
from brigade_desk.core.sync.importer import CHILD_CHECKS_FROM
from brigade_desk.core.sync.reader import BundleReader
from tests.conftest import PG_ADMIN_URL, pg_problem
from tests.core.sync_support import add_evidence, case_ids, demo, make_county, make_town, pair, store_digest

pytestmark = pytest.mark.slow
CASES = 800
TRIALS = int(os.environ.get("BRIGADE_DESK_KILL_TRIALS", "12"))


def _tables(digest: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in digest.items() if k != "<files>"}


class Pristine:
    """The county store before the import, restorable for each trial."""

    def __init__(self, data_dir: Path, pg_template: str | None) -> None:
        self.data_dir = data_dir
        self.copy = data_dir.with_name(data_dir.name + "-pristine")
        self.template = pg_template
        self.admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT") if pg_template else None
        self.trial_db = ""
        shutil.copytree(data_dir, self.copy)

    def restore(self) -> str | None:
        shutil.rmtree(self.data_dir)
        shutil.copytree(self.copy, self.data_dir)
        if self.admin is None:
            return None
        with self.admin.connect() as conn:
            if self.trial_db:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.trial_db}" WITH (FORCE)'))
            self.trial_db = f"bdkill_{uuid.uuid4().hex[:10]}"
            conn.execute(text(f'CREATE DATABASE "{self.trial_db}" TEMPLATE "{self.template}"'))
        return make_url(PG_ADMIN_URL).set(database=self.trial_db).render_as_string(hide_password=False)

    def close(self) -> None:
        if self.admin is not None:
            with self.admin.connect() as conn:
                if self.trial_db:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{self.trial_db}" WITH (FORCE)'))
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)'))
            self.admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def setting(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Path, Pristine, dict[str, int]]]:
    template = None
    db_url = None
    if request.param == "postgresql":
        problem = pg_problem()
        if problem:
            pytest.skip(problem)
        template = f"bdkilltpl_{uuid.uuid4().hex[:10]}"
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{template}"'))
        admin.dispose()
        db_url = make_url(PG_ADMIN_URL).set(database=template).render_as_string(hide_password=False)
    town = make_town(tmp_path / "town")
    county = make_county(tmp_path / "county", db_url)
    pair(town, county)
    demo(town, CASES)
    rng = random.Random(7)
    open_cases = case_ids(town, open_only=True)
    for n in range(12):
        add_evidence(town, open_cases[n % len(open_cases)], rng.randbytes(1_500_000), f"录像{n}.mp4")
    out = tmp_path / "usb"
    out.mkdir()
    [sent] = town.sync.export(town.admin, out)
    with BundleReader(sent.path) as reader:
        record_bytes = sum(
            size for name, (_sha, size) in reader.manifest().members.items() if name.startswith("records/")
        )
    # Enough records that the import hands their checks to its child: both processes get killed.
    assert record_bytes >= CHILD_CHECKS_FROM
    expected = {"cases": CASES, "evidence": 12, "files": sent.files}
    town.close()
    county.close()
    pristine = Pristine(tmp_path / "county", template)
    try:
        yield sent.path, pristine, expected
    finally:
        pristine.close()


def _run_import(data_dir: Path, db_url: str | None, bundle: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "brigade_desk", "--data-dir", str(data_dir)]
    if db_url:
        command += ["--db", db_url]
    command += ["bundle", "import", str(bundle)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _state(data_dir: Path, db_url: str | None, before: dict[str, str], expected: dict[str, int]) -> str:
    services = Services.over(open_store(data_dir, db_url))
    try:
        store = services.store
        if store.is_sqlite:
            with store.write_engine.connect() as conn:
                assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
                conn.rollback()
        with store.read() as session:
            received = session.execute(
                select(func.count()).select_from(SyncBundle).where(SyncBundle.direction == "received")
            ).scalar_one()
            if received == 0:
                assert _tables(store_digest(store)) == _tables(before), "killed import changed the store"
                return "untouched"
            assert received == 1
            assert session.execute(select(func.count()).select_from(Case)).scalar_one() == expected["cases"]
            assert (
                session.execute(select(func.count()).select_from(Evidence)).scalar_one()
                == expected["evidence"]
            )
            for sha in session.execute(select(Evidence.sha256).where(Evidence.sha256.is_not(None))).scalars():
                path = path_for(store.files_dir, sha)
                assert path.exists() and hash_file(path) == sha
            assert verify_chain(session).ok
        return "applied"
    finally:
        services.close()


def test_killing_the_import_never_leaves_it_half_applied(
    setting: tuple[Path, Pristine, dict[str, int]],
) -> None:
    bundle, pristine, expected = setting
    rng = random.Random(int(os.environ.get("BRIGADE_DESK_KILL_SEED", "20261126")))
    # How long a whole import takes here, so that kills land all along it.
    db_url = pristine.restore()
    before_store = open_store(pristine.data_dir, db_url)
    before = store_digest(before_store)
    before_store.dispose()
    started = time.monotonic()
    assert _run_import(pristine.data_dir, db_url, bundle).wait(timeout=600) == 0
    whole = time.monotonic() - started
    assert _state(pristine.data_dir, db_url, before, expected) == "applied"

    outcomes = []
    for _trial in range(TRIALS):
        db_url = pristine.restore()
        process = _run_import(pristine.data_dir, db_url, bundle)
        time.sleep(rng.uniform(0.05, whole * 1.3))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        outcomes.append(_state(pristine.data_dir, db_url, before, expected))
        # A re-import after the kill completes (or finds the bundle already applied).
        services = Services.over(open_store(pristine.data_dir, db_url))
        try:
            actor = services.users.sign_in("admin", "Admin12345")
            result = services.sync.import_bundle(actor, bundle)
            assert result.status in ("applied", "duplicate")
            assert (result.status == "duplicate") == (outcomes[-1] == "applied")
        finally:
            services.close()
        assert _state(pristine.data_dir, db_url, before, expected) == "applied"
    print("kill outcomes:", outcomes, f"(a whole import took {whole:.1f} s)")
    # Both ends of the window were hit at least once across the trials.
    assert "untouched" in outcomes, outcomes
