"""Each labelled checklist filled in by the gate on its own repository at the pinned commit.

The matcher maps a team's line without the repository (bench/checklist_matcher.py), but what the gate
shows beside the line depends on it: a line whose checks all found nothing to judge there (no
infrastructure code under "Firewall configured", no manifests under "Liveness probes configured") is
left to a person (gate.checklist.fill), and some checks judge a line at the thresholds it states. For
every checklist of bench/checklists/corpus.yaml in the sets asked for, this materializes the pinned
commit from its local mirror (checked out as bench/corpus.py does, without the large blobs some
snapshots lack), runs `prodgate check DIR --checklist FILE --offline --format json` (the `prodgate`
beside the interpreter running this script) and writes, by
`owner/name@commit:path` and line number, each checkbox line as the gate filled it: its kind
(automated, manual, attestation, out_of_scope), checks, outcome and why. `bench/checklist_matcher.py
--outcomes FILE` scores those lines. Entries already in OUT are kept, so an interrupted run resumes; run
it again after changing the matcher, into a new file. A checklist the gate cannot fill (a run over the
timeout, an error) is reported and left out. Never in CI.

    python bench/checklist_outcomes.py MIRRORS.json OUT.json [--sets tune,holdout] [--timeout 600]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import materialize

CORPUS = Path(__file__).resolve().parent / "checklists" / "corpus.yaml"
MADE_WITH = "_made_with"
"""The file's own key: how its fillings were made ({"concepts": bool})."""


_WITH_CONCEPTS = (
    "import sys; import gate.checklist; gate.checklist.AUTOMATE_CONCEPTS = True; "
    "sys.argv[0] = 'prodgate'; from gate.cli import entry; entry()"
)
"""`prodgate` with every concept match automated (--concepts), for the concepts' records."""


def filled(root: Path, path: str, timeout: float, concepts: bool = False) -> dict[str, dict[str, object]]:
    """Line number -> the line as the gate filled it, on the repository materialized at `root`."""
    with tempfile.TemporaryDirectory(prefix="prodgate-outcomes-") as tmp:
        report = Path(tmp) / "report.json"
        command = (
            [sys.executable, "-c", _WITH_CONCEPTS]
            if concepts
            else [str(Path(sys.executable).parent / "prodgate")]
        )
        asked = ["--offline", "--format", "json", "--checklist", str(root / path), "--output", str(report)]
        subprocess.run(
            [*command, "check", str(root), *asked],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=timeout,
        )
        lines = json.loads(report.read_text())["checklist"]["lines"]
    return {
        str(line["number"]): {
            "kind": line["kind"],
            "checks": line["checks"] or line["candidates"],
            "outcome": line["outcome"],
            "why": line["why"],
        }
        for line in lines
        if line["kind"] not in ("heading", "other")
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("mirrors", type=Path, help='JSON: {"owner/name": "/path/to/git/dir", ...}')
    parser.add_argument("out", type=Path, help="JSON written here (kept entries are not run again)")
    parser.add_argument("--sets", help="comma-separated sets (default: all)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per checklist")
    parser.add_argument(
        "--concepts",
        action="store_true",
        help="with every concept match automated (gate.checklist.AUTOMATE_CONCEPTS), for"
        " checklist_matcher.py --outcomes FILE --concept-record",
    )
    args = parser.parse_args()
    mirrors = json.loads(args.mirrors.read_text())
    corpus = yaml.safe_load(CORPUS.read_text())
    wanted = set(args.sets.split(",")) if args.sets else None
    done: dict[str, Any] = json.loads(args.out.read_text()) if args.out.exists() else {}
    if done and done.get(MADE_WITH, {}).get("concepts", False) != args.concepts:
        raise SystemExit(f"{args.out} was made {'without' if args.concepts else 'with'} --concepts")
    done[MADE_WITH] = {"concepts": args.concepts}
    by_tree: dict[tuple[str, str], list[str]] = {}
    for entry in corpus:
        if (wanted is None or entry["set"] in wanted) and _key(entry) not in done:
            by_tree.setdefault((entry["repo"], entry["commit"]), []).append(entry["path"])
    for (repo, commit), paths in by_tree.items():
        with tempfile.TemporaryDirectory(prefix="prodgate-tree-") as tmp:
            try:
                root = materialize(Path(mirrors[repo]), commit, Path(tmp) / "repo", incomplete=True)
            except subprocess.CalledProcessError as exc:
                print(f"{repo}@{commit}: not checked out ({exc.cmd[:2]})", flush=True)
                continue
            for path in paths:
                key = _key({"repo": repo, "commit": commit, "path": path})
                started = time.perf_counter()
                try:
                    done[key] = filled(root, path, args.timeout, args.concepts)
                except (subprocess.TimeoutExpired, OSError, ValueError, KeyError, TypeError) as exc:
                    print(f"{key}: not filled ({type(exc).__name__})", flush=True)
                    continue
                print(f"{key}: {len(done[key])} lines in {time.perf_counter() - started:.1f} s", flush=True)
                args.out.write_text(json.dumps(done, indent=1, sort_keys=True) + "\n")
    print(f"{len(done) - 1} checklists filled; written to {args.out}")  # less its own key, MADE_WITH


def _key(entry: dict[str, str]) -> str:
    return f"{entry['repo']}@{entry['commit']}:{entry['path']}"


if __name__ == "__main__":
    main()
