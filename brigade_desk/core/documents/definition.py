"""Typed form definitions, as loaded from ``forms/*.toml`` (see ``docs/forms.md``).

A *form* is the definition of one document type; a *document* is one instance made from it.
These classes hold no behaviour beyond small helpers: loading and validation live in
``loader.py``, value formatting in ``values.py``, layout in ``layout.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as _field
from pathlib import Path
from typing import Literal, TypeAlias

FieldType: TypeAlias = Literal[
    "text", "multiline", "date", "datetime", "money", "number", "bool", "choice", "list", "party"
]
FormOrigin: TypeAlias = Literal["program", "county", "township"]
FIELD_TYPES: tuple[str, ...] = (
    "text",
    "multiline",
    "date",
    "datetime",
    "money",
    "number",
    "bool",
    "choice",
    "list",
    "party",
)

Align: TypeAlias = Literal["left", "center", "right", "justify"]
ALIGNS: tuple[str, ...] = ("left", "center", "right", "justify")

FormKind: TypeAlias = Literal["outward", "internal", "record"]
FORM_KINDS: tuple[str, ...] = ("outward", "internal", "record")

DEFAULT_NUMBER_PATTERN = "{机关代字}{文书代字}字〔{年}〕第{序号}号"
NUMBER_PATTERN_KEYS: tuple[str, ...] = ("机关代字", "文书代字", "年", "序号")

#: Keys a party value may carry (a plain dict from the party record).
PARTY_KEYS: tuple[str, ...] = (
    "kind",
    "name",
    "sex",
    "birth_date",
    "id_type",
    "id_number",
    "credit_code",
    "trade_name",
    "legal_representative",
    "legal_representative_id",
    "address",
    "phone",
)


@dataclass(frozen=True, slots=True)
class FieldDef:
    """One datum a form needs."""

    name: str
    label: str
    type: FieldType = "text"
    source: str = ""
    """Dotted path in the merged case data (``party.name``); ``input.<name>`` for a free field."""
    free: bool = False
    """Asked for at generation (no source in the case data)."""
    required: bool = False
    required_when: str = ""
    """Name of a field; the field is required only when that one is filled (truthy)."""
    at_issue: bool = False
    """Filled when the document is issued (文号); not required for a draft."""
    options: tuple[str, ...] = ()
    multiple: bool = False
    keys: tuple[str, ...] = ()
    """For ``list`` fields of records: the keys of each item."""
    key_labels: tuple[str, ...] = ()
    """Chinese label of each key (same order as ``keys``)."""
    item: str = ""
    """For ``list`` fields: how one item prints, e.g. ``{name}（执法证号：{certificate_no}）``."""
    item_required: tuple[str, ...] = ()
    join: str = "、"
    hint: str = ""

    def key_label(self, key: str) -> str:
        if key in self.keys and len(self.key_labels) == len(self.keys):
            return self.key_labels[self.keys.index(key)]
        return key


@dataclass(frozen=True, slots=True)
class PageSetup:
    size: Literal["A4"] = "A4"
    margin_top: float = 37.0
    margin_bottom: float = 35.0
    margin_left: float = 28.0
    margin_right: float = 26.0
    body_size: float = 16.0
    title_size: float = 22.0
    table_size: float = 12.0
    small_size: float = 10.5
    line_spacing: float = 1.75
    table_line_spacing: float = 1.4
    footer: str = "第 {页码} 页 共 {总页数} 页"
    footer_offset: float = 18.0
    """Distance of the footer's baseline from the bottom edge of the page, in mm."""
    note: str = ""
    """Printed on every page above the footer (the 笔录's "记录属实" line); placeholders allowed."""

    @property
    def width_mm(self) -> float:
        return 210.0

    @property
    def height_mm(self) -> float:
        return 297.0


# ----------------------------------------------------------------------------- body blocks


@dataclass(frozen=True, slots=True)
class Condition:
    when: str = ""
    unless: str = ""


@dataclass(frozen=True, slots=True)
class TitleBlock:
    text: str
    organ: bool = True
    cond: Condition = _field(default_factory=Condition)


@dataclass(frozen=True, slots=True)
class HeadingBlock:
    text: str
    align: Align = "left"
    cond: Condition = _field(default_factory=Condition)


@dataclass(frozen=True, slots=True)
class ParagraphBlock:
    text: str
    label: str = ""
    align: Align = "justify"
    indent: bool = True
    style: Literal["body", "small"] = "body"
    space_before: float = 0.0
    cond: Condition = _field(default_factory=Condition)


@dataclass(frozen=True, slots=True)
class PartyBlock:
    field: str = "party"
    label: str = "当事人"
    cond: Condition = _field(default_factory=Condition)


@dataclass(frozen=True, slots=True)
class KVCell:
    text: str
    label: bool
    span: int = 1
    height: float = 0.0
    """Minimum height in mm."""
    align: Align | None = None
    sign: str = ""
    """Signature line at the bottom right of the cell, e.g. ``承办人（签名）``."""


@dataclass(frozen=True, slots=True)
class KVTableBlock:
    columns: tuple[float, ...]
    rows: tuple[tuple[KVCell, ...], ...]
    cond: Condition = _field(default_factory=Condition)


@dataclass(frozen=True, slots=True)
class TableColumn:
    header: str
    key: str
    width: float = 1.0
    align: Align = "left"


@dataclass(frozen=True, slots=True)
class TableBlock:
    field: str
    columns: tuple[TableColumn, ...]
    min_rows: int = 0
    caption: str = ""
    cond: Condition = _field(default_factory=Condition)


@dataclass(frozen=True, slots=True)
class RepeatBlock:
    field: str
    paragraphs: tuple[str, ...]
    labels: tuple[str, ...] = ()
    """Bold label before each paragraph (same order as ``paragraphs``), e.g. ``问：``."""
    indent: bool = False
    cond: Condition = _field(default_factory=Condition)


@dataclass(frozen=True, slots=True)
class SignatureLine:
    label: str
    names: str = ""
    """A list field (officers): one line per item, the item printed after the blank."""
    item: str = ""
    """How each item of ``names`` prints (keys of the list field); default the field's ``item``."""
    date: bool = True


@dataclass(frozen=True, slots=True)
class SignaturesBlock:
    lines: tuple[SignatureLine, ...]
    cond: Condition = _field(default_factory=Condition)


@dataclass(frozen=True, slots=True)
class OrganBlock:
    date: str = "doc_date"
    seal: str = "（印章）"
    cond: Condition = _field(default_factory=Condition)


@dataclass(frozen=True, slots=True)
class SpacerBlock:
    height: float = 5.0
    cond: Condition = _field(default_factory=Condition)


@dataclass(frozen=True, slots=True)
class PageBreakBlock:
    cond: Condition = _field(default_factory=Condition)


Block: TypeAlias = (
    TitleBlock
    | HeadingBlock
    | ParagraphBlock
    | PartyBlock
    | KVTableBlock
    | TableBlock
    | RepeatBlock
    | SignaturesBlock
    | OrganBlock
    | SpacerBlock
    | PageBreakBlock
)


@dataclass(frozen=True, slots=True)
class FormDef:
    """A validated form definition."""

    id: str
    version: str
    title: str
    doc_code: str
    number_pattern: str
    step: str
    kind: FormKind
    fields: dict[str, FieldDef]
    """Every field the form uses: its own and those taken from the shared field library."""
    body: tuple[Block, ...]
    page: PageSetup
    description: str = ""
    numbered: bool = True
    path: Path | None = None
    overridden: bool = False
    """True when the definition is not the program's own (the county's pack or a township's
    override directory)."""
    origin: FormOrigin = "program"
    """Which layer the definition came from: the program's ``forms/``, the county's form pack, or
    the township's override directory."""
    block_refs: tuple[frozenset[str], ...] = ()
    """For each body block, the names of the fields it uses (conditions included)."""
    page_refs: frozenset[str] = frozenset()
    """Fields used by the page note."""

    @property
    def ref(self) -> str:
        """``id@version``, recorded on every document made from the form."""
        return f"{self.id}@{self.version}"
