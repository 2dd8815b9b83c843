"""The real image, run the way the runner runs a Docker action, against the loopback fake GitHub.

`.ci/run` builds the image from the Dockerfile (on a locally made base) and names it in PRODGATE_IMAGE;
without that variable (a laptop without Docker) these tests are skipped, and CI fails if they are.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.action.conftest import TOKEN, parse_outputs, payload
from tests.conftest import ROOT, git
from tests.github_fake import REPO, FakeGitHub

IMAGE = os.environ.get("PRODGATE_IMAGE", "")
pytestmark = pytest.mark.skipif(not IMAGE, reason="PRODGATE_IMAGE is not set (.ci/run builds the image)")


@pytest.fixture
def runner_dirs() -> Iterator[Path]:
    # pytest's tmp_path is private to root (0700); the container runs as uid 1001 like the hosted runner
    base = Path(tempfile.mkdtemp(prefix="prodgate-runner-"))
    try:
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _open_up(path: Path) -> None:
    for p in [path, *path.rglob("*")]:
        p.chmod(0o777 if p.is_dir() else 0o666)


def run_image(
    base: Path, fake: FakeGitHub, example: str, event: str, body: dict[str, object], **inputs: str
) -> tuple[subprocess.CompletedProcess[str], dict[str, str], str]:
    workspace = base / "workspace"
    if workspace.exists():
        shutil.rmtree(workspace)
    shutil.copytree(ROOT / "examples" / example, workspace)
    git(workspace, "init", "-q", "-b", "main")
    git(workspace, "add", "-A", "-f")
    git(workspace, "commit", "-q", "-m", example)
    commands = base / "file_commands"
    commands.mkdir(exist_ok=True)
    (commands / "output").write_text("")
    (commands / "summary").write_text("")
    workflow = base / "workflow"
    workflow.mkdir(exist_ok=True)
    (workflow / "event.json").write_text(json.dumps(body))
    _open_up(base)
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": event,
        "GITHUB_EVENT_PATH": "/github/workflow/event.json",
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_API_URL": fake.url,
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_SHA": "a" * 40,
        "GITHUB_WORKSPACE": "/github/workspace",
        "GITHUB_RUN_ID": "7",
        "GITHUB_OUTPUT": "/github/file_commands/output",
        "GITHUB_STEP_SUMMARY": "/github/file_commands/summary",
        "HOME": "/github/home",
        "INPUT_GITHUB_TOKEN": TOKEN,
        "PRODGATE_OSV_URL": os.environ.get("PRODGATE_OSV_URL", ""),
        **{f"INPUT_{k.upper()}": v for k, v in inputs.items()},
    }
    (base / "home").mkdir(exist_ok=True)
    (base / "home").chmod(0o777)
    args = ["docker", "run", "--rm", "--network=host", "--workdir", "/github/workspace"]
    for src, dst in (
        ("workspace", "workspace"),
        ("file_commands", "file_commands"),
        ("workflow", "workflow"),
    ):
        args += ["-v", f"{base / src}:/github/{dst}"]
    args += ["-v", f"{base / 'home'}:/github/home"]
    for key in env:
        args += ["-e", key]
    proc = subprocess.run(
        [*args, IMAGE], env={**os.environ, **env}, capture_output=True, text=True, timeout=600, check=False
    )
    outputs = parse_outputs((commands / "output").read_text())
    return proc, outputs, (commands / "summary").read_text()


def test_the_image_gates_a_pull_request(runner_dirs: Path, github: FakeGitHub) -> None:
    body = payload("pull_request", "opened")
    proc, outputs, summary = run_image(
        runner_dirs, github, "not-ready-service", "pull_request", body, status_mode="commit_status"
    )
    assert proc.returncode == 1, proc.stderr + proc.stdout
    assert "Traceback" not in proc.stderr
    assert outputs["result"] == "fail"
    assert "no-print-in-service" in json.loads(outputs["failed_checks"])
    [comment] = github.comments
    assert comment["body"].startswith("<!-- prodgate:default -->")
    assert outputs["comment_url"] == comment["html_url"]
    [status] = github.statuses
    assert status["state"] == "failure" and status["sha"] == body["pull_request"]["head"]["sha"]
    assert "not ready for production" in summary
    assert TOKEN not in proc.stdout + proc.stderr


def test_the_image_passes_a_ready_service_and_a_rerun_writes_nothing(
    runner_dirs: Path, github: FakeGitHub
) -> None:
    body = payload("pull_request", "synchronize")
    first, outputs, _ = run_image(runner_dirs, github, "ready-service", "pull_request", body)
    assert first.returncode == 0, first.stderr + first.stdout
    assert outputs["result"] == "pass"
    result = json.loads((runner_dirs / "workspace" / outputs["report_path"]).read_text())
    [audit] = [
        r for r in result["report"]["results"] if r["check_id"] == "dependencies-no-known-vulnerabilities"
    ]
    assert audit["outcome"] == "pass", "the real pip-audit ran inside the image against the loopback OSV"
    writes = github.writes()
    again, _, _ = run_image(runner_dirs, github, "ready-service", "pull_request", body)
    assert again.returncode == 0
    assert github.writes() == writes and len(github.comments) == 1


def test_the_image_is_small_runs_as_non_root_and_has_no_compiler() -> None:
    size = int(
        subprocess.run(
            ["docker", "image", "inspect", IMAGE, "--format", "{{.Size}}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    # 200 MB of Python and dependencies, and up to 25 MB of compiled bytecode: without it every run
    # compiled what it imported (a small check took 1.7 s in the image, 0.9 s with it)
    assert size <= 225_000_000, f"{size / 1e6:.0f} MB"
    probe = subprocess.run(
        ["docker", "run", "--rm", "--entrypoint", "sh", IMAGE, "-c",
         "id -u; command -v gcc cc || true; ls /opt/prodgate/templates | wc -l"],
        capture_output=True,
        text=True,
        check=True,
    )  # fmt: skip
    # every template is compiled at build time (60 ms of each run otherwise)
    templates = len(list((ROOT / "templates").rglob("*.j2")))
    assert probe.stdout.split() == ["1001", str(templates)]


def test_the_image_reads_the_newest_grammar(runner_dirs: Path) -> None:
    """The gate judges syntax with its own interpreter: the image's must read what projects now write
    (PEP 695 type aliases and generics, PEP 701 f-strings: 3.12), or those files are not judged."""
    repo = runner_dirs / "repo"
    repo.mkdir()
    (repo / "vectors.py").write_text(
        'type Vector = list[float]\n\ndef first[T](xs: list[T]) -> T:\n    return xs[0]\n\nLABEL = f"{"x"}"\n'
    )
    (repo / "pyproject.toml").write_text('[project]\nname = "svc"\nrequires-python = ">=3.12"\n')
    _open_up(runner_dirs)
    proc = subprocess.run(
        ["docker", "run", "--rm", "-v", f"{repo}:/repo:ro", "--entrypoint", "prodgate", IMAGE,
         "check", "/repo", "--format", "json", "--offline"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    report = json.loads(proc.stdout)
    [syntax] = [r for r in report["results"] if r["check_id"] == "python-syntax-valid"]
    assert syntax["outcome"] == "pass", syntax["summary"]
