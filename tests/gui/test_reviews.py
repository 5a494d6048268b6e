"""Legal review in the GUI (issue 6): the reviewer's queue driven from submission to sign-off, a
refused signature that keeps the answers, the stale state after a change, the legal-body head's
signature, the leader's extension, and collective discussion confirmed by signature and on paper."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from brigade_desk.core.app import Services
from brigade_desk.core.review import CHECKLIST
from brigade_desk.core.services.reviews import ChecklistAnswer
from brigade_desk.core.store import Store, open_store
from brigade_desk.gui.discussion_dialog import DiscussionDialog, NoteDialog
from brigade_desk.gui.pages.review_desk import ExtendDialog, ReviewDesk, ReviewDialog
from brigade_desk.gui.pages.review_panel import ReviewPanel
from brigade_desk.gui.session import DeskSession
from brigade_desk.gui.signature import SignatureDialog
from tests.core.test_reviews import _major_case
from tests.factories import PASSWORD, Cast, Clock, cast_of
from tests.gui.support import type_text


@pytest.fixture
def svc(data_dir: Path) -> Iterator[Services]:
    store: Store = open_store(data_dir)
    yield Services.over(store, Clock(datetime(2025, 9, 22, 2, 0, tzinfo=UTC)))
    store.dispose()


@pytest.fixture
def cast(svc: Services) -> Cast:
    return cast_of(svc)


def _panel(qtbot: QtBot, svc: Services, actor: object, case_id: str) -> ReviewPanel:
    panel = ReviewPanel(DeskSession(svc, actor))  # type: ignore[arg-type]
    qtbot.addWidget(panel)
    panel.resize(900, 900)
    panel.show()
    panel.load(case_id)
    return panel


def _desk(qtbot: QtBot, svc: Services, actor: object) -> ReviewDesk:
    desk = ReviewDesk(DeskSession(svc, actor))  # type: ignore[arg-type]
    qtbot.addWidget(desk)
    desk.resize(1280, 800)
    desk.show()
    desk.refresh()
    return desk


def _answer_all(qtbot: QtBot, desk: ReviewDesk, *, problem: str = "", note: str = "") -> None:
    for code, _label in CHECKLIST:
        row = desk.form.rows[code]
        qtbot.mouseClick(row.problem if code == problem else row.ok, Qt.MouseButton.LeftButton)
        if code == problem and note:
            type_text(qtbot, row.note, note)


def _sign(qtbot: QtBot, desk: ReviewDesk, password: str = PASSWORD) -> SignatureDialog:
    qtbot.mouseClick(desk.sign_button, Qt.MouseButton.LeftButton)
    dialog = desk.sign_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.keyClicks(dialog.password, password)
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    return dialog


def test_queue_from_submission_to_sign_off(qtbot: QtBot, svc: Services, cast: Cast) -> None:
    case_id = _major_case(svc, cast)
    # The handler submits from the case's 审核 tab.
    handler = _panel(qtbot, svc, cast.officer, case_id)
    assert handler.status.text() == "尚未提交法制审核"
    assert "达到10,000.00元的重大执法决定标准" in handler.major.text()
    qtbot.mouseClick(handler.submit_button, Qt.MouseButton.LeftButton)
    assert "已提交法制审核" in handler.submit_message.text()
    assert handler.rounds_table.rowCount() == 1
    assert handler.rounds_table.item(0, 1).text() == "待审核"

    # The reviewer's queue: the time limit, round, case, who submitted it and why it is major.
    desk = _desk(qtbot, svc, cast.reviewer)
    assert desk.table.rowCount() == 1
    cells = [desk.table.item(0, c).text() for c in range(desk.table.columnCount())]
    due = svc.reviews.queue(cast.reviewer)[0].due_on
    assert cells[0] == f"{due.year}年{due.month}月{due.day}日"  # 7 working days after submission
    assert cells[1] == "第1轮" and cells[3] == "陈喆擅自占道经营案" and cells[4] == "张三"
    assert "重大执法决定标准" in cells[5]
    desk.table.selectRow(0)
    package = desk.package.toPlainText()
    for want in ("拟作出的处理决定", "15,000.00元", "占用人行道经营", "陈喆", "裁量基准适用", "审核材料摘要"):
        assert want in package, want

    _answer_all(qtbot, desk)
    qtbot.mouseClick(desk.form.opinion_buttons["同意"], Qt.MouseButton.LeftButton)
    type_text(qtbot, desk.form.text, "事实清楚，证据确凿，适用法律正确，程序合法，同意。")
    dialog = _sign(qtbot, desk)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert "审核通过" in desk.message.text()
    assert desk.table.rowCount() == 0  # nothing pending any more

    # The case now shows the passed review with the reviewer's key fingerprint.
    handler.load(case_id)
    assert handler.status.text() == "审核通过（第1轮）"
    assert not handler.stale.isVisible()
    reviewer_fp = svc.reviews.rounds(cast.officer, case_id)[0].fingerprint
    assert reviewer_fp and handler.rounds_table.item(0, 4).text() == reviewer_fp
    assert handler.checklist_table.rowCount() == len(CHECKLIST)
    # The signed round, seen in the queue with 只显示待审核 off, is read-only.
    desk.pending_only.setChecked(False)
    desk.table.selectRow(0)
    assert reviewer_fp in desk.signed_label.text() and not desk.sign_button.isVisible()


def test_refused_sign_keeps_the_answers(qtbot: QtBot, svc: Services, cast: Cast) -> None:
    case_id = _major_case(svc, cast)
    svc.reviews.submit(cast.officer, case_id)
    desk = _desk(qtbot, svc, cast.reviewer)
    desk.table.selectRow(0)
    _answer_all(qtbot, desk, problem="law")  # 否 without saying what is wrong
    qtbot.mouseClick(desk.form.opinion_buttons["同意"], Qt.MouseButton.LeftButton)
    type_text(qtbot, desk.form.text, "同意")
    dialog = _sign(qtbot, desk)
    assert dialog.result() == SignatureDialog.REFUSED
    assert "选择“否”时须写明存在的问题" in desk.refusal_text()
    assert "须写明存在的问题" in desk.form.error_for("law")
    # Everything typed is still there.
    assert desk.form.rows["law"].problem.isChecked()
    assert all(desk.form.rows[c].ok.isChecked() for c, _ in CHECKLIST if c != "law")
    assert desk.form.opinion() == "同意" and desk.form.opinion_text() == "同意"
    assert svc.reviews.rounds(cast.officer, case_id)[0].status == "pending"

    # A wrong password is said in the dialog, which stays open.
    type_text(qtbot, desk.form.rows["law"].note, "引用条款应为第四十二条")
    qtbot.mouseClick(desk.sign_button, Qt.MouseButton.LeftButton)
    dialog = desk.sign_dialog
    assert dialog is not None
    qtbot.keyClicks(dialog.password, "wrong-password")
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "密码不正确" in dialog.error_text()
    assert dialog.password.text() == ""
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    line = next(x for x in svc.reviews.rounds(cast.officer, case_id)[0].checklist if x.item == "law")
    assert (line.answer, line.note) == ("否", "引用条款应为第四十二条")


def test_stale_review_shows_what_changed(qtbot: QtBot, svc: Services, cast: Cast) -> None:
    case_id = _major_case(svc, cast)
    review_id = svc.reviews.submit(cast.officer, case_id)
    answers = [ChecklistAnswer(c, True) for c, _ in CHECKLIST]
    svc.reviews.sign(cast.reviewer, review_id, answers, "同意", "同意", PASSWORD)
    panel = _panel(qtbot, svc, cast.officer, case_id)
    assert panel.status.text() == "审核通过（第1轮）" and not panel.stale.isVisible()
    version = svc.cases.get(cast.officer, case_id).version
    svc.procedure.update_facts(
        cast.officer, case_id, "陈喆擅自占道经营案", "占用人行道经营，面积约12平方米", "东村路口", version
    )
    panel.load(case_id)
    assert panel.stale.isVisible()
    assert "审核通过后以下内容已变化：案件事实" in panel.stale.text()
    assert "color: #c62828" in panel.stale.styleSheet()
    assert panel.status.text().startswith("审核已失效")
    assert panel.rounds_table.item(0, 1).text() == "审核通过（已失效）"
    # Resubmitting is open to the handler again.
    assert panel.submit_button.isEnabled()
    qtbot.mouseClick(panel.submit_button, Qt.MouseButton.LeftButton)
    assert panel.status.text().startswith("待审核（第2轮）")


def test_head_signature_asked_when_the_setting_is_on(qtbot: QtBot, svc: Services, cast: Cast) -> None:
    from brigade_desk.core.services.users import NewUser

    svc.settings.set(cast.admin, "review_requires_head_signature", True)
    svc.users.add_user(
        cast.admin,
        NewUser("head", "吴法制", PASSWORD, roles=("legal_reviewer",), legal_review_qualified=True),
    )
    case_id = _major_case(svc, cast)
    svc.reviews.submit(cast.officer, case_id)
    desk = _desk(qtbot, svc, cast.reviewer)
    desk.table.selectRow(0)
    _answer_all(qtbot, desk)
    qtbot.mouseClick(desk.form.opinion_buttons["同意"], Qt.MouseButton.LeftButton)
    type_text(qtbot, desk.form.text, "同意")
    qtbot.mouseClick(desk.sign_button, Qt.MouseButton.LeftButton)
    dialog = desk.sign_dialog
    assert dialog is not None and dialog.head_login.isVisible()
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "缺少签名视为未审核" in dialog.error_text()
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.keyClicks(dialog.head_login, "head")
    qtbot.keyClicks(dialog.head_password, PASSWORD)
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert svc.reviews.rounds(cast.officer, case_id)[0].head_name == "吴法制"


def test_leader_extends_the_time_limit_once(qtbot: QtBot, svc: Services, cast: Cast) -> None:
    case_id = _major_case(svc, cast)
    svc.reviews.submit(cast.officer, case_id)
    reviewer_desk = _desk(qtbot, svc, cast.reviewer)
    assert not reviewer_desk.extend_button.isVisible()
    desk = _desk(qtbot, svc, cast.leader)
    desk.table.selectRow(0)
    assert desk.extend_button.isEnabled() and not desk.sign_button.isEnabled()
    assert "须由具有法制审核资格" in desk.refusal_text()
    before = svc.reviews.rounds(cast.officer, case_id)[0].due_on
    qtbot.mouseClick(desk.extend_button, Qt.MouseButton.LeftButton)
    dialog = desk.extend_dialog
    assert isinstance(dialog, ExtendDialog)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    after = svc.reviews.rounds(cast.officer, case_id)[0].due_on
    assert after > before and "已批准延期" in desk.extend_note.text()
    desk.table.selectRow(0)
    assert not desk.extend_button.isEnabled()  # once only


def test_collective_discussion_recorded_and_confirmed(qtbot: QtBot, svc: Services, cast: Cast) -> None:
    case_id = _major_case(svc, cast)
    panel = _panel(qtbot, svc, cast.officer, case_id)
    assert "须经负责人集体讨论决定" in panel.discussion_status.text()
    qtbot.mouseClick(panel.record_button, Qt.MouseButton.LeftButton)
    dialog = panel.dialog
    assert isinstance(dialog, DiscussionDialog)
    type_text(qtbot, dialog.place, "镇政府二楼会议室")
    type_text(qtbot, dialog.recorder, "周内勤")
    type_text(qtbot, dialog.report, "承办人员汇报案情")
    type_text(qtbot, dialog.conclusion, "给予罚款15,000元的行政处罚")
    by_name = {row.user.display_name: row for row in dialog.leaders}
    zhao, qian = by_name["赵镇长"], by_name["钱副镇长"]
    type_text(qtbot, zhao.opinion, "同意")
    type_text(qtbot, zhao.reasons, "事实清楚")
    # Only one leader: refused beside the leaders, nothing typed is lost.
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "两名以上" in dialog.error_text()
    assert dialog.place.text() == "镇政府二楼会议室" and zhao.present.isChecked()
    type_text(qtbot, qian.opinion, "同意")
    type_text(qtbot, qian.reasons, "裁量适当")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert panel.leaders_table.rowCount() == 2
    rows = {panel.leaders_table.item(r, 0).text(): r for r in range(2)}
    assert panel.leaders_table.item(rows["赵镇长"], 3).text() == "未确认"

    # 赵镇长 confirms at this PC with his password (the officer stays signed in).
    assert panel.select_leader("赵镇长")
    qtbot.mouseClick(panel.confirm_button, Qt.MouseButton.LeftButton)
    sign = panel.dialog
    assert isinstance(sign, SignatureDialog) and "赵镇长" in sign.signer.text()
    qtbot.keyClicks(sign.password, PASSWORD)
    qtbot.mouseClick(sign.sign_button, Qt.MouseButton.LeftButton)
    assert sign.result() == QDialog.DialogCode.Accepted
    opinions = {o.name: o for o in svc.reviews.discussions(cast.officer, case_id)[0].opinions}
    leader_fp = opinions["赵镇长"].fingerprint
    assert leader_fp and leader_fp in panel.leaders_table.item(rows["赵镇长"], 3).text()

    # 钱副镇长 signed on paper.
    assert panel.select_leader("钱副镇长")
    qtbot.mouseClick(panel.paper_button, Qt.MouseButton.LeftButton)
    note = panel.dialog
    assert isinstance(note, NoteDialog)
    type_text(qtbot, note.note, "案卷第23页")
    qtbot.mouseClick(note.ok_button, Qt.MouseButton.LeftButton)
    assert panel.leaders_table.item(rows["钱副镇长"], 3).text() == "纸质签名（案卷第23页）"
    assert "负责人已确认 2 人" in panel.discussion_status.text()
    assert svc.reviews.state(cast.officer, case_id).discussion_done


def test_review_dialog_opened_from_the_case_closes_when_signed(
    qtbot: QtBot, svc: Services, cast: Cast
) -> None:
    other = _major_case(svc, cast)
    case_id = _major_case(svc, cast)
    svc.reviews.submit(cast.officer, other)
    svc.reviews.submit(cast.officer, case_id)
    dialog = ReviewDialog(DeskSession(svc, cast.reviewer), case_id)
    qtbot.addWidget(dialog)
    dialog.open()
    desk = dialog.desk
    assert desk.table.rowCount() == 1 and desk.current is not None and desk.current.case_id == case_id
    _answer_all(qtbot, desk)
    qtbot.mouseClick(desk.form.opinion_buttons["同意"], Qt.MouseButton.LeftButton)
    type_text(qtbot, desk.form.text, "同意")
    _sign(qtbot, desk)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert svc.reviews.state(cast.officer, case_id).passed
    assert not svc.reviews.state(cast.officer, other).passed
