"""Attachment files of a bundle, copied and hashed in a second process.

A bundle's bytes are mostly attachment files; its records are many small lines whose reading,
checking and writing is Python work that holds the interpreter lock. A thread for the files starved
behind that work (docs/decisions/sync-import-speed.md), so the files go to a child process, which
runs on the other core while this process does the records:

* `pack`: write the files into a new ZIP (stored, each hashed on the way in; a stored file whose
  bytes no longer match its name is reported, not sent), flushing each member to disk while the
  next is copied. The exporter then appends the records and makes the bundle durable before it
  records it as sent.
* `verify`: read the attachment members of a bundle, hash each, and copy those the store lacks to
  the temporary names given (fsync'd by a second thread as each one completes, so the disk writes
  overlap the copying). For a large import the job also names the record streams: a third thread
  checks every line of them (`BundleReader.check_stream`, the same checks and messages as an import
  in one process) while the importer converts and applies the same lines unchecked. The importer
  commits only after the child says every line and every file is good.

The child knows nothing of the store: it gets paths and hashes and answers in JSON lines on stdout
(`{"bytes": n}` progress, then `{"done": …}` or `{"failed": …}`). It stops when its stdin closes,
which is how the parent cancels it and how a killed parent takes it down.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import json
import os
import queue
import stat
import struct
import subprocess
import sys
import threading
import time
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from brigade_desk.core.files import fsync_file

PIECE = 1024 * 1024  # stays in the CPU cache between hashing, CRC and writing
# A ZIP local file header (APPNOTE 4.3.7); its last two fields are the name and extra lengths.
LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
EPOCH = (1980, 1, 1, 0, 0, 0)


# --- the child -------------------------------------------------------------------------------------


class _Stop(Exception):
    pass


def _say(out: IO[str], message: dict[str, Any]) -> None:
    out.write(json.dumps(message) + "\n")
    out.flush()


# Windows has no fdatasync; its fsync (FlushFileBuffers) does the same for a file open for writing.
_fdatasync = getattr(os, "fdatasync", os.fsync)


class Flusher:
    """Writes an archive's pages to disk while more is appended (fdatasync after each member, in a
    thread), so that making the bundle durable at the end finds little left to write."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._wanted = threading.Event()
        self._done = False
        self.error: OSError | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            self._wanted.wait()
            self._wanted.clear()
            if self._done:
                return
            try:
                _fdatasync(self._fd)
            except OSError as exc:
                self.error = exc
                return

    def poke(self) -> None:
        self._wanted.set()

    def stop(self) -> None:
        self._done = True
        self._wanted.set()
        self._thread.join()


def _pack(job: dict[str, Any], out: IO[str], stopped: threading.Event) -> dict[str, Any]:
    members: dict[str, dict[str, Any]] = {}
    buffer, copier = bytearray(PIECE), _Copier()
    with zipfile.ZipFile(job["zip"], "w", allowZip64=True) as zf:
        assert zf.fp is not None
        flusher = Flusher(zf.fp.fileno())
        try:
            for sha256, source in job["files"]:
                info = zipfile.ZipInfo(f"files/{sha256}", date_time=EPOCH)
                info.compress_type = zipfile.ZIP_STORED
                info.external_attr = (stat.S_IFREG | 0o644) << 16
                try:
                    src = open(source, "rb", buffering=0)  # noqa: SIM115 - closed by the with below
                except FileNotFoundError:
                    return {"failed": "missing", "sha256": sha256, "path": source}
                with src:
                    digest = _append_stored(zf, info, src, buffer, copier, stopped, out)
                if digest != sha256:
                    return {"failed": "damaged", "sha256": sha256, "path": source}
                members[info.filename] = {"sha256": sha256, "size": info.file_size}
                flusher.poke()
        finally:
            flusher.stop()
        if flusher.error is not None:
            return {"failed": "disk", "detail": f"{job['zip']}: {flusher.error}"[:500]}
    return {"done": members}


def _append_stored(
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    src: io.FileIO,
    buffer: bytearray,
    copier: _Copier,
    stopped: threading.Event,
    out: IO[str],
) -> str:
    """Append `src` as a stored member and return its SHA-256. The bytes are read once here (for
    the hash and the CRC-32) and copied into the archive by the kernel (_Copier); the local header
    is written first and rewritten with the CRC and sizes at the end, as zipfile itself does for a
    member opened for writing. This leans on zipfile's `fp`, `start_dir`, `filelist` and
    `NameToInfo`, and on `ZipInfo.FileHeader`, unchanged since Python 3.6; the archive is then
    closed (its central directory written) by zipfile, and every export is read back by the tests."""
    fp = zf.fp
    assert fp is not None
    info.header_offset = zf.start_dir
    info.CRC, info.file_size, info.compress_size = 0, 0, 0
    fp.seek(info.header_offset)
    fp.write(info.FileHeader(zip64=True))
    fp.flush()
    data_start = fp.tell()
    hasher, crc, size = hashlib.sha256(), 0, 0
    view = memoryview(buffer)
    while n := src.readinto(view):
        if stopped.is_set():
            raise _Stop
        hasher.update(view[:n])
        crc = zlib.crc32(view[:n], crc)
        copier.copy(src.fileno(), fp.fileno(), size, view[:n])
        size += n
        _say(out, {"bytes": n})
    info.CRC, info.file_size, info.compress_size = crc, size, size
    fp.seek(info.header_offset)  # an absolute seek: the buffered file forgets where it was
    fp.write(info.FileHeader(zip64=True))
    fp.seek(data_start + size)
    zf.start_dir = fp.tell()
    zf.filelist.append(info)
    zf.NameToInfo[info.filename] = info
    return hasher.hexdigest()


def _verify(job: dict[str, Any], out: IO[str], stopped: threading.Event) -> dict[str, Any]:
    synced: queue.Queue[str | None] = queue.Queue()
    sync_errors: list[str] = []

    def sync_each() -> None:
        while (path := synced.get()) is not None:
            try:
                fsync_file(Path(path))
            except OSError as exc:
                sync_errors.append(f"{path}: {exc}")

    syncer = threading.Thread(target=sync_each, daemon=True)
    syncer.start()
    buffer, copier = bytearray(PIECE), _Copier()
    try:
        with zipfile.ZipFile(job["bundle"]) as zf, open(job["bundle"], "rb", buffering=0) as bundle:
            for name, sha256, size, dest in job["files"]:
                try:
                    info = zf.getinfo(name)
                    if info.file_size != size:
                        return {"failed": "size_mismatch", "member": name}
                    start = _stored_data_start(info, bundle)
                except (zipfile.BadZipFile, KeyError, OSError, EOFError) as exc:
                    return {"failed": "member_altered", "member": name, "detail": str(exc)[:200]}
                try:
                    dst = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644) if dest else None
                except OSError as exc:
                    return {"failed": "disk", "detail": f"{dest}: {exc}"[:500]}
                try:
                    failed = _hash_and_copy(bundle, start, size, dst, sha256, buffer, copier, stopped, out)
                except OSError as exc:
                    failed = {"failed": "disk", "detail": f"{dest}: {exc}"[:500]}
                finally:
                    if dst is not None:
                        os.close(dst)
                if failed is not None:
                    failed.setdefault("member", name)
                    return failed
                if name.removeprefix("files/") != sha256:
                    return {"failed": "member_altered", "member": name}
                if dest:
                    synced.put(dest)
    finally:
        synced.put(None)
        syncer.join()
    if sync_errors:
        return {"failed": "disk", "detail": "; ".join(sync_errors)[:500]}
    return {"done": len(job["files"])}


def _check_records(job: dict[str, Any], stopped: threading.Event) -> dict[str, Any]:
    """The verdict on the bundle's record lines: {"done": …} or the refusal an import would raise.
    The types come as specs in the job: this process never loads the model (core.sync.lines)."""
    from brigade_desk.core.sync.format import BundleRefused
    from brigade_desk.core.sync.reader import BundleReader

    try:
        with BundleReader(Path(job["bundle"])) as reader:
            for spec in job["records"]:
                if stopped.is_set():
                    break
                reader.check_stream(spec)
    except BundleRefused as exc:
        return {"failed": "records", "code": exc.code, "detail": str(exc)}
    return {"done": len(job["records"])}


def _verify_all(job: dict[str, Any], out: IO[str], stopped: threading.Event) -> dict[str, Any]:
    """Files in this thread, record lines (when the job names them) in another; a refusal of the
    records comes first, as an import in one process would meet it before the files' verdict."""
    if not job.get("records"):
        return _verify(job, out, stopped)
    records: dict[str, Any] = {}

    def check() -> None:
        started = time.perf_counter()
        try:
            records.update(_check_records(job, stopped))
        except Exception as exc:  # reported to the parent, which raises it there
            records.update({"failed": "records_error", "detail": f"{type(exc).__name__}: {exc}"[:500]})
        records["records_seconds"] = time.perf_counter() - started

    checker = threading.Thread(target=check, daemon=True)
    checker.start()
    started = time.perf_counter()
    files = _verify(job, out, stopped)
    files["files_seconds"] = time.perf_counter() - started
    checker.join()
    if stopped.is_set():
        raise _Stop
    if "done" not in records:
        return records
    return {**files, "records_seconds": records["records_seconds"]}


def _stored_data_start(info: zipfile.ZipInfo, bundle: io.FileIO) -> int:
    """Where a stored member's bytes begin in the bundle, from its local header (the reader has
    refused compressed or encrypted attachment members; this checks again rather than trust it)."""
    if (
        info.compress_type != zipfile.ZIP_STORED
        or info.flag_bits & 0x1
        or info.compress_size != info.file_size
    ):
        raise zipfile.BadZipFile("not a plain stored member")
    bundle.seek(info.header_offset)
    header = bundle.read(LOCAL_HEADER.size)
    if len(header) != LOCAL_HEADER.size:
        raise EOFError("local header cut off")
    fields = LOCAL_HEADER.unpack(header)
    if fields[0] != b"PK\x03\x04":
        raise zipfile.BadZipFile("bad local header signature")
    name_length: int = fields[-2]
    extra_length: int = fields[-1]
    if bundle.read(name_length) != info.orig_filename.encode("utf-8"):
        raise zipfile.BadZipFile("local header names another member")
    return info.header_offset + LOCAL_HEADER.size + name_length + extra_length


def _hash_and_copy(
    bundle: io.FileIO,
    start: int,
    size: int,
    dst: int | None,
    sha256: str,
    buffer: bytearray,
    copier: _Copier,
    stopped: threading.Event,
    out: IO[str],
) -> dict[str, Any] | None:
    """Hash `size` bytes of the bundle from `start` and copy them to `dst`."""
    hasher = hashlib.sha256()
    view = memoryview(buffer)
    bundle.seek(start)
    done = 0
    while done < size:
        if stopped.is_set():
            raise _Stop
        n = bundle.readinto(view[: min(len(view), size - done)])
        if not n:
            return {"failed": "size_mismatch"}  # the bundle ends inside the member
        hasher.update(view[:n])
        if dst is not None:
            copier.copy(bundle.fileno(), dst, start + done, view[:n])
        done += n
        _say(out, {"bytes": n})
    if hasher.hexdigest() != sha256:
        return {"failed": "member_altered"}
    return None


class _Copier:
    """Copies a piece just read (and hashed) into its target: a staged file on import, the archive
    on export. The kernel copies it where it can (copy_file_range): writing the pieces from this
    process made the child's time for 1 GB swing between 1.1 and 3.1 s on the VM that runs the
    benchmark, the kernel's copy held at 1.0–1.2 s (docs/decisions/sync-file-child.md). Where the
    kernel cannot (another system, or source and target on different file systems, as with a
    bundle on a USB stick), the piece is written from memory."""

    UNSUPPORTED = frozenset({errno.EXDEV, errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EBADF})

    def __init__(self) -> None:
        self.kernel = hasattr(os, "copy_file_range")

    def copy(self, src: int, dst: int, offset: int, piece: memoryview) -> None:
        copied, n = 0, len(piece)
        while self.kernel and copied < n:
            try:
                step = os.copy_file_range(src, dst, n - copied, offset + copied)
            except OSError as exc:
                if exc.errno not in self.UNSUPPORTED:
                    raise
                self.kernel = False
                break
            if step == 0:
                raise OSError(f"copy_file_range stopped after {copied} of {n} bytes")
            copied += step
        while copied < n:
            copied += os.write(dst, piece[copied:])


def child_main() -> int:
    job = json.loads(sys.stdin.readline())
    stopped = threading.Event()

    def watch_stdin() -> None:
        # The parent never writes again: EOF means it cancelled or died.
        sys.stdin.read()
        stopped.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    out = sys.stdout
    started = time.perf_counter()
    try:
        result = _pack(job, out, stopped) if job["kind"] == "pack" else _verify_all(job, out, stopped)
        result["seconds"] = time.perf_counter() - started
    except _Stop:
        return 1
    except Exception as exc:  # reported to the parent, which raises it there
        result = {"failed": "error", "detail": f"{type(exc).__name__}: {exc}"[:500]}
    with contextlib.suppress(BrokenPipeError):
        _say(out, result)
    return 0


# --- the parent ------------------------------------------------------------------------------------


class FileWorkError(Exception):
    """The child reported a problem (`report` is its message) or ended without an answer."""

    def __init__(self, report: dict[str, Any]) -> None:
        super().__init__(report.get("failed", "error"))
        self.report = report


class FileWork:
    """A running child. `poll()` returns the bytes done so far without waiting; `wait()` blocks until
    the answer (calling `on_bytes` as progress arrives) and raises FileWorkError on a failure."""

    def __init__(self, job: dict[str, Any]) -> None:
        package_root = Path(__file__).resolve().parents[3]
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(package_root), env.get("PYTHONPATH", "")) if p)
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "brigade_desk.core.sync.filework"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write((json.dumps(job) + "\n").encode())
        self._proc.stdin.flush()
        self._out = self._proc.stdout
        os.set_blocking(self._out.fileno(), False)
        self._pending = b""
        self.bytes_done = 0
        self.answer: dict[str, Any] | None = None

    def _take(self, data: bytes) -> int:
        self._pending += data
        *lines, self._pending = self._pending.split(b"\n")
        new = 0
        for line in lines:
            message = json.loads(line)
            if "bytes" in message:
                new += message["bytes"]
            else:
                self.answer = message
        self.bytes_done += new
        return new

    def poll(self) -> int:
        """Bytes done since the last call (never blocks)."""
        new = 0
        while self.answer is None:
            try:
                data = os.read(self._out.fileno(), 1 << 16)
            except BlockingIOError:
                break
            if not data:
                break
            new += self._take(data)
        return new

    def wait(self, on_bytes: Callable[[int], None] | None = None) -> dict[str, Any]:
        import select

        while self.answer is None:
            ready, _, _ = select.select([self._out], [], [], 0.2)
            if ready:
                data = os.read(self._out.fileno(), 1 << 16)
                if not data:
                    break
                new = self._take(data)
                if new and on_bytes:
                    on_bytes(new)
            elif self._proc.poll() is not None:
                new = self.poll()
                if new and on_bytes:
                    on_bytes(new)
                break
        self.close()
        answer = self.answer or {"failed": "error", "detail": f"子进程意外退出（{self._proc.returncode}）"}
        if "done" not in answer:
            raise FileWorkError(answer)
        return answer

    def close(self) -> None:
        """Tell the child to stop (it stops at its next piece) and reap it."""
        with contextlib.suppress(OSError):
            assert self._proc.stdin is not None
            self._proc.stdin.close()
        try:
            self._proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        with contextlib.suppress(OSError):
            self._out.close()


if __name__ == "__main__":
    raise SystemExit(child_main())
