"""A township's case as the county sees it: read only — facts, parties, steps, documents (the archived
PDF shown inside), evidence (opened with the system's viewer, the view logged) and legal reviews.

Everything comes from `services.county.case_view`; a document's PDF from `services.documents.render`
(an issued document's stored bytes) and an evidence file from `services.evidence.open_for_view`,
which records the view in the full-process record.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from brigade_desk.core.errors import BrigadeError
from brigade_desk.core.services.county import CountyCaseView, CountyDocumentRow, CountyEvidenceRow
from brigade_desk.gui.formatting import show_date, show_datetime, show_fen
from brigade_desk.gui.pdf_preview import PdfPreview
from brigade_desk.gui.session import DeskSession
from brigade_desk.gui.style import set_error_style
from brigade_desk.gui.tables import fill_table, read_only_table


def show_size(size: int) -> str:
    if size < 1024:
        return f"{size} 字节"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def _value(text: str) -> QLabel:
    label = QLabel(text or "—")
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class CountyCaseDialog(QDialog):
    """One case, read only. Nothing here can change it: the township that owns it does that."""

    def __init__(self, session: DeskSession, view: CountyCaseView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.view = view
        self.open_url: Callable[[QUrl], object] = QDesktopServices.openUrl
        self.setWindowTitle(f"{view.case_number} — {view.township}（只读）")
        self.setMinimumSize(860, 620)

        title = QLabel(f"{view.case_number}　{view.summary}")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        title.setFont(font)
        title.setWordWrap(True)
        title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        note = QLabel(f"只读：本案由{view.township}办理，以下是其报送的数据包中的内容，县级不能修改。")
        note.setWordWrap(True)

        major = "否"
        if view.is_major:
            major = "是" + (f"（{'；'.join(view.major_reasons)}）" if view.major_reasons else "")
        left = QFormLayout()
        left.addRow("乡镇", _value(view.township))
        left.addRow("状态", _value(view.state_label))
        left.addRow("受理时间", _value(show_datetime(view.received_at)))
        left.addRow("立案日期", _value(show_date(view.filed_on)))
        left.addRow("违法地点", _value(view.place))
        right = QFormLayout()
        right.addRow("当事人", _value("、".join(view.parties)))
        right.addRow("承办人员", _value("、".join(view.officers)))
        right.addRow("罚款", _value(show_fen(view.fine_fen)))
        right.addRow("重大执法决定", _value(major))
        facts_row = QHBoxLayout()
        facts_row.addLayout(left, 1)
        facts_row.addSpacing(24)
        facts_row.addLayout(right, 1)

        # --- tabs ------------------------------------------------------------------------------
        self.facts = QPlainTextEdit(view.facts or "（未填写案件事实）")
        self.facts.setReadOnly(True)

        self.steps = read_only_table(["日期", "环节"])
        fill_table(self.steps, [[show_date(on), label] for on, label in view.steps])

        self.documents = read_only_table(["文书", "文号", "状态"], stretch=0)
        fill_table(self.documents, [[d.title, d.doc_number or "—", d.status_label] for d in view.documents])
        self.documents.itemSelectionChanged.connect(self._show_document)
        self.preview = PdfPreview()
        self.preview.clear("选择一份文书查看其存档的PDF")
        doc_split = QSplitter(Qt.Orientation.Horizontal)
        doc_split.addWidget(self.documents)
        doc_split.addWidget(self.preview)
        doc_split.setStretchFactor(0, 2)
        doc_split.setStretchFactor(1, 3)

        self.evidence = read_only_table(["种类", "证据", "文件", "大小"], stretch=1)
        fill_table(
            self.evidence,
            [
                [
                    e.kind_label,
                    e.description,
                    e.file_name or "（实物，无电子文件）",
                    show_size(e.size) if e.sha256 else "",
                ]
                for e in view.evidence
            ],
            right=(3,),
        )
        self.evidence.itemSelectionChanged.connect(self._update_evidence_button)
        self.evidence.cellDoubleClicked.connect(lambda _r, _c: self.open_evidence())
        self.open_button = QPushButton("打开")
        self.open_button.setToolTip("用系统程序打开原文件（将记入执法全过程记录）")
        self.open_button.clicked.connect(self.open_evidence)
        self.evidence_note = QLabel("选中一件证据，点“打开”或双击查看原文件；每次查看都记入执法全过程记录。")
        self.evidence_note.setWordWrap(True)
        evidence_box = QWidget()
        e_layout = QVBoxLayout(evidence_box)
        e_buttons = QHBoxLayout()
        e_buttons.addWidget(self.open_button)
        e_buttons.addWidget(self.evidence_note, 1)
        e_layout.addLayout(e_buttons)
        e_layout.addWidget(self.evidence)

        self.reviews = read_only_table(["轮次", "结果", "审核人员"])
        fill_table(self.reviews, [[f"第{r.round}轮", r.status_label, r.reviewer] for r in view.reviews])

        self.tabs = QTabWidget()
        self.tabs.addTab(self.facts, "案件事实")
        self.tabs.addTab(self.steps, f"办案环节（{len(view.steps)}）")
        self.tabs.addTab(doc_split, f"文书（{len(view.documents)}）")
        self.tabs.addTab(evidence_box, f"证据（{len(view.evidence)}）")
        self.tabs.addTab(self.reviews, f"法制审核（{len(view.reviews)}）")

        self.message = QLabel()
        set_error_style(self.message)
        self.message.hide()

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(note)
        layout.addLayout(facts_row)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self._update_evidence_button()

    # --- documents ---------------------------------------------------------------------------------

    def selected_document(self) -> CountyDocumentRow | None:
        row = self.documents.currentRow()
        return self.view.documents[row] if 0 <= row < len(self.view.documents) else None

    def _show_document(self) -> None:
        doc = self.selected_document()
        self.message.hide()
        if doc is None:
            self.preview.clear("选择一份文书查看其存档的PDF")
            return
        if not doc.pdf_sha256:
            self.preview.clear(f"《{doc.title}》是{doc.status_label}，尚未签发，没有存档的PDF")
            return
        try:
            rendered = self.session.services.documents.render(self.session.actor, doc.id, "pdf")
        except BrigadeError as exc:
            self.preview.clear(exc.message)
            return
        self.preview.show_pdf(rendered.content)

    # --- evidence ----------------------------------------------------------------------------------

    def selected_evidence(self) -> CountyEvidenceRow | None:
        row = self.evidence.currentRow()
        return self.view.evidence[row] if 0 <= row < len(self.view.evidence) else None

    def _update_evidence_button(self) -> None:
        item = self.selected_evidence()
        self.open_button.setEnabled(item is not None and item.sha256 is not None)

    def open_evidence(self) -> None:
        item = self.selected_evidence()
        if item is None or item.sha256 is None:
            return
        try:
            path = self.session.services.evidence.open_for_view(self.session.actor, item.id)
        except BrigadeError as exc:
            self.message.setText(exc.message)
            self.message.show()
            return
        self.message.hide()
        self.open_url(QUrl.fromLocalFile(str(path)))
        self.evidence_note.setText(f"已打开“{item.file_name}”（查看已记入执法全过程记录）")
