"""Start-up: a store that cannot be opened is reported and exits non-zero; a new store goes through
首次设置, then 登录, then the main window."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox
from pytestqt.qtbot import QtBot

from brigade_desk.core.app import Services
from brigade_desk.core.rules.permissions import Actor
from brigade_desk.gui import main
from brigade_desk.gui.first_run import FirstRunDialog
from brigade_desk.gui.main_window import MainWindow
from brigade_desk.gui.sign_in import SignInDialog
from tests.conftest import ADMIN_PASSWORD


def test_application_registers_the_chinese_font(qapp: QApplication) -> None:
    app = main.application()
    assert app is qapp
    assert "Noto Sans SC" in QFontDatabase.families()
    assert app.font().family() == "Noto Sans SC"
    assert app.font().pointSizeF() >= main.MIN_POINT_SIZE


def test_store_that_cannot_be_opened_is_reported(
    qapp: QApplication, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text, *a: shown.append((title, text)))
    code = main.run_gui(data_dir, "mysql://someone@server/db")
    assert code == main.EXIT_STORE_REFUSED
    assert shown and "无法打开数据" in shown[0][0]
    assert "不支持的数据库类型" in shown[0][1]


def test_new_store_first_run_then_sign_in_then_window(
    qtbot: QtBot, sqlite_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fill_first_run(self: FirstRunDialog) -> int:
        self.name.setText("青溪镇人民政府")
        self.area_code.setText("330185")
        self.doc_prefix.setText("青综执")
        self.county_name.setText("临溪县")
        self.login.setText("chief")
        self.display_name.setText("周管理")
        self.password.setText(ADMIN_PASSWORD)
        self.password_again.setText(ADMIN_PASSWORD)
        self.save()
        return self.result()

    prefilled: list[str] = []

    def sign_in(self: SignInDialog) -> int:
        prefilled.append(self.login.text())
        self.password.setText(ADMIN_PASSWORD)
        self.submit()
        return self.result()

    monkeypatch.setattr(FirstRunDialog, "exec", fill_first_run)
    monkeypatch.setattr(SignInDialog, "exec", sign_in)
    window = main.start(sqlite_services)
    assert isinstance(window, MainWindow)
    qtbot.addWidget(window)
    assert prefilled == ["chief"]  # the admin just created is offered at sign-in
    assert window.isVisible()
    assert window.session.actor.login == "chief"
    assert window.user_label.text() == "当前用户：周管理（管理员）"
    window.idle.uninstall()


def test_cancelled_sign_in_ends_without_a_window(
    sqlite_services: Services, sqlite_admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(FirstRunDialog, "exec", lambda self: opened.append("first_run") or 0)
    monkeypatch.setattr(SignInDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    assert main.start(sqlite_services) is None
    assert opened == []  # an initialised store does not ask for set-up again


def test_cancelled_first_run_ends_without_sign_in(
    sqlite_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    monkeypatch.setattr(FirstRunDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    monkeypatch.setattr(SignInDialog, "exec", lambda self: asked.append("sign_in") or 0)
    assert main.start(sqlite_services) is None
    assert asked == []
    assert not sqlite_services.setup.is_initialized()


def test_garbage_is_collected_in_the_gui_thread_only(qapp: QApplication, qtbot: QtBot) -> None:
    import gc
    import threading

    from brigade_desk.gui.gc_guard import GuiThreadCollector
    from brigade_desk.gui.main import application
    from brigade_desk.gui.tasks import TaskRunner

    application()
    assert qapp.findChild(GuiThreadCollector) is not None
    assert not gc.isenabled()
    threads: list[str] = []

    def seen(phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            threads.append(threading.current_thread().name)

    gc.callbacks.append(seen)
    try:
        # A background task allocates far past every threshold: no collection may run in it.
        runner = TaskRunner()
        handle = runner.submit("allocate", lambda _p: [[n] for n in range(200_000)])
        qtbot.waitUntil(lambda: not handle.running and bool(threads), timeout=10_000)
        assert set(threads) == {threading.main_thread().name}  # collected, and only in the GUI thread
    finally:
        gc.callbacks.remove(seen)
