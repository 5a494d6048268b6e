"""Refusals that reach a person.

Every error raised by core for a user to read carries a Chinese `message` that says what is wrong
and, where it can, what to do. The GUI shows it next to the action; the command line prints it and
exits non-zero.
"""

from __future__ import annotations

from dataclasses import dataclass


class BrigadeError(Exception):
    """Base of every refusal a user must read."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PermissionDenied(BrigadeError):
    """The signed-in person's roles do not allow the action."""


class NotFound(BrigadeError):
    """The record asked for does not exist (or is not visible to the caller)."""


class StaleEdit(BrigadeError):
    """Someone else saved the record after it was opened; the caller keeps the edits it had."""


class RuleViolation(BrigadeError):
    """A rule of law or procedure blocks the action."""


class StoreError(BrigadeError):
    """The store cannot be opened or used: bad URL, unwritable directory, newer schema, …"""


class AuthError(BrigadeError):
    """Sign-in refused: wrong password, locked or inactive account."""


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}：{self.message}"


class ValidationError(BrigadeError):
    """Input that cannot be saved; lists every field to fix at once."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("；".join(str(e) for e in errors))

    @classmethod
    def single(cls, field: str, message: str) -> ValidationError:
        return cls([FieldError(field, message)])
