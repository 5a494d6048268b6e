"""Append events to the full-process record and verify its hash chain.

Each event's hash is SHA-256 over the canonical encoding of its fields and the previous event's
hash, so changing, removing or reordering any event breaks every link after it. The writer locks
`audit_head` so the chain cannot fork under concurrent writers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from brigade_desk.core.canonical import canonical_json, digest, sha256_hex
from brigade_desk.core.ids import new_id
from brigade_desk.core.model import AuditEvent, AuditHead
from brigade_desk.core.rules.permissions import Actor
from brigade_desk.core.timeutil import utc_now

GENESIS_HASH = "0" * 64


def event_hash(
    *,
    seq: int,
    event_id: str,
    at: datetime,
    actor_id: str,
    actor_name: str,
    action: str,
    entity_type: str,
    entity_id: str,
    before_digest: str,
    after_digest: str,
    summary: str,
    detail: dict[str, Any],
    prev_hash: str,
) -> str:
    body = {
        "seq": seq,
        "id": event_id,
        # Microseconds are kept by both backends; a fixed format keeps the encoding stable.
        # (the text of strftime("%Y-%m-%dT%H:%M:%S.%fZ"), at a third of its cost)
        "at": at.isoformat(timespec="microseconds")[:26] + "Z",
        "actor_id": actor_id,
        "actor_name": actor_name,
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "before": before_digest,
        "after": after_digest,
        "summary": summary,
        "detail": detail,
        "prev": prev_hash,
    }
    return sha256_hex(canonical_json(body))


def _hash_of(event: AuditEvent) -> str:
    return event_hash(
        seq=event.seq,
        event_id=event.id,
        at=event.at,
        actor_id=event.actor_id,
        actor_name=event.actor_name,
        action=event.action,
        entity_type=event.entity_type,
        entity_id=event.entity_id,
        before_digest=event.before_digest,
        after_digest=event.after_digest,
        summary=event.summary,
        detail=event.detail,
        prev_hash=event.prev_hash,
    )


@dataclass(frozen=True)
class Change:
    """One audited change, as services describe it."""

    action: str
    entity_type: str
    entity_id: str
    summary: str
    before: Any = None
    after: Any = None
    detail: dict[str, Any] | None = None


def record(session: Session, actor: Actor | None, change: Change, *, at: datetime | None = None) -> None:
    """Append one event inside the caller's transaction."""
    record_many(session, actor, [change], at=at)


def record_many(
    session: Session, actor: Actor | None, changes: Iterable[Change], *, at: datetime | None = None
) -> int:
    """Append events in order under one lock of the chain head; returns how many.

    Rows are built as plain dicts and written with one Core executemany: bulk work (demo data,
    bundle imports) appends hundreds of thousands of events, and ORM objects cost more than the hash.
    """
    head = session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one()
    when = at or utc_now()
    seq, prev = head.last_seq, head.last_hash
    actor_id = actor.user_id if actor else ""
    actor_name = actor.display_name if actor else "系统"
    rows: list[dict[str, Any]] = []
    for change in changes:
        seq += 1
        row: dict[str, Any] = {
            "seq": seq,
            "id": new_id(),
            "at": when,
            "actor_id": actor_id,
            "actor_name": actor_name,
            "action": change.action,
            "entity_type": change.entity_type,
            "entity_id": change.entity_id,
            "before_digest": digest(change.before),
            "after_digest": digest(change.after),
            "summary": change.summary,
            "detail": change.detail or {},
            "prev_hash": prev,
        }
        row["hash"] = prev = _hash_of_row(row)
        rows.append(row)
    if rows:
        session.execute(insert(cast(Table, AuditEvent.__table__)), rows)
    head.last_seq, head.last_hash = seq, prev
    return len(rows)


def _hash_of_row(row: dict[str, Any]) -> str:
    return event_hash(
        seq=row["seq"],
        event_id=row["id"],
        at=row["at"],
        actor_id=row["actor_id"],
        actor_name=row["actor_name"],
        action=row["action"],
        entity_type=row["entity_type"],
        entity_id=row["entity_id"],
        before_digest=row["before_digest"],
        after_digest=row["after_digest"],
        summary=row["summary"],
        detail=row["detail"],
        prev_hash=row["prev_hash"],
    )


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    broken_seq: int | None = None
    broken_id: str | None = None
    broken_at: datetime | None = None
    reason: str = ""


def _stream(session: Session) -> Iterator[AuditEvent]:
    yield from session.execute(
        select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=2000)
    ).scalars()


def verify_chain(session: Session) -> ChainReport:
    """Walk the chain from the genesis hash; report the first event whose link or hash is wrong."""
    prev, expected_seq, count = GENESIS_HASH, 1, 0
    for event in _stream(session):
        if event.seq != expected_seq:
            return ChainReport(
                False, count, event.seq, event.id, event.at, f"序号不连续：缺少第 {expected_seq} 号事件"
            )
        if event.prev_hash != prev:
            return ChainReport(False, count, event.seq, event.id, event.at, "与前一事件的链接不符")
        if _hash_of(event) != event.hash:
            return ChainReport(
                False, count, event.seq, event.id, event.at, "事件内容与其哈希不符（已被改动）"
            )
        prev, expected_seq, count = event.hash, expected_seq + 1, count + 1
        session.expunge(event)
    head = session.get(AuditHead, 1)
    if head is not None and (head.last_seq != count or head.last_hash != prev):
        return ChainReport(
            False,
            count,
            head.last_seq,
            None,
            None,
            f"链尾记录为第 {head.last_seq} 号，实际只有 {count} 个事件",
        )
    return ChainReport(True, count)
