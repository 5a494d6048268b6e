"""Seed files and the demo generator: valid identity numbers, determinism, spread, gapless numbers."""

from __future__ import annotations

import re
import uuid
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from stdnum.cn import ric, uscc

from brigade_desk.core.demo import (
    PARTY_KINDS,
    CaseRow,
    DemoGenerator,
    OfficerRow,
    PartyRow,
    load_legal_provisions,
    load_power_items,
    load_township,
)
from brigade_desk.core.demo.identifiers import org_code_check_digit, ric_check_digit
from brigade_desk.core.rules.procedure import CaseState

AS_OF = date(2025, 12, 31)
BEIJING = timedelta(hours=8)
CASE_NUMBER = re.compile(r"^青综执立字〔(\d{4})〕第([1-9]\d*)号$")
DOMAIN_STATES = [
    "clue", "filed", "investigating", "preserved", "investigation_closed", "penalty_proposed",
    "notice_served", "hearing_requested", "hearing_held", "legal_review", "review_passed",
    "collective_discussion", "decided", "decision_served", "performing", "paid", "overdue", "urged",
    "court_applied", "closed", "archived", "decided_no_penalty", "case_withdrawn", "transferred",
    "on_the_spot_decided", "paid_on_spot", "filed_for_record",
]  # fmt: skip


@pytest.fixture(scope="module")
def township() -> dict[str, Any]:
    return dict(load_township())


@pytest.fixture(scope="module")
def items() -> list[dict[str, Any]]:
    return [dict(i) for i in load_power_items()]


@pytest.fixture(scope="module")
def states() -> list[str]:
    return [s.value for s in CaseState]


def make(
    township: dict[str, Any], items: list[dict[str, Any]], states: list[str], seed: int = 7
) -> DemoGenerator:
    return DemoGenerator(seed, township, items, states, 2021, 2025)


@pytest.fixture(scope="module")
def data(
    township: dict[str, Any], items: list[dict[str, Any]], states: list[str]
) -> tuple[DemoGenerator, list[OfficerRow], list[PartyRow], list[CaseRow]]:
    gen = make(township, items, states)
    officers = list(gen.officers(25))
    parties = list(gen.parties(4000))
    handlers = [o["id"] for o in officers if "officer" in o["roles"]]
    cases = list(gen.cases(20000, [p["id"] for p in parties], handlers))
    return gen, officers, parties, cases


# --------------------------------------------------------------------------- seed files


def test_power_items_are_a_plausible_catalogue(items: list[dict[str, Any]]) -> None:
    assert 40 <= len(items) <= 60
    codes = [i["code"] for i in items]
    assert len(codes) == len(set(codes))
    claimed = sum(i["claimed"] for i in items) / len(items)
    assert 0.75 <= claimed <= 0.85
    assert any(not i["claimed"] for i in items)
    assert any(i["valid_to"] for i in items), "some items are withdrawn"
    assert {i["item_type"] for i in items} == {"行政处罚", "行政强制", "行政检查"}
    assert {i["mode"] for i in items} <= {"下放", "委托", "法定"}
    for i in items:
        assert i["statute_years"] in (2, 5)
        assert set(i["applicable_parties"]) <= set(PARTY_KINDS)
        assert date.fromisoformat(i["valid_from"])
        if i["valid_to"]:
            assert date.fromisoformat(i["valid_to"]) > date.fromisoformat(i["valid_from"])
        lo, hi = i["penalty_min_fen"], i["penalty_max_fen"]
        assert (lo is None) == (hi is None)
        if hi is not None:
            assert isinstance(lo, int) and isinstance(hi, int) and 0 <= lo < hi
        if i["item_type"] == "行政处罚":
            assert i["violation"]


def test_every_legal_basis_points_at_a_provision(items: list[dict[str, Any]]) -> None:
    provisions = {p["id"]: p for p in load_legal_provisions()}
    used = set()
    for i in items:
        assert i["legal_basis"], i["code"]
        for ref in i["legal_basis"]:
            p = provisions[ref["provision_id"]]
            assert ref["law"] == p["law_name"]
            assert ref["article"] == p["citation"]
            used.add(ref["provision_id"])
    for p in provisions.values():
        assert p["level"] in ("法律", "行政法规", "地方性法规", "规章")
        assert p["role"] in ("禁止性规范", "罚则", "责令改正依据", "程序")
        assert date.fromisoformat(p["version_date"])
        assert p["citation"].startswith(p["article"]) and p["text"]
    # Only the procedure articles of the APL stand alone; everything else is cited by an item.
    assert {k for k in provisions if k not in used} <= {"APL-36-1", "APL-51"}


def test_places_are_usable(township: dict[str, Any]) -> None:
    assert 20 <= len(township["villages"]) <= 30
    assert len({v["name"] for v in township["villages"]}) == len(township["villages"])
    assert re.fullmatch(r"[1-9]\d{5}", township["area_code"])
    assert township["doc_prefix"]
    assert uscc.is_valid(township["organ_credit_code"])
    # Every area code used for ID numbers must be valid for every plausible birth year.
    for code in township["resident_area_codes"]:
        for year in range(1940, 2013, 3):
            body = f"{code}{year}0615123"
            assert ric.is_valid(body + ric_check_digit(body)), (code, year)


# --------------------------------------------------------------------------- parties


def test_every_identity_number_and_credit_code_is_valid(data: Any) -> None:
    _, _, parties, _ = data
    ids = [p["id_number"] for p in parties if p["id_number"]]
    ids += [p["legal_representative_id"] for p in parties if p["legal_representative_id"]]
    codes = [p["credit_code"] for p in parties if p["credit_code"]]
    assert len(ids) > 3000 and len(codes) > 1000
    assert all(ric.is_valid(n) for n in ids)
    assert all(uscc.is_valid(c) for c in codes)
    # The organisation-code part (characters 9–17) carries its own GB 11714 check character.
    assert all(c[16] == org_code_check_digit(c[8:16]) for c in codes)
    assert len(set(ids)) == len(ids)
    assert len(set(codes)) == len(codes)


def test_parties_of_every_kind_look_right(data: Any) -> None:
    _, _, parties, _ = data
    by_kind = defaultdict(list)
    for p in parties:
        by_kind[p["kind"]].append(p)
    assert set(by_kind) == set(PARTY_KINDS)
    assert [p["kind"] for p in parties[:4]] == [
        "natural_person",
        "individual_business",
        "legal_person",
        "other_org",
    ]
    for p in by_kind["natural_person"]:
        assert p["id_type"] == "居民身份证" and not p["credit_code"] and not p["legal_representative"]
    for p in by_kind["individual_business"]:
        assert p["id_type"] == "居民身份证" and p["credit_code"].startswith("92")
    for kind in ("legal_person", "other_org"):
        for p in by_kind[kind]:
            assert not p["id_number"] and p["legal_representative"] and p["legal_representative_id"]
    assert all(p["credit_code"].startswith("91") for p in by_kind["legal_person"])
    trade_names = [p["trade_name"] for p in by_kind["individual_business"] if p["trade_name"]]
    assert trade_names and all(t.startswith("青溪镇") for t in trade_names)
    assert len(set(trade_names)) == len(trade_names)
    org_names = [p["name"] for kind in ("legal_person", "other_org") for p in by_kind[kind]]
    assert len(set(org_names)) == len(org_names)
    phones = [p["phone"] for p in parties]
    assert all(re.fullmatch(r"1[3-9]\d{9}", ph) for ph in phones)
    assert len(set(phones)) == len(phones)
    assert all(p["address"].startswith("临溪县青溪镇") for p in parties)
    people = [p["name"] for p in parties if p["kind"] in ("natural_person", "individual_business")]
    assert any(c in name for name in people for c in "喆堃玥珺昇")


def test_minor_flag_matches_the_birth_date(data: Any) -> None:
    _, _, parties, _ = data
    minors = 0
    for p in parties:
        if p["kind"] != "natural_person":
            continue
        born = ric.get_birth_date(p["id_number"])
        age = AS_OF.year - born.year - ((AS_OF.month, AS_OF.day) < (born.month, born.day))
        assert p["is_minor"] == (age < 18)
        assert 14 <= age <= 81
        minors += p["is_minor"]
    assert minors > 0


# --------------------------------------------------------------------------- officers


def test_officers(data: Any) -> None:
    _, officers, _, _ = data
    logins = [o["login"] for o in officers]
    assert len(set(logins)) == len(logins)
    assert all(re.fullmatch(r"[a-z]+\d*", login) for login in logins)
    assert {r for o in officers for r in o["roles"]} == {"officer", "legal_reviewer", "leader", "clerk"}
    certificates = [o["certificate_no"] for o in officers]
    assert all(re.fullmatch(r"ZJ\d{8}", c) for c in certificates)
    assert len(set(certificates)) == len(certificates)
    expired = [o for o in officers if o["certificate_valid_to"] < AS_OF]
    assert 1 <= len(expired) < len(officers) // 2
    assert all(o["certificate_valid_from"] < o["certificate_valid_to"] for o in officers)
    assert sum(o["is_leader"] for o in officers) >= 2
    assert all(o["legal_review_qualified"] for o in officers if "legal_reviewer" in o["roles"])
    assert [o["post"] for o in officers[:3]] == ["大队长", "副大队长", "镇长"]


# --------------------------------------------------------------------------- determinism


def test_same_seed_gives_the_same_rows(township: Any, items: Any, states: Any) -> None:
    def run(seed: int) -> tuple[list[OfficerRow], list[PartyRow], list[CaseRow]]:
        gen = make(township, items, states, seed)
        officers = list(gen.officers(8))
        parties = list(gen.parties(300))
        cases = list(gen.cases(1000, [p["id"] for p in parties], [o["id"] for o in officers]))
        return officers, parties, cases

    first, again, other = run(11), run(11), run(12)
    assert first == again
    assert first[1] != other[1] and first[2] != other[2]


def test_streams_are_independent_per_method(township: Any, items: Any, states: Any) -> None:
    a = make(township, items, states)
    b = make(township, items, states)
    parties_a = list(a.parties(200))
    list(b.officers(5))  # an extra call of another method changes nothing below
    parties_b = list(b.parties(200))
    assert parties_a == parties_b
    ids = [p["id"] for p in parties_a]
    officers = ["o1", "o2", "o3"]
    assert list(a.cases(300, ids, officers)) == list(b.cases(300, ids, officers))


def test_uuid_versions(township: Any, items: Any, states: Any) -> None:
    gen = make(township, items, states)
    parties = list(gen.parties(50))
    assert all(uuid.UUID(p["id"]).version == 4 for p in parties)
    gen7 = DemoGenerator(7, township, items, states, 2021, 2025, id_version=7)
    cases = list(gen7.cases(500, ["p"], ["o1", "o2"]))
    ids = [c["id"] for c in cases]
    assert all(uuid.UUID(i).version == 7 for i in ids)
    assert ids == sorted(ids), "time-ordered ids follow the receipt order"


# --------------------------------------------------------------------------- cases


def test_cases_cover_states_years_and_sources(data: Any, states: list[str]) -> None:
    _, _, _, cases = data
    assert set(Counter(c["state"] for c in cases)) == set(states)
    assert {c["received_at"].year for c in cases} == {2021, 2022, 2023, 2024, 2025}
    sources = Counter(c["source"] for c in cases)
    assert len(sources) == 8 and sources.most_common(1)[0][0] == "巡查发现"
    assert {c["procedure"] for c in cases} == {"simple", "general"}
    assert 1.0 <= sum(len(c["party_ids"]) for c in cases) / len(cases) < 1.2
    assert {len(c["officer_ids"]) for c in cases} == {2, 3}


def test_old_cases_are_mostly_closed_and_recent_ones_in_progress(data: Any) -> None:
    _, _, _, cases = data
    done = {
        "closed",
        "archived",
        "decided_no_penalty",
        "withdrawn",
        "transferred",
        "not_filed",
        "on_the_spot",
    }
    old = [c for c in cases if (AS_OF - c["received_at"].date()).days > 730]
    recent = [c for c in cases if (AS_OF - c["received_at"].date()).days < 30]
    assert old and recent
    assert sum(c["state"] in ("closed", "archived") for c in old) / len(old) > 0.8
    assert sum(c["state"] not in done for c in recent) / len(recent) > 0.6


def test_receipt_times_are_office_hours_in_order(data: Any) -> None:
    _, _, _, cases = data
    times = [c["received_at"] for c in cases]
    assert times == sorted(times)
    for t in times[:3000]:
        assert t.tzinfo == UTC
        local = (t + BEIJING).time()
        assert (8, 30) <= (local.hour, local.minute) < (11, 30) or (13, 30) <= (local.hour, local.minute) < (
            17,
            30,
        )
    assert all(t <= datetime(2025, 12, 31, 16, 0, tzinfo=UTC) for t in times)


def test_case_numbers_are_gapless_per_year_in_filing_order(data: Any) -> None:
    _, _, _, cases = data
    per_year: dict[int, list[tuple[int, date]]] = defaultdict(list)
    for c in cases:
        if c["case_number"] is None:
            assert c["filed_on"] is None
            assert c["procedure"] == "simple" or c["state"] in ("pending_filing", "not_filed")
            continue
        m = CASE_NUMBER.match(c["case_number"])
        assert m, c["case_number"]
        assert c["filed_on"] is not None and int(m.group(1)) == c["filed_on"].year
        assert c["procedure"] == "general"
        assert c["filed_on"] >= (c["received_at"] + BEIJING).date() - timedelta(days=1)
        per_year[int(m.group(1))].append((int(m.group(2)), c["filed_on"]))
    assert len(per_year) == 5
    for rows in per_year.values():
        seqs = [s for s, _ in rows]
        assert sorted(seqs) == list(range(1, len(seqs) + 1))
        by_seq = [d for _, d in sorted(rows)]
        assert by_seq == sorted(by_seq), "a later number is never filed earlier"


def test_numbering_continues_across_calls(township: Any, items: Any, states: Any) -> None:
    gen = make(township, items, states)
    numbers = [c["case_number"] for call in range(2) for c in gen.cases(400, ["p"], ["o1", "o2"])]
    seq: dict[str, list[int]] = defaultdict(list)
    for n in numbers:
        if n:
            m = CASE_NUMBER.match(n)
            assert m
            seq[m.group(1)].append(int(m.group(2)))
    for values in seq.values():
        assert sorted(values) == list(range(1, len(values) + 1))


def test_cases_respect_the_catalogue_and_fines(data: Any, items: list[dict[str, Any]]) -> None:
    _, _, parties, cases = data
    catalogue = {i["code"]: i for i in items}
    kinds = {p["id"]: p["kind"] for p in parties}
    names = {p["id"]: p["trade_name"] or p["name"] for p in parties}
    fined_states = {"decided", "decision_served", "performing", "paid", "overdue", "urged", "court_applied"}
    fined_states |= {"on_the_spot", "closed", "archived"}
    fines = 0
    for c in cases:
        item = catalogue[c["power_item_code"]]
        assert item["claimed"] and item["item_type"] == "行政处罚"
        for day in (c["violation_date"], c["filed_on"]):
            if day is not None:
                assert date.fromisoformat(item["valid_from"]) <= day
                assert item["valid_to"] is None or day <= date.fromisoformat(item["valid_to"])
        assert c["violation_date"] <= (c["received_at"] + BEIJING).date()
        assert all(kinds[p] in item["applicable_parties"] for p in c["party_ids"])
        assert c["summary"].startswith(names[c["party_ids"][0]]) and c["summary"].endswith("案")
        assert c["place"] in c["summary"] and item["violation"] in c["summary"]
        assert c["facts"].count("。") >= 3
        if c["fine_fen"] is not None:
            fines += 1
            assert c["state"] in fined_states
            assert item["penalty_min_fen"] <= c["fine_fen"] <= item["penalty_max_fen"]
            if c["procedure"] == "simple":
                citizen = kinds[c["party_ids"][0]] in ("natural_person", "individual_business")
                assert c["fine_fen"] <= (20_000 if citizen else 300_000)
        major = c["state"] in ("legal_review", "review_passed", "review_returned", "collective_discussion")
        assert c["is_major"] == (major or (c["fine_fen"] is not None and c["fine_fen"] >= 5_000_000))
    assert fines > len(cases) // 5


def test_statutory_items_carry_the_years_before_the_catalogue(township: Any, items: Any, states: Any) -> None:
    gen = DemoGenerator(3, township, items, states, 2019, 2019)
    cases = list(gen.cases(500, ["p"], ["o1", "o2"]))
    codes = {c["power_item_code"] for c in cases}
    statutory = {i["code"] for i in items if i["mode"] == "法定" and i["item_type"] == "行政处罚"}
    assert codes == statutory
    assert all(c["summary"].startswith("当事人") for c in cases), "unknown party ids are named 当事人"


def test_domain_state_names_and_clues(township: Any, items: Any) -> None:
    gen = DemoGenerator(5, township, items, DOMAIN_STATES, 2024, 2025)
    cases = list(gen.cases(6000, ["p1", "p2"], ["o1", "o2", "o3"]))
    assert set(c["state"] for c in cases) == set(DOMAIN_STATES)
    assert all(c["case_number"] is None for c in cases if c["state"] == "clue")
    assert all(
        c["procedure"] == "simple" for c in cases if c["state"] in ("paid_on_spot", "on_the_spot_decided")
    )


def test_bad_input_is_refused(township: Any, items: Any, states: Any) -> None:
    gen = make(township, items, states)
    with pytest.raises(ValueError, match="两名执法人员"):
        list(gen.cases(1, ["p"], ["o1"]))
    with pytest.raises(ValueError):
        DemoGenerator(1, township, items, [], 2021, 2025)
    with pytest.raises(ValueError, match="doc_prefix"):
        DemoGenerator(1, {k: v for k, v in township.items() if k != "doc_prefix"}, items, states, 2021, 2025)
    unclaimed = [dict(i, claimed=False) for i in items]
    with pytest.raises(ValueError, match="认领"):
        list(DemoGenerator(1, township, unclaimed, states, 2021, 2025).cases(1, ["p"], ["o1", "o2"]))
