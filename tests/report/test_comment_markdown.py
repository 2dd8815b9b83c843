"""The pull-request comment as GitHub shows it: rendered by cmark-gfm (GitHub's own Markdown library)
and asserted on the HTML a reviewer's browser gets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gate.action.comment import comment_body
from gate.config import Config
from gate.engine import evaluate
from gate.model import Report
from tests.gfm import as_github

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def not_ready() -> tuple[Report, str]:
    report = evaluate(EXAMPLES / "not-ready-service", Config(), offline=True)
    body = comment_body(report, key="test", summary_url="https://example.invalid/summary", notes=[])
    return report, as_github(body)


def _section(html: str, start: str, end: str) -> str:
    return html[html.index(start) : html.index(end, html.index(start))]


def test_every_blocking_finding_and_its_fix_is_a_list_item_of_its_own(not_ready: tuple[Report, str]) -> None:
    report, html = not_ready
    blocking = _section(html, "<h3>Blocking</h3>", "<details")
    wanted = sum(1 + len(r.findings) + bool(r.findings) for r in report.results if r.blocking)
    assert blocking.count("<li>") == wanted
    assert blocking.count("<li><strong>How to fix:</strong>") == sum(
        bool(r.findings) for r in report.results if r.blocking
    )


def test_code_in_messages_renders_as_code_not_as_escaped_backticks(not_ready: tuple[Report, str]) -> None:
    _, html = not_ready
    outside_code = re.sub(r"<code>.*?</code>", "", html, flags=re.S)
    assert "`" not in outside_code
    assert "<code>app.run(debug=True)</code>" in html


def test_the_counts_the_level_and_the_verdict_are_paragraphs_of_their_own(
    not_ready: tuple[Report, str],
) -> None:
    _, html = not_ready
    paragraphs = re.findall(r"<p>(.*?)</p>", html, flags=re.S)
    counts = next(p for p in paragraphs if " fail · " in p)
    assert "Level reached" not in counts
    assert any(p.startswith("Level reached") for p in paragraphs)


TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_no_template_line_of_text_loses_its_newline_to_a_closing_tag() -> None:
    # trim_blocks removes the newline after a block tag: right for a line holding only tags, wrong for a
    # line of text that happens to end with one (its items then run into the next line's)
    eaten = [
        f"{path.relative_to(TEMPLATES)}:{n}"
        for path in sorted(TEMPLATES.rglob("*.j2"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"[^+]%\}$", line) and not re.fullmatch(r"\s*(\{%.*?%\}\s*)+", line)
    ]
    assert eaten == []
