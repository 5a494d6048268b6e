"""锁定: the main window's content is replaced by this until the same person types their password
(or someone else signs in with 切换用户). Nothing of the work underneath is visible meanwhile."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from brigade_desk.core.errors import BrigadeError
from brigade_desk.gui.forms import chain_tab_order, error_label
from brigade_desk.gui.session import DeskSession


class LockScreen(QWidget):
    unlocked = Signal()
    switch_user_requested = Signal()

    def __init__(self, session: DeskSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session

        title = QLabel("已锁定")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        title.setFont(font)
        self.who = QLabel()
        self.who.setWordWrap(True)
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("输入本人密码解锁")
        self.password.returnPressed.connect(self.try_unlock)
        self.error = error_label(self)
        self.unlock_button = QPushButton("解锁")
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.try_unlock)
        self.switch_button = QPushButton("切换用户…")
        self.switch_button.clicked.connect(self.switch_user_requested)

        card = QFrame()
        card.setFrameShape(QFrame.Shape.StyledPanel)
        card.setMaximumWidth(460)
        card_layout = QVBoxLayout(card)
        card_layout.setContentsMargins(24, 24, 24, 24)
        card_layout.addWidget(title)
        card_layout.addWidget(self.who)
        card_layout.addSpacing(8)
        card_layout.addWidget(self.password)
        card_layout.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addWidget(self.unlock_button)
        buttons.addStretch(1)
        buttons.addWidget(self.switch_button)
        card_layout.addLayout(buttons)

        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card, 2)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        chain_tab_order([self.password, self.unlock_button, self.switch_button])

    def prepare(self) -> None:
        """Show for the person signed in now, with an empty password field focused."""
        actor = self.session.actor
        self.who.setText(f"{self.session.person_label()} 正在使用本机，输入本人密码继续工作。")
        self.password.clear()
        self.error.hide()
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)
        self.setAccessibleName(f"已锁定：{actor.display_name}")

    def try_unlock(self) -> bool:
        try:
            ok = self.session.services.users.confirm_password(self.session.actor, self.password.text())
        except BrigadeError as exc:
            ok, message = False, exc.message
        else:
            message = "密码不正确，请重新输入；不是本人请点“切换用户”"
        self.password.clear()
        if not ok:
            self.error.setText(message)
            self.error.show()
            self.password.setFocus()
            return False
        self.error.hide()
        self.unlocked.emit()
        return True
