"""A workflow job's result on the head commit, for the checks that find a step in a workflow: a line
that says "passing" or "built successfully" asks for the result, not only the step.

The Action reads the head commit's check runs when `ci-checks-passing` names checks to watch; a job's
check run is named by the job's `name:` (or its id), with the matrix values in brackets after it.
"""

from __future__ import annotations

from gate.facts import Facts
from gate.facts.github import CheckState
from gate.facts.workflows import Job

FAILED = frozenset({"failure", "cancelled", "timed_out", "action_required", "startup_failure"})


def job_result(facts: Facts, job: Job) -> CheckState | None:
    """The job's check run on the head commit, when the Action read them; None otherwise."""
    gh = facts.github
    if not gh.available or not gh.checks:
        return None
    name = str(job.data.get("name") or job.id)
    runs = [c for c in gh.checks if c.name == name or c.name.startswith(f"{name} (")]
    # a matrix job is several check runs: one that failed is the job's result, not the first listed
    return next((c for c in runs if c.conclusion in FAILED), runs[0] if runs else None)


def results_read(facts: Facts) -> bool:
    return facts.github.available and facts.github.checks is not None
