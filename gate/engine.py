"""The pipeline: snapshot -> facts -> checks -> policy -> report. No printing, no exit codes."""

from __future__ import annotations

import dataclasses
import gc
import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from gate import __version__, background, thresholds
from gate.budget import NO_DEADLINE, BudgetExceeded, Deadline
from gate.checks import CATEGORIES, REGISTRY, Decision
from gate.checks.servicecode import unread_service
from gate.config import VULNERABILITY_CHECK, Config
from gate.facts import Facts, collect
from gate.facts.github import GitHubFacts
from gate.facts.modelmeta import DataFile, collect_model_meta
from gate.model import CheckResult, Outcome, Report
from gate.policy import build_report, result_of
from gate.snapshot import Snapshot, SnapshotError
from gate.waivers import apply_inline_ignores, apply_waivers

if TYPE_CHECKING:
    # a run without a team checklist never reads one (the catalog, concepts and sign-offs: ~10 ms)
    from gate.checklist import Checklist, LineJudgement
    from gate.signoffs import SignOffs


def run_check(check_id: str, facts: Facts, config: Config) -> Decision:
    spec = REGISTRY[check_id]
    try:
        return spec.func(facts, config.options_for(check_id))
    except BudgetExceeded as exc:  # the facts it needs were cut short: undecided, and it blocks
        return Decision(
            Outcome.ERROR, f"Not judged: {exc}. Raise time_budget, or exclude what is slow to read."
        )
    except Exception as exc:  # a bug in one check must not take the others down, nor pass silently
        return Decision(Outcome.ERROR, f"The check could not run: {exc.__class__.__name__}: {exc}")


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Collection builds many long-lived, acyclic objects (cached syntax trees); the cyclic collector would
    rescan them again and again as they pile up: three times the parse time on a 20k-file repository."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _base_metrics(base_root: Path | None, config: Config) -> tuple[DataFile, ...] | None:
    """The base commit's metrics files, read only when a floor compares against them (max_drop)."""
    options = config.for_check("model-metrics-meet-floors").options
    wanted = any(isinstance(f, dict) and f.get("max_drop") is not None for f in options.get("floors", ()))
    if base_root is None or not wanted:
        return None
    return collect_model_meta(Snapshot.load(base_root, max_file_size=config.max_file_size)).metadata


def _judge(check_id: str, facts: Facts, config: Config, snap: Snapshot) -> CheckResult:
    """One check's result: its decision, with inline ignores and the config's waivers applied."""
    decision, inline = apply_inline_ignores(check_id, run_check(check_id, facts, config), snap)
    decision, waived = apply_waivers(check_id, decision, config.waivers, facts.today)
    return result_of(REGISTRY[check_id], decision, config, waived or inline)


def _line_thresholds(
    checklist: Checklist, config: Config, facts: Facts, snap: Snapshot, present: frozenset[str]
) -> dict[int, LineJudgement]:
    """Each automated line that states a threshold ("Test coverage >90%", "ROC-AUC > 0.95"), judged again
    by its checks at that threshold, or at the config's when that is stricter (gate/thresholds.py)."""
    from gate.checklist import LineJudgement, checks_of, item_of

    judged: dict[int, LineJudgement] = {}
    # lines asking the same threshold share one run (a checklist may repeat a line many times)
    runs: dict[tuple[str, str], CheckResult] = {}
    for line in checklist.items:
        checks = checks_of(line, item_of(line, present))
        results: dict[str, CheckResult] = {}
        notes: list[str] = []
        for check_id in checks:
            if check_id not in thresholds.READS or not config.for_check(check_id).enabled:
                continue
            effective = config.options_for(check_id).model_dump(mode="json")
            found = thresholds.read(check_id, line.text, effective)
            if isinstance(found, thresholds.Unread):
                notes.append(f"the threshold in this line is not read; {check_id}'s own applies")
            elif found is not None and found.options == effective:
                stricter = (
                    f"; {check_id} already asks {found.stricter_config}" if found.stricter_config else ""
                )
                notes.append(f"this line asks {found.said}{stricter}")
            elif found is not None:
                key = (check_id, json.dumps(found.options, sort_keys=True))
                if key not in runs:
                    own = config.for_check(check_id).model_copy(update={"options": found.options})
                    line_config = config.model_copy(update={"checks": {**config.checks, check_id: own}})
                    runs[key] = _judge(check_id, facts, line_config, snap)
                results[check_id] = runs[key]
                how = "at this line's threshold" if found.bound else "on what this line asks"
                notes.append(f"judged {how}: {found.said}")
        if results or notes:
            judged[line.number] = LineJudgement(results=results, note="; ".join(notes))
    return judged


def evaluate(
    root: Path,
    config: Config,
    *,
    environ: Mapping[str, str] | None = None,
    today: date | None = None,
    offline: bool = False,
    github: GitHubFacts | None = None,
    checklist: Checklist | None = None,
    base_root: Path | None = None,
    signoffs: SignOffs | None = None,
) -> Report:
    """`base_root`: the base commit's files, when a baseline is made (for comparisons such as metric
    drops); the base itself is judged by a separate call."""
    deadline = Deadline.start(config.time_budget)
    with _gc_paused():
        try:
            snap = Snapshot.load(
                root,
                listed=background.listed(root),  # listed by the command line's second process, if it did
                max_file_size=config.max_file_size,
                include=config.include,
                exclude=config.exclude,
                deadline=deadline,
            )
        except BudgetExceeded as exc:
            raise SnapshotError(f"{root}: {exc}") from None
        audit = config.audit_settings(os.environ if environ is None else environ)
        wanted = config.for_check(VULNERABILITY_CHECK).enabled and VULNERABILITY_CHECK in REGISTRY
        facts = collect(
            snap,
            audit=audit if wanted else None,
            offline=offline,
            today=today,
            evidence=config.evidence.patterns(),
            exclude=config.exclude,
            github=github,
            base_metrics=_base_metrics(base_root, config),
        )
        # what is read from here on (the lines of findings, for inline ignores) is bounded by the findings
        snap.deadline = NO_DEADLINE
        # the checks and the report still run with the collector paused: tens of thousands of findings
        # would otherwise set off collections that rescan every cached tree
        order = list(CATEGORIES)
        ids = sorted(REGISTRY, key=lambda i: (order.index(REGISTRY[i].category), i))
        facts = dataclasses.replace(
            facts, enabled_checks=frozenset(i for i in ids if config.for_check(i).enabled)
        )
        results: list[CheckResult] = []
        for check_id in ids:
            if not config.for_check(check_id).enabled:
                continue
            results.append(_judge(check_id, facts, config, snap))
        report = build_report(
            tuple(results), config, root=str(root), version=__version__, skipped=snap.skipped
        )
    if checklist is not None:
        from gate.checklist import fill

        try:
            parts = {"node-backend": facts.repo.node_backends, "frontend": facts.repo.frontends}
            present = frozenset(name for name, where in parts.items() if where)
        except BudgetExceeded:  # the repository facts were cut short: read "Backend" as the Python service
            present = frozenset()
        judged = _line_thresholds(checklist, config, facts, snap, present)
        filled = fill(
            checklist,
            report.results,
            signoffs,
            facts.today,
            present=present,
            judged=judged,
            unread_service=unread_service(facts),
        )
        report = report.model_copy(update={"checklist": filled})
    return report
