"""prodgate against Checkov and against the floor of reading every file once, on real and synthetic trees.

For each tree it runs, paired and interleaved (A B C, A B C, ...: the machine is noisy and drifts):
  prodgate   `prodgate check TREE --offline --format json --output FILE` (what a gate run does, minus
             the advisory service, which Checkov's `--skip-download` also leaves out); with
             --prodgate-venv, this tree installed there as the Action image installs it (not editable,
             bytecode compiled), which is what users run
  Checkov    `checkov -d TREE --framework dockerfile,kubernetes,github_actions,secrets --skip-download
             -o json`, pinned in a virtual environment of its own (made with --checkov-venv if missing)
  floor      `git ls-files -z | xargs -0 cat >/dev/null` in the tree
  start-up   `python -c pass` with prodgate's interpreter
and prints the medians (wall and CPU seconds, peak RSS of the largest process) and the ratios
Checkov/prodgate (wall) and prodgate/(floor + start-up). Real trees come from local mirrors pinned to a
commit (`--repo owner/name=GIT_DIR@COMMIT`); synthetic ones from bench/bench_scale.py (`--scale`).
It never runs in CI and asserts nothing.

    python bench/compare.py --checkov-venv /tmp/ckvenv --prodgate-venv /tmp/pgvenv \\
        --repo eightBEC/fastapi-ml-skeleton=/work/.mirror/eightBEC+fastapi-ml-skeleton/repo@HEAD \\
        --scale 10000,20000,50000
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_scale import generate

CHECKOV = "checkov==3.3.13"
FRAMEWORKS = "dockerfile,kubernetes,github_actions,secrets"


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    rss_mib: float


def _run(argv: list[str], cwd: Path | None = None, shell: bool = False) -> Run:
    """One whole process: wall clock, CPU of it and its children, and its peak resident set."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv if not shell else ["sh", "-c", argv[0]],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, _, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = 0  # reaped by wait4
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def _installed(venv: Path) -> list[str]:
    """prodgate as the Action image has it: this tree installed (not editable) into its own venv from
    the hashed lock, its bytecode compiled ahead. An editable install, as in a development venv, adds a
    meta-path finder that every run imports at start-up (about 18 ms here)."""
    root = Path(__file__).resolve().parent.parent
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        lock = root / "requirements" / "lock.txt"
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "--require-hashes", "-r", str(lock)], check=True
        )
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", str(root)], check=True
    )
    subprocess.run(
        [str(python), "-m", "compileall", "-q", "--invalidation-mode", "unchecked-hash", str(venv / "lib")],
        check=False,  # a file that does not compile is not prodgate's; the run still measures
    )
    return [str(venv / "bin" / "prodgate")]


def _python_of(prodgate: list[str]) -> str:
    """The interpreter the timed prodgate runs on (its venv's, for an installed one)."""
    if prodgate[0] == sys.executable:
        return sys.executable
    return str(Path(prodgate[0]).parent / "python")


def _checkov(venv: Path) -> Path:
    exe = venv / "bin" / "checkov"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", CHECKOV], check=True)
    return exe


def _materialize(spec: str, into: Path) -> tuple[str, Path]:
    name, _, where = spec.partition("=")
    git_dir, _, commit = where.partition("@")
    root = into / name.replace("/", "+")
    root.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "--git-dir", git_dir, "archive", commit or "HEAD"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(root)], input=archive, check=True)
    _git_init(root)
    return name, root


def _git_init(root: Path) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@b", "GIT_COMMITTER_NAME": "b"}
    env["GIT_COMMITTER_EMAIL"] = "b@b"
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "bench", "--no-gpg-sign"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=env)


def _files(root: Path) -> int:
    out = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True).stdout
    return out.count(b"\0")


def _median(runs: list[Run]) -> Run:
    return Run(
        statistics.median(r.wall for r in runs),
        statistics.median(r.cpu for r in runs),
        max(r.rss_mib for r in runs),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", action="append", default=[], help="owner/name=GIT_DIR@COMMIT")
    parser.add_argument("--scale", default="", help="synthetic sizes, e.g. 10000,20000,50000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--checkov-venv", type=Path, help="Checkov's own venv (made if missing)")
    parser.add_argument(
        "--prodgate-venv",
        type=Path,
        help="install this tree into this venv (made if missing) and time that, as the Action image runs it;"
        " without it, the interpreter running this script (a development venv: an editable install)",
    )
    parser.add_argument(
        "--checkov-max-files", type=int, default=20000, help="skip Checkov on larger trees (it takes minutes)"
    )
    args = parser.parse_args()
    checkov = _checkov(args.checkov_venv) if args.checkov_venv else None
    prodgate = (
        _installed(args.prodgate_venv)
        if args.prodgate_venv
        else [sys.executable, "-c", "from gate.cli import entry; entry()"]
    )
    work = Path(tempfile.mkdtemp(prefix="prodgate-compare-"))
    rows: list[str] = []
    try:
        trees = [_materialize(spec, work / "repos") for spec in args.repo]
        for size in [int(s) for s in args.scale.split(",") if s]:
            root = work / f"scale-{size}"
            root.mkdir(parents=True)
            generate(root, size)
            _git_init(root)
            trees.append((f"synthetic {size}", root))
        header = (
            "| tree | files | prodgate wall s | prodgate CPU s | prodgate MiB | Checkov wall s | Checkov CPU s "
            "| Checkov MiB | floor s | start-up s | Checkov / prodgate | prodgate / (floor + start-up) |"
        )
        rows += [header, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for name, root in trees:
            files = _files(root)
            out = work / "report.json"
            commands: dict[str, tuple[list[str], Path | None, bool]] = {
                "prodgate": (
                    [*prodgate, "check", str(root), "--offline", "--format", "json", "--output", str(out)],
                    None,
                    False,
                ),
                "floor": (["git ls-files -z | xargs -0 cat >/dev/null"], root, True),
                "start-up": ([_python_of(prodgate), "-c", "pass"], None, False),
            }
            if checkov is not None and files <= args.checkov_max_files:
                commands["checkov"] = (
                    [
                        str(checkov),
                        "-d",
                        str(root),
                        "--framework",
                        FRAMEWORKS,
                        "--skip-download",
                        "-o",
                        "json",
                    ],
                    None,
                    False,
                )
            runs: dict[str, list[Run]] = {k: [] for k in commands}
            for argv, cwd, shell in commands.values():  # warm-up: page cache, .pyc files
                _run(argv, cwd, shell)
            for _ in range(args.runs):
                for k, (argv, cwd, shell) in commands.items():
                    runs[k].append(_run(argv, cwd, shell))
            m = {k: _median(v) for k, v in runs.items()}
            g, f, s = m["prodgate"], m["floor"], m["start-up"]
            c = m.get("checkov")
            ratio = f"{c.wall / g.wall:.1f}x" if c else "-"
            ck = f"{c.wall:.2f} | {c.cpu:.2f} | {c.rss_mib:.0f}" if c else "- | - | -"
            rows.append(
                f"| {name} | {files} | {g.wall:.2f} | {g.cpu:.2f} | {g.rss_mib:.0f} | {ck} | {f.wall:.3f} "
                f"| {s.wall:.3f} | {ratio} | {g.wall / (f.wall + s.wall):.1f}x |"
            )
            print(rows[-1], file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    version = _median([_run([*prodgate, "--version"]) for _ in range(args.runs + 1)][1:])
    how = f"installed in {args.prodgate_venv}" if args.prodgate_venv else "run by this interpreter"
    print(f"medians of {args.runs} interleaved runs after one warm-up; MiB: peak RSS of the largest process")
    print(f"prodgate: {how}")
    print(f"prodgate --version: {version.wall:.3f} s wall")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
