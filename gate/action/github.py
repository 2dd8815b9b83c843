"""Every GitHub API call the action makes, through PyGithub, and nothing else touches the API.

Hygiene: GITHUB_API_URL is the base URL (GitHub Enterprise Server works unchanged); retries are bounded
(GithubRetry: 3 attempts with backoff, secondary rate limits waited out at most `max_wait` seconds);
every request has a timeout; objects are lazy so that a reference costs no request; the token lives
only in PyGithub's auth object and is never formatted into a message. Requests are counted from
PyGithub's own request log, so the count is what went over the wire.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import quote

import requests
from github import Auth, Github, GithubException, GithubRetry
from github.IssueComment import IssueComment

from gate.facts.github import CheckState, GitHubFacts

GITHUB_ACTIONS_BOT = "github-actions[bot]"
"""Who GITHUB_TOKEN acts as. That token may not read /user (403), so this is its identity then."""
CHECK_RUN_ANNOTATIONS_PER_REQUEST = 50
"""The Checks API takes at most 50 annotations per create/update request."""

_REQUESTER_LOG = "github.Requester"
_POLL_SECONDS = 10
_ARTIFACT_RUNS = 10
"""How many of the branch's latest successful push runs are searched for the results artifact."""


class ApiProblem(Exception):
    """A call that failed after PyGithub's retries. `permission` names what the token lacks on 403/404."""

    def __init__(self, action: str, status: int | None, detail: str, permission: str | None) -> None:
        self.action, self.status, self.detail, self.permission = action, status, detail, permission
        super().__init__(f"{action}: HTTP {status}: {detail}" if status else f"{action}: {detail}")


@dataclass
class RequestLog(logging.Handler):
    """Counts PyGithub's requests (it logs each one with verb and URL at debug level)."""

    requests: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        logging.Handler.__init__(self, logging.DEBUG)

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 4 and "==>" in str(record.msg):
            self.requests.append((str(args[0]), str(args[3])))

    __hash__ = logging.Handler.__hash__


@contextmanager
def counting_requests() -> Iterator[RequestLog]:
    log = RequestLog()
    logger = logging.getLogger(_REQUESTER_LOG)
    level, propagate = logger.level, logger.propagate
    logger.setLevel(logging.DEBUG)
    logger.propagate = False  # the records carry request headers; they go to the counter, nowhere else
    logger.addHandler(log)
    try:
        yield log
    finally:
        logger.removeHandler(log)
        logger.setLevel(level)
        logger.propagate = propagate


@contextmanager
def _api(action: str, permission: str | None) -> Iterator[None]:
    """Any failure of a call, after PyGithub's retries, as one ApiProblem: an HTTP error (with the
    permission to name on 401/403/404), or a transport one (refused, timed out, 5xx retried out)."""
    try:
        yield
    except GithubException as exc:
        data: Any = exc.data
        detail = data.get("message") if isinstance(data, dict) else None
        needs = permission if exc.status in (401, 403, 404) else None
        raise ApiProblem(action, exc.status, str(detail or exc.__class__.__name__), needs) from None
    except requests.RequestException as exc:
        raise ApiProblem(action, None, exc.__class__.__name__, None) from None


@dataclass(frozen=True)
class CommentOutcome:
    action: str
    """created, edited, unchanged, skipped"""
    url: str | None
    deleted: int = 0


@dataclass(frozen=True)
class Annotation:
    path: str
    start_line: int
    end_line: int
    level: str
    """notice, warning or failure (the Checks API's names)"""
    title: str
    message: str


class GitHubClient:
    def __init__(
        self, token: str, repository: str, api_url: str, *, throttle: bool = True, max_wait: float = 120
    ) -> None:
        retry = GithubRetry(total=3, backoff_factor=1.0, secondary_rate_wait=60, max_rate_limit_wait=max_wait)
        self._gh = Github(
            auth=Auth.Token(token),
            base_url=api_url.rstrip("/"),
            timeout=20,
            per_page=100,
            retry=retry,
            lazy=True,
            seconds_between_requests=0.25 if throttle else None,
            seconds_between_writes=1.0 if throttle else None,
            user_agent="prodgate",
        )
        self._repository = repository
        self._repo = self._gh.get_repo(repository)
        self._login: str | None = None
        self._comments: dict[tuple[int, str], list[IssueComment]] = {}

    def identity(self) -> str:
        """The login comments made with this token carry."""
        if self._login is None:
            try:
                with _api("reading the token's identity", None):
                    self._login = self._gh.get_user().login
            except ApiProblem as exc:
                if exc.status != 403:
                    raise
                self._login = GITHUB_ACTIONS_BOT  # an Actions or app token: /user is not for it
        return self._login

    def own_comments(self, pull_number: int, marker: str) -> list[IssueComment]:
        """The gate's comments on the PR, oldest first: the marker on the first line AND our author.
        Listed once per run (the sign-off record is read from them before they are updated)."""
        if (pull_number, marker) in self._comments:
            return self._comments[(pull_number, marker)]
        me = self.identity()
        with _api("listing the pull request's comments", "pull-requests: read"):
            comments = list(self._repo.get_issue(pull_number).get_comments())
        ours = [
            c
            for c in comments
            if c.user is not None
            and c.user.login == me
            and (c.body or "").split("\n", 1)[0].strip() == marker
        ]
        found = sorted(ours, key=lambda c: c.id)  # ids grow with creation time
        self._comments[(pull_number, marker)] = found
        return found

    def upsert_comment(
        self, pull_number: int, marker: str, body: str, *, create: bool, edit_if: Any = None
    ) -> CommentOutcome:
        """Create the comment once, edit it afterwards, no write when unchanged, duplicates removed.

        `create`: whether a missing comment should be made; `edit_if(old_body) -> bool` decides whether
        an existing one with a different body is edited (default: always)."""
        ours = self.own_comments(pull_number, marker)
        deleted = 0
        for extra in ours[1:]:  # racing runs: keep the oldest, which reviewers may already have linked
            with _api("deleting a duplicate comment", "pull-requests: write"):
                extra.delete()
                deleted += 1
        if not ours:
            if not create:
                return CommentOutcome("skipped", None, deleted)
            with _api("creating the comment", "pull-requests: write"):
                made = self._repo.get_issue(pull_number).create_comment(body)
            return CommentOutcome("created", made.html_url, deleted)
        comment = ours[0]
        if comment.body == body or (edit_if is not None and not edit_if(comment.body or "")):
            return CommentOutcome("unchanged", comment.html_url, deleted)
        with _api("editing the comment", "pull-requests: write"):
            comment.edit(body)
        return CommentOutcome("edited", comment.html_url, deleted)

    def _get_json(self, path: str) -> Any:
        _headers, data = self._gh.requester.requestJsonAndCheck("GET", f"/repos/{self._repository}/{path}")
        return data

    def live_state(
        self,
        branch: str,
        head_sha: str,
        *,
        gate_names: tuple[str, ...],
        reviews_minimum: int | None,
        watch: tuple[str, ...],
        wait_seconds: int,
        run_id: str,
    ) -> GitHubFacts:
        """Branch protection, rulesets and the head commit's checks, each part read only when a check
        that uses it is enabled (None for `reviews_minimum` or an empty `watch` means: not needed)."""
        required: set[str] = set()
        unread: list[str] = []
        protected = False
        try:
            with _api(f"reading branch {branch}", "contents: read"):
                found = self._repo.get_branch(branch)
                protected = bool(found.protected)
                checks = (found.raw_data.get("protection") or {}).get("required_status_checks") or {}
                required.update(checks.get("contexts") or [])
                required.update(c["context"] for c in checks.get("checks") or [] if c.get("context"))
        except ApiProblem as exc:
            unread.append(_note(exc))
        rules_reviews = 0
        try:
            with _api(f"reading the rulesets of {branch}", "metadata: read"):
                for rule in self._get_json(f"rules/branches/{quote(branch, safe='')}") or []:
                    params = rule.get("parameters") or {}
                    if rule.get("type") == "required_status_checks":
                        required.update(c["context"] for c in params.get("required_status_checks") or [])
                    elif rule.get("type") == "pull_request":
                        rules_reviews = max(
                            rules_reviews, int(params.get("required_approving_review_count") or 0)
                        )
        except ApiProblem as exc:
            unread.append(_note(exc))
            rules_reviews = -1
        facts: dict[str, Any] = {"available": True, "reason": "", "branch": branch, "gate_names": gate_names}
        if set(gate_names) & required or not unread:
            facts["required_checks"] = tuple(sorted(required))
        else:
            facts["required_checks_note"] = (
                f"The branch's required checks could not all be read: {'; '.join(unread)}."
            )
        if reviews_minimum is not None:
            facts |= self._reviews(branch, protected, rules_reviews, reviews_minimum)
        if watch:
            facts |= self._checks(head_sha, watch, wait_seconds, run_id)
        return GitHubFacts.model_validate(facts)

    def _reviews(self, branch: str, protected: bool, from_rules: int, minimum: int) -> dict[str, Any]:
        if from_rules >= minimum:
            return {"required_reviews": from_rules}  # enough whatever classic protection adds
        if from_rules < 0:
            return {"reviews_note": "The branch's rulesets could not be read (needs metadata: read)."}
        if not protected:
            return {"required_reviews": from_rules}
        if self.identity() == GITHUB_ACTIONS_BOT:
            # classic protection's review settings need administration: read, which an Actions token
            # never has: asking would only cost a request and a 403
            return {
                "reviews_note": "Classic branch protection is on; its review settings need a token with "
                "administration: read (a fine-grained token or an app), which GITHUB_TOKEN cannot have."
            }
        try:
            with _api(f"reading the protection of {branch}", "administration: read"):
                data = self._get_json(f"branches/{quote(branch, safe='')}/protection")
        except ApiProblem as exc:
            if exc.status == 404:
                return {"required_reviews": from_rules}
            return {"reviews_note": f"Classic branch protection could not be read: {_note(exc)}."}
        reviews = data.get("required_pull_request_reviews") or {}
        return {"required_reviews": max(from_rules, int(reviews.get("required_approving_review_count") or 0))}

    def _checks(self, sha: str, watch: tuple[str, ...], wait_seconds: int, run_id: str) -> dict[str, Any]:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                states = self._head_checks(sha, run_id)
            except ApiProblem as exc:
                return {
                    "head_sha": sha,
                    "checks_note": f"The head commit's checks could not be read: {_note(exc)}.",
                }
            waiting = [
                c for c in states if c.status != "completed" and any(fnmatchcase(c.name, p) for p in watch)
            ]
            if not waiting or time.monotonic() + _POLL_SECONDS > deadline:
                return {"head_sha": sha, "checks": tuple(states)}
            time.sleep(_POLL_SECONDS)

    def _head_checks(self, sha: str, run_id: str) -> list[CheckState]:
        commit = self._repo.get_commit(sha)
        states: list[CheckState] = []
        own_run = f"/actions/runs/{run_id}/"
        with _api("reading the head commit's check runs", "checks: read"):
            for run in commit.get_check_runs():
                if run.status != "completed" and own_run in (run.details_url or ""):
                    continue  # a job of this very workflow run, the gate's own among them
                states.append(
                    CheckState(
                        name=run.name,
                        kind="check_run",
                        status=run.status,
                        conclusion=run.conclusion,
                        url=run.html_url,
                    )
                )
        with _api("reading the head commit's statuses", "statuses: read"):
            for status in commit.get_combined_status().statuses:
                done = status.state != "pending"
                states.append(
                    CheckState(
                        name=status.context,
                        kind="status",
                        status="completed" if done else "in_progress",
                        conclusion=status.state if done else None,
                        url=status.target_url,
                    )
                )
        return states

    def file_at(self, path: str, ref: str) -> str | None:
        """A file's text at a commit, through the contents API; None when it is not there."""
        try:
            with _api(f"reading {path} at {ref[:7]}", "contents: read"):
                found = self._repo.get_contents(path, ref=ref)
        except ApiProblem as exc:
            if exc.status == 404:
                return None
            raise
        if isinstance(found, list) or found.type != "file":
            return None
        return found.decoded_content.decode("utf-8", "replace")

    def permission(self, login: str) -> str:
        """The person's permission on the repository: admin, maintain, write, triage, read or none."""
        try:
            with _api(f"reading {login}'s permission", "metadata: read"):
                return str(self._repo.get_collaborator_permission(login))
        except ApiProblem as exc:
            if exc.status == 404:
                return "none"  # not a collaborator
            raise

    def edit_comment(self, comment: IssueComment, body: str) -> None:
        with _api("editing the comment", "pull-requests: write"):
            comment.edit(body)

    def latest_artifact(self, branch: str, name: str, max_bytes: int) -> tuple[bytes, int] | None:
        """The newest unexpired artifact called `name` among the last successful push runs on the
        branch, downloaded (bounded) through PyGithub, with its run id; None when there is none."""
        with _api(f"looking for the {name} artifact of {branch}", "actions: read"):
            runs = self._repo.get_workflow_runs(branch=branch, event="push", status="success")  # type: ignore[arg-type]
            for i, run in enumerate(runs):
                if i >= _ARTIFACT_RUNS:
                    break
                for artifact in run.get_artifacts():
                    if artifact.name != name or artifact.expired or artifact.size_in_bytes > max_bytes:
                        continue
                    _status, _headers, chunks = self._gh.requester.getStream(
                        artifact.archive_download_url, chunk_size=65536
                    )
                    data = bytearray()
                    for chunk in chunks:
                        data.extend(chunk)
                        if len(data) > max_bytes:
                            return None
                    return bytes(data), run.id
        return None

    def pull_head_sha(self, number: int) -> str:
        with _api(f"reading pull request #{number}", "pull-requests: read"):
            return str(self._repo.get_pull(number).head.sha)

    def commit_status(self, sha: str, *, state: str, description: str, context: str, target_url: str) -> None:
        with _api("setting the commit status", "statuses: write"):
            self._repo.get_commit(sha).create_status(
                state=state, description=description, context=context, target_url=target_url
            )

    def check_run(
        self,
        sha: str,
        *,
        name: str,
        conclusion: str,
        title: str,
        summary: str,
        text: str,
        details_url: str,
        annotations: Sequence[Annotation],
    ) -> str:
        """A completed check run; annotations sent in batches of 50 (the first with the create call)."""
        batches = [
            annotations[i : i + CHECK_RUN_ANNOTATIONS_PER_REQUEST]
            for i in range(0, len(annotations), CHECK_RUN_ANNOTATIONS_PER_REQUEST)
        ] or [[]]
        with _api("creating the check run", "checks: write"):
            run = self._repo.create_check_run(
                name=name,
                head_sha=sha,
                status="completed",
                conclusion=conclusion,
                details_url=details_url,
                output=_output(title, summary, text, batches[0]),
            )
            for batch in batches[1:]:
                run.edit(output=_output(title, summary, text, batch))
        return str(run.html_url)


def _note(exc: ApiProblem) -> str:
    return f"{exc} (needs permissions: {exc.permission})" if exc.permission else str(exc)


def _output(title: str, summary: str, text: str, batch: Sequence[Annotation]) -> dict[str, Any]:
    out: dict[str, Any] = {"title": title, "summary": summary}
    if text:
        out["text"] = text
    if batch:
        out["annotations"] = [
            {
                "path": a.path,
                "start_line": a.start_line,
                "end_line": a.end_line,
                "annotation_level": a.level,
                "title": a.title,
                "message": a.message,
            }
            for a in batch
        ]
    return out
