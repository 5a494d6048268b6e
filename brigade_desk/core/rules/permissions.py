"""Roles, permissions and the signed-in person.

Permission checks live here and in the services, never only in the GUI: a service called by the
wrong role refuses with a reason (DESIGN.md invariant 7).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from brigade_desk.core.errors import PermissionDenied


class Role(StrEnum):
    OFFICER = "officer"
    LEGAL_REVIEWER = "legal_reviewer"
    LEADER = "leader"
    CLERK = "clerk"
    ADMIN = "admin"


ROLE_LABELS: dict[Role, str] = {
    Role.OFFICER: "执法队员",
    Role.LEGAL_REVIEWER: "法制审核员",
    Role.LEADER: "负责人",
    Role.CLERK: "内勤",
    Role.ADMIN: "管理员",
}


class Permission(StrEnum):
    USERS_MANAGE = "users.manage"
    USERS_VIEW = "users.view"
    SETTINGS_MANAGE = "settings.manage"
    REFERENCE_MANAGE = "reference.manage"
    AUDIT_VIEW = "audit.view"
    BACKUP_MANAGE = "backup.manage"
    DEMO_GENERATE = "demo.generate"
    PARTY_EDIT = "party.edit"
    CASE_VIEW = "case.view"
    CASE_EDIT = "case.edit"
    DASHBOARD_VIEW = "dashboard.view"
    CASE_APPROVE = "case.approve"
    LEGAL_REVIEW = "case.legal_review"
    CASE_DELIVER = "case.deliver"
    CASE_ARCHIVE = "case.archive"
    REPORTER_VIEW = "lead.reporter_view"
    SYNC_EXCHANGE = "sync.exchange"


PERMISSION_LABELS: dict[Permission, str] = {
    Permission.USERS_MANAGE: "管理用户",
    Permission.USERS_VIEW: "查看用户",
    Permission.SETTINGS_MANAGE: "修改设置",
    Permission.REFERENCE_MANAGE: "维护基础数据",
    Permission.AUDIT_VIEW: "查看执法全过程记录",
    Permission.BACKUP_MANAGE: "备份与恢复",
    Permission.DEMO_GENERATE: "生成演示数据",
    Permission.PARTY_EDIT: "登记当事人",
    Permission.CASE_VIEW: "查看案件",
    Permission.CASE_EDIT: "办理案件",
    Permission.DASHBOARD_VIEW: "查看工作台",
    Permission.CASE_APPROVE: "审批案件",
    Permission.LEGAL_REVIEW: "进行法制审核",
    Permission.CASE_DELIVER: "登记送达",
    Permission.CASE_ARCHIVE: "归档案卷",
    Permission.REPORTER_VIEW: "查看举报人身份",
    Permission.SYNC_EXCHANGE: "导出、导入与县级交换的数据包",
}

_EVERYONE = {Permission.CASE_VIEW, Permission.DASHBOARD_VIEW, Permission.USERS_VIEW}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OFFICER: frozenset(
        _EVERYONE
        | {Permission.CASE_EDIT, Permission.PARTY_EDIT, Permission.AUDIT_VIEW, Permission.CASE_DELIVER}
    ),
    Role.LEGAL_REVIEWER: frozenset(_EVERYONE | {Permission.AUDIT_VIEW, Permission.LEGAL_REVIEW}),
    Role.LEADER: frozenset(
        _EVERYONE
        | {Permission.AUDIT_VIEW, Permission.CASE_EDIT, Permission.CASE_APPROVE, Permission.REPORTER_VIEW}
    ),
    Role.CLERK: frozenset(
        _EVERYONE
        | {
            Permission.PARTY_EDIT,
            Permission.AUDIT_VIEW,
            Permission.CASE_DELIVER,
            Permission.CASE_ARCHIVE,
            Permission.SYNC_EXCHANGE,
        }
    ),
    Role.ADMIN: frozenset(
        _EVERYONE
        | {
            Permission.USERS_MANAGE,
            Permission.SETTINGS_MANAGE,
            Permission.REFERENCE_MANAGE,
            Permission.AUDIT_VIEW,
            Permission.BACKUP_MANAGE,
            Permission.DEMO_GENERATE,
            Permission.SYNC_EXCHANGE,
        }
    ),
}


def parse_roles(names: list[str] | tuple[str, ...] | set[str]) -> frozenset[Role]:
    """Role names from user input or storage; an unknown name is refused with the valid ones listed."""
    roles = set()
    for name in names:
        try:
            roles.add(Role(name.strip()))
        except ValueError:
            valid = "、".join(f"{r.value}（{ROLE_LABELS[r]}）" for r in Role)
            raise PermissionDenied(f"未知角色“{name}”；可用角色：{valid}") from None
    return frozenset(roles)


@dataclass(frozen=True)
class Actor:
    """The person on whose behalf a service acts (the one signed in at that moment)."""

    user_id: str
    login: str
    display_name: str
    roles: frozenset[Role] = field(default_factory=frozenset)

    def can(self, permission: Permission) -> bool:
        return any(permission in ROLE_PERMISSIONS[role] for role in self.roles)

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    def roles_label(self) -> str:
        return "、".join(ROLE_LABELS[r] for r in Role if r in self.roles) or "无角色"


def require(actor: Actor, permission: Permission) -> None:
    if not actor.can(permission):
        raise PermissionDenied(
            f"{actor.display_name}（{actor.roles_label()}）无权{PERMISSION_LABELS[permission]}；"
            "请由具有该权限的人员登录后操作"
        )


def system_actor(os_user: str) -> Actor:
    """The command line acts as the operating-system user with admin rights: whoever can run it on
    the store's machine already holds the files (docs/decisions/cli-actor.md). The audit names them."""
    return Actor(
        user_id="", login=f"cli:{os_user}", display_name=f"命令行（{os_user}）", roles=frozenset({Role.ADMIN})
    )
