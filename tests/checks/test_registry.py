"""The meta-test: every registered check has docs, a passing and a failing fixture, and they behave."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import cast

import pytest

from gate.checks import REGISTRY
from gate.checks.base import CHECK_ID, DOC_HEADINGS
from gate.config import load_config
from gate.engine import evaluate
from gate.facts.github import GitHubFacts
from tests.conftest import FIXTURES
from tests.test_wording import MACHINE_WORDING

CHECK_FIXTURES = FIXTURES / "checks"
# cases whose repository several checks share live once in repos/ (expect.json names it as "repo")
SHARED_REPOS = FIXTURES / "repos"


def _case_root(check_id: str, case: str, want: dict[str, object]) -> Path:
    if "repo" in want:
        return SHARED_REPOS / str(want["repo"])
    return CHECK_FIXTURES / check_id / case


def _cases() -> list[tuple[str, str, dict[str, object]]]:
    cases = []
    for expect in sorted(CHECK_FIXTURES.glob("*/expect.json")):
        for name, want in json.loads(expect.read_text()).items():
            cases.append((expect.parent.name, name, want))
    return cases


CASES = _cases()


@pytest.mark.parametrize("check_id", sorted(REGISTRY))
def test_check_is_documented(check_id: str) -> None:
    spec = REGISTRY[check_id]
    assert CHECK_ID.match(check_id)
    sections = spec.doc_sections()
    assert list(sections) == list(DOC_HEADINGS), f"{check_id}: docs need exactly the headings {DOC_HEADINGS}"
    assert all(body.strip() for body in sections.values()), f"{check_id}: a docs section is empty"
    assert "```" in sections["Example"], f"{check_id}: the Example section needs a code block"
    assert spec.title and spec.remediation


def test_titles_say_what_a_check_decides_not_what_a_seed_line_asks() -> None:
    # thresholds, counts, examples and file names from a seed line ("Test coverage >80%",
    # "features.json (14 features defined)") belong to that line: the check may decide less
    overclaiming = {
        check_id: spec.title
        for check_id, spec in REGISTRY.items()
        if re.search(r"[<>%]|\d|\(e\.g\.|\b\w+\.(md|txt|json)\b| reviewed$| passing$", spec.title)
    }
    assert overclaiming == {}


@pytest.mark.parametrize("check_id", sorted(REGISTRY))
def test_check_has_passing_and_failing_fixture(check_id: str) -> None:
    outcomes = {want["outcome"] for cid, _, want in CASES if cid == check_id}
    assert "pass" in outcomes, f"{check_id}: no passing fixture in {CHECK_FIXTURES / check_id}"
    assert "fail" in outcomes, f"{check_id}: no failing fixture in {CHECK_FIXTURES / check_id}"


def test_fixture_folders_match_expectations() -> None:
    for check_dir in CHECK_FIXTURES.iterdir():
        assert check_dir.name in REGISTRY, f"fixtures for unknown check {check_dir.name}"
        cases = json.loads((check_dir / "expect.json").read_text())
        own = {name for name, want in cases.items() if "repo" not in want}
        on_disk = {p.name for p in check_dir.iterdir() if p.is_dir()}
        assert own == on_disk, f"{check_dir}: expect.json and folders differ"
        for name, want in cases.items():
            if "repo" in want:
                assert (SHARED_REPOS / want["repo"]).is_dir(), (
                    f"{check_dir.name}/{name}: no repos/{want['repo']}"
                )
    used = {want["repo"] for _, _, want in CASES if "repo" in want}
    assert used == {p.name for p in SHARED_REPOS.iterdir()}, "a shared fixture repository nobody uses"


@pytest.mark.parametrize(("check_id", "case", "want"), CASES, ids=[f"{c}/{n}" for c, n, _ in CASES])
def test_fixture(check_id: str, case: str, want: dict[str, object]) -> None:
    root = _case_root(check_id, case, want)
    config, _ = load_config(None, root)  # a fixture may carry its own .github/prodgate.yml
    # live GitHub state is the input of some checks; the case gives it as the API would have
    github = GitHubFacts.model_validate(want["github"]) if "github" in want else None
    report = evaluate(root, config, github=github)
    result = next(r for r in report.results if r.check_id == check_id)
    assert result.outcome.value == want["outcome"], result.summary
    if "summary" in want:  # words the result must say (or, after "not:", must not)
        for words in cast(list[str], want["summary"]):
            negated = words.startswith("not:")
            assert (words.removeprefix("not:") in result.summary) is not negated, result.summary
    if "severity" in want:
        assert result.severity.value == want["severity"], [f.message for f in result.findings]
    if "locations" in want:
        got = sorted(str(f.primary) for f in result.findings if f.primary)
        assert got == sorted(cast(list[str], want["locations"])), [f.message for f in result.findings]
    if result.outcome.value in ("fail", "error"):
        assert result.findings, "a failing check must say what failed"
    # every check ran on this folder: none of them may speak like a machine ("1 file(s)", "All 1 ...")
    for r in report.results:
        for text in (r.summary, *(f.message for f in r.findings)):
            assert not MACHINE_WORDING.search(text), f"{r.check_id}: {text}"
