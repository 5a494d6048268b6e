"""审核: what waits for a leader's or a reviewer's signature — filings to approve, cases in legal
review, cases ready to close — with 审批立案 at hand and every row opening its case."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from brigade_desk.core.errors import BrigadeError
from brigade_desk.core.rules.permissions import Permission
from brigade_desk.core.services.cases import CaseFilter, CaseRow
from brigade_desk.gui.formatting import show_date, show_datetime
from brigade_desk.gui.models.case_table import DUE_WORDS
from brigade_desk.gui.pages.base import Page
from brigade_desk.gui.pages.filing import ApproveFilingDialog
from brigade_desk.gui.pages.review_desk import ReviewDesk
from brigade_desk.gui.session import DeskSession
from brigade_desk.gui.style import DUE_COLOURS, colour, set_error_style
from brigade_desk.gui.tables import read_only_table

LIMIT = 200
SECTIONS: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("filing", "待审批立案", ("pending_filing",), "received_at"),
    ("legal_review", "法制审核中", ("legal_review",), "next_due_on"),
    ("closing", "待结案审批", ("paid", "court_applied", "decision_served"), "next_due_on"),
)
HEADERS = ("受理时间", "案号", "当事人", "案由", "状态", "下一期限")


class ReviewsPage(Page):
    key = "reviews"
    title = "审核"
    open_case = Signal(str)
    changed = Signal()  # a filing was approved or refused here

    def __init__(self, session: DeskSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.rows: dict[str, list[CaseRow]] = {}
        self.tables: dict[str, QTableWidget] = {}
        self.boxes: dict[str, QGroupBox] = {}
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        self.approve_button = QPushButton("审批立案…")
        self.approve_button.clicked.connect(self.approve_selected)
        self.approve_note = QLabel()
        self.open_button = QPushButton("打开案件")
        self.open_button.clicked.connect(self.open_selected)
        self.dialog: ApproveFilingDialog | None = None

        # 法制审核: the legal reviewer's desk (review_desk.py, docs/legal-review.md) beside the approvals.
        self.review_desk = ReviewDesk(session)
        self.review_desk.open_case.connect(self.open_case)
        self.review_desk.changed.connect(lambda _case_id: self.changed.emit())
        self._tab_for: str | None = None
        approvals = QWidget()
        self.page_tabs = QTabWidget()
        self.page_tabs.addTab(approvals, "负责人审批")
        self.page_tabs.addTab(self.review_desk, "法制审核")
        outer = QVBoxLayout(self)
        outer.addWidget(self.page_tabs)
        layout = QVBoxLayout(approvals)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.message)
        for key, title, _states, _sort in SECTIONS:
            table = read_only_table(HEADERS, stretch=3)
            table.setAlternatingRowColors(True)
            table.doubleClicked.connect(lambda _i, k=key: self._open_from(k))
            table.itemSelectionChanged.connect(lambda k=key: self._selected_in(k))
            box = QGroupBox(title)
            box_layout = QVBoxLayout(box)
            if key == "filing":
                row = QHBoxLayout()
                row.addWidget(self.approve_button)
                row.addWidget(self.open_button)
                row.addWidget(self.approve_note, 1)
                box_layout.addLayout(row)
            box_layout.addWidget(table)
            layout.addWidget(box, 2 if key == "filing" else 1)
            self.tables[key] = table
            self.boxes[key] = box
        self.current_section = "filing"

    # --- Page ----------------------------------------------------------------------------------

    def refresh(self) -> None:
        super().refresh()
        self.review_desk.refresh()
        if self._tab_for != self.session.actor.user_id:  # a reviewer starts at 法制审核
            self._tab_for = self.session.actor.user_id
            can = self.session.can
            reviewer = can(Permission.LEGAL_REVIEW) and not can(Permission.CASE_APPROVE)
            self.page_tabs.setCurrentWidget(self.review_desk if reviewer else self.page_tabs.widget(0))
        self.message.hide()
        services, actor = self.services, self.session.actor
        for key, title, states, sort in SECTIONS:
            try:
                flt = CaseFilter(states=states, sort=sort, descending=False)
                rows = services.cases.page_filtered(actor, flt, 0, LIMIT)
                total = services.cases.count_filtered(actor, flt)
            except BrigadeError as exc:
                set_error_style(self.message)
                self.message.setText(exc.message)
                self.message.show()
                rows, total = [], 0
            self.rows[key] = rows
            self.boxes[key].setTitle(f"{title}（{total}）" if total else title)
            table = self.tables[key]
            table.setRowCount(len(rows))
            for r, case in enumerate(rows):
                due = f"{show_date(case.next_due_on)} {case.next_due_label}" if case.next_due_on else ""
                for c, text in enumerate(
                    (
                        show_datetime(case.received_at),
                        case.case_number,
                        case.parties,
                        case.summary,
                        case.state_label,
                        due,
                    )
                ):
                    item = QTableWidgetItem(text)
                    item.setData(Qt.ItemDataRole.UserRole, case.id)
                    if c == 5 and case.due_status in DUE_COLOURS:  # coloured as in the case list
                        item.setForeground(colour(DUE_COLOURS[case.due_status]))
                        item.setToolTip(f"{text}（{DUE_WORDS[case.due_status]}）")
                    table.setItem(r, c, item)
        self._update_buttons()

    # --- actions -------------------------------------------------------------------------------

    def _selected_in(self, key: str) -> None:
        if self.tables[key].selectedItems():
            self.current_section = key
            for other, table in self.tables.items():
                if other != key:
                    table.blockSignals(True)
                    table.clearSelection()
                    table.blockSignals(False)
        self._update_buttons()

    def selected_case_id(self) -> str | None:
        table = self.tables[self.current_section]
        row = table.currentRow()
        rows = self.rows.get(self.current_section, [])
        return rows[row].id if 0 <= row < len(rows) and table.selectedItems() else None

    def _update_buttons(self) -> None:
        may = self.session.can(Permission.CASE_APPROVE)
        filing_selected = self.current_section == "filing" and self.selected_case_id() is not None
        self.approve_button.setEnabled(may and filing_selected)
        self.open_button.setEnabled(self.selected_case_id() is not None)
        self.approve_note.setText("" if may else "立案须由负责人审批")

    def _open_from(self, key: str) -> None:
        self.current_section = key
        self.open_selected()

    def open_selected(self) -> None:
        case_id = self.selected_case_id()
        if case_id is not None:
            self.open_case.emit(case_id)

    def approve_selected(self) -> ApproveFilingDialog | None:
        case_id = self.selected_case_id()
        if case_id is None:
            return None
        services, actor = self.services, self.session.actor
        try:
            case = services.cases.get(actor, case_id)
            handling = services.procedure.handling(actor, case_id)
        except BrigadeError as exc:
            set_error_style(self.message)
            self.message.setText(exc.message)
            self.message.show()
            return None
        dialog = ApproveFilingDialog(self.session, case, handling, self)
        self.dialog = dialog

        def finished(_result: int) -> None:
            if dialog.decided:
                self.refresh()
                self.changed.emit()
                self.message.setStyleSheet("")
                self.message.setText(
                    f"已立案：{dialog.case_number}" if dialog.case_number else "已决定不予立案"
                )
                self.message.show()

        dialog.finished.connect(finished)
        dialog.open()
        return dialog
