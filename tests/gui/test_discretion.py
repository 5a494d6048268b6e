"""裁量 in the GUI: the panel follows the ticks and figures as they change, proposes and saves; the
benchmark browser lists, imports (errors by row and column, nothing imported), edits and refuses to
touch a version a decision used; both are reachable from the case detail and the 设置 page."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QFileDialog
from pytestqt.qtbot import QtBot

from brigade_desk.core.app import Services
from brigade_desk.core.model import Case
from brigade_desk.core.rules.discretion import PUBLISHED_EXAMPLE_FILE
from brigade_desk.core.store import Store
from brigade_desk.gui.discretion_admin import DiscretionAdminDialog, ImportPreviewDialog, VersionEditDialog
from brigade_desk.gui.discretion_panel import DiscretionDialog, DiscretionPanel, DiscretionTab
from brigade_desk.gui.main_window import MainWindow
from brigade_desk.gui.pages.case_detail import CaseDetailPane
from brigade_desk.gui.session import DeskSession
from tests.core.test_discretion_format import FIRST, ITEM, TIERS, make_csv
from tests.core.test_discretion_store import decide, file_case
from tests.factories import Cast, Clock, cast_of
from tests.gui.support import type_text


@pytest.fixture
def svc(sqlite_store: Store) -> Services:
    return Services.over(sqlite_store, Clock(datetime(2025, 9, 22, 2, 0, tzinfo=UTC)))


@pytest.fixture
def cast(svc: Services) -> Cast:
    return cast_of(svc)


@pytest.fixture
def case_id(svc: Services, cast: Cast) -> str:
    return file_case(svc, cast)


@pytest.fixture
def panel(qtbot: QtBot, svc: Services, cast: Cast, case_id: str) -> DiscretionPanel:
    widget = DiscretionPanel(DeskSession(svc, cast.officer))
    qtbot.addWidget(widget)
    widget.resize(760, 900)
    widget.show()
    widget.set_case(case_id)
    return widget


def test_ticking_a_fact_changes_the_amount(qtbot: QtBot, panel: DiscretionPanel) -> None:
    choice = panel.current_choice()
    assert choice is not None and choice.code == "DL-27-1" and choice.score > 0  # fits the power item
    assert panel.item_combo.currentText().startswith("★ DL-27-1")
    assert "一般" in panel.tier_label.text()
    assert "10,000.00元" in panel.amount_label.text()
    assert panel.first_violation.isChecked()
    panel.fact_boxes["obstructed_officers"].click()
    qtbot.waitUntil(lambda: "16,000.00元" in panel.amount_label.text(), timeout=2000)
    assert "从重" in panel.tier_label.text()
    assert "阻碍执法" in panel.explanation.toPlainText()
    panel.fact_boxes["obstructed_officers"].click()
    panel.fact_boxes["corrected_in_time"].click()
    qtbot.waitUntil(lambda: "2,000.00元" in panel.amount_label.text(), timeout=2000)
    assert "从轻" in panel.tier_label.text()


def test_quantity_typed_updates_the_result(qtbot: QtBot, panel: DiscretionPanel) -> None:
    index = panel._choice_index("GH-64")
    panel.item_combo.setCurrentIndex(index)
    qtbot.waitUntil(lambda: "无法计算" in panel.tier_label.text(), timeout=2000)
    assert "工程造价" in panel.message.text()  # says what to enter; nothing lost
    edit = panel.quantity_edits["project_cost"]
    qtbot.keyClicks(edit, "1000000")
    qtbot.waitUntil(lambda: "75,000.00元" in panel.amount_label.text(), timeout=2000)
    assert not panel.message.isVisible()


def test_propose_outside_the_tier_and_save(
    qtbot: QtBot, panel: DiscretionPanel, svc: Services, cast: Cast, case_id: str
) -> None:
    qtbot.keyClicks(panel.proposed_amount, "5000")
    assert "须写明理由" in panel.proposal_check.text()
    type_text(qtbot, panel.proposal_reason, "占道时间短，已自行撤离")
    assert "重大执法决定" in panel.proposal_check.text()
    panel.save_button.click()
    assert "已保存" in panel.status.text() and "重大执法决定" in panel.status.text()
    with svc.store.read() as session:
        case = session.get(Case, case_id)
        assert case is not None and case.is_major and case.discussion_required
    # Opening the case again shows what was saved.
    again = DiscretionPanel(DeskSession(svc, cast.officer))
    qtbot.addWidget(again)
    again.set_case(case_id)
    assert again.proposed_amount.text() == "5,000.00"
    assert again.proposal_reason.text() == "占道时间短，已自行撤离"
    assert "10,000.00元" in again.amount_label.text()


def test_refused_save_keeps_what_was_typed(qtbot: QtBot, panel: DiscretionPanel) -> None:
    qtbot.keyClicks(panel.proposed_amount, "30000")
    panel.save_button.click()
    assert "超过法定最高额" in panel.message.text()
    assert panel.proposed_amount.text() == "30000"
    assert panel.status.text() == ""


def test_a_role_without_case_editing_only_views(
    qtbot: QtBot, svc: Services, cast: Cast, case_id: str
) -> None:
    widget = DiscretionPanel(DeskSession(svc, cast.clerk))
    qtbot.addWidget(widget)
    widget.set_case(case_id)
    assert not widget.save_button.isEnabled()
    assert "只能查看" in widget.status.text()


def test_case_detail_has_the_discretion_tab(
    qtbot: QtBot, svc: Services, cast: Cast, case_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    pane = CaseDetailPane(DeskSession(svc, cast.officer))
    qtbot.addWidget(pane)
    labels = [pane.tabs.tabText(n) for n in range(pane.tabs.count())]
    assert "裁量" in labels
    pane.show()
    pane.show_case_id(case_id)
    tab = next(t for t in pane.case_tabs if isinstance(t, DiscretionTab))
    assert tab.panel.case_id is None  # not loaded while hidden
    pane.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.panel.case_id == case_id, timeout=2000)
    assert "建议" in tab.panel.amount_label.text()
    opened: list[str] = []
    monkeypatch.setattr(DiscretionDialog, "exec", lambda self: opened.append(self.panel.case_id) or 0)
    tab.window_button.click()
    assert opened == [case_id]


# --- the benchmark browser ---------------------------------------------------------------------


@pytest.fixture
def admin_dialog(qtbot: QtBot, svc: Services, cast: Cast) -> DiscretionAdminDialog:
    dialog = DiscretionAdminDialog(DeskSession(svc, cast.admin))
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_browser_lists_versions_items_and_tiers(admin_dialog: DiscretionAdminDialog) -> None:
    assert admin_dialog.versions_table.rowCount() == 1
    assert "初始示例" in admin_dialog.versions_table.item(0, 0).text()
    assert admin_dialog.items_table.rowCount() == 24
    assert admin_dialog.items_table.item(0, 0).text() == "DQ-119-1"
    assert admin_dialog.tiers_table.item(0, 0).text() == "不予处罚"
    admin_dialog.items_table.selectRow(13)
    assert admin_dialog.items_table.item(13, 0).text() == "DL-27-1"
    assert "（默认阶次）" in [admin_dialog.tiers_table.item(r, 2).text() for r in range(4)]
    assert admin_dialog.edit_button.isEnabled() and admin_dialog.delete_button.isEnabled()
    assert not admin_dialog.starter_button.isVisible()


def _choose_file(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(path), ""))


def test_bad_import_shows_the_errors_and_imports_nothing(
    admin_dialog: DiscretionAdminDialog, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    rows = [{**ITEM, **TIERS[0], "法定上限": "abc"}, {"事项编码": "LJ-1", **TIERS[1]}]
    bad.write_text(make_csv(rows), encoding="utf-8")
    _choose_file(monkeypatch, bad)
    previews: list[ImportPreviewDialog] = []

    def fake_exec(self: ImportPreviewDialog) -> int:
        previews.append(self)
        return QDialog.DialogCode.Rejected.value

    monkeypatch.setattr(ImportPreviewDialog, "exec", fake_exec)
    admin_dialog.import_button.click()
    preview = previews[0]
    assert preview.import_button is None
    cells = [
        (preview.table.item(r, 1).text(), preview.table.item(r, 2).text())
        for r in range(preview.table.rowCount())
    ]
    assert (f"第{FIRST}行", "法定上限") in cells
    assert "未导入任何内容" in admin_dialog.message.text()
    assert admin_dialog.versions_table.rowCount() == 1


def test_good_import_then_edit(
    admin_dialog: DiscretionAdminDialog, monkeypatch: pytest.MonkeyPatch, svc: Services, cast: Cast
) -> None:
    _choose_file(monkeypatch, PUBLISHED_EXAMPLE_FILE)

    def accept(self: ImportPreviewDialog) -> int:
        assert self.import_button is not None and "检查通过" in self.summary.text()
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(ImportPreviewDialog, "exec", accept)
    admin_dialog.import_button.click()
    assert admin_dialog.versions_table.rowCount() == 2
    assert "已导入" in admin_dialog.message.text()
    selected = admin_dialog.selected_version()
    assert selected is not None and selected.series == "SZ-CG-2023"
    assert admin_dialog.items_table.rowCount() == 8

    def edit(self: VersionEditDialog) -> int:
        self.doc_number.setText("深城管规〔2023〕9号")
        self.save()
        return self.result()

    monkeypatch.setattr(VersionEditDialog, "exec", edit)
    admin_dialog.edit_button.click()
    assert svc.discretion.find_version(cast.officer, "SZ-CG-2023").doc_number == "深城管规〔2023〕9号"
    assert "已修改" in admin_dialog.message.text()


def test_a_used_version_cannot_be_edited_or_deleted(
    qtbot: QtBot, svc: Services, cast: Cast, case_id: str
) -> None:
    from brigade_desk.core.services.discretion import DiscretionInput

    svc.discretion.save_for_case(cast.officer, case_id, DiscretionInput("DL-27-1"), None)
    decide(svc, cast, case_id, 10_000_00)
    dialog = DiscretionAdminDialog(DeskSession(svc, cast.admin))
    qtbot.addWidget(dialog)
    dialog.show()
    assert "已被1件决定使用" in dialog.versions_table.item(0, 7).text()
    assert not dialog.edit_button.isEnabled() and not dialog.delete_button.isEnabled()
    assert "不能修改或删除" in dialog.reason.text() and dialog.reason.isVisible()
    assert dialog.export_button.isEnabled()


def test_settings_page_opens_the_browser(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[DiscretionAdminDialog] = []
    monkeypatch.setattr(DiscretionAdminDialog, "exec", lambda self: opened.append(self) or 0)
    window.go_to("settings")
    window.settings.discretion_button.click()
    assert opened and opened[0].versions_table.rowCount() == 1
