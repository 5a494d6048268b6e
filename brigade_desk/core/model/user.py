"""People who sign in: officers, legal reviewers, leaders, clerks, admins."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from brigade_desk.core.model.base import Base, uuid_pk


class User(Base):
    __tablename__ = "app_user"

    id: Mapped[str] = uuid_pk()
    login: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    # Role names from core.rules.permissions.Role; a person may hold several.
    roles: Mapped[list[str]]
    post: Mapped[str] = mapped_column(String(64), default="")
    certificate_no: Mapped[str] = mapped_column(String(40), default="")
    certificate_valid_from: Mapped[date | None] = mapped_column(default=None)
    certificate_valid_to: Mapped[date | None] = mapped_column(default=None)
    legal_review_qualified: Mapped[bool] = mapped_column(default=False)
    is_leader: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    failed_attempts: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
