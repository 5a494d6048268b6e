"""当场处罚 (简易程序): the officers' decision on the spot, laid out in the order of the
当场行政处罚决定书 it feeds — party, when and where, what was done, the item and its basis, the
penalty, payment, the officers.

Every rule (the 200 / 3,000 yuan limits, the item's statutory range, on-the-spot collection, two
certified officers, the item claimed and valid) is core's (`ProcedureService.on_the_spot`); a refusal is shown beside the fields it
concerns and everything typed stays. The limits are printed as a hint only.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from brigade_desk.core.errors import ValidationError
from brigade_desk.core.rules.gates import (
    ON_SPOT_COLLECTION_LIMIT_FEN,
    SIMPLE_LIMIT_ORG_FEN,
    SIMPLE_LIMIT_PERSON_FEN,
)
from brigade_desk.core.services.leads import LeadView
from brigade_desk.core.services.procedure import SimpleInput
from brigade_desk.gui.fields import (
    OfficerPicker,
    date_edit,
    from_qdate,
    money_edit,
    session_today,
    yuan_to_fen,
)
from brigade_desk.gui.formatting import show_datetime, show_fen
from brigade_desk.gui.forms import align_labels, chain_tab_order
from brigade_desk.gui.pages.filing import PowerItemPicker
from brigade_desk.gui.pages.parties_pick import PartyPicker
from brigade_desk.gui.paper_form import PaperDialog, form_layout
from brigade_desk.gui.session import DeskSession

# The form the decision is written on, offered once the penalty is recorded.
DECISION_FORM = "on_the_spot_decision"

# Parts of a refusal and the field they concern. The first match wins: collection before the fine,
# and the item and officer messages (which quote names) before the words of the fine.
ROUTES: tuple[tuple[str, str], ...] = (
    ("当场收缴", "当场收缴"),
    ("法定最低额", "减轻处罚情节"),
    ("赋权", "赋权事项"),
    ("管辖", "赋权事项"),
    ("权力事项", "赋权事项"),
    ("执法证", "执法人员"),
    ("执法人员", "执法人员"),
    ("罚款", "罚款金额"),
    ("警告", "罚款金额"),
    ("当事人", "当事人"),
)

LIMITS_HINT = (
    f"简易程序罚款：对公民{show_fen(SIMPLE_LIMIT_PERSON_FEN)}以下，对法人或者其他组织"
    f"{show_fen(SIMPLE_LIMIT_ORG_FEN)}以下（《行政处罚法》第五十一条）"
)
COLLECTION_HINT = (
    f"当场收缴限于{show_fen(ON_SPOT_COLLECTION_LIMIT_FEN)}以下，或不当场收缴事后难以执行的"
    "（《行政处罚法》第六十八条、第六十九条）；\n须出具财政部门统一制发的罚款收据（第七十条）"
)


class OnTheSpotDialog(PaperDialog):
    """当场处罚: records the decision (a numbered 简罚 case, decided and handed over) in one step."""

    routes = ROUTES

    def __init__(
        self, session: DeskSession, parent: QWidget | None = None, *, lead: LeadView | None = None
    ) -> None:
        super().__init__(session, "当场处罚（简易程序）", "当场行政处罚决定", "作出当场处罚决定", parent)
        self.setMinimumWidth(820)
        self.lead = lead
        today = session_today(session)

        # --- fields ---------------------------------------------------------------------------------
        self.parties = PartyPicker(session, single=True)
        self.decided_on = date_edit(today)
        self.place = QLineEdit(lead.place if lead else "")
        self.place.setPlaceholderText("如：青溪镇东村路口")
        self.facts = QPlainTextEdit()
        self.facts.setTabChangesFocus(True)
        self.facts.setPlaceholderText("违法事实：时间、地点、当事人的行为，执法人员当场查明的情况")
        self.facts.setFixedHeight(self.fontMetrics().height() * 3 + 12)
        self.items = PowerItemPicker(session, today, single=True)
        self.items.list.fit_rows(5)
        self.items.list.setMaximumHeight(self.items.list.minimumHeight())

        self.fine_choice = QRadioButton("罚款")
        self.warning_choice = QRadioButton("警告")
        self.fine_choice.setChecked(True)
        self.penalty_group = QButtonGroup(self)
        self.penalty_group.addButton(self.fine_choice)
        self.penalty_group.addButton(self.warning_choice)
        self.fine = money_edit()
        self.fine.setPlaceholderText("如 50 或 150.50")
        self.fine.setMaximumWidth(self.fontMetrics().horizontalAdvance("如 50 或 150.50") * 2)
        penalty = QWidget()
        penalty_row = QHBoxLayout(penalty)
        penalty_row.setContentsMargins(0, 0, 0, 0)
        penalty_row.addWidget(self.fine_choice)
        penalty_row.addWidget(self.fine)
        penalty_row.addWidget(QLabel("元"))
        penalty_row.addSpacing(24)
        penalty_row.addWidget(self.warning_choice)
        penalty_row.addStretch(1)
        # Notes are not word-wrapped (see PaperDialog.end_paper); their line breaks are in the texts.
        self.limits_note = QLabel(LIMITS_HINT)
        self.mitigation = QLineEdit()
        self.mitigation.setPlaceholderText("罚款低于该事项法定最低额的，写明减轻处罚的法定情节；否则不填")

        self.collect = QCheckBox("当场收缴罚款")
        self.hard_to_enforce = QCheckBox("不当场收缴事后难以执行（或边远、水上、交通不便地区当事人提出）")
        collection = QWidget()
        collection_rows = QVBoxLayout(collection)
        collection_rows.setContentsMargins(0, 0, 0, 0)
        self.collection_note = QLabel(COLLECTION_HINT)
        collection_rows.addWidget(self.collect)
        collection_rows.addWidget(self.hard_to_enforce)
        collection_rows.addWidget(self.collection_note)
        self.receipt_no = QLineEdit()
        self.receipt_no.setPlaceholderText("财政部门统一制发的罚款收据编号")

        self.officers = OfficerPicker(
            session, today, checked=(session.actor.user_id,) if session.actor.user_id else ()
        )
        self.officers.fit_rows(4)
        self.officers.setMaximumHeight(self.officers.minimumHeight())
        self.officer_note = QLabel("至少两名在决定日持有效执法证的执法人员；先勾选的为主办人员")

        self.decided_on.dateChanged.connect(self._day_changed)
        self.penalty_group.buttonToggled.connect(lambda _b, _on: self._enable())
        self.collect.toggled.connect(lambda _on: self._enable())

        # --- layout in the order of the decision ---------------------------------------------------
        who = form_layout()
        if lead is not None:
            # What the officers went out on; the facts are theirs to write as found on the spot.
            lead_text = QLabel(
                f"{lead.origin}，{show_datetime(lead.received_at)}受理：{lead.description}\n"
                "作出决定后该线索即办结。"
            )
            lead_text.setWordWrap(True)
            who.addRow("线索", lead_text)
        self.errors.add_row(who, "当事人", "当事人", self.parties)
        when_left, when_right = form_layout(), form_layout()
        self.errors.add_row(when_left, "决定日期", "决定日期", self.decided_on)
        self.errors.add_row(when_right, "地点", "地点", self.place)
        when = QHBoxLayout()
        when.addLayout(when_left, 0)
        when.addLayout(when_right, 1)
        rest = form_layout()
        self.errors.add_row(rest, "违法事实", "违法事实", self.facts)
        self.errors.add_row(rest, "处罚依据", "赋权事项", self.items)
        self.errors.add_row(rest, "处罚", "罚款金额", penalty)
        rest.addRow("", self.limits_note)
        self.errors.add_row(rest, "减轻处罚情节", "减轻处罚情节", self.mitigation)
        self.errors.add_row(rest, "缴纳", "当场收缴", collection)
        self.errors.add_row(rest, "罚款收据编号", "罚没款票据号", self.receipt_no)
        self.errors.add_row(rest, "执法人员", "执法人员", self.officers)
        rest.addRow("", self.officer_note)
        align_labels(who, when_left, rest)

        for part in (who, when, rest):
            self.paper_layout.addLayout(part)
        self.end_paper(
            "作出决定后程序编简易程序案号，并请您制作、签发、打印《当场行政处罚决定书》当场交付当事人；\n"
            "决定报所属行政机关备案（负责人在案件详情中点“备案”）。"
        )
        chain_tab_order(
            [
                self.parties.search,
                self.parties.new_button,
                self.decided_on,
                self.place,
                self.facts,
                self.items.filter,
                self.items.show_unclaimed,
                self.items.list,
                self.fine_choice,
                self.fine,
                self.warning_choice,
                self.mitigation,
                self.collect,
                self.hard_to_enforce,
                self.receipt_no,
                self.officers,
                self.save_button,
                self.cancel_button,
            ]
        )
        self._enable()
        self.resize(900, 820)
        self.parties.search.setFocus()

    def _day_changed(self) -> None:
        day = from_qdate(self.decided_on.date())
        self.items.set_day(day)
        self.officers.set_day(day)

    def _enable(self) -> None:
        """A warning has no amount and nothing to collect; what was typed there stays for a change of mind."""
        fine = self.fine_choice.isChecked()
        self.fine.setEnabled(fine)
        self.mitigation.setEnabled(fine)
        self.collect.setEnabled(fine)
        collecting = fine and self.collect.isChecked()
        self.hard_to_enforce.setEnabled(collecting)
        self.receipt_no.setEnabled(collecting)

    def simple_input(self) -> SimpleInput:
        """What the form says, as core's input; raises ValueError when the amount cannot be read."""
        warning = self.warning_choice.isChecked()
        fine_fen = 0 if warning else (yuan_to_fen(self.fine.text()) or 0)
        collecting = not warning and self.collect.isChecked()
        party_ids = self.parties.party_ids()
        item_ids = self.items.values()
        return SimpleInput(
            party_id=party_ids[0] if party_ids else "",
            power_item_id=item_ids[0] if item_ids else "",
            officer_ids=self.officers.values(),
            decided_on=from_qdate(self.decided_on.date()),
            place=self.place.text(),
            facts=self.facts.toPlainText(),
            fine_fen=fine_fen,
            warning_only=warning,
            collect_on_spot=collecting,
            hard_to_enforce=collecting and self.hard_to_enforce.isChecked(),
            finance_receipt_no=self.receipt_no.text() if collecting else "",
            lead_id=self.lead.id if self.lead else None,
            mitigation_ground="" if warning else self.mitigation.text(),
        )

    def submit(self) -> str:
        try:
            data = self.simple_input()
        except ValueError as exc:
            raise ValidationError.single("罚款金额", str(exc)) from None
        return self.session.services.procedure.on_the_spot(self.session.actor, data)

    def typed(self) -> bool:
        """Whether the person typed anything beyond what the lead brought."""
        place = "" if self.lead and self.place.text() == self.lead.place else self.place.text()
        texts = (
            place,
            self.facts.toPlainText(),
            self.fine.text(),
            self.mitigation.text(),
            self.receipt_no.text(),
        )
        return any(t.strip() for t in texts) or bool(self.parties.parties)
