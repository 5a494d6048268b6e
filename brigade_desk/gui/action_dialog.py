"""One dialog for the procedure's steps: fields declared as data, the service called on 保存, and a
refusal shown beside the fields it concerns while everything typed stays in the form.

A step's refusal from core is either a `ValidationError` (each `FieldError` goes under its field) or
one message listing every problem joined by "；" (`RuleViolation`, `PermissionDenied`, `StaleEdit`).
`routes` sends each part of such a message to the field it talks about (“执法证” -> 执法人员); the
rest is shown at the bottom. The dialog closes only when the service accepted the step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from brigade_desk.core.errors import BrigadeError, FieldError, ValidationError
from brigade_desk.gui.fields import (
    CheckList,
    OfficerPicker,
    date_edit,
    date_value,
    datetime_edit,
    datetime_value,
    from_qdate,
    money_edit,
    session_today,
    yuan_to_fen,
)
from brigade_desk.gui.forms import FormErrors, chain_tab_order, error_label
from brigade_desk.gui.session import DeskSession
from brigade_desk.gui.signature import SignatureDialog

# Where the parts of a refusal message belong (keyword in the message -> field name).
DEFAULT_ROUTES: tuple[tuple[str, str], ...] = (
    ("执法证", "执法人员"),
    ("执法人员", "执法人员"),
    ("负责人参加", "参加讨论的负责人"),
)


# A part of a refusal that starts like this is advice on the problem before it, not a problem of its own
# ("…应由县自然资源和规划局管辖；可将线索移送县自然资源和规划局").
ADVICE_STARTS = ("可", "请")


def split_refusal(message: str, routes: Sequence[tuple[str, str]], known: set[str]) -> list[FieldError]:
    """A refusal's parts (core joins problems with "；") as field errors; parts with no field keep the
    name "" and go to the bottom. Advice stays with the problem it follows."""
    errors: list[FieldError] = []
    for part in (p for p in message.split("；") if p.strip()):
        field = next((f for key, f in routes if key in part and f in known), "")
        if errors and part.startswith(ADVICE_STARTS):
            last = errors[-1]
            errors[-1] = FieldError(last.field, f"{last.message}；{part}")
            continue
        errors.append(FieldError(field, part))
    return errors


@dataclass(frozen=True)
class Field:
    """One input of a step dialog. `name` is the key of the value and the field name core uses."""

    name: str
    label: str
    kind: str  # date | optional_date | datetime | text | long | choice | checks | money | int | bool | officers | leaders
    default: Any = None
    choices: Sequence[tuple[str, str]] = ()
    placeholder: str = ""
    hint: str = ""
    aliases: tuple[str, ...] = ()
    # For officers: the date field whose day the certificates must be valid on.
    day_field: str = ""


class ActionDialog(QDialog):
    def __init__(
        self,
        session: DeskSession,
        title: str,
        fields: Sequence[Field],
        submit: Callable[[dict[str, Any]], object],
        *,
        intro: str = "",
        save_text: str = "保存",
        routes: Sequence[tuple[str, str]] = DEFAULT_ROUTES,
        sign: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.submit = submit
        # A leader's approval is signed: `sign` says what; 保存 then asks for the password (签名确认)
        # and `submit` receives it as values["签名密码"].
        self.sign = sign
        self.signature_dialog: SignatureDialog | None = None
        self.routes = tuple(routes)
        self.result_value: object = None
        self.saved = False
        self.setWindowTitle(title)
        self.setMinimumWidth(560)

        self.intro = QLabel(intro)
        self.intro.setWordWrap(True)
        self.intro.setVisible(bool(intro))
        self.bottom_error = error_label(self)
        self.errors = FormErrors(self.bottom_error)
        self.widgets: dict[str, QWidget] = {}
        self.fields = {f.name: f for f in fields}

        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        today = session_today(session)
        for f in fields:
            widget = self._widget(f, today)
            self.widgets[f.name] = widget
            if f.hint:
                widget.setToolTip(f.hint)
            self.errors.add_row(form, f.label, f.name, widget, *f.aliases)
        for f in fields:  # officers follow the day of the act
            if f.kind == "officers" and f.day_field:
                day_widget = self.widgets[f.day_field]
                picker = self.widgets[f.name]
                assert isinstance(picker, OfficerPicker)
                if isinstance(day_widget, QDateTimeEdit) and not isinstance(day_widget, QDateEdit):
                    day_widget.dateTimeChanged.connect(lambda v, p=picker: p.set_day(from_qdate(v.date())))
                elif isinstance(day_widget, QDateEdit):
                    day_widget.dateChanged.connect(lambda v, p=picker: p.set_day(from_qdate(v)))

        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton(save_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.bottom_error)
        layout.addWidget(buttons)
        chain_tab_order([*self.widgets.values(), self.save_button, self.cancel_button])
        self._initial = self.values_or_none()

    # --- widgets -----------------------------------------------------------------------------

    def _widget(self, f: Field, today: date) -> QWidget:
        match f.kind:
            case "date":
                return date_edit(f.default or today)
            case "optional_date":
                return date_edit(f.default, optional=True)
            case "datetime":
                return datetime_edit(f.default or self.session.services.cases.clock())
            case "text":
                edit = QLineEdit(str(f.default or ""))
                edit.setPlaceholderText(f.placeholder)
                return edit
            case "long":
                text = QPlainTextEdit(str(f.default or ""))
                text.setPlaceholderText(f.placeholder)
                text.setTabChangesFocus(True)
                text.setMinimumHeight(text.fontMetrics().height() * 4 + 12)
                return text
            case "choice":
                combo = QComboBox()
                for value, label in f.choices:
                    combo.addItem(label, value)
                if f.default is not None:
                    combo.setCurrentIndex(max(0, combo.findData(f.default)))
                return combo
            case "checks":
                checks = CheckList(f.choices)
                checks.set_checked(f.default or ())
                checks.fit_rows(6)
                return checks
            case "money":
                return money_edit(f.default)
            case "int":
                spin = QSpinBox()
                spin.setRange(0, 3650)
                spin.setValue(int(f.default or 0))
                return spin
            case "bool":
                box = QCheckBox(f.placeholder)
                box.setChecked(bool(f.default))
                return box
            case "officers" | "leaders":
                return OfficerPicker(
                    self.session, today, checked=tuple(f.default or ()), leaders_only=f.kind == "leaders"
                )
        raise ValueError(f"unknown field kind {f.kind}")

    # --- values ------------------------------------------------------------------------------

    def value(self, name: str) -> Any:
        widget, kind = self.widgets[name], self.fields[name].kind
        if isinstance(widget, OfficerPicker | CheckList):
            return widget.values()
        if isinstance(widget, QDateEdit):
            return date_value(widget)
        if isinstance(widget, QDateTimeEdit):
            return datetime_value(widget)
        if isinstance(widget, QPlainTextEdit):
            return widget.toPlainText()
        if isinstance(widget, QComboBox):
            return widget.currentData()
        if isinstance(widget, QSpinBox):
            return widget.value()
        if isinstance(widget, QCheckBox):
            return widget.isChecked()
        assert isinstance(widget, QLineEdit)
        if kind == "money":
            return yuan_to_fen(widget.text())
        return widget.text()

    def values_or_none(self) -> dict[str, Any] | None:
        try:
            return {name: self.value(name) for name in self.widgets}
        except ValueError:
            return None

    def set_text(self, name: str, text: str) -> None:
        widget = self.widgets[name]
        if isinstance(widget, QPlainTextEdit):
            widget.setPlainText(text)
        else:
            assert isinstance(widget, QLineEdit)
            widget.setText(text)

    def text(self, name: str) -> str:
        widget = self.widgets[name]
        if isinstance(widget, QPlainTextEdit):
            return widget.toPlainText()
        assert isinstance(widget, QLineEdit)
        return widget.text()

    # --- saving ------------------------------------------------------------------------------

    def save(self) -> bool:
        values: dict[str, Any] = {}
        bad: list[FieldError] = []
        for name in self.widgets:
            try:
                values[name] = self.value(name)
            except ValueError as exc:
                bad.append(FieldError(name, str(exc)))
        if bad:
            self.errors.show(bad)
            return False
        if self.sign:
            self._ask_signature(values)
            return False
        try:
            self.result_value = self.submit(values)
        except BrigadeError as exc:
            self.show_refusal(exc)
            return False
        self.saved = True
        self.accept()
        return True

    def _ask_signature(self, values: dict[str, Any]) -> None:
        """签名确认 (gui/signature.py): the step is saved when the password signs it; a refusal comes
        back here beside its field, the form as typed."""
        self.errors.clear()
        dialog = SignatureDialog(
            self.session,
            f"签名确认 — {self.windowTitle()}",
            self.sign,
            lambda s: self.submit({**values, "签名密码": s.password}),
            parent=self,
        )
        self.signature_dialog = dialog

        def finished(result: int) -> None:
            if result == QDialog.DialogCode.Accepted:
                self.result_value = dialog.result_value
                self.saved = True
                self.accept()
            elif result == SignatureDialog.REFUSED and dialog.refusal is not None:
                self.show_refusal(dialog.refusal)

        dialog.finished.connect(finished)
        dialog.open()

    def show_refusal(self, exc: BrigadeError) -> None:
        """Each part of the message beside the field it concerns; the typed text stays as it was."""
        if isinstance(exc, ValidationError):
            self.errors.show(exc.errors)
            return
        parts = split_refusal(exc.message, self.routes, set(self.widgets))
        self.errors.show([p for p in parts if p.field])
        rest = [p.message for p in parts if not p.field]
        if rest:
            self.errors.show_message("；".join(rest), keep=True)

    def refusal_text(self) -> str:
        """Everything the dialog says is wrong now (beside fields and at the bottom)."""
        parts = [self.errors.message(name) for name in self.widgets]
        parts.append(self.bottom_error.text() if not self.bottom_error.isHidden() else "")
        return "；".join(p for p in parts if p)

    def reject(self) -> None:
        if not self.saved and self._typed() and not self._confirm_discard():
            return
        super().reject()

    def _typed(self) -> bool:
        now = self.values_or_none()
        return now is None or now != self._initial

    def _confirm_discard(self) -> bool:
        from PySide6.QtWidgets import QMessageBox

        answer = QMessageBox.question(self, self.windowTitle(), "已填写的内容尚未保存，确定放弃并关闭？")
        return answer == QMessageBox.StandardButton.Yes


def today_or(value: date | datetime | None, session: DeskSession) -> date:
    if isinstance(value, datetime):
        return value.date()
    return value or session_today(session)
