"""立案审批表 as a form laid out like the paper one, and the leader's 立案审批 of a proposal.

The form offers the township's claimed power items valid on the violation date; the county's items
can be shown too, and choosing one gives core's message naming the county department (the lead can
then be transferred). Parties are found as one types; officers show their certificates' validity.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from brigade_desk.core.errors import BrigadeError
from brigade_desk.core.rules.procedure import CASE_SOURCES
from brigade_desk.core.services.cases import CaseDetail
from brigade_desk.core.services.leads import LeadView
from brigade_desk.core.services.procedure import CaseHandling, FilingInput, PowerItemView
from brigade_desk.gui.fields import (
    CheckList,
    OfficerPicker,
    date_edit,
    date_value,
    datetime_edit,
    datetime_value,
    from_qdate,
    session_now,
    session_today,
)
from brigade_desk.gui.formatting import show_date, show_datetime, show_fen
from brigade_desk.gui.forms import FormErrors, align_labels, chain_tab_order, error_label
from brigade_desk.gui.pages.parties_pick import PartyPicker
from brigade_desk.gui.paper_form import PaperDialog, form_layout
from brigade_desk.gui.session import DeskSession
from brigade_desk.gui.signature import SignatureDialog

# Parts of a refusal and the field they concern.
FILING_ROUTES: tuple[tuple[str, str], ...] = (
    ("赋权", "赋权事项"),
    ("管辖", "赋权事项"),
    ("权力事项", "赋权事项"),
    ("执法证", "执法人员"),
    ("执法人员", "执法人员"),
    ("时效", "违法行为发生日期"),
    ("当事人", "当事人"),
)


def item_label(item: PowerItemView) -> str:
    label = f"{item.name}（{item.code}）"
    if not item.claimed:
        label += f"　— 未承接，属{item.source_department or '县级主管部门'}"
    return label


class PowerItemPicker(QWidget):
    """立案依据: claimed items valid on the day; the county's items only when asked for. With
    `single` (a decision on one item), ticking an item unticks the one ticked before."""

    def __init__(
        self, session: DeskSession, on: date, parent: QWidget | None = None, *, single: bool = False
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.on = on
        self.single = single
        self.items: list[PowerItemView] = []
        self.load_error = ""
        try:
            self.items = session.services.procedure.power_items(session.actor)
        except BrigadeError as exc:
            self.load_error = exc.message
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("输入事项名称或编码筛选")
        self.filter.setClearButtonEnabled(True)
        self.show_unclaimed = QCheckBox("显示县级部门的事项（本乡镇未承接）")
        self.list = CheckList()
        self.list.fit_rows(6)
        self.basis = QLabel()
        self.basis.setWordWrap(True)
        self.basis.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.filter.textChanged.connect(self._apply_filter)
        self.show_unclaimed.toggled.connect(lambda _on: self.refill())
        self.list.changed.connect(self._show_basis)
        self.list.itemChanged.connect(self._keep_single)
        top = QHBoxLayout()
        top.addWidget(self.filter, 1)
        top.addWidget(self.show_unclaimed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.list)
        layout.addWidget(self.basis)
        self.refill()

    def set_day(self, on: date) -> None:
        self.on = on
        self.refill()

    def refill(self) -> None:
        checked = self.list.values()
        shown = [
            i
            for i in self.items
            if i.id in checked or (i.valid_on(self.on) and (i.claimed or self.show_unclaimed.isChecked()))
        ]
        self.list.set_choices(((i.id, item_label(i)) for i in shown), checked)
        self._apply_filter()

    def _apply_filter(self) -> None:
        text = self.filter.text().strip().lower()
        for row in range(self.list.count()):
            item = self.list.item(row)
            hidden = (
                bool(text) and text not in item.text().lower() and item.checkState() != Qt.CheckState.Checked
            )
            item.setHidden(hidden)

    def _keep_single(self, changed: QListWidgetItem) -> None:
        if not self.single or changed.checkState() != Qt.CheckState.Checked:
            return
        others = [v for v in self.list.values() if v != changed.data(Qt.ItemDataRole.UserRole)]
        self.list.set_checked(others, False)

    def _show_basis(self) -> None:
        chosen = [i for i in self.items if i.id in self.list.values()]
        lines = []
        for item in chosen:
            amount = ""
            if item.penalty_max_fen is not None:
                amount = f"；罚款{show_fen(item.penalty_min_fen or 0)}至{show_fen(item.penalty_max_fen)}"
            lines.append(f"{item.name}：{item.legal_basis or '（未录入法律依据）'}{amount}")
        self.basis.setText("\n".join(lines))
        self.basis.setVisible(bool(lines))

    def values(self) -> tuple[str, ...]:
        return self.list.values()

    def check(self, item_ids: Sequence[str]) -> None:
        missing = [i for i in item_ids if self.list.item_for(i) is None]
        if missing:
            self.show_unclaimed.setChecked(True)
        self.list.set_checked(item_ids)
        first = self.list.item_for(item_ids[0]) if item_ids else None
        if first is not None:
            self.list.scrollToItem(first)


class FilingDialog(PaperDialog):
    """立案审批表: the officer's proposal to file, sent to the leader for approval."""

    routes = FILING_ROUTES

    def __init__(
        self, session: DeskSession, parent: QWidget | None = None, *, lead: LeadView | None = None
    ) -> None:
        super().__init__(session, "立案审批表", "立案审批表", "提交立案审批", parent)
        self.lead = lead
        self.setMinimumWidth(860)
        today = session_today(session)

        # --- fields ---------------------------------------------------------------------------------
        self.source = QComboBox()
        for source in CASE_SOURCES:
            self.source.addItem(source, source)
        self.received_at = datetime_edit(lead.received_at if lead else session_now(session))
        self.parties = PartyPicker(session)
        self.summary = QLineEdit()
        self.summary.setPlaceholderText("如：陈喆擅自占用城市道路从事经营活动案")
        self.violation_date = date_edit((lead.violation_date if lead else None) or today)
        self.violation_end = date_edit(optional=True)
        self.violation_end.setToolTip("持续或连续的违法行为，填写终了之日；追责时效从终了之日起算")
        self.place = QLineEdit(lead.place if lead else "")
        self.facts = QPlainTextEdit(lead.description if lead else "")
        self.facts.setTabChangesFocus(True)
        self.facts.setPlaceholderText("简要案情：时间、地点、当事人、违法行为及其初步证据")
        self.facts.setMinimumHeight(self.fontMetrics().height() * 4 + 12)
        self.facts.setMaximumHeight(self.fontMetrics().height() * 7 + 12)
        self.items = PowerItemPicker(session, from_qdate(self.violation_date.date()))
        self.officers = OfficerPicker(
            session,
            today,
            checked=(session.actor.user_id,) if session.actor.user_id else (),
        )
        self.officer_note = QLabel("至少两名持有效执法证的执法人员；先勾选的为主办人员")
        self.serious_harm = QCheckBox("违法行为涉及公民生命健康安全、金融安全且有危害后果（追责时效五年）")
        self.violation_date.dateChanged.connect(lambda d: self.items.set_day(from_qdate(d)))
        if lead is not None:
            self.source.setCurrentIndex(self.source.findData(lead.source))
            self.source.setEnabled(False)
            self.received_at.setEnabled(False)

        # --- layout like the paper form -----------------------------------------------------------
        head_left, head_right = form_layout(), form_layout()
        self.errors.add_row(head_left, "案件来源", "来源", self.source)
        self.errors.add_row(head_right, "受案时间", "受案时间", self.received_at)
        heading = QHBoxLayout()
        heading.addLayout(head_left, 1)
        heading.addLayout(head_right, 1)

        main = form_layout()
        if lead is not None:
            lead_text = QLabel(f"{lead.origin}：{lead.description}")
            lead_text.setWordWrap(True)
            main.addRow("线索", lead_text)
        self.errors.add_row(main, "当事人", "当事人", self.parties)
        self.errors.add_row(main, "案由", "案由", self.summary)

        dates_left, dates_right = form_layout(), form_layout()
        self.errors.add_row(dates_left, "违法行为发生日期", "违法行为发生日期", self.violation_date)
        self.errors.add_row(dates_right, "终了日期", "违法行为终了日期", self.violation_end)
        dates = QHBoxLayout()
        dates.addLayout(dates_left, 1)
        dates.addLayout(dates_right, 1)

        rest = form_layout()
        self.errors.add_row(rest, "违法地点", "地点", self.place)
        self.errors.add_row(rest, "简要案情", "案件事实", self.facts)
        self.errors.add_row(rest, "立案依据", "赋权事项", self.items)
        self.errors.add_row(rest, "承办人员", "执法人员", self.officers)
        rest.addRow("", self.officer_note)
        rest.addRow("", self.serious_harm)
        align_labels(head_left, main, dates_left, rest)

        for part in (heading, main, dates, rest):
            self.paper_layout.addLayout(part)
        self.end_paper("承办机构意见和负责人审批意见：提交后由负责人在“审核”页或案件详情中签署。")
        chain_tab_order(
            [
                self.source,
                self.received_at,
                self.parties.search,
                self.parties.new_button,
                self.summary,
                self.violation_date,
                self.violation_end,
                self.place,
                self.facts,
                self.items.filter,
                self.items.show_unclaimed,
                self.items.list,
                self.officers,
                self.serious_harm,
                self.save_button,
                self.cancel_button,
            ]
        )
        self.resize(900, 820)
        self.parties.search.setFocus()

    def filing_input(self) -> FilingInput:
        return FilingInput(
            power_item_ids=self.items.values(),
            party_ids=self.parties.party_ids(),
            officer_ids=self.officers.values(),
            violation_date=from_qdate(self.violation_date.date()),
            summary=self.summary.text(),
            facts=self.facts.toPlainText(),
            place=self.place.text(),
            violation_end_date=date_value(self.violation_end),
            serious_harm=self.serious_harm.isChecked(),
            lead_id=self.lead.id if self.lead else None,
            source=self.source.currentData(),
            received_at=None if self.lead else datetime_value(self.received_at),
        )

    def submit(self) -> str:
        return self.session.services.procedure.propose_filing(self.session.actor, self.filing_input())

    def typed(self) -> bool:
        """Whether the person typed anything beyond what the lead brought."""
        own = [self.summary.text(), *(("",) if self.lead else (self.place.text(), self.facts.toPlainText()))]
        return any(t.strip() for t in own) or bool(self.parties.parties)


class ApproveFilingDialog(QDialog):
    """负责人审批立案: the proposal read back, an opinion, 同意立案 or 不予立案."""

    def __init__(
        self,
        session: DeskSession,
        case: CaseDetail,
        handling: CaseHandling | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.case = case
        self.case_number: str | None = None
        self.decided = False
        self.signature_dialog: SignatureDialog | None = None
        self.setWindowTitle("立案审批")
        self.setMinimumWidth(640)
        self.bottom_error = error_label(self)
        self.errors = FormErrors(self.bottom_error)

        facts = form_layout()
        officers = "、".join(o.name for o in handling.officers) if handling else ""
        items = "；".join(i.name for i in handling.power_items) if handling else ""
        for title, text in (
            ("案由", case.summary),
            ("当事人", "、".join(case.parties)),
            ("案件来源", f"{case.source}（受案：{show_datetime(case.received_at)}）"),
            ("违法行为发生日期", show_date(case.violation_date)),
            ("违法地点", case.place),
            ("简要案情", case.facts),
            ("立案依据", items),
            ("承办人员", officers),
        ):
            value = QLabel(text or "—")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            facts.addRow(f"{title}：", value)
        self.opinion = QPlainTextEdit("同意立案。")
        self.opinion.setTabChangesFocus(True)
        self.opinion.setMinimumHeight(self.fontMetrics().height() * 3 + 12)
        opinion_form = form_layout()
        self.errors.add_row(opinion_form, "审批意见", "审批意见", self.opinion)
        align_labels(facts, opinion_form)

        buttons = QDialogButtonBox()
        self.approve_button = buttons.addButton("同意立案", QDialogButtonBox.ButtonRole.AcceptRole)
        self.refuse_button = buttons.addButton("不予立案", QDialogButtonBox.ButtonRole.ActionRole)
        cancel = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.approve_button.clicked.connect(lambda: self.decide(True))
        self.refuse_button.clicked.connect(lambda: self.decide(False))
        cancel.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(facts)
        layout.addLayout(opinion_form)
        layout.addWidget(self.bottom_error)
        layout.addWidget(buttons)

    def decide(self, approved: bool) -> SignatureDialog:
        """The approval is signed with the leader's password (签名确认, gui/signature.py); it is
        recorded when signed, and a refusal comes back beside the opinion."""
        self.errors.clear()
        services, actor, case = self.session.services, self.session.actor, self.case
        opinion = self.opinion.toPlainText()
        verdict = "同意立案" if approved else "不予立案"
        dialog = SignatureDialog(
            self.session,
            "签名确认 — 立案审批",
            f"{verdict}：{case.summary}（签名对象：审批结论、意见、审批人和时间）。",
            lambda s: services.procedure.approve_filing(
                actor, case.id, approved, opinion, case.version, password=s.password
            ),
            parent=self,
        )
        self.signature_dialog = dialog

        def finished(result: int) -> None:
            if result == QDialog.DialogCode.Accepted:
                self.case_number = str(dialog.result_value or "") or None
                self.decided = True
                self.accept()
            elif result == SignatureDialog.REFUSED and dialog.refusal is not None:
                self.errors.show_error(dialog.refusal)

        dialog.finished.connect(finished)
        dialog.open()
        return dialog
