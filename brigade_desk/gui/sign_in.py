"""登录: the person at the keyboard proves who they are; everything afterwards runs as them."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from brigade_desk.core.app import Services
from brigade_desk.core.errors import BrigadeError
from brigade_desk.core.rules.permissions import Actor
from brigade_desk.gui.forms import chain_tab_order, error_label


class SignInDialog(QDialog):
    """Login name and password; Enter signs in. A refusal shows core's message (attempts left, lock-out)."""

    def __init__(
        self,
        services: Services,
        parent: QWidget | None = None,
        *,
        title: str = "登录",
        login: str = "",
        note: str = "",
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.actor: Actor | None = None
        self.setWindowTitle(f"{title} — 乡镇综合执法办案台")
        self.setMinimumWidth(400)

        organ = services.setup.own_organ()
        heading = QLabel(organ.name if organ else "乡镇综合执法办案台")
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        heading.setFont(font)
        subtitle = QLabel(note or "综合行政执法办案台 · 请使用本人账户登录")
        subtitle.setWordWrap(True)

        self.login = QLineEdit(login)
        self.login.setPlaceholderText("登录名")
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("密码")
        self.error = error_label(self)

        form = QFormLayout()
        form.addRow("登录名", self.login)
        form.addRow("密码", self.password)

        buttons = QDialogButtonBox()
        self.sign_in_button = buttons.addButton("登录", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.sign_in_button.setDefault(True)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(subtitle)
        layout.addSpacing(8)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

        chain_tab_order([self.login, self.password, self.sign_in_button, self.cancel_button])
        (self.password if login else self.login).setFocus()

    def submit(self) -> None:
        login = self.login.text().strip()
        if not login:
            self._refuse("请输入登录名", self.login)
            return
        try:
            self.actor = self.services.users.sign_in(login, self.password.text())
        except BrigadeError as exc:
            self._refuse(exc.message, self.password)
            self.password.clear()
            return
        self.error.hide()
        self.accept()

    def _refuse(self, message: str, focus: QLineEdit) -> None:
        self.error.setText(message)
        self.error.show()
        focus.setFocus()
