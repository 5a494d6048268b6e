"""Bundle export and verify+import on demo data with attachment files, beside the floor.

    python -m benchmarks.sync_bench [--cases 10000] [--gb 1.0] [--file-mb 8] [--dir DIR] [--json FILE]

A township store gets `--cases` demo cases and about `--gb` GB of random attachment files (stored by
hash through core.files and linked to cases as evidence); a county store is registered with it.
Measured in the same run:

* floor: the same files written into a ZIP_STORED archive with `zipfile` while each is hashed with
  `hashlib` — what any bundle writer must pay (TECH-NOTES.md: faster here than `zip -0`/`sha256sum`);
* durable floor: the floor, then fsync'd — what any import must pay at least, since it may not
  commit rows naming files that a power cut could still take (reported beside the target, which
  the issue sets against the floor; measured right before each import, after the same writes);
* export: `SyncService.export(full=True)` — records, files (packed by a child process meanwhile,
  core.sync.filework), signed manifest, kept copy, delivery;
* verify+import: `SyncService.import_bundle` at the county — every check, the files verified and
  staged (fsync'd) by a child process while the records are checked and applied, one transaction;
  the search index rebuild that follows is reported on its own line;
* peak RSS above the starting RSS during each (sampled every 20 ms): streamed work stays flat.

Each contender runs `--rounds` times (default 3), interleaved; the best run of each is compared
(the machine's timings move by tens of per cent between runs). Every round imports into a fresh copy
of the county store.

Targets (issue 7): export ≤ 1.5 × floor, verify+import ≤ 2 × floor, memory flat (the peak growth is
reported; the target is a constant 100 MB, whatever the size of the data).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import insert, select

from benchmarks._common import Figure, report
from brigade_desk.core import audit
from brigade_desk.core.app import Services
from brigade_desk.core.files import CHUNK, ingest_stream, path_for
from brigade_desk.core.model import Attachment, Case, Evidence
from brigade_desk.core.services.demo import DemoService
from brigade_desk.core.services.setup import TownshipInput
from brigade_desk.core.services.sync import read_card
from brigade_desk.core.services.users import NewUser
from brigade_desk.core.store import open_store
from brigade_desk.core.sync.filework import Flusher

T = TypeVar("T")
TOWN = TownshipInput("青溪镇人民政府", "330185", "", "青综执", "临溪县")
COUNTY = TownshipInput("临溪县人民政府", "330100", "", "", "临溪县", kind="county")
PASSWORD = "Admin12345"


def _rss() -> int:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def measured(work: Callable[[], T]) -> tuple[T, float, int]:
    """Run `work`; return its result, seconds, and the peak RSS growth in bytes. Dirty pages of
    the previous step are written out first, so each contender starts from the same disk state."""
    os.sync()
    start_rss = _rss()
    peak = [start_rss]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _rss())
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    try:
        result = work()
    finally:
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
    return result, seconds, max(peak[0], _rss()) - start_rss


def _side(data_dir: Path, organ: TownshipInput) -> tuple[Services, Any]:
    data_dir.mkdir(parents=True)
    services = Services.over(open_store(data_dir))
    services.setup.initialize(organ, NewUser("admin", "系统管理员", PASSWORD, roles=("admin",)))
    return services, services.users.sign_in("admin", PASSWORD)


def _add_files(services: Services, actor: Any, total_bytes: int, file_bytes: int) -> list[Path]:
    """Random files into the content-addressed store, each an evidence item of a case."""
    store = services.store
    with store.read() as session:
        cases = list(session.execute(select(Case.id).order_by(Case.id)).scalars())
    now = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    count = max(1, total_bytes // file_bytes)
    paths = []
    attachments, evidence, changes = [], [], []
    for n in range(count):
        data = os.urandom(file_bytes)
        import io

        sha, size = ingest_stream(store.files_dir, io.BytesIO(data))
        paths.append(path_for(store.files_dir, sha))
        case_id = cases[(n * 37) % len(cases)]
        attachments.append(
            {
                "sha256": sha,
                "size": size,
                "media_type": "video/mp4",
                "original_name": f"执法记录{n}.mp4",
                "created_at": now,
            }
        )
        from brigade_desk.core.ids import new_id

        evidence.append(
            {
                "id": new_id(),
                "case_id": case_id,
                "step": "",
                "kind": "audio_visual",
                "description": f"执法记录仪视频 {n}",
                "proves": "现场情况",
                "collected_by": "演示",
                "collected_at": now,
                "place": "",
                "sha256": sha,
                "file_name": f"执法记录{n}.mp4",
                "media_type": "video/mp4",
                "size": size,
                "captured_at": None,
                "thumbnail_sha256": None,
                "is_av": True,
                "record_id": None,
                "created_at": now,
                "version": 1,
            }
        )
        changes.append(audit.Change("evidence.add", "case", case_id, f"登记证据 执法记录{n}.mp4"))
    with store.write() as session:
        session.execute(insert(Attachment.__table__), attachments)  # type: ignore[arg-type]
        session.execute(insert(Evidence.__table__), evidence)  # type: ignore[arg-type]
        audit.record_many(session, actor, changes)
    return paths


def floor(paths: list[Path], dest: Path, *, durable: bool = False) -> int:
    """The same files into a ZIP_STORED archive, each hashed while it is written. `durable`: also
    on disk at the end, as an import must have its files before it commits rows that name them
    (the issue's floor is not): each file is flushed while the next is written, as the export's
    file child does, and one fsync takes the rest."""
    written = 0
    with dest.open("wb") as raw:
        flusher = Flusher(raw.fileno()) if durable else None
        with zipfile.ZipFile(raw, "w", allowZip64=True) as zf:
            for path in paths:
                hasher = hashlib.sha256()
                info = zipfile.ZipInfo(
                    f"files/{path.parent.name}{path.name}", date_time=(1980, 1, 1, 0, 0, 0)
                )
                info.compress_type = zipfile.ZIP_STORED
                with path.open("rb") as src, zf.open(info, "w", force_zip64=True) as out:
                    while chunk := src.read(CHUNK):
                        hasher.update(chunk)
                        out.write(chunk)
                        written += len(chunk)
                hasher.hexdigest()
                if flusher is not None:
                    raw.flush()
                    flusher.poke()
        if flusher is not None:
            flusher.stop()
            raw.flush()
            os.fsync(raw.fileno())
    return written


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--gb", type=float, default=1.0, help="attachment bytes, in GB (10^9)")
    parser.add_argument("--file-mb", type=float, default=8.0, help="size of each attachment file, MB")
    parser.add_argument("--dir", type=Path, help="work directory (default: a temporary one, removed after)")
    parser.add_argument("--json", type=Path, help="write the figures as JSON")
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds of floor, export and import; the best of each counts"
    )
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="sync-bench-", dir=args.dir))
    try:
        print(
            f"work directory {root}; preparing {args.cases} cases and {args.gb:.2f} GB of files …", flush=True
        )
        t0 = time.perf_counter()
        town, town_admin = _side(root / "town", TOWN)
        county, county_admin = _side(root / "county", COUNTY)
        tc, cc = (read_card(s.sync.peer_card(a)) for s, a in ((town, town_admin), (county, county_admin)))
        county.sync.add_peer(
            county_admin,
            kind="township",
            area_code=tc["area_code"],
            name=tc["name"],
            public_key=tc["public_key"],
        )
        town.sync.add_peer(
            town_admin, kind="county", area_code=cc["area_code"], name=cc["name"], public_key=cc["public_key"]
        )
        DemoService(town.store).generate(town_admin, cases=args.cases)
        paths = _add_files(town, town_admin, int(args.gb * 1e9), int(args.file_mb * 1e6))
        data_bytes = sum(p.stat().st_size for p in paths)
        print(
            f"prepared in {time.perf_counter() - t0:.1f} s: {len(paths)} files, {data_bytes / 1e9:.2f} GB",
            flush=True,
        )

        out = root / "usb"
        out.mkdir()
        floor_zip = root / "floor.zip"
        # Warm the page cache the same way for every contender: read the files once.
        floor(paths, floor_zip)
        floor_zip.unlink()
        # This machine's timings move by tens of per cent from run to run (a shared, 2-vCPU VM): each
        # contender runs `--rounds` times, interleaved, and the best run of each is compared. Every
        # import goes into a fresh copy of the county store as it was before any import.
        county.close()
        pristine = root / "county-pristine"
        shutil.copytree(root / "county", pristine)
        floors, durables, exports, imports = [], [], [], []
        for n in range(args.rounds):
            _, floor_s, floor_rss = measured(lambda: floor(paths, floor_zip))
            floor_zip.unlink()
            floors.append((floor_s, floor_rss))
            results, export_s, export_rss = measured(lambda: town.sync.export(town_admin, out, full=True))
            exports.append((export_s, export_rss, results[0]))
            # Right before the import, so that both follow the same disk writes.
            _, durable_s, _ = measured(lambda: floor(paths, floor_zip, durable=True))
            floor_zip.unlink()
            durables.append(durable_s)
            target = root / f"county-{n}"
            shutil.copytree(pristine, target)
            county = Services.over(open_store(target))
            county_admin = county.users.sign_in("admin", PASSWORD)
            bundle = exports[0][2].path  # each fresh county is waiting for the town's first bundle
            imported, import_s, import_rss = measured(
                lambda c=county, a=county_admin, b=bundle: c.sync.import_bundle(a, b)
            )
            assert imported.status == "applied" and not imported.refusals, imported.message
            imports.append((import_s, import_rss, imported))
            im = imported.seconds
            print(
                f"round {n + 1}: floor {floor_s:.2f} s, export {export_s:.2f} s, durable floor {durable_s:.2f} s, "
                f"verify+import {import_s:.2f} s "
                f"(records {im['records']:.2f}, waiting {im['files_wait']:.2f}, child {im.get('files_child', 0):.2f}: "
                f"files {im.get('child_files', 0):.2f}, record checks {im.get('child_records', 0):.2f})",
                flush=True,
            )
            if n + 1 < args.rounds:
                county.close()
                shutil.rmtree(target)
        floor_s, floor_rss = min(floors, key=lambda f: f[0])
        durable_s = min(durables)
        export_s, export_rss, exported = min(exports, key=lambda e: e[0])
        import_s, import_rss, imported = min(imports, key=lambda i: i[0])
        bundle_bytes = exported.path.stat().st_size
        records = sum(exported.counts.values())
        _, index_s, _ = measured(lambda: county.cases.rebuild_search_if_needed())
        ex, im = exported.seconds, imported.seconds
        print(
            f"best of {args.rounds}: bundle {bundle_bytes / 1e9:.2f} GB, {records} records, {exported.files} files; "
            f"floor {floor_s:.2f} s, export {export_s:.2f} s (records {ex['records']:.2f}, then waiting for "
            f"the files {ex['files']:.2f}, the file child worked {ex['files_child']:.2f}, seal {ex['seal']:.2f}), "
            f"verify+import {import_s:.2f} s (records {im['records']:.2f}, then waiting for the files "
            f"{im['files_wait']:.2f}, the child worked {im.get('files_child', 0):.2f}), search index rebuilt after it in {index_s:.2f} s",
            flush=True,
        )
        mb = 1e6
        limit = 100 * mb  # flat: a constant, however many bytes move
        figures = [
            Figure("floor: ZIP_STORED + sha256 of the files", floor_s, "s", None, "-", True),
            Figure("export (full bundle)", export_s, "s", floor_s, "≤ 1.5× floor", export_s <= 1.5 * floor_s),
            Figure(f"  export: {records} records read and written", ex["records"], "s", None, "-", True),
            Figure("  export: then waiting for the file child", ex["files"], "s", None, "-", True),
            Figure("  export: the file child's own time", ex["files_child"], "s", floor_s, "-", True),
            Figure(
                "verify+import at the county", import_s, "s", floor_s, "≤ 2× floor", import_s <= 2 * floor_s
            ),
            Figure("  durable floor: the floor, then fsync", durable_s, "s", None, "-", True),
            Figure("  verify+import beside the durable floor", import_s, "s", durable_s, "-", True),
            Figure(f"  import: {records} records checked+applied", im["records"], "s", None, "-", True),
            Figure("  import: then waiting for the file child", im["files_wait"], "s", None, "-", True),
            Figure("  search index rebuild after import", index_s, "s", None, "-", True),
            Figure(
                "export peak RSS growth",
                export_rss / mb,
                "MB",
                None,
                f"< {limit / mb:.0f} MB",
                export_rss < limit,
            ),
            Figure(
                "verify+import peak RSS growth",
                import_rss / mb,
                "MB",
                None,
                f"< {limit / mb:.0f} MB",
                import_rss < limit,
            ),
            Figure("floor peak RSS growth", floor_rss / mb, "MB", None, "-", True),
        ]
        return report(figures, args.json)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
