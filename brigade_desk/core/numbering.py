"""Gapless human numbers (案号, 文号): per scope (town and kind), per year, never reused.

Numbers are taken inside the caller's write transaction; writers are serialised
(docs/decisions/serialised-writers.md), so two issuers can never take the same number, and a
rolled-back transaction gives its number back.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from brigade_desk.core.model import NumberSequence


def take_next(session: Session, scope: str, year: int) -> int:
    row = session.execute(
        select(NumberSequence)
        .where(NumberSequence.scope == scope, NumberSequence.year == year)
        .with_for_update()
    ).scalar_one_or_none()
    if row is None:
        row = NumberSequence(scope=scope, year=year, last_value=0)
        session.add(row)
    row.last_value += 1
    session.flush()
    return row.last_value


def case_number(prefix: str, word: str, year: int, serial: int) -> str:
    """青综执 + 立 -> 青综执立字〔2026〕第12号 (GB/T 9704 uses 〔〕 around the year)."""
    return f"{prefix}{word}字〔{year}〕第{serial}号"
