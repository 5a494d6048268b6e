"""裁量基准: browse the stored benchmark versions, their items and tiers; import (checked first, the
problems listed by row and column), export, edit the header, delete, load the starter.

A version a decision used is frozen: 修改 and 删除 stay disabled and the reason is written beside
them (the service refuses all the same). Items and tiers are changed in Excel: export, edit, import
the file again with the same 标识 (docs/discretion-format.md).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from brigade_desk.core.errors import BrigadeError
from brigade_desk.core.rules.permissions import Permission
from brigade_desk.core.services.discretion import (
    BenchmarkDetail,
    BenchmarkVersionView,
    ImportReport,
    VersionEdit,
)
from brigade_desk.gui.forms import FormErrors, chain_tab_order, error_label
from brigade_desk.gui.session import DeskSession
from brigade_desk.gui.style import CLOSED, DUE_TODAY, ERROR, colour, set_error_style
from brigade_desk.gui.tables import fill_table

FILE_FILTER = "裁量基准文件 (*.csv);;所有文件 (*)"


def _table(headers: tuple[str, ...]) -> QTableWidget:
    """Like tables.read_only_table, but rows grow to show long tier texts whole."""
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().hide()
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.setWordWrap(True)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    return table


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class ImportPreviewDialog(QDialog):
    """The dry run of an import: the summary and every error and warning by row and column."""

    HEADERS = ("类别", "行", "列", "说明")

    def __init__(self, report: ImportReport, file_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report = report
        self.setWindowTitle(f"导入裁量基准：{file_name}")
        self.summary = QLabel(report.summary)
        self.summary.setWordWrap(True)
        if not report.ok:
            set_error_style(self.summary)
        self.table = _table(self.HEADERS)
        rows = [("错误", *self._where(issue), issue.message) for issue in report.errors]
        rows += [("提示", *self._where(issue), issue.message) for issue in report.warnings]
        fill_table(self.table, rows)
        for row, values in enumerate(rows):
            cell = self.table.item(row, 0)
            if cell is not None:
                cell.setForeground(colour(ERROR if values[0] == "错误" else DUE_TODAY))
        header = self.table.horizontalHeader()
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setVisible(bool(rows))
        self.buttons = QDialogButtonBox()
        self.import_button: QPushButton | None = None
        if report.ok and report.action in ("created", "replaced"):
            verb = "导入" if report.action == "created" else "替换该版本"
            self.import_button = self.buttons.addButton(verb, QDialogButtonBox.ButtonRole.AcceptRole)
            self.import_button.setDefault(True)
        self.buttons.addButton(
            "关闭" if self.import_button is None else "取消", QDialogButtonBox.ButtonRole.RejectRole
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.buttons)
        self.resize(820, 460 if rows else 160)

    @staticmethod
    def _where(issue: object) -> tuple[str, str]:
        row = getattr(issue, "row", None)
        return (f"第{row}行" if row is not None else "文件", getattr(issue, "column", "") or "")


class VersionEditDialog(QDialog):
    """修改 the header of an unused version."""

    def __init__(
        self, session: DeskSession, view: BenchmarkVersionView, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.view = view
        self.result_view: BenchmarkVersionView | None = None
        self.setWindowTitle(f"修改{view.label}")
        self.title = QLineEdit(view.title)
        self.doc_number = QLineEdit(view.doc_number)
        self.effective_from = QDateEdit(_qdate(view.effective_from))
        self.has_end = QCheckBox("有失效日期")
        self.effective_to = QDateEdit(_qdate(view.effective_to or view.effective_from))
        for edit in (self.effective_from, self.effective_to):
            edit.setDisplayFormat("yyyy年M月d日")
            edit.setCalendarPopup(True)
        self.has_end.setChecked(view.effective_to is not None)
        self.effective_to.setEnabled(view.effective_to is not None)
        self.has_end.toggled.connect(self.effective_to.setEnabled)
        self.source = QLineEdit(view.source)
        self.note = QPlainTextEdit(view.note)
        self.note.setFixedHeight(self.fontMetrics().lineSpacing() * 4)
        end_row = QWidget()
        end_layout = QHBoxLayout(end_row)
        end_layout.setContentsMargins(0, 0, 0, 0)
        end_layout.addWidget(self.has_end)
        end_layout.addWidget(self.effective_to, 1)
        self.bottom = error_label(self)
        self.errors = FormErrors(self.bottom)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.errors.add_row(form, "基准名称", "基准名称", self.title)
        self.errors.add_row(form, "文号", "文号", self.doc_number)
        self.errors.add_row(form, "生效日期", "生效日期", self.effective_from)
        self.errors.add_row(form, "失效日期", "失效日期", end_row)
        self.errors.add_row(form, "来源", "来源", self.source)
        self.errors.add_row(form, "说明", "说明", self.note)
        hint = QLabel("事项和阶次请导出后在 Excel 中修改，再以相同标识导入。")
        hint.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.bottom)
        layout.addWidget(buttons)
        chain_tab_order(
            [
                self.title,
                self.doc_number,
                self.effective_from,
                self.has_end,
                self.effective_to,
                self.source,
                self.note,
            ]
        )
        self.resize(560, self.sizeHint().height())

    def edit(self) -> VersionEdit:
        return VersionEdit(
            title=self.title.text(),
            doc_number=self.doc_number.text(),
            effective_from=_pydate(self.effective_from.date()),
            effective_to=_pydate(self.effective_to.date()) if self.has_end.isChecked() else None,
            source=self.source.text(),
            note=self.note.toPlainText(),
        )

    def save(self) -> None:
        self.errors.clear()
        try:
            self.result_view = self.session.services.discretion.update_version(
                self.session.actor, self.view.id, self.edit(), self.view.version
            )
        except BrigadeError as exc:
            self.errors.show_error(exc)
            return
        self.accept()


class DiscretionAdminDialog(QDialog):
    """The benchmark browser and editor."""

    VERSION_HEADERS = ("基准名称", "基准代码", "版本", "文号", "施行期间", "事项", "阶次", "状态")
    ITEM_HEADERS = ("编码", "序号", "违法行为", "法定幅度", "适用对象")
    TIER_HEADERS = ("阶次", "适用条件", "条件表达式", "处罚标准", "附加处罚")

    def __init__(self, session: DeskSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.versions: list[BenchmarkVersionView] = []
        self.detail: BenchmarkDetail | None = None
        self.setWindowTitle("裁量基准")

        self.versions_table = _table(self.VERSION_HEADERS)
        self.versions_table.setWordWrap(False)
        self.versions_table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.versions_table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.versions_table.itemSelectionChanged.connect(self._version_selected)
        self.items_table = _table(self.ITEM_HEADERS)
        self.items_table.setWordWrap(False)  # one line per item; the full text is in the tooltip
        self.items_table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.items_table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.items_table.itemSelectionChanged.connect(self._item_selected)
        self.tiers_table = _table(self.TIER_HEADERS)
        self.item_info = QLabel()
        self.item_info.setWordWrap(True)
        self.item_info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.import_button = QPushButton("导入…")
        self.export_button = QPushButton("导出…")
        self.edit_button = QPushButton("修改…")
        self.delete_button = QPushButton("删除")
        self.starter_button = QPushButton("载入初始基准")
        self.import_button.clicked.connect(self.import_file)
        self.export_button.clicked.connect(self.export_file)
        self.edit_button.clicked.connect(self.edit_version)
        self.delete_button.clicked.connect(self.delete_version)
        self.starter_button.clicked.connect(self.load_starter)
        self.reason = QLabel()
        self.reason.setWordWrap(True)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()

        buttons = QHBoxLayout()
        for button in (
            self.import_button,
            self.export_button,
            self.edit_button,
            self.delete_button,
            self.starter_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)

        tiers_side = QWidget()
        tiers_layout = QVBoxLayout(tiers_side)
        tiers_layout.setContentsMargins(0, 0, 0, 0)
        tiers_layout.addWidget(self.item_info)
        tiers_layout.addWidget(self.tiers_table, 1)
        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(self.items_table)
        lower.addWidget(tiers_side)
        lower.setStretchFactor(0, 1)
        lower.setStretchFactor(1, 1)
        lower.setSizes([600, 560])
        upper = QSplitter(Qt.Orientation.Vertical)
        upper.addWidget(self.versions_table)
        upper.addWidget(lower)
        upper.setStretchFactor(0, 1)
        upper.setStretchFactor(1, 3)

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.reason)
        layout.addWidget(self.message)
        layout.addWidget(upper, 1)
        layout.addWidget(close)
        chain_tab_order(
            [
                self.import_button,
                self.export_button,
                self.edit_button,
                self.delete_button,
                self.starter_button,
                self.versions_table,
                self.items_table,
                self.tiers_table,
            ]
        )
        self.resize(1180, 760)
        self.refresh()

    # --- loading -------------------------------------------------------------------------------

    def refresh(self, select_id: str | None = None) -> None:
        current = self.selected_version()
        selected = select_id or (current.id if current is not None else None)
        try:
            self.versions = self.session.services.discretion.list_versions(self.session.actor)
        except BrigadeError as exc:
            self.versions = []
            self._say(exc.message, error=True)
        rows = []
        for v in self.versions:
            state = f"已被{len(v.used_by)}件决定使用" if v.used else "未使用"
            title = f"{v.title}（初始示例）" if v.is_starter and "初始" not in v.title else v.title
            rows.append(
                (
                    title,
                    v.series,
                    str(v.version_number),
                    v.doc_number or "—",
                    v.period_text,
                    str(v.item_count),
                    str(v.tier_count),
                    state,
                )
            )
        fill_table(self.versions_table, rows)
        for row, v in enumerate(self.versions):
            cell = self.versions_table.item(row, 7)
            if v.used and cell is not None:
                cell.setForeground(colour(CLOSED))
        header = self.versions_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(self.VERSION_HEADERS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.starter_button.setVisible(not any(v.is_starter for v in self.versions))
        index = next((n for n, v in enumerate(self.versions) if v.id == selected), 0)
        # The rows were rebuilt: select without relying on a change signal, then load the detail.
        self.versions_table.blockSignals(True)
        self.versions_table.clearSelection()
        if self.versions:
            self.versions_table.selectRow(index)
        self.versions_table.blockSignals(False)
        self._version_selected()

    def selected_version(self) -> BenchmarkVersionView | None:
        model = self.versions_table.selectionModel()
        rows = model.selectedRows() if model is not None else []
        if not rows or rows[0].row() >= len(self.versions):
            return None
        return self.versions[rows[0].row()]

    def _version_selected(self) -> None:
        view = self.selected_version()
        self.detail = None
        if view is not None:
            try:
                self.detail = self.session.services.discretion.version_detail(self.session.actor, view.id)
            except BrigadeError as exc:
                self._say(exc.message, error=True)
        items = self.detail.items if self.detail is not None else ()
        fill_table(
            self.items_table,
            [(item.code, item.seq, item.violation, item.statutory_text, item.party_kind) for item in items],
        )
        header = self.items_table.horizontalHeader()
        for column in (0, 1, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(3, self.fontMetrics().horizontalAdvance("500.00元至2,000.00元") + 16)
        self.items_table.blockSignals(True)
        self.items_table.clearSelection()
        if items:
            self.items_table.selectRow(0)
        self.items_table.blockSignals(False)
        self._item_selected()
        self._update_buttons()

    def _item_selected(self) -> None:
        model = self.items_table.selectionModel()
        rows = model.selectedRows() if model is not None else []
        item = None
        if self.detail is not None and rows and rows[0].row() < len(self.detail.items):
            item = self.detail.items[rows[0].row()]
        if item is None:
            self.item_info.clear()
            fill_table(self.tiers_table, [])
            return
        self.item_info.setText(
            f"{item.code}　{item.violation}\n违反条款：{item.violated_provision}\n"
            f"处罚依据：{item.penalty_provision}\n处罚种类：{item.penalty_kinds}；法定幅度：{item.statutory_text}"
        )
        fill_table(
            self.tiers_table,
            [
                (t.label, t.condition_text, t.condition or "（默认阶次）", t.outcome, t.additional)
                for t in item.tiers
            ],
        )
        header = self.tiers_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(2, max(160, self.tiers_table.width() // 4))
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)

    def _update_buttons(self) -> None:
        view = self.selected_version()
        manage = self.session.can(Permission.REFERENCE_MANAGE)
        self.import_button.setEnabled(manage)
        self.starter_button.setEnabled(manage)
        self.export_button.setEnabled(view is not None)
        frozen = view.frozen_reason if view is not None else ""
        self.edit_button.setEnabled(manage and view is not None and not frozen)
        self.delete_button.setEnabled(manage and view is not None and not frozen)
        reason = frozen if manage else "您的角色只能查看和导出裁量基准；导入、修改和删除须由管理员操作"
        self.reason.setText(reason)
        self.reason.setStyleSheet(f"color: {DUE_TODAY};" if frozen else "")
        self.reason.setVisible(bool(reason))
        for button in (self.edit_button, self.delete_button):
            button.setToolTip(reason)

    def _say(self, text: str, *, error: bool = False) -> None:
        if error:
            set_error_style(self.message)
        else:
            self.message.setStyleSheet("")
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # --- actions -------------------------------------------------------------------------------

    def import_file(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(self, "导入裁量基准", "", FILE_FILTER)
        if not name:
            return
        self.import_path(Path(name))

    def import_path(self, path: Path) -> None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            self._say(f"无法读取 {path}：{exc.strerror or exc}", error=True)
            return
        service = self.session.services.discretion
        try:
            report = service.import_csv(self.session.actor, data, dry_run=True)
        except BrigadeError as exc:
            self._say(exc.message, error=True)
            return
        preview = ImportPreviewDialog(report, path.name, self)
        if preview.exec() != QDialog.DialogCode.Accepted or preview.import_button is None:
            if not report.ok:
                self._say(report.summary, error=True)
            return
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            done = service.import_csv(self.session.actor, data)
        except BrigadeError as exc:
            self._say(exc.message, error=True)
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        if not done.ok:
            self._say(done.summary + "：" + "；".join(str(issue) for issue in done.errors), error=True)
            return
        self.refresh(done.benchmark_id)
        self._say(done.summary)

    def export_file(self) -> None:
        view = self.selected_version()
        if view is None:
            return
        suggested = f"{view.series}-第{view.version_number}版.csv"
        name, _filter = QFileDialog.getSaveFileName(self, "导出裁量基准", suggested, FILE_FILTER)
        if not name:
            return
        try:
            path = self.session.services.discretion.export_to(self.session.actor, view.id, Path(name))
        except BrigadeError as exc:
            self._say(exc.message, error=True)
            return
        self._say(f"已导出{view.label}到 {path}")

    def edit_version(self) -> None:
        view = self.selected_version()
        if view is None:
            return
        if view.frozen_reason:
            self._say(view.frozen_reason, error=True)
            return
        dialog = VersionEditDialog(self.session, view, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.result_view is not None:
            self.refresh(view.id)
            self._say(f"已修改{dialog.result_view.label}")

    def delete_version(self) -> None:
        view = self.selected_version()
        if view is None:
            return
        answer = QMessageBox.question(
            self,
            "删除裁量基准版本",
            f"确定删除{view.label}？已保存此版本裁量结果的未决案件须重新计算。",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self.session.services.discretion.delete_version(self.session.actor, view.id, view.version)
        except BrigadeError as exc:
            self._say(exc.message, error=True)
            return
        self.refresh()
        self._say(f"已删除{view.label}")

    def load_starter(self) -> None:
        try:
            added = self.session.services.discretion.load_starter(self.session.actor)
        except BrigadeError as exc:
            self._say(exc.message, error=True)
            return
        self.refresh()
        self._say("已载入软件自带的初始裁量基准" if added else "初始裁量基准已在库中")
