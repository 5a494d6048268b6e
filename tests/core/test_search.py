"""Case search (core/search.py) on SQLite and PostgreSQL: Chinese words of any length, pinyin
initials, number fragments, re-indexing, hostile input, order, and equality with a brute-force scan."""

from __future__ import annotations

import random
import sqlite3
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from brigade_desk.core import search
from brigade_desk.core.ids import new_id
from brigade_desk.core.model import Case, CaseParty, Organ, Party
from brigade_desk.core.store import Store, open_store, sqlite_url
from brigade_desk.core.text import pinyin_initials

T0 = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


@dataclass
class PartySpec:
    name: str
    id_number: str = ""
    credit_code: str = ""
    trade_name: str = ""
    address: str = ""
    initials: str | None = None  # None: as the parties service stores it; "" leaves it empty
    id: str = field(default_factory=new_id)


@dataclass
class CaseSpec:
    summary: str
    facts: str = ""
    place: str = ""
    case_number: str | None = None
    received_at: datetime = T0
    parties: list[PartySpec] = field(default_factory=list)
    id: str = field(default_factory=new_id)


def _organ_id(session: Session) -> str:
    organ = session.query(Organ).filter_by(is_self=True).one_or_none()
    if organ is None:
        organ = Organ(kind="township", name="青溪镇人民政府", is_self=True)
        session.add(organ)
        session.flush()
    return organ.id


def add_cases(store: Store, specs: list[CaseSpec], *, index: bool = True) -> list[str]:
    """Insert cases and their parties with the models; index them in the same transaction."""
    with store.write() as session:
        organ_id = _organ_id(session)
        seen: set[str] = set()
        for spec in specs:
            for p in spec.parties:
                if p.id in seen or session.get(Party, p.id) is not None:
                    continue
                seen.add(p.id)
                session.add(
                    Party(
                        id=p.id,
                        kind="natural_person",
                        name=p.name,
                        name_initials=pinyin_initials(p.name) if p.initials is None else p.initials,
                        id_number=p.id_number,
                        credit_code=p.credit_code,
                        trade_name=p.trade_name,
                        address=p.address,
                        created_at=T0,
                    )
                )
            session.add(
                Case(
                    id=spec.id,
                    organ_id=organ_id,
                    case_number=spec.case_number,
                    source="巡查发现",
                    received_at=spec.received_at,
                    place=spec.place,
                    summary=spec.summary,
                    facts=spec.facts,
                    state="filed",
                    created_at=spec.received_at,
                    updated_at=spec.received_at,
                )
            )
            session.flush()
            for p in spec.parties:
                session.add(CaseParty(case_id=spec.id, party_id=p.id))
        session.flush()
        if index:
            search.index_cases(session, [s.id for s in specs])
    return [s.id for s in specs]


def find(store: Store, query: str, limit: int = 1000, offset: int = 0) -> list[str]:
    with store.read() as session:
        return search.search_case_ids(session, query, limit, offset)


def count(store: Store, query: str) -> int:
    with store.read() as session:
        return search.count_matches(session, query)


ZHANG = PartySpec(
    "张三",
    id_number="33018519900101123X",
    address="青溪镇人民路18号",
)
XINYUAN = PartySpec(
    "李四",
    id_number="330185198512254321",
    credit_code="92330185MA2H3K4L5P",
    trade_name="青溪镇鑫源小吃店",
    address="青溪镇解放街6号",
)
WANG = PartySpec("王五", id_number="330185200203040017", address="溪口村3组")


@pytest.fixture
def sample(store: Store) -> dict[str, str]:
    ids = add_cases(
        store,
        [
            CaseSpec(
                "张三占道经营案",
                facts="2026年3月1日，当事人张三在人民路占道经营水果摊，占道面积约4平方米。",
                place="青溪镇人民路18号门前",
                case_number="青综执立字〔2026〕第12号",
                received_at=T0,
                parties=[ZHANG],
            ),
            CaseSpec(
                "青溪镇鑫源小吃店擅自设置户外广告案",
                facts="当事人未经批准在店铺外墙设置户外广告牌一块，面积约6平方米。",
                place="青溪镇解放街6号",
                case_number="青综执立字〔2026〕第13号",
                received_at=T0 + timedelta(days=1),
                parties=[XINYUAN],
            ),
            CaseSpec(
                "王五露天焚烧秸秆案",
                facts="当事人在溪口村3组农田露天焚烧秸秆，现场烟雾较大。",
                place="溪口村3组",
                case_number=None,
                received_at=T0 + timedelta(days=2),
                parties=[WANG],
            ),
        ],
    )
    return dict(zip(("zhang", "xinyuan", "wang"), ids, strict=True))


def test_three_or_more_characters_find_the_phrase_and_not_its_scrambled_bigrams(
    store: Store, sample: dict[str, str]
) -> None:
    assert find(store, "占道经营") == [sample["zhang"]]
    assert find(store, "户外广告牌") == [sample["xinyuan"]]
    assert find(store, "露天焚烧秸秆") == [sample["wang"]]
    # Every bigram of 经营占道 occurs in the first case's text, but not as that phrase.
    assert find(store, "经营占道") == []
    assert count(store, "占道经营") == 1


def test_two_character_words_are_found(store: Store, sample: dict[str, str]) -> None:
    # The TECH-NOTES trap: FTS5's trigram tokenizer returns nothing for these, without an error.
    assert find(store, "广告") == [sample["xinyuan"]]
    assert find(store, "占道") == [sample["zhang"]]
    assert find(store, "秸秆") == [sample["wang"]]
    assert find(store, "当事人") == [sample["wang"], sample["xinyuan"], sample["zhang"]]
    assert count(store, "当事人") == 3
    # Two words: both must occur (in any field, in any order).
    assert find(store, "人民路 张三") == [sample["zhang"]]
    assert find(store, "广告 秸秆") == []


def test_a_single_character_looks_at_case_numbers_and_party_names(
    store: Store, sample: dict[str, str]
) -> None:
    assert find(store, "张") == [sample["zhang"]]
    assert find(store, "鑫") == [sample["xinyuan"]]  # trade name
    assert find(store, "号") == [sample["xinyuan"], sample["zhang"]]  # case numbers
    assert count(store, "号") == 2
    # 秸 occurs only in the summary and facts: one key press does not scan the long text.
    assert find(store, "秸") == []
    # Inside a longer query a single character is searched everywhere.
    assert find(store, "秸 王五") == [sample["wang"]]
    assert find(store, "烟 当事人") == [sample["wang"]]


def test_pinyin_initials_find_the_party(store: Store, sample: dict[str, str]) -> None:
    assert find(store, "zs") == [sample["zhang"]]
    assert find(store, "ZS") == [sample["zhang"]]
    assert find(store, "ｚｓ") == [sample["zhang"]]  # full-width letters from a Chinese IME
    assert find(store, "ls") == [sample["xinyuan"]]
    assert find(store, "ww") == [sample["wang"]]
    assert find(store, "z") == [sample["zhang"]]  # one letter: initials are a narrow field


def test_initials_are_computed_when_the_party_row_has_none(store: Store) -> None:
    [case_id] = add_cases(store, [CaseSpec("违规搭建案", parties=[PartySpec("赵六", initials="")])])
    assert find(store, "zl") == [case_id]


def test_id_number_and_credit_code_fragments(store: Store, sample: dict[str, str]) -> None:
    assert find(store, "33018519900101123X") == [sample["zhang"]]
    assert find(store, "19900101") == [sample["zhang"]]  # birth date in the middle
    assert find(store, "01123x") == [sample["zhang"]]  # the last six, lower-case x
    assert find(store, "1123X") == [sample["zhang"]]
    assert find(store, "330185") == [sample["wang"], sample["xinyuan"], sample["zhang"]]
    assert find(store, "MA2H3K") == [sample["xinyuan"]]  # credit code fragment
    assert find(store, "92330185ma2h3k4l5p") == [sample["xinyuan"]]
    assert find(store, "19900102") == []


def test_case_number_fragments(store: Store, sample: dict[str, str]) -> None:
    assert find(store, "青综执立字〔2026〕第12号") == [sample["zhang"]]
    assert find(store, "第13号") == [sample["xinyuan"]]
    assert find(store, "13号") == [sample["xinyuan"]]
    assert find(store, "2026〕第12") == [sample["zhang"]]
    assert find(store, "2026 12") == [sample["xinyuan"], sample["zhang"]]  # 12 is in 李四的身份证号
    assert find(store, "立字") == [sample["xinyuan"], sample["zhang"]]
    assert find(store, "〔2026〕") == [sample["xinyuan"], sample["zhang"]]


def test_addresses_and_places(store: Store, sample: dict[str, str]) -> None:
    assert find(store, "解放街") == [sample["xinyuan"]]
    assert find(store, "溪口村") == [sample["wang"]]
    assert find(store, "人民路18号") == [sample["zhang"]]


def test_a_renamed_party_is_found_under_the_new_name_only(store: Store, sample: dict[str, str]) -> None:
    zhou = PartySpec("周七", id_number="330185197707070777", trade_name="七哥烧烤店")
    first, second = add_cases(
        store,
        [
            CaseSpec("夜间经营噪声扰民案", received_at=T0 + timedelta(days=4), parties=[zhou]),
            CaseSpec("店外占道烧烤案", received_at=T0 + timedelta(days=5), parties=[zhou]),
        ],
    )
    assert find(store, "周七") == [second, first]
    with store.write() as session:
        party = session.get(Party, zhou.id)
        assert party is not None
        party.name = "周柒"
        party.name_initials = pinyin_initials("周柒")
        party.trade_name = "柒哥烧烤店"
        session.flush()
        search.index_parties(session, [zhou.id])
    assert find(store, "周七") == []
    assert find(store, "七哥") == []
    assert find(store, "周柒") == [second, first]
    assert find(store, "柒哥烧烤") == [second, first]
    assert find(store, "柒") == [second, first]  # one character: the narrow fields are current too
    assert find(store, "七") == []
    assert find(store, "zq") == [second, first]  # same initials
    assert find(store, "占道") == [second, sample["zhang"]]  # the cases' own text is unchanged


def test_an_edited_case_is_found_by_its_new_text_only(store: Store, sample: dict[str, str]) -> None:
    with store.write() as session:
        case = session.get(Case, sample["zhang"])
        assert case is not None
        case.summary = "乱堆物料案"
        case.facts = "当事人在人民路乱堆物料。"
        case.received_at = T0 + timedelta(days=9)
        session.flush()
        search.index_cases(session, [sample["zhang"]])
    assert find(store, "占道经营") == []
    assert find(store, "乱堆物料") == [sample["zhang"]]
    assert find(store, "当事人") == [sample["zhang"], sample["wang"], sample["xinyuan"]]  # newest first


def test_unchanged_cases_keep_their_rows_and_missing_cases_lose_them(
    store: Store, sample: dict[str, str]
) -> None:
    with store.write() as session:
        search.index_cases(session, list(sample.values()))
        search.index_cases(session, [])
    assert find(store, "当事人") == [sample["wang"], sample["xinyuan"], sample["zhang"]]
    with store.write() as session:
        session.execute(text("DELETE FROM case_party WHERE case_id = :id"), {"id": sample["wang"]})
        session.execute(text("DELETE FROM case_record WHERE id = :id"), {"id": sample["wang"]})
        search.index_cases(session, [sample["wang"]])
    assert find(store, "当事人") == [sample["xinyuan"], sample["zhang"]]
    assert count(store, "秸秆") == 0


HOSTILE = [
    '"',
    '""',
    "*",
    "**",
    "-",
    "OR",
    "AND",
    "NOT",
    "NEAR(",
    "NEAR(广告 占道, 5)",
    "广告 OR 占道",
    "广告 -占道",
    '"广告',
    "广告*",
    "^广告",
    "(广告",
    "广告)",
    "{body}: 广告",
    "body:广告",
    "'; DROP TABLE case_record; --",
    "%",
    "_",
    "\\",
    "广告%",
    "' OR '1'='1",
    "):* | !",
    "<->",
    "广告 & 占道 | 秸秆",
    "\x00广告",
    "张\u200b三",
    "🙂",
    "a" * 300,
    "广" * 300,
    " ".join(["广告"] * 40),
]


@pytest.mark.parametrize("query", HOSTILE)
def test_engine_syntax_in_user_input_is_plain_text(store: Store, sample: dict[str, str], query: str) -> None:
    ids = find(store, query)
    assert count(store, query) == len(ids)
    assert set(ids) <= set(sample.values())
    # The words are still found as words.
    if query in ("广告 OR 占道", "广告 -占道", "广告 & 占道 | 秸秆", "NEAR(广告 占道, 5)"):
        assert ids == []  # every word must occur; none of the cases has all of them
    if query in ('"广告', "广告*", "^广告", "(广告", "广告)", "广告%"):
        assert ids == [sample["xinyuan"]]
    if query in ("{body}: 广告", "body:广告", "'; DROP TABLE case_record; --", "' OR '1'='1"):
        assert ids == []  # the words are searched for, and no case contains "body" or "drop"
    with store.read() as session:
        assert session.execute(text("SELECT count(*) FROM case_record")).scalar_one() == 3


@pytest.mark.parametrize("query", ["", "   ", "，。！", "\t\n", '" * - ( )'])
def test_an_empty_query_finds_nothing(store: Store, sample: dict[str, str], query: str) -> None:
    assert find(store, query) == []
    assert count(store, query) == 0


def test_order_is_newest_received_first_and_pages_are_stable(store: Store) -> None:
    rng = random.Random(7)
    specs = [
        CaseSpec(
            f"占道经营案{i}",
            received_at=T0 + timedelta(seconds=rng.choice([0, 0, 1, 60, 3600, 86400 * rng.randint(1, 9)])),
        )
        for i in range(60)
    ]
    add_cases(store, specs)
    ids = find(store, "占道经营")
    assert len(ids) == 60 == count(store, "占道经营")
    received = {s.id: s.received_at for s in specs}
    assert [received[i] for i in ids] == sorted(received.values(), reverse=True)
    assert find(store, "占道经营") == ids  # same again
    pages = [find(store, "占道经营", limit=7, offset=o) for o in range(0, 63, 7)]
    assert [i for page in pages for i in page] == ids
    assert find(store, "占道", limit=0) == []
    single = [find(store, "占", limit=10, offset=o) for o in range(0, 60, 10)]
    assert [i for page in single for i in page] == []  # 占 only in the summary
    with store.write() as session:
        search.rebuild_index(session)
    assert find(store, "占道经营") == ids  # a rebuild gives the same order


def test_rebuild_indexes_every_case_and_reports_progress(store: Store) -> None:
    specs = [CaseSpec(f"乱倒建筑垃圾案{i}", parties=[PartySpec("刘洋")]) for i in range(25)]
    add_cases(store, specs, index=False)
    assert find(store, "建筑垃圾") == []
    calls: list[tuple[int, int]] = []
    with store.write() as session:
        assert search.rebuild_index(session, progress=lambda done, total: calls.append((done, total))) == 25
    assert calls[0] == (0, 25) and calls[-1] == (25, 25)
    assert count(store, "建筑垃圾") == 25
    assert count(store, "ly") == 25
    with store.read() as session:
        assert not search.needs_rebuild(session)


def test_a_cancelled_rebuild_changes_nothing(store: Store, sample: dict[str, str]) -> None:
    def cancel(done: int, total: int) -> None:
        if done:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt), store.write() as session:
        search.rebuild_index(session, progress=cancel)
    assert count(store, "当事人") == 3


def test_other_tokens_in_the_index_ask_for_a_rebuild(store: Store, sample: dict[str, str]) -> None:
    with store.read() as session:
        assert not search.needs_rebuild(session)
    with store.write() as session:
        session.execute(text("UPDATE case_search_meta SET value = '0' WHERE key = 'tokenizer'"))
    with store.write() as session:
        assert search.needs_rebuild(session)
        search.index_cases(session, [sample["zhang"]])  # skipped quietly, the save goes on
        search.rebuild_index(session)
        assert not search.needs_rebuild(session)
    assert find(store, "占道") == [sample["zhang"]]


def test_a_store_upgraded_with_cases_asks_for_a_rebuild(data_dir: Path) -> None:
    path = data_dir / "brigade-desk.sqlite3"
    Store(sqlite_url(path), data_dir).migrate(search_revision_parent())
    _insert_bare_case(path)
    store = open_store(data_dir)
    try:
        with store.read() as session:
            assert search.needs_rebuild(session)
        with store.write() as session:
            assert search.rebuild_index(session) == 1
            assert not search.needs_rebuild(session)
        assert find(store, "违法建设") != []
    finally:
        store.dispose()


def search_revision_parent() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from brigade_desk.core.paths import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    for rev in ScriptDirectory.from_config(config).walk_revisions():
        if "case_search" in Path(rev.path).name:
            assert isinstance(rev.down_revision, str)
            return rev.down_revision
    raise AssertionError("no case_search migration")


def _insert_bare_case(path: Path) -> None:
    """One case row at whatever schema the earlier revision has: every required column filled."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA foreign_keys=OFF")
        values: dict[str, object] = {}
        for _cid, name, type_, notnull, default, _pk in conn.execute("PRAGMA table_info(case_record)"):
            if not notnull or default is not None:
                continue
            t = type_.upper()
            values[name] = (
                0
                if t.startswith(("INT", "BOOL", "BIGINT"))
                else "2026-01-05"
                if t == "DATE"
                else "2026-01-05 02:00:00.000000"
                if t.startswith(("DATETIME", "TIMESTAMP"))
                else "[]"
                if t == "JSON"
                else "x"
            )
        values.update(id=new_id(), summary="违法建设案", state="filed", source="巡查发现")
        cols = ", ".join(values)
        conn.execute(
            f"INSERT INTO case_record ({cols}) VALUES ({', '.join('?' * len(values))})", list(values.values())
        )
        conn.commit()
    finally:
        conn.close()


# --------------------------------------------------------------------------- brute force


ALPHABET = "广告占道经营张三李四王垃圾噪声违建秸秆焚烧露天摊点店招牌溪口村人民路"
SURNAMES = "张李王刘陈杨赵黄周吴"
GIVEN = "三四五伟芳娜敏静强磊洋艳"


def _text(rng: random.Random, lo: int, hi: int) -> str:
    out = []
    for _ in range(rng.randint(lo, hi)):
        r = rng.random()
        if r < 0.78:
            out.append(rng.choice(ALPHABET))
        elif r < 0.88:
            out.append(rng.choice("，。、 ；（）“”"))
        elif r < 0.97:
            out.append(rng.choice("0123456789"))
        else:
            out.append(rng.choice("abcXYZ"))
    return "".join(out)


def _generated_cases(rng: random.Random, n: int) -> list[CaseSpec]:
    parties = [
        PartySpec(
            rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2))),
            id_number="".join(rng.choice("0123456789") for _ in range(17)) + rng.choice("0123456789X"),
            credit_code=""
            if rng.random() < 0.6
            else "9233" + "".join(rng.choice("0123456789ABCDHK") for _ in range(14)),
            trade_name="" if rng.random() < 0.7 else _text(rng, 3, 8) + "店",
            address=_text(rng, 4, 12),
            initials=None if rng.random() < 0.8 else "",
        )
        for _ in range(n // 2)
    ]
    return [
        CaseSpec(
            _text(rng, 4, 14) + "案",
            facts=_text(rng, 0, 60),
            place=_text(rng, 0, 10),
            case_number=None
            if rng.random() < 0.2
            else f"青综执立字〔{rng.choice([2025, 2026])}〕第{i + 1}号",
            received_at=T0 + timedelta(minutes=rng.randint(0, 60 * 24 * 30)),
            parties=rng.sample(parties, rng.choice([1, 1, 1, 2])),
        )
        for i in range(n)
    ]


def _norm(value: str) -> str:
    return unicodedata.normalize("NFKC", value).lower()


def _chunks(value: str) -> list[str]:
    """Maximal runs of letters and digits, written without the module's regular expressions."""
    chunks: list[str] = []
    current = ""
    for ch in value + " ":
        if ch.isalnum():
            current += ch
        elif current:
            if current not in chunks:
                chunks.append(current)
            current = ""
    return chunks


def brute_force(specs: list[CaseSpec], query: str) -> set[str]:
    """Every chunk of the query is a substring of some field; one character: of a narrow field."""
    chunks = _chunks(_norm(query)[: search.MAX_QUERY_CHARS])[: search.MAX_CHUNKS]
    if not chunks:
        return set()
    found = set()
    for spec in specs:
        initials = [p.initials if p.initials else pinyin_initials(p.name) for p in spec.parties]
        narrow = (
            [spec.case_number or ""]
            + [p.name for p in spec.parties]
            + [p.trade_name for p in spec.parties]
            + initials
        )
        wide = (
            narrow
            + [spec.summary, spec.facts, spec.place]
            + [v for p in spec.parties for v in (p.id_number, p.credit_code, p.address)]
        )
        fields = [_norm(v) for v in (narrow if len(chunks) == 1 and len(chunks[0]) == 1 else wide)]
        if all(any(c in f for f in fields) for c in chunks):
            found.add(spec.id)
    return found


def _queries(rng: random.Random, specs: list[CaseSpec], n: int) -> list[str]:
    queries = []
    for _ in range(n):
        spec = rng.choice(specs)
        p = rng.choice(spec.parties)
        source = rng.choice(
            [
                spec.summary,
                spec.facts,
                spec.place,
                spec.case_number or "",
                p.name,
                p.id_number,
                p.address,
                p.credit_code,
                pinyin_initials(p.name),
            ]
        )
        kind = rng.random()
        if source and kind < 0.6:
            length = rng.choice([1, 2, 2, 2, 3, 3, 4, 5, 8])
            start = rng.randrange(len(source))
            queries.append(source[start : start + length])
        elif kind < 0.75:
            queries.append("".join(rng.choice(ALPHABET) for _ in range(rng.choice([2, 2, 3]))))
        elif kind < 0.9:
            queries.append(
                " ".join("".join(rng.choice(ALPHABET) for _ in range(rng.choice([1, 2]))) for _ in range(2))
            )
        else:
            queries.append(rng.choice(SURNAMES) + rng.choice("0123456789") + rng.choice(["", " ", "x"]))
    return queries


def _check_against_brute_force(store: Store, specs: list[CaseSpec], queries: list[str]) -> None:
    received = {s.id: s.received_at for s in specs}
    misses = []
    for query in queries:
        expected = brute_force(specs, query)
        ids = find(store, query, limit=1000)
        if set(ids) != expected or count(store, query) != len(expected):
            misses.append(
                (query, len(expected), sorted(expected - set(ids))[:3], sorted(set(ids) - expected)[:3])
            )
        times = [received[i] for i in ids]
        assert times == sorted(times, reverse=True), query
    assert misses == []


def test_the_index_finds_exactly_what_a_brute_force_scan_finds(store: Store) -> None:
    rng = random.Random(20261126)
    specs = _generated_cases(rng, 300)
    queries = _queries(rng, specs, 400)
    # Case by case, in random order of receipt: rowids are placed between neighbours and renumbered.
    for spec in rng.sample(specs, len(specs)):
        add_cases(store, [spec])
    _check_against_brute_force(store, specs, queries)
    with store.write() as session:  # rebuilt, then some re-indexed with new times and parties
        search.rebuild_index(session)
        for spec in specs[::7]:
            spec.received_at = T0 + timedelta(minutes=rng.randint(0, 60 * 24 * 30))
            session.get(Case, spec.id).received_at = spec.received_at  # type: ignore[union-attr]
        session.flush()
        search.index_cases(session, [s.id for s in specs[::7]])
    _check_against_brute_force(store, specs, queries)


def test_chunks_that_mix_chinese_and_ascii_must_occur_as_typed(store: Store) -> None:
    a, b, c, d = add_cases(
        store,
        [
            CaseSpec(
                "车辆乱停案", facts="车牌号浙A12345，停放于人行道。", case_number="青综执立字〔2026〕第112号"
            ),
            CaseSpec(
                "车辆乱停案",
                facts="车牌号浙B12345。",
                case_number="青综执立字〔2026〕第12号",
                received_at=T0 - timedelta(hours=2),
            ),
            CaseSpec("占道案", facts="占道面积约12平方米，12号门前。", received_at=T0 + timedelta(hours=1)),
            CaseSpec(
                "占道案",
                facts="序列号SN-2026ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789。",
                received_at=T0 - timedelta(hours=1),
            ),
        ],
    )
    assert find(store, "浙A12345") == [a]
    assert find(store, "浙a1") == [a]
    assert set(find(store, "12345")) == {a, b, d}  # d: …0123456789
    assert find(store, "第12号") == [b]  # not 第112号
    assert find(store, "12号") == [c, a, b]  # newest first; 112号 ends with 12号
    assert find(store, "2号") == [c, a, b]
    assert find(store, "约12平") == [c]
    assert find(store, "12平方米") == [c]
    assert find(store, "约1") == [c]
    assert find(store, "〕第1") == [a, b]
    assert find(store, "号浙a") == [a]  # 车牌号浙A…: across CJK/ASCII borders it is one chunk
    assert find(store, "牌号浙b") == [b]
    assert find(store, "米12号") == []  # there is a comma between them
    assert find(store, "2026abcdefghijklmnopqrstuvwxyz01") == [d]  # longer than one token
    assert find(store, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == [d]
    assert find(store, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456780") == []
    assert find(store, "SN-2026ABC") == [d]  # the hyphen separates two chunks


def test_rowids_are_renumbered_when_many_cases_arrive_between_two_others(store: Store) -> None:
    first, last = add_cases(
        store,
        [CaseSpec("堆放杂物案", received_at=T0), CaseSpec("堆放杂物案", received_at=T0 + timedelta(hours=1))],
    )
    with store.write() as session:
        search.rebuild_index(session)  # rowids DOC_GAP apart
    between = [CaseSpec("堆放杂物案", received_at=T0 + timedelta(seconds=60 - i)) for i in range(40)]
    for spec in between:  # each one older than the one before: always into the same gap
        add_cases(store, [spec])
    expected = [last] + [s.id for s in between] + [first]
    assert find(store, "堆放杂物") == expected
    assert find(store, "杂物", limit=5, offset=20) == expected[20:25]
    assert count(store, "堆放杂物") == 42
    if store.is_sqlite:  # rowids ascend from the newest case, all distinct
        with store.read() as session:
            sql = "SELECT doc_id FROM case_search_doc ORDER BY sort_key DESC"
            doc_ids = session.execute(text(sql)).scalars().all()
        assert doc_ids == sorted(doc_ids) and len(set(doc_ids)) == 42


def test_marked_for_rebuild_after_a_big_import(store: Store, sample: dict[str, str]) -> None:
    with store.write() as session:
        search.mark_for_rebuild(session)
    with store.write() as session:
        assert search.needs_rebuild(session)
        search.rebuild_index(session)
        assert not search.needs_rebuild(session)
    assert count(store, "当事人") == 3
