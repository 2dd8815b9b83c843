"""Facts about request tracing: a tracer set up (OpenTelemetry, ddtrace), its sampling, and request IDs
carried through the service's logs.

Read line by line from the service's own modules and from the files that start it (Dockerfiles,
compose files, Kubernetes manifests, Procfiles, shell entrypoints).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gate.snapshot import Snapshot

_MAX_LINE = 2_000
_CODE = (
    (
        "tracer",
        re.compile(
            r"\b(FastAPIInstrumentor|FlaskInstrumentor|DjangoInstrumentor|StarletteInstrumentor|"
            r"RequestsInstrumentor|TracerProvider|configure_azure_monitor|ddtrace\.patch|patch_all\(|"
            r"opentelemetry\.instrumentation)\b"
        ),
    ),
    (
        "sampling",
        re.compile(r"\b(TraceIdRatioBased|ParentBased|ALWAYS_ON|traces_sample_rate|OTEL_TRACES_SAMPLER)\b"),
    ),
    (
        "request-id",
        re.compile(
            r"CorrelationIdMiddleware|asgi_correlation_id|RequestIdMiddleware|flask_request_id|"
            r"X-Request-ID|X-Correlation-ID|request_id_(var|ctx)|correlation_id\.get\(",
            re.I,
        ),
    ),
)
_DEPLOY = (
    (
        "tracer",
        re.compile(
            r"opentelemetry-instrument\b|ddtrace-run\b|OTEL_EXPORTER_OTLP_\w*ENDPOINT|OTEL_SERVICE_NAME"
        ),
    ),
    ("sampling", re.compile(r"OTEL_TRACES_SAMPLER|DD_TRACE_SAMPLE_RATE|DD_TRACE_SAMPLING_RULES")),
)
_DEPLOY_NAMES = re.compile(
    r"(^|/)(Dockerfile[^/]*|[^/]*\.dockerfile|(docker-)?compose[^/]*\.ya?ml|Procfile|[^/]*\.sh|[^/]*\.env\.example|"
    r"k8s/[^/]*\.ya?ml|kubernetes/[^/]*\.ya?ml|deploy/[^/]*\.ya?ml|manifests/[^/]*\.ya?ml|charts/.*\.ya?ml)$",
    re.I,
)


@dataclass(frozen=True)
class TraceSignal:
    kind: str
    path: str
    line: int
    detail: str


@dataclass(frozen=True)
class TracingFacts:
    signals: tuple[TraceSignal, ...] = ()

    def of(self, kind: str) -> tuple[TraceSignal, ...]:
        return tuple(s for s in self.signals if s.kind == kind)


def _scan(rel: str, text: str, patterns: tuple[tuple[str, re.Pattern[str]], ...]) -> list[TraceSignal]:
    found: list[TraceSignal] = []
    for i, line in enumerate(text.splitlines(), 1):
        if len(line) > _MAX_LINE or line.lstrip().startswith("#"):
            continue
        for kind, rx in patterns:
            if m := rx.search(line):
                found.append(TraceSignal(kind, rel, i, m.group(0)[:60]))
    return found


def collect_tracing(snap: Snapshot, service_modules: tuple[str, ...]) -> TracingFacts:
    signals: list[TraceSignal] = []
    for rel in service_modules:
        signals.extend(_scan(rel, snap.text(rel) or "", _CODE))
    for rel in snap.files:
        if _DEPLOY_NAMES.search(rel):
            signals.extend(_scan(rel, snap.text(rel) or "", _DEPLOY))
    return TracingFacts(tuple(signals))
