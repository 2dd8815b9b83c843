"""Which files the Dockerfile checks read (gate/facts/dockerfile.py: collect_docker)."""

from __future__ import annotations

from pathlib import Path

from gate.config import Config
from gate.engine import evaluate
from gate.model import Outcome
from tests.conftest import write_tree

DOCKERFILE = 'FROM python:3.11-slim\nUSER app\nCMD ["python", "app.py"]\n'


def test_an_empty_dockerfile_no_build_names_is_skipped_and_said_so(tmp_path: Path) -> None:
    """A course repository's blank exercise file: Docker refuses to build it, and reading it as a
    broken Dockerfile made every Dockerfile check an error that blocked the gate (found on a labelled
    public checklist's repository). The real Dockerfile beside it is still judged."""
    root = write_tree(
        tmp_path,
        {
            "Dockerfile": DOCKERFILE,
            "exercise/Dockerfile": "",
            "notes/Dockerfile": "# syntax=docker/dockerfile:1\n\n# fill this in\n",
            "app.py": "print('hi')\n",
        },
    )
    report = evaluate(root, Config(), offline=True)
    skipped = {s.path: s.reason for s in report.skipped}
    reason = "a Dockerfile with no instructions, which no build names"
    assert skipped == {"exercise/Dockerfile": reason, "notes/Dockerfile": reason}
    assert not [r.check_id for r in report.results if r.outcome is Outcome.ERROR]
    user = next(r for r in report.results if r.check_id == "dockerfile-non-root-user")
    assert user.outcome is Outcome.PASS


def test_an_empty_dockerfile_a_build_names_is_still_an_error(tmp_path: Path) -> None:
    """Compose builds it: the build is broken, which the gate says rather than skipping the file."""
    root = write_tree(
        tmp_path,
        {
            "docker/api.Dockerfile": "",
            "compose.yaml": "services:\n  api:\n    build:\n      context: .\n      dockerfile: docker/api.Dockerfile\n",
            "app.py": "print('hi')\n",
        },
    )
    report = evaluate(root, Config(), offline=True)
    assert not report.skipped
    user = next(r for r in report.results if r.check_id == "dockerfile-non-root-user")
    assert user.outcome is Outcome.ERROR and "docker/api.Dockerfile" in user.summary
