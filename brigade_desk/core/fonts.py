"""CJK fonts for documents and the user interface (Qt-free).

Roles:

- ``body``: 仿宋-style text of documents. Windows ``simfang.ttf`` when present, else the shipped
  Noto Serif SC.
- ``title``: 黑体/宋体-style titles and label cells. Windows ``simhei.ttf`` (then ``simsun.ttc``),
  else the shipped Noto Sans SC Bold.
- ``sans`` / ``sans_bold``: the user interface; always the shipped Noto Sans SC so every machine
  looks the same.
- ``fallback``: the shipped Noto Serif SC, which covers the whole CJK Unified Ideographs block; used
  for single characters a system font lacks (a GB2312 font has no 〇 or 喆).

reportlab silently draws nothing for a character the font lacks, so callers check text with
:func:`missing_glyphs` and switch to ``fallback`` for those characters.
"""

from __future__ import annotations

import os
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = [
    "SHIPPED_SANS_FAMILY",
    "FontFace",
    "FontSet",
    "FontUnavailableError",
    "default_font_set",
    "locate_fonts",
    "missing_glyphs",
    "register_reportlab_fonts",
    "shipped_font_dir",
    "shipped_font_files",
    "windows_font_dirs",
]

_SHIPPED_SERIF = "NotoSerifSC-Regular.ttf"
_SHIPPED_SANS = "NotoSansSC-Regular.ttf"
_SHIPPED_SANS_BOLD = "NotoSansSC-Bold.ttf"

#: Family name of the shipped user-interface font.
SHIPPED_SANS_FAMILY = "Noto Sans SC"

#: Environment variable that points at a directory holding the shipped fonts (packaged builds).
FONT_DIR_ENV = "BRIGADE_DESK_FONT_DIR"


class FontUnavailableError(RuntimeError):
    """No usable font was found for a role (the shipped fonts are missing)."""


@dataclass(frozen=True, slots=True)
class FontFace:
    """One font file (or one face of a TrueType collection)."""

    path: Path
    family: str
    """Family name as the font reports it (what Qt and fontconfig use)."""
    local_name: str
    """Name Chinese office software knows it by (仿宋, 黑体, 宋体) or the family name."""
    bold: bool = False
    subfont_index: int = 0
    system: bool = False
    """True for a font found in the operating system's font directory."""

    @property
    def rl_name(self) -> str:
        """Name under which the face is registered with reportlab."""
        stem = "".join(ch if ch.isalnum() else "-" for ch in self.path.stem)
        suffix = f"-{self.subfont_index}" if self.subfont_index else ""
        return f"BD-{stem}{suffix}"


@dataclass(frozen=True, slots=True)
class FontSet:
    """The fonts chosen for each role on this machine."""

    body: FontFace
    title: FontFace
    sans: FontFace
    sans_bold: FontFace
    fallback: FontFace

    def faces(self) -> tuple[FontFace, ...]:
        """Distinct faces, in role order."""
        seen: dict[tuple[Path, int], FontFace] = {}
        for face in (self.body, self.title, self.sans, self.sans_bold, self.fallback):
            seen.setdefault((face.path, face.subfont_index), face)
        return tuple(seen.values())


@dataclass(frozen=True, slots=True)
class _Candidate:
    file_name: str
    family: str
    local_name: str
    subfont_index: int = 0


_BODY_CANDIDATES = (
    _Candidate("simfang.ttf", "FangSong", "仿宋"),
    _Candidate("simsun.ttc", "SimSun", "宋体"),
)
_TITLE_CANDIDATES = (
    _Candidate("simhei.ttf", "SimHei", "黑体"),
    _Candidate("simsun.ttc", "SimSun", "宋体"),
)


def shipped_font_dir() -> Path:
    """Directory of the fonts shipped with the program (``resources/fonts``)."""
    override = os.environ.get(FONT_DIR_ENV)
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "resources" / "fonts"


def shipped_font_files(directory: Path | None = None) -> list[Path]:
    """The shipped font files that exist, serif first."""
    base = directory if directory is not None else shipped_font_dir()
    names = (_SHIPPED_SERIF, _SHIPPED_SANS, _SHIPPED_SANS_BOLD)
    return [base / n for n in names if (base / n).is_file()]


def windows_font_dirs() -> list[Path]:
    """Candidate Windows font directories (empty list elsewhere)."""
    if os.name != "nt":
        return []
    roots = [os.environ.get("WINDIR"), os.environ.get("SYSTEMROOT"), r"C:\Windows"]
    dirs: list[Path] = []
    for root in roots:
        if root:
            d = Path(root) / "Fonts"
            if d not in dirs:
                dirs.append(d)
    return dirs


def _is_truetype(path: Path) -> bool:
    """Cheap header check: TrueType or a TrueType collection (reportlab cannot embed CFF)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(4)
    except OSError:
        return False
    return head in (b"\x00\x01\x00\x00", b"true", b"ttcf")


def _find_system(candidates: Sequence[_Candidate], dirs: Iterable[Path]) -> FontFace | None:
    dir_list = list(dirs)
    for cand in candidates:
        for d in dir_list:
            path = d / cand.file_name
            if path.is_file() and _is_truetype(path):
                return FontFace(
                    path=path,
                    family=cand.family,
                    local_name=cand.local_name,
                    subfont_index=cand.subfont_index,
                    system=True,
                )
    return None


def locate_fonts(
    system_dirs: Sequence[Path] | None = None,
    shipped_dir: Path | None = None,
) -> FontSet:
    """Choose the font for every role.

    ``system_dirs`` defaults to the Windows font directory (none on other systems); pass an empty
    list to use only the shipped fonts. Raises :class:`FontUnavailableError` when a shipped font
    needed as a fallback is missing.
    """
    dirs = list(system_dirs) if system_dirs is not None else windows_font_dirs()
    base = shipped_dir if shipped_dir is not None else shipped_font_dir()

    def shipped(name: str, family: str, bold: bool) -> FontFace:
        path = base / name
        if not path.is_file():
            raise FontUnavailableError(f"缺少随程序提供的字体文件：{path}")
        return FontFace(path=path, family=family, local_name=family, bold=bold)

    serif = shipped(_SHIPPED_SERIF, "Noto Serif SC", False)
    sans = shipped(_SHIPPED_SANS, SHIPPED_SANS_FAMILY, False)
    sans_bold = shipped(_SHIPPED_SANS_BOLD, SHIPPED_SANS_FAMILY, True)
    body = _find_system(_BODY_CANDIDATES, dirs) or serif
    title = _find_system(_TITLE_CANDIDATES, dirs) or sans_bold
    return FontSet(body=body, title=title, sans=sans, sans_bold=sans_bold, fallback=serif)


# --------------------------------------------------------------------------- reportlab

_lock = threading.Lock()
_registered: FontSet | None = None
_default: FontSet | None = None


def default_font_set() -> FontSet:
    """The font set for this machine (located once per process)."""
    global _default
    with _lock:
        if _default is None:
            _default = locate_fonts()
        return _default


def register_reportlab_fonts(fonts: FontSet | None = None) -> FontSet:
    """Register the fonts with reportlab and make the body font the canvas default.

    Idempotent: a second call with the same set does nothing. Registers a font family for
    the body face so that ``<b>`` in a paragraph switches to the title face.
    """
    global _registered
    from reportlab import rl_config
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    chosen = fonts if fonts is not None else default_font_set()
    with _lock:
        if _registered == chosen:
            return chosen
        known = set(pdfmetrics.getRegisteredFontNames())
        for face in chosen.faces():
            if face.rl_name in known:
                continue
            pdfmetrics.registerFont(TTFont(face.rl_name, str(face.path), subfontIndex=face.subfont_index))
        for regular, bold in (
            (chosen.body, chosen.title),
            (chosen.fallback, chosen.sans_bold),
            (chosen.sans, chosen.sans_bold),
        ):
            addMapping(regular.rl_name, 0, 0, regular.rl_name)
            addMapping(regular.rl_name, 0, 1, regular.rl_name)
            addMapping(regular.rl_name, 1, 0, bold.rl_name)
            addMapping(regular.rl_name, 1, 1, bold.rl_name)
        rl_config.canvas_basefontname = chosen.body.rl_name
        _registered = chosen
        return chosen


# --------------------------------------------------------------------------- coverage

_IGNORED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})


@cache
def _file_cmap(path: Path, subfont_index: int) -> frozenset[int]:
    from reportlab.pdfbase.ttfonts import TTFontFile

    return frozenset(TTFontFile(str(path), subfontIndex=subfont_index).charToGlyph)


def _cmap(font: FontFace | Path | str) -> frozenset[int] | dict[int, int]:
    if isinstance(font, FontFace):
        return _file_cmap(font.path, font.subfont_index)
    if isinstance(font, Path):
        return _file_cmap(font, 0)
    from reportlab.pdfbase import pdfmetrics

    registered = pdfmetrics.getFont(font)
    face = getattr(registered, "face", None)
    char_to_glyph: dict[int, int] | None = getattr(face, "charToGlyph", None)
    if char_to_glyph is None:
        raise FontUnavailableError(f"字体 {font} 不是 TrueType 字体，无法检查字形")
    return char_to_glyph


def missing_glyphs(text: str, font: FontFace | Path | str) -> set[str]:
    """Characters of ``text`` that ``font`` cannot draw.

    ``font`` is a :class:`FontFace`, a font file path, or the name of a font registered with
    reportlab. Control and format characters (line breaks, zero-width joiners) are ignored.
    """
    cmap = _cmap(font)
    return {
        ch for ch in set(text) if ord(ch) not in cmap and unicodedata.category(ch) not in _IGNORED_CATEGORIES
    }
