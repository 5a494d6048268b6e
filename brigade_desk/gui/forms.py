"""Form helpers shared by every dialog: errors shown beside their fields, tab order in reading order.

Core refuses bad input with a `ValidationError` listing `FieldError(field, message)`; the field is
the Chinese name of the field as the person sees it. `FormErrors` puts each message under the widget
registered for that field (and any it does not know at the bottom of the form), in red, without
touching what the person typed.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QMessageBox, QWidget

from brigade_desk.core.errors import BrigadeError, FieldError, ValidationError
from brigade_desk.gui.style import set_error_style


def error_label(parent: QWidget | None = None) -> QLabel:
    label = QLabel(parent)
    set_error_style(label)
    label.hide()
    return label


class FormErrors:
    """Error lines under the fields of one or more form layouts, plus one at the bottom for the rest."""

    def __init__(self, bottom: QLabel) -> None:
        self.bottom = bottom
        self._fields: dict[str, tuple[QWidget, QLabel, QFormLayout]] = {}

    def add_row(self, form: QFormLayout, label: str, name: str, widget: QWidget, *aliases: str) -> None:
        """Add `label: widget` to `form` with a hidden error line under it.

        `name` (and `aliases`) are the field names core uses in its `FieldError`s.
        """
        form.addRow(label, widget)
        line = QLabel()
        set_error_style(line)
        form.addRow("", line)
        form.setRowVisible(line, False)
        for key in (name, *aliases):
            self._fields[key] = (widget, line, form)

    def clear(self) -> None:
        for _widget, line, form in self._fields.values():
            line.clear()
            form.setRowVisible(line, False)
        self.bottom.clear()
        self.bottom.hide()

    def message(self, name: str) -> str:
        """The error shown for a field now ("" when none)."""
        entry = self._fields.get(name)
        return entry[1].text() if entry and not entry[1].isHidden() else ""

    def show(self, errors: Iterable[FieldError]) -> QWidget | None:
        """Show every error; focus and return the first field that has one."""
        self.clear()
        first: QWidget | None = None
        rest: list[str] = []
        for error in errors:
            entry = self._fields.get(error.field)
            if entry is None:
                rest.append(str(error))
                continue
            widget, line, form = entry
            line.setText(f"{line.text()}；{error.message}" if line.text() else error.message)
            form.setRowVisible(line, True)
            first = first or widget
        if rest:
            self.show_message("；".join(rest), keep=True)
        if first is not None:
            first.setFocus()
        return first

    def show_error(self, exc: BrigadeError) -> None:
        if isinstance(exc, ValidationError):
            self.show(exc.errors)
        else:
            self.show_message(exc.message)

    def show_message(self, text: str, *, keep: bool = False) -> None:
        if not keep:
            self.clear()
        self.bottom.setText(text)
        self.bottom.setVisible(bool(text))


def align_labels(*forms: QFormLayout) -> None:
    """Give the label columns of several forms one width, so their fields line up."""
    labels = [
        item.widget()
        for form in forms
        for row in range(form.rowCount())
        if (item := form.itemAt(row, QFormLayout.ItemRole.LabelRole)) is not None
        and item.widget() is not None
    ]
    width = max((label.sizeHint().width() for label in labels), default=0)
    for label in labels:
        label.setMinimumWidth(width)


def chain_tab_order(widgets: Sequence[QWidget]) -> None:
    """Tab moves through `widgets` in the order given (reading order)."""
    for first, second in itertools.pairwise(widgets):
        QWidget.setTabOrder(first, second)


def confirm_discard(parent: QWidget, edits: Iterable[QLineEdit]) -> bool:
    """Closing a form that has typed text asks first (nothing typed is lost by a stray Esc)."""
    if not any(edit.text().strip() for edit in edits):
        return True
    answer = QMessageBox.question(parent, parent.windowTitle(), "已填写的内容尚未保存，确定放弃并关闭？")
    return answer == QMessageBox.StandardButton.Yes
