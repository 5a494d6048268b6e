"""Record types that travel in bundles, and their canonical JSON lines.

Every stream `records/<type>.jsonl` holds one canonical JSON object per line:

    {"data": {...}, "id": "…", "op": "upsert", "type": "case", "version": 3}

`data` carries exactly the type's fields (derived from the table's columns, minus what never
travels such as password hashes and sealed private keys). Reading checks every line against the
type: no missing or unknown field, each value of the right JSON type and within its length, UUIDs
and hashes well formed, `id` equal to the key in `data`. A bundle with one bad line is refused
whole (docs/bundle-format.md).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, NamedTuple, cast

import orjson
from sqlalchemy import JSON, BigInteger, Boolean, Date, Integer, String, Table, Text
from sqlalchemy.sql.schema import Column

from brigade_desk.core.canonical import canonical_text
from brigade_desk.core.model import (
    Approval,
    Attachment,
    AuditEvent,
    BenchmarkVersion,
    Case,
    CaseDiscretion,
    CaseOfficer,
    CaseParty,
    CasePowerItem,
    CaseStep,
    CollectiveDiscussion,
    CountyFormFile,
    Delivery,
    Document,
    Evidence,
    InvestigationRecord,
    LegalReview,
    Organ,
    Party,
    PowerItem,
    Setting,
    User,
    UserKey,
    VoidedNumber,
    WorkdayOverride,
)
from brigade_desk.core.model.base import Base, UTCDateTime
from brigade_desk.core.timeutil import as_utc

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


def _key_text(value: Any) -> str:
    if type(value) is str:
        return value
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _table(model: type[Base]) -> Table:
    return cast(Table, model.__table__)


def _kind_of(table: Table, column: Column[Any]) -> str:
    col_type = column.type
    if isinstance(col_type, UTCDateTime):
        return "datetime"
    if isinstance(col_type, Date):
        return "date"
    if isinstance(col_type, Boolean):
        return "bool"
    if isinstance(col_type, Integer | BigInteger):
        return "int"
    if isinstance(col_type, JSON):
        return "json"
    if isinstance(col_type, Text):
        return "str"
    if isinstance(col_type, String):
        targets = [(fk.column.table.name, fk.column.name) for fk in column.foreign_keys]
        if (table.name, column.name) == ("attachment", "sha256") or ("attachment", "sha256") in targets:
            return "sha256"
        if col_type.length == 36 and (column.primary_key or targets or column.name.endswith("_id")):
            return "uuid"
        return "str"
    raise TypeError(f"no bundle encoding for {table.name}.{column.name}: {col_type!r}")


def fields_of(
    model: type[Base], *, exclude: Iterable[str] = (), only: Iterable[str] | None = None, **kinds: str
) -> tuple[Field, ...]:
    table = _table(model)
    skip, wanted = set(exclude), set(only) if only is not None else None
    fields = []
    for column in table.columns:
        if column.name in skip or (wanted is not None and column.name not in wanted):
            continue
        kind = kinds.get(column.name) or _kind_of(table, column)
        length = getattr(column.type, "length", None) if kind == "str" else None
        fields.append(Field(column.name, kind, bool(column.nullable), length))
    return tuple(fields)


def _table_type(
    name: str,
    label: str,
    model: type[Base],
    owner: str,
    *,
    exclude: Iterable[str] = (),
    only: Iterable[str] | None = None,
    ops: frozenset[str] = frozenset({"upsert"}),
    **kinds: str,
) -> RecordType:
    table = _table(model)
    fields = fields_of(model, exclude=exclude, only=only, **kinds)
    key = tuple(c.name for c in table.primary_key.columns)
    return RecordType(
        name=name,
        label=label,
        fields=fields,
        key=key,
        table=table,
        versioned="version" in table.columns and any(f.name == "version" for f in fields),
        owner=owner,
        ops=ops,
    )


# --- the types, in the order a receiver applies them (references before what refers to them) ------

TOWN_TYPES: tuple[RecordType, ...] = (
    # The sender's own organ row; its parent and `is_self` are the sender's business.
    _table_type("organ", "执法主体", Organ, "town", exclude=("parent_id", "is_self")),
    # Officers and staff: never a password hash or lock-out counters.
    _table_type("user", "人员", User, "town", exclude=("password_hash", "failed_attempts", "locked_until")),
    # Public keys that verify reviewers' and leaders' signatures; the sealed private half stays home.
    _table_type("user_key", "人员签名公钥", UserKey, "town", exclude=("sealed",)),
    _table_type("party", "当事人", Party, "town"),
    # The catalogue belongs to the county: a township names the items its cases use, so the county
    # can match them by code and catalogue version; these records never change the county's catalogue.
    _table_type(
        "power_item_ref",
        "权责事项（对照）",
        PowerItem,
        "county",
        only=("id", "code", "catalogue_version", "name"),
    ),
    _table_type(
        "benchmark_ref",
        "裁量基准（对照）",
        BenchmarkVersion,
        "county",
        only=("id", "series", "version_number", "digest"),
    ),
    _table_type("attachment", "附件", Attachment, "town"),
    _table_type("case", "案件", Case, "town"),
    _table_type("case_party", "案件当事人", CaseParty, "town"),
    _table_type("case_officer", "案件承办人员", CaseOfficer, "town"),
    _table_type("case_power_item", "案件权责事项", CasePowerItem, "town"),
    _table_type("investigation_record", "笔录", InvestigationRecord, "town"),
    _table_type("evidence", "证据", Evidence, "town"),
    _table_type("case_step", "办案环节", CaseStep, "town"),
    _table_type("approval", "审批", Approval, "town"),
    _table_type("legal_review", "法制审核", LegalReview, "town"),
    _table_type("collective_discussion", "集体讨论", CollectiveDiscussion, "town"),
    _table_type("case_discretion", "裁量结果", CaseDiscretion, "town"),
    _table_type("document", "文书", Document, "town"),
    _table_type("delivery", "送达", Delivery, "town"),
    _table_type("voided_doc_number", "作废文号", VoidedNumber, "town"),
    # The township's full-process record; actor ids are empty for system events.
    _table_type("audit_event", "执法全过程记录", AuditEvent, "town", actor_id="str"),
)

COUNTY_SETTINGS = (
    "hearing_threshold_person_fen",
    "hearing_threshold_org_fen",
    "discussion_for_no_penalty_and_mitigation",
)

RECEIPT = RecordType(
    name="receipt",
    label="回执",
    fields=(
        Field("bundle_id", "uuid", False),
        Field("sequence", "int", False),
        Field("applied_at", "datetime", False),
        Field("outcome", "json", False),
        Field("rejected", "int", False),
    ),
    key=("bundle_id",),
    table=None,
    versioned=False,
    owner="county",
)
REJECTION = RecordType(
    name="rejection",
    label="回执：拒收的记录",
    fields=(
        Field("bundle_id", "uuid", False),
        Field("record_type", "str", False, 40),
        Field("record_id", "str", False, 80),
        Field("reason", "str", False, None),
    ),
    key=("bundle_id", "record_type", "record_id"),
    table=None,
    versioned=False,
    owner="county",
)

COUNTY_TYPES: tuple[RecordType, ...] = (
    _table_type("power_item", "权责事项", PowerItem, "county"),
    _table_type("discretion_benchmark", "裁量基准", BenchmarkVersion, "county"),
    _table_type(
        "workday_override", "工作日调整", WorkdayOverride, "county", ops=frozenset({"upsert", "delete"})
    ),
    _table_type("setting", "县级设定（听证、集体讨论标准）", Setting, "county"),
    # The county's roster: enforcement certificates of each township's officers.
    _table_type(
        "officer_certificate",
        "执法证信息",
        User,
        "county",
        only=(
            "id",
            "display_name",
            "certificate_no",
            "certificate_valid_from",
            "certificate_valid_to",
            "legal_review_qualified",
        ),
    ),
    # The county's form pack, always whole: the township replaces its copy with exactly these files
    # (an empty stream clears it), after checking they load together with the program's forms.
    _table_type("form_file", "文书格式", CountyFormFile, "county", sha256="sha256"),
    RECEIPT,
    REJECTION,
)

TYPES: dict[str, RecordType] = {t.name: t for t in (*TOWN_TYPES, *COUNTY_TYPES)}
KIND_TYPES: dict[str, tuple[RecordType, ...]] = {"town_data": TOWN_TYPES, "county_data": COUNTY_TYPES}


# --- encoding ------------------------------------------------------------------------------------


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


LineEncoder = Callable[[Sequence[Any]], bytes]
_ENCODERS: dict[str, LineEncoder] = {}


def line_encoder(rtype: RecordType) -> LineEncoder:
    """A function from a row's values, in the type's field order, to its canonical line."""
    found = _ENCODERS.get(rtype.name)
    if found is not None:
        return found
    names = rtype.field_names
    convert = [
        (i, names[i], f.kind == "date") for i, f in enumerate(rtype.fields) if f.kind in ("date", "datetime")
    ]
    key_idx = [names.index(k) for k in rtype.key]
    version_idx = names.index("version") if rtype.versioned else None
    type_name = rtype.name
    encode = canonical_text

    def line(values: Sequence[Any]) -> bytes:
        data = dict(zip(names, values, strict=True))
        for i, name, is_date in convert:
            value = values[i]
            if value is not None:
                data[name] = value.isoformat() if is_date else as_utc(value).isoformat()
        if len(key_idx) == 1:
            record_id = _key_text(values[key_idx[0]])
        else:
            record_id = "/".join(_key_text(values[i]) for i in key_idx)
        version = values[version_idx] if version_idx is not None else 0
        return encode(
            {"data": data, "id": record_id, "op": "upsert", "type": type_name, "version": version}
        ).encode("utf-8")

    _ENCODERS[rtype.name] = line
    return line


# --- encoding straight from SQLite's stored values ----------------------------------------------------
#
# On SQLite an export reads rows with the driver's own cursor (no SQLAlchemy result processing) and
# writes each line from a function generated for its type: stored text is escaped with the same C
# function the canonical encoder uses, datetimes are rewritten from SQLite's stored form, and only
# JSON columns are parsed and re-encoded. The output is byte for byte the line `line_encoder`
# makes from the processed row (tests/core/test_sync_encoding.py holds the two to that).

_ESCAPE = json.encoder.encode_basestring


def _stored_datetime(value: str) -> str:
    """SQLAlchemy stores naive UTC as 'YYYY-MM-DD HH:MM:SS.ffffff'; the line has the ISO form."""
    if len(value) == 26 and value[10] == " " and value[19] == ".":
        fraction = value[19:]
        return f'"{value[:10]}T{value[11:19]}{"" if fraction == ".000000" else fraction}+00:00"'
    return _ESCAPE(as_utc(datetime.fromisoformat(value)).isoformat())


def _stored_json(value: Any) -> str:
    if value == "{}" or value == "[]":
        return value  # type: ignore[no-any-return]
    return canonical_text(json.loads(value) if isinstance(value, str) else value)


_STORED: dict[str, str] = {
    "uuid": "_e(v[{i}])",
    "sha256": "_e(v[{i}])",
    "str": "_e(v[{i}])",
    "date": "_e(v[{i}])",
    "int": "str(v[{i}])",
    "bool": "('true' if v[{i}] else 'false')",
    "datetime": "_dt(v[{i}])",
    "json": "_js(v[{i}])",
}


def stored_line_encoder(rtype: RecordType) -> LineEncoder:
    """Like `line_encoder`, for rows of SQLite's stored values (dates and datetimes as text, booleans
    as 0/1, JSON as text)."""
    found = _STORED_ENCODERS.get(rtype.name)
    if found is not None:
        return found
    names = rtype.field_names
    # The line is literal text and one expression per value, joined once (adding the pieces one
    # by one would copy the growing line again for every field).
    pieces: list[str] = []
    text = '{"data":{'
    for n, (i, f) in enumerate(sorted(enumerate(rtype.fields), key=lambda pair: pair[1].name)):
        text += ("," if n else "") + json.dumps(f.name) + ":"
        pieces += [repr(text), f"('null' if v[{i}] is None else {_STORED[f.kind].format(i=i)})"]
        text = ""
    keys = [names.index(k) for k in rtype.key]
    pieces += [repr(text + '},"id":'), "_e(" + " + '/' + ".join(f"str(v[{i}])" for i in keys) + ")"]
    pieces.append(repr(f',"op":"upsert","type":{json.dumps(rtype.name)},"version":'))
    pieces.append(f"str(v[{names.index('version')}])" if rtype.versioned else "'0'")
    pieces.append(repr("}"))
    source = "def line(v):\n    return ''.join((" + ", ".join(pieces) + ")).encode('utf-8')\n"
    scope: dict[str, Any] = {"_e": _ESCAPE, "_dt": _stored_datetime, "_js": _stored_json}
    exec(compile(source, f"<stored line encoder {rtype.name}>", "exec"), scope)
    line: LineEncoder = scope["line"]
    _STORED_ENCODERS[rtype.name] = line
    return line


_STORED_ENCODERS: dict[str, LineEncoder] = {}


def as_values(rtype: RecordType, row: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(row[name] for name in rtype.field_names)


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
    convert = _CONVERTERS.get(rtype.name)
    if convert is None:
        convert = _CONVERTERS[rtype.name] = _converter(rtype)
    return convert(line)


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
