"""文书 tab of the case detail: the documents the current step needs, generate, preview inside the
application, issue, print (one, or all of the step with progress), record service, void, correct,
export, verify, and the case file with its self-check.

The tab loads only when it is shown. Every action goes through core's DocumentService; a button that
cannot be used is disabled and the line under the buttons says why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QProgressDialog,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from brigade_desk.core.errors import BrigadeError
from brigade_desk.core.rules.permissions import Permission
from brigade_desk.core.services.cases import CaseDetail
from brigade_desk.core.services.documents import (
    CaseFileResult,
    DocumentService,
    DocumentView,
    GenerateOptions,
    StepNeeds,
)
from brigade_desk.core.timeutil import beijing_today
from brigade_desk.gui.document_dialogs import DeliveryDialog, GenerateDialog, ListDialog, VerifyDialog
from brigade_desk.gui.formatting import show_date
from brigade_desk.gui.pages.case_detail import CaseTab
from brigade_desk.gui.pdf_preview import PdfPreview, ask_printer, paint_pdf, print_with_progress
from brigade_desk.gui.session import DeskSession
from brigade_desk.gui.style import CLOSED, set_error_style
from brigade_desk.gui.tasks import TaskHandle, TaskRunner


@dataclass(frozen=True)
class Row:
    form_id: str
    title: str
    document: DocumentView | None
    needed: bool


class DocumentsTab(CaseTab):
    label = "文书"
    HEADERS = ("文书", "文号", "状态", "日期", "送达")

    def __init__(
        self, session: DeskSession, parent: QWidget | None = None, *, runner: TaskRunner | None = None
    ) -> None:
        super().__init__(session, parent)
        self.case: CaseDetail | None = None
        self.needs: StepNeeds | None = None
        self.rows: list[Row] = []
        self._stale = False
        self.runner = runner or TaskRunner(self)
        app = QCoreApplication.instance()
        if runner is None and app is not None:
            app.aboutToQuit.connect(self.runner.cancel_all)
        self.file_task: TaskHandle | None = None
        self.last_case_file: CaseFileResult | None = None
        # Replaceable in tests: the modal parts.
        self.exec_dialog: Callable[[QDialog], int] = lambda dialog: dialog.exec()
        self.ask_printer: Callable[[QWidget, str], QPrinter | None] = ask_printer
        self.ask_save_path: Callable[[str, str, str], str] = self._ask_save_path
        self.ask_text: Callable[[str, str], str | None] = self._ask_text

        self.step_label = QLabel()
        self.step_label.setWordWrap(True)
        self.table = QTableWidget(0, len(self.HEADERS))
        self.table.setHorizontalHeaderLabels(list(self.HEADERS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(self.HEADERS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.currentCellChanged.connect(lambda *_: self._on_selected())
        self.table.cellDoubleClicked.connect(lambda *_: self.generate())

        def button(text: str, slot: Callable[[], None], tip: str = "") -> QPushButton:
            b = QPushButton(text)
            b.clicked.connect(slot)
            if tip:
                b.setToolTip(tip)
            return b

        self.generate_button = button(
            "制作…", self.generate, "按案件记录生成文书，填写案件记录中没有的内容并选定签名的执法人员"
        )
        self.edit_button = button("修改草稿…", self.edit_draft)
        self.issue_button = button("签发", self.issue, "编号、冻结全部内容、生成带二维码的PDF并存档")
        self.void_button = button("作废…", self.void)
        self.correct_button = button("更正…", self.correct, "制作文书更正通知书，与原文书关联")
        self.print_button = button("打印…", self.print_selected)
        self.print_all_button = button("打印本环节全部…", self.print_step)
        self.deliver_button = button("登记送达…", self.deliver)
        self.export_button = button("导出…", self.export, "另存为PDF，或DOCX供本地编辑")
        self.verify_button = button("核验…", self.verify, "按文号和验证码，或PDF文件，核验文书真伪")
        self.case_file_button = button(
            "组卷…", self.case_file, "生成案卷PDF（封面、目录、文书、证据、备考表）并自查"
        )
        self.other_forms = QComboBox()
        self.other_forms.setToolTip("本环节以外的文书")
        self.other_button = button("制作其他文书…", self.generate_other)

        row1 = QHBoxLayout()
        for b in (
            self.generate_button,
            self.edit_button,
            self.issue_button,
            self.void_button,
            self.correct_button,
        ):
            row1.addWidget(b)
        row1.addStretch(1)
        row2 = QHBoxLayout()
        for b in (
            self.print_button,
            self.print_all_button,
            self.deliver_button,
            self.export_button,
            self.verify_button,
            self.case_file_button,
        ):
            row2.addWidget(b)
        row2.addStretch(1)
        row3 = QHBoxLayout()
        row3.addWidget(QLabel("其他文书："))
        row3.addWidget(self.other_forms, 1)
        row3.addWidget(self.other_button)
        self.reason = QLabel()
        self.reason.setWordWrap(True)
        self.reason.setStyleSheet(f"color: {CLOSED};")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.step_label)
        top_layout.addWidget(self.table, 1)
        top_layout.addLayout(row1)
        top_layout.addLayout(row2)
        top_layout.addLayout(row3)
        top_layout.addWidget(self.reason)
        top_layout.addWidget(self.message)
        self.preview = PdfPreview()
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(self.preview)
        splitter.setSizes([360, 480])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self._update_buttons()

    # --- CaseTab ------------------------------------------------------------------------------------

    def show_case(self, case: CaseDetail | None) -> None:
        self.case = case
        self._stale = True
        if self.isVisible():
            self.reload()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.reload()

    # --- loading ------------------------------------------------------------------------------------

    @property
    def services(self) -> DocumentService:
        return self.session.services.documents

    def reload(self, select_document: str | None = None) -> None:
        self._stale = False
        current = self.current_document()
        keep = select_document or (current.id if current else None)
        self.rows = []
        self.table.setRowCount(0)
        self.preview.clear()
        self.other_forms.clear()
        if self.case is None:
            self.step_label.clear()
            self._update_buttons()
            return
        try:
            self.needs = self.services.needs(self.session.actor, self.case.id)
            documents = self.services.documents(self.session.actor, self.case.id)
        except BrigadeError as exc:
            self.show_message(exc.message, error=True)
            return
        listed: set[str] = set()
        for need in self.needs.needed:
            if not need.documents:
                self.rows.append(Row(need.form_id, need.title, None, True))
            for made in need.documents:
                self.rows.append(Row(need.form_id, need.title, made, True))
                listed.add(made.id)
        for made in documents:
            if made.id not in listed:
                self.rows.append(Row(made.form_id, made.title, made, False))
        needed = "、".join(n.title for n in self.needs.needed) or "无"
        self.step_label.setText(f"当前环节：{self.needs.state_label}。本环节需要的文书：{needed}")
        for form_id, title in self.needs.other_forms:
            self.other_forms.addItem(title, form_id)
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            doc: DocumentView | None = row.document
            delivered = ""
            if doc is not None and doc.deliveries:
                d = doc.deliveries[-1]
                delivered = f"{show_date(d.effective_on)} {d.mode}"
            elif doc is not None and doc.needs_delivery and doc.status == "issued":
                delivered = "未送达"
            cells = (
                (row.title if row.needed else f"{row.title}（其他）")
                + (f"　{doc.party_name}" if doc and doc.party_name else ""),
                doc.doc_number if doc else "",
                doc.status_label if doc else "未制作",
                show_date(doc.doc_date) if doc and doc.doc_date else "",
                delivered,
            )
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(text))
        target = next(
            (r for r, row in enumerate(self.rows) if row.document and row.document.id == keep),
            0 if self.rows else -1,
        )
        if target >= 0:
            self.table.setCurrentCell(target, 0)
        self._update_buttons()

    def current_row(self) -> Row | None:
        r = self.table.currentRow()
        return self.rows[r] if 0 <= r < len(self.rows) else None

    def current_document(self) -> DocumentView | None:
        row = self.current_row()
        return row.document if row else None

    def _on_selected(self) -> None:
        self._update_buttons()
        doc = self.current_document()
        if doc is None:
            row = self.current_row()
            self.preview.clear(f"《{row.title}》尚未制作，点击“制作…”" if row else "选择一份文书查看")
            return
        try:
            rendered = self.services.render(self.session.actor, doc.id, "pdf")
        except BrigadeError as exc:
            self.preview.clear(exc.message)
            return
        self.preview.show_pdf(rendered.content)
        if rendered.missing:
            self.show_message(
                "草稿还需填写：" + "、".join(rendered.missing) + "（预览中留有空白）", error=True
            )
        else:
            self.message.hide()

    def _update_buttons(self) -> None:
        doc = self.current_document()
        row = self.current_row()
        can_edit = self.session.can(Permission.CASE_EDIT)
        can_deliver = self.session.can(Permission.CASE_DELIVER)
        has_case = self.case is not None
        reasons: list[str] = []
        self.generate_button.setEnabled(has_case and can_edit and row is not None)
        self.other_button.setEnabled(has_case and can_edit and self.other_forms.count() > 0)
        self.edit_button.setEnabled(can_edit and doc is not None and doc.status == "draft")
        self.issue_button.setEnabled(can_deliver and doc is not None and doc.status == "draft")
        self.void_button.setEnabled(can_deliver and doc is not None and doc.status == "issued")
        self.correct_button.setEnabled(can_edit and doc is not None and doc.status == "issued")
        self.print_button.setEnabled(doc is not None)
        self.export_button.setEnabled(doc is not None)
        self.deliver_button.setEnabled(
            can_deliver and doc is not None and doc.status == "issued" and doc.needs_delivery
        )
        step_issued = [
            r.document for r in self.rows if r.needed and r.document and r.document.status == "issued"
        ]
        self.print_all_button.setEnabled(bool(step_issued))
        self.case_file_button.setEnabled(has_case and (self.file_task is None or not self.file_task.running))
        if not can_edit:
            reasons.append("当前登录人员无办理案件权限，不能制作或更正文书")
        if not can_deliver:
            reasons.append("当前登录人员无送达权限，不能签发、作废或登记送达（须由内勤或执法队员操作）")
        if doc is not None and doc.status == "draft":
            reasons.append("草稿尚未签发：签发后才编号、存档，才能送达")
        elif doc is not None and doc.status == "voided":
            reasons.append(f"已作废：{doc.void_reason}")
        elif doc is not None and doc.status == "issued" and not doc.needs_delivery:
            reasons.append("本文书无须送达当事人")
        if not step_issued and has_case:
            reasons.append("本环节尚无已签发的文书可打印")
        self.reason.setText("；".join(reasons))

    def show_message(self, text: str, *, error: bool = False) -> None:
        if error:
            set_error_style(self.message)
        else:
            self.message.setStyleSheet("")
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # --- generate and drafts ----------------------------------------------------------------------------

    def _open_generate(self, form_id: str, document: DocumentView | None = None) -> None:
        assert self.case is not None
        options = GenerateOptions(
            self.case.id,
            form_id,
            officer_ids=document.officer_ids if document else (),
            inputs=dict(document.inputs) if document else {},
            party_id=document.party_id if document else None,
            record_id=document.record_id if document else None,
        )
        try:
            prep = self.services.prepare(self.session.actor, options)
        except BrigadeError as exc:
            self.show_message(exc.message, error=True)
            return
        dialog = GenerateDialog(
            self.session,
            prep,
            self.case.id,
            self,
            document_id=document.id if document else None,
            version=document.version if document else None,
            inputs=dict(document.inputs) if document else None,
        )
        if self.exec_dialog(dialog) == QDialog.DialogCode.Accepted and dialog.saved is not None:
            self.show_message(f"已保存《{dialog.saved.title}》草稿")
            self.reload(dialog.saved.id)

    def generate(self) -> None:
        row = self.current_row()
        if row is None or self.case is None:
            return
        if row.document is not None and row.document.status == "draft":
            self._open_generate(row.form_id, row.document)
        else:
            self._open_generate(row.form_id)

    def start_form(self, form_id: str) -> None:
        """Select the row of a form this step needs and open 制作 for it (the next thing to do after
        the step that asked for it, e.g. the 当场行政处罚决定书 after an on-the-spot penalty)."""
        if self._stale:
            self.reload()
        row = next((n for n, r in enumerate(self.rows) if r.form_id == form_id), None)
        if row is None or self.case is None:
            return
        self.table.setCurrentCell(row, 0)
        self.generate()

    def generate_other(self) -> None:
        form_id = self.other_forms.currentData()
        if form_id and self.case is not None:
            self._open_generate(str(form_id))

    def edit_draft(self) -> None:
        doc = self.current_document()
        if doc is not None and doc.status == "draft":
            self._open_generate(doc.form_id, doc)

    def issue(self) -> None:
        doc = self.current_document()
        if doc is None:
            return
        try:
            issued = self.services.issue(self.session.actor, doc.id, doc.version)
        except BrigadeError as exc:
            self.show_message(exc.message, error=True)
            return
        number = f"，文号{issued.doc_number}" if issued.doc_number else ""
        self.reload(issued.id)
        self.show_message(f"已签发《{issued.title}》{number}；验证码 {issued.verify_code}")

    def void(self) -> None:
        doc = self.current_document()
        if doc is None:
            return
        reason = self.ask_text("作废文书", f"作废《{doc.title}》（{doc.doc_number or '无文号'}）的理由：")
        if reason is None:
            return
        try:
            voided = self.services.void(self.session.actor, doc.id, reason, doc.version)
        except BrigadeError as exc:
            self.show_message(exc.message, error=True)
            return
        self.reload(voided.id)
        self.show_message(
            f"已作废《{voided.title}》，文号{voided.doc_number or '（无）'}记入作废登记，不再使用"
        )

    def correct(self) -> None:
        doc = self.current_document()
        if doc is None or self.case is None:
            return
        try:
            prep = self.services.prepare(
                self.session.actor, GenerateOptions(self.case.id, "correction_notice")
            )
        except BrigadeError as exc:
            self.show_message(exc.message, error=True)
            return
        actor, service = self.session.actor, self.services
        dialog = GenerateDialog(
            self.session,
            prep,
            self.case.id,
            self,
            saver=lambda options: service.correct(actor, doc.id, options.inputs, options.officer_ids),
        )
        dialog.setWindowTitle(f"更正《{doc.title}》（{doc.doc_number}）")
        if self.exec_dialog(dialog) == QDialog.DialogCode.Accepted and dialog.saved is not None:
            self.reload(dialog.saved.id)
            self.show_message(f"已制作更正通知书草稿，关联《{doc.title}》（{doc.doc_number}）")

    # --- printing and export -------------------------------------------------------------------------

    def print_selected(self) -> None:
        doc = self.current_document()
        if doc is None:
            return
        try:
            content = self.services.render(self.session.actor, doc.id, "pdf").content
        except BrigadeError as exc:
            self.show_message(exc.message, error=True)
            return
        printer = self.ask_printer(self, f"打印《{doc.title}》")
        if printer is None:
            return
        pages = paint_pdf(printer, [content])
        self._record_output(doc.id, "print", f"{pages} 页")
        self.show_message(f"已送打印：《{doc.title}》{pages} 页")

    def print_step(self) -> None:
        docs = [
            r.document
            for r in self.rows
            if r.needed and r.document is not None and r.document.status == "issued"
        ]
        docs = [d for d in docs if d is not None]
        if not docs:
            return
        printer = self.ask_printer(self, f"打印本环节全部文书（{len(docs)} 份）")
        if printer is None:
            return

        def load(n: int) -> bytes:
            return self.services.render(self.session.actor, docs[n].id, "pdf").content

        try:
            done, cancelled = print_with_progress(self, printer, [d.title for d in docs], load)
        except BrigadeError as exc:
            self.show_message(exc.message, error=True)
            return
        for printed in docs[:done]:
            self._record_output(printed.id, "print", "本环节文书一并打印")
        self.show_message(f"已送打印 {done}/{len(docs)} 份" + ("（已取消其余）" if cancelled else ""))

    def export(self) -> None:
        doc = self.current_document()
        if doc is None:
            return
        path = self.ask_save_path(
            "导出文书", f"{doc.title}{doc.doc_number}", "PDF (*.pdf);;Word 文档 (*.docx)"
        )
        if not path:
            return
        try:
            if path.lower().endswith(".docx"):
                rendered = self.services.render(self.session.actor, doc.id, "docx")
            else:
                rendered = self.services.render(self.session.actor, doc.id, "pdf")
        except BrigadeError as exc:
            self.show_message(exc.message, error=True)
            return
        Path(path).write_bytes(rendered.content)
        self._record_output(doc.id, "export", Path(path).name)
        self.show_message(f"已导出到 {path}")

    def _record_output(self, document_id: str, how: str, detail: str) -> None:
        try:
            self.services.record_output(self.session.actor, document_id, how, detail)
        except BrigadeError as exc:
            self.show_message(f"未能记入执法全过程记录：{exc.message}", error=True)

    # --- service and verification ---------------------------------------------------------------------

    def deliver(self) -> None:
        doc = self.current_document()
        if doc is None or self.case is None:
            return
        try:
            officers = self.services.officer_choices(self.session.actor)
            av = self.services.av_evidence(self.session.actor, self.case.id)
        except BrigadeError as exc:
            self.show_message(exc.message, error=True)
            return
        dialog = DeliveryDialog(
            self.session,
            doc.id,
            f"《{doc.title}》{doc.doc_number}",
            doc.party_name,
            officers,
            doc.officer_ids,
            av,
            beijing_today(self.services.clock()),
            self,
        )
        if self.exec_dialog(dialog) == QDialog.DialogCode.Accepted and dialog.saved is not None:
            saved = dialog.saved
            self.reload(doc.id)
            receipt = "，已生成送达回证" if saved.receipt_id else ""
            self.show_message(f"已登记送达：{saved.mode}，{show_date(saved.effective_on)}生效{receipt}")
            self.case_changed()

    def case_changed(self) -> None:
        """Service moves the case (clocks, state): let the detail pane's owner refresh it."""
        pane = self.parent()
        while pane is not None and not hasattr(pane, "show_case_id"):
            pane = pane.parent()
        if pane is not None and self.case is not None:
            pane.show_case_id(self.case.id)

    def verify(self) -> None:
        self.exec_dialog(VerifyDialog(self.session, self))

    # --- case file --------------------------------------------------------------------------------------

    def case_file(self) -> None:
        if self.case is None:
            return
        path = self.ask_save_path("保存案卷", f"{self.case.case_number or '案卷'}-案卷", "PDF (*.pdf)")
        if not path:
            return
        actor, case_id, service = self.session.actor, self.case.id, self.services
        progress = QProgressDialog("正在组卷……", "取消", 0, 100, self)
        progress.setWindowTitle("组卷")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)

        def work(report: Callable[[int, int], None]) -> CaseFileResult:
            result = service.case_file(actor, case_id, progress=report)
            Path(path).write_bytes(result.content)
            return result

        handle = self.runner.submit("组卷", work)
        self.file_task = handle

        def advance(done: int, total: int) -> None:
            progress.setMaximum(total)
            progress.setValue(done)

        handle.progress.connect(advance)
        progress.canceled.connect(handle.cancel)
        handle.succeeded.connect(lambda result: self._case_file_done(result, path))
        handle.failed.connect(
            lambda exc: self.show_message(getattr(exc, "message", str(exc)) or "组卷失败", error=True)
        )
        handle.cancelled.connect(lambda: self.show_message("已取消组卷"))
        handle.finished.connect(progress.close)
        handle.finished.connect(self._update_buttons)
        self._update_buttons()

    def _case_file_done(self, result: CaseFileResult, path: str) -> None:
        self.last_case_file = result
        text = f"已生成案卷 {path}：{result.documents} 件，共 {result.page_count} 页"
        if result.check.ok:
            self.show_message(text + "；归档前自查未发现问题")
            return
        self.show_message(text + f"；自查发现 {len(result.check.items)} 个问题", error=True)
        self.exec_dialog(
            ListDialog(
                "归档前自查",
                "归档前请补正以下问题（缺少、未签发、未送达、各文书间不一致）：",
                result.check.lines(),
                self,
            )
        )

    # --- default modal helpers ---------------------------------------------------------------------------

    def _ask_save_path(self, title: str, name: str, filters: str) -> str:
        path, _ = QFileDialog.getSaveFileName(self, title, str(Path.home() / name), filters)
        return path

    def _ask_text(self, title: str, label: str) -> str | None:
        text, ok = QInputDialog.getText(self, title, label)
        return text if ok else None
