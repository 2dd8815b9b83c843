"""Live repository state through the real action: branch protection, rulesets, reviews, other checks."""

from __future__ import annotations

import json
from typing import Any

from tests.action.conftest import Actions, payload
from tests.conftest import write_tree
from tests.github_fake import FakeGitHub

WORKFLOW = """\
name: prodgate
on: pull_request
jobs:
  gate:
    name: prodgate gate
    runs-on: ubuntu-24.04
    steps:
      - uses: ./
"""


def outcomes(actions: Actions, **inputs: str) -> dict[str, dict[str, Any]]:
    actions.extra_env = {
        "GITHUB_WORKFLOW_REF": "Codertocat/Hello-World/.github/workflows/gate.yml@refs/pull/2/merge"
    }
    write_tree(actions.workspace, {".github/workflows/gate.yml": WORKFLOW})
    run = actions.run("pull_request", payload("pull_request", "opened"), **inputs)
    result = json.loads((actions.workspace / run.outputs["report_path"]).read_text())
    return {r["check_id"]: r for r in result["report"]["results"]}


def test_a_branch_requiring_the_jobs_check_name_passes(actions: Actions, github: FakeGitHub) -> None:
    github.protection = {"required_status_checks": {"contexts": ["tests", "prodgate gate"]}}
    got = outcomes(actions)
    assert got["branch-protection-requires-gate"]["outcome"] == "pass"


def test_a_ruleset_requiring_the_status_context_passes(actions: Actions, github: FakeGitHub) -> None:
    github.rules = [
        {
            "type": "required_status_checks",
            "parameters": {"required_status_checks": [{"context": "prodgate"}]},
        },
        {"type": "pull_request", "parameters": {"required_approving_review_count": 2}},
    ]
    got = outcomes(actions, status_mode="commit_status")
    assert got["branch-protection-requires-gate"]["outcome"] == "pass"
    assert got["required-reviews"]["outcome"] == "pass"


def test_an_unprotected_branch_fails_both_without_blocking(actions: Actions, github: FakeGitHub) -> None:
    got = outcomes(actions)
    assert got["branch-protection-requires-gate"]["outcome"] == "fail"
    assert (
        "Branch master requires no status checks"
        in got["branch-protection-requires-gate"]["findings"][0]["message"]
    )
    assert got["required-reviews"]["outcome"] == "fail"
    assert not got["required-reviews"]["blocking"]


def test_classic_review_settings_with_an_actions_token_are_not_available(
    actions: Actions, github: FakeGitHub
) -> None:
    github.user_status = 403  # GITHUB_TOKEN: cannot read /user, cannot have administration: read
    github.login = "github-actions[bot]"
    github.protection = {"required_status_checks": {"contexts": ["prodgate gate"]}}
    got = outcomes(actions)
    assert got["required-reviews"]["outcome"] == "not_available"
    assert "administration: read" in got["required-reviews"]["summary"]
    assert not any(p.endswith("/protection") for _, p, _ in github.requests), "no request bound to fail"


def test_classic_review_settings_with_an_admin_token_are_read(actions: Actions, github: FakeGitHub) -> None:
    github.protection = {
        "required_status_checks": {"contexts": []},
        "required_pull_request_reviews": {"required_approving_review_count": 1},
    }
    got = outcomes(actions)
    assert got["required-reviews"]["outcome"] == "pass"


def test_a_failed_test_job_blocks_and_the_gates_own_run_is_left_out(
    actions: Actions, github: FakeGitHub
) -> None:
    actions.commit(
        {"ci-gate.yml": "checks:\n  ci-checks-passing:\n    options:\n      required: ['tests*', 'gate*']\n"},
    )
    github.head_check_runs = [
        {
            "id": 1,
            "name": "tests (3.11)",
            "status": "completed",
            "conclusion": "failure",
            "html_url": "https://x/1",
            "details_url": "https://github.com/Codertocat/Hello-World/actions/runs/99/job/1",
        },
        {
            "id": 2,
            "name": "gate-self",
            "status": "in_progress",
            "conclusion": None,
            "html_url": "https://x/2",
            "details_url": "https://github.com/Codertocat/Hello-World/actions/runs/4242/job/2",
        },
    ]
    got = outcomes(actions, config="ci-gate.yml")
    ci = got["ci-checks-passing"]
    assert ci["outcome"] == "fail" and ci["blocking"]
    assert "tests (3.11)" in ci["summary"]
    github.head_check_runs[0]["conclusion"] = "success"
    github.head_statuses = [{"context": "tests/coverage", "state": "pending", "target_url": None}]
    assert outcomes(actions, config="ci-gate.yml")["ci-checks-passing"]["outcome"] == "pending"


def test_unreadable_checks_are_not_available_naming_the_permission(
    actions: Actions, github: FakeGitHub
) -> None:
    actions.commit(
        {"ci-gate.yml": "checks:\n  ci-checks-passing:\n    options:\n      required: ['tests']\n"},
    )
    github.fail("GET", r"/check-runs$", 403)
    ci = outcomes(actions, config="ci-gate.yml")["ci-checks-passing"]
    assert ci["outcome"] == "not_available"
    assert "checks: read" in ci["summary"]


def test_prodgate_check_says_it_cannot_read_live_state(actions: Actions) -> None:
    from gate.config import load_config
    from gate.engine import evaluate

    config, _ = load_config(None, actions.workspace)
    report = evaluate(actions.workspace, config, offline=True)
    live = {
        r.check_id: r
        for r in report.results
        if r.check_id in ("branch-protection-requires-gate", "required-reviews")
    }
    assert {r.outcome.value for r in live.values()} == {"not_available"}
    assert all("not running as the GitHub Action" in r.summary for r in live.values())


DRILL = """\
name: restore-drill
on:
  schedule: [{cron: "0 4 * * 1"}]
permissions:
  contents: read
jobs:
  restore:
    runs-on: ubuntu-24.04
    steps:
      - run: litestream restore -o /tmp/restored.db s3://acme-backups/predictions.db
"""
ASK_RESTORE = "checks:\n  drills-exercised:\n    options:\n      aspects: [restore]\n"


def _ago(days: int) -> str:
    from datetime import UTC, datetime, timedelta

    return (datetime.now(UTC) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _drill_run(run_id: int, days: int, conclusion: str) -> dict[str, Any]:
    return {
        "id": run_id,
        "head_sha": "c" * 40,
        "event": "schedule",
        "path": ".github/workflows/restore-drill.yml",
        "conclusion": conclusion,
        "created_at": _ago(days),
        "artifacts": [],
    }


def test_a_drill_that_succeeded_last_week_passes(actions: Actions, github: FakeGitHub) -> None:
    actions.commit({".github/workflows/restore-drill.yml": DRILL, "drill-gate.yml": ASK_RESTORE})
    github.runs = [_drill_run(71, 6, "success"), _drill_run(70, 13, "success")]
    got = outcomes(actions, config="drill-gate.yml")
    assert got["drills-exercised"]["outcome"] == "pass", got["drills-exercised"]["summary"]
    assert "succeeded 6 days ago" in got["drills-exercised"]["summary"]
    asked = [p for _, p, _ in github.requests if p.endswith("/actions/runs")]
    assert len(asked) == 2, "one page of schedule runs, one of manual runs"


def test_a_drill_whose_last_run_failed_fails(actions: Actions, github: FakeGitHub) -> None:
    actions.commit({".github/workflows/restore-drill.yml": DRILL, "drill-gate.yml": ASK_RESTORE})
    github.runs = [_drill_run(72, 1, "failure"), _drill_run(71, 8, "success")]
    got = outcomes(actions, config="drill-gate.yml")
    assert got["drills-exercised"]["outcome"] == "fail"
    assert "concluded failure" in got["drills-exercised"]["findings"][0]["message"]


def test_a_drill_not_run_for_months_fails(actions: Actions, github: FakeGitHub) -> None:
    actions.commit({".github/workflows/restore-drill.yml": DRILL, "drill-gate.yml": ASK_RESTORE})
    github.runs = [_drill_run(60, 120, "success")]
    got = outcomes(actions, config="drill-gate.yml")
    assert got["drills-exercised"]["outcome"] == "fail"
    assert "120 days ago" in got["drills-exercised"]["findings"][0]["message"]


def test_no_drill_workflow_asks_the_api_nothing(actions: Actions, github: FakeGitHub) -> None:
    # a database beside the service, so a restore drill is needed
    compose = "services:\n  db:\n    image: postgres:16.4\n"
    actions.commit({"drill-gate.yml": ASK_RESTORE, "docker-compose.yml": compose})
    got = outcomes(actions, config="drill-gate.yml")
    assert got["drills-exercised"]["outcome"] == "missing_evidence"
    assert not any(p.endswith("/actions/runs") for _, p, _ in github.requests)


def test_a_drill_workflow_nobody_asks_about_costs_no_request(actions: Actions, github: FakeGitHub) -> None:
    actions.commit({".github/workflows/restore-drill.yml": DRILL})
    got = outcomes(actions)
    assert got["drills-exercised"]["outcome"] == "not_applicable"
    assert not any(p.endswith("/actions/runs") for _, p, _ in github.requests)
