"""Record lines: the types they follow, and reading and checking them; nothing of the model.

Every stream `records/<type>.jsonl` holds one canonical JSON object per line:

    {"data": {...}, "id": "…", "op": "upsert", "type": "case", "version": 3}

`data` carries exactly the type's fields. Reading checks every line against the type: no missing
or unknown field, each value of the right JSON type and within its length, UUIDs and hashes well
formed, `id` equal to the key in `data`. A bundle with one bad line is refused whole
(docs/bundle-format.md). The types themselves are derived from the model in core.sync.records;
this module needs none of it, so that the child process that checks a large import's lines
(core.sync.filework) starts without loading SQLAlchemy and the model (half a second of work).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

import orjson

from brigade_desk.core.timeutil import as_utc

if TYPE_CHECKING:
    from sqlalchemy import Table

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
AREA_RE = re.compile(r"^[0-9]{6}$")
RECORD_KEYS = frozenset({"type", "id", "version", "op", "data"})
MAX_LINE = 16 * 1024 * 1024  # one record's line; a longer one is refused before it is parsed


class RecordError(ValueError):
    """A line that does not fit its type; the message names the field and the problem (Chinese)."""


@dataclass(frozen=True)
class Field:
    name: str
    # uuid | sha256 | str | int | bool | date | datetime | json
    kind: str
    nullable: bool
    max_length: int | None = None


@dataclass(frozen=True)
class RecordType:
    name: str
    label: str
    fields: tuple[Field, ...]
    key: tuple[str, ...]
    # The table the records land in (None: receipts, which only update sync tables).
    table: Table | None
    versioned: bool
    # Which side owns (writes) records of this type: town | county.
    owner: str
    # upsert only, or upsert and delete (reference data the county removes).
    ops: frozenset[str] = frozenset({"upsert"})

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def record_id(self, data: Mapping[str, Any]) -> str:
        if len(self.key) == 1:
            return _key_text(data[self.key[0]])
        return "/".join([_key_text(data[k]) for k in self.key])

    def spec(self) -> dict[str, Any]:
        """What a process without the model needs to check lines of this type (`from_spec`)."""
        return {
            "name": self.name,
            "label": self.label,
            "fields": [[f.name, f.kind, f.nullable, f.max_length] for f in self.fields],
            "key": list(self.key),
            "versioned": self.versioned,
            "owner": self.owner,
            "ops": sorted(self.ops),
        }

    @staticmethod
    def from_spec(spec: dict[str, Any]) -> RecordType:
        return RecordType(
            name=spec["name"],
            label=spec["label"],
            fields=tuple(Field(*f) for f in spec["fields"]),
            key=tuple(spec["key"]),
            table=None,
            versioned=spec["versioned"],
            owner=spec["owner"],
            ops=frozenset(spec["ops"]),
        )


def _key_text(value: Any) -> str:
    if type(value) is str:
        return value
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# --- decoding ------------------------------------------------------------------------------------


class Record(NamedTuple):
    """One checked record (a named tuple: an import makes hundreds of thousands)."""

    type: RecordType
    id: str
    version: int
    op: str
    data: dict[str, Any]  # python values (dates, datetimes), ready for the table
    raw: dict[str, Any]  # the JSON form, kept for the quarantine and for digests


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise RecordError(f"字段“{key}”重复出现")
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise RecordError(f"不允许的数值 {name}")


def parse_json(text: bytes) -> Any:
    """Strict JSON: UTF-8, no duplicate keys, no NaN or Infinity."""
    try:
        return json.loads(text.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except UnicodeDecodeError as exc:
        raise RecordError("不是有效的 UTF-8 文本") from exc
    except json.JSONDecodeError as exc:
        raise RecordError(f"JSON 格式错误（{exc.msg}，第 {exc.colno} 列）") from exc


Checker = Callable[[Any], Any]


def _checker(field: Field) -> Checker:
    """A check-and-convert function for one field (built once per type: decoding is the hot loop)."""
    name, nullable, kind, max_length = field.name, field.nullable, field.kind, field.max_length

    def null() -> None:
        if nullable:
            return None
        raise RecordError(f"字段“{name}”不能为空")

    def text(value: Any) -> str:
        if type(value) is not str:
            raise RecordError(f"字段“{name}”应为文本")
        return value

    if kind == "json":
        return lambda v: null() if v is None else v

    if kind == "bool":

        def check_bool(v: Any) -> Any:
            if v is None:
                return null()
            if type(v) is not bool:
                raise RecordError(f"字段“{name}”应为布尔值")
            return v

        return check_bool
    if kind == "int":

        def check_int(v: Any) -> Any:
            if v is None:
                return null()
            if type(v) is not int:
                raise RecordError(f"字段“{name}”应为整数")
            if not -(2**63) < v < 2**63:
                raise RecordError(f"字段“{name}”的数值超出范围")
            return v

        return check_int
    if kind in ("uuid", "sha256"):
        pattern = UUID_RE if kind == "uuid" else SHA256_RE
        label = "UUID" if kind == "uuid" else "SHA-256 值"

        def check_pattern(v: Any) -> Any:
            if type(v) is not str:
                if v is None:
                    return null()
                raise RecordError(f"字段“{name}”应为文本")
            if not pattern.match(v):
                raise RecordError(f"字段“{name}”不是有效的 {label}：{v[:70]}")
            return v

        return check_pattern
    if kind == "date":

        def check_date(v: Any) -> Any:
            if v is None:
                return null()
            text(v)
            try:
                if len(v) != 10:
                    raise ValueError(v)
                return date.fromisoformat(v)
            except ValueError:
                raise RecordError(f"字段“{name}”应为日期 YYYY-MM-DD：{v[:40]}") from None

        return check_date
    if kind == "datetime":

        def check_datetime(v: Any) -> Any:
            if v is None:
                return null()
            text(v)
            try:
                parsed = datetime.fromisoformat(v)
            except ValueError:
                raise RecordError(f"字段“{name}”应为带时区的时间：{v[:40]}") from None
            if parsed.tzinfo is None:
                raise RecordError(f"字段“{name}”的时间缺少时区")
            try:
                return as_utc(parsed)
            except OverflowError:  # e.g. 0001-01-01T00:00+08:00 is before the first UTC moment
                raise RecordError(f"字段“{name}”的时间超出范围：{v[:40]}") from None

        return check_datetime

    def check_str(v: Any) -> Any:
        if type(v) is not str:
            if v is None:
                return null()
            raise RecordError(f"字段“{name}”应为文本")
        if max_length is not None and len(v) > max_length:
            raise RecordError(f"字段“{name}”超过 {max_length} 个字符")
        if "\x00" in v:
            raise RecordError(f"字段“{name}”含有空字符")
        return v

    return check_str


_CHECKERS: dict[str, tuple[tuple[str, Checker], ...]] = {}
_NAMES: dict[str, frozenset[str]] = {}


def _names(rtype: RecordType) -> frozenset[str]:
    found = _NAMES.get(rtype.name)
    if found is None:
        found = _NAMES[rtype.name] = frozenset(rtype.field_names)
    return found


def _checkers(rtype: RecordType) -> tuple[tuple[str, Checker], ...]:
    found = _CHECKERS.get(rtype.name)
    if found is None:
        found = _CHECKERS[rtype.name] = tuple((f.name, _checker(f)) for f in rtype.fields)
    return found


# The hot loop of an import: one generated function per type checks every field inline and returns
# the converted data. Any value it does not accept is handed to that field's `_checker`, which
# raises the field's own message (so the messages live in one place).
_INLINE: dict[str, str] = {
    "uuid": "if type(x) is str:\n  if not _uuid(x): _slow({i}, x)\nelif x is not None: _slow({i}, x)",
    "sha256": "if type(x) is str:\n  if not _sha(x): _slow({i}, x)\nelif x is not None: _slow({i}, x)",
    "str": (
        "if type(x) is str:\n  if {too_long}'\\x00' in x: _slow({i}, x)\nelif x is not None: _slow({i}, x)"
    ),
    "int": (
        "if type(x) is int:\n  if not -9223372036854775808 < x < 9223372036854775808: _slow({i}, x)\n"
        "elif x is not None: _slow({i}, x)"
    ),
    "bool": "if type(x) is not bool and x is not None: _slow({i}, x)",
    "date": (
        "if type(x) is str and len(x) == 10:\n  try: x = _date(x)\n  except ValueError: _slow({i}, x)\n"
        "elif x is not None: _slow({i}, x)"
    ),
    "datetime": (
        "if type(x) is str:\n  try: x = _datetime(x)\n  except ValueError: _slow({i}, x)\n"
        "  if x.tzinfo is not _UTC:\n    if x.tzinfo is None: _slow({i}, x.isoformat())\n"
        "    try: x = x.astimezone(_UTC)\n    except OverflowError: _slow({i}, x.isoformat())\n"
        "elif x is not None: _slow({i}, x)"
    ),
    "json": "",
}
_FAST: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def _fast_checker(rtype: RecordType) -> Callable[[dict[str, Any]], dict[str, Any]]:
    found = _FAST.get(rtype.name)
    if found is not None:
        return found
    slow = [check for _name, check in _checkers(rtype)]

    def _slow(i: int, value: Any) -> None:
        slow[i](value)  # raises the field's RecordError
        raise RecordError(f"字段“{rtype.fields[i].name}”的值不合规定")

    lines = ["def check(raw):"]
    for i, f in enumerate(rtype.fields):
        lines.append(f"  x = raw[{json.dumps(f.name)}]")
        if not f.nullable:
            lines.append(f"  if x is None: _slow({i}, x)")
        too_long = f"len(x) > {f.max_length} or " if f.max_length is not None else ""
        body = _INLINE[f.kind].format(i=i, too_long=too_long)
        lines += ["  " + line for line in body.splitlines()]
        lines.append(f"  v{i} = x")
    fields = ", ".join(f"{json.dumps(f.name)}: v{i}" for i, f in enumerate(rtype.fields))
    lines.append(f"  return {{{fields}}}")
    scope: dict[str, Any] = {
        "_slow": _slow,
        "_uuid": UUID_RE.match,
        "_sha": SHA256_RE.match,
        "_date": date.fromisoformat,
        "_datetime": datetime.fromisoformat,
        "_UTC": UTC,
    }
    exec(compile("\n".join(lines) + "\n", f"<record checker {rtype.name}>", "exec"), scope)
    check: Callable[[dict[str, Any]], dict[str, Any]] = scope["check"]
    _FAST[rtype.name] = check
    return check


_SORTED = orjson.OPT_SORT_KEYS
_SPECS: dict[
    str, tuple[str, frozenset[str], frozenset[str], Callable[[dict[str, Any]], dict[str, Any]], bool, str]
] = {}


def decode_line(rtype: RecordType, line: bytes) -> Record:
    """Parse and check one line; every problem is a RecordError naming it.

    The common case (a good line) is tested in one pass; anything unusual goes to `_decode_checked`,
    which finds the first problem and names it."""
    spec = _SPECS.get(rtype.name)
    if spec is None:
        spec = _SPECS[rtype.name] = (
            rtype.name,
            rtype.ops,
            _names(rtype),
            _fast_checker(rtype),
            rtype.versioned,
            rtype.key[0] if len(rtype.key) == 1 else "",
        )
    name, ops, names, check, versioned, single_key = spec
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError:
        return _decode_checked(rtype, line)
    if (
        type(obj) is dict
        and obj.keys() == RECORD_KEYS
        and obj["type"] == name
        and obj["op"] in ops
        and type(version := obj["version"]) is int
        and 0 <= version < 2**31
        and type(raw := obj["data"]) is dict
        and raw.keys() == names
        and len(line) <= MAX_LINE
    ):
        data = check(raw)
        record_id = obj["id"]
        if (
            type(record_id) is str
            # A text key is its own id; other keys (numbers, dates, several fields) are spelled out.
            and (raw.get(single_key) == record_id or record_id == rtype.record_id(raw))
            and (not versioned or data["version"] == version)
            # Only the canonical form is accepted: no duplicate keys, no other order, no white
            # space (orjson's sorted compact output is byte for byte core.canonical's).
            and orjson.dumps(obj, option=_SORTED) == line
        ):
            return Record(rtype, record_id, version, obj["op"], data, raw)
    return _decode_checked(rtype, line)


def _decode_checked(rtype: RecordType, line: bytes) -> Record:
    """decode_line, one check at a time, each with its own message."""
    if len(line) > MAX_LINE:
        raise RecordError(f"一条记录超过 {MAX_LINE // (1024 * 1024)} MB")
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            raise RecordError("不是有效的 UTF-8 文本") from exc
        raise RecordError(f"JSON 格式错误（{exc.msg}，第 {exc.colno} 列）") from exc
    if type(obj) is not dict:
        raise RecordError("每行应为一个 JSON 对象")
    if obj.keys() != RECORD_KEYS:
        keys = set(obj)
        missing, extra = sorted(RECORD_KEYS - keys), sorted(keys - RECORD_KEYS)
        raise RecordError(
            "记录结构不符"
            + (f"，缺少 {'、'.join(missing)}" if missing else "")
            + (f"，多出 {'、'.join(e[:40] for e in extra[:5])}" if extra else "")
        )
    if obj["type"] != rtype.name:
        raise RecordError(f"记录类型“{str(obj['type'])[:40]}”与所在数据流“{rtype.name}”不符")
    if obj["op"] not in rtype.ops:
        raise RecordError(f"不允许的操作“{str(obj['op'])[:20]}”")
    version = obj["version"]
    if type(version) is not int or version < 0 or version >= 2**31:
        raise RecordError("版本号应为非负整数")
    raw = obj["data"]
    if type(raw) is not dict:
        raise RecordError("data 应为 JSON 对象")
    if raw.keys() != _names(rtype):
        names = set(rtype.field_names)
        missing, extra = sorted(names - set(raw)), sorted(set(raw) - names)
        raise RecordError(
            "字段不符"
            + (f"，缺少 {'、'.join(missing)}" if missing else "")
            + (f"，未知字段 {'、'.join(e[:40] for e in extra[:5])}" if extra else "")
        )
    data = _fast_checker(rtype)(raw)
    if type(obj["id"]) is not str or obj["id"] != rtype.record_id(raw):
        raise RecordError("记录标识 id 与其数据中的主键不符")
    if rtype.versioned and data["version"] != version:
        raise RecordError("记录版本与其数据中的 version 不符")
    if orjson.dumps(obj, option=_SORTED) != line:
        raise RecordError("不是规范形式的 JSON（键重复、键的顺序或空白不符）")
    return Record(rtype, obj["id"], version, obj["op"], data, raw)


# --- converting lines another process checks ---------------------------------------------------------
#
# A large import hands the checking of its record lines to the file child (core.sync.filework),
# which runs `decode_line` over every stream on the other core, while this process converts the same
# lines without their checks and applies them; the commit waits for the child's verdict, and a
# refusal from it refuses the bundle (docs/decisions/sync-import-speed.md, session 4).

_CONVERTERS: dict[str, Callable[[bytes], Record]] = {}


def convert_line(rtype: RecordType, line: bytes) -> Record:
    """The Record `decode_line` would give for a line it accepts, without checking the line
    (tests/core/test_sync_encoding.py holds the two to that). A line it would refuse may give
    anything here, or raise any exception: only use this where `decode_line` runs over the same
    lines before anything is committed."""
    return converter(rtype)(line)


def converter(rtype: RecordType) -> Callable[[bytes], Record]:
    """`convert_line` for one type, looked up once for a whole stream."""
    convert = _CONVERTERS.get(rtype.name)
    if convert is None:
        convert = _CONVERTERS[rtype.name] = _converter(rtype)
    return convert


def _converter(rtype: RecordType) -> Callable[[bytes], Record]:
    lines = ["def convert(line):", "  obj = _loads(line)", "  data = (raw := obj['data']).copy()"]
    for f in rtype.fields:
        name = json.dumps(f.name)
        if f.kind == "date":
            lines.append(f"  if (x := raw[{name}]) is not None: data[{name}] = _date(x)")
        elif f.kind == "datetime":
            lines += [
                f"  if (x := raw[{name}]) is not None:",
                "    x = _datetime(x)",
                f"    data[{name}] = x if x.tzinfo is _UTC else x.astimezone(_UTC)",
            ]
    lines.append("  return _Record(_rtype, obj['id'], obj['version'], obj['op'], data, raw)")
    scope: dict[str, Any] = {
        "_loads": orjson.loads,
        "_date": date.fromisoformat,
        "_datetime": datetime.fromisoformat,
        "_UTC": UTC,
        "_Record": Record,
        "_rtype": rtype,
    }
    exec(compile("\n".join(lines) + "\n", f"<record converter {rtype.name}>", "exec"), scope)
    convert: Callable[[bytes], Record] = scope["convert"]
    return convert
