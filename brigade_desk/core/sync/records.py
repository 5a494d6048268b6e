"""Record types that travel in bundles, derived from the model, and how rows are written as lines.

`data` in a line carries exactly the type's fields: the table's columns, minus what never travels
such as password hashes and sealed private keys. How a line is read and checked lives in
core.sync.lines, which needs no model.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, cast

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
from brigade_desk.core.sync.lines import Field, RecordType, _key_text
from brigade_desk.core.timeutil import as_utc


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
