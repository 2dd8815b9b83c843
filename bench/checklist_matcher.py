"""How well a team's own checklist is mapped to the checks that decide its lines.

Reads the labelled checklists of bench/checklists/corpus.yaml (public checklists pinned to a commit;
each checkbox line labelled by reading it, before the matcher ever ran, with the checks that decide it
or none) from local git mirrors, maps each file as `prodgate check --checklist` does, and prints per
checklist and in total, for each set of checklists (`set`: `tune`, the ones the matcher was tuned on;
`holdout`, a third kept aside and measured once before it too was tuned on; `fresh`, labelled after the
tuning and measured once):
  right    the line was automated with checks that decide it (all of them among the labels)
  false    it was automated with a check that does not decide it
  missed   a check decides it, and it was left to a person
  manual   no check decides it, and it was left to a person
and automation recall (right / lines a check decides) and precision (right / automated). A line
mapped to a sign-off or out-of-scope catalog item counts as left to a person. Nothing is copied from
the checklists into the project: the corpus holds line numbers and labels only.

    python bench/checklist_matcher.py MIRRORS.json [--concepts] [--lines] [--sets tune,holdout]
        [--second bench/checklists/second-reading.yaml] [--concept-record] [--wording-record] [--by-how]
        [--outcomes FILLED.json]

`--concept-record`: with concept matches automated, each check's record on the lines it took by a
concept alone (right, false): the evidence behind `automate: true` in gate/data/concepts.yaml; then,
for the checks not automated, each concept's own record: the evidence behind a concept's `+`.
`--wording-record`: each catalog item's record on the lines it took by a seed line's exact wording,
for the items wrong at least once: the evidence for revisiting a seed line's binding.
`--by-how`: each set's right and false automations by how the line was mapped (a seed line's exact
wording, a similar wording, a concept, a marker): which way in is the weak one.

`--outcomes`: the checklists as the gate filled them on their own repositories at the pinned commits
(bench/checklist_outcomes.py). Without it, lines are mapped as the matcher maps them, without the
repository; with it, a line counts as automated only where the gate showed its checks' verdict: a line
whose checks all found nothing to judge there is left to a person, and a line that names nothing a
check judges at its own thresholds too. Checklists missing from the file are mapped as without it.

`--second`: a second, independent reading of some checklists' lines. For those checklists it also
prints how far the two readings agree (the same checks; decided or not, with Cohen's kappa) and the
figures with the second reading's labels and on the lines both readings label alike, so a figure can
be told apart from the readers' own disagreement.

MIRRORS.json maps "owner/name" to a local git directory holding the pinned commit. It never runs in
CI and asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gate import checklist, concepts
from gate.catalog import Kind, load_catalog
from gate.checklist import parse
from gate.facts.repo import BROWSER_FRAMEWORKS, NODE_SERVERS, OTHER_LANGUAGES

CORPUS = Path(__file__).resolve().parent / "checklists" / "corpus.yaml"


@dataclass
class Tally:
    right: int = 0
    false: int = 0
    missed: int = 0
    manual: int = 0
    wrong: list[str] = field(default_factory=list)
    by_concept: dict[str, list[int]] = field(default_factory=dict)
    """check id -> [right, false] of the lines it took by a concept alone"""
    by_pattern: dict[str, list[int]] = field(default_factory=dict)
    """"check: concept as concepts.yaml writes it" -> [right, false] of the lines that concept took"""
    by_wording: dict[str, list[int]] = field(default_factory=dict)
    """catalog item id -> [right, false] of the lines it took by a seed line's exact wording"""
    by_how: dict[str, list[int]] = field(default_factory=dict)
    """how a line was mapped (wording, similar, concept, marker) -> [right, false]"""
    right_by_outcome: dict[str, int] = field(default_factory=dict)
    """outcome shown beside a right automation -> lines (--outcomes): how many the gate answered"""
    nothing_here: list[int] = field(default_factory=lambda: [0, 0])
    """[right, false] among the lines the gate left to a person for nothing here to judge (--outcomes):
    what they would have counted as, automated"""
    delegated: int = 0
    """false automations whose only checks beyond the labels are ones a labelled check leaves part of its
    work to (`leaves_to` in concepts.yaml), shown because they failed (--outcomes): the scan's line
    beside a compose file's literal password, which the labels' "each check alone" cannot express"""

    def add(self, other: Tally) -> None:
        self.right += other.right
        self.false += other.false
        self.missed += other.missed
        self.manual += other.manual
        self.delegated += other.delegated
        self.nothing_here = [a + b for a, b in zip(self.nothing_here, other.nothing_here, strict=True)]
        for outcome, count in other.right_by_outcome.items():
            self.right_by_outcome[outcome] = self.right_by_outcome.get(outcome, 0) + count
        for mine, theirs in (
            (self.by_concept, other.by_concept),
            (self.by_pattern, other.by_pattern),
            (self.by_wording, other.by_wording),
            (self.by_how, other.by_how),
        ):
            for key, (right, false) in theirs.items():
                record = mine.setdefault(key, [0, 0])
                record[0] += right
                record[1] += false

    def figures(self) -> str:
        decided = self.right + self.missed
        automated = self.right + self.false
        recall = f"{self.right / decided:.2f}" if decided else "-"
        precision = f"{self.right / automated:.2f}" if automated else "-"
        return f"{self.right:>5} {self.false:>5} {self.missed:>6} {self.manual:>6} {recall:>6} {precision:>9}"


def _mapped(
    line_check: str | None, item_id: str | None, present: frozenset[str], how: str = "none"
) -> set[str]:
    mapped: set[str] = set()
    if line_check:
        mapped = {line_check}
    elif item_id:
        item = load_catalog().by_id()[item_id]
        # an item about a part of a full-stack app decides the line only where the repository has that
        # part; elsewhere the gate leaves the line to a person (gate.checklist.fill)
        if item.kind is Kind.AUTOMATED and (item.needs is None or item.needs in present):
            mapped = set(item.checks)
    kinds = concepts.components()
    if UNREAD_SERVICE in present and how != "marker" and all(kinds.get(c) == "service" for c in mapped):
        return set()  # the service is in a language prodgate does not read: a person's (gate.checklist.fill)
    return mapped


UNREAD_SERVICE = "unread-service"
NOTHING_HERE = "not automated: nothing here for"  # gate.checklist.fill
_PYTHON_APP = r"FastAPI\(|Flask\(|Starlette\(|APIRouter\(|Blueprint\(|django"


def parts(mirror: str, commit: str) -> frozenset[str]:
    """The parts of a full-stack app the checklist's repository has at that commit, as the gate finds
    them (gate.facts.repo): a package.json on a Node server framework, or on a browser framework or an
    index.html outside docs; and UNREAD_SERVICE, a service in a language prodgate does not read (a
    build file of gate.facts.repo.OTHER_LANGUAGES, a .csproj or a Node server) with no Python web
    application beside it. The gate asks its route facts for the latter; here a `git grep` for an
    application stands in for them."""
    files = subprocess.run(
        ["git", "-C", mirror, "ls-tree", "-r", "--name-only", commit],
        capture_output=True,
        check=True,
        text=True,
    ).stdout.splitlines()
    found: set[str] = set()
    if any(f.rsplit("/", 1)[-1] == "index.html" and not f.startswith(("docs/", "site/")) for f in files):
        found.add("frontend")
    for rel in (f for f in files if f.rsplit("/", 1)[-1] == "package.json" and "node_modules/" not in f):
        shown = subprocess.run(
            ["git", "-C", mirror, "show", f"{commit}:{rel}"], capture_output=True, text=True
        )
        try:
            data = json.loads(shown.stdout)
        except ValueError:
            continue
        declared = {n for section in ("dependencies", "devDependencies") for n in (data.get(section) or {})}
        if declared & set(NODE_SERVERS):
            found.add("node-backend")
        if declared & set(BROWSER_FRAMEWORKS):
            found.add("frontend")
    builds = any(f.rsplit("/", 1)[-1].lower() in OTHER_LANGUAGES or f.endswith(".csproj") for f in files)
    if builds or "node-backend" in found:
        python_app = subprocess.run(
            ["git", "-C", mirror, "grep", "-q", "-E", _PYTHON_APP, commit, "--", "*.py"], capture_output=True
        )
        if python_app.returncode != 0:
            found.add(UNREAD_SERVICE)
    return frozenset(found)


def judge(
    text: str,
    name: str,
    labels: dict[int, list[str]],
    present: frozenset[str] = frozenset(),
    filled: dict[str, dict[str, Any]] | None = None,
) -> Tally:
    tally = Tally()
    lines = {line.number: line for line in parse(text, name).items}
    concept_record = tally.by_concept
    missing = sorted(set(labels) - set(lines))
    if missing:
        raise SystemExit(f"{name}: labelled lines {missing} are not checkbox lines at this commit")
    for number, wanted in sorted(labels.items()):
        line = lines[number]
        mapped = _mapped(line.check, line.item, present, line.how)
        expected = set(wanted)
        if filled is not None:
            shown = filled[str(number)]
            if shown["why"].startswith(NOTHING_HERE):
                tally.nothing_here[0 if set(shown["checks"]) <= expected else 1] += 1
            mapped = set(shown["checks"]) if shown["kind"] == "automated" else set()
            if mapped and mapped <= expected:
                outcome = shown["outcome"] or "not run"
                tally.right_by_outcome[outcome] = tally.right_by_outcome.get(outcome, 0) + 1
        if line.how == "concept" and line.check:
            concept_record.setdefault(line.check, [0, 0])[0 if mapped <= expected else 1] += 1
            written = concepts.match(line.text, line.headings).written
            tally.by_pattern.setdefault(f"{line.check}: {written}", [0, 0])[
                0 if mapped <= expected else 1
            ] += 1
        if line.how == "wording" and line.item and mapped:
            tally.by_wording.setdefault(line.item, [0, 0])[0 if mapped <= expected else 1] += 1
        if mapped:
            tally.by_how.setdefault(line.how, [0, 0])[0 if mapped <= expected else 1] += 1
        if mapped and mapped <= expected:
            tally.right += 1
        elif mapped:
            tally.false += 1
            left = {c for own in mapped & expected for c in concepts.leaves_to().get(own, ())}
            tally.delegated += bool(left) and mapped - expected <= left
            tally.wrong.append(
                f"  false  {name}:{number} -> {sorted(mapped)} (labels {sorted(expected)}; {line.how})"
                f"\n         {line.text[:160]}"
            )
        elif expected:
            tally.missed += 1
            tally.wrong.append(
                f"  missed {name}:{number} (labels {sorted(expected)}; near {list(line.candidates)})"
                f"\n         {line.text[:160]}" + (f"\n         ({line.why})" if line.why else "")
            )
        else:
            tally.manual += 1
    return tally


def mapped_lines(text: str, name: str, numbers: set[int], present: frozenset[str]) -> dict[int, set[str]]:
    """The checks each line is automated with (an empty set: left to a person)."""
    lines = {line.number: line for line in parse(text, name).items}
    return {n: _mapped(lines[n].check, lines[n].item, present, lines[n].how) for n in numbers}


def score(mapped: dict[tuple[str, int], set[str]], labels: dict[tuple[str, int], set[str]]) -> Tally:
    tally = Tally()
    for key, expected in labels.items():
        got = mapped[key]
        if got and got <= expected:
            tally.right += 1
        elif got:
            tally.false += 1
        elif expected:
            tally.missed += 1
        else:
            tally.manual += 1
    return tally


def agreement(first: dict[tuple[str, int], set[str]], second: dict[tuple[str, int], set[str]]) -> str:
    """The share of lines with the same checks; of lines both call decided or not, with Cohen's kappa."""
    keys = list(first)
    same = sum(first[k] == second[k] for k in keys) / len(keys)
    both = sum(bool(first[k]) == bool(second[k]) for k in keys) / len(keys)
    p1 = sum(bool(first[k]) for k in keys) / len(keys)
    p2 = sum(bool(second[k]) for k in keys) / len(keys)
    chance = p1 * p2 + (1 - p1) * (1 - p2)
    kappa = (both - chance) / (1 - chance) if chance < 1 else 1.0
    return f"same checks {same:.2f}; decided or not {both:.2f} (kappa {kappa:.2f}); {len(keys)} lines"


def second_reading(
    path: Path, corpus: list[dict[str, Any]], mirrors: dict[str, str], sets: list[str]
) -> None:
    readings = yaml.safe_load(path.read_text())
    first: dict[tuple[str, int], set[str]] = {}
    second: dict[tuple[str, int], set[str]] = {}
    mapped: dict[tuple[str, int], set[str]] = {}
    for reading in readings:
        key = (reading["repo"], reading["path"], reading["commit"])
        entry = next((e for e in corpus if (e["repo"], e["path"], e["commit"]) == key), None)
        if entry is None:
            raise SystemExit(f"{path}: {'/'.join(key[:2])} at {key[2]} is not in {CORPUS.name}")
        if entry["set"] not in sets:
            continue
        name = f"{entry['repo']}/{entry['path']}"
        labels = {int(k): set(v) for k, v in entry["labels"].items()}
        if set(reading["labels"]) != set(labels):
            raise SystemExit(f"{path}: {name}: the second reading has other lines than the first")
        text = _show(mirrors[entry["repo"]], entry["commit"], entry["path"])
        present = parts(mirrors[entry["repo"]], entry["commit"])
        for number, checks in mapped_lines(text, name, set(labels), present).items():
            mapped[(name, number)] = checks
            first[(name, number)] = labels[number]
            second[(name, number)] = set(reading["labels"][number])
    if not first:
        return
    agreed = {k: v for k, v in first.items() if second[k] == v}
    print(f"second reading ({path.name}): {agreement(first, second)}")
    for title, read in (
        ("first labels", first),
        ("second reading", second),
        ("lines both agree on", agreed),
    ):
        print(f"{title:60} {'':>5} {score(mapped, read).figures()}")
    print()


def _by_how(tally: Tally) -> str:
    return ", ".join(f"{how} {r} / {f}" for how, (r, f) in sorted(tally.by_how.items())) or "-"


def _show(mirror: str, commit: str, path: str) -> str:
    shown = subprocess.run(["git", "-C", mirror, "show", f"{commit}:{path}"], capture_output=True, check=True)
    return shown.stdout.decode("utf-8", "replace")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("mirrors", type=Path, help='JSON: {"owner/name": "/path/to/git/dir", ...}')
    parser.add_argument("--lines", action="store_true", help="also list every false and missed line")
    parser.add_argument(
        "--concepts",
        action="store_true",
        help="measure with lines that name a concept automated (gate.checklist.AUTOMATE_CONCEPTS)",
    )
    parser.add_argument(
        "--sets",
        help="comma-separated sets to measure (default: all); tuning runs leave the kept-aside set out",
    )
    parser.add_argument("--second", type=Path, help="YAML: a second reading of some checklists' lines")
    parser.add_argument(
        "--concept-record",
        action="store_true",
        help="each check's right and false concept matches (implies --concepts)",
    )
    parser.add_argument(
        "--by-how",
        action="store_true",
        help="each set's right and false automations by how the line was mapped",
    )
    parser.add_argument(
        "--wording-record",
        action="store_true",
        help="each catalog item's right and false seed-wording matches",
    )
    parser.add_argument(
        "--outcomes",
        type=Path,
        help="JSON from bench/checklist_outcomes.py: score the lines as the gate filled them on their"
        " repositories",
    )
    args = parser.parse_args()
    filled = json.loads(args.outcomes.read_text()) if args.outcomes else {}
    if args.outcomes and filled.get("_made_with", {}).get("concepts", False) != bool(
        args.concepts or args.concept_record
    ):
        # the mapping here and the gate's filling in the file must automate the same concept matches
        raise SystemExit(
            f"{args.outcomes}: made {'with' if filled.get('_made_with', {}).get('concepts') else 'without'}"
            " checklist_outcomes.py --concepts; give --concepts or --concept-record here alike"
        )
    if args.concepts or args.concept_record:
        checklist.AUTOMATE_CONCEPTS = True
    mirrors = json.loads(args.mirrors.read_text())
    corpus = yaml.safe_load(CORPUS.read_text())
    header = f"{'checklist':60} {'lines':>5} {'right':>5} {'false':>5} {'missed':>6} {'manual':>6} {'recall':>6} {'precision':>9}"
    sets = list(dict.fromkeys(entry["set"] for entry in corpus))
    if args.sets:
        wanted = args.sets.split(",")
        unknown = sorted(set(wanted) - set(sets))
        if unknown:
            raise SystemExit(f"--sets: no such set {', '.join(unknown)} (the corpus has {', '.join(sets)})")
        sets = [name for name in sets if name in wanted]
    totals = {name: Tally() for name in sets}
    unfilled: list[str] = []
    for name in sets:
        print(f"set: {name}")
        print(header)
        for entry in (e for e in corpus if e["set"] == name):
            text = _show(mirrors[entry["repo"]], entry["commit"], entry["path"])
            shown = f"{entry['repo']}/{entry['path']}"
            present = parts(mirrors[entry["repo"]], entry["commit"])
            key = f"{entry['repo']}@{entry['commit']}:{entry['path']}"
            if args.outcomes and key not in filled:
                unfilled.append(shown)
            labels = {int(k): v for k, v in entry["labels"].items()}
            tally = judge(text, shown, labels, present, filled.get(key))
            totals[name].add(tally)
            shown = shown if len(shown) <= 60 else "..." + shown[-57:]
            print(f"{shown:60} {len(entry['labels']):>5} {tally.figures()}")
            if args.lines:
                print("\n".join(tally.wrong))
        print(f"{'total':60} {'':>5} {totals[name].figures()}")
        if args.by_how:
            print(f"{'by how (right / false)':60} {_by_how(totals[name])}")
        print()
    every = Tally()
    for tally in totals.values():
        every.add(tally)
    print(f"{'all checklists':60} {'':>5} {every.figures()}")
    if args.by_how:
        print(f"{'by how (right / false)':60} {_by_how(every)}")
    if args.outcomes:
        right, false = every.nothing_here
        shown = ", ".join(
            f"{o} {n}" for o, n in sorted(every.right_by_outcome.items(), key=lambda kv: -kv[1])
        )
        print(f"{'right automations by the outcome shown':60} {shown}")
        print(f"{'left to a person: nothing here to judge (right / false)':60} {right} / {false}")
        print(f"{'false only for a failure a labelled check leaves to another':60} {every.delegated}")
        if unfilled:
            print(f"not in {args.outcomes}, mapped without the repository: {len(unfilled)} checklists")
    if args.concept_record:
        print(f"\n{'check (lines taken by a concept alone)':40} {'right':>5} {'false':>5}  automate")
        automated = concepts.automated()
        for check, (right, false) in sorted(
            every.by_concept.items(), key=lambda kv: (kv[1][1] > 0, -kv[1][0], kv[0])
        ):
            print(f"{check:40} {right:>5} {false:>5}  {'yes' if check in automated else ''}")
        print(f"\n{'concept of a check not automated (+: automated by itself)':72} {'right':>5} {'false':>5}")
        for pattern, (right, false) in sorted(
            every.by_pattern.items(), key=lambda kv: (kv[1][1] > 0, -kv[1][0], kv[0])
        ):
            check, written = pattern.split(": ", 1)
            if check not in automated:
                print(
                    f"{pattern[:72]:72} {right:>5} {false:>5}  {'+' if written.startswith(('+', '~+')) else ''}"
                )
    if args.wording_record:
        print(f"\n{'catalog item (lines taken by a seed wording)':44} {'right':>5} {'false':>5}")
        wrong = [(item, r) for item, r in every.by_wording.items() if r[1]]
        for item, (right, false) in sorted(wrong, key=lambda kv: (-kv[1][1], kv[1][0], kv[0])):
            print(f"{item:44} {right:>5} {false:>5}")
    if args.second:
        print()
        second_reading(args.second, corpus, mirrors, sets)


if __name__ == "__main__":
    main()
