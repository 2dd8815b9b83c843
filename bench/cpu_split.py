"""How a check run's CPU splits between its two processes, and how long each is busy.

The command line forks a second process before its imports (gate/background.py): it lists the files,
imports detect-secrets and pip's parser, then reads the dependency files and scans for secrets, while
the first imports the checks and runs them. The wall time of a small repository is the longer of the
two. For each tree, this runs `prodgate check TREE --offline --format json` as the command line does,
several times, each in a fresh interpreter, and prints the medians of: wall time, the first process's
CPU (`getrusage(RUSAGE_SELF)`), the second's (`RUSAGE_CHILDREN`, read once it has been reaped) and the
time the first spent waiting for the second's answer. A second process that is never waited for has
idle time the first could hand work to; one that is waited for is on the critical path. Prints;
asserts nothing; never in CI.

    python bench/cpu_split.py [--python VENV/bin/python] [--runs 9] TREE [TREE ...]

`--python`: the interpreter of an installed prodgate (as bench/compare.py --prodgate-venv makes one);
by default this one. Unset PYTHONDONTWRITEBYTECODE first, or every run compiles what it imports.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

# Run in the child interpreter: entry()'s steps, with the waits on the second process timed.
_RUN = r"""
import json, os, resource, sys, time
started = time.perf_counter()
import gc
gc.disable()
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
from gate import background, cli
cli._no_pydantic_plugins()
root = cli._checked_root(sys.argv[1:])
ahead = getattr(cli, "_ahead_of_job", lambda root: None)(root)  # absent from older versions
background.prewarm("gate.facts.apart:warm_up", listing=root, **({"ahead_of_job": ahead} if ahead else {}))
waited = [0.0]
submit = background.Warm.submit
def timed_submit(self, job, deadline, what):
    wait = submit(self, job, deadline, what)
    def timed():
        t = time.perf_counter()
        try:
            return wait()
        finally:
            waited[0] += time.perf_counter() - t
    return timed
background.Warm.submit = timed_submit
with open(os.devnull, "w") as out:
    code = cli.main(sys.argv[1:], out=out)
background.stop_children()
me, child = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({
    "wall": time.perf_counter() - started,
    "main": me.ru_utime + me.ru_stime,
    "child": child.ru_utime + child.ru_stime,
    "waited": waited[0],
}))
os._exit(0)
"""


def _once(python: str, tree: Path) -> dict[str, float]:
    argv = ["check", str(tree), "--offline", "--format", "json", "--output", "/dev/null"]
    proc = subprocess.run([python, "-c", _RUN, *argv], capture_output=True, text=True, check=False)
    if proc.returncode != 0 or not proc.stdout.strip():
        raise SystemExit(f"{tree}: the run failed: {proc.stderr.strip()[-400:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("trees", nargs="+", type=Path)
    parser.add_argument("--python", default=sys.executable, help="the interpreter of an installed prodgate")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    print("| tree | wall s | first process CPU s | second process CPU s | first waited for second s |")
    print("|---|---:|---:|---:|---:|")
    for tree in args.trees:
        _once(args.python, tree)  # warm-up: page cache, bytecode
        runs = [_once(args.python, tree) for _ in range(args.runs)]
        med = {k: statistics.median(r[k] for r in runs) for k in ("wall", "main", "child", "waited")}
        print(
            f"| {tree.name} | {med['wall']:.3f} | {med['main']:.3f} | {med['child']:.3f} | {med['waited']:.3f} |"
        )
    print(f"medians of {args.runs} runs after one warm-up; python: {args.python}")


if __name__ == "__main__":
    main()
