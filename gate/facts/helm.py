"""Helm chart templates read without Helm: each template's own lines, with the chart's values.yaml.

The gate never runs a program from the repository, and the Action's image carries no `helm`, so a chart
is read the way a reviewer skims it. Line for line (so findings point at the template's own lines):
- `{{ .Values.a.b }}`, `.Release.Name`, `.Chart.Name`/`Version`/`AppVersion`, with `default` and
  `quote` in a pipeline, become their values;
- `toYaml` of a value (`.Values.x`, or `.` inside `with`) becomes that value written in YAML's flow
  form on the same line;
- `if` / `else if` / `else` / `with` on a value or its `not`, `and`, `or` keep or blank out their
  lines; a condition that cannot be read keeps its first branch; `range` blocks are blanked out;
- named templates are not evaluated: an `include` or `template` of a name ending in "labels" stands
  for the standard name and instance labels, `*.name`, `*.fullname` and `*.chart` for what
  `helm create`'s helpers make of them, any other for the release's name (the same each time, so
  selectors and the labels they select still agree).
A template that still is not YAML after this is left unjudged, and said so.
"""

from __future__ import annotations

import json
import posixpath
import re
from typing import Any

from msgspec import Struct

from gate.lazyre import lazy

# an action: {{ ... }} with optional trim markers; bounded so that a line of unclosed braces stays linear
_ACTION = lazy(r"\{\{-?\s*([^{}]{0,400}?)\s*-?\}\}")
_CONTROL = lazy(r"^(if|else if|else|with|range|end|define|block)\b\s*(.*)$")
# actions that write nothing: comments and variable assignments
_SILENT = lazy(r"^(/\*.*\*/|\$[A-Za-z0-9_]*\s*:?=.*)$", re.S)
_VALUE = lazy(r"^\.Values((?:\.[A-Za-z0-9_-]+)*)$")


_MAX_GROWTH = 4 * 1024 * 1024
"""How much longer than its template a rendered template may grow (values written out by toYaml)."""


class Chart(Struct, frozen=True):
    root: str
    name: str
    values: dict[str, Any]
    version: str = "0.0.0"
    app_version: str = ""

    @property
    def release(self) -> str:
        """The release's name, one per chart folder: two charts that name their objects alike (a
        chart per cloud, say) must not select each other's pods."""
        return f"{self.root.replace('/', '-')}-release" if self.root else "release-name"


def chart_of(rel: str, charts: dict[str, Chart]) -> Chart | None:
    """The chart a template belongs to: the nearest folder above it with a Chart.yaml, the template
    sitting in its templates/."""
    folder = posixpath.dirname(rel)
    while folder:
        chart = charts.get(folder)
        if chart is not None:
            return chart if rel.startswith(f"{folder}/templates/") else None
        folder = posixpath.dirname(folder)
    return charts.get("") if rel.startswith("templates/") else None


def _lookup(values: Any, path: str) -> Any:
    for key in [p for p in path.split(".") if p]:
        if not isinstance(values, dict) or key not in values:
            return None
        values = values[key]
    return values


def _labels(chart: Chart) -> dict[str, str]:
    return {"app.kubernetes.io/name": chart.name, "app.kubernetes.io/instance": chart.release}


def _term(term: str, chart: Chart, dot: Any) -> tuple[bool, Any]:
    """(known, value) of one term of a pipeline."""
    term = term.strip()
    if term.startswith("(") and term.endswith(")"):
        return _pipeline(term[1:-1], chart, dot)
    if m := _VALUE.match(term):
        return True, _lookup(chart.values, m[1])
    if term == ".":
        return True, dot
    if term.startswith(".") and not term.startswith(
        (".Release", ".Chart", ".Values", ".Capabilities", ".Files")
    ):
        return True, _lookup(dot, term)
    if term in (".Release.Name", ".Release.Namespace"):
        return True, chart.release if term.endswith("Name") else "default"
    if term in (".Chart.Name", ".Chart.Version", ".Chart.AppVersion"):
        return True, {".Chart.Name": chart.name, ".Chart.Version": chart.version}.get(term, chart.app_version)
    if term.startswith('"') and term.endswith('"') and len(term) > 1:
        return True, term[1:-1]
    if re.fullmatch(r"-?\d+", term):
        return True, int(term)
    if term in ("true", "false"):
        return True, term == "true"
    if m := re.match(r'^(?:include|template)\s+"([^"]+)"', term):
        return True, _named(m[1], chart)
    return False, None


def _named(name: str, chart: Chart) -> Any:
    """What a named template stands for, the same each time it is used (so that a selector and the
    labels it selects agree), after the helpers `helm create` writes."""
    last = name.rsplit(".", 1)[-1].lower()
    if last.endswith("labels"):
        return _labels(chart)
    return {
        "name": chart.name,
        "fullname": f"{chart.release}-{chart.name}",
        "chart": f"{chart.name}-{chart.version}",
    }.get(last, chart.release)


def _pipeline(expr: str, chart: Chart, dot: Any) -> tuple[bool, Any]:
    stages = [s.strip() for s in expr.split("|")]
    head = stages[0].split(None, 1)
    fn, rest = (head[0], head[1] if len(head) > 1 else "") if head else ("", "")
    if fn in ("toYaml", "toJson"):
        known, value = _term(rest, chart, dot)
    elif fn == "default" and rest:
        parts = rest.rsplit(None, 1)
        known, value = _term(parts[-1], chart, dot)
        if not value and len(parts) == 2:
            known, value = _term(parts[0], chart, dot)
    else:
        known, value = _term(stages[0], chart, dot)
    for stage in stages[1:]:
        name, _, arg = stage.partition(" ")
        if name == "default" and not value:
            known, value = _term(arg, chart, dot)
        elif name == "quote" and known:
            value = json.dumps("" if value is None else str(value))
    return known, value


def _truth(cond: str, chart: Chart, dot: Any) -> bool | None:
    """Whether a condition holds, or None when it cannot be read."""
    words = cond.split()
    if not words:
        return None
    if words[0] == "not" and len(words) == 2:
        value = _truth(words[1], chart, dot)
        return None if value is None else not value
    if words[0] in ("and", "or") and len(words) > 2 and all(not w.startswith("(") for w in words[1:]):
        each = [_truth(w, chart, dot) for w in words[1:]]
        if None in each:
            return None
        return all(each) if words[0] == "and" else any(each)
    if len(words) == 1:
        known, value = _term(words[0], chart, dot)
        return bool(value) if known else None
    return None


def _flow(value: Any) -> str:
    """A value on one line, as YAML reads it (JSON is YAML's flow form)."""
    if value is None:
        return "null"
    return json.dumps(value, default=str)


class _Block(Struct):
    kind: str
    active: bool
    taken: bool
    dot: Any


def render(text: str, chart: Chart) -> str | None:
    """The template with its lines kept in place (so YAML's line numbers are the template's), or None
    when a line holds what cannot be read."""
    out: list[str] = []
    stack: list[_Block] = []  # each block's `active` already includes the blocks around it
    budget = len(text) + _MAX_GROWTH
    for line in text.split("\n"):
        active = stack[-1].active if stack else True
        dot = stack[-1].dot if stack else chart.values
        actions = list(_ACTION.finditer(line))
        controls = [a for a in actions if _CONTROL.match(a[1]) or _SILENT.match(a[1])]
        if controls and len(controls) == len(actions) and not _ACTION.sub("", line).strip():
            for a in controls:
                if _CONTROL.match(a[1]):
                    _control(a[1], stack, chart, dot, (stack[-1].active if stack else True))
            out.append("")
            continue
        if not active:
            out.append("")
            continue
        if controls or "{{" in _ACTION.sub("", line):
            return None  # a control mid-line, or an action too long to read: too much to guess
        pieces: list[str] = []
        last = 0
        for a in actions:
            pieces.append(line[last : a.start()])
            known, value = _pipeline(a[1], chart, dot)
            if not known:
                value = "templated"
            if isinstance(value, (dict, list)) or re.search(r"\b(toYaml|nindent|indent)\b", a[1]):
                # on a line of its own it keeps the line's indentation; after a key, it is its value
                prefix = "".join(pieces)
                pieces = [prefix if not prefix.strip() else prefix.rstrip() + " "]
                pieces.append(_flow(value if known else None))
            else:
                pieces.append("" if value is None else str(value))
            last = a.end()
        pieces.append(line[last:])
        out.append("".join(pieces))
        budget -= len(out[-1])
        if budget < 0:
            return None  # values written out line after line: more than any chart needs, left unjudged
    return "\n".join(out)


def _control(action: str, stack: list[_Block], chart: Chart, dot: Any, outer: bool) -> None:
    m = _CONTROL.match(action)
    if m is None:
        return
    kind, arg = m[1], m[2]
    if kind in ("if", "with"):
        known, value = _term(arg, chart, dot) if kind == "with" else (True, None)
        holds = (bool(value) if known else True) if kind == "with" else _truth(arg, chart, dot)
        take = True if holds is None else holds
        stack.append(_Block(kind, outer and take, take, value if kind == "with" and known else dot))
    elif kind in ("range", "define", "block"):
        stack.append(_Block(kind, False, True, dot))
    elif kind in ("else if", "else") and stack:
        block = stack[-1]
        outer_active = stack[-2].active if len(stack) > 1 else True
        if block.taken:
            block.active = False
        else:
            holds = True if kind == "else" else _truth(arg, chart, block.dot)
            take = True if holds is None else holds
            block.active, block.taken = outer_active and take, take
    elif kind == "end" and stack:
        stack.pop()
