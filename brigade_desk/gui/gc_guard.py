"""Python's garbage collection runs only in the GUI thread.

The collector runs in whichever thread happens to allocate when its thresholds are crossed. When it
frees the wrapper of a Qt object in a pool thread (a background task: the deadline board, the county
overview, a backup), Qt destroys that object outside the GUI thread and the program can crash — the
test suite once died with a segmentation fault inside a deadline-board task, "Garbage-collecting".

So the automatic collector is switched off and a timer in the GUI thread does the same work: it
looks at the collector's counts every 100 ms and collects the generations whose thresholds were
crossed, as the automatic collector would have. Reference counting still frees everything that is
not in a cycle at once, in any thread.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 100


class GuiThreadCollector(QObject):
    def __init__(self, parent: QObject, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self.threshold = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(interval_ms)

    def check(self) -> None:
        young, middle, old = gc.get_count()
        if young > self.threshold[0]:
            gc.collect(0)
            if middle > self.threshold[1]:
                gc.collect(1)
                if old > self.threshold[2]:
                    gc.collect(2)

    def stop(self) -> None:
        """Give collection back to Python (the application is ending, or a test session)."""
        self.timer.stop()
        gc.enable()


def collect_in_gui_thread(app: QObject) -> GuiThreadCollector:
    """Install the collector once per application (a second call returns the first)."""
    found = app.findChild(GuiThreadCollector)
    return found if found is not None else GuiThreadCollector(app)
