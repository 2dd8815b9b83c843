"""Facts about alert rules: Prometheus rule files and PrometheusRule objects (plain or in Helm templates).

Rules are read line by line, not parsed as YAML: the same `- alert:` entries sit at the top of a rule
file, under `spec.groups` of a PrometheusRule, or inside a Helm template that is not YAML until
rendered. An entry is its `alert:` line and the lines indented under it.
"""

from __future__ import annotations

from msgspec import Struct

from gate.lazyre import lazy
from gate.snapshot import Snapshot

_ALERT = lazy(r"^(\s*)(-\s+)?alert:\s*['\"]?([^'\"#\s]+)")
_KEY = lazy(r"(-\s+)?(expr|for|severity):\s?(.*)$")
_FLOW_SEVERITY = lazy(r"labels:\s*\{[^}]{0,500}?\bseverity:\s*['\"]?(\w+)")
"""Both are matched from a line's indentation (`match(line, indent)`), not over it again."""
_MAX_LINE = 2_000
"""Longer lines are not read (a rule's line is short; a file comes from the pull request)."""
_MAX_ENTRY = 200
"""An entry is read over at most this many lines (nested entries could otherwise be read quadratically)."""


class AlertRule(Struct, frozen=True):
    path: str
    line: int
    name: str
    expr: str
    duration: str
    """the `for:` value ('' when the rule fires on the first evaluation)"""
    severity: str


class AlertFacts(Struct, frozen=True):
    rules: tuple[AlertRule, ...] = ()
    files: tuple[str, ...] = ()
    """files that hold at least one alert rule"""


def rules_in(path: str, text: str) -> list[AlertRule]:
    """The `- alert:` entries of one file, with their expression, `for:` and severity label."""
    lines = text.splitlines()
    # each line's indentation, once: an entry is read by comparing numbers (None: blank, comment or
    # too long to read), not by stripping lines again for every entry above them
    indents: list[int | None] = []
    for line in lines:
        stripped = line.lstrip(" ") if len(line) <= _MAX_LINE else "#"
        indents.append(None if not stripped or stripped.startswith("#") else len(line) - len(stripped))
    found: list[AlertRule] = []
    for i, line in enumerate(lines):
        if indents[i] is None or "alert:" not in line:
            continue
        m = _ALERT.match(line)
        if m is None:
            continue
        # the entry's own keys sit at the column of `alert:` (after `- `); it ends at the next line
        # indented at the list item's column or less
        item_col = len(m.group(1))
        keys: dict[str, str] = {}
        current: str | None = None
        for j in range(i + 1, min(len(lines), i + 1 + _MAX_ENTRY)):
            indent = indents[j]
            if indent is None:
                if len(lines[j]) > _MAX_LINE:
                    break
                continue
            if indent <= item_col:
                break
            follow = lines[j]
            k = _KEY.match(follow, indent)
            if k and k.group(2) not in keys:
                current = k.group(2)
                keys[current] = k.group(3).strip().strip("'\"|>-")
            elif (flow := _FLOW_SEVERITY.match(follow, indent)) and "severity" not in keys:
                keys["severity"] = flow.group(1)
                current = None
            elif current == "expr" and indent > item_col + 2:
                keys["expr"] = (keys["expr"] + " " + follow.strip()).strip()
            else:
                current = None
        found.append(
            AlertRule(
                path,
                i + 1,
                m.group(3),
                keys.get("expr", ""),
                keys.get("for", ""),
                keys.get("severity", "").lower(),
            )
        )
    return found


def collect_alerts(snap: Snapshot) -> AlertFacts:
    rules: list[AlertRule] = []
    files: list[str] = []
    for rel in snap.with_suffix(".yml", ".yaml", ".rules", ".tpl"):
        text = snap.text(rel)
        if not text or "alert:" not in text:
            continue
        found = rules_in(rel, text)
        if found:
            rules.extend(found)
            files.append(rel)
    return AlertFacts(tuple(rules), tuple(files))
