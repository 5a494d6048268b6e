"""Bundles with the county: the organ's key, peers, export, verify, import, status and quarantine.

The work itself is in core.sync; this service checks permissions, validates input and returns
plain dataclasses (docs/bundle-format.md, docs/decisions/sync-*.md).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from brigade_desk.core import audit, crypto
from brigade_desk.core.canonical import canonical_json
from brigade_desk.core.errors import FieldError, NotFound, RuleViolation, ValidationError
from brigade_desk.core.model import (
    Organ,
    SyncBundle,
    SyncKey,
    SyncPeer,
    SyncQuarantine,
    SyncRejection,
)
from brigade_desk.core.rules.identity import check_area_code
from brigade_desk.core.rules.permissions import Actor, Permission
from brigade_desk.core.services.base import Service, operation
from brigade_desk.core.sync import exporter, importer, keys
from brigade_desk.core.sync.exporter import ExportResult
from brigade_desk.core.sync.importer import ImportResult
from brigade_desk.core.sync.records import TYPES

Progress = Callable[[int, int], None]
CARD_FORMAT = "brigade-desk-peer-card"


@dataclass(frozen=True)
class KeyView:
    organ_id: str
    organ_name: str
    area_code: str
    kind: str
    public_key: str
    fingerprint: str


@dataclass(frozen=True)
class PeerView:
    id: str
    kind: str
    name: str
    area_code: str
    public_key: str
    fingerprint: str
    organ_id: str | None
    active: bool
    registered_at: datetime
    last_received: int
    last_sent: int


@dataclass(frozen=True)
class BundleView:
    id: str
    direction: str
    kind: str
    counterpart: str
    counterpart_area_code: str
    sequence: int
    created_at: datetime
    created_by: str
    full: bool
    status: str
    status_label: str
    status_reason: str
    counts: dict[str, int]
    outcome: dict[str, Any]
    file_name: str
    size: int
    applied_at: datetime | None
    receipt_bundle_id: str | None


@dataclass(frozen=True)
class QuarantineView:
    id: str
    bundle_id: str
    sender_area_code: str
    record_type: str
    type_label: str
    record_id: str
    version: int | None
    reason: str
    at: datetime
    data: dict[str, Any]


@dataclass(frozen=True)
class RejectionView:
    bundle_id: str
    sequence: int | None
    record_type: str
    type_label: str
    record_id: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class SyncStatus:
    key: KeyView | None
    peers: list[PeerView]
    sent: list[BundleView]
    received: list[BundleView]
    held: list[BundleView]
    quarantined: int
    rejections: list[RejectionView]
    refused_files: list[dict[str, Any]]


STATUS_LABELS = {
    "sent": "已发出，待回执",
    "acknowledged": "对方已回执",
    "applied": "已导入",
    "held": "已暂存，等待缺少的数据包",
}


def _bundle_view(b: SyncBundle) -> BundleView:
    sent = b.direction == "sent"
    return BundleView(
        id=b.id,
        direction=b.direction,
        kind=b.kind,
        counterpart=b.receiver_name if sent else b.sender_name,
        counterpart_area_code=b.receiver_area_code if sent else b.sender_area_code,
        sequence=b.sequence,
        created_at=b.created_at,
        created_by=b.created_by,
        full=b.full,
        status=b.status,
        status_label=STATUS_LABELS.get(b.status, b.status),
        status_reason=b.status_reason,
        counts=dict(b.counts),
        outcome=dict(b.outcome),
        file_name=b.file_name,
        size=b.size,
        applied_at=b.applied_at,
        receipt_bundle_id=b.receipt_bundle_id,
    )


def check_public_key(text: str) -> str | None:
    try:
        raw = base64.b64decode(text.strip().encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        return "应为 base64 编码的 Ed25519 公钥（44个字符）"
    if len(raw) != 32:
        return "长度不对：Ed25519 公钥为 32 字节（base64 后 44 个字符）"
    return None


def read_card(text: str) -> dict[str, str]:
    """Parse a peer card written by `SyncService.peer_card` (validation happens in add_peer)."""
    try:
        card = json.loads(text)
    except ValueError:
        raise ValidationError.single("机关名片", "不是有效的 JSON 文本") from None
    if not isinstance(card, dict) or card.get("format") != CARD_FORMAT:
        raise ValidationError.single("机关名片", "不是 Brigade Desk 机关名片")
    return {k: str(card.get(k, "")) for k in ("kind", "name", "area_code", "public_key", "fingerprint")}


class SyncService(Service):
    # --- the organ's key and the peers -------------------------------------------------------------

    @operation(Permission.SYNC_EXCHANGE)
    def own_key(self, actor: Actor) -> KeyView:
        """The organ's public key and fingerprint (made on first use), to give to the other side."""
        exporter.ensure_own_key(self.store, self.clock())
        with self.store.read() as session:
            own = session.execute(select(Organ).where(Organ.is_self)).scalar_one()
            key = session.get(SyncKey, own.id)
            assert key is not None
            return KeyView(own.id, own.name, own.area_code, own.kind, key.public_key, key.fingerprint)

    @operation(Permission.SETTINGS_MANAGE)
    def renew_own_key(self, actor: Actor, reason: str) -> KeyView:
        """A new signing key for this organ (its secret file was lost with a PC, or a planned
        rotation). The other side must register the new key (`peers rekey`) before it accepts
        bundles signed with it; give it the new card."""
        if not reason.strip():
            raise ValidationError.single("原因", "请写明更换原因（如：原电脑损坏，密钥文件无法恢复）")
        try:
            with self.store.write() as session:
                own = session.execute(select(Organ).where(Organ.is_self)).scalar_one_or_none()
                if own is None:
                    raise RuleViolation("本机尚未初始化")
                keys.renew_key(session, self.store.data_dir, own.id, self.clock(), actor, reason.strip())
        except BaseException:
            keys.discard_renewed(self.store.data_dir)
            raise
        keys.promote_renewed(self.store.data_dir)
        return self.own_key(actor)

    @operation(Permission.SYNC_EXCHANGE)
    def peer_card(self, actor: Actor) -> str:
        """A small JSON text with this organ's name, area code and public key (for `peers add --card`)."""
        key = self.own_key(actor)
        return json.dumps(
            {
                "format": CARD_FORMAT,
                "kind": key.kind,
                "name": key.organ_name,
                "area_code": key.area_code,
                "public_key": key.public_key,
                "fingerprint": key.fingerprint,
            },
            ensure_ascii=False,
            indent=1,
        )

    @operation(Permission.SYNC_EXCHANGE)
    def list_peers(self, actor: Actor) -> list[PeerView]:
        with self.store.read() as session:
            last: dict[tuple[str, str], int] = {}
            for direction, sender, receiver, seq in session.execute(
                select(
                    SyncBundle.direction,
                    SyncBundle.sender_area_code,
                    SyncBundle.receiver_area_code,
                    func.max(SyncBundle.sequence),
                )
                .where(SyncBundle.status != "held")
                .group_by(SyncBundle.direction, SyncBundle.sender_area_code, SyncBundle.receiver_area_code)
            ):
                area = receiver if direction == "sent" else sender
                last[(direction, area)] = int(seq or 0)
            return [
                PeerView(
                    p.id,
                    p.kind,
                    p.name,
                    p.area_code,
                    p.public_key,
                    p.fingerprint,
                    p.organ_id,
                    p.active,
                    p.registered_at,
                    last.get(("received", p.area_code), 0),
                    last.get(("sent", p.area_code), 0),
                )
                for p in session.execute(
                    select(SyncPeer).order_by(SyncPeer.kind, SyncPeer.area_code)
                ).scalars()
            ]

    @operation(Permission.SETTINGS_MANAGE)
    def add_peer(self, actor: Actor, *, kind: str, area_code: str, name: str, public_key: str) -> PeerView:
        """Register the county (at a township) or a township (at the county) with its public key."""
        area_code, name, public_key = area_code.strip(), name.strip(), public_key.strip()
        errors: list[FieldError] = []
        if kind not in ("township", "county"):
            errors.append(FieldError("类型", "应为乡镇（township）或县级（county）"))
        if problem := check_area_code(area_code):
            errors.append(FieldError("行政区划代码", problem))
        if not name:
            errors.append(FieldError("机关名称", "请填写"))
        if problem := check_public_key(public_key):
            errors.append(FieldError("公钥", problem))
        if errors:
            raise ValidationError(errors)
        with self.store.write() as session:
            own = session.execute(select(Organ).where(Organ.is_self)).scalar_one_or_none()
            if own is None:
                raise RuleViolation("本机尚未初始化")
            if own.kind == "township" and kind != "county":
                raise RuleViolation(
                    "乡镇只与县级交换数据包：请登记县级机关（用县级的机关名片；命令行加 --county）"
                )
            if own.kind == "county" and kind != "township":
                raise RuleViolation(
                    "县级登记的是各乡镇：这是县级机关的名片或密钥，请用乡镇的机关名片（命令行去掉 --county）"
                )
            if area_code == own.area_code:
                raise RuleViolation("不能把本机关登记为交换对象")
            if session.execute(select(SyncPeer.id).where(SyncPeer.area_code == area_code)).first():
                raise RuleViolation(
                    f"区划代码 {area_code} 已登记；对方更换了密钥的，请用“更换公钥”（brigade-desk peers rekey）"
                )
            if (
                kind == "county"
                and session.execute(select(SyncPeer.id).where(SyncPeer.kind == "county")).first()
            ):
                raise RuleViolation("已登记县级机关；一个乡镇只向一个县级机关报送")
            peer = SyncPeer(
                kind=kind,
                name=name,
                area_code=area_code,
                public_key=public_key,
                fingerprint=crypto.fingerprint(public_key),
                registered_at=self.clock(),
                registered_by=actor.display_name,
            )
            session.add(peer)
            session.flush()
            audit.record(
                session,
                actor,
                audit.Change(
                    "sync.peer.add",
                    "sync_peer",
                    peer.id,
                    f"登记数据包交换对象：{name}（{area_code}），密钥指纹 {peer.fingerprint}",
                    after={"kind": kind, "area_code": area_code, "name": name, "public_key": public_key},
                ),
            )
            return PeerView(
                peer.id,
                kind,
                name,
                area_code,
                public_key,
                peer.fingerprint,
                None,
                True,
                peer.registered_at,
                0,
                0,
            )

    @operation(Permission.SETTINGS_MANAGE)
    def replace_peer_key(self, actor: Actor, area_code: str, public_key: str, reason: str) -> PeerView:
        """The other side has a new key (a reinstalled PC whose key could not be restored): the
        registration keeps its sequence and history, bundles are checked with the new key from now
        on. Bundles still held that were signed with the old key will be refused when released."""
        public_key, reason = public_key.strip(), reason.strip()
        errors: list[FieldError] = []
        if problem := check_public_key(public_key):
            errors.append(FieldError("公钥", problem))
        if not reason:
            errors.append(FieldError("原因", "请写明更换原因（如：对方重装系统后重新生成了密钥）"))
        if errors:
            raise ValidationError(errors)
        with self.store.write() as session:
            peer = session.execute(
                select(SyncPeer).where(SyncPeer.area_code == area_code.strip())
            ).scalar_one_or_none()
            if peer is None:
                raise NotFound(f"没有登记区划代码为 {area_code} 的交换对象")
            fingerprint = crypto.fingerprint(public_key)
            if fingerprint == peer.fingerprint:
                raise RuleViolation("新公钥与已登记的公钥相同，无需更换")
            own_key = session.execute(select(SyncKey.fingerprint)).scalars().all()
            if fingerprint in own_key:
                raise RuleViolation("这是本机关自己的公钥，不能登记为对方的公钥")
            old = peer.fingerprint
            peer.public_key, peer.fingerprint = public_key, fingerprint
            audit.record(
                session,
                actor,
                audit.Change(
                    "sync.peer.rekey",
                    "sync_peer",
                    peer.id,
                    f"更换 {peer.name}（{peer.area_code}）的公钥：指纹 {old} → {fingerprint}；原因：{reason}",
                    before={"fingerprint": old},
                    after={"fingerprint": fingerprint, "public_key": public_key, "reason": reason},
                ),
            )
        return next(p for p in self.list_peers(actor) if p.area_code == area_code.strip())

    @operation(Permission.SETTINGS_MANAGE)
    def set_peer_active(self, actor: Actor, area_code: str, active: bool) -> None:
        with self.store.write() as session:
            peer = session.execute(
                select(SyncPeer).where(SyncPeer.area_code == area_code)
            ).scalar_one_or_none()
            if peer is None:
                raise NotFound(f"没有登记区划代码为 {area_code} 的交换对象")
            peer.active = active
            audit.record(
                session,
                actor,
                audit.Change(
                    "sync.peer.active",
                    "sync_peer",
                    peer.id,
                    f"{'启用' if active else '停用'}数据包交换对象 {peer.name}",
                    after={"active": active},
                ),
            )

    # --- bundles -----------------------------------------------------------------------------------

    @operation(Permission.SYNC_EXCHANGE)
    def export(
        self,
        actor: Actor,
        out_dir: Path,
        *,
        full: bool = False,
        area_code: str | None = None,
        progress: Progress | None = None,
    ) -> list[ExportResult]:
        """A township writes its bundle for the county; the county one bundle per township."""
        return exporter.export_bundles(
            self.store, actor, out_dir, now=self.clock(), full=full, area_code=area_code, progress=progress
        )

    @operation(Permission.SYNC_EXCHANGE)
    def resend(self, actor: Actor, sequence: int, out_dir: Path, area_code: str | None = None) -> Path:
        return exporter.resend(self.store, sequence, out_dir, area_code)

    @operation(Permission.SYNC_EXCHANGE)
    def verify(self, actor: Actor, path: Path, progress: Progress | None = None) -> ImportResult:
        """Every check an import makes; raises BundleRefused (with the reason) for a bad bundle."""
        return importer.verify(self.store, path, progress)

    @operation(Permission.SYNC_EXCHANGE)
    def import_bundle(
        self, actor: Actor, path: Path, *, dry_run: bool = False, progress: Progress | None = None
    ) -> ImportResult:
        return importer.import_bundle(
            self.store, actor, path, now=self.clock(), dry_run=dry_run, progress=progress
        )

    # --- what happened -----------------------------------------------------------------------------

    @operation(Permission.SYNC_EXCHANGE)
    def status(self, actor: Actor, limit: int = 50) -> SyncStatus:
        with self.store.read() as session:
            own = session.execute(select(Organ).where(Organ.is_self)).scalar_one_or_none()
            key = session.get(SyncKey, own.id) if own else None
            key_view = (
                KeyView(own.id, own.name, own.area_code, own.kind, key.public_key, key.fingerprint)
                if own and key
                else None
            )

            def bundles(direction: str, *statuses: str) -> list[BundleView]:
                query = select(SyncBundle).where(SyncBundle.direction == direction)
                if statuses:
                    query = query.where(SyncBundle.status.in_(statuses))
                rows = session.execute(
                    query.order_by(SyncBundle.recorded_at.desc(), SyncBundle.sequence.desc()).limit(limit)
                ).scalars()
                return [_bundle_view(b) for b in rows]

            quarantined = int(session.execute(select(func.count()).select_from(SyncQuarantine)).scalar_one())
            sequences = dict(
                session.execute(
                    select(SyncBundle.id, SyncBundle.sequence).where(SyncBundle.direction == "sent")
                ).all()
            )
            rejections = [
                RejectionView(
                    r.bundle_id,
                    sequences.get(r.bundle_id),
                    r.record_type,
                    TYPES[r.record_type].label if r.record_type in TYPES else r.record_type,
                    r.record_id,
                    r.reason,
                    r.at,
                )
                for r in session.execute(
                    select(SyncRejection).order_by(SyncRejection.at.desc()).limit(200)
                ).scalars()
            ]
            status = SyncStatus(
                key=key_view,
                peers=[],
                sent=bundles("sent"),
                received=bundles("received", "applied"),
                held=bundles("received", "held"),
                quarantined=quarantined,
                rejections=rejections,
                refused_files=importer.read_refusals(self.store.data_dir),
            )
        return SyncStatus(**{**status.__dict__, "peers": self.list_peers(actor)})

    @operation(Permission.SYNC_EXCHANGE)
    def quarantine(
        self, actor: Actor, bundle_id: str | None = None, limit: int = 1000
    ) -> list[QuarantineView]:
        with self.store.read() as session:
            query = select(SyncQuarantine).order_by(SyncQuarantine.at.desc(), SyncQuarantine.record_type)
            if bundle_id:
                query = query.where(SyncQuarantine.bundle_id == bundle_id)
            return [
                QuarantineView(
                    q.id,
                    q.bundle_id,
                    q.sender_area_code,
                    q.record_type,
                    TYPES[q.record_type].label if q.record_type in TYPES else q.record_type,
                    q.record_id,
                    q.version,
                    q.reason,
                    q.at,
                    dict(q.data),
                )
                for q in session.execute(query.limit(limit)).scalars()
            ]

    @operation(Permission.SYNC_EXCHANGE)
    def export_quarantine(self, actor: Actor, dest: Path) -> int:
        """Write every quarantined record, whole and with its reason, as JSON lines."""
        count = 0
        tmp = dest.with_name(dest.name + ".partial")
        with self.store.read() as session, tmp.open("wb") as out:
            rows = session.execute(
                select(SyncQuarantine)
                .order_by(SyncQuarantine.at, SyncQuarantine.id)
                .execution_options(yield_per=500)
            ).scalars()
            for q in rows:
                out.write(
                    canonical_json(
                        {
                            "bundle_id": q.bundle_id,
                            "sender_area_code": q.sender_area_code,
                            "record_type": q.record_type,
                            "record_id": q.record_id,
                            "version": q.version,
                            "reason": q.reason,
                            "at": q.at.isoformat(),
                            "data": q.data,
                        }
                    )
                    + b"\n"
                )
                count += 1
        tmp.replace(dest)
        with self.store.write() as session:
            audit.record(
                session,
                actor,
                audit.Change(
                    "sync.quarantine.export",
                    "sync_quarantine",
                    "",
                    f"导出隔离区记录 {count} 条到 {dest.name}",
                ),
            )
        return count
