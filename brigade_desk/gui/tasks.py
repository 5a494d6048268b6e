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
        # still holds it and is freed with the last reference. The handle is the timer's context:
        # if the runner (and with it the handle) is destroyed first, the timer is dropped.
        QTimer.singleShot(0, handle, lambda: handle.setParent(None))


class LatestOnly(QObject):
    """A kind of request of which only the newest answer is wanted: a list read again (a refresh,
    another filter, the next page) while an older read is still running. An older task's answer,
    whenever it arrives, is dropped; so is every answer after `drop()` (the list was cleared).

    The task's signals go to this object's own methods, so Qt forgets them when the owner (its
    parent widget) is gone before the answer comes."""

    def __init__(self, runner: TaskRunner, parent: QObject) -> None:
        super().__init__(parent)
        self.runner = runner
        self.handle: TaskHandle | None = None
        self._done: Callable[[Any], None] | None = None
        self._failed: Callable[[object], None] | None = None

    def submit(
        self, name: str, function: TaskFunction, done: Callable[[Any], None], failed: Callable[[object], None]
    ) -> TaskHandle:
        handle = self.runner.submit(name, function)
        self.handle, self._done, self._failed = handle, done, failed
        handle.succeeded.connect(self._on_succeeded)
        handle.failed.connect(self._on_failed)
        return handle

    def drop(self) -> None:
        """Whatever is still running is no longer wanted."""
        self.handle = None

    @property
    def running(self) -> bool:
        return self.handle is not None and self.handle.running

    @Slot(object)
    def _on_succeeded(self, value: object) -> None:
        if self.sender() is self.handle and self._done is not None:
            self._done(value)

    @Slot(object)
    def _on_failed(self, error: object) -> None:
        if self.sender() is self.handle and self._failed is not None:
            self._failed(error)
