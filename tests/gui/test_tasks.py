"""The background runner: results, errors and progress reach the GUI thread by signals; cancel stops."""

from __future__ import annotations

import threading

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from brigade_desk.core.errors import StoreError
from brigade_desk.gui.tasks import Progress, TaskRunner


def test_result_and_progress_arrive_in_the_gui_thread(qtbot: QtBot) -> None:
    runner = TaskRunner()
    worker_threads: list[threading.Thread] = []
    seen: list[tuple[int, int, bool]] = []

    def work(progress: Progress) -> str:
        worker_threads.append(threading.current_thread())
        for done in range(1, 4):
            progress(done, 3)
        return "完成"

    handle = runner.submit("测试", work)
    handle.progress.connect(
        lambda d, t: seen.append((d, t, QThread.currentThread() is QApplication.instance().thread()))
    )
    results: list[object] = []
    handle.succeeded.connect(lambda value: results.append((value, QThread.currentThread())))
    with qtbot.waitSignal(handle.finished, timeout=5000):
        pass
    assert worker_threads[0] is not threading.main_thread()
    assert results == [("完成", QApplication.instance().thread())]
    assert seen == [(1, 3, True), (2, 3, True), (3, 3, True)]
    assert handle.outcome == "succeeded" and not handle.running
    assert runner.active() == []


def test_failure_carries_the_exception(qtbot: QtBot) -> None:
    runner = TaskRunner()

    def work(progress: Progress) -> None:
        raise StoreError("备份目标目录不存在：/nowhere")

    handle = runner.submit("测试", work)
    errors: list[object] = []
    handle.failed.connect(errors.append)
    with qtbot.waitSignal(handle.finished, timeout=5000):
        pass
    assert isinstance(errors[0], StoreError) and errors[0].message == "备份目标目录不存在：/nowhere"
    assert handle.outcome == "failed"


def test_cancel_stops_at_the_next_progress_report(qtbot: QtBot) -> None:
    runner = TaskRunner()
    started, release = threading.Event(), threading.Event()
    reached: list[int] = []

    def work(progress: Progress) -> str:
        started.set()
        release.wait(5)
        for done in range(1, 1000):
            progress(done, 999)
            reached.append(done)
        return "不应完成"

    handle = runner.submit("测试", work)
    assert started.wait(5)
    handle.cancel()
    release.set()
    cancelled: list[bool] = []
    handle.cancelled.connect(lambda: cancelled.append(True))
    with qtbot.waitSignal(handle.finished, timeout=5000):
        pass
    assert cancelled == [True]
    assert handle.outcome == "cancelled" and handle.result is None
    assert reached == []


def test_wait_and_cancel_all(qtbot: QtBot) -> None:
    runner = TaskRunner()
    gate = threading.Event()

    def work(progress: Progress) -> int:
        gate.wait(5)
        progress(1, 1)
        return 1

    handles = [runner.submit("测试", work) for _ in range(3)]
    assert len(runner.active()) == 3
    runner.cancel_all()
    gate.set()
    assert runner.wait(5000)
    qtbot.waitUntil(lambda: all(not h.running for h in handles), timeout=5000)
    assert {h.outcome for h in handles} == {"cancelled"}


def test_latest_only_shows_the_newest_answer_whichever_finishes_first(qtbot: QtBot) -> None:
    """A list read twice: the first read is slow and finishes last; its answer is dropped."""
    from PySide6.QtCore import QObject

    from brigade_desk.gui.tasks import LatestOnly

    owner = QObject()
    reads = LatestOnly(TaskRunner(owner), owner)
    release = threading.Event()
    shown: list[object] = []
    errors: list[object] = []

    def slow(_progress: Progress) -> str:
        release.wait(5)
        return "旧的结果"

    first = reads.submit("读取", slow, shown.append, errors.append)
    second = reads.submit("读取", lambda _p: "新的结果", shown.append, errors.append)
    with qtbot.waitSignal(second.finished, timeout=5000):
        pass
    release.set()
    with qtbot.waitSignal(first.finished, timeout=5000):
        pass
    assert shown == ["新的结果"] and errors == [] and not reads.running

    # A failure of the newest read is reported; after drop(), nothing is delivered at all.
    def fails(_progress: Progress) -> None:
        raise StoreError("数据库不可用")

    failing = reads.submit("读取", fails, shown.append, errors.append)
    with qtbot.waitSignal(failing.finished, timeout=5000):
        pass
    assert [str(e) for e in errors] == ["数据库不可用"]
    dropped = reads.submit("读取", lambda _p: "不再需要", shown.append, errors.append)
    reads.drop()
    with qtbot.waitSignal(dropped.finished, timeout=5000):
        pass
    assert shown == ["新的结果"] and len(errors) == 1
