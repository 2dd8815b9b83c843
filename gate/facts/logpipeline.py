"""Facts about where the service's logs go: their format and level, access and error logs, a shipper
or logging driver, and how long they are kept.

Read line by line from the service's own modules and from the files that start and ship it
(Dockerfiles, compose files, Kubernetes manifests, Procfiles, shell entrypoints, gunicorn and nginx
configuration, log shipper and Loki configuration, Terraform): each finding is a signal with its
place. Nothing is run.
"""

from __future__ import annotations

import re

from gate.facts.signals import Signal, Signals, scan
from gate.lazyre import lazy
from gate.snapshot import Snapshot

_COMMENTS = ("#", "//")

# (kind, pattern): what a line shows. Kinds ending in "-off" contradict the kind before the dash.
_CODE = (
    (
        "structured",
        lazy(
            r"jsonlogger|JsonFormatter|pythonjsonlogger|JSONRenderer|serialize\s*=\s*True|ecs_logging|LogstashFormatter|json_logs?\b"
        ),
    ),
    # the level the service logs at (basicConfig, a settings default), not a handler's own setLevel
    (
        "level",
        lazy(
            r"(?:\blevel\s*=\s*|LOG_LEVEL['\"]?\s*[,:=]\s*)['\"]?(?:logging\.)?(INFO|WARNING|WARN|ERROR|DEBUG)\b",
            re.I,
        ),
    ),
    (
        "error-handler",
        lazy(r"setLevel\(\s*(?:logging\.)?ERROR\b|['\"]level['\"]\s*:\s*['\"]ERROR['\"]"),
    ),
    (
        "shipper",
        lazy(
            r"watchtower|CloudWatchLogHandler|logstash|google\.cloud\.logging|SysLogHandler|HTTPHandler|fluent\.handler|datadog_api|loki_logger|LokiHandler"
        ),
    ),
    ("access-off", lazy(r"access_log\s*=\s*False")),
)
_DEPLOY = (
    (
        "structured",
        lazy(r"--log-config\S*\s+\S*json|json-file-format|LOG_FORMAT['\"]?\s*[:=]\s*['\"]?json", re.I),
    ),
    (
        "level",
        lazy(r"(?:--log-level[= ]|LOG_LEVEL['\"]?\s*[:=]\s*)['\"]?(info|warning|warn|error|debug)\b", re.I),
    ),
    ("access-off", lazy(r"--no-access-log|\baccess_log\s+off\b")),
    ("access-on", lazy(r"--access-logfile|\baccesslog\s*=|\baccess_log\s+/|\baccess_log\s+syslog")),
    # a server started (`uvicorn app.main:app`, `["gunicorn", "-b", ...]`), not installed
    ("uvicorn", lazy(r"\buvicorn\b(?:['\"]?\s*,\s*['\"]|\s+)[\w.]+:\w+")),
    ("gunicorn", lazy(r"\bgunicorn\b(?:['\"]?\s*,\s*['\"]|\s+)(?:-|[\w.]+:\w+)")),
    ("error-handler", lazy(r"--error-logfile|\berrorlog\s*=|\berror_log\s+/")),
    (
        "shipper",
        lazy(
            r"\bdriver:\s*['\"]?(awslogs|gelf|fluentd|loki|splunk|syslog|gcplogs|logentries)\b|fluent-?bit|fluentd|promtail|grafana/alloy|timberio/vector|\bvector:|filebeat|logstash|awslogs-group|otel/opentelemetry-collector"
        ),
    ),
    (
        "retention",
        lazy(
            r"retention_period|retention_in_days|log_retention|\brotate\s+\d+|max-file|ilm_policy|delete_after"
        ),
    ),
    ("metrics-retention", lazy(r"storage\.tsdb\.retention|--retention\.time|metrics_retention")),
)
_DEPLOY_NAMES = lazy(
    r"(^|/)(Dockerfile[^/]*|[^/]*\.dockerfile|(docker-)?compose[^/]*\.ya?ml|Procfile|[^/]*\.sh|gunicorn[^/]*\.py|"
    r"[^/]*nginx[^/]*\.conf|[^/]*\.conf|fluent[^/]*|promtail[^/]*|vector\.(ya?ml|toml)|filebeat[^/]*|loki[^/]*\.ya?ml|"
    r"[^/]*\.tf|prometheus[^/]*\.ya?ml|logrotate[^/]*|Makefile)$",
    re.I,
)
_MANIFEST = lazy(r"^[ \t]*kind:\s*(Deployment|StatefulSet|DaemonSet|Pod|CronJob|Job|ConfigMap)\b", re.M)


class LogFacts(Signals, frozen=True):
    """Kinds: structured, level, error-handler, shipper, access-on, access-off, uvicorn, gunicorn,
    retention, metrics-retention."""


def collect_log_pipeline(snap: Snapshot, service_modules: tuple[str, ...]) -> LogFacts:
    signals: list[Signal] = []
    for rel in service_modules:
        signals.extend(scan(rel, snap.text(rel) or "", _CODE, comments=_COMMENTS, group=True))
    for rel in snap.files:
        named = bool(_DEPLOY_NAMES.search(rel))
        if not named and not rel.endswith((".yaml", ".yml")):
            continue
        text = snap.text(rel) or ""
        if named or _MANIFEST.search(text):
            signals.extend(scan(rel, text, _DEPLOY, comments=_COMMENTS, group=True))
    return LogFacts(tuple(signals))
