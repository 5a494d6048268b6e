"""Writing a bundle: one pass, streamed, every member hashed while it is written.

Every member is stored, not deflated: media gain nothing from deflate (TECH-NOTES.md), and
deflating the record lines cost more time than the smaller file saves on a USB stick. Attachment
files are normally packed by a child process (core.sync.filework) while this process writes the
records; `take_files` then moves the records into the child's archive. The manifest is written
last, when every member's hash and size is known, and then its signature.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import stat
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from brigade_desk.core.canonical import canonical_json
from brigade_desk.core.files import CHUNK
from brigade_desk.core.sync.format import (
    MANIFEST,
    SIGNATURE,
    SIGNATURE_ALGORITHM,
    records_member,
)
from brigade_desk.core.sync.lines import RecordType

EPOCH = (1980, 1, 1, 0, 0, 0)


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
        info = self._info(name, zipfile.ZIP_STORED)
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

    def take_files(self, files_zip: Path, members: dict[str, dict[str, Any]]) -> None:
        """Move the records written so far into `files_zip` (an archive of attachment members, see
        core.sync.filework), which then becomes this bundle under this writer's path."""
        self._zf.close()
        target = zipfile.ZipFile(files_zip, "a", allowZip64=True)
        try:
            with zipfile.ZipFile(self.path) as records:
                for info in records.infolist():
                    with (
                        records.open(info) as src,
                        target.open(
                            self._info(info.filename, zipfile.ZIP_STORED), "w", force_zip64=True
                        ) as out,
                    ):
                        shutil.copyfileobj(src, out, CHUNK)
            # Unlink, then rename: a rename over an existing file makes ext4 write the renamed file's
            # delayed blocks at once (auto_da_alloc), which stalled the export ~0.4 s for 1 GB.
            self.path.unlink()
            os.rename(files_zip, self.path)
        except BaseException:
            target.close()
            raise
        self._zf = target
        self.members.update(members)
        self.bytes_written += sum(m["size"] for m in members.values())

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
