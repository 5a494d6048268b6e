"""The case list's filter bar: state, officer, source, power item, deadline status, received dates and
the major-decision flag. It only builds a `CaseFilter`; core filters and sorts in SQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from brigade_desk.core.errors import BrigadeError
from brigade_desk.core.rules.procedure import CASE_SOURCES, STATE_LABELS, TERMINAL_STATES, CaseState
from brigade_desk.core.services.cases import CaseFilter
from brigade_desk.gui.fields import DATE_FORMAT, NO_DATE, date_value
from brigade_desk.gui.session import DeskSession

OPEN_STATES = tuple(s.value for s in CaseState if s not in TERMINAL_STATES)
DONE_STATES = tuple(s.value for s in TERMINAL_STATES)
# What the state filter offers: groups first, then every state.
STATE_CHOICES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("全部状态", ()),
    ("办理中", OPEN_STATES),
    ("已办结", DONE_STATES),
    *((label, (state.value,)) for state, label in STATE_LABELS.items()),
)
DEADLINE_CHOICES = (
    ("全部期限", None),
    ("已逾期", "overdue"),
    ("今日到期", "due_today"),
    ("即将到期（3个工作日内）", "due_soon"),
    ("无下一期限", "none"),
)


def _date_filter(tip: str) -> QDateEdit:
    edit = QDateEdit()
    edit.setDisplayFormat(DATE_FORMAT)
    edit.setCalendarPopup(True)
    edit.setMinimumDate(NO_DATE)
    edit.setSpecialValueText("不限")
    edit.setDate(NO_DATE)
    edit.setToolTip(tip)
    return edit


class CaseFilterBar(QWidget):
    """Emits `changed` with every change; `case_filter(query, sort, descending)` gives the filter."""

    changed = Signal()

    def __init__(self, session: DeskSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.state = QComboBox()
        for label, states in STATE_CHOICES:
            self.state.addItem(label, states)
        self.officer = QComboBox()
        self.source = QComboBox()
        self.source.addItem("全部来源", None)
        for source in CASE_SOURCES:
            self.source.addItem(source, source)
        self.item = QComboBox()
        self.deadline = QComboBox()
        for label, value in DEADLINE_CHOICES:
            self.deadline.addItem(label, value)
        self.received_from = _date_filter("受理时间从（含）")
        self.received_to = _date_filter("受理时间至（含）")
        self.major = QCheckBox("重大执法决定")
        self.clear_button = QPushButton("清除筛选")
        self.clear_button.clicked.connect(self.clear)
        self.fill_choices()

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(4)
        grid.addWidget(self.state, 0, 0)
        grid.addWidget(self.deadline, 0, 1)
        grid.addWidget(self.source, 0, 2)
        grid.addWidget(self.officer, 0, 3)
        grid.addWidget(self.item, 1, 0, 1, 2)
        dates = QWidget()
        dates_layout = QHBoxLayout(dates)
        dates_layout.setContentsMargins(0, 0, 0, 0)
        dates_layout.addWidget(QLabel("受理"))
        dates_layout.addWidget(self.received_from, 1)
        dates_layout.addWidget(QLabel("至"))
        dates_layout.addWidget(self.received_to, 1)
        grid.addWidget(dates, 1, 2, 1, 2)
        grid.addWidget(self.major, 0, 4)
        grid.addWidget(self.clear_button, 1, 4)
        for column in range(4):
            grid.setColumnStretch(column, 1)

        for combo in (self.state, self.officer, self.source, self.item, self.deadline):
            combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
            # Narrow panes: the combos shrink (their lists still show the whole text).
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(5)
        for edit in (self.received_from, self.received_to):
            edit.dateChanged.connect(lambda _d: self.changed.emit())
        self.major.toggled.connect(lambda _on: self.changed.emit())

    def fill_choices(self) -> None:
        """Officers and power items from the services (again after 切换用户)."""
        keep_officer, keep_item = self.officer.currentData(), self.item.currentData()
        for combo in (self.officer, self.item):
            combo.blockSignals(True)
            combo.clear()
        self.officer.addItem("全部承办人", None)
        self.item.addItem("全部事项", None)
        try:
            users = self.session.services.users.list_users(self.session.actor)
            items = self.session.services.procedure.power_items(self.session.actor)
        except BrigadeError:
            users, items = [], []
        for user in users:
            if user.certificate_no or "officer" in user.roles:
                self.officer.addItem(user.display_name, user.id)
        for item in items:
            if item.claimed:
                self.item.addItem(item.name, item.id)
                self.item.setItemData(
                    self.item.count() - 1, f"{item.name}（{item.code}）", Qt.ItemDataRole.ToolTipRole
                )
        self.officer.setCurrentIndex(max(0, self.officer.findData(keep_officer)))
        self.item.setCurrentIndex(max(0, self.item.findData(keep_item)))
        for combo in (self.officer, self.item):
            combo.blockSignals(False)

    def case_filter(self, query: str = "", sort: str = "received_at", descending: bool = True) -> CaseFilter:
        return CaseFilter(
            query=query,
            states=tuple(self.state.currentData() or ()),
            officer_id=self.officer.currentData(),
            source=self.source.currentData(),
            power_item_id=self.item.currentData(),
            deadline=self.deadline.currentData(),
            received_from=date_value(self.received_from),
            received_to=date_value(self.received_to),
            major_only=self.major.isChecked(),
            sort=sort,
            descending=descending,
        )

    def is_filtering(self) -> bool:
        return self.case_filter() != CaseFilter()

    def set_states(self, label: str) -> None:
        index = self.state.findText(label)
        if index >= 0:
            self.state.setCurrentIndex(index)

    def set_received(self, start: date | None, end: date | None) -> None:
        for edit, day in ((self.received_from, start), (self.received_to, end)):
            edit.setDate(QDate(day.year, day.month, day.day) if day else NO_DATE)

    def clear(self) -> None:
        self.blockSignals(True)
        for combo in (self.state, self.officer, self.source, self.item, self.deadline):
            combo.setCurrentIndex(0)
        self.set_received(None, None)
        self.major.setChecked(False)
        self.blockSignals(False)
        self.changed.emit()


def with_sort(flt: CaseFilter, sort: str, descending: bool) -> CaseFilter:
    return replace(flt, sort=sort, descending=descending)
