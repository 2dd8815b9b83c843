"""The prequential bench's scoring on made-up records: each set is judged by a rule learned on the sets
before it only (bench/checklist_prequential.py)."""

from __future__ import annotations

from bench.checklist_prequential import _at_least, _unless_under, score_concepts, score_wording

_bar = _at_least(3, 0.95)  # the rule concepts.yaml applies


def test_a_set_is_scored_by_what_the_sets_before_it_earned() -> None:
    records = {
        "a": {"check": {"x": [3, 0]}, "concept": {"x: one": [3, 0]}, "wording": {}},
        # x earned automation on a; y earns it only here, so this set's y lines are not counted
        "b": {
            "check": {"x": [2, 1], "y": [5, 0]},
            "concept": {"x: one": [2, 1], "y: two": [5, 0]},
            "wording": {},
        },
        "c": {
            "check": {"x": [1, 0], "y": [4, 1]},
            "concept": {"x: one": [1, 0], "y: two": [4, 1]},
            "wording": {},
        },
    }
    # b: x (3/0 before it) is automated, 2 right and 1 false; c: x is now 5/1 (under the bar), y 5/0
    assert score_concepts(["a", "b", "c"], records, 1, _bar) == (6, 2)


def test_a_concept_earns_automation_alone_where_its_check_does_not() -> None:
    records = {
        "a": {"check": {"x": [4, 2]}, "concept": {"x: good": [4, 0], "x: bad": [0, 2]}, "wording": {}},
        "b": {"check": {"x": [3, 3]}, "concept": {"x: good": [3, 1], "x: bad": [0, 2]}, "wording": {}},
    }
    assert score_concepts(["a", "b"], records, 1, _bar) == (3, 1)


def test_a_seed_wording_is_judged_by_its_items_record_with_the_seed_copies() -> None:
    records = {
        "seedcopy": {"check": {}, "concept": {}, "wording": {"item": [0, 2]}},
        "a": {"check": {}, "concept": {}, "wording": {"item": [1, 0], "other": [2, 0]}},
        "b": {"check": {}, "concept": {}, "wording": {"item": [1, 0], "other": [1, 1]}},
    }
    unless_under = _unless_under(0.9)
    # a: item is 0/2 from the seed copies, held back; other is unknown, kept. b: item 1/2, other 2/0
    assert score_wording(["a", "b"], records, 0, unless_under) == (3, 1)
