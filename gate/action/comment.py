"""The sticky comment's text: a hidden marker, a fingerprint of the outcomes, the report, and a size cap."""

from __future__ import annotations

import hashlib
import json

from gate.action.baseconfig import BaseConfig
from gate.model import Report
from gate.report.render import render
from gate.report.views import context

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


def comment_body(
    report: Report, *, key: str, summary_url: str, notes: list[str], origin: BaseConfig | None = None
) -> str:
    ctx = context(report)
    body = render(
        "action/comment.md.j2",
        **ctx,
        marker=marker(key),
        fingerprint=fingerprint(report),
        notes=notes,
        origin=origin,
    )
    note = render("action/truncated.md.j2", summary_url=summary_url, where="comment")
    return fit(body, COMMENT_LIMIT, note)
