"""The content-addressed file store: files kept under the data directory by their SHA-256.

Files are streamed while they are hashed (never loaded whole: body-camera video runs to several GB),
written to a temporary name, then renamed into place; an existing file with that hash is never
overwritten.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

CHUNK = 1024 * 1024


class Readable(Protocol):
    """Anything with a binary `read(size)`: an open file, or a wrapper that reports progress."""

    def read(self, size: int = -1, /) -> bytes: ...


def path_for(files_dir: Path, sha256: str) -> Path:
    return files_dir / sha256[:2] / sha256[2:]


@dataclass(frozen=True)
class Staged:
    """A file copied into the store under a temporary name, hashed, not yet at its address."""

    path: Path
    sha256: str
    size: int


def stage_stream(files_dir: Path, source: Readable) -> Staged:
    """Copy `source` to a temporary file inside the store, hashing as it streams.

    The temporary name starts with `.incoming-` (backups skip it). On any error it is removed.
    Callers that record the file in the database `place` it inside their write transaction, so a
    failed transaction can tell a file nobody refers to from one another writer just recorded.
    """
    files_dir.mkdir(parents=True, exist_ok=True)
    hasher = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(dir=files_dir, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := source.read(CHUNK):
                hasher.update(chunk)
                out.write(chunk)
                size += len(chunk)
            out.flush()
            os.fsync(out.fileno())
        return Staged(Path(tmp_name), hasher.hexdigest(), size)
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise


def place(files_dir: Path, staged: Staged) -> bool:
    """Move a staged file to its content address. True when this call created the stored file;
    False when a file with that hash was already there (never overwritten; the copy is dropped)."""
    target = path_for(files_dir, staged.sha256)
    if target.exists():
        discard(staged)
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staged.path, target)
    return True


def discard(staged: Staged) -> None:
    """Remove a staged file that will not be placed (no error when it is already gone)."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(staged.path)


def ingest_stream(files_dir: Path, source: BinaryIO) -> tuple[str, int]:
    """Copy `source` into the store, hashing as it streams; return (sha256, size)."""
    staged = stage_stream(files_dir, source)
    try:
        place(files_dir, staged)
    except BaseException:
        discard(staged)
        raise
    return staged.sha256, staged.size


def ingest_file(files_dir: Path, path: Path) -> tuple[str, int]:
    with path.open("rb") as source:
        return ingest_stream(files_dir, source)


def hash_file(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def fsync_file(path: Path) -> None:
    """Make a file's bytes durable (a power cut after this keeps them)."""
    # Windows flushes only a file opened for writing (FlushFileBuffers wants write access).
    fd = os.open(path, os.O_RDWR if os.name == "nt" else os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    """Make the names just created or renamed in a directory durable. Where the system cannot
    (Windows opens no directories; some file systems of USB sticks refuse), the file system's own
    commit writes them a moment later: nothing more can be done there."""
    if os.name != "posix":
        return
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def copy_out(files_dir: Path, sha256: str, dest: Path) -> None:
    shutil.copyfile(path_for(files_dir, sha256), dest)
