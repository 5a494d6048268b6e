"""Accounts: argon2 passwords, lock-out after wrong passwords, admin reset, lock and unlock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from brigade_desk.core.app import Services
from brigade_desk.core.errors import AuthError, PermissionDenied, ValidationError
from brigade_desk.core.model import AuditEvent, User
from brigade_desk.core.rules.permissions import Actor, Role
from brigade_desk.core.services.users import NewUser, UserView
from brigade_desk.core.store import Store

OFFICER = NewUser(
    "zhangsan",
    "张三",
    "Passw0rd1",
    roles=("officer",),
    certificate_no="ZJ12345678",
)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def _counts(store: Store) -> tuple[int, int]:
    with store.read() as session:
        users = session.execute(select(func.count()).select_from(User)).scalar_one()
        events = session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
        return int(users), int(events)


def test_password_is_stored_only_as_argon2_hash(services: Services, admin: Actor) -> None:
    services.users.add_user(admin, OFFICER)
    with services.store.read() as session:
        stored = session.execute(select(User.password_hash).where(User.login == "zhangsan")).scalar_one()
    assert stored.startswith("$argon2id$") and "Passw0rd1" not in stored
    assert "password" not in " ".join(UserView.__dataclass_fields__)


def test_wrong_then_right_password(services: Services, admin: Actor) -> None:
    services.users.add_user(admin, OFFICER)
    with pytest.raises(AuthError, match="再错 4 次"):
        services.users.sign_in("zhangsan", "wrong")
    actor = services.users.sign_in("zhangsan", "Passw0rd1")
    assert actor.display_name == "张三" and actor.roles == frozenset({Role.OFFICER})


def test_five_wrong_passwords_lock_for_five_minutes(store: Store) -> None:
    clock = Clock()
    services = Services.over(store, clock)
    from tests.conftest import initialise

    admin = initialise(services)
    services.users.add_user(admin, OFFICER)
    for _ in range(4):
        with pytest.raises(AuthError, match="用户名或密码错误"):
            services.users.sign_in("zhangsan", "wrong")
    with pytest.raises(AuthError, match="锁定 5 分钟"):
        services.users.sign_in("zhangsan", "wrong")
    # Locked: even the right password is refused until the time is up.
    clock.now += timedelta(minutes=4, seconds=59)
    with pytest.raises(AuthError, match="已锁定至"):
        services.users.sign_in("zhangsan", "Passw0rd1")
    clock.now += timedelta(seconds=2)
    assert services.users.sign_in("zhangsan", "Passw0rd1").login == "zhangsan"
    failures = [
        h.action for h in services.audit.history(admin, "user", services.users.get_user(admin, "zhangsan").id)
    ]
    assert failures.count("auth.failed") == 5


def test_unknown_login_gives_the_same_message(services: Services, admin: Actor) -> None:
    with pytest.raises(AuthError) as info:
        services.users.sign_in("nobody", "whatever1")
    assert info.value.message == "用户名或密码错误"


def test_admin_reset_and_lock_unlock(services: Services, admin: Actor) -> None:
    services.users.add_user(admin, OFFICER)
    services.users.reset_password(admin, "zhangsan", "NewPassw0rd")
    assert services.users.sign_in("zhangsan", "NewPassw0rd").login == "zhangsan"
    services.users.set_active(admin, "zhangsan", False)
    with pytest.raises(AuthError, match="已停用"):
        services.users.sign_in("zhangsan", "NewPassw0rd")
    services.users.set_active(admin, "zhangsan", True)
    assert services.users.sign_in("zhangsan", "NewPassw0rd").login == "zhangsan"
    with pytest.raises(PermissionDenied):
        services.users.set_active(admin, "admin", False)


def test_change_own_password_needs_the_old_one(services: Services, admin: Actor) -> None:
    services.users.add_user(admin, OFFICER)
    me = services.users.sign_in("zhangsan", "Passw0rd1")
    with pytest.raises(AuthError, match="原密码不正确"):
        services.users.change_own_password(me, "bad-old", "Another1pw")
    services.users.change_own_password(me, "Passw0rd1", "Another1pw")
    assert services.users.confirm_password(me, "Another1pw")
    assert not services.users.confirm_password(me, "Passw0rd1")


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (NewUser("Zhang San", "张三", "Passw0rd1"), "登录名"),
        (NewUser("zhangsan", " ", "Passw0rd1"), "姓名"),
        (NewUser("zhangsan", "张三", "short1"), "密码"),
        (NewUser("zhangsan", "张三", "onlyletters"), "密码"),
        (NewUser("zhangsan", "张三", "Passw0rd1", roles=("boss",)), "角色"),
        (NewUser("zhangsan", "张三", "Passw0rd1", roles=()), "角色"),
        (
            NewUser(
                "zhangsan",
                "张三",
                "Passw0rd1",
                certificate_no="ZJ1",
                certificate_valid_from=datetime(2027, 1, 1).date(),
                certificate_valid_to=datetime(2026, 1, 1).date(),
            ),
            "执法证有效期",
        ),
        (NewUser("zhangsan", "张三", "Passw0rd1", legal_review_qualified=True), "法制审核资格"),
    ],
)
def test_bad_new_user_is_refused_and_nothing_written(
    services: Services, admin: Actor, bad: NewUser, field: str
) -> None:
    before = _counts(services.store)
    with pytest.raises(ValidationError) as info:
        services.users.add_user(admin, bad)
    assert field in [e.field for e in info.value.errors]
    assert _counts(services.store) == before


def test_duplicate_login_is_refused(services: Services, admin: Actor) -> None:
    services.users.add_user(admin, OFFICER)
    before = _counts(services.store)
    with pytest.raises(ValidationError, match="已被使用"):
        services.users.add_user(admin, OFFICER)
    assert _counts(services.store) == before


def test_certificate_validity_on_a_day(services: Services, admin: Actor) -> None:
    view = services.users.add_user(
        admin,
        NewUser(
            "wangwu",
            "王五",
            "Passw0rd1",
            certificate_no="ZJ87654321",
            certificate_valid_from=datetime(2024, 1, 1).date(),
            certificate_valid_to=datetime(2026, 6, 30).date(),
        ),
    )
    assert view.certificate_valid_on(datetime(2026, 6, 30).date())
    assert not view.certificate_valid_on(datetime(2026, 7, 1).date())


def test_one_reading_of_certificate_validity_for_gates_choosers_and_people(
    services: Services, admin: Actor
) -> None:
    from datetime import date

    from brigade_desk.core.rules.gates import OfficerOnDuty

    day = date(2026, 5, 1)
    people = {
        "no_dates": NewUser("nodates", "无日期", "Passw0rd1", certificate_no="33010000001"),
        "expired": NewUser(
            "expired",
            "已过期",
            "Passw0rd1",
            certificate_no="33010000002",
            certificate_valid_from=date(2020, 1, 1),
            certificate_valid_to=date(2026, 4, 30),
        ),
        "open_end": NewUser(
            "openend",
            "无止期",
            "Passw0rd1",
            certificate_no="33010000003",
            certificate_valid_from=date(2026, 5, 1),
        ),
        "no_number": NewUser("nonumber", "无证号", "Passw0rd1"),
    }
    expected = {"no_dates": True, "expired": False, "open_end": True, "no_number": False}
    views = {key: services.users.add_user(admin, user) for key, user in people.items()}
    for key, view in views.items():
        on_duty = OfficerOnDuty(
            view.display_name, view.certificate_no, view.certificate_valid_from, view.certificate_valid_to
        )
        assert view.certificate_valid_on(day) is expected[key], key
        assert on_duty.valid_on(day) is expected[key], key
    clock = Clock()
    clock.now = datetime(2026, 5, 1, 2, 0, tzinfo=UTC)
    on_that_day = Services.over(services.store, clock)
    choices = {c.name: c.valid for c in on_that_day.documents.officer_choices(admin)}
    for key, view in views.items():
        if view.certificate_no:
            assert choices[view.display_name] is expected[key], key
