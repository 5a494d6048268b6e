"""Writing bundles: town data to the county, reference data and receipts from the county.

The archive is written from one read snapshot into `<data dir>/bundles/sent/` under a temporary
name; a short write transaction then takes the next sequence number, writes and signs the manifest,
renames the file and records the bundle. The kept copy lets a lost USB stick be replaced
(`bundle resend`); a town's copies go when the county's receipt arrives. Finally the file is linked
(same disk) or copied into the folder the person chose. Cancelling or any error leaves nothing.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from brigade_desk import __version__
from brigade_desk.core import audit
from brigade_desk.core.errors import RuleViolation, StoreError
from brigade_desk.core.files import fsync_dir, fsync_file, path_for
from brigade_desk.core.gc_pause import cyclic_gc_paused
from brigade_desk.core.ids import new_id
from brigade_desk.core.model import AuditHead, Organ, SyncBundle, SyncKey, SyncPeer, SyncSentFile
from brigade_desk.core.rules.permissions import Actor
from brigade_desk.core.store import Store
from brigade_desk.core.sync import keys
from brigade_desk.core.sync.collect import Selection, county_selection, town_selection
from brigade_desk.core.sync.filework import FileWork, FileWorkError
from brigade_desk.core.sync.format import FORMAT_NAME, FORMAT_VERSION, SUFFIX
from brigade_desk.core.sync.importer import SENT_DIR, bundles_dir
from brigade_desk.core.sync.records import line_encoder, stored_line_encoder
from brigade_desk.core.sync.writer import BundleWriter

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ExportResult:
    path: Path
    kept_copy: Path
    bundle_id: str
    kind: str
    receiver_name: str
    receiver_area_code: str
    sequence: int
    full: bool
    counts: dict[str, int]
    files: int
    bytes: int
    receipts: int
    # Where the time went: records (read and encode), files (copy and hash), seal (sign, record).
    seconds: dict[str, float]


def _own(session: Session) -> Organ:
    own = session.execute(select(Organ).where(Organ.is_self)).scalar_one_or_none()
    if own is None:
        raise RuleViolation("本机尚未初始化，不能导出数据包")
    if own.kind not in ("township", "county"):
        raise RuleViolation("只有乡镇或县级存储可以交换数据包")
    return own


def _peers(session: Session, own: Organ, area_code: str | None) -> list[SyncPeer]:
    want = "county" if own.kind == "township" else "township"
    query = (
        select(SyncPeer).where(SyncPeer.kind == want, SyncPeer.active.is_(True)).order_by(SyncPeer.area_code)
    )
    if area_code:
        query = query.where(SyncPeer.area_code == area_code)
    peers = list(session.execute(query).scalars())
    if not peers:
        if area_code:
            raise RuleViolation(
                f"没有登记区划代码为 {area_code} 的{'乡镇' if want == 'township' else '县级'}接收方"
            )
        raise RuleViolation(
            "尚未登记县级接收方：请先登记县级机关的公钥（brigade-desk peers add --county …）"
            if want == "county"
            else "尚未登记任何乡镇：请先登记乡镇的公钥（brigade-desk peers add …）"
        )
    return peers


def ensure_own_key(store: Store, now: datetime) -> tuple[str, str]:
    """The organ's public key and fingerprint, made on first use."""
    with store.write() as session:
        own = _own(session)
        key = keys.ensure_key(session, store.data_dir, own.id, now)
        return key.public_key, key.fingerprint


def export_bundles(
    store: Store,
    actor: Actor,
    out_dir: Path,
    *,
    now: datetime,
    full: bool = False,
    area_code: str | None = None,
    progress: Progress | None = None,
) -> list[ExportResult]:
    if not out_dir.is_dir():
        raise StoreError(f"导出目录不存在：{out_dir}")
    ensure_own_key(store, now)
    with store.read() as session:
        own = _own(session)
        peers = [(p.id, p.area_code) for p in _peers(session, own, area_code)]
    return [
        _export_one(store, actor, out_dir, peer_id, now=now, full=full, progress=progress)
        for peer_id, _area in peers
    ]


def _repeatable(session: Session, store: Store) -> None:
    """One snapshot for the whole read (SQLite's read transaction already is one)."""
    if not store.is_sqlite:
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def _export_one(
    store: Store,
    actor: Actor,
    out_dir: Path,
    peer_id: str,
    *,
    now: datetime,
    full: bool,
    progress: Progress | None,
) -> ExportResult:
    sent_dir = bundles_dir(store.data_dir) / SENT_DIR
    sent_dir.mkdir(parents=True, exist_ok=True)
    partial = sent_dir / f".partial-{new_id()}"
    writer = BundleWriter(partial)
    files_zip = partial.with_name(partial.name + ".files")
    try:
        with store.read() as session:
            _repeatable(session, store)
            own = _own(session)
            peer = session.get(SyncPeer, peer_id)
            assert peer is not None
            head = int(session.execute(select(AuditHead.last_seq).where(AuditHead.id == 1)).scalar_one())
            owed: list[str] = []
            if own.kind == "township":
                watermark = int(
                    session.execute(
                        select(func.max(SyncBundle.audit_seq_to)).where(
                            SyncBundle.direction == "sent",
                            SyncBundle.status == "acknowledged",
                            SyncBundle.receiver_area_code == peer.area_code,
                        )
                    ).scalar_one()
                    or 0
                )
                sel = town_selection(
                    session, receiver_area=peer.area_code, watermark=watermark, head=head, full=full
                )
                kind = "town_data"
            else:
                sel, owed = county_selection(session, peer)
                kind = "county_data"
                full = True
            info = {
                "own_id": own.id,
                "own_name": own.name,
                "own_area": own.area_code,
                "own_kind": own.kind,
                "peer_name": peer.name,
                "peer_area": peer.area_code,
                "peer_organ": peer.organ_id,
            }
            seconds: dict[str, float] = {}
            with cyclic_gc_paused():
                _write_streams(store, writer, files_zip, sel, progress, seconds)
        started = time.perf_counter()
        result = _seal(store, actor, writer, partial, sent_dir, out_dir, sel, info, kind, full, owed, now)
        result.seconds.update(seconds, seal=time.perf_counter() - started)
        return result
    except BaseException:
        writer.abort()
        files_zip.unlink(missing_ok=True)
        raise


def _write_streams(
    store: Store,
    writer: BundleWriter,
    files_zip: Path,
    sel: Selection,
    progress: Progress | None,
    seconds: dict[str, float],
) -> None:
    """Records here, attachment files at the same time in a child process (core.sync.filework)
    into `files_zip`; then the records move into that archive."""
    paths = {sha: path_for(store.files_dir, sha) for sha in sel.files}
    sizes = {}
    for sha, path in paths.items():
        try:
            sizes[sha] = path.stat().st_size
        except FileNotFoundError:
            raise _file_problem({"failed": "missing", "path": str(path)}) from None
    total = sum(sizes.values()) + len(sel.streams)
    done = [0]

    def step(n: int) -> None:
        done[0] += n
        if progress:
            progress(done[0], total)

    if progress:
        progress(0, total)
    started = time.perf_counter()
    work = None
    if sel.files:
        job = [[sha, str(path)] for sha, path in paths.items()]
        work = FileWork({"kind": "pack", "zip": str(files_zip), "files": job})
    try:
        for rtype, rows in sel.streams:
            encode = stored_line_encoder(rtype) if sel.stored else line_encoder(rtype)
            writer.write_records(rtype, map(encode, rows))
            step(1 + (work.poll() if work else 0))
        seconds["records"] = time.perf_counter() - started
        if work is not None:
            try:
                answer = work.wait(step)
            except FileWorkError as exc:
                raise _file_problem(exc.report) from None
            seconds["files_child"] = answer["seconds"]
            writer.take_files(files_zip, answer["done"])
    finally:
        if work is not None:
            work.close()
    seconds["files"] = time.perf_counter() - started - seconds["records"]


def _file_problem(report: dict[str, Any]) -> StoreError:
    failed, path = report.get("failed"), report.get("path", "")
    if failed == "missing":
        return StoreError(f"附件文件缺失：{path}；请先从备份恢复该文件再导出")
    if failed == "damaged":
        return StoreError(f"附件文件已损坏（内容与其哈希不符）：{path}；请先从备份恢复该文件")
    return StoreError(f"打包附件文件时出错：{report.get('detail', failed)}")


def _seal(
    store: Store,
    actor: Actor,
    writer: BundleWriter,
    partial: Path,
    sent_dir: Path,
    out_dir: Path,
    sel: Selection,
    info: dict[str, Any],
    kind: str,
    full: bool,
    owed: list[str],
    now: datetime,
) -> ExportResult:
    final: Path | None = None
    revision = store.current_revision() or ""  # before the write lock: it opens its own connection
    try:
        with store.write() as session:
            last = session.execute(
                select(SyncBundle)
                .where(
                    SyncBundle.direction == "sent",
                    SyncBundle.sender_area_code == info["own_area"],
                    SyncBundle.receiver_area_code == info["peer_area"],
                )
                .order_by(SyncBundle.sequence.desc())
                .limit(1)
            ).scalar_one_or_none()
            sequence = (last.sequence + 1) if last else 1
            bundle_id = new_id()
            key = session.get(SyncKey, info["own_id"])
            assert key is not None
            manifest = {
                "format": FORMAT_NAME,
                "format_version": FORMAT_VERSION,
                "bundle_id": bundle_id,
                "kind": kind,
                "sender": {
                    "organ_id": info["own_id"],
                    "name": info["own_name"],
                    "area_code": info["own_area"],
                    "kind": info["own_kind"],
                    "key_fingerprint": key.fingerprint,
                },
                "receiver": {
                    "organ_id": info["peer_organ"],
                    "name": info["peer_name"],
                    "area_code": info["peer_area"],
                },
                "sequence": sequence,
                "previous_bundle_id": last.id if last else None,
                "created_at": now.isoformat(),
                "created_by": {"login": actor.login, "name": actor.display_name},
                "full": full,
                "program_version": __version__,
                "schema_revision": revision,
                "audit_seq": {"from": sel.audit_from, "to": sel.audit_to}
                if sel.audit_to is not None
                else None,
            }
            writer.finish(manifest, lambda body: keys.sign(key, store.data_dir, body), key.fingerprint)
            name = f"bd-{info['own_area']}-to-{info['peer_area']}-{sequence:05d}{SUFFIX}"
            final = sent_dir / name
            # The kept copy is durable before the bundle is recorded as sent: a power cut must not
            # leave a sent bundle whose only copy is lost, which the county would wait for forever.
            # (The file child flushed the attachment members as it wrote them.)
            fsync_file(partial)
            os.replace(partial, final)
            fsync_dir(sent_dir)
            size = final.stat().st_size
            session.add(
                SyncBundle(
                    id=bundle_id,
                    direction="sent",
                    kind=kind,
                    sender_area_code=info["own_area"],
                    sender_organ_id=info["own_id"],
                    sender_name=info["own_name"],
                    receiver_area_code=info["peer_area"],
                    receiver_organ_id=info["peer_organ"],
                    receiver_name=info["peer_name"],
                    sequence=sequence,
                    previous_id=last.id if last else None,
                    created_at=now,
                    created_by=actor.display_name,
                    full=full,
                    counts=writer.counts,
                    status="sent",
                    file_name=name,
                    size=size,
                    audit_seq_from=sel.audit_from,
                    audit_seq_to=sel.audit_to,
                    recorded_at=now,
                )
            )
            session.flush()
            if sel.files:
                session.execute(
                    SyncSentFile.__table__.insert(),  # type: ignore[attr-defined]
                    [{"sha256": sha, "bundle_id": bundle_id} for sha in sel.files],
                )
            for start in range(0, len(owed), 500):
                session.execute(
                    update(SyncBundle)
                    .where(SyncBundle.id.in_(owed[start : start + 500]))
                    .values(receipt_bundle_id=bundle_id)
                )
            what = "案件数据" if kind == "town_data" else "基础数据与回执"
            audit.record(
                session,
                actor,
                audit.Change(
                    "sync.export",
                    "sync_bundle",
                    bundle_id,
                    f"导出第 {sequence} 号数据包（{what}）给{info['peer_name']}："
                    f"{sum(writer.counts.values())} 条记录、{len(sel.files)} 个附件",
                    after={"counts": writer.counts, "files": len(sel.files), "full": full},
                ),
            )
    except BaseException:
        if final is not None:
            final.unlink(missing_ok=True)
        raise
    dest = out_dir / name
    _deliver(final, dest)
    return ExportResult(
        path=dest,
        kept_copy=final,
        bundle_id=bundle_id,
        kind=kind,
        receiver_name=info["peer_name"],
        receiver_area_code=info["peer_area"],
        sequence=sequence,
        full=full,
        counts=dict(writer.counts),
        files=len(sel.files),
        bytes=final.stat().st_size,
        receipts=len(owed),
        seconds={},
    )


def _deliver(source: Path, dest: Path) -> None:
    """Put the bundle where the person asked: a hard link on the same disk, else a copy. Durable
    when this returns, so that a USB stick pulled out right after holds the whole bundle."""
    if dest.resolve() == source.resolve():
        return
    tmp = dest.with_name(dest.name + ".partial")
    tmp.unlink(missing_ok=True)
    try:
        os.link(source, tmp)
    except OSError:
        shutil.copyfile(source, tmp)
        fsync_file(tmp)
    os.replace(tmp, dest)
    fsync_dir(dest.parent)


def resend(store: Store, sequence: int, out_dir: Path, area_code: str | None = None) -> Path:
    """Copy a kept sent bundle again (a lost or damaged USB stick)."""
    with store.read() as session:
        query = select(SyncBundle).where(SyncBundle.direction == "sent", SyncBundle.sequence == sequence)
        if area_code:
            query = query.where(SyncBundle.receiver_area_code == area_code)
        rows = list(session.execute(query).scalars())
    if not rows:
        raise RuleViolation(f"没有发出过第 {sequence} 号数据包")
    if len(rows) > 1:
        raise RuleViolation("有多个接收方的同号数据包，请用 --area-code 指明接收方")
    row = rows[0]
    kept = bundles_dir(store.data_dir) / SENT_DIR / row.file_name
    if not kept.exists():
        raise RuleViolation(
            f"第 {sequence} 号数据包的留存副本已不在（对方已确认收到后会删除）；如对方确实缺少，请导出完整数据包（--full）"
        )
    if not out_dir.is_dir():
        raise StoreError(f"导出目录不存在：{out_dir}")
    dest = out_dir / row.file_name
    _deliver(kept, dest)
    return dest
