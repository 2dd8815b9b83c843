"""The Jinja2 environment every text output goes through, with the escaping filters repository text needs."""

from __future__ import annotations

import contextlib
import os
import re
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from gate.lazyre import lazy
from gate.model import displayable

if TYPE_CHECKING:
    import jinja2

# Only what can start markup mid-line: with [ and ] escaped, ( ) and ! cannot form links or images.
_MD_SPECIAL = lazy(r"([\\`*_\[\]#|~])")
_CONTROL = lazy(r"[\x00-\x08\x0b-\x1f\x7f\x9b]|\x1b\[[0-9;?]*[ -/]*[@-~]?")
_ANSI = {
    "red": "31",
    "green": "32",
    "yellow": "33",
    "blue": "34",
    "magenta": "35",
    "cyan": "36",
    "dim": "2",
    "bold": "1",
}


_CODE_SPAN = lazy(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)")


def _plain(text: str) -> str:
    text = _MD_SPECIAL.sub(r"\\\1", text)
    import html  # with its entity tables: only Markdown output escapes (the console does not)

    text = html.escape(text, quote=False)
    return text.replace("@", "@\u200b")


_DELIMITER = lazy(r"\*\*|__")


def md_item(value: object) -> str:
    """A team's checklist line as `md` shows it, with its bold kept ("**Auth**: API keys on every
    route"): each `**...**` (or `__...__`) whose delimiters touch its words stays bold, its words
    escaped as `md` escapes them; an unclosed one is text. Nothing else of the line becomes markup, so
    it cannot reach into what the comment writes after it (the outcome, the evidence). Delimiters are
    paired in one pass, each with the first that can close it: a line is the pull request's, and a
    pattern that looked ahead from every opening for its close would be quadratic in its length."""
    text = " ".join(displayable(str(value)).split())
    out: list[str] = []
    last = 0
    opened: dict[str, int] = {}
    for delimiter in _DELIMITER.finditer(text):
        at, kind = delimiter.start(), delimiter.group()
        start = opened.get(kind)
        if start is not None and at > start + 2 and not text[at - 1].isspace():
            out.append(_spaced(text[last:start]))
            out.append(f"**{md(text[start + 2 : at])}**")
            last = delimiter.end()
            opened.clear()  # a delimiter opened inside the bold is the bold's text
        elif start is None and text[at + 2 : at + 3].strip():
            opened[kind] = at
    out.append(_spaced(text[last:]))
    return "".join(out)


def _spaced(text: str) -> str:
    """`md` of a piece of a line, keeping the space that parts it from the bold beside it."""
    shown = md(text)
    return (" " if text[:1] == " " and shown else "") + shown + (" " if text[-1:] == " " and shown else "")


def md(value: object, cell: bool = False) -> str:
    """Escape text for Markdown and HTML, on one line, keeping its code spans as code.

    A message quotes code between backticks (`app.run(debug=True)`): each balanced span stays a code
    span (its content shown as written: a code span interprets nothing). Everything else is text: Markdown specials,
    stray backticks included, are backslash-escaped, HTML is entity-escaped, and @mentions are broken
    with a zero-width space so that a string in someone's code never pings a person or a team.
    """
    text = " ".join(displayable(str(value)).split())
    out: list[str] = []
    last = 0
    for span in _CODE_SPAN.finditer(text):
        out.append(_plain(text[last : span.start()]))
        out.append(md_code(span.group(2), cell))
        last = span.end()
    out.append(_plain(text[last:]))
    return "".join(out)


def md_code(value: object, cell: bool = False) -> str:
    """Inline code for a path or id: a fence longer than any backtick run inside. Nothing inside a code
    span is interpreted (Markdown, HTML or entities), so nothing is escaped: `&lt;` would show as is.
    In a table cell (`cell`) a `|` is written `\\|`: GFM splits cells before it reads code spans, and
    drops that backslash."""
    text = " ".join(displayable(str(value)).split())
    if cell:
        text = text.replace("|", "\\|")
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


_RULE = lazy(r"^ {0,3}([-*_])( *\1){2,} *$")


def md_prose(value: object) -> str:
    """A line of a team's own checklist, kept as the Markdown they wrote (bold, links, code, lists)
    with what a comment must not carry from a repository: HTML (escaped, so it cannot close the
    comment's own <details>), images (shown as text) and @mentions (broken, so nobody is pinged)."""
    text = displayable(str(value)).rstrip()
    text = _CONTROL.sub("", text)
    import html

    text = html.escape(text, quote=False).replace("![", "!\\[")
    return text.replace("@", "@\u200b")


def code_line(value: object) -> str:
    """A line inside a fenced code block: as written, indentation kept, control characters removed."""
    return _CONTROL.sub("", displayable(str(value)).rstrip())


def is_rule(value: object) -> bool:
    """`---`, `***`, `___`: a thematic break, which right under a paragraph would make it a heading."""
    return bool(_RULE.match(str(value)))


def term(value: object) -> str:
    """Repository text made safe for a terminal: control characters and escape sequences removed."""
    return _CONTROL.sub("", " ".join(displayable(str(value)).split()))


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept between runs: compiling the console table's templates is 60 ms of every
    run, more than the checks of a small repository take.

    PRODGATE_TEMPLATE_CACHE names the folder (the Action image ships one filled at build time); unset,
    it is Jinja's own per-user folder in the temporary directory, which Jinja creates with mode 0700
    and refuses when another user owns it; set to an empty string, nothing is cached. A cached entry
    is used only while its template's source is unchanged (Jinja keeps the source's checksum)."""
    import jinja2

    class BestEffort(jinja2.FileSystemBytecodeCache):
        # an unreadable, read-only or full cache folder costs the compile, nothing else
        def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            with contextlib.suppress(OSError):
                super().load_bytecode(bucket)

        def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            with contextlib.suppress(OSError):
                super().dump_bytecode(bucket)

    folder = os.environ.get("PRODGATE_TEMPLATE_CACHE")
    if folder == "":
        return None
    try:
        return BestEffort(folder)
    except (OSError, RuntimeError):  # no usable temporary folder: compile every run
        return None


@cache
def environment() -> jinja2.Environment:
    import jinja2  # 35 ms: only runs that render text pay for it

    root = files("gate.templates")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(root)),
        bytecode_cache=_bytecode_cache(),
        autoescape=False,  # noqa: S701 - outputs are Markdown and plain text; repository strings go through md/term
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    # counted words go through ngettext ("1 file", "2 files"), as gate.wording does in code
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]  # added by the extension
    env.filters["md"] = md
    env.filters["md_code"] = md_code
    env.filters["md_cell"] = lambda value: md(value, cell=True)
    env.filters["md_code_cell"] = lambda value: md_code(value, cell=True)
    env.filters["term"] = term
    env.filters["md_prose"] = md_prose
    env.filters["md_item"] = md_item
    env.filters["code_line"] = code_line
    env.filters["is_rule"] = is_rule
    return env


def precompile() -> int:
    """Compile every template into the bytecode cache (the Action image's build does it once); returns
    how many."""
    env = environment()
    names = env.list_templates(filter_func=lambda name: name.endswith(".j2"))
    for name in names:
        env.get_template(name)
    return len(names)


def render(template: str, **context: Any) -> str:
    # the last net: whatever a template printed without a filter is still writable as UTF-8
    return displayable(environment().get_template(template).render(**context))


def paint(enabled: bool) -> Any:
    """A `color(text, name)` function for templates: ANSI colours only when writing to a terminal."""

    def color(text: object, name: str) -> str:
        if not enabled:
            return str(text)
        codes = ";".join(_ANSI[n] for n in name.split("+"))
        return f"\x1b[{codes}m{text}\x1b[0m"

    return color
