"""Dialogs of the 设置 page: add a user, reset a user's password."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from brigade_desk.core.errors import BrigadeError, FieldError
from brigade_desk.core.rules.permissions import ROLE_LABELS, Role
from brigade_desk.core.services.users import NewUser, UserView
from brigade_desk.gui.forms import FormErrors, chain_tab_order, confirm_discard, error_label
from brigade_desk.gui.session import DeskSession

NO_DATE = QDate(1900, 1, 1)


def optional_date_edit() -> QDateEdit:
    """A date field that may stay empty (shown as 未填写)."""
    edit = QDateEdit()
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setCalendarPopup(True)
    edit.setMinimumDate(NO_DATE)
    edit.setSpecialValueText("未填写")
    edit.setDate(NO_DATE)
    return edit


def date_of(edit: QDateEdit) -> date | None:
    value = edit.date()
    return None if value == NO_DATE else date(value.year(), value.month(), value.day())


def password_edit(placeholder: str = "") -> QLineEdit:
    edit = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
    edit.setPlaceholderText(placeholder)
    return edit


def _buttons(dialog: QDialog, save_text: str) -> tuple[QDialogButtonBox, QWidget, QWidget]:
    buttons = QDialogButtonBox()
    save = buttons.addButton(save_text, QDialogButtonBox.ButtonRole.AcceptRole)
    cancel = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
    save.setDefault(True)
    buttons.rejected.connect(dialog.reject)
    return buttons, save, cancel


class AddUserDialog(QDialog):
    """新增用户: refused input stays in the form with each message beside its field."""

    def __init__(self, session: DeskSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.created: UserView | None = None
        self.setWindowTitle("新增用户")
        self.setMinimumWidth(520)

        self.bottom_error = error_label(self)
        self.errors = FormErrors(self.bottom_error)

        self.login = QLineEdit(placeholderText="小写字母开头，如 zhangsan")
        self.display_name = QLineEdit(placeholderText="姓名")
        self.role_boxes: dict[Role, QCheckBox] = {role: QCheckBox(ROLE_LABELS[role]) for role in Role}
        self.role_boxes[Role.OFFICER].setChecked(True)
        roles = QWidget()
        roles_layout = QHBoxLayout(roles)
        roles_layout.setContentsMargins(0, 0, 0, 0)
        for box in self.role_boxes.values():
            roles_layout.addWidget(box)
        roles_layout.addStretch(1)
        self.post = QLineEdit(placeholderText="如：执法队员、中队长")
        self.certificate_no = QLineEdit(placeholderText="行政执法证件号（可后补）")
        self.valid_from = optional_date_edit()
        self.valid_to = optional_date_edit()
        validity = QWidget()
        validity_layout = QHBoxLayout(validity)
        validity_layout.setContentsMargins(0, 0, 0, 0)
        validity_layout.addWidget(self.valid_from)
        validity_layout.addWidget(QLabel("至"))
        validity_layout.addWidget(self.valid_to)
        validity_layout.addStretch(1)
        self.legal_review_qualified = QCheckBox("具有法制审核资格")
        self.is_leader = QCheckBox("大队负责人")
        self.password = password_edit("初始密码，含字母和数字")
        self.password_again = password_edit()

        form = QFormLayout()
        self.errors.add_row(form, "登录名", "登录名", self.login)
        self.errors.add_row(form, "姓名", "姓名", self.display_name)
        self.errors.add_row(form, "角色", "角色", roles)
        form.addRow("职务", self.post)
        self.errors.add_row(form, "执法证号", "执法证号", self.certificate_no)
        self.errors.add_row(form, "执法证有效期", "执法证有效期", validity)
        self.errors.add_row(form, "", "法制审核资格", self.legal_review_qualified)
        form.addRow("", self.is_leader)
        self.errors.add_row(form, "初始密码", "密码", self.password)
        self.errors.add_row(form, "再次输入密码", "确认密码", self.password_again)

        buttons, self.save_button, cancel = _buttons(self, "保存")
        buttons.accepted.connect(self.save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.bottom_error)
        layout.addWidget(buttons)
        chain_tab_order(
            [
                self.login,
                self.display_name,
                *self.role_boxes.values(),
                self.post,
                self.certificate_no,
                self.valid_from,
                self.valid_to,
                self.legal_review_qualified,
                self.is_leader,
                self.password,
                self.password_again,
                self.save_button,
                cancel,
            ]
        )
        self.login.setFocus()

    def reject(self) -> None:
        if confirm_discard(self, self.findChildren(QLineEdit)):
            super().reject()

    def new_user(self) -> NewUser:
        return NewUser(
            login=self.login.text().strip(),
            display_name=self.display_name.text(),
            password=self.password.text(),
            roles=tuple(role.value for role, box in self.role_boxes.items() if box.isChecked()),
            post=self.post.text(),
            certificate_no=self.certificate_no.text(),
            certificate_valid_from=date_of(self.valid_from),
            certificate_valid_to=date_of(self.valid_to),
            legal_review_qualified=self.legal_review_qualified.isChecked(),
            is_leader=self.is_leader.isChecked(),
        )

    def save(self) -> None:
        if self.password.text() != self.password_again.text():
            self.errors.show([FieldError("确认密码", "两次输入的密码不一致")])
            return
        try:
            self.created = self.session.services.users.add_user(self.session.actor, self.new_user())
        except BrigadeError as exc:
            self.errors.show_error(exc)
            return
        self.accept()


class ResetPasswordDialog(QDialog):
    """重置密码 for another person; nobody can read the old one."""

    def __init__(self, session: DeskSession, user: UserView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.user = user
        self.setWindowTitle(f"重置密码 — {user.display_name}（{user.login}）")
        self.setMinimumWidth(420)
        self.bottom_error = error_label(self)
        self.errors = FormErrors(self.bottom_error)
        self.password = password_edit("新密码，含字母和数字")
        self.password_again = password_edit()
        form = QFormLayout()
        self.errors.add_row(form, "新密码", "新密码", self.password)
        self.errors.add_row(form, "再次输入新密码", "确认密码", self.password_again)
        buttons, save, cancel = _buttons(self, "重置")
        buttons.accepted.connect(self.save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.bottom_error)
        layout.addWidget(buttons)
        chain_tab_order([self.password, self.password_again, save, cancel])
        self.password.setFocus()

    def save(self) -> None:
        if self.password.text() != self.password_again.text():
            self.errors.show([FieldError("确认密码", "两次输入的密码不一致")])
            return
        try:
            self.session.services.users.reset_password(
                self.session.actor, self.user.login, self.password.text()
            )
        except BrigadeError as exc:
            self.errors.show_error(exc)
            return
        self.accept()
