"""首次设置: filled in and saved; refused input keeps every field and shows the message by the field."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from brigade_desk.core.app import Services
from brigade_desk.gui.first_run import FirstRunDialog
from tests.gui.support import tab_sequence, type_text


def fill(
    dialog: FirstRunDialog, qtbot: QtBot, *, area_code: str = "330185", again: str = "Admin12345"
) -> None:
    type_text(qtbot, dialog.name, "青溪镇人民政府")
    qtbot.keyClicks(dialog.area_code, area_code)
    qtbot.keyClicks(dialog.credit_code, "11330185MB0251845Y")
    type_text(qtbot, dialog.doc_prefix, "青综执")
    type_text(qtbot, dialog.county_name, "临溪县")
    type_text(qtbot, dialog.court, "临溪县人民法院")
    qtbot.keyClicks(dialog.login, "admin")
    type_text(qtbot, dialog.display_name, "王建国")
    qtbot.keyClicks(dialog.password, "Admin12345")
    qtbot.keyClicks(dialog.password_again, again)


def make(qtbot: QtBot, services: Services) -> FirstRunDialog:
    dialog = FirstRunDialog(services)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_first_run_saved_with_enter_creates_organ_and_admin(qtbot: QtBot, sqlite_services: Services) -> None:
    dialog = make(qtbot, sqlite_services)
    fill(dialog, qtbot)
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        qtbot.keyClick(dialog.password_again, Qt.Key.Key_Return)  # Enter saves
    assert sqlite_services.setup.is_initialized()
    organ = sqlite_services.setup.own_organ()
    assert organ is not None
    assert (organ.name, organ.area_code, organ.doc_prefix, organ.county_name, organ.court) == (
        "青溪镇人民政府",
        "330185",
        "青综执",
        "临溪县",
        "临溪县人民法院",
    )
    assert dialog.admin is not None and dialog.admin.login == "admin"
    actor = sqlite_services.users.sign_in("admin", "Admin12345")
    assert actor.display_name == "王建国"


def test_bad_area_code_is_refused_and_nothing_typed_is_lost(qtbot: QtBot, sqlite_services: Services) -> None:
    dialog = make(qtbot, sqlite_services)
    fill(dialog, qtbot, area_code="33018")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert dialog.isVisible() and dialog.result() == 0
    assert not sqlite_services.setup.is_initialized()
    message = dialog.errors.message("行政区划代码")
    assert "6位数字" in message
    assert dialog.errors._fields["行政区划代码"][1].isVisible()
    # Everything typed is still there, and the field to fix has the focus.
    assert dialog.name.text() == "青溪镇人民政府"
    assert dialog.area_code.text() == "33018"
    assert dialog.password.text() == "Admin12345"
    assert dialog.password_again.text() == "Admin12345"
    assert dialog.focusWidget() is dialog.area_code

    # Fixing the one field is enough; the error line goes away.
    dialog.area_code.setText("330185")
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.errors.message("行政区划代码") == ""
    assert sqlite_services.setup.is_initialized()


def test_passwords_that_differ_are_refused_with_organ_errors_at_once(
    qtbot: QtBot, sqlite_services: Services
) -> None:
    dialog = make(qtbot, sqlite_services)
    fill(dialog, qtbot, area_code="12", again="Admin99999")
    dialog.save()
    assert not sqlite_services.setup.is_initialized()
    assert dialog.errors.message("确认密码") == "两次输入的密码不一致"
    assert "6位数字" in dialog.errors.message("行政区划代码")


def test_weak_admin_password_shows_cores_message(qtbot: QtBot, sqlite_services: Services) -> None:
    dialog = make(qtbot, sqlite_services)
    type_text(qtbot, dialog.name, "青溪镇人民政府")
    qtbot.keyClicks(dialog.area_code, "330185")
    type_text(qtbot, dialog.doc_prefix, "青综执")
    type_text(qtbot, dialog.county_name, "临溪县")
    qtbot.keyClicks(dialog.login, "Admin")  # capital letters are not allowed
    type_text(qtbot, dialog.display_name, "王建国")
    qtbot.keyClicks(dialog.password, "short")
    qtbot.keyClicks(dialog.password_again, "short")
    dialog.save()
    assert not sqlite_services.setup.is_initialized()
    assert "小写字母" in dialog.errors.message("登录名")
    assert "密码至少" in dialog.errors.message("密码")
    assert dialog.login.text() == "Admin"


def test_tab_goes_through_the_form_in_reading_order(qtbot: QtBot, sqlite_services: Services) -> None:
    dialog = make(qtbot, sqlite_services)
    order = [
        dialog.name,
        dialog.area_code,
        dialog.credit_code,
        dialog.doc_prefix,
        dialog.county_name,
        dialog.court,
        dialog.login,
        dialog.display_name,
        dialog.password,
        dialog.password_again,
        dialog.save_button,
    ]
    assert tab_sequence(qtbot, dialog, dialog.name, len(order) - 1) == order


def test_escape_with_typed_text_asks_before_discarding(
    qtbot: QtBot, sqlite_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = make(qtbot, sqlite_services)
    type_text(qtbot, dialog.name, "青溪镇人民政府")
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    asked: list[str] = []

    def question(parent: object, title: str, text: str, *args: object) -> QMessageBox.StandardButton:
        asked.append(text)
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "question", question)
    qtbot.keyClick(dialog.name, Qt.Key.Key_Escape)
    assert dialog.isVisible() and dialog.name.text() == "青溪镇人民政府"
    with qtbot.waitSignal(dialog.rejected, timeout=2000):
        qtbot.keyClick(dialog.name, Qt.Key.Key_Escape)
    assert len(asked) == 2 and "尚未保存" in asked[0]


def test_escape_on_an_empty_form_closes_at_once(qtbot: QtBot, sqlite_services: Services) -> None:
    dialog = make(qtbot, sqlite_services)
    with qtbot.waitSignal(dialog.rejected, timeout=2000):
        qtbot.keyClick(dialog.name, Qt.Key.Key_Escape)


def test_county_office_set_up_as_on_the_command_line(qtbot: QtBot, sqlite_services: Services) -> None:
    """县级: no document prefix, county above or court to fill in; the store is a county's (as
    `brigade-desk init --county`), and the main window then opens on 县级总览."""
    dialog = make(qtbot, sqlite_services)
    for widget in (dialog.doc_prefix, dialog.county_name, dialog.court):
        assert widget.isVisible()
    qtbot.mouseClick(dialog.county_choice, Qt.MouseButton.LeftButton)
    assert dialog.kind() == "county"
    for widget in (dialog.doc_prefix, dialog.county_name, dialog.court):
        assert not widget.isVisible()
    assert dialog.organ_box.title() == "县级机关"
    assert "导入各乡镇报送的数据包" in dialog.intro.text()
    type_text(qtbot, dialog.name, "临溪县人民政府")
    qtbot.keyClicks(dialog.area_code, "330100")
    qtbot.keyClicks(dialog.login, "admin")
    type_text(qtbot, dialog.display_name, "县管理员")
    qtbot.keyClicks(dialog.password, "Admin12345")
    qtbot.keyClicks(dialog.password_again, "Admin12345")
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    organ = sqlite_services.setup.own_organ()
    assert organ is not None
    assert (organ.kind, organ.name, organ.area_code, organ.doc_prefix, organ.county_name) == (
        "county",
        "临溪县人民政府",
        "330100",
        "",
        "临溪县人民政府",
    )
    actor = sqlite_services.users.sign_in("admin", "Admin12345")
    assert sqlite_services.county.overview(actor).townships == []  # a county store


def test_switching_back_to_township_asks_for_its_fields_again(
    qtbot: QtBot, sqlite_services: Services
) -> None:
    dialog = make(qtbot, sqlite_services)
    dialog.county_choice.setChecked(True)
    dialog.township_choice.setChecked(True)
    assert dialog.kind() == "township" and dialog.doc_prefix.isVisible()
    type_text(qtbot, dialog.name, "青溪镇人民政府")
    qtbot.keyClicks(dialog.area_code, "330185")
    qtbot.keyClicks(dialog.login, "admin")
    qtbot.keyClicks(dialog.password, "Admin12345")
    qtbot.keyClicks(dialog.password_again, "Admin12345")
    dialog.save()
    assert not sqlite_services.setup.is_initialized()
    assert "1至8个汉字" in dialog.errors.message("机关代字")
    assert "所属的县" in dialog.errors.message("上级县")
