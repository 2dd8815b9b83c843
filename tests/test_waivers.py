"""Waivers in the config, inline ignores, and required levels."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from gate.config import ConfigError, load_config, parse_config
from gate.engine import evaluate
from gate.model import CheckResult, Level, Outcome, Report, Severity
from gate.policy import level_of, verdict_of
from gate.report.formats import console, markdown
from tests.conftest import write_tree

TODAY = date(2026, 11, 22)
ROOT_DOCKERFILE = 'FROM python:3.11-slim\nCOPY app.py .\nCMD ["python", "app.py"]\n'


def evaluated(tmp_path: Path, files: dict[str, str]) -> Report:
    root = write_tree(tmp_path / "repo", {"app.py": "print('hi')\n", **files})
    config, _ = load_config(None, root)
    return evaluate(root, config, offline=True, today=TODAY)


def judge(tmp_path: Path, files: dict[str, str]) -> dict[str, CheckResult]:
    return {r.check_id: r for r in evaluated(tmp_path, files).results}


WAIVER = """\
waivers:
  - check: dockerfile-non-root-user
    reason: the base image drops privileges in its entrypoint
    owner: platform-team
    expires: {expires}
"""


def test_a_live_waiver_turns_a_failure_into_waived_on_the_record(tmp_path: Path) -> None:
    files = {"Dockerfile": ROOT_DOCKERFILE, ".github/prodgate.yml": WAIVER.format(expires="2027-01-31")}
    report = evaluated(tmp_path, files)
    result = {r.check_id: r for r in report.results}["dockerfile-non-root-user"]
    assert result.outcome is Outcome.WAIVED and not result.blocking
    assert result.waiver is not None and result.waiver.owner == "platform-team"
    md = markdown(report)
    assert "platform-team" in md and "2027-01-31" in md and "drops privileges" in md


def test_an_expired_waiver_stops_applying_and_says_so(tmp_path: Path) -> None:
    files = {"Dockerfile": ROOT_DOCKERFILE, ".github/prodgate.yml": WAIVER.format(expires="2026-11-01")}
    report = evaluated(tmp_path, files)
    result = {r.check_id: r for r in report.results}["dockerfile-non-root-user"]
    assert result.outcome is Outcome.FAIL and result.blocking
    assert result.waiver is not None and result.waiver.expired
    assert "expired: the failure counts again" in markdown(report)
    assert "waiver by platform-team expired 2026-11-01" in console(report)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "waivers:\n  - check: dockerfile-non-root-user\n    reason: r\n    owner: o\n",
            "waivers.0.expires: Field required",
        ),
        (
            "waivers:\n  - check: dockerfile-non-root\n    reason: r\n    owner: o\n    expires: 2026-12-01\n",
            ":2:12: waivers[0].check: unknown check id 'dockerfile-non-root' (did you mean 'dockerfile-non-root-user'?)",
        ),
        (
            "waivers:\n  - check: dockerfile-non-root-user\n    reason: r\n    owner: o\n    expires: 2026-13-01\n",
            "prodgate.yml:5:14: invalid value '2026-13-01'",
        ),
        (
            "waivers:\n  - check: dockerfile-non-root-user\n    reason: r\n    owner: o\n    expires: 2099-01-01\n",
            "waivers[0].expires: 2099-01-01 is more than 180 days ahead (waiver_max_days)",
        ),
        (
            "waivers:\n  - check: dockerfile-non-root-user\n    reason: ''\n    owner: o\n    expires: 2026-12-01\n",
            "waivers.0.reason",
        ),
    ],
)
def test_bad_waivers_are_config_errors_with_a_line(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(text, ".github/prodgate.yml")
    assert message in str(err.value)


def test_a_waiver_for_some_paths_leaves_the_other_findings(tmp_path: Path) -> None:
    config = """\
waivers:
  - check: no-print-in-service
    paths: ["legacy/"]
    reason: legacy module, removed next quarter
    owner: ml-team
    expires: 2027-02-01
"""
    app = "from flask import Flask\nfrom legacy import old\napp = Flask(__name__)\nprint('up')\n"
    got = judge(
        tmp_path,
        {
            "app.py": app,
            "legacy/__init__.py": "",
            "legacy/old.py": "print('old')\n",
            ".github/prodgate.yml": config,
        },
    )
    result = got["no-print-in-service"]
    assert result.outcome is Outcome.FAIL
    assert [str(f.primary) for f in result.findings] == ["app.py:4"]
    assert result.waiver is not None and result.waiver.count == 1


@pytest.mark.parametrize(
    ("files", "check_id"),
    [
        (
            {
                "Dockerfile": "# prodgate: ignore[dockerfile-non-root-user] the runtime injects USER 1001\n"
                + ROOT_DOCKERFILE
            },
            "dockerfile-non-root-user",
        ),
        (
            {
                "app.py": "from flask import Flask\napp = Flask(__name__)\nprint('up')  # prodgate: ignore[no-print-in-service] startup banner for the platform's log scraper\n"
            },
            "no-print-in-service",
        ),
    ],
)
def test_an_inline_ignore_with_a_reason_drops_the_finding(
    tmp_path: Path, files: dict[str, str], check_id: str
) -> None:
    result = judge(tmp_path, files)[check_id]
    assert result.outcome is Outcome.WAIVED
    assert result.waiver is not None and result.waiver.source == "inline" and result.waiver.reason


def test_an_inline_ignore_in_a_manifest_is_honoured(tmp_path: Path) -> None:
    manifest = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  replicas: 2
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - name: api
          # prodgate: ignore[k8s-image-pinned] the tag is set by kustomize in the release job
          image: registry.example.com/api:latest
"""
    got = judge(tmp_path, {"k8s/deploy.yaml": manifest})
    assert got["k8s-image-pinned"].outcome is Outcome.WAIVED


def test_an_inline_ignore_without_a_reason_is_not_honoured(tmp_path: Path) -> None:
    app = "from flask import Flask\napp = Flask(__name__)\nprint('up')  # prodgate: ignore[no-print-in-service]\n"
    result = judge(tmp_path, {"app.py": app})["no-print-in-service"]
    assert result.outcome is Outcome.FAIL
    assert "inline ignore without a reason is not honoured" in result.findings[0].message


def _result(check_id: str, level: Level, outcome: Outcome) -> CheckResult:
    return CheckResult(
        check_id=check_id,
        title=check_id,
        category="security",
        level=level,
        severity=Severity.LOW,
        outcome=outcome,
        summary="s",
    )


def test_a_level_is_reached_only_when_every_lower_one_is() -> None:
    bronze_fails = (_result("a", Level.BRONZE, Outcome.FAIL), _result("b", Level.SILVER, Outcome.PASS))
    assert level_of(bronze_fails) is None
    silver_fails = (
        _result("a", Level.BRONZE, Outcome.PASS),
        _result("b", Level.SILVER, Outcome.FAIL),
        _result("c", Level.GOLD, Outcome.PASS),
    )
    assert level_of(silver_fails) is Level.BRONZE
    waived = (
        _result("a", Level.BRONZE, Outcome.WAIVED),
        _result("b", Level.SILVER, Outcome.NOT_APPLICABLE),
        _result("c", Level.GOLD, Outcome.PENDING),
    )
    assert level_of(waived) is Level.SILVER
    missing = (_result("a", Level.BRONZE, Outcome.MISSING_EVIDENCE),)
    assert level_of(missing) is None


def test_require_level_fails_the_gate_below_it() -> None:
    results = (_result("a", Level.BRONZE, Outcome.PASS), _result("b", Level.SILVER, Outcome.FAIL))
    assert verdict_of(results, Severity.HIGH).passed  # a low failure does not block
    verdict = verdict_of(results, Severity.HIGH, Level.SILVER)
    assert not verdict.passed and "level silver is required and bronze is reached" in verdict.summary
    assert verdict_of(results, Severity.HIGH, Level.BRONZE).passed
