"""Two processes doing read-modify-write on one SQLite store lose no update (TECH-NOTES.md)."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from sqlalchemy import select

from brigade_desk.core.model import NumberSequence
from brigade_desk.core.store import Store, open_store

INCREMENTS = 300


def _increment(data_dir: str, count: int) -> None:
    store = Store(f"sqlite:///{Path(data_dir) / 'brigade-desk.sqlite3'}", Path(data_dir))
    for _ in range(count):
        with store.write() as session:
            row = session.execute(
                select(NumberSequence).where(NumberSequence.scope == "test", NumberSequence.year == 2026)
            ).scalar_one()
            row.last_value = row.last_value + 1  # read, then write: lost if two writers interleave
    store.dispose()


def test_two_processes_lose_no_update(data_dir: Path) -> None:
    store = open_store(data_dir)
    with store.write() as session:
        session.add(NumberSequence(scope="test", year=2026, last_value=0))
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_increment, args=(str(data_dir), INCREMENTS)) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
        assert w.exitcode == 0
    with store.read() as session:
        value = session.execute(select(NumberSequence.last_value)).scalar_one()
    store.dispose()
    assert value == 2 * INCREMENTS
