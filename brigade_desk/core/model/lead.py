"""Leads (线索): what arrives before a case is filed, with the reporter kept confidential."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from brigade_desk.core.model.base import Base, uuid_pk


class Lead(Base):
    __tablename__ = "lead"

    id: Mapped[str] = uuid_pk()
    organ_id: Mapped[str] = mapped_column(ForeignKey("organ.id"))
    # One of core.rules.procedure.CASE_SOURCES.
    source: Mapped[str] = mapped_column(String(20))
    # 12345 ticket number, grid name, transferring department … depending on the source.
    source_ref: Mapped[str] = mapped_column(String(100), default="")
    # A reply owed to the reporter (12345 tickets carry their own deadline).
    reply_due: Mapped[date | None] = mapped_column(default=None)
    replied_on: Mapped[date | None] = mapped_column(default=None)
    received_at: Mapped[datetime]
    violation_date: Mapped[date | None] = mapped_column(default=None)
    place: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text)
    # Confidential: only roles that need them see the reporter's identity (rules.permissions).
    reporter_name: Mapped[str] = mapped_column(String(64), default="")
    reporter_phone: Mapped[str] = mapped_column(String(40), default="")
    reporter_id_number: Mapped[str] = mapped_column(String(40), default="")
    # open | filed | on_the_spot (closed by a 简易程序 decision) | not_filed | transferred
    status: Mapped[str] = mapped_column(String(20), default="open")
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    # Where a matter belongs to another organ (county department), to whom it went.
    transferred_to: Mapped[str] = mapped_column(String(100), default="")
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("case_record.id"), default=None)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    created_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (Index("ix_lead_status", "status"),)
