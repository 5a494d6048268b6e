"""当事人 for a form: search as you type (name, pinyin initials, ID number or credit code), the
parties chosen, and a small 新当事人 dialog that shows likely duplicates before anything is saved."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from brigade_desk.core.errors import BrigadeError
from brigade_desk.core.services.parties import (
    ID_TYPES,
    PARTY_KINDS,
    LikelyDuplicate,
    PartyInput,
    PartyMatch,
    PartyView,
)
from brigade_desk.gui.forms import FormErrors, chain_tab_order, confirm_discard, error_label
from brigade_desk.gui.session import DeskSession
from brigade_desk.gui.style import set_error_style

SEARCH_DELAY_MS = 200


def party_line(party: PartyView) -> str:
    """陈喆（自然人）　330104…0031　青溪镇东村12号."""
    number = party.id_number or party.credit_code
    parts = [f"{party.name}（{party.kind_label}）", number, party.address]
    return "　".join(p for p in parts if p)


class _ResultList(QListWidget):
    """Results under the search line; Enter picks, Esc or Up on the first row goes back to typing."""

    picked = Signal(object)
    back = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            item = self.currentItem()
            if item is not None:
                self.picked.emit(item.data(Qt.ItemDataRole.UserRole))
            return
        if event.key() == Qt.Key.Key_Escape or (event.key() == Qt.Key.Key_Up and self.currentRow() <= 0):
            self.back.emit()
            return
        super().keyPressEvent(event)


class _ChosenList(QListWidget):
    """The chosen parties: as tall as its rows (`least` to four), not more."""

    least = 2

    def sizeHint(self) -> QSize:
        rows = max(self.least, min(self.count(), 4))
        return QSize(super().sizeHint().width(), self.fontMetrics().height() * rows + 16)


class PartyPicker(QWidget):
    """Chosen parties on top; a search line below whose matches appear as one types. With `single`
    (a decision against one party), picking another replaces the one chosen."""

    changed = Signal()

    def __init__(self, session: DeskSession, parent: QWidget | None = None, *, single: bool = False) -> None:
        super().__init__(parent)
        self.session = session
        self.single = single
        self.parties: list[PartyView] = []
        self.matches: list[PartyMatch] = []

        self.chosen = _ChosenList()
        self.chosen.least = 1 if single else 2
        self.chosen.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.chosen.setMaximumHeight(self.fontMetrics().height() * (1 if single else 4) + 12)
        self.chosen.setMinimumHeight(self.fontMetrics().height() * self.chosen.least + 12)
        self.chosen.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.remove_button = QPushButton("移除")
        self.remove_button.clicked.connect(self.remove_selected)
        self.search = QLineEdit()
        self.search.setPlaceholderText("输入姓名、名称、拼音首字母（如 cz）、身份证号或信用代码查找")
        self.search.setClearButtonEnabled(True)
        self.new_button = QPushButton("新当事人…")
        self.new_button.clicked.connect(self.new_party)
        self.results = _ResultList()
        self.results.hide()
        self.results.setMaximumHeight(self.fontMetrics().height() * 7 + 12)
        self.results.itemClicked.connect(lambda item: self.add(item.data(Qt.ItemDataRole.UserRole)))
        self.results.picked.connect(self.add)
        self.results.back.connect(self.search.setFocus)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.hide()

        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SEARCH_DELAY_MS)
        self.timer.timeout.connect(self.run_search)
        self.search.textChanged.connect(lambda _t: self.timer.start())
        self.search.installEventFilter(self)

        chosen_row = QHBoxLayout()
        chosen_row.addWidget(self.chosen, 1)
        chosen_row.addWidget(self.remove_button, 0, Qt.AlignmentFlag.AlignTop)
        search_row = QHBoxLayout()
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(chosen_row)
        layout.addLayout(search_row)
        layout.addWidget(self.results)
        layout.addWidget(self.hint)
        self._show_chosen()

    def eventFilter(self, watched: object, event: object) -> bool:
        if watched is not self.search or not isinstance(event, QKeyEvent):
            return False
        if event.type() != QKeyEvent.Type.KeyPress:
            return False
        # Enter picks the only match and stops there: it must not also press the form's 提交 button.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._enter_in_search()
            return True
        # Down from the search line goes into the results.
        if event.key() == Qt.Key.Key_Down and self.results.count():
            self.results.setFocus()
            self.results.setCurrentRow(0)
            return True
        return False

    def party_ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.parties)

    def run_search(self) -> None:
        self.timer.stop()
        text = self.search.text().strip()
        self.results.clear()
        self.matches = []
        if not text:
            self.results.hide()
            self.hint.hide()
            return
        try:
            self.matches = self.session.services.parties.search(self.session.actor, text)
        except BrigadeError as exc:
            self._hint(exc.message, error=True)
            self.results.hide()
            return
        for match in self.matches:
            note = f"　（已有案件{match.case_count}件）" if match.case_count else ""
            item = QListWidgetItem(party_line(match.party) + note)
            item.setData(Qt.ItemDataRole.UserRole, match.party)
            self.results.addItem(item)
        self.results.setVisible(bool(self.matches))
        if not self.matches:
            self._hint(f"没有找到“{text}”，可点“新当事人…”登记")
        else:
            self.hint.hide()

    def _enter_in_search(self) -> None:
        if self.timer.isActive():
            self.run_search()
        if len(self.matches) == 1:
            self.add(self.matches[0].party)

    def add(self, party: PartyView) -> None:
        if self.single:
            self.parties = [party]
        elif party.id not in self.party_ids():
            self.parties.append(party)
        self.search.clear()
        self.results.clear()
        self.results.hide()
        self.hint.hide()
        self._show_chosen()
        self.changed.emit()

    def remove_selected(self) -> None:
        row = self.chosen.currentRow()
        if 0 <= row < len(self.parties):
            del self.parties[row]
            self._show_chosen()
            self.changed.emit()

    def _show_chosen(self) -> None:
        self.chosen.clear()
        for party in self.parties:
            self.chosen.addItem(party_line(party))
        if not self.parties:
            placeholder = QListWidgetItem("（尚未选择当事人）")
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
            self.chosen.addItem(placeholder)
        self.remove_button.setEnabled(bool(self.parties))
        self.chosen.updateGeometry()

    def new_party(self) -> NewPartyDialog:
        dialog = NewPartyDialog(self.session, self, name=self.search.text().strip())
        dialog.finished.connect(lambda _r: dialog.chosen is not None and self.add(dialog.chosen))
        dialog.open()
        return dialog

    def _hint(self, text: str, *, error: bool = False) -> None:
        if error:
            set_error_style(self.hint)
        else:
            self.hint.setStyleSheet("")
        self.hint.setText(text)
        self.hint.show()


PERSON_KINDS = ("natural_person", "individual_business")
ORG_KINDS = ("legal_person", "other_org")


class PartyForm:
    """The fields of one party, in reading order, with an error line under each (core's field names).

    Shared by 新当事人 and 更正当事人信息. Rows that do not apply to the chosen kind are hidden; what
    `party_input` returns for them is empty, or, given the party being corrected and its kind kept,
    that party's value (a correction changes nothing the person could not see).
    """

    def __init__(self, errors: FormErrors, *, name: str = "") -> None:
        self.kind = QComboBox()
        for key, label in PARTY_KINDS.items():
            self.kind.addItem(label, key)
        self.name = QLineEdit(name)
        self.id_type = QComboBox()
        for id_type in ID_TYPES:
            self.id_type.addItem(id_type, id_type)
        self.id_number = QLineEdit()
        self.credit_code = QLineEdit()
        self.trade_name = QLineEdit(placeholderText="个体工商户的字号，如 青溪镇阿强小吃店")
        self.legal_representative = QLineEdit()
        self.legal_representative_id = QLineEdit(placeholderText="可不填")
        self.address = QLineEdit()
        self.phone = QLineEdit()
        self.is_minor = QCheckBox("未成年人")

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        errors.add_row(form, "类型", "当事人类型", self.kind)
        errors.add_row(form, "姓名/名称", "名称", self.name)
        errors.add_row(form, "证件类型", "证件类型", self.id_type)
        errors.add_row(form, "证件号码", "证件号码", self.id_number)
        errors.add_row(form, "统一社会信用代码", "统一社会信用代码", self.credit_code)
        errors.add_row(form, "字号", "字号", self.trade_name)
        errors.add_row(form, "法定代表人", "法定代表人", self.legal_representative)
        errors.add_row(form, "法定代表人身份证号码", "法定代表人身份证号码", self.legal_representative_id)
        errors.add_row(form, "住址", "住址", self.address)
        errors.add_row(form, "联系电话", "联系电话", self.phone)
        form.addRow("", self.is_minor)
        self.form = form
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()

    def widgets(self) -> list[QWidget]:
        """Every field in reading order (for the tab order)."""
        return [
            self.kind,
            self.name,
            self.id_type,
            self.id_number,
            self.credit_code,
            self.trade_name,
            self.legal_representative,
            self.legal_representative_id,
            self.address,
            self.phone,
            self.is_minor,
        ]

    def identity_edits(self) -> tuple[QLineEdit, ...]:
        """The fields that say who the party is (a change there matters for duplicates)."""
        return (self.name, self.id_number, self.credit_code, self.trade_name, self.legal_representative)

    def text_edits(self) -> tuple[QLineEdit, ...]:
        return (
            *self.identity_edits(),
            self.legal_representative_id,
            self.address,
            self.phone,
        )

    def _kind_changed(self) -> None:
        kind = self.kind.currentData()
        person = kind in PERSON_KINDS
        self.form.setRowVisible(self.id_type, person)
        self.form.setRowVisible(self.id_number, person)
        self.form.setRowVisible(self.credit_code, kind != "natural_person")
        self.form.setRowVisible(self.trade_name, kind == "individual_business")
        self.form.setRowVisible(self.legal_representative, kind in ORG_KINDS)
        self.form.setRowVisible(self.legal_representative_id, kind in ORG_KINDS)
        self.form.setRowVisible(self.is_minor, kind == "natural_person")
        head = "法定代表人" if kind == "legal_person" else "负责人"
        for edit, text in (
            (self.legal_representative, head),
            (self.legal_representative_id, head + "身份证号码"),
        ):
            label = self.form.labelForField(edit)
            if isinstance(label, QLabel):
                label.setText(text)

    def fill(self, party: PartyView) -> None:
        """Show a party as it is stored (a value the lists do not offer is added, so it shows)."""
        for combo, value, label in (
            (self.kind, party.kind, party.kind_label),
            (self.id_type, party.id_type, party.id_type),
        ):
            if value and combo.findData(value) < 0:
                combo.addItem(label or value, value)
            if value:
                combo.setCurrentIndex(combo.findData(value))
        for edit, text in (
            (self.name, party.name),
            (self.id_number, party.id_number),
            (self.credit_code, party.credit_code),
            (self.trade_name, party.trade_name),
            (self.legal_representative, party.legal_representative),
            (self.legal_representative_id, party.legal_representative_id),
            (self.address, party.address),
            (self.phone, party.phone),
        ):
            edit.setText(text)
        self.is_minor.setChecked(party.is_minor)
        self._kind_changed()

    def party_input(self, keep: PartyView | None = None) -> PartyInput:
        """What the form holds. Hidden rows give "", or `keep`'s value when its kind is still chosen."""
        kind = self.kind.currentData()
        base = keep if keep is not None and keep.kind == kind else None

        def value(shown: bool, text: str, field: str) -> str:
            return text if shown else getattr(base, field) if base is not None else ""

        person, org = kind in PERSON_KINDS, kind in ORG_KINDS
        natural = kind == "natural_person"
        return PartyInput(
            kind=kind,
            name=self.name.text(),
            id_type=value(person, self.id_type.currentData() or "", "id_type"),
            id_number=value(person, self.id_number.text(), "id_number"),
            credit_code=value(not natural, self.credit_code.text(), "credit_code"),
            trade_name=value(kind == "individual_business", self.trade_name.text(), "trade_name"),
            legal_representative=value(org, self.legal_representative.text(), "legal_representative"),
            legal_representative_id=value(
                org, self.legal_representative_id.text(), "legal_representative_id"
            ),
            address=self.address.text(),
            phone=self.phone.text(),
            is_minor=self.is_minor.isChecked() if natural else (base.is_minor if base is not None else False),
        )


class NewPartyDialog(QDialog):
    """新当事人: checks for likely duplicates first; a person already on file is picked, not copied."""

    def __init__(self, session: DeskSession, parent: QWidget | None = None, *, name: str = "") -> None:
        super().__init__(parent)
        self.session = session
        self.chosen: PartyView | None = None
        self.duplicates: list[LikelyDuplicate] = []
        self._checked_input: PartyInput | None = None
        self.setWindowTitle("新当事人")
        self.setMinimumWidth(560)

        self.bottom_error = error_label(self)
        self.errors = FormErrors(self.bottom_error)
        self.fields = PartyForm(self.errors, name=name)

        self.duplicate_note = QLabel()
        self.duplicate_note.setWordWrap(True)
        self.duplicate_list = QListWidget()
        self.duplicate_list.setMaximumHeight(self.fontMetrics().height() * 5 + 12)
        self.use_button = QPushButton("选用所选的已有当事人")
        self.use_button.clicked.connect(self.use_existing)
        self.duplicate_box = QWidget()
        box_layout = QVBoxLayout(self.duplicate_box)
        box_layout.setContentsMargins(0, 0, 0, 0)
        box_layout.addWidget(self.duplicate_note)
        box_layout.addWidget(self.duplicate_list)
        box_layout.addWidget(self.use_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.duplicate_box.hide()

        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        cancel.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(self.fields.form)
        layout.addWidget(self.duplicate_box)
        layout.addWidget(self.bottom_error)
        layout.addWidget(buttons)
        for edit in self.fields.identity_edits():
            edit.textEdited.connect(self._inputs_changed)
        self.fields.kind.currentIndexChanged.connect(self._inputs_changed)
        chain_tab_order([*self.fields.widgets(), self.save_button, cancel])

    def _inputs_changed(self) -> None:
        """Changed identity: the duplicates shown no longer apply; 保存 checks again."""
        if self.duplicate_box.isVisible() or self.duplicates:
            self.duplicates = []
            self._checked_input = None
            self.duplicate_box.hide()
            self.save_button.setText("保存")
            self.save_button.setEnabled(True)

    def save(self) -> None:
        """First 保存: look for likely duplicates and show them; 保存 again (unchanged) creates."""
        data = self.fields.party_input()
        services, actor = self.session.services, self.session.actor
        if data != self._checked_input:
            try:
                self.duplicates = services.parties.likely_duplicates(actor, data)
            except BrigadeError as exc:
                self.errors.show_error(exc)
                return
            self._checked_input = data
            if self.duplicates:
                self._show_duplicates()
                return
        if any(d.same_identity for d in self.duplicates):
            self.errors.show_message("已有相同证件的当事人，请选用已有当事人，不要重复登记")
            return
        try:
            self.chosen = services.parties.create(actor, data)
        except BrigadeError as exc:
            self.errors.show_error(exc)
            return
        self.accept()

    def _show_duplicates(self) -> None:
        self.errors.clear()
        self.duplicate_list.clear()
        for duplicate in self.duplicates:
            item = QListWidgetItem(f"{party_line(duplicate.party)}　— {duplicate.reason}")
            item.setData(Qt.ItemDataRole.UserRole, duplicate.party)
            self.duplicate_list.addItem(item)
        self.duplicate_list.setCurrentRow(0)
        same = any(d.same_identity for d in self.duplicates)
        if same:
            set_error_style(self.duplicate_note)
            self.duplicate_note.setText("已有相同证件的当事人，同一人只登记一次：请选用已有当事人。")
        else:
            self.duplicate_note.setStyleSheet("")
            self.duplicate_note.setWordWrap(True)
            self.duplicate_note.setText(
                "以下已有当事人可能与您登记的是同一人（单位）。是同一人请选用；"
                "确认不是，请再按“保存”登记为新当事人。"
            )
        self.save_button.setText("仍然保存为新当事人" if not same else "保存")
        self.save_button.setEnabled(not same)
        self.duplicate_box.show()

    def use_existing(self) -> None:
        item = self.duplicate_list.currentItem()
        if item is None:
            return
        self.chosen = item.data(Qt.ItemDataRole.UserRole)
        self.accept()

    def reject(self) -> None:
        if self.chosen is None and not confirm_discard(self, self.fields.text_edits()):
            return
        super().reject()
