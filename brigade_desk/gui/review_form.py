"""The legal reviewer's form and the package it is about.

`ReviewForm`: every checklist item of core.review answered 是/否 with a note (core requires the note
when the answer is the "problem" one), the overall opinion (同意 / 存在问题、建议修改后重新提交 /
不同意) and the opinion text. Core's refusal lists every field at once; each message goes under its
item and nothing typed is cleared.

`package_html`: the review package exactly as submitted (the proposed decision, facts, parties,
evidence with SHA-256, records, discretion, hearing, draft documents) and its hash.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from brigade_desk.core.errors import FieldError
from brigade_desk.core.review import CHECKLIST, INVERTED, OPINIONS, answer_text
from brigade_desk.core.rules.evidence import kind_label
from brigade_desk.core.rules.procedure import OUTCOMES
from brigade_desk.core.services.reviews import ChecklistAnswer, ChecklistLine
from brigade_desk.gui.formatting import show_date, show_fen
from brigade_desk.gui.style import set_error_style

OPINION_FIELD = "审核结论"
TEXT_FIELD = "审核意见"


class ChecklistRow:
    """One checklist question: the two answers, the note, the error line under them."""

    def __init__(self, code: str, label: str, number: int) -> None:
        self.code = code
        self.label = QLabel(f"{number}. {label}")
        self.label.setWordWrap(True)
        # The radio that means "no problem" comes first and reads as the reviewer would say it.
        ok_word, problem_word = answer_text(code, True), answer_text(code, False)
        self.ok = QRadioButton(ok_word)
        self.problem = QRadioButton(problem_word)
        self.ok.setObjectName(f"ok_{code}")
        self.problem.setObjectName(f"problem_{code}")
        self.group = QButtonGroup()
        self.group.addButton(self.ok)
        self.group.addButton(self.problem)
        self.note = QLineEdit()
        self.note.setObjectName(f"note_{code}")
        hint = "须移送的，写明涉嫌的罪名和理由" if code in INVERTED else "选择“否”时写明存在的问题"
        self.note.setPlaceholderText(hint)
        self.error = QLabel()
        set_error_style(self.error)
        self.error.hide()

    def answer(self) -> ChecklistAnswer | None:
        if not (self.ok.isChecked() or self.problem.isChecked()):
            return None
        return ChecklistAnswer(self.code, self.ok.isChecked(), self.note.text())

    def set_answer(self, ok: bool | None, note: str = "") -> None:
        self.group.setExclusive(False)
        self.ok.setChecked(ok is True)
        self.problem.setChecked(ok is False)
        self.group.setExclusive(True)
        self.note.setText(note)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def widgets(self) -> list[QWidget]:
        return [self.ok, self.problem, self.note]


class ReviewForm(QWidget):
    """Checklist, opinion and opinion text; `answers()` and the rest give what core's `sign` takes."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: dict[str, ChecklistRow] = {}
        self.label_to_code = {label: code for code, label in CHECKLIST}

        checklist = QGroupBox("逐项审核（每项均须作答；选择“否”的须写明问题）")
        grid = QGridLayout(checklist)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(3, 2)
        grid.setHorizontalSpacing(10)
        for number, (code, label) in enumerate(CHECKLIST, start=1):
            row = ChecklistRow(code, label, number)
            self.rows[code] = row
            r = (number - 1) * 2
            grid.addWidget(row.label, r, 0)
            grid.addWidget(row.ok, r, 1)
            grid.addWidget(row.problem, r, 2)
            grid.addWidget(row.note, r, 3)
            grid.addWidget(row.error, r + 1, 0, 1, 4)
            for w in (row.ok, row.problem):
                w.toggled.connect(lambda _on: self.edited.emit())
            row.note.textEdited.connect(lambda _t: self.edited.emit())

        opinion_box = QGroupBox("审核结论和意见")
        opinion_layout = QVBoxLayout(opinion_box)
        radios = QHBoxLayout()
        self.opinion_group = QButtonGroup(self)
        self.opinion_buttons: dict[str, QRadioButton] = {}
        for n, opinion in enumerate(OPINIONS):
            button = QRadioButton(opinion)
            button.setObjectName(f"opinion_{n}")
            self.opinion_group.addButton(button)
            self.opinion_buttons[opinion] = button
            radios.addWidget(button)
            button.toggled.connect(lambda _on: self.edited.emit())
        radios.addStretch(1)
        self.opinion_error = QLabel()
        set_error_style(self.opinion_error)
        self.opinion_error.hide()
        self.text = QPlainTextEdit()
        self.text.setObjectName("opinion_text")
        self.text.setPlaceholderText("逐项写明审核意见：事实和证据、适用法律、裁量、程序等，不能只写“同意”")
        self.text.setTabChangesFocus(True)
        self.text.setMinimumHeight(self.text.fontMetrics().height() * 4 + 12)
        self.text.textChanged.connect(self.edited.emit)
        self.text_error = QLabel()
        set_error_style(self.text_error)
        self.text_error.hide()
        opinion_layout.addLayout(radios)
        opinion_layout.addWidget(self.opinion_error)
        opinion_layout.addWidget(self.text)
        opinion_layout.addWidget(self.text_error)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(checklist)
        layout.addWidget(opinion_box)

    # --- values ----------------------------------------------------------------------------------

    def answers(self) -> list[ChecklistAnswer]:
        """The items answered so far (core lists the unanswered ones)."""
        return [a for a in (row.answer() for row in self.rows.values()) if a is not None]

    def opinion(self) -> str:
        return next((o for o, b in self.opinion_buttons.items() if b.isChecked()), "")

    def opinion_text(self) -> str:
        return self.text.toPlainText()

    def set_opinion(self, opinion: str) -> None:
        button = self.opinion_buttons.get(opinion)
        if button is not None:
            button.setChecked(True)

    def show_signed(self, lines: Iterable[ChecklistLine], opinion: str, text: str) -> None:
        """A signed round, read-only."""
        for row in self.rows.values():
            row.set_answer(None)
        for line in lines:
            answered = self.rows.get(line.item)
            if answered is not None:
                answered.set_answer(line.ok, line.note)
        self.opinion_group.setExclusive(False)
        for button in self.opinion_buttons.values():
            button.setChecked(False)
        self.opinion_group.setExclusive(True)
        self.set_opinion(opinion)
        self.text.setPlainText(text)
        self.clear_errors()

    def clear(self) -> None:
        self.show_signed((), "", "")

    def set_read_only(self, read_only: bool) -> None:
        for row in self.rows.values():
            for w in row.widgets():
                w.setEnabled(not read_only)
        for button in self.opinion_buttons.values():
            button.setEnabled(not read_only)
        self.text.setReadOnly(read_only)

    def typed(self) -> bool:
        return bool(self.answers() or self.opinion() or self.opinion_text().strip())

    # --- errors -------------------------------------------------------------------------------------

    def clear_errors(self) -> None:
        for row in self.rows.values():
            row.show_error("")
        for label in (self.opinion_error, self.text_error):
            label.clear()
            label.hide()

    def show_errors(self, errors: Sequence[FieldError]) -> list[str]:
        """Each error under its item; returns those that belong to no field here."""
        self.clear_errors()
        rest: list[str] = []
        first: QWidget | None = None
        for error in errors:
            code = self.label_to_code.get(error.field)
            if code is not None:
                row = self.rows[code]
                text = row.error.text()
                row.show_error(f"{text}；{error.message}" if text else error.message)
                target: QWidget = row.note if row.problem.isChecked() else row.ok
                first = first or target
            elif error.field == OPINION_FIELD:
                self.opinion_error.setText(error.message)
                self.opinion_error.show()
                first = first or next(iter(self.opinion_buttons.values()))
            elif error.field == TEXT_FIELD:
                self.text_error.setText(error.message)
                self.text_error.show()
                first = first or self.text
            else:
                rest.append(str(error))
        if first is not None:
            first.setFocus()
        return rest

    def error_for(self, code: str) -> str:
        row = self.rows[code]
        return row.error.text() if not row.error.isHidden() else ""


# --- the package --------------------------------------------------------------------------------------


def _e(value: Any) -> str:
    return html.escape(str(value)) if value not in (None, "") else "—"


def _section(title: str, body: str) -> str:
    return f"<h4 style='margin-bottom:2px'>{html.escape(title)}</h4>{body}"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    if not rows:
        return "<p>（无）</p>"
    head = "".join(f"<th align='left'>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table border='1' cellspacing='0' cellpadding='3' width='100%'><tr>{head}</tr>{body}</table>"


def _day(value: Any) -> str:
    """2025-09-20 (as the package stores dates) -> 2025年9月20日."""
    try:
        return html.escape(show_date(date.fromisoformat(str(value))))
    except ValueError:
        return _e(value)


def _mono(text: str) -> str:
    return f"<span style='font-family:monospace'>{html.escape(text)}</span>" if text else "—"


def package_html(
    package: Mapping[str, Any],
    package_hash: str,
    *,
    discretion_text: str = "",
    form_titles: Mapping[str, str] | None = None,
    record_titles: Mapping[str, str] | None = None,
) -> str:
    """The package as the reviewer reads it; `discretion_text` explains the saved discretion result."""
    case = package.get("case") or {}
    proposal = package.get("proposal") or {}
    parts: list[str] = []

    kinds = "、".join(proposal.get("kinds") or []) or "—"
    fine = proposal.get("fine_fen")
    proposed = [
        f"处理意见：{_e(OUTCOMES.get(proposal.get('outcome') or '', proposal.get('outcome')))}",
        f"处罚种类：{html.escape(kinds)}",
        f"罚款金额：{_e(show_fen(fine) if fine is not None else '')}",
    ]
    if proposal.get("mitigation_ground"):
        proposed.append(f"减轻处罚依据：{_e(proposal['mitigation_ground'])}")
    parts.append(_section("拟作出的处理决定", "<p>" + "<br>".join(proposed) + "</p>"))

    facts = [
        f"案号：{_e(case.get('case_number'))}　案由：{_e(case.get('summary'))}",
        f"违法行为发生日期：{_day(case.get('violation_date'))}　地点：{_e(case.get('place'))}",
        f"事实：{_e(case.get('facts'))}",
    ]
    parts.append(_section("案件事实", "<p>" + "<br>".join(facts) + "</p>"))

    parties = [
        [_e(p.get("name")), _e(p.get("id_number") or p.get("credit_code")), _e(p.get("address"))]
        for p in package.get("parties") or []
    ]
    parts.append(
        _section("当事人", _table(("名称（姓名）", "身份证号码 / 统一社会信用代码", "住址"), parties))
    )

    evidence = [
        [
            _e(e.get("description")),
            _e(kind_label(e.get("kind") or "")),
            _mono(e.get("sha256") or "（实物，无文件）"),
        ]
        for e in package.get("evidence") or []
    ]
    parts.append(_section("证据（SHA-256）", _table(("证据", "种类", "文件哈希值"), evidence)))

    titles = record_titles or {}
    records = [
        [
            _e(titles.get(r.get("kind") or "", r.get("kind"))),
            _e(r.get("place")),
            _mono(r.get("content") or ""),
        ]
        for r in package.get("records") or []
    ]
    parts.append(_section("调查笔录", _table(("笔录", "地点", "内容摘要"), records)))

    discretion = package.get("discretion")
    if discretion:
        body = f"<p>{html.escape(discretion_text)}</p>" if discretion_text else ""
        body += (
            f"<p>事项：{_e(discretion.get('item'))}<br>裁量基准版本摘要：{_mono(discretion.get('benchmark') or '')}"
            f"<br>裁量结果摘要：{_mono(discretion.get('result') or '')}</p>"
        )
    else:
        body = "<p>（未保存裁量结果）</p>"
    parts.append(_section("裁量基准适用", body))

    hearing = [[_day(h.get("on")), _e(h.get("note"))] for h in package.get("hearing") or []]
    parts.append(
        _section(
            "听证记录", _table(("听证日期", "听证情况"), hearing) if hearing else "<p>（未举行听证）</p>"
        )
    )

    forms = form_titles or {}
    documents = [
        [_e(forms.get(d.get("form") or "", d.get("form"))), _mono(d.get("inputs") or "")]
        for d in package.get("documents") or []
    ]
    parts.append(_section("文书草稿", _table(("文书", "填写内容摘要"), documents)))

    parts.append(f"<p><b>审核材料摘要（SHA-256）：</b>{_mono(package_hash)}</p>")
    return "".join(parts)
