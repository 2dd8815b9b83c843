"""The comment's first screen, as a browser lays it out: the verdict and every blocker are on it.

Needs headless Chromium (`apt-get install chromium`; `.ci/run` installs it) and tests/npm's packages
(`.venv/bin/npm ci --prefix tests/npm`). Set PRODGATE_SCREENSHOT=DIR to keep a picture of each
first screen there.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import cast

import pytest

from gate.action.comment import comment_body
from gate.checklist import read_checklist
from gate.config import load_config
from gate.engine import evaluate
from tests.chromium import CHROMIUM, SCREEN, STYLESHEET, measure, screenshot
from tests.gfm import as_github

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or not STYLESHEET.is_file(),
    reason="needs headless Chromium (apt-get install chromium) and tests/npm installed",
)


@pytest.mark.parametrize("example", ["not-ready-service", "seed-001-power-theft/not-ready"])
def test_the_first_screen_holds_the_verdict_and_every_blocker(example: str, tmp_path: Path) -> None:
    root = EXAMPLES / example
    config, _ = load_config(None, root)
    checklist = read_checklist(root / config.checklist, root) if config.checklist else None
    report = evaluate(root, config, offline=True, checklist=checklist, today=date(2026, 11, 30))
    body = as_github(comment_body(report, key="test", summary_url="https://example.invalid/run", notes=[]))
    measured = measure(body)
    blockers = cast(list[float], measured["blockers"])
    assert blockers, "no 'What blocks this merge' list"
    assert cast(float, measured["verdict"]) < SCREEN
    assert max(blockers) <= SCREEN, (
        f"the last blocker ends {max(blockers):.0f} px down; the screen is {SCREEN}"
    )
    seen = set(cast(list[str], measured["seen"]))
    missing = [r.check_id for r in report.results if r.blocking and r.check_id not in seen]
    assert not missing, f"blocking checks not named on the first screen: {missing}"
    keep = os.environ.get("PRODGATE_SCREENSHOT")
    target = Path(keep) if keep else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    picture = target / f"{example.replace('/', '-')}.png"
    screenshot(body, picture)
    assert picture.read_bytes().startswith(b"\x89PNG")
