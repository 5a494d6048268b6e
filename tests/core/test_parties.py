"""Parties: identity numbers validated with python-stdnum; one record per identity; nothing written on error."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from brigade_desk.core.app import Services
from brigade_desk.core.errors import StaleEdit, ValidationError
from brigade_desk.core.model import Party
from brigade_desk.core.rules.permissions import Actor, Role
from brigade_desk.core.services.parties import PartyInput

VALID_ID = "330104199003071234"  # checked below to be valid; built with the GB 11643 check digit
VALID_USCC = "91330185MA2B3C4D5E"


def _fix_check_digits() -> tuple[str, str]:
    from stdnum.cn import ric, uscc

    rid = VALID_ID[:17] + ric.calc_check_digit(VALID_ID)  # takes the number with a check digit
    code = VALID_USCC[:17] + uscc.calc_check_digit(VALID_USCC[:17])
    return rid, code


RID, USCC = _fix_check_digits()


@pytest.fixture
def officer(services: Services, admin: Actor) -> Actor:
    return Actor(admin.user_id, admin.login, admin.display_name, frozenset({Role.OFFICER}))


def _party_count(services: Services) -> int:
    with services.store.read() as session:
        return int(session.execute(select(func.count()).select_from(Party)).scalar_one())


def test_valid_parties_of_every_kind(services: Services, officer: Actor) -> None:
    person = services.parties.create(officer, PartyInput("natural_person", "张喆", id_number=RID.lower()))
    assert person.id_number == RID  # normalised (upper-case X)
    company = services.parties.create(
        officer,
        PartyInput("legal_person", "临溪县某某建材有限公司", credit_code=USCC, legal_representative="王五"),
    )
    assert company.kind_label == "法人"
    shop = services.parties.create(
        officer,
        PartyInput(
            "individual_business",
            "李四",
            id_type="护照",
            id_number="E12345678",
            trade_name="青溪镇阿强小吃店",
        ),
    )
    assert shop.trade_name == "青溪镇阿强小吃店"
    assert _party_count(services) == 3


@pytest.mark.parametrize(
    ("bad", "field", "words"),
    [
        (PartyInput("natural_person", "张三", id_number="33018519900307123"), "证件号码", "18位"),
        (
            PartyInput("natural_person", "张三", id_number=RID[:17] + ("0" if RID[17] != "0" else "1")),
            "证件号码",
            "校验位",
        ),
        (PartyInput("natural_person", "张三", id_number=""), "证件号码", "请填写"),
        (PartyInput("legal_person", "某公司", legal_representative="王五"), "统一社会信用代码", "须填写"),
        (
            PartyInput(
                "legal_person",
                "某公司",
                credit_code=USCC[:17] + ("0" if USCC[17] != "0" else "1"),
                legal_representative="王五",
            ),
            "统一社会信用代码",
            "校验位",
        ),
        (PartyInput("legal_person", "某公司", credit_code=USCC), "法定代表人", "须填写"),
        (PartyInput("alien", "某某"), "当事人类型", "请选择"),
        (PartyInput("natural_person", " ", id_number=RID), "名称", "请填写"),
        (PartyInput("natural_person", "张三", id_number=RID, phone="138-abc"), "联系电话", "只能包含"),
    ],
)
def test_bad_party_refused_with_field_message(
    services: Services, officer: Actor, bad: PartyInput, field: str, words: str
) -> None:
    with pytest.raises(ValidationError) as info:
        services.parties.create(officer, bad)
    messages = {e.field: e.message for e in info.value.errors}
    assert field in messages and words in messages[field]
    assert _party_count(services) == 0


def test_same_identity_is_not_registered_twice(services: Services, officer: Actor) -> None:
    services.parties.create(officer, PartyInput("natural_person", "张三", id_number=RID))
    with pytest.raises(ValidationError, match="已有相同证件的当事人“张三”"):
        services.parties.create(officer, PartyInput("natural_person", "张叁", id_number=RID))
    assert _party_count(services) == 1


def test_update_renames_and_reindexes_the_cases(services: Services, officer: Actor) -> None:
    from datetime import date

    from brigade_desk.core import search
    from brigade_desk.core.model import Case, CaseParty, Organ
    from brigade_desk.core.timeutil import utc_now

    party = services.parties.create(
        officer, PartyInput("natural_person", "张三", id_number=RID, address="东村1号")
    )
    with services.store.write() as session:
        organ_id = session.execute(select(Organ.id).where(Organ.is_self)).scalar_one()
        case = Case(
            organ_id=organ_id,
            source="巡查发现",
            received_at=utc_now(),
            summary="张三占道经营案",
            state="filed",
            violation_date=date(2025, 1, 1),
            created_at=utc_now(),
            updated_at=utc_now(),
        )
        session.add(case)
        session.flush()
        session.add(CaseParty(case_id=case.id, party_id=party.id))
        session.flush()
        search.index_cases(session, [case.id])
        case_id = case.id
    assert [r.id for r in services.cases.search(officer, "张三")] == [case_id]
    updated = services.parties.update(
        officer,
        party.id,
        PartyInput("natural_person", "张叁丰", id_number=RID, address="西村9号"),
        party.version,
    )
    assert updated.name == "张叁丰" and updated.version == party.version + 1
    assert [r.id for r in services.cases.search(officer, "张叁丰")] == [case_id]
    assert [r.id for r in services.cases.search(officer, "西村")] == [case_id]
    assert services.cases.search(officer, "东村1号") == []
    # A save from the older copy is refused, and nothing changes.
    with pytest.raises(StaleEdit):
        services.parties.update(
            officer, party.id, PartyInput("natural_person", "张四", id_number=RID), party.version
        )
    assert services.parties.get(officer, party.id).name == "张叁丰"


def test_update_refuses_bad_input_and_another_persons_identity(services: Services, officer: Actor) -> None:
    a = services.parties.create(officer, PartyInput("natural_person", "甲", id_number=RID))
    other_id = RID[:16] + ("1" if RID[16] != "1" else "2") + "0"
    from stdnum.cn import ric

    other_id = other_id[:17] + ric.calc_check_digit(other_id)
    b = services.parties.create(officer, PartyInput("natural_person", "乙", id_number=other_id))
    with pytest.raises(ValidationError, match="已有相同证件的当事人“甲”"):
        services.parties.update(officer, b.id, PartyInput("natural_person", "乙", id_number=RID), b.version)
    with pytest.raises(ValidationError, match="校验位"):
        services.parties.update(
            officer,
            a.id,
            PartyInput(
                "natural_person", "甲", id_number=RID[:17] + "0" if RID[17] != "0" else RID[:17] + "1"
            ),
            a.version,
        )
    assert services.parties.get(officer, b.id).id_number == other_id


def test_view_carries_the_legal_representatives_id_so_an_edit_keeps_it(
    services: Services, officer: Actor
) -> None:
    data = PartyInput(
        "legal_person",
        "临溪县某某建材有限公司",
        credit_code=USCC,
        legal_representative="王五",
        legal_representative_id=RID,
    )
    company = services.parties.create(officer, data)
    assert services.parties.get(officer, company.id).legal_representative_id == RID
    updated = services.parties.update(
        officer, company.id, PartyInput(**{**data.__dict__, "address": "青溪镇工业园1号"}), company.version
    )
    assert updated.legal_representative_id == RID and updated.address == "青溪镇工业园1号"
