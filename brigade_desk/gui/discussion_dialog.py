"""集体讨论记录: date, place, chair, recorder, attendees, the case report, each participating leader's
opinion and reasons, and the conclusion (APL Art 57 para 2; DOMAIN.md 1.5 step 12).

Core refuses a record with fewer than two organ leaders or a missing item; the refusal is shown
under the field it concerns and everything typed stays. Leaders confirm the saved record afterwards
(签名确认 or a recorded paper signature) from the case's 审核 tab.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from brigade_desk.core.errors import BrigadeError, FieldError, ValidationError
from brigade_desk.core.services.reviews import DiscussionInput
from brigade_desk.core.services.users import UserView
from brigade_desk.core.timeutil import beijing_today
from brigade_desk.gui.forms import FormErrors, chain_tab_order, error_label
from brigade_desk.gui.session import DeskSession

LEADERS_FIELD = "参加人员意见"


def _long(placeholder: str, lines: int = 3) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setPlaceholderText(placeholder)
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(edit.fontMetrics().lineSpacing() * lines + 14)  # a form, not a text editor
    return edit


class LeaderRow:
    def __init__(self, user: UserView) -> None:
        self.user = user
        self.present = QCheckBox(user.display_name + (f"（{user.post}）" if user.post else ""))
        self.present.setObjectName(f"present_{user.login}")
        self.opinion = QLineEdit()
        self.opinion.setObjectName(f"opinion_{user.login}")
        self.opinion.setPlaceholderText("意见，如：同意罚款15,000元")
        self.reasons = QLineEdit()
        self.reasons.setObjectName(f"reasons_{user.login}")
        self.reasons.setPlaceholderText("理由")
        self.opinion.textEdited.connect(lambda text: self.present.setChecked(True) if text else None)


class DiscussionDialog(QDialog):
    def __init__(self, session: DeskSession, case_id: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.case_id = case_id
        self.discussion_id: str | None = None
        self.setWindowTitle(f"集体讨论记录 — {title}")
        self.setMinimumWidth(640)
        self.resize(760, 620)

        today = beijing_today(session.services.reviews.clock())
        self.held_on = QDateEdit(QDate(today.year, today.month, today.day))
        self.held_on.setDisplayFormat("yyyy年M月d日")
        self.held_on.setCalendarPopup(True)
        self.place = QLineEdit()
        self.place.setPlaceholderText("如：镇政府二楼会议室")
        self.chair = QComboBox()
        self.chair.setEditable(True)
        self.recorder = QLineEdit()
        self.attendees = _long("列席人员，每行一人：姓名 职务（如：张三 执法队员）", 2)
        self.report = _long("承办人员汇报的案件事实、证据、法制审核意见和拟处理意见", 4)
        self.conclusion = _long("讨论结论，如：给予罚款15,000元的行政处罚", 2)

        try:
            users = session.services.users.list_users(session.actor, include_inactive=False)
        except BrigadeError:
            users = []
        self.leaders = [LeaderRow(u) for u in users if u.is_leader]
        for row in self.leaders:
            self.chair.addItem(row.user.display_name)
        self.chair.setCurrentIndex(-1)
        if session.actor.user_id in {r.user.id for r in self.leaders}:
            self.chair.setCurrentText(session.actor.display_name)

        leaders_box = QWidget()
        grid = QGridLayout(leaders_box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(QLabel("参加"), 0, 0)
        grid.addWidget(QLabel("意见"), 0, 1)
        grid.addWidget(QLabel("理由"), 0, 2)
        for n, row in enumerate(self.leaders, start=1):
            grid.addWidget(row.present, n, 0)
            grid.addWidget(row.opinion, n, 1)
            grid.addWidget(row.reasons, n, 2)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        if not self.leaders:
            grid.addWidget(QLabel("尚未登记负责人账户：请管理员在“设置”中添加负责人"), 1, 0, 1, 3)

        self.bottom_error = error_label(self)
        self.errors = FormErrors(self.bottom_error)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.errors.add_row(form, "讨论日期", "讨论日期", self.held_on)
        self.errors.add_row(form, "讨论地点", "讨论地点", self.place)
        self.errors.add_row(form, "主持人", "主持人", self.chair)
        self.errors.add_row(form, "记录人", "记录人", self.recorder)
        self.errors.add_row(form, "列席人员", "列席人员", self.attendees)
        self.errors.add_row(form, "案情汇报", "案情汇报", self.report)
        self.errors.add_row(form, "负责人意见", LEADERS_FIELD, leaders_box, "参加讨论的负责人")
        self.errors.add_row(form, "讨论结论", "讨论结论", self.conclusion)

        body = QWidget()
        body_layout = QVBoxLayout(body)
        intro = QLabel(
            "行政机关负责人（乡镇长、副乡镇长）两人以上参加，每人发表意见并说明理由。"
            "保存后由参加的负责人逐一签名确认，或登记纸质签名。"
        )
        intro.setWordWrap(True)
        body_layout.addWidget(intro)
        body_layout.addLayout(form)
        body_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)

        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.clicked.connect(self.save)
        cancel.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.bottom_error)
        layout.addWidget(buttons)
        order: list[QWidget] = [
            self.held_on,
            self.place,
            self.chair,
            self.recorder,
            self.attendees,
            self.report,
        ]
        for row in self.leaders:
            order += [row.present, row.opinion, row.reasons]
        chain_tab_order([*order, self.conclusion, self.save_button, cancel])

    def held_date(self) -> date:
        d = self.held_on.date()
        return date(d.year(), d.month(), d.day())

    def attendee_pairs(self) -> tuple[tuple[str, str], ...]:
        pairs = []
        for line in self.attendees.toPlainText().splitlines():
            parts = line.replace("，", " ").replace(",", " ").split()
            if parts:
                pairs.append((parts[0], " ".join(parts[1:])))
        return tuple(pairs)

    def data(self) -> DiscussionInput:
        return DiscussionInput(
            held_on=self.held_date(),
            place=self.place.text(),
            recorder=self.recorder.text(),
            report=self.report.toPlainText(),
            conclusion=self.conclusion.toPlainText(),
            opinions=tuple(
                (r.user.id, r.opinion.text().strip(), r.reasons.text().strip())
                for r in self.leaders
                if r.present.isChecked()
            ),
            attendees=self.attendee_pairs(),
            chair=self.chair.currentText(),
        )

    def save(self) -> bool:
        try:
            self.discussion_id = self.session.services.reviews.record_discussion(
                self.session.actor, self.case_id, self.data()
            )
        except ValidationError as exc:
            self.errors.show(exc.errors)
            return False
        except BrigadeError as exc:
            if "负责人" in exc.message:
                self.errors.show([FieldError(LEADERS_FIELD, exc.message)])
            else:
                self.errors.show_message(exc.message)
            return False
        self.accept()
        return True

    def error_text(self) -> str:
        names = ("讨论地点", "记录人", "案情汇报", LEADERS_FIELD, "讨论结论")
        parts = [self.errors.message(n) for n in names]
        parts.append(self.bottom_error.text() if not self.bottom_error.isHidden() else "")
        return "；".join(p for p in parts if p)

    def reject(self) -> None:
        typed = any(
            (
                self.place.text().strip(),
                self.recorder.text().strip(),
                self.report.toPlainText().strip(),
                self.conclusion.toPlainText().strip(),
                any(r.opinion.text().strip() for r in self.leaders),
            )
        )
        if self.discussion_id is None and typed:
            answer = QMessageBox.question(self, self.windowTitle(), "已填写的内容尚未保存，确定放弃并关闭？")
            if answer != QMessageBox.StandardButton.Yes:
                return
        super().reject()


class NoteDialog(QDialog):
    """One line asked for (where a paper signature is kept); `submit(text)` calls core."""

    def __init__(
        self,
        title: str,
        intro: str,
        label: str,
        placeholder: str,
        submit: object,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        self.submit_call = submit
        text = QLabel(intro)
        text.setWordWrap(True)
        self.note = QLineEdit()
        self.note.setPlaceholderText(placeholder)
        self.bottom_error = error_label(self)
        self.errors = FormErrors(self.bottom_error)
        form = QFormLayout()
        self.errors.add_row(form, label, label, self.note, "说明", "负责人")
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.ok_button.clicked.connect(self.save)
        cancel.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addLayout(form)
        layout.addWidget(self.bottom_error)
        layout.addWidget(buttons)

    def save(self) -> bool:
        try:
            self.submit_call(self.note.text())  # type: ignore[operator]
        except BrigadeError as exc:
            self.errors.show_error(exc)
            return False
        self.accept()
        return True
