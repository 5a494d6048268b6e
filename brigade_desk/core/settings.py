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
        # Local procedure parameters (DOMAIN.md 1.5, 1.8, 7.6); defaults as DOMAIN.md gives them.
        SettingDef("statement_workdays", "陈述申辩期（工作日）", int, 5, 3, 15),
        SettingDef("filing_workdays", "立案审查期限（工作日）", int, 15, 1, 60),
        SettingDef("reporter_reply_workdays", "举报核查答复期限（工作日）", int, 5, 1, 30),
        SettingDef("legal_review_workdays", "法制审核期限（工作日）", int, 7, 1, 30),
        SettingDef("publication_workdays", "处罚决定公示期限（工作日）", int, 7, 1, 20),
        SettingDef("due_soon_workdays", "临期提醒（工作日）", int, 3, 1, 15),
        # APL Art 63 "较大数额": set by each province; defaults from DOMAIN.md 1.5 step 10 (first example).
        SettingDef("hearing_threshold_person_fen", "听证较大数额：公民（分）", int, 1_000_00, 0, None),
        SettingDef(
            "hearing_threshold_org_fen", "听证较大数额：法人和其他组织（分）", int, 30_000_00, 0, None
        ),
        # Major-decision catalogue (DOMAIN.md 2.3, Gongyi defaults); the county's reference data replaces them.
        SettingDef("major_fine_person_fen", "重大执法决定：对公民罚款（分）", int, 10_000_00, 0, None),
        SettingDef(
            "major_fine_org_fen", "重大执法决定：对法人和其他组织罚款（分）", int, 100_000_00, 0, None
        ),
        # A review without the legal-review body head's signature counts as none where this is on.
        SettingDef("review_requires_head_signature", "法制审核须法制机构负责人签名", bool, False),
        SettingDef("approvals_require_signature", "负责人审批须输入密码签名", bool, False),
        # Local rule (e.g. Shenzhen): 不予处罚 and 减轻 are decided by collective discussion.
        SettingDef("discussion_for_no_penalty_and_mitigation", "不予处罚、减轻处罚须集体讨论", bool, True),
    )
}
