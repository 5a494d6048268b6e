"""工作台: the organ, the deadline board, the case figures, the last verified backup (with 立即备份 for
admins), recent work."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressDialog,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from brigade_desk.core.errors import BrigadeError
from brigade_desk.core.rules.permissions import Permission
from brigade_desk.core.rules.procedure import CaseState
from brigade_desk.core.services.cases import state_label
from brigade_desk.gui.formatting import show_datetime
from brigade_desk.gui.pages.base import Page
from brigade_desk.gui.pages.deadline_board import DeadlineBoardBox
from brigade_desk.gui.session import DeskSession
from brigade_desk.gui.style import set_error_style
from brigade_desk.gui.tasks import TaskHandle, TaskRunner

NO_BACKUP = "尚无已校验的备份"


def _bold(label: QLabel, scale: float = 1.0) -> QLabel:
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * scale)
    label.setFont(font)
    return label


class DashboardPage(Page):
    key = "dashboard"
    title = "工作台"
    open_case = Signal(str)

    def __init__(self, session: DeskSession, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.runner = runner
        self.backup_task: TaskHandle | None = None
        self.progress_dialog: QProgressDialog | None = None

        self.organ_name = _bold(QLabel(), 1.6)
        self.organ_line = QLabel()
        self.organ_line.setWordWrap(True)

        # Cases
        self.case_total = _bold(QLabel(), 1.3)
        self.state_grid = QGridLayout()
        self.state_grid.setHorizontalSpacing(24)
        self.case_error = QLabel()
        set_error_style(self.case_error)
        self.case_error.hide()
        case_box = QGroupBox("案件")
        case_layout = QVBoxLayout(case_box)
        case_layout.addWidget(self.case_total)
        case_layout.addLayout(self.state_grid)
        case_layout.addWidget(self.case_error)
        case_layout.addStretch(1)

        # Backups
        self.last_backup = QLabel()
        self.last_backup.setWordWrap(True)
        self.last_backup.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.backup_button = QPushButton("立即备份")
        self.backup_button.clicked.connect(self.start_backup)
        self.backup_note = QLabel()
        self.backup_note.setWordWrap(True)
        self.backup_status = QLabel()
        self.backup_status.setWordWrap(True)
        self.backup_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        backup_box = QGroupBox("备份")
        backup_layout = QVBoxLayout(backup_box)
        backup_layout.addWidget(QLabel("最近一次校验通过的备份："))
        backup_layout.addWidget(self.last_backup)
        button_row = QHBoxLayout()
        button_row.addWidget(self.backup_button)
        button_row.addWidget(self.backup_note, 1)
        backup_layout.addLayout(button_row)
        backup_layout.addWidget(self.backup_status)
        backup_layout.addStretch(1)

        # Recent work in the full-process record
        self.recent = QTableWidget(0, 3)
        self.recent.setHorizontalHeaderLabels(["时间", "人员", "内容"])
        self.recent.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.recent.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.recent.verticalHeader().hide()
        self.recent.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.recent.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.recent_message = QLabel()
        recent_box = QGroupBox("最近操作（执法全过程记录）")
        recent_layout = QVBoxLayout(recent_box)
        recent_layout.addWidget(self.recent_message)
        recent_layout.addWidget(self.recent)
        self.recent.setMaximumHeight(self.fontMetrics().height() * 7)  # the deadline board comes first

        boxes = QHBoxLayout()
        boxes.addWidget(case_box, 1)
        boxes.addWidget(backup_box, 1)

        self.board = DeadlineBoardBox(session, runner=runner)
        self.board.open_case.connect(self.open_case)

        layout = QVBoxLayout(self)
        layout.addWidget(self.organ_name)
        layout.addWidget(self.organ_line)
        layout.addSpacing(8)
        layout.addWidget(self.board, 1)
        layout.addLayout(boxes)
        layout.addWidget(recent_box)

    # --- Page ----------------------------------------------------------------------------------

    def refresh(self) -> None:
        super().refresh()
        self._show_organ()
        self.board.refresh()
        self._show_cases()
        self._show_backup()
        self._show_recent()

    def _show_organ(self) -> None:
        organ = self.session.organ
        if organ is None:
            self.organ_name.setText("尚未设置执法主体")
            self.organ_line.clear()
            return
        self.organ_name.setText(organ.name)
        if organ.kind == "county":
            parts = ["县级：汇总各乡镇报送的数据包"]
        else:
            parts = [f"上级：{organ.county_name}" if organ.county_name else ""]
        parts.append(f"机关代字：{organ.doc_prefix}" if organ.doc_prefix else "")
        parts.append(f"行政区划代码：{organ.area_code}")
        if organ.court:
            parts.append(f"基层人民法院：{organ.court}")
        self.organ_line.setText("　·　".join(p for p in parts if p))

    def _show_cases(self) -> None:
        while self.state_grid.count():
            item = self.state_grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.case_error.hide()
        try:
            by_state = self.services.cases.count_by_state(self.session.actor)
        except BrigadeError as exc:
            self.case_total.setText("")
            self.case_error.setText(exc.message)
            self.case_error.show()
            return
        total = sum(by_state.values())
        self.case_total.setText(f"案件共 {total:,} 件")
        known = [s.value for s in CaseState]
        ordered = sorted(
            by_state.items(), key=lambda kv: known.index(kv[0]) if kv[0] in known else len(known)
        )
        columns = 4
        for number, (state, count) in enumerate(ordered):
            cell = QLabel(f"{state_label(state)}：{count:,}")
            self.state_grid.addWidget(cell, number // columns, number % columns)
        if not by_state:
            self.state_grid.addWidget(QLabel("尚无案件"), 0, 0)

    def _show_backup(self) -> None:
        try:
            last = self.services.backups.last_verified(self.session.actor)
        except BrigadeError as exc:
            last, message = None, exc.message
        else:
            message = ""
        if last is None:
            set_error_style(self.last_backup)
            self.last_backup.setText(message or NO_BACKUP)
        else:
            self.last_backup.setStyleSheet("")
            self.last_backup.setText(f"{show_datetime(last.at)}　{last.path}")
        may_backup = self.session.can(Permission.BACKUP_MANAGE)
        self.backup_button.setVisible(may_backup)
        running = self.backup_task is not None and self.backup_task.running
        if not may_backup:
            self.backup_note.setText("备份由管理员操作")
        elif not self.services.store.is_sqlite:
            self.backup_button.setEnabled(False)
            self.backup_note.setText("本机使用 PostgreSQL 存储，请用数据库服务器的备份工具（pg_dump）备份")
        else:
            self.backup_button.setEnabled(not running)
            self.backup_note.setText("正在备份…" if running else "备份文件请存放到另一块磁盘或U盘")

    def _show_recent(self) -> None:
        self.recent.setRowCount(0)
        try:
            entries = self.services.audit.recent(self.session.actor, 20)
        except BrigadeError as exc:
            set_error_style(self.recent_message)
            self.recent_message.setText(exc.message)
            self.recent_message.show()
            return
        self.recent_message.hide()
        self.recent.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            for column, text in enumerate((show_datetime(entry.at), entry.actor_name, entry.summary)):
                self.recent.setItem(row, column, QTableWidgetItem(text))

    # --- backup ----------------------------------------------------------------------------------

    def start_backup(self) -> None:
        if self.backup_task is not None and self.backup_task.running:
            return
        folder = QFileDialog.getExistingDirectory(self, "选择备份保存位置", str(Path.home()))
        if not folder:
            return
        # The backup runs as the person who asked for it, whoever signs in meanwhile.
        actor, backups, dest = self.session.actor, self.services.backups, Path(folder)
        handle = self.runner.submit("备份", lambda progress: backups.create(actor, dest, progress))
        self.backup_task = handle
        self.backup_button.setEnabled(False)
        self.backup_note.setText("正在备份…")
        self.backup_status.setStyleSheet("")
        self.backup_status.setText(f"正在备份到 {dest} …")

        dialog = QProgressDialog("正在备份存储和附件…", "取消", 0, 0, self)
        dialog.setWindowTitle("备份")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAutoReset(False)
        dialog.setAutoClose(False)
        dialog.setMinimumDuration(400)
        self.progress_dialog = dialog

        def on_progress(done: int, total: int) -> None:
            dialog.setMaximum(total)
            dialog.setValue(done)
            if done >= total:
                dialog.setLabelText("正在校验备份…")

        def on_cancel() -> None:
            if handle.running:
                handle.cancel()
                dialog.setLabelText("正在取消…")

        handle.progress.connect(on_progress)
        dialog.canceled.connect(on_cancel)
        handle.succeeded.connect(self._backup_succeeded)
        handle.failed.connect(self._backup_failed)
        handle.cancelled.connect(self._backup_cancelled)
        handle.finished.connect(self._backup_finished)

    def _backup_succeeded(self, value: object) -> None:
        result, check = value  # type: ignore[misc]
        if check.ok:
            self.backup_status.setStyleSheet("")
            self.backup_status.setText(f"已备份到 {result.path}，校验通过：{check.message}")
        else:
            set_error_style(self.backup_status)
            self.backup_status.setText(f"备份 {result.path} 校验未通过：{check.message}")

    def _backup_failed(self, error: object) -> None:
        set_error_style(self.backup_status)
        if isinstance(error, BrigadeError):
            self.backup_status.setText(f"备份失败：{error.message}")
        else:
            self.backup_status.setText(f"备份失败：{type(error).__name__}: {error}")

    def _backup_cancelled(self) -> None:
        self.backup_status.setStyleSheet("")
        self.backup_status.setText("备份已取消，未留下不完整的备份文件")

    def _backup_finished(self) -> None:
        if self.progress_dialog is not None:
            dialog, self.progress_dialog = self.progress_dialog, None
            dialog.canceled.disconnect()
            dialog.close()
            dialog.deleteLater()
        self._show_backup()
        self._show_recent()
