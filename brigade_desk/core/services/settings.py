"""Reading and changing settings (core.settings declares them)."""

from __future__ import annotations

from typing import Any

from brigade_desk.core import audit
from brigade_desk.core.errors import NotFound, ValidationError
from brigade_desk.core.model import Setting
from brigade_desk.core.rules.permissions import Actor, Permission
from brigade_desk.core.services.base import Service, operation
from brigade_desk.core.settings import SETTINGS, SettingDef
from brigade_desk.core.store import Store


def read_setting(store: Store, key: str) -> Any:
    definition = SETTINGS[key]
    with store.read() as session:
        row = session.get(Setting, key)
        return definition.default if row is None else row.value["v"]


class SettingsService(Service):
    @operation(Permission.DASHBOARD_VIEW)
    def get(self, actor: Actor, key: str) -> Any:
        if key not in SETTINGS:
            raise NotFound(f"没有名为“{key}”的设置")
        return read_setting(self.store, key)

    @operation(Permission.SETTINGS_MANAGE)
    def set(self, actor: Actor, key: str, value: Any) -> None:
        definition = SETTINGS.get(key)
        if definition is None:
            raise NotFound(f"没有名为“{key}”的设置")
        _check_value(definition, value)
        with self.store.write() as session:
            row = session.get(Setting, key)
            before = definition.default if row is None else row.value["v"]
            if row is None:
                session.add(Setting(key=key, value={"v": value}, updated_at=self.clock()))
            else:
                row.value, row.updated_at = {"v": value}, self.clock()
            audit.record(
                session,
                actor,
                audit.Change(
                    "setting.set",
                    "setting",
                    key,
                    f"修改设置“{definition.label}”：{before} → {value}",
                    before={"v": before},
                    after={"v": value},
                ),
            )


def _check_value(definition: SettingDef, value: Any) -> None:
    if definition.kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError.single(definition.label, "应为整数")
        if definition.minimum is not None and value < definition.minimum:
            raise ValidationError.single(definition.label, f"不能小于 {definition.minimum}")
        if definition.maximum is not None and value > definition.maximum:
            raise ValidationError.single(definition.label, f"不能大于 {definition.maximum}")
    elif definition.kind is bool and not isinstance(value, bool):
        raise ValidationError.single(definition.label, "应为是或否")
    elif not isinstance(value, definition.kind):
        raise ValidationError.single(definition.label, f"应为{definition.kind.__name__}类型")
