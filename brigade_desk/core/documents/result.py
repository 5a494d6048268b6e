"""What a renderer hands back."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

QrCorner: TypeAlias = Literal["top-right", "top-left", "bottom-right", "bottom-left"]


@dataclass(frozen=True, slots=True)
class RenderedDocument:
    content: bytes
    format: Literal["pdf", "docx"]
    form_id: str
    form_version: str
    doc_number: str
    page_count: int | None
    """Known for PDF; ``None`` for DOCX (Word paginates when it opens the file)."""
    draft: bool
    missing_glyphs: frozenset[str] = field(default_factory=frozenset)
    """Characters no available font could draw (printed as blanks) — should be empty."""

    @property
    def form_ref(self) -> str:
        """``id@version`` of the form the document was made from."""
        return f"{self.form_id}@{self.form_version}"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def media_type(self) -> str:
        if self.format == "pdf":
            return "application/pdf"
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
