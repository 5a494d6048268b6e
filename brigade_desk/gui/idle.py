"""Idle detection for the automatic lock: any keyboard, mouse or touch input restarts a timer."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication

_INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.InputMethod,
    }
)


class IdleWatcher(QObject):
    """Emits `idle` after `timeout_ms` without input anywhere in the application; 0 disables it."""

    idle = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self.idle)
        self._timeout_ms = 0
        self._paused = False
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    @property
    def timeout_ms(self) -> int:
        return self._timeout_ms

    def set_timeout_minutes(self, minutes: int) -> None:
        self.set_timeout_ms(max(0, minutes) * 60_000)

    def set_timeout_ms(self, msecs: int) -> None:
        self._timeout_ms = max(0, msecs)
        self.restart()

    def pause(self) -> None:
        """While the screen is locked nothing counts as activity."""
        self._paused = True
        self._timer.stop()

    def resume(self) -> None:
        self._paused = False
        self.restart()

    def is_armed(self) -> bool:
        return self._timer.isActive()

    def restart(self) -> None:
        if self._paused or self._timeout_ms <= 0:
            self._timer.stop()
        else:
            self._timer.start(self._timeout_ms)

    def uninstall(self) -> None:
        self._timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT_EVENTS and not self._paused and self._timeout_ms > 0:
            self._timer.start(self._timeout_ms)
        return False
