"""Text helpers for Chinese: pinyin initials for search as you type.

pypinyin is imported on first use: its dictionaries take about 55 MB, and a desk session that only
reads cases never needs them (docs/decisions/gui-case-list-paging.md measures the GUI process).
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=65536)
def pinyin_initials(text: str) -> str:
    """张三 -> zs; letters and digits pass through in lower case; other characters are dropped."""
    from pypinyin import Style, lazy_pinyin

    initials = lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")
    return "".join(ch.lower() for part in initials for ch in part if ch.isascii() and ch.isalnum())
