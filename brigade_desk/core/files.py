"""The content-addressed file store: files kept under the data directory by their SHA-256.

Files are streamed while they are hashed (never loaded whole: body-camera video runs to several GB),
written to a temporary name, then renamed into place; an existing file with that hash is never
overwritten.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO

CHUNK = 1024 * 1024


def path_for(files_dir: Path, sha256: str) -> Path:
    return files_dir / sha256[:2] / sha256[2:]


def ingest_stream(files_dir: Path, source: BinaryIO) -> tuple[str, int]:
    """Copy `source` into the store, hashing as it streams; return (sha256, size)."""
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
        sha = hasher.hexdigest()
        target = path_for(files_dir, sha)
        if target.exists():
            os.unlink(tmp_name)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp_name, target)
        return sha, size
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise


def ingest_file(files_dir: Path, path: Path) -> tuple[str, int]:
    with path.open("rb") as source:
        return ingest_stream(files_dir, source)


def hash_file(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def copy_out(files_dir: Path, sha256: str, dest: Path) -> None:
    shutil.copyfile(path_for(files_dir, sha256), dest)
