"""Two versions of prodgate on the labelled corpus: which repositories' reports differ, and where.

Each repository of bench/corpus/labels is materialized at its pinned commit (as bench/corpus.py does)
and judged twice by `prodgate check REPO --offline --format json`, each as its own process: with this
tree, and with BASE, a folder holding another version's `gate/` and `templates/` (for example
`mkdir B && git archive REV gate templates | tar -x -C B`). It prints SAME or DIFF per repository
(report bytes and exit code) and, for a difference, the first JSON paths that differ. Use it to show
that a change leaves every report alone, or exactly which it changes. Asserts nothing; never in CI.

    python bench/corpus_diff.py MIRRORS.json --base DIR [--set fresh3] [--only owner/name,...]

MIRRORS.json maps owner/name to a local git directory, as for bench/corpus.py. Unset
PYTHONDONTWRITEBYTECODE first if you also time the runs: BASE is otherwise compiled again every run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import CORPUS, SETS, materialize

HERE = Path(__file__).resolve().parent.parent


def _judge(code: Path, root: Path, out: Path, work: Path) -> int:
    """One run of the command line with `code` first on the path (and not the working directory, which
    `python -c` puts first)."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    argv = ["check", str(root), "--offline", "--format", "json", "--output", str(out)]
    return subprocess.run(
        [sys.executable, "-c", "from gate.cli import entry; entry()", *argv],
        cwd=work,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    ).returncode


def differences(a: Any, b: Any, path: str = "$", limit: int = 5) -> list[str]:
    """The first `limit` JSON paths where `a` and `b` differ, each with the two values (shortened)."""
    found: list[str] = []

    def walk(x: Any, y: Any, where: str) -> None:
        if len(found) >= limit or x == y:
            return
        if isinstance(x, dict) and isinstance(y, dict):
            for key in sorted(set(x) | set(y)):
                walk(x.get(key), y.get(key), f"{where}.{key}")
        elif isinstance(x, list) and isinstance(y, list) and len(x) == len(y):
            for i, (p, q) in enumerate(zip(x, y, strict=True)):
                walk(p, q, f"{where}[{i}]")
        else:
            found.append(f"{where}: {json.dumps(x)[:100]} -> {json.dumps(y)[:100]}")

    walk(a, b, path)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mirrors", type=Path, help="JSON: owner/name -> local git directory")
    parser.add_argument("--base", type=Path, required=True, help="a folder with the other version's gate/")
    parser.add_argument("--set", choices=list(SETS))
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    if not (args.base / "gate" / "__init__.py").is_file():
        parser.error(f"--base {args.base}: no gate/__init__.py there")
    mirrors: dict[str, str] = json.loads(args.mirrors.read_text(encoding="utf-8"))
    wanted = {r for r in args.only.split(",") if r}
    same = differ = skipped = 0
    for path in sorted((CORPUS / "labels").glob("*.yaml")):
        entry = yaml.safe_load(path.read_text(encoding="utf-8"))
        name, commit, which = entry["repo"], entry["commit"], entry.get("set", "tune")
        if (wanted and name not in wanted) or (args.set and which != args.set):
            continue
        if name not in mirrors:
            print(f"SKIP {which} {name}: no mirror given")
            skipped += 1
            continue
        with tempfile.TemporaryDirectory(prefix="prodgate-corpus-diff-") as tmp:
            work = Path(tmp)
            try:
                root = materialize(Path(mirrors[name]), commit, work / "repo")
            except subprocess.CalledProcessError as exc:  # a snapshot missing a large blob
                print(f"SKIP {which} {name}: {exc.stderr.decode(errors='replace').strip()[:100]}")
                skipped += 1
                continue
            codes = [_judge(code, root, work / f"{i}.json", work) for i, code in enumerate((args.base, HERE))]
            reports = [
                (work / f"{i}.json").read_bytes() if (work / f"{i}.json").exists() else b"" for i in (0, 1)
            ]
        if codes[0] == codes[1] and reports[0] == reports[1]:
            print(f"SAME {which} {name} (exit {codes[0]})")
            same += 1
            continue
        differ += 1
        print(f"DIFF {which} {name} (exit {codes[0]} -> {codes[1]})")
        try:
            for line in differences(*(json.loads(r) for r in reports)):
                print(f"     {line}")
        except ValueError:
            print("     a report is missing or not JSON")
    print(f"\n{same} same, {differ} different, {skipped} skipped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
