"""drills-exercised when the drill is not among the runs read: undecided while the listing was cut short
inside the window (a busy repository), a failure once the listing reaches back past it."""

from __future__ import annotations

from datetime import date

from gate.config import load_config
from gate.engine import evaluate
from gate.facts.github import GitHubFacts, WorkflowRunState
from gate.model import Outcome
from tests.conftest import FIXTURES

ROOT = FIXTURES / "checks" / "drills-exercised" / "not_available"
OTHER = WorkflowRunState(
    path=".github/workflows/nightly.yml", conclusion="success", created="2026-11-28T01:00:00Z"
)


def _outcome(since: str | None) -> tuple[Outcome, str]:
    config, _ = load_config(None, ROOT)
    github = GitHubFacts(available=True, reason="", drill_runs=(OTHER,), drill_runs_since=since)
    report = evaluate(ROOT, config, github=github, today=date(2026, 11, 30))
    result = next(r for r in report.results if r.check_id == "drills-exercised")
    return result.outcome, result.summary


def test_a_listing_cut_inside_the_window_leaves_it_undecided() -> None:
    outcome, summary = _outcome("2026-11-20T00:00:00Z")
    assert outcome is Outcome.NOT_AVAILABLE and "not among the recent runs read" in summary


def test_a_listing_that_reaches_past_the_window_fails_a_drill_never_run() -> None:
    assert _outcome(None)[0] is Outcome.FAIL
    assert _outcome("2026-07-01T00:00:00Z")[0] is Outcome.FAIL
