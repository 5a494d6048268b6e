"""Party search as you type (name, pinyin initials, ID number and credit code prefixes), likely
duplicates shown before a new party is saved, and a party's earlier cases."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from brigade_desk.core.app import Services
from brigade_desk.core.errors import PermissionDenied
from brigade_desk.core.rules.permissions import Actor
from brigade_desk.core.services.parties import PartyInput
from brigade_desk.core.services.procedure import FilingInput
from brigade_desk.core.store import Store
from tests.factories import Cast, Clock, cast_of, credit_code, resident_id


@pytest.fixture
def svc(store: Store) -> Services:
    return Services.over(store, Clock(datetime(2025, 9, 22, 2, 0, tzinfo=UTC)))


@pytest.fixture
def cast(svc: Services) -> Cast:
    return cast_of(svc)  # 陈喆 (33010419850612003x) and 临溪县青禾建材有限公司 (91330104MA2B3C4D5x)


def _names(svc: Services, actor: Actor, text: str) -> list[str]:
    return [m.party.name for m in svc.parties.search(actor, text)]


def test_search_by_name_initials_id_and_credit_code(svc: Services, cast: Cast) -> None:
    svc.parties.create(
        cast.officer, PartyInput("natural_person", "陈小明", id_number=resident_id("33010419900101001"))
    )
    officer = cast.officer
    assert _names(svc, officer, "陈") == ["陈喆", "陈小明"]  # name from its start
    assert _names(svc, officer, "青禾") == ["临溪县青禾建材有限公司"]  # then anywhere in the name
    assert _names(svc, officer, "cz") == ["陈喆"]  # pinyin initials
    assert _names(svc, officer, "CX") == ["陈小明"]  # initials in any case
    assert _names(svc, officer, "3301041985") == ["陈喆"]  # ID number prefix
    assert _names(svc, officer, "91330104ma") == ["临溪县青禾建材有限公司"]  # credit code, any case
    assert _names(svc, officer, "  ") == []
    assert _names(svc, officer, "王") == []
    assert _names(svc, officer, "%") == []  # wildcards are text, not patterns


def test_search_counts_each_partys_cases(svc: Services, cast: Cast) -> None:
    svc.procedure.propose_filing(
        cast.officer,
        FilingInput(
            (cast.item_id,), (cast.person_id,), cast.officer_ids, date(2025, 9, 20), "陈喆占道经营案"
        ),
    )
    match = svc.parties.search(cast.officer, "陈喆")[0]
    assert match.case_count == 1
    history = svc.parties.cases_of(cast.officer, cast.person_id)
    assert [(c.case_number, c.summary, c.state_label) for c in history] == [
        ("（未立案）", "陈喆占道经营案", "待审批立案")
    ]
    assert svc.parties.cases_of(cast.officer, cast.company_id) == []


def test_likely_duplicates_before_saving(svc: Services, cast: Cast) -> None:
    same_id = svc.parties.likely_duplicates(
        cast.officer,
        PartyInput("natural_person", "陈哲", id_number=resident_id("33010419850612003").lower()),
    )
    assert [(d.party.name, d.same_identity) for d in same_id] == [("陈喆", True)]
    assert "证件号码相同" in same_id[0].reason

    same_name = svc.parties.likely_duplicates(
        cast.officer, PartyInput("natural_person", "陈喆", id_number=resident_id("33010419900101001"))
    )
    assert [(d.party.name, d.same_identity) for d in same_name] == [("陈喆", False)]
    assert "名称相同" in same_name[0].reason

    company = svc.parties.likely_duplicates(
        cast.officer,
        PartyInput(
            "legal_person",
            "临溪县青禾建材有限责任公司",
            credit_code=credit_code("91330104MA2B3C4D9"),
            legal_representative="周堃",
        ),
    )
    assert company == []  # a different name's initials differ: not flagged on the representative alone
    same_code = svc.parties.likely_duplicates(
        cast.officer,
        PartyInput("legal_person", "另一个名字", credit_code=credit_code("91330104MA2B3C4D5")),
    )
    assert [d.same_identity for d in same_code] == [True]

    stranger = svc.parties.likely_duplicates(
        cast.officer, PartyInput("natural_person", "王小二", id_number=resident_id("33010419900101002"))
    )
    assert stranger == []


def test_reading_parties_needs_case_view(svc: Services, cast: Cast) -> None:
    nobody = Actor("x", "x", "无角色", frozenset())
    with pytest.raises(PermissionDenied):
        svc.parties.search(nobody, "陈")
    with pytest.raises(PermissionDenied):
        svc.parties.likely_duplicates(nobody, PartyInput("natural_person", "陈喆"))
