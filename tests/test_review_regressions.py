"""Bugs a review of the catalog issue's checks found, each held by the smallest case that showed it."""

from __future__ import annotations

import time

from gate.catalog import _FILLERS
from gate.checks.dependencies import lowest_python
from gate.checks.opsdocs import TOPICS, _rx
from gate.facts.apidocs import _markdown_paths
from gate.facts.validation import _SCHEMA_CALL


def test_an_operator_apart_from_its_version_stays_with_it() -> None:
    assert lowest_python("!= 3.7, >=3.8") == (3, 8)  # was (3, 7): the exclusion read as a floor
    assert lowest_python("<= 3.12") is None  # an upper bound says nothing of the lowest
    assert lowest_python(">=3.9,<3.13") == (3, 9) and lowest_python("3.10 3.11") == (3, 10)


def test_a_path_in_prose_ends_before_its_punctuation() -> None:
    found = _markdown_paths("- GET /health: liveness\n- Send POST /predict.\n- GET /items/{id}")
    assert found == {"/health", "/predict", "/items/{id}"}


def test_loading_json_or_a_model_is_not_schema_validation() -> None:
    assert not _SCHEMA_CALL.search("data = json.loads(request.data)")
    assert not _SCHEMA_CALL.search("model = joblib.load(path)")
    assert _SCHEMA_CALL.search("body = PredictIn.model_validate(request.get_json())")
    assert _SCHEMA_CALL.search("body = PredictSchema().load(request.get_json())")


def test_every_filler_word_can_match() -> None:
    """Words are compared by their first five letters; an entry of six or more never matched."""
    assert all(len(word) <= 5 for word in _FILLERS) and "imple" in _FILLERS


def test_a_heading_of_many_group_words_is_read_in_linear_time() -> None:
    fairness = next(t for t in TOPICS if t.id == "fairness")
    started = time.perf_counter()
    _rx(fairness.heading).search("by " * 20_000 + "nothing")  # quadratic before: minutes on 60 KB
    assert time.perf_counter() - started < 1.0
