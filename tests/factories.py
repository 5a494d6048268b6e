"""Realistic reference data and people for tests that walk cases through the procedure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from stdnum.cn import ric, uscc

from brigade_desk.core.app import Services
from brigade_desk.core.model import PowerItem
from brigade_desk.core.rules.permissions import Actor
from brigade_desk.core.services.parties import PartyInput
from brigade_desk.core.services.users import NewUser
from tests.conftest import initialise

PASSWORD = "Passw0rd1"


def resident_id(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


def credit_code(body17: str) -> str:
    return body17 + uscc.calc_check_digit(body17)


class Clock:
    """A settable clock for services: tests travel in time by assigning `now`."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set_day(self, day: date, hour_utc: int = 2) -> None:
        self.now = datetime(day.year, day.month, day.day, hour_utc, tzinfo=UTC)


@dataclass
class Cast:
    admin: Actor
    officer: Actor  # 张三, lead handler
    officer2: Actor  # 李四
    expired: Actor  # 王五: certificate expired
    leader: Actor  # 赵镇长
    leader2: Actor  # 钱副镇长
    reviewer: Actor  # 孙审核, qualified
    clerk: Actor
    officer_ids: tuple[str, str]
    item_id: str  # claimed, 占道经营, fine 0–? (from DOMAIN-like ranges)
    unclaimed_item_id: str
    person_id: str
    company_id: str


def _user(
    services: Services, admin: Actor, login: str, name: str, roles: tuple[str, ...], **extra: object
) -> Actor:
    services.users.add_user(admin, NewUser(login, name, PASSWORD, roles=roles, **extra))  # type: ignore[arg-type]
    return services.users.sign_in(login, PASSWORD)


def cast_of(services: Services) -> Cast:
    admin = initialise(services)
    cert = {"certificate_valid_from": date(2020, 1, 1), "certificate_valid_to": date(2030, 12, 31)}
    officer = _user(services, admin, "zhangsan", "张三", ("officer",), certificate_no="ZJ10000001", **cert)
    officer2 = _user(services, admin, "lisi", "李四", ("officer",), certificate_no="ZJ10000002", **cert)
    expired = _user(
        services,
        admin,
        "wangwu",
        "王五",
        ("officer",),
        certificate_no="ZJ10000003",
        certificate_valid_from=date(2018, 1, 1),
        certificate_valid_to=date(2024, 12, 31),
    )
    leader = _user(services, admin, "zhao", "赵镇长", ("leader",), is_leader=True)
    leader2 = _user(services, admin, "qian", "钱副镇长", ("leader",), is_leader=True)
    reviewer = _user(services, admin, "sun", "孙审核", ("legal_reviewer",), legal_review_qualified=True)
    clerk = _user(services, admin, "zhou", "周内勤", ("clerk",))
    with services.store.write() as session:
        claimed = PowerItem(
            code="330000-CF-017",
            name="对擅自占用城市道路从事经营活动的处罚",
            item_type="行政处罚",
            legal_basis="《城市道路管理条例》第二十七条、第四十二条",
            source_department="县综合行政执法局",
            mode="下放",
            claimed=True,
            valid_from=date(2022, 1, 1),
            penalty_min_fen=0,
            penalty_max_fen=20_000_00,
        )
        unclaimed = PowerItem(
            code="330000-CF-090",
            name="对未取得建设工程规划许可证进行建设的处罚",
            item_type="行政处罚",
            legal_basis="《城乡规划法》第六十四条",
            source_department="县自然资源和规划局",
            mode="下放",
            claimed=False,
            valid_from=date(2022, 1, 1),
        )
        session.add_all([claimed, unclaimed])
        session.flush()
        item_id, unclaimed_id = claimed.id, unclaimed.id
    person = services.parties.create(
        officer,
        PartyInput(
            "natural_person", "陈喆", id_number=resident_id("33010419850612003"), address="青溪镇东村12号"
        ),
    )
    company = services.parties.create(
        officer,
        PartyInput(
            "legal_person",
            "临溪县青禾建材有限公司",
            credit_code=credit_code("91330104MA2B3C4D5"),
            legal_representative="周堃",
        ),
    )
    return Cast(
        admin,
        officer,
        officer2,
        expired,
        leader,
        leader2,
        reviewer,
        clerk,
        (officer.user_id, officer2.user_id),
        item_id,
        unclaimed_id,
        person.id,
        company.id,
    )
