"""Action tests: the real `prodgate action` code path, real PyGithub over HTTP to a loopback fake GitHub,
real webhook payloads from @octokit/webhooks-examples, and real git workspaces."""

from __future__ import annotations

import copy
import io
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from gate.action.run import run_action
from tests.conftest import ROOT, git, write_tree
from tests.github_fake import REPO, FakeGitHub, serve

NPM = ROOT / "tests" / "npm" / "node_modules"
EXAMPLES = NPM / "@octokit" / "webhooks-examples" / "api.github.com" / "index.json"
# a made-up token for the loopback fake; the tests check that it is never printed
TOKEN = "ghs_prodgateTestTokenThatMustNeverBePrinted0001"  # noqa: S105 prodgate: ignore[no-hardcoded-secrets] made up for the fake


@cache
def _examples() -> dict[str, list[dict[str, Any]]]:
    if not EXAMPLES.is_file():
        pytest.fail(
            f"{EXAMPLES} is missing: run `npm ci --prefix tests/npm` (the README's test command does)"
        )
    return {e["name"]: e["examples"] for e in json.loads(EXAMPLES.read_text(encoding="utf-8"))}


def payload(event: str, action: str | None = None) -> dict[str, Any]:
    """A real example payload for the event (and action), copied so a test may change it."""
    for example in _examples()[event]:
        if action is None or example.get("action") == action:
            return copy.deepcopy(example)
    raise LookupError(f"no {event} example with action {action}")


@dataclass
class Run:
    code: int
    out: str
    outputs: dict[str, str]
    summary: str


@dataclass
class Actions:
    """One simulated runner: a workspace, an event file, the GITHUB_* and INPUT_* variables."""

    fake: FakeGitHub
    tmp: Path
    workspace: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    base_sha: str | None = None
    """the pull request's base commit; by default the workspace's HEAD (its config is the trusted one)"""

    def use(self, example: str) -> None:
        """Make the workspace a git checkout of an example service (replacing what was there)."""
        if self.workspace.exists():
            shutil.rmtree(self.workspace)
        shutil.copytree(ROOT / "examples" / example, self.workspace)
        git(self.workspace, "init", "-q", "-b", "main")
        git(self.workspace, "add", "-A", "-f")
        git(self.workspace, "commit", "-q", "-m", example)

    def commit(self, files: dict[str, str], message: str = "change") -> str:
        """Write and commit files in the workspace; returns the new HEAD."""
        write_tree(self.workspace, files)
        git(self.workspace, "add", "-A", "-f")
        git(self.workspace, "commit", "-q", "-m", message)
        return git(self.workspace, "rev-parse", "HEAD").strip()

    def env(self, event: str, body: dict[str, Any], **inputs: str) -> dict[str, str]:
        if isinstance(body.get("pull_request"), dict) and (self.workspace / ".git").exists():
            body = copy.deepcopy(body)
            body["pull_request"]["base"]["sha"] = (
                self.base_sha or git(self.workspace, "rev-parse", "HEAD").strip()
            )
        event_file = self.tmp / f"event-{event}.json"
        event_file.write_text(json.dumps(body), encoding="utf-8")
        (self.tmp / "runner").mkdir(exist_ok=True)
        output = self.tmp / "runner" / "output"
        summary = self.tmp / "runner" / "summary"
        output.write_text("")
        summary.write_text("")
        env = {
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_NAME": event,
            "GITHUB_EVENT_PATH": str(event_file),
            "GITHUB_REPOSITORY": REPO,
            "GITHUB_API_URL": self.fake.url,
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_SHA": "a" * 40,
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_RUN_ID": "4242",
            "GITHUB_JOB": "gate",
            "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(summary),
            "INPUT_GITHUB_TOKEN": TOKEN,
            "INPUT_OFFLINE": "true",
        }
        env.update({f"INPUT_{k.upper()}": v for k, v in inputs.items()})
        return env

    def run(self, event: str, body: dict[str, Any], **inputs: str) -> Run:
        env = self.env(event, body, **inputs) | self.extra_env
        out = io.StringIO()
        code = run_action(env, out, throttle=False)
        return Run(
            code,
            out.getvalue(),
            parse_outputs(Path(env["GITHUB_OUTPUT"]).read_text(encoding="utf-8")),
            Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8"),
        )


def parse_outputs(text: str) -> dict[str, str]:
    """GITHUB_OUTPUT's multi-line form, parsed the way the runner does."""
    outputs: dict[str, str] = {}
    lines = iter(text.split("\n"))
    for line in lines:
        if not line:
            continue
        name, sep, delimiter = line.partition("<<")
        assert sep, f"not the delimiter form: {line!r}"
        value = []
        for inner in lines:
            if inner == delimiter:
                break
            value.append(inner)
        else:
            raise AssertionError(f"delimiter {delimiter} never closes {name}")
        outputs[name] = "\n".join(value)
    return outputs


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    yield from serve()


@pytest.fixture
def actions(github: FakeGitHub, tmp_path: Path) -> Actions:
    a = Actions(github, tmp_path, tmp_path / "workspace")
    a.use("ready-service")
    return a
