"""Every GitHub API call the action makes, through PyGithub, and nothing else touches the API.

Hygiene: GITHUB_API_URL is the base URL (GitHub Enterprise Server works unchanged); retries are bounded
(GithubRetry: 3 attempts with backoff, secondary rate limits waited out at most `max_wait` seconds);
every request has a timeout; objects are lazy so that a reference costs no request; the token lives
only in PyGithub's auth object and is never formatted into a message. Requests are counted from
PyGithub's own request log, so the count is what went over the wire.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import requests
from github import Auth, Github, GithubException, GithubRetry
from github.IssueComment import IssueComment

GITHUB_ACTIONS_BOT = "github-actions[bot]"
"""Who GITHUB_TOKEN acts as. That token may not read /user (403), so this is its identity then."""
CHECK_RUN_ANNOTATIONS_PER_REQUEST = 50
"""The Checks API takes at most 50 annotations per create/update request."""

_REQUESTER_LOG = "github.Requester"


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
        self._repo = self._gh.get_repo(repository)
        self._login: str | None = None

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
        """The gate's comments on the PR, oldest first: the marker on the first line AND our author."""
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
        return sorted(ours, key=lambda c: c.id)  # ids grow with creation time

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
