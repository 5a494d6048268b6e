"""The person signed in at this moment, kept in one place.

Every page and dialog asks this object for the actor when it acts, so an action always runs as the
person signed in when it was taken, even after 切换用户. (Not a database session: the GUI holds none.)
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from brigade_desk.core.app import Services
from brigade_desk.core.rules.permissions import Actor, Permission
from brigade_desk.core.services.setup import OrganView


class DeskSession(QObject):
    """The services and the signed-in actor; `actor_changed` fires after 切换用户."""

    actor_changed = Signal()

    def __init__(self, services: Services, actor: Actor, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self._actor = actor
        self._organ: OrganView | None = services.setup.own_organ()

    @property
    def actor(self) -> Actor:
        return self._actor

    @property
    def organ(self) -> OrganView | None:
        return self._organ

    def can(self, permission: Permission) -> bool:
        return self._actor.can(permission)

    def switch_to(self, actor: Actor) -> None:
        self._actor = actor
        self._organ = self.services.setup.own_organ()
        self.actor_changed.emit()

    def person_label(self) -> str:
        """张三（执法队员、内勤）."""
        return f"{self._actor.display_name}（{self._actor.roles_label()}）"
