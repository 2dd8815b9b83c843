"""Recovery exercised, not only written down: a workflow that restores a backup, or rolls a deployment
back, has run successfully of late.

A go-live checklist asks "Backup restoration tested", "Rollback plan tested". A drill that a workflow
runs leaves a record the gate can read: the run's conclusion and date, through the Actions API. The
workflows are read from the repository; their runs only by the GitHub Action.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from gate.checks.base import Decision, Hit, at, check, failed, not_applicable, passed
from gate.facts import Facts
from gate.facts.github import WorkflowRunState
from gate.facts.signals import AnyOf, Finder, Then
from gate.facts.workflows import Step, Workflow
from gate.lazyre import lazy
from gate.model import Level, Outcome, Severity

DrillAspect = Literal["restore", "rollback"]
NAMES: dict[DrillAspect, str] = {
    "restore": "a backup restore drill",
    "rollback": "a rollback drill",
}
_DOES: dict[DrillAspect, Finder] = {
    "restore": AnyOf(
        (
            lazy(
                r"\blitestream\s+restore\b|\bpg_restore\b|\bvelero\s+restore\b|\bmongorestore\b|\.restore\b"
                r"|\brestore[-_](db|database|backup|drill)\b|\bbackup[-_]restore\b|\brestore-db-instance",
                re.I,
            ),
            # a restore step that names the backup, either way round (linear: gate/facts/signals.py)
            Then(lazy(r"\brestore\b", re.I), lazy(r"\bbackups?\b", re.I)),
            Then(lazy(r"\bbackups?\b", re.I), lazy(r"\brestore\b", re.I)),
        )
    ),
    "rollback": AnyOf(
        (
            lazy(r"\bhelm\s+rollback\b|\brollouts\s+undo\b|\brollback\.(sh|py)\b|\bmake\s+rollback\b", re.I),
            Then(lazy(r"\bkubectl\b", re.I), lazy(r"\brollout\s+undo\b", re.I)),
            Then(lazy(r"\bcodedeploy\b", re.I), lazy(r"\bstop-deployment\b", re.I)),
        )
    ),
}
_ASKED: tuple[tuple[DrillAspect, re.Pattern[str]], ...] = (
    # a recovery procedure tested is a restore exercised ("Recovery procedures tested")
    (
        "restore",
        lazy(r"(restor|recover)\w*\b.{0,20}\btest|backup restor|test\w* (the )?(restor|recover)", re.I),
    ),
    ("rollback", lazy(r"roll ?back\b.{0,20}\btested", re.I)),
)


def asked_drills(text: str) -> tuple[DrillAspect, ...]:
    return tuple(a for a, rx in _ASKED if rx.search(text))


def mentions_drill(text: str) -> bool:
    """Whether a workflow file's text may hold a drill: the Action reads the runs only then."""
    return any(rx.search(text) for rx in _DOES.values())


class DrillOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    aspects: tuple[DrillAspect, ...] = ()
    """The drills that must have run. None by default: a checklist line asks for its own."""
    max_age_days: int = Field(default=90, gt=0)
    """How recent the last successful run must be (the catalog's sign-offs expire after 90 days)."""


def _drill(workflows: tuple[Workflow, ...], aspect: DrillAspect) -> tuple[Workflow, Step] | None:
    rx = _DOES[aspect]
    for wf in workflows:
        for job in wf.jobs:
            for step in job.steps:
                texts = [step.name, step.run or "", *(text for _, text in step.scripts)]
                if any(rx.search(t) for t in texts):
                    return wf, step
    return None


_READ_TRIGGERS = frozenset({"schedule", "workflow_dispatch"})
"""The events whose runs the Action lists for drills (gate/action/github.py)."""


def _latest(runs: tuple[WorkflowRunState, ...], path: str) -> WorkflowRunState | None:
    # a run whose jobs were all skipped (or neutral) exercised nothing: the one before it counts
    own = [r for r in runs if r.path == path and r.conclusion not in ("skipped", "neutral")]
    return max(own, key=lambda r: r.created) if own else None


def _day(stamp: str) -> date | None:
    try:
        return date.fromisoformat(stamp[:10])
    except ValueError:
        return None


@check(
    id="drills-exercised",
    title="Restore and rollback drills have run",
    category="backup-recovery",
    severity=Severity.LOW,
    level=Level.GOLD,
    applies_when="the config or a checklist line names a drill (restore, rollback)",
    remediation="Run the drill from a workflow (on a schedule, or by hand with workflow_dispatch) so that its result is recorded, and fix it when it fails.",
    options=DrillOptions,
)
def drills_exercised(facts: Facts, options: DrillOptions) -> Decision:
    """
    ## What it checks
    For each drill asked for, a workflow in the repository that performs it (a restore: `litestream
    restore`, `pg_restore`, `velero restore`, `mongorestore`, sqlite's `.restore`, a restore script or a
    step that restores a backup; a rollback: `kubectl rollout undo`, `helm rollback`, `kubectl argo
    rollouts undo`, a rollback script or make target), and its latest run through the Actions API:

    - it succeeded within `max_age_days` (90): pass;
    - it failed, or the last success is older: fail;
    - no run is listed: fail when the listing reaches back past the window, else undecided.

    The runs read are the latest completed ones started by a schedule or by hand (one page of 100 of
    each; drills are not run on push), and only when a workflow in the repository mentions a drill.
    Without such a workflow the line cannot be decided from the repository (missing evidence: a drill
    started by hand is recorded when a workflow on `workflow_dispatch` runs it); `prodgate check` reads
    the workflows but not their runs (not available). A restore drill is not needed by a service that
    keeps no state and schedules no backup (not applicable, as for `backups-configured`).

    No drill is asked by default. A checklist line names its own ("Backup restoration tested").

    ## Why it matters
    A backup nobody has restored is a hope, and a rollback that was never run fails the night it is
    needed.

    ## How to fix
    Automate the drill: restore last night's backup into a scratch database and query it, or roll the
    staging deployment back and forward, on a schedule.

    ## Example
    ```yaml
    on:
      schedule: [{cron: "0 4 * * 1"}]
    jobs:
      restore-drill:
        runs-on: ubuntu-24.04
        steps:
          - run: litestream restore -o /tmp/restored.db s3://acme-backups/predictions.db
          - run: sqlite3 /tmp/restored.db "select count(*) from predictions"
    ```
    """
    if not options.aspects:
        return not_applicable("No drill is asked for (options.aspects, or a checklist line).")
    gh = facts.github
    found: list[str] = []
    hits: list[Hit] = []
    absent: list[str] = []
    unsure: list[str] = []
    stateless = not facts.backups.jobs and not facts.backups.stores
    for aspect in dict.fromkeys(options.aspects):
        drill = _drill(facts.workflows.ci, aspect)
        if drill is None and aspect == "restore" and stateless:
            continue  # nothing to restore: it neither passes nor is missing
        if drill is None:
            absent.append(NAMES[aspect])
            continue
        wf, step = drill
        if not wf.triggers & _READ_TRIGGERS:
            # its runs are not among those read: no run listed would be no run made
            unsure.append(
                f"{wf.path} (runs on {', '.join(sorted(wf.triggers)) or 'no trigger'}; only scheduled and hand-started runs are read)"
            )
            continue
        if not gh.available:
            unsure.append(f"{wf.path}:{step.line} ({gh.reason})")
            continue
        if gh.drill_runs is None:
            unsure.append(f"{wf.path} ({gh.drill_runs_note or 'its runs were not read'})")
            continue
        latest = _latest(gh.drill_runs, wf.path)
        when = _day(latest.created) if latest else None
        age = (facts.today - when).days if when else None
        if latest is not None and latest.conclusion != "success":
            hits.append(
                Hit(f"The last run of {wf.path} concluded {latest.conclusion}.", (at(wf.path, step.line),))
            )
        elif latest is not None and age is not None and age <= options.max_age_days:
            found.append(f"{NAMES[aspect]}: {wf.path} succeeded {age} days ago")
        elif latest is not None:
            hits.append(
                Hit(
                    f"{wf.path} last succeeded {age} days ago, more than {options.max_age_days}.",
                    (at(wf.path, step.line),),
                )
            )
        elif (cut := _day(gh.drill_runs_since or "")) is None or (
            facts.today - cut
        ).days > options.max_age_days:
            hits.append(
                Hit(
                    f"{wf.path} has not run in the last {options.max_age_days} days.",
                    (at(wf.path, step.line),),
                )
            )
        else:
            unsure.append(f"{wf.path} (not among the recent runs read, back to {cut})")
    if hits:
        return failed("A drill has not succeeded recently.", *hits)
    if unsure:
        return Decision(Outcome.NOT_AVAILABLE, "The drills' runs are not known: " + "; ".join(unsure) + ".")
    if absent:
        return Decision(
            Outcome.MISSING_EVIDENCE,
            f"No workflow runs {', '.join(absent)}: the gate cannot read a drill done by hand (a workflow "
            "started by hand, on workflow_dispatch, records it).",
        )
    if not found:
        return not_applicable(
            "The service keeps no state to restore (no SQLite database, database service, volume claim or "
            "StatefulSet) and schedules no backup."
        )
    return passed("Exercised: " + "; ".join(found) + ".")
