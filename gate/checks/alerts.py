"""Alert rules by kind: availability, errors, latency, memory, disk, CPU, training failures, and the
severities a team pages and warns on.

A go-live checklist asks "Service down alerts", "High error rate alerts", "Critical alerts configured".
One check reads the repository's Prometheus rules (rule files, PrometheusRule objects, Helm templates)
and classifies each alert by what it watches; which kinds it asks for comes from the team's config or,
for a checklist line, from the line's own words (gate/thresholds.py).
"""

from __future__ import annotations

import re
from typing import Literal

from msgspec import Struct
from pydantic import BaseModel, ConfigDict, Field

from gate.checks.base import Decision, Hit, at, check, failed, not_applicable, passed
from gate.facts import Facts
from gate.facts.alerts import AlertRule
from gate.lazyre import lazy
from gate.model import Level, Outcome, Severity

AlertKind = Literal[
    "any", "availability", "errors", "latency", "memory", "disk", "cpu", "training", "critical", "warning"
]


class Kind(Struct, frozen=True):
    id: AlertKind
    name: str
    asked: re.Pattern[str]
    """the words of a checklist line that ask for this kind"""
    watches: re.Pattern[str] | None
    """an alert's name or expression that watches it (None: decided by severity, or any alert)"""


def _rx(pattern: str) -> re.Pattern[str]:
    return lazy(pattern, re.IGNORECASE)  # compiled on first use: most runs use few of these


KINDS: tuple[Kind, ...] = (
    Kind(
        "availability",
        "the service being down",
        _rx(r"\b(service|api|app|instance)s? (is )?down\b|downtime|availability|uptime"),
        _rx(r"down|unavailable|unreachable|absent\(|\bup\b[^=\n]{0,80}==\s*0|probe_success"),
    ),
    Kind(
        "errors",
        "the error rate",
        _rx(r"error.{0,10}(rate|ratio)|\b5xx\b|fail(ed|ing|ures?) (responses|requests)"),
        _rx(r"error|5xx|5\.\.|\"5|exception"),
    ),
    Kind(
        "latency",
        "latency",
        _rx(r"latency|response time|slow"),
        _rx(r"latency|slow|duration|histogram_quantile"),
    ),
    Kind("memory", "memory", _rx(r"memory|\boom\b"), _rx(r"memory|_rss\b|resident|oom")),
    Kind(
        "disk",
        "disk space",
        _rx(r"\bdisk|storage|volume space"),
        _rx(r"disk|filesystem|volume|storage|inode"),
    ),
    Kind("cpu", "CPU", _rx(r"\bcpu\b"), _rx(r"cpu")),
    Kind("training", "training failures", _rx(r"training|retrain"), _rx(r"train")),
    Kind("critical", "a critical severity", _rx(r"critical alerts?\b"), None),
    Kind("warning", "a warning severity", _rx(r"warning alerts?\b"), None),
)
BY_ID = {k.id: k for k in KINDS}
_THRESHOLD = lazy(r"(==|!=|>=|<=|>|<)\s*-?\d|\babsent(_over_time)?\(")
"""An expression that compares with a number (or fires on a series' absence): a threshold."""


def asked_kinds(text: str) -> tuple[AlertKind, ...]:
    """The alert kinds a checklist line asks for; a line about alerts that names none ("Alerts
    configured", "Alert thresholds set") asks for any alert with a threshold."""
    asked: list[AlertKind] = [k.id for k in KINDS if k.asked.search(text)]
    if not asked and re.search(r"\balert", text, re.IGNORECASE):
        return ("any",)
    return tuple(asked)


class AlertOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    kinds: tuple[AlertKind, ...] = ()
    """The kinds of alert the repository must define. None by default: a checklist line asks for its own."""
    external: str | None = Field(default=None, min_length=1)
    """Where alerting is configured instead, when not in this repository ("grafana-cloud: team folder
    reviews"): the check is then not applicable, with that reason."""


def _of_kind(rule: AlertRule, kind: Kind) -> bool:
    if not _THRESHOLD.search(rule.expr):
        return False
    if kind.id == "any":
        return True
    if kind.watches is None:
        return rule.severity == kind.id or (kind.id == "critical" and rule.severity in ("page", "high"))
    return bool(kind.watches.search(rule.name) or kind.watches.search(rule.expr))


ANY = Kind("any", "an alert with a threshold", _rx(r"$^"), None)


@check(
    id="alert-rules-cover",
    title="Alert rules cover the kinds asked for",
    category="monitoring",
    severity=Severity.LOW,
    level=Level.GOLD,
    applies_when="the config or a checklist line names a kind of alert",
    remediation="Add Prometheus alert rules (a rule file or a PrometheusRule) for what the service must page on.",
    options=AlertOptions,
)
def alert_rules_cover(facts: Facts, options: AlertOptions) -> Decision:
    """
    ## What it checks
    That the repository's alert rules cover each kind asked for. Rules are the `- alert:` entries of
    Prometheus rule files, of PrometheusRule objects and of Helm templates holding either. Each is
    classified by its name and expression: the service being down (`up == 0`, `absent(...)`,
    `probe_success`), the error rate (5xx, errors, exceptions), latency (`histogram_quantile`,
    durations), memory, disk space, CPU, training failures; `critical` and `warning` are read from its
    severity label. A rule counts only with a threshold: its expression compares with a number or
    fires on absence.

    No kind is asked by default. A checklist line names its own ("Service down alerts" asks for an
    availability alert; "Alerts configured" for any alert with a threshold), or the team lists them in
    `kinds`. With no alert rule in the repository the check cannot decide (missing evidence) unless
    `external` says where alerting lives instead.

    ## Why it matters
    A metric nobody alerts on is found in the post-mortem. The rule file is where "we have alerts"
    stops being a belief.

    ## How to fix
    Write the missing rules next to the manifests, with a threshold, a `for:` and a severity.

    ## Example
    ```yaml
    groups:
      - name: churn-scorer
        rules:
          - alert: ChurnScorerDown
            expr: up{job="churn-scorer"} == 0
            for: 2m
            labels: {severity: critical}
    ```
    """
    if not options.kinds:
        return not_applicable("No kind of alert is asked for (options.kinds, or a checklist line).")
    if options.external:
        return not_applicable(f"Alerting is configured outside the repository: {options.external}")
    rules = facts.alerts.rules
    if not rules:
        return Decision(
            Outcome.MISSING_EVIDENCE,
            "No alert rules in the repository (Prometheus rule files or PrometheusRule objects). If alerting "
            "lives elsewhere, say where in options.external.",
        )
    found: list[str] = []
    missing: list[str] = []
    for kind_id in dict.fromkeys(options.kinds):
        kind = ANY if kind_id == "any" else BY_ID[kind_id]
        rule = next((r for r in rules if _of_kind(r, kind)), None)
        if rule is None:
            missing.append(kind.name)
        else:
            found.append(f"{kind.name}: {rule.name} ({rule.path}:{rule.line})")
    if missing:
        place = at(facts.alerts.files[0])
        return failed(
            f"No alert rule with a threshold for {', '.join(missing)}.",
            *(Hit(f"No alert rule for {name}.", (place,)) for name in missing),
        )
    return passed("Alerts: " + "; ".join(found) + ".")
