"""更正当事人信息 from the case detail's 当事人 tab, on a real SQLite store: a corrected address is saved
and shown; a bad resident ID is refused beside its field and nothing is written; a save from an older
copy is refused and 重新载入 shows the other person's version; roles without the permission see the
action disabled with the reason; the case list's search finds the case by the corrected name."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QMessageBox
from pytestqt.qtbot import QtBot

from brigade_desk.core.app import Services
from brigade_desk.core.rules.identity import check_resident_id
from brigade_desk.core.rules.permissions import Actor
from brigade_desk.core.services.parties import PartyInput
from brigade_desk.core.services.procedure import FilingInput
from brigade_desk.core.store import Store
from brigade_desk.gui.main_window import MainWindow
from brigade_desk.gui.pages.case_detail import CaseDetailPane
from brigade_desk.gui.pages.party_edit import EditPartyDialog
from brigade_desk.gui.session import DeskSession
from tests.factories import Cast, Clock, cast_of, resident_id
from tests.gui.support import type_text

MONDAY = datetime(2025, 9, 22, 2, 0, tzinfo=UTC)
PERSON_ID_NUMBER = resident_id("33010419850612003")  # 陈喆's, as cast_of registers him


@pytest.fixture
def svc(sqlite_store: Store) -> Services:
    return Services.over(sqlite_store, Clock(MONDAY))


@pytest.fixture
def cast(svc: Services) -> Cast:
    return cast_of(svc)  # 陈喆 (natural person) and 临溪县青禾建材有限公司 are registered


@pytest.fixture(autouse=True)
def yes_to_questions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)


def _filed_case(svc: Services, cast: Cast, *party_ids: str) -> str:
    """A filed case naming the parties; the 案由 does not name them (search must find them by party)."""
    case_id = svc.procedure.propose_filing(
        cast.officer,
        FilingInput(
            (cast.item_id,),
            party_ids or (cast.person_id,),
            cast.officer_ids,
            date(2025, 9, 20),
            "擅自占用城市道路从事经营活动案",
            facts="在东村路口占道摆放水果摊",
            place="青溪镇东村路口",
        ),
    )
    version = svc.cases.get(cast.leader, case_id).version
    svc.procedure.approve_filing(cast.leader, case_id, True, "同意立案", version)
    return case_id


def _pane(qtbot: QtBot, svc: Services, actor: Actor, case_id: str) -> CaseDetailPane:
    pane = CaseDetailPane(DeskSession(svc, actor))
    qtbot.addWidget(pane)
    pane.resize(800, 900)
    pane.show()
    pane.show_case_id(case_id)
    pane.tabs.setCurrentWidget(pane.parties_tab)
    return pane


def _open(pane: CaseDetailPane, party_id: str) -> EditPartyDialog:
    button = pane.parties_tab.edit_buttons[party_id]
    assert button.isEnabled() and button.text() == "更正当事人信息…"
    button.click()
    dialog = pane.parties_tab.dialog
    assert isinstance(dialog, EditPartyDialog) and dialog.isVisible()
    return dialog


def _shown_texts(pane: CaseDetailPane) -> list[str]:
    return [label.text() for box in pane.parties_tab.boxes for label in box.findChildren(QLabel)]


def _replace(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    type_text(qtbot, edit, text)


def test_a_corrected_address_is_saved_and_shown(qtbot: QtBot, svc: Services, cast: Cast) -> None:
    case_id = _filed_case(svc, cast)
    other_case = _filed_case(svc, cast)
    pane = _pane(qtbot, svc, cast.clerk, case_id)
    before = svc.parties.get(cast.clerk, cast.person_id)
    assert "青溪镇东村12号" in _shown_texts(pane)

    dialog = _open(pane, cast.person_id)
    # Prefilled with what is stored; how many cases name the party; issued documents keep theirs.
    assert dialog.fields.name.text() == "陈喆"
    assert dialog.fields.id_number.text() == PERSON_ID_NUMBER
    assert dialog.fields.address.text() == "青溪镇东村12号"
    assert dialog.version == before.version
    numbers = {svc.cases.get(cast.clerk, c).case_number for c in (case_id, other_case)}
    assert "“陈喆”见于 2 件案件" in dialog.cases_note.text()
    assert all(n in dialog.cases_note.text() for n in numbers)
    assert "已签发的文书保留签发时的当事人信息，不会随之改变" in dialog.snapshot_note.text()
    assert "只有今后制作的文书" in dialog.snapshot_note.text()

    _replace(qtbot, dialog.fields.address, "青溪镇东村21号")
    qtbot.keyClick(dialog.fields.address, Qt.Key.Key_Return)  # Enter saves
    assert dialog.saved is not None and not dialog.isVisible()

    after = svc.parties.get(cast.clerk, cast.person_id)
    assert after.address == "青溪镇东村21号" and after.version == before.version + 1
    assert (after.name, after.id_number, after.phone) == (before.name, before.id_number, before.phone)
    history = svc.audit.history(cast.admin, "party", cast.person_id)
    assert history[-1].action == "party.update" and history[-1].actor_name == "周内勤"
    # The case view shows the correction.
    shown = _shown_texts(pane)
    assert "青溪镇东村21号" in shown and "青溪镇东村12号" not in shown


def test_a_bad_resident_id_is_refused_beside_the_field_and_nothing_is_written(
    qtbot: QtBot, svc: Services, cast: Cast
) -> None:
    case_id = _filed_case(svc, cast)
    pane = _pane(qtbot, svc, cast.officer, case_id)
    before = svc.parties.get(cast.officer, cast.person_id)
    audit_before = len(svc.audit.history(cast.admin, "party", cast.person_id))
    dialog = _open(pane, cast.person_id)

    last = PERSON_ID_NUMBER[-1]
    bad = PERSON_ID_NUMBER[:17] + ("1" if last != "1" else "2")  # wrong check digit
    _replace(qtbot, dialog.fields.id_number, bad)
    _replace(qtbot, dialog.fields.address, "青溪镇东村21号")
    dialog.save_button.click()

    problem = check_resident_id(bad)
    assert problem
    assert dialog.saved is None and dialog.isVisible()
    assert dialog.errors.message("证件号码") == problem  # core's message, under the field
    assert dialog.fields.id_number.text() == bad  # what was typed stays
    assert dialog.fields.address.text() == "青溪镇东村21号"
    assert svc.parties.get(cast.officer, cast.person_id) == before
    assert len(svc.audit.history(cast.admin, "party", cast.person_id)) == audit_before


def test_a_save_from_an_older_copy_is_refused_and_reload_shows_the_other(
    qtbot: QtBot, svc: Services, cast: Cast
) -> None:
    case_id = _filed_case(svc, cast)
    pane = _pane(qtbot, svc, cast.officer, case_id)
    dialog = _open(pane, cast.person_id)
    opened_version = dialog.version

    # Meanwhile the clerk, on another PC, corrects the phone number.
    svc.parties.update(
        cast.clerk,
        cast.person_id,
        PartyInput(
            "natural_person",
            "陈喆",
            id_number=PERSON_ID_NUMBER,
            address="青溪镇东村12号",
            phone="13900001111",
        ),
        opened_version,
    )

    _replace(qtbot, dialog.fields.address, "青溪镇东村21号")
    dialog.save_button.click()
    assert dialog.saved is None and dialog.isVisible()
    assert "当事人已被他人修改并保存" in dialog.bottom_error.text()
    assert "重新载入" in dialog.bottom_error.text()
    assert dialog.fields.address.text() == "青溪镇东村21号"  # kept
    assert dialog.reload_button.isVisible()
    stored = svc.parties.get(cast.officer, cast.person_id)
    assert (stored.address, stored.phone) == ("青溪镇东村12号", "13900001111")

    dialog.reload_button.click()
    assert dialog.version == stored.version != opened_version
    assert dialog.fields.phone.text() == "13900001111"
    assert dialog.fields.address.text() == "青溪镇东村12号"
    assert "住址：青溪镇东村21号" in dialog.typed_note.text()  # what was typed, to type again
    assert not dialog.reload_button.isVisible() and not dialog.bottom_error.isVisible()

    _replace(qtbot, dialog.fields.address, "青溪镇东村21号")
    dialog.save_button.click()
    assert dialog.saved is not None
    stored = svc.parties.get(cast.officer, cast.person_id)
    assert (stored.address, stored.phone) == ("青溪镇东村21号", "13900001111")


@pytest.mark.parametrize("who", ["reviewer", "leader"])
def test_roles_without_the_permission_see_the_action_disabled_with_the_reason(
    qtbot: QtBot, svc: Services, cast: Cast, who: str
) -> None:
    case_id = _filed_case(svc, cast)
    pane = _pane(qtbot, svc, getattr(cast, who), case_id)
    button = pane.parties_tab.edit_buttons[cast.person_id]
    assert not button.isEnabled()
    reason = pane.parties_tab.edit_reasons[cast.person_id]
    qtbot.waitUntil(reason.isVisible, timeout=1000)
    assert reason.text() == "须由有“登记当事人”权限的人员（执法队员、内勤）更正"
    assert pane.parties_tab.edit_party(cast.person_id) is None


def test_an_organisations_correction_keeps_what_the_form_does_not_show(
    qtbot: QtBot, svc: Services, cast: Cast
) -> None:
    case_id = _filed_case(svc, cast, cast.company_id)
    pane = _pane(qtbot, svc, cast.officer, case_id)
    before = svc.parties.get(cast.officer, cast.company_id)
    dialog = _open(pane, cast.company_id)
    assert dialog.fields.credit_code.text() == before.credit_code
    assert dialog.fields.legal_representative.text() == "周堃"
    assert not dialog.fields.form.isRowVisible(dialog.fields.id_type)
    type_text(qtbot, dialog.fields.address, "临溪县青溪镇工业园3号")
    rep_id = resident_id("33010419850612011")
    qtbot.keyClicks(dialog.fields.legal_representative_id, rep_id)
    dialog.save_button.click()
    assert dialog.saved is not None
    after = svc.parties.get(cast.officer, cast.company_id)
    assert after.address == "临溪县青溪镇工业园3号" and after.legal_representative_id == rep_id
    assert after.id_type == before.id_type  # hidden for a company: kept as stored


def test_search_finds_the_case_by_the_corrected_name(qtbot: QtBot, svc: Services, cast: Cast) -> None:
    case_id = _filed_case(svc, cast)
    window = MainWindow(DeskSession(svc, cast.officer))
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    try:
        window.go_to("cases")
        page = window.cases
        page.open_case(case_id)
        detail = page.detail
        assert detail.case is not None and detail.case.id == case_id
        detail.tabs.setCurrentWidget(detail.parties_tab)
        dialog = detail.parties_tab.edit_party(cast.person_id)
        assert dialog is not None
        _replace(qtbot, dialog.fields.name, "陈哲远")
        dialog.save_button.click()
        assert dialog.saved is not None

        assert detail.info_tab.values["parties"].text() == "陈哲远"
        assert detail.parties_tab.boxes[0].title() == "陈哲远（自然人）"
        window.focus_search()
        type_text(qtbot, window.search, "陈哲远")
        qtbot.waitUntil(lambda: page.search_text == "陈哲远", timeout=3000)
        assert page.model.rowCount() == 1 and page.model.row_at(0).id == case_id
        assert page.model.row_at(0).parties == "陈哲远"
        window.search.clear()
        type_text(qtbot, window.search, "陈喆")
        qtbot.waitUntil(lambda: page.search_text == "陈喆", timeout=3000)
        assert page.model.rowCount() == 0  # the old name no longer finds it
    finally:
        window.idle.uninstall()


def test_the_parties_tab_finds_a_party_lists_its_cases_and_corrects_it(
    qtbot: QtBot, svc: Services, cast: Cast
) -> None:
    """The 案件 page's 当事人 tab: any party, not only one reached through a case."""
    from tests.gui.support import signed_in_window

    case_id = _filed_case(svc, cast)
    with signed_in_window(qtbot, svc, cast.clerk) as window:
        window.go_to("cases")
        page = window.cases
        page.list_tabs.setCurrentWidget(page.parties)
        panel = page.parties
        assert "输入查找条件后列出当事人" in panel.message.text() and panel.table.rowCount() == 0
        qtbot.keyClicks(panel.search, "cz")
        qtbot.waitUntil(lambda: panel.table.rowCount() == 1, timeout=2000)
        assert panel.table.item(0, 0).text() == "陈喆" and panel.table.item(0, 5).text() == "1件"
        assert not panel.edit_button.isEnabled()  # nothing selected yet
        panel.table.selectRow(0)
        number = svc.cases.get(cast.clerk, case_id).case_number
        assert panel.case_table.rowCount() == 1 and panel.case_table.item(0, 0).text() == number

        panel.edit_button.click()
        dialog = panel.dialog
        assert isinstance(dialog, EditPartyDialog) and dialog.isVisible()
        _replace(qtbot, dialog.fields.address, "青溪镇东村21号")
        dialog.save_button.click()
        assert dialog.saved is not None
        assert svc.parties.get(cast.clerk, cast.person_id).address == "青溪镇东村21号"
        assert (
            panel.table.item(0, 3).text() == "青溪镇东村21号" and "已更正“陈喆”的信息" in panel.message.text()
        )

        # A double click on one of its cases shows that case in the 案件 list.
        panel.case_table.selectRow(0)
        panel._open_case()
        assert page.list_tabs.currentIndex() == 0 and page.detail.case is not None
        assert page.detail.case.id == case_id

        panel.search.clear()
        type_text(qtbot, panel.search, "不存在的人")
        qtbot.waitUntil(lambda: panel.table.rowCount() == 0, timeout=2000)
        assert "没有找到" in panel.message.text() and panel.case_table.rowCount() == 0


@pytest.mark.parametrize("who", ["reviewer", "leader"])
def test_the_parties_tab_tells_a_role_without_the_permission_why(
    qtbot: QtBot, svc: Services, cast: Cast, who: str
) -> None:
    from brigade_desk.gui.pages.parties import PartiesPanel

    panel = PartiesPanel(DeskSession(svc, getattr(cast, who)))
    qtbot.addWidget(panel)
    panel.search.setText("陈喆")
    panel.run_search()
    panel.table.selectRow(0)
    assert panel.case_table.rowCount() == 0 and panel.table.rowCount() == 1
    assert not panel.edit_button.isEnabled() and not panel.new_button.isEnabled()
    assert panel.why.text() == "须由有“登记当事人”权限的人员（执法队员、内勤）更正"
    assert panel.edit_selected() is None and panel.new_party() is None
