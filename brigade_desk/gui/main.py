"""Start the application: open the store, first-run set-up when needed, sign in, the main window.

`brigade-desk gui` (and `brigade-desk` with no subcommand) calls `run_gui`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from brigade_desk import __version__
from brigade_desk.core.app import Services, open_services
from brigade_desk.core.errors import BrigadeError
from brigade_desk.gui.first_run import FirstRunDialog
from brigade_desk.gui.fonts import register_qt_fonts
from brigade_desk.gui.gc_guard import collect_in_gui_thread
from brigade_desk.gui.main_window import APP_TITLE, MainWindow
from brigade_desk.gui.none_guard import protect_none
from brigade_desk.gui.session import DeskSession
from brigade_desk.gui.sign_in import SignInDialog

EXIT_STORE_REFUSED = 2
MIN_POINT_SIZE = 10.0


def application() -> QApplication:
    """The one QApplication, created when missing (the platform comes from QT_QPA_PLATFORM, so
    tests and screenshots run it offscreen), with the shipped Chinese fonts registered."""
    protect_none()  # PySide6 6.12.0 on CPython 3.11 loses a reference to None per call (none_guard.py)
    existing = QCoreApplication.instance()
    if isinstance(existing, QApplication):
        app = existing
    elif existing is not None:
        raise RuntimeError("a non-GUI QCoreApplication already exists")
    else:
        app = QApplication(sys.argv[:1])
    app.setApplicationName("Brigade Desk")
    app.setApplicationDisplayName(APP_TITLE)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("Brigade Desk")
    register_qt_fonts(app)
    collect_in_gui_thread(app)  # never in a pool thread (gc_guard.py)
    font = app.font()
    if 0 < font.pointSizeF() < MIN_POINT_SIZE:
        font.setPointSizeF(MIN_POINT_SIZE)
        app.setFont(font)
    return app


def start(services: Services) -> MainWindow | None:
    """First-run dialog when the store is new, then sign-in; the main window, or None when cancelled."""
    login = ""
    if not services.setup.is_initialized():
        first_run = FirstRunDialog(services)
        if first_run.exec() != QDialog.DialogCode.Accepted:
            return None
        login = first_run.admin.login if first_run.admin else ""
    sign_in = SignInDialog(services, login=login)
    if sign_in.exec() != QDialog.DialogCode.Accepted or sign_in.actor is None:
        return None
    window = MainWindow(DeskSession(services, sign_in.actor))
    window.resize(1400, 860)
    window.show()
    return window


def run_gui(data_dir: Path, db_url: str | None = None) -> int:
    app = application()
    try:
        services = open_services(data_dir, db_url)
    except BrigadeError as exc:
        QMessageBox.critical(None, f"{APP_TITLE} — 无法打开数据", exc.message)
        return EXIT_STORE_REFUSED
    try:
        try:
            window = start(services)
        except BrigadeError as exc:
            QMessageBox.critical(None, APP_TITLE, exc.message)
            return EXIT_STORE_REFUSED
        if window is None:
            return 0
        return app.exec()
    finally:
        services.close()
