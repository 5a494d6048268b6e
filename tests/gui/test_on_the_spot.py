"""当场处罚 in the GUI with real widgets on a real SQLite store: a fine collected on the spot makes a
numbered 简罚 case and leads to its 当场行政处罚决定书; core's refusals (over the limit, one officer)
stand beside their fields with nothing written and nothing typed lost; a warning; the action is
disabled for a role that may not handle cases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from io import BytesIO

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox
from pytestqt.qtbot import QtBot

from brigade_desk.core.app import Services
from brigade_desk.core.store import Store
from brigade_desk.gui.document_dialogs import GenerateDialog
from brigade_desk.gui.main_window import MainWindow
from brigade_desk.gui.pages.cases import CasesPage
from brigade_desk.gui.pages.on_the_spot import OnTheSpotDialog
from tests.factories import Cast, Clock, cast_of
from tests.gui.support import signed_in_window, type_text

MONDAY = datetime(2025, 9, 22, 2, 0, tzinfo=UTC)  # 10:00 Beijing time


@pytest.fixture
def svc(sqlite_store: Store) -> Services:
    return Services.over(sqlite_store, Clock(MONDAY))


@pytest.fixture
def cast(svc: Services) -> Cast:
    return cast_of(svc)  # 张三 and 李四 (officers), 王五 (expired certificate), 周内勤 (clerk), …


class Answers:
    """Plays the person answering the question after the decision (制作决定书?)."""

    def __init__(self) -> None:
        self.reply = QMessageBox.StandardButton.Yes
        self.asked: list[str] = []

    def __call__(self, _parent: object, _title: str, text: str, *_a: object, **_k: object) -> object:
        self.asked.append(text)
        return self.reply


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Answers:
    answers = Answers()
    monkeypatch.setattr(QMessageBox, "question", answers)
    return answers


@pytest.fixture
def officer_window(qtbot: QtBot, svc: Services, cast: Cast) -> Iterator[MainWindow]:
    with signed_in_window(qtbot, svc, cast.officer) as win:
        yield win


@pytest.fixture
def clerk_window(qtbot: QtBot, svc: Services, cast: Cast) -> Iterator[MainWindow]:
    with signed_in_window(qtbot, svc, cast.clerk) as win:
        yield win


def _open(window: MainWindow) -> tuple[CasesPage, OnTheSpotDialog]:
    window.go_to("cases")
    page = window.cases
    assert page.spot_button.isEnabled()
    page.spot_button.click()
    dialog = page.findChild(OnTheSpotDialog)
    assert isinstance(dialog, OnTheSpotDialog) and dialog.isVisible()
    return page, dialog


def _fill(qtbot: QtBot, dialog: OnTheSpotDialog, cast: Cast, fine: str) -> None:
    """陈喆 found by pinyin initials, the place, the facts, the claimed item, the fine."""
    qtbot.keyClicks(dialog.parties.search, "cz")
    qtbot.waitUntil(lambda: dialog.parties.results.count() == 1, timeout=2000)
    qtbot.keyClick(dialog.parties.search, Qt.Key.Key_Return)
    assert dialog.parties.party_ids() == (cast.person_id,)
    assert dialog.case_id is None  # Enter in the search picked the party; it did not submit
    type_text(qtbot, dialog.place, "青溪镇东村路口")
    type_text(qtbot, dialog.facts, "当事人在东村路口人行道上摆放水果摊占道经营")
    assert dialog.items.list.item_for(cast.unclaimed_item_id) is None  # claimed items only
    dialog.items.check([cast.item_id])
    assert "城市道路管理条例" in dialog.items.basis.text()
    qtbot.keyClicks(dialog.fine, fine)


def test_a_fine_collected_on_the_spot_makes_the_case_and_leads_to_its_decision(
    qtbot: QtBot, svc: Services, cast: Cast, officer_window: MainWindow, answers: Answers
) -> None:
    page, dialog = _open(officer_window)
    _fill(qtbot, dialog, cast, "50")
    assert not dialog.receipt_no.isEnabled()  # only when collecting
    dialog.collect.setChecked(True)
    dialog.save_button.click()
    assert dialog.case_id is None  # collecting needs the finance receipt (APL Art 70)
    assert "罚款收据" in dialog.errors.message("罚没款票据号")
    qtbot.keyClicks(dialog.receipt_no, "ZJ-F-0012345")
    dialog.officers.set_checked([cast.officer2.user_id])
    assert dialog.officers.values() == (cast.officer.user_id, cast.officer2.user_id)

    made: list[GenerateDialog] = []

    def fill_decision(generate: QDialog) -> int:
        assert isinstance(generate, GenerateDialog)
        made.append(generate)
        # Asked for what the case lacks: the time of the act and the party's statement.
        assert {"spot_time", "statement_text"} <= set(generate.editors)
        assert "receipt_no" not in generate.editors  # the receipt comes from the case
        generate.editors["spot_time"].set_value(datetime(2025, 9, 22, 9, 40))
        generate.editors["statement_text"].set_value("当事人未提出陈述、申辩。")
        generate.show_preview()
        assert generate.preview.page_count() >= 1
        assert "内容齐全" in generate.message.text()
        generate.save()
        return generate.result()

    page.detail.documents_tab.exec_dialog = fill_decision
    dialog.save_button.click()

    case_id = dialog.case_id
    assert case_id is not None and not dialog.isVisible()
    case = svc.cases.get(cast.officer, case_id)
    assert (case.procedure, case.state, case.fine_fen) == ("simple", "on_the_spot", 50_00)
    assert case.case_number == "青综执简罚字〔2025〕第1号"
    assert case.parties == ("陈喆",) and case.place == "青溪镇东村路口"
    handling = svc.procedure.handling(cast.officer, case_id)
    assert [(o.name, o.duty) for o in handling.officers] == [("张三", "lead"), ("李四", "assist")]
    assert handling.penalty_kinds == ("罚款",)
    assert [i.id for i in handling.power_items] == [cast.item_id]
    history = [e.summary for e in svc.audit.history(cast.officer, "case", case_id)]
    assert "当场收缴罚款" in "；".join(history)

    # The new case is open, and its decision was offered and made from the documents tab.
    assert page.detail.case is not None and page.detail.case.id == case_id
    assert "青综执简罚字〔2025〕第1号" in page.notice.text()
    assert "当场行政处罚决定书" in answers.asked[-1]
    assert page.detail.tabs.currentWidget() is page.detail.documents_tab
    assert made and made[0].saved is not None
    documents = svc.documents.documents(cast.officer, case_id)
    assert [(d.form_id, d.status) for d in documents] == [("on_the_spot_decision", "draft")]
    current = page.detail.documents_tab.current_document()
    assert current is not None and current.form_id == "on_the_spot_decision"
    text = "".join(
        p.extract_text()
        for p in PdfReader(BytesIO(svc.documents.render(cast.officer, current.id, "pdf").content)).pages
    )
    assert "ZJ-F-0012345" in text and "罚款已当场收缴" in text
    assert page.detail.documents_tab.issue_button.isEnabled()  # next: 签发, then 打印


def test_a_fine_over_the_limit_shows_cores_message_and_writes_nothing(
    qtbot: QtBot, svc: Services, cast: Cast, officer_window: MainWindow, answers: Answers
) -> None:
    _page, dialog = _open(officer_window)
    _fill(qtbot, dialog, cast, "300")
    dialog.officers.set_checked([cast.officer2.user_id])
    dialog.save_button.click()
    assert dialog.case_id is None and dialog.isVisible()
    assert "简易程序对公民罚款不得超过200.00元（《行政处罚法》第五十一条），请按普通程序办理" in (
        dialog.errors.message("罚款金额")
    )
    assert svc.cases.count(cast.officer) == 0
    # Everything typed is still there.
    assert dialog.fine.text() == "300" and dialog.place.text() == "青溪镇东村路口"
    assert dialog.facts.toPlainText() == "当事人在东村路口人行道上摆放水果摊占道经营"
    assert dialog.parties.party_ids() == (cast.person_id,) and dialog.items.values() == (cast.item_id,)

    # Collecting more than 100 yuan on the spot needs the case to be hard to enforce later.
    dialog.fine.setText("150")
    dialog.collect.setChecked(True)
    qtbot.keyClicks(dialog.receipt_no, "ZJ-F-0012346")
    dialog.save_button.click()
    assert "当场收缴罚款限于100.00元以下" in dialog.errors.message("当场收缴")
    assert not dialog.errors.message("罚款金额") and svc.cases.count(cast.officer) == 0
    dialog.hard_to_enforce.setChecked(True)
    dialog.fine.setText("abc")
    dialog.save_button.click()
    assert "请填写金额（元）" in dialog.errors.message("罚款金额")
    dialog.fine.setText("150")
    answers.reply = QMessageBox.StandardButton.No
    dialog.save_button.click()
    assert dialog.case_id is not None
    assert svc.cases.get(cast.officer, dialog.case_id).fine_fen == 150_00


def test_a_fine_below_the_items_minimum_asks_for_the_mitigation_ground(
    qtbot: QtBot, svc: Services, cast: Cast, officer_window: MainWindow, answers: Answers
) -> None:
    from brigade_desk.core.model import PowerItem

    with svc.store.write() as session:
        item = session.get(PowerItem, cast.item_id)
        assert item is not None
        item.penalty_min_fen, item.penalty_max_fen = 50_00, 100_00
    _page, dialog = _open(officer_window)
    _fill(qtbot, dialog, cast, "20")
    dialog.officers.set_checked([cast.officer2.user_id])
    dialog.save_button.click()
    assert dialog.case_id is None and svc.cases.count(cast.officer) == 0
    assert "低于法定最低额50.00元" in dialog.errors.message("减轻处罚情节")
    assert not dialog.errors.message("罚款金额")
    type_text(qtbot, dialog.mitigation, "当事人主动消除违法行为危害后果")
    answers.reply = QMessageBox.StandardButton.No
    dialog.save_button.click()
    assert dialog.case_id is not None
    handling = svc.procedure.handling(cast.officer, dialog.case_id)
    assert (handling.fine_fen, handling.mitigation_ground) == (20_00, "当事人主动消除违法行为危害后果")


def test_a_second_certified_officer_is_required(
    qtbot: QtBot, svc: Services, cast: Cast, officer_window: MainWindow, answers: Answers
) -> None:
    _page, dialog = _open(officer_window)
    _fill(qtbot, dialog, cast, "100")
    assert dialog.officers.values() == (cast.officer.user_id,)  # the signed-in officer only
    dialog.save_button.click()
    assert dialog.case_id is None
    assert dialog.errors.message("执法人员") == "缺少第二名持有效执法证的执法人员"
    # 王五's certificate ran out before the day of the decision: shown in red, refused by core.
    expired = dialog.officers.item_for(cast.expired.user_id)
    assert expired is not None and "执法证在2025年9月22日无效" in expired.text()
    dialog.officers.set_checked([cast.expired.user_id])
    dialog.save_button.click()
    assert "王五的执法证在2025年9月22日无效或未登记" in dialog.errors.message("执法人员")
    assert svc.cases.count(cast.officer) == 0
    assert dialog.fine.text() == "100" and dialog.items.values() == (cast.item_id,)
    dialog.officers.set_checked([cast.expired.user_id], False)
    dialog.officers.set_checked([cast.officer2.user_id])
    answers.reply = QMessageBox.StandardButton.No
    dialog.save_button.click()
    assert dialog.case_id is not None and svc.cases.count(cast.officer) == 1


def test_a_warning_only(
    qtbot: QtBot, svc: Services, cast: Cast, officer_window: MainWindow, answers: Answers
) -> None:
    page, dialog = _open(officer_window)
    _fill(qtbot, dialog, cast, "80")
    dialog.officers.set_checked([cast.officer2.user_id])
    dialog.warning_choice.click()
    # A warning has no amount and nothing to collect; the amount typed stays for a change of mind.
    assert not dialog.fine.isEnabled() and not dialog.collect.isEnabled()
    assert dialog.fine.text() == "80"
    answers.reply = QMessageBox.StandardButton.No
    dialog.save_button.click()
    case_id = dialog.case_id
    assert case_id is not None
    case = svc.cases.get(cast.officer, case_id)
    assert case.state == "on_the_spot" and case.fine_fen is None
    assert svc.procedure.handling(cast.officer, case_id).penalty_kinds == ("警告",)
    assert page.detail.case is not None and page.detail.case.id == case_id
    assert page.model.rowCount() == 1 and page.selected_case_id() == case_id
    # Declined: the case is shown, no document made; the notice says what is still to do.
    assert page.detail.tabs.currentWidget() is not page.detail.documents_tab
    assert svc.documents.documents(cast.officer, case_id) == []
    assert "当场行政处罚决定书" in page.notice.text()


def test_the_action_is_disabled_for_a_role_that_may_not_handle_cases(
    qtbot: QtBot, svc: Services, cast: Cast, clerk_window: MainWindow
) -> None:
    window = clerk_window
    window.go_to("cases")
    page = window.cases
    assert not page.spot_button.isEnabled() and not page.file_button.isEnabled()
    assert page.edit_reason.isVisible() and page.edit_reason.text() == "须由执法人员办理"
    # Another person signs in at the same desk: the action follows who is signed in.
    window.session.switch_to(cast.officer)
    assert page.spot_button.isEnabled() and not page.edit_reason.isVisible()
    window.session.switch_to(cast.reviewer)
    assert not page.spot_button.isEnabled()


def test_the_decision_day_moves_the_certificates_and_items_with_it(
    qtbot: QtBot, svc: Services, cast: Cast, officer_window: MainWindow, answers: Answers
) -> None:
    """A decision written up a day later is dated on the day it was made; 王五's certificate was
    valid then if the day is before it ran out."""
    _page, dialog = _open(officer_window)
    dialog.decided_on.setDate(dialog.decided_on.date().addYears(-1))
    row = dialog.officers.item_for(cast.expired.user_id)
    assert row is not None and "有效期至2024年12月31日" in row.text() and "无效" not in row.text()
    assert dialog.items.on == date(2024, 9, 22)


def test_a_lead_decided_on_the_spot_is_closed_with_the_case(
    qtbot: QtBot, svc: Services, cast: Cast, officer_window: MainWindow, answers: Answers
) -> None:
    """From the 线索 tab: the lead's place comes into the form, its text is shown above it; the
    decision makes the case and the lead leaves the list of open leads."""
    from brigade_desk.core.services.leads import LeadInput

    lead = svc.leads.register(
        cast.officer,
        LeadInput(
            "投诉举报",
            "群众反映东村路口有水果摊占道",
            datetime(2025, 9, 22, 1, tzinfo=UTC),
            place="青溪镇东村路口",
        ),
    )
    officer_window.go_to("cases")
    page = officer_window.cases
    page.list_tabs.setCurrentIndex(1)
    page.leads.select_lead(lead.id)
    assert page.leads.spot_button.isEnabled()
    page.leads.spot_button.click()
    dialog = page.findChild(OnTheSpotDialog)
    assert isinstance(dialog, OnTheSpotDialog) and dialog.isVisible() and dialog.lead == lead
    assert dialog.place.text() == "青溪镇东村路口" and not dialog.typed()
    qtbot.keyClicks(dialog.parties.search, "cz")
    qtbot.waitUntil(lambda: dialog.parties.results.count() == 1, timeout=2000)
    qtbot.keyClick(dialog.parties.search, Qt.Key.Key_Return)
    type_text(qtbot, dialog.facts, "当事人在东村路口人行道上摆放水果摊占道经营")
    dialog.items.check([cast.item_id])
    qtbot.keyClicks(dialog.fine, "50")
    dialog.officers.set_checked([cast.officer2.user_id])
    answers.reply = QMessageBox.StandardButton.No
    dialog.save_button.click()

    case_id = dialog.case_id
    assert case_id is not None and not dialog.isVisible()
    closed = svc.leads.get(cast.officer, lead.id)
    assert (closed.status, closed.case_id) == ("on_the_spot", case_id)
    assert svc.cases.get(cast.officer, case_id).source == "投诉举报"
    assert lead.id not in [item.id for item in page.leads.leads]  # the panel was reloaded
    assert page.selected_case_id() == case_id
