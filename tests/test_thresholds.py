"""Thresholds a checklist line states (gate/thresholds.py): read into its check's options, never looser."""

from __future__ import annotations

from typing import Any

import pytest

from gate.thresholds import LineThreshold, Unread, read

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
    found = read("latency-within-budget", "Batch of 10k rows: under 30 s", LATENCY)
    assert isinstance(found, LineThreshold)
    assert found.options == LATENCY
    assert found.said == "at most 30000 ms at p95" and found.stricter_config == "at most 2000 ms at p95"


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
