"""Organs: the township government (author of every outward document), its brigade, its county."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from brigade_desk.core.model.base import Base, uuid_pk


class Organ(Base):
    __tablename__ = "organ"

    id: Mapped[str] = uuid_pk()
    # township | brigade | county | legal_body
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    area_code: Mapped[str] = mapped_column(String(6), default="")
    credit_code: Mapped[str] = mapped_column(String(18), default="")
    # 机关代字 such as 许综执, used in every document number.
    doc_prefix: Mapped[str] = mapped_column(String(20), default="")
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("organ.id"), default=None)
    # The organ this store belongs to (exactly one row has it).
    is_self: Mapped[bool] = mapped_column(default=False)
    # Named in remedy text: the reconsideration organ (county government) and the basic court.
    reconsideration_organ: Mapped[str] = mapped_column(String(100), default="")
    court: Mapped[str] = mapped_column(String(100), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
