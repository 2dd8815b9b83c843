"""Monitoring wired to the service: something scrapes its metrics, dashboards show them, alerts reach a
receiver, and an error tracker receives its exceptions.

A go-live checklist asks "Service monitors configured", "Grafana dashboards created", "Alert channels
configured (email, Slack, PagerDuty)", "Error tracking (Sentry, Rollbar)". One check reads the signals
gate/facts/monitoring.py finds; which aspects it asks for comes from the team's config or, for a
checklist line, from the line's own words (gate/thresholds.py).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from gate.checks.base import Decision, Hit, at, check, failed, not_applicable, passed
from gate.checks.servicecode import app_at
from gate.facts import Facts
from gate.lazyre import lazy
from gate.model import Level, Outcome, Severity

WiringAspect = Literal["scrape", "dashboards", "alert-routing", "error-tracking", "drift"]
NAMES: dict[WiringAspect, str] = {
    "scrape": "a scrape target for the service's metrics",
    "dashboards": "a dashboard",
    "alert-routing": "an alert receiver (email, Slack, PagerDuty...)",
    "error-tracking": "an error tracker (Sentry, Rollbar...)",
    "drift": "data drift detection (Evidently, alibi-detect, NannyML, a KS test...)",
}
_KIND = {
    "scrape": "scrape",
    "dashboards": "dashboard",
    "alert-routing": "routing",
    "error-tracking": "error-tracking",
    "drift": "drift",
}
_ASKED: tuple[tuple[WiringAspect, re.Pattern[str]], ...] = (
    ("scrape", lazy(r"service ?monitors?|pod ?monitors?|scrape", re.I)),
    ("dashboards", lazy(r"dashboards?", re.I)),
    ("alert-routing", lazy(r"alert (recipients|channels|routing|receivers?)|pagerduty|opsgenie", re.I)),
    ("error-tracking", lazy(r"error tracking|sentry|rollbar|bugsnag", re.I)),
    ("drift", lazy(r"\bdrift\b", re.I)),
)


_IN_CODE = ("error-tracking", "drift")
"""Aspects the repository's own code carries: absent is a failure, not evidence kept elsewhere."""


def asked_wiring(text: str) -> tuple[WiringAspect, ...]:
    return tuple(a for a, rx in _ASKED if rx.search(text))


class WiringOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    aspects: tuple[WiringAspect, ...] = ()
    """What the monitoring wiring must show. None by default: a checklist line asks for its own."""
    external: str | None = Field(default=None, min_length=1)
    """Where monitoring is configured instead ("the platform team's Grafana and Alertmanager"): scrape
    targets, dashboards and alert routing are then not applicable, with that reason."""
    in_repository: bool = False
    """All of the service's monitoring is configured in this repository (monitoring as code, nothing
    made by hand in a UI): a scrape target, dashboard or receiver not found here is then missing
    (fail), not unknown."""


@check(
    id="monitoring-wired",
    title="Monitoring is wired to the service as asked for",
    category="monitoring",
    severity=Severity.LOW,
    level=Level.GOLD,
    applies_when="the config or a checklist line names an aspect of monitoring",
    remediation="Add what the report names: a ServiceMonitor or scrape job, a dashboard JSON, an Alertmanager receiver, sentry_sdk.init.",
    options=WiringOptions,
)
def monitoring_wired(facts: Facts, options: WiringOptions) -> Decision:
    """
    ## What it checks
    For each aspect asked for:

    - a scrape target: a ServiceMonitor or PodMonitor, a `prometheus.io/scrape: "true"` annotation, or
      a Prometheus configuration with `scrape_configs`;
    - a dashboard: a Grafana dashboard JSON (a file with `panels`) or a ConfigMap labelled
      `grafana_dashboard`;
    - an alert receiver: an Alertmanager configuration with email, Slack, PagerDuty, Opsgenie, Teams or
      webhook receivers, or Grafana contact points;
    - an error tracker: `sentry_sdk.init`, `rollbar.init`, Bugsnag, Honeybadger or Airbrake in the
      service's code.
    - data drift detection: Evidently, alibi-detect, NannyML, whylogs, Deepchecks or Frouros imported,
      or a Kolmogorov-Smirnov test or population stability index computed, in any module but the tests
      (it often runs as a scheduled job beside the service).

    Files are looked for where monitoring lives (names with prometheus, alertmanager, grafana,
    dashboard, monitoring; grafana/, dashboards/, monitoring/ folders). With nothing found, a scrape
    target, dashboard or receiver cannot be decided (missing evidence: it often lives in the platform's
    repository) unless `external` says where, or `in_repository` says that all of it is kept here (then
    what is absent fails). An Alertmanager configuration whose receivers have no integration at all
    fails the alert receiver: it drops every alert. An error tracker the service never initialises
    fails, and so does drift detection the code never runs.

    No aspect is asked by default. A checklist line names its own ("Grafana dashboards created" asks for
    a dashboard).

    ## Why it matters
    Metrics nobody scrapes, alerts nobody receives and exceptions nobody sees are the same as none.

    ## How to fix
    Add what the report names next to the service.

    ## Example
    ```yaml
    receivers:
      - name: ml-oncall
        pagerduty_configs:
          - routing_key_file: /etc/alertmanager/pagerduty-key
    ```
    """
    if not options.aspects:
        return not_applicable("No aspect of monitoring is asked for (options.aspects, or a checklist line).")
    found: list[str] = []
    missing: list[str] = []
    hits: list[Hit] = []
    unsure: list[str] = []
    for aspect in dict.fromkeys(options.aspects):
        signals = facts.monitoring.of(_KIND[aspect])
        if signals:
            s = signals[0]
            found.append(f"{NAMES[aspect]}: {s.detail} ({s.path}:{s.line})")
        elif aspect not in _IN_CODE and options.external:
            found.append(f"{NAMES[aspect]}: outside the repository ({options.external})")
        elif aspect == "alert-routing" and (silent := facts.monitoring.of("silent-routing")):
            s = silent[0]
            missing.append(NAMES[aspect])
            hits.append(Hit(f"{s.path}: {s.detail}.", (at(s.path, s.line),)))
        elif aspect not in _IN_CODE and options.in_repository:
            missing.append(NAMES[aspect])
            hits.append(
                Hit(f"Not in the repository, where its monitoring is kept: {NAMES[aspect]}.", app_at(facts))
            )
        elif aspect not in _IN_CODE or not (facts.routes.apps or facts.code.service_modules):
            unsure.append(NAMES[aspect])
        else:
            missing.append(NAMES[aspect])
            hits.append(Hit(f"Not in the code: {NAMES[aspect]}.", app_at(facts)))
    if missing:
        return failed(f"Missing: {', '.join(missing)}.", *hits)
    if unsure:
        return Decision(
            Outcome.MISSING_EVIDENCE,
            f"Not in the repository: {', '.join(unsure)}. If monitoring is configured elsewhere, say where in "
            "options.external.",
        )
    return passed("Monitoring: " + "; ".join(found) + ".")
