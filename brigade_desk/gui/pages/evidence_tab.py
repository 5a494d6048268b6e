"""证据 tab of the case detail: thumbnails, details of the chosen item, open and export (both logged
by core), files added in the background with progress and cancel, and the completeness panel of the
full-process record.

The tab loads only when it is shown: selecting cases in the list with another tab open costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QModelIndex, QSize, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QFont, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QProgressDialog,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from brigade_desk.core.errors import BrigadeError
from brigade_desk.core.rules.permissions import Permission
from brigade_desk.core.services.cases import CaseDetail
from brigade_desk.core.services.evidence import EvidenceAdded, EvidenceInput, EvidenceView, RecordChoice
from brigade_desk.gui.formatting import show_datetime
from brigade_desk.gui.models.evidence_list import EVIDENCE_ROLE, EvidenceListModel, human_size
from brigade_desk.gui.pages.case_detail import CaseTab
from brigade_desk.gui.pages.completeness_panel import CompletenessPanel
from brigade_desk.gui.pages.evidence_dialog import EvidenceDialog
from brigade_desk.gui.session import DeskSession
from brigade_desk.gui.style import set_error_style
from brigade_desk.gui.tasks import TaskHandle, TaskRunner

FILE_FILTER = (
    "证据文件 (*.jpg *.jpeg *.png *.heic *.bmp *.tif *.tiff *.mp4 *.mov *.avi *.ts *.mts *.3gp "
    "*.mp3 *.wav *.m4a *.amr *.aac *.pdf *.ofd *.doc *.docx *.xls *.xlsx);;所有文件 (*)"
)
NO_EDIT_REASON = "当前登录人员无办理案件权限，不能添加证据"


def _kb(value: int) -> int:
    """Progress in KB: Qt's int is 32-bit and body-camera files pass 2 GB."""
    return value // 1024


class EvidenceTab(CaseTab):
    label = "证据"

    DETAIL_FIELDS: tuple[tuple[str, str], ...] = (
        ("title", "证据"),
        ("kind", "种类"),
        ("proves", "证明事项"),
        ("collected", "收集"),
        ("place", "收集地点"),
        ("step", "执法环节"),
        ("file", "文件"),
        ("captured", "拍摄时间"),
        ("sha256", "SHA-256"),
        ("av", "音像记录"),
    )

    def __init__(
        self, session: DeskSession, parent: QWidget | None = None, *, runner: TaskRunner | None = None
    ) -> None:
        super().__init__(session, parent)
        self.case: CaseDetail | None = None
        self._stale = False
        self.runner = runner or TaskRunner(self)
        app = QCoreApplication.instance()
        if runner is None and app is not None:
            app.aboutToQuit.connect(self.runner.cancel_all)
        self.copy_task: TaskHandle | None = None
        self.progress_dialog: QProgressDialog | None = None
        self.open_url: Callable[[QUrl], object] = QDesktopServices.openUrl
        self.last_dir = Path.home()

        # --- actions ----------------------------------------------------------------------------
        self.add_button = QPushButton("添加文件…")
        self.add_button.setToolTip("选择一个或多个照片、录音、录像或扫描件（可多选）")
        self.add_button.clicked.connect(self.add_files)
        self.item_button = QPushButton("登记实物…")
        self.item_button.clicked.connect(self.add_item)
        self.open_button = QPushButton("打开")
        self.open_button.setToolTip("用系统程序打开原文件（将记入执法全过程记录）")
        self.open_button.clicked.connect(self.open_selected)
        self.export_button = QPushButton("导出…")
        self.export_button.setToolTip("复制原文件到其他位置，复制时核对哈希值（将记入执法全过程记录）")
        self.export_button.clicked.connect(self.export_selected)
        self.mode_button = QPushButton("列表")
        self.mode_button.setCheckable(True)
        self.mode_button.setToolTip("在缩略图网格和列表之间切换")
        self.mode_button.toggled.connect(self.set_list_mode)

        buttons = QHBoxLayout()
        for button in (self.add_button, self.item_button, self.open_button, self.export_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.mode_button)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()

        # --- thumbnails --------------------------------------------------------------------------
        self.model = EvidenceListModel(self)
        self.view = QListView()
        self.view.setModel(self.model)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setMovement(QListView.Movement.Static)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setUniformItemSizes(True)
        self.view.setWordWrap(True)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.selectionModel().currentChanged.connect(self._on_current)
        self.view.doubleClicked.connect(lambda _index: self.open_selected())
        self.empty_hint = QLabel("本案尚未登记证据。点击“添加文件…”选择照片、录音、录像或扫描件。")
        self.empty_hint.setWordWrap(True)
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.set_list_mode(False)

        # --- details -----------------------------------------------------------------------------
        self.values: dict[str, QLabel | QLineEdit] = {}
        details_body = QWidget()
        form = QFormLayout(details_body)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setContentsMargins(4, 4, 4, 4)
        for key, title in self.DETAIL_FIELDS:
            value: QLabel | QLineEdit
            if key == "sha256":
                # 64 characters that cannot wrap: a read-only line scrolls inside and copies whole.
                value = QLineEdit()
                value.setReadOnly(True)
                value.setFrame(False)
                mono = QFont("monospace")
                mono.setStyleHint(QFont.StyleHint.TypeWriter)
                value.setFont(mono)
            else:
                value = QLabel()
                value.setWordWrap(True)
                value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                # A long file name must not widen the pane: wrap where possible, clip otherwise.
                value.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            self.values[key] = value
            form.addRow(f"{title}：", value)
        details = QScrollArea()
        details.setWidgetResizable(True)
        details.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        details.setWidget(details_body)

        # --- completeness ------------------------------------------------------------------------
        self.completeness = CompletenessPanel()
        completeness_box = QWidget()
        box_layout = QVBoxLayout(completeness_box)
        box_layout.setContentsMargins(0, 4, 0, 0)
        heading = QLabel("全过程记录完整性")
        bold = heading.font()
        bold.setBold(True)
        heading.setFont(bold)
        box_layout.addWidget(heading)
        box_layout.addWidget(self.completeness, 1)

        grid_box = QWidget()
        grid_layout = QVBoxLayout(grid_box)
        grid_layout.setContentsMargins(0, 0, 0, 0)
        grid_layout.addWidget(self.view, 1)
        grid_layout.addWidget(self.empty_hint)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(grid_box)
        self.splitter.addWidget(details)
        self.splitter.addWidget(completeness_box)
        self.splitter.setStretchFactor(0, 5)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 3)
        self.splitter.setSizes([500, 300, 300])
        self.splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(self.splitter, 1)
        self.session.actor_changed.connect(self._update_buttons)
        self._show_details(None)

    # --- CaseTab -----------------------------------------------------------------------------------

    def show_case(self, case: CaseDetail | None) -> None:
        changed = (case.id if case else None) != (self.case.id if self.case else None)
        self.case = case
        if changed:
            self.message.hide()
        self._stale = True
        if self.isVisible():
            self.reload()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.reload()

    def reload(self, select_id: str | None = None) -> None:
        """Read the case's evidence and completeness from the services."""
        self._stale = False
        shown = self.current_item()
        current = select_id or (shown.id if shown is not None else None)
        if self.case is None:
            self.model.set_items([])
            self.completeness.clear()
            self._after_reload(None)
            return
        actor, evidence = self.session.actor, self.session.services.evidence
        try:
            items = evidence.list_for_case(actor, self.case.id)
        except BrigadeError as exc:
            self.model.set_items([])
            self.show_message(exc.message, error=True)
            items = []
        self.model.set_items(items)
        try:
            self.completeness.show_completeness(evidence.completeness(actor, self.case.id))
        except BrigadeError as exc:
            self.completeness.show_error(exc.message)
        self._after_reload(current)

    def _after_reload(self, select_id: str | None) -> None:
        has_rows = self.model.rowCount() > 0
        self.empty_hint.setVisible(not has_rows and self.case is not None)
        row = self.model.row_of(select_id) if select_id else -1
        if row >= 0:
            self.view.setCurrentIndex(self.model.index(row, 0))
        else:
            self.view.clearSelection()
            self._show_details(None)
        self._update_buttons()

    # --- view mode and selection ---------------------------------------------------------------------

    def set_list_mode(self, as_list: bool) -> None:
        self.view.setViewMode(QListView.ViewMode.ListMode if as_list else QListView.ViewMode.IconMode)
        self.view.setIconSize(self.model.icon_size(grid=not as_list))
        self.view.setFlow(QListView.Flow.TopToBottom if as_list else QListView.Flow.LeftToRight)
        self.view.setWrapping(not as_list)
        self.view.setGridSize(QSize() if as_list else QSize(122, 128))
        self.view.setSpacing(2 if as_list else 4)

    def current_item(self) -> EvidenceView | None:
        index = self.view.currentIndex()
        if not index.isValid():
            return None
        item = self.model.data(index, EVIDENCE_ROLE)
        return item if isinstance(item, EvidenceView) else None

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_details(self.model.item_at(current.row()) if current.isValid() else None)
        self._update_buttons()

    def _show_details(self, item: EvidenceView | None) -> None:
        if item is None:
            for label in self.values.values():
                label.setText("—")
            self.values["sha256"].clear()
            self.values["title"].setText("选择一件证据查看详情")
            return
        file_text = "（实物，无电子文件）"
        if item.has_file:
            file_text = f"{item.file_name}　{item.category_label}，{item.media_type}，{human_size(item.size)}"
        if item.category == "photo" and item.thumbnail_path is None:
            file_text += "；图片无法解码，未生成缩略图"
        captured = show_datetime(item.captured_at) if item.captured_at else ""
        shown = {
            "title": item.title,
            "kind": item.kind_label,
            "proves": item.proves,
            "collected": f"{item.collected_by}，{show_datetime(item.collected_at)}",
            "place": item.place,
            "step": item.step_label + ("（已关联笔录）" if item.record_id else ""),
            "file": file_text,
            "captured": captured,
            "sha256": item.sha256 or "",
            "av": "是" if item.is_av else "否",
        }
        for key, label in self.values.items():
            label.setText(shown[key] or "—")
        self.values["sha256"].setText(shown["sha256"])
        if isinstance(self.values["sha256"], QLineEdit):
            self.values["sha256"].setCursorPosition(0)

    def _update_buttons(self) -> None:
        can_edit = self.session.can(Permission.CASE_EDIT)
        has_case = self.case is not None
        busy = self.copy_task is not None and self.copy_task.running
        for button in (self.add_button, self.item_button):
            button.setEnabled(has_case and can_edit and not busy)
            button.setToolTip("" if can_edit else NO_EDIT_REASON)
        item = self.current_item()
        has_file = item is not None and item.has_file
        self.open_button.setEnabled(has_file)
        self.export_button.setEnabled(has_file)

    def show_message(self, text: str, *, error: bool = False) -> None:
        if error:
            set_error_style(self.message)
        else:
            self.message.setStyleSheet("")
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # --- adding ---------------------------------------------------------------------------------------

    def _records(self) -> list[RecordChoice]:
        assert self.case is not None
        try:
            return self.session.services.evidence.record_choices(self.session.actor, self.case.id)
        except BrigadeError:
            return []

    def add_files(self) -> None:
        if self.case is None:
            return
        if not self.session.can(Permission.CASE_EDIT):
            self.show_message(NO_EDIT_REASON, error=True)
            return
        names, _filter = QFileDialog.getOpenFileNames(self, "选择证据文件", str(self.last_dir), FILE_FILTER)
        if not names:
            return
        files = [Path(n) for n in names]
        self.last_dir = files[0].parent
        dialog = EvidenceDialog(
            self.session, self.case.id, files, place=self.case.place, records=self._records(), parent=self
        )
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.result_input is None:
            return
        self.start_copy(files, dialog.result_input)

    def add_item(self) -> None:
        if self.case is None:
            return
        dialog = EvidenceDialog(
            self.session, self.case.id, [], place=self.case.place, records=self._records(), parent=self
        )
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.added_item is not None:
            self.show_message(f"已登记：{dialog.added_item.title}")
            self.reload(select_id=dialog.added_item.id)

    def start_copy(self, files: list[Path], data: EvidenceInput) -> TaskHandle:
        """Copy and file `files` in the background, one transaction each; cancel stops the file being
        copied (nothing of it is kept) and skips the rest; files already filed stay."""
        assert self.case is not None
        actor, evidence, case_id = self.session.actor, self.session.services.evidence, self.case.id
        sizes = []
        for path in files:
            try:
                sizes.append(path.stat().st_size)
            except OSError:
                sizes.append(0)
        total = max(sum(sizes), 1)
        added: list[EvidenceAdded] = []
        problems: list[str] = []

        def work(progress: Callable[[int, int], None]) -> int:
            base = 0
            for path, size in zip(files, sizes, strict=True):
                offset = base

                def report(done: int, _total: int, offset: int = offset) -> None:
                    progress(_kb(offset + done), _kb(total))

                try:
                    added.append(evidence.add_file(actor, case_id, path, data, progress=report))
                except BrigadeError as exc:
                    problems.append(f"{path.name}：{exc.message}")
                base += size
                progress(_kb(base), _kb(total))
            return len(added)

        handle = self.runner.submit("复制证据文件", work)
        self.copy_task = handle
        dialog = QProgressDialog(
            f"正在复制 {len(files)} 个文件到证据库并计算哈希值…", "取消", 0, max(_kb(total), 1), self
        )
        dialog.setWindowTitle("添加证据")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setMinimumDuration(300)
        self.progress_dialog = dialog

        def on_cancel() -> None:
            if handle.running:
                handle.cancel()
                dialog.setLabelText("正在取消…")

        handle.progress.connect(lambda done, _t: dialog.setValue(min(done, dialog.maximum())))
        dialog.canceled.connect(on_cancel)
        handle.finished.connect(lambda: self._copy_finished(handle, added, problems))
        self._update_buttons()
        return handle

    def _copy_finished(self, handle: TaskHandle, added: list[EvidenceAdded], problems: list[str]) -> None:
        if self.progress_dialog is not None:
            self.progress_dialog.close()
            self.progress_dialog = None
        self.copy_task = None
        parts = []
        if handle.outcome == "cancelled":
            parts.append(f"已取消；取消前已登记 {len(added)} 个文件，正在复制的文件未保留。")
        elif handle.outcome == "failed":
            error = handle.error
            text = error.message if isinstance(error, BrigadeError) else f"{type(error).__name__}: {error}"
            parts.append(f"添加证据失败：{text}")
        else:
            parts.append(f"已登记 {len(added)} 个文件。")
        for result in added:
            parts += [f"{result.evidence.file_name}：{w}" for w in result.warnings]
        parts += problems
        self.show_message("\n".join(parts), error=bool(problems) or handle.outcome == "failed")
        self.reload(select_id=added[-1].evidence.id if added else None)

    # --- open and export ---------------------------------------------------------------------------------

    def open_selected(self) -> None:
        item = self.current_item()
        if item is None or not item.has_file:
            return
        try:
            path = self.session.services.evidence.open_for_view(self.session.actor, item.id)
        except BrigadeError as exc:
            self.show_message(exc.message, error=True)
            return
        self.open_url(QUrl.fromLocalFile(str(path)))
        self.show_message(f"已打开“{item.file_name}”（查看已记入执法全过程记录）")

    def export_selected(self) -> TaskHandle | None:
        item = self.current_item()
        if item is None or not item.has_file:
            return None
        target, _filter = QFileDialog.getSaveFileName(self, "导出证据", str(self.last_dir / item.file_name))
        if not target:
            return None
        dest = Path(target)
        self.last_dir = dest.parent
        actor, evidence = self.session.actor, self.session.services.evidence

        def work(progress: Callable[[int, int], None]) -> object:
            return evidence.export(
                actor, item.id, dest, progress=lambda done, total: progress(_kb(done), max(_kb(total), 1))
            )

        handle = self.runner.submit("导出证据", work)
        self.show_message(f"正在导出“{item.file_name}”…")
        handle.progress.connect(
            lambda done, total: self.show_message(
                f"正在导出“{item.file_name}”… {done * 100 // max(total, 1)}%"
            )
        )
        handle.succeeded.connect(
            lambda result: self.show_message(f"已导出到 {result.path}（已核对哈希值并记录）")
        )
        handle.failed.connect(
            lambda error: self.show_message(
                error.message if isinstance(error, BrigadeError) else f"导出失败：{error}", error=True
            )
        )
        return handle
