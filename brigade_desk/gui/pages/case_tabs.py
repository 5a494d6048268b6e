"""Tabs of the case detail for the case-handling work: 当事人, 笔录, 审核 and 执行.

Each tab reads its services only when it is shown, so selecting cases in the list with another tab
open costs nothing.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from brigade_desk.core.errors import BrigadeError
from brigade_desk.core.rules.permissions import Permission
from brigade_desk.core.services.cases import CaseDetail
from brigade_desk.core.services.procedure import RecordView
from brigade_desk.gui.formatting import show_date, show_datetime, show_fen
from brigade_desk.gui.pages.case_detail import CaseTab
from brigade_desk.gui.pages.party_edit import EditPartyDialog, edit_refusal
from brigade_desk.gui.pages.record_dialog import RecordDialog
from brigade_desk.gui.pages.review_panel import ReviewPanel
from brigade_desk.gui.session import DeskSession
from brigade_desk.gui.style import CLOSED, DUE_COLOURS, colour, set_error_style
from brigade_desk.gui.tables import fill_table, read_only_table

CLOCK_WORDS = {
    "overdue": "已逾期",
    "due_today": "今日到期",
    "due_soon": "即将到期",
    "ok": "进行中",
    "elapsed": "已届满",
    "done": "已完成",
    "done_late": "超期完成",
}


def _value() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _scroll(body: QWidget) -> QScrollArea:
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    scroll.setWidget(body)
    return scroll


class LazyCaseTab(CaseTab):
    """Loads when shown; a message line on top for refusals."""

    def __init__(self, session: DeskSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.case: CaseDetail | None = None
        self._stale = False
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()

    def show_case(self, case: CaseDetail | None) -> None:
        self.case = case
        self._stale = True
        if self.isVisible():
            self.reload()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.reload()

    def reload(self) -> None:
        self._stale = False
        self.message.hide()
        try:
            self.load(self.case)
        except BrigadeError as exc:
            set_error_style(self.message)
            self.message.setText(exc.message)
            self.message.show()

    def load(self, case: CaseDetail | None) -> None:
        raise NotImplementedError


class PartiesTab(LazyCaseTab):
    """当事人: each party of the case with its identity, and its other cases (the repeat count);
    更正当事人信息 for a mistyped ID number or address."""

    label = "当事人"
    # A party was corrected: the case detail reloads the case (names, search) and tells the list.
    changed = Signal(str)

    def __init__(self, session: DeskSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.body = QWidget()
        self.body_layout = QVBoxLayout(self.body)
        self.body_layout.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.message)
        layout.addWidget(_scroll(self.body))
        self.boxes: list[QGroupBox] = []
        self.edit_buttons: dict[str, QPushButton] = {}
        self.edit_reasons: dict[str, QLabel] = {}
        self.dialog: EditPartyDialog | None = None

    def load(self, case: CaseDetail | None) -> None:
        for box in self.boxes:
            box.deleteLater()
        self.boxes = []
        self.edit_buttons, self.edit_reasons = {}, {}
        if case is None:
            return
        services, actor = self.session.services, self.session.actor
        handling = services.procedure.handling(actor, case.id)
        refusal = edit_refusal(self.session)
        for party_id in handling.party_ids:
            party = services.parties.get(actor, party_id)
            others = [c for c in services.parties.cases_of(actor, party_id) if c.case_id != case.id]
            box = QGroupBox(f"{party.name}（{party.kind_label}）")
            form = QFormLayout(box)
            button = QPushButton("更正当事人信息…")
            button.setToolTip(refusal or "更正证件号码、住址等登记有误的信息；已签发的文书不随之改变")
            button.setEnabled(not refusal)
            button.clicked.connect(lambda _checked=False, pid=party_id: self.edit_party(pid))
            reason = QLabel(refusal)
            set_error_style(reason)  # as beside the procedure's buttons
            reason.setVisible(bool(refusal))
            action_row = QHBoxLayout()
            action_row.addWidget(button)
            action_row.addWidget(reason, 1)
            action_row.addStretch(0)  # the button keeps its own width when there is no reason
            form.addRow(action_row)
            self.edit_buttons[party_id], self.edit_reasons[party_id] = button, reason
            head = "法定代表人" if party.kind == "legal_person" else "负责人"
            for title, text in (
                ("证件", f"{party.id_type} {party.id_number}".strip() if party.id_number else ""),
                ("统一社会信用代码", party.credit_code),
                ("字号", party.trade_name),
                (head, party.legal_representative),
                (f"{head}身份证号码", party.legal_representative_id),
                ("住址", party.address),
                ("联系电话", party.phone),
                ("未成年人", "是" if party.is_minor else ""),
            ):
                if text:
                    value = _value()
                    value.setText(text)
                    form.addRow(f"{title}：", value)
            penalised = [c for c in others if c.fine_fen or c.penalty_kinds]
            form.addRow(
                "其他案件：",
                QLabel(f"{len(others)} 件，其中受过处罚 {len(penalised)} 件" if others else "无"),
            )
            if others:
                table = read_only_table(("案号", "案由", "状态", "处罚"), 1)
                fill_table(
                    table,
                    [
                        (
                            c.case_number,
                            c.summary,
                            c.state_label,
                            "、".join(c.penalty_kinds) + (f" {show_fen(c.fine_fen)}" if c.fine_fen else ""),
                        )
                        for c in others
                    ],
                )
                table.setMaximumHeight(
                    table.verticalHeader().defaultSectionSize() * min(len(others) + 1, 6) + 8
                )
                form.addRow(table)
            self.body_layout.insertWidget(self.body_layout.count() - 1, box)
            self.boxes.append(box)

    def edit_party(self, party_id: str) -> EditPartyDialog | None:
        """更正当事人信息: the dialog, prefilled; a saved correction reloads the case."""
        if self.case is None or edit_refusal(self.session):
            return None
        dialog = EditPartyDialog(self.session, party_id, self)
        self.dialog = dialog
        case_id = self.case.id

        def finished(_result: int) -> None:
            if dialog.saved is not None:
                self.changed.emit(case_id)
            elif dialog.reloaded:
                self.reload()  # someone else's correction: show it here too

        dialog.finished.connect(finished)
        dialog.open()
        return dialog


class RecordsTab(LazyCaseTab):
    """笔录: the case's records, the selected one's text or questions and answers, 添加笔录."""

    label = "笔录"
    added = Signal(str)

    def __init__(self, session: DeskSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.records: list[RecordView] = []
        self.add_button = QPushButton("添加笔录…")
        self.add_button.clicked.connect(self.add_record)
        self.count_label = QLabel()
        self.table = read_only_table(("种类", "时间", "地点", "执法人员"), 2)
        self.table.currentCellChanged.connect(lambda row, *_: self._show_record(row))
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        top = QHBoxLayout()
        top.addWidget(self.count_label)
        top.addStretch(1)
        top.addWidget(self.add_button)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.text)
        split.setSizes([160, 240])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(split, 1)
        self.dialog: RecordDialog | None = None

    def load(self, case: CaseDetail | None) -> None:
        self.records = []
        self.text.clear()
        editable = case is not None and case.state in ("filed", "investigating", "notice_served", "hearing")
        self.add_button.setEnabled(editable and self.session.can(Permission.CASE_EDIT))
        self.add_button.setToolTip(
            ""
            if self.add_button.isEnabled()
            else "只有办理中（立案后、决定前）的案件可以添加笔录，且须有办理案件权限"
        )
        if case is not None:
            self.records = self.session.services.procedure.records(self.session.actor, case.id)
        self.count_label.setText(f"共 {len(self.records)} 份笔录" if self.records else "尚无笔录")
        fill_table(
            self.table,
            [
                (
                    r.kind_label,
                    f"{show_datetime(r.started_at)}—{show_datetime(r.ended_at)[-5:]}",
                    r.place,
                    "、".join(r.officers),
                )
                for r in self.records
            ],
        )
        if self.records:
            self.table.selectRow(len(self.records) - 1)
        self._show_record(self.table.currentRow())

    def _show_record(self, row: int) -> None:
        if not 0 <= row < len(self.records):
            self.text.clear()
            return
        r = self.records[row]
        lines = [
            r.kind_label,
            f"时间：{show_datetime(r.started_at)} 至 {show_datetime(r.ended_at)}",
            f"地点：{r.place}",
            f"执法人员：{'、'.join(r.officers)}",
        ]
        for person in r.persons:
            lines.append(
                "人员："
                + "　".join(
                    v
                    for v in (person.get("name", ""), person.get("role", ""), person.get("id_number", ""))
                    if v
                )
            )
        if r.text:
            lines += ["", r.text]
        for q, a in r.qa:
            lines += ["", f"问：{q}", f"答：{a}"]
        if r.recorder:
            lines += ["", f"记录人：{r.recorder}"]
        self.text.setPlainText("\n".join(lines))

    def add_record(self) -> RecordDialog | None:
        if self.case is None:
            return None
        dialog = RecordDialog(self.session, self.case.id, self)
        self.dialog = dialog
        case_id = self.case.id

        def finished(_result: int) -> None:
            if dialog.record_id is not None:
                self.reload()
                self.added.emit(case_id)

        dialog.finished.connect(finished)
        dialog.open()
        return dialog


class ReviewTab(LazyCaseTab):
    """审核: major-decision flag, legal review submissions and opinions, collective discussion,
    and every leader's approval with opinion, person and time."""

    label = "审核"
    REVIEW_STEPS = {
        "legal_review_submitted": "提交法制审核",
        "legal_review_completed": "法制审核意见",
        "collective_discussion": "集体讨论",
        "hearing_held": "听证",
    }

    # After a submission, a discussion or a confirmation here: the case detail reloads the case.
    changed = Signal(str)

    def __init__(self, session: DeskSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        # Legal review and collective discussion (review_panel.py, docs/legal-review.md).
        self.review_panel = ReviewPanel(session)
        self.review_panel.changed.connect(self.changed)
        self.steps_table = read_only_table(("日期", "环节", "意见或结论"), 2)
        self.approvals = read_only_table(("时间", "审批事项", "结论", "审批人", "意见", "签名指纹"), 4)
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 4, 0)
        body_layout.addWidget(self.review_panel)
        body_layout.addWidget(QLabel("负责人审批"))
        body_layout.addWidget(self.approvals)
        body_layout.addWidget(QLabel("审核与讨论记录"))
        body_layout.addWidget(self.steps_table)
        self.approvals.setMinimumHeight(self.fontMetrics().height() * 8)
        self.steps_table.setMinimumHeight(self.fontMetrics().height() * 8)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.message)
        layout.addWidget(_scroll(body), 1)

    def load(self, case: CaseDetail | None) -> None:
        if case is None:
            self.review_panel.load(None)
            fill_table(self.steps_table, [])
            fill_table(self.approvals, [])
            return
        services, actor = self.session.services, self.session.actor
        self.review_panel.load(case.id, keep_messages=case.id == self.review_panel.case_id)
        steps = services.procedure.steps(actor, case.id)
        fill_table(
            self.steps_table,
            [
                (show_date(s.on), self.REVIEW_STEPS[s.kind], s.note)
                for s in steps
                if s.kind in self.REVIEW_STEPS
            ],
        )
        approvals = services.procedure.approvals(actor, case.id)
        fill_table(
            self.approvals,
            [
                (
                    show_datetime(a.at),
                    a.kind_label,
                    "同意" if a.approved else "不同意",
                    a.approver_name,
                    a.opinion,
                    a.fingerprint or "未签名",
                )
                for a in approvals
            ],
        )


class ExecutionTab(LazyCaseTab):
    """执行: the decision, its service, payment, demand notice and court application, and the clocks
    that run after the decision."""

    label = "执行"
    EXECUTION_STEPS = {
        "prior_notice_served": "送达事先告知书",
        "penalty_decided": "作出行政处罚决定",
        "no_penalty_decided": "作出不予行政处罚决定",
        "decision_served": "送达决定书",
        "published": "公示",
        "publication_exempted": "不予公开",
        "deferral_approved": "批准暂缓缴纳",
        "paid": "缴纳罚款",
        "cash_collected": "当场收缴",
        "demand_notice_served": "送达催告书",
        "court_applied": "申请强制执行",
        "reconsideration": "申请行政复议",
        "litigation": "提起行政诉讼",
        "closed": "结案",
        "archived": "归档",
    }
    EXECUTION_CLOCKS = {
        "decision_service",
        "publication",
        "payment",
        "late_fine_cap",
        "demand_notice",
        "court_application",
        "reconsideration",
        "litigation",
        "cash_to_organ",
        "cash_to_bank",
    }

    def __init__(self, session: DeskSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.proposal = _value()
        self.decision = _value()
        head = QFormLayout()
        head.addRow("拟处理意见：", self.proposal)
        head.addRow("处罚决定：", self.decision)
        self.steps_table = read_only_table(("日期", "事项", "说明"), 2)
        self.clocks = read_only_table(("期限", "起算", "届满", "状态"), 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.message)
        layout.addLayout(head)
        layout.addWidget(QLabel("送达与执行"))
        layout.addWidget(self.steps_table, 1)
        layout.addWidget(QLabel("执行期限"))
        layout.addWidget(self.clocks, 1)

    def load(self, case: CaseDetail | None) -> None:
        if case is None:
            fill_table(self.steps_table, [])
            fill_table(self.clocks, [])
            return
        services, actor = self.session.services, self.session.actor
        h = services.procedure.handling(actor, case.id)
        proposal = h.proposed_outcome_label or "调查终结后填写"
        if h.penalty_kinds and h.proposed_outcome == "penalty":
            proposal += "：" + "、".join(h.penalty_kinds)
        if h.proposed_fine_fen is not None:
            proposal += f"，罚款{show_fen(h.proposed_fine_fen)}"
        if h.mitigation_ground:
            proposal += f"（减轻依据：{h.mitigation_ground}）"
        self.proposal.setText(proposal)
        steps = services.procedure.steps(actor, case.id)
        decided = [s for s in steps if s.kind in ("penalty_decided", "no_penalty_decided")]
        if not decided:
            self.decision.setText("尚未作出")
        elif decided[-1].kind == "no_penalty_decided":
            self.decision.setText(f"{show_date(decided[-1].on)}作出不予行政处罚决定")
        else:
            what = "、".join(h.penalty_kinds) + (f"，罚款{show_fen(h.fine_fen)}" if h.fine_fen else "")
            self.decision.setText(
                f"{show_date(decided[-1].on)}作出行政处罚决定" + (f"：{what}" if what else "")
            )
        fill_table(
            self.steps_table,
            [
                (show_date(s.on), self.EXECUTION_STEPS[s.kind], s.note)
                for s in steps
                if s.kind in self.EXECUTION_STEPS
            ],
        )
        status = services.procedure.status(actor, case.id)
        clocks = [d for d in status.deadlines if d.clock in self.EXECUTION_CLOCKS]
        fill_table(
            self.clocks,
            [
                (d.label, show_date(d.start), show_date(d.due), CLOCK_WORDS.get(str(d.status), str(d.status)))
                for d in clocks
            ],
        )
        for row, d in enumerate(clocks):
            shade: Any = DUE_COLOURS.get(str(d.status))
            if shade is None and str(d.status) in ("done", "elapsed"):
                shade = CLOSED
            if shade:
                for column in range(self.clocks.columnCount()):
                    self.clocks.item(row, column).setForeground(colour(shade))
