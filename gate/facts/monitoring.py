"""Facts about how monitoring is wired to the service: what scrapes its metrics, which dashboards show
them, where alerts are sent, and which error tracker receives its exceptions.

Read from Kubernetes objects (ServiceMonitor, PodMonitor, scrape annotations, dashboard ConfigMaps), from
Prometheus, Alertmanager and Grafana provisioning files and dashboard JSON, line by line, and from the
service's own modules (error tracker initialisation).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gate.facts.kubernetes import KubernetesFacts
from gate.snapshot import Snapshot

_MAX_LINE = 2_000
_FILE_SIGNALS = (
    ("scrape", re.compile(r"^\s*scrape_configs:|prometheus\.io/scrape['\"]?\s*:\s*['\"]?true")),
    (
        "routing",
        re.compile(
            r"^\s*-?\s*(email|slack|pagerduty|opsgenie|webhook|msteams|telegram)_?[cC]onfigs:|^\s*contactPoints:"
        ),
    ),
    ("dashboard", re.compile(r"^\s*\"panels\"\s*:\s*\[")),
)
_CODE_SIGNALS = (
    (
        "error-tracking",
        re.compile(
            r"sentry_sdk\.init\(|rollbar\.init\(|bugsnag\.configure\(|honeybadger\.configure\(|airbrake|newrelic\.agent\.initialize\("
        ),
    ),
)
_NAMES = re.compile(
    r"(prometheus|alertmanager|grafana|dashboard|monitoring|alerting|contact)[^/]*\.(ya?ml|json)$|(^|/)(grafana|dashboards|monitoring)/",
    re.I,
)


@dataclass(frozen=True)
class MonitorSignal:
    kind: str
    """scrape, routing, dashboard, error-tracking"""
    path: str
    line: int
    detail: str


@dataclass(frozen=True)
class MonitoringFacts:
    signals: tuple[MonitorSignal, ...] = ()

    def of(self, kind: str) -> tuple[MonitorSignal, ...]:
        return tuple(s for s in self.signals if s.kind == kind)


def _scan(rel: str, text: str, patterns: tuple[tuple[str, re.Pattern[str]], ...]) -> list[MonitorSignal]:
    found: list[MonitorSignal] = []
    for i, line in enumerate(text.splitlines(), 1):
        if len(line) > _MAX_LINE:
            continue
        for kind, rx in patterns:
            if m := rx.search(line):
                found.append(MonitorSignal(kind, rel, i, m.group(0).strip()[:60]))
    return found


def collect_monitoring(
    snap: Snapshot, kube: KubernetesFacts, service_modules: tuple[str, ...]
) -> MonitoringFacts:
    signals: list[MonitorSignal] = []
    for kind in ("ServiceMonitor", "PodMonitor"):
        for m in kube.of_kind(kind):
            signals.append(MonitorSignal("scrape", m.path, m.line, f"{kind} {m.name}"))
    for m in kube.of_kind("ConfigMap"):
        labels = (m.data.get("metadata") or {}).get("labels") or {}
        if isinstance(labels, dict) and any("grafana_dashboard" in str(k) for k in labels):
            signals.append(MonitorSignal("dashboard", m.path, m.line, f"dashboard ConfigMap {m.name}"))
    for m in kube.manifests:
        annotations = (
            ((m.data.get("spec") or {}).get("template") or {}).get("metadata", {})
            if isinstance(m.data.get("spec"), dict)
            else {}
        )
        notes = annotations.get("annotations") if isinstance(annotations, dict) else None
        if isinstance(notes, dict) and str(notes.get("prometheus.io/scrape", "")).lower() == "true":
            signals.append(
                MonitorSignal("scrape", m.path, m.line, f"prometheus.io/scrape on {m.kind} {m.name}")
            )
    for rel in snap.files:
        if _NAMES.search(rel):
            signals.extend(_scan(rel, snap.text(rel) or "", _FILE_SIGNALS))
    for rel in service_modules:
        signals.extend(_scan(rel, snap.text(rel) or "", _CODE_SIGNALS))
    return MonitoringFacts(tuple(signals))
