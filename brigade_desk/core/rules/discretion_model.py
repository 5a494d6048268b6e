"""The discretion benchmark (行政裁量权基准) as plain, immutable dataclasses.

Benchmark (one version of one benchmark, by effective date)
  -> BenchmarkItem (one violation with its legal basis, statutory range and fine unit)
     -> Tier (one 裁量阶次 with its condition and outcome)

Amounts are integers in *hundredths of the item's unit*, so that every figure is exact and
JSON-friendly:

=================  ==============================  =========================
fine unit          unit                            6.5 of the unit is stored
=================  ==============================  =========================
fixed              yuan                            650 (fen)
per unit           yuan per unit (per m², per 处)  650 (fen per unit)
percent of base    percent of a money base         650 (basis points)
multiple of base   times a money base              650 (hundredths)
=================  ==============================  =========================

A ``FRACTION`` outcome (the common tiering formulas of DOMAIN.md 3.2) holds its bounds in basis
points of the statutory range: 4000..6000 is "40%-60% of the way from the minimum to the maximum".
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from brigade_desk.core.rules.discretion_predicates import Predicate

__all__ = [
    "AdditionalPenalty",
    "Benchmark",
    "BenchmarkItem",
    "FineUnit",
    "FineUnitKind",
    "Formula",
    "Outcome",
    "OutcomeKind",
    "PartyKind",
    "RecommendAt",
    "Tier",
    "TierKind",
]


class TierKind(enum.StrEnum):
    NO_PENALTY = "no_penalty"
    REDUCED = "reduced"
    LIGHTER = "lighter"
    ORDINARY = "ordinary"
    HEAVIER = "heavier"
    MINOR = "minor"
    LESS_SERIOUS = "less_serious"
    MORE_SERIOUS = "more_serious"
    SERIOUS = "serious"

    @property
    def label(self) -> str:
        return _TIER_LABELS[self]

    @property
    def rank(self) -> int:
        """Heaviness, used when several tiers match: the heaviest applies (see the engine)."""
        return _TIER_RANKS[self]

    @classmethod
    def from_label(cls, text: str) -> TierKind | None:
        return _TIER_BY_LABEL.get(text.strip())


_TIER_LABELS = {
    TierKind.NO_PENALTY: "不予处罚",
    TierKind.REDUCED: "减轻",
    TierKind.LIGHTER: "从轻",
    TierKind.ORDINARY: "一般",
    TierKind.HEAVIER: "从重",
    TierKind.MINOR: "情节轻微",
    TierKind.LESS_SERIOUS: "情节较轻",
    TierKind.MORE_SERIOUS: "情节较重",
    TierKind.SERIOUS: "情节严重",
}
_TIER_RANKS = {
    TierKind.NO_PENALTY: 0,
    TierKind.REDUCED: 1,
    TierKind.MINOR: 2,
    TierKind.LIGHTER: 3,
    TierKind.LESS_SERIOUS: 3,
    TierKind.ORDINARY: 4,
    TierKind.MORE_SERIOUS: 5,
    TierKind.HEAVIER: 6,
    TierKind.SERIOUS: 6,
}
_TIER_BY_LABEL: dict[str, TierKind] = {}
for _kind, _label in _TIER_LABELS.items():
    _TIER_BY_LABEL[_label] = _kind
    _TIER_BY_LABEL[_kind.value] = _kind
# Published tables often drop the 情节 prefix or add 处罚.
_TIER_BY_LABEL.update(
    {
        "轻微": TierKind.MINOR,
        "较轻": TierKind.LESS_SERIOUS,
        "较重": TierKind.MORE_SERIOUS,
        "严重": TierKind.SERIOUS,
        "从轻处罚": TierKind.LIGHTER,
        "从重处罚": TierKind.HEAVIER,
        "减轻处罚": TierKind.REDUCED,
        "一般处罚": TierKind.ORDINARY,
    }
)


class FineUnitKind(enum.StrEnum):
    FIXED = "fixed"
    PER_UNIT = "per_unit"
    PERCENT_OF_BASE = "percent_of_base"
    MULTIPLE_OF_BASE = "multiple_of_base"

    @property
    def label(self) -> str:
        return _FINE_UNIT_LABELS[self]

    @classmethod
    def from_label(cls, text: str) -> FineUnitKind | None:
        return _FINE_UNIT_BY_LABEL.get(text.strip())


_FINE_UNIT_LABELS = {
    FineUnitKind.FIXED: "固定金额",
    FineUnitKind.PER_UNIT: "按数量",
    FineUnitKind.PERCENT_OF_BASE: "按基数百分比",
    FineUnitKind.MULTIPLE_OF_BASE: "按基数倍数",
}
_FINE_UNIT_BY_LABEL = {label: kind for kind, label in _FINE_UNIT_LABELS.items()} | {
    kind.value: kind for kind in FineUnitKind
}


class OutcomeKind(enum.StrEnum):
    NO_PENALTY = "no_penalty"  # 不予处罚
    WARNING = "warning"  # 警告, no fine (a lighter kind of penalty)
    POINT = "point"  # one value
    RANGE = "range"  # a sub-range in item units
    FRACTION = "fraction"  # a part of the statutory range (the formulas of DOMAIN.md 3.2)


class RecommendAt(enum.StrEnum):
    """Which point of a tier's range the engine recommends."""

    LOW = "low"
    MID = "mid"
    HIGH = "high"

    @property
    def label(self) -> str:
        return {"low": "低", "mid": "中", "high": "高"}[self.value]

    @classmethod
    def from_label(cls, text: str) -> RecommendAt | None:
        return {
            "低": cls.LOW,
            "下限": cls.LOW,
            "中": cls.MID,
            "中间值": cls.MID,
            "高": cls.HIGH,
            "上限": cls.HIGH,
            "low": cls.LOW,
            "mid": cls.MID,
            "high": cls.HIGH,
        }.get(text.strip())


class Formula(enum.StrEnum):
    """Named default bands for FRACTION outcomes that give no numbers of their own."""

    # DOMAIN.md 3.2 engineering default: 从轻 [0, 30%], 一般 [30%, 70%], 从重 [70%, 100%] of d.
    RANGE_30_70 = "range_30_70"
    # P-FORMULA rule 3 for "only a maximum": 从轻 <= 20%, 一般 40%-60%, 从重 above 60% of the maximum.
    MAX_ONLY = "max_only"

    @property
    def label(self) -> str:
        return {"range_30_70": "三七分", "max_only": "最高额比例"}[self.value]

    @classmethod
    def from_label(cls, text: str) -> Formula | None:
        return {"三七分": cls.RANGE_30_70, "最高额比例": cls.MAX_ONLY}.get(text.strip()) or (
            cls(text.strip()) if text.strip() in {f.value for f in cls} else None
        )

    def band(self, kind: TierKind) -> tuple[int, int] | None:
        """Default (low, high) in basis points of the statutory range, None when not defined."""
        return _FORMULA_BANDS[self].get(kind)


_FORMULA_BANDS: dict[Formula, dict[TierKind, tuple[int, int]]] = {
    Formula.RANGE_30_70: {
        TierKind.LIGHTER: (0, 3000),
        TierKind.LESS_SERIOUS: (0, 3000),
        TierKind.ORDINARY: (3000, 7000),
        TierKind.MORE_SERIOUS: (3000, 7000),
        TierKind.HEAVIER: (7000, 10000),
        TierKind.SERIOUS: (7000, 10000),
    },
    Formula.MAX_ONLY: {
        TierKind.LIGHTER: (0, 2000),
        TierKind.LESS_SERIOUS: (0, 2000),
        TierKind.ORDINARY: (4000, 6000),
        TierKind.MORE_SERIOUS: (4000, 6000),
        TierKind.HEAVIER: (6000, 10000),
        TierKind.SERIOUS: (6000, 10000),
    },
}


class PartyKind(enum.StrEnum):
    ANY = "any"
    INDIVIDUAL = "individual"
    ORGANISATION = "organisation"

    @property
    def label(self) -> str:
        return {"any": "不限", "individual": "个人", "organisation": "单位"}[self.value]

    @classmethod
    def from_label(cls, text: str) -> PartyKind | None:
        stripped = text.strip()
        if not stripped:
            return cls.ANY
        return {"不限": cls.ANY, "个人": cls.INDIVIDUAL, "单位": cls.ORGANISATION}.get(stripped) or (
            cls(stripped) if stripped in {p.value for p in cls} else None
        )


@dataclass(frozen=True)
class FineUnit:
    kind: FineUnitKind = FineUnitKind.FIXED
    # PER_UNIT: the measured quantity (area_m2, facility_count...);
    # PERCENT/MULTIPLE: the money base (project_cost, illegal_gains...). Empty for FIXED.
    quantity: str = ""
    unit_label: str = ""  # 平方米, 处; 元 for money bases


@dataclass(frozen=True)
class Outcome:
    kind: OutcomeKind
    # POINT: the value (low); RANGE: low..high in hundredths of the item unit;
    # FRACTION: low..high in basis points of the statutory range, both None = the item's formula.
    low: int | None = None
    high: int | None = None
    recommend: RecommendAt = RecommendAt.MID


@dataclass(frozen=True)
class AdditionalPenalty:
    kind: str  # one of discretion_registry.ADDITIONAL_PENALTY_KINDS
    detail: str = ""  # what exactly, e.g. 烧烤工具

    @property
    def text(self) -> str:
        return f"{self.kind}（{self.detail}）" if self.detail else self.kind


@dataclass(frozen=True)
class Tier:
    code: str
    kind: TierKind
    condition_text: str  # 适用条件 as published
    condition: Predicate | None  # None: the default tier, used when no conditioned tier applies
    outcome: Outcome
    additional_penalties: tuple[AdditionalPenalty, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class BenchmarkItem:
    code: str
    violation: str  # 违法行为, written so that "当事人{violation}的行为" reads well
    violated_provision: str  # 违反条款
    penalty_provision: str  # 处罚依据
    penalty_kinds: tuple[str, ...]  # 处罚种类 the statute allows
    fine_unit: FineUnit
    statutory_min: int | None  # hundredths of the unit; None when the statute sets only a maximum
    statutory_max: int
    tiers: tuple[Tier, ...]
    seq: str = ""  # 序号 in the published table, cited in the explanation
    power_item_code: str = ""  # 权力事项编码
    party_kind: PartyKind = PartyKind.ANY
    max_only: bool = False  # the statute sets only a maximum ("处…以下罚款")
    fine_optional: bool = False  # "可以处…罚款": a decision without a fine is lawful
    formula: Formula | None = None  # default bands for FRACTION outcomes
    cap_fen: int | None = None  # absolute cap for per-unit and base items (总额上限)
    note: str = ""

    def tier(self, code: str) -> Tier | None:
        for tier in self.tiers:
            if tier.code == code:
                return tier
        return None

    @property
    def clause(self) -> str:
        """How the explanation cites this item: 第2项 when a 序号 exists, else the code."""
        return f"第{self.seq}项" if self.seq else f"事项{self.code}"


@dataclass(frozen=True)
class Benchmark:
    """One version of a benchmark. Versions of the same benchmark share ``series``."""

    uuid: str
    series: str  # 基准代码, the same across versions
    title: str  # 基准名称
    issuer: str  # 制定机关
    doc_number: str  # 文号, may be empty (a starter has none)
    effective_from: date
    effective_to: date | None
    version: int
    items: tuple[BenchmarkItem, ...]
    source: str = ""
    is_starter: bool = False
    lookback_days: int = 365  # how far back prior penalties count (Shenzhen: one year)
    # A local rule (DR-RULES #112-#113) sends 不予处罚 and 减轻 to collective discussion.
    discuss_no_penalty_and_reduction: bool = False
    note: str = ""

    def item(self, code: str) -> BenchmarkItem | None:
        for item in self.items:
            if item.code == code:
                return item
        return None

    def in_force_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    @property
    def citation(self) -> str:
        """《title》（文号）, as the explanation cites it."""
        return f"《{self.title}》（{self.doc_number}）" if self.doc_number else f"《{self.title}》"
