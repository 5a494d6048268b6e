"""签名确认: a person signs with their personal key by typing their password (docs/legal-review.md).

One small dialog serves every signature the GUI asks for: a leader's approval (立案, 延期, 决定,
结案), a reviewer's opinion (with the legal-review body head's login and password where the setting
asks for it), a leader's confirmation of a collective-discussion record. The dialog never signs
anything itself: it hands the password to `submit`, which calls the service, and core opens the key,
signs and records.

A wrong password (or a head signature core refuses) is shown in the dialog, which stays open with
the password cleared. Any other refusal closes it with `REFUSED` and the error in `refusal`, for the
caller to show next to the button that opened it (the form behind keeps what was typed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from brigade_desk.core.errors import AuthError, BrigadeError, ValidationError
from brigade_desk.gui.forms import FormErrors, chain_tab_order, error_label
from brigade_desk.gui.session import DeskSession

# Refusals about the signature itself: shown in the dialog, which stays open for another try.
SIGNATURE_FIELDS = frozenset({"密码", "法制机构负责人", "法制机构负责人签名", "法制机构负责人密码"})


@dataclass(frozen=True)
class SignatureInput:
    password: str
    head_login: str = ""
    head_password: str = ""


class SignatureDialog(QDialog):
    """Who signs and what, the password (and the head's login and password when asked); 签名."""

    REFUSED = 2  # closed because core refused for another reason than the signature

    def __init__(
        self,
        session: DeskSession,
        title: str,
        what: str,
        submit: Callable[[SignatureInput], object],
        *,
        signer: str = "",
        head: bool = False,
        sign_text: str = "签名",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.submit_call = submit
        self.result_value: object = None
        self.refusal: BrigadeError | None = None
        self.setWindowTitle(title)
        self.setMinimumWidth(440)

        self.what = QLabel(what)
        self.what.setWordWrap(True)
        who = signer or session.person_label()
        self.signer = QLabel(f"签名人：{who}")
        self.signer.setWordWrap(True)
        note = QLabel("输入本人密码，以本人的签名密钥签名；签名记入执法全过程记录，任何人可用公钥核验。")
        note.setWordWrap(True)
        note.setEnabled(False)  # secondary text

        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("本人登录密码")
        self.head_login = QLineEdit()
        self.head_login.setPlaceholderText("法制机构负责人的登录名")
        self.head_password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.head_password.setPlaceholderText("法制机构负责人的密码")

        self.bottom_error = error_label(self)
        self.errors = FormErrors(self.bottom_error)
        form = QFormLayout()
        self.errors.add_row(form, "密码", "密码", self.password)
        self.head = head
        if head:
            self.errors.add_row(
                form, "法制机构负责人", "法制机构负责人", self.head_login, "法制机构负责人签名"
            )
            self.errors.add_row(form, "负责人密码", "法制机构负责人密码", self.head_password)

        buttons = QDialogButtonBox()
        self.sign_button = buttons.addButton(sign_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.sign_button.setDefault(True)
        self.sign_button.clicked.connect(self.sign)
        self.cancel_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.what)
        layout.addWidget(self.signer)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.bottom_error)
        layout.addWidget(buttons)
        widgets: list[QWidget] = [self.password]
        if head:
            widgets += [self.head_login, self.head_password]
        chain_tab_order([*widgets, self.sign_button, self.cancel_button])
        self.password.setFocus()

    def values(self) -> SignatureInput:
        if not self.head:
            return SignatureInput(self.password.text())
        return SignatureInput(self.password.text(), self.head_login.text().strip(), self.head_password.text())

    def sign(self) -> bool:
        if not self.password.text():
            self.errors.show_message("请输入本人密码")
            self.password.setFocus()
            return False
        try:
            self.result_value = self.submit_call(self.values())
        except BrigadeError as exc:
            if self._about_signature(exc):
                self._show_here(exc)
                return False
            self.refusal = exc
            self.done(self.REFUSED)
            return False
        self.accept()
        return True

    @staticmethod
    def _about_signature(exc: BrigadeError) -> bool:
        if isinstance(exc, AuthError):
            return True
        return isinstance(exc, ValidationError) and all(e.field in SIGNATURE_FIELDS for e in exc.errors)

    def _show_here(self, exc: BrigadeError) -> None:
        if isinstance(exc, ValidationError):
            self.errors.show(exc.errors)
        else:
            self.errors.show_message(exc.message)
            self.password.setFocus()
        self.password.clear()
        self.head_password.clear()

    def error_text(self) -> str:
        parts = [self.errors.message(n) for n in ("密码", "法制机构负责人", "法制机构负责人密码")]
        parts.append(self.bottom_error.text() if not self.bottom_error.isHidden() else "")
        return "；".join(p for p in parts if p)


def ask_signature(
    parent: QWidget,
    session: DeskSession,
    title: str,
    what: str,
    submit: Callable[[SignatureInput], object],
    done: Callable[[SignatureDialog], None] | None = None,
    **options: object,
) -> SignatureDialog:
    """Open the dialog window-modal; `done(dialog)` runs when it closes (signed, refused or cancelled)."""
    dialog = SignatureDialog(session, title, what, submit, parent=parent, **options)  # type: ignore[arg-type]
    if done is not None:
        dialog.finished.connect(lambda _result: done(dialog))
    dialog.open()
    return dialog


def signed_approval(call: Callable[..., object]) -> Callable[[SignatureInput], object]:
    """For a procedure approval (approve_filing, decide, close_case, approve_extension …): the
    service call with the signer's password as `password=`."""

    def submit(values: SignatureInput) -> object:
        return call(password=values.password)

    return submit
