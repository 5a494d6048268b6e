"""Power items (赋权事项) and the legal provisions they rest on; versioned by validity dates."""

from __future__ import annotations

from datetime import date

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from brigade_desk.core.model.base import Base, uuid_pk


class PowerItem(Base):
    __tablename__ = "power_item"

    id: Mapped[str] = uuid_pk()
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300))
    # 行政处罚 / 行政强制 / 行政检查 / …
    item_type: Mapped[str] = mapped_column(String(20))
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    source_department: Mapped[str] = mapped_column(String(100), default="")
    # 下放 / 委托 / 法定
    mode: Mapped[str] = mapped_column(String(10), default="下放")
    claimed: Mapped[bool] = mapped_column(default=True)
    valid_from: Mapped[date]
    valid_to: Mapped[date | None] = mapped_column(default=None)
    catalogue_version: Mapped[str] = mapped_column(String(40), default="")
    scope_remark: Mapped[str] = mapped_column(Text, default="")
    penalty_min_fen: Mapped[int | None] = mapped_column(default=None)
    penalty_max_fen: Mapped[int | None] = mapped_column(default=None)
    # Limitation period in years: 2, or 5 where APL Art 36 applies.
    statute_years: Mapped[int] = mapped_column(default=2)
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (UniqueConstraint("code", "catalogue_version", name="uq_power_item_code_version"),)


class LegalProvision(Base):
    __tablename__ = "legal_provision"

    id: Mapped[str] = uuid_pk()
    law_name: Mapped[str] = mapped_column(String(200))
    # 法律 / 行政法规 / 地方性法规 / 规章
    level: Mapped[str] = mapped_column(String(20), default="法律")
    version_date: Mapped[date | None] = mapped_column(default=None)
    article: Mapped[str] = mapped_column(String(20))
    paragraph: Mapped[str] = mapped_column(String(20), default="")
    item: Mapped[str] = mapped_column(String(20), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    # 禁止性规范 / 罚则 / 责令改正依据 / 程序
    role: Mapped[str] = mapped_column(String(20), default="")
