"""Every hostile repository of cases.py, built at test time and judged by the gate as its own process:
no code from the repository runs, no secret or outside file reaches any output, and each run ends in a
clear result within a generous bound of time and memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.cases import CASES, Case
from tests.hostile.runner import run_case
from tests.osv_server import OsvService

ADDRESS_SPACE_MB = 4096
"""The child's address-space limit: a backstop against a runaway allocation taking the machine down;
the assertion is on peak resident memory."""


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_repository(case: Case, tmp_path: Path, local_osv: OsvService) -> None:
    import os

    run = case.build(tmp_path)
    run = type(run)(run.root, (*run.args, *case.test_args), run.env, run.cwd, run.marker, run.secret)
    formats = (
        ("json", "markdown", "sarif", "console") if run.secret or case.family == "crashes" else ("json",)
    )
    measured = run_case(
        case,
        run,
        timeout=case.seconds,
        memory_mb=ADDRESS_SPACE_MB,
        osv_url=os.environ["PRODGATE_OSV_URL"],
        formats=formats,
    )
    assert measured.exit_code is not None, f"killed after {case.seconds} s"
    assert not measured.marker_written, "code from the repository ran"
    assert measured.exit_code in case.exit_codes, measured.stderr[-2000:]
    assert "Traceback" not in measured.stderr and "internal error" not in measured.stderr, measured.stderr[
        -2000:
    ]
    if measured.exit_code == 2:
        assert measured.stderr.count("\n") == 1, measured.stderr  # one clear line
    else:
        assert measured.report is not None, "no report written"
        assert set(measured.outputs) == set(formats) - {"json"}, "a format failed to render"
    if run.secret:
        for text in (measured.stdout, measured.stderr, *measured.outputs.values(), str(measured.report)):
            assert run.secret not in text
    if case.check and case.outcomes:
        assert measured.outcome(case.check) in case.outcomes, measured.report and [
            (r["check_id"], r["outcome"], r["summary"])
            for r in measured.report["results"]
            if r["check_id"] == case.check
        ]
    assert measured.peak_mb <= case.megabytes, f"peak {measured.peak_mb:.0f} MB"
