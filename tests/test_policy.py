"""The verdict: thresholds, overrides, disabled checks, and checks that cannot decide."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from gate.checks import REGISTRY, CheckSpec, Decision
from gate.checks.base import Hit, at
from gate.config import CheckConfig, Config
from gate.engine import evaluate
from gate.facts import Facts
from gate.model import Confidence, Level, Outcome, Severity


def _spec(
    check_id: str, func: Callable[[Facts, object], Decision], severity: Severity = Severity.HIGH
) -> CheckSpec:
    return CheckSpec(
        id=check_id,
        title=check_id,
        category="operations",
        severity=severity,
        confidence=Confidence.HIGH,
        level=Level.BRONZE,
        applies_when="always",
        remediation="fix it",
        docs="",
        func=func,
    )


@pytest.fixture
def extra_checks() -> Iterator[Callable[[CheckSpec], None]]:
    added: list[str] = []

    def add(spec: CheckSpec) -> None:
        REGISTRY[spec.id] = spec
        added.append(spec.id)

    yield add
    for check_id in added:
        del REGISTRY[check_id]


def _boom(facts: Facts, options: object) -> Decision:
    raise RuntimeError("parser exploded")


def _unsure(facts: Facts, options: object) -> Decision:
    return Decision(Outcome.MISSING_EVIDENCE, "no coverage report")


def _low_fail(facts: Facts, options: object) -> Decision:
    return Decision(Outcome.FAIL, "bad", (Hit("bad thing", (at("a.py", 2),)),))


def test_a_crashing_check_is_an_error_that_blocks(
    tmp_path: Path, extra_checks: Callable[[CheckSpec], None]
) -> None:
    extra_checks(_spec("zz-boom", _boom))
    report = evaluate(tmp_path, Config())
    result = next(r for r in report.results if r.check_id == "zz-boom")
    assert result.outcome is Outcome.ERROR and "RuntimeError: parser exploded" in result.summary
    assert result.blocking and not report.verdict.passed
    # the other checks still ran
    assert {r.check_id for r in report.results} >= set(REGISTRY) - {"zz-boom"}


def test_missing_evidence_is_neither_pass_nor_blocking(
    tmp_path: Path, extra_checks: Callable[[CheckSpec], None]
) -> None:
    extra_checks(_spec("zz-unsure", _unsure, Severity.CRITICAL))
    report = evaluate(tmp_path, Config())
    result = next(r for r in report.results if r.check_id == "zz-unsure")
    assert result.outcome is Outcome.MISSING_EVIDENCE and not result.blocking
    assert report.counts[Outcome.PASS] == sum(r.outcome is Outcome.PASS for r in report.results)


def test_threshold_override_and_disable(tmp_path: Path, extra_checks: Callable[[CheckSpec], None]) -> None:
    extra_checks(_spec("zz-low", _low_fail, Severity.LOW))
    # the folder is empty: the check that says nothing is there to judge is not what this test is about
    off = {"service-present": CheckConfig(enabled=False)}
    assert evaluate(tmp_path, Config(checks=off)).verdict.passed
    raised = Config(checks={**off, "zz-low": CheckConfig(severity=Severity.CRITICAL)})
    report = evaluate(tmp_path, raised)
    result = next(r for r in report.results if r.check_id == "zz-low")
    assert result.blocking and result.findings[0].severity is Severity.CRITICAL
    assert report.verdict.blocking_checks == ("zz-low",)
    assert not evaluate(tmp_path, Config(fail_on=Severity.LOW, checks=off)).verdict.passed
    disabled = evaluate(
        tmp_path, Config(fail_on=Severity.LOW, checks={**off, "zz-low": CheckConfig(enabled=False)})
    )
    assert "zz-low" not in {r.check_id for r in disabled.results}


def test_the_ml_test_score_is_the_weakest_section_with_the_papers_band() -> None:
    from gate.model import CheckResult, Level, Outcome, Severity
    from gate.policy import ml_test_score_of

    def r(check_id: str, category: str, outcome: Outcome) -> CheckResult:
        return CheckResult(
            check_id=check_id,
            title=check_id,
            category=category,
            level=Level.BRONZE,
            severity=Severity.LOW,
            outcome=outcome,
            summary="s",
        )

    results = (
        r("feature-schema-present", "model-data", Outcome.PASS),
        r("model-card-present", "model-data", Outcome.PASS),
        r("model-not-stale", "model-data", Outcome.FAIL),
        r("tests-present", "testing", Outcome.PASS),
        r("metrics-endpoint", "monitoring", Outcome.ATTESTED),
        r("logging-configured", "monitoring", Outcome.FAIL),
        r("readme-present", "documentation", Outcome.FAIL),  # in no section
    )
    score = ml_test_score_of(results)
    assert score.sections == {"data": 7.0, "model": 3.5, "infrastructure": 7.0, "monitoring": 1.8}
    assert score.final == 1.8
    assert score.band.startswith("There's been first pass at basic productionization")


def test_a_report_is_byte_identical_whatever_the_hash_seed() -> None:
    """Sets and dicts iterate differently under another PYTHONHASHSEED: nothing in a report may follow
    them (an unchanged rerun would edit the PR comment again)."""
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    example = ROOT / "examples" / "seed-004-full-stack" / "not-ready"
    outputs = set()
    for seed in ("0", "1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-m", "gate.cli", "check", str(example), "--offline", "--format", "markdown"],
            capture_output=True,
            env=env,
            check=False,
        )
        assert run.returncode in (0, 1), run.stderr.decode()[-500:]
        outputs.add(run.stdout)
    assert len(outputs) == 1
