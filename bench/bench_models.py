"""How long the model checks take on a large artifact: hashing streams it, scanning is bounded.

Writes a model file of the given size (default 2 GiB, random bytes behind a pickle header) in a
temporary repository and times collect_models on it: SHA-256 by streaming, and the pickle scan,
which refuses files over its bound. Prints; asserts nothing.

    python bench/bench_models.py [--mib 2048]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gate.facts.models import collect_models
from gate.snapshot import Snapshot


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mib", type=int, default=2048)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="prodgate-bench-models-"))
    try:
        model = work / "models" / "big.pth"
        model.parent.mkdir()
        chunk = os.urandom(1024 * 1024)
        with model.open("wb") as fh:
            fh.write(b"\x80\x04")
            for _ in range(args.mib):
                fh.write(chunk)
        start = time.perf_counter()
        facts = collect_models(Snapshot.load(work))
        elapsed = time.perf_counter() - start
        (artifact,) = facts.artifacts
        rate = args.mib / elapsed if elapsed else float("inf")
        print(
            f"{args.mib} MiB artifact: {elapsed:.2f} s ({rate:.0f} MiB/s), scan: {artifact.scan} ({artifact.scan_detail})"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
