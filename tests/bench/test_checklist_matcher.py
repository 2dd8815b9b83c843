"""The checklist bench's figures on small made-up readings: right, false, missed and manual, and how
far two readings agree (bench/checklist_matcher.py)."""

from __future__ import annotations

from bench.checklist_matcher import agreement, score


def test_a_line_is_right_only_when_every_check_it_got_decides_it() -> None:
    mapped = {("a", 1): {"x"}, ("a", 2): {"x", "y"}, ("a", 3): set(), ("a", 4): set()}
    labels = {("a", 1): {"x", "z"}, ("a", 2): {"x"}, ("a", 3): {"x"}, ("a", 4): set()}
    tally = score(mapped, labels)
    assert (tally.right, tally.false, tally.missed, tally.manual) == (1, 1, 1, 1)


def test_agreement_counts_the_same_checks_and_corrects_for_chance() -> None:
    first = {("a", n): ({"x"} if n < 5 else set()) for n in range(10)}
    same = agreement(first, dict(first))
    assert same.startswith("same checks 1.00; decided or not 1.00 (kappa 1.00)")
    # a second reader who calls every line decided agrees on half of them, and no better than chance
    every = agreement(first, {k: {"y"} for k in first})
    assert every.startswith("same checks 0.00; decided or not 0.50 (kappa 0.00)")


def test_the_records_count_seed_wordings_per_item_and_add_up() -> None:
    from bench.checklist_matcher import Tally, judge

    text = "- [ ] Logging configured\n- [ ] .dockerignore configured\n- [ ] Team lunch booked\n"
    tally = judge(text, "go-live.md", {1: [], 2: ["dockerignore-present"], 3: []})
    assert (tally.right, tally.false, tally.manual) == (1, 1, 1)
    assert tally.by_wording == {"logging-configured": [0, 1], "dockerignore": [1, 0]}
    assert tally.by_how == {"wording": [1, 1]}
    total = Tally()
    total.add(tally)
    total.add(tally)
    assert total.by_wording == {"logging-configured": [0, 2], "dockerignore": [2, 0]}
    assert total.by_how == {"wording": [2, 2]}


def test_with_the_gates_filling_a_line_counts_as_the_gate_showed_it() -> None:
    """--outcomes: a line the gate left to a person for nothing here to judge is missed (or manual),
    whatever the matcher mapped it to, and is counted aside by what it would have been; a right
    automation is counted by the outcome shown beside it."""
    from typing import Any

    from bench.checklist_matcher import NOTHING_HERE, Tally, judge

    text = "- [ ] Logging configured\n- [ ] .dockerignore configured\n- [ ] Liveness probes configured\n"
    filled: dict[str, dict[str, Any]] = {
        "1": {
            "kind": "manual",
            "checks": ["logging-configured"],
            "outcome": None,
            "why": f"{NOTHING_HERE} x",
        },
        "2": {"kind": "automated", "checks": ["dockerignore-present"], "outcome": "fail", "why": ""},
        "3": {"kind": "manual", "checks": ["k8s-probes"], "outcome": None, "why": f"{NOTHING_HERE} x"},
    }
    labels = {1: [], 2: ["dockerignore-present"], 3: ["k8s-probes"]}
    tally = judge(text, "go-live.md", labels, filled=filled)
    assert (tally.right, tally.false, tally.missed, tally.manual) == (1, 0, 1, 1)
    assert tally.nothing_here == [1, 1] and tally.right_by_outcome == {"fail": 1}
    total = Tally()
    total.add(tally)
    total.add(tally)
    assert total.nothing_here == [2, 2] and total.right_by_outcome == {"fail": 2}


def test_a_false_automation_only_for_a_check_the_labelled_one_leaves_work_to_is_counted_aside() -> None:
    """The secret scan leaves a compose file's literal password to the compose check; its line shows
    that check's failure too. The labels name the scan alone (each check must decide a line alone), so
    the line is false, and is also counted aside; a line with any other extra check is not."""
    from typing import Any

    from bench.checklist_matcher import Tally, judge

    text = "- [ ] No hardcoded secrets in code\n- [ ] No hardcoded secrets in code\n"
    shown = ["no-hardcoded-secrets", "compose-no-inline-secrets"]
    filled: dict[str, dict[str, Any]] = {
        "1": {"kind": "automated", "checks": shown, "outcome": "fail", "why": ""},
        "2": {"kind": "automated", "checks": [*shown, "env-file-ignored"], "outcome": "fail", "why": ""},
    }
    labels = {1: ["no-hardcoded-secrets"], 2: ["no-hardcoded-secrets"]}
    tally = judge(text, "go-live.md", labels, filled=filled)
    assert (tally.right, tally.false, tally.delegated) == (0, 2, 1)
    total = Tally()
    total.add(tally)
    assert total.delegated == 1
