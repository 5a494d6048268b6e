"""Case states (DOMAIN.md 7.2) with the labels people see.

The transitions and their gates are the case-handling work; this module fixes the names so that
storage, demo data and bundles agree on them from the start.
"""

from __future__ import annotations

from enum import StrEnum


class CaseState(StrEnum):
    # general procedure
    PENDING_FILING = "pending_filing"
    NOT_FILED = "not_filed"
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
    PAID = "paid"
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
    CaseState.PENDING_FILING: "待审批立案",
    CaseState.NOT_FILED: "不予立案",
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
    CaseState.PAID: "已缴纳",
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
    {CaseState.CLOSED, CaseState.ARCHIVED, CaseState.WITHDRAWN, CaseState.TRANSFERRED, CaseState.NOT_FILED}
)

# Penalty kinds (APL Art 9) a township may impose; the heavier ones give the right to a hearing (Art 63).
PENALTY_KINDS = (
    "警告",
    "通报批评",
    "罚款",
    "没收违法所得",
    "没收非法财物",
    "暂扣许可证件",
    "降低资质等级",
    "吊销许可证件",
    "限制开展生产经营活动",
    "责令停产停业",
    "责令关闭",
    "限制从业",
)
HEARING_KINDS = frozenset(
    {"降低资质等级", "吊销许可证件", "限制开展生产经营活动", "责令停产停业", "责令关闭", "限制从业"}
)
# Outcomes proposed at the end of the investigation (APL Art 57).
OUTCOMES = {
    "penalty": "给予行政处罚",
    "no_penalty": "不予行政处罚",
    "not_established": "违法事实不能成立（销案）",
    "transfer": "移送（涉嫌犯罪或其他机关管辖）",
}
