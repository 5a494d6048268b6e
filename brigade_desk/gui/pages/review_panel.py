"""The legal review and collective discussion of one case, for the case's 审核 tab.

法制审核: why the case is a major decision, the status of the latest round (审核通过 / 待审核 /
退回修改 / 不同意), and — when content changed after a passed review — 已失效 in red with what changed;
提交法制审核 for handlers; every round with its status, signer and key fingerprints, and the chosen
round's checklist.

集体讨论: whether one is required and why; 记录集体讨论; the latest record with each leader's opinion
and reasons and their confirmation — 签名确认 with the leader's password (the leader at the keyboard
need not be the one signed in: their password proves it), or a recorded paper signature.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from brigade_desk.core.errors import BrigadeError
from brigade_desk.core.rules.permissions import Permission
from brigade_desk.core.services.reviews import DiscussionView, ReviewState, RoundView
from brigade_desk.gui.discussion_dialog import DiscussionDialog, NoteDialog
from brigade_desk.gui.formatting import show_date, show_datetime
from brigade_desk.gui.session import DeskSession
from brigade_desk.gui.signature import SignatureDialog, SignatureInput
from brigade_desk.gui.style import ERROR, colour, set_error_style
from brigade_desk.gui.tables import read_only_table

ROUND_HEADERS = ("轮次", "状态", "审核期限", "审核人", "审核人公钥指纹")
FINGERPRINT_COLUMN = ROUND_HEADERS.index("审核人公钥指纹")
CHECK_HEADERS = ("审核事项", "答复", "说明")
LEADER_HEADERS = ("负责人", "意见", "理由", "确认")


def _rows_height(table: QTableWidget, rows: int) -> None:
    """Tall enough for the header and `rows` rows: a short list needs no scroll bar of its own."""
    height = table.horizontalHeader().sizeHint().height() + table.verticalHeader().defaultSectionSize() * rows
    table.setFixedHeight(height + 2 * table.frameWidth() + 4)


def _fill(table: QTableWidget, rows: list[tuple[str, ...]], *, red_rows: set[int] | None = None) -> None:
    table.setRowCount(len(rows))
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            if red_rows and r in red_rows:
                item.setForeground(QBrush(colour(ERROR)))
            table.setItem(r, c, item)


def _value() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def confirmation_text(method: str, fingerprint: str, note: str, valid: bool, at: str) -> str:
    if not method:
        return "未确认"
    if not valid:
        return "签名无效"
    if method == "paper":
        return f"纸质签名（{note}）"
    return f"电子签名 {fingerprint}（{at}）"


class ReviewPanel(QWidget):
    """One case's review rounds and discussions; `changed(case_id)` after anything was recorded."""

    changed = Signal(str)

    def __init__(self, session: DeskSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.case_id: str | None = None
        self.state: ReviewState | None = None
        self.rounds: list[RoundView] = []
        self.discussion: DiscussionView | None = None
        self.dialog: QDialog | None = None

        # --- legal review ------------------------------------------------------------------------
        self.major = _value()
        self.status = _value()
        font = self.status.font()
        font.setBold(True)
        self.status.setFont(font)
        self.stale = _value()
        set_error_style(self.stale)
        self.stale.hide()
        self.submit_button = QPushButton("提交法制审核")
        self.submit_button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.submit_button.setToolTip("将拟作出的决定、事实、证据、裁量、听证记录和文书草稿提交法制审核")
        self.submit_button.clicked.connect(self.submit)
        self.submit_message = QLabel()
        self.submit_message.setWordWrap(True)
        self.submit_message.hide()
        submit_row = QHBoxLayout()
        submit_row.addWidget(self.submit_button, 0, Qt.AlignmentFlag.AlignTop)
        submit_row.addWidget(self.submit_message, 1)
        submit_row.addStretch(0)

        self.rounds_table = read_only_table(ROUND_HEADERS, FINGERPRINT_COLUMN)
        _rows_height(self.rounds_table, 3)
        self.rounds_table.itemSelectionChanged.connect(self._show_round)
        self.round_detail = _value()
        self.checklist_table = read_only_table(CHECK_HEADERS, 2)
        _rows_height(self.checklist_table, 9)
        self.checklist_table.hide()

        review_box = QGroupBox("法制审核")
        head = QFormLayout()
        head.addRow("重大执法决定：", self.major)
        head.addRow("审核状态：", self.status)
        review_layout = QVBoxLayout(review_box)
        review_layout.addLayout(head)
        review_layout.addWidget(self.stale)
        review_layout.addLayout(submit_row)
        review_layout.addWidget(self.rounds_table)
        review_layout.addWidget(self.round_detail)
        review_layout.addWidget(self.checklist_table)

        # --- collective discussion -------------------------------------------------------------------
        self.discussion_status = _value()
        self.record_button = QPushButton("记录集体讨论…")
        self.record_button.clicked.connect(self.record_discussion)
        self.discussion_message = QLabel()
        self.discussion_message.setWordWrap(True)
        self.discussion_message.hide()
        record_row = QHBoxLayout()
        record_row.addWidget(self.record_button, 0, Qt.AlignmentFlag.AlignTop)
        record_row.addWidget(self.discussion_message, 1)
        record_row.addStretch(0)
        self.discussion_summary = _value()
        self.leaders_table = read_only_table(LEADER_HEADERS, LEADER_HEADERS.index("确认"))
        _rows_height(self.leaders_table, 3)
        self.leaders_table.itemSelectionChanged.connect(self._update_buttons)
        self.confirm_button = QPushButton("签名确认…")
        self.confirm_button.setToolTip("所选负责人输入本人密码，以本人签名密钥确认讨论记录")
        self.confirm_button.clicked.connect(self.confirm_selected)
        self.paper_button = QPushButton("登记纸质签名…")
        self.paper_button.setToolTip("负责人已在纸质记录上签名时，登记签名所在位置")
        self.paper_button.clicked.connect(self.paper_selected)
        self.confirm_message = QLabel()
        self.confirm_message.setWordWrap(True)
        self.confirm_message.hide()
        confirm_row = QHBoxLayout()
        confirm_row.addWidget(self.confirm_button, 0, Qt.AlignmentFlag.AlignTop)
        confirm_row.addWidget(self.paper_button, 0, Qt.AlignmentFlag.AlignTop)
        confirm_row.addWidget(self.confirm_message, 1)
        confirm_row.addStretch(0)
        for button in (self.record_button, self.confirm_button, self.paper_button):
            button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)

        discussion_box = QGroupBox("集体讨论")
        discussion_layout = QVBoxLayout(discussion_box)
        discussion_layout.addWidget(self.discussion_status)
        discussion_layout.addLayout(record_row)
        discussion_layout.addWidget(self.discussion_summary)
        discussion_layout.addWidget(self.leaders_table)
        discussion_layout.addLayout(confirm_row)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.message)
        layout.addWidget(review_box)
        layout.addWidget(discussion_box)

    # --- loading -----------------------------------------------------------------------------------

    def load(self, case_id: str | None, *, keep_messages: bool = False) -> None:
        self.case_id = case_id
        if not keep_messages:
            for label in (self.submit_message, self.discussion_message, self.confirm_message, self.message):
                label.hide()
        if case_id is None:
            self.state, self.rounds, self.discussion = None, [], None
            self._show()
            return
        services, actor = self.session.services, self.session.actor
        try:
            self.state = services.reviews.state(actor, case_id)
            self.rounds = services.reviews.rounds(actor, case_id)
            discussions = services.reviews.discussions(actor, case_id)
        except BrigadeError as exc:
            self.state, self.rounds, discussions = None, [], []
            set_error_style(self.message)
            self.message.setText(exc.message)
            self.message.show()
        self.discussion = discussions[0] if discussions else None
        self._show()

    def _show(self) -> None:
        state = self.state
        if state is None:
            self.major.clear()
            self.status.clear()
            self.stale.hide()
            _fill(self.rounds_table, [])
            _fill(self.leaders_table, [])
            self.discussion_status.clear()
            self.discussion_summary.clear()
            self._show_round()
            self._update_buttons()
            return
        reasons = "；".join(state.reasons)
        self.major.setText(f"是。{reasons}" if state.required else "否（无须法制审核）")
        latest = state.latest
        if latest is None:
            status = "尚未提交法制审核" if state.required else "—"
        elif state.stale:
            status = f"审核已失效（第{latest.round}轮原为审核通过）"
        else:
            status = f"{latest.status_label}（第{latest.round}轮）"
            if latest.status == "pending":
                status += f"，审核期限{show_date(latest.due_on)}" + ("，已逾期" if latest.overdue else "")
        self.status.setText(status)
        if state.stale:
            set_error_style(self.status)
            changed = "、".join(state.changed)
            self.stale.setText(
                f"审核通过后以下内容已变化：{changed}。原审核意见已失效，决定书不能签发，须重新提交法制审核。"
            )
            self.stale.show()
        else:
            self.status.setStyleSheet("")
            self.stale.hide()
        _fill(
            self.rounds_table,
            [
                (
                    f"第{r.round}轮",
                    r.status_label + ("（已失效）" if state.stale and r is self.rounds[0] else ""),
                    show_date(r.due_on) + ("（已延长）" if r.extended else ""),
                    r.reviewer,
                    r.fingerprint,
                )
                for r in self.rounds
            ],
            red_rows={0} if state.stale else set(),
        )
        if self.rounds:
            self.rounds_table.selectRow(0)
        self._show_round()
        self._show_discussion(state)
        self._update_buttons()

    def _show_round(self) -> None:
        index = self.rounds_table.currentRow()
        chosen = self.rounds[index] if 0 <= index < len(self.rounds) else None
        if chosen is None:
            self.round_detail.hide()
            self.checklist_table.hide()
            return
        lines = [f"第{chosen.round}轮：{chosen.submitted_by}于{show_datetime(chosen.submitted_at)}提交"]
        if chosen.signed_at is not None:
            lines.append(
                f"审核人{chosen.reviewer}于{show_datetime(chosen.signed_at)}签名，公钥指纹 {chosen.fingerprint}"
            )
        if chosen.head_name:
            lines.append(f"法制机构负责人{chosen.head_name}签名，公钥指纹 {chosen.head_fingerprint}")
        if chosen.opinion:
            lines.append(f"审核结论：{chosen.opinion}。{chosen.opinion_text}")
        lines.append(f"审核材料摘要（SHA-256）：{chosen.package_hash}")
        self.round_detail.setText("\n".join(lines))
        self.round_detail.show()
        if not chosen.checklist:
            self.checklist_table.hide()
            return
        self.round_detail.show()
        _fill(
            self.checklist_table,
            [(line.label, line.answer, line.note) for line in chosen.checklist],
            red_rows={n for n, line in enumerate(chosen.checklist) if not line.ok},
        )
        self.checklist_table.show()

    def _show_discussion(self, state: ReviewState) -> None:
        d = self.discussion
        if not state.discussion_required:
            need = "本案无须集体讨论"
        elif state.required:
            need = "须经负责人集体讨论决定：重大执法决定（行政处罚法第五十七条第二款）"
        else:
            need = "须经负责人集体讨论决定（本单位设置：不予处罚、减轻处罚等须集体讨论）"
        if d is None:
            done = "尚无集体讨论记录" if state.discussion_required else ""
        else:
            done = f"已记录（{show_date(d.held_on)}），负责人已确认 {d.confirmed} 人" + (
                "" if state.discussion_done else "，须至少两名负责人确认"
            )
        self.discussion_status.setText("；".join(p for p in (need, done) if p))
        if state.discussion_required and not state.discussion_done:
            set_error_style(self.discussion_status)
        else:
            self.discussion_status.setStyleSheet("")
        if d is None:
            self.discussion_summary.clear()
            self.discussion_summary.hide()
            _fill(self.leaders_table, [])
            self.leaders_table.hide()
            return
        attendees = "、".join(f"{n}（{p}）" if p else n for n, p in d.attendees) or "无"
        self.discussion_summary.setText(
            f"{show_date(d.held_on)}　{d.place}　主持人：{d.chair or '—'}　记录人：{d.recorder}\n"
            f"列席人员：{attendees}\n案情汇报：{d.report}\n讨论结论：{d.conclusion}\n"
            f"记录摘要（SHA-256）：{d.content_hash}"
        )
        self.discussion_summary.show()
        _fill(
            self.leaders_table,
            [
                (
                    o.name,
                    o.opinion,
                    o.reasons,
                    confirmation_text(o.method, o.fingerprint, o.note, o.valid, show_datetime(o.at)),
                )
                for o in d.opinions
            ],
        )
        self.leaders_table.show()

    def _update_buttons(self) -> None:
        state = self.state
        edit = self.session.can(Permission.CASE_EDIT)
        # Open while nothing is pending and no valid passed review stands (first, returned, stale).
        latest = state.latest if state else None
        open_ = bool(
            state
            and state.required
            and (latest is None or (latest.status != "pending" and (not state.passed or state.stale)))
        )
        self.submit_button.setVisible(open_)
        self.submit_button.setEnabled(edit and open_)
        if state and state.required and not edit:
            self.submit_button.setToolTip("须由承办的执法人员提交法制审核")
        self.record_button.setVisible(bool(state and state.discussion_required))
        self.record_button.setEnabled(edit)
        leader = self.selected_leader()
        has = self.discussion is not None
        self.confirm_button.setVisible(has)
        self.paper_button.setVisible(has)
        unconfirmed = leader is not None and not leader[3]
        self.confirm_button.setEnabled(unconfirmed)
        self.paper_button.setEnabled(unconfirmed and edit)

    def selected_leader(self) -> tuple[str, str, str, str] | None:
        """(user id, name, opinion, method) of the leader chosen in the table."""
        d = self.discussion
        index = self.leaders_table.currentRow()
        if d is None or not (0 <= index < len(d.opinions)) or not self.leaders_table.selectedItems():
            return None
        o = d.opinions[index]
        return o.user_id, o.name, o.opinion, o.method if o.valid else ""

    def select_leader(self, name: str) -> bool:
        if self.discussion is None:
            return False
        for index, o in enumerate(self.discussion.opinions):
            if o.name == name:
                self.leaders_table.selectRow(index)
                return True
        return False

    # --- actions -------------------------------------------------------------------------------------

    def _say(self, label: QLabel, text: str, *, error: bool) -> None:
        if error:
            set_error_style(label)
        else:
            label.setStyleSheet("")
        label.setText(text)
        label.show()

    def _reload(self, case_id: str) -> None:
        self.load(case_id, keep_messages=True)
        self.changed.emit(case_id)

    def submit(self) -> None:
        case_id = self.case_id
        if case_id is None:
            return
        try:
            self.session.services.reviews.submit(self.session.actor, case_id)
        except BrigadeError as exc:
            self._say(self.submit_message, exc.message, error=True)
            return
        self._say(self.submit_message, "已提交法制审核，等待法制审核人员出具意见", error=False)
        self._reload(case_id)

    def record_discussion(self) -> DiscussionDialog | None:
        case_id = self.case_id
        if case_id is None:
            return None
        title = ""
        try:
            detail = self.session.services.cases.get(self.session.actor, case_id)
            title = f"{detail.case_number or '（未立案）'} {detail.summary}"
        except BrigadeError:
            pass
        dialog = DiscussionDialog(self.session, case_id, title, self)
        self.dialog = dialog

        def finished(result: int) -> None:
            if result == QDialog.DialogCode.Accepted:
                self._say(self.discussion_message, "已保存集体讨论记录；请参加的负责人签名确认", error=False)
                self._reload(case_id)

        dialog.finished.connect(finished)
        dialog.open()
        return dialog

    def confirm_selected(self) -> SignatureDialog | None:
        leader = self.selected_leader()
        d, case_id = self.discussion, self.case_id
        if leader is None or d is None or case_id is None:
            return None
        user_id, name, opinion, _method = leader
        services, actor = self.session.services, self.session.actor

        def submit(values: SignatureInput) -> None:
            signer = actor
            if actor.user_id != user_id:  # the leader at the keyboard proves who they are
                login = next(
                    (
                        u.login
                        for u in services.users.list_users(actor, include_inactive=False)
                        if u.id == user_id
                    ),
                    "",
                )
                signer = services.users.sign_in(login, values.password)
            services.reviews.confirm_discussion(signer, d.discussion_id, values.password)

        what = (
            f"确认{show_date(d.held_on)}集体讨论记录（本人意见：{opinion}；讨论结论：{d.conclusion}）。"
            f"签名对象为讨论记录全文的摘要 {d.content_hash[:16]}…"
        )
        dialog = SignatureDialog(
            self.session, "签名确认 — 集体讨论记录", what, submit, signer=name, parent=self
        )
        self.dialog = dialog

        def finished(result: int) -> None:
            if result == QDialog.DialogCode.Accepted:
                self._say(self.confirm_message, f"{name}已签名确认", error=False)
                self._reload(case_id)
            elif result == SignatureDialog.REFUSED and dialog.refusal is not None:
                self._say(self.confirm_message, dialog.refusal.message, error=True)

        dialog.finished.connect(finished)
        dialog.open()
        return dialog

    def paper_selected(self) -> NoteDialog | None:
        leader = self.selected_leader()
        d, case_id = self.discussion, self.case_id
        if leader is None or d is None or case_id is None:
            return None
        user_id, name, _opinion, _method = leader
        services, actor = self.session.services, self.session.actor
        dialog = NoteDialog(
            "登记纸质签名",
            f"{name}已在纸质集体讨论记录上签名。请写明签名所在位置，以便核对。",
            "签名位置",
            "如：案卷第12页",
            lambda note: services.reviews.record_paper_signature(actor, d.discussion_id, user_id, note),
            self,
        )
        self.dialog = dialog

        def finished(result: int) -> None:
            if result == QDialog.DialogCode.Accepted:
                self._say(self.confirm_message, f"已登记{name}的纸质签名", error=False)
                self._reload(case_id)

        dialog.finished.connect(finished)
        dialog.open()
        return dialog
