"""The benchmark exchange file (docs/discretion-format.md): round trips, the condition language,
and bad files refused with row-level messages - nothing is imported from a file with any error."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brigade_desk.core.rules.discretion import (
    PUBLISHED_EXAMPLE_FILE,
    STARTER_FILE,
    AllOf,
    AnyOf,
    Benchmark,
    BenchmarkDataError,
    ConditionError,
    FactIs,
    Not,
    OutcomeKind,
    ParseResult,
    Predicate,
    PriorPenalties,
    QuantityBand,
    RefusedCorrection,
    TierKind,
    benchmark_digest,
    benchmark_from_dict,
    benchmark_to_csv,
    benchmark_to_dict,
    format_condition,
    load_published_example,
    load_starter_benchmark,
    parse_benchmark_bytes,
    parse_benchmark_csv,
    parse_condition,
    predicate_from_json,
    predicate_to_json,
    read_benchmark_csv,
    write_benchmark_csv,
)
from brigade_desk.core.rules.discretion_csv import ITEM_COLUMNS, META_KEYS, TIER_COLUMNS
from brigade_desk.core.rules.discretion_registry import FACTS

META = {
    "基准名称": "临溪县城市管理行政处罚裁量基准",
    "基准代码": "LX-CG",
    "制定机关": "临溪县综合行政执法局",
    "文号": "临综执规〔2025〕1号",
    "生效日期": "2025-01-01",
    "版本": "1",
}
# Row numbers as Excel shows them: marker, 13 key rows, a blank row, the header, then data.
HEADER_ROW = 2 + len(META_KEYS) + 1
FIRST = HEADER_ROW + 1

ITEM = {
    "事项编码": "LJ-1",
    "序号": "1",
    "违法行为": "随意倾倒生活垃圾",
    "违反条款": "《中华人民共和国固体废物污染环境防治法》第四十九条第二款",
    "处罚依据": "《中华人民共和国固体废物污染环境防治法》第一百一十一条",
    "处罚种类": "罚款",
    "计罚方式": "固定金额",
    "法定下限": "100",
    "法定上限": "500",
    "默认公式": "三七分",
}
TIERS = [
    {"裁量阶次": "从轻", "适用条件": "及时改正的", "条件表达式": "及时改正", "处罚标准": "公式"},
    {"裁量阶次": "一般", "适用条件": "其他情形", "处罚标准": "公式"},
    {"裁量阶次": "从重", "适用条件": "一年内再次违法的", "条件表达式": "处罚次数>=1", "处罚标准": "公式"},
]


def make_csv(
    rows: list[Mapping[str, str]] | None = None,
    meta: Mapping[str, str] | None = None,
    header: list[str] | None = None,
) -> str:
    """A file in the exchange format. ``rows`` default to one item (LJ-1) with three tiers."""
    if rows is None:
        rows = [{**ITEM, **TIERS[0]}, {"事项编码": "LJ-1", **TIERS[1]}, {"事项编码": "LJ-1", **TIERS[2]}]
    values = {**META, **(meta or {})}
    columns = header or [*ITEM_COLUMNS, *TIER_COLUMNS]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["裁量基准格式", "1"])
    for key in META_KEYS:
        writer.writerow([key, values.get(key, "")])
    writer.writerow([])
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    return buffer.getvalue()


def errors_of(result: ParseResult) -> list[tuple[int | None, str]]:
    assert result.benchmark is None, "a file with errors must not produce a benchmark"
    assert result.errors
    for issue in result.errors:
        assert issue.message  # every error says what to fix, in Chinese
    return [(issue.row, issue.column) for issue in result.errors]


# --- good files -----------------------------------------------------------------------------


def test_minimal_file_parses() -> None:
    result = parse_benchmark_csv(make_csv())
    assert result.ok, [str(issue) for issue in result.errors]
    benchmark = result.benchmark
    assert benchmark is not None
    item = benchmark.items[0]
    assert item.statutory_min == 10_000 and item.statutory_max == 50_000
    assert [tier.code for tier in item.tiers] == ["LJ-1-1", "LJ-1-2", "LJ-1-3"]
    assert item.tiers[1].condition is None
    assert item.tiers[2].condition == PriorPenalties(1)
    # A file without 标识 gets the same UUID every time, so re-importing it is idempotent.
    assert parse_benchmark_csv(make_csv()).benchmark == benchmark


@pytest.mark.parametrize("path", [STARTER_FILE, PUBLISHED_EXAMPLE_FILE])
def test_shipped_files_round_trip_exactly(path: Path) -> None:
    result = read_benchmark_csv(path)
    assert result.ok and not result.warnings, [str(issue) for issue in (*result.errors, *result.warnings)]
    benchmark = result.benchmark
    assert benchmark is not None
    text = benchmark_to_csv(benchmark)
    assert text == path.read_bytes().decode("utf-8-sig")
    assert parse_benchmark_csv(text).benchmark == benchmark


def test_export_writes_the_same_format_back(tmp_path: Path) -> None:
    for benchmark in (load_starter_benchmark(), load_published_example()):
        target = tmp_path / f"{benchmark.series}.csv"
        write_benchmark_csv(benchmark, target)
        raw = target.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens it as UTF-8
        again = read_benchmark_csv(target)
        assert again.benchmark == benchmark


def test_hand_written_variations_are_accepted() -> None:
    rows = [
        {
            **ITEM,
            "法定下限": "100元",
            "法定上限": "500.00",
            "处罚种类": "罚款，没收违法所得",
            **TIERS[0],
            "条件表达式": "（及时改正｜主动改正）＆！造成危害后果",
            "处罚标准": "100-220",
            "建议取值": "低",
        },
        {"事项编码": "LJ-1", **TIERS[1], "处罚标准": "公式：30%～70%"},
        {
            "事项编码": "LJ-1",
            **TIERS[2],
            "处罚标准": "380元至500元",
            "附加处罚": "没收违法所得（有违法所得的、已查明的）",
        },
    ]
    text = make_csv(rows, meta={"生效日期": "2025/1/1", "失效日期": "2029年12月31日", "初始基准": "否"})
    # Comments, blank lines and Excel's trailing empty cells do not matter.
    text = "# 由县司法局提供\r\n\r\n" + text.replace("\r\n", ",,\r\n") + "\r\n,,,\r\n"
    result = parse_benchmark_csv("\ufeff" + text)
    assert result.ok, [str(issue) for issue in result.errors]
    benchmark = result.benchmark
    assert benchmark is not None
    tiers = benchmark.items[0].tiers
    assert tiers[0].outcome.kind is OutcomeKind.RANGE and (tiers[0].outcome.low, tiers[0].outcome.high) == (
        10_000,
        22_000,
    )
    assert tiers[0].condition == AllOf(
        (AnyOf((FactIs("corrected_in_time"), FactIs("voluntary_correction"))), Not(FactIs("harm_caused")))
    )
    assert (tiers[1].outcome.low, tiers[1].outcome.high) == (3000, 7000)
    assert tiers[2].additional_penalties[0].detail == "有违法所得的、已查明的"
    assert benchmark.items[0].penalty_kinds == ("罚款", "没收违法所得")
    assert benchmark.effective_to is not None and benchmark.effective_to.year == 2029


def test_gb18030_file_from_excel_is_read_with_a_warning() -> None:
    result = parse_benchmark_bytes(make_csv().encode("gb18030"))
    assert result.ok
    assert any("GB18030" in issue.message for issue in result.warnings)


def test_json_form_round_trips_and_digest_tracks_content() -> None:
    benchmark = load_starter_benchmark()
    data = json.loads(json.dumps(benchmark_to_dict(benchmark), ensure_ascii=False))
    assert benchmark_from_dict(data) == benchmark
    digest = benchmark_digest(benchmark)
    assert digest == benchmark_digest(benchmark_from_dict(data))
    edited = replace(benchmark, items=benchmark.items[:-1])
    assert benchmark_digest(edited) != digest


def test_json_form_is_validated() -> None:
    data = benchmark_to_dict(load_published_example())
    data["items"][0]["statutory_max"] = 50  # 0.50 yuan, below the tiers
    with pytest.raises(BenchmarkDataError) as excinfo:
        benchmark_from_dict(data)
    assert any("法定上限" in issue.message for issue in excinfo.value.issues)
    with pytest.raises(BenchmarkDataError):
        benchmark_from_dict({"schema": 1})


def test_warnings_do_not_block_the_import() -> None:
    rows = [
        {**ITEM, **TIERS[0], "处罚标准": "300", "建议取值": "高"},
        {"事项编码": "LJ-1", **TIERS[1], "处罚标准": "200"},
        {"事项编码": "LJ-1", **TIERS[2], "处罚标准": "400"},
    ]
    result = parse_benchmark_csv(make_csv(rows))
    assert result.ok
    messages = [issue.message for issue in result.warnings]
    assert any("低于较轻" in message for message in messages)  # 一般 200 below 从轻 300
    assert any("不需要建议取值" in message for message in messages)


def test_the_example_in_the_format_document_parses() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "discretion-format.md").read_text(encoding="utf-8")
    example = doc.split("## A complete small file", 1)[1].split("```csv\n", 1)[1].split("```", 1)[0]
    result = parse_benchmark_csv(example)
    assert result.ok and not result.warnings, [str(issue) for issue in (*result.errors, *result.warnings)]
    benchmark = result.benchmark
    assert benchmark is not None
    assert [tier.kind for tier in benchmark.items[0].tiers] == [
        TierKind.NO_PENALTY,
        TierKind.REDUCED,
        TierKind.LIGHTER,
        TierKind.ORDINARY,
        TierKind.HEAVIER,
    ]


# --- bad files ------------------------------------------------------------------------------


def test_not_a_benchmark_file() -> None:
    result = parse_benchmark_csv("姓名,身份证号\r\n张三,1\r\n")
    assert errors_of(result) == [(1, "")]
    assert "不是裁量基准文件" in result.errors[0].message
    assert errors_of(parse_benchmark_csv("")) == [(None, "")]


def test_header_problems() -> None:
    columns = [column for column in [*ITEM_COLUMNS, *TIER_COLUMNS] if column != "法定上限"] + ["备注"]
    result = parse_benchmark_csv(make_csv(header=columns))
    found = errors_of(result)
    assert (HEADER_ROW, "法定上限") in found  # missing required column
    assert (HEADER_ROW, "备注") in found  # unknown column
    no_header = "裁量基准格式,1\r\n基准名称,x\r\n"
    assert errors_of(parse_benchmark_csv(no_header)) == [(None, "")]


def test_metadata_problems() -> None:
    result = parse_benchmark_csv(make_csv(meta={"基准名称": "", "生效日期": "2025-13-01", "版本": "第一版"}))
    found = errors_of(result)
    assert (2, "基准名称") in found
    assert (6, "生效日期") in found
    assert (8, "版本") in found
    text = make_csv().replace("制定机关,", "发布单位,", 1)
    assert (4, "发布单位") in errors_of(parse_benchmark_csv(text))


def _with(index: int, **cells: str) -> list[dict[str, str]]:
    rows = [{**ITEM, **TIERS[0]}, {"事项编码": "LJ-1", **TIERS[1]}, {"事项编码": "LJ-1", **TIERS[2]}]
    rows[index] = {**rows[index], **cells}
    return rows


@pytest.mark.parametrize(
    ("rows", "row", "column", "words"),
    [
        (_with(0, 法定上限="五百"), FIRST, "法定上限", "不是有效的金额"),
        (_with(0, 计罚方式="按次"), FIRST, "计罚方式", "计罚方式"),
        (_with(0, 处罚种类="罚款、行政拘留"), FIRST, "处罚种类", "不能由乡镇作出"),
        (_with(0, 处罚种类="警告"), FIRST, "处罚种类", "须包含“罚款”"),
        (_with(0, 法定下限="600"), FIRST, "法定下限", "大于法定上限"),
        (_with(0, 法定下限=""), FIRST, "法定下限", "仅规定上限"),
        (_with(0, 仅规定上限="是"), FIRST, "法定下限", "应留空"),
        (
            _with(0, 计罚方式="按基数百分比", 计量名称="面积", 法定下限="5%", 法定上限="10%"),
            FIRST,
            "计量名称",
            "金额",
        ),
        (_with(0, 计罚方式="按数量"), FIRST, "计量名称", "须填写计量名称"),
        (_with(1, 裁量阶次="很重"), FIRST + 1, "裁量阶次", "不是有效的裁量阶次"),
        (_with(2, 处罚标准="600"), FIRST + 2, "处罚标准", "超过法定上限"),
        (_with(0, 处罚标准="50~90"), FIRST, "处罚标准", "只有“减轻”阶次可以低于法定下限"),
        (_with(0, 处罚标准="好多钱"), FIRST, "处罚标准", "不是有效的金额"),
        (_with(0, 处罚标准="警告"), FIRST, "处罚标准", "必须罚款"),
        (_with(0, 处罚标准="公式 50%~40%"), FIRST, "处罚标准", "0%至100%"),
        (_with(0, 条件表达式="及时改正 & 飞行"), FIRST, "条件表达式", "未知的名称“飞行”"),
        (_with(0, 条件表达式="(及时改正 | 主动改正"), FIRST, "条件表达式", "此处应为“)”"),
        (_with(0, 条件表达式="处罚次数"), FIRST, "条件表达式", "应有比较"),
        (_with(0, 条件表达式="陈述申辩"), FIRST, "条件表达式", "第四十五条"),
        (_with(0, 条件表达式="面积>=50"), FIRST, "条件表达式", None),  # registered: allowed, no error
        (_with(0, 裁量阶次="减轻", 处罚标准="50~100"), FIRST, "条件表达式", "法定减轻情节"),
        (_with(0, 裁量阶次="不予处罚", 处罚标准="100"), FIRST, "处罚标准", "只能是“不予处罚”"),
        (_with(0, 处罚标准="不予处罚"), FIRST, "处罚标准", "不能不予处罚"),
        (_with(0, 条件表达式=""), FIRST + 1, "条件表达式", "默认阶次"),
        (_with(2, 阶次编码="LJ-1-1"), FIRST + 2, "阶次编码", "重复"),
        (_with(1, 法定上限="800"), FIRST + 1, "法定上限", "须留空或与首行相同"),
        (_with(1, 事项编码=""), FIRST + 1, "事项编码", "每一行都须填写事项编码"),
        (_with(0, 适用条件=""), FIRST, "适用条件", "文字说明"),
        (_with(2, 附加处罚="拆除"), FIRST + 2, "附加处罚", "未知的附加处罚"),
        (_with(2, 附加处罚="吊销许可证件"), FIRST + 2, "附加处罚", "不在该事项的处罚种类中"),
        (_with(0, 默认公式=""), FIRST, "处罚标准", "默认公式"),
    ],
)
def test_bad_rows_are_refused_with_row_and_column(
    rows: list[dict[str, str]], row: int, column: str, words: str | None
) -> None:
    result = parse_benchmark_csv(make_csv(rows))
    if words is None:
        assert result.ok, [str(issue) for issue in result.errors]
        return
    found = errors_of(result)
    assert (row, column) in found, [str(issue) for issue in result.errors]
    messages = [issue.message for issue in result.errors if (issue.row, issue.column) == (row, column)]
    assert any(words in message for message in messages), messages


def test_rows_of_one_item_must_be_adjacent() -> None:
    other = {**ITEM, "事项编码": "LJ-2", **TIERS[1]}
    rows = [{**ITEM, **TIERS[0]}, other, {"事项编码": "LJ-1", **TIERS[2]}]
    result = parse_benchmark_csv(make_csv(rows))
    assert (FIRST + 2, "事项编码") in errors_of(result)
    assert "不相邻" in str(result.errors[0])


def test_every_error_is_reported_at_once_and_nothing_is_imported() -> None:
    good_item = [{**ITEM, "事项编码": "OK-1", **TIERS[1]}]
    bad_item = _with(0, 法定上限="abc")
    bad_item[2] = {**bad_item[2], "条件表达式": "处罚次数>="}
    rows = [*good_item, *bad_item, {**ITEM, "事项编码": "LJ-3", **TIERS[1], "处罚标准": "9999"}]
    result = parse_benchmark_csv(make_csv(rows, meta={"生效日期": "明年"}))
    found = errors_of(result)
    assert (6, "生效日期") in found
    assert (FIRST + 1, "法定上限") in found
    assert (FIRST + 3, "条件表达式") in found
    assert (FIRST + 4, "处罚标准") in found
    assert result.benchmark is None
    # Messages read well on their own: 第N行【列】：…
    assert str(result.errors[0]).startswith("第")


# --- the condition language -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("首次违法", FactIs("first_violation")),
        ("first_violation", FactIs("first_violation")),
        ("处罚次数>=2", PriorPenalties(2)),
        ("处罚次数>1", PriorPenalties(2)),
        ("处罚次数=1", PriorPenalties(1, 1)),
        ("处罚次数<2", PriorPenalties(0, 1)),
        ("处罚次数(730日)>=1", PriorPenalties(1, None, 730)),
        ("1<=处罚次数<=2", PriorPenalties(1, 2)),
        ("拒不改正(7)", RefusedCorrection(7)),
        ("拒不改正（15天）", RefusedCorrection(15)),
        ("面积>=50", QuantityBand("area_m2", min=Decimal(50))),
        (
            "50<=面积<200",
            QuantityBand("area_m2", Decimal(50), Decimal(200)),
        ),
        (
            "违法行为轻微 & 及时改正 & !造成危害后果",
            AllOf((FactIs("minor_violation"), FactIs("corrected_in_time"), Not(FactIs("harm_caused")))),
        ),
        (
            "处罚次数>=2 | 阻碍执法 | 重大社会影响",
            AnyOf((PriorPenalties(2), FactIs("obstructed_officers"), FactIs("major_social_impact"))),
        ),
        ("受他人胁迫或者诱骗实施违法行为", FactIs("coerced")),  # a label with 或 in it
        ('{"prior_penalties_at_least": 1, "lookback_days": 365}', PriorPenalties(1, None, 365)),
    ],
)
def test_conditions_parse(text: str, tree: Predicate) -> None:
    assert parse_condition(text) == tree
    assert parse_condition(format_condition(tree)) == tree
    assert predicate_from_json(predicate_to_json(tree)) == tree


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "为空"),
        ("及时改正 主动改正", "多余的内容"),
        ("拒不改正", "须写明天数"),
        ("首次违法>=1", "不能带参数或比较符"),
        ("处罚次数>=1.5", "整数"),
        ("处罚次数=2 & 处罚次数<", "后面应为数字"),
        ("200<面积<50", "永远不会满足"),
        ("及时改正 &", "此处应为情节"),
        ("{bad json", "JSON"),
        ('{"fact": "飞行"}', "未知的情节"),
    ],
)
def test_condition_errors_say_what_to_fix(text: str, words: str) -> None:
    with pytest.raises(ConditionError) as excinfo:
        parse_condition(text)
    assert words in str(excinfo.value)


_NAMED_FACTS = [entry.code for entry in FACTS]
_leaves = st.one_of(
    st.sampled_from(_NAMED_FACTS).map(FactIs),
    st.builds(
        lambda low, extra, days: PriorPenalties(low, None if extra is None else low + extra, days),
        st.integers(0, 5),
        st.none() | st.integers(0, 3),
        st.none() | st.integers(1, 1000),
    ),
    st.integers(1, 60).map(RefusedCorrection),
    st.builds(
        lambda code, low, width, low_in, high_in: QuantityBand(
            code,
            None if low is None else Decimal(low) / 4,
            None if width is None else Decimal((low or 0) + width) / 4,
            low_in or low is None,
            high_in and width is not None,
        ),
        st.sampled_from(["area_m2", "facility_count", "project_cost"]),
        st.none() | st.integers(0, 1000),
        st.none() | st.integers(1, 1000),
        st.booleans(),
        st.booleans(),
    ).filter(lambda band: band.min is not None or band.max is not None),
)


def _flat(kind: type[AllOf] | type[AnyOf], items: list[Predicate]) -> Predicate:
    flat: list[Predicate] = []
    for item in items:
        flat.extend(item.items if isinstance(item, kind) else [item])
    return flat[0] if len(flat) == 1 else kind(tuple(flat))


_trees = st.recursive(
    _leaves,
    lambda children: st.one_of(
        st.lists(children, min_size=2, max_size=4).map(lambda items: _flat(AllOf, items)),
        st.lists(children, min_size=2, max_size=4).map(lambda items: _flat(AnyOf, items)),
        children.map(Not),
    ),
    max_leaves=12,
)


@given(_trees)
def test_any_condition_survives_text_and_json(tree: Predicate) -> None:
    assert parse_condition(format_condition(tree)) == tree
    assert predicate_from_json(json.loads(json.dumps(predicate_to_json(tree)))) == tree


# --- speed ----------------------------------------------------------------------------------


def _big_file(items: int, tiers_per_item: int) -> str:
    rows: list[dict[str, str]] = []
    conditions = [
        "及时改正 | 主动改正",
        "",
        "处罚次数>=1 | 阻碍执法 | 拒不改正(7)",
        "违法行为轻微 & 及时改正 & !造成危害后果",
    ]
    kinds = ["从轻", "一般", "从重", "不予处罚"]
    outcomes = ["公式", "公式", "公式 70%~100%", "不予处罚"]
    for n in range(items):
        for t in range(tiers_per_item):
            row = {
                "事项编码": f"X-{n}",
                "裁量阶次": kinds[t],
                "适用条件": f"条件{t}",
                "条件表达式": conditions[t],
            }
            row["处罚标准"] = outcomes[t]
            rows.append({**ITEM, **row} if t == 0 else row)
    return make_csv(rows)


def test_parsing_500_items_with_2000_tiers_is_well_under_two_seconds() -> None:
    text = _big_file(500, 4)
    start = time.perf_counter()
    result = parse_benchmark_csv(text)
    elapsed = time.perf_counter() - start
    assert result.ok, [str(issue) for issue in result.errors[:5]]
    benchmark = result.benchmark
    assert benchmark is not None
    assert sum(len(item.tiers) for item in benchmark.items) == 2000
    assert benchmark.items[0].tiers[3].kind is TierKind.NO_PENALTY
    assert elapsed < 2.0, f"{elapsed:.2f} s"


def test_benchmark_type_is_frozen() -> None:
    benchmark: Benchmark = load_published_example()
    with pytest.raises(AttributeError):
        benchmark.version = 2  # type: ignore[misc]
