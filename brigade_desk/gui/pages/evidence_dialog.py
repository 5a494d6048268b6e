"""The form for filing evidence: the same description for several files at once, or one physical item.

OK asks core to check the input first (`EvidenceService.check`), so a mistake is shown beside its
field while the form is open and nothing typed is lost; the long copy starts only after that.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QDate, QDateTime, QTime
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from brigade_desk.core.errors import BrigadeError
from brigade_desk.core.services.evidence import (
    EVIDENCE_KINDS,
    STEP_LABELS,
    EvidenceInput,
    EvidenceView,
    RecordChoice,
    default_kind,
    detect_media_type,
)
from brigade_desk.core.timeutil import BEIJING, to_beijing, utc_now
from brigade_desk.gui.forms import FormErrors, chain_tab_order, error_label
from brigade_desk.gui.session import DeskSession


def beijing_wall_clock(value: datetime) -> QDateTime:
    """The editor shows Beijing wall-clock time whatever the machine's zone (to the minute)."""
    local = to_beijing(value)
    return QDateTime(QDate(local.year, local.month, local.day), QTime(local.hour, local.minute))


def from_wall_clock(value: QDateTime) -> datetime:
    day, time = value.date(), value.time()
    return datetime(day.year(), day.month(), day.day(), time.hour(), time.minute(), tzinfo=BEIJING)


class EvidenceDialog(QDialog):
    """登记证据 for `files` (several at once), or 登记实物 when `files` is empty."""

    def __init__(
        self,
        session: DeskSession,
        case_id: str,
        files: list[Path],
        *,
        place: str = "",
        records: list[RecordChoice] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.case_id = case_id
        self.files = files
        self.result_input: EvidenceInput | None = None
        self.added_item: EvidenceView | None = None
        self.setWindowTitle("添加证据文件" if files else "登记实物证据")
        self.setMinimumWidth(520)

        if files:
            names = "、".join(p.name for p in files[:5]) + (
                f" 等 {len(files)} 个文件" if len(files) > 5 else ""
            )
            heading = QLabel(f"将复制到证据库并计算哈希值：{names}")
        else:
            heading = QLabel("登记没有电子文件的证据（实物、纸质原件等）")
        heading.setWordWrap(True)

        self.kind = QComboBox()
        for kind in EVIDENCE_KINDS:
            self.kind.addItem(kind.label, kind.code)
        proposed = default_kind(detect_media_type(files[0].name)) if files else "physical"
        self.kind.setCurrentIndex(max(0, self.kind.findData(proposed)))
        self.description = QLineEdit()
        self.description.setPlaceholderText("如：东村路口占道水果摊现场照片")
        self.proves = QPlainTextEdit()
        self.proves.setPlaceholderText("该证据用以证明的事实")
        self.proves.setFixedHeight(self.proves.fontMetrics().height() * 3 + 12)
        self.collected_by = QLineEdit(session.actor.display_name)
        self.collected_at = QDateTimeEdit(beijing_wall_clock(utc_now()))
        self.collected_at.setDisplayFormat("yyyy年M月d日 HH:mm")
        self.collected_at.setCalendarPopup(True)
        self.place = QLineEdit(place)
        self.step = QComboBox()
        self.step.addItem("（不指定）", "")
        for code, label in STEP_LABELS.items():
            self.step.addItem(label, code)
        self.record = QComboBox()
        self.record.addItem("（不关联）", None)
        for choice in records or []:
            self.record.addItem(choice.label, choice.id)

        form = QFormLayout()
        self.bottom = error_label()
        self.errors = FormErrors(self.bottom)
        self.errors.add_row(form, "证据种类：", "证据种类", self.kind)
        self.errors.add_row(form, "证据说明：", "证据说明", self.description)
        self.errors.add_row(form, "证明事项：", "证明事项", self.proves)
        self.errors.add_row(form, "收集（制作）人：", "收集人", self.collected_by)
        self.errors.add_row(form, "收集时间：", "收集时间", self.collected_at)
        self.errors.add_row(form, "收集地点：", "地点", self.place)
        self.errors.add_row(form, "执法环节：", "执法环节", self.step)
        self.errors.add_row(form, "关联笔录：", "关联笔录", self.record)
        if files:
            self.errors.add_row(form, "", "文件", QLabel(""))

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("复制并登记" if files else "登记")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(self.bottom)
        layout.addWidget(self.buttons)
        chain_tab_order(
            [
                self.kind,
                self.description,
                self.proves,
                self.collected_by,
                self.collected_at,
                self.place,
                self.step,
                self.record,
                self.buttons,
            ]
        )
        self.description.setFocus()

    def value(self) -> EvidenceInput:
        return EvidenceInput(
            kind=str(self.kind.currentData()),
            description=self.description.text(),
            proves=self.proves.toPlainText(),
            collected_by=self.collected_by.text(),
            collected_at=from_wall_clock(self.collected_at.dateTime()),
            place=self.place.text(),
            step=str(self.step.currentData() or ""),
            record_id=self.record.currentData(),
        )

    def show_error(self, exc: BrigadeError) -> None:
        self.errors.show_error(exc)

    def submit(self) -> None:
        data = self.value()
        actor, evidence = self.session.actor, self.session.services.evidence
        try:
            if self.files:
                evidence.check(actor, self.case_id, data)
            else:
                self.added_item = evidence.add_item(actor, self.case_id, data)
        except BrigadeError as exc:
            self.show_error(exc)
            return
        self.result_input = data
        self.accept()
