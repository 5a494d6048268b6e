"""Parties: identity numbers validated with python-stdnum; one record per identity; nothing written on error."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from brigade_desk.core.app import Services
from brigade_desk.core.errors import ValidationError
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
