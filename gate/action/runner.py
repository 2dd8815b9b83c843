"""What the runner reads back from a step: outputs, the job summary and workflow-command annotations.

Formats are GitHub's documented ones: outputs in the multi-line `name<<DELIMITER` form with a random
delimiter (a value can never end the block early), annotations as `::error file=..,line=..::text` with
the documented escapes, the summary appended as Markdown.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TextIO

from msgspec import Struct

from gate.model import Finding, Outcome, Report, Severity, displayable
from gate.wording import agree, count

ANNOTATIONS_PER_KIND = 10
"""GitHub shows at most 10 error and 10 warning annotations per step; more are dropped unseen."""
SUMMARY_LIMIT = 1024 * 1024
"""A step's summary may be at most 1 MiB; a bigger one is refused and the step errors."""


def write_outputs(path: Path | None, outputs: Mapping[str, str], out: TextIO) -> None:
    if path is None:
        for name, value in outputs.items():
            out.write(f"{name}={value}\n")
        return
    with path.open("a", encoding="utf-8") as f:
        for name, value in outputs.items():
            delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
            f.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")


def write_summary(path: Path | None, markdown: str) -> None:
    if path is None:
        return
    with path.open("a", encoding="utf-8") as f:
        f.write(markdown)


def _escape_data(text: str) -> str:
    text = displayable(text)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


_KIND = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "notice",
    Severity.INFO: "notice",
}


class Annotation(Struct, frozen=True):
    kind: str
    title: str
    message: str
    path: str | None
    line: int | None
    end_line: int | None

    def command(self) -> str:
        props = [f"title={_escape_property(self.title)}"]
        if self.path:
            props.insert(0, f"file={_escape_property(self.path)}")
            if self.line:
                props.insert(1, f"line={self.line}")
                if self.end_line and self.end_line != self.line:
                    props.insert(2, f"endLine={self.end_line}")
        return f"::{self.kind} {','.join(props)}::{_escape_data(self.message)}"


def annotations_of(report: Report) -> list[Annotation]:
    """One annotation per finding of a failing check, blocking ones first."""
    found: list[tuple[bool, Finding]] = [
        (r.blocking, f)
        for r in report.results
        if r.outcome in (Outcome.FAIL, Outcome.ERROR)
        for f in r.findings
    ]
    found.sort(key=lambda pair: (not pair[0], -pair[1].severity.rank))
    notes = []
    for _blocking, f in found:
        loc = f.primary
        notes.append(
            Annotation(
                kind=_KIND[f.severity],
                title=f"prodgate {f.check_id}",
                message=f.message,
                path=loc.path if loc else None,
                line=loc.start_line if loc else None,
                end_line=loc.end_line if loc else None,
            )
        )
    return notes


def emit_annotations(notes: Iterable[Annotation], out: TextIO) -> int:
    """Print at most ANNOTATIONS_PER_KIND of each kind, then one notice counting the rest. Returns how
    many were printed."""
    shown: dict[str, int] = {}
    hidden = 0
    for note in notes:
        if shown.get(note.kind, 0) >= ANNOTATIONS_PER_KIND:
            hidden += 1
            continue
        shown[note.kind] = shown.get(note.kind, 0) + 1
        out.write(note.command() + "\n")
    if hidden:
        out.write(
            f"::notice title=prodgate::{count(hidden, 'more finding')} {agree(hidden, 'is', 'are')} listed in the job summary\n"
        )
    return sum(shown.values())


def log(out: TextIO, kind: str, message: str) -> None:
    """A workflow command without a file: warning, notice, error or debug."""
    out.write(f"::{kind}::{_escape_data(message)}\n")
