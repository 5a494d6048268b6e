"""Case search at county scale (issue 3): p95 ≤ 30 ms and ≥ 20× faster than a LIKE scan.

Builds (or reuses, --store DIR) a store with N cases — by `brigade-desk demo`, or, where that command
is missing, by bulk-inserting synthetic cases here — rebuilds the search index, then runs 50
realistic queries (3+ characters, 2 characters, pinyin initials, ID / credit-code / case-number
fragments). One search = what the case list needs: the first page of 50 ids and the number of
matches. Baseline, in the same run: the same queries as `LIKE '%…%'` over the same text columns
(case number, 案由, facts, place; party name, trade name, ID number, credit code, address, initials).

    .venv/bin/python -m benchmarks.search_bench [--cases 200000] [--store DIR] [--db URL] [--json FILE]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from brigade_desk.core import search
from brigade_desk.core.ids import new_id
from brigade_desk.core.model import Case, Organ
from brigade_desk.core.store import Store, open_store
from brigade_desk.core.text import pinyin_initials

from ._common import Figure, report

CLI = Path(sys.executable).with_name("brigade-desk")
PAGE = 50
THREE_PLUS = [
    "占道经营",
    "生活垃圾",
    "建筑垃圾",
    "户外广告",
    "露天焚烧",
    "乡村建设规划许可证",
    "擅自建设",
    "临时建筑物",
    "乱扔烟头",
    "餐饮油烟",
    "施工噪声",
    "违法建设",
]
TWO = ["广告", "占道", "垃圾", "焚烧", "噪声", "秸秆", "油烟", "渣土", "绿地", "摊点", "烧烤", "违建"]
LIKE_COLUMNS_CASE = ("case_number", "summary", "facts", "place")
LIKE_COLUMNS_PARTY = ("name", "trade_name", "id_number", "credit_code", "address", "name_initials")


# --------------------------------------------------------------------------- the store


def case_count(store: Store) -> int:
    with store.read() as session:
        return int(session.execute(select(func.count()).select_from(Case)).scalar_one())


def build_with_cli(data_dir: Path, db_url: str | None, cases: int) -> bool:
    base = [str(CLI), "--data-dir", str(data_dir), *(["--db", db_url] if db_url else [])]
    init = [*base, "init", "--town", "青溪镇人民政府", "--area-code", "330127", "--prefix", "青综执"]
    init += ["--admin", "admin", "--admin-password", "Admin12345"]
    if not CLI.exists() or subprocess.run(init, capture_output=True).returncode != 0:
        return False
    print(f"brigade-desk demo --cases {cases} …", flush=True)
    return subprocess.run([*base, "demo", "--cases", str(cases)]).returncode == 0


def build_synthetic(store: Store, cases: int, seed: int = 1) -> None:
    """Realistic-looking cases and parties by bulk insert, for when `brigade-desk demo` is missing."""
    rng = random.Random(seed)
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩邓冯曹彭曾肖田董潘袁蔡蒋余叶程魏"
    given = (
        "国建华军明伟平德福根金水荣林海庆生祥浩宇轩睿泽昊然哲航晨瑞铭英秀兰凤琴云菊珍芳娟敏静丽艳霞婷雪琳慧颖"
    )
    villages = ["金竹村", "东坞村", "西坑村", "溪口村", "龙潭村", "青溪社区", "滨溪社区"]
    roads = ["人民路", "解放街", "文化路", "青溪大街", "农贸路", "滨溪路", "溪东路"]
    acts = [
        ("占道经营", "在{p}占道经营水果摊，占道面积约{n}平方米"),
        ("擅自设置户外广告", "未经批准在{p}设置户外广告牌一块，面积约{n}平方米"),
        ("露天焚烧秸秆", "在{p}附近农田露天焚烧秸秆，现场烟雾较大"),
        ("随意倾倒生活垃圾", "在{p}随意倾倒生活垃圾，倾倒量约{n}立方米"),
        ("乱堆建筑垃圾", "在{p}乱堆建筑垃圾，影响市容环境"),
        ("未取得乡村建设规划许可证擅自建设", "在{p}未取得乡村建设规划许可证擅自建设，建筑面积约{n}平方米"),
        ("餐饮油烟直排", "在{p}经营餐饮，油烟未经处理直接排放"),
        ("夜间施工噪声扰民", "在{p}夜间进行建筑施工作业，噪声影响周边居民休息"),
    ]
    now = datetime(2026, 11, 1, tzinfo=UTC)
    with store.write() as session:
        organ_id = session.execute(select(Organ.id).where(Organ.is_self)).scalar()
        if organ_id is None:
            organ_id = new_id()
            session.add(
                Organ(id=organ_id, kind="township", name="青溪镇人民政府", is_self=True, doc_prefix="青综执")
            )
            session.flush()
        parties: list[dict[str, Any]] = []
        for _ in range(max(4, cases * 3 // 5)):
            name = rng.choice(surnames) + "".join(rng.choice(given) for _ in range(rng.choice((1, 2, 2))))
            birth = datetime(1950, 1, 1) + timedelta(days=rng.randrange(25000))
            body = f"330127{birth:%Y%m%d}{rng.randrange(1000):03d}"
            parties.append(
                dict(
                    id=new_id(),
                    kind="natural_person",
                    name=name,
                    name_initials=pinyin_initials(name),
                    id_type="居民身份证",
                    id_number=body + rng.choice("0123456789X"),
                    credit_code="",
                    trade_name="",
                    legal_representative="",
                    legal_representative_id="",
                    address=f"临溪县青溪镇{rng.choice(villages)}{rng.randint(1, 9)}组{rng.randint(1, 200)}号",
                    phone="",
                    is_minor=False,
                    created_at=now,
                    version=1,
                )
            )
        session.execute(text(_insert_sql("party", parties[0])), parties)
        rows: list[dict[str, Any]] = []
        links: list[dict[str, Any]] = []
        for i in range(cases):
            party = rng.choice(parties)
            received = now - timedelta(seconds=rng.randrange(5 * 365 * 86400))
            place = f"青溪镇{rng.choice(villages)}{rng.choice(roads)}{rng.randint(1, 200)}号"
            act, detail = rng.choice(acts)
            facts = (
                f"{received:%Y年%m月%d日}，本机关执法人员在{place}日常巡查时发现该线索。经现场检查，当事人"
                f"{party['name']}{detail.format(p=place, n=rng.randint(2, 60))}。执法人员2名到场出示执法证件，"
                f"制作了现场检查笔录，拍摄现场照片{rng.randint(2, 12)}张。"
            )
            rows.append(
                dict(
                    id=new_id(),
                    organ_id=organ_id,
                    case_number=f"青综执立字〔{received.year}〕第{i + 1}号" if rng.random() < 0.7 else None,
                    source="巡查发现",
                    received_at=received,
                    place=place,
                    summary=f"{party['name']}{act}案",
                    facts=facts,
                    state="filed",
                    created_at=received,
                    updated_at=received,
                )
            )
            links.append({"case_id": rows[-1]["id"], "party_id": party["id"], "role": "party"})
        for start in range(0, len(rows), 5000):
            session.add_all(Case(**r) for r in rows[start : start + 5000])
            session.flush()
            session.expunge_all()
        session.execute(text(_insert_sql("case_party", links[0])), links)


def _insert_sql(table: str, row: dict[str, Any]) -> str:
    return f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join(':' + k for k in row)})"


def prepare(args: argparse.Namespace, workdir: Path) -> Store:
    data_dir = args.store or workdir / "store"
    data_dir.mkdir(parents=True, exist_ok=True)
    store = open_store(data_dir, args.db)
    if case_count(store) >= args.cases:
        print(f"reusing {store.display_name()} with {case_count(store):,} cases")
        return store
    store.dispose()
    if args.synthetic or not build_with_cli(data_dir, args.db, args.cases):
        print("brigade-desk demo unavailable: inserting synthetic cases", flush=True)
        store = open_store(data_dir, args.db)
        build_synthetic(store, args.cases)
        return store
    return open_store(data_dir, args.db)


# --------------------------------------------------------------------------- queries


def realistic_queries(store: Store, seed: int = 7) -> list[tuple[str, str]]:
    """50 (kind, query) pairs: 14 of 3+ characters, 14 of 2, 10 pinyin initials, 12 number fragments.

    Words come from a list of violations and from the store's own names and places; numbers from its
    own parties and cases.
    """
    rng = random.Random(seed)
    with store.read() as session:
        people = _sample(
            session,
            "SELECT name, name_initials, id_number FROM party WHERE id_number <> '' AND length(name) >= 2",
            rng,
            40,
        )
        codes = _sample(session, "SELECT credit_code FROM party WHERE credit_code <> ''", rng, 2)
        numbers = _sample(
            session, "SELECT case_number FROM case_record WHERE case_number IS NOT NULL", rng, 4
        )
        places = _sample(session, "SELECT place FROM case_record WHERE place <> ''", rng, 20)
    place_names = sorted(
        {m for (p,) in places for m in re.findall(r"[\u4e00-\u9fff]{2}(?:村|路|街|社区)", p)}
    )
    names = [p[0] for p in people]
    queries: list[tuple[str, str]] = []
    queries += [("3+ chars", q) for q in rng.sample(THREE_PLUS, 8)]
    queries += [("3+ chars", n) for n in names if len(n) >= 3][:3]
    queries += [("3+ chars", q) for q in rng.sample(place_names, min(3, len(place_names)))]
    queries += [("2 chars", q) for q in rng.sample(TWO, 10)]
    queries += [("2 chars", n[:2]) for n in names[:4]]
    queries += [("pinyin initials", p[1][:4]) for p in people[4:] if len(p[1]) >= 2][:10]
    fragments = [("ID fragment", c[0][-8:]) for c in codes]
    fragments += [("case number", n[0][n[0].index("第") :]) for n in numbers[:3] if "第" in n[0]]
    fragments += [("case number", n[0]) for n in numbers[3:4]]
    for p in people[20:]:
        fragments.append(("ID fragment", p[2][-6:] if rng.random() < 0.5 else p[2][6:14]))
    queries += fragments[: 50 - len(queries)]
    return queries


def _sample(session: Session, sql: str, rng: random.Random, n: int) -> list[tuple[str, ...]]:
    total = int(session.execute(text(f"SELECT count(*) FROM ({sql}) AS t")).scalar_one())
    rows = []
    for offset in sorted(rng.sample(range(total), min(n, total))):
        row = session.execute(text(f"{sql} ORDER BY 1 LIMIT 1 OFFSET :o"), {"o": offset}).one()
        rows.append(tuple(str(v) for v in row))
    rng.shuffle(rows)
    return rows


# --------------------------------------------------------------------------- timing


def ours(session: Session, query: str) -> int:
    search.search_case_ids(session, query, PAGE)
    return search.count_matches(session, query)


def like_scan(session: Session, query: str) -> int:
    """The plain way: one LIKE scan of the case columns, one of the party columns (an IN subquery)."""
    pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    case_like = " OR ".join(f"c.{col} LIKE :p ESCAPE '\\'" for col in LIKE_COLUMNS_CASE)
    party_like = " OR ".join(f"p.{col} LIKE :p ESCAPE '\\'" for col in LIKE_COLUMNS_PARTY)
    where = (
        f"({case_like} OR c.id IN (SELECT cp.case_id FROM case_party cp JOIN party p ON p.id = cp.party_id "
        f"WHERE {party_like}))"
    )
    session.execute(
        text(f"SELECT c.id FROM case_record c WHERE {where} ORDER BY c.received_at DESC, c.id LIMIT {PAGE}"),
        {"p": pattern},
    ).all()
    return int(
        session.execute(
            text(f"SELECT count(*) FROM case_record c WHERE {where}"), {"p": pattern}
        ).scalar_one()
    )


def timed(store: Store, fn: Callable[[Session, str], int], query: str, repeat: int) -> tuple[float, int]:
    times = []
    matches = 0
    with store.read() as session:
        fn(session, query)  # warm
        for _ in range(repeat):
            started = time.perf_counter()
            matches = fn(session, query)
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), matches


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def index_size_mb(store: Store) -> float:
    with store.read() as session:
        if store.is_sqlite:
            sql = "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'case_search%' OR name LIKE 'sqlite_autoindex_case_search%'"
        else:
            sql = "SELECT pg_total_relation_size('case_search') + pg_total_relation_size('case_search_document')"
        return float(session.execute(text(sql)).scalar_one() or 0) / 1e6


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--store", type=Path, help="data directory to build or reuse")
    parser.add_argument("--db", help="PostgreSQL URL (the data directory still holds files)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each query (median kept)")
    parser.add_argument("--no-rebuild", action="store_true", help="reuse the index as it is")
    parser.add_argument("--synthetic", action="store_true", help="insert synthetic cases, not the demo")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="search-bench-") as tmp:
        store = prepare(args, Path(tmp))
        try:
            return run(store, args)
        finally:
            store.dispose()


def run(store: Store, args: argparse.Namespace) -> int:
    cases = case_count(store)
    rebuild_s = None
    if not args.no_rebuild:
        started = time.perf_counter()
        with store.write() as session:
            search.rebuild_index(session)
        rebuild_s = time.perf_counter() - started
        print(f"rebuild_index: {cases:,} cases in {rebuild_s:.1f} s")
    if store.is_sqlite:
        with store.write() as session:
            session.execute(text("ANALYZE"))
    size = index_size_mb(store)
    queries = realistic_queries(store)
    print(
        f"\n{'kind':<16} {'query':<26} {'ours ms':>9} {'LIKE ms':>9} {'ratio':>7} {'matches':>8} {'LIKE':>8}"
    )
    our_ms: list[float] = []
    like_ms: list[float] = []
    differ = 0
    for kind, query in queries:
        ours_t, ours_n = timed(store, ours, query, args.repeat)
        like_t, like_n = timed(store, like_scan, query, 1)
        our_ms.append(ours_t)
        like_ms.append(like_t)
        differ += ours_n != like_n
        print(
            f"{kind:<16} {query:<26} {ours_t:>9.2f} {like_t:>9.1f} {like_t / max(ours_t, 1e-3):>6.0f}x "
            f"{ours_n:>8} {like_n:>8}"
        )
    print(
        f"\n{differ} of {len(queries)} queries counted differently from LIKE (normalisation: case, full width)"
    )
    backend = "SQLite" if store.is_sqlite else "PostgreSQL"
    median_ours, median_like = statistics.median(our_ms), statistics.median(like_ms)
    p95_ours, p95_like = p95(our_ms), p95(like_ms)
    figures = [
        Figure(
            f"search {backend} {cases:,}: median (page+count)",
            round(median_ours, 3),
            "ms",
            round(median_like, 3),
            "≥ 20× faster than LIKE",
            median_like >= 20 * median_ours,
        ),
        Figure(
            f"search {backend} {cases:,}: p95 (page+count)",
            round(p95_ours, 3),
            "ms",
            round(p95_like, 3),
            "≤ 30 ms and ≥ 20× faster",
            p95_ours <= 30 and p95_like >= 20 * p95_ours,
        ),
        Figure(
            f"search {backend} {cases:,}: index size",
            round(size, 1),
            "MB",
            None,
            "informative",
            True,
        ),
    ]
    if rebuild_s is not None:
        figures.append(
            Figure(
                f"search {backend} {cases:,}: rebuild_index",
                round(rebuild_s, 1),
                "s",
                None,
                "informative",
                True,
            )
        )
    print()
    return report(figures, args.json)


if __name__ == "__main__":
    raise SystemExit(main())
