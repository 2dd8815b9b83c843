"""Time and peak memory of the gate on every hostile repository of tests/hostile/cases.py.

Each case is built in a temporary folder and the gate runs on it as its own process, killed at
--timeout seconds and refused memory past --memory MB. Prints one row per case: seconds, peak MB,
exit code, the outcome of the check the case is about, whether code from the repository ran, and
whether a secret reached the output. Prints; asserts nothing (tests/hostile/ asserts).

    python bench/hostile.py [--only NAME,...] [--timeout 120] [--memory 4096] [--python PATH]

`--python` measures the gate installed in another environment (an earlier version, for a before/after
table); its arguments must be ones that version knows.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.hostile.cases import CASES
from tests.hostile.runner import run_case
from tests.osv_server import serve


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated case names (default: all)")
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--memory", type=int, default=4096, help="address-space limit in MB")
    parser.add_argument("--python", default=sys.executable, help="the interpreter whose gate is measured")
    args = parser.parse_args()
    wanted = {n for n in args.only.split(",") if n}
    cases = [c for c in CASES if not wanted or c.name in wanted]
    print(f"{'case':30} {'seconds':>8} {'peak MB':>8} {'exit':>5}  {'outcome':18} notes")
    with serve() as (osv_url, _service):
        for case in cases:
            tmp = Path(tempfile.mkdtemp(prefix=f"prodgate-hostile-{case.name}-"))
            try:
                run = case.build(tmp)
                m = run_case(
                    case,
                    run,
                    timeout=args.timeout,
                    memory_mb=args.memory,
                    osv_url=osv_url,
                    # every format where a name or a secret could leak or crash one; else the JSON run only
                    formats=("json", "markdown", "sarif", "console")
                    if run.secret or case.family == "crashes"
                    else ("json",),
                    python=args.python,
                )
                notes = []
                if m.exit_code is None:
                    notes.append(f"killed after {args.timeout:.0f} s")
                if m.marker_written:
                    notes.append("REPOSITORY CODE RAN")
                texts = [m.stdout, m.stderr, *m.outputs.values()]
                if run.secret and any(run.secret in t for t in texts):
                    notes.append("SECRET IN OUTPUT")
                if m.exit_code not in (None, *case.exit_codes):
                    last = (m.stderr.strip().splitlines() or [""])[-1]
                    notes.append(f"exit {m.exit_code}: {last[:90]}")
                outcome = m.outcome(case.check) if case.check else "-"
                if outcome is None:
                    outcome = "(no report)" if m.report is None else "(not judged)"
                if case.check and case.outcomes and outcome not in case.outcomes:
                    notes.append(f"expected {'/'.join(sorted(case.outcomes))}")
                exit_shown = "-" if m.exit_code is None else str(m.exit_code)
                print(
                    f"{case.name:30} {m.seconds:8.1f} {m.peak_mb:8.0f} {exit_shown:>5}  "
                    f"{outcome:18} {'; '.join(notes)}",
                    flush=True,
                )
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
