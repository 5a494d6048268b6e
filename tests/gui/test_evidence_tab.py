"""The evidence tab: files added through the tab in the background, thumbnails shown lazily, open and
export logged, cancel leaves nothing, and the completeness panel shows missing records in red."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QSize, Qt, QUrl
from PySide6.QtGui import QColor, QIcon
from PySide6.QtWidgets import QDialog, QFileDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from brigade_desk.core.app import Services
from brigade_desk.core.model import AuditEvent, Evidence
from brigade_desk.core.services.evidence import EvidenceInput
from brigade_desk.core.services.procedure import FilingInput
from brigade_desk.gui.pages.case_detail import CaseDetailPane
from brigade_desk.gui.pages.evidence_dialog import EvidenceDialog
from brigade_desk.gui.pages.evidence_tab import EvidenceTab
from brigade_desk.gui.session import DeskSession
from brigade_desk.gui.style import ERROR
from tests.core.test_evidence import make_jpeg
from tests.factories import Cast, cast_of


@pytest.fixture
def cast(sqlite_services: Services) -> Cast:
    return cast_of(sqlite_services)


@pytest.fixture
def case_id(sqlite_services: Services, cast: Cast) -> str:
    p = sqlite_services.procedure
    case_id = p.propose_filing(
        cast.officer,
        FilingInput(
            power_item_ids=(cast.item_id,),
            party_ids=(cast.person_id,),
            officer_ids=cast.officer_ids,
            violation_date=date(2025, 9, 20),
            summary="陈喆擅自占用城市道路从事经营活动案",
            place="青溪镇东村路口",
        ),
    )
    version = sqlite_services.cases.get(cast.officer, case_id).version
    p.approve_filing(cast.leader, case_id, True, "同意立案", version)
    return case_id


@pytest.fixture
def pane(qtbot: QtBot, sqlite_services: Services, cast: Cast, case_id: str) -> Iterator[CaseDetailPane]:
    widget = CaseDetailPane(DeskSession(sqlite_services, cast.officer))
    qtbot.addWidget(widget)
    widget.resize(640, 900)
    widget.show()
    qtbot.waitExposed(widget)
    widget.show_case_id(case_id)
    yield widget
    widget.evidence_tab.runner.cancel_all()
    widget.evidence_tab.runner.wait(10_000)


def _tab(pane: CaseDetailPane) -> EvidenceTab:
    pane.tabs.setCurrentWidget(pane.evidence_tab)
    return pane.evidence_tab


def _fill_and_accept(
    monkeypatch: pytest.MonkeyPatch,
    description: str,
    step: str = "",
    seen: list[EvidenceDialog] | None = None,
) -> None:
    """Stand in for the person at the dialog: type a description, pick a step, press OK."""

    def fake_exec(dialog: EvidenceDialog) -> int:
        dialog.description.setText(description)
        dialog.step.setCurrentIndex(dialog.step.findData(step))
        if seen is not None:
            seen.append(dialog)
        dialog.submit()
        return int(dialog.result())

    monkeypatch.setattr(EvidenceDialog, "exec", fake_exec)


def _choose_files(monkeypatch: pytest.MonkeyPatch, *paths: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *_a, **_k: ([str(p) for p in paths], ""))


def _colour_of(tab: EvidenceTab, text: str) -> QColor | None:
    """The colour the completeness panel shows the line with `text` in."""
    block = tab.completeness.body.document().begin()
    while block.isValid():
        if text in block.text():
            fragment = block.begin().fragment()
            return fragment.charFormat().foreground().color()
        block = block.next()
    return None


def _count(services: Services, model: type, **where: object) -> int:
    with services.store.read() as session:
        query = select(func.count()).select_from(model)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return int(session.execute(query).scalar_one())


def test_a_file_added_through_the_tab_shows_its_thumbnail_and_the_panel_shows_what_is_missing(
    qtbot: QtBot,
    pane: CaseDetailPane,
    sqlite_services: Services,
    cast: Cast,
    case_id: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The leader approved a seizure: its record and its full audio-video record are still missing.
    sqlite_services.procedure.approve_measure(cast.leader, case_id, "seizure", "同意扣押")
    tab = _tab(pane)
    assert tab.model.rowCount() == 0 and tab.empty_hint.isVisible()
    missing = tab.completeness.missing_texts()
    assert any("查封（扣押）现场笔录" in m for m in missing)
    assert any("全程音像记录" in m for m in missing)
    assert _colour_of(tab, "查封（扣押）现场笔录（必须）：缺少") == QColor(ERROR)
    assert _colour_of(tab, "全程音像记录（必须）：缺少") == QColor(ERROR)

    photo = make_jpeg(tmp_path / "IMG_0001.JPG")
    _choose_files(monkeypatch, photo)
    seen: list[EvidenceDialog] = []
    _fill_and_accept(monkeypatch, "扣押现场照片", step="seizure", seen=seen)
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1 and tab.copy_task is None, timeout=10_000)

    assert seen[0].collected_by.text() == "张三" and seen[0].place.text() == "青溪镇东村路口"
    item = tab.model.item_at(0)
    assert item is not None and item.description == "扣押现场照片" and item.file_name == "IMG_0001.JPG"
    icon = tab.model.data(tab.model.index(0, 0), Qt.ItemDataRole.DecorationRole)
    assert isinstance(icon, QIcon) and not icon.isNull()
    assert icon.availableSizes() == [QSize(256, 192)]  # the thumbnail itself, not a placeholder
    assert tab.model.thumbnails_loaded == 1
    assert tab.current_item() == item  # the new item is selected and its details shown
    assert tab.values["sha256"].text() == item.sha256
    assert tab.values["captured"].text() == "2025年9月23日 10:15"
    assert "已登记 1 个文件" in tab.message.text()
    # The photo (an AV record) filed under the seizure: only the seizure record is missing now.
    assert [m for m in tab.completeness.missing_texts() if "全程音像记录" in m] == []
    assert _colour_of(tab, "全程音像记录（必须）：已有") != QColor(ERROR)
    assert any("查封（扣押）现场笔录" in m for m in tab.completeness.missing_texts())


def test_open_and_export_are_logged(
    qtbot: QtBot,
    pane: CaseDetailPane,
    sqlite_services: Services,
    cast: Cast,
    case_id: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    photo = make_jpeg(tmp_path / "现场.jpg")
    added = sqlite_services.evidence.add_file(
        cast.officer,
        case_id,
        photo,
        EvidenceInput("audio_visual", "现场照片", "", "张三", datetime(2025, 9, 23, tzinfo=UTC)),
    )
    tab = _tab(pane)
    tab.view.setCurrentIndex(tab.model.index(0, 0))
    assert tab.open_button.isEnabled() and tab.export_button.isEnabled()

    opened: list[QUrl] = []
    tab.open_url = opened.append
    qtbot.mouseClick(tab.open_button, Qt.MouseButton.LeftButton)
    assert Path(opened[0].toLocalFile()).name == "现场.jpg"
    assert Path(opened[0].toLocalFile()).read_bytes() == photo.read_bytes()

    target = tmp_path / "导出" / "copy.jpg"
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(target), ""))
    qtbot.mouseClick(tab.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "已导出到" in tab.message.text(), timeout=10_000)
    assert target.read_bytes() == photo.read_bytes()
    log = sqlite_services.evidence.access_log(cast.officer, added.evidence.id)
    assert [(e.action, e.actor_name) for e in log] == [
        ("evidence.add", "张三"),
        ("evidence.view", "张三"),
        ("evidence.export", "张三"),
    ]


def test_cancelling_a_copy_keeps_nothing_of_the_file_being_copied(
    qtbot: QtBot,
    pane: CaseDetailPane,
    sqlite_services: Services,
    tmp_path: Path,
) -> None:
    big = tmp_path / "body-camera.mp4"
    with big.open("wb") as out:
        for n in range(96):
            out.write(n.to_bytes(2, "big") * (512 * 1024))
    tab = _tab(pane)
    events_before = _count(sqlite_services, AuditEvent)
    data = EvidenceInput("audio_visual", "执法记录仪录像", "", "张三", datetime(2025, 9, 23, tzinfo=UTC))
    handle = tab.start_copy([big], data)
    assert not tab.add_button.isEnabled()  # one copy at a time
    handle.cancel()
    qtbot.waitUntil(lambda: not handle.running and tab.copy_task is None, timeout=20_000)
    assert handle.outcome == "cancelled"
    assert "已取消" in tab.message.text()
    assert tab.model.rowCount() == 0 and _count(sqlite_services, Evidence) == 0
    assert _count(sqlite_services, AuditEvent) == events_before
    files_dir = sqlite_services.store.files_dir
    assert not files_dir.exists() or not [p for p in files_dir.rglob("*") if p.is_file()]
    assert tab.add_button.isEnabled()


def test_the_tab_loads_only_when_shown_and_thumbnails_only_when_seen(
    qtbot: QtBot,
    sqlite_services: Services,
    cast: Cast,
    case_id: str,
    tmp_path: Path,
) -> None:
    for n in range(40):
        photo = make_jpeg(tmp_path / f"p{n}.jpg", taken=None, size=(320 + n, 240))
        sqlite_services.evidence.add_file(
            cast.officer,
            case_id,
            photo,
            EvidenceInput("audio_visual", f"现场照片{n + 1}", "", "张三", datetime(2025, 9, 23, tzinfo=UTC)),
        )
    pane = CaseDetailPane(DeskSession(sqlite_services, cast.officer))
    qtbot.addWidget(pane)
    pane.resize(520, 700)
    pane.show()
    qtbot.waitExposed(pane)
    pane.show_case_id(case_id)
    tab = pane.evidence_tab
    assert tab.model.rowCount() == 0  # another tab is showing: nothing read yet
    pane.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 40)
    qtbot.wait(50)
    assert 0 < tab.model.thumbnails_loaded < 40
    tab.view.scrollToBottom()
    qtbot.wait(50)
    assert tab.model.data(tab.model.index(39, 0), Qt.ItemDataRole.DisplayRole) == "40. 现场照片40"
    tab.mode_button.click()
    assert tab.view.viewMode() == tab.view.ViewMode.ListMode


def test_a_person_without_case_editing_cannot_add(
    qtbot: QtBot, sqlite_services: Services, cast: Cast, case_id: str
) -> None:
    pane = CaseDetailPane(DeskSession(sqlite_services, cast.reviewer))
    qtbot.addWidget(pane)
    pane.show()
    pane.show_case_id(case_id)
    tab = _tab(pane)
    assert not tab.add_button.isEnabled() and "无办理案件权限" in tab.add_button.toolTip()


def test_the_dialog_keeps_what_was_typed_when_core_refuses(
    qtbot: QtBot, sqlite_services: Services, cast: Cast, case_id: str, tmp_path: Path
) -> None:
    dialog = EvidenceDialog(
        DeskSession(sqlite_services, cast.officer), case_id, [make_jpeg(tmp_path / "a.jpg")]
    )
    qtbot.addWidget(dialog)
    dialog.proves.setPlainText("当事人占道经营")
    dialog.description.setText("")
    dialog.submit()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.errors.message("证据说明") == "请写明证据的名称和内容"
    assert dialog.proves.toPlainText() == "当事人占道经营"
