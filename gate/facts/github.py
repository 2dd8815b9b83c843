"""Live repository and workflow state, read from the GitHub API by the Action (never by `prodgate check`).

Each part is None when it could not be read, with a note naming the permission that was missing: a
check then says not_available, never fail. The collector lives in gate/action/github.py (it needs the
API client); this module is only the data, so checks stay pure functions of facts.
"""

from __future__ import annotations

from gate.model import Frozen

NOT_IN_ACTIONS = "not running as the GitHub Action, so the repository's settings and checks cannot be read"


class CheckState(Frozen):
    """A check run or a commit status on the head commit, in the Checks API's terms."""

    name: str
    kind: str
    """check_run or status"""
    status: str
    """queued, in_progress, completed (a commit status is completed unless it is pending)"""
    conclusion: str | None = None
    """success, failure, neutral, cancelled, skipped, timed_out, action_required, error, stale"""
    url: str | None = None


class WorkflowRunState(Frozen):
    """A completed run of a workflow started by a schedule or by hand, as the Actions API lists it."""

    path: str
    """the workflow file (.github/workflows/restore-drill.yml)"""
    conclusion: str | None = None
    created: str = ""
    """ISO 8601, as the API gives it"""
    url: str | None = None


class GitHubFacts(Frozen):
    available: bool = False
    reason: str = NOT_IN_ACTIONS
    branch: str | None = None
    """the branch a merge would land on (the PR's base, else the default branch)"""
    gate_names: tuple[str, ...] = ()
    """the names this gate's result appears under: its status context, its job's check name"""
    required_checks: tuple[str, ...] | None = None
    """status checks the branch requires (classic protection and rulesets together); None: unreadable"""
    required_checks_note: str = ""
    required_reviews: int | None = None
    """approving reviews required (the strictest of classic protection and rulesets); None: unreadable"""
    reviews_note: str = ""
    head_sha: str | None = None
    checks: tuple[CheckState, ...] | None = None
    """the other checks on the head commit; None: not read (not asked for, or no permission)"""
    checks_note: str = ""
    drill_runs: tuple[WorkflowRunState, ...] | None = None
    """recent completed runs of scheduled and manually started workflows; None: not read (the repository
    has no drill workflow, or no permission)"""
    drill_runs_since: str | None = None
    """when the listing was cut at its page size: the oldest run listed (older runs were not read)"""
    drill_runs_note: str = ""
