"""Facts about request tracing: a tracer set up (OpenTelemetry, ddtrace), its sampling, and request IDs
carried through the service's logs.

Read line by line from the service's own modules and from the files that start it (Dockerfiles,
compose files, Kubernetes manifests, Procfiles, shell entrypoints).
"""

from __future__ import annotations

import re

from gate.facts.signals import Signal, Signals, scan
from gate.lazyre import lazy
from gate.snapshot import Snapshot

_CODE = (
    (
        "tracer",
        lazy(
            r"\b(FastAPIInstrumentor|FlaskInstrumentor|DjangoInstrumentor|StarletteInstrumentor|"
            r"RequestsInstrumentor|TracerProvider|configure_azure_monitor|ddtrace\.patch|patch_all\(|"
            r"opentelemetry\.instrumentation)\b"
        ),
    ),
    (
        "sampling",
        lazy(r"\b(TraceIdRatioBased|ParentBased|ALWAYS_ON|traces_sample_rate|OTEL_TRACES_SAMPLER)\b"),
    ),
    (
        "request-id",
        lazy(
            r"CorrelationIdMiddleware|asgi_correlation_id|RequestIdMiddleware|flask_request_id|"
            r"X-Request-ID|X-Correlation-ID|request_id_(var|ctx)|correlation_id\.get\(",
            re.I,
        ),
    ),
)
_DEPLOY = (
    (
        "tracer",
        lazy(r"opentelemetry-instrument\b|ddtrace-run\b|OTEL_EXPORTER_OTLP_\w*ENDPOINT|OTEL_SERVICE_NAME"),
    ),
    ("sampling", lazy(r"OTEL_TRACES_SAMPLER|DD_TRACE_SAMPLE_RATE|DD_TRACE_SAMPLING_RULES")),
)
_DEPLOY_NAMES = lazy(
    r"(^|/)(Dockerfile[^/]*|[^/]*\.dockerfile|(docker-)?compose[^/]*\.ya?ml|Procfile|[^/]*\.sh|[^/]*\.env\.example|"
    r"k8s/[^/]*\.ya?ml|kubernetes/[^/]*\.ya?ml|deploy/[^/]*\.ya?ml|manifests/[^/]*\.ya?ml|charts/.*\.ya?ml)$",
    re.I,
)


class TracingFacts(Signals, frozen=True):
    """Kinds: tracer, sampling, request-id."""


def collect_tracing(snap: Snapshot, service_modules: tuple[str, ...]) -> TracingFacts:
    signals: list[Signal] = []
    for rel in service_modules:
        signals.extend(scan(rel, snap.text(rel) or "", _CODE, comments=("#",)))
    for rel in snap.files:
        if _DEPLOY_NAMES.search(rel):
            signals.extend(scan(rel, snap.text(rel) or "", _DEPLOY, comments=("#",)))
    return TracingFacts(tuple(signals))
