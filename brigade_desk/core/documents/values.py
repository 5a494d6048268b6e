"""From merged case data to printable text: lookup by path, typing, filters, required checks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from brigade_desk.core.documents.definition import Block, FieldDef, FormDef
from brigade_desk.core.documents.errors import ValueFormatError
from brigade_desk.core.documents.template import Placeholder, parse_template

try:  # the shared money rules (brigade_desk.core.rules.money), when present
    from brigade_desk.core.rules.money import (  # type: ignore[import-not-found,unused-ignore]
        amount_in_capitals as _amount_in_capitals,
    )
    from brigade_desk.core.rules.money import (  # type: ignore[import-not-found,unused-ignore]
        format_yuan as _format_yuan,
    )
except ImportError:  # pragma: no cover - the private stand-in gives the same text
    from brigade_desk.core.documents._money import amount_in_capitals as _amount_in_capitals
    from brigade_desk.core.documents._money import format_yuan as _format_yuan

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")

#: Filters each field type accepts after ``|`` in a placeholder.
FILTERS: dict[str, frozenset[str]] = {
    "text": frozenset({""}),
    "multiline": frozenset({""}),
    "date": frozenset({"", "中文"}),
    "datetime": frozenset({"", "中文", "日期", "时分"}),
    "money": frozenset({"", "大写", "数字"}),
    "number": frozenset({""}),
    "bool": frozenset({"", "勾选"}),
    "choice": frozenset({"", "勾选"}),
    "list": frozenset({""}),
    "party": frozenset({"", "称谓", "名称"}),
}

#: Placeholders every form may use without declaring a field: lines to fill in by hand.
BUILTINS: dict[str, str] = {
    "签名栏": "\u3000" * 6,
    "日期栏": "\u3000\u3000\u3000年\u3000\u3000月\u3000\u3000日",
    "空白": "\u3000" * 4,
}

CHECKED = "■"
UNCHECKED = "□"

_CN_DIGITS = "〇一二三四五六七八九"

_PARTY_KIND_ALIASES = {
    "natural_person": "natural_person",
    "person": "natural_person",
    "自然人": "natural_person",
    "公民": "natural_person",
    "legal_person": "legal_person",
    "法人": "legal_person",
    "other_org": "other_org",
    "其他组织": "other_org",
    "individual_business": "individual_business",
    "个体工商户": "individual_business",
}


# ----------------------------------------------------------------------------- lookup


def lookup(data: Mapping[str, Any], path: str) -> Any:
    """Follow a dotted path through mappings (or attributes); ``None`` where it stops."""
    current: Any = data
    for part in path.split("."):
        if current is None:
            return None
        current = current.get(part) if isinstance(current, Mapping) else getattr(current, part, None)
    return current


def is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, Mapping | list | tuple | set | frozenset):
        return len(value) == 0
    return False


def is_truthy(value: Any) -> bool:
    return not is_empty(value) and value is not False


def resolve(form: FormDef, data: Mapping[str, Any]) -> dict[str, Any]:
    """Raw value of every field of ``form`` taken from ``data``."""
    return {name: lookup(data, fd.source) for name, fd in form.fields.items()}


def condition_holds(expr: str, values: Mapping[str, Any]) -> bool:
    """``name`` (filled and not false) or ``name=value`` (equal, or among the chosen values)."""
    name, eq, wanted = expr.partition("=")
    value = values.get(name.strip())
    if not eq:
        return is_truthy(value)
    wanted = wanted.strip()
    if isinstance(value, list | tuple | set | frozenset):
        return wanted in {str(v) for v in value}
    return value is not None and str(value) == wanted


def block_active(block: Block, values: Mapping[str, Any]) -> bool:
    cond = block.cond
    if cond.when and not condition_holds(cond.when, values):
        return False
    return not (cond.unless and condition_holds(cond.unless, values))


# ----------------------------------------------------------------------------- coercion


def _as_datetime(value: Any, fd: FieldDef) -> datetime:
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, str):
        try:
            dt = datetime.fromisoformat(value.strip())
        except ValueError as exc:
            raise ValueFormatError(f"{fd.label}：“{value}”不是有效的日期时间") from exc
    else:
        raise ValueFormatError(f"{fd.label}：需要日期时间，收到 {type(value).__name__}")
    # Project convention: a naive datetime is UTC; shown in Beijing time.
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(BEIJING)


def _as_date(value: Any, fd: FieldDef) -> date:
    if isinstance(value, datetime):
        return _as_datetime(value, fd).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
        try:
            return _as_datetime(text, fd).date()
        except ValueFormatError:
            raise ValueFormatError(f"{fd.label}：“{value}”不是有效的日期") from None
    raise ValueFormatError(f"{fd.label}：需要日期，收到 {type(value).__name__}")


def _as_fen(value: Any, fd: FieldDef) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueFormatError(f"{fd.label}：金额必须是以分为单位的整数，收到 {value!r}")
    if value < 0:
        raise ValueFormatError(f"{fd.label}：金额不能为负数")
    return value


# ----------------------------------------------------------------------------- formatting


def cn_year(year: int) -> str:
    return "".join(_CN_DIGITS[int(d)] for d in str(year))


def cn_number(n: int) -> str:
    """1..31 in Chinese numerals: 10 -> 十, 21 -> 二十一."""
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


def format_date(d: date, style: str = "") -> str:
    if style == "中文":
        return f"{cn_year(d.year)}年{cn_number(d.month)}月{cn_number(d.day)}日"
    return f"{d.year}年{d.month}月{d.day}日"


def format_time(dt: datetime) -> str:
    return f"{dt.hour}时{dt.minute:02d}分"


def party_kind(party: Mapping[str, Any]) -> str:
    raw = str(party.get("kind") or "natural_person")
    return _PARTY_KIND_ALIASES.get(raw, raw)


def _party_id_label(party: Mapping[str, Any]) -> str:
    id_type = str(party.get("id_type") or "").strip()
    if not id_type or id_type in ("居民身份证", "身份证", "id_card", "resident_id"):
        return "身份证号码"
    return f"{id_type}号码"


def party_items(party: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, value) pairs that describe a party, in the order documents print them."""

    def val(key: str) -> str:
        v = party.get(key)
        return "" if is_empty(v) else str(v).strip()

    kind = party_kind(party)
    items: list[tuple[str, str]] = []
    if kind == "natural_person":
        items.append(("", val("name")))
        if val("sex"):
            items.append(("性别", val("sex")))
        if not is_empty(party.get("birth_date")):
            bd = party.get("birth_date")
            text = format_date(bd) if isinstance(bd, date) else str(bd)
            items.append(("出生日期", text))
        items.append((_party_id_label(party), val("id_number")))
        items.append(("住址", val("address")))
    elif kind == "individual_business":
        trade = val("trade_name")
        items.append(("", f"{trade}（个体工商户）" if trade else f"{val('name')}（个体工商户）"))
        if val("credit_code"):
            items.append(("统一社会信用代码", val("credit_code")))
        if trade:
            items.append(("经营者", val("name")))
        items.append((_party_id_label(party), val("id_number")))
        items.append(("经营场所", val("address")))
    else:
        items.append(("", val("name")))
        items.append(("统一社会信用代码", val("credit_code")))
        rep_label = "法定代表人" if kind == "legal_person" else "负责人"
        items.append((rep_label, val("legal_representative")))
        if val("legal_representative_id"):
            items.append((f"{rep_label}身份证号码", val("legal_representative_id")))
        items.append(("住所", val("address")))
    if val("phone"):
        items.append(("联系电话", val("phone")))
    return items


def party_text(party: Mapping[str, Any]) -> str:
    """One sentence: ``王喆，性别：男，身份证号码：…，住址：…``."""
    parts = []
    for label, value in party_items(party):
        parts.append(f"{label}：{value}" if label else value)
    return "，".join(parts)


def party_missing(party: Mapping[str, Any], label: str) -> list[str]:
    """What a party record lacks for a document, as Chinese items ``当事人身份证号码``."""
    missing = [f"{label}{item}" for item, value in party_items(party) if item and is_empty(value)]
    if is_empty(party.get("name")):
        missing.insert(0, f"{label}姓名或名称")
    return missing


def _parties(value: Any) -> list[Mapping[str, Any]]:
    if isinstance(value, Mapping):
        return [value]
    if isinstance(value, list | tuple):
        return [p for p in value if isinstance(p, Mapping)]
    return []


def format_item(fd: FieldDef, item: Any) -> str:
    if not fd.item or not isinstance(item, Mapping):
        return "" if item is None else str(item)
    out: list[str] = []
    for part in parse_template(fd.item):
        if isinstance(part, Placeholder):
            v = item.get(part.name)
            out.append("" if is_empty(v) else str(v))
        else:
            out.append(part)
    return "".join(out)


def format_value(fd: FieldDef, value: Any, flt: str = "") -> str:
    """Printable text of ``value`` for field ``fd`` with filter ``flt``; empty string when empty."""
    if fd.type == "choice" and flt == "勾选":
        chosen = set(_choices(value))
        return "　".join((CHECKED if o in chosen else UNCHECKED) + o for o in fd.options)
    if fd.type == "bool" and flt == "勾选":
        yes = value is True
        no = value is False
        return f"{CHECKED if yes else UNCHECKED}是　{CHECKED if no else UNCHECKED}否"
    if is_empty(value):
        return ""
    t = fd.type
    if t == "date":
        return format_date(_as_date(value, fd), flt)
    if t == "datetime":
        dt = _as_datetime(value, fd)
        if flt == "时分":
            return format_time(dt)
        if flt == "日期":
            return format_date(dt.date())
        return format_date(dt.date(), flt) + format_time(dt)
    if t == "money":
        fen = _as_fen(value, fd)
        if flt == "大写":
            return _amount_in_capitals(fen)
        text = _format_yuan(fen)
        return text.removesuffix("元") if flt == "数字" else text
    if t == "bool":
        return "是" if value else "否"
    if t == "choice":
        return fd.join.join(_choices(value))
    if t == "list":
        if not isinstance(value, list | tuple):
            raise ValueFormatError(f"{fd.label}：需要列表，收到 {type(value).__name__}")
        return fd.join.join(s for s in (format_item(fd, v) for v in value) if s)
    if t == "party":
        parties = _parties(value)
        if flt == "称谓":
            return (
                "你"
                if all(party_kind(p) in ("natural_person", "individual_business") for p in parties)
                else "你单位"
            )
        if flt == "名称":
            return "、".join(str(p.get("name") or "") for p in parties)
        return "；".join(party_text(p) for p in parties)
    return str(value).strip() if t != "multiline" else str(value).strip("\n")


def _choices(value: Any) -> list[str]:
    if is_empty(value):
        return []
    if isinstance(value, list | tuple | set | frozenset):
        return [str(v) for v in value]
    return [str(value)]


def check_value(fd: FieldDef, value: Any) -> None:
    """Raise :class:`ValueFormatError` when a filled value does not fit the field's type."""
    if is_empty(value):
        return
    if fd.type == "choice" and fd.options:
        unknown = [c for c in _choices(value) if c not in fd.options]
        if unknown:
            raise ValueFormatError(
                f"{fd.label}：“{'、'.join(unknown)}”不是可选项（可选：{'、'.join(fd.options)}）"
            )
    format_value(fd, value)


# ----------------------------------------------------------------------------- required


def active_fields(form: FormDef, values: Mapping[str, Any]) -> set[str]:
    """Fields used by the blocks that will print for these values."""
    used: set[str] = set(form.page_refs)
    for block, refs in zip(form.body, form.block_refs, strict=True):
        if block_active(block, values):
            used |= refs
    return used


def missing_items(form: FormDef, values: Mapping[str, Any], *, draft: bool = False) -> list[str]:
    """Every item still to fill in, as Chinese labels, in form order."""
    used = active_fields(form, values)
    missing: list[str] = []
    for name, fd in form.fields.items():
        if name not in used or not fd.required:
            continue
        if fd.at_issue and draft:
            continue
        if fd.required_when and not condition_holds(fd.required_when, values):
            continue
        value = values.get(name)
        if fd.type == "party":
            parties = _parties(value)
            if not parties:
                missing.append(fd.label)
            for idx, p in enumerate(parties):
                label = fd.label if len(parties) == 1 else f"{fd.label}{idx + 1}"
                missing.extend(party_missing(p, label))
            continue
        if is_empty(value):
            missing.append(fd.label)
            continue
        if fd.type == "list" and fd.item_required and isinstance(value, list | tuple):
            missing.extend(_list_item_missing(fd, value))
    return _dedupe(missing)


def _list_item_missing(fd: FieldDef, items: Sequence[Any]) -> Iterable[str]:
    for idx, item in enumerate(items, start=1):
        if not isinstance(item, Mapping):
            continue
        for key in fd.item_required:
            if is_empty(item.get(key)):
                yield f"{fd.label}第{idx}项的{fd.key_label(key)}"


def _dedupe(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


# ----------------------------------------------------------------------------- for the binder


def free_fields(form: FormDef) -> list[FieldDef]:
    """Fields asked for when the document is generated (read from ``input.<name>``)."""
    return [fd for fd in form.fields.values() if fd.free]


@dataclass(frozen=True, slots=True)
class SourcePath:
    """A data path forms read, for whoever builds the merged data dict."""

    path: str
    label: str
    type: str
    forms: tuple[str, ...]


def source_paths(forms: Iterable[FormDef]) -> list[SourcePath]:
    """Every data path the given forms read, sorted, with the forms that read it."""
    seen: dict[str, tuple[FieldDef, list[str]]] = {}
    for form in forms:
        for fd in form.fields.values():
            entry = seen.setdefault(fd.source, (fd, []))
            if form.id not in entry[1]:
                entry[1].append(form.id)
    return [
        SourcePath(path=path, label=fd.label, type=fd.type, forms=tuple(sorted(ids)))
        for path, (fd, ids) in sorted(seen.items())
    ]
