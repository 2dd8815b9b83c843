"""The pull-request comment as GitHub shows it: rendered by cmark-gfm (GitHub's own Markdown library)
and asserted on the HTML a reviewer's browser gets."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from gate.action.comment import comment_body
from gate.config import Config
from gate.engine import evaluate
from gate.model import CheckResult, Confidence, Finding, Level, Location, Outcome, Report, Severity
from gate.report.views import blockers
from tests.gfm import as_github

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def not_ready() -> tuple[Report, str]:
    report = evaluate(EXAMPLES / "not-ready-service", Config(), offline=True)
    body = comment_body(report, key="test", summary_url="https://example.invalid/summary", notes=[])
    return report, as_github(body)


def _section(html: str, start: str, end: str) -> str:
    return html[html.index(start) : html.index(end, html.index(start))]


def test_the_first_screen_is_one_line_per_blocker_and_the_details_hold_every_finding(
    not_ready: tuple[Report, str],
) -> None:
    report, html = not_ready
    blocking = [r for r in report.results if r.blocking]
    first = _section(html, "<h3>What blocks this merge: 9 checks at or above high</h3>", "</ul>")
    # one app.run(debug=True) fails three checks of one concern on one line: one line of the list
    assert first.count("<li>") == len(blocking) - 2
    (debug,) = [li for li in first.split("<li>") if "<code>debug-disabled</code>" in li]
    assert (
        "the same line also fails <code>production-server</code> and <code>dockerfile-production-server</code>"
        in debug
    )
    details = _section(html, "<summary>Every blocking finding, and how to fix it</summary>", "</details>")
    assert details.count("<li>") == sum(1 + len(r.findings) + bool(r.findings) for r in blocking)
    assert details.count("<li><strong>How to fix:</strong>") == sum(bool(r.findings) for r in blocking)


def _blocking(check_id: str, concern_line: tuple[str, int]) -> CheckResult:
    path, line = concern_line
    finding = Finding(
        check_id=check_id,
        message="m",
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        locations=(Location(path=path, start_line=line),),
    )
    return CheckResult(
        check_id=check_id,
        title=check_id,
        category="container",
        level=Level.BRONZE,
        severity=Severity.HIGH,
        outcome=Outcome.FAIL,
        summary="s",
        findings=(finding,),
        blocking=True,
    )


def test_checks_of_one_concern_on_one_line_are_one_problem_and_nothing_else_is() -> None:
    non_root = _blocking("dockerfile-non-root-user", ("Dockerfile", 1))
    pinned = _blocking("dockerfile-base-image-pinned", ("Dockerfile", 1))  # same line, other fix
    secret_env = _blocking("dockerfile-no-secrets", ("Dockerfile", 4))
    secret_scan = _blocking("no-hardcoded-secrets", ("Dockerfile", 4))
    secret_elsewhere = _blocking("compose-no-inline-secrets", ("compose.yaml", 4))
    grouped = blockers([non_root, pinned, secret_env, secret_elsewhere, secret_scan])
    assert [(b.lead.check_id, [o.check_id for o in b.also]) for b in grouped] == [
        ("dockerfile-non-root-user", []),
        ("dockerfile-base-image-pinned", []),
        ("dockerfile-no-secrets", ["no-hardcoded-secrets"]),
        ("compose-no-inline-secrets", []),
    ]


def test_nothing_but_the_blockers_is_open_on_the_first_screen(not_ready: tuple[Report, str]) -> None:
    _, html = not_ready
    assert "<details open>" not in html


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


TEAM_CHECKLIST = """# Go-live

Walk this list before every release. Ask **the on-call lead** or read [the runbook](https://example.org/runbook).
---

## Service

- [ ] Health check endpoint working
  - [ ] Non-root user configured

Reload the model like this (these lines are not items):

```bash
- [ ] curl -X POST localhost:8000/reload
```

<details><summary>not ours</summary> ping @platform-team ![pixel](https://example.org/p.png)
"""


def test_a_team_checklist_keeps_its_own_markdown_and_nothing_hostile(make_tree: Callable[..., Path]) -> None:
    from gate.checklist import read_checklist
    from gate.report.formats import markdown

    root = make_tree({"docs/GO_LIVE.md": TEAM_CHECKLIST, "app.py": "print('hi')\n"})
    report = evaluate(root, Config(), offline=True, checklist=read_checklist(root / "docs/GO_LIVE.md", root))
    html = as_github(markdown(report))
    mine = html[html.index("Your checklist") :]
    assert "(<code>docs/GO_LIVE.md</code>)" in mine  # its path in the repository, as code in the HTML summary
    assert "<h2>" not in mine and "<hr />" in mine  # the prose above --- is not turned into a heading
    assert "<strong>the on-call lead</strong>" in mine and '<a href="https://example.org/runbook">' in mine
    assert re.search(r"<li>☐[^<]*<[^>]*>[^<]*</[^>]*>[^<]*Health check.*?<ul>\s*<li>☐.*?Non-root", mine, re.S)
    assert (
        "<code>- [ ] curl -X POST localhost:8000/reload\n</code></pre>" in mine
    )  # a code block, not an item
    assert "&lt;details&gt;" in mine and "<img" not in mine and "@\u200bplatform-team" in mine


def test_the_level_line_names_what_keeps_the_next_level_out_of_reach() -> None:
    # the ready example reaches no level offline: its bronze checks that need CI or the network are
    # undecided; the headline says which, instead of "none" beside an "Exceptional" score
    report = evaluate(EXAMPLES / "ready-service", Config(), offline=True)
    body = comment_body(report, key="test", summary_url="https://example.invalid/summary", notes=[])
    level = next(
        p for p in re.findall(r"<p>(.*?)</p>", as_github(body), flags=re.S) if p.startswith("Level reached")
    )
    assert "bronze needs" in level and "<code>tests-passing</code> (missing evidence)" in level


def test_a_required_level_names_the_checks_that_hold_it_back() -> None:
    config = Config.model_validate({"require_level": "bronze"})
    report = evaluate(EXAMPLES / "ready-service", config, offline=True)
    assert not report.verdict.passed
    assert "held back by tests-passing (missing evidence)" in report.verdict.summary


def test_a_line_nobody_signed_does_not_read_as_confirmed() -> None:
    from gate.checklist import read_checklist
    from gate.config import load_config
    from gate.report.formats import markdown

    root = EXAMPLES / "seed-001-power-theft" / "not-ready"
    config, _ = load_config(None, root)
    report = evaluate(
        root, config, offline=True, checklist=read_checklist(root / str(config.checklist), root)
    )
    html = as_github(markdown(report))
    assert "✍️ <strong>sign-off</strong>" in html
    assert "Confirmed for this release" not in html


def _seed_001_comment() -> tuple[Report, str]:
    from gate.checklist import read_checklist
    from gate.config import load_config

    root = EXAMPLES / "seed-001-power-theft" / "not-ready"
    config, _ = load_config(None, root)
    report = evaluate(
        root, config, offline=True, checklist=read_checklist(root / str(config.checklist), root)
    )
    return report, comment_body(report, key="test", summary_url="https://example.invalid/summary", notes=[])


def test_the_not_ready_comment_stays_under_twelve_thousand_characters(not_ready: tuple[Report, str]) -> None:
    report, _ = not_ready
    body = comment_body(report, key="test", summary_url="https://example.invalid/summary", notes=[])
    assert len(body) < 12_000


def test_a_long_team_checklist_is_summarised_not_cut_and_offers_a_bounded_number_of_boxes() -> None:
    from gate.action.comment import COMMENT_LIMIT

    report, body = _seed_001_comment()
    manual = len({line.item for line in report.checklist.lines if line.kind == "attestation"})  # type: ignore[union-attr]
    assert len(body) < COMMENT_LIMIT and "cut to fit" not in body
    assert body.count("- [ ] **") == 20
    assert f"0 of {manual} manual items signed. {manual - 20} more follow" in body
    html = as_github(body)
    assert "What blocks this merge: 9 checks" in html and "not ready for production" in html


def test_the_counts_line_links_to_the_full_report(not_ready: tuple[Report, str]) -> None:
    _, html = not_ready
    counts = next(p for p in re.findall(r"<p>(.*?)</p>", html, flags=re.S) if " fail · " in p)
    assert '<a href="https://example.invalid/summary">full report</a>' in counts


def test_the_counts_line_opens_with_a_status_badge_that_says_the_verdict(
    not_ready: tuple[Report, str],
) -> None:
    _, html = not_ready
    img = re.search(r'<img src="([^"]+)" alt="([^"]+)" />', html)
    assert img, "no badge"
    assert img[1] == "https://img.shields.io/badge/prodgate-not%20ready%20%C2%B7%20level%20none-red"
    assert img[2] == "prodgate: not ready · level none"
    ready = evaluate(EXAMPLES / "ready-service", Config(), offline=True)
    body = comment_body(ready, key="test", summary_url="", notes=[])
    assert "![prodgate: ready · level " in body and "-brightgreen)" in body


BOLD_CHECKLIST = """# Go-live

- [ ] **Auth**: API keys on every prediction route
- [ ] **Logging configured**
  - every prediction logged
- [ ] **unclosed bold in a line of our own wording
- [ ] Non-root user configured
"""


def test_a_team_checklists_bold_items_stay_bold_and_reach_nothing_after_them(
    make_tree: Callable[..., Path],
) -> None:
    from gate.checklist import read_checklist
    from gate.report.formats import markdown

    root = make_tree({"GO_LIVE.md": BOLD_CHECKLIST, "app.py": "print('hi')\n"})
    report = evaluate(root, Config(), offline=True, checklist=read_checklist(root / "GO_LIVE.md", root))
    html = as_github(markdown(report))
    mine = html[html.index("Your checklist") :]
    assert "<strong>Auth</strong>: API keys on every prediction route" in mine
    assert "<strong>Logging configured</strong>" in mine
    # an unclosed ** is the team's text, shown as written, and never bolds the gate's own words after it
    assert "**unclosed bold in a line of our own wording" in mine
    assert not re.search(r"<strong>unclosed", mine)
    assert "Non-root user configured" in mine and "\\*\\*" not in mine
