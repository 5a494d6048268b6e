"""工作台's deadline board: overdue (red), due today (orange), due within 3 working days (yellow) and
open cases with no next deadline, for the signed-in person or the whole brigade; a row opens its
case; the deadlines set today print as a list (QPrintPreviewDialog)."""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QButtonGroup,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from brigade_desk.core.errors import BrigadeError
from brigade_desk.core.rules.permissions import Role
from brigade_desk.core.services.dashboard import DeadlineBoard, DeadlineSetToday, DueCase
from brigade_desk.gui.formatting import show_date
from brigade_desk.gui.session import DeskSession
from brigade_desk.gui.style import DUE_SOON, DUE_TODAY, OVERDUE, colour, set_error_style
from brigade_desk.gui.tables import read_only_table
from brigade_desk.gui.tasks import LatestOnly, TaskHandle, TaskRunner

BUCKETS: tuple[tuple[str, str, str | None], ...] = (
    ("overdue", "已逾期", OVERDUE),
    ("due_today", "今日到期", DUE_TODAY),
    ("due_soon", "3个工作日内到期", DUE_SOON),
    ("none", "无下一期限", None),
)
HEADERS = ("到期日", "期限", "案号", "当事人", "案由", "状态")
CASE_ROLE = Qt.ItemDataRole.UserRole


def daily_list_html(items: Sequence[DeadlineSetToday], organ: str, today_text: str) -> str:
    """今日设定期限: the printable list (A4, a table like the paper register)."""
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(v)}</td>"
            for v in (str(n), i.case_number, i.summary, i.clock, show_date(i.start), show_date(i.due))
        )
        + "</tr>"
        for n, i in enumerate(items, 1)
    )
    if not rows:
        rows = '<tr><td colspan="6" align="center">今日没有新设定的期限</td></tr>'
    head = "".join(f"<th>{h}</th>" for h in ("序号", "案号", "案由", "期限", "起算日", "届满日"))
    return (
        f'<h2 align="center">今日设定期限</h2>'
        f'<p align="center">{html.escape(organ)}　{html.escape(today_text)}　共 {len(items)} 项</p>'
        f'<table border="1" cellspacing="0" cellpadding="4" width="100%"><thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


class DeadlineBoardBox(QGroupBox):
    open_case = Signal(str)

    def __init__(
        self, session: DeskSession, parent: QWidget | None = None, *, runner: TaskRunner | None = None
    ) -> None:
        super().__init__("期限提醒", parent)
        self.session = session
        self.runner = runner or TaskRunner(self)
        self.print_task: TaskHandle | None = None
        self.loads = LatestOnly(self.runner, self)
        self.board: DeadlineBoard | None = None
        self.lists: dict[str, list[DueCase]] = {}

        self.mine = QRadioButton("我承办的案件")
        self.all = QRadioButton("全大队")
        self.scope = QButtonGroup(self)
        self.scope.addButton(self.mine)
        self.scope.addButton(self.all)
        self.mine.toggled.connect(lambda _on: self.refresh())
        self.print_button = QPushButton("打印今日设定期限…")
        self.print_button.clicked.connect(self.print_daily_list)
        self.today_label = QLabel()
        top = QHBoxLayout()
        top.addWidget(self.mine)
        top.addWidget(self.all)
        top.addSpacing(12)
        top.addWidget(self.today_label, 1)
        top.addWidget(self.print_button)

        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        self.warnings.hide()
        self.message = QLabel()
        set_error_style(self.message)
        self.message.hide()

        self.tabs = QTabWidget()
        self.tables: dict[str, QTableWidget] = {}
        for key, _title, _shade in BUCKETS:
            table = read_only_table(HEADERS, stretch=4)
            table.setAlternatingRowColors(True)
            header = table.horizontalHeader()
            header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)  # long party lists elide
            header.resizeSection(3, self.fontMetrics().horizontalAdvance("临溪县某某建材有限公司") + 16)
            table.setTextElideMode(Qt.TextElideMode.ElideRight)
            table.cellActivated.connect(lambda row, _c, k=key: self._open(k, row))
            table.cellDoubleClicked.connect(lambda row, _c, k=key: self._open(k, row))
            self.tables[key] = table
            self.tabs.addTab(table, "")

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.warnings)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)
        hint = QLabel("双击一行打开案件。颜色：红色已逾期，橙色今日到期，黄色3个工作日内到期。")
        hint.setWordWrap(True)
        layout.addWidget(hint)

        roles = session.actor.roles
        brigade_wide = bool(roles & {Role.LEADER, Role.ADMIN, Role.LEGAL_REVIEWER, Role.CLERK})
        if session.organ is not None and session.organ.kind == "county":
            # A county's staff handle no cases: the board shows every township's.
            self.all.setText("各乡镇全部案件")
            self.mine.hide()
            brigade_wide = True
        self.all.blockSignals(True)
        self.mine.blockSignals(True)
        (self.all if brigade_wide else self.mine).setChecked(True)
        self.all.blockSignals(False)
        self.mine.blockSignals(False)

    def refresh(self) -> TaskHandle:
        """Collect the board in the background (at county scale it reads many cases); an answer
        that arrives after a newer refresh was asked for is dropped."""
        dashboard, actor, mine = self.session.services.dashboard, self.session.actor, self.mine.isChecked()
        self.today_label.setText("正在整理期限提醒…")
        return self.loads.submit(
            "期限提醒", lambda _progress: dashboard.deadlines(actor, mine=mine), self._show, self._failed
        )

    def _failed(self, error: object) -> None:
        self.board = None
        text = error.message if isinstance(error, BrigadeError) else f"{type(error).__name__}: {error}"
        self.message.setText(text)
        self.message.show()
        self.today_label.setText("")
        for table in self.tables.values():
            table.setRowCount(0)

    def _show(self, board: DeadlineBoard) -> None:
        self.message.hide()
        self.board = board
        self.today_label.setText(
            f"今天：{show_date(board.today)}；即将到期指 {show_date(board.soon_until)} 前"
        )
        self.lists = {
            "overdue": board.overdue,
            "due_today": board.due_today,
            "due_soon": board.due_soon,
            "none": board.without_deadline,
        }
        bar = self.tabs.tabBar()
        for index, (key, title, shade) in enumerate(BUCKETS):
            count = board.counts.get(key, 0)
            self.tabs.setTabText(index, f"{title}　{count:,}")
            if shade and count:
                bar.setTabTextColor(index, colour(shade))
            else:
                bar.setTabTextColor(index, bar.palette().windowText().color())
            self._fill(self.tables[key], self.lists[key], shade)
        first = next((i for i, (k, _t, _s) in enumerate(BUCKETS) if board.counts.get(k)), 0)
        self.tabs.setCurrentIndex(first)
        if board.warnings:
            self.warnings.setText("；".join(board.warnings))
            self.warnings.show()
        else:
            self.warnings.hide()

    def _fill(self, table: QTableWidget, cases: list[DueCase], shade: str | None) -> None:
        table.setRowCount(len(cases))
        for row, case in enumerate(cases):
            cells = (
                show_date(case.due) if case.due else "—",
                case.clock,
                case.case_number,
                case.parties,
                case.summary,
                case.state_label,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(CASE_ROLE, case.case_id)
                if column in (3, 4):
                    item.setToolTip(text)
                if shade and column in (0, 1):
                    item.setForeground(colour(shade))
                table.setItem(row, column, item)

    def _open(self, key: str, row: int) -> None:
        cases = self.lists.get(key, [])
        if 0 <= row < len(cases):
            self.open_case.emit(cases[row].case_id)

    # --- printing ------------------------------------------------------------------------------

    def daily_list_document(self, items: Sequence[DeadlineSetToday]) -> QTextDocument:
        organ = self.session.organ.name if self.session.organ else ""
        today = self.board.today if self.board else None
        doc = QTextDocument()
        doc.setHtml(daily_list_html(items, organ, show_date(today) if today else ""))
        return doc

    def print_daily_list(self) -> TaskHandle | None:
        """Collect today's deadlines in the background (a busy day at county scale takes a while),
        then show the print preview."""
        if self.print_task is not None and self.print_task.running:
            return self.print_task
        dashboard, actor = self.session.services.dashboard, self.session.actor
        handle = self.runner.submit("今日设定期限", lambda _progress: dashboard.set_today(actor))
        self.print_task = handle
        self.print_button.setEnabled(False)
        self.print_button.setText("正在整理今日设定期限…")
        handle.succeeded.connect(self._preview)
        handle.failed.connect(self._print_failed)
        handle.finished.connect(self._print_finished)
        return handle

    def _print_finished(self) -> None:
        self.print_button.setEnabled(True)
        self.print_button.setText("打印今日设定期限…")

    def _print_failed(self, error: object) -> None:
        text = error.message if isinstance(error, BrigadeError) else f"{type(error).__name__}: {error}"
        self.message.setText(f"整理今日设定期限失败：{text}")
        self.message.show()

    def _preview(self, items: object) -> None:
        from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog

        doc = self.daily_list_document(items)  # type: ignore[arg-type]
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        preview = QPrintPreviewDialog(printer, self)
        preview.setWindowTitle("今日设定期限 — 打印预览")
        preview.paintRequested.connect(doc.print_)
        preview.exec()
