"""Counted wording: "1 file", "3 files", "The only container has", never "file(s)" or "All 1 ...".

Every form goes through gettext's `ngettext`, the standard plural hook (the templates use the same one
through `jinja2.ext.i18n`): with no catalogue installed it picks the English singular for exactly one,
and a translation could later pick the form per language without touching a call site.
"""

from __future__ import annotations

from collections.abc import Sequence
from gettext import ngettext


def count(n: int, one: str, many: str = "") -> str:
    """`n` and the noun in the form `n` takes: count(1, "file") is "1 file", count(0, "file") is
    "0 files", count(2, "dependency", "dependencies") is "2 dependencies"."""
    return f"{n} {ngettext(one, many or f'{one}s', n)}"


def agree(n: int, one: str, many: str) -> str:
    """The form of a verb (or any word) that agrees with `n`: agree(1, "is", "are") is "is"."""
    return ngettext(one, many, n)


def every(n: int, one: str, many: str = "") -> str:
    """A sentence's subject that covers everything judged, in the form its count takes: "The only
    container", "Both containers", "All 3 containers". Follow it with `agree(n, ...)` for the verb."""
    if n == 1:
        return f"The only {one}"
    plural = many or f"{one}s"
    return f"Both {plural}" if n == 2 else f"All {n} {plural}"


def listing(words: Sequence[str]) -> str:
    """Words in a sentence: "a", "a and b", "a, b and c"."""
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)
