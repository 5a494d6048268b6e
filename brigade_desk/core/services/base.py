"""What every service shares: the store, the clock, and the permission gate on each operation.

Every public operation of a service is decorated with `@operation(permission)` (checked before
anything else runs) or `@open_operation(reason)` (callable before anyone is signed in, such as
sign-in itself). A test walks every service and proves each operation is one or the other and that
the wrong role is refused.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from brigade_desk.core.errors import StaleEdit
from brigade_desk.core.rules.permissions import Actor, Permission, require
from brigade_desk.core.store import Store
from brigade_desk.core.timeutil import utc_now

P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S", bound="Service")

PERMISSION_ATTR = "__brigade_permission__"
OPEN_ATTR = "__brigade_open_reason__"


class Service:
    def __init__(self, store: Store, clock: Callable[[], datetime] = utc_now) -> None:
        self.store = store
        self.clock = clock


def operation(
    permission: Permission,
) -> Callable[[Callable[Concatenate[S, Actor, P], R]], Callable[Concatenate[S, Actor, P], R]]:
    """Refuse the call unless the actor's roles grant `permission`."""

    def wrap(func: Callable[Concatenate[S, Actor, P], R]) -> Callable[Concatenate[S, Actor, P], R]:
        @functools.wraps(func)
        def checked(self: S, actor: Actor, *args: P.args, **kwargs: P.kwargs) -> R:
            require(actor, permission)
            return func(self, actor, *args, **kwargs)

        setattr(checked, PERMISSION_ATTR, permission)
        return checked  # type: ignore[return-value]  # functools.wraps hides the ParamSpec signature

    return wrap


def open_operation(reason: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Mark an operation that needs no signed-in person, saying why."""

    def wrap(func: Callable[P, R]) -> Callable[P, R]:
        setattr(func, OPEN_ATTR, reason)
        return func

    return wrap


def public_operations(service: Service) -> dict[str, Any]:
    """Every public method of a service instance, by name (for the permission tests)."""
    return {
        name: getattr(service, name)
        for name in dir(type(service))
        if not name.startswith("_") and callable(getattr(type(service), name))
    }


class Versioned(Protocol):
    version: int


def ensure_unchanged(record: Versioned, expected_version: int, what: str) -> None:
    """Refuse a save made from an older copy of `record` (two people editing one case).

    The caller's form keeps what was typed; the message says how to go on.
    """
    if record.version != expected_version:
        raise StaleEdit(
            f"{what}已被他人修改并保存（您打开的是第 {expected_version} 版，现在是第 {record.version} 版）。"
            "您填写的内容仍保留在表单中，请刷新后核对再保存。"
        )
