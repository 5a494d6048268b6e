"""Properties of the engine over every item of the shipped benchmarks (hypothesis):

* the fine always lies in the statutory range unless a lawful 减轻 applies, and never above the
  maximum; no fine at all where the result is 不予处罚 or a warning only;
* adding an aggravating fact never lowers the recommendation;
* removing a mitigating fact never lowers it;
* one more prior penalty never lowers it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from brigade_desk.core.rules.discretion import (
    Benchmark,
    CorrectionOrder,
    DiscretionResult,
    FactDirection,
    FineUnitKind,
    evaluate,
    load_published_example,
    load_starter_benchmark,
)
from brigade_desk.core.rules.discretion_registry import FACTS, find_quantity

DAY = date(2025, 3, 2)
STARTER = load_starter_benchmark()
SHENZHEN = load_published_example()
ITEMS = [(benchmark, item.code) for benchmark in (STARTER, SHENZHEN) for item in benchmark.items]

SETTABLE = [entry.code for entry in FACTS if not entry.derived]
AGGRAVATING = [entry.code for entry in FACTS if entry.direction is FactDirection.AGGRAVATING]
MITIGATING = [
    entry.code for entry in FACTS if entry.direction is FactDirection.MITIGATING and not entry.derived
]


def _amount_strategy(code: str) -> st.SearchStrategy[Decimal]:
    registered = find_quantity(code)
    if registered is not None and registered.is_money:
        return st.decimals(min_value=Decimal("100"), max_value=Decimal("50000000"), places=2)
    if code == "facility_count":
        return st.integers(1, 20).map(Decimal)
    return st.decimals(min_value=Decimal("0.5"), max_value=Decimal("2000"), places=2)


@dataclass(frozen=True)
class Case:
    benchmark: Benchmark
    code: str
    facts: frozenset[str]
    priors: tuple[date, ...]
    quantities: dict[str, Decimal]
    order: CorrectionOrder | None


@st.composite
def cases(draw: st.DrawFn) -> Case:
    benchmark, code = draw(st.sampled_from(ITEMS))
    item = benchmark.item(code)
    assert item is not None
    quantities: dict[str, Decimal] = {}
    if item.fine_unit.kind is not FineUnitKind.FIXED:
        quantities[item.fine_unit.quantity] = draw(_amount_strategy(item.fine_unit.quantity))
    if "area_m2" not in quantities and draw(st.booleans()):
        quantities["area_m2"] = draw(_amount_strategy("area_m2"))
    order = None
    if draw(st.booleans()):
        served = DAY - timedelta(days=draw(st.integers(10, 60)))
        after = st.none() | st.integers(1, 30).map(lambda n: served + timedelta(days=n))
        order = CorrectionOrder(served, draw(after), draw(after), draw(after))
    facts = draw(st.frozensets(st.sampled_from(SETTABLE), max_size=6))
    priors = tuple(DAY - timedelta(days=n) for n in draw(st.lists(st.integers(0, 800), max_size=4)))
    return Case(benchmark, code, facts, priors, quantities, order)


def run(case: Case, facts: frozenset[str], priors: tuple[date, ...] | None = None) -> DiscretionResult:
    return evaluate(
        [case.benchmark],
        case.code,
        DAY,
        dict.fromkeys(facts, True),
        case.quantities,
        case.priors if priors is None else priors,
        correction_order=case.order,
    )


def fine(result: DiscretionResult) -> int:
    """What the party pays: nothing for 不予处罚 or a warning."""
    assert result.recommended_fen is not None, result.warnings
    return 0 if result.no_penalty else result.recommended_fen


@settings(max_examples=300, deadline=None)
@given(cases())
def test_fine_stays_within_the_statutory_range(case: Case) -> None:
    result = run(case, case.facts)
    amount = fine(result)
    assert amount <= result.statutory_max_fen
    if result.tier_max_fen is not None:
        assert result.tier_max_fen <= result.statutory_max_fen
    if "罚款" in result.penalties:
        if result.tier_kind != "reduced":
            assert result.statutory_min_fen <= amount, result.explanation
        else:
            assert result.reduction_grounds and result.below_minimum_allowed
    else:
        assert amount == 0
    if result.no_penalty:
        assert result.penalties == () and result.additional_penalties == ()


@settings(max_examples=200, deadline=None)
@given(cases())
def test_adding_an_aggravating_fact_never_lowers_the_fine(case: Case) -> None:
    base = fine(run(case, case.facts))
    for code in AGGRAVATING:
        if code not in case.facts:
            assert fine(run(case, case.facts | {code})) >= base, code


@settings(max_examples=200, deadline=None)
@given(cases())
def test_removing_a_mitigating_fact_never_lowers_the_fine(case: Case) -> None:
    facts = case.facts | {"corrected_in_time"}
    base = fine(run(case, facts))
    for code in MITIGATING:
        if code in facts:
            assert fine(run(case, facts - {code})) >= base, code


@settings(max_examples=200, deadline=None)
@given(cases(), st.integers(0, 364))
def test_another_prior_penalty_never_lowers_the_fine(case: Case, days_before: int) -> None:
    base = fine(run(case, case.facts))
    more = (*case.priors, DAY - timedelta(days=days_before))
    assert fine(run(case, case.facts, more)) >= base
