"""The logging pipeline: structured logs, a production level, access and error logs, a shipper, a
retention period.

A go-live checklist asks "Structured logging enabled", "Access logs configured", "Logs centralized
(ELK, CloudWatch, etc.)". One check reads the signals gate/facts/logpipeline.py finds; which aspects it
asks for comes from the team's config or, for a checklist line, from the line's own words
(gate/thresholds.py).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from gate.checks.base import Decision, Hit, check, failed, not_applicable, passed
from gate.checks.servicecode import app_at, no_application
from gate.facts import Facts
from gate.facts.signals import Signal
from gate.lazyre import lazy
from gate.model import Level, Severity

LogAspect = Literal[
    "structured", "level", "access", "errors-separated", "centralized", "retention", "metrics-retention"
]

NAMES: dict[LogAspect, str] = {
    "structured": "structured (JSON) logs",
    "level": "a production log level (INFO or WARNING)",
    "access": "access logs",
    "errors-separated": "error logs separated",
    "centralized": "a log shipper or logging driver",
    "retention": "a log retention period",
    "metrics-retention": "a metrics retention period",
}
_ASKED: tuple[tuple[LogAspect, re.Pattern[str]], ...] = (
    ("structured", lazy(r"structured|json log", re.I)),
    ("level", lazy(r"log(ging)?[ _]level", re.I)),
    ("access", lazy(r"access logs?", re.I)),
    ("errors-separated", lazy(r"error logs? (are )?separat|separate error log", re.I)),
    ("centralized", lazy(r"centrali[sz]|aggregat|\bELK\b|cloudwatch|shipp", re.I)),
    ("retention", lazy(r"log retention|logs? (are )?(kept|retained)", re.I)),
    ("metrics-retention", lazy(r"historical data retention|metrics? retention", re.I)),
)


def asked_log_aspects(text: str) -> tuple[LogAspect, ...]:
    """The aspects of the logging pipeline a checklist line names."""
    return tuple(aspect for aspect, rx in _ASKED if rx.search(text))


class LogPipelineOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    aspects: tuple[LogAspect, ...] = ()
    """What the logging pipeline must show. None by default: a checklist line asks for its own."""
    external: str | None = Field(default=None, min_length=1)
    """Where logs are shipped and kept instead, when the platform does it ("Cloud Run sends stdout to
    Cloud Logging, 30 days"): centralisation and retention are then not applicable, with that reason."""


def _where(signal: Signal) -> str:
    return f"{signal.path}:{signal.line}"


def _judge(facts: Facts, aspect: LogAspect) -> tuple[bool, str]:
    """(met, evidence or what is missing)."""
    log = facts.logs
    if aspect == "level":
        levels = log.of("level")
        debug = [s for s in levels if s.detail.upper() == "DEBUG"]
        if debug:
            return False, f"DEBUG is the level at {_where(debug[0])}"
        if levels:
            return True, f"{levels[0].detail.upper()} at {_where(levels[0])}"
        return False, "no log level is set"
    runs = [r for r in facts.python.server_runs if r.name == "uvicorn"]
    if aspect == "access":
        off = log.of("access-off")
        if off:
            return False, f"access logs are switched off at {_where(off[0])}"
        if on := log.of("access-on"):
            return True, f"{on[0].detail} at {_where(on[0])}"
        # uvicorn writes an access log unless told not to; gunicorn writes none unless told where
        if (uvicorn := log.of("uvicorn")) and not log.of("gunicorn"):
            return True, f"uvicorn's access log (on by default) at {_where(uvicorn[0])}"
        if runs and not log.of("gunicorn"):
            return True, f"uvicorn's access log (on by default), started at {runs[0].path}:{runs[0].line}"
        if log.of("gunicorn"):
            return False, "gunicorn writes no access log without --access-logfile"
        return False, "no server command found that writes one"
    kind = {"errors-separated": "error-handler", "centralized": "shipper"}.get(aspect, aspect)
    if found := log.of(kind):
        return True, f"{found[0].detail} at {_where(found[0])}"
    return False, "none found"


@check(
    id="log-pipeline",
    title="Logging pipeline has the aspects asked for",
    category="monitoring",
    severity=Severity.LOW,
    level=Level.GOLD,
    applies_when="the repository has a service, and the config or a checklist line names an aspect",
    remediation="Log JSON at INFO, keep the server's access log, ship logs with a logging driver or agent, and set a retention.",
    options=LogPipelineOptions,
)
def log_pipeline(facts: Facts, options: LogPipelineOptions) -> Decision:
    """
    ## What it checks
    That the logging pipeline has each aspect asked for:

    - structured logs: a JSON formatter (python-json-logger, structlog's JSONRenderer, loguru's
      `serialize=True`, ecs-logging) in the service or a JSON log configuration where it starts;
    - a production level: a level set to INFO, WARNING or ERROR, and DEBUG set nowhere (code,
      `LOG_LEVEL`, `--log-level`);
    - access logs: uvicorn's (on unless `--no-access-log` or `access_log=False`), gunicorn's
      `--access-logfile`/`accesslog`, nginx's `access_log`;
    - error logs separated: a handler at ERROR, gunicorn's `--error-logfile`/`errorlog`;
    - a shipper: a logging driver (awslogs, gelf, fluentd, loki...), an agent (Fluent Bit, Promtail,
      Vector, Filebeat, the OpenTelemetry collector) or a handler that sends logs away (CloudWatch,
      Logstash, Cloud Logging, syslog);
    - a retention period: Loki's `retention_period`, `retention_in_days`, logrotate's `rotate`, the
      json-file driver's `max-file`; for metrics, Prometheus' `--storage.tsdb.retention`.

    No aspect is asked by default. A checklist line names its own ("Access logs configured" asks for
    access logs only), or the team lists them in `aspects`; `external` says where a platform ships and
    keeps the logs instead.

    ## Why it matters
    In an incident the logs are read by grep across replicas that no longer exist; they help only if
    they were structured, kept and sent somewhere that outlives the container.

    ## How to fix
    Add what the report names where the service starts.

    ## Example
    ```yaml
    services:
      api:
        command: uvicorn app.main:app --host 0.0.0.0 --log-level info
        logging:
          driver: awslogs
          options: {awslogs-group: /scores/api}
    ```
    """
    if not options.aspects:
        return not_applicable("No logging aspect is asked for (options.aspects, or a checklist line).")
    if not facts.routes.apps and not facts.code.service_modules:
        return no_application(facts)
    found: list[str] = []
    missing: list[str] = []
    hits: list[Hit] = []
    for aspect in dict.fromkeys(options.aspects):
        if options.external and aspect in ("centralized", "retention"):
            found.append(f"{NAMES[aspect]}: outside the repository ({options.external})")
            continue
        met, said = _judge(facts, aspect)
        if met:
            found.append(f"{NAMES[aspect]}: {said}")
        else:
            place = app_at(facts)
            missing.append(NAMES[aspect])
            hits.append(Hit(f"{NAMES[aspect][0].upper()}{NAMES[aspect][1:]}: {said}.", place))
    if hits:
        return failed(f"Missing: {', '.join(missing)}.", *hits)
    return passed("Logging: " + "; ".join(found) + ".")
