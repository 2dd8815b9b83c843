"""Markdown rendered as GitHub renders it: cmark-gfm (GitHub's fork of cmark, the GFM reference), with
GitHub's extensions. GitHub keeps raw HTML such as <details> and sanitizes the result afterwards, so
raw HTML is rendered here too."""

from __future__ import annotations

import cmarkgfm  # type: ignore[import-untyped]  # the binding ships no type information
from cmarkgfm.cmark import Options  # type: ignore[import-untyped]


def as_github(markdown: str) -> str:
    return str(cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE))
