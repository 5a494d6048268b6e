"""Case states (DOMAIN.md 7.2) with the labels people see.

The transitions and their gates are the case-handling work; this module fixes the names so that
storage, demo data and bundles agree on them from the start.
"""

from __future__ import annotations

from enum import StrEnum


class CaseState(StrEnum):
    # general procedure
    FILED = "filed"
    INVESTIGATING = "investigating"
    INVESTIGATION_CLOSED = "investigation_closed"
    NOTICE_SERVED = "notice_served"
    HEARING = "hearing"
    LEGAL_REVIEW = "legal_review"
    COLLECTIVE_DISCUSSION = "collective_discussion"
    DECIDED = "decided"
    DECISION_SERVED = "decision_served"
    PERFORMING = "performing"
    OVERDUE = "overdue"
    URGED = "urged"
    COURT_APPLIED = "court_applied"
    CLOSED = "closed"
    ARCHIVED = "archived"
    # other endings
    DECIDED_NO_PENALTY = "decided_no_penalty"
    WITHDRAWN = "withdrawn"
    TRANSFERRED = "transferred"
    # simple procedure
    ON_THE_SPOT = "on_the_spot"


STATE_LABELS: dict[CaseState, str] = {
    CaseState.FILED: "已立案",
    CaseState.INVESTIGATING: "调查取证",
    CaseState.INVESTIGATION_CLOSED: "调查终结",
    CaseState.NOTICE_SERVED: "已事先告知",
    CaseState.HEARING: "听证",
    CaseState.LEGAL_REVIEW: "法制审核",
    CaseState.COLLECTIVE_DISCUSSION: "集体讨论",
    CaseState.DECIDED: "已作出决定",
    CaseState.DECISION_SERVED: "决定已送达",
    CaseState.PERFORMING: "履行中",
    CaseState.OVERDUE: "逾期未履行",
    CaseState.URGED: "已催告",
    CaseState.COURT_APPLIED: "已申请强制执行",
    CaseState.CLOSED: "已结案",
    CaseState.ARCHIVED: "已归档",
    CaseState.DECIDED_NO_PENALTY: "不予处罚",
    CaseState.WITHDRAWN: "已销案",
    CaseState.TRANSFERRED: "已移送",
    CaseState.ON_THE_SPOT: "当场处罚",
}

CASE_SOURCES = ("巡查发现", "投诉举报", "12345热线转办", "网格员上报", "部门移送", "上级交办", "媒体", "其他")

TERMINAL_STATES = frozenset(
    {
        CaseState.CLOSED,
        CaseState.ARCHIVED,
        CaseState.DECIDED_NO_PENALTY,
        CaseState.WITHDRAWN,
        CaseState.TRANSFERRED,
    }
)
