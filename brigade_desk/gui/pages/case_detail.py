"""The detail pane beside the case list: a header and tabs, each tab showing one aspect of a case.

Tabs implement `CaseTab.show_case`; the case-handling work adds its tabs (parties, evidence, records,
documents, review, execution) and the procedure stepper above them through `add_tab` and
`set_stepper`, without changing the list.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QStackedLayout,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from brigade_desk.core.errors import BrigadeError
from brigade_desk.core.services.cases import CaseDetail
from brigade_desk.gui.formatting import procedure_label, show_date, show_datetime, show_fen
from brigade_desk.gui.session import DeskSession
from brigade_desk.gui.style import set_error_style


class CaseTab(QWidget):
    """One tab of the detail pane."""

    label = ""

    def __init__(self, session: DeskSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session

    def show_case(self, case: CaseDetail | None) -> None:
        raise NotImplementedError


TabT = TypeVar("TabT", bound=CaseTab)


def _value_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
    )
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    return label


class CaseInfoTab(CaseTab):
    """基本信息: the case's own fields, read-only."""

    label = "基本信息"
    FIELDS: tuple[tuple[str, str], ...] = (
        ("case_number", "案号"),
        ("state", "状态"),
        ("procedure", "程序"),
        ("source", "来源"),
        ("received_at", "受理时间"),
        ("violation_date", "违法行为发生日期"),
        ("place", "地点"),
        ("parties", "当事人"),
        ("summary", "案由"),
        ("facts", "案件事实"),
        ("fine", "罚款金额"),
    )

    def __init__(self, session: DeskSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.values: dict[str, QLabel] = {}
        body = QWidget()
        form = QFormLayout(body)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for key, title in self.FIELDS:
            self.values[key] = _value_label()
            form.addRow(f"{title}：", self.values[key])
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    def show_case(self, case: CaseDetail | None) -> None:
        if case is None:
            for label in self.values.values():
                label.clear()
            return
        shown = {
            "case_number": case.case_number or "（未立案）",
            "state": case.state_label,
            "procedure": procedure_label(case.procedure),
            "source": case.source,
            "received_at": show_datetime(case.received_at),
            "violation_date": show_date(case.violation_date),
            "place": case.place,
            "parties": "、".join(case.parties),
            "summary": case.summary,
            "facts": case.facts,
            "fine": show_fen(case.fine_fen),
        }
        for key, label in self.values.items():
            label.setText(shown[key] or "—")


class CaseHistoryTab(CaseTab):
    """历史: who did what to this case and when, from the full-process record (oldest first)."""

    label = "历史"
    HEADERS = ("时间", "人员", "内容")

    def __init__(self, session: DeskSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.table = QTableWidget(0, len(self.HEADERS))
        self.table.setHorizontalHeaderLabels(list(self.HEADERS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.message)
        layout.addWidget(self.table)

    def show_case(self, case: CaseDetail | None) -> None:
        self.table.setRowCount(0)
        self.message.setStyleSheet("")
        if case is None:
            self.message.clear()
            return
        try:
            entries = self.session.services.audit.history(self.session.actor, "case", case.id)
        except BrigadeError as exc:
            set_error_style(self.message)
            self.message.setText(exc.message)
            return
        self.message.setText("尚无记录" if not entries else f"共 {len(entries)} 条记录")
        self.table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            for column, text in enumerate((show_datetime(entry.at), entry.actor_name, entry.summary)):
                item = QTableWidgetItem(text)
                if column == 2:
                    item.setToolTip(f"{entry.summary}（{entry.action}）")
                self.table.setItem(row, column, item)


class CaseDetailPane(QWidget):
    """Header, an optional stepper slot, and the tabs; shows one case or a hint to pick one."""

    case_changed = Signal(str)  # a step was recorded here: the list and other views refresh

    def __init__(self, session: DeskSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.case: CaseDetail | None = None

        self.hint = QLabel("在左侧列表中选择一个案件查看详情")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)

        self.header = QLabel()
        font = self.header.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.header.setFont(font)
        self.header.setWordWrap(True)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.stepper_slot = QVBoxLayout()
        self.tabs = QTabWidget()
        self.case_tabs: list[CaseTab] = []
        self.info_tab = self.add_tab(CaseInfoTab(session))
        from brigade_desk.gui.pages import case_tabs  # imports CaseTab from this module

        self.parties_tab = self.add_tab(case_tabs.PartiesTab(session))
        self.parties_tab.changed.connect(self.reload_case)
        from brigade_desk.gui.pages.evidence_tab import EvidenceTab  # imports CaseTab from this module

        self.evidence_tab = self.add_tab(EvidenceTab(session))
        self.records_tab = self.add_tab(case_tabs.RecordsTab(session))
        self.records_tab.added.connect(self.reload_case)
        from brigade_desk.gui.discretion_panel import DiscretionTab  # imports CaseTab from this module

        self.discretion_tab = self.add_tab(DiscretionTab(session))
        self.review_tab = self.add_tab(case_tabs.ReviewTab(session))
        self.review_tab.changed.connect(self.reload_case)
        self.execution_tab = self.add_tab(case_tabs.ExecutionTab(session))
        from brigade_desk.gui.pages.documents_tab import DocumentsTab  # imports CaseTab from this module

        self.documents_tab = self.add_tab(DocumentsTab(session))
        self.history_tab = self.add_tab(CaseHistoryTab(session))

        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.header)
        detail_layout.addLayout(self.stepper_slot)
        detail_layout.addWidget(self.tabs, 1)

        self._stack = QStackedLayout(self)
        self._stack.addWidget(self.hint)
        self._stack.addWidget(detail)

        from brigade_desk.gui.pages.procedure_panel import ProcedurePanel

        self.procedure_panel = ProcedurePanel(session)
        self.procedure_panel.changed.connect(self.reload_case)
        self.set_stepper(self.procedure_panel)

    def add_tab(self, tab: TabT) -> TabT:
        self.case_tabs.append(tab)
        self.tabs.addTab(tab, tab.label)
        return tab

    def set_stepper(self, widget: QWidget) -> None:
        self.stepper_slot.addWidget(widget)

    def show_document(self, document_id: str) -> None:
        """The 文书 tab with this document selected."""
        self.tabs.setCurrentWidget(self.documents_tab)
        self.documents_tab.reload(select_document=document_id)

    def open_document(self, form_id: str) -> None:
        """Show the 文书 tab and start making the document of `form_id` for the case shown."""
        self.tabs.setCurrentWidget(self.documents_tab)
        self.documents_tab.start_form(form_id)

    def show_case_id(self, case_id: str | None) -> None:
        if case_id is None:
            self.show_case(None)
            return
        try:
            case = self.session.services.cases.get(self.session.actor, case_id)
        except BrigadeError as exc:
            self.show_case(None, message=exc.message)
            return
        self.show_case(case)

    def reload_case(self, case_id: str) -> None:
        """After a step: show the case as it is now (version, state, tabs) and tell the list."""
        try:
            case = self.session.services.cases.get(self.session.actor, case_id)
        except BrigadeError as exc:
            self.show_case(None, message=exc.message)
            return
        self.show_case(case, keep_message=True)
        self.case_changed.emit(case_id)

    def show_case(self, case: CaseDetail | None, *, message: str = "", keep_message: bool = False) -> None:
        self.case = case
        self.procedure_panel.show_case(case, keep_message=keep_message)
        if case is None:
            self.hint.setText(message or "在左侧列表中选择一个案件查看详情")
            if message:
                set_error_style(self.hint)
            else:
                self.hint.setStyleSheet("")
            self._stack.setCurrentIndex(0)
        else:
            self.header.setText(f"{case.case_number or '（未立案）'}　{case.state_label}")
            self._stack.setCurrentIndex(1)
        for tab in self.case_tabs:
            tab.show_case(case)
