"""Facts about the project's own documents: README sections, licence, environment examples."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cached_property

import msgspec

from gate.lazyre import lazy
from gate.snapshot import Snapshot

README_NAMES = ("README.md", "README.rst", "README.txt", "README", "README.markdown")
_LICENCE_STEMS = ("LICENSE", "LICENCE", "COPYING", "UNLICENSE")
_LICENCE_SUFFIXES = ("", ".MD", ".TXT", ".RST", ".MARKDOWN")


def is_licence_name(name: str) -> bool:
    """LICENSE or LICENCE or COPYING, any case, plain or .md/.txt/.rst, and LICENSE-MIT style variants."""
    upper = name.upper()
    stem, dot, suffix = upper.partition(".")
    if (dot + suffix) not in _LICENCE_SUFFIXES:
        return False
    return stem in _LICENCE_STEMS or stem.startswith(("LICENSE-", "LICENCE-"))


_EXAMPLE_PARTS = frozenset({"example", "sample", "template", "dist", "defaults", "tmpl", "tpl"})


def is_env_example(name: str) -> bool:
    """An environment example in any of the ways teams name one: `.env.example`, `.env.production.example`,
    `.example.env`, `env.sample`, `.env.template.local`..."""
    parts = name.lower().split(".")
    return "env" in parts and bool(_EXAMPLE_PARTS.intersection(parts))


_ATX = lazy(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = lazy(r"^\s{0,3}(=+|-+)\s*$")
_RST = lazy(r"^([=\-~^\"'`#*+<>:.])\1{2,}\s*$")
_FENCE = lazy(r"^\s{0,3}(`{3,}|~{3,})(.*)$")
_MENTIONS = lazy(
    # The lookahead holds every branch's first letter: re skips to those letters in C instead of trying
    # seventeen case-insensitive branches at each character (2.5x on a repository's 12k lines of docs).
    r"(?=[deilmorsw])"
    r"(deploy|roll ?back|runbook|incident|on-?call|escalat|\bRTO\b|\bRPO\b|recovery (time|point) objective|"
    r"\bSL[AO]s?\b|service.level|\bowner|\bmaintainer|owned by|maintained by|warrant|liabl|liabilit)",
    re.IGNORECASE,
)
_MEASURE = lazy(r"\d\.\d|\d\s*%")
"""A line that states a measurement (a score, a rate): what a fairness section must hold."""
_MAX_MEASURED = 2000
"""Longer lines are not read for a measurement (minified or generated text)."""
_FIGURE_FENCE = lazy(r"^\s{0,3}(`{3,}|~{3,})\s*(mermaid|plantuml|puml|dot|graphviz)\b", re.IGNORECASE)
_DIAGRAM_LINK = lazy(r"\.(drawio|puml|plantuml|mmd|excalidraw|svg|png|jpe?g|gif|webp)\)", re.IGNORECASE)


def _is_figure(line: str) -> bool:
    """A line that shows or links a diagram: an image, a Mermaid/PlantUML/Graphviz block, a link to a
    diagram file. Literal tests and a pattern anchored on a literal: a document comes from the pull
    request, and a pattern searched from every `](` of a long line would be quadratic."""
    if "<img" in line or ("![" in line and "](" in line):
        return True
    return bool(_FIGURE_FENCE.match(line)) or ("](" in line and bool(_DIAGRAM_LINK.search(line)))


_DIAGRAM_SUFFIXES = (".drawio", ".puml", ".plantuml", ".mmd", ".excalidraw")
_IMAGE_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp")
_DIAGRAM_NAME = lazy(r"architect|diagram|data[-_ ]?flow|overview|design|infra|topology|system", re.I)


def _is_diagram(path: str) -> bool:
    """A diagram file: any .drawio/.puml/.mmd, or an image whose name says it is one (a dataset of
    leaf photos is not documentation)."""
    lower = path.lower()
    if lower.endswith(_DIAGRAM_SUFFIXES):
        return True
    return lower.endswith(_IMAGE_SUFFIXES) and bool(_DIAGRAM_NAME.search(path.rsplit("/", 1)[-1]))


_ENV_LINE = lazy(r"^\s*#?\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=")


class Heading(msgspec.Struct, frozen=True):
    text: str
    line: int


class Readme(msgspec.Struct, frozen=True):
    path: str
    headings: tuple[Heading, ...]
    size: int
    install_command: int | None = None
    """The first line that installs the service (`pip install -r ...`, `docker compose build`): the
    steps themselves, in whatever language the headings are written."""
    run_command: int | None = None
    """The first line that runs or calls it (`uvicorn app:app`, `docker run`, `curl .../predict`)."""


_INSTALL_COMMAND = lazy(
    r"(?:^|[\s`$>])(pip3?\s+install|python3?\s+-m\s+pip\s+install|poetry\s+install|uv\s+(sync|pip\s+install)|"
    r"pipenv\s+install|conda\s+(env\s+create|install|create)|docker(-compose|\s+compose)?\s+build|make\s+install)\b"
)
_RUN_COMMAND = lazy(
    r"(?:^|[\s`$>])(uvicorn\s+\S+:|gunicorn\s|flask\s+run|streamlit\s+run|python3?\s+(-m\s+)?[\w./-]+(\.py)?\b|"
    r"docker\s+run|docker(-compose|\s+compose)\s+up|kubectl\s+apply|curl\s[^\n]{0,200}?https?://|make\s+(run|serve|up)\b)"
)


def _first(rx: re.Pattern[str], lines: list[str]) -> int | None:
    return next((i for i, line in enumerate(lines, 1) if rx.search(line)), None)


class EnvExample(msgspec.Struct, frozen=True):
    path: str
    variables: frozenset[str]


@dataclass(frozen=True)
class Document:
    path: str
    headings: tuple[Heading, ...]
    mentions: tuple[int, ...]
    """Lines that mention deploying, rolling back, runbooks or incidents, recovery and service level
    objectives (what the docs checks look for)."""
    lines_text: dict[int, str] = field(default_factory=dict, compare=False, repr=False)
    section_lines: dict[int, int] = field(default_factory=dict, compare=False, repr=False)
    """heading line -> how many lines of prose follow it before the next heading (blank lines and
    checklist items not counted)"""

    figures: tuple[int, ...] = ()
    """Lines that show or link a diagram (an image, a Mermaid or PlantUML block, a .drawio file)."""
    measures: tuple[int, ...] = ()
    """Lines that state a measurement (0.91, 12 %), in line order."""

    def has_section(self, heading: Heading) -> bool:
        """A section with content of its own: a one-line pointer to another document is not one."""
        return self.section_lines.get(heading.line, 0) >= 2

    @cached_property
    def heading_lines(self) -> tuple[int, ...]:
        return tuple(h.line for h in self.headings)

    def section_end(self, heading: Heading) -> int:
        """The last line of the heading's section (up to the next heading of any depth). Headings are
        in line order: a binary search, since a document may have many headings to ask about."""
        lines = self.heading_lines
        after = bisect.bisect_right(lines, heading.line)
        return lines[after] - 1 if after < len(lines) else 1 << 30

    def measure_in(self, heading: Heading) -> int | None:
        """The first line stating a measurement within the heading's section."""
        end = self.section_end(heading)
        first = bisect.bisect_right(self.measures, heading.line)
        return self.measures[first] if first < len(self.measures) and self.measures[first] <= end else None

    def figure_in(self, heading: Heading) -> int | None:
        """The first diagram line within the heading's section (figures are in line order)."""
        end = self.section_end(heading)
        first = bisect.bisect_right(self.figures, heading.line)
        return self.figures[first] if first < len(self.figures) and self.figures[first] <= end else None


def _section_sizes(lines: list[str], found: list[Heading]) -> dict[int, int]:
    starts = [h.line for h in found]
    sizes = {}
    for i, start in enumerate(starts):
        end = starts[i + 1] - 1 if i + 1 < len(starts) else len(lines)
        body = lines[start:end]
        sizes[start] = sum(
            1
            for ln in body
            if ln.strip() and not _CHECKBOX_LINE.match(ln) and not set(ln.strip()) <= set("=-~^")
        )
    return sizes


class DocsFacts(msgspec.Struct, frozen=True):
    readme: Readme | None
    licenses: tuple[str, ...]
    """Non-empty licence files at the root."""
    env_examples: tuple[EnvExample, ...]
    documents: tuple[Document, ...] = ()
    """Markdown and reStructuredText files at the root, in docs/ and in .github/ (not in code folders)."""
    codeowners: tuple[str, ...] = ()
    openapi_files: tuple[str, ...] = ()
    diagrams: tuple[str, ...] = ()
    """Diagram files anywhere in the repository (.drawio, .puml, .mmd, or an image named as a diagram)."""

    def named(self, pattern: str) -> list[Document]:
        rx = re.compile(pattern, re.IGNORECASE)
        return [d for d in self.documents if rx.search(d.path.rsplit("/", 1)[-1])]

    def mentioning(self, pattern: str) -> list[tuple[Document, int]]:
        """Lines that mention the pattern. A checklist item (`- [ ] Rollback plan documented`) is a
        to-do, not the documentation it asks for, so those lines never count."""
        rx = re.compile(pattern, re.IGNORECASE)
        return [
            (d, line)
            for d in self.documents
            for line in d.mentions
            if rx.search(d.lines_text[line]) and not _CHECKBOX_LINE.match(d.lines_text[line])
        ]


_CHECKBOX_LINE = lazy(r"^\s*[-*+]\s+\[[ xX]\]\s")


def headings(text: str) -> list[Heading]:
    """Markdown ATX and setext headings, and reStructuredText underlined titles; fenced code is skipped."""
    found: list[Heading] = []
    lines = text.splitlines()
    fence: tuple[str, int] | None = None  # the open fence's character and length
    for i, line in enumerate(lines):
        m = _FENCE.match(line)
        if fence is not None:
            # closed by the same character, at least as long, with nothing after it (CommonMark)
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= fence[1] and not m.group(2).strip():
                fence = None
            continue
        # "```git clone ...```" on one line is inline code: a backtick fence's info has no backtick
        if m and not (m.group(1)[0] == "`" and "`" in m.group(2)):
            fence = (m.group(1)[0], len(m.group(1)))
            continue
        m = _ATX.match(line)
        if m:
            found.append(Heading(m.group(2), i + 1))
            continue
        if (
            i > 0
            and lines[i - 1].strip()
            and not _ATX.match(lines[i - 1])
            and (_SETEXT.match(line) or _RST.match(line))
        ):
            found.append(Heading(lines[i - 1].strip(), i))
    return found


def collect_docs(snap: Snapshot) -> DocsFacts:
    readme: Readme | None = None
    for name in README_NAMES:
        match = [f for f in snap.files if "/" not in f and f.lower() == name.lower()]
        if match:
            text = snap.text(match[0]) or ""
            lines = text.splitlines()
            readme = Readme(
                match[0],
                tuple(headings(text)),
                len(text.strip()),
                _first(_INSTALL_COMMAND, lines),
                _first(_RUN_COMMAND, lines),
            )
            break
    licenses = tuple(
        f for f in snap.files if "/" not in f and is_licence_name(f) and (snap.text(f) or "").strip()
    )
    examples = []
    for rel in (f for f in snap.files if is_env_example(f.rsplit("/", 1)[-1])):
        text = snap.text(rel) or ""
        names = frozenset(m.group(1) for line in text.splitlines() if (m := _ENV_LINE.match(line)))
        examples.append(EnvExample(rel, names))
    documents = []
    for rel in snap.with_suffix(".md", ".rst", ".markdown", ".MD"):
        top = rel.split("/", 1)[0] if "/" in rel else ""
        if top not in ("", "docs", "doc", ".github", "ops", "runbooks", "documentation"):
            continue
        text = snap.text(rel) or ""
        lines = text.splitlines()
        hits = {i: ln for i, ln in enumerate(lines, 1) if _MENTIONS.search(ln)}
        figures = tuple(i for i, ln in enumerate(lines, 1) if _is_figure(ln))
        measures = tuple(
            i for i, ln in enumerate(lines, 1) if len(ln) <= _MAX_MEASURED and _MEASURE.search(ln)
        )
        found = headings(text)
        documents.append(
            Document(rel, tuple(found), tuple(hits), hits, _section_sizes(lines, found), figures, measures)
        )
    owners = tuple(p for p in ("CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS") if snap.has(p))
    openapi = tuple(
        f for f in snap.files if re.search(r"(^|/)(openapi|swagger)[\w.-]*\.(ya?ml|json)$", f, re.I)
    )
    diagrams = tuple(f for f in snap.files if _is_diagram(f))
    return DocsFacts(readme, licenses, tuple(examples), tuple(documents), owners, openapi, diagrams)
