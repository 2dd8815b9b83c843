"""Each labelled checklist filled in by the gate on its own repository at the pinned commit.

The matcher maps a team's line without the repository (bench/checklist_matcher.py), but what the gate
shows beside the line depends on it: a line whose checks all found nothing to judge there (no
infrastructure code under "Firewall configured", no manifests under "Liveness probes configured") is
left to a person (gate.checklist.fill), and some checks judge a line at the thresholds it states. For
every checklist of bench/checklists/corpus.yaml in the sets asked for, this materializes the pinned
commit from its local mirror (`git archive`, or blob by blob where the snapshot lacks its largest files;
then a one-commit repository, as bench/compare.py does), runs `prodgate check DIR --checklist FILE
--offline --format json` (the `prodgate` beside the interpreter running this script) and writes, by
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
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

CORPUS = Path(__file__).resolve().parent / "checklists" / "corpus.yaml"


def _materialize(git_dir: str, commit: str, root: Path) -> None:
    archive = subprocess.run(["git", "--git-dir", git_dir, "archive", commit], capture_output=True)
    if archive.returncode == 0:
        subprocess.run(["tar", "-x", "-C", str(root)], input=archive.stdout, check=True)
    else:
        _blob_by_blob(git_dir, commit, root)
    env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@b", "GIT_COMMITTER_NAME": "b"}
    env["GIT_COMMITTER_EMAIL"] = "b@b"
    for args in (["init", "-q"], ["add", "-A", "-f"], ["commit", "-qm", "bench", "--no-gpg-sign"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=env)


def _blob_by_blob(git_dir: str, commit: str, root: Path) -> None:
    """A snapshot whose largest files are listed but absent: every blob it holds, the others left out
    (`git archive` gives up on the first missing one)."""
    listing = subprocess.run(
        ["git", "--git-dir", git_dir, "ls-tree", "-r", "-z", commit], check=True, capture_output=True
    ).stdout
    entries: list[tuple[bytes, str]] = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, raw = record.partition(b"\t")
        mode, kind, oid = meta.split()
        if kind == b"blob" and mode != b"120000":
            entries.append((oid, raw.decode("utf-8", "surrogateescape")))
    batch = subprocess.run(
        ["git", "--git-dir", git_dir, "cat-file", "--batch"],
        input=b"".join(oid + b"\n" for oid, _ in entries),
        check=True,
        capture_output=True,
    ).stdout
    at = 0
    for _, path in entries:
        end = batch.index(b"\n", at)
        header = batch[at:end].split()
        at = end + 1
        if header[-1] == b"missing":
            continue
        size = int(header[2])
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(batch[at : at + size])
        at += size + 1


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
        run = [
            *command,
            "check",
            str(root),
            "--offline",
            "--format",
            "json",
        ]
        subprocess.run(
            [*run, "--checklist", str(root / path), "--output", str(report)],
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
            root = Path(tmp) / "repo"
            root.mkdir()
            _materialize(mirrors[repo], commit, root)
            for path in paths:
                key = f"{repo}@{commit}:{path}"
                started = time.perf_counter()
                try:
                    done[key] = filled(root, path, args.timeout, args.concepts)
                except (subprocess.TimeoutExpired, OSError, ValueError, KeyError, TypeError) as exc:
                    print(f"{key}: not filled ({type(exc).__name__})", flush=True)
                    continue
                print(f"{key}: {len(done[key])} lines in {time.perf_counter() - started:.1f} s", flush=True)
                args.out.write_text(json.dumps(done, indent=1, sort_keys=True) + "\n")
    print(f"{len(done) - 1} checklists filled; written to {args.out}")  # less its own key, MADE_WITH


MADE_WITH = "_made_with"
"""The file's own key: how its fillings were made ({"concepts": bool})."""


def _key(entry: dict[str, str]) -> str:
    return f"{entry['repo']}@{entry['commit']}:{entry['path']}"


if __name__ == "__main__":
    main()
