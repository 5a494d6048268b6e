"""Named facts, measured quantities and penalty kinds that discretion benchmarks refer to.

A benchmark's structured conditions name facts ("首次违法", "阻碍执法") and quantities ("面积")
from these registries, so that a typo in an imported table is an error instead of a condition that
silently never matches, and so that the GUI can show one tick box per fact with its direction.

Each fact has three names: a stable ``code`` (used in JSON and by callers), a ``short`` name used in
the condition expressions people type in a spreadsheet, and a full ``label`` for screens and the
explanation text. Labels and short names contain no operator characters (& | ! ( ) < > =).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = [
    "ADDITIONAL_PENALTY_KINDS",
    "APL",
    "FACTS",
    "FORBIDDEN_PENALTY_KINDS",
    "PENALTY_KINDS",
    "PRIOR_PENALTY_NAMES",
    "QUANTITIES",
    "REFUSAL_NAMES",
    "FactDef",
    "FactDirection",
    "QuantityDef",
    "StatutoryEffect",
    "fact",
    "find_fact",
    "find_quantity",
    "quantity",
]

APL = "《中华人民共和国行政处罚法》"


class FactDirection(enum.StrEnum):
    """Which way a fact pushes the penalty; drives GUI grouping and the consistency checks."""

    AGGRAVATING = "aggravating"
    MITIGATING = "mitigating"
    NEUTRAL = "neutral"

    @property
    def label(self) -> str:
        return {"aggravating": "从重情节", "mitigating": "从轻、减轻或者不予处罚情节", "neutral": "其他情节"}[
            self.value
        ]


class StatutoryEffect(enum.StrEnum):
    """What the Administrative Penalty Law itself attaches to a fact, whatever the benchmark says."""

    NONE = "none"
    # APL Art 30-32: a legal ground that permits going below the statutory minimum (减轻).
    REDUCTION_GROUND = "reduction_ground"
    # APL Art 30, 31, 33 para 2: no penalty at all.
    NO_PENALTY = "no_penalty"


@dataclass(frozen=True)
class FactDef:
    code: str
    short: str
    label: str
    direction: FactDirection
    effect: StatutoryEffect = StatutoryEffect.NONE
    # Article cited when the fact is applied (for 减轻 grounds and statutory no-penalty).
    citation: str = ""
    # Derived facts are computed by the engine from other inputs; callers must not set them.
    derived: bool = False
    hint: str = ""


_A = FactDirection.AGGRAVATING
_M = FactDirection.MITIGATING
_N = FactDirection.NEUTRAL
_R = StatutoryEffect.REDUCTION_GROUND
_NP = StatutoryEffect.NO_PENALTY

FACTS: tuple[FactDef, ...] = (
    # Mitigating, discretionary (酌定).
    FactDef(
        "first_violation",
        "首次违法",
        "追溯期内首次违法",
        _M,
        derived=True,
        hint="由当事人在追溯期内同一事项的处罚记录自动认定",
    ),
    FactDef("minor_violation", "违法行为轻微", "违法行为轻微", _M),
    FactDef("corrected_in_time", "及时改正", "及时改正违法行为", _M),
    FactDef("voluntary_correction", "主动改正", "在执法人员发现前主动改正违法行为", _M),
    FactDef("cooperated", "配合调查", "积极配合调查取证、如实陈述违法事实", _M),
    # Mitigating, statutory grounds for 从轻 or 减轻 (APL Art 30-32).
    FactDef(
        "party_minor",
        "当事人未成年",
        "当事人已满十四周岁不满十八周岁",
        _M,
        _R,
        f"{APL}第三十条",
    ),
    FactDef(
        "limited_capacity",
        "尚未完全丧失辨认控制能力",
        "当事人是尚未完全丧失辨认或者控制自己行为能力的精神病人、智力残疾人",
        _M,
        _R,
        f"{APL}第三十一条",
    ),
    FactDef(
        "eliminated_harm",
        "主动消除危害后果",
        "主动消除或者减轻违法行为危害后果",
        _M,
        _R,
        f"{APL}第三十二条第一项",
    ),
    FactDef("coerced", "受胁迫诱骗", "受他人胁迫或者诱骗实施违法行为", _M, _R, f"{APL}第三十二条第二项"),
    FactDef(
        "confessed",
        "主动供述",
        "主动供述行政机关尚未掌握的违法行为",
        _M,
        _R,
        f"{APL}第三十二条第三项",
    ),
    FactDef(
        "meritorious",
        "立功表现",
        "配合行政机关查处违法行为有立功表现",
        _M,
        _R,
        f"{APL}第三十二条第四项",
    ),
    FactDef(
        "other_legal_mitigation",
        "其他法定从轻减轻",
        "法律、法规、规章规定其他应当从轻或者减轻行政处罚的情形",
        _M,
        _R,
        f"{APL}第三十二条第五项",
    ),
    # Mitigating, statutory no-penalty (APL Art 30, 31, 33 para 2).
    FactDef(
        "party_under_14",
        "不满十四周岁",
        "当事人不满十四周岁",
        _M,
        _NP,
        f"{APL}第三十条",
    ),
    FactDef(
        "mental_incapacity",
        "不能辨认控制行为",
        "当事人是在不能辨认或者不能控制自己行为时有违法行为的精神病人、智力残疾人",
        _M,
        _NP,
        f"{APL}第三十一条",
    ),
    FactDef(
        "no_fault",
        "无主观过错",
        "当事人有证据足以证明没有主观过错",
        _M,
        _NP,
        f"{APL}第三十三条第二款",
        hint="法律、行政法规另有规定的除外",
    ),
    # Aggravating.
    FactDef("harm_caused", "造成危害后果", "违法行为造成危害后果", _A),
    FactDef("serious_harm", "造成严重后果", "违法行为造成严重危害后果", _A),
    FactDef("major_social_impact", "重大社会影响", "违法行为造成重大社会影响或者恶劣社会影响", _A),
    FactDef(
        "obstructed_officers",
        "阻碍执法",
        "威胁、推搡、辱骂、殴打执法人员或者以其他方式阻碍执法",
        _A,
    ),
    FactDef("evidence_tampering", "隐匿销毁证据", "伪造、隐匿、销毁、转移证据", _A),
    FactDef("retaliation", "打击报复", "对举报人、证人打击报复", _A),
    FactDef("harms_minors", "侵害未成年人", "违法行为侵害未成年人合法权益", _A),
    FactDef("continued_after_order", "责令停止后继续", "被责令停止违法行为后继续实施", _A),
    FactDef("emergency_period", "突发事件期间", "在发生自然灾害、突发事件期间实施违法行为", _A),
    # Neutral: recorded, but may never make the penalty heavier (APL Art 45).
    FactDef(
        "statement_made",
        "陈述申辩",
        "当事人进行了陈述、申辩",
        _N,
        hint="不得因当事人陈述、申辩而给予更重的处罚",
    ),
)

_FACT_BY_NAME: dict[str, FactDef] = {}
for _fact in FACTS:
    for _name in (_fact.code, _fact.short, _fact.label):
        _FACT_BY_NAME[_name] = _fact


def find_fact(name: str) -> FactDef | None:
    """Look a fact up by code, short name or full label."""
    return _FACT_BY_NAME.get(name.strip())


def fact(code: str) -> FactDef:
    """The fact with this code; KeyError for an unknown code (a programming error)."""
    found = _FACT_BY_NAME.get(code)
    if found is None or found.code != code:
        raise KeyError(code)
    return found


@dataclass(frozen=True)
class QuantityDef:
    code: str
    label: str
    unit_label: str
    # Money quantities are entered in yuan and may serve as the base of a percentage or multiple.
    is_money: bool = False


QUANTITIES: tuple[QuantityDef, ...] = (
    QuantityDef("area_m2", "面积", "平方米"),
    QuantityDef("facility_count", "设施数量", "处"),
    QuantityDef("item_count", "物品数量", "件"),
    QuantityDef("days", "持续天数", "日"),
    QuantityDef("volume_m3", "方量", "立方米"),
    QuantityDef("length_m", "长度", "米"),
    QuantityDef("weight_kg", "重量", "千克"),
    QuantityDef("project_cost", "工程造价", "元", is_money=True),
    QuantityDef("illegal_gains", "违法所得", "元", is_money=True),
    QuantityDef("goods_value", "货值金额", "元", is_money=True),
    QuantityDef("disposal_cost", "处置费用", "元", is_money=True),
    QuantityDef("contract_price", "合同价款", "元", is_money=True),
)

_QUANTITY_BY_NAME: dict[str, QuantityDef] = {}
for _quantity in QUANTITIES:
    _QUANTITY_BY_NAME[_quantity.code] = _quantity
    _QUANTITY_BY_NAME[_quantity.label] = _quantity


def find_quantity(name: str) -> QuantityDef | None:
    """Look a registered quantity up by code or label."""
    return _QUANTITY_BY_NAME.get(name.strip())


def quantity(code: str) -> QuantityDef:
    found = _QUANTITY_BY_NAME.get(code)
    if found is None or found.code != code:
        raise KeyError(code)
    return found


# Names of the two parametrised conditions in the expression language.
PRIOR_PENALTY_NAMES = frozenset({"处罚次数", "前科次数", "prior_penalties"})
REFUSAL_NAMES = frozenset({"拒不改正", "refused_correction"})

# APL Art 9. A township never imposes detention (行政拘留), so it is refused outright.
PENALTY_KINDS: tuple[str, ...] = (
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
FORBIDDEN_PENALTY_KINDS = frozenset({"行政拘留"})
# Penalties that can accompany a fine in a tier.
ADDITIONAL_PENALTY_KINDS: tuple[str, ...] = tuple(kind for kind in PENALTY_KINDS if kind != "罚款")
