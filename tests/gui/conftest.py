"""GUI fixtures: a fresh SQLite store per test, signed in as the admin, and the main window over it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from brigade_desk.core.app import Services
from brigade_desk.core.rules.permissions import Actor
from brigade_desk.gui.gc_guard import collect_in_gui_thread
from brigade_desk.gui.main_window import MainWindow
from brigade_desk.gui.none_guard import protect_none
from brigade_desk.gui.session import DeskSession

# PySide6 6.12.0 on CPython 3.11 loses a reference to None per Qt call; a long suite would abort.
protect_none()


@pytest.fixture(autouse=True, scope="session")
def gc_in_the_gui_thread(qapp: QApplication) -> Iterator[None]:
    """As in the application: Python's collector runs only in the GUI thread (gui/gc_guard.py), so
    a background task never destroys a widget left over from an earlier test."""
    collector = collect_in_gui_thread(qapp)
    yield
    collector.stop()


@pytest.fixture
def desk_session(sqlite_services: Services, sqlite_admin: Actor) -> DeskSession:
    return DeskSession(sqlite_services, sqlite_admin)


@pytest.fixture
def window(qtbot: QtBot, desk_session: DeskSession) -> Iterator[MainWindow]:
    win = MainWindow(desk_session)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.idle.uninstall()
