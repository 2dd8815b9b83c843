"""The team's own checklist filled in: same headings, order and nesting; outcomes, contradictions."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from gate.checklist import parse
from gate.cli import main
from tests.conftest import ROOT, write_tree

CHECKLIST = """\
# Go-live

Notes for the release manager stay where they are.

## Container
- [x] Non-root user configured
- [ ] Health check endpoint working
- [x] Our own wording <!-- prodgate: no-print-in-service -->
  - [ ] requirements.txt pinned to exact versions

## People
- [ ] Disaster recovery drills conducted
- [ ] Celebrate 🎉
- [ ] Water the office plants
"""


def run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(args, out, err)
    return code, out.getvalue(), err.getvalue()


def fill(tmp_path: Path, example: str, fmt: str) -> str:
    repo = tmp_path / example / fmt
    shutil.copytree(ROOT / "examples" / example, repo)
    path = repo / "CHECKLIST.md"  # a checklist is read only from inside the repository it judges
    path.write_text(CHECKLIST, encoding="utf-8")
    _, out, err = run(["check", "--offline", str(repo), "--checklist", str(path), "--format", fmt])
    assert not err, err
    return out


def test_the_checklist_comes_back_in_its_own_order_with_outcomes(tmp_path: Path) -> None:
    report = json.loads(fill(tmp_path, "not-ready-service", "json"))
    lines = report["checklist"]["lines"]
    assert [line["number"] for line in lines] == list(range(1, CHECKLIST.count("\n") + 1))
    items = {line["text"]: line for line in lines if line["kind"] not in ("heading", "other")}
    root_user = items["Non-root user configured"]
    assert (root_user["kind"], root_user["outcome"], root_user["contradiction"]) == (
        "automated",
        "fail",
        True,
    )
    assert root_user["checks"] == ["dockerfile-non-root-user"]
    assert "Dockerfile" in root_user["evidence"]
    pinned = items["requirements.txt pinned to exact versions"]
    assert (pinned["level"], pinned["outcome"], pinned["contradiction"]) == (1, "fail", False)
    own = items["Our own wording"]
    assert (own["how"], own["checks"], own["contradiction"]) == ("marker", ["no-print-in-service"], True)
    assert items["Disaster recovery drills conducted"]["kind"] == "attestation"
    assert items["Disaster recovery drills conducted"]["outcome"] == "pending"
    assert items["Celebrate 🎉"]["kind"] == "out_of_scope"
    assert items["Water the office plants"]["kind"] == "manual"
    assert report["checklist"]["contradictions"] == 2


def test_a_ready_service_has_no_contradiction(tmp_path: Path) -> None:
    report = json.loads(fill(tmp_path, "ready-service", "json"))
    assert report["checklist"]["contradictions"] == 0
    outcomes = {
        line["text"]: line["outcome"] for line in report["checklist"]["lines"] if line["kind"] == "automated"
    }
    assert outcomes["Non-root user configured"] == "pass"
    assert outcomes["Health check endpoint working"] == "pass"


def test_markdown_and_console_keep_headings_nesting_and_flag_contradictions(tmp_path: Path) -> None:
    md = fill(tmp_path, "not-ready-service", "markdown")
    assert "### Go-live" in md
    assert "#### Container" in md and "#### People" in md
    assert "\n  - ☐ ❌ **fail** requirements.txt pinned" in md
    assert md.count("ticked, but the gate failed it") == 2
    assert "📝 **manual** Water the office plants" in md
    console = fill(tmp_path, "not-ready-service", "console")
    assert "## Container" in console and "CONTRADICTION" in console
    assert "  [ ] fail" in console


def test_the_config_names_the_checklist(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".github").mkdir(parents=True)
    (repo / "CHECKLIST.md").write_text(CHECKLIST)
    (repo / ".github" / "prodgate.yml").write_text("checklist: CHECKLIST.md\n")
    _, out, _ = run(["check", "--offline", str(repo), "--format", "json"])
    assert json.loads(out)["checklist"]["path"].endswith("CHECKLIST.md")


def test_a_missing_checklist_is_one_line(tmp_path: Path) -> None:
    code, _, err = run(
        [
            "check",
            "--offline",
            str(ROOT / "examples" / "ready-service"),
            "--checklist",
            str(ROOT / "examples" / "ready-service" / "nope.md"),
        ]
    )
    assert code == 2 and err.count("\n") == 1 and "cannot read the checklist" in err


def test_a_checklist_or_config_outside_the_repository_is_refused(tmp_path: Path) -> None:
    """Their content would land in the report and the PR comment: /etc/passwd must never."""
    outside = tmp_path / "outside.md"
    outside.write_text("- [ ] Health check endpoint working SECRET-CANARY\n")
    repo = tmp_path / "repo"
    (repo / ".github").mkdir(parents=True)
    (repo / "link.md").symlink_to(outside)
    for args in (
        ["--checklist", str(outside)],
        ["--checklist", str(repo / "link.md")],
        ["--config", str(outside)],
    ):
        code, out, err = run(["check", "--offline", str(repo), *args])
        assert code == 2 and "outside the repository" in err and "SECRET-CANARY" not in out + err
    for line in ("checklist: ../outside.md", f"checklist: {outside}", "checklist: link.md"):
        (repo / ".github" / "prodgate.yml").write_text(line + "\n")
        code, out, err = run(["check", "--offline", str(repo)])
        assert code == 2 and "outside the repository" in err and "SECRET-CANARY" not in out + err


def test_the_linear_line_readers_agree_with_the_patterns_they_replace() -> None:
    """A checklist comes from the pull request: the checkbox, heading, aside and comment readers run in
    linear time (the lazy patterns they replace backtracked for minutes over a line of spaces or of
    unclosed brackets), and read every line as those patterns did."""
    import random
    import re

    from gate.catalog import CHECKBOX, _without_asides
    from gate.checklist import _HEADING, _title
    from gate.concepts import _without_comments

    old_box = re.compile(r"^(?P<indent>\s*)[-*+]\s+\[(?P<mark>[ xX])\]\s+(?P<text>.*?)\s*$")
    old_heading = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
    old_asides = re.compile(r"\([^)]*\)")
    old_comments = re.compile(r"<!--.*?-->")
    pieces = [" ", "  ", "\t", "#", "a", "(", ")", "-", "[x]", "[ ]", "*", "<!--", "-->", "!", "x\u00a0"]
    rng = random.Random(3)  # noqa: S311 - a repeatable sample of lines, not a secret
    for _ in range(20_000):
        rest = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        for line in (f"- [ ] {rest}", f"# {rest}", f"### {rest}", rest):
            old, new = old_box.match(line), CHECKBOX.match(line)
            assert (old is None) == (new is None), line
            if old and new:
                assert (old["indent"], old["mark"], old["text"]) == (
                    new["indent"],
                    new["mark"],
                    new["text"].rstrip(),
                )
            old, new = old_heading.match(line), _HEADING.match(line)
            assert (old is None) == (new is None), line
            if old and new:
                assert (old[1], old[2]) == (new[1], _title(new[2])), line
            assert old_asides.sub(" ", line) == _without_asides(line), line
            assert old_comments.sub(" ", line) == _without_comments(line), line


def test_finding_a_lines_sub_points_reads_only_up_to_the_next_non_blank_line() -> None:
    """Each checkbox line looks ahead for points under it. Copying the rest of the checklist to do so made
    a 2 MiB checklist of short checkbox lines (the config names it, so it comes from the pull request)
    take four minutes to read: quadratic in its lines."""
    from gate.checklist import _has_sub_points

    class Counted(list[str]):
        read = 0

        def __getitem__(self, at):  # type: ignore[no-untyped-def]
            assert isinstance(at, int), "the rest of the checklist was copied"
            Counted.read += 1
            return super().__getitem__(at)

    raws = Counted(["- [ ] a", "", "", "  - under a", *["- [ ] b"] * 10_000])
    # two blank lines and the point under them (read twice: skipped to, then matched)
    assert _has_sub_points(raws, 1, 0) and Counted.read <= 4
    Counted.read = 0
    assert not _has_sub_points(raws, 5, 0) and Counted.read <= 2


def test_a_line_about_a_service_prodgate_cannot_read_is_left_to_a_person(tmp_path: Path) -> None:
    """A Spring service: "Error handlers registered" is the team's real question, not "not applicable"."""
    from gate.config import Config
    from gate.engine import evaluate

    java = {"pom.xml": "<project/>", "src/main/java/App.java": "class App {}\n"}
    checklist = parse("# Go-live\n\n- [ ] Error handlers registered\n- [ ] Runbook created\n", "go-live.md")
    report = evaluate(write_tree(tmp_path / "java", java), Config(), offline=True, checklist=checklist)
    assert report.checklist is not None
    handlers, runbook = (line for line in report.checklist.lines if line.kind in ("manual", "automated"))
    assert handlers.kind == "manual" and handlers.candidates == ("error-handlers-registered",)
    assert handlers.why == "not automated: the service here is Java (pom.xml), which prodgate does not read"
    assert runbook.kind == "automated", "a line about the repository, not the service, is still judged"
    row = next(r for r in report.results if r.check_id == "error-handlers-registered")
    assert row.summary == (
        "No Python web application in the repository: its code is Java (pom.xml), which prodgate does "
        "not read."
    )
    # beside a Python web application the same build file changes nothing
    app = {**java, "app/main.py": "from fastapi import FastAPI\napp = FastAPI()\n"}
    report = evaluate(write_tree(tmp_path / "both", app), Config(), offline=True, checklist=checklist)
    assert report.checklist is not None
    handlers = next(line for line in report.checklist.lines if line.text == "Error handlers registered")
    assert handlers.kind == "automated" and handlers.checks == ("error-handlers-registered",)


def test_a_line_whose_checks_find_nothing_here_to_judge_is_left_to_a_person(tmp_path: Path) -> None:
    """A team wrote "Liveness probes configured" because it deploys with probes somewhere: where this
    repository holds no manifests, "not applicable" beside the line would tell the team its own line does
    not apply. It is theirs to judge, with what the check found; a marker keeps the check's answer."""
    from gate.config import Config
    from gate.engine import evaluate

    app = {"app.py": "from flask import Flask\napp = Flask(__name__)\n", "requirements.txt": "flask\n"}
    checklist = parse(
        "# Go-live\n\n"
        "- [ ] Liveness probes configured\n"
        "- [x] Readiness probes <!-- prodgate: k8s-probes -->\n"
        "- [ ] Runbook created\n",
        "go-live.md",
    )
    report = evaluate(write_tree(tmp_path / "flask", app), Config(), offline=True, checklist=checklist)
    assert report.checklist is not None
    probes, marked, runbook = (
        line for line in report.checklist.lines if line.kind in ("manual", "automated")
    )
    assert probes.kind == "manual" and probes.candidates == ("k8s-probes",)
    assert probes.why == "not automated: nothing here for its check to judge"
    row = next(r for r in report.results if r.check_id == "k8s-probes")
    assert row.outcome == "not_applicable" and probes.evidence == f"k8s-probes: {row.summary}"
    assert marked.kind == "automated" and marked.outcome == "not_applicable", "a marker is the team's choice"
    assert runbook.kind == "automated" and runbook.outcome == "fail"


@pytest.mark.parametrize(
    ("written", "how"), [("No hardcoded secrets in code", "concept"), ("No hardcoded credentials", "wording")]
)
def test_a_line_the_secret_scan_takes_shows_the_secrets_it_left_to_other_checks(
    tmp_path: Path, written: str, how: str
) -> None:
    """The scan leaves a compose file's literal password to the compose check, so that it is reported
    once: "No hardcoded secrets in code" must not pass beside it. The line shows that check's failure
    too; where nothing else failed, it is the scan's alone. A seed checklist's wording is the scan's
    too, and not the Dockerfile check's: a build argument named like a secret holds no credential."""
    from gate.config import Config
    from gate.engine import evaluate
    from gate.model import ChecklistLine

    checklist = parse(f"# Security\n\n- [ ] {written}\n", "go-live.md")
    (line,) = checklist.items
    assert line.how == how
    assert line.check == "no-hardcoded-secrets" or line.item == "no-hardcoded-secrets"
    app = {
        "app.py": "import os\n\nTOKEN = os.environ['TOKEN']\n",
        "requirements.txt": "flask\n",
        "Dockerfile": 'FROM python:3.12-slim\nARG API_TOKEN\nCOPY . /app\nUSER 1000\nCMD ["python", "/app/app.py"]\n',
    }
    compose = "services:\n  api:\n    build: .\n    environment:\n      DB_PASSWORD: Xq9vT2mLp8Rw4zK7\n"

    def filled(files: dict[str, str], name: str) -> ChecklistLine:
        report = evaluate(write_tree(tmp_path / name, files), Config(), offline=True, checklist=checklist)
        assert report.checklist is not None
        (shown,) = (entry for entry in report.checklist.lines if entry.kind not in ("heading", "other"))
        return shown

    clean = filled(app, "clean")
    assert clean.kind == "automated" and clean.checks == ("no-hardcoded-secrets",) and clean.outcome == "pass"
    leaked = filled({**app, "docker-compose.yml": compose}, "leaked")
    assert leaked.checks == ("no-hardcoded-secrets", "compose-no-inline-secrets")
    assert leaked.outcome == "fail" and leaked.evidence.startswith("compose-no-inline-secrets:")
