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
from typing import Any, Self
from urllib.parse import quote

import msgspec
import requests
from github import Auth, Github, GithubException, GithubRetry
from github.IssueComment import IssueComment
from urllib3.util.retry import Retry

from gate.facts.github import CheckState, GitHubFacts, WorkflowRunState
from gate.lazyre import lazy

GITHUB_ACTIONS_BOT = "github-actions[bot]"
_RUNS_PAGE = 100
"""Runs read per event for the drill checks: the API's largest page."""
"""Who GITHUB_TOKEN acts as. That token may not read /user (403), so this is its identity then."""
CHECK_RUN_ANNOTATIONS_PER_REQUEST = 50
"""The Checks API takes at most 50 annotations per create/update request."""

_REQUESTER_LOG = "github.Requester"
_IDENTITY_ATTEMPTS = 3
_RUN_PREFIX = "<!-- prodgate-run:"


def run_line(run: tuple[int, int]) -> str:
    """The hidden line that says which workflow run (id, attempt) wrote a comment."""
    return f"{_RUN_PREFIX}{run[0]}.{run[1]} -->"


def run_in(body: str) -> tuple[int, int] | None:
    for line in body.splitlines()[:4]:
        if line.startswith(_RUN_PREFIX):
            ident, _, attempt = line[len(_RUN_PREFIX) :].removesuffix("-->").strip().partition(".")
            if ident.isdigit() and attempt.isdigit():
                return int(ident), int(attempt)
    return None


_RUN_LINK = lazy(r"\[full report\]\([^)\s]*\)")


def without_run(body: str) -> str:
    """The body without what differs from run to run for the same result: the hidden run line, and the
    link to the run's own job summary (an unchanged rerun must not edit the comment)."""
    kept = "\n".join(line for line in body.split("\n") if not line.startswith(_RUN_PREFIX))
    return _RUN_LINK.sub("[full report]()", kept)


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


class CommentOutcome(msgspec.Struct, frozen=True):
    action: str
    """created, edited, unchanged, skipped"""
    url: str | None
    deleted: int = 0


class Annotation(msgspec.Struct, frozen=True):
    path: str
    start_line: int
    end_line: int
    level: str
    """notice, warning or failure (the Checks API's names)"""
    title: str
    message: str


class BoundedRetry(GithubRetry):
    """PyGithub's retry, with the bounds the docs promise:
    - a `Retry-After` longer than `max_wait` is not slept: the call fails at once, naming the wait, and
      the caller says what it skipped (urllib3 would otherwise sleep whatever the server asks);
    - PATCH is retried (an edit is idempotent: a single 500 must not leave an old verdict in place);
    - POST is retried only when rate-limited (403/429: the request was refused, not processed); after a
      5xx or a lost response it may have been created, so the caller looks before creating again."""

    def __init__(self, *, max_wait: float = 120, **kwargs: Any) -> None:
        kwargs.pop("max_rate_limit_wait", None)
        kwargs.setdefault("allowed_methods", Retry.DEFAULT_ALLOWED_METHODS | {"GET", "PATCH"})
        kwargs.setdefault("status_forcelist", [*range(500, 600), 429])
        super().__init__(max_rate_limit_wait=max_wait, **kwargs)
        self.max_wait = max_wait

    def new(self, **kw: Any) -> Self:
        kw["max_wait"] = self.max_wait
        return super().new(**kw)

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if method.upper() == "POST":
            return status_code in (403, 429) and self.total is not None and self.total > 0
        return bool(super().is_retry(method, status_code, has_retry_after))

    def increment(  # type: ignore[override]
        self,
        method: str | None = None,
        url: str | None = None,
        response: Any = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> Retry:
        value = response.headers.get("Retry-After") if response is not None else None
        if value:
            wait = self.parse_retry_after(value)
            if wait > self.max_wait:
                raise GithubException(
                    response.status,
                    {
                        "message": f"GitHub asked to wait {wait:.0f} s, over the {self.max_wait:.0f} s bound; not waited"
                    },
                    dict(response.headers),
                )
        return super().increment(method, url, response, error, _pool, _stacktrace)


class GitHubClient:
    def __init__(
        self, token: str, repository: str, api_url: str, *, throttle: bool = True, max_wait: float = 120
    ) -> None:
        retry = BoundedRetry(total=3, backoff_factor=1.0, secondary_rate_wait=60, max_wait=max_wait)
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
        """The login comments made with this token carry.

        GITHUB_TOKEN may not read /user: GitHub answers 403 "Resource not accessible by integration", and
        the identity is then github-actions[bot]. Any other 403 (a rate limit, a hiccup) is asked again
        before concluding anything: taking a PAT's comment for someone else's would post a second one."""
        if self._login is not None:
            return self._login
        for attempt in range(_IDENTITY_ATTEMPTS):
            try:
                with _api("reading the token's identity", None):
                    self._login = self._gh.get_user().login
                return self._login
            except ApiProblem as exc:
                if exc.status != 403:
                    raise
                if "not accessible by integration" in exc.detail or attempt == _IDENTITY_ATTEMPTS - 1:
                    self._login = GITHUB_ACTIONS_BOT  # an Actions or app token: /user is not for it
                    return self._login
                time.sleep(1 + attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def own_comments(self, pull_number: int, marker: str, *, fresh: bool = False) -> list[IssueComment]:
        """The gate's comments on the PR, oldest first: the marker on the first line AND our author.
        Listed once per run (the sign-off record is read from them before they are updated), or again
        with `fresh` (after a create, to see what a concurrent run did)."""
        if not fresh and (pull_number, marker) in self._comments:
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
        self,
        pull_number: int,
        marker: str,
        body: str,
        *,
        create: bool,
        edit_if: Any = None,
        run: tuple[int, int] = (0, 0),
    ) -> CommentOutcome:
        """Exactly one comment, current: created once, edited afterwards, no write when unchanged.

        Two runs started together both find no comment and both create one; a 502 after a create that
        succeeded hides it. So after creating, the run lists again and converges: the oldest comment is
        kept (reviewers may have linked it), the others deleted (a 404 means the other run already did),
        and the oldest edited if it is not the one just made. A comment written by a newer run (`run`:
        GITHUB_RUN_ID and attempt, in the body) is never overwritten by an older one."""
        ours = self.own_comments(pull_number, marker)
        deleted = self._delete(ours[1:])
        if not ours:
            if not create:
                return CommentOutcome("skipped", None, deleted)
            made = self._create(pull_number, marker, body)
            ours = self.own_comments(pull_number, marker, fresh=True)
            if made is None and not ours:
                raise ApiProblem("creating the comment", None, "the comment could not be created", None)
            deleted += self._delete(ours[1:])
            keep = ours[0] if ours else made
            if keep is None:  # pragma: no cover - excluded by the raise above
                raise ApiProblem("creating the comment", None, "the comment could not be created", None)
            if made is not None and keep.id == made.id:
                return CommentOutcome("created", keep.html_url, deleted)
            return self._edit(keep, body, edit_if, run, deleted, created=True)
        return self._edit(ours[0], body, edit_if, run, deleted, created=False)

    def _create(self, pull_number: int, marker: str, body: str) -> IssueComment | None:
        """POST once (never retried after a 5xx: it may have landed); None when the answer was lost."""
        try:
            with _api("creating the comment", "pull-requests: write"):
                made: IssueComment = self._repo.get_issue(pull_number).create_comment(body)
        except ApiProblem as exc:
            if exc.status is not None and exc.status < 500:
                raise  # refused (permissions, validation): nothing was created
            return None
        if made.user is not None:
            self._login = made.user.login  # what this token's comments really carry
        return made

    def _delete(self, extras: list[IssueComment]) -> int:
        deleted = 0
        for extra in extras:
            try:
                with _api("deleting a duplicate comment", "pull-requests: write"):
                    extra.delete()
                deleted += 1
            except ApiProblem as exc:
                if exc.status != 404:  # 404: a concurrent run deleted it first
                    raise
        return deleted

    def _edit(
        self,
        comment: IssueComment,
        body: str,
        edit_if: Any,
        run: tuple[int, int],
        deleted: int,
        *,
        created: bool,
    ) -> CommentOutcome:
        old = comment.body or ""
        written_by = run_in(old)
        if without_run(old) == without_run(body) or (edit_if is not None and not edit_if(old)):
            return CommentOutcome("created" if created else "unchanged", comment.html_url, deleted)
        if written_by is not None and written_by > run:
            return CommentOutcome("unchanged", comment.html_url, deleted)  # a newer run's verdict stays
        with _api("editing the comment", "pull-requests: write"):
            comment.edit(body)
        return CommentOutcome("created" if created else "edited", comment.html_url, deleted)

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
        drills: bool = False,
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
        if drills:
            facts |= self._drill_runs()
        return GitHubFacts.model_validate(facts)

    def _drill_runs(self) -> dict[str, Any]:
        """The latest completed runs of workflows started by a schedule or by hand, where restore and
        rollback drills run: one page per event, so the calls stay two however busy the repository."""
        runs: list[WorkflowRunState] = []
        since: str | None = None
        try:
            for event in ("schedule", "workflow_dispatch"):
                with _api(f"reading the recent {event} runs", "actions: read"):
                    data = self._get_json(
                        f"actions/runs?event={event}&status=completed&per_page={_RUNS_PAGE}"
                    )
                listed = [r for r in (data or {}).get("workflow_runs") or [] if isinstance(r, dict)]
                runs.extend(
                    WorkflowRunState(
                        path=str(r.get("path") or "").split("@", 1)[0],
                        conclusion=r.get("conclusion"),
                        created=str(r.get("created_at") or ""),
                        url=r.get("html_url"),
                    )
                    for r in listed
                )
                if len(listed) >= _RUNS_PAGE:
                    oldest = min(str(r.get("created_at") or "") for r in listed)
                    since = max(since or oldest, oldest)
        except ApiProblem as exc:
            return {"drill_runs_note": f"The workflow runs could not be read: {_note(exc)}."}
        return {"drill_runs": tuple(runs), "drill_runs_since": since}

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
