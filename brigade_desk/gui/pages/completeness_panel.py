"""全过程记录完整性: per step of a case, the text and audio-video records it needs; missing ones in red."""

from __future__ import annotations

from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from brigade_desk.core.services.evidence import CaseCompleteness
from brigade_desk.gui.style import ERROR, set_error_style

LEGEND = (
    "查封扣押、强制拆除应当全程音像记录；现场检查、询问、先行登记保存、听证、送达（尤其留置送达、公告送达）"
    "等根据情况音像记录（国办发〔2018〕118号）。"
)
LEVELS = {"required": "必须", "recommended": "视情况"}


class CompletenessPanel(QWidget):
    HEADERS = ("环节 / 记录", "要求", "情况")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(len(self.HEADERS))
        self.tree.setHeaderLabels(list(self.HEADERS))
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.tree.setRootIsDecorated(False)
        self.tree.setWordWrap(True)
        self.tree.setUniformRowHeights(False)
        header = self.tree.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.legend = QLabel(LEGEND)
        self.legend.setWordWrap(True)
        self.legend.setStyleSheet("color: palette(mid);")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.legend)

    def clear(self) -> None:
        self.tree.clear()
        self.summary.clear()
        self.summary.setStyleSheet("")

    def show_error(self, message: str) -> None:
        self.clear()
        set_error_style(self.summary)
        self.summary.setText(message)

    def show_completeness(self, report: CaseCompleteness) -> None:
        self.clear()
        red = QBrush(QColor(ERROR))
        if not report.steps:
            self.summary.setText("本案尚无需要文字或音像记录的执法环节。")
            return
        if report.missing_count:
            set_error_style(self.summary)
            self.summary.setText(f"全过程记录缺少 {report.missing_count} 项，见下方红色条目。")
        else:
            self.summary.setText("各环节必须的文字和音像记录均已具备。")
        for step in report.steps:
            top = QTreeWidgetItem(self.tree, [step.title, "", "完整" if step.complete else "缺少记录"])
            font = QFont(top.font(0))
            font.setBold(True)
            top.setFont(0, font)
            top.setFirstColumnSpanned(False)
            top.setToolTip(0, f"依据：{step.source}")
            if not step.complete:
                for column in range(3):
                    top.setForeground(column, red)
            for need in step.needs:
                if need.present:
                    state = "已有" + (f"（{need.note}）" if need.note else "")
                elif need.level == "required":
                    state = "缺少" + (f"：{need.note}" if need.note else "")
                else:
                    state = "建议" + (f"：{need.note}" if need.note else "")
                child = QTreeWidgetItem(top, ["　" + need.label, LEVELS.get(need.level, need.level), state])
                child.setToolTip(2, state)
                if need.level == "required" and not need.present:
                    for column in range(3):
                        child.setForeground(column, red)
        self.tree.expandAll()
        self.tree.resizeColumnToContents(0)

    def missing_texts(self) -> list[str]:
        """The red lines shown now (for tests and for reading aloud in a bug report)."""
        found: list[str] = []
        for n in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(n)
            if top is None:
                continue
            for m in range(top.childCount()):
                child = top.child(m)
                if child is not None and child.text(2).startswith("缺少"):
                    found.append(f"{top.text(0)}：{child.text(0).strip()}")
        return found
