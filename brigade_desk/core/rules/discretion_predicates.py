"""Structured tier conditions: the predicate tree, its JSON form, its spreadsheet expression form,
and its evaluation.

Two spellings of one condition:

* JSON, for storage and bundles::

      {"any": [{"prior_penalties_at_least": 2, "lookback_days": 365}, {"fact": "obstructed_officers"}]}

* an expression people type into one spreadsheet cell::

      处罚次数(365)>=2 | 阻碍执法

Operators are symbols, never Chinese words, because fact labels themselves contain 或 and 非
("受他人胁迫或者诱骗", "非法"): ``&`` and, ``|`` or, ``!`` not, parentheses for grouping; full-width
forms (＆ ｜ ！ （ ）＞ ＜ ＝ ≥ ≤) are accepted. ``!`` binds tightest, then ``&``, then ``|``.

Atoms:

* a fact: its short name, label or code (``首次违法``, ``first_violation``);
* prior penalties of the same item for the same party: ``处罚次数>=1``, ``处罚次数=1``,
  ``处罚次数(730)>=2`` (own look-back in days; default: the benchmark's), ``1<=处罚次数<=2``;
* refusal to correct within N calendar days of a written order: ``拒不改正(7)``;
* a quantity band: ``面积>=50``, ``面积<200``, ``50<=面积<200`` (``=`` for an exact value).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, TypeAlias

from brigade_desk.core.rules.discretion_registry import (
    PRIOR_PENALTY_NAMES,
    REFUSAL_NAMES,
    FactDirection,
    fact,
    find_fact,
    find_quantity,
)

__all__ = [
    "AllOf",
    "AnyOf",
    "ConditionError",
    "CorrectionOrder",
    "EvaluationContext",
    "FactIs",
    "Not",
    "Predicate",
    "PriorPenalties",
    "QuantityBand",
    "RefusedCorrection",
    "evaluate_predicate",
    "format_condition",
    "iter_leaves",
    "parse_condition",
    "predicate_from_json",
    "predicate_to_json",
]


# --------------------------------------------------------------------------------------------
# The tree


@dataclass(frozen=True)
class FactIs:
    """A named fact from the registry is true for this case."""

    fact: str  # registry code


@dataclass(frozen=True)
class PriorPenalties:
    """The party was penalised for the same item between ``at_least`` and ``at_most`` times within
    the look-back window before the violation date (``None`` window: the benchmark's default)."""

    at_least: int = 0
    at_most: int | None = None
    lookback_days: int | None = None


@dataclass(frozen=True)
class RefusedCorrection:
    """After a written order to correct (责令改正通知书) the party did not correct within N days,
    or the same act was found again within N days (the Shenzhen reading of 拒不改正)."""

    within_days: int


@dataclass(frozen=True)
class QuantityBand:
    """A measured quantity lies in a band; by default the lower bound is included (以上) and the
    upper bound excluded (不满)."""

    quantity: str  # registry code, or a quantity name the item declares
    min: Decimal | None = None
    max: Decimal | None = None
    min_inclusive: bool = True
    max_inclusive: bool = False


@dataclass(frozen=True)
class AllOf:
    items: tuple[Predicate, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Predicate, ...]


@dataclass(frozen=True)
class Not:
    item: Predicate


Predicate: TypeAlias = FactIs | PriorPenalties | RefusedCorrection | QuantityBand | AllOf | AnyOf | Not


class ConditionError(ValueError):
    """A condition that cannot be read; the message is Chinese and says what to fix."""


# --------------------------------------------------------------------------------------------
# JSON form


def _number_to_json(value: Decimal) -> int | float | str:
    if value == value.to_integral_value():
        return int(value)
    # Keep exact decimals exact: a float would turn 0.1 into 0.1000000000000000055...
    return str(value.normalize())


def predicate_to_json(predicate: Predicate) -> dict[str, Any]:
    """The JSON-ready dict of a predicate (see the module docstring)."""
    match predicate:
        case FactIs(fact=code):
            return {"fact": code}
        case PriorPenalties(at_least=low, at_most=high, lookback_days=days):
            out: dict[str, Any] = {"prior_penalties_at_least": low}
            if high is not None:
                out["prior_penalties_at_most"] = high
            if days is not None:
                out["lookback_days"] = days
            return out
        case RefusedCorrection(within_days=days):
            return {"refused_correction_within_days": days}
        case QuantityBand():
            band: dict[str, Any] = {"quantity": predicate.quantity}
            if predicate.min is not None:
                band["min"] = _number_to_json(predicate.min)
            if predicate.max is not None:
                band["max"] = _number_to_json(predicate.max)
            if not predicate.min_inclusive:
                band["min_inclusive"] = False
            if predicate.max_inclusive:
                band["max_inclusive"] = True
            return band
        case AllOf(items=items):
            return {"all": [predicate_to_json(item) for item in items]}
        case AnyOf(items=items):
            return {"any": [predicate_to_json(item) for item in items]}
        case Not(item=item):
            return {"not": predicate_to_json(item)}
    raise TypeError(f"not a predicate: {predicate!r}")


def _json_int(data: Mapping[str, Any], key: str, minimum: int = 0) -> int:
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConditionError(f"条件中的 {key} 必须是不小于{minimum}的整数，收到 {value!r}")
    return value


def _json_decimal(value: Any, key: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ConditionError(f"条件中的 {key} 必须是数字，收到 {value!r}")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ConditionError(f"条件中的 {key} 必须是数字，收到 {value!r}") from None
    if not number.is_finite() or number < 0:
        raise ConditionError(f"条件中的 {key} 必须是非负数，收到 {value!r}")
    return number


def predicate_from_json(data: Any, extra_quantities: Collection[str] = ()) -> Predicate:
    """Build a predicate from its JSON form; ConditionError with a Chinese message when malformed."""
    if not isinstance(data, Mapping):
        raise ConditionError(f"条件必须是 JSON 对象，收到 {data!r}")
    keys = set(data)
    if keys == {"fact"}:
        found = find_fact(str(data["fact"]))
        if found is None:
            raise ConditionError(f"未知的情节“{data['fact']}”")
        return FactIs(found.code)
    if "prior_penalties_at_least" in keys and keys <= {
        "prior_penalties_at_least",
        "prior_penalties_at_most",
        "lookback_days",
    }:
        low = _json_int(data, "prior_penalties_at_least")
        high = _json_int(data, "prior_penalties_at_most") if "prior_penalties_at_most" in keys else None
        days = _json_int(data, "lookback_days", 1) if "lookback_days" in keys else None
        if high is not None and high < low:
            raise ConditionError("条件中的处罚次数上限小于下限")
        return PriorPenalties(low, high, days)
    if keys == {"refused_correction_within_days"}:
        return RefusedCorrection(_json_int(data, "refused_correction_within_days", 1))
    if "quantity" in keys and keys <= {"quantity", "min", "max", "min_inclusive", "max_inclusive"}:
        name = _quantity_code(str(data["quantity"]), extra_quantities)
        low_q = _json_decimal(data["min"], "min") if "min" in keys else None
        high_q = _json_decimal(data["max"], "max") if "max" in keys else None
        if low_q is None and high_q is None:
            raise ConditionError(f"计量条件“{name}”没有上下限")
        # An inclusivity flag without its bound means nothing; keep the default so forms compare equal.
        band = QuantityBand(
            name,
            low_q,
            high_q,
            bool(data.get("min_inclusive", True)) if low_q is not None else True,
            bool(data.get("max_inclusive", False)) if high_q is not None else False,
        )
        _check_band(band)
        return band
    if keys == {"all"} or keys == {"any"}:
        (key,) = keys
        children = data[key]
        if not isinstance(children, list) or not children:
            raise ConditionError(f"条件中的 {key} 必须是非空列表")
        items = tuple(predicate_from_json(child, extra_quantities) for child in children)
        return _combine(AllOf if key == "all" else AnyOf, items)
    if keys == {"not"}:
        return Not(predicate_from_json(data["not"], extra_quantities))
    raise ConditionError(f"无法识别的条件：{data!r}")


def _quantity_code(name: str, extra_quantities: Collection[str]) -> str:
    registered = find_quantity(name)
    if registered is not None:
        return registered.code
    if name in extra_quantities:
        return name
    raise ConditionError(
        f"未知的计量名称“{name}”：请使用登记的计量名称（如 面积、设施数量、工程造价）或本事项的计量名称"
    )


def _check_band(band: QuantityBand) -> None:
    if band.min is not None and band.max is not None:
        empty = band.min > band.max or (
            band.min == band.max and not (band.min_inclusive and band.max_inclusive)
        )
        if empty:
            raise ConditionError(f"计量条件“{band.quantity}”的下限大于上限，永远不会满足")


def _combine(kind: type[AllOf] | type[AnyOf], items: Sequence[Predicate]) -> Predicate:
    """Flatten nested groups of the same kind so a & (b & c) and a & b & c are the same tree."""
    flat: list[Predicate] = []
    for item in items:
        if isinstance(item, kind):
            flat.extend(item.items)
        else:
            flat.append(item)
    if len(flat) == 1:
        return flat[0]
    return kind(tuple(flat))


# --------------------------------------------------------------------------------------------
# Expression form: tokenizer, parser, printer

_TRANSLATE = str.maketrans(
    {
        "＆": "&",
        "｜": "|",
        "！": "!",
        "（": "(",
        "）": ")",
        "＞": ">",
        "＜": "<",
        "＝": "=",
        "．": ".",
        "０": "0",
        "１": "1",
        "２": "2",
        "３": "3",
        "４": "4",
        "５": "5",
        "６": "6",
        "７": "7",
        "８": "8",
        "９": "9",
    }
)
_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<cmp>>=|<=|==|>|<|=)
  | (?P<op>[&|!()])
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<name>[^\s&|!()<>=\d][^\s&|!()<>=]*)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Token:
    kind: str  # "cmp", "op", "number", "name", "end"
    text: str
    position: int


def _tokenize(text: str) -> list[_Token]:
    source = text.translate(_TRANSLATE).replace("≥", ">=").replace("≤", "<=")
    tokens: list[_Token] = []
    position = 0
    while position < len(source):
        match = _TOKEN.match(source, position)
        if match is None:  # pragma: no cover - the name class accepts every other character
            raise ConditionError(f"条件表达式第{position + 1}个字符无法识别：“{source[position]}”")
        kind = match.lastgroup or ""
        if kind != "space":
            value = "==" if match.group() == "=" else match.group()
            tokens.append(_Token(kind, value, position))
        position = match.end()
    tokens.append(_Token("end", "", len(source)))
    return tokens


class _Parser:
    def __init__(self, text: str, extra_quantities: Collection[str]) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.index = 0
        self.extra_quantities = extra_quantities

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def fail(self, message: str, token: _Token | None = None) -> ConditionError:
        where = token if token is not None else self.peek()
        near = f"（第{where.position + 1}个字符附近）" if where.kind != "end" else "（表达式末尾）"
        return ConditionError(f"{message}{near}")

    def expect_op(self, op: str) -> None:
        token = self.take()
        if token.kind != "op" or token.text != op:
            raise self.fail(f"此处应为“{op}”", token)

    def parse(self) -> Predicate:
        if self.peek().kind == "end":
            raise self.fail("条件表达式为空")
        result = self.parse_or()
        if self.peek().kind != "end":
            raise self.fail(f"多余的内容“{self.peek().text}”；多个条件之间请用 & 或 | 连接")
        return result

    def parse_or(self) -> Predicate:
        items = [self.parse_and()]
        while self.peek().kind == "op" and self.peek().text == "|":
            self.take()
            items.append(self.parse_and())
        return _combine(AnyOf, items)

    def parse_and(self) -> Predicate:
        items = [self.parse_unary()]
        while self.peek().kind == "op" and self.peek().text == "&":
            self.take()
            items.append(self.parse_unary())
        return _combine(AllOf, items)

    def parse_unary(self) -> Predicate:
        token = self.peek()
        if token.kind == "op" and token.text == "!":
            self.take()
            return Not(self.parse_unary())
        if token.kind == "op" and token.text == "(":
            self.take()
            inner = self.parse_or()
            self.expect_op(")")
            return inner
        if token.kind == "number":
            return self.parse_chained()
        if token.kind == "name":
            return self.parse_subject_atom()
        raise self.fail("此处应为情节、处罚次数、拒不改正或计量条件", token)

    # A subject is a name with an optional "(days)" parameter.
    def parse_subject(self) -> tuple[_Token, int | None]:
        name = self.take()
        if name.kind != "name":
            raise self.fail("此处应为名称", name)
        parameter: int | None = None
        if self.peek().kind == "op" and self.peek().text == "(":
            after = self.tokens[self.index + 1]
            if after.kind == "number":
                self.take()
                number = self.take()
                if "." in number.text or int(number.text) < 1:
                    raise self.fail("天数必须是正整数", number)
                parameter = int(number.text)
                if self.peek().kind == "name" and self.peek().text in ("日", "天"):
                    self.take()
                self.expect_op(")")
        return name, parameter

    def parse_comparison(self) -> tuple[str, Decimal, _Token] | None:
        if self.peek().kind != "cmp":
            return None
        op = self.take()
        number = self.take()
        if number.kind != "number":
            raise self.fail(f"“{op.text}”后面应为数字", number)
        return op.text, Decimal(number.text), number

    def parse_subject_atom(self) -> Predicate:
        name, parameter = self.parse_subject()
        comparison = self.parse_comparison()
        return self.build(name, parameter, None, comparison)

    def parse_chained(self) -> Predicate:
        number = self.take()
        op = self.take()
        if op.kind != "cmp" or op.text not in ("<", "<="):
            raise self.fail("数字开头的条件应写成“下限<=名称<上限”的形式", op)
        name, parameter = self.parse_subject()
        left = (op.text, Decimal(number.text), number)
        right = self.parse_comparison()
        if right is not None and right[0] not in ("<", "<="):
            raise self.fail("区间条件的右侧应为 < 或 <=", right[2])
        return self.build(name, parameter, left, right)

    def build(
        self,
        name: _Token,
        parameter: int | None,
        left: tuple[str, Decimal, _Token] | None,
        right: tuple[str, Decimal, _Token] | None,
    ) -> Predicate:
        text = name.text
        if text in PRIOR_PENALTY_NAMES:
            return self.build_prior(name, parameter, left, right)
        if text in REFUSAL_NAMES:
            if parameter is None:
                raise self.fail("拒不改正须写明天数，如 拒不改正(7)", name)
            if left is not None or right is not None:
                raise self.fail("拒不改正后面不能跟比较符", name)
            return RefusedCorrection(parameter)
        found_fact = find_fact(text)
        if found_fact is not None:
            if parameter is not None or left is not None or right is not None:
                raise self.fail(f"情节“{text}”不能带参数或比较符", name)
            return FactIs(found_fact.code)
        found_quantity = find_quantity(text)
        if found_quantity is not None or text in self.extra_quantities:
            code = found_quantity.code if found_quantity is not None else text
            if parameter is not None:
                raise self.fail(f"计量“{text}”不能带括号参数", name)
            return self.build_band(name, code, left, right)
        raise self.fail(
            f"未知的名称“{text}”：应为登记的情节（如 首次违法、阻碍执法）、处罚次数、拒不改正或计量名称",
            name,
        )

    def build_prior(
        self,
        name: _Token,
        parameter: int | None,
        left: tuple[str, Decimal, _Token] | None,
        right: tuple[str, Decimal, _Token] | None,
    ) -> Predicate:
        if left is None and right is None:
            raise self.fail("处罚次数后面应有比较，如 处罚次数>=1", name)
        low, high = 0, None
        for side, comparison in (("left", left), ("right", right)):
            if comparison is None:
                continue
            op, value, token = comparison
            if value != value.to_integral_value():
                raise self.fail("处罚次数必须是整数", token)
            count = int(value)
            if side == "left":  # count op X, op is < or <=
                low = max(low, count + 1 if op == "<" else count)
                continue
            if op == ">=":
                low = max(low, count)
            elif op == ">":
                low = max(low, count + 1)
            elif op == "<=":
                high = count
            elif op == "<":
                if count < 1:
                    raise self.fail("处罚次数<0 永远不会满足", token)
                high = count - 1
            else:  # ==
                low, high = count, count
        if high is not None and high < low:
            raise self.fail("处罚次数的上限小于下限，永远不会满足", name)
        return PriorPenalties(low, high, parameter)

    def build_band(
        self,
        name: _Token,
        code: str,
        left: tuple[str, Decimal, _Token] | None,
        right: tuple[str, Decimal, _Token] | None,
    ) -> Predicate:
        if left is None and right is None:
            raise self.fail(f"计量“{name.text}”后面应有比较，如 {name.text}>=50", name)
        band = QuantityBand(code)
        if left is not None:
            op, value, _ = left
            band = QuantityBand(code, value, None, op == "<=")
        if right is not None:
            op, value, _ = right
            if op == "==":
                band = QuantityBand(code, value, value, True, True)
            elif op in (">=", ">"):
                band = QuantityBand(code, value, band.max, op == ">=", band.max_inclusive)
            else:
                band = QuantityBand(code, band.min, value, band.min_inclusive, op == "<=")
        try:
            _check_band(band)
        except ConditionError as exc:
            raise self.fail(str(exc), name) from None
        return band


def parse_condition(text: str, extra_quantities: Collection[str] = ()) -> Predicate:
    """Parse an expression such as ``处罚次数>=2 | 阻碍执法``; ConditionError when malformed.

    A cell starting with ``{`` is read as the JSON form instead.
    """
    stripped = text.strip()
    if stripped.startswith("{"):
        import json

        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise ConditionError(f"JSON 条件格式错误：{exc.msg}（第{exc.pos + 1}个字符）") from None
        return predicate_from_json(data, extra_quantities)
    return _Parser(stripped, extra_quantities).parse()


def _decimal_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def _quantity_name(code: str) -> str:
    registered = find_quantity(code)
    return registered.label if registered is not None else code


def format_condition(predicate: Predicate) -> str:
    """The canonical expression text; ``parse_condition(format_condition(p)) == p``."""
    match predicate:
        case FactIs(fact=code):
            return fact(code).short
        case PriorPenalties(at_least=low, at_most=high, lookback_days=days):
            name = "处罚次数" if days is None else f"处罚次数({days})"
            if high is None:
                return f"{name}>={low}"
            if low == high:
                return f"{name}={low}"
            if low == 0:
                return f"{name}<={high}"
            return f"{low}<={name}<={high}"
        case RefusedCorrection(within_days=days):
            return f"拒不改正({days})"
        case QuantityBand():
            name = _quantity_name(predicate.quantity)
            band_low, band_high = predicate.min, predicate.max
            if band_low is not None and band_high is not None:
                if band_low == band_high and predicate.min_inclusive and predicate.max_inclusive:
                    return f"{name}={_decimal_text(band_low)}"
                left = "<=" if predicate.min_inclusive else "<"
                right = "<=" if predicate.max_inclusive else "<"
                return f"{_decimal_text(band_low)}{left}{name}{right}{_decimal_text(band_high)}"
            if band_low is not None:
                return f"{name}{'>=' if predicate.min_inclusive else '>'}{_decimal_text(band_low)}"
            assert band_high is not None
            return f"{name}{'<=' if predicate.max_inclusive else '<'}{_decimal_text(band_high)}"
        case AllOf(items=items):
            return " & ".join(
                f"({format_condition(item)})" if isinstance(item, AnyOf) else format_condition(item)
                for item in items
            )
        case AnyOf(items=items):
            return " | ".join(format_condition(item) for item in items)
        case Not(item=item):
            inner = format_condition(item)
            return f"!({inner})" if isinstance(item, AllOf | AnyOf) else f"!{inner}"
    raise TypeError(f"not a predicate: {predicate!r}")


def iter_leaves(predicate: Predicate, positive: bool = True) -> Iterator[tuple[Predicate, bool]]:
    """Every leaf with its polarity: True when satisfying the leaf helps the whole condition hold."""
    match predicate:
        case AllOf(items=items) | AnyOf(items=items):
            for item in items:
                yield from iter_leaves(item, positive)
        case Not(item=item):
            yield from iter_leaves(item, not positive)
        case _:
            yield predicate, positive


def leaf_direction(leaf: Predicate) -> FactDirection:
    """Which way a true leaf points: facts by the registry; repeats and refusals aggravate."""
    match leaf:
        case FactIs(fact=code):
            return fact(code).direction
        case PriorPenalties(at_least=low, at_most=high):
            if low > 0:
                return FactDirection.AGGRAVATING
            return FactDirection.MITIGATING if high is not None else FactDirection.NEUTRAL
        case RefusedCorrection():
            return FactDirection.AGGRAVATING
    return FactDirection.NEUTRAL


# --------------------------------------------------------------------------------------------
# Evaluation


@dataclass(frozen=True)
class CorrectionOrder:
    """A written order to correct (责令改正通知书) and what followed it."""

    served_on: date
    corrected_on: date | None = None  # the party corrected on this day
    recurred_on: date | None = None  # the same act was found again on this day
    checked_on: date | None = None  # re-inspection (复查) that found it not corrected

    def refused_within(self, days: int) -> bool:
        deadline = self.served_on + timedelta(days=days)
        if self.recurred_on is not None and self.served_on < self.recurred_on <= deadline:
            return True
        if self.corrected_on is not None:
            return self.corrected_on > deadline
        return self.checked_on is not None and self.checked_on > deadline


@dataclass
class EvaluationContext:
    """What a case offers the predicates. ``facts`` holds registry codes, derived ones included."""

    facts: Mapping[str, bool]
    quantities: Mapping[str, Decimal]
    prior_penalty_dates: Sequence[date]
    violation_date: date
    default_lookback_days: int
    correction_order: CorrectionOrder | None = None
    # Quantities a condition asked for and did not get; the engine turns them into warnings.
    missing_quantities: set[str] = field(default_factory=set)
    _prior_counts: dict[int, int] = field(default_factory=dict)

    def prior_count(self, lookback_days: int | None) -> int:
        days = self.default_lookback_days if lookback_days is None else lookback_days
        cached = self._prior_counts.get(days)
        if cached is None:
            # A penalty decided on the violation day itself precedes a later act that day.
            start = self.violation_date - timedelta(days=days)
            cached = sum(1 for day in self.prior_penalty_dates if start <= day <= self.violation_date)
            self._prior_counts[days] = cached
        return cached


def evaluate_predicate(predicate: Predicate, context: EvaluationContext) -> bool:
    match predicate:
        case FactIs(fact=code):
            return bool(context.facts.get(code, False))
        case PriorPenalties(at_least=low, at_most=high, lookback_days=days):
            count = context.prior_count(days)
            return count >= low and (high is None or count <= high)
        case RefusedCorrection(within_days=days):
            order = context.correction_order
            return order is not None and order.refused_within(days)
        case QuantityBand():
            value = context.quantities.get(predicate.quantity)
            if value is None:
                context.missing_quantities.add(predicate.quantity)
                return False
            if predicate.min is not None and (
                value < predicate.min or (value == predicate.min and not predicate.min_inclusive)
            ):
                return False
            return (
                predicate.max is None
                or value < predicate.max
                or (value == predicate.max and predicate.max_inclusive)
            )
        case AllOf(items=items):
            return all(evaluate_predicate(item, context) for item in items)
        case AnyOf(items=items):
            return any(evaluate_predicate(item, context) for item in items)
        case Not(item=item):
            return not evaluate_predicate(item, context)
    raise TypeError(f"not a predicate: {predicate!r}")
