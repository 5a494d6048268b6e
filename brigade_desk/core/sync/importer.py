"""Verifying and importing a bundle: checks first, then one transaction, then held bundles released.

The archive, its entries, the manifest, the signature, the sender, receiver and sequence are
checked before the transaction starts (core.sync.reader, then here). Record lines are checked as
they are applied inside the one transaction, each records member's hash at its end, and the
attachment files by a child process meanwhile (core.sync.filework); in a large bundle the child
checks the record lines too, while this process applies them unchecked. The transaction commits
only when every one of these passed, so nothing is kept of a bundle that fails. A bundle whose sequence
number is ahead of what arrived is held: a copy waits in `<data dir>/bundles/held/` until the
missing ones arrive, then it is applied in turn. An old bundle replayed changes nothing. A refused
bundle leaves the store exactly as it was (a line is added to `<data dir>/bundles/refused.log`,
outside the store).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from brigade_desk.core import audit, search
from brigade_desk.core.errors import StoreError
from brigade_desk.core.files import fsync_dir, path_for
from brigade_desk.core.gc_pause import cyclic_gc_paused
from brigade_desk.core.model import Organ, SyncBundle, SyncPeer
from brigade_desk.core.rules.permissions import Actor
from brigade_desk.core.store import Store
from brigade_desk.core.sync.apply import Applier, Context, Counts, Refusal
from brigade_desk.core.sync.filework import FileWork, FileWorkError
from brigade_desk.core.sync.format import (
    BundleRefused,
    Manifest,
    file_member,
    member_altered,
    refuse,
    size_mismatch,
)
from brigade_desk.core.sync.reader import BundleReader
from brigade_desk.core.sync.records import KIND_TYPES, TYPES
from brigade_desk.core.sync.writer import Cancelled

BUNDLES_DIR = "bundles"
HELD_DIR = "held"
SENT_DIR = "sent"
REFUSED_LOG = "refused.log"
Progress = Callable[[int, int], None]

KIND_LABELS = {"town_data": "乡镇上报数据包", "county_data": "县级下发数据包（基础数据与回执）"}


def bundles_dir(data_dir: Path) -> Path:
    return data_dir / BUNDLES_DIR


class _DryRun(Exception):
    pass


@dataclass
class ImportResult:
    file: Path
    bundle_id: str
    kind: str
    sender_name: str
    sender_area_code: str
    sequence: int
    # applied | held | duplicate | still_held | dry_run | verified
    status: str
    message: str
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    refusals: list[Refusal] = field(default_factory=list)
    files_added: int = 0
    released: list[ImportResult] = field(default_factory=list)
    # Where the time went: records (parse, check, apply), files_wait (then waiting for the file
    # child, which verified and staged the attachments meanwhile), total (with the commit).
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def labels(self) -> dict[str, str]:
        return {name: TYPES[name].label for name in self.counts}


@dataclass(frozen=True)
class _Plan:
    manifest: Manifest
    own_id: str
    own_kind: str
    own_area: str
    peer_id: str
    peer_name: str
    action: str  # apply | hold | duplicate | still_held
    message: str


def _own(session: Session) -> Organ:
    own = session.execute(select(Organ).where(Organ.is_self)).scalar_one_or_none()
    if own is None:
        raise refuse("not_initialized", "本机尚未初始化，不能导入数据包")
    return own


def _sequence_plan(session: Session, m: Manifest, releasing: bool = False) -> tuple[str, str]:
    same = session.get(SyncBundle, m.bundle_id)
    if same is not None and same.direction == "received" and not (releasing and same.status == "held"):
        if same.status == "held":
            return "still_held", f"该数据包已暂存，仍在等待：{same.status_reason}"
        return (
            "duplicate",
            f"第 {m.sequence} 号数据包已导入过（{same.applied_at or same.recorded_at:%Y-%m-%d}），本次未做任何改动",
        )
    if same is not None and same.direction == "sent":
        raise refuse("own_bundle", "这是本机自己导出的数据包，不能导入本机")
    rows = session.execute(
        select(SyncBundle.sequence, SyncBundle.id, SyncBundle.status).where(
            SyncBundle.direction == "received", SyncBundle.sender_area_code == m.sender.area_code
        )
    ).all()
    applied = {seq: bid for seq, bid, status in rows if status == "applied"}
    held = {seq: bid for seq, bid, status in rows if status == "held" and bid != m.bundle_id}
    if m.sequence in applied or m.sequence in held:
        raise refuse(
            "sequence_reused",
            f"已收到过另一个第 {m.sequence} 号数据包（标识不同）；同一序号不能有两个数据包。"
            "请与对方核对：对方是否重新初始化过或从旧备份恢复过",
        )
    last = max(applied, default=0)
    if m.sequence < last:
        raise refuse("sequence_reused", f"第 {m.sequence} 号之后的数据包已经导入过，这个数据包不能再导入")
    if m.sequence > last + 1:
        missing = [n for n in range(last + 1, m.sequence) if n not in held]
        numbers = "、".join(f"第{n}号" for n in missing[:5]) + ("等" if len(missing) > 5 else "")
        return "hold", f"缺少{numbers}数据包；本数据包已暂存，收到缺少的数据包后自动导入"
    if m.sequence > 1 and applied.get(m.sequence - 1) != m.previous_bundle_id:
        raise refuse(
            "previous_mismatch",
            f"第 {m.sequence} 号数据包所接续的前一个数据包与本机收到的第 {m.sequence - 1} 号不是同一个，已拒绝",
        )
    return "apply", ""


def plan(store: Store, reader: BundleReader, releasing: bool = False) -> _Plan:
    """Checks that need the store: sender, kind, signature, receiver, sequence. Writes nothing."""
    m = reader.manifest()
    with store.read() as session:
        own = _own(session)
        if m.sender.area_code == own.area_code or m.sender.organ_id == own.id:
            raise refuse("own_bundle", "这是本机自己导出的数据包，不能导入本机")
        peer = session.execute(
            select(SyncPeer).where(SyncPeer.area_code == m.sender.area_code)
        ).scalar_one_or_none()
        if peer is None:
            raise refuse(
                "unknown_sender",
                f"未登记的发送方：{m.sender.name}（区划代码 {m.sender.area_code}，密钥指纹 {m.key_fingerprint}）。"
                "请先核对指纹并登记对方的公钥（brigade-desk peers add），再导入",
            )
        if not peer.active:
            raise refuse("peer_inactive", f"发送方 {peer.name} 已停用，不接收其数据包")
        expected_kind = "town_data" if own.kind == "county" else "county_data"
        expected_sender = "township" if own.kind == "county" else "county"
        if m.kind != expected_kind or m.sender_kind != expected_sender or peer.kind != expected_sender:
            raise refuse(
                "wrong_kind",
                f"本机是{'县级' if own.kind == 'county' else '乡镇'}，只接收{KIND_LABELS[expected_kind]}；"
                f"这是{KIND_LABELS.get(m.kind, m.kind)}，已拒绝",
            )
        if peer.organ_id is not None and peer.organ_id != m.sender.organ_id:
            raise refuse(
                "sender_mismatch",
                f"发送方机关标识与登记的 {peer.name} 不符（对方可能重新初始化过），已拒绝",
            )
        reader.check_signature(peer.public_key, f"{peer.name}（{peer.area_code}）")
        if m.receiver.area_code != own.area_code or (
            m.receiver.organ_id is not None and m.receiver.organ_id != own.id
        ):
            raise refuse(
                "wrong_receiver",
                f"这个数据包是发给{m.receiver.name}（{m.receiver.area_code}）的，不是本机"
                f"（{own.name}，{own.area_code}），已拒绝",
            )
        action, message = _sequence_plan(session, m, releasing)
        return _Plan(m, own.id, own.kind, own.area_code, peer.id, peer.name, action, message)


def log_refusal(data_dir: Path, path: Path, exc: BundleRefused, now: datetime) -> None:
    """Refusals are kept outside the store (the store is left exactly as it was)."""
    with contextlib.suppress(OSError):
        folder = bundles_dir(data_dir)
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / REFUSED_LOG).open("a", encoding="utf-8") as out:
            out.write(
                json.dumps(
                    {"at": now.isoformat(), "file": str(path), "code": exc.code, "reason": exc.message},
                    ensure_ascii=False,
                )
                + "\n"
            )


def read_refusals(data_dir: Path, limit: int = 50) -> list[dict[str, Any]]:
    path = bundles_dir(data_dir) / REFUSED_LOG
    if not path.exists():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines()[-limit:]:
        with contextlib.suppress(ValueError):
            rows.append(json.loads(line))
    return rows


class _Staging:
    """Temporary names in the store for the attachment files this import adds; the file child
    (core.sync.filework) copies, hashes and fsyncs them, the commit renames them into place."""

    def __init__(self, files_dir: Path) -> None:
        self.files_dir = files_dir
        self.paths: dict[str, Path] = {}
        self.placed: list[Path] = []

    def reserve(self, sha256: str) -> str | None:
        if sha256 in self.paths or path_for(self.files_dir, sha256).exists():
            return None
        self.files_dir.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=self.files_dir, prefix=".incoming-sync-")
        os.close(fd)
        self.paths[sha256] = Path(name)
        return name

    def place(self) -> None:
        """Rename the staged files to their addresses, and make the new names durable: this runs
        just before the commit, which must not outlive the names of the files its rows refer to."""
        for sha256, tmp in self.paths.items():
            target = path_for(self.files_dir, sha256)
            if target.exists():
                tmp.unlink(missing_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, target)
            self.placed.append(target)
        self.paths = {}
        if self.placed:
            # A new two-letter folder is a name in the store's folder too.
            for folder in [*sorted({p.parent for p in self.placed}), self.files_dir]:
                fsync_dir(folder)

    def unplace(self) -> None:
        """The transaction failed: files this import placed are referenced by nobody; remove them."""
        for path in self.placed:
            path.unlink(missing_ok=True)
        self.placed = []

    def cleanup(self) -> None:
        for tmp in self.paths.values():
            tmp.unlink(missing_ok=True)
        self.paths = {}


# From this many bytes of record lines on (about 9,000 records), their checks go to the child, which
# runs them on the other core while this process applies the lines; below it, starting a child
# (a tenth of a second) would cost more than the checks it saves.
CHILD_CHECKS_FROM = 4 * 1024 * 1024


def _start_child(reader: BundleReader, path: Path, staging: _Staging | None) -> tuple[FileWork | None, bool]:
    """A child process verifies every attachment member (and stages what the store lacks) and, for
    a large bundle, checks every record line, while this process applies the records. Returns the
    child and whether this process must check the lines itself."""
    files = [
        [file_member(sha), sha, size, staging.reserve(sha) if staging else None]
        for sha, size in reader.files()
    ]
    m = reader.manifest()
    # In the order this process applies them: the child meets the first bad line where it would.
    streams = [
        spec
        for rtype in KIND_TYPES[m.kind]
        if rtype.name in m.counts and (spec := reader.stream_spec(rtype)) is not None
    ]
    check_here = sum(spec["size"] for spec in streams) < CHILD_CHECKS_FROM
    if not files and check_here:
        return None, True
    job = {"kind": "verify", "bundle": str(path), "files": files, "records": [] if check_here else streams}
    return FileWork(job), check_here


def _files_verified(work: FileWork | None, step: Callable[[int], None] | None) -> None:
    """Wait for the child; its refusal refuses the bundle (the transaction is rolled back)."""
    if work is None:
        return
    try:
        work.wait(step)
    except FileWorkError as exc:
        report = exc.report
        failed, member = report.get("failed"), report.get("member", "")
        if failed == "records":
            raise refuse(report["code"], report["detail"]) from None
        if failed == "records_error":
            raise StoreError(f"校验数据包记录时出错：{report.get('detail', failed)}") from None
        if failed == "size_mismatch":
            raise size_mismatch(member) from None
        if failed == "member_altered":
            raise member_altered(member) from None
        raise StoreError(f"暂存附件文件时出错：{report.get('detail', failed)}") from None


def verify(store: Store, path: Path, progress: Progress | None = None) -> ImportResult:
    """Every check of an import, writing nothing; raises BundleRefused when the bundle is bad."""
    with BundleReader(path) as reader:
        p = plan(store, reader)
        reader.check_member_set()
        reader.check_members(_bytes_progress(reader, progress))
        m = p.manifest
        status = {"apply": "verified", "hold": "held", "duplicate": "duplicate", "still_held": "still_held"}[
            p.action
        ]
        message = p.message or f"校验通过：{p.peer_name}第 {m.sequence} 号数据包，可以导入"
        return _result(path, m, status, message)


def _result(path: Path, m: Manifest, status: str, message: str) -> ImportResult:
    return ImportResult(
        file=path,
        bundle_id=m.bundle_id,
        kind=m.kind,
        sender_name=m.sender.name,
        sender_area_code=m.sender.area_code,
        sequence=m.sequence,
        status=status,
        message=message,
        counts={name: {"listed": n} for name, n in m.counts.items()},
    )


def _bytes_progress(reader: BundleReader, progress: Progress | None) -> Callable[[int], None] | None:
    if progress is None:
        return None
    total = sum(size for _sha, size in reader.manifest().members.values())
    done = [0]
    progress(0, total)

    def step(n: int) -> None:
        done[0] += n
        progress(done[0], total)

    return step


def import_bundle(
    store: Store,
    actor: Actor | None,
    path: Path,
    *,
    now: datetime,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    try:
        result = _import_one(store, actor, path, now=now, dry_run=dry_run, progress=progress)
    except BundleRefused as exc:
        log_refusal(store.data_dir, path, exc, now)
        raise
    if result.status == "applied":
        result.released = _release_held(store, actor, result.sender_area_code, now)
    return result


def _import_one(
    store: Store,
    actor: Actor | None,
    path: Path,
    *,
    now: datetime,
    dry_run: bool,
    progress: Progress | None,
    releasing: bool = False,
) -> ImportResult:
    with BundleReader(path) as reader:
        p = plan(store, reader, releasing)
        m = p.manifest
        if p.action in ("duplicate", "still_held"):
            return _result(path, m, p.action, p.message)
        reader.check_member_set()
        if p.action == "hold":
            reader.check_members(_bytes_progress(reader, progress))
            if dry_run:
                return _result(path, m, "held", p.message)
            return _hold(store, actor, path, m, p, now)
        staging = _Staging(store.files_dir)
        step = _bytes_progress(reader, progress)
        work: FileWork | None = None
        try:
            started = time.perf_counter()
            work, check_here = _start_child(reader, path, None if dry_run else staging)
            with cyclic_gc_paused():
                result = _apply(
                    store,
                    actor,
                    reader,
                    p,
                    staging,
                    work,
                    step,
                    now=now,
                    dry_run=dry_run,
                    path=path,
                    releasing=releasing,
                    check_here=check_here,
                )
            result.seconds["total"] = time.perf_counter() - started
            return result
        finally:
            if work is not None:
                work.close()  # before the cleanup: the child may still be writing a staged file
            staging.cleanup()


def _hold(
    store: Store, actor: Actor | None, path: Path, m: Manifest, p: _Plan, now: datetime
) -> ImportResult:
    folder = bundles_dir(store.data_dir) / HELD_DIR
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{m.sender.area_code}-{m.sequence:05d}-{m.bundle_id}.bdbundle"
    if path.resolve() != target.resolve():
        shutil.copyfile(path, target)
    try:
        with store.write() as session:
            action, message = _sequence_plan(session, m)
            if action != "hold":
                raise refuse("concurrent_import", "另一次导入刚刚改变了数据包序列，请重新导入")
            session.add(
                _bundle_row(m, status="held", reason=message, path=path, now=now, held_path=str(target))
            )
            audit.record(
                session,
                actor,
                audit.Change(
                    "sync.hold",
                    "sync_bundle",
                    m.bundle_id,
                    f"暂存{m.sender.name}第 {m.sequence} 号数据包：{message}",
                ),
            )
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    result = _result(path, m, "held", message)
    return result


def _bundle_row(
    m: Manifest, *, status: str, reason: str, path: Path, now: datetime, held_path: str = ""
) -> SyncBundle:
    size = path.stat().st_size if path.exists() else 0
    return SyncBundle(
        id=m.bundle_id,
        direction="received",
        kind=m.kind,
        sender_area_code=m.sender.area_code,
        sender_organ_id=m.sender.organ_id or "",
        sender_name=m.sender.name,
        receiver_area_code=m.receiver.area_code,
        receiver_organ_id=m.receiver.organ_id,
        receiver_name=m.receiver.name,
        sequence=m.sequence,
        previous_id=m.previous_bundle_id,
        created_at=m.created_at,
        created_by=m.created_by_name,
        full=m.full,
        counts=m.counts,
        status=status,
        status_reason=reason,
        file_name=path.name,
        file_sha256="",
        size=size,
        audit_seq_from=m.audit_from,
        audit_seq_to=m.audit_to,
        recorded_at=now,
        applied_at=now if status == "applied" else None,
        held_path=held_path,
    )


def _apply(
    store: Store,
    actor: Actor | None,
    reader: BundleReader,
    p: _Plan,
    staging: _Staging,
    work: FileWork | None,
    step: Callable[[int], None] | None,
    *,
    now: datetime,
    dry_run: bool,
    path: Path,
    releasing: bool = False,
    check_here: bool = True,
) -> ImportResult:
    m = p.manifest
    applier: Applier | None = None
    seconds: dict[str, float] = {}
    started = time.perf_counter()

    def tick(n: int) -> None:
        if step is not None:
            step(n + (work.poll() if work is not None else 0))

    try:
        with store.write() as session:
            action, _message = _sequence_plan(session, m, releasing)
            if action != "apply":
                raise refuse("concurrent_import", "另一次导入刚刚改变了数据包序列，请重新导入")
            peer = session.get(SyncPeer, p.peer_id)
            assert peer is not None
            if peer.organ_id is None:
                clash = session.execute(
                    select(SyncPeer.id).where(SyncPeer.organ_id == m.sender.organ_id)
                ).first()
                if clash is not None:
                    raise refuse("sender_mismatch", "该机关标识已登记在另一个发送方名下，已拒绝")
                peer.organ_id = m.sender.organ_id
            ctx = Context(
                bundle_id=m.bundle_id,
                sender_organ_id=m.sender.organ_id or "",
                sender_area_code=m.sender.area_code,
                sender_name=m.sender.name,
                own_organ_id=p.own_id,
                own_kind=p.own_kind,
                now=now,
                files_dir=store.files_dir,
                available_files={sha for sha, _size in reader.files()},
            )
            applier = Applier(session, ctx)
            try:
                for rtype in KIND_TYPES[m.kind]:
                    if rtype.name in m.counts:
                        applier.apply(rtype, reader.records(rtype, tick, checked=check_here))
                        if rtype.name == "workday_override":
                            applier.finish_workdays()
                        elif rtype.name == "form_file":
                            applier.finish_form_files()
            except Cancelled:
                raise
            except Exception:
                if not check_here:
                    # Unchecked lines may fail in any way; the child's refusal says what is wrong.
                    _files_verified(work, step)
                raise
            applier.flush_quarantine()
            _index(session, applier)
            outcome = {name: c.as_dict() for name, c in applier.counts.items()}
            row = session.get(SyncBundle, m.bundle_id)  # a held bundle's row, when releasing it
            if row is None:
                row = _bundle_row(m, status="applied", reason="", path=path, now=now)
                session.add(row)
            row.status, row.applied_at, row.held_path = "applied", now, ""
            row.outcome = outcome
            row.status_reason = f"拒收 {len(applier.refusals)} 条" if applier.refusals else ""
            totals = _totals(applier.counts)
            summary = (
                f"导入{m.sender.name}第 {m.sequence} 号数据包：新增 {totals.created}、更新 {totals.updated}、"
                f"未变 {totals.skipped}、拒收 {totals.refused}"
            )
            applier.audit(actor, summary, {"sequence": m.sequence, "outcome": outcome})
            session.flush()
            seconds["records"] = time.perf_counter() - started
            _files_verified(work, step)
            seconds["files_wait"] = time.perf_counter() - started - seconds["records"]
            if work is not None and work.answer is not None:
                seconds["files_child"] = work.answer.get("seconds", 0.0)
                seconds["child_files"] = work.answer.get("files_seconds", 0.0)
                seconds["child_records"] = work.answer.get("records_seconds", 0.0)
            if dry_run:
                raise _DryRun
            staging.place()
    except _DryRun:
        assert applier is not None
        result = _finished(path, m, "dry_run", "试导入完成（未写入任何数据）", applier, 0)
        result.seconds = seconds
        return result
    except BaseException:
        staging.unplace()
        raise
    files_added = len(staging.placed)
    sent_copies_prune(store, m.kind)
    if len(applier.touched_cases) > INCREMENTAL_INDEX_LIMIT:
        store.refresh_statistics()  # a bulk load: the planner's counts are stale
    result = _finished(path, m, "applied", summary, applier, files_added)
    result.seconds = seconds
    return result


# Up to this many changed cases the search index is brought up to date inside the import; beyond,
# it is marked for the rebuild that runs before the next search (a rebuild is far quicker than
# indexing case by case, and the business data need not wait for it).
INCREMENTAL_INDEX_LIMIT = 500


def _index(session: Session, applier: Applier) -> None:
    if not applier.touched_cases and not applier.touched_parties:
        return
    if len(applier.touched_cases) + len(applier.touched_parties) <= INCREMENTAL_INDEX_LIMIT:
        search.index_cases(session, applier.touched_cases)
        search.index_parties(session, applier.touched_parties)
    else:
        search.mark_for_rebuild(session)


def _totals(counts: dict[str, Counts]) -> Counts:
    total = Counts()
    for c in counts.values():
        total.created += c.created
        total.updated += c.updated
        total.skipped += c.skipped
        total.refused += c.refused
    return total


def _finished(
    path: Path, m: Manifest, status: str, message: str, applier: Applier, files: int
) -> ImportResult:
    result = _result(path, m, status, message)
    result.counts = {name: c.as_dict() for name, c in applier.counts.items()}
    result.refusals = list(applier.refusals)
    result.files_added = files
    return result


def sent_copies_prune(store: Store, kind: str) -> None:
    """After a receipt: the kept copies of our acknowledged bundles are no longer needed."""
    if kind != "county_data":
        return
    with store.read() as session:
        names = session.execute(
            select(SyncBundle.file_name).where(
                SyncBundle.direction == "sent", SyncBundle.status == "acknowledged"
            )
        ).scalars()
        folder = bundles_dir(store.data_dir) / SENT_DIR
        for name in names:
            if name:
                (folder / name).unlink(missing_ok=True)


def _release_held(store: Store, actor: Actor | None, sender_area: str, now: datetime) -> list[ImportResult]:
    """Apply held bundles from this sender that are now next in line, in order."""
    released: list[ImportResult] = []
    while True:
        with store.read() as session:
            last = session.execute(
                select(func.max(SyncBundle.sequence)).where(
                    SyncBundle.direction == "received",
                    SyncBundle.status == "applied",
                    SyncBundle.sender_area_code == sender_area,
                )
            ).scalar_one()
            nxt = session.execute(
                select(SyncBundle.held_path).where(
                    SyncBundle.direction == "received",
                    SyncBundle.status == "held",
                    SyncBundle.sender_area_code == sender_area,
                    SyncBundle.sequence == (last or 0) + 1,
                )
            ).scalar_one_or_none()
        if nxt is None:
            return released
        held_path = Path(nxt)
        try:
            result = _import_one(
                store, actor, held_path, now=now, dry_run=False, progress=None, releasing=True
            )
        except BundleRefused as exc:
            log_refusal(store.data_dir, held_path, exc, now)
            return released
        if result.status != "applied":
            return released
        released.append(result)
        held_path.unlink(missing_ok=True)


__all__ = ["ImportResult", "import_bundle", "plan", "read_refusals", "verify"]
