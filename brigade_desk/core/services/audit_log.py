"""Reading the full-process record: chain verification and an entity's history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from brigade_desk.core.audit import ChainReport, verify_chain
from brigade_desk.core.model import AuditEvent
from brigade_desk.core.rules.permissions import Actor, Permission
from brigade_desk.core.services.base import Service, operation


@dataclass(frozen=True)
class HistoryEntry:
    seq: int
    at: datetime
    actor_name: str
    action: str
    summary: str


class AuditService(Service):
    @operation(Permission.AUDIT_VIEW)
    def verify(self, actor: Actor) -> ChainReport:
        with self.store.read() as session:
            return verify_chain(session)

    @operation(Permission.AUDIT_VIEW)
    def history(self, actor: Actor, entity_type: str, entity_id: str) -> list[HistoryEntry]:
        """Who did what to one record, oldest first."""
        with self.store.read() as session:
            rows = session.execute(
                select(
                    AuditEvent.seq,
                    AuditEvent.at,
                    AuditEvent.actor_name,
                    AuditEvent.action,
                    AuditEvent.summary,
                )
                .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id)
                .order_by(AuditEvent.seq)
            ).all()
            return [HistoryEntry(*row) for row in rows]

    @operation(Permission.AUDIT_VIEW)
    def recent(self, actor: Actor, limit: int = 50) -> list[HistoryEntry]:
        with self.store.read() as session:
            rows = session.execute(
                select(
                    AuditEvent.seq,
                    AuditEvent.at,
                    AuditEvent.actor_name,
                    AuditEvent.action,
                    AuditEvent.summary,
                )
                .order_by(AuditEvent.seq.desc())
                .limit(limit)
            ).all()
            return [HistoryEntry(*row) for row in rows]
