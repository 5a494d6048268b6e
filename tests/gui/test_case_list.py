"""The case list loads rows by position, a page at a time, only the pages shown; the detail pane and
its 历史 tab show the selected case."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from brigade_desk.core.app import Services
from brigade_desk.core.errors import PermissionDenied
from brigade_desk.core.rules.permissions import Actor
from brigade_desk.core.services.cases import CaseRow
from brigade_desk.gui.main_window import MainWindow
from brigade_desk.gui.models.case_table import COLUMN_KEYS, ID_ROLE, ROW_ROLE, AllCases, CaseTableModel
from brigade_desk.gui.pages.cases import CasesPage
from brigade_desk.gui.session import DeskSession
from tests.gui.support import add_case_event, add_cases

CASES = 360


@pytest.fixture
def case_ids(sqlite_services: Services, sqlite_admin: Actor) -> list[str]:
    return add_cases(sqlite_services, CASES)


class CountingSource(AllCases):
    """The real source, counting the calls that reach the services."""

    def __init__(self, session: DeskSession) -> None:
        super().__init__(session)
        self.pages: list[tuple[int, int]] = []
        self.counts = 0

    def count(self) -> int:
        self.counts += 1
        return super().count()

    def page(self, offset: int, limit: int) -> list[CaseRow]:
        self.pages.append((offset, limit))
        return super().page(offset, limit)


def test_model_counts_rows_and_loads_pages_by_position(
    desk_session: DeskSession, case_ids: list[str]
) -> None:
    source = CountingSource(desk_session)
    model = CaseTableModel(source, page_size=50, cache_pages=3)
    model.reload()
    assert model.rowCount() == CASES
    assert model.columnCount() == 7
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(7)] == [
        "案号",
        "受理日期",
        "当事人",
        "案由",
        "状态",
        "下一期限",
        "来源",
    ]
    assert source.pages == []  # counting reads no rows

    # Newest first: the last inserted case is row 0, the first inserted the last row.
    assert model.data(model.index(0, 0), ID_ROLE) == case_ids[-1]
    assert model.data(model.index(CASES - 1, 0), ID_ROLE) == case_ids[0]
    assert source.pages == [(0, 50), (350, 50)]  # the two pages holding those rows, nothing between

    # Rows of a page already loaded come from the cache.
    for row in range(50):
        model.data(model.index(row, COLUMN_KEYS.index("summary")))
    assert len(source.pages) == 2

    # Memory stays bounded: walking every row keeps only `cache_pages` pages.
    for row in range(CASES):
        model.row_at(row)
    assert len(model.cached_pages()) == 3
    assert model.cached_pages() == [5, 6, 7]


def test_model_cells(desk_session: DeskSession, case_ids: list[str]) -> None:
    model = CaseTableModel(AllCases(desk_session), page_size=50)
    model.reload()
    row: CaseRow = model.data(model.index(0, 0), ROW_ROLE)
    texts = [model.data(model.index(0, c)) for c in range(7)]
    assert texts[0] == row.case_number
    assert texts[1].startswith(f"{row.received_at.year}年") and texts[1].endswith("日")  # the day
    tip = model.data(model.index(0, 1), Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("受理时间：") and ":" in tip  # Beijing time to the minute
    assert texts[2] == row.parties and texts[2]
    assert texts[3] == row.summary
    assert texts[4] == row.state_label
    assert texts[6] == row.source
    assert model.data(model.index(CASES, 0)) is None  # beyond the last row


def test_model_reports_a_refusal_once(desk_session: DeskSession, case_ids: list[str]) -> None:
    class Refusing(AllCases):
        calls = 0

        def page(self, offset: int, limit: int) -> list[CaseRow]:
            self.calls += 1
            raise PermissionDenied("无权查看案件")

    source = Refusing(desk_session)
    model = CaseTableModel(source, page_size=50)
    errors: list[str] = []
    model.load_failed.connect(errors.append)
    model.reload()
    for _ in range(5):
        model.data(model.index(3, 0))
    assert source.calls == 1  # not asked again on every repaint
    assert errors == ["无权查看案件"]
    assert model.data(model.index(3, 0)) == "…"


def test_list_view_loads_only_the_pages_it_shows(
    qtbot: QtBot, desk_session: DeskSession, case_ids: list[str]
) -> None:
    page = CasesPage(desk_session, page_size=50)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    qtbot.waitExposed(page)
    page.refresh()
    qtbot.wait(50)
    model = page.model
    assert model.rowCount() == CASES
    assert page.count_label.text() == f"共 {CASES} 件"
    assert set(model.fetch_log) <= {0, 1}  # the first screen only

    model.fetch_log.clear()
    page.table.scrollToBottom()
    qtbot.wait(50)
    assert model.fetch_log and set(model.fetch_log) <= {6, 7}  # the last screen only
    assert len(model.cached_pages()) <= model.cache_pages

    # Typing in the table must not walk every row looking for a match (that would load them all).
    model.fetch_log.clear()
    page.table.setFocus()
    qtbot.keyClicks(page.table, "abc")
    assert model.fetch_log == []


def test_selecting_a_case_shows_its_detail_and_history(
    qtbot: QtBot, window: MainWindow, sqlite_services: Services, sqlite_admin: Actor, case_ids: list[str]
) -> None:
    newest = case_ids[-1]
    add_case_event(sqlite_services, sqlite_admin, newest, "登记线索：群众投诉占道经营", "lead.add")
    add_case_event(sqlite_services, sqlite_admin, newest, "负责人批准立案", "case.file")
    window.go_to("cases")
    page = window.cases
    assert page.detail.case is None
    assert "选择一个案件" in page.detail.hint.text()

    rect = page.table.visualRect(page.model.index(0, 0))
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    detail = page.detail.case
    assert detail is not None and detail.id == newest
    info = page.detail.info_tab.values
    assert info["case_number"].text() == detail.case_number
    assert info["parties"].text() == "、".join(detail.parties)
    assert info["place"].text() == "青溪镇溪口村"

    page.detail.tabs.setCurrentWidget(page.detail.history_tab)
    table = page.detail.history_tab.table
    assert table.rowCount() == 2
    rows = [[table.item(r, c).text() for c in range(3)] for r in range(2)]
    assert rows[0][1] == "系统管理员" and rows[0][2] == "登记线索：群众投诉占道经营"
    assert rows[1][2] == "负责人批准立案"
    assert "年" in rows[0][0]
    assert page.detail.history_tab.message.text() == "共 2 条记录"

    # Another case without events says so.
    page.select_row(1)
    assert page.detail.case is not None and page.detail.case.id == case_ids[-2]
    assert table.rowCount() == 0
    assert page.detail.history_tab.message.text() == "尚无记录"


def test_refresh_keeps_the_selected_case(
    qtbot: QtBot, window: MainWindow, sqlite_services: Services, case_ids: list[str]
) -> None:
    window.go_to("cases")
    window.cases.select_row(2)
    selected = window.cases.selected_case_id()
    window.refresh_current()
    assert window.cases.selected_case_id() == selected
    assert window.cases.detail.case is not None and window.cases.detail.case.id == selected
    # New cases arrive at the top; the selection follows its case.
    add_cases(sqlite_services, 2, start=datetime(2030, 1, 1, tzinfo=UTC))
    window.refresh_action.trigger()
    assert window.cases.model.rowCount() == CASES + 2
    assert window.cases.selected_case_id() == selected
    assert window.cases.table.currentIndex().row() == 4


def test_a_new_filter_or_sort_shows_its_first_rows(
    qtbot: QtBot, window: MainWindow, case_ids: list[str]
) -> None:
    window.go_to("cases")
    page = window.cases
    bar = page.table.verticalScrollBar()
    page.table.scrollToBottom()
    assert bar.value() > 0
    page.filters.set_states("办理中")  # 270 of the 360 are open
    assert page.model.rowCount() == 270 and bar.value() == 0
    page.table.scrollToBottom()
    page.sort_by("case_number", False)
    assert bar.value() == 0
    page.model.fetch_log.clear()
    page.table.viewport().repaint()
    assert page.model.fetch_log == [0]  # only the first page is read
