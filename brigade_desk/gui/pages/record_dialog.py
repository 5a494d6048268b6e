"""添加笔录: an inspection (勘验) or inquiry record as structured data — times to the minute, place,
officers with their certificates, the people present, the narrative or the questions and answers.

Acts that must be fully recorded on audio-video (查封扣押, 强制拆除) ask for the case's audio-video
evidence to link; core refuses the record without it, and the form keeps what was typed.
"""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from brigade_desk.core.errors import BrigadeError, ValidationError
from brigade_desk.core.services.procedure import AV_REQUIRED_RECORDS, RECORD_KINDS, RecordInput
from brigade_desk.gui.action_dialog import split_refusal
from brigade_desk.gui.fields import (
    CheckList,
    OfficerPicker,
    datetime_edit,
    datetime_value,
    from_qdate,
    session_now,
)
from brigade_desk.gui.forms import FormErrors, align_labels, error_label
from brigade_desk.gui.session import DeskSession

RECORD_ROUTES = (("执法证", "执法人员"), ("执法人员", "执法人员"), ("音像", "音像记录"))
PERSON_HEADERS = ("姓名", "身份（当事人、见证人…）", "身份证件号码")


class EditableTable(QWidget):
    """Rows typed in place, with 增加一行 / 删除所选行 (questions and answers, people present)."""

    def __init__(self, headers: tuple[str, ...], rows: int = 1, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, len(headers))
        self.table.setHorizontalHeaderLabels(list(headers))
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setTabKeyNavigation(True)
        self.add_button = QPushButton("增加一行")
        self.add_button.clicked.connect(self.add_row)
        self.remove_button = QPushButton("删除所选行")
        self.remove_button.clicked.connect(self.remove_row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        for _ in range(rows):
            self.add_row()

    def add_row(self, values: tuple[str, ...] = ()) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for column in range(self.table.columnCount()):
            text = values[column] if column < len(values) else ""
            self.table.setItem(row, column, QTableWidgetItem(text))

    def remove_row(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)

    def rows(self) -> list[tuple[str, ...]]:
        """Rows with anything typed, cells stripped."""
        found = []
        for row in range(self.table.rowCount()):
            cells = tuple(
                (self.table.item(row, c).text() if self.table.item(row, c) else "").strip()
                for c in range(self.table.columnCount())
            )
            if any(cells):
                found.append(cells)
        return found

    def set_cell(self, row: int, column: int, text: str) -> None:
        while self.table.rowCount() <= row:
            self.add_row()
        self.table.setItem(row, column, QTableWidgetItem(text))


class RecordDialog(QDialog):
    def __init__(
        self, session: DeskSession, case_id: str, parent: QWidget | None = None, *, kind: str = "inspection"
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.case_id = case_id
        self.record_id: str | None = None
        self.setWindowTitle("添加笔录")
        self.setMinimumWidth(720)
        self.bottom_error = error_label(self)
        self.errors = FormErrors(self.bottom_error)

        now = session_now(session).replace(second=0, microsecond=0)
        self.kind = QComboBox()
        for key, label in RECORD_KINDS.items():
            self.kind.addItem(label, key)
        self.kind.setCurrentIndex(max(0, self.kind.findData(kind)))
        self.started_at = datetime_edit(now - timedelta(hours=1))
        self.ended_at = datetime_edit(now)
        self.place = QLineEdit()
        self.place.setPlaceholderText("如：青溪镇东村路口")
        try:  # the case's handlers are ticked to start with (the lead handler first)
            handling = session.services.procedure.handling(session.actor, case_id)
            handlers = tuple(o.user_id for o in handling.officers)
        except BrigadeError:
            handlers = ()
        self.officers = OfficerPicker(session, from_qdate(self.started_at.date()), checked=handlers)
        self.started_at.dateTimeChanged.connect(lambda v: self.officers.set_day(from_qdate(v.date())))
        self.persons = EditableTable(PERSON_HEADERS, rows=1)
        self.persons.table.setMaximumHeight(self.fontMetrics().height() * 6)
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)
        self.text.setPlaceholderText("检查（勘验）情况：现场状况、发现的问题、采取的措施")
        self.text.setMinimumHeight(self.fontMetrics().height() * 5)
        self.qa = EditableTable(("问", "答"), rows=3)
        self.av = CheckList()
        self.av.fit_rows(3)
        self.recorder = QLineEdit(session.actor.display_name)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.errors.add_row(form, "笔录种类", "笔录种类", self.kind)
        self.errors.add_row(form, "开始时间", "开始时间", self.started_at)
        self.errors.add_row(form, "结束时间", "结束时间", self.ended_at)
        self.errors.add_row(form, "地点", "地点", self.place)
        self.errors.add_row(form, "执法人员", "执法人员", self.officers)
        self.errors.add_row(form, "在场人员", "在场人员", self.persons)
        self.errors.add_row(form, "检查情况", "内容", self.text)
        self.errors.add_row(form, "询问问答", "问答", self.qa)
        self.errors.add_row(form, "音像记录", "音像记录", self.av)
        self.errors.add_row(form, "记录人", "记录人", self.recorder)
        align_labels(form)
        self.form = form

        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("保存笔录", QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.setDefault(False)
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        cancel.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.bottom_error)
        layout.addWidget(buttons)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._load_av()
        self._kind_changed()
        self.resize(760, 760)

    def _load_av(self) -> None:
        try:
            items = self.session.services.evidence.list_for_case(self.session.actor, self.case_id)
        except BrigadeError:
            items = []
        self.av.set_choices((e.id, f"{e.number}. {e.description or e.file_name}") for e in items if e.is_av)

    def _kind_changed(self) -> None:
        kind = self.kind.currentData()
        inquiry = kind == "inquiry"
        self.form.setRowVisible(self.qa, inquiry)
        self.form.setRowVisible(self.text, not inquiry)
        self.form.setRowVisible(self.av, kind in AV_REQUIRED_RECORDS)
        label = self.form.labelForField(self.persons)
        if label is not None:
            label.setText("被询问人" if inquiry else "在场人员")  # type: ignore[attr-defined]
        self.errors.clear()

    def record_input(self) -> RecordInput:
        persons = tuple(
            {k: v for k, v in zip(("name", "role", "id_number"), row, strict=True) if v}
            for row in self.persons.rows()
        )
        inquiry = self.kind.currentData() == "inquiry"
        return RecordInput(
            kind=self.kind.currentData(),
            started_at=datetime_value(self.started_at),
            ended_at=datetime_value(self.ended_at),
            place=self.place.text(),
            officer_ids=self.officers.values(),
            persons=persons,
            text="" if inquiry else self.text.toPlainText(),
            qa=tuple((q, a) for q, a in self.qa.rows()) if inquiry else (),
            av_evidence_ids=self.av.values() if self.kind.currentData() in AV_REQUIRED_RECORDS else (),
            recorder=self.recorder.text().strip(),
        )

    def save(self) -> bool:
        try:
            self.record_id = self.session.services.procedure.add_record(
                self.session.actor, self.case_id, self.record_input()
            )
        except ValidationError as exc:
            self.errors.show(exc.errors)
            return False
        except BrigadeError as exc:
            parts = split_refusal(exc.message, RECORD_ROUTES, {"执法人员", "音像记录"})
            self.errors.show([p for p in parts if p.field])
            rest = [p.message for p in parts if not p.field]
            if rest:
                self.errors.show_message("；".join(rest), keep=True)
            return False
        self.accept()
        return True

    def reject(self) -> None:
        typed = (
            self.place.text().strip()
            or self.text.toPlainText().strip()
            or self.qa.rows()
            or self.persons.rows()
        )
        if self.record_id is None and typed:
            answer = QMessageBox.question(self, self.windowTitle(), "已填写的笔录尚未保存，确定放弃并关闭？")
            if answer != QMessageBox.StandardButton.Yes:
                return
        super().reject()
