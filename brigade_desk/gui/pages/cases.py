"""案件: the case list (paged by position) with the detail pane beside it."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from brigade_desk.gui.models.case_table import COLUMN_KEYS, COLUMNS, ID_ROLE, AllCases, CaseTableModel
from brigade_desk.gui.pages.base import Page
from brigade_desk.gui.pages.case_detail import CaseDetailPane
from brigade_desk.gui.session import DeskSession
from brigade_desk.gui.style import set_error_style


class CaseTableView(QTableView):
    """A table that never asks the model for rows it does not show."""

    def keyboardSearch(self, search: str) -> None:
        # Qt's type-to-find walks every row (QAbstractItemModel.match), which would load the whole
        # list; finding belongs to the search box (Ctrl+F).
        return


class CasesPage(Page):
    key = "cases"
    title = "案件"

    def __init__(self, session: DeskSession, parent: QWidget | None = None, *, page_size: int = 100) -> None:
        super().__init__(session, parent)
        self.model = CaseTableModel(AllCases(session), self, page_size=page_size)
        self.model.load_failed.connect(self._show_error)
        self.search_text = ""

        self.count_label = QLabel()
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.hide()

        self.table = CaseTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setCornerButtonEnabled(False)
        self.table.verticalHeader().hide()
        # Fixed row heights and fixed initial column widths: sizing to contents would read rows.
        vertical = self.table.verticalHeader()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        metrics = self.table.fontMetrics()
        for number, column in enumerate(COLUMNS):
            header.resizeSection(number, metrics.horizontalAdvance(column.sample) + 16)
        header.setSectionResizeMode(COLUMN_KEYS.index("summary"), QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)

        self.detail = CaseDetailPane(session)

        list_side = QWidget()
        list_layout = QVBoxLayout(list_side)
        list_layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.count_label)
        top.addStretch(1)
        list_layout.addLayout(top)
        list_layout.addWidget(self.notice)
        list_layout.addWidget(self.table, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(list_side)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setSizes([900, 420])
        self.splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)

    # --- Page ----------------------------------------------------------------------------------

    def refresh(self) -> None:
        super().refresh()
        selected, old_row, old_count = (
            self.selected_case_id(),
            self.table.currentIndex().row(),
            self.model.rowCount(),
        )
        self.notice.hide()
        self.model.reload()
        total = self.model.rowCount()
        self.count_label.setText(f"共 {total:,} 件" if not self.model.error else "")
        # Find the selected case again where it was, or shifted by the cases added since (newest first);
        # this reads at most two pages.
        row = None
        if selected is not None and old_row >= 0:
            for candidate in (old_row + total - old_count, old_row):
                case = self.model.row_at(candidate)
                if case is not None and case.id == selected:
                    row = candidate
                    break
        if row is not None:
            self.select_row(row)
        else:
            self.table.clearSelection()
            self.detail.show_case(None)
        if self.search_text:
            self._show_search_notice()

    def apply_search(self, text: str) -> bool:
        """The search box's hook. Searching cases (in SQL, by number, party, ID number, address and
        facts) comes with the case-handling work, which gives the model a filtered `CaseSource`."""
        self.search_text = text.strip()
        if self.search_text:
            self._show_search_notice()
        else:
            self.notice.hide()
        return True

    # --- selection -------------------------------------------------------------------------------

    def selected_case_id(self) -> str | None:
        index = self.table.currentIndex()
        return self.model.data(index, ID_ROLE) if index.isValid() else None

    def select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        self.table.scrollTo(index)

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.detail.show_case_id(self.model.data(current, ID_ROLE) if current.isValid() else None)

    # --- messages --------------------------------------------------------------------------------

    def _show_error(self, message: str) -> None:
        set_error_style(self.notice)
        self.notice.setText(message)
        self.notice.show()

    def _show_search_notice(self) -> None:
        self.notice.setStyleSheet("")
        self.notice.setText(f"案件查找（“{self.search_text}”）尚未开放，下方仍列出全部案件。")
        self.notice.show()
