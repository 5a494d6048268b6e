"""The documents tab: what the step needs, generate with the fields the case lacks and a preview,
issue, print one or all (to a PDF printer), record service through the dialog, verify a typed
number and code, and the case file in the background with its self-check."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QDialog, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select as select_

from brigade_desk.core.app import Services
from brigade_desk.core.documents.samples import sample_inputs
from brigade_desk.core.model import AuditEvent
from brigade_desk.core.store import Store
from brigade_desk.gui.document_dialogs import DeliveryDialog, GenerateDialog, ListDialog, VerifyDialog
from brigade_desk.gui.pages.case_detail import CaseDetailPane
from brigade_desk.gui.pages.documents_tab import DocumentsTab
from brigade_desk.gui.session import DeskSession
from tests.core.test_documents_service import DISCRETION, ORGAN, closed_investigation
from tests.factories import Cast, Clock, cast_of


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2025, 9, 22, 2, 0, tzinfo=UTC))


@pytest.fixture
def svc(sqlite_store: Store, clock: Clock) -> Services:
    return Services.over(sqlite_store, clock)


@pytest.fixture
def cast(svc: Services) -> Cast:
    return cast_of(svc)


@pytest.fixture
def case_id(svc: Services, cast: Cast, clock: Clock) -> str:
    case_id = closed_investigation(svc, cast)
    clock.set_day(date(2025, 9, 29))
    return case_id


def make_tab(qtbot: QtBot, svc: Services, actor: Any, case_id: str) -> DocumentsTab:
    tab = DocumentsTab(DeskSession(svc, actor))
    qtbot.addWidget(tab)
    tab.resize(900, 900)
    tab.show()
    qtbot.waitExposed(tab)
    tab.show_case(svc.cases.get(actor, case_id))
    return tab


class Driver:
    """Plays the person in front of each modal dialog the tab opens."""

    def __init__(self) -> None:
        self.seen: list[QDialog] = []
        self.delivery: Callable[[DeliveryDialog], None] | None = None

    def __call__(self, dialog: QDialog) -> int:
        self.seen.append(dialog)
        if isinstance(dialog, GenerateDialog):
            form_id = dialog.prep.form_id
            from brigade_desk.core.documents import FormLibrary

            values = sample_inputs(FormLibrary().get(form_id), list(dialog.editors))
            values.update({k: v for k, v in {**DISCRETION, **ORGAN}.items() if k in dialog.editors})
            for name, editor in dialog.editors.items():
                editor.set_value(values.get(name))
            dialog.show_preview()
            assert dialog.preview.page_count() >= 1
            dialog.save()
        elif isinstance(dialog, DeliveryDialog) and self.delivery is not None:
            self.delivery(dialog)
        return dialog.result()


def pdf_printer(path: Path) -> Callable[[QWidget, str], QPrinter]:
    def ask(_parent: QWidget, _title: str) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(path))
        return printer

    return ask


def select(tab: DocumentsTab, title: str) -> None:
    row = next(n for n, r in enumerate(tab.rows) if r.title == title)
    tab.table.setCurrentCell(row, 0)


def test_generate_preview_issue_print_and_deliver(
    qtbot: QtBot, svc: Services, cast: Cast, case_id: str, tmp_path: Path
) -> None:
    tab = make_tab(qtbot, svc, cast.officer, case_id)
    driver = Driver()
    tab.exec_dialog = driver
    assert "当前环节：调查终结" in tab.step_label.text() and "行政处罚事先告知书" in tab.step_label.text()
    select(tab, "行政处罚事先告知书")
    assert tab.table.item(tab.table.currentRow(), 2).text() == "未制作"
    assert not tab.issue_button.isEnabled()
    tab.generate_button.click()
    assert isinstance(driver.seen[-1], GenerateDialog) and driver.seen[-1].saved is not None
    assert tab.current_document() is not None and tab.current_document().status == "draft"
    assert tab.preview.page_count() >= 1  # the draft is shown inside the application
    assert "草稿尚未签发" in tab.reason.text()

    tab.issue_button.click()
    doc = tab.current_document()
    assert doc is not None and doc.status == "issued" and doc.doc_number == "青综执罚告字〔2025〕第1号"
    assert "已签发" in tab.message.text() and doc.verify_code in tab.message.text()

    printed = tmp_path / "printed.pdf"
    tab.ask_printer = pdf_printer(printed)
    tab.print_button.click()
    assert len(PdfReader(str(printed)).pages) == doc.page_count
    all_printed = tmp_path / "step.pdf"
    tab.ask_printer = pdf_printer(all_printed)
    assert tab.print_all_button.isEnabled()
    tab.print_all_button.click()
    assert all_printed.exists() and "已送打印 1/1 份" in tab.message.text()
    exported = tmp_path / "exported.docx"
    tab.ask_save_path = lambda *_: str(exported)
    tab.export()
    assert exported.exists()
    with svc.store.read() as session:  # printing and exporting are in the full-process record
        outputs = session.execute(
            select_(AuditEvent.action, AuditEvent.summary)
            .where(
                AuditEvent.entity_id == doc.id, AuditEvent.action.in_(("document.print", "document.export"))
            )
            .order_by(AuditEvent.seq)
        ).all()
    assert [a for a, _ in outputs] == ["document.print", "document.print", "document.export"]
    assert doc.doc_number in outputs[0][1] and "exported.docx" in outputs[2][1]

    def leave_without_video(dialog: DeliveryDialog) -> None:
        dialog.mode.setCurrentText("留置送达")
        dialog.place.setText("青溪镇东村12号")
        dialog.save()
        assert not dialog.error_lines["音像记录"].isHidden()
        assert "见证人" in dialog.message.text()
        dialog.mode.setCurrentText("直接送达")
        dialog.save()

    driver.delivery = leave_without_video
    assert tab.deliver_button.isEnabled()
    tab.deliver_button.click()
    assert "已登记送达：直接送达" in tab.message.text() and "送达回证" in tab.message.text()
    assert svc.procedure.status(cast.officer, case_id).state == "notice_served"

    verifier = VerifyDialog(DeskSession(svc, cast.clerk))
    qtbot.addWidget(verifier)
    verifier.number.setText(doc.doc_number)
    verifier.code.setText(f"{doc.verify_code[:4]}-{doc.verify_code[4:8]}-{doc.verify_code[8:]}")
    verifier.verify_typed()
    assert "与存档一致" in verifier.result_label.text()
    verifier.code.setText("0000-0000-0000")
    verifier.verify_typed()
    assert "已被改动或验证码有误" in verifier.result_label.text()
    verifier.verify_file(str(printed))  # a printed-to-PDF copy is not the archived file
    assert "✘" in verifier.result_label.text()


def test_case_file_in_the_background_with_its_self_check(
    qtbot: QtBot, svc: Services, cast: Cast, case_id: str, tmp_path: Path
) -> None:
    tab = make_tab(qtbot, svc, cast.officer, case_id)
    driver = Driver()
    tab.exec_dialog = driver
    select(tab, "行政处罚事先告知书")
    tab.generate_button.click()
    tab.issue_button.click()
    target = tmp_path / "case.pdf"
    tab.ask_save_path = lambda *_: str(target)
    tab.case_file_button.click()
    qtbot.waitUntil(lambda: tab.last_case_file is not None, timeout=30_000)
    assert target.exists() and len(PdfReader(str(target)).pages) == tab.last_case_file.page_count
    check = next(d for d in driver.seen if isinstance(d, ListDialog))
    assert check is not None and "自查发现" in tab.message.text()


def test_clerk_sees_why_drafting_is_disabled(qtbot: QtBot, svc: Services, cast: Cast, case_id: str) -> None:
    tab = make_tab(qtbot, svc, cast.clerk, case_id)
    select(tab, "行政处罚事先告知书")
    assert not tab.generate_button.isEnabled()
    assert "无办理案件权限" in tab.reason.text()


@pytest.fixture
def pane(qtbot: QtBot, svc: Services, cast: Cast, case_id: str) -> Iterator[CaseDetailPane]:
    widget = CaseDetailPane(DeskSession(svc, cast.officer))
    qtbot.addWidget(widget)
    widget.resize(800, 900)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget


def test_the_case_detail_has_a_documents_tab(qtbot: QtBot, pane: CaseDetailPane, case_id: str) -> None:
    tab = next(t for t in pane.case_tabs if isinstance(t, DocumentsTab))
    pane.show_case_id(case_id)
    pane.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: bool(tab.rows), timeout=5_000)
    assert any(r.title == "行政处罚事先告知书" for r in tab.rows)
