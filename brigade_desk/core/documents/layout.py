"""One layout model, built from a form definition and merged values, fed to both renderers.

The layout is plain data: paragraphs made of runs, tables of cells, spacers and page breaks,
plus page set-up, the note printed on every page, and the identity of the form. The PDF and
DOCX renderers only translate it; neither looks at the form definition or the values again,
so both formats carry the same text.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, TypeAlias

from brigade_desk.core.documents.definition import (
    Align,
    FieldDef,
    FormDef,
    HeadingBlock,
    KVTableBlock,
    OrganBlock,
    PageBreakBlock,
    PageSetup,
    ParagraphBlock,
    PartyBlock,
    RepeatBlock,
    SignaturesBlock,
    SpacerBlock,
    TableBlock,
    TitleBlock,
)
from brigade_desk.core.documents.errors import MissingFieldsError
from brigade_desk.core.documents.template import Placeholder, parse_template
from brigade_desk.core.documents.values import (
    BUILTINS,
    _parties,
    block_active,
    check_value,
    format_item,
    format_value,
    is_empty,
    missing_items,
    party_items,
    resolve,
)

Style: TypeAlias = Literal["organ", "title", "heading", "body", "small", "cell", "cell_label", "note"]

BLANK = "\u3000" * 4
"""An empty value prints as an underlined blank of four ideographic spaces (to fill in by hand)."""
SIGN_BLANK = BUILTINS["签名栏"]
DATE_BLANK = BUILTINS["日期栏"]
DRAFT_NUMBER = "（签发时生成文号）"


@dataclass(frozen=True, slots=True)
class Run:
    text: str
    bold: bool = False
    underline: bool = False


@dataclass(frozen=True, slots=True)
class Para:
    runs: tuple[Run, ...]
    style: Style = "body"
    align: Align = "justify"
    indent: bool = False
    """First-line indent of two characters."""
    right_indent: float = 0.0
    """Right indent, in characters of the paragraph's size."""
    space_before: float = 0.0
    """In mm."""
    space_after: float = 0.0
    keep_with_next: bool = False

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True, slots=True)
class Cell:
    paras: tuple[Para, ...]
    span: int = 1
    label: bool = False
    min_height: float = 0.0
    """In mm."""
    sign: Para | None = None
    """Signature line kept at the bottom of the cell."""


@dataclass(frozen=True, slots=True)
class Table:
    widths: tuple[float, ...]
    """Fractions of the text width, summing to 1."""
    rows: tuple[tuple[Cell, ...], ...]
    header_rows: int = 0


@dataclass(frozen=True, slots=True)
class Spacer:
    height: float
    """In mm."""


@dataclass(frozen=True, slots=True)
class PageBreak:
    pass


LayoutBlock: TypeAlias = Para | Table | Spacer | PageBreak


def style_size(page: PageSetup, style: Style) -> float:
    """Font size in points of a paragraph style, from the form's page set-up (both renderers use it)."""
    return {
        "organ": page.title_size,
        "title": page.title_size,
        "heading": page.body_size,
        "body": page.body_size,
        "small": page.small_size,
        "cell": page.table_size,
        "cell_label": page.table_size,
        "note": page.table_size,
    }[style]


def style_leading(page: PageSetup, style: Style) -> float:
    """Line height in points: titles a little open, tables and notes by the table spacing."""
    size = style_size(page, style)
    if style in ("organ", "title"):
        return size * 1.35
    if style in ("cell", "cell_label", "note", "small"):
        return size * page.table_line_spacing
    return size * page.line_spacing


@dataclass(frozen=True, slots=True)
class Layout:
    form_id: str
    form_version: str
    form_title: str
    doc_number: str
    organ_name: str
    page: PageSetup
    blocks: tuple[LayoutBlock, ...]
    page_note: tuple[Para, ...]
    draft: bool
    missing: tuple[str, ...] = ()
    """Items left blank because the caller allowed missing data (a preview)."""

    def paragraphs(self) -> Iterator[Para]:
        """Every paragraph in reading order (table cells row by row)."""
        for block in self.blocks:
            if isinstance(block, Para):
                yield block
            elif isinstance(block, Table):
                for row in block.rows:
                    for cell in row:
                        yield from cell.paras
                        if cell.sign is not None:
                            yield cell.sign

    def text_lines(self) -> list[str]:
        """Non-blank paragraph texts, stripped; the page note once at the end."""
        lines = [p.text.strip() for p in self.paragraphs()]
        lines.extend(p.text.strip() for p in self.page_note)
        return [line for line in lines if line]


# ----------------------------------------------------------------------------- builder


class _Builder:
    def __init__(self, form: FormDef, values: Mapping[str, Any], draft: bool) -> None:
        self.form = form
        self.values = values
        self.draft = draft

    # -- text

    def runs(
        self, template: str, item: Mapping[str, Any] | None = None, item_keys: Sequence[str] = ()
    ) -> list[Run]:
        out: list[Run] = []
        for part in parse_template(template):
            if isinstance(part, str):
                out.append(Run(part))
                continue
            out.append(self.placeholder_run(part, item, item_keys))
        return _merge(out)

    def placeholder_run(
        self, ph: Placeholder, item: Mapping[str, Any] | None, item_keys: Sequence[str]
    ) -> Run:
        if ph.name in BUILTINS and ph.name not in self.form.fields:
            return Run(BUILTINS[ph.name], underline=ph.name != "日期栏")
        if item is not None and ph.name in item_keys:
            value = item.get(ph.name)
            text = "" if is_empty(value) else str(value)
        else:
            fd = self.form.fields[ph.name]
            value = self.values.get(ph.name)
            if fd.at_issue and self.draft and is_empty(value):
                return Run(
                    DRAFT_NUMBER if fd.name == "doc_number" else BLANK, underline=fd.name != "doc_number"
                )
            text = format_value(fd, value, ph.filter)
        if not text:
            return Run(BLANK, underline=True)
        return Run(text)

    def paras(
        self,
        template: str,
        *,
        style: Style = "body",
        align: Align = "justify",
        indent: bool = False,
        label: str = "",
        item: Mapping[str, Any] | None = None,
        item_keys: Sequence[str] = (),
        keep_with_next: bool = False,
        space_before: float = 0.0,
    ) -> list[Para]:
        runs = self.runs(template, item, item_keys)
        if label:
            label_runs = self.runs(label, item, item_keys)
            runs = [Run(r.text, bold=True, underline=r.underline) for r in label_runs] + runs
        lines = _split_lines(runs)
        out = []
        for i, line in enumerate(lines):
            out.append(
                Para(
                    runs=tuple(line),
                    style=style,
                    align=align,
                    indent=indent,
                    keep_with_next=keep_with_next,
                    space_before=space_before if i == 0 else 0.0,
                )
            )
        return out

    # -- blocks

    def build(self) -> list[LayoutBlock]:
        out: list[LayoutBlock] = []
        for block in self.form.body:
            if not block_active(block, self.values):
                continue
            if isinstance(block, TitleBlock):
                if block.organ:
                    out.extend(self.paras("{organ_name}", style="organ", align="center"))
                out.extend(self.paras(block.text, style="title", align="center"))
                out.append(Spacer(4.0))
            elif isinstance(block, HeadingBlock):
                out.extend(self.paras(block.text, style="heading", align=block.align, keep_with_next=True))
            elif isinstance(block, ParagraphBlock):
                out.extend(
                    self.paras(
                        block.text,
                        style=block.style,
                        align=block.align,
                        indent=block.indent,
                        label=block.label,
                        space_before=block.space_before,
                    )
                )
            elif isinstance(block, PartyBlock):
                out.extend(self.party(block))
            elif isinstance(block, KVTableBlock):
                out.append(self.kv_table(block))
            elif isinstance(block, TableBlock):
                out.extend(self.table(block))
            elif isinstance(block, RepeatBlock):
                out.extend(self.repeat(block))
            elif isinstance(block, SignaturesBlock | OrganBlock):
                # never leave signatures or the organ's name and date alone on the last page:
                # they stay with the paragraph before them
                if out and isinstance(out[-1], Para):
                    out[-1] = replace(out[-1], keep_with_next=True)
                lines = self.signatures(block) if isinstance(block, SignaturesBlock) else self.organ(block)
                out.extend(replace(p, keep_with_next=i < len(lines) - 1) for i, p in enumerate(lines))
            elif isinstance(block, SpacerBlock):
                out.append(Spacer(block.height))
            elif isinstance(block, PageBreakBlock):
                out.append(PageBreak())
        return out

    def party(self, block: PartyBlock) -> list[Para]:
        parties = _parties(self.values.get(block.field))
        if not parties:
            return [Para(runs=(Run(f"{block.label}："), Run(BLANK * 3, underline=True)))]
        out = []
        for idx, party in enumerate(parties, start=1):
            label = block.label if len(parties) == 1 else f"{block.label}{_cn_ordinal(idx)}"
            # one item a line, so that an ID number or credit code never breaks across lines
            for item_label, value in party_items(party):
                runs = [Run(f"{label}：", bold=True)] if not item_label else [Run(f"{item_label}：")]
                runs.append(Run(value) if value else Run(BLANK, underline=True))
                out.append(Para(runs=tuple(runs), align="left"))
        return out

    def kv_table(self, block: KVTableBlock) -> Table:
        total = sum(block.columns)
        rows: list[tuple[Cell, ...]] = []
        for row in block.rows:
            cells: list[Cell] = []
            for kv in row:
                if kv.label:
                    paras = self.paras(kv.text, style="cell_label", align=kv.align or "center")
                    paras = [
                        Para(tuple(Run(r.text, bold=True) for r in p.runs), *_para_rest(p)) for p in paras
                    ]
                else:
                    paras = self.paras(kv.text, style="cell", align=kv.align or "left") if kv.text else []
                    # a value cell left empty stays empty (filled in by hand), without a blank line
                    paras = [p for p in paras if not _blank_only(p)]
                sign = None
                if kv.sign:
                    sign_runs = [*self.runs(kv.sign), Run("：" + SIGN_BLANK + "\u3000" + DATE_BLANK)]
                    sign = Para(runs=tuple(_merge(sign_runs)), style="cell", align="right")
                cells.append(
                    Cell(paras=tuple(paras), span=kv.span, label=kv.label, min_height=kv.height, sign=sign)
                )
            rows.append(tuple(cells))
        return Table(widths=tuple(c / total for c in block.columns), rows=tuple(rows))

    def table(self, block: TableBlock) -> list[LayoutBlock]:
        fd = self.form.fields[block.field]
        items = self.values.get(block.field)
        items_list: list[Any] = list(items) if isinstance(items, list | tuple) else []
        total = sum(c.width for c in block.columns)
        header = tuple(
            Cell(
                paras=(Para(runs=(Run(c.header, bold=True),), style="cell_label", align="center"),),
                label=True,
            )
            for c in block.columns
        )
        rows: list[tuple[Cell, ...]] = [header]
        for idx, item in enumerate(items_list, start=1):
            cells = []
            for col in block.columns:
                if col.key == "#":
                    text = str(idx)
                elif isinstance(item, Mapping):
                    v = item.get(col.key)
                    text = "" if is_empty(v) else str(v)
                else:
                    text = format_item(fd, item)
                lines = text.split("\n") if text else [""]
                cells.append(
                    Cell(paras=tuple(Para(runs=(Run(t),), style="cell", align=col.align) for t in lines))
                )
            rows.append(tuple(cells))
        for _ in range(max(0, block.min_rows - len(items_list))):
            rows.append(tuple(Cell(paras=(Para(runs=(Run(""),), style="cell"),)) for _ in block.columns))
        out: list[LayoutBlock] = []
        if block.caption:
            out.extend(self.paras(block.caption, style="heading", keep_with_next=True))
        out.append(
            Table(widths=tuple(c.width / total for c in block.columns), rows=tuple(rows), header_rows=1)
        )
        return out

    def repeat(self, block: RepeatBlock) -> list[Para]:
        fd = self.form.fields[block.field]
        items = self.values.get(block.field)
        out: list[Para] = []
        if not isinstance(items, list | tuple):
            return out
        for item in items:
            mapping = item if isinstance(item, Mapping) else {}
            for i, template in enumerate(block.paragraphs):
                label = block.labels[i] if block.labels else ""
                out.extend(
                    self.paras(template, indent=block.indent, label=label, item=mapping, item_keys=fd.keys)
                )
        return out

    def signatures(self, block: SignaturesBlock) -> list[Para]:
        out: list[Para] = []
        for line in block.lines:
            label_runs = [Run(r.text, bold=True) for r in self.runs(line.label)]
            date = [Run("\u3000" + DATE_BLANK)] if line.date else []
            if line.names:
                fd: FieldDef = self.form.fields[line.names]
                people = self.values.get(line.names)
                people_list: list[Any] = list(people) if isinstance(people, list | tuple) else []
                if not people_list:
                    people_list = [None]
                item_fd = replace(fd, item=line.item) if line.item else fd
                for person in people_list:
                    who = format_item(item_fd, person) if person is not None else ""
                    runs = [*label_runs, Run("："), Run(SIGN_BLANK, underline=True)]
                    if who:
                        runs.append(Run(f"（{who}）"))
                    out.append(Para(runs=tuple(_merge(runs + date)), align="left", space_before=2.0))
            else:
                runs = [*label_runs, Run("："), Run(SIGN_BLANK, underline=True), *date]
                out.append(Para(runs=tuple(_merge(runs)), align="left", space_before=2.0))
        if out:
            out[0] = replace(out[0], space_before=5.0)
        return out

    def organ(self, block: OrganBlock) -> list[Para]:
        fd = self.form.fields[block.date]
        date_text = format_value(fd, self.values.get(block.date), "日期" if fd.type == "datetime" else "")
        out: list[Para] = []
        if block.seal:
            out.append(Para(runs=(Run(block.seal),), align="right", right_indent=4.0))
        organ = self.paras("{organ_name}", align="right")
        out.extend(Para(p.runs, style="body", align="right", right_indent=2.0) for p in organ)
        date_runs = (Run(date_text),) if date_text else (Run(DATE_BLANK),)
        out.append(Para(runs=date_runs, align="right", right_indent=2.0))
        out[0] = replace(out[0], space_before=12.0)
        return out


def _blank_only(p: Para) -> bool:
    return all(r.underline and not r.text.strip("\u3000") for r in p.runs)


def _para_rest(p: Para) -> tuple[Style, Align, bool, float, float, float, bool]:
    return (p.style, p.align, p.indent, p.right_indent, p.space_before, p.space_after, p.keep_with_next)


def _cn_ordinal(n: int) -> str:
    digits = "零一二三四五六七八九十"
    return digits[n] if n <= 10 else str(n)


def _merge(runs: Sequence[Run]) -> list[Run]:
    """Join neighbouring runs of the same look; drop empty ones."""
    out: list[Run] = []
    for r in runs:
        if not r.text:
            continue
        if out and out[-1].bold == r.bold and out[-1].underline == r.underline:
            out[-1] = Run(out[-1].text + r.text, r.bold, r.underline)
        else:
            out.append(r)
    return out


def _split_lines(runs: Sequence[Run]) -> list[list[Run]]:
    lines: list[list[Run]] = [[]]
    for r in runs:
        pieces = r.text.replace("\r\n", "\n").split("\n")
        for i, piece in enumerate(pieces):
            if i:
                lines.append([])
            if piece:
                lines[-1].append(Run(piece, r.bold, r.underline))
    return [line for line in lines if line] or [[]]


def build_layout(
    form: FormDef,
    data: Mapping[str, Any],
    *,
    draft: bool = False,
    allow_missing: bool = False,
) -> Layout:
    """Merge ``data`` (the case data as a plain dict, see ``docs/forms.md``) into ``form``.

    Raises :class:`MissingFieldsError` listing every missing required item unless
    ``allow_missing`` (a preview: the blanks print as lines to fill in). In a ``draft`` the
    fields filled at issuing (文号) are not required and print as a placeholder.
    Raises :class:`ValueFormatError` when a value has the wrong type for its field.
    """
    values = resolve(form, data)
    for name, fd in form.fields.items():
        check_value(fd, values.get(name))
    missing = missing_items(form, values, draft=draft)
    if missing and not allow_missing:
        raise MissingFieldsError(form.title, missing)
    builder = _Builder(form, values, draft)
    blocks = builder.build()
    note: list[Para] = []
    if form.page.note:
        note = builder.paras(form.page.note, style="note", align="left")
    number = ""
    if "doc_number" in form.fields:
        number = format_value(form.fields["doc_number"], values.get("doc_number"))
    organ = (
        format_value(form.fields["organ_name"], values.get("organ_name"))
        if "organ_name" in form.fields
        else ""
    )
    return Layout(
        form_id=form.id,
        form_version=form.version,
        form_title=form.title,
        doc_number=number,
        organ_name=organ,
        page=form.page,
        blocks=tuple(blocks),
        page_note=tuple(note),
        draft=draft,
        missing=tuple(missing),
    )


def missing_required(form: FormDef, data: Mapping[str, Any], *, draft: bool = False) -> list[str]:
    """Everything still to fill in before ``form`` can be generated from ``data`` (Chinese labels)."""
    return missing_items(form, resolve(form, data), draft=draft)
