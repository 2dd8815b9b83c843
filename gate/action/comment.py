"""The sticky comment's text: a hidden marker, a fingerprint of the outcomes, the report, and a size cap."""

from __future__ import annotations

import hashlib
import json

from gate.action.baseconfig import BaseConfig
from gate.action.github import run_line
from gate.model import Report
from gate.report.render import md, render
from gate.report.views import Links, context
from gate.signoffs import Row, SignOffs, hidden, row

COMMENT_LIMIT = 65_536
"""GitHub refuses a comment body longer than this many characters."""
_MARGIN = 512
_FINGERPRINT_PREFIX = "<!-- prodgate-fingerprint:"


def marker(key: str) -> str:
    return f"<!-- prodgate:{key} -->"


def fingerprint(report: Report) -> str:
    """What `comment_mode: changes` compares: the verdict and each check's outcome, not the wording."""
    state = [report.verdict.passed, sorted((r.check_id, r.outcome.value, r.blocking) for r in report.results)]
    return hashlib.sha256(json.dumps(state).encode()).hexdigest()[:16]


def fingerprint_in(body: str) -> str | None:
    for line in body.splitlines()[:3]:
        if line.startswith(_FINGERPRINT_PREFIX):
            return line[len(_FINGERPRINT_PREFIX) :].removesuffix("-->").strip()
    return None


def fit(markdown: str, limit: int, note: str) -> str:
    """Cut Markdown at line boundaries (a table row is one line) so that it and `note` stay under `limit`.

    What comes first survives: the templates put the verdict and the blocking failures at the top. Open
    <details> blocks are closed so that the rest of the page renders."""
    if len(markdown) <= limit:
        return markdown
    closing = "\n</details>\n"
    budget = limit - len(note) - _MARGIN
    kept: list[str] = []
    size = 0
    depth = 0
    for line in markdown.split("\n"):
        if size + len(line) + 1 + depth * len(closing) > budget:
            break
        kept.append(line)
        size += len(line) + 1
        if line.startswith("<details"):
            depth += 1
        elif line.startswith("</details>"):
            depth -= 1
    return "\n".join(kept) + closing * depth + "\n" + note


def signoff_rows(report: Report, record: SignOffs) -> list[Row]:
    """A box per manual item of the team's checklist (once per item), with what the record says."""
    rows: dict[str, Row] = {}
    section = ""
    for line in report.checklist.lines if report.checklist else ():
        if line.kind == "heading":
            section = md(line.text)
        if line.kind == "attestation" and line.item and line.item not in rows:
            text = f"**{md(line.text)}**"  # ticking it confirms the item for this release
            # the filled checklist already applied the item's expiry: signed_by is set only if still valid
            current = line.signed_by is not None
            rows[line.item] = row(line.item, text, record, current=current, section=section)
    return list(rows.values())


def signoff_section(rows: list[Row]) -> str:
    return render("action/signoffs.md.j2", rows=rows)


def offered(rows: list[Row], boxes: int) -> list[Row]:
    """Every signed or refused item, and at most `boxes` open ones, in the checklist's order: the next
    ones appear as these are signed (the job summary lists them all)."""
    shown: list[Row] = []
    open_ = 0
    for r in rows:
        settled = r.signed is not None or bool(r.refused)
        if settled or open_ < boxes:
            shown.append(r)
            open_ += not settled
    return shown


def comment_body(
    report: Report,
    *,
    key: str,
    summary_url: str,
    notes: list[str],
    origin: BaseConfig | None = None,
    record: SignOffs | None = None,
    run: tuple[int, int] = (0, 0),
    links: Links | None = None,
    signoff_boxes: int = 20,
) -> str:
    ctx = context(report, links)
    record = record or SignOffs()
    body = render(
        "action/comment.md.j2",
        **ctx,
        marker=marker(key),
        fingerprint=fingerprint(report),
        run_line=run_line(run),
        summary_url=summary_url,
        notes=notes,
        origin=origin,
    )
    # the sign-off boxes and their record come last and are never cut: the report above them is
    rows = signoff_rows(report, record)
    shown = offered(rows, signoff_boxes)
    # the count sits outside the section, which a tick re-renders from the boxes alone
    counts = (
        render(
            "action/signoff_counts.md.j2",
            total=len(rows),
            signed=sum(r.signed is not None for r in rows),
            more=len(rows) - len(shown),
        )
        if rows
        else ""
    )
    tail = counts + signoff_section(shown) + hidden(record) + "\n"
    note = render("action/truncated.md.j2", summary_url=summary_url, where="comment")
    return fit(body, COMMENT_LIMIT - len(tail), note).rstrip("\n") + "\n\n" + tail
