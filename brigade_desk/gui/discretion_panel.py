"""裁量: the discretion panel of a case.

Pick the benchmark item (those fitting the case's power item first), tick the facts, enter the
measured quantities: the tier, its range, the recommended amount and the explanation follow as you
type (a short timer gathers keystrokes, then one service call). Another amount can be proposed with
a reason; the check says whether it is inside the tier, and outside it that the case becomes a major
decision. 保存到案件 saves the result with its inputs; the service evaluates again and decides.

The panel calls services only; `DiscretionTab` puts it in the case detail, `DiscretionDialog` in a
window of its own.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from brigade_desk.core.errors import BrigadeError, StaleEdit, ValidationError
from brigade_desk.core.rules.money import parse_yuan
from brigade_desk.core.rules.permissions import Permission
from brigade_desk.core.services.cases import CaseDetail
from brigade_desk.core.services.discretion import (
    CaseDiscretionState,
    CaseEvaluation,
    CorrectionOrder,
    DiscretionInput,
    ItemChoice,
    SavedDiscretion,
)
from brigade_desk.gui.formatting import show_date, show_fen
from brigade_desk.gui.pages.case_detail import CaseTab
from brigade_desk.gui.session import DeskSession
from brigade_desk.gui.style import DUE_TODAY, ERROR, set_error_style

EVALUATE_DELAY_MS = 150


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def _date_edit(day: date) -> QDateEdit:
    edit = QDateEdit(_qdate(day))
    edit.setDisplayFormat("yyyy年M月d日")
    edit.setCalendarPopup(True)
    return edit


def _wrap_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class _OptionalDate(QWidget):
    """A tick box with a date beside it: 已改正于 [date]."""

    changed = Signal()

    def __init__(self, label: str, day: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.box = QCheckBox(label)
        self.edit = _date_edit(day)
        self.edit.setEnabled(False)
        self.box.toggled.connect(self.edit.setEnabled)
        self.box.toggled.connect(self.changed)
        self.edit.dateChanged.connect(self.changed)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.box)
        layout.addWidget(self.edit)
        layout.addStretch(1)

    def value(self) -> date | None:
        return _pydate(self.edit.date()) if self.box.isChecked() else None

    def set_value(self, day: date | None) -> None:
        self.box.setChecked(day is not None)
        if day is not None:
            self.edit.setDate(_qdate(day))


class DiscretionPanel(QWidget):
    """The discretion of one case: inputs, the live result, a proposal, and 保存到案件."""

    saved = Signal(object)  # SavedDiscretion

    def __init__(self, session: DeskSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.case_id: str | None = None
        self.state: CaseDiscretionState | None = None
        self.choices: list[ItemChoice] = []
        self.evaluation: CaseEvaluation | None = None
        self.quantity_values: dict[str, str] = {}
        self._loading = False

        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(EVALUATE_DELAY_MS)
        self.timer.timeout.connect(self.evaluate_now)

        # --- item and the result bar, always in view ---
        self.item_combo = QComboBox()
        self.item_combo.setEditable(True)
        self.item_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.item_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.item_combo.setMinimumContentsLength(24)
        self.item_combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        completer = self.item_combo.completer()
        if completer is not None:  # type to find: any part of the code or the violation
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        edit = self.item_combo.lineEdit()
        assert edit is not None
        self.item_edit: QLineEdit = edit
        self.item_edit.setPlaceholderText("输入编码或违法行为中的文字查找事项")
        self.item_combo.currentIndexChanged.connect(self._item_changed)
        self.item_info = _wrap_label()

        self.tier_label = QLabel()
        bold = QFont(self.tier_label.font())
        bold.setBold(True)
        bold.setPointSizeF(bold.pointSizeF() * 1.15)
        self.tier_label.setFont(bold)
        self.tier_label.setWordWrap(True)
        self.range_label = _wrap_label()
        self.amount_label = QLabel()
        self.amount_label.setFont(bold)
        self.amount_label.setWordWrap(True)
        self.amount_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.rule_label = _wrap_label()
        self.warnings_label = _wrap_label()
        self.warnings_label.setStyleSheet(f"color: {DUE_TODAY};")
        self.warnings_label.hide()
        result_box = QFrame()
        result_box.setFrameShape(QFrame.Shape.StyledPanel)
        result_layout = QVBoxLayout(result_box)
        result_layout.addWidget(self.tier_label)
        result_layout.addWidget(self.range_label)
        result_layout.addWidget(self.amount_label)
        result_layout.addWidget(self.rule_label)
        result_layout.addWidget(self.warnings_label)

        # --- inputs ---
        self.violation_date = _date_edit(date.today())
        self.decision_date = _date_edit(date.today())
        self.prefer_lighter = QCheckBox("从旧兼从轻")
        self.prefer_lighter.setToolTip("决定时施行的新版本对当事人较轻的，适用新版本（行政处罚法第三十七条）")
        self.priors_label = _wrap_label()
        dates = QFormLayout()
        dates.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        dates.addRow("违法行为发生日期：", self.violation_date)
        dates.addRow("拟作出决定日期：", self.decision_date)
        dates.addRow("", self.prefer_lighter)
        dates.addRow("以往处罚：", self.priors_label)

        self.fact_boxes: dict[str, QCheckBox] = {}
        self.first_violation = QCheckBox("首次违法（按处罚记录认定）")
        self.first_violation.setEnabled(False)
        self.mitigating_box = QGroupBox("从轻、减轻情节")
        self.aggravating_box = QGroupBox("从重情节")
        self._build_facts()

        self.quantity_box = QGroupBox("计量")
        self.quantity_form = QFormLayout(self.quantity_box)
        self.quantity_edits: dict[str, QLineEdit] = {}

        self.correction_box = QGroupBox("责令改正（拒不改正的认定）")
        self.correction_served = _OptionalDate("责令改正通知书送达于", date.today())
        self.correction_done = _OptionalDate("当事人改正于", date.today())
        self.correction_recurred = _OptionalDate("再次发现违法行为于", date.today())
        self.correction_checked = _OptionalDate("复查发现未改正于", date.today())
        correction_layout = QVBoxLayout(self.correction_box)
        for row in (
            self.correction_served,
            self.correction_done,
            self.correction_recurred,
            self.correction_checked,
        ):
            correction_layout.addWidget(row)
            row.changed.connect(self.schedule)
        self.correction_box.hide()

        self.explanation = QPlainTextEdit()
        self.explanation.setReadOnly(True)
        self.explanation.setMinimumHeight(self.fontMetrics().lineSpacing() * 10)
        self.copy_button = QPushButton("复制说明")
        self.copy_button.clicked.connect(self.copy_explanation)
        explanation_box = QGroupBox("裁量说明（可用于事先告知书、处罚决定书和法制审核）")
        explanation_layout = QVBoxLayout(explanation_box)
        explanation_layout.addWidget(self.explanation)
        copy_row = QHBoxLayout()
        copy_row.addStretch(1)
        copy_row.addWidget(self.copy_button)
        explanation_layout.addLayout(copy_row)

        self.proposed_amount = QLineEdit()
        self.proposed_amount.setPlaceholderText("留空则采用建议金额；单位：元")
        self.proposal_reason = QLineEdit()
        self.proposal_reason.setPlaceholderText("与建议金额不同时须写明理由")
        self.proposal_check = _wrap_label()
        proposal_box = QGroupBox("拟罚款金额")
        proposal_layout = QVBoxLayout(proposal_box)
        proposal_form = QFormLayout()
        proposal_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        proposal_form.addRow("金额（元）：", self.proposed_amount)
        proposal_form.addRow("理由：", self.proposal_reason)
        proposal_layout.addLayout(proposal_form)
        proposal_layout.addWidget(self.proposal_check)
        self.proposed_amount.textChanged.connect(self._check_proposal)
        self.proposal_reason.textChanged.connect(self._check_proposal)
        self.proposal_reason.returnPressed.connect(self.save)
        self.proposed_amount.returnPressed.connect(self.save)

        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.addLayout(dates)
        body_layout.addWidget(self.mitigating_box)
        body_layout.addWidget(self.aggravating_box)
        body_layout.addWidget(self.quantity_box)
        body_layout.addWidget(self.correction_box)
        body_layout.addWidget(proposal_box)
        body_layout.addWidget(explanation_box)
        body_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)

        self.save_button = QPushButton("保存到案件")
        self.save_button.clicked.connect(self.save)
        self.status = _wrap_label()
        self.message = _wrap_label()
        set_error_style(self.message)
        self.message.hide()
        bottom = QHBoxLayout()
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.status, 1)
        self.bottom_row = bottom

        layout = QVBoxLayout(self)
        layout.addWidget(self.item_combo)
        layout.addWidget(self.item_info)
        layout.addWidget(result_box)
        layout.addWidget(self.message)
        layout.addWidget(scroll, 1)
        layout.addLayout(bottom)

        for date_edit in (self.violation_date, self.decision_date):
            date_edit.dateChanged.connect(self.schedule)
        self.prefer_lighter.toggled.connect(self.schedule)

    # --- building ----------------------------------------------------------------------------

    def _build_facts(self) -> None:
        try:
            facts = self.session.services.discretion.fact_choices(self.session.actor)
        except BrigadeError:
            facts = []
        grids = {
            "mitigating": QGridLayout(self.mitigating_box),
            "aggravating": QGridLayout(self.aggravating_box),
        }
        # Two columns; the derived 首次违法 takes the first row of the mitigating box.
        grids["mitigating"].addWidget(self.first_violation, 0, 0, 1, 2)
        slots = {"mitigating": 2, "aggravating": 0}
        for fact in facts:
            direction = fact["direction"]
            if fact["derived"] or direction not in grids:
                continue  # 首次违法 is shown read-only; 陈述申辩 may never weigh (APL Art 45)
            box = QCheckBox(fact["short"])
            tip = fact["label"]
            if fact["citation"]:
                tip += f"（{fact['citation']}）"
            if fact["hint"]:
                tip += f"\n{fact['hint']}"
            box.setToolTip(tip)
            box.toggled.connect(self.schedule)
            self.fact_boxes[fact["code"]] = box
            slot = slots[direction]
            grids[direction].addWidget(box, slot // 2, slot % 2)
            slots[direction] = slot + 1

    # --- loading a case ------------------------------------------------------------------------

    def set_case(self, case_id: str | None) -> None:
        """Show the discretion of a case (None: nothing)."""
        self.timer.stop()
        self.case_id = case_id
        self.state = None
        self.evaluation = None
        self._clear_result()
        self.message.hide()
        self.status.clear()
        if case_id is None:
            self.setEnabled(False)
            return
        self.setEnabled(True)
        try:
            self.state = self.session.services.discretion.for_case(self.session.actor, case_id)
            self.choices = self.session.services.discretion.item_choices(self.session.actor, case_id)
        except BrigadeError as exc:
            self._say_error(exc.message)
            return
        self._loading = True
        try:
            self._fill_items()
            self._restore(self.state)
        finally:
            self._loading = False
        self._apply_lock()
        self.evaluate_now()

    def _fill_items(self) -> None:
        self.item_combo.blockSignals(True)
        self.item_combo.clear()
        suggested = [c for c in self.choices if c.score > 0]
        for n, choice in enumerate(self.choices):
            if suggested and n == len(suggested):
                self.item_combo.insertSeparator(self.item_combo.count())
            prefix = "★ " if choice.score > 0 else ""
            starter = "（初始示例）" if choice.is_starter else ""
            self.item_combo.addItem(f"{prefix}{choice.label}", n)
            index = self.item_combo.count() - 1
            self.item_combo.setItemData(
                index,
                f"{choice.violation}\n处罚依据：{choice.penalty_provision}\n法定幅度：{choice.statutory_text}\n"
                f"基准：《{choice.benchmark_title}》{starter}",
                Qt.ItemDataRole.ToolTipRole,
            )
        self.item_combo.blockSignals(False)

    def _choice_index(self, code: str, series: str = "") -> int:
        for index in range(self.item_combo.count()):
            n = self.item_combo.itemData(index)
            if n is None:
                continue
            choice = self.choices[n]
            if choice.code == code and (not series or choice.series == series):
                return index
        return -1

    def _restore(self, state: CaseDiscretionState) -> None:
        saved = state.saved
        today = date.today()
        self.violation_date.setDate(_qdate(state.violation_date or today))
        self.decision_date.setDate(_qdate(today))
        for box in self.fact_boxes.values():
            box.setChecked(False)
        self.quantity_values = {}
        for row in (
            self.correction_served,
            self.correction_done,
            self.correction_recurred,
            self.correction_checked,
        ):
            row.set_value(None)
        self.proposed_amount.clear()
        self.proposal_reason.clear()
        if saved is None:
            self.item_combo.setCurrentIndex(0 if self.choices else -1)
            if state.party_is_minor and "party_minor" in self.fact_boxes:
                self.fact_boxes["party_minor"].setChecked(True)
        else:
            inputs = saved.inputs
            index = self._choice_index(saved.item_code, saved.series)
            self.item_combo.setCurrentIndex(index)
            if index < 0:
                self.item_combo.setEditText(saved.item_code)
            self.violation_date.setDate(_qdate(date.fromisoformat(inputs["violation_date"])))
            if inputs.get("decision_date"):
                self.decision_date.setDate(_qdate(date.fromisoformat(inputs["decision_date"])))
            self.prefer_lighter.setChecked(bool(inputs.get("prefer_lighter_later_version")))
            for code, value in dict(inputs.get("facts", {})).items():
                if code in self.fact_boxes:
                    self.fact_boxes[code].setChecked(bool(value))
            self.quantity_values = {str(k): str(v) for k, v in dict(inputs.get("quantities", {})).items()}
            order = inputs.get("correction_order")
            if order:
                self.correction_served.set_value(date.fromisoformat(order["served_on"]))
                for row, key in (
                    (self.correction_done, "corrected_on"),
                    (self.correction_recurred, "recurred_on"),
                    (self.correction_checked, "checked_on"),
                ):
                    row.set_value(date.fromisoformat(order[key]) if order.get(key) else None)
            if saved.proposed_fen is not None:
                self.proposed_amount.setText(show_fen(saved.proposed_fen).removesuffix("元"))
                self.proposal_reason.setText(saved.proposal_reason)
            self._say_saved(saved)
        self._show_item_inputs()

    def _apply_lock(self) -> None:
        state = self.state
        can_edit = self.session.can(Permission.CASE_EDIT)
        locked = bool(state and state.locked_reason) or not can_edit
        for widget in (
            self.item_combo,
            self.violation_date,
            self.decision_date,
            self.prefer_lighter,
            self.mitigating_box,
            self.aggravating_box,
            self.quantity_box,
            self.correction_box,
            self.proposed_amount,
            self.proposal_reason,
            self.save_button,
        ):
            widget.setEnabled(not locked)
        if state is not None and state.locked_reason:
            self.save_button.setToolTip(state.locked_reason)
            self.status.setText(state.locked_reason)
        elif not can_edit:
            reason = "您的角色不能办理案件，只能查看已保存的裁量结果"
            self.save_button.setToolTip(reason)
            self.status.setText(reason)
        else:
            self.save_button.setToolTip("")

    # --- the item's own inputs -----------------------------------------------------------------

    def current_choice(self) -> ItemChoice | None:
        n = self.item_combo.currentData()
        return self.choices[n] if isinstance(n, int) and 0 <= n < len(self.choices) else None

    def _item_changed(self, _index: int) -> None:
        self._show_code()
        self._show_item_inputs()
        self.schedule()

    def _show_code(self) -> None:
        """Show the start of the item's text (its code); QLineEdit keeps the cursor at the end."""
        QTimer.singleShot(0, self.item_edit, lambda: self.item_edit.setCursorPosition(0))

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self._show_code()

    def _show_item_inputs(self) -> None:
        choice = self.current_choice()
        for code, edit in self.quantity_edits.items():
            self.quantity_values[code] = edit.text()
        while self.quantity_form.rowCount():
            self.quantity_form.removeRow(0)
        self.quantity_edits = {}
        if choice is None:
            self.item_info.clear()
            self.quantity_box.hide()
            self.correction_box.hide()
            return
        self.item_info.setText(
            f"{choice.violation}　法定幅度：{choice.statutory_text}　适用对象：{choice.party_kind}\n"
            f"处罚依据：{choice.penalty_provision}"
        )
        for code, label, unit in choice.quantities:
            edit = QLineEdit(self.quantity_values.get(code, ""))
            edit.setPlaceholderText("数值" + ("（元）" if unit == "元" else ""))
            edit.textChanged.connect(self.schedule)
            edit.returnPressed.connect(self.evaluate_now)
            self.quantity_edits[code] = edit
            self.quantity_form.addRow(f"{label}（{unit}）：" if unit else f"{label}：", edit)
        self.quantity_box.setVisible(bool(choice.quantities))
        self.correction_box.setVisible(choice.uses_correction_order)
        relevant = set(choice.facts)
        for code, box in self.fact_boxes.items():
            font = box.font()
            font.setBold(code in relevant)
            box.setFont(font)

    # --- evaluating ----------------------------------------------------------------------------

    def schedule(self) -> None:
        """Evaluate shortly: keystrokes in a row make one call."""
        if self._loading or self.case_id is None:
            return
        self.timer.start()

    def current_input(self) -> DiscretionInput | None:
        choice = self.current_choice()
        if choice is None:
            return None
        for code, edit in self.quantity_edits.items():
            self.quantity_values[code] = edit.text()
        wanted = {code for code, _label, _unit in choice.quantities}
        quantities = {
            code: text.strip()
            for code, text in self.quantity_values.items()
            if code in wanted and text.strip()
        }
        facts = {code: True for code, box in self.fact_boxes.items() if box.isChecked()}
        order = None
        served = self.correction_served.value()
        if choice.uses_correction_order and served is not None:
            order = CorrectionOrder(
                served_on=served,
                corrected_on=self.correction_done.value(),
                recurred_on=self.correction_recurred.value(),
                checked_on=self.correction_checked.value(),
            )
        return DiscretionInput(
            item_code=choice.code,
            series=choice.series,
            facts=facts,
            quantities=quantities,
            violation_date=_pydate(self.violation_date.date()),
            decision_date=_pydate(self.decision_date.date()),
            correction_order=order,
            prefer_lighter_later_version=self.prefer_lighter.isChecked(),
        )

    def evaluate_now(self) -> None:
        self.timer.stop()
        self.message.hide()
        if self.case_id is None:
            return
        data = self.current_input()
        if data is None:
            self._clear_result()
            self.tier_label.setText("请选择裁量事项")
            return
        if not self.session.can(Permission.CASE_EDIT):
            saved = self.state.saved if self.state else None
            if saved is not None:
                self._show_result(saved.result, saved.priors)
            return
        try:
            evaluation = self.session.services.discretion.evaluate_for_case(
                self.session.actor, self.case_id, data
            )
        except BrigadeError as exc:
            self.evaluation = None
            self._clear_result()
            self.tier_label.setText("无法计算")
            self._say_error(exc.message)
            return
        self.evaluation = evaluation
        self._show_result(evaluation.result, evaluation.priors)

    def _clear_result(self) -> None:
        for label in (self.tier_label, self.range_label, self.amount_label, self.rule_label):
            label.clear()
        self.warnings_label.hide()
        self.explanation.clear()
        self.proposal_check.clear()
        self.first_violation.setChecked(False)
        self.priors_label.clear()

    def _show_result(self, result: Any, priors: Any) -> None:
        tier = f"{result.tier_label}（{result.tier_code}）" if result.tier_label else "基准未规定本案的阶次"
        self.tier_label.setText(f"裁量阶次：{tier}")
        statute = f"法定幅度 {show_fen(result.statutory_min_fen)}至{show_fen(result.statutory_max_fen)}"
        if result.tier_min_fen is not None and result.tier_max_fen is not None and not result.no_penalty:
            tier_range = f"阶次幅度 {show_fen(result.tier_min_fen)}至{show_fen(result.tier_max_fen)}"
        else:
            tier_range = "不罚款" if result.no_penalty else ""
        self.range_label.setText("；".join(part for part in (tier_range, statute) if part))
        self.amount_label.setText(f"建议：{result.recommended_text}")
        extra = f"；附加处罚：{'、'.join(result.additional_penalties)}" if result.additional_penalties else ""
        discuss = "；须经集体讨论决定" if result.requires_collective_discussion else ""
        self.rule_label.setText(f"{result.rule_text}{extra}{discuss}")
        self.warnings_label.setText("\n".join(f"提示：{w}" for w in result.warnings))
        self.warnings_label.setVisible(bool(result.warnings))
        self.explanation.setPlainText(result.explanation)
        self.first_violation.setChecked(result.prior_penalty_count == 0)
        if priors:
            listed = "；".join(f"{show_date(p.decided_on)} {p.case_number}" for p in priors)
            self.priors_label.setText(f"{listed}（追溯期内计{result.prior_penalty_count}次）")
        else:
            self.priors_label.setText("库中无本案当事人因同一违法行为受处罚的记录")
        self._check_proposal()

    # --- proposal and saving -------------------------------------------------------------------

    def _proposed_fen(self) -> int | None:
        text = self.proposed_amount.text().strip()
        return parse_yuan(text) if text else None

    def _check_proposal(self) -> None:
        self.proposal_check.setStyleSheet("")
        result = self.evaluation.result if self.evaluation is not None else None
        try:
            amount = self._proposed_fen()
        except ValueError as exc:
            set_error_style(self.proposal_check)
            self.proposal_check.setText(str(exc))
            return
        if amount is None or result is None:
            self.proposal_check.clear()
            return
        try:
            check = self.session.services.discretion.check_amount(
                self.session.actor, result, amount, self.proposal_reason.text()
            )
        except BrigadeError as exc:
            set_error_style(self.proposal_check)
            self.proposal_check.setText(exc.message)
            return
        if not check.accepted:
            set_error_style(self.proposal_check)
        elif check.requires_major_review:
            self.proposal_check.setStyleSheet(f"color: {DUE_TODAY};")
        self.proposal_check.setText(check.message)

    def save(self) -> None:
        if self.case_id is None or not self.save_button.isEnabled():
            return
        self.timer.stop()
        self.message.hide()
        data = self.current_input()
        if data is None:
            self._say_error("请先选择裁量事项")
            return
        try:
            amount = self._proposed_fen()
        except ValueError as exc:
            self._say_error(f"拟罚款金额：{exc}")
            self.proposed_amount.setFocus()
            return
        saved_version = self.state.saved.version if self.state and self.state.saved else None
        try:
            saved = self.session.services.discretion.save_for_case(
                self.session.actor, self.case_id, data, saved_version, amount, self.proposal_reason.text()
            )
        except ValidationError as exc:
            self._say_error(exc.message)
            field = exc.errors[0].field if exc.errors else ""
            if field == "理由":
                self.proposal_reason.setFocus()
            elif field == "拟罚款金额":
                self.proposed_amount.setFocus()
            return
        except StaleEdit as exc:
            self._say_error(exc.message)
            return
        except BrigadeError as exc:
            self._say_error(exc.message)
            return
        if self.state is not None:
            self.state = CaseDiscretionState(**{**self.state.__dict__, "saved": saved})
        self._say_saved(saved)
        self.saved.emit(saved)

    def _say_saved(self, saved: SavedDiscretion) -> None:
        from brigade_desk.gui.formatting import show_datetime

        text = f"已保存：{saved.saved_by_name}，{show_datetime(saved.saved_at)}"
        if saved.requires_major_review:
            text += "；拟罚款超出阶次幅度，本案列为重大执法决定，须经法制审核和集体讨论"
        if saved.stale_reason:
            set_error_style(self.status)
            text += f"；{saved.stale_reason}"
        else:
            self.status.setStyleSheet("")
        self.status.setText(text)

    def _say_error(self, text: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {ERROR};")
        self.message.show()

    def copy_explanation(self) -> None:
        QGuiApplication.clipboard().setText(self.explanation.toPlainText())
        self.status.setText("裁量说明已复制")


class DiscretionTab(CaseTab):
    """裁量 in the case detail; loads when first shown for a case."""

    label = "裁量"

    def __init__(self, session: DeskSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.panel = DiscretionPanel(session)
        self._case_id: str | None = None
        self._stale = False
        self.window_button = QPushButton("在窗口中打开…")
        self.window_button.setToolTip("在较大的窗口中填写情节和查看裁量说明")
        self.window_button.clicked.connect(self.open_window)
        self.panel.bottom_row.addWidget(self.window_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.panel)

    def open_window(self) -> None:
        if self._case_id is None:
            return
        DiscretionDialog(self.session, self._case_id, self).exec()
        self.panel.set_case(self._case_id)  # show what was saved there

    def show_case(self, case: CaseDetail | None) -> None:
        self._case_id = case.id if case is not None else None
        self._stale = True
        if self.isVisible() or case is None:
            self._load()

    def _load(self) -> None:
        if self._stale:
            self._stale = False
            self.panel.set_case(self._case_id)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self._load()


class DiscretionDialog(QDialog):
    """The panel in a window of its own (from a case, or for a screenshot)."""

    def __init__(self, session: DeskSession, case_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("行政处罚裁量")
        self.panel = DiscretionPanel(session)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel, 1)
        layout.addWidget(buttons)
        self.resize(760, 820)
        self.panel.set_case(case_id)
