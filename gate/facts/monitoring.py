"""Facts about how monitoring is wired to the service: what scrapes its metrics, which dashboards show
them, where alerts are sent, and which error tracker receives its exceptions.

Read from Kubernetes objects (ServiceMonitor, PodMonitor, scrape annotations, dashboard ConfigMaps), from
Prometheus, Alertmanager and Grafana provisioning files and dashboard JSON, line by line, and from the
service's own modules (error tracker initialisation).
"""

from __future__ import annotations

import re

from gate.facts.kubernetes import KubernetesFacts
from gate.facts.python import is_test_path
from gate.facts.signals import Signal, Signals, scan
from gate.lazyre import lazy
from gate.snapshot import Snapshot

_FILE_SIGNALS = (
    ("scrape", lazy(r"^\s*scrape_configs:|prometheus\.io/scrape['\"]?\s*:\s*['\"]?true")),
    (
        "routing",
        lazy(
            r"^\s*-?\s*(email|slack|pagerduty|opsgenie|webhook|msteams|msteamsv2|telegram|sns|victorops|pushover|"
            r"wechat|discord|webex|jira|rocketchat)_?[cC]onfigs:|^\s*contactPoints:"
        ),
    ),
    ("dashboard", lazy(r"^\s*\"panels\"\s*:\s*\[")),
)
_CODE_SIGNALS = (
    (
        "error-tracking",
        lazy(
            r"sentry_sdk\.init\(|rollbar\.init\(|bugsnag\.configure\(|honeybadger\.configure\(|airbrake|newrelic\.agent\.initialize\("
        ),
    ),
)
_DRIFT = (
    (
        "drift",
        lazy(
            r"^\s*(from|import)\s+(evidently|alibi_detect|nannyml|whylogs|deepchecks|frouros)\b"
            r"|\bDataDriftPreset\b|\bks_2samp\(|\bpopulation_stability_index\b|\bdrift_(score|detected)\b"
        ),
    ),
)
"""Data drift detection in any non-test module (it often runs in a scheduled job, not the service)."""
_DRIFT_WORDS = (
    "evidently",
    "alibi_detect",
    "nannyml",
    "whylogs",
    "deepchecks",
    "frouros",
    "drift",
    "ks_2samp",
)
_NAMES = lazy(
    r"(prometheus|alertmanager|grafana|dashboard|monitoring|alerting|contact)[^/]*\.(ya?ml|json)$|(^|/)(grafana|dashboards|monitoring)/",
    re.I,
)


class MonitoringFacts(Signals, frozen=True):
    """Kinds: scrape, routing, dashboard, error-tracking, drift; silent-routing (an Alertmanager
    configuration whose receivers send nowhere)."""


# [ \t], never \s: with re.M, \s* would run across newlines from every line start (quadratic)
_RECEIVERS = lazy(r"^[ \t]*receivers:[ \t]*$", re.M)
_INTEGRATION = lazy(r"^[ \t]*(?:-[ \t]*)?\w+_configs:", re.M)
"""Any Alertmanager integration, those the routing signal names and any other (`*_configs`)."""


def _silent(rel: str, text: str) -> list[Signal]:
    """An Alertmanager configuration (a route and receivers) in which no receiver has an integration:
    every alert it routes is dropped. Alertmanager accepts such a receiver without a word."""
    m = _RECEIVERS.search(text)
    if not m or "route:" not in text or _INTEGRATION.search(text):
        return []
    line = text.count("\n", 0, m.start()) + 1
    return [Signal("silent-routing", rel, line, "receivers with no integration (alerts are dropped)")]


def collect_monitoring(
    snap: Snapshot, kube: KubernetesFacts, service_modules: tuple[str, ...]
) -> MonitoringFacts:
    signals: list[Signal] = []
    for kind in ("ServiceMonitor", "PodMonitor"):
        for m in kube.of_kind(kind):
            signals.append(Signal("scrape", m.path, m.line, f"{kind} {m.name}"))
    for m in kube.of_kind("ConfigMap"):
        labels = (m.data.get("metadata") or {}).get("labels") or {}
        if isinstance(labels, dict) and any("grafana_dashboard" in str(k) for k in labels):
            signals.append(Signal("dashboard", m.path, m.line, f"dashboard ConfigMap {m.name}"))
    for m in kube.manifests:
        annotations = (
            ((m.data.get("spec") or {}).get("template") or {}).get("metadata", {})
            if isinstance(m.data.get("spec"), dict)
            else {}
        )
        notes = annotations.get("annotations") if isinstance(annotations, dict) else None
        if isinstance(notes, dict) and str(notes.get("prometheus.io/scrape", "")).lower() == "true":
            signals.append(Signal("scrape", m.path, m.line, f"prometheus.io/scrape on {m.kind} {m.name}"))
    for rel in snap.files:
        if _NAMES.search(rel):
            text = snap.text(rel) or ""
            signals.extend(scan(rel, text, _FILE_SIGNALS))
            signals.extend(_silent(rel, text))
    for rel in service_modules:
        signals.extend(scan(rel, snap.text(rel) or "", _CODE_SIGNALS))
    for rel in snap.with_suffix(".py"):
        if is_test_path(rel):
            continue
        text = snap.text(rel) or ""
        if any(word in text for word in _DRIFT_WORDS):
            signals.extend(scan(rel, text, _DRIFT))
    return MonitoringFacts(tuple(signals))
