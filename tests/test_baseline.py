"""New, existing and fixed failures against a real git history made here; fail_on_new_only."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from gate.cli import main
from tests.conftest import git, git_repo, write_tree

SERVICE = "from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.get('/health')\ndef health():\n    return {'ok': True}\n"


def history(tmp_path: Path, config: str = "") -> tuple[Path, str]:
    """main: a service with a root Dockerfile (an old failure); the change: fixes that, adds a print."""
    files = {
        "app.py": SERVICE,
        "Dockerfile": 'FROM python:3.11-slim\nCOPY app.py .\nCMD ["gunicorn", "app:app"]\n',
    }
    if config:
        files[".github/prodgate.yml"] = config
    root = git_repo(tmp_path / "repo", files)
    base = git(root, "rev-parse", "HEAD").strip()
    git(root, "checkout", "-q", "-b", "change")
    write_tree(
        root,
        {
            "app.py": SERVICE.replace("app = Flask(__name__)", "app = Flask(__name__)\nprint('debug')"),
            "Dockerfile": 'FROM python:3.11-slim\nRUN useradd -u 10001 app\nCOPY app.py .\nUSER app\nCMD ["gunicorn", "app:app"]\n',
            "settings.py": "SECRET_KEY = 'x'\n",
        },
    )
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "change")
    return root, base


def check(root: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", "--offline", "--format", "json", str(root), *extra], out, err)
    assert not err.getvalue(), err.getvalue()
    return code, json.loads(out.getvalue())


def test_failures_are_new_existing_or_fixed(tmp_path: Path) -> None:
    root, base = history(tmp_path)
    _, report = check(root, "--baseline", "main")
    b = report["baseline"]
    assert b["base_sha"] == base
    assert "no-print-in-service" in b["new"]
    assert "dockerfile-non-root-user" in b["fixed"]
    assert "no-print-in-service" not in b["existing"] and "dockerfile-non-root-user" not in b["existing"]
    assert set(b["new"]).isdisjoint(b["existing"])


def test_fail_on_new_only_lets_old_failures_through(tmp_path: Path) -> None:
    old_failure = "fail_on: medium\nfail_on_new_only: true\n"
    root, _ = history(tmp_path, old_failure)
    _, report = check(root, "--baseline", "main")
    blocking = {r["check_id"] for r in report["results"] if r["blocking"]}
    existing = set(report["baseline"]["existing"])
    assert not (blocking & existing), "an existing failure never blocks with fail_on_new_only"
    _, plain = check(root)
    plain_blocking = {r["check_id"] for r in plain["results"] if r["blocking"]}
    assert plain_blocking & existing, "without the option, some of those existing failures block"
    assert blocking <= plain_blocking


def test_a_base_not_in_the_clone_is_said_and_changes_nothing(tmp_path: Path) -> None:
    root, _ = history(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    assert main(["check", "--offline", str(root), "--baseline", "f" * 40], out, err) == 2
    assert "no such commit or branch" in err.getvalue()


FLOOR = "checks:\n  model-metrics-meet-floors:\n    options:\n      floors:\n        - {metric: roc_auc, min: 0.90, max_drop: 0.02}\n"


def metrics_history(tmp_path: Path, head_auc: float) -> Path:
    root = git_repo(
        tmp_path / "ml",
        {"models/metrics.json": '{"roc_auc": 0.95}\n', ".github/prodgate.yml": FLOOR, "train.py": "x = 1\n"},
    )
    git(root, "checkout", "-q", "-b", "retrain")
    write_tree(root, {"models/metrics.json": f'{{"roc_auc": {head_auc}}}\n'})
    git(root, "commit", "-q", "-am", "retrain")
    return root


def metric_result(report: dict[str, Any]) -> dict[str, Any]:
    return next(r for r in report["results"] if r["check_id"] == "model-metrics-meet-floors")


def test_a_metric_that_drops_more_than_allowed_against_the_base_fails(tmp_path: Path) -> None:
    root = metrics_history(tmp_path, 0.91)
    _, report = check(root, "--baseline", "main")
    result = metric_result(report)
    assert result["outcome"] == "fail"
    assert (
        "roc_auc 0.95 → 0.91: dropped 0.04 against the base, at most 0.02 allowed"
        in result["findings"][0]["message"]
    )
    assert "model-metrics-meet-floors" in report["baseline"]["new"]


def test_a_metric_under_its_floor_shows_the_base_value_the_new_one_and_the_floor(tmp_path: Path) -> None:
    root = metrics_history(tmp_path, 0.85)
    _, report = check(root, "--baseline", "main")
    messages = [f["message"] for f in metric_result(report)["findings"]]
    assert any(m.startswith("roc_auc 0.95 → 0.85, floor 0.9 (") for m in messages)


def test_a_small_drop_passes_and_no_baseline_is_missing_evidence(tmp_path: Path) -> None:
    root = metrics_history(tmp_path, 0.94)
    _, with_base = check(root, "--baseline", "main")
    assert metric_result(with_base)["outcome"] == "pass"
    _, without = check(root)
    assert metric_result(without)["outcome"] == "missing_evidence"
    assert "could not be compared with the base" in metric_result(without)["summary"]


def test_a_failing_repository_setting_is_never_new_in_a_pull_request(tmp_path: Path) -> None:
    """The base is judged without the live state (its setting checks are not available): branch
    protection failing on the head is how the repository is, not what this PR did."""
    from gate.baseline import compare
    from gate.config import Config
    from gate.engine import evaluate
    from gate.model import Outcome
    from tests.conftest import ROOT

    head = evaluate(ROOT / "examples" / "ready-service", Config(), offline=True)
    setting = next(r for r in head.results if r.check_id == "branch-protection-requires-gate")
    failing = setting.model_copy(update={"outcome": Outcome.FAIL, "blocking": False})
    head = head.model_copy(update={"results": tuple(failing if r is setting else r for r in head.results)})
    base = evaluate(ROOT / "examples" / "ready-service", Config(), offline=True)
    baseline = compare(head, base, fail_on_new_only=False).baseline
    assert baseline is not None
    assert "branch-protection-requires-gate" not in baseline.new
    assert "branch-protection-requires-gate" in baseline.existing
