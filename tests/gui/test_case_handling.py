"""Case handling in the GUI with real widgets: a lead typed in, filed by an officer and approved by a
leader; the stepper's blocked step and reason; refusals keep what was typed; two people saving one
case; the deadline board in colour."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QColor
from PySide6.QtPrintSupport import QPrintPreviewDialog
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from brigade_desk.core.app import Services
from brigade_desk.core.rules.permissions import Actor
from brigade_desk.core.services.procedure import FilingInput, Proposal, RecordInput
from brigade_desk.core.store import Store
from brigade_desk.gui.action_dialog import ActionDialog
from brigade_desk.gui.main_window import MainWindow
from brigade_desk.gui.models.case_table import COLUMN_KEYS
from brigade_desk.gui.pages.case_detail import CaseDetailPane
from brigade_desk.gui.pages.deadline_board import daily_list_html
from brigade_desk.gui.pages.filing import ApproveFilingDialog, FilingDialog
from brigade_desk.gui.pages.parties_pick import NewPartyDialog
from brigade_desk.gui.session import DeskSession
from brigade_desk.gui.style import DUE_TODAY, ERROR, OVERDUE
from tests.factories import PASSWORD, Cast, Clock, cast_of, resident_id
from tests.gui.support import signed_in_window, type_text

MONDAY = datetime(2025, 9, 22, 2, 0, tzinfo=UTC)  # 10:00 Beijing time


@pytest.fixture
def clock() -> Clock:
    return Clock(MONDAY)


@pytest.fixture
def svc(sqlite_store: Store, clock: Clock) -> Services:
    return Services.over(sqlite_store, clock)


@pytest.fixture
def cast(svc: Services) -> Cast:
    return cast_of(svc)  # 张三 and 李四 (officers), 赵镇长 and 钱副镇长 (leaders), 孙审核, 周内勤


@pytest.fixture(autouse=True)
def yes_to_questions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)


@pytest.fixture
def officer_window(qtbot: QtBot, svc: Services, cast: Cast) -> Iterator[MainWindow]:
    with signed_in_window(qtbot, svc, cast.officer) as win:
        yield win


def _filed_case(svc: Services, cast: Cast, *, record: bool = True) -> str:
    p = svc.procedure
    case_id = p.propose_filing(
        cast.officer,
        FilingInput(
            (cast.item_id,),
            (cast.person_id,),
            cast.officer_ids,
            date(2025, 9, 20),
            "陈喆擅自占用城市道路从事经营活动案",
            facts="当事人在青溪镇东村路口占道摆放水果摊",
            place="青溪镇东村路口",
        ),
    )
    p.approve_filing(cast.leader, case_id, True, "同意立案", svc.cases.get(cast.leader, case_id).version)
    if record:
        p.add_record(
            cast.officer,
            case_id,
            RecordInput(
                kind="inspection",
                started_at=datetime(2025, 9, 22, 1, 0, tzinfo=UTC),
                ended_at=datetime(2025, 9, 22, 1, 30, tzinfo=UTC),
                place="青溪镇东村路口",
                officer_ids=cast.officer_ids,
                text="现场有水果摊一处，占用人行道约6平方米。",
            ),
        )
    return case_id


def _pane(qtbot: QtBot, svc: Services, actor: Actor, case_id: str) -> CaseDetailPane:
    pane = CaseDetailPane(DeskSession(svc, actor))
    qtbot.addWidget(pane)
    pane.resize(700, 900)
    pane.show()
    pane.show_case_id(case_id)
    return pane


def _dialog(pane: CaseDetailPane, key: str) -> ActionDialog:
    dialog = pane.procedure_panel.start(key)
    assert isinstance(dialog, ActionDialog), key
    return dialog


# --- intake, filing, approval --------------------------------------------------------------------


def test_lead_typed_in_filed_by_an_officer_and_approved_by_a_leader(
    qtbot: QtBot, svc: Services, cast: Cast, officer_window: MainWindow
) -> None:
    window = officer_window
    window.go_to("cases")
    page = window.cases

    # 登记线索: a 12345 ticket asks for its number and reply deadline.
    dialog = page.leads.register()
    dialog.source.setCurrentIndex(dialog.source.findData("12345热线转办"))
    assert dialog.form.isRowVisible(dialog.source_ref) and dialog.source_ref_label.text() == "工单编号"
    type_text(qtbot, dialog.description, "群众反映东村路口有人占道摆摊卖水果")
    type_text(qtbot, dialog.place, "青溪镇东村路口")
    dialog.save_button.click()
    assert dialog.created is None  # refused: the ticket number and reply deadline are missing
    assert "12345 转办须填写工单编号" in dialog.errors.message("工单编号")
    assert dialog.description.toPlainText() == "群众反映东村路口有人占道摆摊卖水果"  # kept
    qtbot.keyClicks(dialog.source_ref, "GD20250922001")
    dialog.reply_due.setDate(QDate(2025, 9, 29))
    type_text(qtbot, dialog.reporter_name, "刘某")
    qtbot.keyClicks(dialog.reporter_phone, "13900000000")
    dialog.save_button.click()
    assert dialog.created is not None
    assert page.list_tabs.tabText(1) == "线索（1）"
    lead_table = page.leads.table
    assert lead_table.rowCount() == 1
    assert lead_table.item(0, 2).text() == "GD20250922001"
    assert lead_table.item(0, 5).text() == "刘某、13900000000"  # the person who registered it sees it

    # 立案: the filing form comes prefilled from the lead.
    page.leads.table.selectRow(0)
    page.leads.file_button.click()
    filing = page.findChild(FilingDialog)
    assert isinstance(filing, FilingDialog)
    assert filing.place.text() == "青溪镇东村路口"
    assert filing.facts.toPlainText() == "群众反映东村路口有人占道摆摊卖水果"
    assert not filing.source.isEnabled() and filing.source.currentData() == "12345热线转办"
    # The party is found by pinyin initials as one types.
    qtbot.keyClicks(filing.parties.search, "cz")
    qtbot.waitUntil(lambda: filing.parties.results.count() == 1, timeout=2000)
    assert filing.parties.results.item(0).text().startswith("陈喆（自然人）")
    qtbot.keyClick(filing.parties.search, Qt.Key.Key_Return)
    assert filing.parties.party_ids() == (cast.person_id,)
    assert filing.case_id is None and not filing.errors.message("案由")  # Enter did not submit the form
    type_text(qtbot, filing.summary, "陈喆擅自占用城市道路从事经营活动案")
    filing.violation_date.setDate(QDate(2025, 9, 20))
    filing.items.check([cast.item_id])
    assert "城市道路管理条例" in filing.items.basis.text()
    # The signed-in officer is ticked; certificates show their validity; the expired one is red.
    expired_row = filing.officers.item_for(cast.expired.user_id)
    assert expired_row is not None and "无效" in expired_row.text()
    assert expired_row.foreground().color() == QColor(ERROR)
    filing.officers.set_checked([cast.officer2.user_id])
    assert filing.officers.values() == (cast.officer.user_id, cast.officer2.user_id)
    filing.save_button.click()
    assert filing.case_id is not None
    assert not filing.isVisible()
    assert page.leads.count() == 0  # the lead waits for the leader's approval
    assert page.leads.table.item(0, 4).text().startswith("（已提请立案）")
    assert page.detail.case is not None and page.detail.case.id == filing.case_id
    assert page.detail.procedure_panel.buttons["approve_filing"].isEnabled() is False
    assert page.detail.procedure_panel.reasons["approve_filing"].text() == "须由负责人办理"

    # The leader sees the pending filing under 审核 and approves it with an opinion.
    window.session.switch_to(cast.leader)
    window.go_to("reviews")
    reviews = window.reviews
    assert reviews.tables["filing"].rowCount() == 1
    assert reviews.boxes["filing"].title() == "待审批立案（1）"
    reviews.tables["filing"].selectRow(0)
    approve = reviews.approve_selected()
    assert isinstance(approve, ApproveFilingDialog)
    approve.opinion.setPlainText("同意立案，由张三、李四承办。")
    approve.approve_button.click()
    sign = approve.signature_dialog  # 签名确认: the leader signs the approval with the password
    assert sign is not None and "赵镇长" in sign.signer.text()
    sign.password.setText(PASSWORD)
    sign.sign_button.click()
    assert approve.case_number == "青综执立字〔2025〕第1号"
    assert reviews.tables["filing"].rowCount() == 0

    window.go_to("cases")
    numbers = [window.cases.model.row_at(r).case_number for r in range(window.cases.model.rowCount())]
    assert numbers == ["青综执立字〔2025〕第1号"]
    assert window.cases.model.row_at(0).state_label == "已立案"


def test_an_unclaimed_item_names_the_county_department_and_keeps_the_form(
    qtbot: QtBot, cast: Cast, officer_window: MainWindow
) -> None:
    window = officer_window
    window.go_to("cases")
    filing = window.cases.open_filing(None)
    # Only claimed items are offered until the county's are asked for.
    assert filing.items.list.item_for(cast.unclaimed_item_id) is None
    filing.items.show_unclaimed.setChecked(True)
    row = filing.items.list.item_for(cast.unclaimed_item_id)
    assert row is not None and "未承接，属县自然资源和规划局" in row.text()
    filing.items.check([cast.unclaimed_item_id])
    filing.parties.add(window.session.services.parties.get(cast.officer, cast.person_id))
    type_text(qtbot, filing.summary, "陈喆未取得建设工程规划许可证进行建设案")
    filing.violation_date.setDate(QDate(2025, 9, 20))
    filing.officers.set_checked([cast.officer2.user_id])
    filing.save_button.click()
    assert filing.case_id is None and filing.isVisible()
    # Core's message and its advice stay together beside the items.
    assert "应由县自然资源和规划局管辖；可将线索移送县自然资源和规划局" in filing.errors.message("赋权事项")
    assert filing.summary.text() == "陈喆未取得建设工程规划许可证进行建设案"
    assert filing.parties.party_ids() == (cast.person_id,)


def test_new_party_shows_a_likely_duplicate_before_saving(
    qtbot: QtBot, cast: Cast, officer_window: MainWindow
) -> None:
    window = officer_window
    window.go_to("cases")
    filing = window.cases.open_filing(None)
    dialog = filing.parties.new_party()
    assert isinstance(dialog, NewPartyDialog)
    type_text(qtbot, dialog.fields.name, "陈喆")
    qtbot.keyClicks(dialog.fields.id_number, resident_id("33010419900101001"))
    dialog.save_button.click()
    assert dialog.duplicate_box.isVisible() and dialog.chosen is None  # nothing saved yet
    assert "名称相同" in dialog.duplicate_list.item(0).text()
    assert dialog.save_button.text() == "仍然保存为新当事人"
    dialog.use_button.click()  # it is the same person after all
    assert dialog.chosen is not None and dialog.chosen.id == cast.person_id
    assert filing.parties.party_ids() == (cast.person_id,)

    same_id = filing.parties.new_party()
    type_text(qtbot, same_id.fields.name, "陈哲")
    qtbot.keyClicks(same_id.fields.id_number, resident_id("33010419850612003"))
    same_id.save_button.click()
    assert "已有相同证件的当事人" in same_id.duplicate_note.text()
    assert not same_id.save_button.isEnabled()  # one person, one record


# --- the case list: filters, search, sort ----------------------------------------------------------


def test_filters_and_search_change_the_rows(
    qtbot: QtBot, svc: Services, cast: Cast, officer_window: MainWindow
) -> None:
    case_id = _filed_case(svc, cast)
    from tests.gui.support import add_cases

    add_cases(svc, 12)  # 3 each of filed, investigating, decided, closed; parties 王伟, 李伟, …
    window = officer_window
    window.go_to("cases")
    page = window.cases
    assert page.model.rowCount() == 13
    assert page.count_label.text() == "共 13 件"

    page.filters.set_states("已结案")
    assert page.model.rowCount() == 3
    assert page.count_label.text() == "符合条件 3 件"
    page.filters.clear()
    page.filters.officer.setCurrentIndex(page.filters.officer.findData(cast.officer2.user_id))
    assert page.model.rowCount() == 1 and page.model.row_at(0).id == case_id
    page.filters.clear()
    page.filters.deadline.setCurrentIndex(page.filters.deadline.findData("none"))
    assert page.model.rowCount() == 9  # the generated open cases (not the closed ones) have no clock
    page.filters.clear()

    # Ctrl+F, then typing filters after a short pause.
    window.focus_search()
    assert window.search.hasFocus()
    type_text(qtbot, window.search, "陈喆")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)
    assert page.count_label.text() == "查找“陈喆”：符合条件 1 件"
    window.search.clear()
    assert page.model.rowCount() == 13

    # Sorting by a header runs in SQL.
    header = page.table.horizontalHeader()
    header.setSortIndicator(COLUMN_KEYS.index("case_number"), Qt.SortOrder.AscendingOrder)
    assert page.sort_key == "case_number" and not page.descending
    numbers = [page.model.row_at(r).case_number for r in range(13)]
    assert numbers == sorted(numbers)
    header.setSortIndicator(COLUMN_KEYS.index("parties"), Qt.SortOrder.AscendingOrder)  # not in SQL
    assert page.sort_key == "case_number"
    assert "只能按" in page.notice.text()


# --- the stepper and the action buttons ----------------------------------------------------------


def test_stepper_shows_the_blocked_decision_with_its_reason(
    qtbot: QtBot, svc: Services, cast: Cast, clock: Clock
) -> None:
    case_id = _filed_case(svc, cast)
    version = svc.cases.get(cast.officer, case_id).version
    svc.procedure.close_investigation(
        cast.officer, case_id, Proposal("penalty", ("罚款",), 500_00, report="事实清楚"), version
    )
    svc.procedure.serve_prior_notice(cast.clerk, case_id, date(2025, 9, 29), cast.officer_ids)
    clock.set_day(date(2025, 10, 9))
    pane = _pane(qtbot, svc, cast.leader, case_id)
    panel = pane.procedure_panel
    stepper = panel.stepper.text()
    assert "✓ 立案" in stepper and "✓ 调查终结" in stepper
    assert f'<b style="color:{ERROR}">✕ 告知与陈述申辩</b>' in stepper
    assert "法制审核" in stepper and "#808080" in stepper  # not major: skipped, grey
    assert "下一步：作出决定" in panel.next_line.text()
    assert "陈述申辩期至2025年10月13日届满" in panel.blocked.text()
    decide = panel.buttons["decide"]
    assert not decide.isEnabled()
    assert panel.reasons["decide"].text().startswith("陈述申辩期至2025年10月13日届满，之前不得作出决定")
    # A waiver lifts the block: the reason goes and the button can be used.
    svc.procedure.record_waiver(cast.officer, case_id, date(2025, 10, 9), statement=True, hearing=False)
    pane.show_case_id(case_id)
    assert panel.buttons["decide"].isEnabled()
    assert "decide" not in [k for k, label in panel.reasons.items() if label.text()]


def test_a_refused_step_keeps_what_was_typed_and_says_why_beside_the_button(
    qtbot: QtBot, svc: Services, cast: Cast
) -> None:
    case_id = _filed_case(svc, cast)
    pane = _pane(qtbot, svc, cast.officer, case_id)
    dialog = _dialog(pane, "close_investigation")
    report = "当事人在东村路口占道经营，事实清楚，证据确凿。"
    dialog.set_text("调查终结报告", report)
    dialog.set_text("罚款金额", "30,000")  # above the 20,000 yuan maximum
    dialog.save_button.click()
    assert not dialog.saved and dialog.isVisible()
    assert "超过法定最高额" in dialog.errors.message("罚款金额")
    assert dialog.text("调查终结报告") == report and dialog.text("罚款金额") == "30,000"
    dialog.set_text("罚款金额", "五百")
    dialog.save_button.click()
    assert "请填写金额" in dialog.errors.message("罚款金额")  # checked before core is asked
    dialog.reject()  # the person gives up: the refusal stays beside the button
    assert "请填写金额" in pane.procedure_panel.reasons["close_investigation"].text()

    dialog = _dialog(pane, "close_investigation")
    dialog.set_text("调查终结报告", report)
    dialog.set_text("罚款金额", "500")
    dialog.save_button.click()
    assert dialog.saved
    assert pane.case is not None and pane.case.state == "investigation_closed"
    assert "serve_prior_notice" in pane.procedure_panel.buttons
    assert pane.procedure_panel.message.text() == "已调查终结"


def test_two_people_saving_one_case_second_is_refused_and_keeps_the_text(
    qtbot: QtBot, svc: Services, cast: Cast
) -> None:
    case_id = _filed_case(svc, cast)
    first = _pane(qtbot, svc, cast.officer, case_id)
    second = _pane(qtbot, svc, cast.officer2, case_id)
    mine, theirs = _dialog(first, "close_investigation"), _dialog(second, "close_investigation")
    mine.set_text("调查终结报告", "张三的报告：建议罚款500元")
    mine.set_text("罚款金额", "500")
    theirs.set_text("调查终结报告", "李四的报告：建议罚款300元")
    theirs.set_text("罚款金额", "300")
    mine.save_button.click()
    assert mine.saved
    theirs.save_button.click()
    assert not theirs.saved and theirs.isVisible()
    assert "已被他人修改并保存" in theirs.bottom_error.text()
    assert theirs.text("调查终结报告") == "李四的报告：建议罚款300元"
    assert theirs.text("罚款金额") == "300"


def test_record_dialog_adds_an_inquiry_with_questions_and_answers(
    qtbot: QtBot, svc: Services, cast: Cast
) -> None:
    case_id = _filed_case(svc, cast, record=False)
    pane = _pane(qtbot, svc, cast.officer, case_id)
    assert pane.procedure_panel.reasons["close_investigation"].text().startswith("尚无调查笔录")
    pane.tabs.setCurrentWidget(pane.records_tab)
    dialog = pane.records_tab.add_record()
    assert dialog is not None
    dialog.kind.setCurrentIndex(dialog.kind.findData("inquiry"))
    type_text(qtbot, dialog.place, "青溪镇综合行政执法队询问室")
    dialog.persons.set_cell(0, 0, "陈喆")
    dialog.persons.set_cell(0, 1, "被询问人")
    dialog.qa.set_cell(0, 0, "你在东村路口摆摊多久了？")
    dialog.qa.set_cell(0, 1, "大约一个月。")
    # The case's two handlers are ticked; taking one off is refused by core, the answers kept.
    assert dialog.officers.values() == cast.officer_ids
    dialog.officers.set_checked([cast.officer2.user_id], False)
    dialog.save_button.click()
    assert dialog.record_id is None
    assert "缺少第二名持有效执法证的执法人员" in dialog.errors.message("执法人员")
    assert dialog.qa.rows() == [("你在东村路口摆摊多久了？", "大约一个月。")]
    dialog.officers.set_checked([cast.officer2.user_id])
    dialog.save_button.click()
    assert dialog.record_id is not None
    assert pane.records_tab.table.rowCount() == 1
    assert "问：你在东村路口摆摊多久了？" in pane.records_tab.text.toPlainText()
    assert pane.case is not None and pane.case.state == "investigating"  # the first record starts it
    (record,) = svc.procedure.records(cast.officer, case_id)
    assert record.started_at == datetime(2025, 9, 22, 1, 0, tzinfo=UTC)  # 09:00 Beijing, an hour ago
    assert pane.procedure_panel.buttons["close_investigation"].isEnabled()


# --- dashboard ---------------------------------------------------------------------------------------


def test_dashboard_shows_an_overdue_case_in_red_and_opens_it(
    qtbot: QtBot, svc: Services, cast: Cast, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 90 days to decide from 22 September: Sunday 21 December, so Monday 22 December.
    case_id = _filed_case(svc, cast)
    other = _filed_case(svc, cast)
    clock.set_day(date(2025, 12, 23))  # one day late
    svc.procedure.approve_extension(cast.leader2, other, 2, "某程序规定第三十五条", "同意")  # due today
    _filed_case(svc, cast)  # filed today: its 90-day clock is set today (第3号)
    with signed_in_window(qtbot, svc, cast.officer) as window:
        window.go_to("dashboard")
        board = window.dashboard.board
        assert board.mine.isChecked()  # an officer sees their own cases first
        qtbot.waitUntil(lambda: board.board is not None, timeout=10_000)  # loaded in the background
        assert board.tabs.tabText(0) == "已逾期　1"
        assert board.tabs.tabBar().tabTextColor(0) == QColor(OVERDUE)
        table = board.tables["overdue"]
        assert table.rowCount() == 1 and table.item(0, 2).text() == "青综执立字〔2025〕第1号"
        assert table.item(0, 0).text() == "2025年12月22日"
        assert table.item(0, 0).foreground().color() == QColor(OVERDUE)
        assert board.tabs.tabText(1) == "今日到期　1"  # the extended case: due today, orange
        assert board.tables["due_today"].item(0, 0).foreground().color() == QColor(DUE_TODAY)
        board.all.setChecked(True)
        assert board.loads.handle is not None
        qtbot.waitUntil(lambda: not board.loads.running, timeout=10_000)
        assert board.tabs.tabText(0) == "已逾期　1"
        table.cellDoubleClicked.emit(0, 0)
        assert window.current_key() == "cases"
        assert window.cases.detail.case is not None and window.cases.detail.case.id == case_id
        row = window.cases.model.row_of_id(case_id)
        assert row is not None
        due_cell = window.cases.model.index(row, COLUMN_KEYS.index("next_due_on"))
        assert window.cases.model.data(due_cell, Qt.ItemDataRole.ForegroundRole) == QColor(OVERDUE)
        html = daily_list_html(svc.dashboard.set_today(cast.officer), "青溪镇人民政府", "2025年12月23日")
        assert "今日设定期限" in html and "青综执立字〔2025〕第3号" in html and "共 1 项" in html
        # 打印今日设定期限: collected in the background, then the print preview opens.
        previews: list[str] = []
        monkeypatch.setattr(QPrintPreviewDialog, "exec", lambda self: previews.append(self.windowTitle()))
        handle = board.print_daily_list()
        assert handle is not None and not board.print_button.isEnabled()
        qtbot.waitUntil(lambda: not handle.running, timeout=10_000)
        assert handle.outcome == "succeeded" and previews == ["今日设定期限 — 打印预览"]
        assert board.print_button.isEnabled()
