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
from gate.model import CheckResult, Finding, Level, Outcome, Report, Severity, Skipped, Verdict

BLOCKING_OUTCOMES = (Outcome.FAIL, Outcome.ERROR)
SATISFIED = (Outcome.PASS, Outcome.NOT_APPLICABLE, Outcome.WAIVED, Outcome.ATTESTED)
"""What counts towards a level: decided and fine, not relevant, or accepted on the record (shown as such)."""


def result_of(spec: CheckSpec, decision: Decision, config: Config) -> CheckResult:
    override = config.for_check(spec.id).severity
    severity = override or spec.severity
    findings = tuple(
        Finding(
            check_id=spec.id,
            message=hit.message,
            severity=override or hit.severity or spec.severity,
            confidence=hit.confidence or spec.confidence,
            locations=hit.locations,
            remediation=hit.remediation or spec.remediation,
        )
        for hit in decision.hits
    )
    worst = max([severity, *(f.severity for f in findings)], key=lambda s: s.rank)
    blocking = decision.outcome in BLOCKING_OUTCOMES and worst.at_least(config.fail_on)
    return CheckResult(
        check_id=spec.id,
        title=spec.title,
        category=spec.category,
        level=spec.level,
        severity=worst,
        outcome=decision.outcome,
        summary=decision.summary,
        findings=findings,
        blocking=blocking,
    )


def verdict_of(results: tuple[CheckResult, ...], fail_on: Severity) -> Verdict:
    blocking = tuple(r.check_id for r in results if r.blocking)
    failed = sum(r.outcome is Outcome.FAIL for r in results)
    errors = sum(r.outcome is Outcome.ERROR for r in results)
    if blocking:
        summary = f"Not ready: {len(blocking)} blocking check(s) at or above {fail_on.value}: {', '.join(blocking)}."
    elif failed or errors:
        summary = f"Ready, with {failed + errors} non-blocking finding(s) below {fail_on.value}."
    else:
        summary = "Ready: no check failed."
    return Verdict(passed=not blocking, fail_on=fail_on, blocking_checks=blocking, summary=summary)


def level_of(results: tuple[CheckResult, ...]) -> Level | None:
    reached = None
    for level in Level:  # bronze, silver, gold: a level needs every lower one
        if any(r.outcome not in SATISFIED for r in results if r.level is level):
            break
        reached = level
    return reached


def score_of(results: tuple[CheckResult, ...]) -> int:
    applying = [r for r in results if r.outcome is not Outcome.NOT_APPLICABLE]
    if not applying:
        return 0
    return round(100 * sum(r.outcome in SATISFIED for r in applying) / len(applying))


def build_report(
    results: tuple[CheckResult, ...], config: Config, *, root: str, version: str, skipped: tuple[Skipped, ...]
) -> Report:
    counts = Counter(r.outcome for r in results)
    categories: dict[str, dict[Outcome, int]] = {}
    for r in results:
        cat = categories.setdefault(r.category, {})
        cat[r.outcome] = cat.get(r.outcome, 0) + 1
    return Report(
        tool_version=version,
        root=root,
        verdict=verdict_of(results, config.fail_on),
        level=level_of(results),
        score=score_of(results),
        results=results,
        counts={o: counts.get(o, 0) for o in Outcome},
        categories=categories,
        skipped=skipped,
    )
