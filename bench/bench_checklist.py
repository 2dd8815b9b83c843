"""How fast a team's checklist is read and matched to the catalog.

Prints the time for the five seed checklists (805 lines, all matched by wording) and for a generated
checklist of --lines lines that match nothing exactly (the worst case: every line goes through the
similarity search). Prints; asserts nothing.

    python bench/bench_checklist.py [--lines 100000]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gate.catalog import load_catalog
from gate.checklist import parse, seed_files

WORDS = [
    "model",
    "health",
    "docker",
    "kubernetes",
    "logging",
    "tests",
    "security",
    "backup",
    "latency",
    "rollback",
    "metrics",
]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=100_000)
    args = parser.parse_args()
    load_catalog()
    start = time.perf_counter()
    seeds = [parse(text, name) for name, text in seed_files()]
    seed_time = time.perf_counter() - start
    lines = sum(len(c.items) for c in seeds)
    print(f"seed checklists: {lines} lines in {seed_time:.2f} s")
    rng = random.Random(1)
    text = "\n".join(f"- [ ] {' '.join(rng.choice(WORDS) for _ in range(5))} {i}" for i in range(args.lines))
    start = time.perf_counter()
    checklist = parse(text, "generated.md")
    took = time.perf_counter() - start
    matched = sum(1 for line in checklist.items if line.item)
    print(
        f"generated checklist: {args.lines} unmatched-looking lines in {took:.1f} s ({matched} matched by similarity)"
    )


if __name__ == "__main__":
    main()
