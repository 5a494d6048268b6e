"""Key-value settings kept in the store (the settings registry in core.settings gives types and defaults)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from brigade_desk.core.model.base import Base


class Setting(Base):
    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime]


class NumberSequence(Base):
    """Gapless human numbers (案号, 文号): one row per scope and year, incremented under a write lock."""

    __tablename__ = "number_sequence"

    scope: Mapped[str] = mapped_column(String(60), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)
