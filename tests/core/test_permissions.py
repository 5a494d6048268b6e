"""Every service operation checks permission in core: the wrong role is refused with a reason."""

from __future__ import annotations

import pytest

from brigade_desk.core.app import Services
from brigade_desk.core.errors import PermissionDenied
from brigade_desk.core.rules.permissions import ROLE_PERMISSIONS, Actor, Permission, Role
from brigade_desk.core.services.base import OPEN_ATTR, PERMISSION_ATTR, public_operations


def _operations(services: Services) -> list[tuple[str, object]]:
    found = []
    for service in services.all():
        for name, method in public_operations(service).items():
            found.append((f"{type(service).__name__}.{name}", method))
    return found


def test_every_operation_declares_its_permission(sqlite_services: Services) -> None:
    operations = _operations(sqlite_services)
    assert len(operations) > 20
    undeclared = [
        name
        for name, method in operations
        if not hasattr(method, PERMISSION_ATTR) and not hasattr(method, OPEN_ATTR)
    ]
    assert undeclared == []


def test_every_guarded_operation_refuses_every_role_without_the_permission(
    sqlite_services: Services, sqlite_admin: Actor
) -> None:
    checked = 0
    for name, method in _operations(sqlite_services):
        permission: Permission | None = getattr(method, PERMISSION_ATTR, None)
        if permission is None:
            continue
        nobody = Actor("x", "nobody", "无角色人员", frozenset())
        lacking = [
            Actor("y", f"r-{r}", "测试", frozenset({r}))
            for r in Role
            if permission not in ROLE_PERMISSIONS[r]
        ]
        for actor in [nobody, *lacking]:
            with pytest.raises(PermissionDenied) as info:
                method(actor)  # type: ignore[operator]  # refused before the other arguments matter
            assert "无权" in info.value.message, name
            checked += 1
    assert checked > 20


def test_admin_can_do_what_admin_is_granted(sqlite_services: Services, sqlite_admin: Actor) -> None:
    # A granted call goes through the gate to the operation itself.
    assert sqlite_services.users.list_users(sqlite_admin)[0].login == "admin"
    officer = Actor("o", "o", "队员", frozenset({Role.OFFICER}))
    with pytest.raises(PermissionDenied, match="无权管理用户"):
        sqlite_services.users.list_users(officer) and sqlite_services.users.reset_password(
            officer, "admin", "x"
        )
