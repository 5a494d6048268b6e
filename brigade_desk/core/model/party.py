"""Parties (当事人): one record across cases, found again by ID number or credit code."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from brigade_desk.core.model.base import Base, uuid_pk


class Party(Base):
    __tablename__ = "party"

    id: Mapped[str] = uuid_pk()
    # natural_person | legal_person | other_org | individual_business
    kind: Mapped[str] = mapped_column(String(24))
    name: Mapped[str] = mapped_column(String(100))
    # Pinyin initials of the name, for search as you type (张三 -> zs).
    name_initials: Mapped[str] = mapped_column(String(100), default="")
    id_type: Mapped[str] = mapped_column(String(30), default="")
    id_number: Mapped[str] = mapped_column(String(40), default="")
    credit_code: Mapped[str] = mapped_column(String(18), default="")
    trade_name: Mapped[str] = mapped_column(String(100), default="")
    legal_representative: Mapped[str] = mapped_column(String(64), default="")
    legal_representative_id: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    is_minor: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_party_id_number", "id_number"),
        Index("ix_party_credit_code", "credit_code"),
        Index("ix_party_name", "name"),
    )
