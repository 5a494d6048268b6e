"""Entry points: merge case data into a form and render it as PDF or DOCX."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from brigade_desk.core.documents.definition import FormDef
from brigade_desk.core.documents.docx_render import DocxFonts, render_layout_docx
from brigade_desk.core.documents.layout import build_layout
from brigade_desk.core.documents.pdf_render import render_layout_pdf
from brigade_desk.core.documents.result import QrCorner, RenderedDocument
from brigade_desk.core.documents.template import Placeholder, parse_template
from brigade_desk.core.fonts import FontSet


def render_pdf(
    form: FormDef,
    data: Mapping[str, Any],
    *,
    draft: bool = False,
    allow_missing: bool = False,
    qr_payload: str | None = None,
    qr_corner: QrCorner = "top-right",
    qr_all_pages: bool = False,
    qr_caption: str | None = None,
    fonts: FontSet | None = None,
) -> RenderedDocument:
    """The printed, archived form of a document. Same input, same bytes.

    Raises ``MissingFieldsError`` (every item to fill in) unless ``allow_missing``, and
    ``ValueFormatError`` for a value of the wrong type.
    """
    layout = build_layout(form, data, draft=draft, allow_missing=allow_missing)
    return render_layout_pdf(
        layout,
        fonts=fonts,
        qr_payload=qr_payload,
        qr_corner=qr_corner,
        qr_all_pages=qr_all_pages,
        qr_caption=qr_caption,
    )


def render_docx(
    form: FormDef,
    data: Mapping[str, Any],
    *,
    draft: bool = False,
    allow_missing: bool = False,
    qr_payload: str | None = None,
    qr_corner: QrCorner = "top-right",
    qr_all_pages: bool = False,
    fonts: DocxFonts | None = None,
) -> RenderedDocument:
    """An editable copy of the same content for Word or WPS."""
    layout = build_layout(form, data, draft=draft, allow_missing=allow_missing)
    return render_layout_docx(
        layout, fonts=fonts, qr_payload=qr_payload, qr_corner=qr_corner, qr_all_pages=qr_all_pages
    )


def render(
    form: FormDef, data: Mapping[str, Any], fmt: Literal["pdf", "docx"], **options: Any
) -> RenderedDocument:
    if fmt == "pdf":
        return render_pdf(form, data, **options)
    if fmt == "docx":
        return render_docx(form, data, **options)
    raise ValueError(f"unknown format {fmt!r}")


def format_doc_number(form: FormDef, *, organ_code: str, year: int, serial: int) -> str:
    """文号 from the form's pattern: ``{机关代字}{文书代字}字〔{年}〕第{序号}号``.

    The serial prints without leading zeros (GB/T 9704) unless the pattern pads it:
    ``{序号|3}`` gives ``第001号``.
    """
    values = {"机关代字": organ_code, "文书代字": form.doc_code, "年": str(year)}
    out: list[str] = []
    for part in parse_template(form.number_pattern):
        if not isinstance(part, Placeholder):
            out.append(part)
        elif part.name == "序号":
            out.append(str(serial).zfill(int(part.filter)) if part.filter else str(serial))
        else:
            out.append(values[part.name])
    return "".join(out)
