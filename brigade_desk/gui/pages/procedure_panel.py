"""The procedure stepper above the case tabs: each stage done ✓ / current / blocked (red, with the
reason) / to do / skipped (grey); the next action and the next deadline; and a button for each step
the case can take now, with why it cannot be taken beside it when it cannot."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from brigade_desk.core.errors import BrigadeError
from brigade_desk.core.rules.clocks import CLOCK_SPECS, ClockNature, Deadline
from brigade_desk.core.services.cases import CaseDetail
from brigade_desk.core.services.procedure import CaseHandling, CaseStatus, StageView
from brigade_desk.gui.action_dialog import ActionDialog
from brigade_desk.gui.flow_layout import FlowLayout
from brigade_desk.gui.formatting import show_date
from brigade_desk.gui.pages.case_actions import OPEN_CLOCK, Action, ActionBuilder
from brigade_desk.gui.session import DeskSession
from brigade_desk.gui.style import CLOSED, DUE_COLOURS, ERROR, set_error_style

MARKS = {"done": "✓", "current": "●", "blocked": "✕", "todo": "○", "skipped": "–"}
STATUS_WORDS = {"done": "已完成", "current": "当前", "blocked": "受阻", "todo": "待办", "skipped": "不适用"}
# States in which the next step waits for a period of the party's (statement, hearing request).
WAITING_STATES = frozenset({"notice_served", "hearing", "legal_review"})


def stage_html(stage: StageView) -> str:
    text = f"{MARKS.get(stage.status, '')} {html.escape(stage.label)}"
    if stage.status == "current":
        return f"<b>{text}</b>"
    if stage.status == "blocked":
        return f'<b style="color:{ERROR}">{text}</b>'
    if stage.status == "skipped":
        return f'<span style="color:{CLOSED}">{text}</span>'
    return text


def stepper_html(stages: list[StageView]) -> str:
    arrow = '<span style="color:#999">　›　</span>'
    return arrow.join(stage_html(s) for s in stages)


def next_deadline(deadlines: list[Deadline], nature: ClockNature = ClockNature.DEADLINE) -> Deadline | None:
    """The earliest open clock of one nature: a deadline the brigade must meet (the list's 下一期限),
    or a period the party has (陈述申辩期, 听证申请期) that must run out before the next step."""
    open_ones = [d for d in deadlines if d.status in OPEN_CLOCK and CLOCK_SPECS[d.clock].nature == nature]
    return min(open_ones, key=lambda d: d.due) if open_ones else None


def deadline_text(d: Deadline) -> str:
    left = ""
    if d.remaining_workdays is not None:
        if d.remaining_workdays < 0:
            left = f"，已逾期{-d.remaining_workdays}个工作日"
        elif d.remaining_workdays == 0:
            left = "，今日到期"
        else:
            left = f"，还有{d.remaining_workdays}个工作日"
    return f"{d.label}：{show_date(d.due)}{left}"


class ProcedurePanel(QWidget):
    """Shows one case's procedure; `changed(case_id)` after a step was recorded."""

    changed = Signal(str)

    def __init__(self, session: DeskSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.case: CaseDetail | None = None
        self.status: CaseStatus | None = None
        self.handling: CaseHandling | None = None
        self.actions: list[Action] = []
        self.buttons: dict[str, QPushButton] = {}
        self.reasons: dict[str, QLabel] = {}
        self.open_dialog: QDialog | None = None
        self.builder: ActionBuilder | None = None
        # Refusals met by the person on this case, shown beside their buttons until the case changes.
        self.refusals: dict[str, str] = {}
        self._message_case: str | None = None

        self.stepper = QLabel()
        self.stepper.setWordWrap(True)
        self.stepper.setTextFormat(Qt.TextFormat.RichText)
        self.next_line = QLabel()
        self.next_line.setWordWrap(True)
        self.next_line.setTextFormat(Qt.TextFormat.RichText)
        self.blocked = QLabel()
        set_error_style(self.blocked)
        self.blocked.hide()
        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        self.warnings.hide()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        self.action_grid = QGridLayout()
        self.action_grid.setContentsMargins(0, 0, 0, 0)
        self.action_grid.setHorizontalSpacing(8)
        self.action_grid.setVerticalSpacing(2)
        self.action_grid.setColumnStretch(1, 1)
        self.flow_box = QWidget()
        self.flow = FlowLayout(self.flow_box)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 4)
        layout.addWidget(self.stepper)
        layout.addWidget(self.next_line)
        layout.addWidget(self.blocked)
        layout.addWidget(self.warnings)
        layout.addWidget(self.flow_box)
        layout.addLayout(self.action_grid)
        layout.addWidget(self.message)

    # --- showing -----------------------------------------------------------------------------------

    def show_case(self, case: CaseDetail | None, *, keep_message: bool = False) -> None:
        """Show `case` now (keep_message: the last step's message stays, for the same case only)."""
        same = case is not None and self.case is not None and case.id == self.case.id
        self.case = case
        if not same:
            self.refusals.clear()
        if case is None or case.id != self._message_case:
            self.message.hide()
            self._message_case = None
        self._clear_actions()
        if case is None:
            self.status = self.handling = None
            self.stepper.clear()
            self.next_line.clear()
            self.blocked.hide()
            self.warnings.hide()
            return
        try:
            self.status = self.session.services.procedure.status(self.session.actor, case.id)
            self.handling = self.session.services.procedure.handling(self.session.actor, case.id)
        except BrigadeError as exc:
            self.status = self.handling = None
            self.stepper.clear()
            self.next_line.clear()
            self.blocked.setText(exc.message)
            self.blocked.show()
            return
        status = self.status
        self.stepper.setText(stepper_html(status.stages))
        self.stepper.setToolTip(
            "\n".join(
                f"{s.label}：{STATUS_WORDS.get(s.status, s.status)}{('（' + s.reason + '）') if s.reason else ''}"
                for s in status.stages
            )
        )
        parts = [
            f"下一步：{html.escape(status.next_action)}"
            if status.next_action and status.next_action != "无"
            else "已办结"
        ]
        nxt = next_deadline(status.deadlines)
        if nxt is not None:
            colour = DUE_COLOURS.get(str(nxt.status))
            text = html.escape(deadline_text(nxt))
            parts.append(
                f'下一期限：<span style="color:{colour}">{text}</span>' if colour else f"下一期限：{text}"
            )
        waiting = next_deadline(status.deadlines, ClockNature.WAITING)
        if waiting is not None and status.state in WAITING_STATES:
            parts.append(html.escape(f"等待{waiting.label}届满：{show_date(waiting.due)}"))
        # The party's waiting period on a line of its own (a narrow pane would break it mid-word).
        self.next_line.setText(
            ("&nbsp;" * 6).join(p for p in parts if not p.startswith("等待"))
            + "".join(f"<br>{p}" for p in parts if p.startswith("等待"))
        )
        if status.blocked_by:
            self.blocked.setText("受阻：" + "；".join(status.blocked_by))
            self.blocked.show()
        else:
            self.blocked.hide()
        if status.warnings:
            self.warnings.setText("；".join(status.warnings))
            self.warnings.show()
        else:
            self.warnings.hide()
        assert self.handling is not None
        self.builder = ActionBuilder(self.session, case, status, self.handling)
        self.actions = self.builder.actions()
        self._render_actions()

    def _render_actions(self) -> None:
        """Actions that can be taken in a row; those that cannot, one a line with the reason beside."""
        self._clear_actions(keep=True)
        assert self.builder is not None and self.status is not None
        row = 0
        for action in self.actions:
            button = QPushButton(action.label + "…")
            button.setToolTip(action.tip)
            blocked = self.builder.reason_for(action)
            reason = blocked or self.refusals.get(action.key, "")
            button.setEnabled(not blocked)
            if action.label == self.status.next_action or action.key == "approve_filing":
                font = button.font()
                font.setBold(True)
                button.setFont(font)
            button.clicked.connect(lambda _checked=False, a=action: self.start(a.key))
            why = QLabel(reason)
            why.setWordWrap(True)
            set_error_style(why)
            self.buttons[action.key] = button
            self.reasons[action.key] = why
            if reason:
                self.action_grid.addWidget(button, row, 0, Qt.AlignmentFlag.AlignTop)
                self.action_grid.addWidget(why, row, 1)
                row += 1
            else:
                why.hide()
                self.flow.addWidget(button)
        self.flow_box.setVisible(self.flow.count() > 0)

    def _clear_actions(self, *, keep: bool = False) -> None:
        for layout in (self.action_grid, self.flow):
            while layout.count():
                item = layout.takeAt(0)
                if item is not None and item.widget():
                    item.widget().deleteLater()
        for label in self.reasons.values():
            label.deleteLater()
        self.buttons.clear()
        self.reasons.clear()
        if not keep:
            self.actions = []

    # --- acting ------------------------------------------------------------------------------------

    def action(self, key: str) -> Action | None:
        return next((a for a in self.actions if a.key == key), None)

    def start(self, key: str) -> QDialog | None:
        """Open the step's dialog (not modal to the whole program: other windows stay usable)."""
        action = self.action(key)
        if action is None or self.case is None:
            return None
        dialog = action.make(self)
        self.open_dialog = dialog
        case_id = self.case.id
        dialog.finished.connect(lambda result, d=dialog, a=action: self._finished(a, d, case_id, result))
        dialog.open()
        return dialog

    def _finished(self, action: Action, dialog: QDialog, case_id: str, result: int) -> None:
        self.open_dialog = None
        if result == QDialog.DialogCode.Accepted:
            self.refusals.pop(action.key, None)
            self._say(f"已{action.label}", error=False)
            self._message_case = case_id
            self.changed.emit(case_id)
            return
        # Closed without saving after a refusal: the refusal stays beside the button.
        refusal = dialog.refusal_text() if isinstance(dialog, ActionDialog) else ""
        if not refusal:
            bottom = getattr(dialog, "bottom_error", None)
            refusal = bottom.text() if isinstance(bottom, QLabel) and not bottom.isHidden() else ""
        if refusal and self.case is not None and self.case.id == case_id:
            self.refusals[action.key] = refusal
            self._render_actions()

    def _say(self, text: str, *, error: bool) -> None:
        if error:
            set_error_style(self.message)
        else:
            self.message.setStyleSheet("")
        self.message.setText(text)
        self.message.show()
