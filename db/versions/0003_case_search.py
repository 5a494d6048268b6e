"""case search

Revision ID: 0003
Revises: 0002

Full-text case search (brigade_desk/core/search.py, docs/search.md). The tables live outside the
models' metadata and are written with plain SQL; their names all start with ``case_search``.

SQLite: a contentless FTS5 table over tokens made in Python (overlapping CJK bigrams, ASCII runs and
their suffixes); a map from its rowid (kept in sort-key order) to the case, with the sort key and the
narrow text for one-character queries; the compressed document text that deleting a contentless FTS5
row needs.
PostgreSQL: a small table (case, sort key, narrow text) and one with a tsvector built from the same
tokens, GIN-indexed.

A store that already holds cases is marked incomplete: the program rebuilds the index
(search.needs_rebuild / search.rebuild_index) instead of this migration calling live code. The
tokenizer version is written by whoever first writes rows (search.py), never by this migration.
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TABLE case_search_doc ("
            "doc_id INTEGER PRIMARY KEY, "
            "sort_key INTEGER NOT NULL UNIQUE, "
            "case_id VARCHAR(36) NOT NULL UNIQUE, "
            "narrow TEXT NOT NULL)"
        )
        op.execute("CREATE TABLE case_search_source (doc_id INTEGER PRIMARY KEY, source BLOB NOT NULL)")
        op.execute(
            "CREATE VIRTUAL TABLE case_search_fts USING fts5("
            "body, content='', columnsize=0, tokenize='ascii')"
        )
    else:
        op.execute(
            "CREATE TABLE case_search ("
            "case_id VARCHAR(36) NOT NULL, "
            "sort_key BIGINT NOT NULL, "
            "narrow TEXT NOT NULL, "
            "CONSTRAINT pk_case_search PRIMARY KEY (case_id), "
            "CONSTRAINT uq_case_search_sort_key UNIQUE (sort_key))"
        )
        op.execute(
            "CREATE TABLE case_search_document ("
            "case_id VARCHAR(36) NOT NULL, "
            "sort_key BIGINT NOT NULL, "
            "document TSVECTOR NOT NULL, "
            "CONSTRAINT pk_case_search_document PRIMARY KEY (case_id)) "
            # Keep the tsvector (about 3 kB) in the row, not in TOAST: phrase queries recheck it for
            # every candidate, and reading it from TOAST made them 2-3 times slower. The narrow text
            # lives in case_search so that one-character scans do not read these big rows.
            "WITH (toast_tuple_target = 8160)"
        )
        op.execute("CREATE INDEX ix_case_search_document ON case_search_document USING gin (document)")
    op.execute(
        "CREATE TABLE case_search_meta ("
        "key VARCHAR(40) NOT NULL PRIMARY KEY, "
        "value VARCHAR(200) NOT NULL)"
    )
    op.execute(
        "INSERT INTO case_search_meta (key, value) "
        "SELECT 'complete', CASE WHEN EXISTS (SELECT 1 FROM case_record) THEN '0' ELSE '1' END"
    )


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS case_search_meta")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS case_search_fts")
        op.execute("DROP TABLE IF EXISTS case_search_source")
        op.execute("DROP TABLE IF EXISTS case_search_doc")
    else:
        op.execute("DROP TABLE IF EXISTS case_search_document")
        op.execute("DROP TABLE IF EXISTS case_search")
