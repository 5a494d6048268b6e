"""Legal review inside the main window (issue 6): a handler submits from the case's 审核 tab, the
reviewer signs on the 审核 page, the case then shows 审核通过; leaders' approvals in the procedure
panel are signed with the leader's password (签名确认)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from brigade_desk.core.app import Services
from brigade_desk.core.services.procedure import FilingInput, Proposal, RecordInput
from brigade_desk.core.store import Store, open_store
from brigade_desk.gui.action_dialog import ActionDialog
from brigade_desk.gui.main_window import MainWindow
from brigade_desk.gui.pages.case_detail import CaseDetailPane
from brigade_desk.gui.session import DeskSession
from tests.core.test_reviews import _major_case
from tests.factories import PASSWORD, Cast, Clock, cast_of
from tests.gui.support import type_text
from tests.gui.test_reviews import _answer_all, _sign


@pytest.fixture
def svc(data_dir: Path) -> Iterator[Services]:
    store: Store = open_store(data_dir)
    yield Services.over(store, Clock(datetime(2025, 9, 22, 2, 0, tzinfo=UTC)))
    store.dispose()


@pytest.fixture
def cast(svc: Services) -> Cast:
    return cast_of(svc)


def test_submission_in_the_case_to_sign_off_on_the_review_page(
    qtbot: QtBot, svc: Services, cast: Cast
) -> None:
    case_id = _major_case(svc, cast)
    window = MainWindow(DeskSession(svc, cast.officer))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    try:
        window.open_case(case_id)
        detail = window.cases.detail
        detail.tabs.setCurrentWidget(detail.review_tab)
        panel = detail.review_tab.review_panel
        assert panel.status.text() == "尚未提交法制审核"
        qtbot.mouseClick(panel.submit_button, Qt.MouseButton.LeftButton)
        assert detail.case is not None and detail.case.state == "legal_review"
        assert panel.status.text().startswith("待审核（第1轮）")

        window.session.switch_to(cast.reviewer)
        window.go_to("reviews")
        page = window.reviews
        assert page.page_tabs.currentWidget() is page.review_desk  # a reviewer starts at 法制审核
        desk = page.review_desk
        assert desk.table.rowCount() == 1
        desk.table.selectRow(0)
        _answer_all(qtbot, desk)
        qtbot.mouseClick(desk.form.opinion_buttons["同意"], Qt.MouseButton.LeftButton)
        type_text(qtbot, desk.form.text, "事实清楚，证据确凿，同意。")
        assert _sign(qtbot, desk).result() == QDialog.DialogCode.Accepted

        window.open_case(case_id)
        assert window.current_key() == "cases"
        detail.tabs.setCurrentWidget(detail.review_tab)
        assert panel.status.text() == "审核通过（第1轮）"
        assert (
            panel.rounds_table.item(0, 4).text() == svc.reviews.rounds(cast.officer, case_id)[0].fingerprint
        )
    finally:
        window.idle.uninstall()


def test_leaders_approval_is_signed_with_the_password(qtbot: QtBot, svc: Services, cast: Cast) -> None:
    case_id = _major_case(svc, cast)
    pane = CaseDetailPane(DeskSession(svc, cast.leader2))  # not a handler of the case
    qtbot.addWidget(pane)
    pane.resize(800, 900)
    pane.show()
    pane.show_case_id(case_id)
    dialog = pane.procedure_panel.start("approve_extension")
    assert isinstance(dialog, ActionDialog)
    dialog.set_text("延期依据", "某程序规定第五十条")
    dialog.save_button.click()
    sign = dialog.signature_dialog
    assert sign is not None and "钱副镇长" in sign.signer.text() and not dialog.saved
    sign.password.setText("wrong-password")
    sign.sign_button.click()
    assert sign.isVisible() and "密码不正确" in sign.error_text()
    sign.password.setText(PASSWORD)
    sign.sign_button.click()
    assert dialog.saved and dialog.result() == QDialog.DialogCode.Accepted
    extension = svc.procedure.approvals(cast.officer, case_id)[-1]
    assert extension.kind == "extension" and extension.fingerprint
    assert svc.reviews.verify_case(cast.admin, case_id).ok
    pane.tabs.setCurrentWidget(pane.review_tab)
    approvals = pane.review_tab.approvals
    assert approvals.item(approvals.rowCount() - 1, 5).text() == extension.fingerprint


def test_withdrawal_is_signed_too(qtbot: QtBot, svc: Services, cast: Cast) -> None:
    p = svc.procedure
    case_id = p.propose_filing(
        cast.officer,
        FilingInput((cast.item_id,), (cast.person_id,), cast.officer_ids, date(2025, 9, 20), "占道经营案"),
    )
    p.approve_filing(cast.leader, case_id, True, "同意", svc.cases.get(cast.officer, case_id).version)
    day = datetime(2025, 9, 22, 1, tzinfo=UTC)
    p.add_record(
        cast.officer,
        case_id,
        RecordInput("inspection", day, day.replace(hour=2), "东村路口", cast.officer_ids, text="未见占道"),
    )
    version = svc.cases.get(cast.officer, case_id).version
    p.close_investigation(
        cast.officer, case_id, Proposal("not_established", (), None, report="事实不成立"), version
    )
    pane = CaseDetailPane(DeskSession(svc, cast.leader2))
    qtbot.addWidget(pane)
    pane.show()
    pane.show_case_id(case_id)
    dialog = pane.procedure_panel.start("withdraw")
    assert isinstance(dialog, ActionDialog)
    dialog.save_button.click()
    sign = dialog.signature_dialog
    assert sign is not None
    sign.password.setText(PASSWORD)
    sign.sign_button.click()
    assert dialog.saved
    assert svc.procedure.approvals(cast.officer, case_id)[-1].fingerprint


def test_an_overdue_deadline_is_red_in_the_review_lists(qtbot: QtBot, svc: Services, cast: Cast) -> None:
    """As in the case list: a pending filing whose 立案 review time has run out shows its date in red."""
    from PySide6.QtGui import QColor

    from brigade_desk.gui.pages.reviews import ReviewsPage
    from brigade_desk.gui.style import OVERDUE

    svc.procedure.propose_filing(
        cast.officer,
        FilingInput(
            (cast.item_id,),
            (cast.person_id,),
            cast.officer_ids,
            date(2025, 8, 1),
            "陈喆擅自占用城市道路从事经营活动案",
            received_at=datetime(2025, 8, 1, 2, tzinfo=UTC),
        ),
    )
    page = ReviewsPage(DeskSession(svc, cast.leader))
    qtbot.addWidget(page)
    page.refresh()
    cell = page.tables["filing"].item(0, 5)
    assert cell.text().endswith("立案审查") and "已逾期" in cell.toolTip()
    assert cell.foreground().color() == QColor(OVERDUE)
