"""How long `prodgate org report` takes to merge an organisation's row files (issue #20: 5,000 in seconds).

Writes N row files (default 5,000) shaped like a matrix's output (a folder per job artifact, a few
malformed files among them) and a previous aggregate, then runs the real command, `--repeat` times, and
prints the wall times and the sizes of what it wrote. Prints; asserts nothing; never runs in CI.

    python bench/org_aggregate.py [--rows 5000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gate.checks import REGISTRY
from gate.model import Level
from gate.org.rows import Row, file_name

CATEGORIES = ("security", "reliability", "observability", "ml", "ci-cd", "documentation")


def write_rows(folder: Path, count: int, seed: int = 20) -> None:
    rng = random.Random(seed)
    checks = sorted(REGISTRY)
    for n in range(count):
        job = folder / f"prodgate-rows-{n // 10 + 1}"
        job.mkdir(exist_ok=True)
        if n % 500 == 7:
            (job / f"broken-{n}.json").write_text('{"kind": "prodgate-org-row", "repo": ')
            continue
        failing = tuple(sorted(rng.sample(checks, rng.randint(0, 25))))
        blocking = tuple(c for c in failing if rng.random() < 0.2)
        row = Row(
            repo=f"acme/service-{n:05d}",
            service="." if n % 4 else f"services/s{n % 7}",
            topics=(("ml",), ("ml", "serving"), ("web",))[n % 3],
            commit=f"{n:040x}",
            committed_at=datetime(2026, 11, 1, tzinfo=UTC) + timedelta(hours=n),
            error="could not be cloned: 404" if n % 97 == 3 else None,
            passed=not blocking,
            level=None if blocking else rng.choice([None, Level.BRONZE, Level.SILVER, Level.GOLD]),
            score=rng.randint(20, 100),
            category_scores={c: rng.randint(0, 100) for c in CATEGORIES},
            blocking=blocking,
            failing=failing,
            tool_version="0.1.0",
        )
        (job / file_name(row.repo, row.service)).write_text(row.model_dump_json(indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    prodgate = Path(sys.executable).parent / "prodgate"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        rows, out = root / "rows", root / "out"
        rows.mkdir()
        write_rows(rows, args.rows)
        report = [str(prodgate), "org", "report", str(rows)]
        # a previous week's aggregate, for the comparison and the trend
        previous = [*report, "--output-dir", str(root / "previous"), "--on", "2026-11-23"]
        subprocess.run(previous, check=True, capture_output=True)
        this_week = [*report, "--output-dir", str(out), "--on", "2026-11-30"]
        this_week += ["--previous", str(root / "previous" / "aggregate.json")]
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            subprocess.run(this_week, check=True, capture_output=True)
            times.append(time.perf_counter() - start)
        sizes = {p.name: p.stat().st_size for p in sorted(out.iterdir())}
    print(
        f"rows {args.rows}: org report wall min {min(times):.2f} s, median {statistics.median(times):.2f} s,"
        f" max {max(times):.2f} s"
    )
    print("written: " + ", ".join(f"{name} {size / 1024:.0f} KiB" for name, size in sizes.items()))


if __name__ == "__main__":
    main()
