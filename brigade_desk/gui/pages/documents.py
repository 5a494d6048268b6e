"""文书: the brigade's documents still to act on, across its cases — 待签发 (drafts) and 待送达
(issued documents that go to a party with no delivery recorded). The work itself (issue, print,
serve) is done in the case's 文书 tab, which a double click opens with the document selected.
"""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from brigade_desk.core.errors import BrigadeError
from brigade_desk.core.services.documents import WORKLISTS, WorkItem, Worklist
from brigade_desk.core.timeutil import beijing_today
from brigade_desk.gui.fields import session_today
from brigade_desk.gui.formatting import show_datetime
from brigade_desk.gui.pages.base import Page
from brigade_desk.gui.session import DeskSession
from brigade_desk.gui.style import DUE_SOON, OVERDUE, colour
from brigade_desk.gui.tables import read_only_table

SHOWN = 500
HEADERS = {
    "drafts": ("案号", "案由", "文书", "当事人", "最后保存", "制作人"),
    "to_serve": ("案号", "案由", "文书", "文号", "当事人", "签发时间", "签发人", "已等待"),
}
# Days an issued document may wait for its delivery before the row is coloured (a reminder, not a
# legal deadline: the law's clocks run from the delivery, so a late one delays the whole case).
WAIT_WARN_DAYS, WAIT_LATE_DAYS = 3, 7


def _cells(which: str, item: WorkItem, waited: int | None) -> tuple[str, ...]:
    number = item.case_number or "（未立案）"
    when = show_datetime(item.at) if item.at else ""
    if which == "drafts":
        return (number, item.case_summary, item.title, item.party_name, when, item.by)
    return (
        number,
        item.case_summary,
        item.title,
        item.doc_number,
        item.party_name,
        when,
        item.by,
        f"{waited}天" if waited is not None else "",
    )


class DocumentsPage(Page):
    key = "documents"
    title = "文书"

    open_document = Signal(str, str)  # case id, document id

    def __init__(self, session: DeskSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.lists: dict[str, Worklist] = {}
        heading = QLabel(self.title)
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        heading.setFont(font)
        intro = QLabel(
            "本大队尚未签发的文书草稿，和已签发、须送达当事人而尚未登记送达的文书。"
            "双击一行（或选中后点“打开”）进入该案件的“文书”标签页，在那里签发、打印和登记送达。"
        )
        intro.setWordWrap(True)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()

        self.tabs = QTabWidget()
        self.tables: dict[str, QTableWidget] = {}
        for which, headers in HEADERS.items():
            table = read_only_table(headers, stretch=1)
            table.setAlternatingRowColors(True)
            table.doubleClicked.connect(lambda _index, w=which: self.open_row(w))
            table.itemSelectionChanged.connect(self._update_buttons)
            self.tables[which] = table
            self.tabs.addTab(table, WORKLISTS[which])
        self.tabs.currentChanged.connect(lambda _i: self._update_buttons())
        self.note = QLabel()

        self.open_button = QPushButton("打开")
        self.open_button.setToolTip("在案件的“文书”标签页中打开所选文书")
        self.open_button.clicked.connect(lambda: self.open_row(self.current_list()))
        bottom = QHBoxLayout()
        bottom.addWidget(self.note, 1)
        bottom.addWidget(self.open_button)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bottom)

    # --- loading ---------------------------------------------------------------------------------

    def ensure_fresh(self) -> None:
        # Documents are drafted, issued and served in the cases' own 文书 tabs, which do not tell the
        # other pages: the two short lists are read again whenever the page is shown.
        self.refresh()

    def refresh(self) -> None:
        super().refresh()
        self.message.hide()
        today = session_today(self.session)
        for index, which in enumerate(HEADERS):
            try:
                worklist = self.services.documents.worklist(self.session.actor, which, limit=SHOWN)
            except BrigadeError as exc:
                worklist = Worklist([], 0)
                self.message.setText(exc.message)
                self.message.show()
            self.lists[which] = worklist
            self._fill(which, worklist, today)
            label = WORKLISTS[which]
            self.tabs.setTabText(index, f"{label}（{worklist.total}）" if worklist.total else label)
        self._update_buttons()

    def _fill(self, which: str, worklist: Worklist, today: date) -> None:
        table = self.tables[which]
        table.setRowCount(len(worklist.items))
        for row, item in enumerate(worklist.items):
            waited = _days_since(item.at, today) if which == "to_serve" else None
            for column, text in enumerate(_cells(which, item, waited)):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                if waited is not None and column == len(HEADERS[which]) - 1:
                    shade = (
                        OVERDUE
                        if waited >= WAIT_LATE_DAYS
                        else DUE_SOON
                        if waited >= WAIT_WARN_DAYS
                        else None
                    )
                    if shade:
                        cell.setForeground(colour(shade))
                table.setItem(row, column, cell)

    def current_list(self) -> str:
        return list(HEADERS)[self.tabs.currentIndex()]

    def selected(self, which: str) -> WorkItem | None:
        table = self.tables[which]
        items = self.lists.get(which, Worklist([], 0)).items
        row = table.currentRow()
        return items[row] if 0 <= row < len(items) and table.selectedItems() else None

    def _update_buttons(self) -> None:
        which = self.current_list()
        self.open_button.setEnabled(self.selected(which) is not None)
        worklist = self.lists.get(which)
        if worklist is not None and worklist.total > len(worklist.items):
            self.note.setText(f"共 {worklist.total} 件，列出其中 {len(worklist.items)} 件")
        elif worklist is not None and not worklist.total:
            self.note.setText("没有" + ("待签发的文书草稿" if which == "drafts" else "待送达的文书"))
        else:
            self.note.setText("")

    # --- actions -----------------------------------------------------------------------------------

    def open_row(self, which: str) -> None:
        item = self.selected(which)
        if item is not None:
            self.open_document.emit(item.case_id, item.document_id)


def _days_since(at: datetime | None, today: date) -> int | None:
    return (today - beijing_today(at)).days if at is not None else None


__all__ = ["DocumentsPage"]
