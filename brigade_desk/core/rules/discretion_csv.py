"""The benchmark exchange file: UTF-8 CSV that opens in Excel and can be filled by hand from a
province's published table. docs/discretion-format.md is the user-facing description.

Layout::

    裁量基准格式,1                     <- first row, always
    基准名称,某县城市管理行政处罚裁量基准   <- key,value rows (any order)
    ...
                                        <- blank rows are ignored anywhere
    事项编码,序号,违法行为,...,裁量阶次,...  <- the header row
    DQ-119-1,1,露天焚烧秸秆...,...,不予处罚,... <- one row per tier
    DQ-119-1,,,,...,从轻,...                  <- same item: code repeated, item columns blank

Rows whose first cell starts with ``#`` are comments. Reading never stops at the first problem:
every error is collected with its row and column, and no benchmark is returned if any exists.
"""

from __future__ import annotations

import csv
import io
import re
import uuid as uuid_module
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import partial
from pathlib import Path
from typing import TypeVar

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
from brigade_desk.core.rules.discretion_predicates import ConditionError, format_condition, parse_condition
from brigade_desk.core.rules.discretion_registry import find_quantity
from brigade_desk.core.rules.discretion_validate import ImportIssue, RowMap, validate_benchmark
from brigade_desk.core.rules.money import fen_to_yuan_text, parse_yuan

__all__ = [
    "FORMAT_MARKER",
    "FORMAT_VERSION",
    "ITEM_COLUMNS",
    "META_KEYS",
    "TIER_COLUMNS",
    "ParseResult",
    "benchmark_to_csv",
    "parse_benchmark_bytes",
    "parse_benchmark_csv",
    "read_benchmark_csv",
    "write_benchmark_csv",
]

FORMAT_MARKER = "裁量基准格式"
FORMAT_VERSION = "1"

META_KEYS: tuple[str, ...] = (
    "基准名称",
    "基准代码",
    "制定机关",
    "文号",
    "生效日期",
    "失效日期",
    "版本",
    "来源",
    "初始基准",
    "处罚次数追溯天数",
    "不予处罚和减轻处罚须集体讨论",
    "标识",
    "说明",
)
ITEM_COLUMNS: tuple[str, ...] = (
    "事项编码",
    "序号",
    "违法行为",
    "权力事项编码",
    "违反条款",
    "处罚依据",
    "处罚种类",
    "适用对象",
    "计罚方式",
    "计量名称",
    "计量单位",
    "法定下限",
    "法定上限",
    "仅规定上限",
    "罚款可选",
    "默认公式",
    "总额上限",
    "事项说明",
)
TIER_COLUMNS: tuple[str, ...] = (
    "阶次编码",
    "裁量阶次",
    "适用条件",
    "条件表达式",
    "处罚标准",
    "建议取值",
    "附加处罚",
    "阶次说明",
)
_REQUIRED_COLUMNS = (
    "事项编码",
    "违法行为",
    "违反条款",
    "处罚依据",
    "处罚种类",
    "计罚方式",
    "法定上限",
    "裁量阶次",
    "适用条件",
    "处罚标准",
)
_REQUIRED_META = ("基准名称", "基准代码", "制定机关", "生效日期", "版本")
# Fixed namespace so that a file without 标识 gets the same UUID on every import (idempotent).
_UUID_NAMESPACE = uuid_module.uuid5(uuid_module.NAMESPACE_URL, "brigade-desk:discretion-benchmark")

_T = TypeVar("_T")
# Header values used only to check the items of a file whose own header has errors.
_STAND_IN = Benchmark(
    uuid=str(_UUID_NAMESPACE),
    series="-",
    title="-",
    issuer="-",
    doc_number="",
    effective_from=date(2000, 1, 1),
    effective_to=None,
    version=1,
    items=(),
)


@dataclass(frozen=True)
class ParseResult:
    """Either a benchmark (``errors`` empty) or the list of what to fix; warnings either way."""

    benchmark: Benchmark | None
    errors: tuple[ImportIssue, ...]
    warnings: tuple[ImportIssue, ...] = ()

    @property
    def ok(self) -> bool:
        return self.benchmark is not None and not self.errors


class _CellError(ValueError):
    """A cell that cannot be read; the message is shown to the user."""


# --------------------------------------------------------------------------------------------
# Cell readers

_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_TRUE = {"是", "y", "yes", "true", "1", "√"}
_FALSE = {"否", "n", "no", "false", "0", ""}
# Range separators: ~ is what we write, because Excel turns "5-10" into a date.
_RANGE_SPLIT = re.compile(r"\s*(?:~|～|-|－|—|–|至|到)\s*")
_LIST_SEPARATORS = "、，,；;"
_OPERATOR_CHARS = set("&|!()<>=（）＆｜！＞＜＝ ")


def _read_date(text: str) -> date:
    match = _DATE.match(text.strip())
    if match is None:
        raise _CellError(f"“{text}”不是有效日期，请写成 2024-01-31")
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise _CellError(f"“{text}”不是有效日期") from None


def _read_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise _CellError(f"“{text}”应填“是”或“否”")


def _read_positive_int(text: str) -> int:
    stripped = text.strip()
    if not stripped.isdigit() or int(stripped) < 1:
        raise _CellError(f"“{text}”应为正整数")
    return int(stripped)


def _hundredths(text: str, suffixes: tuple[str, ...], what: str) -> int:
    stripped = text.strip().replace(",", "")
    for suffix in suffixes:
        if stripped.endswith(suffix):
            stripped = stripped[: -len(suffix)].strip()
            break
    try:
        value = Decimal(stripped)
    except InvalidOperation:
        raise _CellError(f"“{text}”不是有效的{what}") from None
    scaled = value * 100
    if not value.is_finite() or value < 0 or scaled != scaled.to_integral_value():
        raise _CellError(f"“{text}”不是有效的{what}（非负数，最多两位小数）")
    return int(scaled)


def _read_unit_value(text: str, kind: FineUnitKind) -> int:
    """A value in the item's unit, returned in hundredths of that unit (fen, basis points...)."""
    if kind is FineUnitKind.PERCENT_OF_BASE:
        return _hundredths(text, ("%", "％"), "百分比，如 5% 或 6.5%")
    if kind is FineUnitKind.MULTIPLE_OF_BASE:
        return _hundredths(text, ("倍",), "倍数，如 1倍 或 1.5")
    # Per-unit rates are often pasted as "1000元/平方米": the unit after the slash is the item's.
    amount = text.split("/", 1)[0]
    try:
        return parse_yuan(amount)
    except ValueError as exc:
        raise _CellError(str(exc)) from None


def _unit_value_text(value: int, kind: FineUnitKind) -> str:
    whole, rest = divmod(value, 100)
    number = str(whole) if rest == 0 else f"{whole}.{rest:02d}".rstrip("0")
    if kind is FineUnitKind.PERCENT_OF_BASE:
        return f"{number}%"
    if kind is FineUnitKind.MULTIPLE_OF_BASE:
        return f"{number}倍"
    return fen_to_yuan_text(value)


def _split_list(text: str) -> list[str]:
    """Split on 、，,；; but not inside parentheses: 没收非法财物（烧烤工具、炉具）stays one entry."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for char in text:
        if char in "（(":
            depth += 1
        elif char in "）)":
            depth = max(0, depth - 1)
        if char in _LIST_SEPARATORS and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    parts.append("".join(current).strip())
    return [part for part in parts if part]


def _read_additional(text: str) -> tuple[AdditionalPenalty, ...]:
    penalties: list[AdditionalPenalty] = []
    for entry in _split_list(text):
        match = re.match(r"^(?P<kind>[^（(]+?)\s*(?:[（(](?P<detail>.*)[）)])?$", entry)
        if match is None:  # pragma: no cover - the pattern accepts any text without a leading bracket
            raise _CellError(f"无法识别的附加处罚“{entry}”")
        penalties.append(
            AdditionalPenalty(match.group("kind").strip(), (match.group("detail") or "").strip())
        )
    return tuple(penalties)


def _read_outcome(text: str, kind: FineUnitKind, recommend: RecommendAt) -> Outcome:
    stripped = text.strip()
    if not stripped:
        raise _CellError("请填写处罚标准：金额、金额幅度、公式、警告或不予处罚")
    if stripped == "不予处罚":
        return Outcome(OutcomeKind.NO_PENALTY)
    if stripped in ("警告", "仅警告", "给予警告"):
        return Outcome(OutcomeKind.WARNING)
    if stripped.startswith("公式"):
        rest = stripped[2:].strip().lstrip(":：").strip()
        if not rest:
            return Outcome(OutcomeKind.FRACTION, None, None, recommend)
        bounds = _RANGE_SPLIT.split(rest)
        if len(bounds) != 2 or not all(bound.endswith(("%", "％")) for bound in bounds):
            raise _CellError(f"“{text}”应写成 公式 或 公式 40%~60%（法定幅度的比例）")
        low = _hundredths(bounds[0], ("%", "％"), "比例")
        high = _hundredths(bounds[1], ("%", "％"), "比例")
        return Outcome(OutcomeKind.FRACTION, low, high, recommend)
    bounds = _RANGE_SPLIT.split(stripped)
    if len(bounds) == 1:
        return Outcome(OutcomeKind.POINT, _read_unit_value(bounds[0], kind), None)
    if len(bounds) == 2:
        return Outcome(
            OutcomeKind.RANGE, _read_unit_value(bounds[0], kind), _read_unit_value(bounds[1], kind), recommend
        )
    raise _CellError(f"“{text}”无法识别：应为 1000、1000~3000、公式 40%~60%、警告 或 不予处罚")


def _outcome_text(outcome: Outcome, kind: FineUnitKind) -> str:
    match outcome.kind:
        case OutcomeKind.NO_PENALTY:
            return "不予处罚"
        case OutcomeKind.WARNING:
            return "警告"
        case OutcomeKind.FRACTION:
            if outcome.low is None or outcome.high is None:
                return "公式"
            low = _unit_value_text(outcome.low, FineUnitKind.PERCENT_OF_BASE)
            high = _unit_value_text(outcome.high, FineUnitKind.PERCENT_OF_BASE)
            return f"公式 {low}~{high}"
        case OutcomeKind.POINT:
            assert outcome.low is not None
            return _unit_value_text(outcome.low, kind)
        case OutcomeKind.RANGE:
            assert outcome.low is not None and outcome.high is not None
            return f"{_unit_value_text(outcome.low, kind)}~{_unit_value_text(outcome.high, kind)}"
    raise AssertionError(outcome.kind)


# --------------------------------------------------------------------------------------------
# Reading


@dataclass
class _ItemDraft:
    code: str
    row: int
    raw: dict[str, str]  # item columns as written on the first row
    item: BenchmarkItem | None  # None when a cell of the item could not be read
    tiers: list[Tier] = field(default_factory=list)
    tier_rows: list[int] = field(default_factory=list)
    broken_tiers: bool = False


class _Reader:
    def __init__(self) -> None:
        self.errors: list[ImportIssue] = []
        self.warnings: list[ImportIssue] = []

    def error(self, row: int | None, column: str, message: str) -> None:
        self.errors.append(ImportIssue(row, column, message))

    def read(self, row: int, column: str, reader: Callable[[str], _T], text: str) -> _T | None:
        try:
            return reader(text)
        except (_CellError, ValueError) as exc:
            self.error(row, column, str(exc))
            return None


def _is_blank(cells: Sequence[str]) -> bool:
    return all(not cell.strip() for cell in cells)


def parse_benchmark_csv(text: str) -> ParseResult:
    """Read the exchange format from text. See the module docstring and docs/discretion-format.md."""
    reader = _Reader()
    text = text.removeprefix("\ufeff")
    records = list(enumerate(csv.reader(io.StringIO(text, newline="")), start=1))
    meaningful = [(n, row) for n, row in records if not _is_blank(row) and not row[0].strip().startswith("#")]
    if not meaningful:
        return ParseResult(None, (ImportIssue(None, "", "文件是空的"),))

    first_row, first = meaningful[0]
    if first[0].strip() != FORMAT_MARKER:
        return ParseResult(
            None,
            (
                ImportIssue(
                    first_row, "", f"这不是裁量基准文件：第一行应为“{FORMAT_MARKER},{FORMAT_VERSION}”"
                ),
            ),
        )
    version = first[1].strip() if len(first) > 1 else ""
    if version != FORMAT_VERSION:
        return ParseResult(
            None,
            (ImportIssue(first_row, FORMAT_MARKER, f"不支持的格式版本“{version}”，应为 {FORMAT_VERSION}"),),
        )

    meta: dict[str, str] = {}
    meta_rows: dict[str, int] = {}
    header_at: int | None = None
    for position, (row_no, row) in enumerate(meaningful[1:], start=1):
        key = row[0].strip()
        if key == ITEM_COLUMNS[0]:
            header_at = position
            break
        if key not in META_KEYS:
            reader.error(
                row_no,
                key,
                f"未知的基准信息项“{key}”，应为：{'、'.join(META_KEYS)}；表头行应以“事项编码”开头",
            )
            continue
        if key in meta:
            reader.error(row_no, key, f"基准信息项“{key}”重复")
            continue
        meta[key] = row[1].strip() if len(row) > 1 else ""
        meta_rows[key] = row_no
    if header_at is None:
        reader.error(None, "", "找不到表头行：表头行的第一格应为“事项编码”")
        return ParseResult(None, tuple(reader.errors))

    benchmark_fields = _read_meta(reader, meta, meta_rows)
    header_row, header = meaningful[header_at]
    columns = _read_header(reader, header_row, header)
    drafts = _read_rows(reader, columns, meaningful[header_at + 1 :]) if columns is not None else []
    if columns is not None and not drafts and not reader.errors:
        reader.error(None, "", "文件中没有任何裁量事项")

    if columns is None:
        return ParseResult(None, tuple(reader.errors), tuple(reader.warnings))

    items = tuple(
        replace(draft.item, tiers=tuple(draft.tiers))
        for draft in drafts
        if draft.item is not None and not draft.broken_tiers
    )
    # Bad metadata must not hide the items' problems: check them against a stand-in header.
    meta_ok = benchmark_fields is not None
    benchmark = replace(benchmark_fields or _STAND_IN, items=items)
    rows = RowMap(
        meta=meta_rows,
        items={draft.code: draft.row for draft in drafts},
        tiers={(draft.code, index): row for draft in drafts for index, row in enumerate(draft.tier_rows)},
    )
    semantic_errors, semantic_warnings = validate_benchmark(benchmark, rows)
    # A cell that could not be read was reported already; do not report its consequences again.
    already = {(issue.row, issue.column) for issue in reader.errors}
    reader.errors.extend(
        issue
        for issue in semantic_errors
        if (issue.row, issue.column) not in already
        and not (issue.row is None and reader.errors)
        and (meta_ok or issue.column not in META_KEYS)
    )
    reader.warnings.extend(semantic_warnings)
    if reader.errors:
        return ParseResult(None, tuple(reader.errors), tuple(reader.warnings))
    return ParseResult(benchmark, (), tuple(reader.warnings))


def _read_meta(reader: _Reader, meta: dict[str, str], rows: dict[str, int]) -> Benchmark | None:
    """The benchmark's own fields, with no items yet; None when a required one is missing or bad."""
    failed = False

    def require(key: str) -> str:
        nonlocal failed
        value = meta.get(key, "")
        if not value:
            reader.error(rows.get(key), key, f"请填写{key}")
            failed = True
        return value

    for key in _REQUIRED_META:
        require(key)
    start = (
        reader.read(rows.get("生效日期", 0), "生效日期", _read_date, meta["生效日期"])
        if meta.get("生效日期")
        else None
    )
    end = (
        reader.read(rows.get("失效日期", 0), "失效日期", _read_date, meta["失效日期"])
        if meta.get("失效日期")
        else None
    )
    version = (
        reader.read(rows.get("版本", 0), "版本", _read_positive_int, meta["版本"])
        if meta.get("版本")
        else None
    )
    lookback = (
        reader.read(
            rows.get("处罚次数追溯天数", 0), "处罚次数追溯天数", _read_positive_int, meta["处罚次数追溯天数"]
        )
        if meta.get("处罚次数追溯天数")
        else 365
    )
    is_starter = reader.read(rows.get("初始基准", 0), "初始基准", _read_bool, meta.get("初始基准", ""))
    discuss = reader.read(
        rows.get("不予处罚和减轻处罚须集体讨论", 0),
        "不予处罚和减轻处罚须集体讨论",
        _read_bool,
        meta.get("不予处罚和减轻处罚须集体讨论", ""),
    )
    if (
        failed
        or None in (start, version, lookback, is_starter, discuss)
        or (meta.get("失效日期") and end is None)
    ):
        return None
    assert start is not None and version is not None
    series = meta["基准代码"]
    identifier = meta.get("标识") or str(
        uuid_module.uuid5(_UUID_NAMESPACE, f"{series}|{version}|{start.isoformat()}")
    )
    assert is_starter is not None and discuss is not None and lookback is not None
    return Benchmark(
        uuid=identifier,
        series=series,
        title=meta["基准名称"].strip("《》"),
        issuer=meta["制定机关"],
        doc_number=meta.get("文号", ""),
        effective_from=start,
        effective_to=end,
        version=version,
        items=(),
        source=meta.get("来源", ""),
        is_starter=is_starter,
        lookback_days=lookback,
        discuss_no_penalty_and_reduction=discuss,
        note=meta.get("说明", ""),
    )


def _read_header(reader: _Reader, row_no: int, header: list[str]) -> dict[str, int] | None:
    known = set(ITEM_COLUMNS) | set(TIER_COLUMNS)
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = cell.strip()
        if not name:
            continue  # Excel leaves trailing empty header cells behind
        if name not in known:
            reader.error(row_no, name, f"未知的列“{name}”")
        elif name in columns:
            reader.error(row_no, name, f"列“{name}”重复")
        else:
            columns[name] = index
    missing = [name for name in _REQUIRED_COLUMNS if name not in columns]
    for name in missing:
        reader.error(row_no, name, f"缺少必填列“{name}”")
    return None if missing else columns


def _read_rows(
    reader: _Reader, columns: dict[str, int], rows: Sequence[tuple[int, list[str]]]
) -> list[_ItemDraft]:
    def cell(row: list[str], name: str) -> str:
        index = columns.get(name)
        if index is None or index >= len(row):
            return ""
        return row[index].strip()

    drafts: list[_ItemDraft] = []
    finished: set[str] = set()
    current: _ItemDraft | None = None
    for row_no, row in rows:
        code = cell(row, "事项编码")
        if not code:
            reader.error(row_no, "事项编码", "每一行都须填写事项编码（同一事项的各阶次行重复填写同一编码）")
            continue
        if current is None or code != current.code:
            if current is not None:
                finished.add(current.code)
            if code in finished:
                reader.error(row_no, "事项编码", f"事项编码“{code}”的行不相邻：同一事项的各阶次行须连续排列")
                current = None
                continue
            raw = {name: cell(row, name) for name in ITEM_COLUMNS}
            current = _ItemDraft(code, row_no, raw, _read_item(reader, row_no, raw))
            drafts.append(current)
        else:
            for name in ITEM_COLUMNS[1:]:
                value = cell(row, name)
                if value and value != current.raw[name]:
                    reader.error(
                        row_no,
                        name,
                        f"同一事项的后续行“{name}”须留空或与首行相同（首行为“{current.raw[name]}”）",
                    )
        tier = _read_tier(reader, row_no, current, partial(cell, row))
        if tier is None:
            current.broken_tiers = True
        else:
            current.tiers.append(tier)
            current.tier_rows.append(row_no)
    return drafts


def _read_item(reader: _Reader, row_no: int, raw: dict[str, str]) -> BenchmarkItem | None:
    errors_before = len(reader.errors)
    unit_kind = reader.read(row_no, "计罚方式", _fine_unit_kind, raw["计罚方式"])
    party = reader.read(row_no, "适用对象", _party_kind, raw["适用对象"])
    formula = reader.read(row_no, "默认公式", _formula, raw["默认公式"])
    max_only = reader.read(row_no, "仅规定上限", _read_bool, raw["仅规定上限"])
    optional = reader.read(row_no, "罚款可选", _read_bool, raw["罚款可选"])
    cap = reader.read(row_no, "总额上限", parse_yuan, raw["总额上限"]) if raw["总额上限"] else None

    quantity = raw["计量名称"]
    registered = find_quantity(quantity) if quantity else None
    if registered is not None:
        quantity = registered.code
    elif quantity and set(quantity) & _OPERATOR_CHARS:
        reader.error(row_no, "计量名称", "计量名称不能含空格或 & | ! ( ) < > = 等符号")
    unit_label = raw["计量单位"] or (registered.unit_label if registered is not None else "")

    statutory_min = statutory_max = None
    if unit_kind is not None:
        if raw["法定下限"]:
            statutory_min = reader.read(
                row_no, "法定下限", lambda t: _read_unit_value(t, unit_kind), raw["法定下限"]
            )
        if raw["法定上限"]:
            statutory_max = reader.read(
                row_no, "法定上限", lambda t: _read_unit_value(t, unit_kind), raw["法定上限"]
            )
    for name in ("违法行为", "违反条款", "处罚依据", "处罚种类", "法定上限"):
        if not raw[name]:
            reader.error(row_no, name, f"事项首行须填写“{name}”")
    if len(reader.errors) > errors_before:
        return None
    assert unit_kind is not None and party is not None and max_only is not None and optional is not None
    assert statutory_max is not None
    return BenchmarkItem(
        code=raw["事项编码"],
        seq=raw["序号"],
        violation=raw["违法行为"],
        power_item_code=raw["权力事项编码"],
        violated_provision=raw["违反条款"],
        penalty_provision=raw["处罚依据"],
        penalty_kinds=tuple(_split_list(raw["处罚种类"])),
        party_kind=party,
        fine_unit=FineUnit(unit_kind, quantity, unit_label),
        statutory_min=statutory_min,
        statutory_max=statutory_max,
        max_only=max_only,
        fine_optional=optional,
        formula=formula,
        cap_fen=cap,
        note=raw["事项说明"],
        tiers=(),
    )


def _fine_unit_kind(text: str) -> FineUnitKind:
    found = FineUnitKind.from_label(text)
    if found is None:
        labels = "、".join(kind.label for kind in FineUnitKind)
        raise _CellError(f"“{text}”不是有效的计罚方式，应为：{labels}")
    return found


def _party_kind(text: str) -> PartyKind:
    found = PartyKind.from_label(text)
    if found is None:
        raise _CellError(f"“{text}”不是有效的适用对象，应为：不限、个人、单位")
    return found


def _formula(text: str) -> Formula | None:
    if not text.strip():
        return None
    found = Formula.from_label(text)
    if found is None:
        raise _CellError(f"“{text}”不是有效的默认公式，应为：三七分、最高额比例，或留空")
    return found


def _tier_kind(text: str) -> TierKind:
    found = TierKind.from_label(text)
    if found is None:
        labels = "、".join(kind.label for kind in TierKind)
        raise _CellError(f"“{text}”不是有效的裁量阶次，应为：{labels}")
    return found


def _recommend(text: str) -> RecommendAt:
    if not text.strip():
        return RecommendAt.MID
    found = RecommendAt.from_label(text)
    if found is None:
        raise _CellError(f"“{text}”不是有效的建议取值，应为：低、中、高，或留空（取中间值）")
    return found


def _read_tier(reader: _Reader, row_no: int, draft: _ItemDraft, cell: Callable[[str], str]) -> Tier | None:
    errors_before = len(reader.errors)
    kind = reader.read(row_no, "裁量阶次", _tier_kind, cell("裁量阶次"))
    condition_text = cell("适用条件")
    if not condition_text:
        reader.error(
            row_no, "适用条件", "请填写适用条件的文字说明（默认阶次可写“不具有从轻、减轻、从重情节的”）"
        )
    expression = cell("条件表达式")
    extra = (
        (draft.item.fine_unit.quantity,) if draft.item is not None and draft.item.fine_unit.quantity else ()
    )
    if draft.raw["计量名称"] and draft.item is None:
        extra = (draft.raw["计量名称"],)
    condition = None
    if expression:
        try:
            condition = parse_condition(expression, extra)
        except ConditionError as exc:
            reader.error(row_no, "条件表达式", str(exc))
    recommend = reader.read(row_no, "建议取值", _recommend, cell("建议取值"))
    outcome = None
    if draft.item is not None and recommend is not None:
        unit_kind = draft.item.fine_unit.kind
        outcome = reader.read(
            row_no, "处罚标准", lambda t: _read_outcome(t, unit_kind, recommend), cell("处罚标准")
        )
        ranged = outcome is not None and outcome.kind in (OutcomeKind.RANGE, OutcomeKind.FRACTION)
        if outcome is not None and not ranged and cell("建议取值"):
            reader.warnings.append(
                ImportIssue(row_no, "建议取值", "定额、警告和不予处罚不需要建议取值，已忽略")
            )
    additional = reader.read(row_no, "附加处罚", _read_additional, cell("附加处罚"))
    if len(reader.errors) > errors_before or draft.item is None:
        return None
    assert kind is not None and outcome is not None and additional is not None
    return Tier(
        code=cell("阶次编码") or f"{draft.code}-{len(draft.tiers) + 1}",
        kind=kind,
        condition_text=condition_text,
        condition=condition,
        outcome=outcome,
        additional_penalties=additional,
        note=cell("阶次说明"),
    )


def parse_benchmark_bytes(data: bytes) -> ParseResult:
    """Decode a file's bytes and parse it. UTF-8 (with or without BOM) is the format; a file that
    Excel saved as "CSV (逗号分隔)" on Chinese Windows is GB18030 and is read with a warning."""
    try:
        text = data.decode("utf-8-sig")
        note: ImportIssue | None = None
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            return ParseResult(
                None, (ImportIssue(None, "", "文件编码无法识别：请在 Excel 中另存为“CSV UTF-8（逗号分隔）”"),)
            )
        note = ImportIssue(
            None, "", "文件不是 UTF-8 编码，已按 GB18030（Excel 默认的中文编码）读取；导出时将保存为 UTF-8"
        )
    result = parse_benchmark_csv(text)
    if note is None:
        return result
    return ParseResult(result.benchmark, result.errors, (note, *result.warnings))


def read_benchmark_csv(path: Path | str) -> ParseResult:
    """Read and parse a benchmark file from disk."""
    return parse_benchmark_bytes(Path(path).read_bytes())


# --------------------------------------------------------------------------------------------
# Writing


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


def benchmark_to_csv(benchmark: Benchmark) -> str:
    """The exchange format as text; ``parse_benchmark_csv`` reads it back to an equal benchmark."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([FORMAT_MARKER, FORMAT_VERSION])
    meta = {
        "基准名称": benchmark.title,
        "基准代码": benchmark.series,
        "制定机关": benchmark.issuer,
        "文号": benchmark.doc_number,
        "生效日期": benchmark.effective_from.isoformat(),
        "失效日期": benchmark.effective_to.isoformat() if benchmark.effective_to else "",
        "版本": str(benchmark.version),
        "来源": benchmark.source,
        "初始基准": _yes_no(benchmark.is_starter),
        "处罚次数追溯天数": str(benchmark.lookback_days),
        "不予处罚和减轻处罚须集体讨论": _yes_no(benchmark.discuss_no_penalty_and_reduction),
        "标识": benchmark.uuid,
        "说明": benchmark.note,
    }
    for key in META_KEYS:
        writer.writerow([key, meta[key]])
    writer.writerow([])
    writer.writerow([*ITEM_COLUMNS, *TIER_COLUMNS])
    for item in benchmark.items:
        kind = item.fine_unit.kind
        quantity = find_quantity(item.fine_unit.quantity)
        item_cells = [
            item.code,
            item.seq,
            item.violation,
            item.power_item_code,
            item.violated_provision,
            item.penalty_provision,
            "、".join(item.penalty_kinds),
            item.party_kind.label,
            kind.label,
            quantity.label if quantity is not None else item.fine_unit.quantity,
            item.fine_unit.unit_label,
            _unit_value_text(item.statutory_min, kind) if item.statutory_min is not None else "",
            _unit_value_text(item.statutory_max, kind),
            _yes_no(item.max_only),
            _yes_no(item.fine_optional),
            item.formula.label if item.formula is not None else "",
            fen_to_yuan_text(item.cap_fen) if item.cap_fen is not None else "",
            item.note,
        ]
        for index, tier in enumerate(item.tiers):
            outcome = tier.outcome
            ranged = outcome.kind in (OutcomeKind.RANGE, OutcomeKind.FRACTION)
            tier_cells = [
                tier.code,
                tier.kind.label,
                tier.condition_text,
                format_condition(tier.condition) if tier.condition is not None else "",
                _outcome_text(outcome, kind),
                outcome.recommend.label if ranged else "",
                "、".join(penalty.text for penalty in tier.additional_penalties),
                tier.note,
            ]
            leading = item_cells if index == 0 else [item.code] + [""] * (len(ITEM_COLUMNS) - 1)
            writer.writerow([*leading, *tier_cells])
    return buffer.getvalue()


def write_benchmark_csv(benchmark: Benchmark, path: Path | str) -> None:
    """Write the exchange file with a UTF-8 BOM, so that Excel opens it with the right encoding."""
    Path(path).write_text(benchmark_to_csv(benchmark), encoding="utf-8-sig", newline="")
