"""Thresholds a checklist line states, applied to that line.

"Docstrings added to all functions", "Test coverage >85%", "Single predictions: <100ms",
"ROC-AUC > 0.95": the line's pass must mean what the line says, not the check's default (80%, a
2-second p95, every floor at once). So the check that decides such a line is run again for it with the
line's threshold, and the line shows that verdict.

A line never makes a check looser: the stricter of the line's value and the effective one (the team's
config, else the check's default) is used, and when the config's is the stricter, the line says so.
A line that states a number the gate cannot read for its check says that too, and keeps the check's
own verdict: a threshold is never guessed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from msgspec import Struct

from gate.checks.alerts import BY_ID as ALERT_KINDS
from gate.checks.alerts import asked_kinds
from gate.checks.backups import NAMES as BACKUP_ASPECTS
from gate.checks.backups import asked_aspects
from gate.checks.ciexercises import NAMES as EXERCISE_ASPECTS
from gate.checks.ciexercises import asked_exercises
from gate.checks.compose import LIMIT_NAMES, asked_limit_aspects
from gate.checks.composestack import NAMES as STACK_ASPECTS
from gate.checks.composestack import asked_stack_aspects
from gate.checks.deploypipeline import NAMES as DEPLOY_ASPECTS
from gate.checks.deploypipeline import asked_deploy_aspects
from gate.checks.drills import NAMES as DRILL_ASPECTS
from gate.checks.drills import asked_drills
from gate.checks.evaluation import asked_temporal
from gate.checks.evidence import asked_suites, records_in
from gate.checks.iac import NAMES as IAC_ASPECTS
from gate.checks.iac import asked_iac_aspects
from gate.checks.logpipeline import NAMES as LOG_ASPECTS
from gate.checks.logpipeline import asked_log_aspects
from gate.checks.metrics import BY_ID as METRIC_FAMILIES
from gate.checks.metrics import asked_families
from gate.checks.modelstorage import NAMES as STORAGE_ASPECTS
from gate.checks.modelstorage import asked_storage
from gate.checks.monitoring import NAMES as WIRING_ASPECTS
from gate.checks.monitoring import asked_wiring
from gate.checks.opsdocs import BY_ID, asked_topics, minutes
from gate.checks.orchestration.objects import NAMES as OBJECT_ASPECTS
from gate.checks.orchestration.objects import asked_object_aspects
from gate.checks.orchestration.probes import NAMES as PROBE_ASPECTS
from gate.checks.orchestration.probes import asked_probe_aspects
from gate.checks.orchestration.resources import NAMES as RESOURCE_ASPECTS
from gate.checks.orchestration.resources import asked_resource_aspects
from gate.checks.orchestration.security import NAMES as SECURITY_ASPECTS
from gate.checks.orchestration.security import asked_security_aspects
from gate.checks.practices import NAMES as PRACTICE_ASPECTS
from gate.checks.practices import asked_practices
from gate.checks.registry import NAMES as REGISTRY_ASPECTS
from gate.checks.registry import asked_registry
from gate.checks.requestvalidation import NAMES as VALIDATION_ASPECTS
from gate.checks.requestvalidation import asked_validation
from gate.checks.routestested import NAMES as ROUTE_ASPECTS
from gate.checks.routestested import asked_route_aspects, named_paths
from gate.checks.service import asked_detail
from gate.checks.sinks import NAMES as SINK_ASPECTS
from gate.checks.sinks import asked_sinks
from gate.checks.tidiness import NAMES as TIDY_ASPECTS
from gate.checks.tidiness import asked_tidiness
from gate.checks.tls import NAMES as TLS_ASPECTS
from gate.checks.tls import asked_tls_aspects
from gate.checks.tracing import NAMES as TRACE_ASPECTS
from gate.checks.tracing import asked_trace_aspects
from gate.checks.webapp import BACKEND_NAMES, FRONTEND_NAMES, asked_backend, asked_frontend
from gate.lazyre import lazy

_PERCENT = lazy(r"(\d+(?:\.\d+)?)\s*%")
_ALL = lazy(r"\b(all|every|each)\b", re.I)
_DURATION = lazy(
    r"(?:<|≤|<=|under|below|within|less than|at most)\s*(\d+(?:\.\d+)?)\s*"
    r"(ms|milliseconds?|s|secs?|seconds?)\b",
    re.I,
)
_BATCH = lazy(r"\bbatch(?:es)?\b", re.I)
_SINGLE = lazy(r"\b(?:single|one|individual)\b[^.;:]{0,20}?\bpredictions?\b|\bper prediction\b", re.I)


def _latency_scope(text: str) -> tuple[str, int | None] | None:
    """("batch", its size or None) or ("single", None) when a latency line is about one kind of request."""
    if _BATCH.search(text):
        return "batch", records_in(text)
    if _SINGLE.search(text):
        return "single", None
    return None


_RATE = lazy(
    r"(?:>|≥|>=|over|above|at least)?\s*(\d+(?:[.,]\d+)?) ?(k)? ?(?:req(?:uest)?s?|predictions?|rps)"
    r" ?(?:/|per )? ?(s|sec|second|min|minute)?\b",
    re.I,
)
_METRIC = lazy(
    r"\b(roc[- _]?auc|auc|accuracy|precision|recall|f1(?:[- _]score)?)\b[^0-9\n]{0,24}?"
    r"(?:>=|≥|>|above|at least|of)?\s*(\d*\.\d+|\d+(?:\.\d+)?\s*%)",
    re.I,
)
_DAYS = lazy(r"(\d+)\s*days?\b", re.I)
_SIZE = lazy(r"(?:<|≤|<=|under|below|at most|max(?:imum)?)\s*(\d+(?:\.\d+)?)\s*(mb|gb)\b", re.I)
_WITHIN = lazy(
    r"(?:<|≤|<=|under|below|within|less than|at most)\s*(\d+(?:\.\d+)?)\s*"
    r"(seconds?|secs?|minutes?|mins?|hours?|hrs?|h|days?)\b",
    re.I,
)
_PYTHON_FLOOR = lazy(r"\b(3\.\d{1,2})\s*(\+|or (newer|later|above|higher))", re.I)
_NUMERIC = lazy(r"(?<![A-Za-z])\d|[<>≤≥]")
"""A number, or a comparison: a digit inside a name (`k6`, S3, p95) states no threshold."""

_MAX_CHARS = 500
"""A line longer than this is not read for a threshold (it is said to be unread): a checklist comes from
the pull request, and no threshold needs a paragraph."""

_METRIC_KEYS = {"rocauc": "roc_auc", "auc": "roc_auc", "f1score": "f1"}


class LineThreshold(Struct, frozen=True):
    options: dict[str, Any]
    """the check's options for this line (the stricter of the line's and the effective ones)"""
    said: str
    """what the line asks, in words, for the report"""
    stricter_config: str = ""
    """when the team's config (or the check's default) is stricter than the line: what it asks"""
    bound: bool = True
    """the line states a number (a threshold); False: it only narrows what is judged (a topic)"""


class Unread(Struct, frozen=True):
    """The line states a number the gate cannot read for its check."""

    said: str


def _percent_minimum(text: str) -> float | None:
    if found := _PERCENT.search(text):
        return float(found.group(1))
    return 100.0 if _ALL.search(text) else None


def _stricter_min(
    line: float, effective: float, unit: str, option: str, options: dict[str, Any]
) -> LineThreshold:
    said = f"at least {line:g}{unit}"
    if effective > line:
        return LineThreshold(options, said, f"at least {effective:g}{unit}")
    # whole percentages stay whole (the coverage options are integers); a fraction rounds up, stricter
    value: float = math.ceil(line) if isinstance(options[option], int) else line
    return LineThreshold({**options, option: value}, said)


def _stricter_max(
    line: float, effective: float, unit: str, option: str, options: dict[str, Any]
) -> LineThreshold:
    said = f"at most {line:g}{unit}"
    if effective < line:
        return LineThreshold(options, said, f"at most {effective:g}{unit}")
    return LineThreshold({**options, option: line}, said)


def read(check_id: str, text: str, options: dict[str, Any]) -> LineThreshold | Unread | None:
    """The line's threshold for `check_id`, given the check's effective options (config over defaults,
    as a plain dict). None: the line states none; Unread: it states one this function cannot read."""
    text = " ".join(text.split())  # one space between words: no pattern below backtracks over a run of them
    if len(text) > _MAX_CHARS:
        return Unread(text[:80] + "…") if check_id in READS else None
    found = _read(check_id, text, options)
    if found is None and check_id in READS and check_id not in _NAMES_ONLY and _NUMERIC.search(text):
        return Unread(text)
    return found


ASKED_BY_LINE = {
    "db-schema-initialised": "the schema made where the service starts",
    "api-docs-current": "documentation listing the routes served",
    "runtime-env-complete": "every needed variable passed by the deployment",
    "dockerfile-base-trusted": "base images from a trusted source",
    "model-evaluated-on-holdout": "metrics from held-out data",
    "load-test-concurrent": "a load test with users at once",
    "service-modules-tested": "every service module run by the tests",
}
"""Checks that judge only when asked (their `asked` option): a line they decide asks them, and the
held-out line may also ask for a split by time."""
_NAMES_ONLY = frozenset(
    {
        "health-endpoint",
        "routes-served",
        "test-suites-passing",
        "request-validation",
        "config-files-valid",
        "changelog-present",
    }
    | set(ASKED_BY_LINE)
)
"""Checks a line narrows by what it names, never by a number: "/health returns 200" states no threshold."""


_ASPECTS: dict[str, tuple[Callable[[str], tuple[str, ...]], Mapping[Any, str]]] = {
    "log-pipeline": (asked_log_aspects, LOG_ASPECTS),
    "tls-configured": (asked_tls_aspects, TLS_ASPECTS),
    "node-backend-hardening": (asked_backend, BACKEND_NAMES),
    "compose-stack": (asked_stack_aspects, STACK_ASPECTS),
    "k8s-objects": (asked_object_aspects, OBJECT_ASPECTS),
    "iac-resources": (asked_iac_aspects, IAC_ASPECTS),
    "deploy-pipeline": (asked_deploy_aspects, DEPLOY_ASPECTS),
    "monitoring-wired": (asked_wiring, WIRING_ASPECTS),
    "model-artifacts-stored": (asked_storage, STORAGE_ASPECTS),
    "routes-tested": (asked_route_aspects, ROUTE_ASPECTS),
    "ci-exercises": (asked_exercises, EXERCISE_ASPECTS),
    "drills-exercised": (asked_drills, DRILL_ASPECTS),
    "code-tidy": (asked_tidiness, TIDY_ASPECTS),
    "practices-in-code": (asked_practices, PRACTICE_ASPECTS),
    "request-sinks": (asked_sinks, SINK_ASPECTS),
    "model-registered": (asked_registry, REGISTRY_ASPECTS),
    "k8s-security-context": (asked_security_aspects, SECURITY_ASPECTS),
    "k8s-probes": (asked_probe_aspects, PROBE_ASPECTS),
    "k8s-resource-limits": (asked_resource_aspects, RESOURCE_ASPECTS),
    "compose-resource-limits": (asked_limit_aspects, LIMIT_NAMES),
}
"""Checks that decide a family of aspects: a line asks for the aspects it names (the reader) and is
judged on those alone, described by their names. Most ask for none by default; the Kubernetes
container checks ask for all of theirs, and a line names the one it is about ("Liveness probes
configured")."""


def _aspects(check_id: str, text: str, options: dict[str, Any]) -> LineThreshold | None:
    asked, names = _ASPECTS[check_id]
    found = asked(text)
    if not found:
        return None
    said = ", ".join(names[a] for a in found)
    return LineThreshold({**options, "aspects": list(found)}, said, bound=False)


def _read(check_id: str, text: str, options: dict[str, Any]) -> LineThreshold | None:
    if check_id in _ASPECTS:
        return _aspects(check_id, text, options)
    if check_id in ("docstring-coverage", "type-hint-coverage", "test-coverage"):
        minimum = _percent_minimum(text) if check_id != "test-coverage" else _percent(text)
        if minimum is None:
            return None
        return _stricter_min(minimum, float(options["minimum"]), "%", "minimum", options)
    if check_id == "latency-within-budget":
        if not (found := _DURATION.search(text)):
            return None
        value, unit = float(found.group(1)), found.group(2).lower()
        ms = value if unit.startswith("m") else value * 1000
        if scope := _latency_scope(text):
            # A batch budget is about batches, which the team's p95_ms (the aggregate) never meant to
            # bound: the line's own figure is judged on them.
            # A single prediction is one of the requests the team's budget bounds: the stricter stands.
            requests, size = scope
            scoped = {**options, "requests": requests, "batch_size": size}
            if requests == "single":
                return _stricter_max(
                    ms, float(options["p95_ms"]), " ms at p95 for single predictions", "p95_ms", scoped
                )
            said = f"at most {ms:g} ms at p95 for batches" + (f" of {size:,} records" if size else "")
            return LineThreshold({**scoped, "p95_ms": ms}, said)
        return _stricter_max(ms, float(options["p95_ms"]), " ms at p95", "p95_ms", options)
    if check_id == "throughput-within-budget":
        if not (found := _RATE.search(text)):
            return None
        value = float(found.group(1).replace(",", "")) * (1000 if found.group(2) else 1)
        per = (found.group(3) or "s").lower()
        rps = value / 60 if per.startswith("min") else value
        if re.search(r"predictions?\b", found.group(0), re.I):
            return _stricter_min(
                rps, float(options["min_rps"]), " predictions/s", "min_rps", {**options, "per": "prediction"}
            )
        return _stricter_min(rps, float(options["min_rps"]), " requests/s", "min_rps", options)
    if check_id == "model-metrics-meet-floors":
        return _floors(text, options)
    if check_id == "model-not-stale":
        if not (found := _DAYS.search(text)):
            return None
        return _stricter_max(
            float(found.group(1)), float(options["max_age_days"]), " days", "max_age_days", options
        )
    if check_id == "ops-doc-topics":
        return _topics(text, options)
    if check_id == "alert-rules-cover":
        kinds = asked_kinds(text)
        if not kinds:
            return None
        said = ", ".join(
            "any alert with a threshold" if k == "any" else f"an alert on {ALERT_KINDS[k].name}"
            for k in kinds
        )
        return LineThreshold({**options, "kinds": list(kinds)}, said, bound=False)
    if check_id == "frontend-hardening":
        return _frontend(text, options)
    if check_id == "tracing-configured":
        return _optional_aspects(*asked_trace_aspects(text), TRACE_ASPECTS, "optional", options)
    if check_id == "backups-configured":
        return _backups(text, options)
    if check_id == "request-validation":
        return _optional_aspects(*asked_validation(text), VALIDATION_ASPECTS, "if applicable", options)
    if check_id == "metrics-instrumented":
        families = asked_families(text)
        if not families:
            return None
        said = ", ".join(METRIC_FAMILIES[f].name for f in families)
        return LineThreshold({**options, "families": list(families)}, said, bound=False)
    if check_id in ASKED_BY_LINE:
        line_options = {**options, "asked": True}
        if check_id == "model-evaluated-on-holdout" and asked_temporal(text):
            line_options["temporal"] = True
        return LineThreshold(line_options, ASKED_BY_LINE[check_id], bound=False)
    if check_id == "changelog-present":
        if not re.search(r"release notes? (published|written|out)|changelog (updated|entry)", text, re.I):
            return None
        return LineThreshold({**options, "current": True}, "an entry for the version released", bound=False)
    if check_id == "config-files-valid":
        named = re.findall(r"`?([\w./-]+\.(?:ya?ml|json|toml|ini|cfg))\b`?", text)
        if named:
            return LineThreshold({**options, "files": named}, ", ".join(named), bound=False)
        if re.search(r"config\w* files? (are )?(validated|valid|verified|checked|parse)", text, re.I):
            return LineThreshold({**options, "files": ["*"]}, "every configuration file", bound=False)
        return None
    if check_id == "health-endpoint":
        if not asked_detail(text):
            return None
        return LineThreshold({**options, "detailed": True}, "a health answer with detail", bound=False)
    if check_id == "test-suites-passing":
        suites = asked_suites(text)
        if not suites:
            return None
        return LineThreshold(
            {**options, "suites": list(suites)}, "the " + ", ".join(suites) + " tests", bound=False
        )
    if check_id == "routes-served":
        paths = named_paths(text)
        if not paths:
            return None
        return LineThreshold({**options, "paths": list(paths)}, "the routes " + ", ".join(paths), bound=False)
    if check_id == "python-version-declared":
        return _python(text, options)
    if check_id == "model-size-budget":
        if not (found := _SIZE.search(text)):
            return None
        mb = float(found.group(1)) * (1024 if found.group(2).lower() == "gb" else 1)
        return _stricter_max(mb, float(options["max_mb"]), " MB", "max_mb", options)
    return None


READS = frozenset(
    {
        "docstring-coverage",
        "type-hint-coverage",
        "test-coverage",
        "latency-within-budget",
        "throughput-within-budget",
        "model-metrics-meet-floors",
        "model-not-stale",
        "model-size-budget",
        "ops-doc-topics",
        "metrics-instrumented",
        "alert-rules-cover",
        "backups-configured",
        "frontend-hardening",
        "tracing-configured",
        "request-validation",
        "python-version-declared",
        "routes-served",
        "test-suites-passing",
        "health-endpoint",
        "config-files-valid",
        "changelog-present",
    }
    | set(_ASPECTS)
    | set(ASKED_BY_LINE)
)
"""The checks whose threshold a line can set."""

_ASKED_OPTIONS = ("aspects", "topics")
"""The options that say what such a check is asked; empty by default in most."""


@cache
def _asked_nothing_by_default(check_id: str) -> dict[str, Any] | None:
    """The check's default options, when with them it is asked nothing (its aspects or topics are
    empty); None otherwise. Once per check, not once per line of a long checklist."""
    from gate.checks import REGISTRY

    if check_id not in READS:
        return None
    defaults: dict[str, Any] = REGISTRY[check_id].options.model_construct().model_dump(mode="json")
    return defaults if any(key in defaults and not defaults[key] for key in _ASKED_OPTIONS) else None


def names_nothing(check_id: str, text: str) -> bool:
    """The check asks nothing by default (its aspects or topics are empty) and the line names nothing
    it reads: judged, the line would show "nothing is asked" ("Set up caching" names no practice
    practices-in-code reads, and its verdict answers no line)."""
    defaults = _asked_nothing_by_default(check_id)
    return defaults is not None and read(check_id, text, dict(defaults)) is None


def _optional_aspects(
    asked: tuple[str, ...], optional: bool, names: Mapping[Any, str], word: str, options: dict[str, Any]
) -> LineThreshold | None:
    """A line that names aspects and may say they apply only where needed ("(optional)", "(if
    applicable)"): judged on those aspects, and optional when either the line or the config says so."""
    if not asked:
        return None
    said = ", ".join(names[a] for a in asked) + (f" ({word})" if optional else "")
    line_options = {**options, "aspects": list(asked), "optional": optional or options["optional"]}
    return LineThreshold(line_options, said, bound=False)


def _percent(text: str) -> float | None:
    found = _PERCENT.search(text)
    return float(found.group(1)) if found else None


def _floors(text: str, options: dict[str, Any]) -> LineThreshold | None:
    """A line about one metric is judged on that metric alone ("Recall: >0.85" is not failed by a
    missed ROC-AUC floor), at the stricter of the line's and the config's floor for it."""
    asked: dict[str, float] = {}
    for found in _METRIC.finditer(text):
        key = re.sub(r"[- _]", "", found.group(1).lower())
        metric = _METRIC_KEYS.get(key, key)
        raw = found.group(2).replace(" ", "")
        asked[metric] = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    if not asked:
        return None
    configured = {
        str(f.get("metric")): f for f in options.get("floors", ()) if isinstance(f, dict) and f.get("metric")
    }
    floors = []
    said, stricter = [], []
    for metric, minimum in sorted(asked.items()):
        own = configured.get(metric, {})
        config_min = own.get("min")
        said.append(f"{metric} at least {minimum:g}")
        if isinstance(config_min, int | float) and config_min > minimum:
            stricter.append(f"{metric} at least {config_min:g}")
            minimum = float(config_min)
        floors.append({**own, "metric": metric, "min": minimum})
    return LineThreshold({**options, "floors": floors}, ", ".join(said), ", ".join(stricter))


def _topics(text: str, options: dict[str, Any]) -> LineThreshold | None:
    """A line about an operations topic ("On-call rotation defined") is judged on that topic alone; a
    recovery objective with a bound ("RTO < 1 hour") also on the number, at the stricter of the two."""
    asked = asked_topics(text)
    if not asked:
        return None
    said = [BY_ID[t].name for t in asked]
    line_options: dict[str, Any] = {**options, "topics": list(asked)}
    stricter: list[str] = []
    for objective in ("rto", "rpo"):
        option = f"{objective}_max_minutes"
        if objective not in asked or not (found := _WITHIN.search(text)):
            continue
        bound = minutes(found.group(1), found.group(2))
        said.append(f"{objective.upper()} at most {found.group(1)} {found.group(2)}")
        configured = options.get(option)
        if isinstance(configured, int | float) and configured < bound:
            stricter.append(f"{objective.upper()} at most {configured:g} minutes")
        else:
            line_options[option] = bound
    bounded = len(said) > len(asked)
    return LineThreshold(line_options, ", ".join(said), ", ".join(stricter), bound=bounded)


def _backups(text: str, options: dict[str, Any]) -> LineThreshold | None:
    """A line about backups is judged on the aspects it names, and on its interval ("daily") and
    retention ("30 days") at the stricter of the line's and the config's."""
    asked, interval, retention = asked_aspects(text)
    if not asked:
        return None
    said = [BACKUP_ASPECTS[a] for a in asked]
    line_options: dict[str, Any] = {**options, "aspects": list(asked)}
    stricter: list[str] = []
    configured = options.get("max_interval_hours")
    if interval is not None:
        said.append(f"at most {interval:g} hours apart")
        if isinstance(configured, int | float) and configured < interval:
            stricter.append(f"at most {configured:g} hours apart")
        else:
            line_options["max_interval_hours"] = interval
    kept = options.get("min_retention_days")
    if retention is not None:
        said.append(f"kept at least {retention:g} days")
        if isinstance(kept, int | float) and kept > retention:
            stricter.append(f"kept at least {kept:g} days")
        else:
            line_options["min_retention_days"] = retention
    bound = interval is not None or retention is not None
    return LineThreshold(line_options, ", ".join(said), ", ".join(stricter), bound=bound)


def _frontend(text: str, options: dict[str, Any]) -> LineThreshold | None:
    """A frontend line is judged on the aspects it names, and on its budget ("Bundle size < 500KB",
    "Lighthouse score > 90") at the stricter of the line's and the config's."""
    asked, budget, score = asked_frontend(text)
    if not asked:
        return None
    said = [FRONTEND_NAMES[a] for a in asked]
    line_options: dict[str, Any] = {**options, "aspects": list(asked)}
    stricter: list[str] = []
    if budget is not None:
        said.append(f"at most {budget:g} KB")
        if float(options["max_bundle_kb"]) < budget:
            stricter.append(f"at most {float(options['max_bundle_kb']):g} KB")
        else:
            line_options["max_bundle_kb"] = budget
    if score is not None:
        said.append(f"a score of at least {score:g}")
        if float(options["min_lighthouse"]) > score:
            stricter.append(f"a score of at least {float(options['min_lighthouse']):g}")
        else:
            line_options["min_lighthouse"] = score
    bound = budget is not None or score is not None
    return LineThreshold(line_options, ", ".join(said), ", ".join(stricter), bound=bound)


def _python(text: str, options: dict[str, Any]) -> LineThreshold | None:
    """ "Python version verified: 3.8+": every declaration allows nothing older, at the stricter of the
    line's and the config's floor."""
    if not (found := _PYTHON_FLOOR.search(text)):
        return None
    line = found.group(1)
    said = f"Python {line} or newer"
    configured = options.get("min_version")
    if isinstance(configured, str) and _version(configured) > _version(line):
        return LineThreshold(options, said, f"Python {configured} or newer")
    return LineThreshold({**options, "min_version": line}, said)


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split("."))
