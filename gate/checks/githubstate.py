"""Checks on live repository and workflow state (branch protection, reviews, other checks), which only
the Action can read. Where the state could not be read they say not_available and why, never fail."""

from __future__ import annotations

from fnmatch import fnmatchcase

from pydantic import BaseModel, ConfigDict, Field

from gate.checks.base import Decision, Hit, check, failed, not_applicable, passed
from gate.facts import Facts
from gate.model import Level, Outcome, Severity
from gate.wording import count

LIVE_CHECKS = ("branch-protection-requires-gate", "required-reviews", "ci-checks-passing", "drills-exercised")
_FAILED = {"failure", "timed_out", "cancelled", "action_required", "error", "startup_failure", "stale"}


class _Options(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class GateNames(_Options):
    names: tuple[str, ...] = ()
    """more names this gate's result appears under (e.g. a job's display name set by an expression)"""


class ReviewOptions(_Options):
    minimum: int = Field(default=1, ge=1, le=10)


class CiOptions(_Options):
    required: tuple[str, ...] = ()
    """check-run names or status contexts that must have succeeded (shell-style patterns); empty: the
    check is not applicable (watching everything would mostly report the jobs running beside the gate)"""
    wait_seconds: int = Field(default=0, ge=0, le=900)
    """how long the Action waits for them to finish before calling them pending"""


def _unavailable(reason: str) -> Decision:
    return Decision(Outcome.NOT_AVAILABLE, reason)


@check(
    id="branch-protection-requires-gate",
    title="Merges require this gate's status",
    category="ci-cd",
    severity=Severity.MEDIUM,
    level=Level.SILVER,
    applies_when="running as the GitHub Action",
    remediation="Add the gate's check to the branch's required status checks (branch protection or a ruleset).",
    options=GateNames,
    repository_setting=True,
)
def branch_protection_requires_gate(facts: Facts, options: GateNames) -> Decision:
    """
    ## What it checks
    That the branch a pull request merges into requires this gate's result: one of the names it
    reports under (its status context, or its job's check name read from the workflow file) is among
    the required status checks of the branch's classic protection or of an active ruleset. Read with
    the API when running as the Action; elsewhere, and without the needed rights, it says so.

    ## Why it matters
    A gate that is not required is advice: a red result can be merged anyway, and usually is on the
    day it matters.

    ## How to fix
    Settings → Branches (or Rules → Rulesets) → the default branch → "Require status checks to pass" →
    add the gate's check. If the job's name is computed by an expression, list it under this check's
    `names` option.

    ## Example
    ```yaml
    # .github/prodgate.yml
    checks:
      branch-protection-requires-gate:
        options:
          names: ["prodgate / gate"]
    ```
    """
    gh = facts.github
    if not gh.available:
        return _unavailable(gh.reason)
    if gh.required_checks is None:
        return _unavailable(gh.required_checks_note or "The branch's required checks could not be read.")
    names = (*gh.gate_names, *options.names)
    found = sorted(set(names) & set(gh.required_checks))
    if found:
        return passed(f"Branch {gh.branch} requires {', '.join(found)}.")
    required = ", ".join(gh.required_checks) if gh.required_checks else "no status checks"
    return failed(
        f"Branch {gh.branch} does not require this gate.",
        Hit(
            f"Branch {gh.branch} requires {required}; this gate reports as {', '.join(names) or 'an unknown name'}."
        ),
    )


@check(
    id="required-reviews",
    title="Pull requests require a review",
    category="ci-cd",
    severity=Severity.MEDIUM,
    level=Level.SILVER,
    applies_when="running as the GitHub Action",
    remediation="Require at least one approving review on the branch (branch protection or a ruleset).",
    options=ReviewOptions,
    seeds=("Code reviewed by team member", "Code review completed"),
    repository_setting=True,
)
def required_reviews(facts: Facts, options: ReviewOptions) -> Decision:
    """
    ## What it checks
    That merging into the pull request's base branch needs at least `minimum` (default 1) approving
    reviews, by classic branch protection or an active ruleset's pull-request rule, whichever is
    stricter. Rulesets can be read with the default token; classic protection's review settings need
    administration read access, and when only those could tell, the outcome is not_available.

    ## Why it matters
    A second pair of eyes is the cheapest control there is against the hard-coded key, the debug flag
    and the model file swapped without its hash.

    ## How to fix
    Add a ruleset (or classic protection) on the default branch that requires a pull request with at
    least one approval.

    ## Example
    ```yaml
    checks:
      required-reviews:
        options:
          minimum: 2
    ```
    """
    gh = facts.github
    if not gh.available:
        return _unavailable(gh.reason)
    if gh.required_reviews is None:
        return _unavailable(gh.reviews_note or "The branch's review rules could not be read.")
    if gh.required_reviews >= options.minimum:
        return passed(f"Branch {gh.branch} requires {count(gh.required_reviews, 'approving review')}.")
    return failed(
        f"Branch {gh.branch} requires {count(gh.required_reviews, 'approving review')}, fewer than {options.minimum}.",
        Hit(
            f"Merging into {gh.branch} needs {count(gh.required_reviews, 'approval')}; at least {options.minimum} expected."
        ),
    )


@check(
    id="ci-checks-passing",
    title="CI checks passing on the pull request",
    category="ci-cd",
    severity=Severity.HIGH,
    level=Level.BRONZE,
    applies_when="running as the GitHub Action",
    remediation="Fix the failing checks on the pull request's head commit, or re-run them if they flaked.",
    options=CiOptions,
)
def ci_checks_passing(facts: Facts, options: CiOptions) -> Decision:
    """
    ## What it checks
    The check runs and commit statuses on the pull request's head commit named in `required`
    (shell-style patterns) must have concluded successfully (success, neutral or skipped). Checks still
    running are pending (the Action can wait up to `wait_seconds` for them); a named check that has not
    reported at all is missing evidence. With no names configured the check does not apply: the jobs
    that run beside the gate would mostly show as pending. Reading them needs `checks: read` and
    `statuses: read`.

    ## Why it matters
    A readiness verdict next to a red test job is a contradiction a reviewer should not have to spot.

    ## How to fix
    Fix what failed and push, or re-run a flaky job. If the gate runs in parallel with the tests, name
    them in `required` and set `wait_seconds`, or run the gate after them with `needs:`.

    ## Example
    ```yaml
    checks:
      ci-checks-passing:
        options:
          required: ["tests*", "lint"]
          wait_seconds: 300
    ```
    """
    gh = facts.github
    if not gh.available:
        return _unavailable(gh.reason)
    if not options.required:
        return not_applicable("No checks named in options.required, so none are watched.")
    if gh.checks is None:
        return _unavailable(gh.checks_note or "The head commit's checks could not be read.")
    own = set(gh.gate_names)
    others = [c for c in gh.checks if c.name not in own]
    relevant = [c for c in others if any(fnmatchcase(c.name, p) for p in options.required)]
    silent = [p for p in options.required if not any(fnmatchcase(c.name, p) for c in others)]
    bad = [c for c in relevant if c.status == "completed" and c.conclusion in _FAILED]
    if bad:
        return failed(
            f"{count(len(bad), 'check')} failed on {str(gh.head_sha)[:7]}: {', '.join(c.name for c in bad)}.",
            *(Hit(f"{c.kind.replace('_', ' ')} '{c.name}' concluded {c.conclusion}.") for c in bad),
        )
    running = [c for c in relevant if c.status != "completed"]
    if running:
        return Decision(
            Outcome.PENDING, f"Still running: {', '.join(c.name for c in running)}; no failure so far."
        )
    if silent:
        return Decision(
            Outcome.MISSING_EVIDENCE,
            f"No check named {', '.join(silent)} has reported on {str(gh.head_sha)[:7]}.",
        )
    return passed(f"{count(len(relevant), 'check')} passed on {str(gh.head_sha)[:7]}.")
