"""What the discretion service takes and gives: plain frozen dataclasses, never ORM objects.

The service (`core/services/discretion.py`) re-exports every name, so callers import from there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from brigade_desk.core.rules.discretion import CorrectionOrder, DiscretionResult, ImportIssue
from brigade_desk.core.timeutil import format_date

__all__ = [
    "BenchmarkDetail",
    "BenchmarkVersionView",
    "CaseDiscretionState",
    "CaseEvaluation",
    "DiscretionInput",
    "ImportReport",
    "ItemChoice",
    "ItemRow",
    "PriorPenalty",
    "SavedDiscretion",
    "TierRow",
    "VersionEdit",
]


# --- views and inputs -------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchmarkVersionView:
    id: str
    series: str
    version_number: int
    title: str
    issuer: str
    doc_number: str
    effective_from: date
    effective_to: date | None
    source: str
    note: str
    is_starter: bool
    lookback_days: int
    item_count: int
    tier_count: int
    digest: str
    created_at: datetime
    updated_at: datetime
    # Case numbers of the decided cases that used this version (empty: it may be edited or deleted).
    used_by: tuple[str, ...]
    version: int

    @property
    def used(self) -> bool:
        return bool(self.used_by)

    @property
    def label(self) -> str:
        return f"《{self.title}》第{self.version_number}版"

    @property
    def period_text(self) -> str:
        end = format_date(self.effective_to) if self.effective_to else "长期"
        return f"{format_date(self.effective_from)}至{end}"

    @property
    def frozen_reason(self) -> str:
        """Why it cannot be edited or deleted ("" when it can)."""
        if not self.used_by:
            return ""
        shown = "、".join(self.used_by[:3]) + ("等" if len(self.used_by) > 3 else "")
        return (
            f"此版本已被{len(self.used_by)}件案件的处罚决定使用（{shown}），不能修改或删除；"
            "如需调整，请以新的版本号导入新版本"
        )


@dataclass(frozen=True)
class TierRow:
    code: str
    label: str
    condition_text: str
    condition: str  # the expression as written in the exchange file ("" = default tier)
    outcome: str  # 处罚标准 as written in the exchange file
    additional: str


@dataclass(frozen=True)
class ItemRow:
    code: str
    seq: str
    violation: str
    violated_provision: str
    penalty_provision: str
    penalty_kinds: str
    statutory_text: str
    party_kind: str
    tiers: tuple[TierRow, ...]


@dataclass(frozen=True)
class BenchmarkDetail:
    view: BenchmarkVersionView
    items: tuple[ItemRow, ...]


@dataclass(frozen=True)
class ImportReport:
    """What an import did, or would do (dry run); nothing is written when ``errors`` is not empty."""

    dry_run: bool
    # created | replaced | unchanged | refused
    action: str
    errors: tuple[ImportIssue, ...]
    warnings: tuple[ImportIssue, ...]
    benchmark_id: str | None = None
    series: str = ""
    version_number: int = 0
    title: str = ""
    item_count: int = 0
    tier_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def summary(self) -> str:
        if self.errors:
            return f"文件有{len(self.errors)}处错误，未导入任何内容；请逐条改正后重新导入"
        what = (
            f"《{self.title}》第{self.version_number}版（{self.item_count}个事项、{self.tier_count}个阶次）"
        )
        if self.action == "unchanged":
            return f"{what}已在库中，内容相同，无需导入"
        verb = {"created": "导入", "replaced": "替换"}[self.action]
        if self.dry_run:
            return f"检查通过，可以{verb}：{what}" + (
                f"；有{len(self.warnings)}条提示" if self.warnings else ""
            )
        return f"已{verb}{what}" + (f"；有{len(self.warnings)}条提示" if self.warnings else "")


@dataclass(frozen=True)
class VersionEdit:
    """The header fields a reference manager may change on an unused version."""

    title: str
    doc_number: str
    effective_from: date
    effective_to: date | None
    source: str
    note: str


@dataclass(frozen=True)
class ItemChoice:
    """One item an officer may pick, with what the panel must ask for."""

    benchmark_id: str
    series: str
    benchmark_title: str
    is_starter: bool
    code: str
    seq: str
    violation: str
    penalty_provision: str
    statutory_text: str
    party_kind: str  # 不限 / 个人 / 单位
    fine_unit: str  # FineUnitKind value
    # Facts the tiers' conditions mention (registry codes), and measured quantities to enter:
    # the fine's own quantity or base first, then those the conditions use.
    facts: tuple[str, ...]
    quantities: tuple[tuple[str, str, str], ...]  # (code, label, unit)
    uses_priors: bool
    uses_correction_order: bool
    # How well it fits the case's power item and party (0 = no hint); the panel lists the best first.
    score: int = 0

    @property
    def label(self) -> str:
        return f"{self.code}　{self.violation}"


@dataclass(frozen=True)
class DiscretionInput:
    """What an officer gives the engine for a case (or the command line without a case)."""

    item_code: str
    series: str = ""  # "" = the benchmark holding the item (a county's before the starter)
    facts: Mapping[str, bool] = field(default_factory=dict)
    quantities: Mapping[str, str] = field(default_factory=dict)
    violation_date: date | None = None  # None: the case's
    decision_date: date | None = None  # None: today
    correction_order: CorrectionOrder | None = None
    prefer_lighter_later_version: bool = False


@dataclass(frozen=True)
class PriorPenalty:
    case_id: str
    case_number: str
    decided_on: date


@dataclass(frozen=True)
class CaseEvaluation:
    result: DiscretionResult
    priors: tuple[PriorPenalty, ...]
    violation_date: date
    benchmark_id: str


@dataclass(frozen=True)
class SavedDiscretion:
    id: str
    case_id: str
    series: str
    item_code: str
    benchmark_id: str | None
    benchmark_digest: str
    stale_reason: str  # "" while the version it used is unchanged
    inputs: dict[str, Any]
    result: DiscretionResult
    priors: tuple[PriorPenalty, ...]
    proposed_fen: int | None
    proposal_reason: str
    proposal_within_tier: bool | None
    requires_major_review: bool
    saved_at: datetime
    saved_by_name: str
    version: int

    @property
    def amount_fen(self) -> int | None:
        """The amount the officer stands by: the proposal, else the recommendation."""
        return self.proposed_fen if self.proposed_fen is not None else self.result.recommended_fen


@dataclass(frozen=True)
class CaseDiscretionState:
    """What the discretion panel needs when it opens a case."""

    case_id: str
    case_number: str
    violation_date: date | None
    locked_reason: str  # "" while the result may still be saved
    party_names: tuple[str, ...]
    party_is_minor: bool
    power_items: tuple[str, ...]
    saved: SavedDiscretion | None
