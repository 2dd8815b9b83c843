"""Would a stricter automation bar have done better on checklists it had not yet seen?

gate/data/concepts.yaml automates a check's concept matches (and a seed line's exact wording is
trusted) by the record on the labelled checklists seen so far: right at least three times at a
precision of at least 0.95. A record read on the sets it was tuned on flatters every rule; this asks
each rule the honest question instead. For every set of bench/checklists/corpus.yaml in the order the
sets were labelled, from `--first` on, it takes the records of the sets before it only, decides with
each rule what to automate, and scores that choice on the set itself; it prints, summed over those
sets, the right and false automations each rule would have made and their precision.

Two ways in are scored apart:
  concepts   a check automated as a whole by its record, else each of its concepts by its own
             (as `automate: true` and `+` are set); lines mapped with every concept automated
             (gate.checklist.AUTOMATE_CONCEPTS), as `checklist_matcher.py --concept-record` counts
  wording    a seed line's exact words in another team's list: its catalog item kept or held back
             by the item's record (`--wording-record`)

Lines are mapped without the repository (the gate's filling needs bench/checklist_outcomes.py runs
per commit); a rule that does not win here will not win there. Sets named in `--skip` (one kept
aside) are neither learned from nor scored. Never in CI; asserts nothing.

    python bench/checklist_prequential.py MIRRORS.json [--first fresh5] [--skip fresh22]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import checklist_matcher as matcher
from gate import checklist

Record = dict[str, list[int]]
Rule = Callable[[list[int] | None], bool]


def per_set(
    mirrors: dict[str, str], corpus: list[dict[str, object]], skip: set[str]
) -> dict[str, dict[str, Record]]:
    """Each set's records: by check and by concept (concept matches all automated), by catalog item
    (seed wordings)."""
    checklist.AUTOMATE_CONCEPTS = True
    records: dict[str, dict[str, Record]] = {}
    for entry in corpus:
        name = str(entry["set"])
        if name in skip:
            continue
        repo, commit, path = str(entry["repo"]), str(entry["commit"]), str(entry["path"])
        text = matcher._show(mirrors[repo], commit, path)
        labels = {int(k): list(v) for k, v in dict(entry["labels"]).items()}  # type: ignore[call-overload]
        tally = matcher.judge(text, f"{repo}/{path}", labels, matcher.parts(mirrors[repo], commit))
        mine = records.setdefault(name, {"check": {}, "concept": {}, "wording": {}})
        for key, found in (
            ("check", tally.by_concept),
            ("concept", tally.by_pattern),
            ("wording", tally.by_wording),
        ):
            for what, (right, false) in found.items():
                record = mine[key].setdefault(what, [0, 0])
                record[0] += right
                record[1] += false
    return records


def _wilson(right: int, seen: int, z: float = 1.645) -> float:
    """The lower bound of a precision's one-sided 95% interval: little evidence, a low bound."""
    if not seen:
        return 0.0
    p = right / seen
    return (p + z * z / (2 * seen) - z * math.sqrt(p * (1 - p) / seen + z * z / (4 * seen * seen))) / (
        1 + z * z / seen
    )


def _at_least(least: int, bar: float) -> Rule:
    def rule(record: list[int] | None) -> bool:
        return record is not None and record[0] >= least and record[0] / sum(record) >= bar

    return rule


def _bounded(bound: float) -> Rule:
    def rule(record: list[int] | None) -> bool:
        return record is not None and _wilson(record[0], sum(record)) >= bound

    return rule


def _unless_under(bar: float) -> Rule:
    def rule(record: list[int] | None) -> bool:
        return record is None or record[1] == 0 or record[0] / sum(record) >= bar

    return rule


def _always(record: list[int] | None) -> bool:
    return True


def concept_rules() -> Iterator[tuple[str, Rule]]:
    for least in (3, 5, 8, 12):
        for bar in (0.9, 0.95, 0.97, 1.0):
            yield f"right >= {least}, precision >= {bar}", _at_least(least, bar)
    for bound in (0.7, 0.8, 0.85, 0.9):
        yield f"lower bound >= {bound}", _bounded(bound)


def wording_rules() -> Iterator[tuple[str, Rule]]:
    yield "every seed wording (today)", _always
    for bar in (0.8, 0.9, 0.95):
        yield f"unless its record is under {bar}", _unless_under(bar)
    yield "only with right >= 3, precision >= 0.95", _at_least(3, 0.95)


def _summed(records: list[dict[str, Record]], key: str) -> Record:
    total: Record = {}
    for one in records:
        for what, (right, false) in one[key].items():
            record = total.setdefault(what, [0, 0])
            record[0] += right
            record[1] += false
    return total


def score_concepts(
    order: list[str], records: dict[str, dict[str, Record]], first: int, rule: Rule
) -> tuple[int, int]:
    right = false = 0
    for i in range(first, len(order)):
        seen = [records[name] for name in order[:i]]
        checks, patterns = _summed(seen, "check"), _summed(seen, "concept")
        whole = {check for check, r in checks.items() if rule(r)}
        alone = {p for p, r in patterns.items() if p.split(": ", 1)[0] not in whole and rule(r)}
        now = records[order[i]]
        for check, (r, f) in now["check"].items():
            if check in whole:
                right, false = right + r, false + f
        for pattern, (r, f) in now["concept"].items():
            if pattern in alone:
                right, false = right + r, false + f
    return right, false


def score_wording(
    order: list[str], records: dict[str, dict[str, Record]], first: int, rule: Rule
) -> tuple[int, int]:
    right = false = 0
    # copies of the seed lists in other repositories are evidence from the start
    copies = [records["seedcopy"]] if "seedcopy" in records else []
    for i in range(first, len(order)):
        seen = [records[name] for name in order[:i]] + copies
        items = _summed(seen, "wording")
        for item, (r, f) in records[order[i]]["wording"].items():
            if rule(items.get(item)):
                right, false = right + r, false + f
    return right, false


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mirrors", type=Path)
    parser.add_argument("--first", default="fresh5", help="the first set scored (the ones before only teach)")
    parser.add_argument("--skip", default="", help="sets left out entirely (one kept aside)")
    args = parser.parse_args()
    mirrors = json.loads(args.mirrors.read_text())
    corpus = yaml.safe_load(matcher.CORPUS.read_text())
    skip = {s for s in args.skip.split(",") if s}
    records = per_set(mirrors, corpus, skip)
    order = [
        name
        for name in dict.fromkeys(str(e["set"]) for e in corpus)
        if name in records and name != "seedcopy"
    ]
    if args.first not in order:
        raise SystemExit(f"--first: no set {args.first} among {', '.join(order)}")
    first = order.index(args.first)
    print(
        f"scored on {len(order) - first} sets ({order[first]} to {order[-1]}), each by the sets before it\n"
    )
    for title, rules, score in (
        ("concept matches", concept_rules(), score_concepts),
        ("a seed line's exact wording", wording_rules(), score_wording),
    ):
        print(f"{title:44} {'right':>5} {'false':>5} {'precision':>9}")
        for name, rule in rules:
            right, false = score(order, records, first, rule)
            shown = f"{right / (right + false):.3f}" if right + false else "-"
            print(f"{name:44} {right:>5} {false:>5} {shown:>9}")
        print()


if __name__ == "__main__":
    main()
