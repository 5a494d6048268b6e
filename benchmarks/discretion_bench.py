"""Discretion benchmarks: importing a 500-item table with 2,000 tiers takes under 2 s, and an
evaluation under 5 ms (issue 5).

Figures, each beside a baseline measured in the same run:

* import: `DiscretionService.import_csv` into a fresh SQLite store (parse, validate every row and
  condition, digest, one transaction with its audit event). Baseline: the plain way — the csv
  module reads the rows and each row is inserted as it comes, no checks at all.
* dry run: the same import checked only (what the GUI shows before importing); same baseline.
* evaluation (engine): `evaluate` on the parsed benchmark, the mix of items below. Baseline: the
  straightforward way — parse the file again and evaluate, every time.
* evaluation (for a case): `DiscretionService.evaluate_for_case` — the case, its party's prior
  penalties from the store, the versions from the parsed-benchmark cache, the engine. Baseline: the
  same call with the cache emptied before each call (the stored JSON rebuilt every time).

    .venv/bin/python -m benchmarks.discretion_bench [--items 500] [--tiers-per-item 4] [--json out.json]
"""

from __future__ import annotations

import argparse
import csv
import io
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from brigade_desk.core.app import Services
from brigade_desk.core.model import Case, CaseParty, CaseStep, Organ, Party
from brigade_desk.core.rules.discretion import evaluate, parse_benchmark_bytes, parse_benchmark_csv
from brigade_desk.core.rules.discretion_csv import ITEM_COLUMNS, META_KEYS, TIER_COLUMNS
from brigade_desk.core.rules.permissions import Actor, Role
from brigade_desk.core.services import discretion as discretion_service
from brigade_desk.core.services.discretion import DiscretionInput
from brigade_desk.core.services.setup import TownshipInput
from brigade_desk.core.services.users import NewUser
from brigade_desk.core.store import open_store

from ._common import Figure, report

TOWN = TownshipInput("青溪镇人民政府", "330127", "", "青综执", "临溪县")
DAY = date(2025, 6, 1)
LAWS = ("《城市道路管理条例》", "《城市市容和环境卫生管理条例》", "《中华人民共和国大气污染防治法》")
TIERS = (
    (
        "不予处罚",
        "初次违法且违法行为轻微并及时改正，没有造成危害后果的",
        "首次违法 & 违法行为轻微 & 及时改正 & !造成危害后果",
        "不予处罚",
    ),
    ("从轻", "及时改正或者积极配合调查的", "(及时改正 | 配合调查) & !阻碍执法", "公式"),
    ("一般", "不具有上述情形的", "", "公式"),
    ("从重", "一年内再次违法、阻碍执法或者造成严重后果的", "处罚次数>=1 | 阻碍执法 | 造成严重后果", "公式"),
    ("从重", "面积100平方米以上的", "面积>=100", "公式 80%~100%"),
)


def generated_csv(items: int, tiers_per_item: int) -> str:
    """A benchmark in the exchange format: `items` items, `tiers_per_item` tiers each; every fifth
    item is per square metre (its conditions use the area), the rest fixed amounts."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    meta = {
        "基准名称": "基准测试县城市管理行政处罚裁量基准",
        "基准代码": "BENCH",
        "制定机关": "基准测试县综合行政执法局",
        "生效日期": "2024-01-01",
        "版本": "1",
    }
    writer.writerow(["裁量基准格式", "1"])
    for key in META_KEYS:
        writer.writerow([key, meta.get(key, "")])
    writer.writerow([])
    columns = [*ITEM_COLUMNS, *TIER_COLUMNS]
    writer.writerow(columns)
    for n in range(items):
        per_unit = n % 5 == 4
        law = LAWS[n % len(LAWS)]
        item = {
            "事项编码": f"B-{n + 1:04d}",
            "序号": str(n + 1),
            "违法行为": f"第{n + 1}种违反城市管理规定的行为",
            "违反条款": f"{law}第{n % 60 + 1}条",
            "处罚依据": f"{law}第{n % 60 + 61}条",
            "处罚种类": "警告、罚款、没收违法所得",
            "计罚方式": "按数量" if per_unit else "固定金额",
            "计量名称": "面积" if per_unit else "",
            "计量单位": "平方米" if per_unit else "",
            "法定下限": "10" if per_unit else str(100 * (n % 10 + 1)),
            "法定上限": "100" if per_unit else str(1000 * (n % 10 + 1)),
            "默认公式": "三七分",
        }
        chosen = [TIERS[k] for k in (0, 1, 2, 3, 4) if per_unit or k != 4][:tiers_per_item]
        for index, (kind, text, condition, outcome) in enumerate(chosen):
            row = dict(item) if index == 0 else {"事项编码": item["事项编码"]}
            row.update({"裁量阶次": kind, "适用条件": text, "条件表达式": condition, "处罚标准": outcome})
            writer.writerow([row.get(column, "") for column in columns])
    return buffer.getvalue()


def _services(path: Path) -> tuple[Services, Actor]:
    services = Services.over(open_store(path))
    services.setup.initialize(TOWN, NewUser("admin", "管理员", "Admin12345", roles=("admin",)))
    return services, services.users.sign_in("admin", "Admin12345")


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def import_ours(data: bytes, workdir: Path, dry_run: bool) -> tuple[float, int]:
    services, admin = _services(workdir)
    elapsed = timed(lambda: services.discretion.import_csv(admin, data, dry_run=dry_run))
    report_ = services.discretion.import_csv(admin, data, dry_run=True)
    services.close()
    assert report_.ok, report_.errors[:3]
    return elapsed, report_.tier_count


def import_plain(text: str, workdir: Path) -> float:
    """csv module + one INSERT per row as it comes, in one transaction; no checks at all."""
    path = workdir / "plain.sqlite3"
    conn = sqlite3.connect(path)
    columns = [*ITEM_COLUMNS, *TIER_COLUMNS]
    conn.execute(f"CREATE TABLE tier_row ({', '.join(f'c{n} TEXT' for n in range(len(columns)))})")
    conn.commit()
    started = time.perf_counter()
    rows = list(csv.reader(io.StringIO(text)))
    header_at = next(n for n, row in enumerate(rows) if row and row[0] == "事项编码")
    placeholders = ", ".join("?" for _ in columns)
    with conn:
        for row in rows[header_at + 1 :]:
            conn.execute(f"INSERT INTO tier_row VALUES ({placeholders})", row)
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


CALLS = [
    ("B-0001", {}, {}, 0),
    ("B-0002", {"corrected_in_time": True}, {}, 0),
    ("B-0005", {}, {"area_m2": "120"}, 1),
    ("B-0249", {"obstructed_officers": True}, {}, 0),
    ("B-0499", {"minor_violation": True, "corrected_in_time": True}, {}, 0),
    ("B-0500", {"cooperated": True}, {"area_m2": "12.5"}, 2),
]


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def engine_ours(text: str, rounds: int) -> float:
    benchmark = parse_benchmark_csv(text).benchmark
    assert benchmark is not None
    samples = []
    for _ in range(rounds):
        for code, facts, quantities, priors in CALLS:
            dates = [DAY - timedelta(days=30 * (n + 1)) for n in range(priors)]
            samples.append(timed(lambda: evaluate([benchmark], code, DAY, facts, quantities, dates)))  # noqa: B023
    return median_ms(samples)


def engine_plain(data: bytes, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        for code, facts, quantities, priors in CALLS:
            dates = [DAY - timedelta(days=30 * (n + 1)) for n in range(priors)]

            def work() -> None:
                benchmark = parse_benchmark_bytes(data).benchmark
                assert benchmark is not None
                evaluate([benchmark], code, DAY, facts, quantities, dates)  # noqa: B023

            samples.append(timed(work))
    return median_ms(samples)


def _case_with_priors(services: Services, priors: int) -> str:
    """A case of one party who was penalised `priors` times before (steps written directly)."""
    now = datetime(2025, 6, 2, 1, tzinfo=UTC)
    with services.store.write() as session:
        organ_id = session.execute(select(Organ.id).where(Organ.is_self)).scalar_one()
        party = Party(kind="natural_person", name="王伟", created_at=now)
        session.add(party)
        session.flush()
        ids = []
        for n in range(priors + 1):
            case = Case(
                organ_id=organ_id,
                source="巡查发现",
                received_at=now,
                violation_date=DAY if n == priors else DAY - timedelta(days=60 * (n + 1)),
                summary="王伟占道经营案",
                state="investigating" if n == priors else "closed",
                created_at=now,
                updated_at=now,
            )
            session.add(case)
            session.flush()
            session.add(CaseParty(case_id=case.id, party_id=party.id))
            if n < priors:
                session.add(
                    CaseStep(
                        case_id=case.id,
                        kind="penalty_decided",
                        on=DAY - timedelta(days=60 * (n + 1) - 10),
                        detail={},
                        recorded_at=now,
                    )
                )
            ids.append(case.id)
    return ids[-1]


def service_evaluations(services: Services, case_id: str, rounds: int, cached: bool) -> float:
    officer = Actor("", "bench", "基准测试", frozenset({Role.OFFICER}))
    samples = []
    for _ in range(rounds):
        for code, facts, quantities, _priors in CALLS:
            data = DiscretionInput(code, series="BENCH", facts=facts, quantities=quantities)
            if not cached:
                with discretion_service._CACHE_LOCK:
                    discretion_service._CACHE.clear()
            samples.append(timed(lambda: services.discretion.evaluate_for_case(officer, case_id, data)))  # noqa: B023
    return median_ms(samples)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--tiers-per-item", type=int, default=4, choices=(2, 3, 4))
    parser.add_argument("--rounds", type=int, default=50, help="evaluation rounds (6 calls each)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    text = generated_csv(args.items, args.tiers_per_item)
    data = text.encode("utf-8")
    with tempfile.TemporaryDirectory(prefix="discretion-bench-") as tmp:
        work = Path(tmp)
        (work / "ours").mkdir()
        (work / "dry").mkdir()
        (work / "plain").mkdir()
        (work / "eval").mkdir()
        imported, tiers = import_ours(data, work / "ours", dry_run=False)
        checked, _ = import_ours(data, work / "dry", dry_run=True)
        plain = import_plain(text, work / "plain")
        engine = engine_ours(text, args.rounds)
        reparse = engine_plain(data, max(1, args.rounds // 25))
        services, admin = _services(work / "eval")
        services.discretion.import_csv(admin, data)
        case_id = _case_with_priors(services, 2)
        for_case = service_evaluations(services, case_id, args.rounds, cached=True)
        uncached = service_evaluations(services, case_id, max(1, args.rounds // 25), cached=False)
        services.close()

    label = f"{args.items} items / {tiers} tiers"
    figures = [
        Figure(f"import, {label}", imported, "s", plain, "< 2 s", imported < 2.0),
        Figure(f"import dry run, {label}", checked, "s", plain, "< 2 s", checked < 2.0),
        Figure("evaluation, engine (median)", engine, "ms", reparse, "< 5 ms", engine < 5.0),
        Figure("evaluation for a case, service (median)", for_case, "ms", uncached, "< 5 ms", for_case < 5.0),
    ]
    return report(figures, args.json)


if __name__ == "__main__":
    raise SystemExit(main())
