"""The discretion engine: from a benchmark, an item and a case's facts to a tier, an allowed range, a
recommended fine with the rule that chose it, and a paragraph of Chinese that explains it.

How a tier is chosen (docs/decisions/discretion-tier-selection.md has the reasons):

1. Facts to which the Administrative Penalty Law itself attaches no penalty (party under 14, unable
   to recognise or control own acts, no subjective fault proven) decide alone: no penalty.
2. Every tier whose condition holds is a candidate; a 减轻 tier only when a legal ground of APL
   Art 30-32 is among the true facts.
3. A candidate whose outcome is 不予处罚 wins (APL Art 33: where its conditions hold, no penalty).
4. Otherwise the heaviest candidate wins (tier rank, then recommended amount, then table order): an
   aggravating circumstance is never outweighed by a lighter tier's match. Conflicting circumstances
   produce a warning so that the officer weighs them and states the reason for any other amount.
5. With no candidate, the tier without a condition (the default, usually 一般) applies.

Hard limits are applied after the tier's numbers: never above the statutory maximum; below the
statutory minimum only in a 减轻 tier with a legal ground; nothing at all in 不予处罚.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from brigade_desk.core.rules.discretion_model import (
    Benchmark,
    BenchmarkItem,
    FineUnitKind,
    OutcomeKind,
    RecommendAt,
    Tier,
    TierKind,
)
from brigade_desk.core.rules.discretion_predicates import (
    CorrectionOrder,
    EvaluationContext,
    RefusedCorrection,
    evaluate_predicate,
    iter_leaves,
)
from brigade_desk.core.rules.discretion_registry import (
    APL,
    FACTS,
    FactDef,
    FactDirection,
    StatutoryEffect,
    find_fact,
    find_quantity,
)
from brigade_desk.core.rules.money import amount_in_capitals, format_yuan, round_to_yuan

__all__ = [
    "DiscretionInputError",
    "DiscretionResult",
    "EvaluationInputs",
    "ProposalCheck",
    "Rule",
    "check_proposed_amount",
    "evaluate",
    "evaluate_inputs",
    "priors_from_count",
]

QuantityValue = Decimal | int | float | str


class DiscretionInputError(ValueError):
    """Input the engine cannot work with; ``message`` is Chinese, ``field`` names the input."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Rule:
    """Codes for the rule that produced the recommendation (stable strings, stored with results)."""

    STATUTORY_NO_PENALTY = "statutory_no_penalty"
    TIER_NO_PENALTY = "tier_no_penalty"
    TIER_WARNING = "tier_warning"
    TIER_POINT = "tier_point"
    TIER_RANGE_LOW = "tier_range_low"
    TIER_RANGE_MID = "tier_range_mid"
    TIER_RANGE_HIGH = "tier_range_high"
    STATUTORY_FIXED = "statutory_fixed"
    NO_TIER = "no_tier"


# --------------------------------------------------------------------------------------------
# Inputs and results


@dataclass(frozen=True)
class EvaluationInputs:
    """Everything an evaluation used, normalised; saved with the result on the case."""

    item_code: str
    violation_date: date
    facts: tuple[tuple[str, bool], ...] = ()  # registry codes, sorted
    quantities: tuple[tuple[str, str], ...] = ()  # code -> decimal text, sorted
    prior_penalty_dates: tuple[date, ...] = ()
    correction_order: CorrectionOrder | None = None
    decision_date: date | None = None
    prefer_lighter_later_version: bool = False

    def to_dict(self) -> dict[str, Any]:
        order = self.correction_order
        return {
            "item_code": self.item_code,
            "violation_date": self.violation_date.isoformat(),
            "facts": dict(self.facts),
            "quantities": dict(self.quantities),
            "prior_penalty_dates": [day.isoformat() for day in self.prior_penalty_dates],
            "correction_order": None
            if order is None
            else {
                "served_on": order.served_on.isoformat(),
                "corrected_on": _iso(order.corrected_on),
                "recurred_on": _iso(order.recurred_on),
                "checked_on": _iso(order.checked_on),
            },
            "decision_date": _iso(self.decision_date),
            "prefer_lighter_later_version": self.prefer_lighter_later_version,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EvaluationInputs:
        order = data.get("correction_order")
        return cls(
            item_code=str(data["item_code"]),
            violation_date=date.fromisoformat(data["violation_date"]),
            facts=tuple(sorted((str(k), bool(v)) for k, v in dict(data.get("facts", {})).items())),
            quantities=tuple(sorted((str(k), str(v)) for k, v in dict(data.get("quantities", {})).items())),
            prior_penalty_dates=tuple(date.fromisoformat(d) for d in data.get("prior_penalty_dates", [])),
            correction_order=None
            if order is None
            else CorrectionOrder(
                served_on=date.fromisoformat(order["served_on"]),
                corrected_on=_from_iso(order.get("corrected_on")),
                recurred_on=_from_iso(order.get("recurred_on")),
                checked_on=_from_iso(order.get("checked_on")),
            ),
            decision_date=_from_iso(data.get("decision_date")),
            prefer_lighter_later_version=bool(data.get("prefer_lighter_later_version", False)),
        )


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _from_iso(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


@dataclass(frozen=True)
class DiscretionResult:
    """What the engine decided, and why. Money in fen. ``to_dict`` gives JSON-ready data."""

    benchmark_uuid: str
    benchmark_series: str
    benchmark_version: int
    benchmark_title: str
    benchmark_doc_number: str
    item_code: str
    item_seq: str
    violation: str
    penalty_provision: str
    tier_code: str | None  # None: statutory no-penalty, or no tier of the benchmark applies
    tier_kind: str | None  # TierKind value
    tier_label: str | None  # 从轻, 情节较重 ...
    tier_condition_text: str | None
    no_penalty: bool
    fine_optional: bool
    statutory_min_fen: int
    statutory_max_fen: int
    tier_min_fen: int | None  # the allowed range of the tier (0..0 for no fine)
    tier_max_fen: int | None
    recommended_fen: int | None  # None only when no tier applies and the statute gives a range
    rule: str  # a Rule code
    rule_text: str  # the same in Chinese, with the computation
    penalties: tuple[str, ...]  # penalties to impose: 罚款 / 警告 and the additional ones
    additional_penalties: tuple[str, ...]
    reduction_grounds: tuple[str, ...]  # legal grounds present (APL Art 30-32), with citations
    below_minimum_allowed: bool
    prior_penalty_count: int
    lookback_days: int
    circumstances: tuple[str, ...]
    requires_collective_discussion: bool
    warnings: tuple[str, ...]
    explanation: str
    inputs: EvaluationInputs
    lighter_version_applied: bool = False
    alternative: DiscretionResult | None = None  # the other version's result (APL Art 37)

    @property
    def recommended_text(self) -> str:
        """1,000.00元（大写：壹仟元整）, or 不予处罚 / 警告."""
        if self.no_penalty:
            return "不予处罚"
        if self.recommended_fen is None:
            return "（基准未规定，须在法定幅度内裁量）"
        if self.recommended_fen == 0:
            return "警告" if "警告" in self.penalties else "不罚款"
        return f"{format_yuan(self.recommended_fen)}（大写：{amount_in_capitals(self.recommended_fen)}）"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if name == "inputs":
                out[name] = self.inputs.to_dict()
            elif name == "alternative":
                out[name] = value.to_dict() if value is not None else None
            elif isinstance(value, tuple):
                out[name] = list(value)
            else:
                out[name] = value
        # Ready-made text for a CLI or a form field; ignored by from_dict.
        out["recommended_text"] = self.recommended_text
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DiscretionResult:
        values: dict[str, Any] = {}
        for name in cls.__dataclass_fields__:
            if name not in data:
                continue
            value = data[name]
            if name == "inputs":
                value = EvaluationInputs.from_dict(value)
            elif name == "alternative":
                value = cls.from_dict(value) if value is not None else None
            elif isinstance(value, list):
                value = tuple(value)
            values[name] = value
        return cls(**values)


@dataclass(frozen=True)
class ProposalCheck:
    """The verdict on an amount an officer proposes instead of (or equal to) the recommendation."""

    accepted: bool
    within_tier: bool
    requires_reason: bool
    requires_major_review: bool  # legal review (法制审核) and collective discussion (集体讨论)
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "within_tier": self.within_tier,
            "requires_reason": self.requires_reason,
            "requires_major_review": self.requires_major_review,
            "message": self.message,
        }


# --------------------------------------------------------------------------------------------
# Normalising inputs


def priors_from_count(count: int, violation_date: date) -> tuple[date, ...]:
    """Prior penalty dates for callers that only know a count (the CLI's --party-priors N): N
    penalties dated on the violation day, which every look-back window includes."""
    if count < 0:
        raise DiscretionInputError("处罚次数不能为负数", "prior_penalty_dates")
    return (violation_date,) * count


def _normalise_facts(facts: Mapping[str, bool] | None) -> dict[str, bool]:
    out: dict[str, bool] = {}
    for name, value in (facts or {}).items():
        found = find_fact(name)
        if found is None:
            raise DiscretionInputError(f"未知的情节“{name}”", "facts")
        if found.derived:
            raise DiscretionInputError(f"“{found.short}”由处罚记录自动认定，不能直接填写", "facts")
        if not isinstance(value, bool):
            raise DiscretionInputError(f"情节“{found.short}”的值应为是或否，收到 {value!r}", "facts")
        out[found.code] = value
    return out


def _normalise_quantities(
    quantities: Mapping[str, QuantityValue] | None, own_quantities: set[str]
) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for name, value in (quantities or {}).items():
        registered = find_quantity(name)
        if registered is not None:
            code = registered.code
        elif name in own_quantities:
            # A quantity the item itself declares (not in the registry).
            code = name
        else:
            raise DiscretionInputError(f"未知的计量名称“{name}”", "quantities")
        if isinstance(value, bool):
            raise DiscretionInputError(f"“{name}”应为数字，收到 {value!r}", "quantities")
        try:
            number = Decimal(str(value).strip().replace(",", ""))
        except InvalidOperation:
            raise DiscretionInputError(f"“{name}”应为数字，收到 {value!r}", "quantities") from None
        if not number.is_finite() or number < 0:
            raise DiscretionInputError(f"“{name}”应为不小于0的数字，收到 {value!r}", "quantities")
        out[code] = number
    return out


# --------------------------------------------------------------------------------------------
# Money arithmetic in exact fen


def _to_fen(item: BenchmarkItem, value: int | Decimal, amount: Decimal | None) -> Decimal:
    """A value in hundredths of the item unit as exact fen for the measured amount."""
    match item.fine_unit.kind:
        case FineUnitKind.FIXED:
            return Decimal(value)
        case FineUnitKind.PER_UNIT:
            assert amount is not None
            return Decimal(value) * amount
        case FineUnitKind.PERCENT_OF_BASE:
            # base in yuan x 100 fen/yuan x value/10000 (basis points)
            assert amount is not None
            return amount * Decimal(value) / 100
        case FineUnitKind.MULTIPLE_OF_BASE:
            # base in yuan x 100 fen/yuan x value/100 (hundredths of a multiple)
            assert amount is not None
            return amount * Decimal(value)
    raise AssertionError(item.fine_unit.kind)


def _ceil(value: Decimal) -> int:
    return math.ceil(value)


def _floor(value: Decimal) -> int:
    return math.floor(value)


@dataclass(frozen=True)
class _Statute:
    min_exact: Decimal
    max_exact: Decimal
    min_fen: int
    max_fen: int
    amount: Decimal | None  # the measured quantity or base, for per-unit and base items


def _statute(item: BenchmarkItem, quantities: Mapping[str, Decimal]) -> _Statute:
    amount: Decimal | None = None
    if item.fine_unit.kind is not FineUnitKind.FIXED:
        code = item.fine_unit.quantity
        amount = quantities.get(code)
        registered = find_quantity(code)
        label = registered.label if registered is not None else code
        unit = item.fine_unit.unit_label or (registered.unit_label if registered else "")
        if amount is None:
            raise DiscretionInputError(
                f"请填写{label}（{unit}）：本事项{item.fine_unit.kind.label}计罚", "quantities"
            )
        if amount <= 0:
            raise DiscretionInputError(f"{label}须大于0：本事项{item.fine_unit.kind.label}计罚", "quantities")
    low = _to_fen(item, item.statutory_min or 0, amount)
    high = _to_fen(item, item.statutory_max, amount)
    if item.cap_fen is not None:
        high = min(high, Decimal(item.cap_fen))
        low = min(low, high)
    min_fen, max_fen = _ceil(low), _floor(high)
    # A range narrower than one fen (a tiny base) rounds inwards past itself; keep it a point.
    return _Statute(low, high, min(min_fen, max_fen), max_fen, amount)


@dataclass(frozen=True)
class _TierFigures:
    low: int
    high: int
    recommended: int
    rule: str
    rule_text: str


def _tier_figures(
    item: BenchmarkItem, tier: Tier, statute: _Statute, reduction_allowed: bool
) -> _TierFigures:
    outcome = tier.outcome
    if outcome.kind is OutcomeKind.NO_PENALTY:
        return _TierFigures(0, 0, 0, Rule.TIER_NO_PENALTY, "基准规定不予处罚")
    if outcome.kind is OutcomeKind.WARNING:
        return _TierFigures(0, 0, 0, Rule.TIER_WARNING, "基准规定给予警告，不罚款")
    if outcome.kind is OutcomeKind.POINT:
        assert outcome.low is not None
        exact = _to_fen(item, outcome.low, statute.amount)
        low = high = int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    elif outcome.kind is OutcomeKind.RANGE:
        assert outcome.low is not None and outcome.high is not None
        low = _ceil(_to_fen(item, outcome.low, statute.amount))
        high = _floor(_to_fen(item, outcome.high, statute.amount))
    else:  # FRACTION: a part of the statutory range
        if outcome.low is not None and outcome.high is not None:
            band = (outcome.low, outcome.high)
        else:
            default = item.formula.band(tier.kind) if item.formula is not None else None
            if default is None:
                raise DiscretionInputError(f"事项{item.code}的阶次{tier.code}缺少公式比例", "benchmark")
            band = default
        span = statute.max_exact - statute.min_exact
        low = _ceil(statute.min_exact + span * band[0] / 10000)
        high = _floor(statute.min_exact + span * band[1] / 10000)

    # Hard limits: never above the statutory maximum; below the minimum only when reducing lawfully.
    high = min(high, statute.max_fen)
    if not reduction_allowed:
        low = max(low, statute.min_fen)
    low = min(low, high)

    if low == high:
        # Only a point outcome carries a rate worth spelling out; a range squeezed to one amount does not.
        value = outcome.low if outcome.kind is OutcomeKind.POINT else None
        return _TierFigures(low, high, low, Rule.TIER_POINT, _point_text(item, value, statute))
    match outcome.recommend:
        case RecommendAt.LOW:
            return _TierFigures(low, high, low, Rule.TIER_RANGE_LOW, "取裁量幅度的下限")
        case RecommendAt.HIGH:
            return _TierFigures(low, high, high, Rule.TIER_RANGE_HIGH, "取裁量幅度的上限")
    middle = min(max(round_to_yuan(Decimal(low + high) / 2), low), high)
    return _TierFigures(low, high, middle, Rule.TIER_RANGE_MID, "取裁量幅度的中间值，取整到元")


def _decimal_text(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _amount_text(code: str, value: Decimal, unit_label: str = "") -> str:
    """A measured amount with its unit; money bases get thousands separators: 1,000,000元."""
    registered = find_quantity(code)
    text = _decimal_text(value)
    if registered is not None and registered.is_money:
        whole, dot, fraction = text.partition(".")
        return f"{int(whole):,}{dot}{fraction}元"
    return f"{text}{unit_label or (registered.unit_label if registered is not None else '')}"


def _point_text(item: BenchmarkItem, value: int | None, statute: _Statute) -> str:
    if value is None or statute.amount is None:
        return "按阶次规定的处罚标准"
    registered = find_quantity(item.fine_unit.quantity)
    label = registered.label if registered is not None else item.fine_unit.quantity
    unit = item.fine_unit.unit_label
    amount = _amount_text(item.fine_unit.quantity, statute.amount, unit)
    match item.fine_unit.kind:
        case FineUnitKind.PER_UNIT:
            return f"按每{unit}{format_yuan(value)}×{amount}计算"
        case FineUnitKind.PERCENT_OF_BASE:
            return f"按{label}{amount}×{_decimal_text(Decimal(value) / 100)}%计算"
        case FineUnitKind.MULTIPLE_OF_BASE:
            return f"按{label}{amount}×{_decimal_text(Decimal(value) / 100)}倍计算"
    return "按阶次规定的处罚标准"


# --------------------------------------------------------------------------------------------
# Evaluation


@dataclass
class _Run:
    """One evaluation against one benchmark version."""

    benchmark: Benchmark
    item: BenchmarkItem
    inputs: EvaluationInputs
    facts: dict[str, bool]
    quantities: dict[str, Decimal]
    warnings: list[str] = field(default_factory=list)


def _true_facts(facts: Mapping[str, bool]) -> list[FactDef]:
    return [entry for entry in FACTS if facts.get(entry.code)]


def _evaluate_version(run: _Run) -> DiscretionResult:
    benchmark, item, inputs = run.benchmark, run.item, run.inputs
    context = EvaluationContext(
        facts=run.facts,
        quantities=run.quantities,
        prior_penalty_dates=inputs.prior_penalty_dates,
        violation_date=inputs.violation_date,
        default_lookback_days=benchmark.lookback_days,
        correction_order=inputs.correction_order,
    )
    prior_count = context.prior_count(None)
    facts = dict(run.facts)
    facts["first_violation"] = prior_count == 0
    context.facts = facts
    statute = _statute(item, run.quantities)
    true_facts = _true_facts(facts)
    circumstances = _circumstances(run, true_facts, prior_count)
    grounds = [entry for entry in true_facts if entry.effect is StatutoryEffect.REDUCTION_GROUND]

    def result(
        tier: Tier | None,
        figures: _TierFigures | None,
        no_penalty: bool,
        rule: str,
        rule_text: str,
        explanation_tail: str,
    ) -> DiscretionResult:
        reduction = tier is not None and tier.kind is TierKind.REDUCED
        penalties: tuple[str, ...] = ()
        additional = tuple(p.text for p in tier.additional_penalties) if tier is not None else ()
        if not no_penalty:
            if tier is not None and tier.outcome.kind is OutcomeKind.WARNING:
                penalties = ("警告", *additional)
            else:
                penalties = ("罚款", *additional)
        recommended = figures.recommended if figures is not None else None
        discussion = benchmark.discuss_no_penalty_and_reduction and (no_penalty or reduction)
        for missing in sorted(context.missing_quantities):
            registered = find_quantity(missing)
            run.warnings.append(
                f"未填写{registered.label if registered else missing}，相关阶次条件按不满足处理"
            )
        # The law's own no-penalty grounds are not the benchmark's doing: do not cite it for them.
        cite = rule != Rule.STATUTORY_NO_PENALTY
        explanation = _explanation(run, statute, circumstances, explanation_tail, cite)
        return DiscretionResult(
            benchmark_uuid=benchmark.uuid,
            benchmark_series=benchmark.series,
            benchmark_version=benchmark.version,
            benchmark_title=benchmark.title,
            benchmark_doc_number=benchmark.doc_number,
            item_code=item.code,
            item_seq=item.seq,
            violation=item.violation,
            penalty_provision=item.penalty_provision,
            tier_code=tier.code if tier is not None else None,
            tier_kind=tier.kind.value
            if tier is not None
            else (TierKind.NO_PENALTY.value if no_penalty else None),
            tier_label=tier.kind.label if tier is not None else ("不予处罚" if no_penalty else None),
            tier_condition_text=tier.condition_text if tier is not None else None,
            no_penalty=no_penalty,
            fine_optional=item.fine_optional,
            statutory_min_fen=statute.min_fen,
            statutory_max_fen=statute.max_fen,
            tier_min_fen=figures.low if figures is not None else None,
            tier_max_fen=figures.high if figures is not None else None,
            recommended_fen=recommended,
            rule=rule,
            rule_text=rule_text,
            penalties=penalties,
            additional_penalties=additional if not no_penalty else (),
            reduction_grounds=tuple(f"{entry.label}（{entry.citation}）" for entry in grounds),
            below_minimum_allowed=reduction and bool(grounds),
            prior_penalty_count=prior_count,
            lookback_days=benchmark.lookback_days,
            circumstances=tuple(circumstances),
            requires_collective_discussion=discussion,
            warnings=tuple(run.warnings),
            explanation=explanation,
            inputs=inputs,
        )

    # 1. The law's own no-penalty grounds decide alone.
    statutory = [entry for entry in true_facts if entry.effect is StatutoryEffect.NO_PENALTY]
    if statutory:
        cites = "、".join(dict.fromkeys(entry.citation for entry in statutory))
        labels = "；".join(entry.label for entry in statutory)
        tail = f"因{labels}，依照{cites}的规定，不予行政处罚。"
        if any(entry.code == "party_under_14" for entry in statutory):
            tail = tail[:-1] + "，并责令其监护人加以管教。"
        if any(entry.code == "no_fault" for entry in statutory):
            run.warnings.append("“无主观过错”不予处罚，法律、行政法规另有规定的除外，请核对处罚依据")
        zero = _TierFigures(0, 0, 0, Rule.STATUTORY_NO_PENALTY, f"依照{cites}不予处罚")
        return result(None, zero, True, zero.rule, zero.rule_text, tail)

    # 2. Candidates.
    candidates: list[tuple[int, Tier, _TierFigures]] = []
    default: tuple[int, Tier] | None = None
    for index, tier in enumerate(item.tiers):
        if tier.condition is None:
            default = (index, tier)
            continue
        if not evaluate_predicate(tier.condition, context):
            continue
        if tier.kind is TierKind.REDUCED and not grounds:
            run.warnings.append(f"“{tier.condition_text}”的减轻处罚条件满足，但没有法定减轻情节，未适用减轻")
            continue
        figures = _tier_figures(item, tier, statute, tier.kind is TierKind.REDUCED)
        candidates.append((index, tier, figures))

    _warn_conflicts(run, true_facts, prior_count, context)

    # 3.-5. Choose.
    chosen: tuple[int, Tier, _TierFigures] | None = None
    no_penalty_matches = [entry for entry in candidates if entry[1].outcome.kind is OutcomeKind.NO_PENALTY]
    if no_penalty_matches:
        chosen = no_penalty_matches[0]
    elif candidates:
        chosen = max(candidates, key=lambda entry: (entry[1].kind.rank, entry[2].recommended, -entry[0]))
    elif default is not None:
        index, tier = default
        chosen = (index, tier, _tier_figures(item, tier, statute, tier.kind is TierKind.REDUCED))

    if chosen is None:
        run.warnings.append("基准未规定适用于本案情形的裁量阶次，请在法定幅度内裁量并写明理由")
        if statute.min_fen == statute.max_fen:
            fixed = _TierFigures(statute.min_fen, statute.max_fen, statute.min_fen, Rule.STATUTORY_FIXED, "")
            text = "按法定处罚标准"
            if item.fine_unit.kind is not FineUnitKind.FIXED:
                text += f"（{_point_text(item, item.statutory_max, statute)}）"
            tail = (
                f"该基准未规定适用于本案情形的裁量阶次，按法定处罚标准，建议处罚款"
                f"{format_yuan(fixed.recommended)}（大写：{amount_in_capitals(fixed.recommended)}）。"
            )
            return result(None, replace(fixed, rule_text=text), False, Rule.STATUTORY_FIXED, text, tail)
        tail = "该基准未规定适用于本案情形的裁量阶次，应在法定幅度内裁量并写明理由。"
        return result(None, None, False, Rule.NO_TIER, "基准未规定适用的阶次", tail)

    _index, tier, figures = chosen
    return result(
        tier,
        figures,
        tier.outcome.kind is OutcomeKind.NO_PENALTY,
        figures.rule,
        figures.rule_text,
        _tier_sentence(item, tier, figures, grounds),
    )


def _warn_conflicts(
    run: _Run, true_facts: list[FactDef], prior_count: int, context: EvaluationContext
) -> None:
    aggravating = [entry for entry in true_facts if entry.direction is FactDirection.AGGRAVATING]
    mitigating = [
        entry for entry in true_facts if entry.direction is FactDirection.MITIGATING and not entry.derived
    ]
    refused = any(
        positive and isinstance(leaf, RefusedCorrection) and evaluate_predicate(leaf, context)
        for tier in run.item.tiers
        if tier.condition is not None
        for leaf, positive in iter_leaves(tier.condition)
    )
    if mitigating and (aggravating or prior_count > 0 or refused):
        run.warnings.append(
            "同时存在从重情节和从轻、减轻情节：本结果按较重的阶次推荐，请综合裁量，另定金额须写明理由"
        )


def _circumstances(run: _Run, true_facts: list[FactDef], prior_count: int) -> list[str]:
    lookback = run.benchmark.lookback_days
    out: list[str] = []
    if prior_count == 0:
        out.append(f"当事人在违法行为发生前{lookback}日内未因同一违法行为受过行政处罚，系首次违法")
    else:
        out.append(f"当事人在违法行为发生前{lookback}日内因同一违法行为受过行政处罚{prior_count}次")
    order = run.inputs.correction_order
    if order is not None:
        text = f"{_date_text(order.served_on)}向当事人送达责令改正通知书"
        if order.recurred_on is not None:
            text += f"，{_date_text(order.recurred_on)}发现当事人再次实施同一违法行为"
        if order.corrected_on is not None:
            text += f"，当事人于{_date_text(order.corrected_on)}改正"
        elif order.checked_on is not None:
            text += f"，{_date_text(order.checked_on)}复查时仍未改正"
        out.append(text)
    out.extend(entry.label for entry in true_facts if not entry.derived)
    for code, value in sorted(run.quantities.items()):
        registered = find_quantity(code)
        label = registered.label if registered is not None else code
        out.append(f"{label}为{_amount_text(code, value, run.item.fine_unit.unit_label)}")
    return out


def _date_text(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _unit_figure(item: BenchmarkItem, value: int) -> str:
    match item.fine_unit.kind:
        case FineUnitKind.PERCENT_OF_BASE:
            return f"{_decimal_text(Decimal(value) / 100)}%"
        case FineUnitKind.MULTIPLE_OF_BASE:
            return f"{_decimal_text(Decimal(value) / 100)}倍"
    return format_yuan(value)


def _statutory_phrase(item: BenchmarkItem, statute: _Statute) -> str:
    may = "可以" if item.fine_optional else ""
    kind = item.fine_unit.kind
    high = _unit_figure(item, item.statutory_max)
    low = _unit_figure(item, item.statutory_min) if item.statutory_min else ""
    registered = find_quantity(item.fine_unit.quantity)
    base = registered.label if registered is not None else item.fine_unit.quantity
    if kind is FineUnitKind.PER_UNIT:
        unit = item.fine_unit.unit_label
        if item.statutory_min == item.statutory_max:
            phrase = f"{may}按每{unit}{high}处以罚款"
        elif low:
            phrase = f"{may}按每{unit}{low}以上{high}以下处以罚款"
        else:
            phrase = f"{may}按每{unit}{high}以下处以罚款"
    else:
        prefix = base if kind is not FineUnitKind.FIXED else ""
        if item.statutory_min == item.statutory_max:
            phrase = f"{may}处{prefix}{high}的罚款"
        elif low:
            phrase = f"{may}处{prefix}{low}以上{high}以下的罚款"
        else:
            phrase = f"{may}处{prefix}{high}以下的罚款"
    if item.cap_fen is not None:
        phrase += f"，罚款总额不超过{format_yuan(item.cap_fen)}"
    if statute.amount is not None:
        amount = _amount_text(item.fine_unit.quantity, statute.amount, item.fine_unit.unit_label)
        phrase += (
            f"（本案{base}为{amount}，"
            f"法定罚款幅度为{format_yuan(statute.min_fen)}至{format_yuan(statute.max_fen)}）"
        )
    return phrase


def _tier_sentence(item: BenchmarkItem, tier: Tier, figures: _TierFigures, grounds: list[FactDef]) -> str:
    opening = f"当事人的情形符合“{tier.condition_text}”，属于“{tier.kind.label}”阶次（{tier.code}）"
    additional = "、".join(penalty.text for penalty in tier.additional_penalties)
    if tier.outcome.kind is OutcomeKind.NO_PENALTY:
        return f"{opening}，依照{APL}第三十三条的规定，不予行政处罚，并对当事人进行教育。"
    reduction = ""
    if tier.kind is TierKind.REDUCED:
        labels = "、".join(entry.label for entry in grounds)
        cites = "、".join(dict.fromkeys(entry.citation for entry in grounds))
        reduction = f"。当事人具有{labels}的情形，依照{cites}的规定，减轻处罚"
    if tier.outcome.kind is OutcomeKind.WARNING:
        extra = f"，并{additional}" if additional else ""
        return f"{opening}{reduction}，给予警告，不予罚款{extra}。"
    if figures.low == figures.high:
        standard = f"该阶次的处罚标准为{format_yuan(figures.low)}"
    else:
        standard = f"该阶次的裁量幅度为{format_yuan(figures.low)}至{format_yuan(figures.high)}"
    amount = figures.recommended
    sentence = (
        f"{opening}{reduction}，{standard}，建议处罚款{format_yuan(amount)}（大写：{amount_in_capitals(amount)}）"
        f"（{figures.rule_text}）"
    )
    if additional:
        sentence += f"，并{additional}"
    return sentence + "。"


def _explanation(
    run: _Run, statute: _Statute, circumstances: list[str], tail: str, cite_benchmark: bool = True
) -> str:
    item, benchmark = run.item, run.benchmark
    clause = f"根据{benchmark.issuer}{benchmark.citation}{item.clause}的裁量标准，" if cite_benchmark else ""
    parts = [
        f"当事人{item.violation}的行为，违反了{item.violated_provision}的规定。",
        f"依据{item.penalty_provision}，{_statutory_phrase(item, statute)}。",
        f"经查，{'；'.join(circumstances)}。",
        f"{clause}{tail}",
    ]
    return "".join(parts)


def _pick_version(versions: Sequence[Benchmark], day: date) -> Benchmark | None:
    in_force = [version for version in versions if version.in_force_on(day)]
    if not in_force:
        return None
    return max(in_force, key=lambda version: (version.effective_from, version.version))


def _lighter(candidate: DiscretionResult, current: DiscretionResult) -> bool:
    """Is ``candidate`` lighter for the party than ``current``? No penalty beats any penalty."""

    def weight(result: DiscretionResult) -> tuple[int, int, int]:
        if result.no_penalty:
            return (0, 0, 0)
        recommended = (
            result.recommended_fen if result.recommended_fen is not None else result.statutory_max_fen
        )
        return (
            1,
            recommended,
            result.tier_max_fen if result.tier_max_fen is not None else result.statutory_max_fen,
        )

    return weight(candidate) < weight(current)


def _version_label(benchmark: Benchmark) -> str:
    return f"{benchmark.citation}（第{benchmark.version}版，{_date_text(benchmark.effective_from)}施行）"


def evaluate(
    benchmark_versions: Sequence[Benchmark],
    item_code: str,
    violation_date: date,
    facts: Mapping[str, bool] | None = None,
    quantities: Mapping[str, QuantityValue] | None = None,
    prior_penalty_dates: Sequence[date] = (),
    *,
    correction_order: CorrectionOrder | None = None,
    decision_date: date | None = None,
    prefer_lighter_later_version: bool = False,
) -> DiscretionResult:
    """Evaluate one item for one case.

    ``benchmark_versions``: the versions that may apply (usually every version of the benchmark
    series); the one in force on ``violation_date`` is used. ``facts``: registry codes (or short
    names) -> bool. ``quantities``: quantity code -> number in its unit (yuan for money bases).
    ``prior_penalty_dates``: decision dates of earlier penalties of the same item for the same party.
    ``decision_date``: when the decision will be made; if another version is in force then, it is
    evaluated too and returned as ``alternative``, and with ``prefer_lighter_later_version`` the
    lighter of the two applies (APL Art 37, 从旧兼从轻).

    Raises DiscretionInputError (Chinese message) for unknown items, facts or quantities, for a
    missing measured quantity, and when no version is in force.
    """
    candidates = [version for version in benchmark_versions if version.item(item_code) is not None]
    if not candidates:
        raise DiscretionInputError(f"裁量基准中没有事项编码为“{item_code}”的事项", "item_code")
    normalised_facts = _normalise_facts(facts)
    own_quantities = {item.fine_unit.quantity for version in candidates if (item := version.item(item_code))}
    normalised_quantities = _normalise_quantities(quantities, own_quantities)
    inputs = EvaluationInputs(
        item_code=item_code,
        violation_date=violation_date,
        facts=tuple(sorted(normalised_facts.items())),
        quantities=tuple(
            sorted((code, _decimal_text(value)) for code, value in normalised_quantities.items())
        ),
        prior_penalty_dates=tuple(sorted(prior_penalty_dates)),
        correction_order=correction_order,
        decision_date=decision_date,
        prefer_lighter_later_version=prefer_lighter_later_version,
    )

    def run(benchmark: Benchmark, warnings: Sequence[str] = ()) -> DiscretionResult:
        item = benchmark.item(item_code)
        assert item is not None
        return _evaluate_version(
            _Run(benchmark, item, inputs, normalised_facts, normalised_quantities, list(warnings))
        )

    if decision_date is not None and decision_date < violation_date:
        raise DiscretionInputError("作出处罚决定的日期早于违法行为发生日期", "decision_date")
    old = _pick_version(candidates, violation_date)
    new = _pick_version(candidates, decision_date) if decision_date is not None else None
    if old is None:
        if new is None:
            raise DiscretionInputError(
                f"违法行为发生日（{_date_text(violation_date)}）没有施行中的裁量基准包含该事项",
                "violation_date",
            )
        note = "违法行为发生时尚无施行的裁量基准，参照作出处罚决定时施行的版本"
        return run(new, [note])

    primary = run(old)
    if new is None or new.uuid == old.uuid:
        return primary
    later = run(new)
    if prefer_lighter_later_version and _lighter(later, primary):
        note = (
            f"违法行为发生时施行的是{_version_label(old)}，作出处罚决定时施行的{_version_label(new)}"
            f"对当事人较轻，依照{APL}第三十七条的规定，适用后者。"
        )
        return replace(
            later,
            explanation=later.explanation + note,
            lighter_version_applied=True,
            alternative=primary,
        )
    if _lighter(later, primary):
        warning = f"作出处罚决定时施行的{_version_label(new)}对当事人较轻（建议{later.recommended_text}），可依照{APL}第三十七条适用"
    else:
        warning = f"作出处罚决定时已施行{_version_label(new)}，其结果不轻于违法行为发生时的版本，适用违法行为发生时的版本"
    return replace(primary, warnings=(*primary.warnings, warning), alternative=later)


def evaluate_inputs(benchmark_versions: Sequence[Benchmark], inputs: EvaluationInputs) -> DiscretionResult:
    """Re-run an evaluation from saved inputs (the same result, given the same versions)."""
    return evaluate(
        benchmark_versions,
        inputs.item_code,
        inputs.violation_date,
        dict(inputs.facts),
        dict(inputs.quantities),
        inputs.prior_penalty_dates,
        correction_order=inputs.correction_order,
        decision_date=inputs.decision_date,
        prefer_lighter_later_version=inputs.prefer_lighter_later_version,
    )


# --------------------------------------------------------------------------------------------
# Proposed amounts


def check_proposed_amount(result: DiscretionResult, amount_fen: int, reason: str = "") -> ProposalCheck:
    """Judge an amount an officer proposes (0 = no fine).

    Inside the tier: accepted; a written reason is needed when it differs from the recommendation.
    Outside the tier but lawful: accepted only with a reason, and then it is a major decision
    (legal review and collective discussion). Above the statutory maximum, a fine in 不予处罚, or
    below the statutory minimum without a legal ground for 减轻: refused.
    """
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        raise TypeError(f"amount_fen must be int fen, got {amount_fen!r}")
    has_reason = bool(reason.strip())
    amount_text = format_yuan(amount_fen) if amount_fen >= 0 else f"{amount_fen}分"

    def refuse(message: str, within: bool = False, needs_reason: bool = False) -> ProposalCheck:
        return ProposalCheck(False, within, needs_reason, False, message)

    if amount_fen < 0:
        return refuse("罚款金额不能为负数")
    if result.no_penalty:
        if amount_fen == 0:
            return ProposalCheck(True, True, False, False, "本案不予行政处罚")
        return refuse(
            f"本案属于不予处罚情形（{result.rule_text}），不得罚款；如认为不符合不予处罚的条件，请修改情节后重新计算"
        )
    if amount_fen > result.statutory_max_fen:
        return refuse(
            f"拟罚款{amount_text}超过法定最高额{format_yuan(result.statutory_max_fen)}（{result.penalty_provision}），不得作出"
        )

    lawful_without_fine = amount_fen == 0 and (result.fine_optional or "警告" in result.penalties)
    below_minimum = amount_fen < result.statutory_min_fen and not lawful_without_fine
    if below_minimum and not result.reduction_grounds:
        minimum = format_yuan(result.statutory_min_fen)
        return refuse(
            f"拟罚款{amount_text}低于法定最低额{minimum}；只有当事人具有法定减轻情节（{APL}第三十条至第三十二条）"
            "时才能减轻处罚，请先在情节中勾选"
        )

    if result.tier_min_fen is None or result.tier_max_fen is None or result.recommended_fen is None:
        # The benchmark has no tier for this case: any lawful amount, with the reason written down.
        if not has_reason:
            return refuse("基准未规定本案适用的裁量阶次，须写明确定罚款金额的理由", needs_reason=True)
        return ProposalCheck(True, False, True, below_minimum, "已记录理由；基准未规定本案适用的阶次")

    within = result.tier_min_fen <= amount_fen <= result.tier_max_fen
    if within:
        if amount_fen == result.recommended_fen:
            return ProposalCheck(True, True, False, False, "与建议金额一致")
        if not has_reason:
            return refuse(
                f"拟罚款{amount_text}在“{result.tier_label}”阶次幅度内，但与建议金额"
                f"{format_yuan(result.recommended_fen)}不同，须写明理由",
                within=True,
                needs_reason=True,
            )
        return ProposalCheck(True, True, True, False, "在裁量阶次幅度内，已记录理由")

    tier_range = f"{format_yuan(result.tier_min_fen)}至{format_yuan(result.tier_max_fen)}"
    if not has_reason:
        return refuse(
            f"拟罚款{amount_text}超出“{result.tier_label}”阶次幅度（{tier_range}），须写明理由，并经法制审核和集体讨论决定",
            needs_reason=True,
        )
    return ProposalCheck(
        True,
        False,
        True,
        True,
        f"拟罚款{amount_text}超出“{result.tier_label}”阶次幅度（{tier_range}），属于重大执法决定，须经法制审核和集体讨论决定",
    )
