"""Layout -> DOCX with python-docx, for clerks who must edit a document locally.

Word and WPS fall back to the theme's Latin font for Chinese unless told otherwise, so every
run and every style names the East Asian font (``w:eastAsia``), the theme font attributes are
removed, and the East Asian language is zh-CN. Margins are exact; the footer carries
"第 X 页 共 Y 页" as PAGE / NUMPAGES fields, and a 笔录's "记录属实" line on every page.
The archive is written with fixed timestamps, so the same layout gives the same bytes.
"""

from __future__ import annotations

import io
import math
import zipfile
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from docx import Document
from docx.enum.section import WD_SECTION_START
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from brigade_desk.core.documents import layout as lm
from brigade_desk.core.documents.result import QrCorner, RenderedDocument
from brigade_desk.core.documents.template import Placeholder, parse_template

_ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}
_FIXED_TIME = datetime(2000, 1, 1)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True, slots=True)
class DocxFonts:
    """Font names written into the DOCX (the names Word and WPS know on a Chinese Windows)."""

    body: str = "仿宋"
    title: str = "黑体"
    """Titles, headings, labels and bold text."""


def _set_rfonts(rpr: Any, name: str) -> None:
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in list(rfonts.attrib):
        if attr.endswith("Theme"):
            del rfonts.attrib[attr]
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(slot), name)


def _set_lang(rpr: Any) -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "zh-CN")
    lang.set(qn("w:eastAsia"), "zh-CN")


def _prepare_styles(doc: Any, fonts: DocxFonts, body_size: float) -> None:
    styles_el = doc.styles.element
    # remove theme fonts everywhere (docDefaults and every style)
    for rfonts in styles_el.iter(qn("w:rFonts")):
        for attr in list(rfonts.attrib):
            if attr.endswith("Theme"):
                del rfonts.attrib[attr]
    defaults = styles_el.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr_default = defaults.find(qn("w:rPrDefault"))
        if rpr_default is not None:
            rpr = rpr_default.find(qn("w:rPr"))
            if rpr is not None:
                _set_rfonts(rpr, fonts.body)
                _set_lang(rpr)
    for style in doc.styles:
        el = style.element
        rpr = el.find(qn("w:rPr"))
        if rpr is None:
            continue
        if rpr.find(qn("w:rFonts")) is not None:
            is_heading = style.name.lower().startswith(("heading", "title"))
            _set_rfonts(rpr, fonts.title if is_heading else fonts.body)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(body_size)
    _set_rfonts(normal.element.get_or_add_rPr(), fonts.body)
    _set_lang(normal.element.get_or_add_rPr())
    pf = normal.paragraph_format
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)


class _Writer:
    def __init__(self, layout: lm.Layout, fonts: DocxFonts) -> None:
        self.layout = layout
        self.page = layout.page
        self.fonts = fonts
        self.text_width_mm = 210 - self.page.margin_left - self.page.margin_right

    def size_of(self, style: lm.Style) -> float:
        return lm.style_size(self.page, style)

    def leading_of(self, style: lm.Style) -> float:
        return lm.style_leading(self.page, style)

    def font_of(self, style: lm.Style, bold: bool) -> str:
        if bold or style in ("organ", "title", "heading", "cell_label"):
            return self.fonts.title
        return self.fonts.body

    def fill_paragraph(self, par: Any, para: lm.Para) -> None:
        size = self.size_of(para.style)
        pf = par.paragraph_format
        par.alignment = _ALIGN[para.align]
        pf.first_line_indent = Pt(2 * size) if para.indent else Pt(0)
        pf.right_indent = Pt(para.right_indent * size) if para.right_indent else None
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(round(self.leading_of(para.style), 1))
        pf.space_before = Mm(para.space_before)
        after = para.space_after
        if para.style == "title":
            after = max(after, size * 0.3 / 2.835)
        pf.space_after = Mm(after)
        pf.widow_control = False
        if para.keep_with_next:
            pf.keep_with_next = True
        for run in para.runs:
            self.add_run(par, run.text, para.style, run.bold, run.underline)

    def add_run(self, par: Any, text: str, style: lm.Style, bold: bool, underline: bool) -> Any:
        r = par.add_run(text)
        name = self.font_of(style, bold)
        r.font.name = name
        rpr = r._r.get_or_add_rPr()
        _set_rfonts(rpr, name)
        r.font.size = Pt(self.size_of(style))
        if underline:
            r.font.underline = True
        return r

    def write_body(self, doc: Any) -> None:
        for block in self.layout.blocks:
            if isinstance(block, lm.Para):
                self.fill_paragraph(doc.add_paragraph(), block)
            elif isinstance(block, lm.Table):
                self.write_table(doc, block)
            elif isinstance(block, lm.Spacer):
                par = doc.add_paragraph()
                pf = par.paragraph_format
                pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
                pf.line_spacing = Mm(max(block.height, 1.0))
                pf.space_before = Pt(0)
                pf.space_after = Pt(0)
            elif isinstance(block, lm.PageBreak):
                doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def write_table(self, doc: Any, table: lm.Table) -> None:
        ncols = len(table.widths)
        tbl = doc.add_table(rows=len(table.rows), cols=ncols)
        tbl.style = doc.styles["Table Grid"]
        tbl.alignment = WD_TABLE_ALIGNMENT.LEFT
        tbl.autofit = False
        tbl_pr = tbl._tbl.tblPr
        layout_el = OxmlElement("w:tblLayout")
        layout_el.set(qn("w:type"), "fixed")
        tbl_pr.append(layout_el)
        widths = [Mm(self.text_width_mm * w) for w in table.widths]
        for i, grid_col in enumerate(tbl._tbl.tblGrid.findall(qn("w:gridCol"))):
            grid_col.set(qn("w:w"), str(int(widths[i].twips)))
        for r, row in enumerate(table.rows):
            docx_row = tbl.rows[r]
            if r < table.header_rows:
                tr_pr = docx_row._tr.get_or_add_trPr()
                header = OxmlElement("w:tblHeader")
                tr_pr.append(header)
            min_h = max((c.min_height for c in row), default=0.0)
            if min_h:
                docx_row.height = Mm(min_h)
                docx_row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
            col = 0
            for cell in row:
                target = docx_row.cells[col]
                if cell.span > 1:
                    target = target.merge(docx_row.cells[col + cell.span - 1])
                cell_width_mm = sum(self.text_width_mm * w for w in table.widths[col : col + cell.span])
                self.fill_cell(target, cell, cell_width_mm)
                col += cell.span
            for c in range(ncols):
                docx_row.cells[c].width = widths[c]

    def fill_cell(self, target: Any, cell: lm.Cell, width_mm: float) -> None:
        if cell.label:
            target.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        paras = list(cell.paras)
        first = True
        for para in paras:
            par = target.paragraphs[0] if first else target.add_paragraph()
            self.fill_paragraph(par, para)
            first = False
        if cell.sign is not None:
            par = target.paragraphs[0] if first else target.add_paragraph()
            self.fill_paragraph(par, cell.sign)
            used = self.estimate_height(paras, width_mm - 3.8) + self.leading_of("cell") / 2.835
            par.paragraph_format.space_before = Mm(max(cell.min_height - used - 2.0, 3.0))

    def estimate_height(self, paras: list[lm.Para], width_mm: float) -> float:
        total = 0.0
        for p in paras:
            size_mm = self.size_of(p.style) / 2.835
            per_line = max(int(width_mm / size_mm), 1)
            chars = sum(1.0 if ord(ch) > 0x2E80 else 0.55 for ch in p.text) + (2 if p.indent else 0)
            lines = max(math.ceil(chars / per_line), 1)
            total += lines * self.leading_of(p.style) / 2.835
        return total

    def write_footer(self, footer: Any) -> None:
        footer.is_linked_to_previous = False
        first = True
        for para in self.layout.page_note:
            par = footer.paragraphs[0] if first else footer.add_paragraph()
            self.fill_paragraph(par, para)
            par.paragraph_format.space_after = Mm(2)
            first = False
        par = footer.paragraphs[0] if first else footer.add_paragraph()
        par.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for part in parse_template(self.page.footer):
            if isinstance(part, Placeholder):
                self.add_field(par, "PAGE" if part.name == "页码" else "NUMPAGES")
            else:
                self.add_run(par, part, "small", False, False)

    def add_field(self, par: Any, instr: str) -> None:
        def fld(kind: str) -> None:
            run = self.add_run(par, "", "small", False, False)
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            run._r.append(el)

        fld("begin")
        run = self.add_run(par, "", "small", False, False)
        instr_el = OxmlElement("w:instrText")
        instr_el.set(qn("xml:space"), "preserve")
        instr_el.text = f" {instr} "
        run._r.append(instr_el)
        fld("separate")
        self.add_run(par, "1", "small", False, False)
        fld("end")

    def write_header(self, header: Any, qr_png: bytes | None, qr_size_mm: float, align: str) -> None:
        header.is_linked_to_previous = False
        par = header.paragraphs[0]
        par.alignment = _ALIGN[align]
        if qr_png is not None:
            par.add_run().add_picture(io.BytesIO(qr_png), width=Mm(qr_size_mm))
        if self.layout.draft:
            p2 = header.add_paragraph() if qr_png is not None else par
            p2.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            r = self.add_run(p2, "草稿（未签发，不得作为正式文书送达）", "small", False, False)
            r.font.color.rgb = RGBColor(0x80, 0x80, 0x80)


def _qr_png(payload: str) -> bytes:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=1, box_size=8)
    qr.add_data(payload)
    qr.make(fit=True)
    img = qr.make_image()
    buf = io.BytesIO()
    img.save(buf)
    return buf.getvalue()


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite the archive with fixed timestamps so identical content gives identical bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()


def render_layout_docx(
    layout: lm.Layout,
    *,
    fonts: DocxFonts | None = None,
    qr_payload: str | None = None,
    qr_corner: QrCorner = "top-right",
    qr_size_mm: float = 20.0,
    qr_all_pages: bool = False,
) -> RenderedDocument:
    """Render a layout to DOCX bytes (the QR code, when given, sits in the page header)."""
    names = fonts or DocxFonts()
    doc = Document()
    pg = layout.page
    _prepare_styles(doc, names, pg.body_size)
    section = doc.sections[0]
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.page_width = Mm(pg.width_mm)
    section.page_height = Mm(pg.height_mm)
    section.top_margin = Mm(pg.margin_top)
    section.bottom_margin = Mm(pg.margin_bottom)
    section.left_margin = Mm(pg.margin_left)
    section.right_margin = Mm(pg.margin_right)
    section.header_distance = Mm(8)
    section.footer_distance = Mm(max(pg.footer_offset - 4.0, 5.0))
    writer = _Writer(layout, names)
    writer.write_body(doc)

    qr_png = _qr_png(qr_payload) if qr_payload else None
    align = "right" if qr_corner.endswith("right") else "left"
    if qr_png is not None and not qr_all_pages:
        section.different_first_page_header_footer = True
        writer.write_header(section.first_page_header, qr_png, qr_size_mm, align)
        writer.write_footer(section.first_page_footer)
        if layout.draft:
            writer.write_header(section.header, None, qr_size_mm, align)
    elif qr_png is not None or layout.draft:
        writer.write_header(section.header, qr_png, qr_size_mm, align)
    writer.write_footer(section.footer)

    props = doc.core_properties
    props.title = layout.form_title + (f" {layout.doc_number}" if layout.doc_number else "")
    props.subject = f"{layout.form_id}@{layout.form_version}"
    props.author = layout.organ_name
    props.keywords = f"{layout.form_id} {layout.form_version}"
    props.comments = "Brigade Desk"
    props.last_modified_by = ""
    props.created = _FIXED_TIME
    props.modified = _FIXED_TIME
    props.revision = 1
    props.language = "zh-CN"

    buf = io.BytesIO()
    doc.save(buf)
    return RenderedDocument(
        content=_normalise_zip(buf.getvalue()),
        format="docx",
        form_id=layout.form_id,
        form_version=layout.form_version,
        doc_number=layout.doc_number,
        page_count=None,
        draft=layout.draft,
    )
