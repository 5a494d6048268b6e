"""法制审核 on the 审核 page: the legal reviewer's queue and, for the item opened, the review package
and the review form signed with the reviewer's password (docs/legal-review.md).

The queue lists review rounds with their time limit (overdue first, in red), round, case, who
submitted it and why the case is major. Opening one shows the package exactly as submitted and the
checklist; 签名 asks for the reviewer's password (and the legal-review body head's login and password
when the setting asks for it) and core signs the package hash with the opinion. A refusal is shown
next to the button and under the items it concerns; the answers stay as typed. A leader may extend
the time limit once by three working days.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from brigade_desk.core.errors import BrigadeError, ValidationError
from brigade_desk.core.rules.permissions import Permission
from brigade_desk.core.services.reviews import PENDING, ReviewRow, RoundView
from brigade_desk.gui.formatting import show_date, show_datetime, show_fen
from brigade_desk.gui.forms import FormErrors, error_label
from brigade_desk.gui.review_form import ReviewForm, package_html
from brigade_desk.gui.session import DeskSession
from brigade_desk.gui.signature import SignatureDialog, SignatureInput
from brigade_desk.gui.style import OVERDUE, colour, set_error_style

HEADERS = ("审核期限", "轮次", "案号", "案由", "提交人", "重大执法决定原因", "状态")
STATUS_COLUMN = HEADERS.index("状态")
ID_ROLE = Qt.ItemDataRole.UserRole
NOT_REVIEWER = "须由具有法制审核资格的法制审核人员签署审核意见"
RECORD_TITLES = {
    "inspection": "现场检查（勘验）笔录",
    "inquiry": "询问笔录",
    "statement": "陈述申辩笔录",
    "preservation": "先行登记保存笔录",
    "seizure": "查封（扣押）现场笔录",
    "hearing": "听证笔录",
}


def due_text(row: ReviewRow | RoundView) -> str:
    text = show_date(row.due_on)
    if row.overdue:
        text += "（已逾期）"
    return text


class ExtendDialog(QDialog):
    """延长审核期限: the leader's approval opinion; core adds three working days, once."""

    def __init__(self, session: DeskSession, row: ReviewRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.row = row
        self.new_due = None
        self.setWindowTitle("延长法制审核期限")
        self.setMinimumWidth(420)
        intro = QLabel(
            f"{row.case_number or '（未立案）'}　第{row.round}轮审核，期限{show_date(row.due_on)}。"
            "经负责人批准可延长三个工作日，只能延长一次。"
        )
        intro.setWordWrap(True)
        self.opinion = QPlainTextEdit("同意延长审核期限三个工作日。")
        self.opinion.setTabChangesFocus(True)
        self.opinion.setMaximumHeight(self.opinion.fontMetrics().height() * 4 + 12)
        self.bottom_error = error_label(self)
        self.errors = FormErrors(self.bottom_error)
        form = QFormLayout()
        self.errors.add_row(form, "审批意见", "审批意见", self.opinion)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton("批准延期", QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.ok_button.clicked.connect(self.approve)
        cancel.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.bottom_error)
        layout.addWidget(buttons)

    def approve(self) -> bool:
        try:
            self.new_due = self.session.services.reviews.extend(  # type: ignore[assignment]
                self.session.actor, self.row.review_id, self.opinion.toPlainText()
            )
        except BrigadeError as exc:
            self.errors.show_error(exc)
            return False
        self.accept()
        return True


class ReviewDesk(QWidget):
    """The queue on the left; the package and the review form of the opened item on the right."""

    open_case = Signal(str)
    signed = Signal(str)  # case id, after a review opinion was signed
    changed = Signal(str)  # case id, after a signature or an extension: other views refresh

    def __init__(
        self, session: DeskSession, parent: QWidget | None = None, *, case_id: str | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.only_case = case_id  # the desk opened from one case shows that case's rounds only
        self.rows: list[ReviewRow] = []
        self.current: ReviewRow | None = None
        self.current_round: RoundView | None = None
        self.sign_dialog: SignatureDialog | None = None
        self.extend_dialog: ExtendDialog | None = None

        # --- the queue ------------------------------------------------------------------------------
        self.pending_only = QCheckBox("只显示待审核")
        self.pending_only.setChecked(True)
        self.pending_only.toggled.connect(lambda _on: self.refresh())
        self.count_label = QLabel()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(3, self.fontMetrics().horizontalAdvance("擅自占道经营案") + 16)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(self.fontMetrics().horizontalAdvance("轮次") + 16)
        self.table.itemSelectionChanged.connect(self._on_selection)
        self.table.doubleClicked.connect(lambda _index: self.open_selected_case())

        queue = QWidget()
        queue_layout = QVBoxLayout(queue)
        queue_layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.count_label)
        top.addStretch(1)
        top.addWidget(self.pending_only)
        queue_layout.addLayout(top)
        queue_layout.addWidget(self.message)
        queue_layout.addWidget(self.table, 1)

        # --- the item opened ------------------------------------------------------------------------
        self.heading = QLabel("在左侧选择一项审核")
        font = self.heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.heading.setFont(font)
        self.heading.setWordWrap(True)
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.due_label = QLabel()
        self.due_label.setWordWrap(True)
        self.open_case_button = QPushButton("打开案件")
        self.open_case_button.clicked.connect(self.open_selected_case)
        self.extend_button = QPushButton("延长期限（+3个工作日）…")
        self.extend_button.clicked.connect(self.extend_selected)
        self.extend_note = QLabel()
        self.extend_note.setWordWrap(True)
        head_row = QHBoxLayout()
        head_row.addWidget(self.due_label, 1)
        head_row.addWidget(self.extend_button)
        head_row.addWidget(self.open_case_button)

        self.package = QTextBrowser()
        self.package.setOpenLinks(False)
        self.package.setMinimumHeight(160)

        self.form = ReviewForm()
        self.form.edited.connect(self._on_edited)
        self.signed_label = QLabel()
        self.signed_label.setWordWrap(True)
        self.signed_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.signed_label.hide()
        self.sign_button = QPushButton("签名…")
        self.sign_button.setToolTip("输入本人密码，以本人签名密钥对审核材料摘要和审核意见签名")
        self.sign_button.clicked.connect(self.sign)
        self.refusal = QLabel()
        set_error_style(self.refusal)
        self.refusal.hide()
        sign_row = QHBoxLayout()
        self.sign_button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        sign_row.addWidget(self.sign_button, 0, Qt.AlignmentFlag.AlignTop)
        sign_row.addWidget(self.refusal, 1)
        sign_row.addStretch(0)

        form_body = QWidget()
        form_layout = QVBoxLayout(form_body)
        form_layout.setContentsMargins(0, 0, 4, 0)
        form_layout.addWidget(self.form)
        form_layout.addWidget(self.signed_label)
        form_layout.addStretch(1)
        self.form_scroll = QScrollArea()
        self.form_scroll.setWidgetResizable(True)
        self.form_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.form_scroll.setWidget(form_body)

        self.item_split = QSplitter(Qt.Orientation.Vertical)
        self.item_split.addWidget(self.package)
        self.item_split.addWidget(self.form_scroll)
        self.item_split.setStretchFactor(0, 1)
        self.item_split.setStretchFactor(1, 1)
        self.item_split.setChildrenCollapsible(False)

        item = QWidget()
        item_layout = QVBoxLayout(item)
        item_layout.setContentsMargins(0, 0, 0, 0)
        item_layout.addWidget(self.heading)
        item_layout.addLayout(head_row)
        item_layout.addWidget(self.extend_note)
        item_layout.addWidget(self.item_split, 1)
        item_layout.addLayout(sign_row)  # always in sight, with the refusal beside it
        self.item = item

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(queue)
        self.splitter.addWidget(item)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([660, 720])
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self._show_item(None)

    # --- loading ---------------------------------------------------------------------------------

    def refresh(self) -> None:
        selected = self.current.review_id if self.current else None
        self.message.hide()
        try:
            self.rows = self.session.services.reviews.queue(
                self.session.actor, pending_only=self.pending_only.isChecked()
            )
            if self.only_case is not None:
                self.rows = [r for r in self.rows if r.case_id == self.only_case]
        except BrigadeError as exc:
            self.rows = []
            set_error_style(self.message)
            self.message.setText(exc.message)
            self.message.show()
        overdue = sum(1 for r in self.rows if r.overdue)
        count = f"共 {len(self.rows)} 项" + (f"，其中逾期 {overdue} 项" if overdue else "")
        self.count_label.setText(count)
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.rows))
        red = QBrush(colour(OVERDUE))
        for r, row in enumerate(self.rows):
            cells = (
                due_text(row),
                f"第{row.round}轮",
                row.case_number or "（未立案）",
                row.summary,
                row.submitted_by,
                "；".join(row.major_reasons),
                row.status_label,
            )
            for c, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setData(ID_ROLE, row.review_id)
                cell.setToolTip(text)
                if row.overdue:
                    cell.setForeground(red)
                self.table.setItem(r, c, cell)
        self.table.blockSignals(False)
        self.table.setColumnHidden(STATUS_COLUMN, self.pending_only.isChecked())  # all 待审核 then
        row_index = next((i for i, r in enumerate(self.rows) if r.review_id == selected), None)
        if row_index is not None:
            self.table.selectRow(row_index)
            self._show_item(self.rows[row_index], keep_form=True)
        else:
            self.table.clearSelection()
            self._show_item(None)

    def select_review(self, review_id: str) -> bool:
        for index, row in enumerate(self.rows):
            if row.review_id == review_id:
                self.table.selectRow(index)
                return True
        return False

    def _on_selection(self) -> None:
        index = self.table.currentRow()
        row = self.rows[index] if 0 <= index < len(self.rows) and self.table.selectedItems() else None
        if row is not None and self.current is not None and row.review_id == self.current.review_id:
            return
        self._show_item(row)

    def _show_item(self, row: ReviewRow | None, *, keep_form: bool = False) -> None:
        self.current = row
        self.current_round = None
        self.refusal.hide()
        self.extend_note.hide()
        if row is None:
            self.heading.setText("在左侧选择一项审核")
            self.due_label.clear()
            self.package.clear()
            self.form.clear()
            self.signed_label.hide()
            self.item_split.setEnabled(False)
            for button in (self.sign_button, self.extend_button, self.open_case_button):
                button.setEnabled(False)
            self.extend_button.setVisible(self.session.can(Permission.CASE_APPROVE))
            return
        self.item_split.setEnabled(True)
        self.open_case_button.setEnabled(True)
        self.heading.setText(f"{row.case_number or '（未立案）'}　{row.summary}　第{row.round}轮法制审核")
        services, actor = self.session.services, self.session.actor
        try:
            rounds = services.reviews.rounds(actor, row.case_id)
            package = services.reviews.package(actor, row.review_id)
        except BrigadeError as exc:
            self._refuse(exc.message)
            return
        found = next((r for r in rounds if r.review_id == row.review_id), None)
        self.current_round = found
        due = f"审核期限：{due_text(row)}"
        if found is not None and found.extended:
            due += "（已延长）"
        due += f"　提交人：{row.submitted_by}，{show_datetime(row.submitted_at)}"
        self.due_label.setText(due)
        self.due_label.setStyleSheet(f"color: {OVERDUE};" if row.overdue else "")
        self.package.setHtml(
            package_html(
                package,
                found.package_hash if found else "",
                discretion_text=self._discretion_text(row.case_id),
                form_titles=self._form_titles(),
                record_titles=RECORD_TITLES,
            )
        )
        pending = row.status == PENDING
        if pending:
            if not keep_form:
                self.form.clear()
            self.form.set_read_only(False)
            self.signed_label.hide()
        elif found is not None:
            self.form.show_signed(found.checklist, found.opinion, found.opinion_text)
            self.form.set_read_only(True)
            self.signed_label.setText(self._signed_text(found))
            self.signed_label.show()
        self._update_buttons()

    def _signed_text(self, found: RoundView) -> str:
        lines = [
            f"{found.status_label}：{found.reviewer}于{show_datetime(found.signed_at)}签名，"
            f"公钥指纹 {found.fingerprint}"
        ]
        if found.head_name:
            lines.append(f"法制机构负责人{found.head_name}签名，公钥指纹 {found.head_fingerprint}")
        return "\n".join(lines)

    def _discretion_text(self, case_id: str) -> str:
        try:
            state = self.session.services.discretion.for_case(self.session.actor, case_id)
        except BrigadeError:
            return ""
        saved = state.saved
        if saved is None:
            return ""
        result = saved.result
        parts = [f"{result.benchmark_title}（第{result.benchmark_version}版）", f"事项：{result.violation}"]
        if result.tier_label:
            parts.append(f"阶次：{result.tier_label}")
        if saved.amount_fen is not None:
            parts.append(f"拟罚款：{show_fen(saved.amount_fen)}")
        if saved.proposal_reason:
            parts.append(f"理由：{saved.proposal_reason}")
        parts.append(result.rule_text)
        return "；".join(p for p in parts if p)

    def _form_titles(self) -> dict[str, str]:
        try:
            return {f[0]: f[2] for f in self.session.services.documents.forms(self.session.actor)}
        except BrigadeError:
            return {}

    def _update_buttons(self) -> None:
        row = self.current
        pending = row is not None and row.status == PENDING
        reviewer = self.session.can(Permission.LEGAL_REVIEW)
        self.sign_button.setEnabled(pending and reviewer)
        self.sign_button.setVisible(pending)
        self.form.set_read_only(not (pending and reviewer))
        if pending and not reviewer:
            self.refusal.setText(NOT_REVIEWER)
            self.refusal.show()
        leader = self.session.can(Permission.CASE_APPROVE)
        extended = self.current_round is not None and self.current_round.extended
        self.extend_button.setVisible(leader)
        self.extend_button.setEnabled(leader and pending and not extended)
        if leader and pending and extended:
            self.extend_button.setToolTip("审核期限已延长过一次")

    def _on_edited(self) -> None:
        if self.refusal.isVisible() and self.session.can(Permission.LEGAL_REVIEW):
            self.refusal.hide()

    def _refuse(self, text: str) -> None:
        self.refusal.setText(text)
        self.refusal.show()

    # --- actions ---------------------------------------------------------------------------------

    def head_signature_required(self) -> bool:
        try:
            return bool(
                self.session.services.settings.get(self.session.actor, "review_requires_head_signature")
            )
        except BrigadeError:
            return False

    def sign(self) -> SignatureDialog | None:
        row = self.current
        if row is None:
            return None
        self.refusal.hide()
        self.form.clear_errors()
        form = self.form
        services, actor = self.session.services, self.session.actor
        head = self.head_signature_required()
        answers, opinion, text = form.answers(), form.opinion(), form.opinion_text()

        def submit(values: SignatureInput) -> str:
            return services.reviews.sign(
                actor,
                row.review_id,
                answers,
                opinion,
                text,
                values.password,
                head_login=(values.head_login or None) if head else None,
                head_password=(values.head_password or None) if head else None,
            )

        what = (
            f"对{row.case_number or '（未立案）'}第{row.round}轮法制审核签署意见：{opinion or '（未选择结论）'}。"
            "签名对象为提交审核时的全部材料摘要、逐项审核意见和审核结论。"
        )
        dialog = SignatureDialog(
            self.session, "签名确认 — 法制审核意见", what, submit, head=head, parent=self
        )
        self.sign_dialog = dialog
        dialog.finished.connect(lambda result: self._after_sign(dialog, result, row))
        dialog.open()
        return dialog

    def _after_sign(self, dialog: SignatureDialog, result: int, row: ReviewRow) -> None:
        if result == QDialog.DialogCode.Accepted:
            status = str(dialog.result_value)
            self.refresh()
            self.message.setStyleSheet("")
            labels = {"passed": "审核通过", "returned": "已退回修改", "refused": "不同意"}
            self.message.setText(
                f"已签署{row.case_number or ''}第{row.round}轮审核意见：{labels.get(status, status)}"
            )
            self.message.show()
            self.signed.emit(row.case_id)
            self.changed.emit(row.case_id)
        elif result == SignatureDialog.REFUSED and dialog.refusal is not None:
            self.show_refusal(dialog.refusal)

    def show_refusal(self, exc: BrigadeError) -> None:
        """Core's refusal next to 签名 and under the items; the answers stay as they are."""
        if isinstance(exc, ValidationError):
            rest = self.form.show_errors(exc.errors)
            text = "未签名：请按提示补正（" + "；".join(str(e) for e in exc.errors) + "）"
            if rest:
                text = "未签名：" + "；".join(rest)
            self._refuse(text)
        else:
            self._refuse(f"未签名：{exc.message}")

    def refusal_text(self) -> str:
        return self.refusal.text() if not self.refusal.isHidden() else ""

    def extend_selected(self) -> ExtendDialog | None:
        row = self.current
        if row is None:
            return None
        dialog = ExtendDialog(self.session, row, self)
        self.extend_dialog = dialog

        def finished(result: int) -> None:
            if result == QDialog.DialogCode.Accepted and dialog.new_due is not None:
                self.refresh()
                self.extend_note.setStyleSheet("")
                self.extend_note.setText(f"已批准延期，审核期限延至{show_date(dialog.new_due)}")
                self.extend_note.show()
                self.changed.emit(row.case_id)

        dialog.finished.connect(finished)
        dialog.open()
        return dialog

    def open_selected_case(self) -> None:
        if self.current is not None:
            self.open_case.emit(self.current.case_id)


class ReviewDialog(QDialog):
    """The desk for one case, opened from the case (出具审核意见); accepted once the opinion is signed."""

    def __init__(self, session: DeskSession, case_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("法制审核意见")
        self.resize(1200, 760)
        self.desk = ReviewDesk(session, case_id=case_id)
        self.desk.open_case_button.hide()
        self.desk.signed.connect(lambda _case_id: self.accept())
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.desk, 1)
        layout.addWidget(close)
        self.desk.refresh()
        if self.desk.rows:
            self.desk.table.selectRow(0)

    def refusal_text(self) -> str:
        return self.desk.refusal_text()
