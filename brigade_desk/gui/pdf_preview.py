"""PDF inside the application: a preview widget (QtPdf) and printing through the Qt print dialog.

The bytes come from core (a draft rendered now, or the stored PDF of an issued document); nothing
here reads the store. Printing renders each page with QPdfDocument at the printer's resolution and
paints it on the page, so what is printed is exactly the archived PDF.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QLabel, QProgressDialog, QStackedLayout, QWidget


def load_pdf(content: bytes, parent: QWidget | None = None) -> tuple[QPdfDocument, QBuffer]:
    """A QPdfDocument over `content`; keep the returned buffer alive as long as the document."""
    buffer = QBuffer(parent)
    buffer.setData(QByteArray(content))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument(parent) if parent is not None else QPdfDocument()
    document.load(buffer)
    return document, buffer


class PdfPreview(QWidget):
    """Shows one PDF (pages one under the other, fitted to the width), or a hint when there is none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = QPdfDocument(self)
        self._buffer: QBuffer | None = None
        self.view = QPdfView(self)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setDocument(self.document)
        self.hint = QLabel("选择一份文书查看")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        self._stack = QStackedLayout(self)
        self._stack.addWidget(self.hint)
        self._stack.addWidget(self.view)

    def show_pdf(self, content: bytes) -> None:
        self.document.close()
        buffer = QBuffer(self)
        buffer.setData(QByteArray(content))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(buffer)
        if self._buffer is not None:
            self._buffer.deleteLater()
        self._buffer = buffer
        self._stack.setCurrentIndex(1)

    def clear(self, hint: str = "选择一份文书查看") -> None:
        self.document.close()
        self.hint.setText(hint)
        self._stack.setCurrentIndex(0)

    def page_count(self) -> int:
        return self.document.pageCount() if self._stack.currentIndex() == 1 else 0


def paint_pdf(
    printer: QPrinter, contents: Sequence[bytes], progress: Callable[[int], bool] | None = None
) -> int:
    """Print PDFs one after another on `printer`; returns the pages printed. `progress(n)` is called
    after each document and may return False to stop."""
    painter = QPainter()
    if not painter.begin(printer):
        return 0
    pages = 0
    try:
        for n, content in enumerate(contents):
            document, buffer = load_pdf(content)
            try:
                for page in range(document.pageCount()):
                    if pages:
                        printer.newPage()
                    target = painter.viewport()
                    size = document.pagePointSize(page)
                    scale = min(target.width() / size.width(), target.height() / size.height())
                    image = document.render(
                        page, QSize(int(size.width() * scale), int(size.height() * scale))
                    )
                    painter.drawImage(0, 0, image)
                    pages += 1
            finally:
                document.close()
                buffer.close()
            if progress is not None and not progress(n + 1):
                break
    finally:
        painter.end()
    return pages


def ask_printer(parent: QWidget, title: str) -> QPrinter | None:
    """The Qt print dialog; None when the person cancels."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(title)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return printer


def print_with_progress(
    parent: QWidget, printer: QPrinter, labels: Sequence[str], load: Callable[[int], bytes]
) -> tuple[int, bool]:
    """Print several documents with a progress dialog that can cancel; (documents printed, cancelled)."""
    dialog = QProgressDialog("正在打印……", "取消", 0, len(labels), parent)
    dialog.setWindowTitle("打印")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(0)
    done = 0
    cancelled = False
    painter_contents: list[bytes] = []
    for n, label in enumerate(labels):
        if dialog.wasCanceled():
            cancelled = True
            break
        dialog.setLabelText(f"正在准备：{label}（{n + 1}/{len(labels)}）")
        painter_contents.append(load(n))
        dialog.setValue(n)

    def step(count: int) -> bool:
        nonlocal done
        done = count
        dialog.setValue(count)
        dialog.setLabelText(f"已打印 {count}/{len(painter_contents)} 份")
        return not dialog.wasCanceled()

    if not cancelled:
        paint_pdf(printer, painter_contents, step)
        cancelled = dialog.wasCanceled() and done < len(labels)
    dialog.close()
    return done, cancelled
