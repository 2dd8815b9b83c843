"""What run this is: the standard Actions environment and the event payload, read once and checked.

Only the fields the gate uses are read from the payload, each with a clear message when missing, so a
trimmed or unexpected payload gives one line naming the field rather than a KeyError.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from gate.errors import InputProblem
from gate.lazyre import lazy
from gate.model import Frozen


class ContextError(InputProblem):
    pass


class Target(Frozen):
    """Where results go: the pull request to comment on (if any) and the commit the status belongs to."""

    pull_number: int | None
    sha: str
    """the PR's HEAD commit (never the merge commit GITHUB_SHA points at), or the pushed/queued commit"""
    base_ref: str | None = None
    base_sha: str | None = None
    """the base branch's commit the pull request was opened against (the trusted config lives there)"""
    fork: bool = False


_ACTION_REPO = lazy(r"[\w.-]+/[\w.-]+")
_ACTION_REF = lazy(r"[\w.-]+(/[\w.-]+)*")


class RunContext(Frozen):
    event_name: str
    repository: str
    api_url: str
    server_url: str
    sha: str
    workspace: Path
    run_id: str
    job: str
    workflow_ref: str = ""
    run_attempt: str = "1"
    """owner/repo/.github/workflows/FILE@REF: which workflow file this job comes from"""
    output_file: Path | None
    summary_file: Path | None
    target: Target
    default_branch: str | None
    payload_keys: tuple[str, ...] = ()
    action_repository: str = ""
    """owner/name of the prodgate action that runs (GITHUB_ACTION_REPOSITORY), for links to its docs"""
    action_ref: str = ""

    @property
    def run(self) -> tuple[int, int]:
        """(run id, attempt): which run is newer, for comments written by runs that overlap."""
        ident = int(self.run_id) if self.run_id.isdigit() else 0
        attempt = int(self.run_attempt) if self.run_attempt.isdigit() else 1
        return ident, attempt

    @property
    def docs_base(self) -> str:
        """The check docs of the prodgate version that runs; empty when the runner does not say which."""
        if _ACTION_REPO.fullmatch(self.action_repository) and _ACTION_REF.fullmatch(self.action_ref):
            return f"{self.server_url}/{self.action_repository}/blob/{self.action_ref}/docs/checks"
        return ""

    @property
    def run_url(self) -> str:
        return f"{self.server_url}/{self.repository}/actions/runs/{self.run_id}"

    def job_check_names(self) -> tuple[str, ...]:
        """The names this job's check run can carry: its `name:` from the workflow file when it is a
        plain string, and its id (what GitHub uses when there is no name)."""
        if not self.job:
            return ()
        names = [self.job]
        path = self.workflow_ref.split("@", 1)[0].split("/", 2)[-1] if self.workflow_ref else ""
        if path.startswith(".github/workflows/"):
            try:
                doc = yaml.safe_load((self.workspace / path).read_text(encoding="utf-8"))
                name = doc["jobs"][self.job]["name"]
            except (OSError, yaml.YAMLError, KeyError, TypeError, UnicodeDecodeError):
                name = None
            if isinstance(name, str) and "${{" not in name:
                names.insert(0, name)
        return tuple(names)

    @property
    def comments_allowed(self) -> bool:
        return self.target.pull_number is not None


def _get(payload: Mapping[str, Any], dotted: str, event: str) -> Any:
    node: Any = payload
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise ContextError(f"{event} event payload has no {dotted}")
        node = node[part]
    return node


def _repo_name(node: Any) -> str | None:
    return node.get("full_name") if isinstance(node, Mapping) else None


def target_of(event: str, payload: Mapping[str, Any], sha: str) -> Target:
    if event in ("pull_request", "pull_request_target", "pull_request_review"):
        pr = _get(payload, "pull_request", event)
        number = _get(payload, "pull_request.number", event)
        head_sha = _get(payload, "pull_request.head.sha", event)
        base_ref = _get(payload, "pull_request.base.ref", event)
        head_repo = _repo_name(pr.get("head", {}).get("repo"))
        base_repo = _repo_name(pr.get("base", {}).get("repo"))
        # a deleted fork leaves head.repo null: still not this repository
        fork = head_repo != base_repo
        if not isinstance(number, int) or not isinstance(head_sha, str):
            raise ContextError(f"{event} event payload: pull_request.number or head.sha has the wrong type")
        base_sha = pr.get("base", {}).get("sha")
        return Target(
            pull_number=number,
            sha=head_sha,
            base_ref=str(base_ref),
            base_sha=base_sha if isinstance(base_sha, str) else None,
            fork=fork,
        )
    if event == "merge_group":
        head_sha = _get(payload, "merge_group.head_sha", event)
        base_ref = _get(payload, "merge_group.base_ref", event)
        return Target(pull_number=None, sha=str(head_sha), base_ref=str(base_ref).removeprefix("refs/heads/"))
    if event == "push":
        after = payload.get("after")
        # a deleted branch pushes "after": 40 zeros; there is no commit to put a status on but GITHUB_SHA
        return Target(pull_number=None, sha=str(after) if after and str(after).strip("0") else sha)
    if event == "issue_comment":
        issue = _get(payload, "issue", event)
        number = issue.get("number") if isinstance(issue, Mapping) and "pull_request" in issue else None
        return Target(pull_number=number if isinstance(number, int) else None, sha=sha)
    if event == "workflow_run":
        head_sha = _get(payload, "workflow_run.head_sha", event)
        return Target(pull_number=None, sha=str(head_sha))
    return Target(pull_number=None, sha=sha)


def read_context(environ: Mapping[str, str]) -> tuple[RunContext, dict[str, Any]]:
    def need(name: str) -> str:
        value = environ.get(name, "")
        if not value:
            raise ContextError(f"{name} is not set: `prodgate action` runs inside GitHub Actions")
        return value

    event = need("GITHUB_EVENT_NAME")
    repository = need("GITHUB_REPOSITORY")
    if repository.count("/") != 1:
        raise ContextError(f"GITHUB_REPOSITORY {repository!r} is not owner/name")
    sha = need("GITHUB_SHA")
    event_path = Path(need("GITHUB_EVENT_PATH"))
    try:
        payload = json.loads(event_path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ContextError(f"{event_path}: cannot read the event payload: {exc.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", 1)
        raise ContextError(f"{event_path}:{line}: the event payload is not JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise ContextError(f"{event_path}: the event payload is not a JSON object")
    repo_node = payload.get("repository")
    default_branch = repo_node.get("default_branch") if isinstance(repo_node, dict) else None
    output = environ.get("GITHUB_OUTPUT")
    summary = environ.get("GITHUB_STEP_SUMMARY")
    context = RunContext(
        event_name=event,
        repository=repository,
        api_url=environ.get("GITHUB_API_URL") or "https://api.github.com",
        server_url=environ.get("GITHUB_SERVER_URL") or "https://github.com",
        sha=sha,
        workspace=Path(environ.get("GITHUB_WORKSPACE") or "."),
        run_id=environ.get("GITHUB_RUN_ID", "0"),
        run_attempt=environ.get("GITHUB_RUN_ATTEMPT", "1"),
        job=environ.get("GITHUB_JOB", ""),
        workflow_ref=environ.get("GITHUB_WORKFLOW_REF", ""),
        output_file=Path(output) if output else None,
        summary_file=Path(summary) if summary else None,
        target=target_of(event, payload, sha),
        default_branch=default_branch if isinstance(default_branch, str) else None,
        payload_keys=tuple(sorted(payload)),
        action_repository=environ.get("GITHUB_ACTION_REPOSITORY", ""),
        action_ref=environ.get("GITHUB_ACTION_REF", ""),
    )
    return context, payload
