"""Checks a benchmark must pass before it is used, whatever file or store it came from.

The CSV reader checks the spelling of every cell; this module checks what the rows mean together:
ranges inside the statutory range, a 减轻 tier only on a legal ground, no fine in 不予处罚, and so on.
Errors block the import; warnings are shown and the import goes ahead.
"""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from brigade_desk.core.rules.discretion_model import (
    Benchmark,
    BenchmarkItem,
    FineUnitKind,
    OutcomeKind,
    Tier,
    TierKind,
)
from brigade_desk.core.rules.discretion_predicates import (
    FactIs,
    QuantityBand,
    iter_leaves,
    leaf_direction,
)
from brigade_desk.core.rules.discretion_registry import (
    ADDITIONAL_PENALTY_KINDS,
    FORBIDDEN_PENALTY_KINDS,
    PENALTY_KINDS,
    FactDirection,
    StatutoryEffect,
    fact,
    find_quantity,
)

__all__ = ["ImportIssue", "RowMap", "validate_benchmark"]


@dataclass(frozen=True)
class ImportIssue:
    """One problem in an import: the spreadsheet row (1-based, as Excel numbers it), the column, and
    a Chinese message saying what to fix. ``row`` is None for problems not tied to one row."""

    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = f"第{self.row}行" if self.row is not None else "文件"
        column = f"【{self.column}】" if self.column else ""
        return f"{where}{column}：{self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class RowMap:
    """Where each part of a benchmark came from, so semantic errors name a spreadsheet row."""

    meta: Mapping[str, int]
    items: Mapping[str, int]  # item code -> first row of the item
    tiers: Mapping[tuple[str, int], int]  # (item code, tier index) -> row

    @classmethod
    def empty(cls) -> RowMap:
        return cls({}, {}, {})


# Kinds on the light side of 一般 and on the heavy side, for the consistency warnings.
_LIGHT = {TierKind.NO_PENALTY, TierKind.REDUCED, TierKind.MINOR, TierKind.LIGHTER, TierKind.LESS_SERIOUS}
_HEAVY = {TierKind.HEAVIER, TierKind.MORE_SERIOUS, TierKind.SERIOUS}


class _Collector:
    def __init__(self, rows: RowMap) -> None:
        self.rows = rows
        self.errors: list[ImportIssue] = []
        self.warnings: list[ImportIssue] = []

    def meta_error(self, column: str, message: str) -> None:
        self.errors.append(ImportIssue(self.rows.meta.get(column), column, message))

    def item_error(self, item: BenchmarkItem, column: str, message: str) -> None:
        self.errors.append(ImportIssue(self.rows.items.get(item.code), column, message))

    def tier_issue(
        self, item: BenchmarkItem, index: int, column: str, message: str, warning: bool = False
    ) -> None:
        issue = ImportIssue(self.rows.tiers.get((item.code, index)), column, message)
        (self.warnings if warning else self.errors).append(issue)


def validate_benchmark(
    benchmark: Benchmark, rows: RowMap | None = None
) -> tuple[list[ImportIssue], list[ImportIssue]]:
    """Return (errors, warnings) for a benchmark; it may be used only when errors is empty."""
    out = _Collector(rows or RowMap.empty())
    _check_meta(benchmark, out)
    seen: set[str] = set()
    for item in benchmark.items:
        if item.code in seen:
            out.item_error(item, "事项编码", f"事项编码“{item.code}”重复，每个事项只能出现一次")
            continue
        seen.add(item.code)
        _check_item(item, out)
    return out.errors, out.warnings


def _check_meta(benchmark: Benchmark, out: _Collector) -> None:
    for column, value in (
        ("基准名称", benchmark.title),
        ("基准代码", benchmark.series),
        ("制定机关", benchmark.issuer),
    ):
        if not value.strip():
            out.meta_error(column, f"请填写{column}")
    if benchmark.version < 1:
        out.meta_error("版本", "版本必须是正整数")
    if benchmark.effective_to is not None and benchmark.effective_to < benchmark.effective_from:
        out.meta_error("失效日期", "失效日期早于生效日期")
    if not 1 <= benchmark.lookback_days <= 3650:
        out.meta_error("处罚次数追溯天数", "处罚次数追溯天数应在1至3650之间")
    try:
        uuid_module.UUID(benchmark.uuid)
    except ValueError:
        out.meta_error("标识", f"标识“{benchmark.uuid}”不是有效的 UUID；留空将自动生成")
    if not benchmark.items:
        out.errors.append(ImportIssue(None, "", "文件中没有任何裁量事项"))


def _unit_text(item: BenchmarkItem, value: int) -> str:
    whole, rest = divmod(value, 100)
    number = f"{whole}.{rest:02d}".rstrip("0").rstrip(".")
    match item.fine_unit.kind:
        case FineUnitKind.PERCENT_OF_BASE:
            return f"{number}%"
        case FineUnitKind.MULTIPLE_OF_BASE:
            return f"{number}倍"
        case FineUnitKind.PER_UNIT:
            return f"{number}元/{item.fine_unit.unit_label}"
    return f"{number}元"


def _check_item(item: BenchmarkItem, out: _Collector) -> None:
    if not item.code.strip() or any(ch.isspace() for ch in item.code):
        out.item_error(item, "事项编码", "事项编码不能为空，也不能含空格")
    for column, value in (
        ("违法行为", item.violation),
        ("违反条款", item.violated_provision),
        ("处罚依据", item.penalty_provision),
    ):
        if not value.strip():
            out.item_error(item, column, f"请填写{column}")

    for kind in item.penalty_kinds:
        if kind in FORBIDDEN_PENALTY_KINDS:
            out.item_error(item, "处罚种类", f"“{kind}”不能由乡镇作出（行政处罚法第十八条第三款）")
        elif kind not in PENALTY_KINDS:
            out.item_error(item, "处罚种类", f"未知的处罚种类“{kind}”，应为：{'、'.join(PENALTY_KINDS)}")
    if "罚款" not in item.penalty_kinds:
        out.item_error(item, "处罚种类", "处罚种类须包含“罚款”：裁量基准按罚款幅度分档")

    _check_fine_unit(item, out)
    _check_statutory_range(item, out)

    if not item.tiers:
        out.item_error(item, "裁量阶次", "该事项没有任何裁量阶次")
    defaults = [index for index, tier in enumerate(item.tiers) if tier.condition is None]
    for index in defaults[1:]:
        out.tier_issue(item, index, "条件表达式", "同一事项只能有一个不填条件表达式的默认阶次")
    codes: set[str] = set()
    for index, tier in enumerate(item.tiers):
        if tier.code in codes:
            out.tier_issue(item, index, "阶次编码", f"阶次编码“{tier.code}”在本事项中重复")
        codes.add(tier.code)
        _check_tier(item, index, tier, out)
    _check_order(item, out)


def _check_fine_unit(item: BenchmarkItem, out: _Collector) -> None:
    unit = item.fine_unit
    if unit.kind is FineUnitKind.FIXED:
        if unit.quantity:
            out.item_error(item, "计量名称", "固定金额的事项不需要计量名称")
        if item.cap_fen is not None:
            out.item_error(item, "总额上限", "固定金额的事项不需要总额上限，法定上限即是上限")
        return
    if not unit.quantity:
        out.item_error(item, "计量名称", f"“{unit.kind.label}”的事项须填写计量名称")
        return
    registered = find_quantity(unit.quantity)
    if unit.kind is FineUnitKind.PER_UNIT:
        if registered is not None and registered.is_money:
            out.item_error(
                item, "计量名称", f"“{registered.label}”是金额，应使用“按基数百分比”或“按基数倍数”"
            )
        if not unit.unit_label:
            out.item_error(item, "计量单位", "按数量计罚的事项须填写计量单位，如 平方米、处")
    elif registered is None or not registered.is_money:
        out.item_error(
            item,
            "计量名称",
            f"按基数计罚的基数须是登记的金额，如 工程造价、违法所得、货值金额，收到“{unit.quantity}”",
        )


def _check_statutory_range(item: BenchmarkItem, out: _Collector) -> None:
    if item.statutory_max <= 0:
        out.item_error(item, "法定上限", "法定上限必须大于0")
    if item.max_only:
        if item.statutory_min not in (None, 0):
            out.item_error(item, "法定下限", "仅规定最高额的事项，法定下限应留空")
    elif item.statutory_min is None:
        out.item_error(item, "法定下限", "请填写法定下限；法律只规定最高额的，请在“仅规定上限”填“是”")
    elif item.statutory_min > item.statutory_max:
        out.item_error(item, "法定下限", "法定下限大于法定上限")
    if item.cap_fen is not None and item.cap_fen <= 0:
        out.item_error(item, "总额上限", "总额上限必须大于0")


def _check_tier(item: BenchmarkItem, index: int, tier: Tier, out: _Collector) -> None:
    outcome = tier.outcome
    if not tier.condition_text.strip():
        out.tier_issue(item, index, "适用条件", "请填写适用条件的文字说明")

    # APL Art 33: 不予处罚 means no penalty of any kind.
    if tier.kind is TierKind.NO_PENALTY and outcome.kind is not OutcomeKind.NO_PENALTY:
        out.tier_issue(
            item, index, "处罚标准", "“不予处罚”阶次的处罚标准只能是“不予处罚”（行政处罚法第三十三条）"
        )
    if outcome.kind is OutcomeKind.NO_PENALTY:
        if tier.kind not in (TierKind.NO_PENALTY, TierKind.MINOR):
            out.tier_issue(
                item,
                index,
                "处罚标准",
                f"“{tier.kind.label}”阶次不能不予处罚；不予处罚请用“不予处罚”或“情节轻微”阶次",
            )
        if tier.additional_penalties:
            out.tier_issue(item, index, "附加处罚", "不予处罚的阶次不能有附加处罚")
        if tier.condition is None:
            out.tier_issue(item, index, "条件表达式", "不予处罚的阶次必须填写条件表达式，不能作为默认阶次")

    if outcome.kind is OutcomeKind.WARNING:
        if not item.fine_optional and tier.kind is not TierKind.REDUCED:
            out.tier_issue(
                item,
                index,
                "处罚标准",
                "法律规定必须罚款的事项，只有“减轻”阶次可以只给予警告；法律规定“可以”罚款的，请在“罚款可选”填“是”",
            )
        if "警告" not in item.penalty_kinds:
            out.tier_issue(item, index, "处罚标准", "该事项的处罚种类不含“警告”，不能只给予警告")

    _check_outcome_values(item, index, tier, out)

    for penalty in tier.additional_penalties:
        if penalty.kind not in ADDITIONAL_PENALTY_KINDS:
            out.tier_issue(
                item,
                index,
                "附加处罚",
                f"未知的附加处罚“{penalty.kind}”，应为：{'、'.join(ADDITIONAL_PENALTY_KINDS)}",
            )
        elif penalty.kind not in item.penalty_kinds:
            out.tier_issue(item, index, "附加处罚", f"附加处罚“{penalty.kind}”不在该事项的处罚种类中")

    if tier.condition is not None:
        _check_condition(item, index, tier, out)
    if tier.kind is TierKind.REDUCED and not _has_reduction_ground(tier):
        out.tier_issue(
            item,
            index,
            "条件表达式",
            "“减轻”阶次的条件须包含法定减轻情节（行政处罚法第三十条至第三十二条），如 主动消除危害后果、受胁迫诱骗",
        )


def _has_reduction_ground(tier: Tier) -> bool:
    if tier.condition is None:
        return False
    return any(
        positive and isinstance(leaf, FactIs) and fact(leaf.fact).effect is StatutoryEffect.REDUCTION_GROUND
        for leaf, positive in iter_leaves(tier.condition)
    )


def _check_outcome_values(item: BenchmarkItem, index: int, tier: Tier, out: _Collector) -> None:
    outcome = tier.outcome
    column = "处罚标准"
    if outcome.kind is OutcomeKind.FRACTION:
        if outcome.low is None and outcome.high is None:
            if item.formula is None:
                out.tier_issue(
                    item, index, column, "“公式”未写比例时，须在“默认公式”填写 三七分 或 最高额比例"
                )
            elif item.formula.band(tier.kind) is None:
                out.tier_issue(
                    item,
                    index,
                    column,
                    f"默认公式“{item.formula.label}”没有规定“{tier.kind.label}”阶次的比例，请写明，如 公式 40%-60%",
                )
            return
        low, high = outcome.low, outcome.high
        if low is None or high is None or not 0 <= low <= high <= 10000:
            out.tier_issue(item, index, column, "公式比例应为 0%至100% 之间的区间，下限不大于上限")
        if tier.kind is TierKind.REDUCED:
            out.tier_issue(
                item, index, column, "“减轻”阶次低于法定最低额，不能用法定幅度的比例表示，请写明金额幅度"
            )
        return
    if outcome.kind not in (OutcomeKind.POINT, OutcomeKind.RANGE):
        return
    low = outcome.low
    high = outcome.high if outcome.kind is OutcomeKind.RANGE else outcome.low
    if low is None or high is None:
        out.tier_issue(item, index, column, "请填写处罚标准的金额")
        return
    if low < 0 or high < low:
        out.tier_issue(item, index, column, "处罚标准的下限大于上限")
        return
    if high > item.statutory_max:
        out.tier_issue(item, index, column, f"处罚标准超过法定上限 {_unit_text(item, item.statutory_max)}")
    minimum = item.statutory_min or 0
    if tier.kind is TierKind.REDUCED:
        if item.max_only:
            out.tier_issue(
                item,
                index,
                column,
                "仅规定最高额的事项没有法定最低额，减轻处罚只能选择较轻的处罚种类（处罚标准填“警告”）",
            )
        elif low >= minimum:
            out.tier_issue(
                item, index, column, "“减轻”阶次的幅度不低于法定下限，实际是从轻处罚", warning=True
            )
    elif low < minimum:
        out.tier_issue(
            item,
            index,
            column,
            f"处罚标准低于法定下限 {_unit_text(item, minimum)}；只有“减轻”阶次可以低于法定下限（行政处罚法第三十条至第三十二条）",
        )
    if low == 0 and tier.kind is not TierKind.REDUCED:
        out.tier_issue(item, index, column, "罚款金额为0：不罚款请用“不予处罚”或“警告”", warning=True)


def _check_condition(item: BenchmarkItem, index: int, tier: Tier, out: _Collector) -> None:
    assert tier.condition is not None
    for leaf, positive in iter_leaves(tier.condition):
        if isinstance(leaf, QuantityBand):
            if find_quantity(leaf.quantity) is None and leaf.quantity != item.fine_unit.quantity:
                out.tier_issue(
                    item, index, "条件表达式", f"计量名称“{leaf.quantity}”既未登记，也不是本事项的计量名称"
                )
            continue
        if isinstance(leaf, FactIs) and fact(leaf.fact).code == "statement_made":
            out.tier_issue(
                item,
                index,
                "条件表达式",
                "不得因当事人陈述、申辩而给予更重的处罚（行政处罚法第四十五条），条件中不能使用“陈述申辩”",
            )
            continue
        direction = leaf_direction(leaf)
        # A benchmark whose lighter tiers ask for aggravating facts (or the reverse) lets an added
        # aggravating fact lower the fine; warn, the county may have meant it differently.
        if positive and direction is FactDirection.AGGRAVATING and tier.kind in _LIGHT:
            out.tier_issue(
                item,
                index,
                "条件表达式",
                f"较轻的“{tier.kind.label}”阶次以从重情节为条件，增加从重情节可能反而减轻处罚，请核对",
                warning=True,
            )
        if positive and direction is FactDirection.MITIGATING and tier.kind in _HEAVY:
            out.tier_issue(
                item,
                index,
                "条件表达式",
                f"较重的“{tier.kind.label}”阶次以从轻情节为条件，请核对",
                warning=True,
            )


def _check_order(item: BenchmarkItem, out: _Collector) -> None:
    """Warn when a heavier tier's fixed amounts lie below a lighter tier's (a typo, usually)."""
    previous: tuple[int, int, str] | None = None
    fixed = [
        (tier.kind.rank, tier.outcome.low, index, tier.kind.label)
        for index, tier in enumerate(item.tiers)
        if tier.outcome.kind in (OutcomeKind.POINT, OutcomeKind.RANGE) and tier.outcome.low is not None
    ]
    for rank, low, index, label in sorted(fixed, key=lambda entry: (entry[0], entry[2])):
        assert low is not None
        if previous is not None and rank > previous[0] and low < previous[1]:
            out.tier_issue(
                item,
                index,
                "处罚标准",
                f"“{label}”阶次的金额低于较轻的“{previous[2]}”阶次，请核对",
                warning=True,
            )
        previous = (rank, low, label)
