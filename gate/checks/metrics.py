"""Metrics instrumented by family: request count, errors, latency, inference time, process resources,
training outcomes, database size, the service's own business metrics.

metrics-endpoint says that metrics are exposed; a go-live checklist asks which ones ("Error rate",
"Model inference time", "Request latency (p50, p95, p99)"). One check decides them from what the code
defines with prometheus_client and what the HTTP instrumentation libraries export by default. Which
families it asks for comes from the team's config or, for a checklist line, from the line's own words
(gate/thresholds.py).
"""

from __future__ import annotations

import re
from typing import Literal

from msgspec import Struct
from pydantic import BaseModel, ConfigDict

from gate.checks.base import Decision, Hit, check, failed, not_applicable, passed
from gate.checks.servicecode import app_at, no_application
from gate.facts import Facts
from gate.facts.code import Site
from gate.lazyre import lazy
from gate.model import Level, Severity

FamilyId = Literal[
    "requests",
    "requests-per-endpoint",
    "errors",
    "latency",
    "inference-time",
    "process",
    "training-outcome",
    "db-size",
    "custom",
]

HTTP_INSTRUMENTATION = frozenset({"Instrumentator", "PrometheusMetrics"})
"""Exporters that count, time and label every request by route and status out of the box
(prometheus-fastapi-instrumentator, prometheus_flask_exporter)."""
_EXPOSITION = frozenset(
    {
        "make_asgi_app",
        "make_wsgi_app",
        "start_http_server",
        "generate_latest",
        "Instrumentator",
        "PrometheusMetrics",
    }
)
"""Ways of serving prometheus_client's default registry, which carries the process collector
(process_cpu_seconds_total, process_resident_memory_bytes) on Linux."""


class Family(Struct, frozen=True):
    id: FamilyId
    name: str
    asked: re.Pattern[str]
    """the words of a checklist line that ask for this family"""
    kinds: frozenset[str]
    """prometheus_client metric kinds that can carry it"""
    metric: re.Pattern[str] | None
    """a defined metric's name that carries it (None: any name)"""
    labels: re.Pattern[str] | None = None
    """...or, for a counter, a label that carries it (a status code label makes an error rate)"""
    http: bool = False
    """the HTTP instrumentation libraries export it by default"""


def _rx(pattern: str) -> re.Pattern[str]:
    return lazy(pattern, re.IGNORECASE)  # compiled on first use: most runs use few of these


_DURATION_NAME = r"latency|duration|seconds|_time|time_"
FAMILIES: tuple[Family, ...] = (
    Family(
        "requests-per-endpoint",
        "a request count per endpoint",
        _rx(r"request.{0,20}per (endpoint|route|handler)"),
        frozenset({"Counter", "Histogram", "Summary"}),
        _rx(r"request|http|call"),
        _rx(r"^(endpoint|handler|path|route|url|method_path)$"),
        http=True,
    ),
    Family(
        "requests",
        "a request count",
        _rx(r"request (count|rate)|throughput|requests per|\brps\b"),
        frozenset({"Counter", "Histogram", "Summary"}),
        _rx(r"request|http|call|predict"),
        http=True,
    ),
    Family(
        "errors",
        "an error count",
        _rx(r"error.{0,10}rate|errors? (count|ratio)|failure rate"),
        frozenset({"Counter"}),
        _rx(r"error|exception|fail"),
        _rx(r"^(status|status_code|code|outcome|result)$"),
        http=True,
    ),
    Family(
        "inference-time",
        "an inference time histogram",
        _rx(r"inference (time|latency|duration)|prediction (time|latency|duration)"),
        frozenset({"Histogram", "Summary"}),
        _rx(
            rf"(infer|predict|model|scor).*({_DURATION_NAME})|({_DURATION_NAME}).*(infer|predict|model|scor)"
        ),
    ),
    Family(
        "latency",
        "a request latency histogram",
        _rx(r"response time|latency|\bp(50|9[59])\b"),
        frozenset({"Histogram", "Summary"}),
        _rx(_DURATION_NAME),
        http=True,
    ),
    Family(
        "process",
        "process CPU and memory",
        _rx(r"\bcpu\b|memory"),
        frozenset(),
        None,
    ),
    Family(
        "training-outcome",
        "a training run outcome",
        _rx(r"training (job|run).{0,20}(success|fail|outcome)|training (success|failure)"),
        frozenset({"Counter", "Gauge"}),
        _rx(r"train.*(success|fail|error|run|job|status|complet)"),
    ),
    Family(
        "db-size",
        "a database size gauge",
        _rx(r"(database|\bdb\b) size"),
        frozenset({"Gauge"}),
        _rx(r"(db|database|sqlite|table).*(size|bytes|rows)"),
    ),
    Family(
        "custom",
        "a metric of the service's own",
        _rx(r"custom metric|business (logic|metric)"),
        frozenset({"Counter", "Gauge", "Histogram", "Summary"}),
        None,
    ),
)
BY_ID = {f.id: f for f in FAMILIES}
GOLDEN: tuple[FamilyId, ...] = ("requests", "errors", "latency")
"""What "key metrics" means when a line names none: request rate, errors and latency."""


def asked_families(text: str) -> tuple[FamilyId, ...]:
    """The metric families a checklist line asks for ("Key metrics defined (response time, error rate,
    throughput)": latency, errors, requests); a line about metrics that names none asks for the three
    golden signals. A count per endpoint is asked instead of the plain count."""
    asked = [f.id for f in FAMILIES if f.asked.search(text)]
    if "requests-per-endpoint" in asked and "requests" in asked:
        asked.remove("requests")
    if "inference-time" in asked and "latency" in asked:
        asked.remove("latency")
    if not asked and re.search(r"\bmetrics?\b", text, re.IGNORECASE):
        return GOLDEN
    return tuple(asked)


class MetricOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    families: tuple[FamilyId, ...] = ()
    """The metric families the service must export. None by default: a checklist line asks for its own."""


def _parts(site: Site) -> tuple[str, str, tuple[str, ...]]:
    kind, _, rest = site.detail.partition(" ")
    name, _, labels = rest.partition(" ")
    return kind, name, tuple(label for label in labels.split(",") if label)


def _carrier(facts: Facts, family: Family) -> str | None:
    """Where the code exports the family, or None."""
    if family.http:
        for site in facts.code.metrics:
            if site.detail in HTTP_INSTRUMENTATION:
                return f"{site.detail} at {site.path}:{site.line}"
    if family.id == "process":
        for site in facts.code.metrics:
            if site.detail in _EXPOSITION:
                return f"prometheus_client's process collector, served by {site.detail} at {site.path}:{site.line}"
        return None
    for site in facts.code.metric_defs:
        kind, name, labels = _parts(site)
        if kind not in family.kinds:
            continue
        if family.id == "custom":
            return f"{kind} {name} at {site.path}:{site.line}"
        named = family.metric is not None and bool(family.metric.search(name))
        labelled = family.labels is not None and any(family.labels.search(label) for label in labels)
        if family.id == "requests-per-endpoint":
            if named and labelled:
                return f"{kind} {name} labelled by {', '.join(labels)} at {site.path}:{site.line}"
        elif named or (labelled and kind == "Counter"):
            return f"{kind} {name} at {site.path}:{site.line}"
    return None


@check(
    id="metrics-instrumented",
    title="Metrics instrumented for the families asked for",
    category="monitoring",
    severity=Severity.LOW,
    level=Level.GOLD,
    applies_when="the repository has a web application, and the config or a checklist line names a metric family",
    remediation="Define the metrics with prometheus_client (Counter, Histogram, Gauge) or use an HTTP instrumentation library.",
    options=MetricOptions,
)
def metrics_instrumented(facts: Facts, options: MetricOptions) -> Decision:
    """
    ## What it checks
    That the service exports each metric family asked for:

    - request counts (per endpoint when asked), error counts and request latency: exported by
      prometheus-fastapi-instrumentator's `Instrumentator` and prometheus_flask_exporter's
      `PrometheusMetrics` by default, or a prometheus_client Counter or Histogram named for them
      (an error count may be a counter labelled by status code);
    - inference time: a Histogram or Summary named for inference, prediction or the model with a
      duration in its name;
    - process CPU and memory: prometheus_client's default registry served by the app (it carries the
      process collector);
    - training run outcomes: a Counter or Gauge named for training and its success or failure (training
      scripts are read too);
    - database size: a Gauge named for the database and its size;
    - a metric of the service's own: any metric the code defines.

    No family is asked by default. A checklist line names its own ("Error rate" asks for the error
    count; "Key metrics defined" for requests, errors and latency), or the team lists them in
    `families`.

    ## Why it matters
    A dashboard can only show what the service counts. The line on the checklist is ticked in a
    meeting; whether the histogram exists is in the code.

    ## How to fix
    Define the missing metrics where the work happens.

    ## Example
    ```python
    from prometheus_client import Histogram

    INFERENCE = Histogram("model_inference_seconds", "Time spent in model.predict", ["model"])

    with INFERENCE.labels(model="rf").time():
        scores = model.predict(rows)
    ```
    """
    if not options.families:
        return not_applicable("No metric family is asked for (options.families, or a checklist line).")
    if not facts.routes.apps and not facts.code.service_modules:
        return no_application(facts)
    found: list[str] = []
    missing: list[str] = []
    for family_id in dict.fromkeys(options.families):
        family = BY_ID[family_id]
        where = _carrier(facts, family)
        if where is None:
            missing.append(family.name)
        else:
            found.append(f"{family.name}: {where}")
    if missing:
        place = app_at(facts)
        return failed(
            f"Not exported: {', '.join(missing)}.",
            *(Hit(f"No metric for {name}.", place) for name in missing),
        )
    return passed("Exported: " + "; ".join(found) + ".")
