"""Pages whose work comes later: they say what will be here and which work brings it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from brigade_desk.gui.pages.base import Page
from brigade_desk.gui.session import DeskSession


class PlaceholderPage(Page):
    def __init__(
        self, session: DeskSession, key: str, title: str, text: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(session, parent)
        self.key, self.title = key, title
        heading = QLabel(title)
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        heading.setFont(font)
        self.text = QLabel(text)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.text)
        layout.addStretch(1)


PLACEHOLDERS: tuple[tuple[str, str, str], ...] = (
    (
        "statistics",
        "统计",
        "这里将按时间、事项、来源和状态统计案件并绘制图表。由后续的“统计”工作提供。",
    ),
)
