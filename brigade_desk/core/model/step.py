"""The procedural record of a case: dated steps (they drive the clocks) and leaders' approvals."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from brigade_desk.core.model.base import Base, uuid_pk


class CaseStep(Base):
    """One dated fact of the procedure (filed, notice served, hearing requested, paid …).

    `kind` is a `core.rules.clocks.EventKind` value; clocks are computed from these rows.
    """

    __tablename__ = "case_step"

    id: Mapped[str] = uuid_pk()
    case_id: Mapped[str] = mapped_column(ForeignKey("case_record.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    on: Mapped[date]
    # Groups several clocks of one kind (e.g. the seizure's id); None for case-level steps.
    ref: Mapped[str | None] = mapped_column(String(64), default=None)
    extension_days: Mapped[int | None] = mapped_column(default=None)
    until: Mapped[date | None] = mapped_column(default=None)
    fine_fen: Mapped[int] = mapped_column(default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]]
    recorded_by: Mapped[str | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    recorded_at: Mapped[datetime]

    __table_args__ = (Index("ix_case_step_case", "case_id", "on"),)


class Approval(Base):
    """A leader's approval (立案, 延期, 销案, 结案 …) with opinion, person and time."""

    __tablename__ = "approval"

    id: Mapped[str] = uuid_pk()
    case_id: Mapped[str] = mapped_column(ForeignKey("case_record.id", ondelete="CASCADE"), index=True)
    # filing | extension | withdrawal | transfer | closing | decision | preservation | seizure
    kind: Mapped[str] = mapped_column(String(20))
    approved: Mapped[bool]
    opinion: Mapped[str] = mapped_column(Text)
    approver_id: Mapped[str] = mapped_column(ForeignKey("app_user.id"))
    approver_name: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    # The leader's Ed25519 signature over the approval (kind, case, opinion, time), when signed.
    public_key: Mapped[str] = mapped_column(String(64), default="")
    signature: Mapped[str] = mapped_column(String(100), default="")


class WorkdayOverride(Base):
    """A county's holiday (False) or make-up working day (True), winning over chinese-calendar."""

    __tablename__ = "workday_override"

    day: Mapped[date] = mapped_column(primary_key=True)
    is_workday: Mapped[bool]
    note: Mapped[str] = mapped_column(String(100), default="")
