"""Markdown rendered as GitHub renders it: cmark-gfm (GitHub's fork of cmark, the GFM reference), with
GitHub's extensions. GitHub keeps raw HTML such as <details> and sanitizes the result afterwards, so
raw HTML is rendered here too."""

from __future__ import annotations

import cmarkgfm
from cmarkgfm.cmark import Options


def as_github(markdown: str) -> str:
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
