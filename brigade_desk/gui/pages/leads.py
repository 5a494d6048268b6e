"""线索: the 登记线索 dialog and the list of open leads with 立案 / 不予立案 / 移送 / 已答复.

The reporter's name and phone are kept confidential by core (only leaders and the person who
registered the lead see them; others see ***); the form says so where they are typed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from brigade_desk.core.errors import BrigadeError
from brigade_desk.core.rules.permissions import Permission
from brigade_desk.core.rules.procedure import CASE_SOURCES
from brigade_desk.core.services.leads import SOURCE_REF_LABELS, LeadInput, LeadView
from brigade_desk.gui.action_dialog import ActionDialog, Field
from brigade_desk.gui.fields import (
    date_edit,
    date_value,
    datetime_edit,
    datetime_value,
    session_now,
    session_today,
)
from brigade_desk.gui.formatting import show_date, show_datetime
from brigade_desk.gui.forms import FormErrors, chain_tab_order, confirm_discard, error_label
from brigade_desk.gui.session import DeskSession
from brigade_desk.gui.style import DUE_SOON, DUE_TODAY, OVERDUE, colour, set_error_style

# Sources that owe the reporter (or the 12345 ticket) a reply by a date.
REPLY_SOURCES = ("12345热线转办", "投诉举报")


class LeadDialog(QDialog):
    """登记线索: the source decides which reference field is asked (工单编号, 网格名称, 移送部门 …)."""

    def __init__(self, session: DeskSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.created: LeadView | None = None
        self.setWindowTitle("登记线索")
        self.setMinimumWidth(600)

        self.bottom_error = error_label(self)
        self.errors = FormErrors(self.bottom_error)

        self.source = QComboBox()
        for source in CASE_SOURCES:
            self.source.addItem(source, source)
        self.source_ref = QLineEdit()
        self.reply_due = date_edit(optional=True)
        self.received_at = datetime_edit(session_now(session))
        self.place = QLineEdit(placeholderText="如：青溪镇东村路口")
        self.violation_date = date_edit(optional=True)
        self.description = QPlainTextEdit()
        self.description.setPlaceholderText("发现或反映的情况：谁、在哪里、做了什么")
        self.description.setTabChangesFocus(True)
        self.description.setMinimumHeight(self.fontMetrics().height() * 5)
        self.reporter_name = QLineEdit(placeholderText="可不填（匿名）")
        self.reporter_phone = QLineEdit(placeholderText="可不填")
        self.reporter_id = QLineEdit(placeholderText="可不填")

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.errors.add_row(form, "线索来源", "来源", self.source)
        self.errors.add_row(form, "工单编号", "工单编号", self.source_ref, *SOURCE_REF_LABELS.values())
        self.source_ref_label = form.labelForField(self.source_ref)
        self.errors.add_row(form, "答复期限", "答复期限", self.reply_due)
        self.reply_label = form.labelForField(self.reply_due)
        self.errors.add_row(form, "受理时间", "受理时间", self.received_at)
        self.errors.add_row(form, "地点", "地点", self.place)
        self.errors.add_row(form, "违法行为发生日期", "违法行为发生日期", self.violation_date)
        self.errors.add_row(form, "线索内容", "线索内容", self.description)
        self.form = form

        reporter_box = QGroupBox("举报人（保密）")
        reporter_form = QFormLayout(reporter_box)
        note = QLabel("举报人身份仅负责人和登记人可见，其他人员看到的是 ***，执法全过程记录也不写入姓名。")
        note.setWordWrap(True)
        reporter_form.addRow(note)
        self.errors.add_row(reporter_form, "姓名", "举报人姓名", self.reporter_name)
        self.errors.add_row(reporter_form, "电话", "举报人电话", self.reporter_phone)
        self.errors.add_row(reporter_form, "身份证件号", "举报人证件号码", self.reporter_id)

        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("登记", QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        cancel.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(reporter_box)
        layout.addWidget(self.bottom_error)
        layout.addWidget(buttons)

        self.source.currentIndexChanged.connect(self._source_changed)
        self._source_changed()
        chain_tab_order(
            [
                self.source,
                self.source_ref,
                self.reply_due,
                self.received_at,
                self.place,
                self.violation_date,
                self.description,
                self.reporter_name,
                self.reporter_phone,
                self.reporter_id,
                self.save_button,
                cancel,
            ]
        )

    def _source_changed(self) -> None:
        source = self.source.currentData()
        ref_label = SOURCE_REF_LABELS.get(source)
        self.form.setRowVisible(self.source_ref, ref_label is not None)
        if ref_label and self.source_ref_label is not None:
            self.source_ref_label.setText(ref_label)
            self.source_ref.setPlaceholderText(
                {"12345热线转办": "如 GD20251126001", "网格员上报": "如 东村第二网格"}.get(source, "")
            )
        self.form.setRowVisible(self.reply_due, source in REPLY_SOURCES)
        if self.reply_label is not None:
            self.reply_label.setText("答复期限" if source == "12345热线转办" else "答复期限（如有）")
        self.errors.clear()

    def lead_input(self) -> LeadInput:
        source = self.source.currentData()
        return LeadInput(
            source=source,
            description=self.description.toPlainText(),
            received_at=datetime_value(self.received_at),
            place=self.place.text(),
            source_ref=self.source_ref.text() if source in SOURCE_REF_LABELS else "",
            reply_due=date_value(self.reply_due) if source in REPLY_SOURCES else None,
            violation_date=date_value(self.violation_date),
            reporter_name=self.reporter_name.text(),
            reporter_phone=self.reporter_phone.text(),
            reporter_id_number=self.reporter_id.text(),
        )

    def save(self) -> None:
        try:
            self.created = self.session.services.leads.register(self.session.actor, self.lead_input())
        except BrigadeError as exc:
            self.errors.show_error(exc)
            return
        self.accept()

    def reject(self) -> None:
        typed = [self.place, self.source_ref, self.reporter_name, self.reporter_phone, self.reporter_id]
        probe = QLineEdit(self.description.toPlainText())  # the narrative counts as typed text too
        if self.created is None and not confirm_discard(self, [*typed, probe]):
            return
        super().reject()


class LeadsPanel(QWidget):
    """Open leads, newest first, with what can be done with each."""

    file_requested = Signal(object)  # LeadView: open the filing form prefilled
    on_the_spot_requested = Signal(object)  # LeadView: decide on the spot (简易程序), closing it
    changed = Signal()

    HEADERS = ("受理时间", "来源", "编号/网格/部门", "地点", "线索内容", "举报人", "答复期限")

    def __init__(self, session: DeskSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.leads: list[LeadView] = []

        self.register_button = QPushButton("登记线索…")
        self.register_button.clicked.connect(self.register)
        self.file_button = QPushButton("立案…")
        self.file_button.setToolTip("按立案审批表填写，提请负责人审批")
        self.file_button.clicked.connect(self.file_selected)
        self.spot_button = QPushButton("当场处罚…")
        self.spot_button.setToolTip("到场查实、符合简易程序的，当场作出罚款或者警告决定，线索随之办结")
        self.spot_button.clicked.connect(self.on_the_spot_selected)
        self.not_file_button = QPushButton("不予立案…")
        self.not_file_button.clicked.connect(self.not_file_selected)
        self.transfer_button = QPushButton("移送…")
        self.transfer_button.clicked.connect(self.transfer_selected)
        self.reply_button = QPushButton("已答复…")
        self.reply_button.setToolTip("登记已答复举报人或 12345 工单")
        self.reply_button.clicked.connect(self.reply_selected)
        self.why = QLabel()
        self.why.setWordWrap(True)

        buttons = QHBoxLayout()
        for button in (
            self.register_button,
            self.file_button,
            self.spot_button,
            self.not_file_button,
            self.transfer_button,
            self.reply_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()

        self.table = QTableWidget(0, len(self.HEADERS))
        self.table.setHorizontalHeaderLabels(list(self.HEADERS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _index: self.file_selected())

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.why)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)

    # --- loading ---------------------------------------------------------------------------------

    def refresh(self) -> None:
        self.message.hide()
        try:
            self.leads = self.session.services.leads.list(self.session.actor, "open")
        except BrigadeError as exc:
            self.leads = []
            self._say(exc.message, error=True)
        today = session_today(self.session)
        self.table.setRowCount(len(self.leads))
        for row, lead in enumerate(self.leads):
            reporter = "、".join(p for p in (lead.reporter_name, lead.reporter_phone) if p) or "—"
            cells = (
                show_datetime(lead.received_at),
                lead.source,
                lead.source_ref,
                lead.place,
                f"（已提请立案）{lead.description}" if lead.case_id else lead.description,
                reporter,
                show_date(lead.reply_due) if lead.reply_due and not lead.replied_on else "",
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 4:
                    item.setToolTip(text)
                if column == 0:
                    item.setData(Qt.ItemDataRole.UserRole, lead.id)
                self.table.setItem(row, column, item)
            if lead.reply_due and not lead.replied_on:
                shade = (
                    OVERDUE
                    if lead.reply_due < today
                    else DUE_TODAY
                    if lead.reply_due == today
                    else DUE_SOON
                    if (lead.reply_due - today).days <= 3
                    else None
                )
                if shade:
                    self.table.item(row, 6).setForeground(colour(shade))
        self._update_buttons()

    def count(self) -> int:
        """Leads still waiting for someone to decide (a filing proposal already made is not)."""
        return sum(1 for lead in self.leads if not lead.case_id)

    def selected(self) -> LeadView | None:
        row = self.table.currentRow()
        return self.leads[row] if 0 <= row < len(self.leads) else None

    def select_lead(self, lead_id: str) -> None:
        for row, lead in enumerate(self.leads):
            if lead.id == lead_id:
                self.table.selectRow(row)
                return

    def _update_buttons(self) -> None:
        lead = self.selected()
        can_edit = self.session.can(Permission.CASE_EDIT)
        can_approve = self.session.can(Permission.CASE_APPROVE)
        self.register_button.setEnabled(can_edit)
        pending = lead is not None and lead.case_id is not None
        for button in (self.file_button, self.spot_button, self.transfer_button):
            button.setEnabled(lead is not None and can_edit and not pending)
        self.reply_button.setEnabled(lead is not None and can_edit)
        self.not_file_button.setEnabled(lead is not None and can_approve and not pending)
        reasons = []
        if not can_edit:
            reasons.append("当前登录人员无办理案件权限，只能查看线索")
        elif lead is None and self.leads:
            reasons.append("先在下方选择一条线索")
        elif pending:
            reasons.append("该线索已提请立案，待负责人审批（在“审核”页）")
        if can_edit and not can_approve:
            reasons.append("不予立案须由负责人决定")
        self.why.setText("；".join(reasons))
        self.why.setVisible(bool(reasons))

    # --- actions -----------------------------------------------------------------------------------

    def register(self) -> LeadDialog:
        dialog = LeadDialog(self.session, self)
        dialog.finished.connect(lambda _r: self._after_register(dialog))
        dialog.open()
        return dialog

    def _after_register(self, dialog: LeadDialog) -> None:
        if dialog.created is not None:
            self.refresh()
            self.select_lead(dialog.created.id)
            self._say(f"已登记线索（{dialog.created.source}）")
            self.changed.emit()

    def file_selected(self) -> None:
        lead = self.selected()
        if lead is not None and lead.case_id is None and self.session.can(Permission.CASE_EDIT):
            self.file_requested.emit(lead)

    def on_the_spot_selected(self) -> None:
        lead = self.selected()
        if lead is not None and lead.case_id is None and self.session.can(Permission.CASE_EDIT):
            self.on_the_spot_requested.emit(lead)

    def not_file_selected(self) -> ActionDialog | None:
        lead = self.selected()
        if lead is None:
            return None
        services, actor = self.session.services, self.session.actor
        dialog = ActionDialog(
            self.session,
            "不予立案",
            [Field("不予立案理由", "不予立案理由", "long", placeholder="如：经核查，反映的情况不属实")],
            lambda v: services.leads.decide_not_to_file(actor, lead.id, v["不予立案理由"], lead.version),
            intro=f"线索：{lead.description}",
            save_text="决定不予立案",
            parent=self,
        )
        return self._open(dialog, "已决定不予立案")

    def transfer_selected(self) -> ActionDialog | None:
        lead = self.selected()
        if lead is None:
            return None
        services, actor = self.session.services, self.session.actor
        dialog = ActionDialog(
            self.session,
            "移送",
            [
                Field("移送单位", "移送单位", "text", placeholder="如：县自然资源和规划局"),
                Field("移送理由", "移送理由", "long", placeholder="如：不属于本乡镇承接的赋权事项"),
            ],
            lambda v: services.leads.transfer(actor, lead.id, v["移送单位"], v["移送理由"], lead.version),
            intro=f"线索：{lead.description}",
            save_text="移送",
            parent=self,
        )
        return self._open(dialog, "线索已移送")

    def reply_selected(self) -> ActionDialog | None:
        lead = self.selected()
        if lead is None:
            return None
        services, actor = self.session.services, self.session.actor
        dialog = ActionDialog(
            self.session,
            "已答复举报人",
            [Field("答复日期", "答复日期", "date")],
            lambda v: services.leads.record_reply(actor, lead.id, v["答复日期"]),
            save_text="登记答复",
            parent=self,
        )
        return self._open(dialog, "已登记答复")

    def _open(self, dialog: ActionDialog, done: str) -> ActionDialog:
        def finished(_result: int) -> None:
            if dialog.saved:
                self.refresh()
                self._say(done)
                self.changed.emit()

        dialog.finished.connect(finished)
        dialog.open()
        return dialog

    def _say(self, text: str, *, error: bool = False) -> None:
        if error:
            set_error_style(self.message)
        else:
            self.message.setStyleSheet("")
        self.message.setText(text)
        self.message.setVisible(bool(text))
