"""Discretion benchmarks (行政裁量权基准): the one module other code imports.

Everything here is pure: dataclasses in, dataclasses out, no database and no Qt. The storage layer
keeps benchmark versions (``benchmark_to_dict`` / ``benchmark_from_dict``), the CLI and GUI call
``evaluate`` and ``check_proposed_amount`` and show ``DiscretionResult.to_dict()``.

Typical use::

    result = evaluate(versions, "DQ-119-1", date(2025, 3, 2), facts={"corrected_in_time": True},
                      prior_penalty_dates=[date(2024, 11, 5)])
    result.recommended_fen, result.tier_label, result.explanation
    check = check_proposed_amount(result, 150000, reason="……")

Parts: discretion_model (dataclasses), discretion_registry (facts, quantities, penalty kinds),
discretion_predicates (conditions), discretion_validate, discretion_csv (exchange file),
discretion_serialize (JSON for the store), discretion_engine (evaluation).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from brigade_desk.core.rules.discretion_csv import (
    ParseResult,
    benchmark_to_csv,
    parse_benchmark_bytes,
    parse_benchmark_csv,
    read_benchmark_csv,
    write_benchmark_csv,
)
from brigade_desk.core.rules.discretion_engine import (
    DiscretionInputError,
    DiscretionResult,
    EvaluationInputs,
    ProposalCheck,
    Rule,
    check_proposed_amount,
    evaluate,
    evaluate_inputs,
    priors_from_count,
)
from brigade_desk.core.rules.discretion_model import (
    AdditionalPenalty,
    Benchmark,
    BenchmarkItem,
    FineUnit,
    FineUnitKind,
    Formula,
    Outcome,
    OutcomeKind,
    PartyKind,
    RecommendAt,
    Tier,
    TierKind,
)
from brigade_desk.core.rules.discretion_predicates import (
    AllOf,
    AnyOf,
    ConditionError,
    CorrectionOrder,
    FactIs,
    Not,
    Predicate,
    PriorPenalties,
    QuantityBand,
    RefusedCorrection,
    format_condition,
    parse_condition,
    predicate_from_json,
    predicate_to_json,
)
from brigade_desk.core.rules.discretion_registry import (
    FACTS,
    QUANTITIES,
    FactDef,
    FactDirection,
    QuantityDef,
    find_fact,
    find_quantity,
)
from brigade_desk.core.rules.discretion_serialize import (
    BenchmarkDataError,
    benchmark_digest,
    benchmark_from_dict,
    benchmark_to_dict,
)
from brigade_desk.core.rules.discretion_validate import ImportIssue, validate_benchmark

__all__ = [
    "FACTS",
    "PUBLISHED_EXAMPLE_FILE",
    "QUANTITIES",
    "RESOURCE_DIR",
    "STARTER_FILE",
    "AdditionalPenalty",
    "AllOf",
    "AnyOf",
    "Benchmark",
    "BenchmarkDataError",
    "BenchmarkItem",
    "ConditionError",
    "CorrectionOrder",
    "DiscretionInputError",
    "DiscretionResult",
    "EvaluationInputs",
    "FactDef",
    "FactDirection",
    "FactIs",
    "FineUnit",
    "FineUnitKind",
    "Formula",
    "ImportIssue",
    "Not",
    "Outcome",
    "OutcomeKind",
    "ParseResult",
    "PartyKind",
    "Predicate",
    "PriorPenalties",
    "ProposalCheck",
    "QuantityBand",
    "QuantityDef",
    "RecommendAt",
    "RefusedCorrection",
    "Rule",
    "Tier",
    "TierKind",
    "benchmark_digest",
    "benchmark_from_dict",
    "benchmark_to_csv",
    "benchmark_to_dict",
    "check_proposed_amount",
    "evaluate",
    "evaluate_inputs",
    "fact_choices",
    "find_fact",
    "find_quantity",
    "format_condition",
    "load_published_example",
    "load_starter_benchmark",
    "parse_benchmark_bytes",
    "parse_benchmark_csv",
    "parse_condition",
    "predicate_from_json",
    "predicate_to_json",
    "priors_from_count",
    "quantity_choices",
    "read_benchmark_csv",
    "validate_benchmark",
    "write_benchmark_csv",
]

# resources/ sits beside the package in the source tree: brigade_desk/core/rules -> repository root.
RESOURCE_DIR = Path(__file__).resolve().parents[3] / "resources" / "discretion"
STARTER_FILE = RESOURCE_DIR / "starter.csv"
# DOMAIN.md 3.3: eight items of the Shenzhen city-management benchmark 2023, as published.
PUBLISHED_EXAMPLE_FILE = RESOURCE_DIR / "shenzhen-cg-2023-excerpt.csv"


def _load(path: Path) -> Benchmark:
    result = read_benchmark_csv(path)
    if result.benchmark is None:
        raise BenchmarkDataError(list(result.errors))
    return result.benchmark


def load_starter_benchmark() -> Benchmark:
    """The starter benchmark shipped with the program, for a township with nothing else yet."""
    return _load(STARTER_FILE)


def load_published_example() -> Benchmark:
    """The published example of DOMAIN.md 3.3 (Shenzhen 2023, eight items)."""
    return _load(PUBLISHED_EXAMPLE_FILE)


def fact_choices() -> list[dict[str, Any]]:
    """The facts a discretion panel shows as tick boxes, grouped by direction, in registry order.

    Derived facts (首次违法) are included with ``derived=True`` so the panel can show them read-only.
    """
    return [
        {
            "code": entry.code,
            "short": entry.short,
            "label": entry.label,
            "direction": entry.direction.value,
            "direction_label": entry.direction.label,
            "effect": entry.effect.value,
            "citation": entry.citation,
            "derived": entry.derived,
            "hint": entry.hint,
        }
        for entry in FACTS
    ]


def quantity_choices() -> list[dict[str, Any]]:
    """The registered measured quantities with their labels and units."""
    return [
        {"code": entry.code, "label": entry.label, "unit_label": entry.unit_label, "is_money": entry.is_money}
        for entry in QUANTITIES
    ]
