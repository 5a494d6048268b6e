"""县级总览 on a county store holding a township's bundle: the townships with their figures and totals,
a township's cases page by page, one case read only with its documents (the archived PDF) and
evidence (opened and logged), the search box across townships; a township store has no such page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtPdf import QPdfDocument
from pytestqt.qtbot import QtBot

from brigade_desk.core.services.county import TownshipRow
from brigade_desk.gui.main_window import MainWindow
from brigade_desk.gui.pages import county as county_page
from brigade_desk.gui.pages.county import TOWNSHIP_COLUMNS, CountyPage
from brigade_desk.gui.pages.county_case import CountyCaseDialog
from brigade_desk.gui.session import DeskSession
from brigade_desk.gui.style import OVERDUE
from brigade_desk.gui.tasks import TaskRunner
from tests.gui.county_support import DEMO_CASES, CountyWorld, build_county_world

COLUMN = {field: c for c, (field, _heading) in enumerate(TOWNSHIP_COLUMNS)}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CountyWorld]:
    """Built once for the module (two stores, a bundle, a PDF): the tests only read it, except for
    the logged views of evidence."""
    from argon2 import PasswordHasher

    from brigade_desk.core import crypto
    from brigade_desk.core.services import users

    with pytest.MonkeyPatch.context() as mp:  # the cheap costs of tests/conftest.py, for this build
        mp.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        mp.setattr(crypto, "SCRYPT_N", 2**10)
        built = build_county_world(tmp_path_factory.mktemp("county-world"))
    yield built
    built.close()


def _session(world: CountyWorld) -> DeskSession:
    return DeskSession(world.county.services, world.county.admin)


def _page(qtbot: QtBot, world: CountyWorld) -> CountyPage:
    page = CountyPage(_session(world), TaskRunner())
    qtbot.addWidget(page)
    page.resize(1300, 800)
    page.show()
    page.refresh()
    _wait(qtbot, page)
    return page


def _wait(qtbot: QtBot, page: CountyPage) -> None:
    qtbot.waitUntil(lambda: not page.loading(), timeout=30_000)


def _cell(page: CountyPage, row: int, field: str) -> str:
    return page.townships.item(row, COLUMN[field]).text()


def _township(world: CountyWorld, area_code: str) -> TownshipRow:
    overview = world.county.services.county.overview(world.county.admin)
    return next(t for t in overview.townships if t.area_code == area_code)


def test_county_window_opens_on_the_overview_without_township_pages(qtbot: QtBot, world: CountyWorld) -> None:
    window = MainWindow(_session(world))
    qtbot.addWidget(window)
    window.resize(1400, 860)
    window.show()
    qtbot.waitExposed(window)
    with qtbot.waitActive(window):
        window.activateWindow()
    try:
        assert [window.nav.item(i).text() for i in range(window.nav.count())] == [
            "县级总览",
            "工作台",
            "同步",
            "统计",
            "设置",
        ]
        assert window.current_key() == "county" and window.county is not None
        with pytest.raises(ValueError):
            window.go_to("cases")  # handling a township's cases is not offered at a county
        qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
        assert window.current_key() == "sync"
        qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
        assert window.current_key() == "county"
        _wait(qtbot, window.county)
        assert window.county.townships.rowCount() == 3  # two townships and 合计
    finally:
        window.idle.uninstall()


def test_townships_with_their_figures_and_totals(qtbot: QtBot, world: CountyWorld) -> None:
    page = _page(qtbot, world)
    qingxi, shimen = _township(world, "330185"), _township(world, "330186")
    assert page.townships.rowCount() == 3
    assert [_cell(page, r, "name") for r in range(3)] == ["青溪镇人民政府", "石门乡人民政府", "合计"]

    # 青溪镇 sent one bundle with the demo cases and the walked-through case.
    assert qingxi.cases == DEMO_CASES + 1
    assert _cell(page, 0, "cases") == str(DEMO_CASES + 1)
    assert _cell(page, 0, "last").startswith("第1号，")
    for field in ("open_cases", "overdue", "major", "major_reviewed", "decisions", "published"):
        assert _cell(page, 0, field) == str(getattr(qingxi, field)), field
    assert _cell(page, 0, "fines_decided_fen") == f"{qingxi.fines_decided_fen // 100:,}.00元"
    assert qingxi.overdue >= 1  # the walked-through case's decision deadline has passed
    assert page.townships.item(0, COLUMN["overdue"]).foreground().color().name() == OVERDUE

    # 石门乡 is registered and has sent nothing.
    assert shimen.cases == 0
    assert _cell(page, 1, "last") == "尚未收到" and _cell(page, 1, "cases") == "0"

    # 合计 adds the townships up and cannot be chosen as one.
    assert _cell(page, 2, "cases") == str(qingxi.cases + shimen.cases)
    assert _cell(page, 2, "overdue") == str(qingxi.overdue)
    assert not page.townships.item(2, 0).flags() & Qt.ItemFlag.ItemIsSelectable
    assert "已登记乡镇 2 个" in page.summary.text()
    assert f"案件 {qingxi.cases} 件" in page.summary.text()


def test_drill_down_to_a_read_only_case_with_its_documents_and_evidence(
    qtbot: QtBot, world: CountyWorld
) -> None:
    page = _page(qtbot, world)
    assert not page.open_button.isEnabled()
    rect = page.townships.visualRect(page.townships.model().index(0, 0))
    qtbot.mouseClick(page.townships.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    _wait(qtbot, page)
    assert page.case_table.rowCount() == DEMO_CASES + 1
    assert page.cases_title.text() == f"青溪镇人民政府的案件（共 {DEMO_CASES + 1} 件）"
    numbers = [page.case_table.item(r, 0).text() for r in range(page.case_table.rowCount())]
    row = numbers.index(world.case_number)
    assert page.case_table.item(row, 4).foreground().color().name() == OVERDUE

    # Enter (or a double click) on the row opens the case, read only.
    page.case_table.setCurrentCell(row, 0)
    page.case_table.setFocus()
    qtbot.keyClick(page.case_table, Qt.Key.Key_Return)
    dialog = page.case_dialog
    assert isinstance(dialog, CountyCaseDialog) and dialog.isVisible()
    assert world.case_number in dialog.windowTitle() and "只读" in dialog.windowTitle()
    assert dialog.view.township == "青溪镇人民政府" and dialog.view.parties == ["陈喆"]
    assert dialog.facts.isReadOnly() and "占道摆放水果摊" in dialog.facts.toPlainText()
    steps = [dialog.steps.item(r, 1).text() for r in range(dialog.steps.rowCount())]
    assert "立案" in steps and "调查终结" in steps

    # 文书: the issued notice, its archived PDF shown inside.
    assert dialog.tabs.tabText(2) == "文书（1）"
    assert [dialog.documents.item(0, c).text() for c in range(3)] == [
        "行政处罚事先告知书",
        world.doc_number,
        "已签发",
    ]
    dialog.tabs.setCurrentIndex(2)
    dialog.documents.selectRow(0)
    qtbot.waitUntil(lambda: dialog.preview.document.status() == QPdfDocument.Status.Ready, timeout=10_000)
    assert dialog.preview.document.pageCount() >= 1

    # 证据: opened with the system's viewer (here: recorded), and the view logged.
    dialog.tabs.setCurrentIndex(3)
    opened: list[QUrl] = []
    dialog.open_url = opened.append
    assert not dialog.open_button.isEnabled()
    dialog.evidence.selectRow(0)
    assert dialog.evidence.item(0, 2).text() == world.photo_name
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    [url] = opened
    assert Path(url.toLocalFile()).read_bytes() == world.photo.read_bytes()
    assert "已打开" in dialog.evidence_note.text()
    evidence_id = dialog.view.evidence[0].id
    log = world.county.services.evidence.access_log(world.county.admin, evidence_id)
    assert any(entry.action == "evidence.view" for entry in log)


def test_overdue_only_and_paging(qtbot: QtBot, world: CountyWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(county_page, "PAGE_SIZE", 5)
    page = _page(qtbot, world)
    page.select_township("330185")
    _wait(qtbot, page)
    total = DEMO_CASES + 1
    assert page.case_table.rowCount() == 5 and page.page_label.text() == "第 1–5 件"
    assert page.next_button.isEnabled() and not page.previous_button.isEnabled()
    seen = [page.case_table.item(r, 0).text() for r in range(5)]
    while page.next_button.isEnabled():
        qtbot.mouseClick(page.next_button, Qt.MouseButton.LeftButton)
        _wait(qtbot, page)
        seen += [page.case_table.item(r, 0).text() for r in range(page.case_table.rowCount())]
    assert len(seen) == total and len(set(seen)) == total  # every case once
    assert page.page_label.text() == f"第 11–{total} 件" and page.previous_button.isEnabled()

    page.overdue_only.setChecked(True)
    _wait(qtbot, page)
    overdue = _township(world, "330185").overdue
    assert page.case_table.rowCount() == overdue
    assert page.cases_title.text() == f"青溪镇人民政府的逾期案件（共 {overdue} 件）"
    assert page.page_label.text() == f"第 1–{overdue} 件"


def test_search_box_finds_cases_in_every_township(qtbot: QtBot, world: CountyWorld) -> None:
    window = MainWindow(_session(world))
    qtbot.addWidget(window)
    window.show()
    try:
        assert window.county is not None
        window.go_to("sync")
        window.search.setText("陈喆")
        window.run_search()  # the 同步 page searches nothing: 县级总览 takes the text
        assert window.current_key() == "county"
        _wait(qtbot, window.county)
        page = window.county
        assert page.case_table.rowCount() == 1
        assert page.case_table.item(0, 0).text() == world.case_number
        assert page.cases_title.text() == "查找“陈喆”：各乡镇共 1 件"
        assert not page.overdue_only.isEnabled()
        window.search.clear()  # back to no listing (no township chosen)
        _wait(qtbot, page)
        assert page.case_table.rowCount() == 0

        # With a township chosen: the hits replace its list, clearing the search brings it back.
        page.select_township("330185")
        _wait(qtbot, page)
        window.search.setText("陈喆")
        window.run_search()
        _wait(qtbot, page)
        assert page.case_table.rowCount() == 1 and not page.townships.selectedItems()
        page.refresh()  # F5 keeps the search
        _wait(qtbot, page)
        assert page.cases_title.text() == "查找“陈喆”：各乡镇共 1 件"
        window.search.clear()
        _wait(qtbot, page)
        assert page.case_table.rowCount() == DEMO_CASES + 1
        assert page.townships.currentRow() == 0 and page.townships.selectedItems()

        # 工作台's deadline board opens a case read only at a county, staying where it is.
        window.go_to("dashboard")
        window.open_case(world.case_id)
        assert window.current_key() == "dashboard"
        assert page.case_dialog is not None and page.case_dialog.view.id == world.case_id
    finally:
        window.idle.uninstall()


def test_township_store_has_no_county_page(window: MainWindow) -> None:
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert "县级总览" not in titles and "案件" in titles
    assert window.county is None and "county" not in window.pages
    assert window.current_key() == "dashboard"
