"""Full-text case search that works for Chinese, the same on SQLite and PostgreSQL.

Neither backend segments Chinese: SQLite's ``trigram`` tokenizer silently finds nothing for a
two-character query such as 广告, and PostgreSQL's parsers know no Chinese words. So the text is
tokenised here, in Python, and the database only stores and intersects the tokens
(docs/search.md, docs/decisions/search-bigrams.md):

- Text is normalised (NFKC, lower case; full-width Ａ１ becomes a1).
- A run of CJK characters (any letters or digits that are not ASCII) becomes its overlapping
  bigrams plus its last character alone: 占道经营 -> 占道 道经 经营 营. A query run of two or more
  characters is the phrase of its bigrams (exactly "this substring occurs"); a query of one character
  is a prefix query on the tokens, which finds it at any place thanks to the lone last character.
- A run of ASCII letters and digits becomes all of its suffixes (each cut to 24 characters):
  33018519900101 -> 33018519900101 3018519900101 … 1. A query run is a prefix query, so any
  fragment of an ID number, credit code, case number or telephone number is found
  ("substring" = "prefix of a suffix"). Runs longer than 24 characters query as a phrase of windows.
- Pinyin initials of party names (张三 -> zs) are one more field of ASCII text.

Query semantics, on both backends: the query is cut into runs (CJK or ASCII); every run must occur as
a substring of some field of the case; runs are not required to be adjacent to each other. A query
that is a single character (the first key press) looks only at the narrow fields — case number, party
names, trade names and initials — with ``LIKE``. Syntax characters of the engines never reach them:
only tokens made of letters and digits are written into the MATCH / tsquery text.

Storage:

- SQLite: ``case_search_fts``, a contentless FTS5 table (unicode61 over the pre-tokenised text) whose
  rowid is the case's sort key; ``case_search_doc`` maps the sort key to the case and holds the narrow
  text; ``case_search_source`` keeps the compressed document text, because deleting a row from a
  contentless FTS5 table needs the exact tokens it was given.
- PostgreSQL: ``case_search`` with a ``tsvector`` column built from the same tokens (explicit
  positions, no parser or dictionary involved) and a GIN index.
- Both: ``case_search_meta`` records the tokenizer version and whether every case has been indexed.

The sort key orders results newest received first: the received time in whole seconds, shifted left
20 bits, plus 20 bits of a hash of the case id (bumped on the rare collision). SQLite's FTS5 walks its
rowids in that order and stops after one page.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import Session

from brigade_desk.core.model import Case, CaseParty, Party
from brigade_desk.core.text import pinyin_initials

log = logging.getLogger(__name__)

# Bump when the tokens change: stored tokens can then no longer be deleted, so the index is rebuilt.
TOKENIZER_VERSION: Final = 1
# ASCII tokens are cut to this many characters (18-character ID numbers and credit codes fit whole).
ASCII_WINDOW: Final = 24
# Longer queries are cut (a shorter query finds a superset, never fewer cases).
MAX_QUERY_CHARS: Final = 120
MAX_CHUNKS: Final = 12
BATCH_SIZE: Final = 1000
SORT_TIE_BITS: Final = 20

FTS_TABLE: Final = "case_search_fts"
DOC_TABLE: Final = "case_search_doc"
SOURCE_TABLE: Final = "case_search_source"
PG_TABLE: Final = "case_search"
META_TABLE: Final = "case_search_meta"

Progress = Callable[[int, int], None]
"""progress(done, total): called after each batch; raising from it cancels (the caller rolls back)."""

_FIELD_SEPARATOR: Final = "\x1f"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Group 1: ASCII letters and digits; group 2: every other letter or digit (Han, kana, …).
_RUN = re.compile(r"([0-9a-z]+)|([^\W_0-9a-z]+)")
# Private-use characters: never part of a run (they are not letters), but token characters to
# unicode61, so these tokens can never be confused with text.
_GAP: Final = "\ue000"  # between runs of different kinds that something separates
_REVERSED: Final = "\ue001"  # marks an ASCII run written backwards


# --------------------------------------------------------------------------- tokenisation


def normalize(value: str) -> str:
    """NFKC and lower case; control characters become spaces (they separate fields)."""
    return _CONTROL.sub(" ", unicodedata.normalize("NFKC", value).lower())


def _cjk_tokens(run: str) -> list[str]:
    """Overlapping bigrams, then the last character alone (it marks the end of the run)."""
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)] + [run[-1]]


def tokenize(normalized: str) -> list[str]:
    """The tokens of normalised document text, in order (positions matter for phrases).

    The body holds, run by run: CJK bigrams and the run's last character; for an ASCII run the run
    itself and the run reversed (so a query may start in the middle of it, "12号" in "第112号");
    a gap token where runs of different kinds do not touch. After a gap token follow the fragments:
    every suffix of every ASCII run, so that a fragment is a prefix of one of them.
    """
    body: list[str] = []
    fragments: list[str] = []
    last_end, last_ascii = -1, False
    for match in _RUN.finditer(normalized):
        run, is_ascii = match.group(), match.lastindex == 1
        if last_end >= 0 and is_ascii != last_ascii and match.start() != last_end:
            body.append(_GAP)
        if is_ascii:
            body.append(run[:ASCII_WINDOW])
            body.append(_REVERSED + run[::-1][:ASCII_WINDOW])
            fragments.extend(run[i : i + ASCII_WINDOW] for i in range(len(run)))
        else:
            body.extend(_cjk_tokens(run))
        last_end, last_ascii = match.end(), is_ascii
    return [*body, _GAP, *fragments] if fragments else body


@dataclass(frozen=True)
class _Token:
    text: str
    prefix: bool = False


def _phrase(chunk: str) -> list[_Token]:
    """Adjacent tokens that occur exactly where `chunk` occurs as a substring of a field."""
    runs = [(m.group(), m.lastindex == 1) for m in _RUN.finditer(chunk)]
    if len(runs) == 1:
        run, is_ascii = runs[0]
        if len(run) == 1 or (is_ascii and len(run) <= ASCII_WINDOW):
            return [_Token(run, prefix=True)]  # a bigram or suffix starting with it
        size = ASCII_WINDOW if is_ascii else 2
        return [_Token(run[i : i + size]) for i in range(len(run) - size + 1)]
    tokens: list[_Token] = []
    for i, (run, is_ascii) in enumerate(runs):
        first, last = i == 0, i == len(runs) - 1
        if is_ascii:
            reversed_run = _Token(_REVERSED + run[::-1][:ASCII_WINDOW], prefix=first)
            if first:  # the run ends here: a suffix of a text run
                tokens.append(reversed_run)
            elif last:  # the run starts here: a prefix of a text run
                tokens.append(_Token(run[:ASCII_WINDOW], prefix=True))
            else:  # a whole run
                tokens += [_Token(run[:ASCII_WINDOW]), reversed_run]
        elif last:  # starts a text run: its bigrams, or any token starting with its one character
            tokens += [_Token(t) for t in _cjk_tokens(run)[:-1]] or [_Token(run, prefix=True)]
        else:  # ends a text run (first) or is one (middle): bigrams and the lone last character
            tokens += [_Token(t) for t in _cjk_tokens(run)]
    return tokens


def query_chunks(query: str) -> list[str]:
    """The parts of a query between spaces and punctuation, normalised, without duplicates.

    Each must occur as it is in some field of a case; [] when nothing is searchable.
    """
    chunks: list[str] = []
    for match in re.finditer(r"[^\W_]+", normalize(query)[:MAX_QUERY_CHARS]):
        if match.group() not in chunks:
            chunks.append(match.group())
    return chunks[:MAX_CHUNKS]


def _fts5_expression(chunks: Sequence[str]) -> str:
    phrases = [
        " + ".join(_fts5_string(t.text) + ("*" if t.prefix else "") for t in _phrase(c)) for c in chunks
    ]
    return " AND ".join(phrases)


def _fts5_string(value: str) -> str:
    # Tokens hold only letters, digits and our markers; doubling quotes keeps that safe regardless.
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
        _FIELD_SEPARATOR.join(normalize(v) for v in narrow if v),
        _FIELD_SEPARATOR.join(normalize(v) for v in wide if v),
    )


def sort_key(received_at: datetime, case_id: str) -> int:
    """Newest received first: whole seconds, then a stable hash of the id to order ties."""
    seconds = max(0, int(received_at.timestamp()))
    tie = int.from_bytes(hashlib.blake2b(case_id.encode(), digest_size=4).digest(), "big")
    return (seconds << SORT_TIE_BITS) | (tie & ((1 << SORT_TIE_BITS) - 1))


def _load_cases(session: Session, case_ids: Sequence[str]) -> list[CaseFields]:
    if not case_ids:
        return []
    rows = session.execute(
        select(Case.id, Case.case_number, Case.summary, Case.facts, Case.place, Case.received_at).where(
            Case.id.in_(case_ids)
        )
    ).all()
    parties: dict[str, list[PartyFields]] = {}
    party_rows = session.execute(
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


# --------------------------------------------------------------------------- backend


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _chunks(items: Sequence[str], size: int = BATCH_SIZE) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _compress(source: str) -> bytes:
    return zlib.compress(source.encode(), 6)


def _decompress(blob: bytes) -> str:
    return zlib.decompress(blob).decode()


@dataclass(frozen=True)
class _Stored:
    sort_key: int
    narrow: str
    source: str | None  # SQLite only


def _stored(session: Session, case_ids: Sequence[str]) -> dict[str, _Stored]:
    if _is_sqlite(session):
        stmt = text(
            f"SELECT d.case_id, d.doc_id, d.narrow, s.source FROM {DOC_TABLE} AS d "
            f"JOIN {SOURCE_TABLE} AS s ON s.doc_id = d.doc_id WHERE d.case_id IN :ids"
        ).bindparams(bindparam("ids", expanding=True))
        return {
            row[0]: _Stored(row[1], row[2], _decompress(row[3]))
            for row in session.execute(stmt, {"ids": list(case_ids)})
        }
    stmt = text(f"SELECT case_id, sort_key, narrow FROM {PG_TABLE} WHERE case_id IN :ids").bindparams(
        bindparam("ids", expanding=True)
    )
    return {row[0]: _Stored(row[1], row[2], None) for row in session.execute(stmt, {"ids": list(case_ids)})}


def _delete(session: Session, stored: dict[str, _Stored]) -> None:
    if not stored:
        return
    if _is_sqlite(session):
        session.execute(
            text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, body) VALUES ('delete', :doc_id, :body)"),
            [{"doc_id": s.sort_key, "body": " ".join(tokenize(s.source or ""))} for s in stored.values()],
        )
        keys = [{"doc_id": s.sort_key} for s in stored.values()]
        session.execute(text(f"DELETE FROM {DOC_TABLE} WHERE doc_id = :doc_id"), keys)
        session.execute(text(f"DELETE FROM {SOURCE_TABLE} WHERE doc_id = :doc_id"), keys)
    else:
        session.execute(
            text(f"DELETE FROM {PG_TABLE} WHERE case_id = :case_id"), [{"case_id": c} for c in stored]
        )


def _taken_keys(session: Session, keys: Sequence[int]) -> set[int]:
    table, column = (DOC_TABLE, "doc_id") if _is_sqlite(session) else (PG_TABLE, "sort_key")
    stmt = text(f"SELECT {column} FROM {table} WHERE {column} IN :keys").bindparams(
        bindparam("keys", expanding=True)
    )
    return {row[0] for row in session.execute(stmt, {"keys": list(keys)})}


def _insert(session: Session, documents: Sequence[SearchDocument]) -> None:
    if not documents:
        return
    if _is_sqlite(session):
        session.execute(
            text(f"INSERT INTO {DOC_TABLE} (doc_id, case_id, narrow) VALUES (:doc_id, :case_id, :narrow)"),
            [{"doc_id": d.sort_key, "case_id": d.case_id, "narrow": d.narrow} for d in documents],
        )
        session.execute(
            text(f"INSERT INTO {SOURCE_TABLE} (doc_id, source) VALUES (:doc_id, :source)"),
            [{"doc_id": d.sort_key, "source": _compress(d.source)} for d in documents],
        )
        session.execute(
            text(f"INSERT INTO {FTS_TABLE} (rowid, body) VALUES (:doc_id, :body)"),
            [{"doc_id": d.sort_key, "body": " ".join(tokenize(d.source))} for d in documents],
        )
    else:
        session.execute(
            text(
                f"INSERT INTO {PG_TABLE} (case_id, sort_key, narrow, document) "
                "VALUES (:case_id, :sort_key, :narrow, CAST(:document AS tsvector))"
            ),
            [
                {
                    "case_id": d.case_id,
                    "sort_key": d.sort_key,
                    "narrow": d.narrow,
                    "document": _tsvector(tokenize(d.source)),
                }
                for d in documents
            ],
        )


def _with_free_keys(
    documents: Sequence[SearchDocument], taken: Callable[[Sequence[int]], set[int]], keep: dict[str, int]
) -> list[SearchDocument]:
    """Give each document a sort key no other case holds (bumping by one on a collision)."""
    result: list[SearchDocument] = []
    used: set[int] = set()
    for doc in documents:
        key = keep.get(doc.case_id, doc.sort_key)
        while key in used or (key != keep.get(doc.case_id) and taken([key])):
            key += 1
        used.add(key)
        result.append(SearchDocument(doc.case_id, key, doc.narrow, doc.source))
    return result


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
    """True when the index misses cases (a store upgraded with data) or was built by other tokens.

    Call at start-up; when true, run `rebuild_index` (with progress) before offering search.
    """
    meta = _meta(session)
    return meta.get("tokenizer") != str(TOKENIZER_VERSION) or meta.get("complete") != "1"


def index_cases(session: Session, case_ids: Iterable[str]) -> None:
    """Bring the search rows of these cases up to date, in the caller's write transaction.

    Call after a case's number, summary, facts, place, received time or parties changed, or after a
    party linked to it changed (`index_parties`). A case that no longer exists loses its row; a case
    whose text did not change is left alone, so calling this generously costs little.
    """
    ids = sorted(set(case_ids))
    if not ids:
        return
    if _meta(session).get("tokenizer") != str(TOKENIZER_VERSION):
        # Rows written by other tokens cannot be deleted exactly; the pending rebuild covers them.
        log.warning("search index built by another tokenizer; skipping update until it is rebuilt")
        return
    for chunk in _chunks(ids):
        stored = _stored(session, chunk)
        documents = [build_document(f) for f in _load_cases(session, chunk)]
        changed: list[SearchDocument] = []
        keep: dict[str, int] = {}
        for doc in documents:
            old = stored.get(doc.case_id)
            if old is not None and old.sort_key >> SORT_TIE_BITS == doc.sort_key >> SORT_TIE_BITS:
                if old.narrow == doc.narrow and old.source == doc.source and _is_sqlite(session):
                    del stored[doc.case_id]  # unchanged: keep the row as it is
                    continue
                keep[doc.case_id] = old.sort_key
            changed.append(doc)
        _delete(session, stored)
        _insert(session, _with_free_keys(changed, lambda keys: _taken_keys(session, keys), keep))


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
    total = session.execute(select(func.count()).select_from(Case)).scalar_one()
    if sqlite:
        session.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')"))
        session.execute(text(f"DELETE FROM {DOC_TABLE}"))
        session.execute(text(f"DELETE FROM {SOURCE_TABLE}"))
    else:
        session.execute(text(f"DELETE FROM {PG_TABLE}"))
    used: set[int] = set()
    done = 0
    last = ""
    if progress is not None:
        progress(0, total)
    while True:
        ids = list(
            session.execute(
                select(Case.id).where(Case.id > last).order_by(Case.id).limit(BATCH_SIZE)
            ).scalars()
        )
        if not ids:
            break
        last = ids[-1]
        documents = _with_free_keys(
            [build_document(f) for f in _load_cases(session, ids)], lambda keys: set(keys) & used, {}
        )
        _insert(session, documents)
        used.update(d.sort_key for d in documents)
        done += len(ids)
        if progress is not None:
            progress(done, max(total, done))
    if sqlite:
        session.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')"))
    _set_meta(session, "tokenizer", str(TOKENIZER_VERSION))
    _set_meta(session, "complete", "1")
    return done


def search_case_ids(session: Session, query: str, limit: int, offset: int = 0) -> list[str]:
    """Ids of the cases matching `query`, newest received first; [] for an empty query."""
    chunks = query_chunks(query)
    if not chunks or limit <= 0:
        return []
    params: dict[str, object] = {"limit": limit, "offset": max(0, offset)}
    sqlite = _is_sqlite(session)
    if _is_single_character(chunks):
        params["pattern"] = _like_pattern(chunks[0])
        table, key = (DOC_TABLE, "doc_id") if sqlite else (PG_TABLE, "sort_key")
        stmt = (
            f"SELECT case_id FROM {table} WHERE narrow LIKE :pattern ESCAPE '\\' "
            f"ORDER BY {key} DESC LIMIT :limit OFFSET :offset"
        )
    elif sqlite:
        params["match"] = _fts5_expression(chunks)
        stmt = (
            f"SELECT d.case_id FROM (SELECT rowid AS doc_id FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :match "
            f"ORDER BY rowid DESC LIMIT :limit OFFSET :offset) AS m "
            f"JOIN {DOC_TABLE} AS d ON d.doc_id = m.doc_id ORDER BY m.doc_id DESC"
        )
    else:
        params["tsquery"] = _tsquery(chunks)
        stmt = (
            f"SELECT case_id FROM {PG_TABLE} WHERE document @@ CAST(:tsquery AS tsquery) "
            "ORDER BY sort_key DESC LIMIT :limit OFFSET :offset"
        )
    return list(session.execute(text(stmt), params).scalars())


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
        stmt = f"SELECT count(*) FROM {PG_TABLE} WHERE document @@ CAST(:tsquery AS tsquery)"
        params = {"tsquery": _tsquery(chunks)}
    return int(session.execute(text(stmt), params).scalar_one())


def _is_single_character(chunks: Sequence[str]) -> bool:
    return len(chunks) == 1 and len(chunks[0]) == 1


def _like_pattern(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
