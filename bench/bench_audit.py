"""The vulnerability audit's time for a repository pinning 100 packages, against the loopback OSV service.

Prints the cold time (nothing cached: one pip-audit run asking the service about every pin) and the
warm time (every answer from prodgate's per-version cache). Prints; asserts nothing.

    python bench/bench_audit.py [--packages 100]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gate.facts.dependencies import collect_dependencies
from gate.facts.vulnerabilities import AuditSettings, collect_vulnerabilities
from gate.snapshot import Snapshot
from tests.osv_server import serve


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--packages", type=int, default=100)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="prodgate-bench-audit-"))
    try:
        with serve() as (url, service):
            names = sorted(service.advisories)  # real package names from the advisory set ...
            pins = [f"{n}==1.0.0" for n in names]
            pins += [
                f"bench-package-{i}==1.0.{i}" for i in range(args.packages - len(pins))
            ]  # ... then fillers
            (work / "repo").mkdir()
            (work / "repo" / "requirements.txt").write_text("\n".join(pins[: args.packages]) + "\n")
            snap = Snapshot.load(work / "repo")
            deps = collect_dependencies(snap)
            settings = AuditSettings(service="osv", osv_url=url, cache_dir=work / "cache")
            start = time.perf_counter()
            cold = collect_vulnerabilities(snap, deps, settings)
            cold_s = time.perf_counter() - start
            start = time.perf_counter()
            collect_vulnerabilities(snap, deps, settings)
            warm_s = time.perf_counter() - start
        vulnerable = sum(bool(p.advisories) for p in cold.audited)
        print(f"packages: {len(cold.audited)} audited ({vulnerable} vulnerable), error: {cold.error}")
        print(
            f"cold audit: {cold_s:.2f} s   warm (cached): {warm_s:.3f} s   queries sent: {len(service.queries)}"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
