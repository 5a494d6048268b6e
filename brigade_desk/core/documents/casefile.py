"""Case file (案卷) assembly: one PDF in archive order with cover, index, documents, evidence
pictures, 备考表, archive page numbers and bookmarks (DOMAIN.md 5.1).

Pure: the caller hands over the rendered parts (stored bytes of issued documents, pictures) and
callbacks that render the cover, the index and the 备考表 once the page numbers are known. The
written pages are numbered at the bottom right, starting at 1; the cover, the index and the 备考表
are not numbered (DOMAIN.md 5.1, P-REV-CH).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from brigade_desk.core.fonts import FontSet, missing_glyphs, register_reportlab_fonts

_PAGE_W, _PAGE_H = A4


@dataclass(frozen=True)
class FilePart:
    """One document (or a set of pages) bound into the case file."""

    title: str
    pdf: bytes
    number: str = ""
    day: date | None = None
    section: str = "文书"
    """Bookmark group: 正卷文书, 证据材料, 内部文书 …"""
    note: str = ""
    photo_pages: int = 0
    """How many of its pages are photographs (for the 备考表)."""


@dataclass(frozen=True)
class EvidencePicture:
    image: bytes
    caption: tuple[str, ...]
    """Lines under the picture: description, kind, who and when, what it proves, hash."""


@dataclass(frozen=True)
class IndexRow:
    title: str
    number: str
    date: str
    pages: str
    note: str = ""


@dataclass(frozen=True)
class Counts:
    documents: int
    pages: int
    text_pages: int
    photo_pages: int


@dataclass
class AssembledFile:
    content: bytes
    page_count: int
    counts: Counts
    index: list[IndexRow] = field(default_factory=list)
    bookmarks: list[tuple[str, int]] = field(default_factory=list)
    """(title, 0-based page index) of every bookmark, in order."""


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def picture_pages(pictures: Sequence[EvidencePicture], title: str, fonts: FontSet | None = None) -> bytes:
    """A4 pages with two pictures each and their captions (证据照片粘贴页)."""
    font_set = register_reportlab_fonts(fonts)
    body = font_set.body.rl_name
    fallback = font_set.fallback.rl_name
    buf = io.BytesIO()
    canv = Canvas(buf, pagesize=A4, invariant=1, initialFontName=body)
    canv.setTitle(title)
    margin = 20 * mm
    slot_h = (_PAGE_H - 2 * margin - 12 * mm) / 2
    for start in range(0, len(pictures), 2):
        canv.setFont(font_set.title.rl_name, 14)
        canv.drawCentredString(_PAGE_W / 2, _PAGE_H - margin, title)
        for slot, picture in enumerate(pictures[start : start + 2]):
            top = _PAGE_H - margin - 10 * mm - slot * slot_h
            caption_h = 5 * mm * len(picture.caption) + 2 * mm
            box_w, box_h = _PAGE_W - 2 * margin, slot_h - caption_h - 6 * mm
            try:
                reader = ImageReader(io.BytesIO(picture.image))
                iw, ih = reader.getSize()
                scale = min(box_w / iw, box_h / ih)
                w, h = iw * scale, ih * scale
                canv.drawImage(reader, margin + (box_w - w) / 2, top - h, w, h)
            except Exception:  # an unreadable picture still gets its caption and a frame
                canv.rect(margin, top - box_h, box_w, box_h)
                canv.setFont(body, 10)
                canv.drawCentredString(_PAGE_W / 2, top - box_h / 2, "（图片无法显示，原件见电子证据）")
            y = top - box_h - 6 * mm
            for line in picture.caption:
                font = fallback if missing_glyphs(line, font_set.body) else body
                canv.setFont(font, 9.5)
                canv.drawString(margin, y, line)
                y -= 5 * mm
        canv.showPage()
    canv.save()
    return buf.getvalue()


def _stamp_pdf(first: int, count: int, fonts: FontSet) -> PdfReader:
    """``count`` transparent A4 pages carrying archive page numbers ``first`` … at the bottom right."""
    buf = io.BytesIO()
    canv = Canvas(buf, pagesize=A4, invariant=1, initialFontName=fonts.body.rl_name)
    for n in range(first, first + count):
        canv.setFont(fonts.body.rl_name, 11)
        canv.drawRightString(_PAGE_W - 12 * mm, 10 * mm, str(n))
        canv.showPage()
    canv.save()
    return PdfReader(io.BytesIO(buf.getvalue()))


def assemble(
    parts: Sequence[FilePart],
    *,
    cover: Callable[[Counts], bytes],
    index: Callable[[list[IndexRow]], bytes],
    notes: Callable[[Counts], bytes],
    title: str,
    fonts: FontSet | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> AssembledFile:
    """Bind the parts in the order given, between the cover + index and the 备考表."""
    font_set = register_reportlab_fonts(fonts)
    readers = [PdfReader(io.BytesIO(p.pdf)) for p in parts]
    rows: list[IndexRow] = []
    page = 1
    for part, reader in zip(parts, readers, strict=True):
        n = len(reader.pages)
        pages = str(page) if n == 1 else f"{page}-{page + n - 1}"
        rows.append(
            IndexRow(
                part.title, part.number, part.day.strftime("%Y%m%d") if part.day else "", pages, part.note
            )
        )
        page += n
    numbered = page - 1
    photo = sum(p.photo_pages for p in parts)
    counts = Counts(documents=len(parts), pages=numbered, text_pages=numbered - photo, photo_pages=photo)

    writer = PdfWriter()
    bookmarks: list[tuple[str, int]] = []

    def add(reader: PdfReader, label: str, parent: object = None) -> object:
        at = len(writer.pages)
        for pg in reader.pages:
            writer.add_page(pg)
        bookmarks.append((label, at))
        return writer.add_outline_item(title=label, page_number=at, parent=parent)  # type: ignore[arg-type]

    total_steps = len(parts) + 3
    add(PdfReader(io.BytesIO(cover(counts))), "案卷封面")
    add(PdfReader(io.BytesIO(index(rows))), "卷内目录")
    if progress:
        progress(2, total_steps)
    stamps = _stamp_pdf(1, numbered, font_set) if numbered else None
    sections: dict[str, object] = {}
    next_number = 0
    for n, (part, reader) in enumerate(zip(parts, readers, strict=True)):
        if part.section not in sections:
            sections[part.section] = writer.add_outline_item(
                title=part.section, page_number=len(writer.pages)
            )
            bookmarks.append((part.section, len(writer.pages)))
        at = len(writer.pages)
        for pg in reader.pages:
            added = writer.add_page(pg)
            if stamps is not None:
                added.merge_page(stamps.pages[next_number])
            next_number += 1
        label = f"{part.title}（{part.number}）" if part.number else part.title
        writer.add_outline_item(title=label, page_number=at, parent=sections[part.section])  # type: ignore[arg-type]
        bookmarks.append((label, at))
        if progress:
            progress(n + 3, total_steps)
    add(PdfReader(io.BytesIO(notes(counts))), "卷内备考表")
    writer.add_metadata({"/Title": title, "/Creator": "Brigade Desk"})
    writer.page_mode = "/UseOutlines"
    out = io.BytesIO()
    writer.write(out)
    if progress:
        progress(total_steps, total_steps)
    return AssembledFile(out.getvalue(), len(writer.pages), counts, rows, bookmarks)
