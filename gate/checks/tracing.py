"""Request tracing: a tracer set up, its sampling configured, request IDs carried through the service.

A go-live checklist asks "Distributed tracing enabled (optional)", "Trace sampling configured",
"Correlation IDs implemented". One check reads the signals gate/facts/tracing.py finds; which aspects it
asks for comes from the team's config or, for a checklist line, from the line's own words
(gate/thresholds.py).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict

from gate.checks.base import Decision, Hit, check, failed, not_applicable, passed
from gate.checks.servicecode import app_at, no_application
from gate.facts import Facts
from gate.lazyre import lazy
from gate.model import Level, Severity

TraceAspect = Literal["tracing", "sampling", "request-ids"]

NAMES: dict[TraceAspect, str] = {
    "tracing": "a tracer (OpenTelemetry or ddtrace)",
    "sampling": "trace sampling",
    "request-ids": "request IDs",
}
_KIND = {"tracing": "tracer", "sampling": "sampling", "request-ids": "request-id"}
_ASKED: tuple[tuple[TraceAspect, re.Pattern[str]], ...] = (
    ("sampling", lazy(r"sampl", re.I)),
    ("request-ids", lazy(r"correlation|request[- ]ids?\b|request tracking", re.I)),
    ("tracing", lazy(r"tracing|\btraces\b|opentelemetry", re.I)),
)
_OPTIONAL = lazy(r"\boptional\b|\bif needed\b|\bif required\b", re.I)


def asked_trace_aspects(text: str) -> tuple[tuple[TraceAspect, ...], bool]:
    """The aspects a checklist line names, and whether the line marks them optional."""
    asked = [a for a, rx in _ASKED if rx.search(text)]
    if "sampling" in asked and "tracing" in asked:
        asked.remove("tracing")
    # "Correlation IDs are used for request tracing": the IDs are the ask, tracing their purpose
    if (
        "request-ids" in asked
        and "tracing" in asked
        and not re.search(r"distributed|opentelemetry|tracer", text, re.I)
    ):
        asked.remove("tracing")
    return tuple(asked), bool(_OPTIONAL.search(text))


class TracingOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    aspects: tuple[TraceAspect, ...] = ()
    """What tracing must show. None by default: a checklist line asks for its own."""
    optional: bool = False
    """Missing aspects are not a failure ("Distributed tracing enabled (optional)"): the check is then
    not applicable when the service does not trace."""


@check(
    id="tracing-configured",
    title="Request tracing has the aspects asked for",
    category="monitoring",
    severity=Severity.LOW,
    level=Level.GOLD,
    applies_when="the repository has a service, and the config or a checklist line names an aspect",
    remediation="Set up OpenTelemetry (an instrumentor or opentelemetry-instrument), a sampler, and a request-ID middleware whose ID goes into the logs.",
    options=TracingOptions,
)
def tracing_configured(facts: Facts, options: TracingOptions) -> Decision:
    """
    ## What it checks
    That the service traces requests, with each aspect asked for:

    - a tracer: an OpenTelemetry instrumentor or TracerProvider in the service's code, the
      `opentelemetry-instrument` or `ddtrace-run` launcher, `OTEL_EXPORTER_OTLP_ENDPOINT` or
      `OTEL_SERVICE_NAME` where it starts, ddtrace's `patch_all`;
    - trace sampling: a sampler in code (TraceIdRatioBased, ParentBased, `traces_sample_rate`) or
      `OTEL_TRACES_SAMPLER` / `DD_TRACE_SAMPLE_RATE` where it starts;
    - request IDs: a correlation or request-ID middleware (asgi-correlation-id, flask-request-id) or a
      request ID read and passed on in the code (`X-Request-ID`, `request_id`).

    No aspect is asked by default. A checklist line names its own ("Trace sampling configured" asks for
    sampling); a line that says "(optional)" or "(if needed)" makes a missing tracer not applicable
    rather than a failure.

    ## Why it matters
    A slow prediction is found in a trace in a minute; without one, it is guessed at from three
    services' logs with no ID to join them.

    ## How to fix
    Start the service under `opentelemetry-instrument` (or add the framework's instrumentor), set a
    sampler, and add a request-ID middleware.

    ## Example
    ```dockerfile
    ENV OTEL_SERVICE_NAME=churn-scorer OTEL_TRACES_SAMPLER=parentbased_traceidratio OTEL_TRACES_SAMPLER_ARG=0.1
    CMD ["opentelemetry-instrument", "uvicorn", "app.main:app", "--host", "0.0.0.0"]
    ```
    """
    if not options.aspects:
        return not_applicable("No tracing aspect is asked for (options.aspects, or a checklist line).")
    if not facts.routes.apps and not facts.code.service_modules:
        return no_application(facts)
    found: list[str] = []
    missing: list[str] = []
    for aspect in dict.fromkeys(options.aspects):
        signals = facts.tracing.of(_KIND[aspect])
        if signals:
            s = signals[0]
            found.append(f"{NAMES[aspect]}: {s.detail} at {s.path}:{s.line}")
        else:
            missing.append(NAMES[aspect])
    if missing and options.optional:
        return not_applicable(f"Optional, and not set up: {', '.join(missing)}.")
    if missing:
        place = app_at(facts)
        return failed(
            f"Missing: {', '.join(missing)}.",
            *(Hit(f"No {name} in the service.", place) for name in missing),
        )
    return passed("Tracing: " + "; ".join(found) + ".")
