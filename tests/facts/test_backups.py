"""Backup jobs read from what they run and their schedules (gate/facts/backups.py)."""

from __future__ import annotations

import pytest

from gate.facts.backups import interval_hours


@pytest.mark.parametrize(
    ("cron", "hours"),
    [
        ("0 2 * * *", 24.0),
        ("15 1,13 * * *", 12.0),
        ("0 */6 * * *", 6.0),
        ("*/30 * * * *", 0.5),
        ("30 1 * * 0", 168.0),
        ("0 3 1 * *", 720.0),
        ("0 0 */2 * *", 48.0),
        ("@daily", 24.0),
        ("@weekly", 168.0),
        ("every night", None),
    ],
)
def test_how_often_a_schedule_runs(cron: str, hours: float | None) -> None:
    assert interval_hours(cron) == hours
