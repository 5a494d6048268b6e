"""当事人: find any party of the brigade, see its cases, and correct or register one.

Before this tab a party could only be corrected from a case that named it. The search is core's
(`PartyService.search`: name, pinyin initials, ID number or credit code); the correction is the same
dialog as in a case (`EditPartyDialog`: version check, snapshot note). A double click on one of the
party's cases shows that case in the 案件 list.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from brigade_desk.core.errors import BrigadeError
from brigade_desk.core.services.parties import PartyCase, PartyMatch
from brigade_desk.gui.formatting import show_date, show_fen
from brigade_desk.gui.pages.parties_pick import SEARCH_DELAY_MS, NewPartyDialog
from brigade_desk.gui.pages.party_edit import CASES_READ, EditPartyDialog, edit_refusal
from brigade_desk.gui.session import DeskSession
from brigade_desk.gui.tables import fill_table, read_only_table

PARTY_HEADERS = ("姓名/名称", "类型", "证件号码/统一社会信用代码", "住址", "联系电话", "案件")
CASE_HEADERS = ("案号", "案由", "状态", "立案日期", "罚款")


class PartiesPanel(QWidget):
    """The 当事人 tab of the 案件 page."""

    open_case_requested = Signal(str)  # a case id, to show in the 案件 list
    changed = Signal()  # a party was corrected or registered: case lists show its new details

    def __init__(self, session: DeskSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.matches: list[PartyMatch] = []
        self.cases: list[PartyCase] = []
        self.dialog: EditPartyDialog | NewPartyDialog | None = None

        self.search = QLineEdit()
        self.search.setPlaceholderText("输入姓名、名称、拼音首字母（如 cz）、证件号码或统一社会信用代码查找")
        self.search.setClearButtonEnabled(True)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SEARCH_DELAY_MS)
        self.timer.timeout.connect(self.run_search)
        self.search.textChanged.connect(lambda _text: self.timer.start())
        self.search.returnPressed.connect(self.run_search)

        self.new_button = QPushButton("新当事人…")
        self.new_button.clicked.connect(self.new_party)
        self.edit_button = QPushButton("更正…")
        self.edit_button.setToolTip("更正所选当事人的信息（证件号码、住址等录错时）")
        self.edit_button.clicked.connect(self.edit_selected)
        self.why = QLabel()
        self.why.setWordWrap(True)
        self.message = QLabel()
        self.message.setWordWrap(True)

        self.table = read_only_table(PARTY_HEADERS, 3)
        self.table.setAlternatingRowColors(True)
        self.table.itemSelectionChanged.connect(self._on_selected)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.cases_label = QLabel()
        self.case_table = read_only_table(CASE_HEADERS, 1)
        self.case_table.setAlternatingRowColors(True)
        self.case_table.setToolTip("双击在案件列表中打开")
        self.case_table.doubleClicked.connect(self._open_case)

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.new_button)
        top.addWidget(self.edit_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.why)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 3)
        layout.addWidget(self.cases_label)
        layout.addWidget(self.case_table, 2)
        self.refresh()

    # --- loading ---------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Search again for what is typed (after a correction, a sign-in of someone else)."""
        self.run_search()

    def run_search(self) -> None:
        self.timer.stop()
        text = self.search.text().strip()
        selected = self.selected()
        self.matches, refused = [], ""
        if text:
            try:
                self.matches = self.session.services.parties.search(self.session.actor, text)
            except BrigadeError as exc:
                refused = exc.message
        if refused:
            self._say(refused)
        elif not text:
            self._say("输入查找条件后列出当事人；选中一个当事人可查看其案件、更正其信息。")
        else:
            self._say("" if self.matches else f"没有找到“{text}”")
        fill_table(
            self.table,
            [
                (
                    m.party.name,
                    m.party.kind_label,
                    m.party.id_number or m.party.credit_code,
                    m.party.address,
                    m.party.phone,
                    f"{m.case_count}件" if m.case_count else "—",
                )
                for m in self.matches
            ],
        )
        if selected is not None:
            self.select_party(selected.party.id)
        self._on_selected()

    def selected(self) -> PartyMatch | None:
        row = self.table.currentRow()
        return self.matches[row] if 0 <= row < len(self.matches) and self.table.selectedItems() else None

    def select_party(self, party_id: str) -> None:
        for row, match in enumerate(self.matches):
            if match.party.id == party_id:
                self.table.selectRow(row)
                return

    def _on_selected(self) -> None:
        match = self.selected()
        self.cases = []
        if match is not None:
            try:
                self.cases = self.session.services.parties.cases_of(
                    self.session.actor, match.party.id, limit=CASES_READ
                )
            except BrigadeError as exc:
                self._say(exc.message)
        fill_table(
            self.case_table,
            [
                (
                    c.case_number or "（未编号）",
                    c.summary,
                    c.state_label,
                    show_date(c.filed_on) if c.filed_on else "",
                    show_fen(c.fine_fen) if c.fine_fen else "",
                )
                for c in self.cases
            ],
        )
        self.cases_label.setText(
            f"“{match.party.name}”的案件（{len(self.cases)}件，双击在案件列表中打开）"
            if match is not None
            else "选中一个当事人，这里列出其案件"
        )
        refusal = edit_refusal(self.session)
        self.new_button.setEnabled(not refusal)
        self.edit_button.setEnabled(match is not None and not refusal)
        self.why.setText(refusal)
        self.why.setVisible(bool(refusal))

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # --- actions -----------------------------------------------------------------------------------

    def _open_case(self) -> None:
        row = self.case_table.currentRow()
        if 0 <= row < len(self.cases):
            self.open_case_requested.emit(self.cases[row].case_id)

    def edit_selected(self) -> EditPartyDialog | None:
        match = self.selected()
        if match is None or edit_refusal(self.session):
            return None
        dialog = EditPartyDialog(self.session, match.party.id, self)
        self.dialog = dialog

        def finished(_result: int) -> None:
            if dialog.saved is not None:
                self._after_save(dialog.saved.id, f"已更正“{dialog.saved.name}”的信息")
            elif dialog.reloaded:
                self.refresh()

        dialog.finished.connect(finished)
        dialog.open()
        return dialog

    def new_party(self) -> NewPartyDialog | None:
        if edit_refusal(self.session):
            return None
        dialog = NewPartyDialog(self.session, self, name=self.search.text().strip())
        self.dialog = dialog

        def finished(_result: int) -> None:
            party = dialog.chosen
            if party is not None:
                existing = party.id in {d.party.id for d in dialog.duplicates}
                self.search.setText(party.name)
                self._after_save(
                    party.id,
                    f"“{party.name}”已在册，未重复登记" if existing else f"已登记当事人“{party.name}”",
                )

        dialog.finished.connect(finished)
        dialog.open()
        return dialog

    def _after_save(self, party_id: str, done: str) -> None:
        self.run_search()
        self.select_party(party_id)
        self._say(done)
        self.changed.emit()


__all__ = ["PartiesPanel"]
