"""Register the shipped CJK fonts with Qt so a machine without Chinese fonts still shows Chinese."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from brigade_desk.core.fonts import SHIPPED_SANS_FAMILY, shipped_font_files

__all__ = ["register_qt_fonts"]

_loaded: dict[Path, list[str]] = {}


def register_qt_fonts(app: QApplication, *, font_dir: Path | None = None) -> str:
    """Add the shipped fonts to the application font database and use the sans family for the UI.

    Call once after the ``QApplication`` exists; later calls do not load the files again.
    Returns the family name set as the application font (an empty string when no shipped font
    could be loaded, in which case the application font is left alone).
    """
    families: list[str] = []
    for path in shipped_font_files(font_dir):
        if path not in _loaded:
            font_id = QFontDatabase.addApplicationFont(str(path))
            _loaded[path] = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        families.extend(_loaded[path])
    if not families:
        return ""
    family = SHIPPED_SANS_FAMILY if SHIPPED_SANS_FAMILY in families else families[0]
    font = QFont(app.font())
    font.setFamilies([family])
    app.setFont(font)
    return family
