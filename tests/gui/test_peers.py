"""交换对象 on the 同步 page: this organ's card saved to a file, the other side's card registered after the
fingerprint check, a bad key refused with core's message and nothing written, stop and resume a
partner, and who may do what."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from brigade_desk.core.rules.permissions import Actor, Role
from brigade_desk.gui.pages.sync import SyncPage
from brigade_desk.gui.peer_dialog import PeerDialog
from brigade_desk.gui.session import DeskSession
from brigade_desk.gui.tasks import TaskRunner
from tests.core.sync_support import Side, make_county, make_town
from tests.gui.support import type_text


@pytest.fixture
def town(tmp_path: Path) -> Iterator[Side]:
    side = make_town(tmp_path / "town")
    yield side
    side.close()


@pytest.fixture
def county(tmp_path: Path) -> Iterator[Side]:
    side = make_county(tmp_path / "county")
    yield side
    side.close()


def _page(qtbot: QtBot, side: Side, actor: Actor | None = None) -> SyncPage:
    page = SyncPage(DeskSession(side.services, actor or side.admin), TaskRunner())
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    page.refresh()
    return page


def _open_dialog(qtbot: QtBot, page: SyncPage) -> PeerDialog:
    page.tabs.setCurrentWidget(page.peers_tab)
    assert page.add_peer_button.isEnabled()
    qtbot.mouseClick(page.add_peer_button, Qt.MouseButton.LeftButton)
    dialog = page.findChild(PeerDialog)
    assert dialog is not None and dialog.isVisible()
    return dialog


def test_card_saved_to_a_file_is_the_peer_card(qtbot: QtBot, town: Side, tmp_path: Path) -> None:
    page = _page(qtbot, town)
    assert "签名密钥将在第一次导出或保存本机关名片时生成" in page.identity.text()
    card_file = tmp_path / "青溪镇-机关名片.json"
    assert page.save_card(card_file)
    # The same text `brigade-desk peers key -o` writes: the card and a line end.
    assert card_file.read_text(encoding="utf-8") == town.sync.peer_card(town.admin) + "\n"
    fingerprint = town.sync.own_key(town.admin).fingerprint
    assert fingerprint in page.note.text()
    assert f"公钥指纹 {fingerprint}" in page.identity.text()  # the key now exists and is shown


def test_register_a_township_from_its_card_then_stop_and_resume(
    qtbot: QtBot, town: Side, county: Side, tmp_path: Path
) -> None:
    card_file = tmp_path / "card.json"
    assert _page(qtbot, town).save_card(card_file)
    page = _page(qtbot, county)
    assert page.tabs.tabText(4) == "交换对象（0）"
    assert "尚未登记交换对象" in page.identity.text()

    dialog = _open_dialog(qtbot, page)
    assert dialog.windowTitle() == "登记乡镇"
    assert dialog.load_card(card_file)
    town_key = town.sync.own_key(town.admin)
    assert (dialog.area_code.text(), dialog.name.text()) == ("330185", "青溪镇人民政府")
    assert dialog.public_key.text() == town_key.public_key
    assert dialog.fingerprint.text() == town_key.fingerprint  # to read out by phone

    # 登记 before the fingerprint was checked: said beside the box, nothing written.
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "核对公钥指纹" in dialog.errors.message("核对指纹")
    assert county.sync.list_peers(county.admin) == []

    dialog.confirmed.setChecked(True)
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    [peer] = county.sync.list_peers(county.admin)
    assert (peer.kind, peer.area_code, peer.fingerprint, peer.active) == (
        "township",
        "330185",
        town_key.fingerprint,
        True,
    )
    assert page.tabs.currentWidget() is page.peers_tab
    assert page.tabs.tabText(4) == "交换对象（1）"
    assert page.peers.rowCount() == 1
    assert [page.peers.item(0, c).text() for c in (0, 1, 2, 3, 7)] == [
        "乡镇",
        "青溪镇人民政府",
        "330185",
        town_key.fingerprint,
        "启用",
    ]
    assert "已登记 青溪镇人民政府" in page.note.text()
    assert "青溪镇人民政府（330185" in page.identity.text()

    # 停用: the row stays, greyed, and the button turns into 启用.
    page.peers.selectRow(0)
    assert page.peer_active_button.text() == "停用" and page.peer_active_button.isEnabled()
    qtbot.mouseClick(page.peer_active_button, Qt.MouseButton.LeftButton)
    assert not county.sync.list_peers(county.admin)[0].active
    assert page.peers.item(0, 7).text() == "已停用"
    assert page.peer_active_button.text() == "启用"
    assert "已停用 青溪镇人民政府" in page.note.text()
    qtbot.mouseClick(page.peer_active_button, Qt.MouseButton.LeftButton)
    assert county.sync.list_peers(county.admin)[0].active
    assert page.peers.item(0, 7).text() == "启用"


def test_bad_key_is_refused_with_cores_message_and_nothing_is_written(qtbot: QtBot, county: Side) -> None:
    page = _page(qtbot, county)
    dialog = _open_dialog(qtbot, page)
    qtbot.keyClicks(dialog.area_code, "330187")
    type_text(qtbot, dialog.name, "白沙镇人民政府")
    qtbot.keyClicks(dialog.public_key, "bm90IGEga2V5")  # base64, but 9 bytes
    assert dialog.fingerprint.text() == "（填入公钥后显示）"
    dialog.confirmed.setChecked(True)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert dialog.isVisible()
    assert "Ed25519 公钥为 32 字节" in dialog.errors.message("公钥")
    assert county.sync.list_peers(county.admin) == []
    # What was typed is all still there.
    assert (dialog.area_code.text(), dialog.name.text(), dialog.public_key.text()) == (
        "330187",
        "白沙镇人民政府",
        "bm90IGEga2V5",
    )
    assert dialog.confirmed.isChecked()

    # A bad area code and no name: every field's message at once.
    dialog.area_code.setText("33")
    dialog.name.clear()
    dialog.save()
    assert "6位数字" in dialog.errors.message("行政区划代码")
    assert dialog.errors.message("机关名称") == "请填写"
    assert county.sync.list_peers(county.admin) == []


def test_a_card_of_the_wrong_kind_is_refused(
    qtbot: QtBot, county: Side, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The county's own card (a county's, not a township's): core's reason shown, fields kept."""
    own_card = tmp_path / "own.json"
    page = _page(qtbot, county)
    assert page.save_card(own_card)
    dialog = _open_dialog(qtbot, page)
    assert dialog.load_card(own_card)
    assert dialog.kind() == "county"
    dialog.confirmed.setChecked(True)
    dialog.save()
    assert dialog.isVisible()
    assert "县级登记的是各乡镇" in dialog.bottom_error.text()
    assert dialog.area_code.text() == "330100"
    assert county.sync.list_peers(county.admin) == []

    not_a_card = tmp_path / "x.json"
    not_a_card.write_text('{"hello": 1}', encoding="utf-8")
    assert not dialog.load_card(not_a_card)
    assert "不是 Brigade Desk 机关名片" in dialog.bottom_error.text()
    assert dialog.area_code.text() == "330100"  # nothing overwritten

    # Closing with typed text asks first (answered: keep the dialog open).
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "question", lambda *args: QMessageBox.StandardButton.No)
    dialog.reject()
    assert dialog.isVisible()


def test_who_may_do_what(qtbot: QtBot, town: Side) -> None:
    clerk = Actor(town.admin.user_id, "c", "周内勤", frozenset({Role.CLERK}))
    page = _page(qtbot, town, clerk)
    # A clerk carries bundles and the card, but registering and stopping partners is the admin's.
    assert page.card_button.isEnabled()
    assert not page.add_peer_button.isEnabled() and not page.peer_active_button.isEnabled()
    assert "须由管理员操作" in page.peer_note.text()

    officer = Actor(town.admin.user_id, "o", "张三", frozenset({Role.OFFICER}))
    page = _page(qtbot, town, officer)
    assert not page.card_button.isEnabled()
    assert not page.add_peer_button.isEnabled() and not page.peer_active_button.isEnabled()
    assert page.peers.rowCount() == 0

    admin_page = _page(qtbot, town)
    assert admin_page.add_peer_button.isEnabled()
    assert not admin_page.peer_active_button.isEnabled()  # nothing selected yet


def test_a_township_renews_its_key_and_the_county_registers_the_new_one(
    qtbot: QtBot, town: Side, county: Side, tmp_path: Path
) -> None:
    from tests.core.sync_support import pair

    pair(town, county)
    old = town.sync.own_key(town.admin)
    town_page = _page(qtbot, town)
    town_page.tabs.setCurrentWidget(town_page.peers_tab)
    assert town_page.renew_button.isEnabled()
    assert not town_page.renew_own_key("  ")  # a reason is required: nothing changes
    assert "原因" in town_page.note.text() and town.sync.own_key(town.admin).fingerprint == old.fingerprint
    assert town_page.renew_own_key("原电脑损坏")
    new = town.sync.own_key(town.admin)
    assert new.fingerprint != old.fingerprint and new.fingerprint in town_page.note.text()
    card = tmp_path / "new.card"
    assert town_page.save_card(card)

    page = _page(qtbot, county)
    page.tabs.setCurrentWidget(page.peers_tab)
    page.peers.selectRow(0)
    assert page.rekey_button.isEnabled()
    qtbot.mouseClick(page.rekey_button, Qt.MouseButton.LeftButton)
    dialog = page.findChild(PeerDialog)
    assert dialog is not None and dialog.windowTitle() == "更换青溪镇人民政府的公钥"
    assert dialog.area_code.isReadOnly() and dialog.area_code.text() == "330185"
    assert dialog.load_card(card) and dialog.fingerprint.text() == new.fingerprint
    dialog.confirmed.setChecked(True)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)  # no reason yet
    assert dialog.isVisible() and "原因" in dialog.errors.message("原因")
    assert county.sync.list_peers(county.admin)[0].fingerprint == old.fingerprint
    type_text(qtbot, dialog.reason, "乡镇换了电脑")
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert county.sync.list_peers(county.admin)[0].fingerprint == new.fingerprint
    assert "已更换 青溪镇人民政府" in page.note.text()
