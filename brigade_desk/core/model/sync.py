"""Sync with the county by carried bundles: the organ's key, known peers, bundles, ledgers, quarantine.

docs/bundle-format.md describes the bundle; docs/decisions/sync-*.md the choices. What changed since
the last acknowledged bundle is read from the audit chain (its sequence numbers are the store's
change sequence: every write appends an event, bulk Core inserts included), so no table here tracks
changes record by record.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from brigade_desk.core.model.base import Base, uuid_pk


class SyncKey(Base):
    """This organ's Ed25519 key for signing bundles: the public key and the sealed private key.

    The private key is sealed (core.crypto) under a random secret kept in a file in the data
    directory (docs/decisions/sync-organ-key.md), so a copy of the database alone cannot sign.
    """

    __tablename__ = "sync_key"

    organ_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    public_key: Mapped[str] = mapped_column(String(64))
    sealed: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]


class SyncPeer(Base):
    """An organ we exchange bundles with: the county at a township, each township at the county."""

    __tablename__ = "sync_peer"

    id: Mapped[str] = uuid_pk()
    # township | county
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(100))
    area_code: Mapped[str] = mapped_column(String(6), unique=True)
    public_key: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(32))
    # The peer's own organ UUID: learnt from its first verified bundle (signed with the key above).
    organ_id: Mapped[str | None] = mapped_column(String(36), unique=True, default=None)
    registered_at: Mapped[datetime]
    registered_by: Mapped[str] = mapped_column(String(100), default="")
    active: Mapped[bool] = mapped_column(default=True)


class SyncBundle(Base):
    """A bundle sent or received, with its place in the sender's sequence and what became of it."""

    __tablename__ = "sync_bundle"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # sent | received
    direction: Mapped[str] = mapped_column(String(8))
    # town_data | county_data
    kind: Mapped[str] = mapped_column(String(20))
    sender_area_code: Mapped[str] = mapped_column(String(6))
    sender_organ_id: Mapped[str] = mapped_column(String(36))
    sender_name: Mapped[str] = mapped_column(String(100), default="")
    receiver_area_code: Mapped[str] = mapped_column(String(6))
    receiver_organ_id: Mapped[str | None] = mapped_column(String(36), default=None)
    receiver_name: Mapped[str] = mapped_column(String(100), default="")
    # Per sender and receiver: 1, 2, 3 … without gaps.
    sequence: Mapped[int]
    previous_id: Mapped[str | None] = mapped_column(String(36), default=None)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(100), default="")
    full: Mapped[bool] = mapped_column(default=False)
    counts: Mapped[dict[str, Any]]
    # sent | acknowledged (sent ones); applied | held (received ones)
    status: Mapped[str] = mapped_column(String(12))
    status_reason: Mapped[str] = mapped_column(Text, default="")
    file_name: Mapped[str] = mapped_column(String(255), default="")
    file_sha256: Mapped[str] = mapped_column(String(64), default="")
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    # Town data: the audit events (change sequence) the bundle covers, (from, to].
    audit_seq_from: Mapped[int | None] = mapped_column(BigInteger, default=None)
    audit_seq_to: Mapped[int | None] = mapped_column(BigInteger, default=None)
    recorded_at: Mapped[datetime]
    applied_at: Mapped[datetime | None] = mapped_column(default=None)
    # Sent: the county bundle whose receipt acknowledged it. Received: our bundle that carried its receipt.
    receipt_bundle_id: Mapped[str | None] = mapped_column(String(36), default=None)
    # Outcome counts per record type: {type: {created, updated, skipped, refused}} (received), or
    # as the receipt reported them (sent).
    outcome: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # A held bundle waits in the data directory until the missing one arrives.
    held_path: Mapped[str] = mapped_column(String(500), default="")

    __table_args__ = (
        UniqueConstraint(
            "direction",
            "sender_area_code",
            "receiver_area_code",
            "sequence",
            name="uq_sync_bundle_direction_sequence",
        ),
        Index("ix_sync_bundle_status", "direction", "status"),
    )


class SyncRecord(Base):
    """Who owns a received record that has no owner column of its own (party, user, reference data),
    and which local row it landed on (a county power item may match a township row by its code)."""

    __tablename__ = "sync_record"

    record_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    owner_organ_id: Mapped[str] = mapped_column(String(36))
    local_id: Mapped[str] = mapped_column(String(80))
    bundle_id: Mapped[str] = mapped_column(String(36))
    updated_at: Mapped[datetime]


class SyncQuarantine(Base):
    """A received record that was refused, kept whole with the reason (nothing dropped silently)."""

    __tablename__ = "sync_quarantine"

    id: Mapped[str] = uuid_pk()
    bundle_id: Mapped[str] = mapped_column(String(36), index=True)
    sender_area_code: Mapped[str] = mapped_column(String(6))
    record_type: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(String(80))
    version: Mapped[int | None] = mapped_column(default=None)
    reason: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]]
    at: Mapped[datetime]


class SyncRejection(Base):
    """A record of one of our bundles that the receiver rejected, as its receipt said."""

    __tablename__ = "sync_rejection"

    id: Mapped[str] = uuid_pk()
    bundle_id: Mapped[str] = mapped_column(String(36), index=True)
    receipt_bundle_id: Mapped[str] = mapped_column(String(36))
    record_type: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]


class SyncSentFile(Base):
    """An attachment file written into one of our bundles (not sent again once acknowledged)."""

    __tablename__ = "sync_sent_file"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    bundle_id: Mapped[str] = mapped_column(String(36), primary_key=True)


class SyncPeerAudit(Base):
    """A township's full-process record as received by the county: its own hash chain, per township."""

    __tablename__ = "sync_peer_audit"

    organ_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    id: Mapped[str] = mapped_column(String(36))
    at: Mapped[datetime]
    actor_id: Mapped[str] = mapped_column(String(36), default="")
    actor_name: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(64))
    before_digest: Mapped[str] = mapped_column(String(64), default="")
    after_digest: Mapped[str] = mapped_column(String(64), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    bundle_id: Mapped[str] = mapped_column(String(36))

    __table_args__ = (Index("ix_sync_peer_audit_entity", "organ_id", "entity_type", "entity_id"),)


class SyncTownClaim(Base):
    """At the county: whether a township claims a catalogue item (sent in its reference bundle)."""

    __tablename__ = "sync_town_claim"

    peer_id: Mapped[str] = mapped_column(ForeignKey("sync_peer.id", ondelete="CASCADE"), primary_key=True)
    power_item_id: Mapped[str] = mapped_column(ForeignKey("power_item.id"), primary_key=True)
    claimed: Mapped[bool]
