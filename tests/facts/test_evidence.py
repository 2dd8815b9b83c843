"""Per-file coverage and load-test users read from the reports CI leaves, in each format prodgate reads."""

from __future__ import annotations

import json
import os
from pathlib import Path

from gate.facts.evidence import DEFAULT_PATTERNS, collect_evidence


def test_coverage_per_file_from_coverage_py_json_and_lcov(tmp_path: Path) -> None:
    (tmp_path / "coverage.json").write_text(
        json.dumps(
            {
                "totals": {"percent_covered": 70.0},
                "files": {
                    "app/main.py": {"summary": {"percent_covered": 90.0}},
                    "app/io.py": {"summary": {"percent_covered": 0.0}},
                },
            }
        )
    )
    (tmp_path / "lcov.info").write_text(
        "SF:app/main.py\nLF:10\nLH:8\nend_of_record\nSF:app/io.py\nLF:4\nLH:0\nend_of_record\n"
    )
    facts = collect_evidence(tmp_path, DEFAULT_PATTERNS)
    by_report = {r.path: dict(r.files) for r in facts.coverage}
    assert by_report["coverage.json"] == {"app/main.py": 90.0, "app/io.py": 0.0}
    assert by_report["lcov.info"] == {"app/main.py": 80.0, "app/io.py": 0.0}


def test_locust_users_come_from_the_history_beside_the_stats_and_never_from_a_fifo(tmp_path: Path) -> None:
    header = "Type,Name,Request Count,Failure Count,Requests/s,95%\n"
    (tmp_path / "run_stats.csv").write_text(header + ",Aggregated,100,0,10,80\n")
    (tmp_path / "run_stats_history.csv").write_text("Timestamp,User Count\n1,3\n2,12\n")
    assert [r.users for r in collect_evidence(tmp_path, DEFAULT_PATTERNS).load] == [12]
    (tmp_path / "run_stats_history.csv").unlink()
    os.mkfifo(tmp_path / "run_stats_history.csv")  # a read would never end
    assert [r.users for r in collect_evidence(tmp_path, DEFAULT_PATTERNS).load] == [None]
