"""Documents (文书) made from forms, their service (送达), and the register of voided numbers.

A ``Document`` is one instance of a form for a case. While a draft it may be changed and rendered
freely; issuing (签发) gives it its number, freezes every merged value in ``snapshot`` and stores the
rendered PDF by its SHA-256 (an ``Attachment``). An issued document is never changed again: a
correction is a new document whose ``corrects_id`` names the original, and a voided one keeps its
number, recorded in ``VoidedNumber`` with the reason (DESIGN.md invariants 2 and 5).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from brigade_desk.core.model.base import Base, uuid_pk


class Document(Base):
    __tablename__ = "document"

    id: Mapped[str] = uuid_pk()
    case_id: Mapped[str] = mapped_column(ForeignKey("case_record.id"), index=True)
    # The party the document is made for (one document per addressee); None for internal forms
    # of a case without parties.
    party_id: Mapped[str | None] = mapped_column(ForeignKey("party.id"), default=None)
    # What the document is about: the served document of a 送达回证, the original of a 更正通知书
    # is `corrects_id`.
    subject_id: Mapped[str | None] = mapped_column(ForeignKey("document.id"), default=None)
    # The service (Delivery) a 送达回证 records; no foreign key: a delivery names its document.
    delivery_id: Mapped[str | None] = mapped_column(String(36), default=None)
    # The 笔录 a record form is made from.
    record_id: Mapped[str | None] = mapped_column(ForeignKey("investigation_record.id"), default=None)
    form_id: Mapped[str] = mapped_column(String(64))
    form_version: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(100))
    # outward | internal | record (the form's kind)
    kind: Mapped[str] = mapped_column(String(20))
    # 文书代字 of the form (罚决, 罚告 …): with the organ and year it scopes the number.
    doc_code: Mapped[str] = mapped_column(String(20), default="")
    step: Mapped[str] = mapped_column(String(30), default="")
    # draft | issued | voided
    status: Mapped[str] = mapped_column(String(10), default="draft")
    doc_number: Mapped[str | None] = mapped_column(String(120), unique=True, default=None)
    number_scope: Mapped[str | None] = mapped_column(String(60), default=None)
    number_year: Mapped[int | None] = mapped_column(default=None)
    number_serial: Mapped[int | None] = mapped_column(default=None)
    doc_date: Mapped[date | None] = mapped_column(default=None)
    # The signing officers chosen at generation: [{"user_id", "name", "certificate_no"}].
    officers: Mapped[list[Any]] = mapped_column(default=list)
    # Values typed at generation, by field name (free fields and data the case records lack).
    inputs: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Every merged value as of issuing (canonical JSON form), and its SHA-256.
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    snapshot_sha256: Mapped[str] = mapped_column(String(64), default="")
    pdf_sha256: Mapped[str | None] = mapped_column(ForeignKey("attachment.sha256"), default=None)
    page_count: Mapped[int | None] = mapped_column(default=None)
    # Printed under the QR code and typed into the verifier: the first characters of the snapshot hash.
    verify_code: Mapped[str] = mapped_column(String(16), default="")
    # A 更正 document names the document it corrects.
    corrects_id: Mapped[str | None] = mapped_column(ForeignKey("document.id"), default=None, index=True)
    issued_at: Mapped[datetime | None] = mapped_column(default=None)
    issued_by: Mapped[str | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    issued_by_name: Mapped[str] = mapped_column(String(64), default="")
    void_reason: Mapped[str] = mapped_column(Text, default="")
    voided_at: Mapped[datetime | None] = mapped_column(default=None)
    voided_by: Mapped[str | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    voided_by_name: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime]
    created_by: Mapped[str | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    created_by_name: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_document_case_form", "case_id", "form_id"),
        UniqueConstraint("number_scope", "number_year", "number_serial", name="uq_document_number_serial"),
    )


class Delivery(Base):
    """送达: one service of one issued document (CPL Art 88–95; APL Art 61)."""

    __tablename__ = "delivery"

    id: Mapped[str] = uuid_pk()
    document_id: Mapped[str] = mapped_column(ForeignKey("document.id"), index=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("case_record.id"), index=True)
    # 直接送达 | 留置送达 | 邮寄送达 | 电子送达 | 委托送达 | 公告送达
    mode: Mapped[str] = mapped_column(String(10))
    # The day of service; for 公告送达 the day the notice was published.
    delivered_on: Mapped[date]
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    # When service takes effect: the same day, or 30 days after a public notice (CPL Art 95).
    effective_on: Mapped[date]
    place: Mapped[str] = mapped_column(Text, default="")
    addressee: Mapped[str] = mapped_column(String(100))
    receiver: Mapped[str] = mapped_column(String(64), default="")
    receiver_relation: Mapped[str] = mapped_column(String(40), default="")
    refused: Mapped[bool] = mapped_column(default=False)
    refusal_reason: Mapped[str] = mapped_column(Text, default="")
    # [{"name", "unit"}]: the grassroots organisation's or unit's representatives for 留置送达.
    witnesses: Mapped[list[Any]] = mapped_column(default=list)
    # The audio-video record of leaving the document (留置送达).
    av_evidence_id: Mapped[str | None] = mapped_column(ForeignKey("evidence.id"), default=None)
    # [{"user_id", "name", "certificate_no"}]
    servers: Mapped[list[Any]] = mapped_column(default=list)
    # Postal receipt number, e-mail address, public-notice medium and reason, etc.
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    recorded_by_name: Mapped[str] = mapped_column(String(64), default="")
    recorded_at: Mapped[datetime]


class VoidedNumber(Base):
    """The void register: a document number taken out of use, with the reason; never reused."""

    __tablename__ = "voided_doc_number"

    id: Mapped[str] = uuid_pk()
    doc_number: Mapped[str] = mapped_column(String(120), unique=True)
    number_scope: Mapped[str] = mapped_column(String(60))
    number_year: Mapped[int]
    number_serial: Mapped[int]
    document_id: Mapped[str | None] = mapped_column(ForeignKey("document.id"), default=None)
    reason: Mapped[str] = mapped_column(Text)
    voided_at: Mapped[datetime]
    voided_by: Mapped[str | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    voided_by_name: Mapped[str] = mapped_column(String(64), default="")
