"""The case list at county scale: 200,000 cases in the real QTableView over the real model (offscreen).

Each figure is measured in a GUI process of its own (the real `MainWindow`, its 案件 page, the real
`CaseTableModel` over `FilteredCases`), with its baseline measured in the same run:

- time to show the first page (the count, the first rows, the table painted) and to jump to the last
  row, to the middle and to random rows (scroll, rows loaded, painted); baseline: the bare SQL query
  for those rows (sqlite3, the same columns, order, party names; no Python rows, no Qt);
- the same after sorting by 案号 and with a filter and a search;
- peak memory (RSS) of the GUI process with the list open over 200,000 cases, and after scrolling to
  the end and jumping around; baseline: a process that holds every row, as a plain model would
  (measured in another process of its own).

    .venv/bin/python -m benchmarks.case_list_bench [--store DIR] [--cases 200000] [--json FILE]

Without --store a demo store is built in a temporary directory with `brigade-desk init` and
`brigade-desk demo --cases N` (about 7 minutes for 200,000); --store DIR reuses one (it is built
there when it holds fewer cases).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from brigade_desk.core.rules.procedure import TERMINAL_STATES, CaseState

from ._common import Figure, report

ADMIN, PASSWORD = "admin", "Admin12345"
FIRST_PAGE_MS, JUMP_MS, MEMORY_MB = 300.0, 100.0, 300.0
ROOT = Path(__file__).resolve().parent.parent
# The states the filter 办理中 stands for (every state but the endings), as the filter bar builds them.
OPEN_STATES = tuple(s.value for s in CaseState if s not in TERMINAL_STATES)


# --------------------------------------------------------------------------- the store


def case_count(data_dir: Path) -> int:
    db = data_dir / "brigade-desk.sqlite3"
    if not db.exists():
        return 0
    with sqlite3.connect(db) as conn:
        try:
            return int(conn.execute("SELECT count(*) FROM case_record").fetchone()[0])
        except sqlite3.OperationalError:
            return 0


def ensure_store(data_dir: Path, cases: int) -> None:
    have = case_count(data_dir)
    if have >= cases:
        print(f"reusing {data_dir} with {have:,} cases")
        return
    if have:
        raise SystemExit(f"{data_dir} holds {have:,} cases, fewer than {cases:,}; give an empty directory")
    cli = [sys.executable, "-m", "brigade_desk.cli", "--data-dir", str(data_dir)]
    print(f"building a demo store with {cases:,} cases in {data_dir} (minutes) …")
    subprocess.run(
        [
            *cli,
            "init",
            "--town",
            "青溪镇人民政府",
            "--area-code",
            "330127",
            "--prefix",
            "青综执",
            *("--admin", ADMIN),
            *("--admin-password", PASSWORD),
        ],
        check=True,
    )
    subprocess.run([*cli, "demo", "--cases", str(cases)], check=True)


# --------------------------------------------------------------------------- measuring


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident set size of this process in MB."""
    current = 0.0
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                current = int(line.split()[1]) / 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux
    return current, peak


def timed_ms(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return (time.perf_counter() - started) * 1000


# The baseline does what the service does, in bare SQL: the rowids of one page by position, then
# that page's columns and party names.
BARE_PAGE = "SELECT c.id FROM case_record c {where} ORDER BY c.{column} {direction}, c.rowid {direction} LIMIT ? OFFSET ?"
BARE_ROWS = """
SELECT c.id, c.case_number, c.received_at, c.source, c.summary, c.state, c.next_due_on, c.next_due_label,
       (SELECT group_concat(p.name, '、') FROM case_party cp JOIN party p ON p.id = cp.party_id
         WHERE cp.case_id = c.id)
FROM case_record c WHERE c.id IN ({marks})
"""


class BareSql:
    """The baseline: the rows of one screen straight from SQLite, nothing else."""

    def __init__(self, db: Path) -> None:
        self.conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)

    def rows(
        self,
        offset: int,
        limit: int,
        column: str = "received_at",
        descending: bool = True,
        where: str = "",
        params: tuple[Any, ...] = (),
    ) -> float:
        page = BARE_PAGE.format(where=where, column=column, direction="DESC" if descending else "ASC")

        def work() -> None:
            rowids = [r for (r,) in self.conn.execute(page, (*params, limit, offset))]
            self.conn.execute(BARE_ROWS.format(marks=",".join("?" * len(rowids))), rowids).fetchall()

        return timed_ms(work)

    def count(self, where: str = "", params: tuple[Any, ...] = ()) -> int:
        return int(self.conn.execute(f"SELECT count(*) FROM case_record c {where}", params).fetchone()[0])

    def best_of(self, repeat: int, *args: Any) -> float:
        return statistics.median(self.rows(*args) for _ in range(repeat))


def gui_worker(data_dir: Path, repeat: int, seed: int) -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QModelIndex, Qt
    from PySide6.QtWidgets import QAbstractItemView

    from brigade_desk.core.app import open_services
    from brigade_desk.gui.main import application
    from brigade_desk.gui.main_window import MainWindow
    from brigade_desk.gui.session import DeskSession

    out: dict[str, Any] = {}
    app = application()
    services = open_services(data_dir)
    actor = services.users.sign_in(ADMIN, PASSWORD)
    window = MainWindow(DeskSession(services, actor))
    window.resize(1400, 860)
    window.show()
    app.processEvents()
    out["rss_before_list_mb"] = rss_mb()[0]
    page = window.cases
    table, model = page.table, page.model

    def paint() -> None:
        table.viewport().repaint()  # synchronous: the visible rows are asked for and drawn

    # First page: the 案件 page shown for the first time (count, first rows, painted).
    out["first_page_cold_ms"] = timed_ms(lambda: (window.go_to("cases"), paint()))
    app.processEvents()
    total = model.rowCount()
    out["rows"] = total
    out["page_size"] = model.page_size
    out["first_page_ms"] = statistics.median(
        timed_ms(lambda: (page.reload_list(), paint())) for _ in range(repeat)
    )
    visible = table.rowAt(table.viewport().height() - 1) + 1
    out["visible_rows"] = visible
    out["rss_list_open_mb"], out["peak_list_open_mb"] = rss_mb()

    def jump(row: int) -> float:
        def go() -> None:
            table.scrollTo(model.index(row, 0), QAbstractItemView.ScrollHint.PositionAtCenter)
            paint()

        return timed_ms(go)

    def jump_last() -> float:
        return timed_ms(lambda: (table.scrollToBottom(), paint()))

    # Jump to the last row: from the top each time (the last pages are not cached then).
    lasts = []
    for _ in range(repeat):
        page.reload_list()
        paint()
        lasts.append(jump_last())
    out["jump_last_ms"] = statistics.median(lasts)
    out["jump_last_max_ms"] = max(lasts)
    assert model.row_at(total - 1) is not None
    rng = random.Random(seed)
    targets = [total // 2, *(rng.randrange(total) for _ in range(30))]
    jumps = []
    for row in targets:
        page.reload_list()
        paint()
        jumps.append(jump(row))
    out["jump_middle_ms"] = jumps[0]
    out["jump_random_median_ms"] = statistics.median(jumps[1:])
    out["jump_random_max_ms"] = max(jumps)
    out["jump_targets"] = targets

    # Ctrl+End in the table, as a person does it: the last row becomes current (and its detail opens).
    page.reload_list()
    paint()
    page.select_row(0)  # a row is current, as when a person works in the list
    table.setFocus()
    from PySide6.QtTest import QTest

    def ctrl_end() -> None:
        QTest.keyClick(table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
        paint()

    out["ctrl_end_with_detail_ms"] = timed_ms(ctrl_end)
    out["ctrl_end_row"] = table.currentIndex().row()
    out["detail_case"] = page.detail.case.case_number if page.detail.case else ""
    table.setCurrentIndex(QModelIndex())

    # Sorted by 案号 (a header click), then a jump to its last row.
    header = table.horizontalHeader()
    out["sort_case_number_ms"] = timed_ms(
        lambda: (header.setSortIndicator(0, Qt.SortOrder.AscendingOrder), paint())
    )
    out["sort_jump_last_ms"] = jump_last()
    header.setSortIndicator(1, Qt.SortOrder.DescendingOrder)

    # A filter (办理中) and a search from the top box.
    out["filter_open_ms"] = timed_ms(lambda: (page.filters.set_states("办理中"), paint()))
    out["filter_rows"] = model.rowCount()
    out["filter_jump_last_ms"] = jump_last()
    page.reload_list()
    paint()
    out["filter_jump_middle_ms"] = jump(out["filter_rows"] // 2)
    page.filters.set_states("已归档")
    paint()
    out["archived_rows"] = model.rowCount()
    out["archived_jump_last_ms"] = jump_last()
    page.filters.clear()
    out["search_ms"] = timed_ms(lambda: (page.apply_search("广告"), paint()))
    out["search_rows"] = model.rowCount()
    page.apply_search("")

    # After scrolling to the end and all those jumps: memory is still one screen's worth of rows.
    for row in range(0, total, total // 50):
        jump(row)
    table.scrollToBottom()
    paint()
    out["rss_after_scroll_mb"], out["peak_after_scroll_mb"] = rss_mb()
    out["cached_pages"] = len(model.cached_pages())
    window.close()
    services.close()
    return out


def naive_worker(data_dir: Path, chunk: int = 2000) -> dict[str, Any]:
    """The plain way: every row loaded into Python (what a model holding all rows does), with its
    cells formatted as such a model would keep them."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from brigade_desk.core.app import open_services
    from brigade_desk.core.services.cases import CaseFilter
    from brigade_desk.gui.main import application
    from brigade_desk.gui.models.case_table import COLUMN_KEYS, cell_text

    application()
    services = open_services(data_dir)
    actor = services.users.sign_in(ADMIN, PASSWORD)
    flt = CaseFilter()
    total = services.cases.count_filtered(actor, flt)
    rows: list[Any] = []
    cells: list[list[str]] = []
    started = time.perf_counter()
    for offset in range(0, total, chunk):
        batch = services.cases.page_filtered(actor, flt, offset, chunk)
        rows += batch
        cells += [[cell_text(r, k) for k in COLUMN_KEYS] for r in batch]
    elapsed = time.perf_counter() - started
    current, peak = rss_mb()
    services.close()
    return {"rows": len(rows), "load_all_s": elapsed, "rss_mb": current, "peak_mb": peak}


def run_worker(kind: str, data_dir: Path, repeat: int, seed: int) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        result = Path(handle.name)
    command = [sys.executable, "-m", "benchmarks.case_list_bench", "--worker", kind, "--store", str(data_dir)]
    command += ["--repeat", str(repeat), "--seed", str(seed), "--worker-out", str(result)]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    subprocess.run(command, check=True, cwd=ROOT, env=env)
    data: dict[str, Any] = json.loads(result.read_text(encoding="utf-8"))
    result.unlink()
    return data


# --------------------------------------------------------------------------- the report


def figures(gui: dict[str, Any], naive: dict[str, Any] | None, sql: BareSql, repeat: int) -> list[Figure]:
    total, size = gui["rows"], gui["page_size"]
    first_sql = sql.best_of(repeat, 0, size)
    last_sql = sql.best_of(repeat, max(0, total - size), size)
    middle = gui["jump_targets"][0]
    middle_sql = sql.best_of(repeat, middle // size * size, size)
    random_sql = statistics.median(
        sql.rows(row // size * size, size) for row in gui["jump_targets"][1:] for _ in range(2)
    )
    sort_sql = sql.best_of(repeat, 0, size, "case_number", False)
    sort_last_sql = sql.best_of(repeat, max(0, total - size), size, "case_number", False)
    open_states = tuple(OPEN_STATES)
    where_open = f"WHERE c.state IN ({','.join('?' * len(open_states))})"
    filter_sql = statistics.median(
        timed_ms(lambda: sql.count(where_open, open_states))
        + sql.rows(0, size, where=where_open, params=open_states)
        for _ in range(repeat)
    )
    filter_rows = gui["filter_rows"]
    filter_last_sql = sql.best_of(
        repeat, max(0, filter_rows - size), size, "received_at", True, where_open, open_states
    )
    filter_middle_sql = sql.best_of(
        repeat, filter_rows // 2 // size * size, size, "received_at", True, where_open, open_states
    )
    archived = ("archived",)
    archived_last_sql = sql.best_of(
        repeat, max(0, gui["archived_rows"] - size), size, "received_at", True, "WHERE c.state = ?", archived
    )
    where_like = "WHERE c.summary LIKE ? OR c.facts LIKE ? OR c.place LIKE ?"
    like = ("%广告%",) * 3
    search_sql = statistics.median(
        timed_ms(lambda: sql.count(where_like, like)) + sql.rows(0, size, where=where_like, params=like)
        for _ in range(repeat)
    )

    def time_figure(name: str, value: float, baseline: float, target: float) -> Figure:
        return Figure(name, round(value, 2), "ms", round(baseline, 2), f"<= {target:.0f} ms", value <= target)

    result = [
        time_figure(
            "first page shown (first time, with count)", gui["first_page_cold_ms"], first_sql, FIRST_PAGE_MS
        ),
        time_figure("first page shown (median)", gui["first_page_ms"], first_sql, FIRST_PAGE_MS),
        time_figure("jump to the last row (median)", gui["jump_last_ms"], last_sql, JUMP_MS),
        time_figure("jump to the last row (worst)", gui["jump_last_max_ms"], last_sql, JUMP_MS),
        time_figure(f"jump to the middle (row {middle:,})", gui["jump_middle_ms"], middle_sql, JUMP_MS),
        time_figure("jump to 30 random rows (median)", gui["jump_random_median_ms"], random_sql, JUMP_MS),
        time_figure("jump to any row (worst of 31)", gui["jump_random_max_ms"], random_sql, JUMP_MS),
        time_figure("sort by 案号: first page", gui["sort_case_number_ms"], sort_sql, FIRST_PAGE_MS),
        time_figure("sort by 案号: jump to the last row", gui["sort_jump_last_ms"], sort_last_sql, JUMP_MS),
        time_figure(
            f"filter 办理中 ({filter_rows:,}): first page", gui["filter_open_ms"], filter_sql, FIRST_PAGE_MS
        ),
        time_figure(
            "filter 办理中: jump to the last row", gui["filter_jump_last_ms"], filter_last_sql, JUMP_MS
        ),
        time_figure(
            "filter 办理中: jump to the middle", gui["filter_jump_middle_ms"], filter_middle_sql, JUMP_MS
        ),
        time_figure(
            f"filter 已归档 ({gui['archived_rows']:,}): jump to the last row",
            gui["archived_jump_last_ms"],
            archived_last_sql,
            JUMP_MS,
        ),
        time_figure(
            f"search 广告 ({gui['search_rows']:,}): first page", gui["search_ms"], search_sql, FIRST_PAGE_MS
        ),
    ]
    naive_peak = naive["peak_mb"] if naive else None
    for name, value in (
        (f"peak RSS, list open over {total:,} cases", gui["peak_list_open_mb"]),
        ("peak RSS after scrolling to the end and jumping", gui["peak_after_scroll_mb"]),
    ):
        result.append(
            Figure(
                name,
                round(value, 1),
                "MB",
                round(naive_peak, 1) if naive_peak else None,
                f"<= {MEMORY_MB:.0f} MB",
                value <= MEMORY_MB,
            )
        )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--store", type=Path, help="data directory of a demo store (built there when short)")
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-naive", action="store_true", help="skip the all-rows memory baseline (~1 min)")
    parser.add_argument("--json", type=Path, help="write the figures as JSON")
    parser.add_argument("--worker", choices=("gui", "naive"), help=argparse.SUPPRESS)
    parser.add_argument("--worker-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        data = (
            gui_worker(args.store, args.repeat, args.seed)
            if args.worker == "gui"
            else naive_worker(args.store)
        )
        args.worker_out.write_text(json.dumps(data), encoding="utf-8")
        return 0

    with tempfile.TemporaryDirectory(prefix="case-list-bench-") as tmp:
        data_dir = args.store or Path(tmp) / "store"
        data_dir.mkdir(parents=True, exist_ok=True)
        ensure_store(data_dir, args.cases)
        gui = run_worker("gui", data_dir, args.repeat, args.seed)
        naive = None if args.no_naive else run_worker("naive", data_dir, args.repeat, args.seed)
        sql = BareSql(data_dir / "brigade-desk.sqlite3")
        result = figures(gui, naive, sql, args.repeat)
    print(
        f"{gui['rows']:,} cases; {gui['visible_rows']} rows on screen, pages of {gui['page_size']}; "
        f"{gui['cached_pages']} pages cached at the end; RSS before the list {gui['rss_before_list_mb']:.0f} MB, "
        f"list open {gui['rss_list_open_mb']:.0f} MB, after scrolling {gui['rss_after_scroll_mb']:.0f} MB"
    )
    print(
        f"Ctrl+End in the table with the detail pane opening the last case: {gui['ctrl_end_with_detail_ms']:.0f} ms"
    )
    if naive:
        print(
            f"baseline memory: all {naive['rows']:,} rows held in Python took {naive['load_all_s']:.1f} s "
            f"and {naive['peak_mb']:.0f} MB at peak"
        )
    return report(result, args.json)


if __name__ == "__main__":
    raise SystemExit(main())
