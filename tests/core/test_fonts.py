"""Shipped CJK fonts: presence, TrueType outlines, coverage, reportlab registration."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas

from brigade_desk.core import fonts
from brigade_desk.core.fonts import (
    FontFace,
    locate_fonts,
    missing_glyphs,
    register_reportlab_fonts,
    shipped_font_dir,
    shipped_font_files,
)

RARE = "〇喆堃玥珺昇瑄彧甦镕赟祎燚垚犇骉"
DOC_CHARS = "〔〕（）：；“”、。，壹贰叁肆伍陆柒捌玖拾佰仟万圆角分整零元第页共"


def test_shipped_fonts_present_and_reasonable_size() -> None:
    files = shipped_font_files()
    names = {p.name for p in files}
    assert names == {"NotoSerifSC-Regular.ttf", "NotoSansSC-Regular.ttf", "NotoSansSC-Bold.ttf"}
    total = sum(p.stat().st_size for p in files)
    assert total <= 45 * 1024 * 1024
    assert (shipped_font_dir() / "OFL.txt").is_file()
    assert (shipped_font_dir() / "README.md").is_file()


@pytest.mark.parametrize("path", shipped_font_files(), ids=lambda p: p.name)
def test_shipped_fonts_are_truetype_and_cover_rare_characters(path: Path) -> None:
    head = path.read_bytes()[:4]
    assert head == b"\x00\x01\x00\x00", "reportlab embeds only TrueType (glyf) outlines"
    assert missing_glyphs(RARE + DOC_CHARS, path) == set()
    # the whole CJK Unified Ideographs block (URO)
    block = "".join(chr(cp) for cp in range(0x4E00, 0x9FA6))
    assert missing_glyphs(block, path) == set()


def test_locate_without_system_fonts_uses_shipped() -> None:
    fs = locate_fonts(system_dirs=[])
    assert fs.body.path.name == "NotoSerifSC-Regular.ttf"
    assert fs.title.path.name == "NotoSansSC-Bold.ttf"
    assert fs.sans.family == "Noto Sans SC"
    assert fs.fallback == fs.body
    assert not fs.body.system
    assert len(fs.faces()) == 3


def test_locate_prefers_windows_fonts(tmp_path: Path) -> None:
    win = tmp_path / "Fonts"
    win.mkdir()
    # stand-ins: real TrueType files under the Windows names
    shutil.copy(shipped_font_dir() / "NotoSerifSC-Regular.ttf", win / "simfang.ttf")
    shutil.copy(shipped_font_dir() / "NotoSansSC-Bold.ttf", win / "simhei.ttf")
    fs = locate_fonts(system_dirs=[win])
    assert fs.body.local_name == "仿宋" and fs.body.system
    assert fs.title.local_name == "黑体"
    assert fs.fallback.path.name == "NotoSerifSC-Regular.ttf"


def test_locate_skips_cff_and_falls_back(tmp_path: Path) -> None:
    win = tmp_path / "Fonts"
    win.mkdir()
    (win / "simfang.ttf").write_bytes(b"OTTO" + b"\0" * 100)  # CFF outlines: not embeddable
    (win / "simsun.ttc").write_bytes(b"ttcf" + b"\0" * 100)
    fs = locate_fonts(system_dirs=[win])
    assert fs.body.local_name == "宋体"
    assert fs.title.local_name == "宋体"


def test_locate_missing_shipped_raises(tmp_path: Path) -> None:
    with pytest.raises(fonts.FontUnavailableError, match="缺少"):
        locate_fonts(system_dirs=[], shipped_dir=tmp_path)


def test_missing_glyphs_reports_what_a_font_lacks(tmp_path: Path) -> None:
    fs = locate_fonts(system_dirs=[])
    assert missing_glyphs("张喆\n二〇二六年", fs.body) == set()
    # DejaVu-like Latin font: use reportlab's bundled Vera as a TrueType without CJK
    import reportlab

    vera = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"
    assert missing_glyphs("Ab喆〇", vera) == {"喆", "〇"}


def test_register_reportlab_fonts_is_idempotent_and_sets_base_font() -> None:
    fs = register_reportlab_fonts(locate_fonts(system_dirs=[]))
    again = register_reportlab_fonts(locate_fonts(system_dirs=[]))
    assert fs == again
    assert rl_config.canvas_basefontname == fs.body.rl_name
    registered = pdfmetrics.getRegisteredFontNames()
    for face in fs.faces():
        assert face.rl_name in registered
    assert missing_glyphs(RARE, fs.body.rl_name) == set()


def test_canvas_draws_embedded_cjk() -> None:
    from pypdf import PdfReader

    fs = register_reportlab_fonts(locate_fonts(system_dirs=[]))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    c.drawString(72, 720, "当事人：王喆 二〇二六年")  # no setFont: the base font must be CJK
    c.save()
    reader = PdfReader(io.BytesIO(buf.getvalue()))
    text = reader.pages[0].extract_text()
    assert "王喆" in text and "二〇二六年" in text
    font_objs = reader.pages[0]["/Resources"]["/Font"]
    for ref in font_objs.values():
        font = ref.get_object()
        desc = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        fd = desc["/FontDescriptor"].get_object()
        assert "/FontFile2" in fd, f"font {font['/BaseFont']} is not embedded"
    assert fs.body.rl_name


def test_font_face_rl_name_is_stable() -> None:
    face = FontFace(
        path=Path("C:/Windows/Fonts/simsun.ttc"), family="SimSun", local_name="宋体", subfont_index=1
    )
    assert face.rl_name == "BD-simsun-1"
