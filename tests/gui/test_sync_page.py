"""同步 page: export with progress, import after the dry-run table, history, held, quarantine."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from brigade_desk.core.rules.permissions import Actor, Role
from brigade_desk.core.sync.importer import ImportResult
from brigade_desk.gui.pages.sync import ImportReviewDialog, SyncPage
from brigade_desk.gui.session import DeskSession
from brigade_desk.gui.tasks import TaskRunner
from tests.core.sync_support import Side, demo, make_county, make_town, pair


def _page(qtbot: QtBot, side: Side) -> tuple[SyncPage, TaskRunner]:
    runner = TaskRunner()
    page = SyncPage(DeskSession(side.services, side.admin), runner)
    qtbot.addWidget(page)
    page.show()
    page.refresh()
    return page, runner


def _wait(qtbot: QtBot, page: SyncPage) -> None:
    qtbot.waitUntil(lambda: page.task is not None and not page.task.running, timeout=60_000)
    qtbot.wait(50)


def test_export_then_import_with_review(qtbot: QtBot, tmp_path: Path) -> None:
    town, county = make_town(tmp_path / "town"), make_county(tmp_path / "county")
    try:
        pair(town, county)
        demo(town, 8)
        usb = tmp_path / "usb"
        usb.mkdir()

        town_page, _ = _page(qtbot, town)
        assert "公钥指纹" in town_page.identity.text()
        town_page.export_to(usb)
        assert town_page.cancel_button.isVisible()
        _wait(qtbot, town_page)
        assert "已导出第 1 号数据包" in town_page.note.text()
        assert town_page.history.rowCount() == 1
        assert town_page.history.item(0, 6).text() == "已发出，待回执"
        [bundle] = list(usb.glob("*.bdbundle"))

        county_page, _ = _page(qtbot, county)
        seen: list[ImportResult] = []

        def decline(result: ImportResult) -> bool:
            seen.append(result)
            return False

        county_page.confirm_import = decline
        county_page.import_file(bundle)
        _wait(qtbot, county_page)
        assert seen and seen[0].status == "dry_run"
        assert county_page.history.rowCount() == 0  # declined: nothing imported

        dialog = ImportReviewDialog(seen[0])
        qtbot.addWidget(dialog)
        labels = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
        assert "案件" in labels
        case_row = labels.index("案件")
        assert dialog.table.item(case_row, 1).text() == "8"

        county_page.confirm_import = lambda result: True
        county_page.import_file(bundle)
        qtbot.waitUntil(lambda: "导入青溪镇人民政府第 1 号数据包" in county_page.note.text(), timeout=60_000)
        _wait(qtbot, county_page)
        assert county_page.history.rowCount() == 1
        assert county_page.history.item(0, 6).text() == "已导入"
        assert county_page.tabs.tabText(2) == "隔离区（0）"

        # A bad file: the reason is shown next to the actions and nothing changes.
        bad = usb / "bad.bdbundle"
        bad.write_bytes(b"broken")
        county_page.import_file(bad)
        _wait(qtbot, county_page)
        assert "已损坏或不完整" in county_page.note.text()
        assert county_page.history.rowCount() == 1
    finally:
        town.close()
        county.close()


def test_a_sent_bundle_is_copied_again_for_a_lost_usb_stick(qtbot: QtBot, tmp_path: Path) -> None:
    town, county = make_town(tmp_path / "town"), make_county(tmp_path / "county")
    try:
        pair(town, county)
        demo(town, 3)
        lost, spare = tmp_path / "lost-stick", tmp_path / "spare-stick"
        lost.mkdir()
        spare.mkdir()
        page, _ = _page(qtbot, town)
        assert not page.resend_button.isEnabled()  # nothing sent, nothing selected
        page.export_to(lost)
        _wait(qtbot, page)
        [original] = list(lost.glob("*.bdbundle"))

        page.history.selectRow(0)
        assert page.resend_button.isEnabled()
        bundle = page.selected_bundle()
        assert bundle is not None and bundle.sequence == 1
        page.resend_to(bundle, spare)
        assert not page.cancel_button.isVisible()  # a single copy: nothing to cancel half way
        _wait(qtbot, page)
        assert "已再次拷出发给临溪县人民政府的第 1 号数据包" in page.note.text()
        [again] = list(spare.glob("*.bdbundle"))
        assert again.read_bytes() == original.read_bytes()
        assert county.sync.import_bundle(county.admin, again).status == "applied"

        # A bundle received is not ours to send again.
        county_page, _ = _page(qtbot, county)
        county_page.history.selectRow(0)
        assert county_page.history.item(0, 0).text() == "收到"
        assert not county_page.resend_button.isEnabled()
    finally:
        town.close()
        county.close()


def test_people_without_the_permission_are_told_why(qtbot: QtBot, tmp_path: Path) -> None:
    town = make_town(tmp_path / "town")
    try:
        officer = Actor(town.admin.user_id, "o", "张三", frozenset({Role.OFFICER}))
        page = SyncPage(DeskSession(town.services, officer), TaskRunner())
        qtbot.addWidget(page)
        page.refresh()
        assert not page.export_button.isEnabled() and not page.import_button.isEnabled()
        assert "无权交换数据包" in page.note.text()
    finally:
        town.close()
