"""A township's cases are its own (DESIGN.md invariant 9): where a store holds another organ's
cases — a county that received them in bundles — they are read only.

The rule is kept in one place, before every flush of a write session: a case, or a row under a case,
that is added, changed or deleted must belong to this store's own organ. Services therefore need no
check of their own, and a new service cannot forget it. The sync import writes received cases with
Core statements, not through session objects, so it is not stopped here; it has its own ownership
rules (core.sync.apply).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from brigade_desk.core.errors import RuleViolation
from brigade_desk.core.model import (
    Approval,
    Case,
    CaseDiscretion,
    CaseOfficer,
    CaseParty,
    CasePowerItem,
    CaseStep,
    CollectiveDiscussion,
    Delivery,
    Document,
    Evidence,
    InvestigationRecord,
    LegalReview,
    Organ,
)

CASE_CONTENT = (
    Case,
    CaseParty,
    CasePowerItem,
    CaseOfficer,
    CaseStep,
    Approval,
    Document,
    Delivery,
    Evidence,
    InvestigationRecord,
    LegalReview,
    CollectiveDiscussion,
    CaseDiscretion,
)


def guard_foreign_cases(session: Session, _context: Any, _instances: Any) -> None:
    touched = [o for o in (*session.new, *session.dirty, *session.deleted) if isinstance(o, CASE_CONTENT)]
    if not touched:
        return
    with session.no_autoflush:
        own = session.execute(select(Organ.id).where(Organ.is_self)).scalar_one_or_none()
        if own is None:  # not set up yet
            return
        organs = {o.id: o.organ_id for o in touched if isinstance(o, Case)}
        unknown = {o.case_id for o in touched if not isinstance(o, Case)} - set(organs)
        if unknown:
            rows = session.execute(select(Case.id, Case.organ_id).where(Case.id.in_(unknown))).all()
            organs.update((case_id, organ_id) for case_id, organ_id in rows)
        foreign = {organ for organ in organs.values() if organ is not None and organ != own}
        if foreign:
            name = session.execute(select(Organ.name).where(Organ.id.in_(foreign))).scalars().first()
            raise RuleViolation(
                f"该案件属于{name or '另一机关'}，只能由该机关办理；本机收到的其他机关案件只能查看"
            )
