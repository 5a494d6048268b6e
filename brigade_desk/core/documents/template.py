"""Placeholder templates: ``立案日期：{filing_date}``, ``{fine|大写}``, ``{{`` for a literal brace."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class Placeholder:
    name: str
    filter: str = ""

    def __str__(self) -> str:
        return "{" + self.name + (f"|{self.filter}" if self.filter else "") + "}"


Part = str | Placeholder


class TemplateSyntaxError(ValueError):
    """Unbalanced braces or an empty placeholder."""


@lru_cache(maxsize=4096)
def parse_template(text: str) -> tuple[Part, ...]:
    """Split ``text`` into literal strings and placeholders.

    ``{name}`` or ``{name|filter}``; ``{{`` and ``}}`` are literal braces. Raises
    :class:`TemplateSyntaxError` (message in Chinese) on a lone brace or an empty placeholder.
    """
    parts: list[Part] = []
    buf: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "{":
            if i + 1 < n and text[i + 1] == "{":
                buf.append("{")
                i += 2
                continue
            end = text.find("}", i + 1)
            if end < 0:
                raise TemplateSyntaxError(f"“{text}”中的 {{ 没有对应的 }}")
            inner = text[i + 1 : end].strip()
            if not inner or "{" in inner:
                raise TemplateSyntaxError(f"“{text}”中有空的或嵌套的占位符")
            name, _, flt = inner.partition("|")
            if buf:
                parts.append("".join(buf))
                buf = []
            parts.append(Placeholder(name.strip(), flt.strip()))
            i = end + 1
        elif ch == "}":
            if i + 1 < n and text[i + 1] == "}":
                buf.append("}")
                i += 2
                continue
            raise TemplateSyntaxError(f"“{text}”中的 }} 没有对应的 {{")
        else:
            buf.append(ch)
            i += 1
    if buf:
        parts.append("".join(buf))
    return tuple(parts)


def placeholders(text: str) -> list[Placeholder]:
    return [p for p in parse_template(text) if isinstance(p, Placeholder)]
