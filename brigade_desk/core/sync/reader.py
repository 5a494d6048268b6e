"""Reading a bundle without trusting it.

Checks, in order, each refusing with its own message before anything reaches the store:

1. the file is a complete ZIP (a truncated copy fails here);
2. every entry: an allowed name (no `..`, no absolute path, no back-slashes, no directories), no
   duplicates, no links or special files, no encryption, only stored/deflated, attachment files
   stored, sizes sane and no member deflating beyond MAX_RATIO (decompression bombs);
3. the manifest: size, strict JSON, format name and version, every field (format.parse_manifest);
4. the signature over the manifest's exact bytes, with the key registered for the sender;
5. members present are exactly the members listed, with the listed sizes;
6. every member's SHA-256 (streamed; attachment files also against their own names), and every
   record line against its type (lines.decode_line), counts as listed.

The caller (core.sync.importer) checks what depends on the store: sender known, receiver is us,
sequence.
"""

from __future__ import annotations

import hashlib
import stat
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from brigade_desk.core import crypto
from brigade_desk.core.files import CHUNK
from brigade_desk.core.sync.format import (
    FILES_DIR,
    MANIFEST,
    MAX_MANIFEST,
    MAX_MEMBERS,
    MAX_RATIO,
    MAX_RECORDS_MEMBER,
    MAX_SIGNATURE,
    MEMBER_RE,
    SIGNATURE,
    SIGNATURE_ALGORITHM,
    BundleRefused,
    Manifest,
    member_altered,
    parse_manifest,
    records_member,
    refuse,
    size_mismatch,
)
from brigade_desk.core.sync.lines import (
    MAX_LINE,
    Record,
    RecordError,
    RecordType,
    converter,
    decode_line,
    parse_json,
)

ByteProgress = Callable[[int], None]
# Attachment files are read in large pieces (fewer calls; memory stays bounded by the piece).
FILE_CHUNK = 8 * 1024 * 1024


class _Counted:
    """Reads a member, hashing it, and refuses it as soon as it exceeds its declared size."""

    def __init__(self, raw: IO[bytes], name: str, limit: int) -> None:
        self.raw, self.name, self.limit = raw, name, limit
        self.hasher = hashlib.sha256()
        self.size = 0

    def read(self, size: int = CHUNK) -> bytes:
        chunk = self.raw.read(size)
        self.size += len(chunk)
        if self.size > self.limit:
            raise refuse("size_mismatch", f"成员 {self.name} 比清单所列更大，数据包不可信")
        self.hasher.update(chunk)
        return chunk


class BundleReader:
    """An opened bundle; `open()` runs checks 1-2, `manifest()` 3, `check_signature()` 4,
    `check_members()` 5-6."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zf: zipfile.ZipFile | None = None
        self._infos: dict[str, zipfile.ZipInfo] = {}
        self.manifest_bytes = b""
        self.signature: dict[str, Any] = {}
        self._manifest: Manifest | None = None

    # --- 1, 2: the archive and its entries -------------------------------------------------------

    def open(self) -> BundleReader:
        path = self.path
        if not path.exists():
            raise refuse("missing_file", f"数据包文件不存在：{path}")
        if path.is_symlink() or not path.is_file():
            raise refuse("not_a_file", f"不是普通文件：{path}")
        try:
            self._zf = zipfile.ZipFile(path)
            infos = self._zf.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
            raise refuse(
                "not_a_zip",
                f"数据包文件已损坏或不完整（可能没有拷贝完）：{path.name}（{exc}）。请重新拷贝或请对方重新导出",
            ) from exc
        if len(infos) > MAX_MEMBERS + 2:
            raise refuse("too_many_members", f"数据包成员过多（{len(infos)} 个）")
        archive_size = path.stat().st_size
        for info in infos:
            self._check_entry(info, archive_size)
        return self

    def _check_entry(self, info: zipfile.ZipInfo, archive_size: int) -> None:
        name = info.filename
        shown = name[:80]
        if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
            raise refuse("absolute_path", f"数据包含有绝对路径的成员“{shown}”，已拒绝")
        if ".." in name.replace("\\", "/").split("/"):
            raise refuse("parent_path", f"数据包含有指向上级目录（..）的成员“{shown}”，已拒绝")
        if "\\" in name or "\x00" in name:
            raise refuse("bad_member_name", f"数据包成员名含有不允许的字符：“{shown}”")
        if name.endswith("/") or info.is_dir():
            raise refuse("directory_entry", f"数据包含有目录项“{shown}”，格式不允许")
        file_type = stat.S_IFMT(info.external_attr >> 16)
        if file_type == stat.S_IFLNK:
            raise refuse("symlink", f"数据包含有符号链接“{shown}”，已拒绝")
        if file_type and file_type != stat.S_IFREG:
            raise refuse("special_file", f"数据包含有非普通文件“{shown}”，已拒绝")
        if name not in (MANIFEST, SIGNATURE) and not MEMBER_RE.match(name):
            raise refuse("unexpected_member", f"数据包含有不属于本格式的成员“{shown}”，已拒绝")
        if name in self._infos:
            raise refuse("duplicate_member", f"数据包中成员“{shown}”出现了两次，已拒绝")
        if info.flag_bits & 0x1:
            raise refuse("encrypted", f"数据包成员“{shown}”被加密，格式不允许")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise refuse("compression", f"数据包成员“{shown}”使用了不支持的压缩方式")
        if name.startswith(f"{FILES_DIR}/") and info.compress_type != zipfile.ZIP_STORED:
            raise refuse("compression", f"附件成员“{shown}”应为不压缩存储")
        if info.compress_type == zipfile.ZIP_STORED and info.file_size != info.compress_size:
            raise refuse("size_mismatch", f"成员“{shown}”的大小记录不一致")
        if info.compress_size > archive_size:
            raise refuse("not_a_zip", f"成员“{shown}”超出了数据包文件本身，文件不完整或已损坏")
        if (
            info.compress_type == zipfile.ZIP_DEFLATED
            and info.file_size > MAX_RATIO * max(info.compress_size, 1) + 65536
        ):
            raise refuse(
                "zip_bomb",
                f"成员“{shown}”解压后 {info.file_size} 字节，压缩比异常（超过 {MAX_RATIO} 倍），疑为压缩炸弹，已拒绝",
            )
        if name.startswith("records/") and info.file_size > MAX_RECORDS_MEMBER:
            raise refuse("zip_bomb", f"记录成员“{shown}”过大（{info.file_size} 字节），已拒绝")
        if name == MANIFEST and info.file_size > MAX_MANIFEST:
            raise refuse("zip_bomb", "数据包清单过大，已拒绝")
        if name == SIGNATURE and info.file_size > MAX_SIGNATURE:
            raise refuse("signature_invalid", "数据包签名文件过大，已拒绝")
        self._infos[name] = info

    @property
    def zf(self) -> zipfile.ZipFile:
        assert self._zf is not None, "open() first"
        return self._zf

    def close(self) -> None:
        if self._zf is not None:
            self._zf.close()

    def __enter__(self) -> BundleReader:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _read_small(self, name: str, limit: int) -> bytes:
        try:
            with self.zf.open(self._infos[name]) as member:
                data = member.read(limit + 1)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise refuse("member_corrupt", f"数据包成员 {name} 无法读取（{exc}）") from exc
        if len(data) > limit:
            raise refuse("zip_bomb", f"数据包成员 {name} 过大，已拒绝")
        return data

    # --- 3: the manifest -------------------------------------------------------------------------

    def manifest(self) -> Manifest:
        if self._manifest is not None:
            return self._manifest
        if MANIFEST not in self._infos:
            raise refuse("no_manifest", "数据包中缺少清单 manifest.json，不是完整的数据包")
        if SIGNATURE not in self._infos:
            raise refuse("no_signature", "数据包没有签名（缺少 manifest.sig），无法确认来源，已拒绝")
        self.manifest_bytes = self._read_small(MANIFEST, MAX_MANIFEST)
        try:
            obj = parse_json(self.manifest_bytes)
        except RecordError as exc:
            raise refuse("manifest_invalid", f"数据包清单无法解析：{exc}") from exc
        self._manifest = parse_manifest(obj)
        try:
            sig = parse_json(self._read_small(SIGNATURE, MAX_SIGNATURE))
        except RecordError as exc:
            raise refuse("signature_invalid", f"数据包签名无法解析：{exc}") from exc
        if (
            not isinstance(sig, dict)
            or set(sig) != {"algorithm", "key_fingerprint", "signature"}
            or sig["algorithm"] != SIGNATURE_ALGORITHM
            or not isinstance(sig["signature"], str)
            or not isinstance(sig["key_fingerprint"], str)
        ):
            raise refuse("signature_invalid", "数据包签名格式不符，无法确认来源，已拒绝")
        self.signature = sig
        return self._manifest

    # --- 4: the signature ------------------------------------------------------------------------

    def check_signature(self, public_key: str, sender_label: str) -> None:
        manifest = self.manifest()
        if not crypto.verify(public_key, self.manifest_bytes, self.signature["signature"]):
            raise refuse(
                "bad_signature",
                f"数据包签名验证失败：不是{sender_label}的密钥所签，或清单在签名后被改动过，已拒绝",
            )
        if manifest.key_fingerprint != crypto.fingerprint(public_key):
            raise refuse("bad_signature", "清单所列的密钥指纹与登记的密钥不符，已拒绝")

    # --- 5, 6: members ---------------------------------------------------------------------------

    def check_member_set(self) -> None:
        manifest = self.manifest()
        listed = set(manifest.members)
        present = set(self._infos) - {MANIFEST, SIGNATURE}
        missing = sorted(listed - present)
        if missing:
            raise refuse(
                "missing_member",
                f"数据包缺少 {len(missing)} 个成员（如 {missing[0]}），文件不完整，已拒绝",
            )
        extra = sorted(present - listed)
        if extra:
            raise refuse("extra_member", f"数据包含有清单之外的成员（如 {extra[0]}），已拒绝")
        for name, (_sha, size) in manifest.members.items():
            if self._infos[name].file_size != size:
                raise size_mismatch(name)
        for type_name in manifest.counts:
            if records_member(type_name) not in listed:
                raise refuse("missing_member", f"清单列了 {type_name} 的记录数，但没有该记录成员")
        from brigade_desk.core.sync.records import TYPES

        for name in listed:
            if name.startswith("records/"):
                type_name = name.removeprefix("records/").removesuffix(".jsonl")
                if type_name not in TYPES:
                    raise refuse("unknown_type", f"数据包含有未知的记录类型“{type_name}”")
                if type_name not in manifest.counts:
                    raise refuse("manifest_invalid", f"清单没有给出 {type_name} 的记录数")

    def check_members(self, progress: ByteProgress | None = None) -> None:
        """Hash every member and parse every record line (a verification that writes nothing; an
        import instead checks the lines as it applies them and leaves the files to
        core.sync.filework)."""
        from brigade_desk.core.sync.records import TYPES

        manifest = self.manifest()
        for name, (sha256, size) in manifest.members.items():
            if name.startswith("records/"):
                rtype = TYPES[name.removeprefix("records/").removesuffix(".jsonl")]
                listed = manifest.counts.get(rtype.name, 0)
                for _record in self._records(rtype, sha256, size, listed, progress):
                    pass
            else:
                self._hash_file(name, sha256, size, progress)

    def _open_member(self, name: str, size: int) -> _Counted:
        try:
            return _Counted(self.zf.open(self._infos[name]), name, size)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise refuse("member_corrupt", f"数据包成员 {name} 无法读取（{exc}）") from exc

    def _hash_file(self, name: str, sha256: str, size: int, progress: ByteProgress | None) -> None:
        counted = self._open_member(name, size)
        try:
            with counted.raw:
                while chunk := counted.read(FILE_CHUNK):
                    if progress:
                        progress(len(chunk))
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise refuse("member_altered", f"数据包成员 {name} 已损坏或被改动（{exc}），已拒绝") from exc
        self._finish(counted, sha256, size)
        if name.removeprefix(f"{FILES_DIR}/") != sha256:
            raise refuse("member_altered", f"附件 {name} 的内容与其名称（哈希）不符，已拒绝")

    def _finish(self, counted: _Counted, sha256: str, size: int) -> None:
        if counted.size != size:
            raise size_mismatch(counted.name)
        if counted.hasher.hexdigest() != sha256:
            raise member_altered(counted.name)

    def _records(
        self,
        rtype: RecordType,
        sha256: str,
        size: int,
        listed: int,
        progress: ByteProgress | None,
        checked: bool = True,
    ) -> Iterator[Record]:
        """The lines of one record member, each decoded (`checked`) or only converted; then its
        hash and its count (`listed`, the manifest's) are compared."""
        name = records_member(rtype.name)
        convert = None if checked else converter(rtype)
        counted = self._open_member(name, size)
        seen: set[str] = set()
        number = 0
        try:
            with counted.raw:
                pending = b""
                while True:
                    chunk = counted.read(CHUNK)
                    if progress and chunk:
                        progress(len(chunk))
                    if not chunk:
                        break
                    pending += chunk
                    lines = pending.split(b"\n")
                    pending = lines.pop()
                    if len(pending) > MAX_LINE:
                        raise refuse("record_invalid", f"{name} 中有一行超过 {MAX_LINE} 字节，已拒绝")
                    if convert is None:
                        for line in lines:
                            number += 1
                            yield self._decode(rtype, name, number, line, seen)
                    else:  # the child checks these lines, duplicates included
                        number += len(lines)
                        yield from map(convert, lines)
                if pending:
                    raise refuse("record_invalid", f"{name} 最后一行没有换行符（文件不完整），已拒绝")
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise refuse("member_altered", f"数据包成员 {name} 已损坏或被改动（{exc}），已拒绝") from exc
        self._finish(counted, sha256, size)
        if number != listed:
            raise refuse("count_mismatch", f"{rtype.label}记录数 {number} 与清单所列 {listed} 不符，已拒绝")

    @staticmethod
    def _decode(rtype: RecordType, name: str, number: int, line: bytes, seen: set[str]) -> Record:
        try:
            record = decode_line(rtype, line)
        except RecordError as exc:
            raise refuse("record_invalid", f"{name} 第 {number} 行（{rtype.label}）：{exc}，已拒绝") from exc
        if record.id in seen:
            raise refuse("record_invalid", f"{name} 第 {number} 行：记录 {record.id} 重复出现，已拒绝")
        seen.add(record.id)
        return record

    def records(
        self, rtype: RecordType, progress: ByteProgress | None = None, *, checked: bool = True
    ) -> Iterator[Record]:
        """The records of one type, each line checked and the member's hash compared at its end
        (an import applies them inside a transaction that a failure rolls back).

        `checked=False` converts the lines without checking them (lines.convert_line): only for an
        import whose file child runs `check_stream` over the same members and whose commit waits for
        that verdict. A bad line may then raise anything here; the child's refusal is the one to
        report."""
        spec = self.stream_spec(rtype)
        if spec is None:
            return iter(())
        return self._records(rtype, spec["sha256"], spec["size"], spec["count"], progress, checked)

    def stream_spec(self, rtype: RecordType) -> dict[str, Any] | None:
        """This type's member as the manifest lists it (hash, size, record count) and the type
        itself: all that `check_stream` needs, in a child process that has neither the model nor
        the manifest (None: the bundle has no such member)."""
        manifest = self.manifest()
        name = records_member(rtype.name)
        if name not in manifest.members:
            return None
        sha256, size = manifest.members[name]
        return {
            "type": rtype.spec(),
            "sha256": sha256,
            "size": size,
            "count": manifest.counts.get(rtype.name, 0),
        }

    def check_stream(self, spec: dict[str, Any]) -> None:
        """Every line of one record member checked as `records` checks them (the same code, in
        the same order, with the same messages); the first problem is raised (BundleRefused)."""
        rtype = RecordType.from_spec(spec["type"])
        for _record in self._records(rtype, spec["sha256"], spec["size"], spec["count"], None):
            pass

    def files(self) -> list[tuple[str, int]]:
        return [
            (name.removeprefix(f"{FILES_DIR}/"), size)
            for name, (_sha, size) in self.manifest().members.items()
            if name.startswith(f"{FILES_DIR}/")
        ]

    def open_file(self, sha256: str) -> _Counted:
        name = f"{FILES_DIR}/{sha256}"
        return self._open_member(name, self.manifest().members[name][1])


def describe(reader: BundleReader) -> dict[str, Any]:
    """What a person sees before importing: the manifest in plain fields."""
    m = reader.manifest()
    return {
        "bundle_id": m.bundle_id,
        "kind": m.kind,
        "sender": m.sender.name,
        "sender_area_code": m.sender.area_code,
        "receiver": m.receiver.name,
        "receiver_area_code": m.receiver.area_code,
        "sequence": m.sequence,
        "created_at": m.created_at,
        "created_by": m.created_by_name,
        "full": m.full,
        "counts": m.counts,
        "files": len(reader.files()),
    }


__all__ = ["BundleReader", "BundleRefused", "describe"]
