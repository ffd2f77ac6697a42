"""Markdown to safe HTML, and a word diff of a correction against the original."""

from __future__ import annotations

import difflib
import html
import re
from functools import lru_cache

from markdown_it import MarkdownIt

# raw HTML in Markdown is escaped, never rendered: experts and requesters see each other's text
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_TOKENS = re.compile(r"\s+|[^\s]+")


@lru_cache(maxsize=256)
def markdown_html(text: str) -> str:
    """Rendered Markdown with any HTML in the source escaped.

    Cached by text: a project's guidelines are rendered once per process, not on every
    workbench page (3 KB of guidelines cost about 3 ms to render).
    """
    return _markdown.render(text)


def word_diff_html(original: str, corrected: str) -> str:
    """The correction as HTML: removed words in <del>, added words in <ins>."""
    before, after = _TOKENS.findall(original), _TOKENS.findall(corrected)
    parts: list[str] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op in ("delete", "replace"):
            parts.append(f"<del>{html.escape(''.join(before[a0:a1]))}</del>")
        if op in ("insert", "replace"):
            parts.append(f"<ins>{html.escape(''.join(after[b0:b1]))}</ins>")
        if op == "equal":
            parts.append(html.escape("".join(before[a0:a1])))
    return "".join(parts)
