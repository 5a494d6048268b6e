"""Rendering: every form to PDF and DOCX with the same content, embedded fonts, page X of Y,
identical bytes on reprint, and a warm PDF render well under 100 ms."""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from pypdf import PdfReader

from brigade_desk.core.documents import (
    FormLibrary,
    Layout,
    RenderedDocument,
    build_layout,
    render_docx,
    render_layout_docx,
    render_layout_pdf,
    render_pdf,
)
from brigade_desk.core.documents.samples import sample_data
from brigade_desk.core.fonts import shipped_font_dir

_WS = re.compile(r"[\s\u00a0\u3000]+")

# What each form must show: the party's name, the case number, the legal basis, the fine in capitals.
EXPECTED: dict[str, list[str]] = {
    "penalty_decision": [
        "王喆",
        "青石综执立〔2026〕第12号",
        "《中华人民共和国城乡规划法》第四十一条第三款",
        "《中华人民共和国城乡规划法》第六十五条",
        "贰仟元整",
        "2,000.00",
        "某某县人民政府",
        "某某县人民法院",
        "六十日",
        "六个月",
        "二〇二六年二月二十日",
        "青石综执罚决字〔2026〕第8号",
    ],
    "prior_notice": [
        "王喆",
        "《中华人民共和国城乡规划法》第四十一条第三款",
        "《中华人民共和国城乡规划法》第六十五条",
        "贰仟元整",
        "五个工作日",
        "三个工作日",
        "事先（听证）告知书",
    ],
    "rectification_notice": [
        "王喆",
        "《中华人民共和国城乡规划法》第四十一条第三款",
        "■限期拆除",
        "□恢复原状",
        "某某县人民政府",
        "某某县人民法院",
    ],
    "filing_approval": ["王喆", "青石综执立〔2026〕第12号", "■巡查", "■建议立案", "赵昇", "33010012345"],
    "inspection_record": [
        "王喆",
        "2026年3月1日9时30分至10时15分",
        "孙甦",
        "记录属实",
        "执法证号：33010012346",
    ],
    "inquiry_record": [
        "王喆",
        "未取得乡村建设规划许可证擅自建设",
        "二〇二六年二月二十日",
        "记录属实",
        "送达地址",
    ],
    "delivery_receipt": [
        "王喆",
        "青石综执立〔2026〕第12号",
        "《行政处罚决定书》青石综执罚决字〔2026〕第8号",
        "■直接送达",
    ],
}


def norm(text: str) -> str:
    return _WS.sub("", text)


@pytest.fixture(scope="module")
def library() -> FormLibrary:
    return FormLibrary()


@pytest.fixture(scope="module")
def rendered(library: FormLibrary) -> dict[str, tuple[Layout, RenderedDocument, RenderedDocument]]:
    data = sample_data()
    out = {}
    for form in library.forms():
        layout = build_layout(form, data)
        out[form.id] = (layout, render_layout_pdf(layout), render_layout_docx(layout))
    return out


def pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages]


def pdf_body_text(layout: Layout, content: bytes) -> str:
    """Text of all pages with the per-page note and footer taken out, whitespace removed."""
    out = []
    note = [norm(p.text) for p in layout.page_note]
    for page in pdf_pages(content):
        text = norm(page)
        text = re.sub(r"第\d+页共\d+页", "", text)
        for n in note:
            text = text.replace(n, "")
        out.append(text)
    return "".join(out)


def docx_text(content: bytes) -> str:
    d = docx.Document(io.BytesIO(content))
    parts = [p.text for p in d.paragraphs]
    for table in d.tables:
        for row in table.rows:
            seen: set[int] = set()
            for cell in row.cells:
                if id(cell._tc) in seen:
                    continue
                seen.add(id(cell._tc))
                parts.extend(p.text for p in cell.paragraphs)
    return "\n".join(parts)


def test_all_forms_are_exercised(library: FormLibrary) -> None:
    assert set(EXPECTED) <= set(library.ids())


@pytest.mark.parametrize("form_id", sorted(EXPECTED))
def test_pdf_holds_the_content(form_id: str, rendered: dict[str, Any]) -> None:
    layout, pdf, _ = rendered[form_id]
    assert pdf.format == "pdf" and pdf.content.startswith(b"%PDF")
    assert pdf.form_ref == f"{layout.form_id}@{layout.form_version}"
    assert pdf.missing_glyphs == frozenset()
    body = pdf_body_text(layout, pdf.content)
    for expected in EXPECTED[form_id]:
        assert norm(expected) in body or norm(expected) in norm("".join(pdf_pages(pdf.content))), expected
    # every line of the layout is in the PDF, in full
    for line in layout.text_lines():
        if line in {p.text.strip() for p in layout.page_note}:
            continue
        assert norm(line) in body, line


@pytest.mark.parametrize("form_id", sorted(EXPECTED))
def test_docx_text_matches_the_pdf(form_id: str, rendered: dict[str, Any]) -> None:
    layout, _, doc = rendered[form_id]
    assert doc.format == "docx" and doc.page_count is None
    text = norm(docx_text(doc.content))
    for expected in EXPECTED[form_id]:
        if "记录属实" in expected:
            continue  # in the footer
        assert norm(expected) in text, expected
    for para in layout.paragraphs():
        assert norm(para.text) in text, para.text


@pytest.mark.parametrize("form_id", sorted(EXPECTED))
def test_pdf_fonts_are_embedded_truetype(form_id: str, rendered: dict[str, Any]) -> None:
    _, pdf, _ = rendered[form_id]
    reader = PdfReader(io.BytesIO(pdf.content))
    names = set()
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        for ref in fonts.values():
            font = ref.get_object()
            desc = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            assert "/FontDescriptor" in desc, f"{font['/BaseFont']} has no descriptor (standard 14 font?)"
            assert "/FontFile2" in desc["/FontDescriptor"].get_object(), f"{font['/BaseFont']} not embedded"
            names.add(str(font["/BaseFont"]))
    assert not any("Helvetica" in n or "Times" in n for n in names), names


def test_page_footer_on_every_page_of_a_long_document(library: FormLibrary) -> None:
    form = library.get("inquiry_record")
    result = render_pdf(form, sample_data(qa_rounds=40))
    assert result.page_count is not None and result.page_count >= 4
    pages = pdf_pages(result.content)
    assert len(pages) == result.page_count
    for number, text in enumerate(pages, start=1):
        assert f"第{number}页共{result.page_count}页" in norm(text)
        assert "记录属实" in text and "被询问人签名" in text


def test_multi_page_decision(library: FormLibrary) -> None:
    data = sample_data()
    data["case"]["facts"] = "\n".join([data["case"]["facts"]] * 8)
    result = render_pdf(library.get("penalty_decision"), data)
    assert result.page_count is not None and result.page_count >= 3
    for number, text in enumerate(pdf_pages(result.content), start=1):
        assert f"第{number}页共{result.page_count}页" in norm(text)


def test_long_evidence_table_splits_with_repeated_header(library: FormLibrary) -> None:
    from brigade_desk.core.documents import parse_form
    from brigade_desk.core.documents.loader import COMMON_FILE, default_forms_dir, load_common

    raw = {
        "id": "evidence_list",
        "version": "1",
        "title": "证据清单",
        "numbered": False,
        "body": [
            {"type": "title"},
            {
                "type": "table",
                "field": "evidence",
                "columns": [
                    {"header": "序号", "key": "#", "width": 1},
                    {"header": "证据名称", "key": "name", "width": 4},
                    {"header": "证明事项", "key": "proves", "width": 5},
                ],
            },
        ],
    }
    form = parse_form(raw, "evidence_list.toml", load_common([default_forms_dir() / COMMON_FILE]))
    data = sample_data()
    data["evidence"] = [
        {"name": f"现场照片第{i}张", "proves": "违法建筑物东立面现状" * 3} for i in range(1, 61)
    ]
    result = render_pdf(form, data)
    assert result.page_count is not None and result.page_count >= 2
    pages = pdf_pages(result.content)
    for text in pages:
        assert "证据名称" in text and "证明事项" in text  # header row repeated on each page
    assert "现场照片第60张" in pages[-1]


def test_identical_bytes_on_rerender(library: FormLibrary) -> None:
    form = library.get("penalty_decision")
    first = render_pdf(form, sample_data(), qr_payload="BD1|3301|青石综执罚决字〔2026〕第8号|9f2c")
    second = render_pdf(form, sample_data(), qr_payload="BD1|3301|青石综执罚决字〔2026〕第8号|9f2c")
    assert first.content == second.content
    assert first.sha256 == hashlib.sha256(second.content).hexdigest()
    assert render_docx(form, sample_data()).content == render_docx(form, sample_data()).content


def test_identical_bytes_in_a_new_process(library: FormLibrary) -> None:
    form = library.get("penalty_decision")
    here = render_pdf(form, sample_data(), qr_payload="BD1|x").sha256
    code = (
        "from brigade_desk.core.documents import FormLibrary, render_pdf\n"
        "from brigade_desk.core.documents.samples import sample_data\n"
        "f = FormLibrary().get('penalty_decision')\n"
        "print(render_pdf(f, sample_data(), qr_payload='BD1|x').sha256)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == here


def test_qr_code_is_drawn_and_changes_the_page(library: FormLibrary) -> None:
    form = library.get("penalty_decision")
    plain = render_pdf(form, sample_data())
    with_qr = render_pdf(form, sample_data(), qr_payload="BD1|x", qr_corner="top-left")
    assert plain.content != with_qr.content
    reader = PdfReader(io.BytesIO(with_qr.content))
    first = reader.pages[0].get_contents()
    second = reader.pages[1].get_contents()
    assert first is not None and second is not None
    assert first.get_data().count(b" re") > second.get_data().count(b" re") + 50  # QR modules on page 1 only
    docx_qr = render_docx(form, sample_data(), qr_payload="BD1|x")
    names = zipfile.ZipFile(io.BytesIO(docx_qr.content)).namelist()
    assert any(n.startswith("word/media/") for n in names)


def test_draft_is_marked(library: FormLibrary) -> None:
    form = library.get("penalty_decision")
    data = sample_data()
    del data["doc"]["number"]
    pdf = render_pdf(form, data, draft=True)
    assert pdf.draft
    assert "草" in pdf_pages(pdf.content)[0]
    assert "签发时生成文号" in norm(pdf_pages(pdf.content)[0])
    d = docx.Document(io.BytesIO(render_docx(form, data, draft=True).content))
    assert "草稿" in "".join(p.text for p in d.sections[0].header.paragraphs)


def test_docx_fonts_language_and_margins(rendered: dict[str, Any]) -> None:
    _, _, doc = rendered["penalty_decision"]
    with zipfile.ZipFile(io.BytesIO(doc.content)) as z:
        styles = z.read("word/styles.xml").decode()
        document = z.read("word/document.xml").decode()
    assert "Theme" not in "".join(re.findall(r"<w:rFonts[^>]*>", styles))
    assert 'w:eastAsia="zh-CN"' in styles
    runs = re.findall(r"<w:r>.*?</w:r>|<w:r .*?</w:r>", document, flags=re.S)
    text_runs = [r for r in runs if "<w:t" in r]
    assert text_runs
    for run in text_runs:
        assert re.search(r'w:eastAsia="(仿宋|黑体)"', run), run[:200]
    d = docx.Document(io.BytesIO(doc.content))
    section = d.sections[0]
    # Word stores margins in twips (1/1440 inch): exact to 0.02 mm
    for actual, wanted in (
        (section.top_margin, 37),
        (section.bottom_margin, 35),
        (section.left_margin, 28),
        (section.right_margin, 26),
    ):
        assert actual is not None and abs(actual.mm - wanted) < 0.02
    assert section.page_width is not None and abs(section.page_width.mm - 210) < 0.02
    footer_xml = "".join(p._p.xml for p in section.footer.paragraphs)
    assert "PAGE" in footer_xml and "NUMPAGES" in footer_xml
    assert d.core_properties.subject == "penalty_decision@2026.1"


def test_rare_characters_survive(library: FormLibrary) -> None:
    data = sample_data()
    data["party"]["name"] = "欧阳喆堃"
    data["party"]["address"] = "青石镇燚垚村犇骉组8号（玥珺瑄彧甦镕赟祎）"
    result = render_pdf(library.get("penalty_decision"), data)
    assert result.missing_glyphs == frozenset()
    text = "".join(pdf_pages(result.content))
    assert "欧阳喆堃" in text
    assert "燚垚村犇骉组" in norm(text)


def test_warm_pdf_render_is_fast(library: FormLibrary) -> None:
    form = library.get("penalty_decision")
    data = sample_data()
    render_pdf(form, data)  # warm: fonts registered, caches filled
    times = []
    for _ in range(7):
        start = time.perf_counter()
        render_pdf(form, data, qr_payload="BD1|x")
        times.append(time.perf_counter() - start)
    assert statistics.median(times) < 0.1, times


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_docx_opens_in_libreoffice_and_text_matches(tmp_path: Path, rendered: dict[str, Any]) -> None:
    layout, _, doc = rendered["penalty_decision"]
    src = tmp_path / "decision.docx"
    src.write_bytes(doc.content)
    profile = tmp_path / "lo-profile"
    # Without a CJK font on the system LibreOffice substitutes glyphs; map 仿宋/黑体 to the shipped
    # fonts as TECH-NOTES.md describes.
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"<dir>{shipped_font_dir()}</dir><cachedir>{tmp_path / 'fc-cache'}</cachedir>"
        '<alias binding="same"><family>仿宋</family><prefer><family>Noto Serif SC</family></prefer></alias>'
        '<alias binding="same"><family>黑体</family><prefer><family>Noto Sans SC</family></prefer></alias>'
        "</fontconfig>",
        encoding="utf-8",
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    proc = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(src),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )
    out = tmp_path / "decision.pdf"
    assert out.is_file(), proc.stderr
    text = "".join(re.sub(r"第\d+页共\d+页", "", norm(page)) for page in pdf_pages(out.read_bytes()))
    for para in layout.paragraphs():
        assert norm(para.text) in text, para.text


def test_characters_missing_from_the_body_font_fall_back(library: FormLibrary) -> None:
    """A system font without a glyph (a GB2312 仿宋 lacks 喆) must not drop the character."""
    import reportlab

    from brigade_desk.core.fonts import FontFace, FontSet, locate_fonts

    shipped = locate_fonts(system_dirs=[])
    latin = FontFace(
        path=Path(reportlab.__file__).parent / "fonts" / "Vera.ttf",
        family="Vera",
        local_name="Vera",
        system=True,
    )
    fonts = FontSet(
        body=latin, title=latin, sans=shipped.sans, sans_bold=shipped.sans_bold, fallback=shipped.fallback
    )
    data = sample_data()
    data["party"]["address"] = "青石镇<东>村 & 喆堃组"
    result = render_pdf(library.get("penalty_decision"), data, fonts=fonts)
    assert result.missing_glyphs == frozenset()
    text = norm("".join(pdf_pages(result.content)))
    assert "王喆" in text and "青石镇<东>村&喆堃组" in text
    # the default fonts come back for the next render
    assert render_pdf(library.get("penalty_decision"), sample_data()).missing_glyphs == frozenset()


def test_glyphs_no_font_has_are_reported(library: FormLibrary) -> None:
    data = sample_data()
    data["party"]["name"] = "王\U0002a6a5"  # CJK Extension B: not in the shipped fonts
    result = render_pdf(library.get("penalty_decision"), data)
    assert result.missing_glyphs == frozenset({"\U0002a6a5"})
