"""The bundle format: member names, the manifest's fields, limits, and the refusal every check raises.

docs/bundle-format.md is the human description of the same thing; FORMAT_VERSION is the number
written in every manifest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from brigade_desk.core.errors import BrigadeError
from brigade_desk.core.sync.lines import AREA_RE, SHA256_RE, UUID_RE

FORMAT_NAME = "brigade-desk-bundle"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
RECORDS_DIR = "records"
FILES_DIR = "files"
SUFFIX = ".bdbundle"
SIGNATURE_ALGORITHM = "ed25519"

MEMBER_RE = re.compile(r"^(records/[a-z_]{1,40}\.jsonl|files/[0-9a-f]{64})$")
MAX_MANIFEST = 64 * 1024 * 1024
MAX_SIGNATURE = 4096
MAX_RECORDS_MEMBER = 4 * 1024**3
# JSON lines deflate 5-20 times; far beyond that a member is a decompression bomb.
MAX_RATIO = 200
MAX_MEMBERS = 2_000_000


class BundleRefused(BrigadeError):
    """A bundle that may not be imported; `code` names the kind of problem (tests and logs use it)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def refuse(code: str, message: str) -> BundleRefused:
    return BundleRefused(code, message)


def size_mismatch(member: str) -> BundleRefused:
    return refuse("size_mismatch", f"成员 {member} 的大小与清单不符，已拒绝")


def member_altered(member: str) -> BundleRefused:
    return refuse("member_altered", f"数据包成员 {member} 的内容与清单中的哈希不符（已被改动或损坏），已拒绝")


def records_member(type_name: str) -> str:
    return f"{RECORDS_DIR}/{type_name}.jsonl"


def file_member(sha256: str) -> str:
    return f"{FILES_DIR}/{sha256}"


@dataclass(frozen=True)
class Party:
    organ_id: str | None
    name: str
    area_code: str


@dataclass(frozen=True)
class Manifest:
    """A parsed, checked manifest; `raw` is what was signed (as JSON values)."""

    bundle_id: str
    kind: str
    sender: Party
    sender_kind: str
    key_fingerprint: str
    receiver: Party
    sequence: int
    previous_bundle_id: str | None
    created_at: datetime
    created_by_login: str
    created_by_name: str
    full: bool
    program_version: str
    schema_revision: str
    audit_from: int | None
    audit_to: int | None
    counts: dict[str, int]
    members: dict[str, tuple[str, int]]  # name -> (sha256, size)
    raw: dict[str, Any]


_TOP = {
    "format",
    "format_version",
    "bundle_id",
    "kind",
    "sender",
    "receiver",
    "sequence",
    "previous_bundle_id",
    "created_at",
    "created_by",
    "full",
    "program_version",
    "schema_revision",
    "audit_seq",
    "counts",
    "members",
}


def _bad(message: str) -> BundleRefused:
    return refuse("manifest_invalid", f"数据包清单不符合格式：{message}")


def _str(obj: dict[str, Any], key: str, where: str, *, max_len: int = 200) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or len(value) > max_len:
        raise _bad(f"{where}{key} 应为不超过 {max_len} 个字符的文本")
    return value


def _uuid(value: Any, what: str) -> str:
    if not isinstance(value, str) or not UUID_RE.match(value):
        raise _bad(f"{what} 不是有效的 UUID")
    return value


def _party(obj: Any, what: str, *, organ_required: bool) -> Party:
    if not isinstance(obj, dict):
        raise _bad(f"{what} 应为对象")
    organ = obj.get("organ_id")
    if organ is not None or organ_required:
        organ = _uuid(organ, f"{what}.organ_id")
    area = _str(obj, "area_code", f"{what}.")
    if not AREA_RE.match(area):
        raise _bad(f"{what}.area_code 应为6位行政区划代码")
    return Party(organ, _str(obj, "name", f"{what}."), area)


def parse_manifest(obj: Any) -> Manifest:
    """Check the manifest's shape; the format version first, so a newer format gets its own message."""
    # The types come from the model; imported here so that a child process checking record lines
    # (which never parses a manifest) need not load it.
    from brigade_desk.core.sync.records import KIND_TYPES, TYPES

    if not isinstance(obj, dict):
        raise _bad("应为 JSON 对象")
    if obj.get("format") != FORMAT_NAME:
        raise refuse("not_a_bundle", "这不是 Brigade Desk 数据包（清单中没有本程序的格式标识）")
    version = obj.get("format_version")
    if version != FORMAT_VERSION:
        raise refuse(
            "format_version",
            f"数据包格式版本为 {version!r}，本程序只认识第 {FORMAT_VERSION} 版；请双方使用相同版本的程序",
        )
    keys = set(obj)
    if keys != _TOP:
        missing, extra = sorted(_TOP - keys), sorted(keys - _TOP)
        raise _bad(
            (f"缺少 {'、'.join(missing)}" if missing else "")
            + (f"多出 {'、'.join(e[:40] for e in extra[:5])}" if extra else "")
        )
    kind = obj["kind"]
    if kind not in KIND_TYPES:
        raise _bad(f"未知的数据包类型 {str(kind)[:40]}")
    sender_obj = obj["sender"]
    sender = _party(sender_obj, "sender", organ_required=True)
    sender_kind = _str(sender_obj, "kind", "sender.")
    if sender_kind not in ("township", "county"):
        raise _bad("sender.kind 应为 township 或 county")
    fingerprint = _str(sender_obj, "key_fingerprint", "sender.", max_len=40)
    if set(sender_obj) != {"organ_id", "name", "area_code", "kind", "key_fingerprint"}:
        raise _bad("sender 的字段不符")
    receiver_obj = obj["receiver"]
    receiver = _party(receiver_obj, "receiver", organ_required=False)
    if set(receiver_obj) != {"organ_id", "name", "area_code"}:
        raise _bad("receiver 的字段不符")
    sequence = obj["sequence"]
    if isinstance(sequence, bool) or not isinstance(sequence, int) or not 1 <= sequence < 2**31:
        raise _bad("sequence 应为正整数")
    previous = obj["previous_bundle_id"]
    if previous is not None:
        previous = _uuid(previous, "previous_bundle_id")
    if (previous is None) != (sequence == 1):
        raise _bad("只有第1号数据包没有前一个数据包的标识")
    try:
        created_at = datetime.fromisoformat(_str(obj, "created_at", ""))
        if created_at.tzinfo is None:
            raise ValueError
    except ValueError:
        raise _bad("created_at 应为带时区的时间") from None
    created_by = obj["created_by"]
    if not isinstance(created_by, dict) or set(created_by) != {"login", "name"}:
        raise _bad("created_by 应为 {login, name}")
    if not isinstance(obj["full"], bool):
        raise _bad("full 应为布尔值")
    audit_seq = obj["audit_seq"]
    audit_from = audit_to = None
    if audit_seq is not None:
        if (
            not isinstance(audit_seq, dict)
            or set(audit_seq) != {"from", "to"}
            or not all(type(audit_seq[k]) is int and audit_seq[k] >= 0 for k in ("from", "to"))
            or audit_seq["from"] > audit_seq["to"]
        ):
            raise _bad("audit_seq 应为 {from, to} 两个非负整数")
        audit_from, audit_to = audit_seq["from"], audit_seq["to"]
    counts = obj["counts"]
    if not isinstance(counts, dict):
        raise _bad("counts 应为对象")
    allowed = {t.name for t in KIND_TYPES[kind]}
    for name, count in counts.items():
        if name not in TYPES:
            raise refuse("unknown_type", f"数据包含有未知的记录类型“{str(name)[:40]}”")
        if name not in allowed:
            raise refuse("type_not_allowed", f"{kind} 数据包中不应有“{TYPES[name].label}”记录")
        if type(count) is not int or count < 0:
            raise _bad(f"counts.{name} 应为非负整数")
    members = obj["members"]
    if not isinstance(members, dict) or len(members) > MAX_MEMBERS:
        raise _bad("members 应为对象")
    parsed: dict[str, tuple[str, int]] = {}
    for name, entry in members.items():
        if not isinstance(name, str) or not MEMBER_RE.match(name):
            raise refuse("bad_member_name", f"清单中有不允许的成员名“{str(name)[:80]}”")
        if (
            not isinstance(entry, dict)
            or set(entry) != {"sha256", "size"}
            or not isinstance(entry["sha256"], str)
            or not SHA256_RE.match(entry["sha256"])
            or type(entry["size"]) is not int
            or entry["size"] < 0
        ):
            raise _bad(f"成员 {name} 的 sha256/size 不符")
        parsed[name] = (entry["sha256"], entry["size"])
    for name in counts:
        if records_member(name) not in parsed:
            raise _bad(f"counts 中有 {name}，但清单没有其记录成员")
    return Manifest(
        bundle_id=_uuid(obj["bundle_id"], "bundle_id"),
        kind=kind,
        sender=sender,
        sender_kind=sender_kind,
        key_fingerprint=fingerprint,
        receiver=receiver,
        sequence=sequence,
        previous_bundle_id=previous,
        created_at=created_at,
        created_by_login=_str(created_by, "login", "created_by."),
        created_by_name=_str(created_by, "name", "created_by."),
        full=obj["full"],
        program_version=_str(obj, "program_version", "", max_len=40),
        schema_revision=_str(obj, "schema_revision", "", max_len=40),
        audit_from=audit_from,
        audit_to=audit_to,
        counts=dict(counts),
        members=parsed,
        raw=obj,
    )
