"""model-artifacts-stored on real folders: a model file with no copy anywhere, and the same file once
committed to a git repository (git is then the copy, and the report says so)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from gate.config import load_config
from gate.engine import evaluate
from gate.model import Outcome

CONFIG = "checks:\n  model-artifacts-stored:\n    options:\n      aspects: [copy]\n"


def _result(root: Path) -> tuple[Outcome, str]:
    config, _ = load_config(None, root)
    report = evaluate(root, config, offline=True)
    result = next(r for r in report.results if r.check_id == "model-artifacts-stored")
    return result.outcome, result.summary


def _repo(root: Path) -> Path:
    (root / ".github").mkdir(parents=True)
    (root / ".github" / "prodgate.yml").write_text(CONFIG)
    (root / "models").mkdir()
    (root / "models" / "model.joblib").write_bytes(b"fitted model bytes\n")
    return root


def test_a_model_file_with_no_copy_fails(tmp_path: Path) -> None:
    outcome, summary = _result(_repo(tmp_path / "plain"))
    assert outcome is Outcome.FAIL and "a copy of every model file" in summary


def test_a_committed_model_file_has_git_as_its_copy(tmp_path: Path) -> None:
    root = _repo(tmp_path / "git")
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
    }
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "model"]):
        subprocess.run(["git", *args], cwd=root, check=True, env={**env, "PATH": "/usr/bin:/bin"})
    outcome, summary = _result(root)
    assert outcome is Outcome.PASS and "committed to git" in summary


def test_an_upload_counts_only_when_it_copies_the_models(tmp_path: Path) -> None:
    root = _repo(tmp_path / "uploads")
    workflow = root / ".github" / "workflows" / "release.yml"
    workflow.parent.mkdir(parents=True)
    step = "aws s3 cp reports/ s3://acme-reports/ --recursive"
    text = "on: push\njobs:\n  release:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: {}\n"
    workflow.write_text(text.format(step))
    assert _result(root)[0] is Outcome.FAIL  # test reports in S3 are no copy of the model
    workflow.write_text(text.format("aws s3 cp models/model.joblib s3://acme-models/churn/"))
    assert _result(root)[0] is Outcome.PASS
