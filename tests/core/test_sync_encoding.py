"""The fast paths of bundle encoding and decoding say exactly what the plain ones say.

Export on SQLite writes lines from stored values (`stored_line_encoder`), import checks the canonical
form with orjson and fields with generated checkers, and inserts with faster SQLite processors.
Each is held here to the reference it replaces, on every record type and on awkward values.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, MetaData, Table, create_engine, insert, select

from brigade_desk.core.canonical import canonical_json
from brigade_desk.core.sync.apply import _bind_processor
from brigade_desk.core.sync.lines import (
    Field,
    RecordError,
    RecordType,
    _checker,
    _fast_checker,
    convert_line,
    decode_line,
)
from brigade_desk.core.sync.records import TYPES, line_encoder, stored_line_encoder
from tests.core.sync_support import demo, make_town

AWKWARD = [
    "",
    "普通文本",
    'quote " backslash \\ slash /',
    "控制\x01字符\x1f与\n换行\r\t\b\f",
    "\x7f\u2028\u2029 emoji 😀",
    "长" * 500,
]
UUID = "01856c22-a928-7b4f-98e6-f6fba151c611"
SHA = "ab" * 32


def _value(field: Field, n: int) -> Any:
    """The n-th awkward value for a field of this kind (None for nullable fields on odd rows)."""
    if field.nullable and n % 2:
        return None
    kind = field.kind
    if kind == "uuid":
        return UUID
    if kind == "sha256":
        return SHA
    if kind == "str":
        text = AWKWARD[n % len(AWKWARD)]
        return text[: field.max_length] if field.max_length else text
    if kind == "int":
        return n if field.name == "version" else [0, -1, 2**62, 7][n % 4]
    if kind == "bool":
        return n % 4 < 2
    if kind == "date":
        return date(2026, 1, 1) + timedelta(days=n)
    if kind == "datetime":
        base = datetime(2026, 3, 1, 8, 30, tzinfo=UTC) + timedelta(days=n)
        return base.replace(microsecond=0 if n % 3 == 0 else 1234 * n)
    return [{"乙": [1, "二"], "a": None, "z": {"y": True, "b": "控制\x01"}}, [], {}][n % 3]


@pytest.mark.parametrize("type_name", sorted(TYPES))
def test_stored_values_encode_to_the_same_lines(type_name: str, tmp_path: Path) -> None:
    rtype = TYPES[type_name]
    if rtype.table is None:
        pytest.skip("receipts are built in Python, never read from a table")
    # The type's columns with their types, without the store's constraints, so any value fits.
    table = Table(rtype.table.name, MetaData(), *(Column(c.name, c.type) for c in rtype.table.columns))
    engine = create_engine(f"sqlite:///{tmp_path / 'enc.sqlite3'}")
    table.metadata.create_all(engine)
    rows = [
        {c.name: _value(f, n) if (f := _field(rtype, c.name)) else None for c in table.columns}
        for n in range(12)
    ]
    for n, row in enumerate(rows):  # distinct keys
        for key in rtype.key:
            if isinstance(row[key], str):
                row[key] = row[key][:-2] + f"{n:02d}"
            elif isinstance(row[key], date):
                row[key] = date(2020, 1, 1) + timedelta(days=n)
    with engine.begin() as conn:
        conn.execute(insert(table), rows)
        columns = [table.c[f.name] for f in rtype.fields]
        processed = conn.execute(select(*columns).order_by(*columns[:1])).all()
        stored = conn.exec_driver_sql(
            f"SELECT {', '.join(f'[{c.name}]' for c in columns)} FROM [{table.name}] ORDER BY [{columns[0].name}]"
        ).all()
    plain, fast = line_encoder(rtype), stored_line_encoder(rtype)
    assert [fast(tuple(r)) for r in stored] == [plain(tuple(r)) for r in processed]
    # and every such line is read back as valid (canonical form included)
    for r in processed:
        decode_line(rtype, plain(tuple(r)))


def _field(rtype: Any, name: str) -> Field | None:
    return next((f for f in rtype.fields if f.name == name), None)


def test_a_real_townships_rows_encode_to_the_same_lines(tmp_path: Path) -> None:
    town = make_town(tmp_path / "town")
    try:
        demo(town, 30)
        with town.store.read() as session:
            for rtype in (TYPES[n] for n in ("case", "party", "case_step", "audit_event", "user")):
                assert rtype.table is not None
                columns = [rtype.table.c[f.name] for f in rtype.fields]
                query = select(*columns).order_by(*rtype.table.primary_key.columns)
                processed = session.execute(query).all()
                stored = session.connection().exec_driver_sql(str(query.compile())).all()
                assert processed, rtype.name
                plain, fast = line_encoder(rtype), stored_line_encoder(rtype)
                assert [fast(tuple(r)) for r in stored] == [plain(tuple(r)) for r in processed]
    finally:
        town.close()


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63) + 1, 2**63 - 1) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES)
def test_orjson_sorted_output_is_the_canonical_form(value: Any) -> None:
    try:
        expected = canonical_json(value)
    except UnicodeEncodeError:  # lone surrogates: neither side can write them as UTF-8
        return
    assert orjson.dumps(value, option=orjson.OPT_SORT_KEYS) == expected


def test_non_canonical_lines_are_refused() -> None:
    rtype = TYPES["case_party"]
    data = {"case_id": UUID, "party_id": UUID[:-1] + "2", "role": "当事人"}
    good = line_encoder(rtype)(tuple(data[f.name] for f in rtype.fields))
    decode_line(rtype, good)
    obj = json.loads(good)
    for bad in (
        json.dumps(obj, ensure_ascii=False).encode(),  # white space
        json.dumps(obj, ensure_ascii=True, separators=(",", ":"), sort_keys=True).encode(),  # \\u escapes
        good.replace(b'{"data":{', b'{"data":{"role":"x",', 1),  # a duplicate key
    ):
        with pytest.raises(RecordError, match="不是规范形式"):
            decode_line(rtype, bad)


FIELD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**64), 2**64),
    st.floats(allow_nan=False),
    st.text(max_size=40),
    st.sampled_from(
        [
            UUID,
            UUID.upper(),
            SHA,
            "2026-02-30",
            "2026-03-01",
            "2026-03-01T08:00:00",
            "2026-03-01T08:00:00+08:00",
            "2026-03-01T08:00:00.5+00:00",
            "0001-01-01T00:00:00+08:00",
            "9999-12-31T23:59:59-08:00",
            "x\x00y",
            "长" * 300,
        ]
    ),
    st.lists(st.integers(), max_size=2),
)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(sorted(TYPES)), st.data())
def test_generated_checkers_agree_with_the_field_checkers(type_name: str, data: st.DataObject) -> None:
    rtype = TYPES[type_name]
    raw = {f.name: data.draw(FIELD_VALUES, label=f.name) for f in rtype.fields}
    expected: dict[str, Any] | str
    try:
        expected = {f.name: _checker(f)(raw[f.name]) for f in rtype.fields}
    except RecordError as exc:
        expected = str(exc)
    try:
        got: dict[str, Any] | str = _fast_checker(rtype)(raw)
    except RecordError as exc:
        got = str(exc)
    assert got == expected


# Text a line can carry: no surrogates (not UTF-8) and, in fields, no NUL.
LINE_TEXT = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
ZONES = st.sampled_from([UTC, timezone(timedelta(hours=8)), timezone(-timedelta(hours=5, minutes=30))])


def _valid(field: Field) -> st.SearchStrategy[Any]:
    """Values a line may carry for this field (what decode_line accepts)."""
    kind = field.kind
    strategy: st.SearchStrategy[Any]
    if kind == "uuid":
        strategy = st.uuids().map(str)
    elif kind == "sha256":
        strategy = st.binary(min_size=32, max_size=32).map(bytes.hex)
    elif kind == "str":
        strategy = st.text(LINE_TEXT, max_size=min(field.max_length or 40, 40))
    elif kind == "int":
        strategy = (
            st.integers(0, 2**31 - 1) if field.name == "version" else st.integers(-(2**63) + 1, 2**63 - 1)
        )
    elif kind == "bool":
        strategy = st.booleans()
    elif kind == "date":
        strategy = st.dates().map(date.isoformat)
    elif kind == "datetime":
        moments = st.datetimes(
            min_value=datetime(1000, 1, 2), max_value=datetime(9999, 12, 30), timezones=ZONES
        )
        strategy = moments.map(datetime.isoformat)
    else:
        strategy = st.recursive(
            st.booleans() | st.integers(-(2**63) + 1, 2**63 - 1) | st.text(LINE_TEXT),
            lambda inner: (
                st.lists(inner, max_size=3) | st.dictionaries(st.text(LINE_TEXT, max_size=5), inner)
            ),
            max_leaves=8,
        )
    return st.none() | strategy if field.nullable else strategy


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(sorted(TYPES)), st.data())
def test_converting_a_line_gives_the_record_decoding_gives(type_name: str, data: st.DataObject) -> None:
    """A large import converts lines unchecked while the file child checks them with decode_line:
    for every line decode_line accepts, convert_line must give the same record."""
    rtype = TYPES[type_name]
    raw = {f.name: data.draw(_valid(f), label=f.name) for f in rtype.fields}
    body = {
        "data": raw,
        "id": rtype.record_id(raw),
        "op": data.draw(st.sampled_from(sorted(rtype.ops))),
        "type": rtype.name,
        "version": raw["version"] if rtype.versioned else 0,
    }
    line = orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
    expected = decode_line(rtype, line)
    got = convert_line(rtype, line)
    assert got == expected
    assert {k: type(v) for k, v in got.data.items()} == {k: type(v) for k, v in expected.data.items()}
    for name, value in got.data.items():
        if isinstance(value, datetime):
            assert value.tzinfo is UTC, name


def test_converting_real_lines_gives_the_record_decoding_gives(tmp_path: Path) -> None:
    town = make_town(tmp_path / "town")
    demo(town, 6)
    with town.store.read() as session:
        for rtype in TYPES.values():
            if rtype.table is None:
                continue
            columns = [rtype.table.c[f.name] for f in rtype.fields]
            for row in session.execute(select(*columns)).all():
                line = line_encoder(rtype)(tuple(row))
                assert convert_line(rtype, line) == decode_line(rtype, line)


def test_sqlite_processors_store_what_sqlalchemy_stores(tmp_path: Path) -> None:
    rtype = TYPES["audit_event"]
    assert rtype.table is not None
    engine = create_engine(f"sqlite:///{tmp_path / 'p.sqlite3'}")
    at = rtype.table.c["at"].type
    dialect = engine.dialect
    ours, theirs = _bind_processor(at, dialect), at._cached_bind_processor(dialect)
    for value in (
        datetime(2026, 3, 1, 8, 0, tzinfo=UTC),
        datetime(2026, 3, 1, 8, 0, 0, 5, tzinfo=timezone(timedelta(hours=8))),
        datetime(999, 1, 2, 3, 4, 5, 999999, tzinfo=UTC),
        None,
    ):
        assert ours(value) == theirs(value)
    on = TYPES["case_step"].table.c["on"].type  # type: ignore[union-attr]
    ours, theirs = _bind_processor(on, dialect), on._cached_bind_processor(dialect)
    for day in (date(2026, 3, 1), date(999, 1, 2), datetime(2026, 3, 1, 23, 59, tzinfo=UTC), None):
        assert ours(day) == theirs(day)
    detail = rtype.table.c["detail"].type
    ours, theirs = _bind_processor(detail, dialect), detail._cached_bind_processor(dialect)
    for value in ({"乙": [1, None], "a": {"b": True}}, [], {}, None, "文本"):
        assert json.loads(ours(value)) == json.loads(theirs(value))


@pytest.mark.parametrize("type_name", sorted(TYPES))
def test_a_type_travels_to_the_checking_child_whole(type_name: str) -> None:
    """The child that checks a large import's lines gets each type as a JSON spec, not the model."""
    rtype = TYPES[type_name]
    again = RecordType.from_spec(json.loads(json.dumps(rtype.spec())))
    assert again == dataclasses.replace(rtype, table=None)
