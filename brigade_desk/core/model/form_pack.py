"""The county's form pack (县级文书格式包): form definitions the county controls, one row per file.

At the county the pack is set from a folder of TOML files (FormPackService); the county's bundles
carry it whole to each township, where it replaces the previous copy. The documents engine loads
forms as: the program's ``forms/`` < this pack < the township's own override directory
(docs/forms.md, docs/decisions/forms-county-pack.md).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from brigade_desk.core.model.base import Base


class CountyFormFile(Base):
    __tablename__ = "county_form_file"

    # `penalty_decision.toml`, `_common.toml` …: the file's name is its key (and its record id in bundles).
    file_name: Mapped[str] = mapped_column(String(80), primary_key=True)
    # The TOML text, UTF-8, as the county imported it (without a byte-order mark).
    content: Mapped[str] = mapped_column(Text)
    # SHA-256 of the text's UTF-8 bytes (lower-case hex).
    sha256: Mapped[str] = mapped_column(String(64))
    # The file's revision at the county: 1 when added, one more each time its text changes.
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime]
    # Who set this text (display name; at a township, the county's person).
    updated_by: Mapped[str] = mapped_column(String(100))
