"""Forms laid out like the paper document they feed (DESIGN.md): a boxed sheet with the document's
title and the organ's name, scrolling when the screen is short, the submit and cancel buttons under
it. A refusal from core is shown beside the fields it concerns and what was typed stays; closing a
form with typed text asks first.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QLabel,
    QMessageBox,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from brigade_desk.core.errors import BrigadeError, ValidationError
from brigade_desk.gui.action_dialog import split_refusal
from brigade_desk.gui.forms import FormErrors, error_label
from brigade_desk.gui.session import DeskSession


def paper_title(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.5)
    font.setBold(True)
    label.setFont(font)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label


def form_layout() -> QFormLayout:
    form = QFormLayout()
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
    return form


class PaperDialog(QDialog):
    """A form that makes a case. Subclasses add their fields to `paper_layout` (title and organ are
    there already), end it with `end_paper`, and give `submit` (the service call, returning the new
    case's id), `typed` and `routes` (which field each part of a refusal message concerns)."""

    routes: tuple[tuple[str, str], ...] = ()

    def __init__(
        self, session: DeskSession, window_title: str, title: str, save_text: str, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.case_id: str | None = None
        self.setWindowTitle(window_title)
        self.bottom_error = error_label(self)
        self.errors = FormErrors(self.bottom_error)

        paper = QFrame()
        paper.setFrameShape(QFrame.Shape.Box)
        self.paper_layout = QVBoxLayout(paper)
        self.paper_layout.addWidget(paper_title(title))
        organ = session.organ
        if organ is not None:
            organ_line = QLabel(organ.name)
            organ_line.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.paper_layout.addWidget(organ_line)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(paper)

        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton(save_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.bottom_error)
        layout.addWidget(buttons)

    def end_paper(self, note: str) -> None:
        """The note at the foot of the sheet (what happens next; its line breaks written in: a
        word-wrapped label in a scroll area is sized for a narrower width and leaves gaps). Spare
        height goes below it, not between the rows of the form."""
        self.paper_layout.addWidget(QLabel(note))
        self.paper_layout.addStretch(1)

    def submit(self) -> str:
        """Call the service with what the form says; return the new case's id."""
        raise NotImplementedError

    def typed(self) -> bool:
        """Whether the person typed anything that closing would lose."""
        raise NotImplementedError

    def save(self) -> bool:
        try:
            self.case_id = self.submit()
        except ValidationError as exc:
            self.errors.show(exc.errors)
            return False
        except BrigadeError as exc:
            self.show_refusal(exc.message)
            return False
        self.accept()
        return True

    def show_refusal(self, message: str) -> None:
        parts = split_refusal(message, self.routes, {field for _key, field in self.routes})
        self.errors.show([p for p in parts if p.field])
        rest = [p.message for p in parts if not p.field]
        if rest:
            self.errors.show_message("；".join(rest), keep=True)

    def reject(self) -> None:
        if self.case_id is None and self.typed():
            answer = QMessageBox.question(self, self.windowTitle(), "已填写的内容尚未提交，确定放弃并关闭？")
            if answer != QMessageBox.StandardButton.Yes:
                return
        super().reject()
