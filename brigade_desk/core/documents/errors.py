"""Errors of the document engine; every message is Chinese and says what to fix."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


class DocumentError(Exception):
    """Base of the document engine's errors; ``message`` is for a person to read."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FormDefinitionError(DocumentError):
    """A form definition file is invalid (unknown placeholder, bad block, wrong type …)."""

    def __init__(self, source: Path | str, problems: Sequence[str]) -> None:
        self.source = str(source)
        self.problems = list(problems)
        super().__init__(f"文书格式定义 {self.source} 有误：" + "；".join(self.problems))


class FormNotFoundError(DocumentError):
    """No form with the requested id is loaded."""

    def __init__(self, form_id: str) -> None:
        self.form_id = form_id
        super().__init__(f"没有编号为 {form_id} 的文书格式")


class MissingFieldsError(DocumentError):
    """Required data for a document is missing; ``missing`` lists every item to fill in."""

    def __init__(self, form_title: str, missing: Sequence[str]) -> None:
        self.missing = list(missing)
        super().__init__(f"生成《{form_title}》还需填写：" + "、".join(self.missing))


class ValueFormatError(DocumentError):
    """A value has the wrong type for its field (e.g. a money amount that is not whole fen)."""
