"""全过程记录完整性: per step of a case, the text and audio-video records it needs; missing ones in red.

Shown as wrapped rich text rather than a table: the case detail pane is narrow, and a missing
record's note ("尚未制作查封（扣押）现场笔录") must be readable without widening a column.
"""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QFrame, QLabel, QTextBrowser, QVBoxLayout, QWidget

from brigade_desk.core.services.evidence import CaseCompleteness
from brigade_desk.gui.style import ERROR, set_error_style

LEGEND = (
    "查封扣押、强制拆除应当全程音像记录；现场检查、询问、先行登记保存、听证、送达（尤其留置送达、"
    "公告送达）等根据情况音像记录（国办发〔2018〕118号）。"
)
LEVELS = {"required": "必须", "recommended": "视情况"}


class CompletenessPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report: CaseCompleteness | None = None
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.body = QTextBrowser()
        self.body.setFrameShape(QFrame.Shape.NoFrame)
        self.body.setOpenLinks(False)
        self.body.setToolTip(LEGEND)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.body, 1)

    def clear(self) -> None:
        self.report = None
        self.body.clear()
        self.summary.clear()
        self.summary.setStyleSheet("")

    def show_error(self, message: str) -> None:
        self.clear()
        set_error_style(self.summary)
        self.summary.setText(message)

    def show_completeness(self, report: CaseCompleteness) -> None:
        self.clear()
        self.report = report
        if not report.steps:
            self.summary.setText("本案尚无需要文字或音像记录的执法环节。")
            self.body.setHtml(f"<p style='color: gray'>{escape(LEGEND)}</p>")
            return
        if report.missing_count:
            set_error_style(self.summary)
            self.summary.setText(f"缺少 {report.missing_count} 项必须的记录（红色）。")
        else:
            self.summary.setText("各环节必须的文字和音像记录均已具备。")
        parts: list[str] = []
        for step in report.steps:
            colour = f" style='color: {ERROR}'" if not step.complete else ""
            state = "完整" if step.complete else "缺少记录"
            parts.append(
                f"<p style='margin: 6px 0 2px 0'><b{colour}>{escape(step.title)}</b>　<span{colour}>{state}</span></p>"
            )
            lines = []
            for need in step.needs:
                level = LEVELS.get(need.level, need.level)
                if need.present:
                    state_text = "已有" + (f"（{need.note}）" if need.note else "")
                    style = ""
                elif need.level == "required":
                    state_text = "缺少" + (f"：{need.note}" if need.note else "")
                    style = f" style='color: {ERROR}'"
                else:
                    state_text = "建议" + (f"：{need.note}" if need.note else "")
                    style = " style='color: gray'"
                lines.append(f"<li{style}>{escape(need.label)}（{level}）：{escape(state_text)}</li>")
            parts.append(f"<ul style='margin: 0 0 0 -20px'>{''.join(lines)}</ul>")
        parts.append(f"<p style='color: gray'>{escape(LEGEND)}</p>")
        self.body.setHtml("".join(parts))

    def missing_texts(self) -> list[str]:
        """The red lines shown now: "step title：record"."""
        if self.report is None:
            return []
        return [f"{step.title}：{label}" for step in self.report.steps for label in step.missing]
