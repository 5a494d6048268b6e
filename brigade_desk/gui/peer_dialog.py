"""登记交换对象: the other side's card (or its area code, name and public key), checked by fingerprint.

A township registers its county; the county registers each township (docs/decisions/sync-county-mode.md).
The card is the JSON text the other side saved with 保存本机关名片… (or `brigade-desk peers key -o`).
Core validates and refuses (`services.sync.add_peer`); this dialog shows the refusal beside the
field and keeps what was typed.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from brigade_desk.core import crypto
from brigade_desk.core.errors import BrigadeError, FieldError
from brigade_desk.core.services.sync import PeerView, check_public_key, read_card
from brigade_desk.gui.forms import FormErrors, align_labels, chain_tab_order, confirm_discard, error_label
from brigade_desk.gui.session import DeskSession

CONFIRM_FIELD = "核对指纹"
CARD_FILTER = "机关名片 (*.json *.txt);;所有文件 (*)"


def fingerprint_of(public_key: str) -> str:
    """The fingerprint to read out by phone, or "" while the text is not a public key."""
    key = public_key.strip()
    return "" if check_public_key(key) else crypto.fingerprint(key)


class PeerDialog(QDialog):
    """Fill from a card file or by hand; 登记 only after the fingerprint was checked with the other side.

    With `replacing`, the same dialog registers a partner's new key on its registration (更换公钥:
    the other side had to make a new key); area code and name are fixed, a reason is asked."""

    def __init__(
        self, session: DeskSession, parent: QWidget | None = None, replacing: PeerView | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.replacing = replacing
        self.added: PeerView | None = None
        own = session.organ
        self.own_kind = own.kind if own else "township"
        # What we register: a county registers townships, a township its county. A card says what it
        # is; core refuses a card of the wrong kind (a county's card at a county, say).
        self.expected_kind = "township" if self.own_kind == "county" else "county"
        self.card_kind: str | None = None
        self.last_dir = Path.home()
        self.setWindowTitle("登记乡镇" if self.own_kind == "county" else "登记县级机关")
        self.setMinimumWidth(600)

        other = "乡镇" if self.own_kind == "county" else "县级机关"
        intro = QLabel(
            f"请用{other}交来的机关名片文件登记（点“读取名片文件…”），或照名片填写区划代码、名称和公钥。"
            "登记前请与对方电话核对公钥指纹：两边显示的指纹一致，才能确认数据包确实来自对方。"
        )
        intro.setWordWrap(True)

        self.bottom_error = error_label(self)
        self.errors = FormErrors(self.bottom_error)

        self.card_button = QPushButton("读取名片文件…")
        self.card_button.clicked.connect(self.choose_card)
        self.card_note = QLabel()
        self.card_note.setWordWrap(True)
        card_row = QHBoxLayout()
        card_row.addWidget(self.card_button)
        card_row.addWidget(self.card_note, 1)

        self.area_code = QLineEdit(placeholderText="6位数字，如 330185", maxLength=6)
        self.name = QLineEdit(
            placeholderText="如：青溪镇人民政府" if self.own_kind == "county" else "如：临溪县人民政府"
        )
        self.public_key = QLineEdit(placeholderText="base64，44个字符，可从名片中复制粘贴")
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.public_key.setFont(mono)
        self.public_key.textChanged.connect(self._show_fingerprint)
        self.fingerprint = QLabel()
        self.fingerprint.setFont(mono)
        self.fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.confirmed = QCheckBox("已与对方电话核对，公钥指纹一致")
        self.reason = QLineEdit(placeholderText="如：对方电脑损坏，重新生成了密钥")

        form = QFormLayout()
        self.errors.add_row(form, "行政区划代码", "行政区划代码", self.area_code)
        self.errors.add_row(form, "机关名称", "机关名称", self.name)
        self.errors.add_row(form, "公钥", "公钥", self.public_key)
        form.addRow("公钥指纹", self.fingerprint)
        if replacing is not None:
            self.errors.add_row(form, "更换原因", "原因", self.reason)
        self.errors.add_row(form, "", CONFIRM_FIELD, self.confirmed)
        align_labels(form)
        if replacing is not None:
            self.setWindowTitle(f"更换{replacing.name}的公钥")
            intro.setText(
                f"{replacing.name}（{replacing.area_code}）重新生成了签名密钥时，在这里登记它的新公钥："
                f"读取对方的新名片，或粘贴新公钥。原指纹 {replacing.fingerprint}。序号和收发记录保留；"
                "登记前请与对方电话核对新指纹。"
            )
            self.area_code.setText(replacing.area_code)
            self.name.setText(replacing.name)
            self.area_code.setReadOnly(True)
            self.name.setReadOnly(True)
            self.save_button_text = "更换"
        else:
            self.save_button_text = "登记"

        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton(self.save_button_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.setDefault(True)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(card_row)
        layout.addLayout(form)
        layout.addWidget(self.bottom_error)
        layout.addWidget(buttons)
        chain_tab_order(
            [
                self.card_button,
                self.area_code,
                self.name,
                self.public_key,
                self.reason,
                self.confirmed,
                self.save_button,
                self.cancel_button,
            ]
        )
        self._show_fingerprint()
        self.card_button.setFocus()

    # --- the card ----------------------------------------------------------------------------------

    def choose_card(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self, "选择对方的机关名片", str(self.last_dir), CARD_FILTER
        )
        if name:
            self.last_dir = Path(name).parent
            self.load_card(Path(name))

    def load_card(self, path: Path) -> bool:
        """Fill the fields from a card file; a file that is no card leaves them as they were."""
        try:
            card = read_card(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            self.errors.show_message(f"读不了名片文件 {path.name}：{exc}")
            return False
        except BrigadeError as exc:
            self.errors.show_message(f"{path.name}：{exc.message}")
            return False
        self.errors.clear()
        if self.replacing is not None and card["area_code"] != self.replacing.area_code:
            self.errors.show_message(
                f"{path.name} 是区划代码 {card['area_code']} 的名片，不是{self.replacing.name}（{self.replacing.area_code}）的"
            )
            return False
        self.card_kind = "county" if card["kind"] == "county" else "township"
        self.area_code.setText(card["area_code"])
        self.name.setText(card["name"])
        self.public_key.setText(card["public_key"])
        kind = "县级机关" if self.card_kind == "county" else "乡镇"
        self.card_note.setText(f"已读取 {path.name}（{kind}的名片）")
        shown = fingerprint_of(card["public_key"])
        if card["fingerprint"] and shown and card["fingerprint"] != shown:
            self.errors.show(
                [FieldError("公钥", "名片上写的指纹与公钥不符：名片可能被改动过，请向对方重新索取")]
            )
        return True

    def _show_fingerprint(self) -> None:
        shown = fingerprint_of(self.public_key.text())
        self.fingerprint.setText(shown or "（填入公钥后显示）")

    # --- saving ------------------------------------------------------------------------------------

    def kind(self) -> str:
        return self.card_kind or self.expected_kind

    def save(self) -> None:
        if not self.confirmed.isChecked():
            errors = [FieldError(CONFIRM_FIELD, "请先与对方电话核对公钥指纹，一致后勾选此项")]
            if problem := check_public_key(self.public_key.text()):
                errors.insert(0, FieldError("公钥", problem))
            self.errors.show(errors)
            return
        try:
            if self.replacing is not None:
                self.added = self.session.services.sync.replace_peer_key(
                    self.session.actor, self.replacing.area_code, self.public_key.text(), self.reason.text()
                )
            else:
                self.added = self.session.services.sync.add_peer(
                    self.session.actor,
                    kind=self.kind(),
                    area_code=self.area_code.text(),
                    name=self.name.text(),
                    public_key=self.public_key.text(),
                )
        except BrigadeError as exc:
            self.errors.show_error(exc)
            return
        self.errors.clear()
        self.accept()

    def reject(self) -> None:
        typed = (
            [self.public_key, self.reason] if self.replacing else [self.area_code, self.name, self.public_key]
        )
        if confirm_discard(self, typed):
            super().reject()
