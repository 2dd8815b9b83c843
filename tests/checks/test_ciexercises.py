"""ci-exercises under the Action: the job that runs the smoke test is looked up among the head commit's
check runs, and a job that failed fails the aspect however well the workflow reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from gate.config import load_config
from gate.engine import evaluate
from gate.facts.github import CheckState, GitHubFacts
from gate.model import Outcome

WORKFLOW = """on: pull_request
permissions:
  contents: read
jobs:
  smoke:
    name: Smoke test
    runs-on: ubuntu-24.04
    steps:
      - run: docker build --tag api:ci .
      - run: docker run --detach --publish 8000:8000 api:ci
      - run: curl --fail --retry 5 --retry-connrefused http://localhost:8000/health
"""


def _repo(root: Path) -> Path:
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / ".github" / "prodgate.yml").write_text(
        "checks:\n  ci-exercises:\n    options:\n      aspects: [container]\n"
    )
    (root / ".github" / "workflows" / "smoke.yml").write_text(WORKFLOW)
    (root / "Dockerfile").write_text('FROM python:3.12-slim\nCMD ["python", "-m", "http.server"]\n')
    return root


def _judge(root: Path, github: GitHubFacts | None) -> tuple[Outcome, str]:
    config, _ = load_config(None, root)
    report = evaluate(root, config, offline=True, github=github)
    result = next(r for r in report.results if r.check_id == "ci-exercises")
    return result.outcome, result.summary


def _github(conclusion: str, name: str = "Smoke test") -> GitHubFacts:
    run = CheckState(name=name, kind="check_run", status="completed", conclusion=conclusion)
    return GitHubFacts(available=True, head_sha="0" * 40, checks=(run,))


def test_locally_the_workflow_is_read_and_the_result_said_unread(tmp_path: Path) -> None:
    outcome, summary = _judge(_repo(tmp_path), None)
    assert outcome is Outcome.PASS
    assert "read only by the GitHub Action" in summary


@pytest.mark.parametrize("name", ["Smoke test", "Smoke test (ubuntu-24.04)"])
def test_a_failed_smoke_job_fails_the_line(tmp_path: Path, name: str) -> None:
    outcome, summary = _judge(_repo(tmp_path), _github("failure", name))
    assert outcome is Outcome.FAIL, summary


def test_a_passed_smoke_job_is_read_as_such(tmp_path: Path) -> None:
    outcome, summary = _judge(_repo(tmp_path), _github("success"))
    assert outcome is Outcome.PASS
    assert "results on this commit read" in summary


def test_another_jobs_failure_is_not_the_smoke_tests(tmp_path: Path) -> None:
    outcome, summary = _judge(_repo(tmp_path), _github("failure", name="lint"))
    assert outcome is Outcome.PASS
    assert "no result of these jobs on this commit yet" in summary


def test_a_build_step_whose_job_failed_fails_image_builds(tmp_path: Path) -> None:
    """'Image builds successfully' reads the build job's result when the Action has the head commit's
    checks: the step alone is only the configuration."""
    root = _repo(tmp_path)
    config, _ = load_config(None, root)

    def outcome(github: GitHubFacts | None) -> Outcome:
        report = evaluate(root, config, offline=True, github=github)
        return next(r for r in report.results if r.check_id == "ci-builds-image").outcome

    assert outcome(None) is Outcome.PASS
    assert outcome(_github("failure")) is Outcome.FAIL
    assert outcome(_github("success")) is Outcome.PASS


def test_one_failed_leg_of_a_matrix_fails_the_job(tmp_path: Path) -> None:
    """A matrix job is one check run a leg: the leg that passed, listed first, must not hide the one that
    failed."""
    legs = tuple(
        CheckState(name=f"Smoke test ({v})", kind="check_run", status="completed", conclusion=c)
        for v, c in (("3.11", "success"), ("3.12", "failure"))
    )
    outcome, summary = _judge(_repo(tmp_path), GitHubFacts(available=True, head_sha="0" * 40, checks=legs))
    assert outcome is Outcome.FAIL, summary


def test_a_service_whose_routes_cannot_be_read_is_not_judged_on_its_model_route(tmp_path: Path) -> None:
    """Routes are read from Python services: a Node service's model check in CI cannot be told apart
    from a request to anything else, so the aspect is left undecided, not failed."""
    root = _repo(tmp_path)
    (root / ".github" / "prodgate.yml").write_text(
        "checks:\n  ci-exercises:\n    options:\n      aspects: [container-model]\n"
    )
    (root / "server.js").write_text(
        "require('express')().get('/health', (q, r) => r.json({model_loaded: true}))\n"
    )
    outcome, summary = _judge(root, None)
    assert outcome is not Outcome.FAIL, summary
