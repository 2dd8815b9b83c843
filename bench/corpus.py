"""prodgate's verdicts against labels written by reading real repositories (bench/corpus/README.md).

Each repository labelled in bench/corpus/labels/ is materialized at its pinned commit from a local git
mirror (a `git clone --shared` checkout, no network), judged offline with the default config, and every labelled check
is scored:
  right        the gate's outcome matches the label (fail = fail, pass/not_applicable = not failing)
  false fail   the gate fails a check the label says passes or does not apply
  missed fail  the label says fail, the gate does not
  undecided    the gate says error / missing_evidence / not_available where the label decides
Prints per check and in total (and separately for the holdout set): precision and recall of "fail",
and every false fail on a check at or above the default fail_on (high). Asserts nothing.

    python bench/corpus.py MIRRORS.json [--only owner/name,...] [--set tune|holdout|fresh|fresh2|fresh3] [--verbose] [--as-copy]
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gate.checks import REGISTRY
from gate.config import Config
from gate.engine import evaluate
from gate.model import Outcome, Severity

CORPUS = Path(__file__).resolve().parent / "corpus"
UNDECIDED = {Outcome.ERROR, Outcome.MISSING_EVIDENCE, Outcome.NOT_AVAILABLE, Outcome.PENDING}


def materialize(
    mirror: Path, commit: str, into: Path, as_copy: bool = False, *, incomplete: bool = False
) -> Path:
    """The commit checked out as a git work tree, as the Action's checkout sees it (a tracked file that
    .gitignore lists is still there); with `as_copy`, its tree as plain files (no .git: judged as a
    tarball would be, .gitignore applied to everything). `incomplete`: a snapshot that lacks some
    large blobs is checked out without them, where the corpus refuses it (bench/checklist_outcomes.py:
    a checklist's lines rarely turn on a model file, and 16 of its repositories lack one)."""
    if not as_copy:
        subprocess.run(
            ["git", "clone", "--quiet", "--shared", "--no-checkout", str(mirror), str(into)],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            ["git", "-C", str(into), "-c", "advice.detachedHead=false", "checkout", "--quiet", commit],
            check=True,
            capture_output=True,
        )
        # a snapshot that lacks a large blob checks out without it, silently: judged so, it would be a
        # different repository
        missing = subprocess.run(
            ["git", "-C", str(into), "status", "--porcelain"], check=True, capture_output=True
        ).stdout
        if missing and not incomplete:
            raise subprocess.CalledProcessError(1, "git checkout", stderr=b"incomplete: " + missing[:100])
        return into
    data = subprocess.run(
        ["git", f"--git-dir={mirror}", "archive", "--format=tar", commit],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return into


def score(expect: str, outcome: Outcome) -> str:
    failed = outcome is Outcome.FAIL
    if outcome in UNDECIDED:
        return "undecided"
    if expect == "fail":
        return "right" if failed else "missed fail"
    return "false fail" if failed else "right"


SETS = {
    "tune": "may be tuned against",
    "holdout": "kept aside in the first labelling (2026-11-29), never tuned against",
    "fresh": "labelled after the first round of fixes (2026-11-30), never tuned against",
    "fresh2": "labelled in a later session (2026-11-30), before the gate ran on it",
    "fresh3": "labelled after the fresh2 fixes (2026-11-30), before the gate ran on it",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mirrors", type=Path, help="JSON: owner/name -> local bare git directory")
    parser.add_argument("--only", default="")
    parser.add_argument("--set", choices=list(SETS))
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument(
        "--as-copy", action="store_true", help="judge plain files (git archive) instead of a git checkout"
    )
    args = parser.parse_args()
    mirrors: dict[str, str] = json.loads(args.mirrors.read_text(encoding="utf-8"))
    repos: list[dict[str, Any]] = [
        yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in sorted((CORPUS / "labels").glob("*.yaml"))
    ]
    wanted = {r for r in args.only.split(",") if r}
    tallies: dict[str, Counter[str]] = {which: Counter() for which in SETS}
    per_check: dict[str, Counter[str]] = defaultdict(Counter)
    blocking_false: list[str] = []
    for entry in repos:
        name, commit, which = entry["repo"], entry["commit"], entry.get("set", "tune")
        if (wanted and name not in wanted) or (args.set and which != args.set):
            continue
        if name not in mirrors:
            print(f"{name}: skipped (no mirror given)")
            continue
        labels = entry["checks"]
        with tempfile.TemporaryDirectory(prefix="prodgate-corpus-") as tmp:
            try:
                root = materialize(Path(mirrors[name]), commit, Path(tmp) / "repo", args.as_copy)
            except subprocess.CalledProcessError as exc:  # a snapshot missing a large blob
                print(
                    f"{name}: skipped (not materialized: {exc.stderr.decode(errors='replace').strip()[:120]})"
                )
                continue
            report = evaluate(root, Config(), offline=True)
        outcomes = {r.check_id: r for r in report.results}
        mine: Counter[str] = Counter()
        for check_id, label in sorted(labels.items()):
            expect = label.get("expect")
            if expect is None or check_id not in outcomes:
                continue
            result = outcomes[check_id]
            verdict = score(str(expect), result.outcome)
            mine[verdict] += 1
            per_check[check_id][verdict] += 1
            tallies[which][verdict] += 1
            if verdict == "right" and expect == "fail":
                tallies[which]["right fail"] += 1
                per_check[check_id]["right fail"] += 1
            if verdict == "false fail" and REGISTRY[check_id].severity.at_least(Severity.HIGH):
                # the check's severity decides the list; the result's says whether this run blocked
                blocks = "blocks" if result.blocking else f"does not block: {result.severity.value}"
                blocking_false.append(
                    f"{name} {check_id} ({blocks}): {result.summary} (label: {label.get('evidence')})"
                )
            if args.verbose and verdict != "right":
                print(f"  {name} {check_id}: {verdict}; gate: {result.outcome.value} {result.summary[:100]}")
        print(f"{name} [{which}]: " + ", ".join(f"{k} {v}" for k, v in sorted(mine.items())))
    print()
    print(f"{'check':40} {'right':>6} {'false':>6} {'missed':>6} {'undec':>6}")
    for check_id, c in sorted(per_check.items()):
        print(f"{check_id:40} {c['right']:6} {c['false fail']:6} {c['missed fail']:6} {c['undecided']:6}")
    for which, t in tallies.items():
        if sum(t.values()):
            print(_figures(which, t))
    if sum(bool(sum(t.values())) for t in tallies.values()) > 1:
        print(_figures("all", sum(tallies.values(), Counter())))
    print(f"\nfalse fails on checks at or above high ({len(blocking_false)}):")
    for line in blocking_false:
        print(f"  {line}")
    return 0


def _figures(which: str, t: Counter[str]) -> str:
    """Precision and recall of "fail": 'right fail' counts the labelled failures the gate also fails."""
    right_fail = t["right fail"]
    flagged = right_fail + t["false fail"]
    labelled_fail = right_fail + t["missed fail"]
    precision = right_fail / flagged if flagged else float("nan")
    recall = right_fail / labelled_fail if labelled_fail else float("nan")
    total = sum(v for k, v in t.items() if k != "right fail")
    return (
        f"{which}: {total} labels scored; precision of fail {precision:.3f} ({right_fail}/{flagged}), "
        f"recall {recall:.3f} ({right_fail}/{labelled_fail}), undecided {t['undecided']}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
