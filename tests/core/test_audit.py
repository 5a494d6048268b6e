"""The full-process record: every write is chained; the table refuses change; the verifier finds tampering."""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from brigade_desk.cli import main as cli
from brigade_desk.core import audit
from brigade_desk.core.app import Services
from brigade_desk.core.model import AuditEvent
from brigade_desk.core.rules.permissions import Actor
from brigade_desk.core.services.users import NewUser
from brigade_desk.core.store import Store


def _count_events(store: Store) -> int:
    with store.read() as session:
        return int(session.execute(select(func.count()).select_from(AuditEvent)).scalar_one())


def test_every_write_appends_a_chained_event(services: Services, admin: Actor) -> None:
    before = _count_events(services.store)
    services.users.add_user(admin, NewUser("lisi", "李四", "Passw0rd1", roles=("officer",)))
    services.settings.set(admin, "idle_lock_minutes", 15)
    assert _count_events(services.store) == before + 2
    report = services.audit.verify(admin)
    assert report.ok, report.reason
    assert report.events == before + 2
    history = [h.action for h in services.audit.history(admin, "setting", "idle_lock_minutes")]
    assert history == ["setting.set"]


def test_audit_table_refuses_update_and_delete(services: Services, admin: Actor) -> None:
    for statement in ("UPDATE audit_event SET summary = 'x'", "DELETE FROM audit_event"):
        with pytest.raises(DatabaseError, match="append-only"), services.store.write() as session:
            session.execute(text(statement))
    assert services.audit.verify(admin).ok


def _drop_triggers(store: Store) -> None:
    with store.write() as session:
        if store.is_sqlite:
            session.execute(text("DROP TRIGGER audit_event_no_update"))
            session.execute(text("DROP TRIGGER audit_event_no_delete"))
        else:
            session.execute(text("DROP TRIGGER audit_event_no_change ON audit_event"))


def test_verifier_finds_an_edited_event(services: Services, admin: Actor) -> None:
    for n in range(3):
        services.users.add_user(admin, NewUser(f"user{n}", f"用户{n}", "Passw0rd1", roles=("clerk",)))
    _drop_triggers(services.store)
    with services.store.write() as session:
        victim = session.execute(select(AuditEvent).order_by(AuditEvent.seq).offset(2).limit(1)).scalar_one()
        victim_seq, victim_id = victim.seq, victim.id
        session.execute(text("UPDATE audit_event SET summary = '篡改' WHERE seq = :s"), {"s": victim_seq})
    report = services.audit.verify(admin)
    assert not report.ok
    assert report.broken_seq == victim_seq
    assert report.broken_id == victim_id
    assert report.events == victim_seq - 1


def test_verifier_finds_a_deleted_event(services: Services, admin: Actor) -> None:
    for n in range(3):
        services.users.add_user(admin, NewUser(f"user{n}", f"用户{n}", "Passw0rd1", roles=("clerk",)))
    _drop_triggers(services.store)
    with services.store.write() as session:
        session.execute(text("DELETE FROM audit_event WHERE seq = 3"))
    report = services.audit.verify(admin)
    assert not report.ok
    assert report.broken_seq == 4
    assert "缺少第 3 号" in report.reason


def test_cli_audit_verify_exit_codes(
    sqlite_services: Services, sqlite_admin: Actor, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(["--data-dir", str(data_dir), "audit", "verify"]) == 0
    assert "哈希链无断点" in capsys.readouterr().out
    _drop_triggers(sqlite_services.store)
    with sqlite_services.store.write() as session:
        target = session.execute(select(AuditEvent.id).where(AuditEvent.seq == 2)).scalar_one()
        session.execute(text("UPDATE audit_event SET actor_name = '他人' WHERE seq = 2"))
    assert cli(["--data-dir", str(data_dir), "audit", "verify"]) == 1
    err = capsys.readouterr().err
    assert "第 2 号事件" in err and target in err


def test_concurrent_writers_keep_one_chain(services: Services, admin: Actor) -> None:
    """Writers in several threads (on PostgreSQL: real concurrent transactions) never fork the chain."""
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for k in range(5):
                services.settings.set(admin, "idle_lock_minutes", 10 + n * 5 + k)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    report = services.audit.verify(admin)
    assert report.ok, report.reason
    with services.store.read() as session:
        seqs = list(session.execute(select(AuditEvent.seq).order_by(AuditEvent.seq)).scalars())
    assert seqs == list(range(1, len(seqs) + 1))


@settings(max_examples=300, deadline=None)
@given(
    st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 31), timezones=st.just(UTC)),
    st.text(max_size=20),
    st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5), max_size=3),
)
def test_the_event_hash_is_the_one_every_earlier_version_computed(
    at: datetime, summary: str, detail: dict[str, object]
) -> None:
    """The chain's hashes are a contract between versions and between townships and the county:
    the faster encoding must give the bytes the original json.dumps/strftime form gave."""
    fields = {
        "seq": 7,
        "event_id": "01856c22-a928-7b4f-98e6-f6fba151c611",
        "actor_id": "",
        "actor_name": "系统",
        "action": "case.create",
        "entity_type": "case",
        "entity_id": "x",
        "before_digest": "",
        "after_digest": "ab" * 32,
        "summary": summary,
        "detail": detail,
        "prev_hash": "0" * 64,
    }
    original = {
        "seq": 7,
        "id": fields["event_id"],
        "at": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor_id": "",
        "actor_name": "系统",
        "action": "case.create",
        "entity_type": "case",
        "entity_id": "x",
        "before": "",
        "after": "ab" * 32,
        "summary": summary,
        "detail": detail,
        "prev": "0" * 64,
    }
    body = json.dumps(original, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    assert audit.event_hash(at=at, **fields) == hashlib.sha256(body).hexdigest()  # type: ignore[arg-type]
