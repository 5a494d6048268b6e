"""Full-text case search that works for Chinese, the same on SQLite and PostgreSQL.

Neither backend segments Chinese: SQLite's ``trigram`` tokenizer silently finds nothing for a
two-character query such as 广告, and PostgreSQL's parsers know no Chinese words. So text is
tokenised here, in Python, and the databases only store and intersect the tokens (docs/search.md,
docs/decisions/search-bigrams.md).

What a query means, on both backends: the query is normalised (NFKC, lower case) and cut at spaces
and punctuation into chunks; every chunk must occur, exactly as typed, inside one field of the case
(case number, 案由, facts, place; each party's name, trade name, ID number, credit code, address and
name initials). A query that is one single character (the first key press) looks only at the narrow
fields — case number, party names, trade names, initials — with ``LIKE``. Results come newest
received first.

Tokens (one stream per case; phrases need positions):

- a run of CJK characters (any letters or digits that are not ASCII) gives its overlapping bigrams
  and then its last character alone: 占道经营 -> 占道 道经 经营 营. A query run of two or more
  characters is the phrase of its bigrams; the lone last character lets a run be anchored at its end
  and a single character be found anywhere (prefix query).
- an ASCII run (letters, digits) gives itself and itself reversed, for phrases that start or end in
  the middle of it (第12号, 12号 in 第112号, 浙a1 in 浙a12345); and, at the end of the stream, every
  suffix marked as a fragment, so that any piece of an ID number, credit code or phone number is a
  prefix of a token (330185199001011234 is found by 19900101). Tokens are cut to 24 characters;
  longer query runs become phrases of 24-character windows.
- marker tokens: a gap where runs of different kinds are separated by something, a junction where an
  ASCII run runs straight into a CJK run (it carries the CJK run's first character, so "第12号" needs
  no expensive prefix query on 号).

The marker characters come from the Unicode private use area: never letters, so never in a run of
user text. User input reaches the engines only as tokens made of letters, digits and these markers,
quoted — never as query syntax.

Storage:

- SQLite: ``case_search_fts``, a contentless FTS5 table over the token text (FTS5's ``ascii``
  tokenizer: it splits at the spaces and keeps every non-ASCII code point, so tokens arrive exactly as
  made here); ``case_search_doc`` maps its rowid to the case, with the sort key and the narrow text;
  ``case_search_source`` keeps the compressed document text, because deleting a row from a
  contentless FTS5 table needs the exact tokens it was given. Rowids ascend from the newest case, 32
  apart (a few neighbours are renumbered when a gap runs out), so FTS5 reads its doclists forwards
  and stops after one page, and the doclists stay small (rowid deltas are varints).
- PostgreSQL: ``case_search`` (case, sort key, narrow text) and ``case_search_document`` with a
  ``tsvector`` built from the same tokens — a literal with explicit positions: no parser, dictionary
  or stemming, what configuration 'simple' would give without re-parsing the tokens — GIN-indexed.
- Both: ``case_search_meta`` holds the tokenizer version of the stored rows and whether every case
  has been indexed (a store upgraded with cases has not).

Writers call `index_cases` / `index_parties` in their own write transaction; `rebuild_index` rebuilds
everything (after demo data, a big import, a tokenizer change: see `needs_rebuild`).
"""

from __future__ import annotations

import hashlib
import logging
import operator
import re
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from typing import Any, Final

from sqlalchemy import String, TextualSelect, bindparam, column, select, text
from sqlalchemy.orm import Session

from brigade_desk.core.model import Case, CaseParty, Party
from brigade_desk.core.text import pinyin_initials

log = logging.getLogger(__name__)

# Bump when the tokens change: stored tokens can then no longer be deleted, so the index is rebuilt.
TOKENIZER_VERSION: Final = 2
# ASCII tokens are cut to this many characters (18-character ID numbers and credit codes fit whole).
ASCII_WINDOW: Final = 24
# Longer queries are cut (a shorter query finds a superset, never fewer cases).
MAX_QUERY_CHARS: Final = 120
MAX_CHUNKS: Final = 12
BATCH_SIZE: Final = 1000
# Sort key: received time in whole seconds, then 20 bits of a hash of the id to order ties.
SORT_TIE_BITS: Final = 20
# SQLite rowids: spacing left between neighbours when they are (re)numbered.
DOC_GAP: Final = 32

FTS_TABLE: Final = "case_search_fts"
DOC_TABLE: Final = "case_search_doc"
SOURCE_TABLE: Final = "case_search_source"
PG_TABLE: Final = "case_search"  # case, sort key, narrow text: small, for one-character LIKE scans
PG_DOCUMENT_TABLE: Final = "case_search_document"  # case, sort key, tsvector: big, GIN-indexed
META_TABLE: Final = "case_search_meta"
PG_DOCUMENT_INDEX: Final = "ix_case_search_document"
# As migration 0003 creates it; rebuild_index drops it and builds it again after loading the rows.
PG_DOCUMENT_INDEX_SQL: Final = f"CREATE INDEX {PG_DOCUMENT_INDEX} ON {PG_DOCUMENT_TABLE} USING gin (document)"

Progress = Callable[[int, int], None]
"""progress(done, total): called after each batch; raising from it cancels (the caller rolls back)."""

_FIELD_SEPARATOR: Final = "\x1f"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_OTHER_CONTROL = re.compile(r"[\x00-\x1e\x7f]")
# Group 1: ASCII letters and digits; group 2: every other letter or digit (Han, kana, …).
_RUN = re.compile(r"([0-9a-z]+)|([^\W_0-9a-z]+)")
_CHUNK = re.compile(r"[^\W_]+")
# The same runs, and what separates them (a match with both groups empty).
_PIECE = re.compile(r"([0-9a-z]+)|([^\W_0-9a-z]+)|[\W_]+")
_GAP: Final = "\ue000"  # runs of different kinds with something between them
_REVERSED: Final = "\ue001"  # an ASCII run written backwards
_JUNCTION: Final = "\ue002"  # + first character of a CJK run that directly follows an ASCII run
_FRAGMENT: Final = "\ue003"  # + a suffix of an ASCII run


# --------------------------------------------------------------------------- tokenisation


def normalize(value: str) -> str:
    """NFKC and lower case; control characters become spaces (they separate fields)."""
    return _CONTROL.sub(" ", unicodedata.normalize("NFKC", value).lower())


def _normalize_fields(values: Iterable[str]) -> str:
    """The non-empty fields normalised and joined by the field separator (one pass, same result)."""
    joined = _FIELD_SEPARATOR.join(v for v in values if v)
    return _OTHER_CONTROL.sub(" ", unicodedata.normalize("NFKC", joined).lower())


def _bigrams(run: str) -> list[str]:
    return list(map(operator.add, run, run[1:]))


def _cjk_tokens(run: str) -> list[str]:
    """Overlapping bigrams, then the last character alone (it marks the end of the run)."""
    return [*_bigrams(run), run[-1]]


def tokenize(normalized: str) -> list[str]:
    """The tokens of normalised document text, in order (module doc)."""
    body: list[str] = []
    fragments: list[str] = []
    append = body.append
    previous = ""  # "a" after an ASCII run, "c" after a CJK run
    separated = False
    for ascii_run, cjk_run in _PIECE.findall(normalized):
        if ascii_run:
            if previous == "c" and separated:
                append(_GAP)
            whole, reversed_run, suffixes = _ascii_tokens(ascii_run)
            append(whole)
            append(reversed_run)
            fragments += suffixes
            previous, separated = "a", False
        elif cjk_run:
            if previous == "a":
                append(_GAP if separated else _JUNCTION + cjk_run[0])
            body += map(operator.add, cjk_run, cjk_run[1:])
            append(cjk_run[-1])
            previous, separated = "c", False
        else:
            separated = True
    if fragments:
        append(_GAP)
        body += fragments
    return body


@lru_cache(maxsize=1 << 16)
def _ascii_tokens(run: str) -> tuple[str, str, tuple[str, ...]]:
    """An ASCII run, the run reversed, and its suffixes marked as fragments (all cut to size)."""
    suffixes = tuple(_FRAGMENT + run[i : i + ASCII_WINDOW] for i in range(len(run)))
    return run[:ASCII_WINDOW], _REVERSED + run[::-1][:ASCII_WINDOW], suffixes


@dataclass(frozen=True)
class _Token:
    text: str
    prefix: bool = False


def _phrase(chunk: str) -> list[_Token]:
    """Adjacent tokens that occur exactly where `chunk` occurs inside a field."""
    runs = [(m.group(), m.lastindex == 1) for m in _RUN.finditer(chunk)]
    if len(runs) == 1:
        run, is_ascii = runs[0]
        if is_ascii:
            if len(run) <= ASCII_WINDOW:
                return [_Token(_FRAGMENT + run, prefix=True)]
            windows = range(len(run) - ASCII_WINDOW + 1)
            return [_Token(_FRAGMENT + run[i : i + ASCII_WINDOW]) for i in windows]
        if len(run) == 1:
            return [_Token(run, prefix=True)]  # a bigram starting with it, or it alone
        return [_Token(t) for t in _bigrams(run)]
    tokens: list[_Token] = []
    for i, (run, is_ascii) in enumerate(runs):
        first, last = i == 0, i == len(runs) - 1
        if is_ascii:
            reversed_run = _Token(_REVERSED + run[::-1][:ASCII_WINDOW], prefix=first)
            if first:  # ends where the chunk goes on: a suffix of a text run
                tokens.append(reversed_run)
            elif last:  # starts after the previous run: a prefix of a text run
                tokens.append(_Token(run[:ASCII_WINDOW], prefix=True))
            else:  # a whole text run
                tokens += [_Token(run[:ASCII_WINDOW]), reversed_run]
        else:
            if not first:  # follows an ASCII run directly
                tokens.append(_Token(_JUNCTION + run[0]))
            if last and not first:  # a prefix of a text run (one character: the junction says it)
                tokens += [_Token(t) for t in _bigrams(run)]
            else:  # the end of a text run (first) or a whole one (middle)
                tokens += [_Token(t) for t in _cjk_tokens(run)]
    return tokens


def query_chunks(query: str) -> list[str]:
    """The parts of a query between spaces and punctuation, normalised, without duplicates.

    Each must occur as it is in some field of a case; [] when nothing is searchable.
    """
    chunks: list[str] = []
    for match in _CHUNK.finditer(normalize(query)[:MAX_QUERY_CHARS]):
        if match.group() not in chunks:
            chunks.append(match.group())
    return chunks[:MAX_CHUNKS]


def _fts5_expression(chunks: Sequence[str]) -> str:
    phrases = [
        " + ".join(_fts5_string(t.text) + ("*" if t.prefix else "") for t in _phrase(c)) for c in chunks
    ]
    return " AND ".join(phrases)


def _fts5_string(value: str) -> str:
    # Tokens hold only letters, digits and markers; doubling quotes keeps that safe regardless.
    return '"' + value.replace('"', '""') + '"'


def _tsquery(chunks: Sequence[str]) -> str:
    phrases = [
        " <-> ".join(_ts_lexeme(t.text) + (":*" if t.prefix else "") for t in _phrase(c)) for c in chunks
    ]
    return " & ".join(f"({p})" for p in phrases)


def _ts_lexeme(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def _tsvector(tokens: Sequence[str]) -> str:
    """A tsvector literal with explicit positions (PostgreSQL keeps positions 1..16383)."""
    positions: dict[str, list[str]] = {}
    for position, token in enumerate(tokens, start=1):
        positions.setdefault(token, []).append(str(min(position, 16383)))
    return " ".join(f"{_ts_lexeme(token)}:{','.join(p[:256])}" for token, p in positions.items())


# --------------------------------------------------------------------------- documents


@dataclass(frozen=True)
class PartyFields:
    party_id: str
    name: str
    initials: str
    trade_name: str
    id_number: str
    credit_code: str
    address: str


@dataclass(frozen=True)
class CaseFields:
    case_id: str
    case_number: str
    summary: str
    facts: str
    place: str
    received_at: datetime
    parties: tuple[PartyFields, ...]


@dataclass(frozen=True)
class SearchDocument:
    case_id: str
    sort_key: int
    narrow: str  # normalised: case number, party names, trade names, initials
    source: str  # normalised text of every field, separated by \x1f; tokenize(source) is indexed


def build_document(fields: CaseFields) -> SearchDocument:
    parties = sorted(fields.parties, key=lambda p: p.party_id)
    wide = [fields.case_number, fields.summary, fields.facts, fields.place]
    narrow = [fields.case_number]
    for p in parties:
        wide += [p.name, p.trade_name, p.id_number, p.credit_code, p.address, p.initials]
        narrow += [p.name, p.trade_name, p.initials]
    return SearchDocument(
        fields.case_id,
        sort_key(fields.received_at, fields.case_id),
        _normalize_fields(narrow),
        _normalize_fields(wide),
    )


def sort_key(received_at: datetime, case_id: str) -> int:
    """Newest received first: whole seconds, then a stable hash of the id to order ties."""
    seconds = max(0, int(received_at.timestamp()))
    tie = int.from_bytes(hashlib.blake2b(case_id.encode(), digest_size=4).digest(), "big")
    return (seconds << SORT_TIE_BITS) | (tie & ((1 << SORT_TIE_BITS) - 1))


def _load_cases(session: Session, case_ids: Sequence[str]) -> list[CaseFields]:
    if not case_ids:
        return []
    connection = session.connection()  # Core results: no ORM row processing on this hot path
    rows = connection.execute(
        select(Case.id, Case.case_number, Case.summary, Case.facts, Case.place, Case.received_at).where(
            Case.id.in_(case_ids)
        )
    ).all()
    parties: dict[str, list[PartyFields]] = {}
    party_rows = connection.execute(
        select(
            CaseParty.case_id,
            Party.id,
            Party.name,
            Party.name_initials,
            Party.trade_name,
            Party.id_number,
            Party.credit_code,
            Party.address,
        )
        .join(Party, Party.id == CaseParty.party_id)
        .where(CaseParty.case_id.in_(case_ids))
    ).all()
    for case_id, party_id, name, initials, trade_name, id_number, credit_code, address in party_rows:
        parties.setdefault(case_id, []).append(
            PartyFields(
                party_id,
                name,
                initials or pinyin_initials(name),
                trade_name,
                id_number,
                credit_code,
                address,
            )
        )
    return [
        CaseFields(
            case_id,
            case_number or "",
            summary or "",
            facts or "",
            place or "",
            received_at,
            tuple(parties.get(case_id, ())),
        )
        for case_id, case_number, summary, facts, place, received_at in rows
    ]


def _chunks(items: Sequence[str], size: int = BATCH_SIZE) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --------------------------------------------------------------------------- storage


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _compress(source: str) -> bytes:
    return zlib.compress(source.encode(), 6)


def _decompress(blob: bytes) -> str:
    return zlib.decompress(blob).decode()


def _body(source: str) -> str:
    return " ".join(tokenize(source))


@dataclass(frozen=True)
class _Stored:
    case_id: str
    sort_key: int
    narrow: str
    doc_id: int = 0  # SQLite only
    source: str = ""  # SQLite only


def _stored(session: Session, case_ids: Sequence[str]) -> dict[str, _Stored]:
    if _is_sqlite(session):
        stmt = text(
            f"SELECT d.case_id, d.sort_key, d.narrow, d.doc_id, s.source FROM {DOC_TABLE} AS d "
            f"JOIN {SOURCE_TABLE} AS s ON s.doc_id = d.doc_id WHERE d.case_id IN :ids"
        ).bindparams(bindparam("ids", expanding=True))
        return {
            row[0]: _Stored(row[0], row[1], row[2], row[3], _decompress(row[4]))
            for row in session.execute(stmt, {"ids": list(case_ids)})
        }
    stmt = text(f"SELECT case_id, sort_key, narrow FROM {PG_TABLE} WHERE case_id IN :ids").bindparams(
        bindparam("ids", expanding=True)
    )
    return {row[0]: _Stored(row[0], row[1], row[2]) for row in session.execute(stmt, {"ids": list(case_ids)})}


def _free_sort_key(session: Session, key: int) -> int:
    """`key`, or the next one no other case holds (ties of one second in 2**20 collide rarely)."""
    table = DOC_TABLE if _is_sqlite(session) else PG_TABLE
    stmt = text(f"SELECT 1 FROM {table} WHERE sort_key = :key")
    while session.execute(stmt, {"key": key}).first() is not None:
        key += 1
    return key


@dataclass(frozen=True)
class _Prepared:
    """One row as the database takes it (SQLite: compressed source and token text)."""

    doc_id: int
    sort_key: int
    case_id: str
    narrow: str
    source: bytes
    body: str


def _prepare_sqlite(doc_id: int, d: SearchDocument) -> _Prepared:
    return _Prepared(doc_id, d.sort_key, d.case_id, d.narrow, _compress(d.source), _body(d.source))


def _pg_row(d: SearchDocument) -> tuple[object, ...]:
    return (d.case_id, d.sort_key, d.narrow, _tsvector(tokenize(d.source)))


class _SqliteIndex:
    """Rows of the FTS5 table, the doc map and the sources, kept in step."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def delete(self, rows: Sequence[_Stored]) -> None:
        if not rows:
            return
        self.session.execute(
            text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, body) VALUES ('delete', :doc_id, :body)"),
            [{"doc_id": r.doc_id, "body": _body(r.source)} for r in rows],
        )
        keys = [{"doc_id": r.doc_id} for r in rows]
        self.session.execute(text(f"DELETE FROM {DOC_TABLE} WHERE doc_id = :doc_id"), keys)
        self.session.execute(text(f"DELETE FROM {SOURCE_TABLE} WHERE doc_id = :doc_id"), keys)

    def insert(self, documents: Sequence[tuple[int, SearchDocument]]) -> None:
        self.insert_prepared([_prepare_sqlite(doc_id, d) for doc_id, d in documents])

    def insert_prepared(self, rows: Sequence[_Prepared]) -> None:
        session = self.session
        _insert_values(
            session,
            DOC_TABLE,
            ("doc_id", "sort_key", "case_id", "narrow"),
            [(r.doc_id, r.sort_key, r.case_id, r.narrow) for r in rows],
        )
        _insert_values(session, SOURCE_TABLE, ("doc_id", "source"), [(r.doc_id, r.source) for r in rows])
        _insert_values(session, FTS_TABLE, ("rowid", "body"), [(r.doc_id, r.body) for r in rows])

    def place(self, key: int) -> int:
        """A free rowid between the rowids of the neighbours: rowids ascend as sort keys descend."""
        while True:
            newer = self._neighbour(key, ">", "ASC")
            older = self._neighbour(key, "<", "DESC")
            if newer is None:  # the newest case (the usual one) goes before all others
                return DOC_GAP if older is None else older - DOC_GAP
            if older is None:
                return newer + DOC_GAP
            if older - newer > 1:
                return (newer + older) // 2
            self._spread_after(newer)

    def _neighbour(self, key: int, op: str, order: str) -> int | None:
        row = self.session.execute(
            text(
                f"SELECT doc_id FROM {DOC_TABLE} WHERE sort_key {op} :key ORDER BY sort_key {order} LIMIT 1"
            ),
            {"key": key},
        ).first()
        return None if row is None else int(row[0])

    def _spread_after(self, lo: int) -> None:
        """Renumber the rows after `lo` (as few as will do) so that a gap opens after it."""
        count = 8
        while True:
            following = list(
                self.session.execute(
                    text(f"SELECT doc_id FROM {DOC_TABLE} WHERE doc_id > :lo ORDER BY doc_id LIMIT :n"),
                    {"lo": lo, "n": count + 1},
                ).scalars()
            )
            if len(following) <= count:  # up to the end: full gaps, the first one left free
                self._move(following, [lo + DOC_GAP * (i + 2) for i in range(len(following))])
                return
            bound = following[count]
            if bound - lo >= 4 * (count + 1):
                step = (bound - lo) // (count + 1)
                self._move(following[:count], [lo + step * (i + 1) for i in range(count)])
                return
            count *= 2

    def _move(self, old_ids: Sequence[int], new_ids: Sequence[int]) -> None:
        rows = self.session.execute(
            text(
                f"SELECT d.doc_id, d.case_id, d.sort_key, d.narrow, s.source FROM {DOC_TABLE} AS d "
                f"JOIN {SOURCE_TABLE} AS s ON s.doc_id = d.doc_id WHERE d.doc_id IN :ids"
            ).bindparams(bindparam("ids", expanding=True)),
            {"ids": list(old_ids)},
        ).all()
        stored = {int(r[0]): _Stored(r[1], r[2], r[3], int(r[0]), _decompress(r[4])) for r in rows}
        moving = [stored[i] for i in old_ids]
        self.delete(moving)
        self.insert(
            [
                (new, SearchDocument(s.case_id, s.sort_key, s.narrow, s.source))
                for new, s in zip(new_ids, moving, strict=True)
            ]
        )


def _pg_insert(session: Session, rows: Sequence[tuple[object, ...]]) -> None:
    _insert_values(session, PG_TABLE, ("case_id", "sort_key", "narrow"), [row[:3] for row in rows])
    _insert_values(
        session,
        PG_DOCUMENT_TABLE,
        ("case_id", "sort_key", "document"),
        [(row[0], row[1], row[3]) for row in rows],
        "(%s, %s, CAST(%s AS tsvector))",
    )


def _pg_delete(session: Session, case_ids: Sequence[str]) -> None:
    if case_ids:
        for table in (PG_TABLE, PG_DOCUMENT_TABLE):
            session.execute(text(f"DELETE FROM {table} WHERE case_id = :id"), [{"id": c} for c in case_ids])


def _insert_values(
    session: Session,
    table: str,
    columns: Sequence[str],
    rows: Sequence[tuple[object, ...]],
    row_sql: str = "",
) -> None:
    """One INSERT with many VALUES rows: one round trip into the database per batch, which holds the
    GIL once instead of once per row (a worker thread may be busy tokenising meanwhile)."""
    if not rows:
        return
    marker = "?" if session.get_bind().dialect.paramstyle == "qmark" else "%s"
    row_sql = row_sql or "(" + ", ".join([marker] * len(columns)) + ")"
    for start in range(0, len(rows), BATCH_SIZE):
        part = rows[start : start + BATCH_SIZE]
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES " + ", ".join([row_sql] * len(part))
        session.connection().exec_driver_sql(sql, tuple(v for row in part for v in row))


def _meta(session: Session) -> dict[str, str]:
    rows = session.execute(text(f"SELECT key, value FROM {META_TABLE}")).all()
    return {str(row[0]): str(row[1]) for row in rows}


def _set_meta(session: Session, key: str, value: str) -> None:
    session.execute(text(f"DELETE FROM {META_TABLE} WHERE key = :key"), {"key": key})
    session.execute(
        text(f"INSERT INTO {META_TABLE} (key, value) VALUES (:key, :value)"), {"key": key, "value": value}
    )


# --------------------------------------------------------------------------- public API


def needs_rebuild(session: Session) -> bool:
    """True when the index misses cases (a store upgraded with data) or holds other tokens.

    Call at start-up; when true, run `rebuild_index` (with progress) before offering search.
    """
    meta = _meta(session)
    current = str(TOKENIZER_VERSION)
    return meta.get("tokenizer", current) != current or meta.get("complete") != "1"


def mark_for_rebuild(session: Session) -> None:
    """Flag the index as missing cases, so that `needs_rebuild` is true (after a big import, say,
    when one rebuild is quicker than indexing case by case)."""
    _set_meta(session, "complete", "0")


def index_cases(session: Session, case_ids: Iterable[str]) -> None:
    """Bring the search rows of these cases up to date, in the caller's write transaction.

    Call after a case is created, or its number, summary, facts, place, received time or parties
    changed, or after a linked party changed (`index_parties`). A case that no longer exists loses
    its row; a case whose text did not change keeps it, so calling this generously costs little.
    """
    ids = sorted(set(case_ids))
    if not ids:
        return
    version = _meta(session).get("tokenizer")
    if version is None:  # nothing indexed yet: the rows written now carry this version
        _set_meta(session, "tokenizer", str(TOKENIZER_VERSION))
    elif version != str(TOKENIZER_VERSION):
        # Rows written by other tokens cannot be deleted exactly; the pending rebuild covers them.
        log.warning("search index built by tokenizer %s; skipping update until it is rebuilt", version)
        return
    sqlite = _is_sqlite(session)
    for chunk in _chunks(ids):
        stored = _stored(session, chunk)
        for fields in _load_cases(session, chunk):
            new = build_document(fields)
            old = stored.pop(new.case_id, None)
            same_second = old is not None and old.sort_key >> SORT_TIE_BITS == new.sort_key >> SORT_TIE_BITS
            if old is not None and same_second:
                new = replace(new, sort_key=old.sort_key)  # keep its place among equal times
                if sqlite and (old.narrow, old.source) == (new.narrow, new.source):
                    continue
            if sqlite:
                _sqlite_reindex(_SqliteIndex(session), old, new, same_second)
            else:
                if old is not None:
                    _pg_delete(session, [old.case_id])
                if not same_second:
                    new = replace(new, sort_key=_free_sort_key(session, new.sort_key))
                _pg_insert(session, [_pg_row(new)])
        gone = list(stored.values())  # cases that no longer exist
        if sqlite:
            _SqliteIndex(session).delete(gone)
        else:
            _pg_delete(session, [s.case_id for s in gone])


def _sqlite_reindex(index: _SqliteIndex, old: _Stored | None, new: SearchDocument, keep_place: bool) -> None:
    if old is not None:
        index.delete([old])
    if old is not None and keep_place:
        doc_id = old.doc_id
    else:
        new = replace(new, sort_key=_free_sort_key(index.session, new.sort_key))
        doc_id = index.place(new.sort_key)
    index.insert([(doc_id, new)])


def index_parties(session: Session, party_ids: Iterable[str]) -> None:
    """Re-index every case linked to these parties (after a party's name, numbers or address changed)."""
    ids = sorted(set(party_ids))
    case_ids: set[str] = set()
    for chunk in _chunks(ids):
        case_ids.update(
            session.execute(select(CaseParty.case_id).where(CaseParty.party_id.in_(chunk))).scalars()
        )
    index_cases(session, case_ids)


def rebuild_index(session: Session, progress: Progress | None = None) -> int:
    """Index every case from scratch, in batches; returns the number of cases indexed.

    Runs in the caller's write transaction: nothing changes if it fails or `progress` raises.
    """
    sqlite = _is_sqlite(session)
    # Every case's sort key first: SQLite rowids are handed out in that order, DOC_GAP apart.
    wanted = sorted(
        (sort_key(received_at, case_id), case_id)
        for case_id, received_at in session.connection().execute(select(Case.id, Case.received_at))
    )
    keyed: list[tuple[int, str]] = []
    for key, case_id in wanted:  # a collision takes the next free key, as index_cases does
        if keyed and key <= keyed[-1][0]:
            key = keyed[-1][0] + 1
        keyed.append((key, case_id))
    keyed.reverse()  # newest first: the order of SQLite's rowids
    total = len(keyed)
    if sqlite:
        session.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')"))
        session.execute(text(f"DELETE FROM {DOC_TABLE}"))
        session.execute(text(f"DELETE FROM {SOURCE_TABLE}"))
        # Bulk load: a bigger in-memory batch and no merging on the way; one optimize at the end.
        _fts_config(session, "hashsize", 32 << 20)
        _fts_config(session, "automerge", 0)
    else:
        # TRUNCATE leaves no dead rows behind; the GIN index is built once, after the rows.
        session.execute(text(f"TRUNCATE {PG_TABLE}, {PG_DOCUMENT_TABLE}"))
        session.execute(text(f"DROP INDEX IF EXISTS {PG_DOCUMENT_INDEX}"))
    if progress is not None:
        progress(0, total)
    index = _SqliteIndex(session)

    def prepare(start: int, fields: dict[str, CaseFields]) -> list[Any]:
        """Tokens and compression of one batch, in a worker thread while the batch before is written
        (sqlite3 and psycopg release the GIL while the database works)."""
        documents = [
            (DOC_GAP * (start + i + 1), replace(build_document(fields[case_id]), sort_key=key))
            for i, (key, case_id) in enumerate(keyed[start : start + BATCH_SIZE])
            if case_id in fields
        ]
        if sqlite:
            return [_prepare_sqlite(doc_id, d) for doc_id, d in documents]
        return [_pg_row(d) for _, d in documents]

    def load(start: int) -> dict[str, CaseFields]:
        ids = [case_id for _, case_id in keyed[start : start + BATCH_SIZE]]
        return {f.case_id: f for f in _load_cases(session, ids)}

    # Reads happen while the worker is idle: a read takes the GIL back once per row, and would wait
    # behind a busy worker each time. Writes are one statement per table and batch.
    starts = range(0, total, BATCH_SIZE)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="search-rebuild") as worker:
        future = worker.submit(prepare, 0, load(0)) if total else None
        for start in starts:
            assert future is not None
            rows = future.result()
            following = start + BATCH_SIZE
            future = worker.submit(prepare, following, load(following)) if following < total else None
            if sqlite:
                index.insert_prepared(rows)
            else:
                _pg_insert(session, rows)
            if progress is not None:
                progress(min(following, total), total)
    if sqlite:
        session.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')"))
        _fts_config(session, "hashsize", 1 << 20)  # FTS5's defaults again for everyday writes
        _fts_config(session, "automerge", 4)
    else:
        session.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
        session.execute(text(PG_DOCUMENT_INDEX_SQL))
        session.execute(text(f"ANALYZE {PG_TABLE}"))
        session.execute(text(f"ANALYZE {PG_DOCUMENT_TABLE}"))
    _set_meta(session, "tokenizer", str(TOKENIZER_VERSION))
    _set_meta(session, "complete", "1")
    return total


def _fts_config(session: Session, name: str, value: int) -> None:
    session.execute(
        text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES (:name, :value)"),
        {"name": name, "value": value},
    )


def search_case_ids(session: Session, query: str, limit: int, offset: int = 0) -> list[str]:
    """Ids of the cases matching `query`, newest received first; [] for an empty query."""
    chunks = query_chunks(query)
    if not chunks or limit <= 0:
        return []
    params: dict[str, object] = {"limit": limit, "offset": max(0, offset)}
    sqlite = _is_sqlite(session)
    if _is_single_character(chunks):
        params["pattern"] = _like_pattern(chunks[0])
        table, order = (DOC_TABLE, "doc_id") if sqlite else (PG_TABLE, "sort_key")
        stmt = (
            f"SELECT case_id FROM {table} WHERE narrow LIKE :pattern ESCAPE '\\' "
            f"ORDER BY {order} {'ASC' if sqlite else 'DESC'} LIMIT :limit OFFSET :offset"
        )
    elif sqlite:
        params["match"] = _fts5_expression(chunks)
        stmt = (
            f"SELECT d.case_id FROM (SELECT rowid AS doc_id FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :match "
            f"ORDER BY rowid LIMIT :limit OFFSET :offset) AS m "
            f"JOIN {DOC_TABLE} AS d ON d.doc_id = m.doc_id ORDER BY m.doc_id"
        )
    else:
        params["tsquery"] = _tsquery(chunks)
        stmt = (
            # Matches first (GIN), then the order: left to itself the planner walks the sort-key index
            # backwards testing every row, which is slow for any query that is not very common.
            f"WITH m AS MATERIALIZED (SELECT case_id, sort_key FROM {PG_DOCUMENT_TABLE} "
            "WHERE document @@ CAST(:tsquery AS tsquery)) "
            "SELECT case_id FROM m ORDER BY sort_key DESC LIMIT :limit OFFSET :offset"
        )
    return [str(case_id) for case_id in session.execute(text(stmt), params).scalars()]


def matching_case_ids(session: Session, query: str) -> TextualSelect | None:
    """Every case matching `query` as a SQL subquery (one `case_id` column), for combining with the
    case list's other filters inside the database: no cap on the number of matches and no id list
    sent back to SQL. None for an empty query."""
    chunks = query_chunks(query)
    if not chunks:
        return None
    sqlite = _is_sqlite(session)
    if _is_single_character(chunks):
        table = DOC_TABLE if sqlite else PG_TABLE
        stmt = text(f"SELECT case_id FROM {table} WHERE narrow LIKE :search_pattern ESCAPE '\\'")
        stmt = stmt.bindparams(search_pattern=_like_pattern(chunks[0]))
    elif sqlite:
        stmt = text(
            f"SELECT d.case_id FROM {FTS_TABLE} JOIN {DOC_TABLE} AS d ON d.doc_id = {FTS_TABLE}.rowid "
            f"WHERE {FTS_TABLE} MATCH :search_match"
        ).bindparams(search_match=_fts5_expression(chunks))
    else:
        stmt = text(
            f"SELECT case_id FROM {PG_DOCUMENT_TABLE} WHERE document @@ CAST(:search_tsquery AS tsquery)"
        ).bindparams(search_tsquery=_tsquery(chunks))
    return stmt.columns(column("case_id", String))


def count_matches(session: Session, query: str) -> int:
    """How many cases `search_case_ids` would list for `query` in all."""
    chunks = query_chunks(query)
    if not chunks:
        return 0
    sqlite = _is_sqlite(session)
    if _is_single_character(chunks):
        table = DOC_TABLE if sqlite else PG_TABLE
        stmt = f"SELECT count(*) FROM {table} WHERE narrow LIKE :pattern ESCAPE '\\'"
        params = {"pattern": _like_pattern(chunks[0])}
    elif sqlite:
        stmt = f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :match"
        params = {"match": _fts5_expression(chunks)}
    else:
        stmt = f"SELECT count(*) FROM {PG_DOCUMENT_TABLE} WHERE document @@ CAST(:tsquery AS tsquery)"
        params = {"tsquery": _tsquery(chunks)}
    return int(session.execute(text(stmt), params).scalar_one())


def _is_single_character(chunks: Sequence[str]) -> bool:
    return len(chunks) == 1 and len(chunks[0]) == 1


def _like_pattern(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
