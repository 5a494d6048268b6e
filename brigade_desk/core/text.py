"""Text helpers for Chinese: pinyin initials for search as you type."""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin


@lru_cache(maxsize=65536)
def pinyin_initials(text: str) -> str:
    """张三 -> zs; letters and digits pass through in lower case; other characters are dropped."""
    initials = lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")
    return "".join(ch.lower() for part in initials for ch in part if ch.isascii() and ch.isalnum())
