"""Evidence items and investigation records (笔录) of a case."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from brigade_desk.core.model.base import Base, uuid_pk


class Evidence(Base):
    __tablename__ = "evidence"

    id: Mapped[str] = uuid_pk()
    case_id: Mapped[str] = mapped_column(ForeignKey("case_record.id", ondelete="CASCADE"), index=True)
    # The procedure step it belongs to (a CaseState value or a record id), for the completeness panel.
    step: Mapped[str] = mapped_column(String(40), default="")
    # One of the eight kinds of APL Art 46 (rules.evidence.EVIDENCE_KINDS).
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    proves: Mapped[str] = mapped_column(Text, default="")
    collected_by: Mapped[str] = mapped_column(String(100), default="")
    collected_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(Text, default="")
    # The file, stored by content hash (may be absent for physical evidence).
    sha256: Mapped[str | None] = mapped_column(ForeignKey("attachment.sha256"), default=None)
    file_name: Mapped[str] = mapped_column(String(255), default="")
    media_type: Mapped[str] = mapped_column(String(100), default="")
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    # Capture time from the photo's EXIF, when it has one.
    captured_at: Mapped[datetime | None] = mapped_column(default=None)
    thumbnail_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    # True for audio-video records (音像记录): photos, audio, video.
    is_av: Mapped[bool] = mapped_column(default=False)
    record_id: Mapped[str | None] = mapped_column(ForeignKey("investigation_record.id"), default=None)
    created_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class InvestigationRecord(Base):
    """笔录: on-site inspection, inquiry, statement, seizure and other records, as structured data."""

    __tablename__ = "investigation_record"

    id: Mapped[str] = uuid_pk()
    case_id: Mapped[str] = mapped_column(ForeignKey("case_record.id", ondelete="CASCADE"), index=True)
    # inspection | inquiry | statement | preservation | seizure | demolition | hearing | delivery
    kind: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(Text)
    # Snapshot of the officers: [{"user_id", "name", "certificate_no"}], as of that day.
    officers: Mapped[list[Any]] = mapped_column()
    # People present or questioned: [{"name", "role", "id_number", "relation"}].
    persons: Mapped[list[Any]] = mapped_column()
    # Inspection: narrative text. Inquiry: [{"q": …, "a": …}] pairs in "qa".
    content: Mapped[dict[str, Any]]
    recorder: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
