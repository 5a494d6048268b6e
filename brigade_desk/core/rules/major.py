"""Which decisions are major (重大执法决定) and which need collective discussion (DOMAIN.md 2.3, 1.5).

Pure rules over the facts of a proposed decision; thresholds come from settings (defaults: the
Gongyi catalogue in DOMAIN.md 2.3) and, later, from the county's reference data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from brigade_desk.core.rules.money import format_yuan

# Penalty kinds that make a decision major in the catalogues of DOMAIN.md 2.3.
MAJOR_KINDS = frozenset({"吊销许可证件", "责令停产停业", "责令关闭", "降低资质等级"})


@dataclass(frozen=True)
class MajorThresholds:
    fine_person_fen: int = 10_000_00
    fine_org_fen: int = 100_000_00


@dataclass(frozen=True)
class ProposedDecision:
    fine_fen: int | None
    confiscation_fen: int | None
    kinds: Sequence[str]
    party_is_person: bool
    after_hearing: bool = False
    outside_benchmark_tier: bool = False


def major_reasons(decision: ProposedDecision, thresholds: MajorThresholds) -> list[str]:
    """The catalogue grounds that apply, each in plain Chinese (empty: not major by the catalogue)."""
    reasons: list[str] = []
    limit = thresholds.fine_person_fen if decision.party_is_person else thresholds.fine_org_fen
    who = "公民" if decision.party_is_person else "法人或其他组织"
    if decision.fine_fen is not None and decision.fine_fen >= limit:
        reasons.append(
            f"对{who}罚款{format_yuan(decision.fine_fen)}，达到{format_yuan(limit)}的重大执法决定标准"
        )
    if decision.confiscation_fen is not None and decision.confiscation_fen >= limit:
        reasons.append(
            f"没收违法所得或非法财物价值{format_yuan(decision.confiscation_fen)}，达到重大执法决定标准"
        )
    heavy = [k for k in decision.kinds if k in MAJOR_KINDS]
    if heavy:
        reasons.append(f"拟作出{'、'.join(heavy)}，属于重大执法决定")
    if decision.after_hearing:
        reasons.append("经过听证程序（《行政处罚法》第五十八条第一款第二项）")
    if decision.outside_benchmark_tier:
        reasons.append("处罚金额超出裁量基准阶次")
    return reasons
