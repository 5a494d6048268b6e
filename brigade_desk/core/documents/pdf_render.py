"""Layout -> PDF with reportlab: exact margins, embedded CJK TrueType fonts, page X of Y.

Deterministic: the same layout and fonts give the same bytes (``invariant=1`` fixes the
creation date and document id; nothing else in the file depends on time or randomness).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from brigade_desk.core.documents import layout as lm
from brigade_desk.core.documents.result import QrCorner, RenderedDocument
from brigade_desk.core.documents.template import Placeholder, parse_template
from brigade_desk.core.fonts import FontFace, FontSet, missing_glyphs, register_reportlab_fonts

# reportlab's CJK wrap keeps a character that "cannot start a line" on the previous line (hanging
# in the margin), but its list is Japanese: the Chinese full-width comma, semicolon, colon, question
# and exclamation marks and closing quotes are missing, so a line could begin with "，". Add them.
_CHINESE_CANNOT_START = "，；：？！》”’％…·"


def _teach_chinese_line_breaking() -> None:
    import reportlab.platypus.paragraph as rl_paragraph

    current: str = rl_paragraph.ALL_CANNOT_START
    missing = "".join(ch for ch in _CHINESE_CANNOT_START if ch not in current)
    if missing:
        rl_paragraph.ALL_CANNOT_START = current + missing


_teach_chinese_line_breaking()

_ALIGN = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT, "justify": TA_JUSTIFY}
_CELL_PAD_X = 4.0
_CELL_PAD_Y = 3.0
_PAGE_W = 210 * mm
_PAGE_H = 297 * mm


@dataclass(frozen=True, slots=True)
class _Face:
    face: FontFace
    fallback: FontFace


class _Ctx:
    def __init__(self, layout: lm.Layout, fonts: FontSet) -> None:
        self.layout = layout
        self.page = layout.page
        self.fonts = fonts
        self.frame_w = (210 - self.page.margin_left - self.page.margin_right) * mm
        self.frame_h = (297 - self.page.margin_top - self.page.margin_bottom) * mm
        self.missing: set[str] = set()
        self._styles: dict[tuple[Any, ...], ParagraphStyle] = {}

    # -- fonts and sizes

    def size_of(self, style: lm.Style) -> float:
        return lm.style_size(self.page, style)

    def leading_of(self, style: lm.Style) -> float:
        return lm.style_leading(self.page, style)

    def face_of(self, style: lm.Style, bold: bool) -> _Face:
        f = self.fonts
        if bold or style in ("organ", "title", "heading", "cell_label"):
            return _Face(f.title, f.sans_bold)
        return _Face(f.body, f.fallback)

    def style(self, para: lm.Para) -> ParagraphStyle:
        key = (para.style, para.align, para.indent, para.right_indent, para.space_before, para.space_after)
        st = self._styles.get(key)
        if st is None:
            size = self.size_of(para.style)
            space_after = para.space_after * mm
            if para.style == "title":
                space_after = max(space_after, size * 0.3)
            st = ParagraphStyle(
                name="s" + str(len(self._styles)),
                fontName=self.face_of(para.style, False).face.rl_name,
                fontSize=size,
                leading=self.leading_of(para.style),
                alignment=_ALIGN[para.align],
                firstLineIndent=2 * size if para.indent else 0,
                rightIndent=para.right_indent * size,
                spaceBefore=para.space_before * mm,
                spaceAfter=space_after,
                wordWrap="CJK",
                allowWidows=1,
                allowOrphans=1,
            )
            self._styles[key] = st
        return st

    # -- markup

    def markup(self, para: lm.Para) -> str:
        parts: list[str] = []
        for run in para.runs:
            face = self.face_of(para.style, run.bold)
            text = self._with_fallback(run.text, face)
            if run.bold or face.face != self.face_of(para.style, False).face:
                text = f'<font name="{face.face.rl_name}">{text}</font>'
            if run.underline:
                text = f"<u>{text}</u>"
            parts.append(text)
        return "".join(parts) or "&nbsp;"

    def _with_fallback(self, text: str, face: _Face) -> str:
        if "\u3000" in text:
            # reportlab collapses U+3000 like any whitespace; blanks to fill in must keep their width
            text = text.replace("\u3000", _ideographic_space(face.face.rl_name))
        lacking = missing_glyphs(text, face.face)
        if not lacking:
            return escape(text)
        still = missing_glyphs("".join(lacking), face.fallback)
        self.missing |= still
        out: list[str] = []
        for ch in text:
            if ch in lacking and ch not in still:
                out.append(f'<font name="{face.fallback.rl_name}">{escape(ch)}</font>')
            else:
                out.append(escape(ch))
        return "".join(out)

    def paragraph(self, para: lm.Para) -> Paragraph:
        p = Paragraph(self.markup(para), self.style(para))
        if para.keep_with_next:
            p.keepWithNext = 1
        return p

    # -- blocks

    def flowables(self) -> list[Flowable]:
        out: list[Flowable] = []
        for block in self.layout.blocks:
            if isinstance(block, lm.Para):
                out.append(self.paragraph(block))
            elif isinstance(block, lm.Table):
                out.append(self.table(block))
            elif isinstance(block, lm.Spacer):
                out.append(Spacer(1, block.height * mm))
            elif isinstance(block, lm.PageBreak):
                out.append(PageBreak())
        return out

    def table(self, table: lm.Table) -> Table:
        col_w = [w * self.frame_w for w in table.widths]
        data: list[list[Any]] = []
        cmds: list[tuple[Any, ...]] = [
            ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
            # strings in spanned-over cells would otherwise bring in an unembedded Helvetica
            ("FONTNAME", (0, 0), (-1, -1), self.fonts.body.rl_name),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), _CELL_PAD_X),
            ("RIGHTPADDING", (0, 0), (-1, -1), _CELL_PAD_X),
            ("TOPPADDING", (0, 0), (-1, -1), _CELL_PAD_Y),
            ("BOTTOMPADDING", (0, 0), (-1, -1), _CELL_PAD_Y + 1),
        ]
        min_heights: list[float] = []
        tallest = 0.0
        for r, row in enumerate(table.rows):
            line: list[Any] = []
            col = 0
            row_min = self.leading_of("cell") + 2 * _CELL_PAD_Y + 1
            for cell in row:
                width = sum(col_w[col : col + cell.span]) - 2 * _CELL_PAD_X
                content: list[Flowable] = [self.paragraph(p) for p in cell.paras]
                used = sum(f.wrap(width, 10_000)[1] for f in content)
                if cell.sign is not None:
                    sign = self.paragraph(cell.sign)
                    used += sign.wrap(width, 10_000)[1]
                    fill = max(cell.min_height * mm - used - 2 * _CELL_PAD_Y - 1, 4.0)
                    content.append(Spacer(1, fill))
                    content.append(sign)
                    used += fill
                else:
                    row_min = max(row_min, cell.min_height * mm)
                tallest = max(tallest, used + 2 * _CELL_PAD_Y + 1, row_min)
                line.append(content)
                if cell.label:
                    cmds.append(("VALIGN", (col, r), (col, r), "MIDDLE"))
                if cell.span > 1:
                    cmds.append(("SPAN", (col, r), (col + cell.span - 1, r)))
                    line.extend([""] * (cell.span - 1))
                col += cell.span
            data.append(line)
            min_heights.append(row_min)
        return Table(
            data,
            colWidths=col_w,
            style=TableStyle(cmds),
            repeatRows=table.header_rows,
            splitByRow=1,
            # rows move whole to the next page; only a row too tall for a page is split inside
            splitInRow=1 if tallest > self.frame_h * 0.6 else 0,
            minRowHeights=min_heights,
            hAlign="LEFT",
        )


@cache
def _ideographic_space(font_name: str) -> str:
    """No-break spaces about as wide as one ideographic space in ``font_name``."""
    nbsp = stringWidth("\xa0", font_name, 1.0)
    full = stringWidth("\u3000", font_name, 1.0) or 1.0
    return "\xa0" * (max(1, round(full / nbsp)) if nbsp > 0 else 1)


def _footer_text(template: str, page: int, total: int) -> str:
    out: list[str] = []
    for part in parse_template(template):
        if isinstance(part, Placeholder):
            out.append(str(page if part.name == "页码" else total))
        else:
            out.append(part)
    return "".join(out)


def _draw_qr(
    canv: Canvas, payload: str, corner: QrCorner, size: float, ctx: _Ctx, caption: str | None = None
) -> None:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    qr.add_data(payload)
    qr.make(fit=True)
    matrix: Sequence[Sequence[bool]] = qr.get_matrix()
    n = len(matrix)
    module = size / n
    pg = ctx.page
    gap = 6 * mm
    x0 = _PAGE_W - pg.margin_right * mm - size if corner.endswith("right") else pg.margin_left * mm
    y0 = _PAGE_H - max(pg.margin_top * mm - size - gap, 6 * mm) - size if corner.startswith("top") else 6 * mm
    canv.saveState()
    canv.setFillColor(colors.black)
    path = canv.beginPath()
    for r, row in enumerate(matrix):
        c = 0
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                path.rect(x0 + start * module, y0 + (n - 1 - r) * module, (c - start) * module, module)
            else:
                c += 1
    canv.drawPath(path, stroke=0, fill=1)
    if caption:
        # The verification code under the code, for a person typing it into the verifier.
        canv.setFont(ctx.fonts.body.rl_name, 6.5)
        canv.drawCentredString(x0 + size / 2, y0 - 8, caption)
    canv.restoreState()


def render_layout_pdf(
    layout: lm.Layout,
    *,
    fonts: FontSet | None = None,
    qr_payload: str | None = None,
    qr_corner: QrCorner = "top-right",
    qr_size_mm: float = 20.0,
    qr_all_pages: bool = False,
    qr_caption: str | None = None,
) -> RenderedDocument:
    """Render a layout to PDF bytes.

    With a ``qr_payload`` the payload is also written into the PDF's keywords, where a verifier can
    read it back without decoding the image; ``qr_caption`` prints a line under the code."""
    font_set = register_reportlab_fonts(fonts)
    ctx = _Ctx(layout, font_set)
    pg = layout.page
    buf = io.BytesIO()
    title = layout.form_title + (f" {layout.doc_number}" if layout.doc_number else "")
    doc = BaseDocTemplate(
        buf,
        pagesize=(_PAGE_W, _PAGE_H),
        leftMargin=pg.margin_left * mm,
        rightMargin=pg.margin_right * mm,
        topMargin=pg.margin_top * mm,
        bottomMargin=pg.margin_bottom * mm,
        title=title,
        author=layout.organ_name or None,
        subject=f"{layout.form_id}@{layout.form_version}",
        creator="Brigade Desk",
        keywords=[layout.form_id, layout.form_version, *([qr_payload] if qr_payload else [])],
        invariant=1,
        lang="zh-CN",
        initialFontName=font_set.body.rl_name,
        initialFontSize=pg.body_size,
    )
    frame = Frame(
        pg.margin_left * mm,
        pg.margin_bottom * mm,
        ctx.frame_w,
        (297 - pg.margin_top - pg.margin_bottom) * mm,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    note_paras = [ctx.paragraph(p) for p in layout.page_note]
    qr_size = qr_size_mm * mm

    def on_page(canv: Canvas, _doc: BaseDocTemplate) -> None:
        page_no = canv.getPageNumber()
        if layout.draft:
            canv.saveState()
            canv.setFillColor(colors.Color(0.82, 0.82, 0.82))
            canv.setFont(font_set.title.rl_name, 96)
            canv.translate(_PAGE_W / 2, _PAGE_H / 2)
            canv.rotate(45)
            canv.drawCentredString(0, -30, "草　稿")
            canv.restoreState()
        if note_paras:
            y = pg.margin_bottom * mm - 3 * mm
            for para in note_paras:
                _w, h = para.wrap(ctx.frame_w, 200 * mm)
                y -= h
                para.drawOn(canv, pg.margin_left * mm, y)
        if qr_payload and (qr_all_pages or page_no == 1):
            _draw_qr(canv, qr_payload, qr_corner, qr_size, ctx, qr_caption)

    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=on_page)])
    pages: list[int] = []
    footer_font = font_set.body.rl_name
    footer_size = pg.small_size
    footer_y = pg.footer_offset * mm

    class _NumberedCanvas(Canvas):  # type: ignore[misc]
        """Holds every page until the end so the footer can say how many pages there are."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._page_states: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._page_states.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._page_states)
            pages.append(total)
            for state in self._page_states:
                self.__dict__.update(state)
                self.saveState()
                self.setFont(footer_font, footer_size)
                self.drawCentredString(
                    _PAGE_W / 2, footer_y, _footer_text(pg.footer, self.getPageNumber(), total)
                )
                self.restoreState()
                Canvas.showPage(self)
            Canvas.save(self)

    doc.build(ctx.flowables(), canvasmaker=_NumberedCanvas)
    return RenderedDocument(
        content=buf.getvalue(),
        format="pdf",
        form_id=layout.form_id,
        form_version=layout.form_version,
        doc_number=layout.doc_number,
        page_count=pages[-1] if pages else None,
        draft=layout.draft,
        missing_glyphs=frozenset(ctx.missing),
    )
