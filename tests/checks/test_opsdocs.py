"""ops-doc-topics judged per checklist line: each line on the topic and bound it names (a real folder)."""

from __future__ import annotations

from pathlib import Path

from gate.checklist import read_checklist
from gate.config import load_config
from gate.engine import evaluate
from gate.model import Outcome

CHECKLIST = """\
# Go-live

- [ ] On-call rotation documented
- [ ] RTO (Recovery Time Objective) defined
- [ ] RTO (Recovery Time Objective) < 1 hour
- [ ] FAQ created
- [ ] Architecture diagram
"""


def _lines(root: Path) -> dict[str, tuple[Outcome | None, str]]:
    (root / "CHECKLIST.md").write_text(CHECKLIST)
    config, _ = load_config(None, root)
    report = evaluate(root, config, offline=True, checklist=read_checklist(root / "CHECKLIST.md", root))
    assert report.checklist is not None
    return {
        line.text: (line.outcome, line.evidence)
        for line in report.checklist.lines
        if line.kind == "automated"
    }


def test_each_line_is_judged_on_its_own_topic(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "OPERATIONS.md").write_text(
        "# Operations\n\n## On call\n\nThe team rotates the pager weekly.\nHandover is on Mondays.\n\n"
        "## Recovery objectives\n\nRTO: 2 hours from a fresh host.\n\n"
        "## Architecture\n\nAll in one container; no picture yet.\n"
    )
    lines = _lines(tmp_path)
    assert lines["On-call rotation documented"][0] is Outcome.PASS
    assert lines["RTO (Recovery Time Objective) defined"][0] is Outcome.PASS  # stated, with a number
    bounded = lines["RTO (Recovery Time Objective) < 1 hour"]
    assert bounded[0] is Outcome.FAIL and "longer than 1 hour" in bounded[1]
    assert lines["FAQ created"][0] is Outcome.FAIL
    assert lines["Architecture diagram"][0] is Outcome.FAIL  # a heading without a diagram


def test_a_checklist_asking_for_the_page_is_not_the_page(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text(
        "# svc\n\n## On-call\n\n- [ ] On-call rotation documented\n- [ ] Pager set up\n"
    )
    lines = _lines(tmp_path)
    assert lines["On-call rotation documented"][0] is Outcome.FAIL
    assert lines["RTO (Recovery Time Objective) defined"][0] is Outcome.FAIL
