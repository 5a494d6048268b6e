"""Colours carry meaning only (DESIGN.md "How it should feel to use"); everything else is the platform's.

One place names each colour so a page never invents its own shade of red.
"""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel

ERROR = "#c62828"  # errors, refusals, and overdue deadlines
OVERDUE = ERROR
DUE_TODAY = "#e65100"  # orange
DUE_SOON = "#b59b00"  # yellow, dark enough to read on white
CLOSED = "#808080"  # grey: closed and archived cases
# A deadline's status (core's due_status / clock status) and its colour.
DUE_COLOURS = {"overdue": OVERDUE, "due_today": DUE_TODAY, "due_soon": DUE_SOON}


def colour(name: str) -> QColor:
    return QColor(name)


def set_error_style(label: QLabel) -> None:
    """Red text for a message that says what is wrong."""
    label.setStyleSheet(f"color: {ERROR};")
    label.setWordWrap(True)
