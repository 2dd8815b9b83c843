"""The model's reported metrics come from data it was not trained on: a held-out test set, and a
temporal one when the line asks for it.

A go-live checklist asks "Model evaluated on held-out test set (temporal split)". A training score is
not evidence of anything; the metadata the training run wrote says which split its numbers are from.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict

from gate.checks.base import NOT_ASKED, Decision, Hit, at, check, failed, not_applicable, passed
from gate.facts import Facts
from gate.facts.modelmeta import DataFile, walk
from gate.lazyre import lazy
from gate.model import Level, Outcome, Severity

_METRIC = lazy(
    r"(^|_)(accuracy|acc|precision|recall|f1|f1_score|auc|roc_auc|pr_auc|average_precision|log_?loss|"
    r"rmse|mae|mse|mape|r2|brier)($|_)",
    re.I,
)
_HELD_OUT = lazy(
    r"^(test|testing|holdout|hold_out|held_out|heldout|validation|val|eval|evaluation|oot|out_of_time)(_|$)",
    re.I,
)
_SPLIT_KEYS = lazy(
    r"(^|\.)(split|test_size|test_split|n_test|test_rows|test_samples|holdout\w*|test_period|test_from|test_start|cutoff\w*)$",
    re.I,
)
_TEMPORAL = lazy(
    r"tempor|time[-_ ]?based|out[-_ ]?of[-_ ]?time|\boot\b|cutoff|test_period|test_from|test_start|chronolog",
    re.I,
)


class HoldoutOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    temporal: bool = False
    """The held-out set must be later in time than the training data (a split by date)."""
    asked: bool = False
    """Judge it on every pull request. A checklist line this check decides asks it for that line."""


def asked_temporal(text: str) -> bool:
    return bool(re.search(r"tempor|time[- ]based|out[- ]of[- ]time", text, re.I))


def _held_out(f: DataFile) -> tuple[str, int | None] | None:
    """Where a metadata file says its metrics are from held-out data: a metric under a test/holdout key
    (`metrics.test.roc_auc`, `test_accuracy`), or the split it records (`evaluation.split`, `n_test`)."""
    for path, value in walk(f.data):
        parts = path.split(".")
        if _SPLIT_KEYS.search(path) and value not in (None, "", 0, False):
            return path, f.line_of(path)
        if _METRIC.search(parts[-1]) and any(_HELD_OUT.match(p) for p in parts):
            return path, f.line_of(path)
    return None


def _temporal(f: DataFile) -> tuple[str, int | None] | None:
    for path, value in walk(f.data):
        if _TEMPORAL.search(path) or (isinstance(value, str) and _TEMPORAL.search(value)):
            return path, f.line_of(path)
    return None


def _reports_metrics(data: Any) -> bool:
    return any(
        _METRIC.search(p.rsplit(".", 1)[-1]) and isinstance(v, int | float) and not isinstance(v, bool)
        for p, v in walk(data)
    )


@check(
    id="model-evaluated-on-holdout",
    title="Model metrics come from held-out data",
    category="model-data",
    severity=Severity.MEDIUM,
    level=Level.SILVER,
    applies_when="asked (options.asked or a checklist line), and the repository holds model metrics",
    remediation="Evaluate on data the model never saw and record the split beside the numbers (metrics.test.*, or evaluation.split and n_test).",
    options=HoldoutOptions,
)
def model_evaluated_on_holdout(facts: Facts, options: HoldoutOptions) -> Decision:
    """
    ## What it checks
    That the metadata or metrics files beside the models (training_results.json, metrics.json,
    `*_metadata.json`, a model's config.yaml) say their numbers come from held-out data: a metric under
    a test, holdout, validation or evaluation key (`metrics.test.roc_auc`, `test_accuracy`), or a recorded
    split (`split`, `test_size`, `n_test`, `test_period`, a cutoff). With `temporal` ("temporal split" in
    a line), the split must also be by time: a key or value naming a temporal or out-of-time split, a
    test period or a cutoff date. Files that report metrics with none of this fail: a score with no
    split is read as the training score. No metrics file at all is missing evidence. It judges only when
    asked (`asked`, or a checklist line it decides).

    ## Why it matters
    A model scored on the data it was fitted to reports what it memorised. Fraud, churn and demand
    models also drift with time: a random split leaks next month into training.

    ## How to fix
    Keep a held-out set (split by date where the data has one), score the final model on it, and write
    the split next to the numbers.

    ## Example
    ```json
    {"metrics": {"test": {"roc_auc": 0.91}},
     "evaluation": {"split": "temporal", "test_from": "2026-10-01", "n_test": 4120}}
    ```
    """
    if not options.asked:
        return not_applicable(NOT_ASKED)
    files = [f for f in facts.model_meta.metadata if _reports_metrics(f.data)]
    if not files:
        if facts.models.artifacts:
            return Decision(
                Outcome.MISSING_EVIDENCE, "No metadata or metrics file reports the model's metrics."
            )
        return not_applicable("No model artifacts and no metrics file.")
    held = [(f, where) for f in files if (where := _held_out(f)) is not None]
    if not held:
        return failed(
            "The metrics reported say nothing of a held-out set: read as training scores.",
            *(
                Hit(f"{f.path} reports metrics with no test split or held-out key.", (at(f.path, 1),))
                for f in files
            ),
        )
    f, (path, line) = held[0]
    if options.temporal:
        timed = [(g, when) for g, _ in held if (when := _temporal(g)) is not None]
        if not timed:
            return failed(
                "The held-out set is not split by time.",
                Hit(f"{f.path} names no temporal split, test period or cutoff.", (at(f.path, line),)),
            )
        g, (tpath, _) = timed[0]
        said = ", ".join(dict.fromkeys((path, tpath)))
        return passed(f"Held out by time: {g.path} ({said}).")
    return passed(f"Held out: {f.path} ({path}).")
