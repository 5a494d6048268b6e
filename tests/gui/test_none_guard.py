"""PySide6 6.12.0 on CPython 3.11 takes a reference from None on every call of a Qt method that
returns nothing; the GUI's guard keeps None alive however long a session lasts."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from brigade_desk.gui.none_guard import HEADROOM, protect_none


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from CPython 3.12 (PEP 683)")
def test_none_keeps_its_headroom_through_many_qt_calls(qtbot: QtBot) -> None:
    assert protect_none()
    label = QLabel()
    qtbot.addWidget(label)
    for _ in range(10_000):  # each call may take one reference (PySide6 6.12.0)
        label.setText("占道经营")
    assert sys.getrefcount(None) > HEADROOM // 2
    protect_none()  # idempotent: no second raise while the headroom lasts
    assert sys.getrefcount(None) < 2 * HEADROOM
