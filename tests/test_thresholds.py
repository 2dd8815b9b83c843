"""Thresholds a checklist line states (gate/thresholds.py): read into its check's options, never looser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gate.checks import REGISTRY
from gate.thresholds import _ASKED_OPTIONS, READS, LineThreshold, Unread, names_nothing, read

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "ready-service"
ASKS_NOTHING = {
    c
    for c in READS
    if any(
        key in (d := REGISTRY[c].options.model_construct().model_dump(mode="json")) and not d[key]
        for key in _ASKED_OPTIONS
    )
}

COVERAGE = {"minimum": 80}
LATENCY = {"p95_ms": 2000, "endpoints": {}}
RATE = {"min_rps": 100, "max_failure_ratio": 0.01}


@pytest.mark.parametrize(
    ("check_id", "line", "effective", "option", "value"),
    [
        ("docstring-coverage", "Docstrings on every public function", COVERAGE, "minimum", 100),
        ("type-hint-coverage", "Type hints on 92.5% of functions", COVERAGE, "minimum", 93),
        ("test-coverage", "Coverage of the service at 85% or more", {"minimum": 80.0}, "minimum", 85.0),
        ("latency-within-budget", "p95 under 250 ms for one prediction", LATENCY, "p95_ms", 250.0),
        ("latency-within-budget", "Answers within 1.5 seconds", LATENCY, "p95_ms", 1500.0),
        ("throughput-within-budget", "Sustains 12k predictions per minute", RATE, "min_rps", 200.0),
        ("throughput-within-budget", "More than 150 req/s in the load test", RATE, "min_rps", 150.0),
        ("model-not-stale", "Retrained in the last 45 days", {"max_age_days": 180}, "max_age_days", 45.0),
        ("model-size-budget", "Weights under 20 MB", {"max_mb": 50}, "max_mb", 20.0),
    ],
)
def test_a_stricter_line_sets_the_option(
    check_id: str, line: str, effective: dict[str, Any], option: str, value: float
) -> None:
    found = read(check_id, line, effective)
    assert isinstance(found, LineThreshold)
    assert found.options[option] == value and found.stricter_config == ""


def test_a_looser_line_never_loosens_the_check() -> None:
    found = read("latency-within-budget", "Responses under 30 s", LATENCY)
    assert isinstance(found, LineThreshold)
    assert found.options == LATENCY
    assert found.said == "at most 30000 ms at p95" and found.stricter_config == "at most 2000 ms at p95"
    single = read("latency-within-budget", "Single predictions: under 3 s", {**LATENCY, "p95_ms": 250})
    assert isinstance(single, LineThreshold)
    assert single.options["p95_ms"] == 250 and single.options["requests"] == "single"
    assert single.stricter_config == "at most 250 ms at p95 for single predictions"


@pytest.mark.parametrize(
    ("line", "requests", "size", "ms"),
    [
        ("Batch of 10k rows: under 30 s", "batch", 10000, 30000.0),
        ("Batch (1000 records): <5s", "batch", 1000, 5000.0),
        ("Batch latency (1,000 records): < 5 seconds", "batch", 1000, 5000.0),
        ("Batches answered under 8 s", "batch", None, 8000.0),
        ("Single predictions: <100ms", "single", None, 100.0),
        ("p95 under 250 ms for one prediction", "single", None, 250.0),
    ],
)
def test_a_batch_or_single_line_is_judged_on_those_requests(
    line: str, requests: str, size: int | None, ms: float
) -> None:
    """A batch budget bounds batches, which the aggregate budget never meant to: the line's own figure
    applies to them, however loose next to the aggregate's."""
    found = read("latency-within-budget", line, LATENCY)
    assert isinstance(found, LineThreshold)
    assert (found.options["requests"], found.options["batch_size"], found.options["p95_ms"]) == (
        requests,
        size,
        ms,
    )


def test_a_metric_line_is_judged_on_its_own_metric_at_the_stricter_floor() -> None:
    configured = {
        "floors": [
            {"metric": "roc_auc", "min": 0.97, "max": None, "file": None, "max_drop": None},
            {"metric": "recall", "min": 0.8, "max": None, "file": None, "max_drop": None},
        ]
    }
    found = read("model-metrics-meet-floors", "ROC-AUC above 0.95 on the holdout", configured)
    assert isinstance(found, LineThreshold)
    assert [(f["metric"], f["min"]) for f in found.options["floors"]] == [("roc_auc", 0.97)]
    assert found.stricter_config == "roc_auc at least 0.97"
    recall = read("model-metrics-meet-floors", "Recall: 90%", configured)
    assert isinstance(recall, LineThreshold)
    assert [(f["metric"], f["min"]) for f in recall.options["floors"]] == [("recall", 0.9)]


def test_no_threshold_and_an_unreadable_one_are_told_apart() -> None:
    assert read("test-coverage", "Coverage reported in CI", {"minimum": 80.0}) is None
    assert read("rate-limiting", "Limit to 100 requests per minute", {}) is None  # not a check that reads one
    unread = read("latency-within-budget", "Latency budget: two minutes at 3 nines", LATENCY)
    assert isinstance(unread, Unread)


TOPICS: dict[str, Any] = {"topics": [], "rto_max_minutes": None, "rpo_max_minutes": None}


@pytest.mark.parametrize(
    ("line", "topics"),
    [
        ("On-call schedule defined", ["on-call"]),
        ("Escalation process defined", ["escalation"]),
        ("Failover strategy documented", ["recovery"]),
        ("Recovery Point Objective (RPO) defined", ["rpo"]),  # the objective, not also a recovery plan
        ("RTO and recovery runbook written", ["rto", "recovery"]),
        ("Emergency contacts provided", ["support"]),  # contacts, not an emergency procedure
        ("Emergency procedures documented", ["incident-response"]),
        ("Support channels defined (email, chat, etc.)", ["support"]),
        ("Data flow diagrams documented", ["data-flow-diagram"]),
        ("SLA defined (if applicable)", ["sla"]),
        ("DR plan documented", ["recovery"]),
    ],
)
def test_a_topic_line_is_judged_on_the_topics_it_names(line: str, topics: list[str]) -> None:
    found = read("ops-doc-topics", line, TOPICS)
    assert isinstance(found, LineThreshold)
    assert found.options["topics"] == topics and not found.bound


def test_a_recovery_objective_bound_is_read_and_never_loosened() -> None:
    found = read("ops-doc-topics", "RTO (Recovery Time Objective) < 1 hour", TOPICS)
    assert isinstance(found, LineThreshold)
    assert found.options["topics"] == ["rto"] and found.options["rto_max_minutes"] == 60.0 and found.bound
    stricter = read("ops-doc-topics", "RTO under 4 hours", {**TOPICS, "rto_max_minutes": 30.0})
    assert isinstance(stricter, LineThreshold)
    assert (
        stricter.options["rto_max_minutes"] == 30.0 and stricter.stricter_config == "RTO at most 30 minutes"
    )
    assert read("ops-doc-topics", "Runbook reviewed by the team", TOPICS) is None


@pytest.mark.parametrize(
    ("line", "families"),
    [
        ("Request rate", ["requests"]),
        ("Request count per endpoint", ["requests-per-endpoint"]),  # instead of the plain count
        ("Error rate", ["errors"]),
        ("Request latency (p50, p95, p99)", ["latency"]),
        ("Model inference time", ["inference-time"]),  # not also the request latency
        ("Memory usage", ["process"]),
        ("Training job success rate", ["training-outcome"]),
        ("Database size growth", ["db-size"]),
        ("Key metrics defined (response time, error rate, throughput)", ["requests", "errors", "latency"]),
        (
            "Monitoring metrics defined",
            ["requests", "errors", "latency"],
        ),  # no family named: the golden three
    ],
)
def test_a_metrics_line_is_judged_on_the_families_it_names(line: str, families: list[str]) -> None:
    found = read("metrics-instrumented", line, {"families": []})
    assert isinstance(found, LineThreshold)
    assert found.options["families"] == families and not found.bound
    assert read("metrics-instrumented", "Dashboards reviewed weekly", {"families": []}) is None


BACKUPS: dict[str, Any] = {
    "aspects": [],
    "max_interval_hours": None,
    "min_retention_days": None,
    "external": None,
}


@pytest.mark.parametrize(
    ("line", "aspects", "interval", "retention"),
    [
        ("Backup strategy in place", ["job"], None, None),
        ("SQLite database backed up daily", ["frequency"], 24.0, None),
        ("RPO (Recovery Point Objective) < 24 hours", ["frequency"], 24.0, None),
        ("Backup retention policy (30 days)", ["retention"], None, 30.0),
        ("Backups kept in another region", ["region"], None, None),
        ("Point-in-time recovery capability", ["pitr"], None, None),
        ("Backup verification schedule", ["verification"], None, None),
    ],
)
def test_a_backup_line_is_judged_on_its_aspects_interval_and_retention(
    line: str, aspects: list[str], interval: float | None, retention: float | None
) -> None:
    found = read("backups-configured", line, BACKUPS)
    assert isinstance(found, LineThreshold)
    assert found.options["aspects"] == aspects
    assert (
        found.options["max_interval_hours"] == interval and found.options["min_retention_days"] == retention
    )
    assert found.bound is (interval is not None or retention is not None)


def test_a_backup_line_never_loosens_the_configured_interval() -> None:
    found = read("backups-configured", "Backed up weekly", {**BACKUPS, "max_interval_hours": 24.0})
    assert isinstance(found, LineThreshold)
    assert found.options["max_interval_hours"] == 24.0 and found.stricter_config == "at most 24 hours apart"


@pytest.mark.parametrize(
    ("line", "aspects"),
    [
        ("Structured logging enabled", ["structured"]),
        ("Logging level set appropriately (INFO or WARNING)", ["level"]),
        ("Access logs configured", ["access"]),
        ("Application error logs separated", ["errors-separated"]),
        ("Log aggregation configured (ELK, CloudWatch, etc.)", ["centralized"]),
        ("Log retention policy set", ["retention"]),
        ("Historical data retention configured", ["metrics-retention"]),
        ("`LOG_LEVEL` appropriate for production", ["level"]),
    ],
)
def test_a_logging_line_is_judged_on_the_aspects_it_names(line: str, aspects: list[str]) -> None:
    found = read("log-pipeline", line, {"aspects": [], "external": None})
    assert isinstance(found, LineThreshold)
    assert found.options["aspects"] == aspects and not found.bound
    assert read("log-pipeline", "Logs reviewed daily by the team", {"aspects": [], "external": None}) is None


@pytest.mark.parametrize(
    ("line", "aspects"),
    [
        ("SSL/TLS certificates obtained", ["certificates"]),
        ("HTTPS enforced in production", ["enforced"]),
        ("HTTPS only", ["enforced"]),
        ("SSL termination enabled", ["tls"]),
        ("HTTPS/TLS enabled", ["tls"]),
        ("Set up HTTPS", ["tls"]),
        ("Enable TLS/SSL", ["tls"]),
        ("force_https configured for production", ["enforced"]),
    ],
)
def test_a_tls_line_is_judged_on_the_aspects_it_names(line: str, aspects: list[str]) -> None:
    found = read("tls-configured", line, {"aspects": [], "external": None})
    assert isinstance(found, LineThreshold)
    assert found.options["aspects"] == aspects and not found.bound


def test_a_frontend_budget_line_sets_the_budget_and_never_loosens_it() -> None:
    options = {"aspects": [], "max_bundle_kb": 500.0, "min_lighthouse": 90.0}
    bundle = read("frontend-hardening", "Bundle size < 300KB", options)
    assert isinstance(bundle, LineThreshold)
    assert bundle.options["aspects"] == ["bundle-size"] and bundle.options["max_bundle_kb"] == 300.0
    looser = read("frontend-hardening", "Lighthouse score > 80", options)
    assert isinstance(looser, LineThreshold)
    assert looser.options["min_lighthouse"] == 90.0 and looser.stricter_config == "a score of at least 90"
    backend = read("node-backend-hardening", "Compression enabled", {"aspects": []})
    assert isinstance(backend, LineThreshold) and backend.options["aspects"] == ["compression"]


@pytest.mark.parametrize(
    ("line", "aspects", "optional"),
    [
        ("Request tracing enabled (if needed)", ["tracing"], True),
        ("Distributed tracing enabled (optional)", ["tracing"], True),
        ("Trace sampling configured", ["sampling"], False),
        ("Correlation IDs implemented", ["request-ids"], False),
        ("Request tracking implemented", ["request-ids"], False),
    ],
)
def test_a_tracing_line_is_judged_on_its_aspects_and_says_when_it_is_optional(
    line: str, aspects: list[str], optional: bool
) -> None:
    found = read("tracing-configured", line, {"aspects": [], "optional": False})
    assert isinstance(found, LineThreshold)
    assert found.options["aspects"] == aspects and found.options["optional"] is optional


def test_a_request_id_line_that_names_tracing_as_its_purpose_asks_for_the_ids() -> None:
    found = read(
        "tracing-configured",
        "Correlation IDs are used for request tracing",
        {"aspects": [], "optional": False},
    )
    assert isinstance(found, LineThreshold) and found.options["aspects"] == ["request-ids"]


@pytest.mark.parametrize(
    ("line", "aspects"),
    [
        ("Docker Compose configured", ["valid"]),
        ("docker-compose.yml validated", ["valid"]),
        ("All services defined", ["services"]),
        ("Networks configured", ["networks"]),
        ("Network isolation", ["isolation"]),
        ("Networks properly isolated", ["isolation"]),
    ],
)
def test_a_compose_line_is_judged_on_the_aspects_it_names(line: str, aspects: list[str]) -> None:
    found = read("compose-stack", line, {"aspects": []})
    assert isinstance(found, LineThreshold) and found.options["aspects"] == aspects


@pytest.mark.parametrize(
    ("line", "aspects"),
    [
        ("Image pull secrets configured", ["pull-secrets"]),
        ("ConfigMaps created", ["configmaps"]),
        ("PersistentVolumeClaims configured", ["claims"]),
        ("Services created (LoadBalancer/ClusterIP)", ["services"]),
        ("Namespace created", ["namespace"]),
        ("RBAC roles configured", ["rbac"]),
        ("Service accounts configured", ["service-accounts"]),
        ("Secrets created (API keys, database passwords)", ["secrets"]),
    ],
)
def test_a_kubernetes_objects_line_is_judged_on_the_objects_it_names(line: str, aspects: list[str]) -> None:
    found = read("k8s-objects", line, {"aspects": []})
    assert isinstance(found, LineThreshold) and found.options["aspects"] == aspects


@pytest.mark.parametrize(
    ("line", "aspects"),
    [
        ("Scaling policies configured", ["scaling-policy"]),
        ("Auto-scaling groups configured", ["scaling-group"]),
        ("Load balancer configured", ["load-balancer"]),
        ("Networking configured (VPC, subnets, security groups)", ["network"]),
        ("Firewall rules configured", ["firewall"]),
        ("Data encryption at rest", ["encryption"]),
        ("IAM roles/permissions configured", ["iam"]),
        ("Database replication configured", ["replication"]),
        ("Load balancing across instances", ["instances"]),
    ],
)
def test_an_infrastructure_line_is_judged_on_the_resources_it_names(line: str, aspects: list[str]) -> None:
    found = read("iac-resources", line, {"aspects": [], "external": None})
    assert isinstance(found, LineThreshold) and found.options["aspects"] == aspects


@pytest.mark.parametrize(
    ("line", "aspects"),
    [
        ("Automated deployment to staging", ["staging"]),
        ("Automated deployment to production", ["production"]),
        ("Canary deployments", ["canary"]),
        ("Blue-green deployments", ["blue-green"]),
    ],
)
def test_a_deployment_line_is_judged_on_the_aspect_it_names(line: str, aspects: list[str]) -> None:
    found = read("deploy-pipeline", line, {"aspects": []})
    assert isinstance(found, LineThreshold) and found.options["aspects"] == aspects


@pytest.mark.parametrize(
    ("check_id", "line", "aspects"),
    [
        ("monitoring-wired", "Alert channels configured (email, Slack, PagerDuty)", ["alert-routing"]),
        ("monitoring-wired", "Service monitors configured", ["scrape"]),
        ("monitoring-wired", "Grafana dashboards created", ["dashboards"]),
        ("monitoring-wired", "Error tracking (Sentry, Rollbar)", ["error-tracking"]),
        ("model-artifacts-stored", "Models backed up", ["copy"]),
        ("model-artifacts-stored", "Model files backed up to S3/GCS", ["copy", "object-store"]),
    ],
)
def test_a_monitoring_or_model_storage_line_asks_for_what_it_names(
    check_id: str, line: str, aspects: list[str]
) -> None:
    found = read(
        check_id,
        line,
        {"aspects": [], "external": None} if check_id == "monitoring-wired" else {"aspects": []},
    )
    assert isinstance(found, LineThreshold) and found.options["aspects"] == aspects


def test_a_line_that_accepts_either_rollout_asks_for_either() -> None:
    found = read("deploy-pipeline", "Blue-green or canary deployment strategy", {"aspects": []})
    assert isinstance(found, LineThreshold) and found.options["aspects"] == ["progressive"]


@pytest.mark.parametrize(
    ("line", "aspects"),
    [
        ("API endpoints tested", ["all"]),
        ("Integration tests for API", ["all"]),
        ("Batch processing tested", ["batch"]),
    ],
)
def test_a_route_testing_line_asks_for_the_routes_it_names(line: str, aspects: list[str]) -> None:
    found = read("routes-tested", line, {"aspects": []})
    assert isinstance(found, LineThreshold) and found.options["aspects"] == aspects


@pytest.mark.parametrize(
    ("line", "configured", "floor", "stricter"),
    [
        ("Python version specified (3.9+)", None, "3.9", ""),
        ("Runs on Python 3.10 or newer", "3.8", "3.10", ""),
        ("Python version verified: 3.8+", "3.11", "3.11", "Python 3.11 or newer"),
    ],
)
def test_a_python_floor_line_sets_the_floor_and_never_lowers_it(
    line: str, configured: str | None, floor: str, stricter: str
) -> None:
    found = read("python-version-declared", line, {"min_version": configured})
    assert isinstance(found, LineThreshold)
    assert (found.options["min_version"] or configured) == floor and found.stricter_config == stricter


def test_request_validation_lines_name_their_aspects_and_say_if_applicable() -> None:
    found = read(
        "request-validation", "Batch processing enabled (if applicable)", {"aspects": [], "optional": False}
    )
    assert isinstance(found, LineThreshold)
    assert found.options == {"aspects": ["batch-route"], "optional": True}
    found = read("request-validation", "Invalid data types handled", {"aspects": [], "optional": False})
    assert isinstance(found, LineThreshold) and found.options["aspects"] == ["types"]


def test_a_line_that_lists_paths_is_judged_on_those_paths() -> None:
    line = "All 5 endpoints implemented (/health, /model_info, /features, /predict, /predict_batch)"
    found = read("routes-served", line, {"paths": []})
    assert isinstance(found, LineThreshold)
    assert found.options["paths"] == ["/health", "/model_info", "/features", "/predict", "/predict_batch"]
    assert read("routes-served", "All endpoints implemented", {"paths": []}) is None


def test_a_health_line_asking_for_detail_asks_for_it_and_a_status_code_is_no_threshold() -> None:
    found = read(
        "health-endpoint", "Health check returns detailed status", {"paths": ["/health"], "detailed": False}
    )
    assert isinstance(found, LineThreshold) and found.options["detailed"] is True
    assert read("health-endpoint", "/health returns 200", {"paths": ["/health"], "detailed": False}) is None


def test_a_release_notes_line_asks_for_the_current_versions_entry() -> None:
    found = read("changelog-present", "Release notes published", {"current": False})
    assert isinstance(found, LineThreshold) and found.options["current"] is True
    assert read("changelog-present", "Changelog present", {"current": False}) is None


def test_a_line_counting_predictions_counts_them_not_requests() -> None:
    """A batch of 1,000 records is 1,000 predictions: "10k predictions/min" is about predictions."""
    found = read("throughput-within-budget", "Throughput: >10k predictions/min", RATE)
    assert isinstance(found, LineThreshold)
    assert found.options["per"] == "prediction" and found.options["min_rps"] == 167  # 166.7, rounded up
    requests = read("throughput-within-budget", "More than 150 req/s in the load test", RATE)
    assert isinstance(requests, LineThreshold) and "per" not in requests.options


@pytest.mark.parametrize(
    ("check_id", "line", "aspects"),
    [
        ("k8s-probes", "Liveness probes configured", ["liveness"]),
        ("k8s-probes", "Readiness probe defined for every pod", ["readiness"]),
        ("k8s-probes", "Liveness and readiness probes differ", ["liveness", "readiness", "distinct"]),
        ("k8s-security-context", "Root filesystem is read-only", ["read-only-root"]),
        ("k8s-security-context", "All Linux capabilities dropped", ["capabilities-dropped"]),
        ("k8s-security-context", "Containers run as non-root", ["non-root"]),
        ("k8s-security-context", "No privilege escalation", ["no-privilege-escalation"]),
        ("k8s-security-context", "No privileged containers", ["not-privileged"]),
        ("k8s-resource-limits", "Resource limits set", ["memory-limit"]),
        ("k8s-resource-limits", "CPU and memory requests defined", ["cpu-request", "memory-request"]),
        ("k8s-resource-limits", "CPU limits set", ["cpu-limit"]),
        ("compose-resource-limits", "Resource limits set", ["memory"]),
        ("compose-resource-limits", "Resource limits set (CPU, memory)", ["memory", "cpu"]),
        ("compose-resource-limits", "CPU capped on every service", ["cpu"]),
    ],
)
def test_a_kubernetes_container_line_is_judged_on_the_settings_it_names(
    check_id: str, line: str, aspects: list[str]
) -> None:
    found = read(check_id, line, {"aspects": ["every", "default", "aspect"]})
    assert isinstance(found, LineThreshold)
    assert found.options["aspects"] == aspects and not found.bound
    # a line that names none of them is judged on all the check asks
    assert read(check_id, "Kubernetes manifests hardened", {"aspects": ["every"]}) is None


@pytest.mark.parametrize(
    ("check_id", "line", "aspects"),
    [
        ("practices-in-code", "Set up caching", ["cache"]),
        ("practices-in-code", "Caching strategy implemented", ["cache"]),
        ("ci-exercises", "Container scanning", ["image-scan"]),
        ("ci-exercises", "Images scanned for vulnerabilities", ["image-scan"]),
        ("drills-exercised", "Recovery procedures tested", ["restore"]),
        ("drills-exercised", "Test the restore procedure", ["restore"]),
    ],
)
def test_a_line_names_the_aspect_in_the_words_teams_use(check_id: str, line: str, aspects: list[str]) -> None:
    found = read(
        check_id,
        line,
        {"aspects": [], "max_age_days": 90} if check_id == "drills-exercised" else {"aspects": []},
    )
    assert isinstance(found, LineThreshold) and found.options["aspects"] == aspects


def test_a_check_that_judges_only_what_a_line_names_is_told_apart_from_one_with_defaults() -> None:
    assert names_nothing("practices-in-code", "Performance tuning done")
    assert not names_nothing("practices-in-code", "Caching implemented")
    # asks for every kind of probe by default: a line naming none is still answered
    assert not names_nothing("k8s-probes", "Probes configured")
    # reads no line at all
    assert not names_nothing("health-endpoint", "Anything")


@pytest.mark.parametrize("check_id", sorted(ASKS_NOTHING))
def test_a_check_asked_nothing_says_so_and_decides_nothing(check_id: str) -> None:
    # the premise of names_nothing: with its defaults, the check answers no line
    from gate.config import Config
    from gate.engine import evaluate

    report = evaluate(EXAMPLE, Config(), offline=True)
    result = next(r for r in report.results if r.check_id == check_id)
    assert result.outcome.value == "not_applicable" and "a checklist line" in result.summary, check_id
