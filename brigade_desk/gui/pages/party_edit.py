"""更正当事人信息: correct a party's details (a mistyped ID number, a wrong address).

The form is the new-party form (`PartyForm`), prefilled. Above it: how many cases name the party,
and that issued documents keep the details they were issued with (DESIGN.md invariant 5). The save
carries the version read when the dialog opened; if someone saved the party meanwhile core refuses,
the form keeps what was typed, and 重新载入 shows their version with what had been typed beside it.
"""

from __future__ import annotations

from dataclasses import fields

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from brigade_desk.core.errors import BrigadeError, StaleEdit
from brigade_desk.core.rules.permissions import PERMISSION_LABELS, ROLE_LABELS, ROLE_PERMISSIONS, Permission
from brigade_desk.core.services.parties import PARTY_KINDS, PartyCase, PartyInput, PartyView
from brigade_desk.gui.forms import FormErrors, chain_tab_order, error_label
from brigade_desk.gui.pages.parties_pick import PartyForm
from brigade_desk.gui.session import DeskSession

# Enough for any real party; the count says "以上" when a party has more.
CASES_READ = 1000
NUMBERS_SHOWN = 5
SNAPSHOT_NOTE = (
    "已签发的文书保留签发时的当事人信息，不会随之改变；只有今后制作的文书（包括尚未签发的草稿）显示更正后的信息。"
    "已签发文书上的信息也须更正的，请在“文书”标签页选中该文书，点“更正…”制作文书更正通知书。"
)
FIELD_LABELS = {
    "kind": "类型",
    "name": "姓名/名称",
    "id_type": "证件类型",
    "id_number": "证件号码",
    "credit_code": "统一社会信用代码",
    "trade_name": "字号",
    "legal_representative": "法定代表人",
    "legal_representative_id": "法定代表人身份证号码",
    "address": "住址",
    "phone": "联系电话",
    "is_minor": "未成年人",
}


def edit_refusal(session: DeskSession) -> str:
    """Why the signed-in person cannot correct parties ("" when they can)."""
    if session.can(Permission.PARTY_EDIT):
        return ""
    roles = "、".join(
        label for role, label in ROLE_LABELS.items() if Permission.PARTY_EDIT in ROLE_PERMISSIONS[role]
    )
    return f"须由有“{PERMISSION_LABELS[Permission.PARTY_EDIT]}”权限的人员（{roles}）更正"


def stored_input(party: PartyView) -> PartyInput:
    """The party as it is stored, in the shape a save takes (to tell whether anything changed)."""
    return PartyInput(**{f.name: getattr(party, f.name) for f in fields(PartyInput)})


def cases_text(party: PartyView, cases: list[PartyCase]) -> str:
    """“陈喆”见于 2 件案件：青综执立字〔2025〕第1号、…；更正后这些案件都显示更正后的信息。"""
    if not cases:
        return f"“{party.name}”尚未见于任何案件。"
    count = f"{len(cases)} 件以上" if len(cases) >= CASES_READ else f"{len(cases)} 件"
    numbers = "、".join(c.case_number for c in cases[:NUMBERS_SHOWN])
    if len(cases) > NUMBERS_SHOWN:
        numbers += "等"
    return f"“{party.name}”见于 {count}案件：{numbers}。更正后，这些案件都显示更正后的信息，查找也按更正后的信息。"


class EditPartyDialog(QDialog):
    """更正当事人信息 for one party; `saved` holds the party as saved (None until then)."""

    def __init__(self, session: DeskSession, party_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.party_id = party_id
        self.party: PartyView | None = None
        self.version = 0
        self.cases: list[PartyCase] = []
        self.saved: PartyView | None = None
        self.reloaded = False
        self.setWindowTitle("更正当事人信息")
        self.setMinimumWidth(600)

        self.cases_note = QLabel()
        self.cases_note.setWordWrap(True)
        self.snapshot_note = QLabel(SNAPSHOT_NOTE)
        self.snapshot_note.setWordWrap(True)
        notes = QFrame()
        notes.setFrameShape(QFrame.Shape.StyledPanel)
        notes_layout = QVBoxLayout(notes)
        notes_layout.addWidget(self.cases_note)
        notes_layout.addWidget(self.snapshot_note)

        self.bottom_error = error_label(self)
        self.errors = FormErrors(self.bottom_error)
        self.fields = PartyForm(self.errors)
        self.typed_note = QLabel()
        self.typed_note.setWordWrap(True)
        self.typed_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.typed_note.hide()
        self.reload_button = QPushButton("重新载入")
        self.reload_button.setToolTip(
            "载入他人保存后的当事人信息；您填写的内容会列在表单下方，供核对后重新填写"
        )
        self.reload_button.clicked.connect(self.reload)
        self.reload_button.hide()
        error_row = QHBoxLayout()
        error_row.addWidget(self.bottom_error, 1)
        error_row.addWidget(self.reload_button, 0, Qt.AlignmentFlag.AlignTop)

        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("保存更正", QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        cancel.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(notes)
        layout.addLayout(self.fields.form)
        layout.addWidget(self.typed_note)
        layout.addLayout(error_row)
        layout.addWidget(buttons)
        chain_tab_order([*self.fields.widgets(), self.save_button, cancel])
        self.load()

    def load(self) -> bool:
        """Read the party, its version and its cases, and show them; False (and why) if refused."""
        services, actor = self.session.services, self.session.actor
        try:
            party = services.parties.get(actor, self.party_id)
            cases = services.parties.cases_of(actor, self.party_id, limit=CASES_READ)
        except BrigadeError as exc:
            self.errors.show_message(exc.message)
            self.save_button.setEnabled(self.party is not None)
            return False
        self.party, self.version, self.cases = party, party.version, cases
        self.fields.fill(party)
        self.cases_note.setText(cases_text(party, cases))
        self.save_button.setEnabled(True)
        return True

    def current_input(self) -> PartyInput:
        return self.fields.party_input(keep=self.party)

    def has_changes(self) -> bool:
        return self.party is not None and self.current_input() != stored_input(self.party)

    def save(self) -> None:
        if self.party is None:
            return
        self.typed_note.hide()
        if not self.has_changes():
            self.errors.show_message("内容与原来相同，没有需要保存的更正。")
            return
        try:
            self.saved = self.session.services.parties.update(
                self.session.actor, self.party_id, self.current_input(), self.version
            )
        except StaleEdit as exc:
            self.errors.show_message(exc.message + "点“重新载入”可看到他人保存的信息。")
            self.reload_button.show()
            return
        except BrigadeError as exc:
            self.errors.show_error(exc)
            return
        self.accept()

    def reload(self) -> None:
        """After a refusal for an older copy: show the party as saved now, with the version to save
        against; what had been typed and now differs is listed under the form (nothing is lost)."""
        typed = self.current_input()
        self.errors.clear()
        if not self.load():
            return
        self.reloaded = True
        self.reload_button.hide()
        assert self.party is not None
        now = stored_input(self.party)
        differing = [
            f"{label}：{_shown(key, getattr(typed, key))}"
            for key, label in FIELD_LABELS.items()
            if getattr(typed, key) != getattr(now, key)
        ]
        if differing:
            self.typed_note.setText(
                "已载入他人保存的信息。您刚才填写而未保存的内容："
                + "；".join(differing)
                + "。请核对后重新填写再保存。"
            )
        else:
            self.typed_note.setText("已载入他人保存的信息，与您填写的相同，无须再保存。")
        self.typed_note.show()

    def reject(self) -> None:
        if self.saved is None and self.has_changes():
            answer = QMessageBox.question(self, self.windowTitle(), "更正的内容尚未保存，确定放弃并关闭？")
            if answer != QMessageBox.StandardButton.Yes:
                return
        super().reject()


def _shown(key: str, value: object) -> str:
    if key == "kind":
        return PARTY_KINDS.get(str(value), str(value))
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value) or "（空）"
