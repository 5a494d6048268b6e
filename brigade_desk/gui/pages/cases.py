"""案件: the case list (paged by position, filtered, searched and sorted in SQL) with the detail pane
beside it, and the open leads (线索) in a second tab of the list side."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from brigade_desk.core.rules.permissions import Permission
from brigade_desk.core.services.cases import CaseFilter
from brigade_desk.core.services.leads import LeadView
from brigade_desk.gui.forms import chain_tab_order
from brigade_desk.gui.models.case_table import COLUMN_KEYS, COLUMNS, ID_ROLE, CaseTableModel, FilteredCases
from brigade_desk.gui.pages.base import Page
from brigade_desk.gui.pages.case_actions import WHO
from brigade_desk.gui.pages.case_detail import CaseDetailPane
from brigade_desk.gui.pages.case_filters import CaseFilterBar
from brigade_desk.gui.pages.filing import FilingDialog
from brigade_desk.gui.pages.leads import LeadsPanel
from brigade_desk.gui.pages.on_the_spot import DECISION_FORM, OnTheSpotDialog
from brigade_desk.gui.pages.parties import PartiesPanel
from brigade_desk.gui.session import DeskSession
from brigade_desk.gui.style import CLOSED, set_error_style

# Columns the list sorts by (in SQL, through CaseFilter.sort); the others keep the current order.
SORTABLE = {"case_number", "received_at", "source", "state", "next_due_on"}
# Shown by right-clicking the header; the filter bar already has the source.
HIDDEN_COLUMNS = ("source",)


class CaseTableView(QTableView):
    """A table that never asks the model for rows it does not show."""

    def keyboardSearch(self, search: str) -> None:
        # Qt's type-to-find walks every row (QAbstractItemModel.match), which would load the whole
        # list; finding belongs to the search box (Ctrl+F).
        return


class CasesPage(Page):
    key = "cases"
    title = "案件"

    case_created = Signal(str)  # a filing proposed or an on-the-spot penalty: other pages count it

    def __init__(self, session: DeskSession, parent: QWidget | None = None, *, page_size: int = 100) -> None:
        super().__init__(session, parent)
        self.search_text = ""
        self.sort_key, self.descending = "received_at", True
        self.filters = CaseFilterBar(session)
        self.model = CaseTableModel(FilteredCases(session, self.current_filter()), self, page_size=page_size)
        self.model.load_failed.connect(self._show_error)

        self.count_label = QLabel()
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.hide()
        self.lead_button = QPushButton("登记线索…")
        self.lead_button.clicked.connect(self.register_lead)
        self.file_button = QPushButton("立案…")
        self.file_button.setToolTip("不经线索直接填写立案审批表（如巡查中发现）")
        self.file_button.clicked.connect(lambda: self.open_filing(None))
        self.spot_button = QPushButton("当场处罚…")
        self.spot_button.setToolTip("简易程序：违法事实确凿并有法定依据的，当场作出罚款或者警告的决定")
        self.spot_button.clicked.connect(lambda: self.open_on_the_spot(None))
        self.edit_reason = QLabel(WHO[Permission.CASE_EDIT])
        self.edit_reason.setStyleSheet(f"color: {CLOSED};")
        self.edit_reason.hide()

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
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(COLUMN_KEYS.index("received_at"), Qt.SortOrder.DescendingOrder)
        header.sortIndicatorChanged.connect(self._on_sort)
        # Right-click on the header shows or hides columns (as in Excel); 来源 is in the filter bar.
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._column_menu)
        for key in HIDDEN_COLUMNS:
            self.table.setColumnHidden(COLUMN_KEYS.index(key), True)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.filters.changed.connect(self.apply_filters)

        self.detail = CaseDetailPane(session)
        self.detail.case_changed.connect(self._on_case_changed)
        self.leads = LeadsPanel(session)
        self.leads.file_requested.connect(self.open_filing)
        self.leads.on_the_spot_requested.connect(self.open_on_the_spot)
        self.parties = PartiesPanel(session)
        self.parties.open_case_requested.connect(self.open_case)
        self.parties.changed.connect(self._on_party_changed)
        self.leads.changed.connect(self._show_lead_count)

        cases_side = QWidget()
        cases_layout = QVBoxLayout(cases_side)
        cases_layout.setContentsMargins(0, 4, 0, 0)
        cases_layout.addWidget(self.filters)
        top = QHBoxLayout()
        top.addWidget(self.count_label)
        top.addStretch(1)
        top.addWidget(self.edit_reason)
        top.addWidget(self.lead_button)
        top.addWidget(self.file_button)
        top.addWidget(self.spot_button)
        cases_layout.addLayout(top)
        cases_layout.addWidget(self.notice)
        cases_layout.addWidget(self.table, 1)

        self.list_tabs = QTabWidget()
        self.list_tabs.addTab(cases_side, "案件")
        self.list_tabs.addTab(self.leads, "线索")
        self.list_tabs.addTab(self.parties, "当事人")
        self.list_tabs.currentChanged.connect(self._on_list_tab)
        # Tab from the navigation lands in the list itself; the filters follow it (reading order of
        # work: the list is what one came for). The tabs 案件/线索 are switched by mouse or Ctrl+Tab.
        self.list_tabs.tabBar().setFocusPolicy(Qt.FocusPolicy.NoFocus)
        f = self.filters
        chain_tab_order(
            [
                self.table,
                f.state,
                f.deadline,
                f.source,
                f.officer,
                f.major,
                f.item,
                f.received_from,
                f.received_to,
                f.clear_button,
                self.lead_button,
                self.file_button,
                self.spot_button,
            ]
        )

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.list_tabs)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setSizes([880, 500])
        self.splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)

    # --- Page ----------------------------------------------------------------------------------

    def refresh(self) -> None:
        super().refresh()
        can_edit = self.session.can(Permission.CASE_EDIT)
        for button in (self.lead_button, self.file_button, self.spot_button):
            button.setEnabled(can_edit)
        self.edit_reason.setVisible(not can_edit)
        self.leads.refresh()
        self._show_lead_count()
        self.parties.refresh()
        self.reload_list()

    def on_actor_changed(self) -> None:
        self.filters.fill_choices()
        super().on_actor_changed()

    def reload_list(self, *, to_top: bool = False) -> None:
        """Count again and show the list, keeping the selected case where it can be found; `to_top`
        (a new filter, search or sort) shows the first rows, not where the old list was scrolled."""
        selected, old_row, old_count = (
            self.selected_case_id(),
            self.table.currentIndex().row(),
            self.model.rowCount(),
        )
        self.notice.hide()
        self.model.set_source(FilteredCases(self.session, self.current_filter()))
        if to_top:
            self.table.verticalScrollBar().setValue(0)
        total = self.model.rowCount()
        self._show_count(total)
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
        elif selected is not None and self.detail.case is not None and self.detail.case.id == selected:
            self.table.clearSelection()  # the case left the list (filter); its detail stays
            self.detail.show_case_id(selected)
        else:
            self.table.clearSelection()
            self.detail.show_case(None)

    def apply_search(self, text: str) -> bool:
        """The search box: case number, parties, ID numbers, addresses and facts, in SQL."""
        text = text.strip()
        if text == self.search_text and not self._stale:
            return True
        self.search_text = text
        self.list_tabs.setCurrentIndex(0)
        self.reload_list(to_top=True)
        return True

    def live_search(self) -> bool:
        """Typing in the search box filters this page as one types (after a short pause)."""
        return True

    # --- filter and sort -------------------------------------------------------------------------

    def current_filter(self) -> CaseFilter:
        return self.filters.case_filter(self.search_text, self.sort_key, self.descending)

    def apply_filters(self) -> None:
        self.reload_list(to_top=True)

    def _on_sort(self, section: int, order: Qt.SortOrder) -> None:
        key = COLUMN_KEYS[section]
        if key not in SORTABLE:
            header = self.table.horizontalHeader()
            header.blockSignals(True)
            header.setSortIndicator(
                COLUMN_KEYS.index(self.sort_key),
                Qt.SortOrder.DescendingOrder if self.descending else Qt.SortOrder.AscendingOrder,
            )
            header.blockSignals(False)
            self._show_notice("只能按案号、受理日期、状态、下一期限或来源排序")
            return
        self.sort_key, self.descending = key, order == Qt.SortOrder.DescendingOrder
        self.reload_list(to_top=True)

    def _column_menu(self, pos: QPoint) -> None:
        menu = QMenu(self)
        for number, column in enumerate(COLUMNS):
            action = menu.addAction(column.title)
            action.setCheckable(True)
            action.setChecked(not self.table.isColumnHidden(number))
            action.setEnabled(column.key not in ("case_number", "summary"))
            action.toggled.connect(lambda on, n=number: self.table.setColumnHidden(n, not on))
        menu.exec(self.table.horizontalHeader().mapToGlobal(pos))

    def sort_by(self, key: str, descending: bool) -> None:
        self.table.horizontalHeader().setSortIndicator(
            COLUMN_KEYS.index(key),
            Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder,
        )

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

    def open_case(self, case_id: str) -> None:
        """Show a case (from the dashboard, a review list, a new filing) whatever the list shows."""
        self.ensure_fresh()
        self.list_tabs.setCurrentIndex(0)
        self.model.row_at(0)  # the first page (what is on screen) is looked through; no more is read
        row = self.model.row_of_id(case_id)
        if row is not None:
            self.select_row(row)
        else:
            self.table.clearSelection()
            self.detail.show_case_id(case_id)

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.detail.show_case_id(self.model.data(current, ID_ROLE))
        elif self.detail.case is None:
            self.detail.show_case(None)

    def _on_case_changed(self, case_id: str) -> None:
        """A step was recorded in the detail pane: the list row (state, deadline) changes too."""
        self.reload_list()
        if self.selected_case_id() != case_id:
            self.open_case(case_id)

    def _on_party_changed(self) -> None:
        """A party was corrected in the 当事人 tab: the list and the open case show the new details."""
        self.reload_list()
        if self.detail.case is not None:
            self.detail.show_case_id(self.detail.case.id)

    # --- leads and filing -------------------------------------------------------------------------

    def register_lead(self) -> None:
        self.list_tabs.setCurrentWidget(self.leads)
        self.leads.register()

    def open_filing(self, lead: LeadView | None) -> FilingDialog:
        dialog = FilingDialog(self.session, self, lead=lead)
        dialog.finished.connect(lambda _r: self._after_filing(dialog))
        dialog.open()
        return dialog

    def _after_filing(self, dialog: FilingDialog) -> None:
        if dialog.case_id is None:
            return
        self.leads.refresh()
        self._show_lead_count()
        self._show_new_case(dialog.case_id)
        self._show_notice("已提请立案审批，待负责人审批后编号")

    def _show_new_case(self, case_id: str) -> None:
        """A case this page just made: listed, selected and shown; the other pages hear of it."""
        self.list_tabs.setCurrentIndex(0)
        self.reload_list()
        self.open_case(case_id)
        self.case_created.emit(case_id)

    def open_on_the_spot(self, lead: LeadView | None) -> OnTheSpotDialog:
        dialog = OnTheSpotDialog(self.session, self, lead=lead)
        dialog.finished.connect(lambda _r: self._after_on_the_spot(dialog))
        dialog.open()
        return dialog

    def _after_on_the_spot(self, dialog: OnTheSpotDialog) -> None:
        """The new case is shown; making the 当场行政处罚决定书 (to issue, print and hand over) is offered."""
        if dialog.case_id is None:
            return
        if dialog.lead is not None:
            self.leads.refresh()
            self._show_lead_count()
        self._show_new_case(dialog.case_id)
        number = self.detail.case.case_number if self.detail.case else ""
        self._show_notice(
            f"已作出当场处罚决定，案号{number}；请制作、签发并打印《当场行政处罚决定书》当场交付当事人"
        )
        answer = QMessageBox.question(
            self,
            "当场处罚",
            f"已作出当场处罚决定，案号{number}。\n\n现在制作《当场行政处罚决定书》？"
            "保存草稿后在“文书”标签页签发、打印，当场交付当事人。",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.detail.open_document(DECISION_FORM)

    def _on_list_tab(self, index: int) -> None:
        if index == 1:
            self.leads.refresh()
            self._show_lead_count()
        elif index == 2:
            self.parties.refresh()
            self.parties.search.setFocus()

    def _show_lead_count(self) -> None:
        count = self.leads.count()
        self.list_tabs.setTabText(1, f"线索（{count}）" if count else "线索")

    # --- messages --------------------------------------------------------------------------------

    def _show_count(self, total: int) -> None:
        if self.model.error:
            self.count_label.setText("")
            return
        filtered = self.search_text or self.filters.is_filtering()
        what = f"查找“{self.search_text}”：" if self.search_text else ""
        self.count_label.setText(f"{what}{'符合条件' if filtered else '共'} {total:,} 件")

    def _show_error(self, message: str) -> None:
        set_error_style(self.notice)
        self.notice.setText(message)
        self.notice.show()

    def _show_notice(self, text: str) -> None:
        self.notice.setStyleSheet("")
        self.notice.setText(text)
        self.notice.show()
