"""The case list as a Qt table model that stays fast and small at county scale.

The model knows only the number of rows (`count`) and loads rows by position in pages of
`page_size` (`page(offset, limit)`) when the view asks for a row it has not got; it keeps the last
`cache_pages` pages and forgets older ones. Scrolling to the bottom of 200,000 cases therefore
loads the last page only, and memory stays bounded whatever the person does (TECH-NOTES.md: lazy
`fetchMore` would keep every batch).

Where rows come from is a `CaseSource`. Today it is every case, newest first; the case-handling
work puts search, filters and sorting (all in SQL) behind the same two calls and hands the model a
new source with `set_source`.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from brigade_desk.core.errors import BrigadeError
from brigade_desk.core.services.cases import CaseFilter, CaseRow
from brigade_desk.core.timeutil import to_beijing
from brigade_desk.gui.formatting import show_date, show_datetime
from brigade_desk.gui.session import DeskSession
from brigade_desk.gui.style import CLOSED, DUE_COLOURS, colour

log = logging.getLogger(__name__)

ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the CaseRow itself
ID_ROLE = Qt.ItemDataRole.UserRole + 2  # the case id

GREY_STATES = frozenset({"closed", "archived"})
# The next deadline's colour says how close it is (DESIGN.md: colours carry meaning only).
DUE_WORDS = {"overdue": "已逾期", "due_today": "今日到期", "due_soon": "即将到期"}
LOADING = "…"

Index = QModelIndex | QPersistentModelIndex


class CaseSource(Protocol):
    """Rows of the case list by position; both calls run as the person signed in now."""

    def count(self) -> int: ...

    def page(self, offset: int, limit: int) -> list[CaseRow]: ...


class AllCases:
    """Every case the signed-in person may see, newest first."""

    def __init__(self, session: DeskSession) -> None:
        self.session = session

    def count(self) -> int:
        return self.session.services.cases.count(self.session.actor)

    def page(self, offset: int, limit: int) -> list[CaseRow]:
        return self.session.services.cases.page(self.session.actor, offset, limit)


class FilteredCases:
    """Cases matching a `CaseFilter` (search text, filters, sort), all done in SQL by core. The count
    goes with each page, so that core reads pages in the second half from the nearer end."""

    def __init__(self, session: DeskSession, flt: CaseFilter) -> None:
        self.session = session
        self.filter = flt
        self.total: int | None = None

    def count(self) -> int:
        self.total = self.session.services.cases.count_filtered(self.session.actor, self.filter)
        return self.total

    def page(self, offset: int, limit: int) -> list[CaseRow]:
        return self.session.services.cases.page_filtered(
            self.session.actor, self.filter, offset, limit, self.total
        )


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    sample: str  # typical content, to size the column without reading rows


COLUMNS: tuple[Column, ...] = (
    Column("case_number", "案号", "青综执立字〔2026〕第12345号"),
    Column("received_at", "受理日期", "2026年11月26日"),
    Column("parties", "当事人", "临溪县某某公司"),
    Column("summary", "案由", "某某在某村某路未经许可设置户外广告案"),
    Column("state", "状态", "已申请强制执行"),
    Column("next_due_on", "下一期限", "2026年11月26日"),
    Column("source", "来源", "12345热线转办"),
)
COLUMN_KEYS = [c.key for c in COLUMNS]


def _message(exc: Exception) -> str:
    if isinstance(exc, BrigadeError):
        return exc.message
    log.exception("case list: loading failed")
    return f"读取案件列表失败（{type(exc).__name__}），请按 F5 重试；如仍失败请联系管理员"


def cell_text(row: CaseRow, key: str) -> str:
    match key:
        case "received_at":
            return show_date(to_beijing(row.received_at).date())
        case "state":
            return row.state_label
        case "next_due_on":
            return show_date(row.next_due_on)
        case _:
            return str(getattr(row, key))


class CaseTableModel(QAbstractTableModel):
    """Rows by position, loaded a page at a time as the view needs them; a few pages cached."""

    load_failed = Signal(str)

    def __init__(
        self,
        source: CaseSource,
        parent: QObject | None = None,
        *,
        page_size: int = 100,
        cache_pages: int = 8,
    ) -> None:
        super().__init__(parent)
        self._source = source
        self.page_size = page_size
        self.cache_pages = cache_pages
        self._count = 0
        self._pages: OrderedDict[int, list[CaseRow]] = OrderedDict()
        self.fetch_log: list[int] = []  # page numbers in the order they were loaded (tests, benchmarks)
        self.error = ""

    # --- loading -------------------------------------------------------------------------------

    @property
    def source(self) -> CaseSource:
        return self._source

    def set_source(self, source: CaseSource) -> None:
        self._source = source
        self.reload()

    def reload(self) -> None:
        """Count again and forget every loaded row (F5, 切换用户, a new source)."""
        self.beginResetModel()
        self._pages.clear()
        self.error = ""
        try:
            self._count = self._source.count()
        except Exception as exc:  # a refusal or a broken store: say so once, show no rows
            self._count = 0
            self._fail(_message(exc))
        self.endResetModel()

    def cached_pages(self) -> list[int]:
        return sorted(self._pages)

    def row_at(self, row: int) -> CaseRow | None:
        if not 0 <= row < self._count:
            return None
        number, within = divmod(row, self.page_size)
        page = self._page(number)
        return page[within] if within < len(page) else None

    def row_of_id(self, case_id: str) -> int | None:
        """The position of a case among the rows already loaded (None when not loaded)."""
        for number, page in self._pages.items():
            for within, case in enumerate(page):
                if case.id == case_id:
                    return number * self.page_size + within
        return None

    def _page(self, number: int) -> list[CaseRow]:
        page = self._pages.get(number)
        if page is not None:
            self._pages.move_to_end(number)
            return page
        try:
            page = self._source.page(number * self.page_size, self.page_size)
        except Exception as exc:
            # Kept empty until the next reload, so a failure is not asked again on every repaint
            # (data() runs inside Qt's painting, where a raised exception only prints and repeats).
            page = []
            self._fail(_message(exc))
        self.fetch_log.append(number)
        self._pages[number] = page
        while len(self._pages) > self.cache_pages:
            self._pages.popitem(last=False)
        return page

    def _fail(self, message: str) -> None:
        self.error = message
        self.load_failed.emit(message)

    # --- QAbstractTableModel -------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt signature)
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt signature)
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].title
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return section + 1
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.row_at(index.row())
        key = COLUMNS[index.column()].key
        if role == Qt.ItemDataRole.DisplayRole:
            return LOADING if row is None else cell_text(row, key)
        if row is None:
            return None
        if role == Qt.ItemDataRole.ToolTipRole and key in ("summary", "parties", "case_number", "state"):
            return cell_text(row, key)
        if role == Qt.ItemDataRole.ToolTipRole and key == "received_at":
            return f"受理时间：{show_datetime(row.received_at)}"  # to the minute; the cell shows the day
        if role == Qt.ItemDataRole.ToolTipRole and key == "next_due_on" and row.next_due_on:
            status = f"（{DUE_WORDS[row.due_status]}）" if row.due_status in DUE_WORDS else ""
            return f"{row.next_due_label}：{cell_text(row, key)}{status}"
        if role == Qt.ItemDataRole.ForegroundRole and row.state in GREY_STATES:
            return colour(CLOSED)
        if role == Qt.ItemDataRole.ForegroundRole and key == "next_due_on" and row.due_status in DUE_COLOURS:
            return colour(DUE_COLOURS[row.due_status])
        if role == ROW_ROLE:
            return row
        if role == ID_ROLE:
            return row.id
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
