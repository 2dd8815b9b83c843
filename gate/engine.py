"""The pipeline: snapshot -> facts -> checks -> policy -> report. No printing, no exit codes."""

from __future__ import annotations

from pathlib import Path

from gate import __version__
from gate.checks import CATEGORIES, REGISTRY, Decision
from gate.config import Config
from gate.facts import collect
from gate.model import CheckResult, Outcome, Report
from gate.policy import build_report, result_of
from gate.snapshot import Snapshot


def run_check(check_id: str, facts: object, config: Config) -> Decision:
    spec = REGISTRY[check_id]
    try:
        return spec.func(facts, config.options_for(check_id))  # type: ignore[arg-type]
    except Exception as exc:  # a bug in one check must not take the others down, nor pass silently
        return Decision(Outcome.ERROR, f"The check could not run: {exc.__class__.__name__}: {exc}")


def evaluate(root: Path, config: Config) -> Report:
    snap = Snapshot.load(
        root, max_file_size=config.max_file_size, include=config.include, exclude=config.exclude
    )
    facts = collect(snap)
    order = list(CATEGORIES)
    ids = sorted(REGISTRY, key=lambda i: (order.index(REGISTRY[i].category), i))
    results: list[CheckResult] = []
    for check_id in ids:
        if not config.for_check(check_id).enabled:
            continue
        results.append(result_of(REGISTRY[check_id], run_check(check_id, facts, config), config))
    return build_report(tuple(results), config, root=str(root), version=__version__, skipped=snap.skipped)
