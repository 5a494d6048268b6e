"""县级总览 (county stores only): the townships side by side, a township's cases page by page, one
case read only; the search box finds cases across every township.

Everything comes from `services.county` (overview, township_cases, case_view) and, for the search
box, `services.cases.search`. The overview and the case lists are read on the TaskRunner: at county
scale (tens of thousands of cases) they take long enough to freeze the window otherwise. A newer
request makes the answer of an older one void, so a slow answer never overwrites a newer choice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from brigade_desk.core.errors import BrigadeError
from brigade_desk.core.services.cases import CaseRow
from brigade_desk.core.services.county import ENDED, CountyCaseRow, CountyOverview, TownshipRow
from brigade_desk.gui.formatting import show_date, show_datetime, show_fen
from brigade_desk.gui.pages.base import Page
from brigade_desk.gui.pages.county_case import CountyCaseDialog
from brigade_desk.gui.session import DeskSession
from brigade_desk.gui.style import CLOSED, OVERDUE, colour, set_error_style
from brigade_desk.gui.tables import read_only_table
from brigade_desk.gui.tasks import LatestOnly, TaskHandle, TaskRunner

PAGE_SIZE = 200  # cases per page of a township's list (and search hits shown)

# (field of TownshipRow, heading); money fields are in fen.
TOWNSHIP_COLUMNS: tuple[tuple[str, str], ...] = (
    ("name", "乡镇"),
    ("area_code", "区划代码"),
    ("last", "已收到数据包"),
    ("cases", "案件"),
    ("open_cases", "在办"),
    ("overdue", "逾期"),
    ("major", "重大案件"),
    ("major_reviewed", "重大已审核"),
    ("decisions", "处罚决定"),
    ("fines_decided_fen", "决定罚款"),
    ("fines_paid_fen", "已缴罚款"),
    ("published", "已公示"),
    ("publication_pending", "待公示"),
    ("held", "暂存数据包"),
    ("quarantined", "隔离记录"),
)
NUMBER_FIELDS = tuple(f for f, _h in TOWNSHIP_COLUMNS if f not in ("name", "area_code", "last"))
CASE_HEADERS = ["案号", "案由", "状态", "受理时间", "下一期限", "罚款", "重大"]


@dataclass(frozen=True)
class ListedCase:
    """A row of the case list: a township's case or a search hit, shown alike."""

    id: str
    case_number: str
    summary: str
    state: str
    state_label: str
    received_at: datetime
    next_due_on: date | None
    next_due_label: str
    overdue: bool
    fine_fen: int | None
    is_major: bool

    @classmethod
    def of_township(cls, r: CountyCaseRow) -> ListedCase:
        return cls(
            r.id,
            r.case_number,
            r.summary,
            r.state,
            r.state_label,
            r.received_at,
            r.next_due_on,
            r.next_due_label,
            r.overdue,
            r.fine_fen,
            r.is_major,
        )

    @classmethod
    def of_search(cls, r: CaseRow) -> ListedCase:
        return cls(
            r.id,
            r.case_number or "（未立案）",
            r.summary,
            r.state,
            r.state_label,
            r.received_at,
            r.next_due_on,
            r.next_due_label,
            r.due_status == "overdue",
            None,
            r.is_major,
        )


def township_cell(row: TownshipRow, field: str) -> str:
    if field == "last":
        if not row.last_sequence:
            return "尚未收到"
        at = f"，{show_datetime(row.last_received_at)}" if row.last_received_at else ""
        return f"第{row.last_sequence}号{at}"
    value = getattr(row, field)
    return show_fen(int(value)) if field.endswith("_fen") else str(value)


class CountyPage(Page):
    key = "county"
    title = "县级总览"
    case_opened = Signal(str)  # a case's read-only view was shown

    def __init__(self, session: DeskSession, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.runner = runner
        self.overview: CountyOverview | None = None
        self.township: TownshipRow | None = None
        self.cases: list[ListedCase] = []
        self.offset = 0
        self.has_more = False
        self.search_text = ""
        self.case_dialog: CountyCaseDialog | None = None
        # Each is read again while an older read may still run; only the newest answer is shown.
        self.overview_reads = LatestOnly(runner, self)
        self.case_reads = LatestOnly(runner, self)

        heading = QLabel(self.title)
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        heading.setFont(font)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.refresh_button = QPushButton("刷新")
        self.refresh_button.setToolTip("重新读取各乡镇的情况（F5）")
        self.refresh_button.clicked.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(heading)
        top.addSpacing(16)
        top.addWidget(self.summary, 1)
        top.addWidget(self.refresh_button)

        self.message = QLabel()
        set_error_style(self.message)
        self.message.hide()

        # --- the townships ---------------------------------------------------------------------
        self.townships = read_only_table([h for _f, h in TOWNSHIP_COLUMNS], stretch=None)
        self.townships.horizontalHeader().setStretchLastSection(False)
        # Sized to the figures after each load (plus some air), and the person may widen a column.
        self.townships.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.townships.itemSelectionChanged.connect(self._on_township_selected)
        hint = QLabel(
            "选中一个乡镇，下方列出它的案件；双击案件（或选中后按回车）查看案件详情（只读）。"
            "逾期：在办案件的下一期限已过。罚款按处罚决定计，已缴含当场收缴。"
        )
        hint.setWordWrap(True)

        # --- a township's cases ----------------------------------------------------------------
        self.cases_title = QLabel("选择一个乡镇查看其案件")
        bold = self.cases_title.font()
        bold.setBold(True)
        self.cases_title.setFont(bold)
        self.overdue_only = QCheckBox("只看逾期")
        self.overdue_only.toggled.connect(lambda _on: self._load_cases(0))
        self.previous_button = QPushButton("上一页")
        self.previous_button.clicked.connect(lambda: self._load_cases(max(self.offset - PAGE_SIZE, 0)))
        self.next_button = QPushButton("下一页")
        self.next_button.clicked.connect(lambda: self._load_cases(self.offset + PAGE_SIZE))
        self.page_label = QLabel()
        self.open_button = QPushButton("查看案件…")
        self.open_button.clicked.connect(self.open_selected)
        case_bar = QHBoxLayout()
        case_bar.addWidget(self.cases_title, 1)
        case_bar.addWidget(self.overdue_only)
        case_bar.addSpacing(12)
        case_bar.addWidget(self.previous_button)
        case_bar.addWidget(self.page_label)
        case_bar.addWidget(self.next_button)
        case_bar.addSpacing(12)
        case_bar.addWidget(self.open_button)
        self.case_table = read_only_table(CASE_HEADERS, stretch=1)
        self.case_table.itemSelectionChanged.connect(self._update_buttons)
        self.case_table.cellDoubleClicked.connect(lambda row, _c: self.open_case_at(row))
        self.case_table.cellActivated.connect(lambda row, _c: self.open_case_at(row))

        upper = QWidget()
        up_layout = QVBoxLayout(upper)
        up_layout.setContentsMargins(0, 0, 0, 0)
        up_layout.addWidget(self.townships, 1)
        up_layout.addWidget(hint)
        lower = QWidget()
        low_layout = QVBoxLayout(lower)
        low_layout.setContentsMargins(0, 0, 0, 0)
        low_layout.addLayout(case_bar)
        low_layout.addWidget(self.case_table, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(upper)
        split.addWidget(lower)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(split, 1)
        self._update_buttons()

    # --- background reads --------------------------------------------------------------------------

    def _submit(
        self, reads: LatestOnly, name: str, work: Callable[[], Any], done: Callable[[Any], None]
    ) -> TaskHandle:
        """Run `work` on the runner; `done` gets its value unless a newer read was asked for since."""

        def failed(error: object) -> None:
            text = error.message if isinstance(error, BrigadeError) else f"{type(error).__name__}: {error}"
            self._say(f"{name}未完成：{text}")

        return reads.submit(name, lambda _progress: work(), done, failed)

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # --- the overview ------------------------------------------------------------------------------

    def refresh(self) -> None:
        super().refresh()
        self._say("")
        self.summary.setText("正在读取各乡镇的情况…")
        county, actor = self.services.county, self.session.actor
        self._submit(
            self.overview_reads, "读取各乡镇情况", lambda: county.overview(actor), self._show_overview
        )

    def loading(self) -> bool:
        return self.overview_reads.running or self.case_reads.running

    def _show_overview(self, value: object) -> None:
        overview: CountyOverview = value  # type: ignore[assignment]
        self.overview = overview
        selected = self.township.area_code if self.township else None
        rows = overview.townships
        self.townships.blockSignals(True)
        self.townships.setRowCount(len(rows) + (1 if rows else 0))
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for r, township in enumerate(rows):
            for c, (field, _heading) in enumerate(TOWNSHIP_COLUMNS):
                item = QTableWidgetItem(township_cell(township, field))
                if field in NUMBER_FIELDS:
                    item.setTextAlignment(right)
                if field == "overdue" and township.overdue:
                    item.setForeground(colour(OVERDUE))
                if field == "last" and not township.last_sequence:
                    item.setForeground(colour(CLOSED))
                self.townships.setItem(r, c, item)
        if rows:  # 合计: the last row, bold, not a township
            total_font = QFont(self.townships.font())
            total_font.setBold(True)
            for c, (field, _heading) in enumerate(TOWNSHIP_COLUMNS):
                if field == "name":
                    text = "合计"
                elif field in NUMBER_FIELDS:
                    total = overview.total(field)
                    text = show_fen(total) if field.endswith("_fen") else str(total)
                else:
                    text = ""
                item = QTableWidgetItem(text)
                item.setFont(total_font)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                if field in NUMBER_FIELDS:
                    item.setTextAlignment(right)
                if field == "overdue" and overview.total("overdue"):
                    item.setForeground(colour(OVERDUE))
                self.townships.setItem(len(rows), c, item)
        self.townships.blockSignals(False)
        self.townships.resizeColumnsToContents()
        header = self.townships.horizontalHeader()
        for c in range(self.townships.columnCount()):  # some air between the figures
            header.resizeSection(c, header.sectionSize(c) + 12)
        if rows:
            self.summary.setText(
                f"截至 {show_date(overview.today)}，已登记乡镇 {len(rows)} 个，"
                f"案件 {overview.total('cases'):,} 件，在办 {overview.total('open_cases'):,} 件，"
                f"逾期 {overview.total('overdue'):,} 件。"
            )
        else:
            self.summary.setText(
                "尚未登记任何乡镇：请在“同步”页的“交换对象”标签页登记各乡镇的机关名片，再导入它们的数据包。"
            )
        # Keep the township that was chosen (its figures may have changed) and read its list again,
        # or the search hits.
        keep = next((r for r, t in enumerate(rows) if t.area_code == selected), None)
        self.township = rows[keep] if keep is not None else None
        if keep is not None and not self.search_text:
            self.townships.blockSignals(True)
            self.townships.selectRow(keep)
            self.townships.blockSignals(False)
        if self.search_text or self.township is not None:
            self._load_cases(self.offset)
        else:
            self._clear_cases("选择一个乡镇查看其案件")

    # --- a township's cases ------------------------------------------------------------------------

    def township_rows(self) -> list[TownshipRow]:
        return self.overview.townships if self.overview else []

    def select_township(self, area_code: str) -> None:
        for r, township in enumerate(self.township_rows()):
            if township.area_code == area_code:
                self.townships.selectRow(r)
                return

    def _on_township_selected(self) -> None:
        rows = self.township_rows()
        r = self.townships.currentRow()
        if not (0 <= r < len(rows)):  # the 合计 row, or nothing
            return
        self.township = rows[r]
        self.search_text = ""
        self._load_cases(0)

    def _load_cases(self, offset: int) -> None:
        if self.search_text:
            self._search(self.search_text, offset)
            return
        township = self.township
        if township is None:
            return
        overdue_only = self.overdue_only.isChecked()
        self.cases_title.setText(f"{township.name}：正在读取案件…")
        county, actor = self.services.county, self.session.actor

        def work() -> list[ListedCase]:
            rows = county.township_cases(
                actor, township.area_code, overdue_only=overdue_only, limit=PAGE_SIZE + 1, offset=offset
            )
            return [ListedCase.of_township(r) for r in rows]

        def done(value: Any) -> None:
            total = township.overdue if overdue_only else township.cases
            which = "逾期案件" if overdue_only else "案件"
            self._show_cases(value, offset, f"{township.name}的{which}（共 {total:,} 件）")

        self._submit(self.case_reads, "读取乡镇案件", work, done)

    def _show_cases(self, rows: list[ListedCase], offset: int, title: str) -> None:
        self.has_more = len(rows) > PAGE_SIZE
        self.cases = rows[:PAGE_SIZE]
        self.offset = offset
        self.cases_title.setText(title)
        self.case_table.setRowCount(len(self.cases))
        for r, case in enumerate(self.cases):
            due = f"{show_date(case.next_due_on)} {case.next_due_label}" if case.next_due_on else ""
            cells = [
                case.case_number,
                case.summary,
                case.state_label,
                show_datetime(case.received_at),
                due,
                show_fen(case.fine_fen),
                "是" if case.is_major else "",
            ]
            closed = case.state in ENDED  # grey: the case has ended
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if c == 5:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if closed:
                    item.setForeground(colour(CLOSED))
                elif c == 4 and case.overdue:
                    item.setForeground(colour(OVERDUE))
                self.case_table.setItem(r, c, item)
        if self.cases:
            self.page_label.setText(f"第 {offset + 1:,}–{offset + len(self.cases):,} 件")
        else:
            self.page_label.setText("没有案件" if offset == 0 else "")
        self._update_buttons()

    def _clear_cases(self, title: str) -> None:
        self.case_reads.drop()
        self.cases = []
        self.offset = 0
        self.has_more = False
        self.case_table.setRowCount(0)
        self.cases_title.setText(title)
        self.page_label.setText("")
        self._update_buttons()

    def _update_buttons(self) -> None:
        listing = self.township is not None or bool(self.search_text)
        self.previous_button.setEnabled(listing and self.offset > 0)
        self.next_button.setEnabled(listing and self.has_more)
        self.overdue_only.setEnabled(not self.search_text)
        self.open_button.setEnabled(0 <= self.case_table.currentRow() < len(self.cases))

    # --- search across the townships ---------------------------------------------------------------

    def apply_search(self, text: str) -> bool:
        """The search box finds cases in every township (number, party, text); empty goes back."""
        self.search_text = text.strip()
        if self.search_text:
            # The hits are not one township's: no township shows as chosen (choosing one lists it).
            self.townships.blockSignals(True)
            self.townships.clearSelection()
            self.townships.blockSignals(False)
            self._search(self.search_text, 0)
        elif self.township is not None:  # back to the township chosen before
            self.townships.blockSignals(True)
            self.select_township(self.township.area_code)
            self.townships.blockSignals(False)
            self._load_cases(0)
        else:
            self._clear_cases("选择一个乡镇查看其案件")
        return True

    def live_search(self) -> bool:
        return True

    def _search(self, text: str, offset: int) -> None:
        self.cases_title.setText(f"查找“{text}”：正在查找…")
        cases, actor = self.services.cases, self.session.actor

        def work() -> tuple[int, list[ListedCase]]:
            rows = cases.search(actor, text, limit=PAGE_SIZE + 1, offset=offset)
            return cases.count_search(actor, text), [ListedCase.of_search(r) for r in rows]

        def done(value: Any) -> None:
            total, rows = value
            self._show_cases(rows, offset, f"查找“{text}”：各乡镇共 {total:,} 件")

        self._submit(self.case_reads, "查找案件", work, done)

    # --- one case, read only -----------------------------------------------------------------------

    def open_selected(self) -> CountyCaseDialog | None:
        return self.open_case_at(self.case_table.currentRow())

    def open_case_at(self, row: int) -> CountyCaseDialog | None:
        if 0 <= row < len(self.cases):
            return self.open_case(self.cases[row].id)
        return None

    def open_case(self, case_id: str) -> CountyCaseDialog | None:
        """Show one case read only (also from 工作台's deadline board at a county)."""
        try:
            view = self.services.county.case_view(self.session.actor, case_id)
        except BrigadeError as exc:
            self._say(exc.message)
            return None
        self._say("")
        if self.case_dialog is not None:
            self.case_dialog.close()
        dialog = CountyCaseDialog(self.session, view, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda _obj=None, d=dialog: self._forget_dialog(d))
        self.case_dialog = dialog
        dialog.resize(1000, 720)
        dialog.show()
        self.case_opened.emit(case_id)
        return dialog

    def _forget_dialog(self, dialog: CountyCaseDialog) -> None:
        if self.case_dialog is dialog:
            self.case_dialog = None
