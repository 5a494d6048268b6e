"""设置: admins manage users and settings; everyone changes their own password."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from brigade_desk.core.app import Services
from brigade_desk.core.errors import AuthError
from brigade_desk.core.rules.permissions import Actor, Role
from brigade_desk.core.services.users import NewUser
from brigade_desk.gui.main_window import MainWindow
from brigade_desk.gui.pages.settings import SettingsPage
from brigade_desk.gui.session import DeskSession
from brigade_desk.gui.user_dialogs import AddUserDialog, ResetPasswordDialog
from tests.gui.support import tab_sequence, type_text


@pytest.fixture
def settings(window: MainWindow) -> SettingsPage:
    window.go_to("settings")
    return window.settings


def logins(page: SettingsPage) -> list[str]:
    table = page.users_tab.table
    return [table.item(r, 0).text() for r in range(table.rowCount())]


def test_add_user_dialog_refuses_then_saves(
    qtbot: QtBot, settings: SettingsPage, sqlite_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialogs: list[AddUserDialog] = []

    def fake_exec(self: AddUserDialog) -> int:
        dialogs.append(self)
        qtbot.keyClicks(self.login, "Wang")  # upper case is refused
        type_text(qtbot, self.display_name, "王五")
        self.role_boxes[Role.LEGAL_REVIEWER].setChecked(True)
        self.legal_review_qualified.setChecked(True)
        qtbot.keyClicks(self.password, "Passw0rd9")
        qtbot.keyClicks(self.password_again, "Passw0rd9")
        self.save()
        assert self.result() == 0
        assert "小写字母" in self.errors.message("登录名")
        assert self.display_name.text() == "王五"  # kept
        self.login.setText("wangwu")
        self.save()
        return self.result()

    monkeypatch.setattr(AddUserDialog, "exec", fake_exec)
    settings.users_tab.add_button.click()
    assert dialogs and dialogs[0].created is not None
    assert "wangwu" in logins(settings)
    assert "已新增用户 王五" in settings.users_tab.message.text()
    user = sqlite_services.users.get_user(settings.session.actor, "wangwu")
    assert set(user.roles) == {"officer", "legal_reviewer"} and user.legal_review_qualified


def test_reset_password_and_disable_enable(
    qtbot: QtBot,
    settings: SettingsPage,
    sqlite_services: Services,
    sqlite_admin: Actor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sqlite_services.users.add_user(sqlite_admin, NewUser("lisi", "李四", "Officer123"))
    settings.refresh()
    tab = settings.users_tab
    tab.select_login("lisi")
    assert tab.selected_user() is not None and tab.selected_user().login == "lisi"

    def fake_reset(self: ResetPasswordDialog) -> int:
        self.password.setText("NewPass123")
        self.password_again.setText("NewPass124")
        self.save()
        assert self.errors.message("确认密码") == "两次输入的密码不一致"
        self.password_again.setText("NewPass123")
        self.save()
        return self.result()

    monkeypatch.setattr(ResetPasswordDialog, "exec", fake_reset)
    tab.reset_button.click()
    assert sqlite_services.users.sign_in("lisi", "NewPass123").login == "lisi"

    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Yes)
    tab.select_login("lisi")
    assert tab.active_button.text() == "停用"
    tab.active_button.click()
    row = logins(settings).index("lisi")
    assert tab.table.item(row, 5).text() == "已停用"
    with pytest.raises(AuthError):
        sqlite_services.users.sign_in("lisi", "NewPass123")
    tab.select_login("lisi")
    assert tab.active_button.text() == "启用"
    tab.active_button.click()
    assert tab.table.item(row, 5).text() == "正常"

    # One's own account cannot be disabled: the button says why.
    tab.select_login("admin")
    assert not tab.active_button.isEnabled()
    assert tab.active_button.toolTip() == "不能停用自己正在使用的账户"


def test_declining_the_confirmation_changes_nothing(
    settings: SettingsPage, sqlite_services: Services, sqlite_admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    sqlite_services.users.add_user(sqlite_admin, NewUser("lisi", "李四", "Officer123"))
    settings.refresh()
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.No)
    settings.users_tab.select_login("lisi")
    settings.users_tab.active_button.click()
    assert sqlite_services.users.get_user(sqlite_admin, "lisi").active


def test_officer_changes_own_password(qtbot: QtBot, sqlite_services: Services, sqlite_admin: Actor) -> None:
    sqlite_services.users.add_user(sqlite_admin, NewUser("lisi", "李四", "Officer123"))
    officer = sqlite_services.users.sign_in("lisi", "Officer123")
    page = SettingsPage(DeskSession(sqlite_services, officer))
    qtbot.addWidget(page)
    page.show()
    page.refresh()
    assert [page.tabs.tabText(i) for i in range(page.tabs.count())] == ["修改本人密码"]
    tab = page.password_tab
    assert tab.who.text() == "李四（lisi）"

    tab.old_password.setText("Wrong12345")
    tab.new_password.setText("Better1234")
    tab.new_again.setText("Better1234")
    tab.save()
    assert tab.errors.message("原密码") == "原密码不正确"
    assert tab.new_password.text() == "Better1234"  # kept

    tab.old_password.setText("Officer123")
    tab.new_password.setText("short")
    tab.new_again.setText("short")
    tab.save()
    assert "密码至少" in tab.errors.message("新密码")

    tab.new_password.setText("Better1234")
    tab.new_again.setText("Better1234")
    tab.save()
    assert "密码已修改" in tab.status.text()
    assert sqlite_services.users.sign_in("lisi", "Better1234").login == "lisi"


def test_setting_out_of_range_is_refused_by_core(settings: SettingsPage, sqlite_services: Services) -> None:
    tab = settings.system_tab
    spin = tab.spins["idle_lock_minutes"]
    assert spin.value() == 10
    spin.setValue(15)
    tab.save()
    assert sqlite_services.settings.get(settings.session.actor, "idle_lock_minutes") == 15
    tab.save()
    assert tab.status.text() == "没有改动"


def test_add_user_dialog_tab_order_and_enter(
    qtbot: QtBot, desk_session: DeskSession, sqlite_services: Services
) -> None:
    dialog = AddUserDialog(desk_session)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    boxes = list(dialog.role_boxes.values())
    expected = [dialog.login, dialog.display_name, *boxes, dialog.post, dialog.certificate_no]
    assert tab_sequence(qtbot, dialog, dialog.login, len(expected) - 1) == expected

    dialog.login.setText("zhaoliu")
    dialog.display_name.setText("赵六")
    dialog.password.setText("Passw0rd9")
    dialog.password_again.setText("Passw0rd9")
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        qtbot.keyClick(dialog.password_again, Qt.Key.Key_Return)  # Enter saves
    assert sqlite_services.users.get_user(desk_session.actor, "zhaoliu").display_name == "赵六"
