"""登录: a wrong password shows core's message (attempts left), the right one signs in; Enter submits."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from brigade_desk.core.app import Services
from brigade_desk.core.rules.permissions import Actor
from brigade_desk.gui.sign_in import SignInDialog
from tests.conftest import ADMIN_PASSWORD


def make(qtbot: QtBot, services: Services, **kwargs: str) -> SignInDialog:
    dialog = SignInDialog(services, **kwargs)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_wrong_then_right_password(qtbot: QtBot, sqlite_services: Services, sqlite_admin: Actor) -> None:
    dialog = make(qtbot, sqlite_services)
    qtbot.keyClicks(dialog.login, "admin")
    qtbot.keyClicks(dialog.password, "Wrong12345")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)

    assert dialog.isVisible() and dialog.actor is None
    assert dialog.error.isVisible()
    assert "用户名或密码错误" in dialog.error.text()
    assert "再错 4 次" in dialog.error.text()
    assert dialog.login.text() == "admin"  # the login stays, the password is cleared
    assert dialog.password.text() == ""
    assert dialog.focusWidget() is dialog.password

    qtbot.keyClicks(dialog.password, ADMIN_PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.actor is not None and dialog.actor.login == "admin"


def test_lock_out_message_after_too_many_attempts(
    qtbot: QtBot, sqlite_services: Services, sqlite_admin: Actor
) -> None:
    dialog = make(qtbot, sqlite_services, login="admin")
    assert dialog.focusWidget() is dialog.password  # the login was given: start at the password
    for _ in range(5):
        dialog.password.setText("Wrong12345")
        dialog.submit()
    assert "锁定" in dialog.error.text()
    dialog.password.setText(ADMIN_PASSWORD)
    dialog.submit()
    assert dialog.actor is None
    assert "已锁定至" in dialog.error.text()


def test_empty_login_is_asked_for(qtbot: QtBot, sqlite_services: Services, sqlite_admin: Actor) -> None:
    dialog = make(qtbot, sqlite_services)
    dialog.submit()
    assert dialog.error.text() == "请输入登录名"
    assert dialog.focusWidget() is dialog.login


def test_shows_the_organ(qtbot: QtBot, sqlite_services: Services, sqlite_admin: Actor) -> None:
    dialog = make(qtbot, sqlite_services)
    assert "青溪镇人民政府" in [label.text() for label in dialog.findChildren(type(dialog.error))]
