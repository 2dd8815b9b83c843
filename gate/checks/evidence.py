"""Checks decided by the reports CI leaves behind: coverage, test results and load tests.

A missing report is `missing_evidence` with a one-line hint on producing it, never pass and never fail:
the gate cannot know how well tested a change is from the code alone.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from gate.checks.base import NOT_ASKED, Decision, Hit, NoOptions, at, check, failed, not_applicable, passed
from gate.facts import Facts
from gate.facts.evidence import LoadReport
from gate.lazyre import lazy
from gate.model import Level, Outcome, Severity
from gate.wording import count


def _missing(what: str, hint: str) -> Decision:
    return Decision(Outcome.MISSING_EVIDENCE, f"No {what} found in the workspace. {hint}")


def _broken(facts: Facts, suffixes: tuple[str, ...]) -> list[Hit]:
    return [Hit(e.message, (at(e.path, e.line),)) for e in facts.evidence.errors if e.path.endswith(suffixes)]


class CoverageFloor(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    minimum: float = Field(default=80.0, ge=0, le=100)


@check(
    id="test-coverage",
    title="Test coverage meets its minimum",
    category="testing",
    severity=Severity.MEDIUM,
    level=Level.SILVER,
    applies_when="always (missing_evidence without a coverage report)",
    remediation="Run the tests with coverage in CI before prodgate (pytest --cov --cov-report=xml) and raise the coverage.",
    options=CoverageFloor,
    seeds=("Test coverage >80%",),
)
def test_coverage(facts: Facts, options: CoverageFloor) -> Decision:
    """
    ## What it checks
    The line coverage in the coverage report CI produced (Cobertura `coverage.xml`, coverage.py
    `coverage.json`, or lcov), against the `minimum` option (80% by default, from the seeds). Report
    paths are configurable under `evidence.coverage`. Without a report the outcome is missing_evidence.

    ## Why it matters
    Untested lines in a prediction service are where the NaN, the empty batch and the wrong column
    order wait.

    ## How to fix
    Produce the report in the same job, before prodgate runs, and test what is not covered.

    ## Example
    ```yaml
    - run: pytest --cov=app --cov-report=xml
    - uses: ./   # prodgate reads coverage.xml
    ```
    """
    reports = facts.evidence.coverage
    broken = _broken(facts, (".xml", ".json", ".info", ".lcov"))
    if not reports:
        if broken:
            return Decision(Outcome.ERROR, "The coverage report could not be read.", tuple(broken))
        return _missing("coverage report", "Run `pytest --cov --cov-report=xml` in CI before prodgate.")
    low = [r for r in reports if r.percent < options.minimum]
    if low:
        return failed(
            f"Coverage {low[0].percent:.1f}% is below {options.minimum:g}%.",
            *(Hit(f"Line coverage {r.percent:.1f}% < {options.minimum:g}%.", (at(r.path),)) for r in low),
        )
    return passed(
        f"Coverage {min(r.percent for r in reports):.1f}% (minimum {options.minimum:g}%) from {reports[0].path}."
    )


@check(
    id="tests-passing",
    title="Test report shows no failures",
    category="testing",
    severity=Severity.HIGH,
    level=Level.BRONZE,
    applies_when="always (missing_evidence without a JUnit report)",
    remediation="Produce a JUnit report in CI (pytest --junitxml=junit.xml) and fix the failing tests.",
    seeds=(
        "All unit tests passing: `python -m unittest tests.py`",
        "All tests passing locally",
        "All tests passing (`make test`)",
    ),
)
def tests_passing(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    The JUnit XML reports CI produced (`evidence.junit` patterns): at least one test ran, and none
    failed or errored. Each failing test is a finding, at its file and line when the report has them.
    Without a report the outcome is missing_evidence.

    ## Why it matters
    "All tests passing" is the first line of every seed checklist, and the one most often ticked from
    memory.

    ## How to fix
    Add `--junitxml` to the test command so the gate can read the result.

    ## Example
    ```yaml
    - run: pytest --junitxml=junit.xml
    ```
    """
    reports = facts.evidence.junit
    broken = _broken(facts, (".xml",))
    if not reports:
        if broken:
            return Decision(Outcome.ERROR, "The test report could not be read.", tuple(broken))
        return _missing("JUnit test report", "Run `pytest --junitxml=junit.xml` in CI before prodgate.")
    tests = sum(r.tests for r in reports)
    bad = [(r, c) for r in reports for c in r.failed]
    if bad:
        return failed(
            f"{len(bad)} of {count(tests, 'test')} failed.",
            *(
                Hit(f"Test {c.name} failed.", (at(c.file, c.line) if c.file else at(r.path),))
                for r, c in bad[:50]
            ),
        )
    if tests == 0:
        return failed(
            "The test report holds no tests.", *(Hit("No test ran.", (at(r.path),)) for r in reports)
        )
    return passed(f"{count(tests, 'test')} passed ({sum(r.skipped for r in reports)} skipped).")


class LatencyBudget(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    p95_ms: float = Field(default=2000, gt=0)
    """The overall 95th percentile budget (the seeds: responses under 2 seconds)."""
    endpoints: dict[str, float] = Field(default_factory=dict)
    """Per request name budgets in ms, e.g. {"/predict": 100, "/predict_batch": 5000}."""
    requests: Literal["all", "single", "batch"] = "all"
    """Which requests `p95_ms` is about: all of them (the report's aggregate), or only the single or
    only the batch ones, by their names in the report. A checklist line that says which sets it."""
    batch_size: int | None = Field(default=None, gt=0)
    """With `requests: batch`, only batches of this many records (the size in the request's name)."""


_NOT_PREDICTIONS = lazy(r"health|ready|live|metrics|docs|openapi|version", re.I)


_RECORDS = lazy(
    r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(k)?\s*(?:records?|rows?|items?|samples?|predictions?)\b",
    re.I,
)


def records_in(text: str) -> int | None:
    """The number of records a checklist line or a request's name speaks of: "1000 records", "1,000
    rows", "10k records" (None when it names none)."""
    if not (found := _RECORDS.search(text)):
        return None
    return round(float(found.group(1).replace(",", "")) * (1000 if found.group(2) else 1)) or None


def _scoped(r: LoadReport, options: LatencyBudget) -> dict[str, float]:
    """The report's per-request p95s for the requests `options.requests` is about."""
    if options.requests == "single":
        return {
            n: v
            for n, v in r.p95_by_name.items()
            if "batch" not in n.lower() and not _NOT_PREDICTIONS.search(n)
        }
    batches = {n: v for n, v in r.p95_by_name.items() if "batch" in n.lower()}
    if options.batch_size is None:
        return batches
    return {n: v for n, v in batches.items() if records_in(n) == options.batch_size}


def _requests_said(options: LatencyBudget) -> str:
    if options.requests == "single":
        return "single prediction requests"
    return "batch requests" + (f" of {options.batch_size:,} records" if options.batch_size else "")


@check(
    id="latency-within-budget",
    title="Measured latency within budget",
    category="performance",
    severity=Severity.MEDIUM,
    level=Level.GOLD,
    applies_when="always (missing_evidence without a load-test report)",
    remediation="Run a load test in CI (locust --headless --csv, or k6 --summary-export) and bring the slow routes under budget.",
    options=LatencyBudget,
    seeds=(
        "Response times acceptable (<2 seconds)",
        "Single predictions: <100ms",
        "Batch (1000 records): <5s",
        "Response time under load acceptable",
    ),
)
def latency_within_budget(facts: Facts, options: LatencyBudget) -> Decision:
    """
    ## What it checks
    The 95th percentile response time in locust (`*_stats.csv`) or k6 (`--summary-export` JSON)
    results against `p95_ms` (2000 ms by default), and per request name against `endpoints` (for
    example `/predict: 100` and `/predict_batch: 5000`, the seeds' budgets). Without a report the
    outcome is missing_evidence.

    A budget for single predictions or for batches (`requests`, which a checklist line such as "Batch
    (1000 records): <5s" sets) is judged on the report's requests of that kind, by name: a batch
    request's name says "batch" (and its size, `/predict/batch [1000 records]`, when `batch_size`
    is asked); a single one is any other prediction route (health, metrics and docs are left out).
    A report without such requests cannot decide it (missing evidence). Requests that mostly failed
    fail the budget whatever their times: an error answers fast.

    ## Why it matters
    Latency budgets are what the product promised; a retrained, larger model can break them with no
    code change at all.

    ## How to fix
    Profile the slow route (model size, batch handling, worker count) and re-run the load test.

    ## Example
    ```yaml
    - run: locust -f loadtest.py --headless -u 20 -r 5 -t 1m --csv results
    ```
    """
    reports = facts.evidence.load
    if not reports:
        return _missing(
            "load-test report", "Run locust with --csv or k6 with --summary-export in CI before prodgate."
        )
    hits: list[Hit] = []
    scoped = {r.path: _scoped(r, options) for r in reports} if options.requests != "all" else {}
    if options.requests != "all" and not any(scoped.values()):
        return Decision(
            Outcome.MISSING_EVIDENCE,
            f"No {_requests_said(options)} named in {', '.join(r.path for r in reports)} "
            "(name them in the load test, for example `/predict/batch [1000 records]`).",
        )
    for r in reports:
        if options.requests != "all":
            for name, p95 in sorted(scoped[r.path].items()):
                # a refused request answers fast: its time says nothing of the budget
                if r.failed_by_name.get(name, 0) >= 0.5:
                    share = r.failed_by_name[name]
                    hits.append(Hit(f"{name}: {share:.0%} of the requests failed.", (at(r.path),)))
                elif p95 > options.p95_ms:
                    hits.append(Hit(f"{name}: p95 {p95:.0f} ms > {options.p95_ms:g} ms.", (at(r.path),)))
        elif r.failure_ratio is not None and r.failure_ratio >= 0.5:
            hits.append(Hit(f"{r.failure_ratio:.0%} of the requests failed ({r.tool}).", (at(r.path),)))
        elif r.p95_ms is not None and r.p95_ms > options.p95_ms:
            hits.append(Hit(f"p95 {r.p95_ms:.0f} ms > {options.p95_ms:g} ms ({r.tool}).", (at(r.path),)))
        for name, budget in options.endpoints.items():
            got = r.p95_by_name.get(name)
            if got is not None and got > budget:
                hits.append(Hit(f"{name}: p95 {got:.0f} ms > {budget:g} ms.", (at(r.path),)))
    if hits:
        return failed(f"{count(len(hits), 'latency budget')} exceeded.", *hits)
    if options.requests != "all":
        judged = sorted(n for names in scoped.values() for n in names)
        return passed(f"p95 within {options.p95_ms:g} ms for {_requests_said(options)}: {', '.join(judged)}.")
    return passed(f"p95 within {options.p95_ms:g} ms in {count(len(reports), 'load-test report')}.")


class ThroughputFloor(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    min_rps: float = Field(default=100, gt=0)
    max_failure_ratio: float = Field(default=0.01, ge=0, le=1)
    per: Literal["request", "prediction"] = "request"
    """What `min_rps` counts: requests, or predictions (a batch request of 1,000 records is 1,000
    predictions: its size is read from its name in the report). A line that says "predictions/min"
    sets it."""


def _predictions_per_second(r: LoadReport) -> float | None:
    """Predictions a second: each named request's rate of successes times the records its name says it
    carries (one when it names none). None without per-request rates (k6's summary has none)."""
    if not r.rps_by_name:
        return None
    total = 0.0
    for name, rate in r.rps_by_name.items():
        size = records_in(name) or 1
        total += rate * (1 - r.failed_by_name.get(name, 0)) * size  # a failed request predicted nothing
    return total


def _rate(r: LoadReport) -> str:
    return f"{r.rps:.1f} req/s" if r.rps is not None else "unknown rate"


@check(
    id="throughput-within-budget",
    title="Measured throughput within budget",
    category="performance",
    severity=Severity.MEDIUM,
    level=Level.GOLD,
    applies_when="always (missing_evidence without a load-test report)",
    remediation="Scale workers or replicas (or optimise inference) until the load test sustains the target rate without errors.",
    options=ThroughputFloor,
    seeds=(
        "Load tests (>100 req/s)",
        "Throughput: >10k predictions/min ✓",
        "Load testing completed",
        "Load tests performed (`locust`, `ab`, `k6`)",
        "Error rate under load acceptable",
    ),
)
def throughput_within_budget(facts: Facts, options: ThroughputFloor) -> Decision:
    """
    ## What it checks
    The request rate the load test sustained (locust's Aggregated Requests/s, k6's http_reqs rate)
    against `min_rps` (100 by default, from the seeds), and the failure ratio against
    `max_failure_ratio` (1%). Without a report the outcome is missing_evidence. With `per:
    prediction` (a line that counts "predictions/min"), a request counts the records its name says it
    carries (`/predict_batch [1000 records]`, `/predict [100 rows]`); a report without per-request
    rates is counted in requests, a lower bound.

    ## Why it matters
    A service that answers fast for one user and falls over at launch-day traffic was never ready.

    ## How to fix
    Find the bottleneck (CPU-bound inference, a single worker, a database lock) and re-run.

    ## Example
    ```text
    Aggregated ... Requests/s 143.2, Failure Count 0
    ```
    """
    reports = facts.evidence.load
    if not reports:
        return _missing(
            "load-test report", "Run locust with --csv or k6 with --summary-export in CI before prodgate."
        )
    hits: list[Hit] = []
    rates: list[str] = []
    for r in reports:
        predictions = _predictions_per_second(r) if options.per == "prediction" else None
        if predictions is not None:
            rates.append(f"{predictions:.1f} predictions/s")
            if predictions < options.min_rps:
                hits.append(
                    Hit(f"Sustained {predictions:.1f} predictions/s < {options.min_rps:g}.", (at(r.path),))
                )
            continue
        # requests: each carries at least one prediction, so for `per: prediction` a lower bound
        rates.append(_rate(r))
        if r.rps is not None and r.rps < options.min_rps:
            hits.append(Hit(f"Sustained {_rate(r)} < {options.min_rps:g} req/s.", (at(r.path),)))
    hits += [
        Hit(f"{r.failure_ratio:.1%} of requests failed (max {options.max_failure_ratio:.0%}).", (at(r.path),))
        for r in reports
        if r.failure_ratio is not None and r.failure_ratio > options.max_failure_ratio
    ]
    if hits:
        return failed(f"{count(len(hits), 'throughput target')} missed.", *hits)
    return passed(f"{', '.join(rates)} with failures under {options.max_failure_ratio:.0%}.")


SuiteKind = Literal["smoke", "integration", "e2e"]
_SUITE_WORDS: tuple[tuple[SuiteKind, re.Pattern[str]], ...] = (
    ("smoke", lazy(r"\bsmoke\b", re.I)),
    ("integration", lazy(r"\bintegration\b", re.I)),
    ("e2e", lazy(r"\be2e\b|end[- ]to[- ]end", re.I)),
)


def asked_suites(text: str) -> tuple[SuiteKind, ...]:
    """The suites a line names ("Smoke tests passed": smoke)."""
    return (
        tuple(k for k, rx in _SUITE_WORDS if rx.search(text)) if re.search(r"\btests?\b", text, re.I) else ()
    )


class SuiteOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    suites: tuple[SuiteKind, ...] = ()
    """The suites whose result is read. None by default: a checklist line names its own."""


@check(
    id="test-suites-passing",
    title="Named test suites ran and passed",
    category="testing",
    severity=Severity.MEDIUM,
    level=Level.SILVER,
    applies_when="the config or a checklist line names a suite (smoke, integration, e2e)",
    remediation="Run the suite in CI with a JUnit report (pytest tests/smoke --junitxml=smoke.xml) and fix what fails.",
    options=SuiteOptions,
)
def test_suites_passing(facts: Facts, options: SuiteOptions) -> Decision:
    """
    ## What it checks
    For each suite named (smoke, integration, end-to-end), the JUnit reports CI produced: at least one
    test of that suite ran and none failed or errored. A test belongs to a suite when the report's file
    name, its test suite, class, file or name says so (`tests/smoke/test_up.py`, `smoke.xml`,
    `test_integration_db`). With no report at all, or reports without a test of the suite (it may run
    in another job), the outcome is missing_evidence: absence is not taken for failure.

    No suite is asked by default. A checklist line names its own ("Smoke tests passed").

    ## Why it matters
    "Smoke tests passed" ticked from memory is how a release goes out with the one test that starts
    the container red.

    ## How to fix
    Give the suite its own folder or marker and its own report.

    ## Example
    ```yaml
    - run: pytest tests/smoke --junitxml=reports/smoke.xml
    ```
    """
    if not options.suites:
        return not_applicable("No test suite is named (options.suites, or a checklist line).")
    reports = facts.evidence.junit
    if not reports:
        return _missing("JUnit test report", "Run each suite with `--junitxml` in CI before prodgate.")
    found: list[str] = []
    hits: list[Hit] = []
    absent: list[str] = []
    for suite in dict.fromkeys(options.suites):
        runs = [(r, ran, bad) for r in reports for kind, ran, bad in r.kinds if kind == suite]
        if not runs:
            absent.append(suite)
            continue
        ran = sum(n for _, n, _ in runs)
        bad = sum(b for _, _, b in runs)
        if bad:
            hits.extend(
                Hit(f"{count(b, f'{suite} test')} failed in {r.path}.", (at(r.path),))
                for r, _, b in runs
                if b
            )
        else:
            found.append(f"{count(ran, f'{suite} test')} passed")
    if hits:
        return failed(f"{count(len(hits), 'report')} with failing suite tests.", *hits)
    if absent:
        return Decision(
            Outcome.MISSING_EVIDENCE,
            f"No {', '.join(absent)} test in the reports ({', '.join(r.path for r in reports)}).",
        )
    return passed("; ".join(found) + ".")


class ConcurrencyOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    min_users: int = Field(default=2, ge=2)
    """The fewest virtual users at once that make a load test concurrent."""
    asked: bool = False
    """Judge it on every pull request. A checklist line this check decides asks it for that line."""


@check(
    id="load-test-concurrent",
    title="The load test sent concurrent requests",
    category="performance",
    severity=Severity.LOW,
    level=Level.GOLD,
    applies_when="asked (options.asked or a checklist line)",
    remediation="Run the load test with several users at once (locust -u 20 --csv, k6 --vus 20 --summary-export) in CI before prodgate.",
    options=ConcurrencyOptions,
)
def load_test_concurrent(facts: Facts, options: ConcurrencyOptions) -> Decision:
    """
    ## What it checks
    That a load-test report CI left shows requests sent by several users at once: k6's `vus_max` in
    its summary export, or the highest User Count in the stats history locust writes beside its stats
    (`--csv` with `--csv-full-history`, or any recent locust). At least `min_users` (2). A report
    that does not say how many users ran cannot decide it, nor can the absence of a report (missing
    evidence). It judges only when asked (`asked`, or a checklist line it decides).

    ## Why it matters
    One user at a time finds no race: the model object shared by two workers, the SQLite file locked
    by a second writer, the pool that runs dry, only show under concurrent requests.

    ## How to fix
    Give the load test users.

    ## Example
    ```yaml
    - run: locust -f loadtest.py --headless -u 20 -r 5 -t 1m --csv reports/load --host http://localhost:8000
    ```
    """
    if not options.asked:
        return not_applicable(NOT_ASKED)
    reports = facts.evidence.load
    if not reports:
        return _missing(
            "load-test report", "Run locust with --csv or k6 with --summary-export in CI before prodgate."
        )
    counted = [r for r in reports if r.users is not None]
    if not counted:
        return Decision(
            Outcome.MISSING_EVIDENCE,
            f"{', '.join(r.path for r in reports)} {'does' if len(reports) == 1 else 'do'} not say how many users ran "
            "(keep locust's stats history beside its stats, or use k6's summary export).",
        )
    best = max(counted, key=lambda r: r.users or 0)
    users = int(best.users or 0)
    if users >= options.min_users:
        return passed(f"{best.path}: {users} users at once.")
    return failed(
        f"The load test ran {users} user at a time.",
        Hit(f"{best.path}: at most {users} user, {options.min_users} or more wanted.", (at(best.path),)),
    )


class ModuleCoverageOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    min_percent: float = Field(default=50, ge=0, le=100)
    """The least share of each service module's lines the tests must run."""
    asked: bool = False
    """Judge it on every pull request. A checklist line this check decides asks it for that line."""


def _covered(report_name: str, module: str) -> bool:
    name = report_name.replace("\\", "/").removeprefix("./")
    return name == module or name.endswith("/" + module) or module.endswith("/" + name)


@check(
    id="service-modules-tested",
    title="Every service module is run by the tests",
    category="testing",
    severity=Severity.LOW,
    level=Level.GOLD,
    applies_when="asked (options.asked or a checklist line)",
    remediation="Write tests for the modules the report names, and keep the per-file coverage report (coverage xml/json) CI writes.",
    options=ModuleCoverageOptions,
)
def service_modules_tested(facts: Facts, options: ModuleCoverageOptions) -> Decision:
    """
    ## What it checks
    That the coverage report CI left (Cobertura XML, coverage.py JSON or lcov, per file) shows every
    module of the service (the modules that serve requests and what they import) run by the tests for
    at least `min_percent` (50%) of its lines. A module the report does not list was never imported by
    the tests: it fails too. No report, or one without per-file figures, is missing evidence. It judges
    only when asked (`asked`, or a checklist line it decides).

    ## Why it matters
    A total of 80% can hide the one module at 0%, and it is often the critical one: the feature
    transformation or the model wrapper nobody wrote a test for.

    ## How to fix
    Test the modules the report names.

    ## Example
    ```yaml
    - run: pytest --cov=app --cov-report=xml:coverage.xml
    ```
    """
    if not options.asked:
        return not_applicable(NOT_ASKED)
    modules = [m for m in facts.code.service_modules if not m.endswith("__init__.py")]
    if not modules:
        return not_applicable("No service modules.")
    reports = [r for r in facts.evidence.coverage if r.files]
    if not reports:
        what = "coverage report with per-file figures" if facts.evidence.coverage else "coverage report"
        return _missing(what, "Run `pytest --cov --cov-report=xml` in CI before prodgate.")
    hits: list[Hit] = []
    for module in modules:
        rates = [rate for r in reports for name, rate in r.files if _covered(name, module)]
        if not rates:
            hits.append(Hit(f"{module} is not in the coverage report: no test imports it.", (at(module),)))
        elif max(rates) < options.min_percent:
            hits.append(
                Hit(
                    f"The tests run {max(rates):.0f}% of {module}, under {options.min_percent:g}%.",
                    (at(module),),
                )
            )
    if hits:
        return failed(f"{count(len(hits), 'service module')} under-tested.", *hits)
    return passed(
        f"Every service module ({len(modules)}) run at {options.min_percent:g}% or more by the tests."
    )
