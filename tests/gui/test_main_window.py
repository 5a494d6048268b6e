"""The main window: navigation, status bar, search box, refresh, lock, idle lock and 切换用户."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from brigade_desk.core.app import Services
from brigade_desk.core.rules.permissions import Actor
from brigade_desk.core.services.users import NewUser
from brigade_desk.gui.main_window import PAGE_ORDER, MainWindow
from brigade_desk.gui.pages.placeholder import PlaceholderPage
from brigade_desk.gui.sign_in import SignInDialog
from tests.conftest import ADMIN_PASSWORD
from tests.gui.support import add_cases, tab_sequence

OFFICER_PASSWORD = "Officer123"


@pytest.fixture
def officer(sqlite_services: Services, sqlite_admin: Actor) -> Actor:
    sqlite_services.users.add_user(
        sqlite_admin, NewUser("zhangsan", "张三", OFFICER_PASSWORD, roles=("officer", "clerk"))
    )
    return sqlite_services.users.sign_in("zhangsan", OFFICER_PASSWORD)


def sign_in_as(monkeypatch: pytest.MonkeyPatch, login: str, password: str) -> list[SignInDialog]:
    """Make SignInDialog.exec type the credentials and press 登录 instead of waiting for a person."""
    shown: list[SignInDialog] = []

    def fake_exec(self: SignInDialog) -> int:
        shown.append(self)
        self.login.setText(login)
        self.password.setText(password)
        self.submit()
        return self.result()

    monkeypatch.setattr(SignInDialog, "exec", fake_exec)
    return shown


def test_navigation_shows_every_page(qtbot: QtBot, window: MainWindow) -> None:
    assert [window.nav.item(i).text() for i in range(window.nav.count())] == [
        "工作台",
        "案件",
        "审核",
        "文书",
        "同步",
        "统计",
        "设置",
    ]
    assert window.current_key() == "dashboard"
    for row, key in enumerate(PAGE_ORDER):
        rect = window.nav.visualItemRect(window.nav.item(row))
        qtbot.mouseClick(window.nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        assert window.current_key() == key
        assert window.pages_stack.currentWidget() is window.pages[key]
    placeholder = window.pages["statistics"]
    assert isinstance(placeholder, PlaceholderPage)
    assert "统计" in placeholder.text.text() and "后续" in placeholder.text.text()


def test_keyboard_navigation_and_search_focus(qtbot: QtBot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_key() == "cases"
    qtbot.keyClick(window, Qt.Key.Key_7, Qt.KeyboardModifier.ControlModifier)
    assert window.current_key() == "settings"
    window.find_action.trigger()  # Ctrl+F
    assert window.focusWidget() is window.search
    assert window.find_action.shortcut().toString() == "Ctrl+F"
    assert window.refresh_action.shortcut().toString() == "F5"


def test_tab_goes_from_search_to_navigation_to_the_page(qtbot: QtBot, window: MainWindow) -> None:
    window.go_to("cases")
    assert tab_sequence(qtbot, window, window.search, 2) == [window.search, window.nav, window.cases.table]


def test_status_bar_shows_person_role_organ_and_store(window: MainWindow, sqlite_services: Services) -> None:
    assert window.user_label.text() == "当前用户：系统管理员（管理员）"
    assert "青溪镇人民政府" in window.organ_label.text()
    assert sqlite_services.store.display_name() in window.store_label.text()
    assert "SQLite" in window.store_label.text()
    assert window.user_label.isVisible() and window.store_label.isVisible()
    assert "青溪镇人民政府" in window.windowTitle()


def test_f5_refreshes_the_current_page(qtbot: QtBot, window: MainWindow, sqlite_services: Services) -> None:
    window.go_to("cases")
    assert window.cases.model.rowCount() == 0
    add_cases(sqlite_services, 3)
    window.refresh_action.trigger()
    assert window.cases.model.rowCount() == 3
    assert window.cases.count_label.text() == "共 3 件"


def test_search_box_is_handed_to_the_page(qtbot: QtBot, window: MainWindow, officer: Actor) -> None:
    # On 设置 the box filters the users table.
    window.go_to("settings")
    qtbot.keyClicks(window.search, "zhang")
    qtbot.keyClick(window.search, Qt.Key.Key_Return)
    table = window.settings.users_tab.table
    visible = [table.item(r, 0).text() for r in range(table.rowCount()) if not table.isRowHidden(r)]
    assert visible == ["zhangsan"]
    window.search.clear()  # clearing shows everything again
    assert all(not table.isRowHidden(r) for r in range(table.rowCount()))

    # A page with nothing to search hands the text to 案件, which searches the cases.
    window.go_to("documents")
    window.search.setText("广告")
    window.run_search()
    assert window.current_key() == "cases"
    assert window.cases.search_text == "广告"
    assert window.cases.count_label.text() == "查找“广告”：符合条件 0 件"


def test_lock_and_unlock_with_the_same_persons_password(qtbot: QtBot, window: MainWindow) -> None:
    window.go_to("cases")
    window.lock_action.trigger()
    assert window.is_locked()
    assert window.body.currentWidget() is window.lock_screen
    assert not window.pages_stack.isVisible()  # nothing of the work is visible
    assert not window.refresh_action.isEnabled() and not window.search.isEnabled()
    assert "系统管理员" in window.lock_screen.who.text()

    qtbot.keyClicks(window.lock_screen.password, "Wrong12345")
    qtbot.keyClick(window.lock_screen.password, Qt.Key.Key_Return)
    assert window.is_locked()
    assert "密码不正确" in window.lock_screen.error.text()
    assert window.lock_screen.password.text() == ""

    qtbot.keyClicks(window.lock_screen.password, ADMIN_PASSWORD)
    qtbot.keyClick(window.lock_screen.password, Qt.Key.Key_Return)
    assert not window.is_locked()
    assert window.current_key() == "cases"  # back where the person left off
    assert window.refresh_action.isEnabled() and window.search.isEnabled()


def test_idle_time_locks_the_window(qtbot: QtBot, window: MainWindow) -> None:
    assert window.idle.timeout_ms == 10 * 60_000  # the idle_lock_minutes default
    window.idle.set_timeout_ms(50)
    qtbot.waitUntil(window.is_locked, timeout=3000)
    assert not window.idle.is_armed()  # no second lock while locked
    window.lock_screen.password.setText(ADMIN_PASSWORD)
    assert window.lock_screen.try_unlock()
    assert not window.is_locked()
    assert window.idle.is_armed()


def test_input_restarts_the_idle_timer(qtbot: QtBot, window: MainWindow) -> None:
    window.idle.set_timeout_ms(60_000)
    qtbot.wait(120)
    before = window.idle._timer.remainingTime()
    assert before < 60_000 - 100
    qtbot.keyClick(window.search, Qt.Key.Key_A)
    assert window.idle._timer.remainingTime() > before


def test_idle_lock_setting_is_applied(qtbot: QtBot, window: MainWindow, sqlite_services: Services) -> None:
    window.go_to("settings")
    tab = window.settings.system_tab
    tab.spins["idle_lock_minutes"].setValue(3)
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert tab.status.text() == "设置已保存"
    assert window.idle.timeout_ms == 3 * 60_000
    tab.spins["idle_lock_minutes"].setValue(0)
    tab.save()
    assert window.idle.timeout_ms == 0 and not window.idle.is_armed()


def test_idle_lock_waits_for_an_open_dialog(qtbot: QtBot, window: MainWindow) -> None:
    dialog = QDialog(window)
    dialog.setModal(True)
    dialog.show()
    qtbot.waitExposed(dialog)
    window.idle.set_timeout_ms(30)
    qtbot.wait(150)
    assert not window.is_locked()  # closing the dialog would lose what was typed in it
    dialog.accept()
    qtbot.waitUntil(window.is_locked, timeout=3000)


def test_switch_user_changes_who_acts(
    qtbot: QtBot,
    window: MainWindow,
    monkeypatch: pytest.MonkeyPatch,
    officer: Actor,
    sqlite_services: Services,
) -> None:
    window.go_to("settings")
    assert window.settings.tabs.count() == 3  # admin: users, settings, own password
    shown = sign_in_as(monkeypatch, "zhangsan", OFFICER_PASSWORD)
    assert window.switch_user()
    assert shown and shown[0].windowTitle().startswith("切换用户")
    assert window.session.actor.login == "zhangsan"
    assert window.user_label.text() == "当前用户：张三（执法队员、内勤）"
    # The pages follow: an officer has only the own-password tab and no backup button.
    assert [window.settings.tabs.tabText(i) for i in range(window.settings.tabs.count())] == ["修改本人密码"]
    window.go_to("dashboard")
    assert not window.dashboard.backup_button.isVisible()
    assert window.dashboard.backup_note.text() == "备份由管理员操作"
    # And what is done now is recorded under the new person.
    recent = sqlite_services.audit.recent(window.session.actor, 1)
    assert recent[0].actor_name == "张三" and recent[0].summary == "登录"


def test_switch_user_cancelled_keeps_the_person(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SignInDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    assert not window.switch_user()
    assert window.session.actor.login == "admin"


def test_switch_user_from_the_lock_screen(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, officer: Actor
) -> None:
    window.lock()
    sign_in_as(monkeypatch, "zhangsan", OFFICER_PASSWORD)
    qtbot.mouseClick(window.lock_screen.switch_button, Qt.MouseButton.LeftButton)
    assert not window.is_locked()
    assert window.session.actor.login == "zhangsan"
    window.lock()
    assert "张三" in window.lock_screen.who.text()
    window.lock_screen.password.setText(ADMIN_PASSWORD)  # the previous person's password does not unlock
    assert not window.lock_screen.try_unlock()
    window.lock_screen.password.setText(OFFICER_PASSWORD)
    assert window.lock_screen.try_unlock()


def test_failed_switch_leaves_the_lock_in_place(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch, officer: Actor
) -> None:
    window.lock()
    shown = sign_in_as(monkeypatch, "zhangsan", "Wrong12345")
    assert not window.switch_user()
    assert "用户名或密码错误" in shown[0].error.text()
    assert window.is_locked()
    assert window.session.actor.login == "admin"
