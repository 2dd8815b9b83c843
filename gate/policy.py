"""The verdict: config applied to what the checks decided. The one place where results are filtered.

Rules, in order:
- a disabled check is not run and not reported;
- a severity override in the config replaces the check's severity and its findings' severities;
- a `fail` blocks the gate when its severity is at or above `fail_on`;
- an `error` (the check could not run) blocks under the same threshold: a gate that cannot decide
  must not wave the change through, and the comment says which check could not run and why;
- `missing_evidence`, `not_available`, `pending` never count as passing and are shown as such, but do
  not block on their own.
"""

from __future__ import annotations

from collections import Counter

from gate.checks import CheckSpec, Decision
from gate.config import Config
from gate.model import (
    CheckResult,
    Finding,
    Level,
    MlTestScore,
    Outcome,
    Report,
    Severity,
    Skipped,
    Verdict,
    WaiverNote,
)
from gate.redact import redact
from gate.wording import count

BLOCKING_OUTCOMES = (Outcome.FAIL, Outcome.ERROR)
_LEVELS = tuple(Level)
SATISFIED = (Outcome.PASS, Outcome.NOT_APPLICABLE, Outcome.WAIVED, Outcome.ATTESTED)
"""What counts towards a level: decided and fine, not relevant, or accepted on the record (shown as such)."""


def result_of(
    spec: CheckSpec, decision: Decision, config: Config, waiver: WaiverNote | None = None
) -> CheckResult:
    override = config.for_check(spec.id).severity
    severity = override or spec.severity
    findings = tuple(
        Finding(
            check_id=spec.id,
            message=redact(hit.message),
            severity=override or hit.severity or spec.severity,
            confidence=hit.confidence or spec.confidence,
            locations=hit.locations,
            remediation=hit.remediation or spec.remediation,
        )
        for hit in decision.hits
    )
    # one total order, whatever order a check found things in: by place, then wording, worst first
    findings = tuple(sorted(findings, key=_finding_order))
    # a result is as severe as its worst finding (a check may rate some findings lower, e.g. a dummy
    # secret in tests/); without findings, the check's own severity
    worst = max((f.severity for f in findings), key=lambda s: s.rank) if findings else severity
    blocking = decision.outcome in BLOCKING_OUTCOMES and worst.at_least(config.fail_on)
    return CheckResult(
        check_id=spec.id,
        title=spec.title,
        category=spec.category,
        level=spec.level,
        severity=worst,
        outcome=decision.outcome,
        summary=redact(decision.summary),
        findings=findings,
        blocking=blocking,
        waiver=waiver,
    )


def _finding_order(f: Finding) -> tuple[str, int, str, int]:
    where = f.locations[0] if f.locations else None
    return (where.path if where else "", (where.start_line or 0) if where else 0, f.message, -f.severity.rank)


NOTHING_TO_JUDGE = "service-present"


def verdict_of(
    results: tuple[CheckResult, ...], fail_on: Severity, require_level: Level | None = None
) -> Verdict:
    blocking = tuple(r.check_id for r in results if r.blocking)
    reached = level_of(results)
    shown = reached.value if reached else "none"
    short = None
    if require_level is not None and (
        reached is None or _LEVELS.index(reached) < _LEVELS.index(require_level)
    ):
        missing = held_back(results, require_level)
        named = ", ".join(f"{r.check_id} ({r.outcome.value.replace('_', ' ')})" for r in missing[:8])
        more = f" and {len(missing) - 8} more" if len(missing) > 8 else ""
        short = f"level {require_level.value} is required and {shown} is reached; held back by {named}{more}"
    if short and not blocking:
        return Verdict(
            passed=False, fail_on=fail_on, require_level=require_level, summary=f"Not ready: {short}."
        )
    failed = sum(r.outcome is Outcome.FAIL for r in results)
    errors = sum(r.outcome is Outcome.ERROR for r in results)
    if NOTHING_TO_JUDGE in blocking:
        # the other results describe an absence; the headline says what the gate was given
        summary = "Not ready: nothing a service needs was found (no application, Dockerfile, compose file, Kubernetes manifest or model)."
    elif blocking:
        summary = f"Not ready: {count(len(blocking), 'blocking check')} at or above {fail_on.value}: {', '.join(blocking)}."
    elif failed or errors:
        summary = f"Ready, with {count(failed + errors, 'non-blocking finding')} below {fail_on.value}."
    else:
        summary = "Ready: no check failed."
    if short:
        summary += f" {short[0].upper()}{short[1:]}."
    return Verdict(
        passed=not blocking,
        fail_on=fail_on,
        require_level=require_level,
        blocking_checks=blocking,
        summary=summary,
    )


def level_of(results: tuple[CheckResult, ...]) -> Level | None:
    reached = None
    for level in Level:  # bronze, silver, gold: a level needs every lower one
        if any(r.outcome not in SATISFIED for r in results if r.level is level):
            break
        reached = level
    return reached


def held_back(results: tuple[CheckResult, ...], level: Level) -> tuple[CheckResult, ...]:
    """The checks of `level` and below that keep a report from reaching it (failed or undecided)."""
    upto = _LEVELS[: _LEVELS.index(level) + 1]
    return tuple(r for r in results if r.level in upto and r.outcome not in SATISFIED)


def next_level(reached: Level | None) -> Level | None:
    index = 0 if reached is None else _LEVELS.index(reached) + 1
    return _LEVELS[index] if index < len(_LEVELS) else None


def score_of(results: tuple[CheckResult, ...]) -> int:
    applying = [r for r in results if r.outcome is not Outcome.NOT_APPLICABLE]
    if not applying:
        return 0
    return round(100 * sum(r.outcome in SATISFIED for r in applying) / len(applying))


# Which checks speak to each section of the ML Test Score; the rest (docs, code style) to none.
_ML_SECTIONS = {
    "data": (
        "training-reproducible",
        "feature-schema-present",
        "serving-features-match-schema",
        "class-names-present",
    ),
    "model": tuple(
        "model-" + s
        for s in (
            "artifacts-present",
            "pickle-safe",
            "safe-format",
            "size-budget",
            "integrity-verified",
            "metadata-present",
            "card-present",
            "metrics-meet-floors",
            "not-stale",
        )
    ),
}
_ML_CATEGORIES = {
    "infrastructure": ("testing", "ci-cd", "container", "orchestration", "dependencies", "operations"),
    "monitoring": ("monitoring",),
}
# The paper's bands, by the final score's upper bound.
_ML_BANDS = (
    (0.0, "More of a research project than a productionized system"),
    (
        1.0,
        "Not totally untested, but it is worth considering the possibility of serious holes in reliability",
    ),
    (2.0, "There's been first pass at basic productionization, but additional investment may be needed"),
    (3.0, "Reasonably tested, but it's possible that more of those tests and procedures may be automated"),
    (5.0, "Strong levels of automated testing and monitoring, appropriate for mission-critical systems"),
)


def ml_test_score_of(results: tuple[CheckResult, ...]) -> MlTestScore:
    sections: dict[str, float] = {}
    for section in ("data", "model", "infrastructure", "monitoring"):
        mine = [
            r
            for r in results
            if r.outcome is not Outcome.NOT_APPLICABLE
            and (r.check_id in _ML_SECTIONS.get(section, ()) or r.category in _ML_CATEGORIES.get(section, ()))
        ]
        points = sum(
            1.0 if r.outcome is Outcome.PASS else 0.5 if r.outcome is Outcome.ATTESTED else 0.0 for r in mine
        )
        sections[section] = round(7 * points / len(mine), 1) if mine else 0.0
    final = min(sections.values())
    band = next(
        (label for bound, label in _ML_BANDS if final <= bound),
        "Exceptional levels of automated testing and monitoring",
    )
    return MlTestScore(sections=sections, final=final, band=band)


def derived(
    results: tuple[CheckResult, ...], fail_on: Severity, require_level: Level | None
) -> dict[str, object]:
    """Everything a report states that follows from its results: never taken from anywhere else."""
    counts = Counter(r.outcome for r in results)
    categories: dict[str, dict[Outcome, int]] = {}
    for r in results:
        cat = categories.setdefault(r.category, {})
        cat[r.outcome] = cat.get(r.outcome, 0) + 1
    return {
        "verdict": verdict_of(results, fail_on, require_level),
        "level": level_of(results),
        "score": score_of(results),
        "category_scores": {c: score_of(tuple(r for r in results if r.category == c)) for c in categories},
        "ml_test_score": ml_test_score_of(results),
        "counts": {o: counts.get(o, 0) for o in Outcome},
        "categories": categories,
    }


def build_report(
    results: tuple[CheckResult, ...], config: Config, *, root: str, version: str, skipped: tuple[Skipped, ...]
) -> Report:
    return Report.model_validate(
        {
            "tool_version": version,
            "root": root,
            "results": results,
            "skipped": skipped,
            **derived(results, config.fail_on, config.require_level),
        }
    )
