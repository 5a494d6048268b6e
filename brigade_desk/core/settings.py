"""Settings declared once, with type, default and the Chinese label people see.

Values live in the store's `setting` table (core.services.settings reads and writes them with
permission checks and audit); a missing key means the default.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SettingDef:
    key: str
    label: str
    kind: type
    default: Any
    minimum: int | None = None
    maximum: int | None = None


SETTINGS: dict[str, SettingDef] = {
    s.key: s
    for s in (
        SettingDef("idle_lock_minutes", "无操作自动锁定（分钟，0 为不锁定）", int, 10, 0, 240),
        SettingDef("password_min_length", "密码最少位数", int, 8, 6, 64),
        SettingDef("lockout_attempts", "连续输错密码锁定次数", int, 5, 3, 20),
        SettingDef("lockout_minutes", "密码错误锁定时长（分钟）", int, 5, 1, 1440),
    )
}
