"""Background work for the GUI: a small runner over QThreadPool.

A task is a plain Python callable taking a progress callback `progress(done, total)`; core's long
operations (backups, later imports and exports) already accept one. The callable runs on a pool
thread and must not touch widgets. Results, errors and progress come back to the GUI thread only
through Qt signals of a `TaskHandle`, which lives in the GUI thread (queued connections).

Cancelling is cooperative: `TaskHandle.cancel()` sets a flag, and the next call of the progress
callback raises `Cancelled` inside the task, which ends it; core cleans up what it had half written
(the backup removes its partial file). Work between two progress calls is not interrupted.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

Progress = Callable[[int, int], None]
TaskFunction = Callable[[Progress], Any]


class Cancelled(Exception):
    """Raised from the progress callback once the task was asked to stop."""


class TaskHandle(QObject):
    """One submitted task as the GUI sees it. Every public signal is emitted in the GUI thread."""

    progress = Signal(int, int)
    succeeded = Signal(object)  # the task's return value
    failed = Signal(object)  # the exception it raised
    cancelled = Signal()
    finished = Signal()  # after exactly one of succeeded / failed / cancelled

    # Emitted from the pool thread; connected to this object's slots, so queued into the GUI thread.
    _worker_progress = Signal(int, int)
    _worker_result = Signal(str, object)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._cancel = threading.Event()
        self._running = True
        self.outcome: str = ""  # "succeeded" | "failed" | "cancelled" once finished
        self.result: Any = None
        self.error: BaseException | None = None
        self._worker_progress.connect(self._on_progress)
        self._worker_result.connect(self._on_result)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    @property
    def running(self) -> bool:
        return self._running

    # --- called in the pool thread -----------------------------------------------------------

    def report(self, done: int, total: int) -> None:
        """The progress callback handed to the task."""
        if self._cancel.is_set():
            raise Cancelled
        self._worker_progress.emit(done, total)

    # --- GUI thread ----------------------------------------------------------------------------

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        if self._running:
            self.progress.emit(done, total)

    @Slot(str, object)
    def _on_result(self, outcome: str, value: object) -> None:
        self._running = False
        self.outcome = outcome
        if outcome == "succeeded":
            self.result = value
            self.succeeded.emit(value)
        elif outcome == "failed":
            self.error = value if isinstance(value, BaseException) else None
            self.failed.emit(value)
        else:
            self.cancelled.emit()
        self.finished.emit()


class _Runnable(QRunnable):
    def __init__(self, handle: TaskHandle, function: TaskFunction) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the runner keeps the Python object until the task finished
        self._handle = handle
        self._function = function

    def run(self) -> None:
        handle = self._handle
        try:
            if handle.cancel_requested:
                raise Cancelled
            value = self._function(handle.report)
        except Cancelled:
            handle._worker_result.emit("cancelled", None)
        except BaseException as exc:  # every failure must reach the GUI, never vanish in a thread
            handle._worker_result.emit("failed", exc)
        else:
            handle._worker_result.emit("succeeded", value)


class TaskRunner(QObject):
    """Submits tasks to a thread pool and keeps them alive until their result reached the GUI."""

    def __init__(self, parent: QObject | None = None, *, max_threads: int = 2) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._active: dict[TaskHandle, _Runnable] = {}

    def submit(self, name: str, function: TaskFunction) -> TaskHandle:
        handle = TaskHandle(name, self)
        runnable = _Runnable(handle, function)
        self._active[handle] = runnable
        handle.finished.connect(lambda: self._forget(handle))
        self.pool.start(runnable)
        return handle

    def active(self) -> list[TaskHandle]:
        return [h for h in self._active if h.running]

    def cancel_all(self) -> None:
        for handle in self._active:
            handle.cancel()

    def wait(self, msecs: int = -1) -> bool:
        """Block until the pool is idle (results still arrive through the event loop afterwards)."""
        return self.pool.waitForDone(msecs)

    def _forget(self, handle: TaskHandle) -> None:
        self._active.pop(handle, None)
        # Outside the signal emission, hand the handle back to Python: it lives while a caller
        # still holds it and is freed with the last reference.
        QTimer.singleShot(0, lambda: handle.setParent(None))
