"""Demo data generation: 200,000 cases must be generated in under 3 minutes (issue 2).

Ours: `DemoService.generate` (Core executemany, one audit event per record, steps, deadlines, search
index). Baseline, in the same run: the same work done the plain way — ORM objects through the unit of work,
one `audit.record` call per record, the same steps and search index — at a smaller size, compared
per 1,000 cases.

    .venv/bin/python -m benchmarks.demo_bench [--cases 200000] [--baseline-cases 10000] [--json out.json]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from brigade_desk.core import audit, search
from brigade_desk.core.app import Services
from brigade_desk.core.demo import DemoGenerator, load_power_items, load_township
from brigade_desk.core.model import Case, CaseParty, CaseStep, Party
from brigade_desk.core.rules.procedure import CaseState
from brigade_desk.core.services.demo import DemoService
from brigade_desk.core.services.setup import TownshipInput
from brigade_desk.core.services.users import NewUser
from brigade_desk.core.store import open_store
from brigade_desk.core.text import pinyin_initials
from brigade_desk.core.timeutil import beijing_today, utc_now

from ._common import Figure, report

TOWN = TownshipInput("青溪镇人民政府", "330127", "", "青综执", "临溪县")


def _services(path: Path) -> tuple[Services, object]:
    services = Services.over(open_store(path))
    services.setup.initialize(TOWN, NewUser("admin", "管理员", "Admin12345", roles=("admin",)))
    return services, services.users.sign_in("admin", "Admin12345")


def ours(cases: int, workdir: Path) -> float:
    services, admin = _services(workdir / "ours")
    started = time.perf_counter()
    DemoService(services.store).generate(admin, cases=cases, seed=1)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - started
    services.close()
    return elapsed


def plain_orm(cases: int, workdir: Path) -> float:
    """The same work the plain way: ORM objects through the unit of work, one audit record call per
    record, the same procedural steps, then the same search index."""
    services, admin = _services(workdir / "plain")
    today = beijing_today()
    generator = DemoGenerator(
        1,
        load_township(),
        load_power_items(),
        [s.value for s in CaseState],
        today.year - 3,
        today.year,
        as_of=today,
        id_version=7,
    )
    officers = [o["id"] for o in generator.officers(10)]
    started = time.perf_counter()
    with services.store.write() as session:
        organ_id = session.execute(text("SELECT id FROM organ WHERE is_self")).scalar_one()
        party_ids = []
        for p in generator.parties(cases * 3 // 5):
            session.add(Party(**p, name_initials=pinyin_initials(p["name"]), created_at=utc_now()))
            audit.record(session, admin, audit.Change("party.create", "party", p["id"], p["name"]))  # type: ignore[arg-type]
            party_ids.append(p["id"])
        session.flush()
        later: list[object] = []
        for c in generator.cases(cases, party_ids, officers):
            session.add(
                Case(
                    id=c["id"],
                    organ_id=organ_id,
                    case_number=c["case_number"],
                    procedure=c["procedure"],
                    source=c["source"],
                    received_at=c["received_at"],
                    violation_date=c["violation_date"],
                    place=c["place"],
                    summary=c["summary"],
                    facts=c["facts"],
                    state=c["state"],
                    is_major=c["is_major"],
                    fine_fen=c["fine_fen"],
                    filed_on=c["filed_on"],
                    created_at=c["received_at"],
                    updated_at=utc_now(),
                )
            )
            later += [CaseParty(case_id=c["id"], party_id=p) for p in c["party_ids"]]
            later += [CaseStep(**row) for row in DemoService._steps_for(c, today, utc_now())]
            audit.record(session, admin, audit.Change("case.demo", "case", c["id"], c["summary"]))  # type: ignore[arg-type]
        session.flush()
        session.add_all(later)
        session.flush()
        search.rebuild_index(session)
    elapsed = time.perf_counter() - started
    services.close()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--baseline-cases", type=int, default=10_000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="demo-bench-") as tmp:
        workdir = Path(tmp)
        ours_s = ours(args.cases, workdir)
        base_s = plain_orm(args.baseline_cases, workdir)
    per_k_ours = ours_s / args.cases * 1000
    per_k_base = base_s / args.baseline_cases * 1000
    figures = [
        Figure(
            f"demo: {args.cases:,} cases, total",
            ours_s,
            "s",
            None,
            "< 180 s for 200,000",
            ours_s < 180 * args.cases / 200_000,
        ),
        Figure(
            "demo: seconds per 1,000 cases (vs plain ORM)",
            per_k_ours,
            "s",
            per_k_base,
            "faster than plain ORM",
            per_k_ours < per_k_base,
        ),
    ]
    return report(figures, args.json)


if __name__ == "__main__":
    raise SystemExit(main())
