"""The discretion engine against hand-computed cases: the starter benchmark, the published Shenzhen
example of DOMAIN.md 3.3, versions by date (APL Art 37), and officers' proposed amounts."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import date, timedelta

import pytest

from brigade_desk.core.rules.discretion import (
    Benchmark,
    CorrectionOrder,
    DiscretionInputError,
    DiscretionResult,
    EvaluationInputs,
    Outcome,
    OutcomeKind,
    Rule,
    check_proposed_amount,
    evaluate,
    evaluate_inputs,
    fact_choices,
    load_published_example,
    load_starter_benchmark,
    priors_from_count,
    quantity_choices,
)

DAY = date(2025, 3, 2)
YUAN = 100  # fen per yuan


@pytest.fixture(scope="module")
def starter() -> Benchmark:
    return load_starter_benchmark()


@pytest.fixture(scope="module")
def shenzhen() -> Benchmark:
    return load_published_example()


def priors(count: int, day: date = DAY) -> list[date]:
    """``count`` earlier penalties, a month apart, all inside a one-year window."""
    return [day - timedelta(days=30 * (n + 1)) for n in range(count)]


# --- starter benchmark: hand-computed -------------------------------------------------------


def test_starter_is_marked_and_big_enough(starter: Benchmark) -> None:
    assert starter.is_starter
    assert len(starter.items) >= 20
    assert "替换" in starter.note


@pytest.mark.parametrize(
    ("facts", "prior_count", "tier", "low", "high", "recommended"),
    [
        # APPL Art 119 para 1: 500-2,000 yuan, d = 1,500; 30/70 split (DOMAIN.md 3.4).
        ({}, 0, "一般", 950, 1550, 1250),
        ({"corrected_in_time": True}, 0, "从轻", 500, 950, 725),
        ({"cooperated": True}, 0, "从轻", 500, 950, 725),
        ({}, 1, "从重", 1550, 2000, 1775),
        ({"obstructed_officers": True}, 0, "从重", 1550, 2000, 1775),
        ({"corrected_in_time": True}, 1, "从重", 1550, 2000, 1775),
        # A legal ground (APL Art 32): 减轻, 50%-100% of the statutory minimum.
        ({"coerced": True}, 0, "减轻", 250, 500, 375),
        ({"eliminated_harm": True, "corrected_in_time": True}, 0, "减轻", 250, 500, 375),
        # The ground does not outweigh a serious consequence.
        ({"coerced": True, "serious_harm": True}, 0, "从重", 1550, 2000, 1775),
    ],
)
def test_straw_burning(
    starter: Benchmark,
    facts: dict[str, bool],
    prior_count: int,
    tier: str,
    low: int,
    high: int,
    recommended: int,
) -> None:
    result = evaluate([starter], "DQ-119-1", DAY, facts, prior_penalty_dates=priors(prior_count))
    assert result.tier_label == tier
    assert (result.tier_min_fen, result.tier_max_fen) == (low * YUAN, high * YUAN)
    assert result.recommended_fen == recommended * YUAN
    assert (result.statutory_min_fen, result.statutory_max_fen) == (500 * YUAN, 2000 * YUAN)
    assert result.penalties == ("罚款",)


def test_first_minor_corrected_violation_is_not_punished(starter: Benchmark) -> None:
    facts = {"minor_violation": True, "corrected_in_time": True}
    result = evaluate([starter], "DQ-119-1", DAY, facts)
    assert result.no_penalty
    assert result.recommended_fen == 0
    assert result.penalties == ()
    assert result.rule == Rule.TIER_NO_PENALTY
    assert "第三十三条" in result.explanation
    # Not for a repeat offender: the no-penalty tier asks for a first violation.
    repeat = evaluate([starter], "DQ-119-1", DAY, facts, prior_penalty_dates=priors(1))
    assert not repeat.no_penalty
    assert repeat.tier_label == "从重"
    # Nor where harm was caused.
    harmed = evaluate([starter], "DQ-119-1", DAY, {**facts, "harm_caused": True})
    assert harmed.tier_label == "从轻"


def test_prior_penalties_outside_the_window_do_not_count(starter: Benchmark) -> None:
    old = [DAY - timedelta(days=366), DAY - timedelta(days=700)]
    result = evaluate([starter], "DQ-119-1", DAY, {}, prior_penalty_dates=old)
    assert result.prior_penalty_count == 0
    assert result.tier_label == "一般"
    # A penalty decided after the violation is not a prior one either.
    later = evaluate([starter], "DQ-119-1", DAY, {}, prior_penalty_dates=[DAY + timedelta(days=3)])
    assert later.tier_label == "一般"
    # The boundary day counts.
    edge = evaluate([starter], "DQ-119-1", DAY, {}, prior_penalty_dates=[DAY - timedelta(days=365)])
    assert edge.tier_label == "从重"


@pytest.mark.parametrize(
    ("code", "facts", "tier", "low", "high", "recommended"),
    [
        # SWL Art 111: individual 100-500 yuan.
        ("GF-111-1-G", {}, "一般", 220, 380, 300),
        ("GF-111-1-G", {"voluntary_correction": True}, "从轻", 100, 220, 160),
        ("GF-111-1-G", {"evidence_tampering": True}, "从重", 380, 500, 440),
        ("GF-111-1-G", {"meritorious": True}, "减轻", 50, 100, 75),
        # APPL Art 119 para 2, units 10,000-100,000 (DOMAIN.md 3.4: 37,000-73,000).
        ("DQ-119-2-D", {}, "一般", 37000, 73000, 55000),
        # SWL Art 111 para 2, construction units 100,000-1,000,000 (DOMAIN.md 3.4: 370,000-730,000).
        ("GF-111-4", {}, "一般", 370000, 730000, 550000),
        # APPL Art 118 para 3: 500-20,000, d = 19,500.
        ("DQ-118-3", {}, "一般", 6350, 14150, 10250),
        # Noise Art 82, units 2,000-20,000, d = 18,000.
        ("ZS-82-D", {}, "一般", 7400, 14600, 11000),
        # URR Art 42, only a maximum of 20,000: 从轻 <= 20%, 一般 40%-60%, 从重 60%-100%.
        ("DL-27-4", {}, "一般", 8000, 12000, 10000),
        ("DL-27-4", {"corrected_in_time": True}, "从轻", 0, 4000, 2000),
        ("DL-27-4", {"major_social_impact": True}, "从重", 12000, 20000, 16000),
        # Construction-waste rule Art 26, individuals up to 200 yuan.
        ("JZ-26-G", {}, "一般", 80, 120, 100),
    ],
)
def test_starter_items(
    starter: Benchmark, code: str, facts: dict[str, bool], tier: str, low: int, high: int, recommended: int
) -> None:
    result = evaluate([starter], code, DAY, facts)
    assert result.tier_label == tier
    assert (result.tier_min_fen, result.tier_max_fen, result.recommended_fen) == (
        low * YUAN,
        high * YUAN,
        recommended * YUAN,
    )


def test_additional_penalties_follow_the_tier(starter: Benchmark) -> None:
    result = evaluate([starter], "DQ-118-3", DAY, {})
    assert result.penalties == ("罚款", "没收非法财物（烧烤工具）", "没收违法所得（有违法所得的）")
    assert "并没收非法财物（烧烤工具）" in result.explanation
    both = evaluate([starter], "JZ-26-G", DAY, {})
    assert both.penalties == ("罚款", "警告")


def test_warning_only_tiers(starter: Benchmark) -> None:
    # Fire Law Art 60 para 2: "处警告或者五百元以下罚款" - a warning alone is lawful.
    result = evaluate([starter], "XF-60-G", DAY, {"corrected_in_time": True})
    assert result.tier_label == "从轻"
    assert result.recommended_fen == 0
    assert result.penalties == ("警告",)
    assert "给予警告，不予罚款" in result.explanation
    # A mandatory fine becomes a warning only as a lawful reduction.
    reduced = evaluate([starter], "JZ-26-G", DAY, {"coerced": True})
    assert reduced.tier_label == "减轻"
    assert reduced.penalties == ("警告",)
    assert reduced.below_minimum_allowed


def test_percent_of_project_cost(starter: Benchmark) -> None:
    # URPL Art 64: 5%-10% of the project cost; 1,000,000 yuan -> 50,000-100,000 (DOMAIN.md 3.4 bands).
    cost = {"project_cost": 1_000_000}
    ordinary = evaluate([starter], "GH-64", DAY, {}, cost)
    assert (ordinary.statutory_min_fen, ordinary.statutory_max_fen) == (50_000 * YUAN, 100_000 * YUAN)
    assert (ordinary.tier_min_fen, ordinary.tier_max_fen, ordinary.recommended_fen) == (
        65_000 * YUAN,
        85_000 * YUAN,
        75_000 * YUAN,
    )
    lighter = evaluate([starter], "GH-64", DAY, {"voluntary_correction": True}, cost)
    assert (lighter.tier_min_fen, lighter.tier_max_fen, lighter.recommended_fen) == (
        50_000 * YUAN,
        65_000 * YUAN,
        57_500 * YUAN,
    )
    heavier = evaluate([starter], "GH-64", DAY, {}, cost, priors(1))
    assert (heavier.tier_min_fen, heavier.tier_max_fen, heavier.recommended_fen) == (
        85_000 * YUAN,
        100_000 * YUAN,
        92_500 * YUAN,
    )
    # Odd amounts: bounds stay inside the statute (rounded inwards), the recommendation to whole yuan.
    odd = evaluate([starter], "GH-64", DAY, {}, {"工程造价": "1234567.89"})
    assert odd.statutory_min_fen == 6_172_840  # 61,728.3945 yuan, rounded up
    assert odd.statutory_max_fen == 12_345_678  # 123,456.789 yuan, rounded down
    assert odd.recommended_fen == 9_259_300
    assert "1,234,567.89元" in odd.explanation


def test_multiple_of_base_with_only_a_maximum(starter: Benchmark) -> None:
    # URPL Art 66: up to one times the cost of the temporary construction.
    result = evaluate([starter], "GH-66", DAY, {}, {"project_cost": 100_000})
    assert (result.statutory_min_fen, result.statutory_max_fen) == (0, 100_000 * YUAN)
    assert (result.tier_min_fen, result.tier_max_fen, result.recommended_fen) == (
        40_000 * YUAN,
        60_000 * YUAN,
        50_000 * YUAN,
    )


def test_missing_base_is_an_input_error(starter: Benchmark) -> None:
    with pytest.raises(DiscretionInputError) as excinfo:
        evaluate([starter], "GH-64", DAY, {})
    assert "工程造价" in excinfo.value.message
    assert excinfo.value.field == "quantities"
    with pytest.raises(DiscretionInputError, match="大于0"):
        evaluate([starter], "GH-64", DAY, {}, {"project_cost": 0})


def test_quantity_band_in_a_condition(starter: Benchmark) -> None:
    small = evaluate([starter], "DL-27-1", DAY, {}, {"area_m2": 99.5})
    large = evaluate([starter], "DL-27-1", DAY, {}, {"面积": 100})
    assert small.tier_label == "一般"
    assert large.tier_label == "从重"
    missing = evaluate([starter], "DL-27-1", DAY, {})
    assert missing.tier_label == "一般"
    assert any("未填写面积" in warning for warning in missing.warnings)


def test_refusal_to_correct_within_days(starter: Benchmark) -> None:
    served = date(2025, 2, 1)
    cases = [
        (CorrectionOrder(served, recurred_on=date(2025, 2, 5)), "从重"),  # recurred within 7 days
        (CorrectionOrder(served, recurred_on=date(2025, 2, 20)), "一般"),  # recurred later: a new act
        (CorrectionOrder(served, corrected_on=date(2025, 2, 6)), "一般"),
        (CorrectionOrder(served, corrected_on=date(2025, 2, 12)), "从重"),  # corrected too late
        (CorrectionOrder(served, checked_on=date(2025, 2, 15)), "从重"),  # re-check: not corrected
        (CorrectionOrder(served, checked_on=date(2025, 2, 5)), "一般"),  # too early to tell
    ]
    for order, tier in cases:
        result = evaluate([starter], "DQ-116", DAY, {}, correction_order=order)
        assert result.tier_label == tier, order
    assert (
        "送达责令改正通知书"
        in evaluate([starter], "DQ-116", DAY, {}, correction_order=cases[0][0]).explanation
    )


@pytest.mark.parametrize(
    ("fact", "citation"),
    [("party_under_14", "第三十条"), ("mental_incapacity", "第三十一条"), ("no_fault", "第三十三条第二款")],
)
def test_statutory_no_penalty_overrides_every_tier(starter: Benchmark, fact: str, citation: str) -> None:
    result = evaluate([starter], "DQ-115", DAY, {fact: True, "obstructed_officers": True}, None, priors(3))
    assert result.no_penalty
    assert result.rule == Rule.STATUTORY_NO_PENALTY
    assert result.tier_code is None
    assert result.recommended_fen == 0
    assert citation in result.explanation
    assert "裁量标准" not in result.explanation  # the law decides here, not the benchmark


def test_conflicting_circumstances_are_flagged(starter: Benchmark) -> None:
    result = evaluate([starter], "DQ-119-1", DAY, {"corrected_in_time": True}, prior_penalty_dates=priors(1))
    assert result.tier_label == "从重"
    assert any("同时存在从重情节和从轻" in warning for warning in result.warnings)


def test_explanation_cites_provisions_and_clause(starter: Benchmark) -> None:
    result = evaluate([starter], "DQ-119-1", DAY, {"corrected_in_time": True})
    text = result.explanation
    assert text.startswith("当事人在人口集中地区")
    assert "违反了《中华人民共和国大气污染防治法》第七十七条的规定" in text
    assert (
        "依据《中华人民共和国大气污染防治法》第一百一十九条第一款，可以处500.00元以上2,000.00元以下的罚款"
        in text
    )
    assert "《乡镇综合行政执法常用事项裁量基准（初始示例）》第1项" in text
    assert "“从轻”阶次（DQ-119-1-3）" in text
    assert "建议处罚款725.00元（大写：柒佰贰拾伍元整）" in text
    assert result.recommended_text == "725.00元（大写：柒佰贰拾伍元整）"


# --- the published example of DOMAIN.md 3.3 -------------------------------------------------

SZ_DAY = date(2024, 6, 1)

# item, quantities, first, second, third (yuan, for the whole act)
PUBLISHED = [
    ("sz_cg_2023_002", {}, 1000, 3000, 5000),
    ("sz_cg_2023_005", {"facility_count": 1}, 5000, 10000, 20000),
    ("sz_cg_2023_009", {}, 100, 300, 500),
    ("sz_cg_2023_010", {}, 10000, 50000, 100000),
    ("sz_cg_2023_011", {}, 2000, 3000, 5000),
    ("sz_cg_2023_013", {}, 50, 100, 200),
    ("sz_cg_2023_017", {}, 3000, 6000, 10000),
]


def test_published_example_imports_with_its_eight_items(shenzhen: Benchmark) -> None:
    assert shenzhen.doc_number == "深城管规〔2023〕2号"
    assert shenzhen.effective_from == date(2023, 12, 15)
    assert shenzhen.lookback_days == 365
    assert [item.seq for item in shenzhen.items] == ["2", "3", "5", "9", "10", "11", "13", "17"]


@pytest.mark.parametrize(("code", "quantities", "first", "second", "third"), PUBLISHED)
def test_published_amounts_for_first_second_third_violation(
    shenzhen: Benchmark, code: str, quantities: dict[str, int], first: int, second: int, third: int
) -> None:
    amounts = [
        evaluate([shenzhen], code, SZ_DAY, {}, quantities, priors(count, SZ_DAY)).recommended_fen
        for count in (0, 1, 2)
    ]
    assert amounts == [first * YUAN, second * YUAN, third * YUAN]
    fourth = evaluate([shenzhen], code, SZ_DAY, {}, quantities, priors(3, SZ_DAY))
    assert fourth.recommended_fen == third * YUAN
    assert fourth.tier_label == "情节严重"


def test_published_tier_labels_and_additional_penalties(shenzhen: Benchmark) -> None:
    labels = [
        evaluate([shenzhen], "sz_cg_2023_010", SZ_DAY, {}, None, priors(n, SZ_DAY)).tier_label
        for n in (0, 1, 2)
    ]
    assert labels == ["情节较轻", "情节较重", "情节严重"]
    third = evaluate([shenzhen], "sz_cg_2023_010", SZ_DAY, {}, None, priors(2, SZ_DAY))
    assert third.additional_penalties == ("没收非法财物（违法户外广告设施）",)
    revoked = evaluate([shenzhen], "sz_cg_2023_011", SZ_DAY, {}, None, priors(2, SZ_DAY))
    assert revoked.additional_penalties == ("吊销许可证件（户外广告设置许可）",)
    assert "深城管规〔2023〕2号" in third.explanation and "第10项" in third.explanation


def test_published_aggravating_conduct_jumps_to_the_serious_tier(shenzhen: Benchmark) -> None:
    # Items 2, 10, 11: "3rd+ or threatening/pushing/abusing/beating staff... major impact".
    for code, amount in (("sz_cg_2023_002", 5000), ("sz_cg_2023_010", 100000), ("sz_cg_2023_011", 5000)):
        result = evaluate([shenzhen], code, SZ_DAY, {"obstructed_officers": True})
        assert (result.tier_label, result.recommended_fen) == ("情节严重", amount * YUAN)
    # Item 13 lists repeats only.
    assert (
        evaluate([shenzhen], "sz_cg_2023_013", SZ_DAY, {"obstructed_officers": True}).recommended_fen
        == 50 * YUAN
    )


@pytest.mark.parametrize("code", ["sz_cg_2023_002", "sz_cg_2023_009"])
def test_published_no_penalty_tier(shenzhen: Benchmark, code: str) -> None:
    result = evaluate([shenzhen], code, SZ_DAY, {"minor_violation": True, "corrected_in_time": True})
    assert result.no_penalty
    assert result.tier_label == "情节轻微"
    assert result.recommended_fen == 0
    # This benchmark sends 不予处罚 to collective discussion (a local rule).
    assert result.requires_collective_discussion


def test_published_per_square_metre_item(shenzhen: Benchmark) -> None:
    third = evaluate([shenzhen], "sz_cg_2023_003", SZ_DAY, {}, {"area_m2": "12.5"}, priors(2, SZ_DAY))
    assert third.tier_label == "情节严重"
    assert third.recommended_fen == 12_500 * YUAN
    assert third.additional_penalties == ("没收非法财物（经营物品和工具）",)
    assert "按每平方米1,000.00元×12.5平方米计算" in third.explanation
    # The structured copy has no lower tier; the statute fixes 1,000 yuan per m2 anyway.
    first = evaluate([shenzhen], "sz_cg_2023_003", SZ_DAY, {}, {"area_m2": 10})
    assert first.tier_code is None
    assert first.rule == Rule.STATUTORY_FIXED
    assert first.recommended_fen == 10_000 * YUAN
    assert any("未规定" in warning for warning in first.warnings)


def test_published_per_facility_item_multiplies(shenzhen: Benchmark) -> None:
    result = evaluate([shenzhen], "sz_cg_2023_005", SZ_DAY, {}, {"设施数量": 3}, priors(1, SZ_DAY))
    assert result.recommended_fen == 30_000 * YUAN
    assert (result.statutory_min_fen, result.statutory_max_fen) == (15_000 * YUAN, 60_000 * YUAN)


# --- versions by date (APL Art 37) ----------------------------------------------------------


def _versions(starter: Benchmark, new_ordinary_yuan: int) -> tuple[Benchmark, Benchmark]:
    """Version 1 until 2025-12-31 and version 2 from 2026-01-01 with another 一般 amount for DQ-119-1."""
    old = replace(starter, effective_to=date(2025, 12, 31))
    item = old.item("DQ-119-1")
    assert item is not None
    tiers = tuple(
        replace(tier, outcome=Outcome(OutcomeKind.POINT, new_ordinary_yuan * YUAN))
        if tier.kind.label == "一般"
        else tier
        for tier in item.tiers
    )
    items = tuple(replace(entry, tiers=tiers) if entry.code == "DQ-119-1" else entry for entry in old.items)
    new = replace(
        old,
        uuid="0f6a3b8e-2b64-4c6e-9a57-4d3c1a9f0b12",
        version=2,
        effective_from=date(2026, 1, 1),
        effective_to=None,
        items=items,
    )
    return old, new


def test_version_in_force_on_the_violation_date(starter: Benchmark) -> None:
    old, new = _versions(starter, 800)
    assert evaluate([old, new], "DQ-119-1", date(2025, 6, 1)).benchmark_version == 1
    assert evaluate([old, new], "DQ-119-1", date(2026, 2, 1)).benchmark_version == 2
    with pytest.raises(DiscretionInputError, match="没有施行中的裁量基准"):
        evaluate([old, new], "DQ-119-1", date(2020, 1, 1))


def test_lighter_later_version_is_exposed_and_applied_on_request(starter: Benchmark) -> None:
    old, new = _versions(starter, 800)
    kept = evaluate([old, new], "DQ-119-1", date(2025, 6, 1), decision_date=date(2026, 2, 1))
    assert kept.benchmark_version == 1
    assert kept.recommended_fen == 1250 * YUAN
    assert kept.alternative is not None and kept.alternative.recommended_fen == 800 * YUAN
    assert any("第三十七条" in warning for warning in kept.warnings)

    chosen = evaluate(
        [old, new],
        "DQ-119-1",
        date(2025, 6, 1),
        decision_date=date(2026, 2, 1),
        prefer_lighter_later_version=True,
    )
    assert chosen.lighter_version_applied
    assert chosen.benchmark_version == 2
    assert chosen.recommended_fen == 800 * YUAN
    assert chosen.alternative is not None and chosen.alternative.benchmark_version == 1
    assert "第三十七条" in chosen.explanation


def test_heavier_later_version_is_never_applied(starter: Benchmark) -> None:
    old, new = _versions(starter, 1500)
    result = evaluate(
        [old, new],
        "DQ-119-1",
        date(2025, 6, 1),
        decision_date=date(2026, 2, 1),
        prefer_lighter_later_version=True,
    )
    assert result.benchmark_version == 1
    assert not result.lighter_version_applied
    assert result.alternative is not None and result.alternative.recommended_fen == 1500 * YUAN


def test_no_version_at_the_violation_date_falls_back_to_the_decision_date(starter: Benchmark) -> None:
    result = evaluate([starter], "DQ-119-1", date(2021, 1, 1), decision_date=DAY)
    assert result.benchmark_version == 1
    assert any("参照作出处罚决定时" in warning for warning in result.warnings)


# --- proposed amounts -----------------------------------------------------------------------


def test_proposals_inside_and_outside_the_tier(starter: Benchmark) -> None:
    result = evaluate([starter], "DQ-119-1", DAY, {})  # 一般 950-1,550, recommended 1,250
    same = check_proposed_amount(result, 1250 * YUAN)
    assert same.accepted and same.within_tier and not same.requires_major_review

    no_reason = check_proposed_amount(result, 1000 * YUAN)
    assert not no_reason.accepted and no_reason.requires_reason and "理由" in no_reason.message

    inside = check_proposed_amount(result, 1000 * YUAN, "当事人系残疾人，经济困难")
    assert inside.accepted and inside.within_tier and not inside.requires_major_review

    outside = check_proposed_amount(result, 1800 * YUAN, "焚烧面积大，烟尘影响高速公路通行")
    assert outside.accepted and not outside.within_tier and outside.requires_major_review
    assert "法制审核" in outside.message and "集体讨论" in outside.message

    assert not check_proposed_amount(result, 1800 * YUAN).accepted
    assert not check_proposed_amount(result, 1800 * YUAN, "   ").accepted


def test_proposals_beyond_the_statute_are_refused(starter: Benchmark) -> None:
    result = evaluate([starter], "DQ-119-1", DAY, {})
    above = check_proposed_amount(result, 2001 * YUAN, "情节特别严重")
    assert not above.accepted and "超过法定最高额2,000.00元" in above.message
    below = check_proposed_amount(result, 400 * YUAN, "经济困难")
    assert not below.accepted and "法定减轻情节" in below.message
    assert not check_proposed_amount(result, -1).accepted
    # The fine is optional here ("可以处"): deciding without one is lawful, but outside the tier.
    none = check_proposed_amount(result, 0, "当事人已清理现场并深刻认识错误")
    assert none.accepted and none.requires_major_review
    # A mandatory fine cannot be dropped without a legal ground.
    mandatory = evaluate([starter], "GF-111-1-G", DAY, {})
    assert not check_proposed_amount(mandatory, 0, "初犯").accepted


def test_proposals_below_the_minimum_with_a_legal_ground(starter: Benchmark) -> None:
    reduced = evaluate([starter], "DQ-119-1", DAY, {"coerced": True})  # 减轻 250-500
    assert check_proposed_amount(reduced, 300 * YUAN, "受雇主指使").accepted
    outside = check_proposed_amount(reduced, 200 * YUAN, "受雇主胁迫，家庭困难")
    assert outside.accepted and outside.requires_major_review


def test_no_fine_in_a_no_penalty_result(starter: Benchmark) -> None:
    result = evaluate([starter], "DQ-119-1", DAY, {"minor_violation": True, "corrected_in_time": True})
    assert check_proposed_amount(result, 0).accepted
    refused = check_proposed_amount(result, 100 * YUAN, "态度不好")
    assert not refused.accepted and "不得罚款" in refused.message


def test_proposal_where_the_benchmark_has_no_tier(shenzhen: Benchmark) -> None:
    result = evaluate([shenzhen], "sz_cg_2023_003", SZ_DAY, {}, {"area_m2": 10})
    assert check_proposed_amount(result, 10_000 * YUAN).accepted
    assert not check_proposed_amount(result, 12_000 * YUAN, "x").accepted  # the statute fixes the rate


# --- inputs, results, errors ----------------------------------------------------------------


def test_result_is_json_serialisable_and_reloads(starter: Benchmark) -> None:
    old, new = _versions(starter, 800)
    result = evaluate(
        [old, new],
        "DQ-119-1",
        date(2025, 6, 1),
        {"corrected_in_time": True},
        prior_penalty_dates=[date(2025, 1, 5)],
        correction_order=CorrectionOrder(date(2025, 5, 1), corrected_on=date(2025, 5, 3)),
        decision_date=date(2026, 2, 1),
        prefer_lighter_later_version=True,
    )
    data = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    assert DiscretionResult.from_dict(data) == result
    again = evaluate_inputs([old, new], EvaluationInputs.from_dict(data["inputs"]))
    assert again == result


def test_inputs_accept_short_names_and_normalise(starter: Benchmark) -> None:
    by_code = evaluate([starter], "GH-64", DAY, {"voluntary_correction": True}, {"project_cost": 1_000_000})
    by_name = evaluate([starter], "GH-64", DAY, {"主动改正": True}, {"工程造价": "1,000,000"})
    assert by_code == by_name
    assert by_code.inputs.facts == (("voluntary_correction", True),)
    assert by_code.inputs.quantities == (("project_cost", "1000000"),)


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"item_code": "NO-SUCH"}, "item_code", "NO-SUCH"),
        ({"facts": {"飞行": True}}, "facts", "未知的情节"),
        ({"facts": {"first_violation": True}}, "facts", "自动认定"),
        ({"facts": {"coerced": "yes"}}, "facts", "是或否"),
        ({"quantities": {"体重": 3}}, "quantities", "未知的计量名称"),
        ({"quantities": {"area_m2": -1}}, "quantities", "不小于0"),
        ({"quantities": {"area_m2": "很大"}}, "quantities", "应为数字"),
    ],
)
def test_bad_inputs_raise_with_a_chinese_message(
    starter: Benchmark, kwargs: dict[str, object], field: str, words: str
) -> None:
    arguments: dict[str, object] = {"item_code": "DQ-119-1", "violation_date": DAY, **kwargs}
    with pytest.raises(DiscretionInputError) as excinfo:
        evaluate([starter], **arguments)  # type: ignore[arg-type]
    assert excinfo.value.field == field
    assert words in excinfo.value.message


def test_priors_from_count_counts_in_every_window(starter: Benchmark) -> None:
    dates = priors_from_count(2, DAY)
    result = evaluate([starter], "DQ-119-1", DAY, {}, prior_penalty_dates=dates)
    assert result.prior_penalty_count == 2
    with pytest.raises(DiscretionInputError):
        priors_from_count(-1, DAY)


def test_registries_for_the_gui() -> None:
    facts = fact_choices()
    codes = {fact["code"] for fact in facts}
    assert {"first_violation", "obstructed_officers", "coerced", "statement_made"} <= codes
    assert {fact["direction"] for fact in facts} == {"aggravating", "mitigating", "neutral"}
    assert next(fact for fact in facts if fact["code"] == "first_violation")["derived"] is True
    assert {quantity["code"] for quantity in quantity_choices()} >= {
        "area_m2",
        "facility_count",
        "project_cost",
    }
    json.dumps(facts, ensure_ascii=False)


def test_evaluation_is_fast(starter: Benchmark, shenzhen: Benchmark) -> None:
    cases = [
        ("DQ-119-1", {"corrected_in_time": True}, None),
        ("GH-64", {}, {"project_cost": 1_000_000}),
        ("DL-27-1", {"obstructed_officers": True}, {"area_m2": 20}),
    ]
    start = time.perf_counter()
    rounds = 100
    for _ in range(rounds):
        for code, facts, quantities in cases:
            evaluate([starter, shenzhen], code, DAY, facts, quantities, priors(2))
    per_call = (time.perf_counter() - start) / (rounds * len(cases))
    assert per_call < 0.005, f"{per_call * 1000:.2f} ms per evaluation"
