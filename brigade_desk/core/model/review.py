"""Legal review of major decisions (法制审核), collective discussion, and personal signing keys."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from brigade_desk.core.model.base import Base, uuid_pk


class UserKey(Base):
    """A reviewer's or leader's Ed25519 key pair; the private half sealed under their password.

    A key is retired (never deleted) when an admin resets the password, because the old seal cannot
    be opened any more; signatures made with it stay verifiable with its public key.
    """

    __tablename__ = "user_key"

    id: Mapped[str] = uuid_pk()
    user_id: Mapped[str] = mapped_column(ForeignKey("app_user.id"), index=True)
    public_key: Mapped[str] = mapped_column(String(64))
    sealed: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    retired_at: Mapped[datetime | None] = mapped_column(default=None)


class LegalReview(Base):
    """One round of legal review: the package as submitted, and the reviewer's signed opinion."""

    __tablename__ = "legal_review"

    id: Mapped[str] = uuid_pk()
    case_id: Mapped[str] = mapped_column(ForeignKey("case_record.id", ondelete="CASCADE"))
    round: Mapped[int]
    package: Mapped[dict[str, Any]]
    package_hash: Mapped[str] = mapped_column(String(64))
    submitted_by: Mapped[str | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    submitted_by_name: Mapped[str] = mapped_column(String(64), default="")
    submitted_at: Mapped[datetime]
    due_on: Mapped[date]
    extended: Mapped[bool] = mapped_column(default=False)
    # pending | passed | returned | refused
    status: Mapped[str] = mapped_column(String(10), default="pending")
    reviewer_id: Mapped[str | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    reviewer_name: Mapped[str] = mapped_column(String(64), default="")
    checklist: Mapped[list[Any]] = mapped_column(default=list)
    # 同意 | 存在问题、建议修改后重新提交 | 不同意
    opinion: Mapped[str] = mapped_column(String(30), default="")
    opinion_text: Mapped[str] = mapped_column(Text, default="")
    signed_at: Mapped[datetime | None] = mapped_column(default=None)
    public_key: Mapped[str] = mapped_column(String(64), default="")
    signature: Mapped[str] = mapped_column(String(100), default="")
    # The head of the legal-review body, where the settings require their signature too.
    head_id: Mapped[str | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    head_name: Mapped[str] = mapped_column(String(64), default="")
    head_public_key: Mapped[str] = mapped_column(String(64), default="")
    head_signature: Mapped[str] = mapped_column(String(100), default="")
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_legal_review_case", "case_id", "round"),
        Index("ix_legal_review_status", "status"),
    )


class CollectiveDiscussion(Base):
    """集体讨论记录: leaders present, each opinion, the conclusion, each leader's confirmation."""

    __tablename__ = "collective_discussion"

    id: Mapped[str] = uuid_pk()
    case_id: Mapped[str] = mapped_column(ForeignKey("case_record.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date]
    place: Mapped[str] = mapped_column(String(200))
    chair: Mapped[str] = mapped_column(String(64), default="")
    recorder: Mapped[str] = mapped_column(String(64))
    # [{"name", "post"}] of everyone attending who is not a participating leader.
    attendees: Mapped[list[Any]] = mapped_column(default=list)
    report: Mapped[str] = mapped_column(Text)
    # [{"user_id", "name", "opinion", "reasons"}], one per participating leader.
    opinions: Mapped[list[Any]] = mapped_column(default=list)
    conclusion: Mapped[str] = mapped_column(Text)
    # [{"user_id", "name", "method": "signature"|"paper", "public_key", "signature", "at"}]
    confirmations: Mapped[list[Any]] = mapped_column(default=list)
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    created_by: Mapped[str | None] = mapped_column(ForeignKey("app_user.id"), default=None)
