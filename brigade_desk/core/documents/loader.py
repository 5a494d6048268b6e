"""Load and validate form definitions (TOML) and the shared field library.

Layout of a forms directory::

    forms/_common.toml        shared fields ([fields.<name>]) any form may use by placeholder
    forms/<anything>.toml     one form each (files starting with "_" are not forms)

Forms come in three layers, later ones shadowing earlier ones: the program's ``forms/``, the
county's form pack (files the county sends in its bundles, held in the store and passed here as
text), and a township override directory. Each layer has the same layout; a form in a later layer
shadows the form with the same ``id``, and its ``_common.toml`` fields shadow shared fields of the
same name. Every problem found in a file is reported at once, in Chinese, with the file name.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from brigade_desk.core.documents.definition import (
    ALIGNS,
    DEFAULT_NUMBER_PATTERN,
    FIELD_TYPES,
    FORM_KINDS,
    NUMBER_PATTERN_KEYS,
    Align,
    Block,
    Condition,
    FieldDef,
    FieldType,
    FormDef,
    FormKind,
    FormOrigin,
    HeadingBlock,
    KVCell,
    KVTableBlock,
    OrganBlock,
    PageBreakBlock,
    PageSetup,
    ParagraphBlock,
    PartyBlock,
    RepeatBlock,
    SignatureLine,
    SignaturesBlock,
    SpacerBlock,
    TableBlock,
    TableColumn,
    TitleBlock,
)
from brigade_desk.core.documents.errors import FormDefinitionError, FormNotFoundError
from brigade_desk.core.documents.template import TemplateSyntaxError, placeholders
from brigade_desk.core.documents.values import BUILTINS, FILTERS

FORMS_DIR_ENV = "BRIGADE_DESK_FORMS_DIR"
COMMON_FILE = "_common.toml"
# How the county's form pack names its files in messages (it has no directory of its own).
COUNTY_PACK_LABEL = "县级文书格式包"

_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PATH_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")

_TOP_KEYS = {
    "id",
    "version",
    "title",
    "doc_code",
    "number_pattern",
    "numbered",
    "step",
    "kind",
    "description",
    "page",
    "fields",
    "body",
}
_FIELD_KEYS = {
    "label",
    "type",
    "source",
    "required",
    "required_when",
    "at_issue",
    "options",
    "multiple",
    "keys",
    "item",
    "item_required",
    "join",
    "hint",
}
_BLOCK_KEYS: dict[str, set[str]] = {
    "title": {"text", "organ"},
    "heading": {"text", "align"},
    "paragraph": {"text", "label", "align", "indent", "style", "space_before"},
    "party": {"field", "label"},
    "kv_table": {"columns", "rows"},
    "table": {"field", "columns", "min_rows", "caption"},
    "repeat": {"field", "paragraphs", "labels", "indent"},
    "signatures": {"lines"},
    "organ": {"date", "seal"},
    "spacer": {"height"},
    "page_break": set(),
}
_BLOCK_NAMES = {
    "title": "标题",
    "heading": "小标题",
    "paragraph": "段落",
    "party": "当事人信息",
    "kv_table": "表格",
    "table": "明细表",
    "repeat": "重复段落",
    "signatures": "签名栏",
    "organ": "落款",
    "spacer": "空白",
    "page_break": "分页",
}
_PAGE_KEYS = {f for f in PageSetup.__dataclass_fields__ if f != "size"} | {"size"}
_CELL_KEYS = {"label", "text", "span", "height", "align", "sign"}
_COLUMN_KEYS = {"header", "key", "width", "align"}
_SIGN_KEYS = {"label", "names", "item", "date"}


def default_forms_dir() -> Path:
    """``forms/`` of the program (``BRIGADE_DESK_FORMS_DIR`` overrides)."""
    override = os.environ.get(FORMS_DIR_ENV)
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[3] / "forms"


# ----------------------------------------------------------------------------- small checkers


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, msg: str) -> None:
        self.items.append(msg)


def _get_str(tbl: Mapping[str, Any], key: str, where: str, p: _Problems, default: str | None = None) -> str:
    value = tbl.get(key, default)
    if value is None:
        p.add(f"{where}缺少 {key}")
        return ""
    if not isinstance(value, str):
        p.add(f"{where}的 {key} 应为文字")
        return ""
    return value


def _get_bool(tbl: Mapping[str, Any], key: str, where: str, p: _Problems, default: bool) -> bool:
    value = tbl.get(key, default)
    if not isinstance(value, bool):
        p.add(f"{where}的 {key} 应为 true 或 false")
        return default
    return value


def _get_num(tbl: Mapping[str, Any], key: str, where: str, p: _Problems, default: float) -> float:
    value = tbl.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        p.add(f"{where}的 {key} 应为非负数")
        return default
    return float(value)


def _get_align(tbl: Mapping[str, Any], where: str, p: _Problems, default: Align) -> Align:
    value = tbl.get("align", default)
    if value not in ALIGNS:
        p.add(f"{where}的 align 应为 {'/'.join(ALIGNS)} 之一")
        return default
    return cast(Align, value)


def _unknown_keys(tbl: Mapping[str, Any], allowed: Iterable[str], where: str, p: _Problems) -> None:
    extra = sorted(set(tbl) - set(allowed))
    if extra:
        p.add(f"{where}有未知的键：{'、'.join(extra)}")


def _str_list(value: Any, where: str, key: str, p: _Problems) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        p.add(f"{where}的 {key} 应为文字列表")
        return ()
    return tuple(value)


# ----------------------------------------------------------------------------- fields


def _parse_field(name: str, tbl: Any, where: str, p: _Problems) -> FieldDef | None:
    w = f"{where}字段 {name} "
    if not _NAME_RE.match(name):
        p.add(f"{w}的名称只能用英文字母、数字和下划线")
        return None
    if not isinstance(tbl, dict):
        p.add(f"{w}应为表")
        return None
    _unknown_keys(tbl, _FIELD_KEYS, w, p)
    label = _get_str(tbl, "label", w, p)
    ftype = tbl.get("type", "text")
    if ftype not in FIELD_TYPES:
        p.add(f"{w}的类型 {ftype} 未知（可用：{'、'.join(FIELD_TYPES)}）")
        ftype = "text"
    source = _get_str(tbl, "source", w, p, default="")
    free = not source
    if free:
        source = f"input.{name}"
    elif not _PATH_RE.match(source):
        p.add(f"{w}的 source “{source}”不是有效的数据路径（例：party.name）")
    options = _str_list(tbl.get("options"), w, "options", p)
    if ftype == "choice" and not options:
        p.add(f"{w}是选择项，需要 options")
    raw_keys = tbl.get("keys")
    keys: tuple[str, ...] = ()
    key_labels: tuple[str, ...] = ()
    if isinstance(raw_keys, dict):
        if not all(isinstance(v, str) for v in raw_keys.values()):
            p.add(f'{w}的 keys 应为 键 = "中文名"')
        keys = tuple(raw_keys)
        key_labels = tuple(str(v) for v in raw_keys.values())
    elif raw_keys is not None:
        keys = _str_list(raw_keys, w, "keys", p)
        key_labels = keys
    if keys and ftype != "list":
        p.add(f"{w}不是列表，不能有 keys")
    item = _get_str(tbl, "item", w, p, default="")
    item_required = _str_list(tbl.get("item_required"), w, "item_required", p)
    if item:
        try:
            for ph in placeholders(item):
                if keys and ph.name not in keys:
                    p.add(f"{w}的 item 引用了未定义的键 {{{ph.name}}}")
                if ph.filter:
                    p.add(f"{w}的 item 中的 {{{ph.name}}} 不能带格式")
        except TemplateSyntaxError as exc:
            p.add(f"{w}的 item：{exc}")
    for key in item_required:
        if key not in keys:
            p.add(f"{w}的 item_required 中的 {key} 不在 keys 中")
    return FieldDef(
        name=name,
        label=label,
        type=cast(FieldType, ftype),
        source=source,
        free=free,
        required=_get_bool(tbl, "required", w, p, False),
        required_when=_get_str(tbl, "required_when", w, p, default=""),
        at_issue=_get_bool(tbl, "at_issue", w, p, False),
        options=options,
        multiple=_get_bool(tbl, "multiple", w, p, False),
        keys=keys,
        key_labels=key_labels,
        item=item,
        item_required=item_required,
        join=_get_str(tbl, "join", w, p, default="、"),
        hint=_get_str(tbl, "hint", w, p, default=""),
    )


def _parse_fields(raw: Any, where: str, p: _Problems) -> dict[str, FieldDef]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        p.add(f"{where}[fields] 应为表")
        return {}
    out: dict[str, FieldDef] = {}
    for name, tbl in raw.items():
        fd = _parse_field(name, tbl, where, p)
        if fd is not None:
            out[name] = fd
    return out


def _parse_common(raw: Mapping[str, Any], source: Path | str) -> dict[str, FieldDef]:
    p = _Problems()
    _unknown_keys(raw, {"fields"}, "", p)
    fields = _parse_fields(raw.get("fields"), "", p)
    if p.items:
        raise FormDefinitionError(source, p.items)
    return fields


def load_common(paths: Sequence[Path]) -> dict[str, FieldDef]:
    """Shared field library: later files shadow earlier ones field by field."""
    merged: dict[str, FieldDef] = {}
    for path in paths:
        if not path.is_file():
            continue
        merged.update(_parse_common(_read_toml(path), path))
    return merged


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise FormDefinitionError(path, [f"TOML 语法错误：{exc}"]) from exc
    except UnicodeDecodeError as exc:
        raise FormDefinitionError(path, ["不是 UTF-8 编码的文本，请以 UTF-8 编码保存"]) from exc
    except OSError as exc:
        raise FormDefinitionError(path, [f"无法读取：{exc}"]) from exc


def _parse_toml_text(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FormDefinitionError(source, [f"TOML 语法错误：{exc}"]) from exc


# ----------------------------------------------------------------------------- body


@dataclass
class _Ctx:
    """What a form's text may refer to while its body is being checked."""

    own: dict[str, FieldDef]
    common: Mapping[str, FieldDef]
    p: _Problems
    used: dict[str, FieldDef] = field(default_factory=dict)

    def field(self, name: str) -> FieldDef | None:
        fd = self.own.get(name) or self.common.get(name)
        if fd is not None:
            self.used[name] = fd
        return fd

    def check_text(self, text: str, where: str, refs: set[str], item_field: FieldDef | None = None) -> None:
        try:
            phs = placeholders(text)
        except TemplateSyntaxError as exc:
            self.p.add(f"{where}：{exc}")
            return
        for ph in phs:
            if item_field is not None and ph.name in item_field.keys:
                if ph.filter:
                    self.p.add(f"{where}中的 {ph} 是列表项的键，不能带格式")
                continue
            if ph.name in BUILTINS:
                if ph.filter:
                    self.p.add(f"{where}中的 {ph} 不能带格式")
                continue
            fd = self.field(ph.name)
            if fd is None:
                self.p.add(f"{where}引用了未定义的占位符 {ph}（请在 [fields] 或共用字段中定义 {ph.name}）")
                continue
            refs.add(ph.name)
            allowed = FILTERS[fd.type]
            if ph.filter not in allowed:
                usable = "、".join(sorted(f for f in allowed if f)) or "无"
                self.p.add(
                    f"{where}中的占位符 {ph} 的格式“{ph.filter}”不适用于{fd.type}类字段（可用：{usable}）"
                )

    def check_cond(self, tbl: Mapping[str, Any], where: str, refs: set[str]) -> Condition:
        cond = Condition(
            when=_get_str(tbl, "when", where, self.p, default=""),
            unless=_get_str(tbl, "unless", where, self.p, default=""),
        )
        for expr in (cond.when, cond.unless):
            if expr:
                self.check_expr(expr, where, refs)
        return cond

    def check_expr(self, expr: str, where: str, refs: set[str]) -> None:
        name, eq, wanted = expr.partition("=")
        name = name.strip()
        fd = self.field(name)
        if fd is None:
            self.p.add(f"{where}的条件“{expr}”引用了未定义的字段 {name}")
            return
        refs.add(name)
        if eq and fd.type == "choice" and wanted.strip() not in fd.options:
            self.p.add(f"{where}的条件“{expr}”中的“{wanted.strip()}”不是 {name} 的可选项")

    def list_field(self, tbl: Mapping[str, Any], key: str, where: str, refs: set[str]) -> FieldDef | None:
        name = _get_str(tbl, key, where, self.p)
        if not name:
            return None
        fd = self.field(name)
        if fd is None:
            self.p.add(f"{where}引用了未定义的字段 {name}")
            return None
        if fd.type != "list":
            self.p.add(f"{where}的 {key} = {name} 应为列表（list）字段")
            return None
        refs.add(name)
        return fd


def _parse_block(raw: Any, idx: int, ctx: _Ctx, form_title: str) -> tuple[Block | None, set[str]]:
    p = ctx.p
    refs: set[str] = set()
    if not isinstance(raw, dict):
        p.add(f"正文第{idx}块应为表")
        return None, refs
    btype = raw.get("type")
    if btype not in _BLOCK_KEYS:
        p.add(f"正文第{idx}块的类型 {btype!r} 未知（可用：{'、'.join(_BLOCK_KEYS)}）")
        return None, refs
    where = f"正文第{idx}块（{_BLOCK_NAMES[btype]}）"
    _unknown_keys(raw, _BLOCK_KEYS[btype] | {"type", "when", "unless"}, where, p)
    cond = ctx.check_cond(raw, where, refs)
    block: Block | None = None
    if btype == "title":
        text = _get_str(raw, "text", where, p, default=form_title)
        ctx.check_text(text, where, refs)
        organ = _get_bool(raw, "organ", where, p, True)
        if organ:
            ctx.check_text("{organ_name}", where, refs)
        block = TitleBlock(text=text, organ=organ, cond=cond)
    elif btype == "heading":
        text = _get_str(raw, "text", where, p)
        ctx.check_text(text, where, refs)
        block = HeadingBlock(text=text, align=_get_align(raw, where, p, "left"), cond=cond)
    elif btype == "paragraph":
        text = _get_str(raw, "text", where, p)
        label = _get_str(raw, "label", where, p, default="")
        ctx.check_text(text, where, refs)
        ctx.check_text(label, where, refs)
        style = raw.get("style", "body")
        if style not in ("body", "small"):
            p.add(f"{where}的 style 应为 body 或 small")
            style = "body"
        indent = _get_bool(raw, "indent", where, p, True)
        block = ParagraphBlock(
            text=text,
            label=label,
            # a line without first-line indent is a "label: value" line; justifying it would
            # stretch the spaces between its parts
            align=_get_align(raw, where, p, "justify" if indent else "left"),
            indent=indent,
            style=style,
            space_before=_get_num(raw, "space_before", where, p, 0.0),
            cond=cond,
        )
    elif btype == "party":
        name = _get_str(raw, "field", where, p, default="party")
        fd = ctx.field(name)
        if fd is None or fd.type != "party":
            p.add(f"{where}的 field = {name} 应为当事人（party）字段")
        refs.add(name)
        block = PartyBlock(field=name, label=_get_str(raw, "label", where, p, default="当事人"), cond=cond)
    elif btype == "kv_table":
        block = _parse_kv_table(raw, where, ctx, refs, cond)
    elif btype == "table":
        block = _parse_table(raw, where, ctx, refs, cond)
    elif btype == "repeat":
        fd = ctx.list_field(raw, "field", where, refs)
        paras = _str_list(raw.get("paragraphs"), where, "paragraphs", p)
        if not paras:
            p.add(f"{where}需要 paragraphs")
        labels = _str_list(raw.get("labels"), where, "labels", p)
        if labels and len(labels) != len(paras):
            p.add(f"{where}的 labels 应与 paragraphs 一一对应")
        for text in paras + labels:
            ctx.check_text(text, where, refs, item_field=fd)
        block = RepeatBlock(
            field=fd.name if fd else "",
            paragraphs=paras,
            labels=labels,
            indent=_get_bool(raw, "indent", where, p, False),
            cond=cond,
        )
    elif btype == "signatures":
        block = _parse_signatures(raw, where, ctx, refs, cond)
    elif btype == "organ":
        date_name = _get_str(raw, "date", where, p, default="doc_date")
        fd = ctx.field(date_name)
        if fd is None or fd.type not in ("date", "datetime"):
            p.add(f"{where}的 date = {date_name} 应为日期字段")
        refs.add(date_name)
        ctx.check_text("{organ_name}", where, refs)
        block = OrganBlock(
            date=date_name, seal=_get_str(raw, "seal", where, p, default="（印章）"), cond=cond
        )
    elif btype == "spacer":
        block = SpacerBlock(height=_get_num(raw, "height", where, p, 5.0), cond=cond)
    elif btype == "page_break":
        block = PageBreakBlock(cond=cond)
    return block, refs


def _parse_kv_table(
    raw: Mapping[str, Any], where: str, ctx: _Ctx, refs: set[str], cond: Condition
) -> KVTableBlock | None:
    p = ctx.p
    cols = raw.get("columns")
    if (
        not isinstance(cols, list)
        or not cols
        or not all(isinstance(c, int | float) and not isinstance(c, bool) and c > 0 for c in cols)
    ):
        p.add(f"{where}的 columns 应为正数列表（各列相对宽度）")
        return None
    rows_raw = raw.get("rows")
    if not isinstance(rows_raw, list) or not rows_raw:
        p.add(f"{where}需要 rows")
        return None
    rows: list[tuple[KVCell, ...]] = []
    for r, row in enumerate(rows_raw, start=1):
        rw = f"{where}第{r}行"
        if not isinstance(row, list) or not row:
            p.add(f"{rw}应为单元格列表")
            continue
        cells: list[KVCell] = []
        for c, cell in enumerate(row):
            cw = f"{rw}第{c + 1}格"
            if isinstance(cell, str):
                kv = KVCell(text=cell, label=(c % 2 == 0))
            elif isinstance(cell, dict):
                _unknown_keys(cell, _CELL_KEYS, cw, p)
                if ("label" in cell) == ("text" in cell):
                    p.add(f"{cw}应有 label（标签格）或 text（内容格）之一")
                    continue
                is_label = "label" in cell
                span = cell.get("span", 1)
                if not isinstance(span, int) or isinstance(span, bool) or span < 1:
                    p.add(f"{cw}的 span 应为正整数")
                    span = 1
                align_raw = cell.get("align")
                kv = KVCell(
                    text=_get_str(cell, "label" if is_label else "text", cw, p),
                    label=is_label,
                    span=span,
                    height=_get_num(cell, "height", cw, p, 0.0),
                    align=_get_align(cell, cw, p, "left") if align_raw is not None else None,
                    sign=_get_str(cell, "sign", cw, p, default=""),
                )
            else:
                p.add(f"{cw}应为文字或表")
                continue
            ctx.check_text(kv.text, cw, refs)
            ctx.check_text(kv.sign, cw, refs)
            cells.append(kv)
        width = sum(k.span for k in cells)
        if width != len(cols):
            p.add(f"{rw}共占 {width} 列，与 columns 的 {len(cols)} 列不符")
        rows.append(tuple(cells))
    return KVTableBlock(columns=tuple(float(c) for c in cols), rows=tuple(rows), cond=cond)


def _parse_table(
    raw: Mapping[str, Any], where: str, ctx: _Ctx, refs: set[str], cond: Condition
) -> TableBlock | None:
    p = ctx.p
    fd = ctx.list_field(raw, "field", where, refs)
    cols_raw = raw.get("columns")
    if not isinstance(cols_raw, list) or not cols_raw:
        p.add(f"{where}需要 columns")
        return None
    cols: list[TableColumn] = []
    for i, col in enumerate(cols_raw, start=1):
        cw = f"{where}第{i}列"
        if not isinstance(col, dict):
            p.add(f"{cw}应为表")
            continue
        _unknown_keys(col, _COLUMN_KEYS, cw, p)
        key = _get_str(col, "key", cw, p)
        if fd is not None and key != "#" and key not in fd.keys:
            p.add(f"{cw}的 key = {key} 不在字段 {fd.name} 的 keys 中（序号用 #）")
        width = _get_num(col, "width", cw, p, 1.0)
        cols.append(
            TableColumn(
                header=_get_str(col, "header", cw, p),
                key=key,
                width=width if width > 0 else 1.0,
                align=_get_align(col, cw, p, "center" if key == "#" else "left"),
            )
        )
    min_rows = raw.get("min_rows", 0)
    if not isinstance(min_rows, int) or isinstance(min_rows, bool) or min_rows < 0:
        p.add(f"{where}的 min_rows 应为非负整数")
        min_rows = 0
    caption = _get_str(raw, "caption", where, p, default="")
    ctx.check_text(caption, where, refs)
    return TableBlock(
        field=fd.name if fd else "", columns=tuple(cols), min_rows=min_rows, caption=caption, cond=cond
    )


def _parse_signatures(
    raw: Mapping[str, Any], where: str, ctx: _Ctx, refs: set[str], cond: Condition
) -> SignaturesBlock | None:
    p = ctx.p
    lines_raw = raw.get("lines")
    if not isinstance(lines_raw, list) or not lines_raw:
        p.add(f"{where}需要 lines")
        return None
    lines: list[SignatureLine] = []
    for i, line in enumerate(lines_raw, start=1):
        lw = f"{where}第{i}行"
        if not isinstance(line, dict):
            p.add(f"{lw}应为表")
            continue
        _unknown_keys(line, _SIGN_KEYS, lw, p)
        label = _get_str(line, "label", lw, p)
        ctx.check_text(label, lw, refs)
        names = ""
        item = _get_str(line, "item", lw, p, default="")
        fd = None
        if "names" in line:
            fd = ctx.list_field(line, "names", lw, refs)
            names = fd.name if fd else ""
        if item:
            if fd is None:
                p.add(f"{lw}的 item 只能与 names 一起使用")
            else:
                ctx.check_text(item, lw, refs, item_field=fd)
        lines.append(
            SignatureLine(label=label, names=names, item=item, date=_get_bool(line, "date", lw, p, not names))
        )
    return SignaturesBlock(lines=tuple(lines), cond=cond)


def _parse_page(raw: Any, ctx: _Ctx, refs: set[str]) -> PageSetup:
    p = ctx.p
    if raw is None:
        return PageSetup()
    if not isinstance(raw, dict):
        p.add("[page] 应为表")
        return PageSetup()
    _unknown_keys(raw, _PAGE_KEYS, "[page] ", p)
    if raw.get("size", "A4") != "A4":
        p.add("[page] 的 size 目前只支持 A4")
    defaults = PageSetup()
    kwargs: dict[str, Any] = {}
    for name in PageSetup.__dataclass_fields__:
        if name in ("size", "footer", "note"):
            continue
        kwargs[name] = _get_num(raw, name, "[page] ", p, float(getattr(defaults, name)))
    footer = _get_str(raw, "footer", "[page] ", p, default=defaults.footer)
    try:
        for ph in placeholders(footer):
            if ph.name not in ("页码", "总页数") or ph.filter:
                p.add(f"[page] 的 footer 只能使用 {{页码}} 和 {{总页数}}，不能用 {ph}")
    except TemplateSyntaxError as exc:
        p.add(f"[page] 的 footer：{exc}")
    note = _get_str(raw, "note", "[page] ", p, default="")
    ctx.check_text(note, "[page] 的 note", refs)
    if kwargs["line_spacing"] < 1.0 or kwargs["table_line_spacing"] < 1.0:
        p.add("[page] 的行距倍数不能小于 1")
    return PageSetup(footer=footer, note=note, **kwargs)


# ----------------------------------------------------------------------------- forms


def parse_form(
    raw: Mapping[str, Any],
    source: Path | str,
    common: Mapping[str, FieldDef] | None = None,
    *,
    overridden: bool = False,
    origin: FormOrigin = "program",
) -> FormDef:
    """Validate one parsed TOML form; raise :class:`FormDefinitionError` listing every problem."""
    p = _Problems()
    _unknown_keys(raw, _TOP_KEYS, "", p)
    form_id = _get_str(raw, "id", "", p)
    if form_id and not _NAME_RE.match(form_id):
        p.add(f"id “{form_id}”只能用英文字母、数字和下划线")
    version = raw.get("version")
    if isinstance(version, int | float) and not isinstance(version, bool):
        version = str(version)
    if not isinstance(version, str) or not version:
        p.add('缺少 version（文字，例如 "2026.1"）')
        version = ""
    title = _get_str(raw, "title", "", p)
    numbered = _get_bool(raw, "numbered", "", p, True)
    doc_code = _get_str(raw, "doc_code", "", p, default="")
    if numbered and not doc_code:
        p.add("编号的文书需要 doc_code（文书代字，例如 罚决）")
    pattern = _get_str(raw, "number_pattern", "", p, default=DEFAULT_NUMBER_PATTERN)
    try:
        for ph in placeholders(pattern):
            padded = ph.name == "序号" and ph.filter.isdigit() and 0 < int(ph.filter) <= 9
            if ph.name not in NUMBER_PATTERN_KEYS or (ph.filter and not padded):
                p.add(f"number_pattern 中的 {ph} 未知（可用：{'、'.join(NUMBER_PATTERN_KEYS)}）")
    except TemplateSyntaxError as exc:
        p.add(f"number_pattern：{exc}")
    kind = raw.get("kind", "outward")
    if kind not in FORM_KINDS:
        p.add(f"kind 应为 {'/'.join(FORM_KINDS)} 之一")
        kind = "outward"

    own = _parse_fields(raw.get("fields"), "", p)
    ctx = _Ctx(own=own, common=common or {}, p=p)
    page_refs: set[str] = set()
    page = _parse_page(raw.get("page"), ctx, page_refs)
    if kind == "record" and not page.note:
        p.add('笔录（kind = "record"）需要在 [page] 的 note 中写每页的“记录属实”确认栏')

    body_raw = raw.get("body")
    blocks: list[Block] = []
    block_refs: list[frozenset[str]] = []
    if not isinstance(body_raw, list) or not body_raw:
        p.add("缺少正文 [[body]]")
    else:
        for idx, braw in enumerate(body_raw, start=1):
            block, refs = _parse_block(braw, idx, ctx, title)
            if block is not None:
                blocks.append(block)
                block_refs.append(frozenset(refs))

    for fd in list(own.values()):
        if fd.required_when:
            ctx.check_expr(fd.required_when, f"字段 {fd.name} 的 required_when", set())
    # list fields' item templates and item_required are checked in _parse_field
    unused = [name for name in own if name not in ctx.used]
    for name in unused:
        p.add(f"字段 {name} 已定义但正文没有使用")

    step = _get_str(raw, "step", "", p, default="")
    description = _get_str(raw, "description", "", p, default="")
    if p.items:
        raise FormDefinitionError(source, p.items)
    fields = {**_common_subset(ctx), **own}
    ordered = {name: fields[name] for name in _field_order(own, ctx.used)}
    return FormDef(
        id=form_id,
        version=version,
        title=title,
        doc_code=doc_code,
        number_pattern=pattern,
        step=step,
        kind=cast(FormKind, kind),
        fields=ordered,
        body=tuple(blocks),
        page=page,
        description=description,
        numbered=numbered,
        path=Path(source) if isinstance(source, Path) else None,
        overridden=overridden,
        origin=origin,
        block_refs=tuple(block_refs),
        page_refs=frozenset(page_refs),
    )


def _common_subset(ctx: _Ctx) -> dict[str, FieldDef]:
    return {name: fd for name, fd in ctx.used.items() if name not in ctx.own}


def _field_order(own: Mapping[str, FieldDef], used: Mapping[str, FieldDef]) -> list[str]:
    """Shared fields in order of first use, then the form's own fields in file order."""
    order = [n for n in used if n not in own]
    order.extend(own)
    return order


def load_form(
    path: Path,
    common: Mapping[str, FieldDef] | None = None,
    *,
    overridden: bool = False,
    origin: FormOrigin = "program",
) -> FormDef:
    """Load one form file. ``common`` defaults to ``_common.toml`` beside it."""
    if common is None:
        common = load_common([path.parent / COMMON_FILE])
    return parse_form(_read_toml(path), path, common, overridden=overridden, origin=origin)


def _form_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(f for f in directory.glob("*.toml") if not f.name.startswith("_"))


@dataclass(frozen=True)
class _Source:
    """One file of a layer: on disk (``label`` is its path) or held as text (the county's pack)."""

    label: Path | str
    text: str | None = None

    def raw(self) -> dict[str, Any]:
        if self.text is None:
            return _read_toml(Path(self.label))
        return _parse_toml_text(self.text, str(self.label))


@dataclass(frozen=True)
class _Layer:
    origin: FormOrigin
    common: _Source | None
    forms: tuple[_Source, ...]


def _dir_layer(directory: Path, origin: FormOrigin) -> _Layer:
    common = directory / COMMON_FILE
    return _Layer(
        origin,
        _Source(common) if common.is_file() else None,
        tuple(_Source(f) for f in _form_files(directory)),
    )


def _pack_layer(files: Mapping[str, str]) -> _Layer:
    """The county's pack: ``_common.toml`` and form files by name; other ``_`` files are not forms."""

    def source(name: str) -> _Source:
        return _Source(f"{COUNTY_PACK_LABEL}/{name}", files[name])

    return _Layer(
        "county",
        source(COMMON_FILE) if COMMON_FILE in files else None,
        tuple(source(n) for n in sorted(files) if n.endswith(".toml") and not n.startswith("_")),
    )


def _load(
    layers: Sequence[_Layer],
) -> tuple[dict[str, FormDef], dict[str, FieldDef], list[FormDefinitionError]]:
    """Every form of the layers, later layers shadowing earlier ones; problems of every file."""
    common: dict[str, FieldDef] = {}
    problems: list[FormDefinitionError] = []
    for layer in layers:
        if layer.common is None:
            continue
        try:
            common.update(_parse_common(layer.common.raw(), layer.common.label))
        except FormDefinitionError as exc:
            problems.append(exc)
    if problems:  # forms checked against a broken shared library would report noise
        return {}, common, problems
    forms: dict[str, FormDef] = {}
    for layer in layers:
        seen_here: dict[str, str] = {}
        for src in layer.forms:
            try:
                form = parse_form(
                    src.raw(), src.label, common, overridden=layer.origin != "program", origin=layer.origin
                )
            except FormDefinitionError as exc:
                problems.append(exc)
                continue
            if form.id in seen_here:
                problems.append(
                    FormDefinitionError(src.label, [f"id {form.id} 与 {seen_here[form.id]} 重复"])
                )
                continue
            seen_here[form.id] = Path(src.label).name
            forms[form.id] = form
    return forms, common, problems


def _layers(
    forms_dir: Path, override_dir: Path | None, county_pack: Mapping[str, str] | None
) -> list[_Layer]:
    layers = [_dir_layer(forms_dir, "program")]
    if county_pack:
        layers.append(_pack_layer(county_pack))
    if override_dir is not None:
        layers.append(_dir_layer(override_dir, "township"))
    return layers


def form_problems(
    forms_dir: Path | None = None,
    override_dir: Path | None = None,
    *,
    county_pack: Mapping[str, str] | None = None,
) -> list[FormDefinitionError]:
    """The problems of every file that does not load, one error per file (empty: all good)."""
    directory = forms_dir if forms_dir is not None else default_forms_dir()
    return _load(_layers(directory, override_dir, county_pack))[2]


class FormLibrary:
    """Every form available: the township's overrides first, then the county's pack (file name ->
    TOML text, as the store holds it), then the program's ``forms/``."""

    def __init__(
        self,
        forms_dir: Path | None = None,
        override_dir: Path | None = None,
        *,
        county_pack: Mapping[str, str] | None = None,
    ) -> None:
        self.forms_dir = forms_dir if forms_dir is not None else default_forms_dir()
        self.override_dir = override_dir
        self.county_pack = dict(county_pack or {})
        forms, common, problems = _load(_layers(self.forms_dir, override_dir, self.county_pack))
        if problems:
            if len(problems) == 1:
                raise problems[0]
            raise FormDefinitionError(
                "；".join(e.source for e in problems),
                [item for e in problems for item in (f"{Path(e.source).name}：{x}" for x in e.problems)],
            )
        self.common = common
        self._forms = forms

    def get(self, form_id: str) -> FormDef:
        try:
            return self._forms[form_id]
        except KeyError:
            raise FormNotFoundError(form_id) from None

    def __contains__(self, form_id: object) -> bool:
        return form_id in self._forms

    def ids(self) -> list[str]:
        return sorted(self._forms)

    def forms(self) -> list[FormDef]:
        return [self._forms[i] for i in self.ids()]

    def __len__(self) -> int:
        return len(self._forms)


def check_forms(
    forms_dir: Path | None = None,
    override_dir: Path | None = None,
    *,
    county_pack: Mapping[str, str] | None = None,
) -> list[str]:
    """Load every form and report problems as lines of Chinese (empty list: all good)."""
    try:
        FormLibrary(forms_dir, override_dir, county_pack=county_pack)
    except FormDefinitionError as exc:
        return exc.problems
    return []
