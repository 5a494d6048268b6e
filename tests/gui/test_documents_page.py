"""The 文书 page on a real SQLite store: the brigade's drafts to issue and issued documents to serve,
counted on their tabs; 打开 shows the document in its case's 文书 tab; serving it takes it off."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from pytestqt.qtbot import QtBot

from brigade_desk.core.app import Services
from brigade_desk.core.store import Store
from brigade_desk.gui.main_window import MainWindow
from tests.core.test_documents_service import closed_investigation, draft, serve
from tests.factories import Cast, Clock, cast_of
from tests.gui.support import signed_in_window


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
def window(qtbot: QtBot, svc: Services, cast: Cast) -> Iterator[MainWindow]:
    with signed_in_window(qtbot, svc, cast.clerk) as win:
        yield win


def test_drafts_and_documents_to_serve_and_opening_one(
    qtbot: QtBot, svc: Services, cast: Cast, clock: Clock, window: MainWindow
) -> None:
    case_id = closed_investigation(svc, cast)
    clock.set_day(date(2025, 9, 29))
    notice_draft = draft(svc, cast.officer, case_id, "prior_notice")
    notice = svc.documents.issue(cast.clerk, notice_draft.id, notice_draft.version)
    address = draft(svc, cast.officer, case_id, "delivery_address")
    clock.set_day(date(2025, 10, 8))  # the notice has waited 9 days

    window.go_to("documents")
    page = window.documents
    assert [page.tabs.tabText(i) for i in range(page.tabs.count())] == ["待签发（1）", "待送达（1）"]
    drafts = page.tables["drafts"]
    assert drafts.rowCount() == 1 and drafts.item(0, 2).text() == "送达地址确认书"
    assert not page.open_button.isEnabled()  # nothing selected

    page.tabs.setCurrentIndex(1)
    waiting = page.tables["to_serve"]
    assert waiting.item(0, 3).text() == notice.doc_number and waiting.item(0, 7).text() == "9天"
    waiting.selectRow(0)
    assert page.open_button.isEnabled()
    page.open_button.click()
    assert window.current_key() == "cases"
    detail = window.cases.detail
    assert detail.case is not None and detail.case.id == case_id
    assert detail.tabs.currentWidget() is detail.documents_tab
    current = detail.documents_tab.current_document()
    assert current is not None and current.id == notice.id

    # Served in the case: the 文书 page, shown again, no longer lists it.
    serve(svc, cast, notice.id, date(2025, 10, 8))
    window.go_to("documents")
    assert page.tables["to_serve"].rowCount() == 0 and page.tabs.tabText(1) == "待送达"
    assert page.note.text() == "没有待送达的文书"
    page.tabs.setCurrentIndex(0)
    assert page.tables["drafts"].rowCount() == 1 and address.id == page.lists["drafts"].items[0].document_id
