"""Cases (案件) and their links to parties, power items and officers.

This is the skeleton of the foundation issue; the case-handling work adds its steps, records and
clocks through migrations.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from brigade_desk.core.model.base import Base, uuid_pk


class Case(Base):
    __tablename__ = "case_record"

    id: Mapped[str] = uuid_pk()
    organ_id: Mapped[str] = mapped_column(ForeignKey("organ.id"))
    # The human number (案号), assigned when the case is filed; gapless per town and year.
    case_number: Mapped[str | None] = mapped_column(String(80), unique=True, default=None)
    # simple | general
    procedure: Mapped[str] = mapped_column(String(10), default="general")
    source: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[datetime]
    violation_date: Mapped[date | None] = mapped_column(default=None)
    place: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text)
    facts: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(30))
    filed_on: Mapped[date | None] = mapped_column(default=None)
    # A continuing act's end date: the limitation period runs from it (APL Art 36).
    violation_end_date: Mapped[date | None] = mapped_column(default=None)
    # Outcome proposed at the end of the investigation: penalty | no_penalty | not_established | transfer
    proposed_outcome: Mapped[str] = mapped_column(String(20), default="")
    # Penalty kinds (警告, 罚款, 没收违法所得 …) proposed and then decided.
    penalty_kinds: Mapped[list[str]] = mapped_column(default=list)
    proposed_fine_fen: Mapped[int | None] = mapped_column(default=None)
    noticed_fine_fen: Mapped[int | None] = mapped_column(default=None)
    fine_fen: Mapped[int | None] = mapped_column(default=None)
    # 减轻处罚 below the statutory minimum needs a legal ground (APL Art 30–32).
    mitigation_ground: Mapped[str] = mapped_column(Text, default="")
    hearing_eligible: Mapped[bool] = mapped_column(default=False)
    is_major: Mapped[bool] = mapped_column(default=False)
    major_reasons: Mapped[list[str]] = mapped_column(default=list)
    discussion_required: Mapped[bool] = mapped_column(default=False)
    serious_harm: Mapped[bool] = mapped_column(default=False)
    closed_on: Mapped[date | None] = mapped_column(default=None)
    # The earliest open clock, kept up to date by every step so the dashboard is one indexed query.
    next_due_on: Mapped[date | None] = mapped_column(default=None)
    next_due_label: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_case_state", "state"),
        Index("ix_case_received_at", "received_at"),
        Index("ix_case_filed_on", "filed_on"),
        Index("ix_case_next_due_on", "next_due_on"),
        Index("ix_case_source", "source"),
        Index("ix_case_state_received_at", "state", "received_at"),
        Index("ix_case_organ_received_at", "organ_id", "received_at"),
    )


class CaseParty(Base):
    __tablename__ = "case_party"

    case_id: Mapped[str] = mapped_column(ForeignKey("case_record.id", ondelete="CASCADE"), primary_key=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("party.id"), primary_key=True, index=True)
    # 当事人 by default; later: 法定代理人, 委托代理人 …
    role: Mapped[str] = mapped_column(String(20), default="party")


class CasePowerItem(Base):
    __tablename__ = "case_power_item"

    case_id: Mapped[str] = mapped_column(ForeignKey("case_record.id", ondelete="CASCADE"), primary_key=True)
    power_item_id: Mapped[str] = mapped_column(ForeignKey("power_item.id"), primary_key=True, index=True)


class CaseOfficer(Base):
    __tablename__ = "case_officer"

    case_id: Mapped[str] = mapped_column(ForeignKey("case_record.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("app_user.id"), primary_key=True, index=True)
    # lead (主办) or assist (协办)
    duty: Mapped[str] = mapped_column(String(10), default="assist")
