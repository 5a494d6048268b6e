"""What every page of the main window can do: refresh (F5), follow 切换用户, take the search box."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from brigade_desk.core.app import Services
from brigade_desk.gui.session import DeskSession


class Page(QWidget):
    """A page loads lazily: the first time it is shown, and again when shown after it went stale."""

    key = ""
    title = ""

    def __init__(self, session: DeskSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._stale = True

    @property
    def services(self) -> Services:
        return self.session.services

    def refresh(self) -> None:
        """Reload what the page shows from the services."""
        self._stale = False

    def mark_stale(self) -> None:
        self._stale = True
        if self.isVisible():
            self.refresh()

    def ensure_fresh(self) -> None:
        if self._stale:
            self.refresh()

    def on_actor_changed(self) -> None:
        """Another person signed in: what they may see and do can differ."""
        self.mark_stale()

    def apply_search(self, text: str) -> bool:
        """Take the text of the search box; False when this page has nothing to search."""
        return False
