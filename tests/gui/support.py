"""Helpers for GUI tests: fill a store with cases through the store directly.

The GUI only ever calls services; tests may reach into the store to set up what a later service
(case filing arrives with the case-handling work) will create.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from brigade_desk.core import audit
from brigade_desk.core.app import Services
from brigade_desk.core.model import Case, CaseParty, Organ, Party
from brigade_desk.core.rules.permissions import Actor
from brigade_desk.gui.main_window import MainWindow
from brigade_desk.gui.session import DeskSession

SOURCES = ("巡查发现", "投诉举报", "12345热线转办", "网格员上报")
STATES = ("filed", "investigating", "decided", "closed")
SURNAMES = "王李张刘陈杨赵黄周吴"
GIVEN = ("伟", "芳", "秀英", "敏", "静", "强", "磊", "军", "洋", "勇")
MATTERS = ("占道经营", "未经许可设置户外广告", "违法建设", "露天焚烧秸秆", "乱倒建筑垃圾")

AddCases = Callable[..., list[str]]


def add_cases(services: Services, count: int, *, start: datetime | None = None) -> list[str]:
    """Insert `count` cases (newest has the highest number) with one party each; return their ids."""
    start = start or datetime(2025, 1, 1, 1, 0, tzinfo=UTC)
    ids: list[str] = []
    with services.store.write() as session:
        organ_id = session.execute(select(Organ.id).where(Organ.is_self)).scalar_one()
        for n in range(count):
            at = start + timedelta(hours=n)
            name = SURNAMES[n % len(SURNAMES)] + GIVEN[(n // len(SURNAMES)) % len(GIVEN)]
            party = Party(kind="natural_person", name=name, created_at=at)
            case = Case(
                organ_id=organ_id,
                case_number=f"青综执立〔{at.year}〕{n + 1}号",
                source=SOURCES[n % len(SOURCES)],
                received_at=at,
                summary=f"{name}{MATTERS[n % len(MATTERS)]}案",
                place="青溪镇溪口村",
                state=STATES[n % len(STATES)],
                created_at=at,
                updated_at=at,
            )
            session.add_all([party, case])
            session.flush()
            session.add(CaseParty(case_id=case.id, party_id=party.id))
            ids.append(case.id)
    return ids


def add_case_event(
    services: Services, actor: Actor, case_id: str, summary: str, action: str = "case.note"
) -> None:
    """One full-process record event about a case, as a case-handling service will write it."""
    with services.store.write() as session:
        audit.record(session, actor, audit.Change(action, "case", case_id, summary))


def type_text(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Type into a widget as a person would: keys for ASCII, an input-method commit for Chinese
    (QTest cannot press keys for characters outside Latin-1)."""
    if text.isascii():
        qtbot.keyClicks(widget, text)
        return
    widget.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def tab_sequence(qtbot: QtBot, window: QWidget, start: QWidget, presses: int) -> list[QWidget]:
    """The widgets that get the focus when Tab is pressed `presses` times from `start`."""
    start.setFocus()
    seen = [start]
    for _ in range(presses):
        qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Tab)
        seen.append(window.focusWidget())
    return seen


@contextmanager
def signed_in_window(qtbot: QtBot, services: Services, actor: Actor) -> Iterator[MainWindow]:
    """The main window over `services`, with `actor` signed in, shown at a desk screen's size."""
    win = MainWindow(DeskSession(services, actor))
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    qtbot.waitExposed(win)
    try:
        yield win
    finally:
        win.idle.uninstall()
