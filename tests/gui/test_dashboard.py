"""工作台: organ, case figures, last verified backup (red when none), 立即备份 in the background."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from brigade_desk.core.app import Services
from brigade_desk.core.rules.permissions import Actor
from brigade_desk.core.services.users import NewUser
from brigade_desk.gui.main_window import MainWindow
from brigade_desk.gui.pages.dashboard import NO_BACKUP, DashboardPage
from brigade_desk.gui.session import DeskSession
from brigade_desk.gui.style import ERROR
from brigade_desk.gui.tasks import TaskRunner
from tests.gui.support import add_cases


def test_shows_organ_case_figures_and_no_backup_in_red(
    qtbot: QtBot, sqlite_services: Services, window: MainWindow
) -> None:
    add_cases(sqlite_services, 8)  # 2 each of filed, investigating, decided, closed
    window.refresh_current()
    page = window.dashboard
    assert page.organ_name.text() == "青溪镇人民政府"
    assert "临溪县" in page.organ_line.text() and "青综执" in page.organ_line.text()
    assert page.case_total.text() == "案件共 8 件"
    cells = [page.state_grid.itemAt(i).widget().text() for i in range(page.state_grid.count())]
    assert "已立案：2" in cells and "已结案：2" in cells
    assert page.last_backup.text() == NO_BACKUP
    assert ERROR in page.last_backup.styleSheet()
    assert page.backup_button.isVisible() and page.backup_button.isEnabled()
    summaries = [page.recent.item(r, 2).text() for r in range(page.recent.rowCount())]
    assert "初始化执法主体：青溪镇人民政府" in summaries


def test_backup_runs_in_the_background_and_updates_the_last_verified(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dest = tmp_path / "u盘"
    dest.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args, **kwargs: str(dest))
    page = window.dashboard
    page.backup_button.click()
    handle = page.backup_task
    assert handle is not None
    assert not page.backup_button.isEnabled()  # one backup at a time
    qtbot.waitUntil(lambda: not handle.running, timeout=20_000)
    assert handle.outcome == "succeeded", handle.error
    assert "校验通过" in page.backup_status.text()
    backups = list(dest.glob("brigade-desk-backup-*.zip"))
    assert len(backups) == 1
    assert str(backups[0]) in page.last_backup.text()
    assert ERROR not in page.last_backup.styleSheet()
    assert page.backup_button.isEnabled()
    assert page.progress_dialog is None


def test_backup_choice_cancelled_does_nothing(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args, **kwargs: "")
    window.dashboard.backup_button.click()
    assert window.dashboard.backup_task is None


def test_backup_refusal_is_shown(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "gone" / "deeper"
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args, **kwargs: str(missing))
    window.dashboard.backup_button.click()
    handle = window.dashboard.backup_task
    assert handle is not None
    qtbot.waitUntil(lambda: not handle.running, timeout=20_000)
    assert handle.outcome == "failed"
    assert window.dashboard.backup_status.text().startswith("备份失败：")
    assert ERROR in window.dashboard.backup_status.styleSheet()
    assert window.dashboard.last_backup.text() == NO_BACKUP


def test_no_backup_button_for_an_officer(
    qtbot: QtBot, sqlite_services: Services, sqlite_admin: Actor
) -> None:
    sqlite_services.users.add_user(sqlite_admin, NewUser("lisi", "李四", "Officer123", roles=("officer",)))
    officer = sqlite_services.users.sign_in("lisi", "Officer123")
    page = DashboardPage(DeskSession(sqlite_services, officer), TaskRunner())
    qtbot.addWidget(page)
    page.show()
    page.refresh()
    assert not page.backup_button.isVisible()
    assert page.backup_note.text() == "备份由管理员操作"
    assert page.last_backup.text() == NO_BACKUP
