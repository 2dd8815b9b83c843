"""Run the gate on one hostile case as its own process, bounded in time and memory, and measure it.

The gate is started the way its console script starts (no working directory on sys.path), so a
module the case plants can only run if the gate itself starts something that imports it.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.hostile.cases import Case, Run

ENTRY = "from gate.cli import entry; entry()"


@dataclass(frozen=True)
class Measured:
    seconds: float
    peak_mb: float
    exit_code: int | None
    """None when the run was killed at the time limit."""
    report: dict[str, Any] | None
    stdout: str
    stderr: str
    outputs: dict[str, str]
    """Every other report format written for the same run (markdown, sarif, console), by format."""
    marker_written: bool

    def outcome(self, check_id: str) -> str | None:
        for result in (self.report or {}).get("results", []):
            if result.get("check_id") == check_id:
                return str(result.get("outcome"))
        return None


def _limit(megabytes: int) -> None:
    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def run_case(
    case: Case,
    run: Run,
    *,
    timeout: float,
    memory_mb: int,
    osv_url: str | None = None,
    formats: tuple[str, ...] = ("json",),
    python: str = sys.executable,
) -> Measured:
    out_dir = Path(tempfile.mkdtemp(prefix="prodgate-hostile-out-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_"))}
    env.update(run.env)
    env["XDG_CACHE_HOME"] = str(out_dir / "cache")
    if osv_url:
        env["PRODGATE_OSV_URL"] = osv_url
    offline = () if case.audit else ("--offline",)
    first: Measured | None = None
    outputs: dict[str, str] = {}
    for fmt in formats:
        target = out_dir / f"report.{fmt}"
        argv = [python, "-I", "-c", ENTRY, "check", str(run.root), "--format", fmt]
        argv += ["--output", str(target), "--color", "never", *offline, *run.args]
        measured = _one(argv, env, run, timeout, memory_mb)
        if fmt != "json" and target.exists():
            outputs[fmt] = target.read_text(encoding="utf-8", errors="replace")
        if first is None:
            report = None
            if target.exists():
                try:
                    report = json.loads(target.read_text(encoding="utf-8"))
                except ValueError:
                    report = None
            first = Measured(
                seconds=measured[0],
                peak_mb=measured[1],
                exit_code=measured[2],
                report=report,
                stdout=measured[3],
                stderr=measured[4],
                outputs={},
                marker_written=False,
            )
        if measured[2] is None:
            break
    assert first is not None
    marker = run.marker is not None and run.marker.exists()
    return Measured(
        first.seconds,
        first.peak_mb,
        first.exit_code,
        first.report,
        first.stdout,
        first.stderr,
        outputs,
        marker,
    )


def _one(
    argv: list[str], env: dict[str, str], run: Run, timeout: float, memory_mb: int
) -> tuple[float, float, int | None, str, str]:
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            argv,
            cwd=run.cwd or Path(tempfile.gettempdir()),
            env=env,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            preexec_fn=lambda: _limit(memory_mb),
            start_new_session=True,
        )
        deadline = started + timeout
        code: int | None = None
        usage = None
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                code = os.waitstatus_to_exitcode(status)
                break
            if time.perf_counter() > deadline:
                os.killpg(proc.pid, signal.SIGKILL)
                _, status, usage = os.wait4(proc.pid, 0)
                code = None
                break
            time.sleep(0.02)
        proc.returncode = -1  # reaped by wait4 above
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    peak_mb = usage.ru_maxrss / 1024 if usage else 0.0
    return seconds, peak_mb, code, stdout, stderr
