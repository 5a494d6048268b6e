"""A benchmark as a JSON-ready dict, for the store and for bundles to and from the county.

``benchmark_to_dict`` and ``benchmark_from_dict`` are exact inverses. ``benchmark_digest`` is the
SHA-256 of the canonical JSON: a decision records it with the version it used, so that any later
change to that version is visible (DESIGN.md invariant 8).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

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
    ConditionError,
    predicate_from_json,
    predicate_to_json,
)
from brigade_desk.core.rules.discretion_validate import ImportIssue, validate_benchmark

__all__ = [
    "SCHEMA_VERSION",
    "BenchmarkDataError",
    "benchmark_digest",
    "benchmark_from_dict",
    "benchmark_to_dict",
]

SCHEMA_VERSION = 1


class BenchmarkDataError(ValueError):
    """Stored benchmark data that does not make a valid benchmark; ``issues`` says why."""

    def __init__(self, issues: list[ImportIssue]) -> None:
        self.issues = issues
        super().__init__("；".join(str(issue) for issue in issues))


def _tier_to_dict(tier: Tier) -> dict[str, Any]:
    return {
        "code": tier.code,
        "kind": tier.kind.value,
        "condition_text": tier.condition_text,
        "condition": predicate_to_json(tier.condition) if tier.condition is not None else None,
        "outcome": {
            "kind": tier.outcome.kind.value,
            "low": tier.outcome.low,
            "high": tier.outcome.high,
            "recommend": tier.outcome.recommend.value,
        },
        "additional_penalties": [{"kind": p.kind, "detail": p.detail} for p in tier.additional_penalties],
        "note": tier.note,
    }


def _item_to_dict(item: BenchmarkItem) -> dict[str, Any]:
    return {
        "code": item.code,
        "seq": item.seq,
        "violation": item.violation,
        "power_item_code": item.power_item_code,
        "violated_provision": item.violated_provision,
        "penalty_provision": item.penalty_provision,
        "penalty_kinds": list(item.penalty_kinds),
        "party_kind": item.party_kind.value,
        "fine_unit": {
            "kind": item.fine_unit.kind.value,
            "quantity": item.fine_unit.quantity,
            "unit_label": item.fine_unit.unit_label,
        },
        "statutory_min": item.statutory_min,
        "statutory_max": item.statutory_max,
        "max_only": item.max_only,
        "fine_optional": item.fine_optional,
        "formula": item.formula.value if item.formula is not None else None,
        "cap_fen": item.cap_fen,
        "note": item.note,
        "tiers": [_tier_to_dict(tier) for tier in item.tiers],
    }


def benchmark_to_dict(benchmark: Benchmark) -> dict[str, Any]:
    """Every field of the benchmark, dates as ISO text; feed to ``json.dumps`` as is."""
    return {
        "schema": SCHEMA_VERSION,
        "uuid": benchmark.uuid,
        "series": benchmark.series,
        "title": benchmark.title,
        "issuer": benchmark.issuer,
        "doc_number": benchmark.doc_number,
        "effective_from": benchmark.effective_from.isoformat(),
        "effective_to": benchmark.effective_to.isoformat() if benchmark.effective_to else None,
        "version": benchmark.version,
        "source": benchmark.source,
        "is_starter": benchmark.is_starter,
        "lookback_days": benchmark.lookback_days,
        "discuss_no_penalty_and_reduction": benchmark.discuss_no_penalty_and_reduction,
        "note": benchmark.note,
        "items": [_item_to_dict(item) for item in benchmark.items],
    }


def benchmark_digest(benchmark: Benchmark) -> str:
    """SHA-256 (hex) of the canonical JSON of the benchmark."""
    text = json.dumps(benchmark_to_dict(benchmark), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _optional_int(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer, got {value!r}")
    return value


def _tier_from_dict(data: dict[str, Any], quantity: str) -> Tier:
    outcome = data["outcome"]
    condition = data.get("condition")
    return Tier(
        code=str(data["code"]),
        kind=TierKind(data["kind"]),
        condition_text=str(data.get("condition_text", "")),
        condition=predicate_from_json(condition, (quantity,) if quantity else ())
        if condition is not None
        else None,
        outcome=Outcome(
            kind=OutcomeKind(outcome["kind"]),
            low=_optional_int(outcome.get("low")),
            high=_optional_int(outcome.get("high")),
            recommend=RecommendAt(outcome.get("recommend", RecommendAt.MID.value)),
        ),
        additional_penalties=tuple(
            AdditionalPenalty(str(p["kind"]), str(p.get("detail", "")))
            for p in data.get("additional_penalties", [])
        ),
        note=str(data.get("note", "")),
    )


def _item_from_dict(data: dict[str, Any]) -> BenchmarkItem:
    unit = data["fine_unit"]
    quantity = str(unit.get("quantity", ""))
    formula = data.get("formula")
    statutory_max = _optional_int(data["statutory_max"])
    if statutory_max is None:
        raise TypeError("statutory_max is required")
    return BenchmarkItem(
        code=str(data["code"]),
        seq=str(data.get("seq", "")),
        violation=str(data["violation"]),
        power_item_code=str(data.get("power_item_code", "")),
        violated_provision=str(data["violated_provision"]),
        penalty_provision=str(data["penalty_provision"]),
        penalty_kinds=tuple(str(kind) for kind in data["penalty_kinds"]),
        party_kind=PartyKind(data.get("party_kind", PartyKind.ANY.value)),
        fine_unit=FineUnit(FineUnitKind(unit["kind"]), quantity, str(unit.get("unit_label", ""))),
        statutory_min=_optional_int(data.get("statutory_min")),
        statutory_max=statutory_max,
        max_only=bool(data.get("max_only", False)),
        fine_optional=bool(data.get("fine_optional", False)),
        formula=Formula(formula) if formula is not None else None,
        cap_fen=_optional_int(data.get("cap_fen")),
        note=str(data.get("note", "")),
        tiers=tuple(_tier_from_dict(tier, quantity) for tier in data["tiers"]),
    )


def benchmark_from_dict(data: dict[str, Any]) -> Benchmark:
    """Rebuild and validate a benchmark; BenchmarkDataError lists every problem found."""
    try:
        if data.get("schema") != SCHEMA_VERSION:
            raise ValueError(f"不支持的裁量基准数据版本：{data.get('schema')!r}")
        effective_to = data.get("effective_to")
        benchmark = Benchmark(
            uuid=str(data["uuid"]),
            series=str(data["series"]),
            title=str(data["title"]),
            issuer=str(data["issuer"]),
            doc_number=str(data.get("doc_number", "")),
            effective_from=date.fromisoformat(data["effective_from"]),
            effective_to=date.fromisoformat(effective_to) if effective_to else None,
            version=int(data["version"]),
            source=str(data.get("source", "")),
            is_starter=bool(data.get("is_starter", False)),
            lookback_days=int(data.get("lookback_days", 365)),
            discuss_no_penalty_and_reduction=bool(data.get("discuss_no_penalty_and_reduction", False)),
            note=str(data.get("note", "")),
            items=tuple(_item_from_dict(item) for item in data["items"]),
        )
    except ConditionError as exc:
        raise BenchmarkDataError([ImportIssue(None, "条件表达式", str(exc))]) from exc
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise BenchmarkDataError([ImportIssue(None, "", f"裁量基准数据不完整或格式错误：{exc!r}")]) from exc
    errors, _warnings = validate_benchmark(benchmark)
    if errors:
        raise BenchmarkDataError(errors)
    return benchmark
