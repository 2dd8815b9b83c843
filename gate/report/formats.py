"""Report formats: each a function from the Report to text. Text layouts live in templates/."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable, Iterator
from typing import Any

from gate.checks import REGISTRY
from gate.model import OUTCOME_ORDER, CheckResult, Outcome, Report, Severity
from gate.report.render import paint, render
from gate.report.views import LABELS, context

_CONSOLE_STYLE = {
    Outcome.PASS: "green",
    Outcome.FAIL: "red+bold",
    Outcome.ERROR: "magenta+bold",
    Outcome.MISSING_EVIDENCE: "yellow",
    Outcome.NOT_AVAILABLE: "yellow",
    Outcome.PENDING: "yellow",
    Outcome.WAIVED: "cyan",
    Outcome.ATTESTED: "cyan",
    Outcome.NOT_APPLICABLE: "dim",
}


SHOW = ("problems", "all", "blocking")
"""Which checks the console lists one per row: what needs attention (the default), every one, or only
what blocks. The others are counted in the totals line."""
_QUIET = (Outcome.PASS, Outcome.NOT_APPLICABLE, Outcome.WAIVED, Outcome.ATTESTED)


_BESIDE = 40
"""Columns a summary needs beside the table's first three; in a narrower terminal every summary goes
on a line of its own, under the row."""


def wrapper(width: int | None) -> Callable[..., str]:
    """A template filter that wraps text to `width` columns with a hanging indent: `indent` is the
    column the text starts at, `reserve` what follows it on its last line. With no width (not a
    terminal) text is left on one line, which is what logs and grep want. Words longer than a line (a
    path, a URL) are kept whole. A terminal narrower than 40 columns is treated as 40 wide."""
    width = max(width, 40) if width else None

    def wrap(text: str, indent: int, reserve: int = 0, hang: int | None = None, gap: str = "") -> str:
        """`gap` goes before the text when it stays on the line it starts on."""
        if not width:
            return gap + text
        hang = indent if hang is None else hang
        words = text.split(maxsplit=1)
        if words and indent > hang and indent + len(gap) + len(words[0]) > width - reserve:
            # the first word (a path) does not fit after what precedes it: it starts the next line
            return "\n" + " " * hang + wrap(text, hang, reserve, hang)
        indent += len(gap)
        lines = textwrap.wrap(
            text,
            width - reserve,
            initial_indent=" " * indent,
            subsequent_indent=" " * hang,
            break_long_words=False,
            break_on_hyphens=False,
        )
        return gap + "\n".join(lines)[indent:]

    return wrap


CONSOLE_FINDINGS = 20
"""Findings the console lists under one row: a terminal or CI log is read, not searched (a check with
10,000 findings printed megabytes); the file formats list every finding."""


def console(report: Report, *, color: bool = False, show: str = "problems", width: int | None = None) -> str:
    """The console table; `width` is the terminal's, to wrap long lines to (None: one line each)."""
    ctx = context(report)
    shown = [
        r
        for r in report.results
        if show == "all"
        or (show == "blocking" and r.blocking)
        or (show == "problems" and r.outcome not in _QUIET)
    ]
    width_status = max(len(label) for label in LABELS.values())
    width_id = max((len(r.check_id) for r in report.results), default=10)
    width_severity = max(len(s.value) for s in Severity)
    summary_at = width_status + width_severity + width_id + 6
    return render(
        "console.txt.j2",
        **ctx,
        color=paint(color),
        styles=_CONSOLE_STYLE,
        width_status=width_status,
        width_id=width_id,
        width_severity=width_severity,
        beside=width is None or width - summary_at - len("  [blocking]") >= _BESIDE,
        # worst first: blocking, then by outcome and severity
        ordered=sorted(
            shown,
            key=lambda r: (not r.blocking, OUTCOME_ORDER.index(r.outcome), -r.severity.rank, r.check_id),
        ),
        hidden=len(report.results) - len(shown),
        show=show,
        per_row=CONSOLE_FINDINGS,
        wrap=wrapper(width),
        width=width,
    )


def markdown(report: Report) -> str:
    return render("report.md.j2", **context(report))


def to_json(report: Report) -> str:
    return report.model_dump_json(indent=2) + "\n"


_RESULTS_PLACE = '\n  "results": [],\n'


def json_chunks(report: Report) -> Iterator[str]:
    """The JSON report, byte for byte what to_json returns, a result at a time: written whole, a report
    of 145,000 findings was an 80 MB string, and its UTF-8 copy as much again."""
    if not report.results:
        yield to_json(report)
        return
    # the report without its results, split where they go: a newline inside a JSON string is escaped,
    # so the marker occurs once
    head, tail = report.model_copy(update={"results": ()}).model_dump_json(indent=2).split(_RESULTS_PLACE)
    yield head + '\n  "results": [\n'
    for number, result in enumerate(report.results):
        if number:
            yield ",\n"
        yield from _result_chunks(result)
    yield "\n  ],\n" + tail + "\n"


_FINDINGS_PLACE = '"findings": []'
MANY_FINDINGS = 256
"""A result with more findings than this is written a finding at a time: one check's 25,000 findings
were a 14 MB string, and its indented copy split into 400,000 lines (90 MiB at the peak of a run)."""


def _indented(text: str, prefix: str) -> str:
    # every line of pydantic's indented JSON has text (a newline inside a string is escaped), which is
    # what textwrap.indent would prefix; without splitting the text into a list of lines
    return prefix + text.replace("\n", "\n" + prefix)


def _result_chunks(result: CheckResult) -> Iterator[str]:
    if len(result.findings) <= MANY_FINDINGS:
        yield _indented(result.model_dump_json(indent=2), "    ")
        return
    bare = _indented(result.model_copy(update={"findings": ()}).model_dump_json(indent=2), "    ")
    head, tail = bare.split(_FINDINGS_PLACE)  # once: a quote inside a string is escaped
    yield head + '"findings": [\n'
    for number, finding in enumerate(result.findings):
        yield ("" if number == 0 else ",\n") + _indented(finding.model_dump_json(indent=2), "        ")
    yield "\n      ]" + tail


_SARIF_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
# GitHub code scanning orders alerts by this 0-10 score (its documented property).
_SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "2.0",
    Severity.INFO: "0.0",
}
_PRECISION = {"high": "very-high", "medium": "high", "low": "medium"}


def sarif(report: Report) -> str:
    """SARIF 2.1.0: one rule per registered check, one result per finding of a failing check.

    Built as plain data and validated against the official schema in the tests: the SARIF object-model
    packages on PyPI are unmaintained (sarif-om's last release is from 2019) and add nothing a dict lacks.
    """
    rule_ids = sorted(REGISTRY)
    rules = []
    for check_id in rule_ids:
        spec = REGISTRY[check_id]
        sections = spec.doc_sections()
        rules.append(
            {
                "id": check_id,
                "name": "".join(part.capitalize() for part in check_id.split("-")),
                "shortDescription": {"text": spec.title},
                "fullDescription": {"text": sections.get("What it checks", spec.title)},
                "help": {
                    "text": spec.remediation,
                    "markdown": render("check.md.j2", spec=spec, heading_level=2),
                },
                "defaultConfiguration": {"level": _SARIF_LEVEL[spec.severity]},
                "properties": {
                    "tags": [spec.category, spec.level.value],
                    "precision": _PRECISION[spec.confidence.value],
                    "security-severity": _SECURITY_SEVERITY[spec.severity],
                },
            }
        )
    results: list[dict[str, Any]] = []
    notifications: list[dict[str, Any]] = []
    for r in report.results:
        if r.outcome is Outcome.ERROR:
            notifications.append(
                {
                    "level": "error",
                    "message": {"text": f"{r.check_id}: {r.summary}"},
                    "associatedRule": {"id": r.check_id, "index": rule_ids.index(r.check_id)},
                }
            )
        if r.outcome not in (Outcome.FAIL, Outcome.ERROR):
            continue
        for f in r.findings:
            result: dict[str, Any] = {
                "ruleId": r.check_id,
                "ruleIndex": rule_ids.index(r.check_id),
                "level": _SARIF_LEVEL[f.severity],
                "message": {"text": f.message + (f" How to fix: {f.remediation}" if f.remediation else "")},
                "properties": {
                    "severity": f.severity.value,
                    "confidence": f.confidence.value,
                    "blocking": r.blocking,
                },
            }
            locations = []
            for loc in f.locations:
                physical: dict[str, Any] = {"artifactLocation": {"uri": loc.path, "uriBaseId": "%SRCROOT%"}}
                if loc.start_line is not None:
                    physical["region"] = {
                        "startLine": loc.start_line,
                        "endLine": loc.end_line or loc.start_line,
                    }
                locations.append({"physicalLocation": physical})
            if locations:
                result["locations"] = locations[:1]
                if len(locations) > 1:
                    result["relatedLocations"] = [dict(loc, id=i) for i, loc in enumerate(locations[1:], 1)]
            results.append(result)
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "prodgate",
                        "version": report.tool_version,
                        "rules": rules,
                    }
                },
                "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
                "results": results,
                "properties": {"verdict": report.verdict.model_dump(mode="json")},
            }
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


FORMATS: dict[str, Callable[[Report], str]] = {"markdown": markdown, "json": to_json, "sarif": sarif}
