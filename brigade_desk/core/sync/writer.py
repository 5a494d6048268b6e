"""Writing a bundle: one pass, streamed, every member hashed while it is written.

Records go in deflated (text), attachment files stored (media gain nothing from deflate,
TECH-NOTES.md); each file is read once, in chunks, and hashed on the way into the archive. The
manifest is written last, when every member's hash and size is known, and then its signature.
"""

from __future__ import annotations

import contextlib
import hashlib
import stat
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from brigade_desk.core.canonical import canonical_json
from brigade_desk.core.errors import StoreError
from brigade_desk.core.files import CHUNK
from brigade_desk.core.sync.format import (
    MANIFEST,
    SIGNATURE,
    SIGNATURE_ALGORITHM,
    file_member,
    records_member,
)
from brigade_desk.core.sync.records import RecordType

EPOCH = (1980, 1, 1, 0, 0, 0)
ByteProgress = Callable[[int], None]


class Cancelled(Exception):
    """Raised by a progress callback to stop long work; nothing is kept."""


class BundleWriter:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._zf = zipfile.ZipFile(path, "w", allowZip64=True)
        self.members: dict[str, dict[str, Any]] = {}
        self.counts: dict[str, int] = {}
        self.bytes_written = 0

    def _info(self, name: str, compress: int) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=EPOCH)
        info.compress_type = compress
        info.external_attr = (stat.S_IFREG | 0o644) << 16
        return info

    def write_records(self, rtype: RecordType, lines: Iterable[bytes]) -> int:
        name = records_member(rtype.name)
        hasher, size, count = hashlib.sha256(), 0, 0
        info = self._info(name, zipfile.ZIP_DEFLATED)
        info._compresslevel = 1  # type: ignore[attr-defined]  # fast: JSON still shrinks ~5x
        buffer: list[bytes] = []
        pending = 0
        with self._zf.open(info, "w", force_zip64=True) as out:
            for line in lines:
                buffer.append(line)
                buffer.append(b"\n")
                pending += len(line) + 1
                count += 1
                if pending >= CHUNK:
                    block = b"".join(buffer)
                    hasher.update(block)
                    out.write(block)
                    size += len(block)
                    buffer, pending = [], 0
            if buffer:
                block = b"".join(buffer)
                hasher.update(block)
                out.write(block)
                size += len(block)
        self.members[name] = {"sha256": hasher.hexdigest(), "size": size}
        self.counts[rtype.name] = count
        self.bytes_written += size
        return count

    def write_file(self, sha256: str, source: Path, progress: ByteProgress | None = None) -> int:
        """Copy an attachment in, hashing it; a stored file whose bytes no longer match its hash is
        refused (the store is damaged) rather than sent."""
        name = file_member(sha256)
        hasher, size = hashlib.sha256(), 0
        try:
            src = source.open("rb")
        except FileNotFoundError:
            raise StoreError(f"附件文件缺失：{source}（哈希 {sha256[:12]}…）；请先从备份恢复该文件") from None
        with src, self._zf.open(self._info(name, zipfile.ZIP_STORED), "w", force_zip64=True) as out:
            while chunk := src.read(CHUNK):
                hasher.update(chunk)
                out.write(chunk)
                size += len(chunk)
                if progress:
                    progress(len(chunk))
        if hasher.hexdigest() != sha256:
            raise StoreError(f"附件文件已损坏（内容与其哈希不符）：{source}；请先从备份恢复该文件")
        self.members[name] = {"sha256": sha256, "size": size}
        self.bytes_written += size
        return size

    def finish(self, manifest: dict[str, Any], sign: Callable[[bytes], str], fingerprint: str) -> bytes:
        """Write the manifest (with every member's hash) and its signature; close the archive."""
        body = canonical_json({**manifest, "members": self.members, "counts": self.counts})
        self._zf.writestr(self._info(MANIFEST, zipfile.ZIP_DEFLATED), body)
        signature = canonical_json(
            {"algorithm": SIGNATURE_ALGORITHM, "key_fingerprint": fingerprint, "signature": sign(body)}
        )
        self._zf.writestr(self._info(SIGNATURE, zipfile.ZIP_STORED), signature)
        self._zf.close()
        return body

    def abort(self) -> None:
        # Closing a half-written archive may fail; it is removed anyway.
        with contextlib.suppress(Exception):
            self._zf.close()
        self.path.unlink(missing_ok=True)
