"""On pull requests the gate's config comes from the base branch: a PR cannot weaken the gate judging it."""

from __future__ import annotations

import json

from tests.action.conftest import Actions, payload
from tests.conftest import git
from tests.github_fake import FakeGitHub

ROOT_DOCKERFILE = 'FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nCMD ["uvicorn", "app.main:app"]\n'
WEAKENED = """\
checks:
  model-metrics-meet-floors:
    options:
      floors:
        - {metric: roc_auc, min: 0.50}
  no-print-in-service: {enabled: false}
waivers:
  - check: dockerfile-non-root-user
    reason: we will fix it later
    owner: the-pr-author
    expires: 2027-01-15
"""


def test_a_pr_that_waives_its_own_failure_still_fails_and_the_comment_says_why(
    actions: Actions, github: FakeGitHub
) -> None:
    actions.base_sha = git(actions.workspace, "rev-parse", "HEAD").strip()
    actions.commit({"Dockerfile": ROOT_DOCKERFILE, ".github/prodgate.yml": WEAKENED}, "the PR")
    run = actions.run("pull_request", payload("pull_request", "opened"))
    assert run.code == 1
    assert "dockerfile-non-root-user" in run.outputs["failed_checks"]
    body = github.comments[0]["body"]
    assert "This pull request changes the gate's own config" in body
    assert "waiver added for dockerfile-non-root-user" in body
    assert "check no-print-in-service disabled" in body
    assert "model-metrics-meet-floors options changed" in body.replace("\\", "")
    assert "local clone" in body
    assert "2 new failures," in body and "`dockerfile-non-root-user`" in body.split("New:")[1].split("\n")[0]
    assert not any("/contents/" in p for _, p, _ in github.requests), "the base commit was in the clone"


def test_a_shallow_clone_reads_the_base_config_through_the_contents_api(
    actions: Actions, github: FakeGitHub
) -> None:
    base_config = (actions.workspace / ".github" / "prodgate.yml").read_text()
    actions.commit({"Dockerfile": ROOT_DOCKERFILE, ".github/prodgate.yml": WEAKENED}, "the PR")
    actions.base_sha = "b" * 40  # not in this clone, as with actions/checkout's default fetch-depth: 1
    github.files_at[(".github/prodgate.yml", "b" * 40)] = base_config
    run = actions.run("pull_request", payload("pull_request", "opened"))
    assert run.code == 1
    assert ("GET", "/repos/Codertocat/Hello-World/contents/.github/prodgate.yml") in [
        (m, p) for m, p, _ in github.requests
    ]
    assert "contents API" in github.comments[0]["body"]


def test_trust_pr_config_in_the_base_lets_the_pr_config_apply(actions: Actions, github: FakeGitHub) -> None:
    actions.commit({".github/prodgate.yml": "trust_pr_config: true\n"}, "trust PR configs")
    actions.base_sha = git(actions.workspace, "rev-parse", "HEAD").strip()
    actions.commit({"Dockerfile": ROOT_DOCKERFILE, ".github/prodgate.yml": WEAKENED}, "the PR")
    run = actions.run("pull_request", payload("pull_request", "opened"))
    assert "dockerfile-non-root-user" not in run.outputs["failed_checks"]
    assert "waived" in github.comments[0]["body"]


def test_an_unreadable_base_config_uses_the_prs_and_warns(actions: Actions, github: FakeGitHub) -> None:
    actions.base_sha = "c" * 40
    github.fail("GET", r"/contents/", 403, times=5)
    run = actions.run("pull_request", payload("pull_request", "opened"))
    assert run.code == 0
    assert "could not read the base branch's config" in run.out
    assert "base branch's config could not be read" in github.comments[0]["body"]


def _zip(files: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_shallow_clone_takes_the_baseline_from_the_base_branchs_results_artifact(
    actions: Actions, github: FakeGitHub
) -> None:
    # the base branch's last push run left its result: a not-ready service, failing much
    actions.use("not-ready-service")
    actions.run("push", payload("push"), publish="no")
    base_result = (actions.workspace / "prodgate-result.json").read_bytes()
    github.runs = [
        {
            "id": 77,
            "branch": "master",
            "head_sha": "e" * 40,
            "artifacts": [("prodgate-result", _zip({"prodgate-result.json": base_result}))],
        }
    ]
    actions.use("ready-service")
    config = (actions.workspace / ".github" / "prodgate.yml").read_text()
    actions.base_sha = "f" * 40  # not in this clone
    github.files_at[(".github/prodgate.yml", "f" * 40)] = config
    run = actions.run("pull_request", payload("pull_request", "opened"))
    assert run.code == 0
    result = json.loads((actions.workspace / "prodgate-result.json").read_text())
    baseline = result["report"]["baseline"]
    assert baseline["source"] == "the prodgate-result artifact of run 77 on master"
    assert "dockerfile-non-root-user" in baseline["fixed"] and baseline["unavailable"] == ""
    assert "prodgate-result artifact of run 77" in github.comments[0]["body"]


def test_a_broken_artifact_means_no_baseline_said_plainly(actions: Actions, github: FakeGitHub) -> None:
    github.runs = [
        {"id": 78, "branch": "master", "head_sha": "e" * 40, "artifacts": [("prodgate-result", b"not a zip")]}
    ]
    actions.base_sha = "f" * 40
    github.files_at[(".github/prodgate.yml", "f" * 40)] = (
        actions.workspace / ".github" / "prodgate.yml"
    ).read_text()
    actions.run("pull_request", payload("pull_request", "opened"))
    result = json.loads((actions.workspace / "prodgate-result.json").read_text())
    assert "not a readable zip" in result["report"]["baseline"]["unavailable"]


def test_a_prs_own_osv_url_is_never_used(actions: Actions, github: FakeGitHub) -> None:
    """Where the audit sends the package list, and whose answers it believes, is not the PR's choice."""
    actions.commit(
        {".github/prodgate.yml": "vulnerabilities:\n  osv_url: https://osv.attacker.example/v1/query\n"}, "PR"
    )
    actions.base_sha = "c" * 40
    github.fail("GET", r"/contents/", 403, times=5)
    actions.run("pull_request", payload("pull_request", "opened"))
    assert "osv_url is ignored" in github.comments[0]["body"].replace("\\_", "_")
