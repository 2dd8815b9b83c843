"""The catalog: every seed line accounted for, bound only to registered checks, matched sensibly."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from gate.catalog import Catalog, Kind, load_catalog, match, normalize
from gate.checklist import ChecklistError, coverage, parse, read_checklist, seed_files
from gate.checks import REGISTRY
from gate.cli import main
from tests.conftest import SHARED


def test_the_shipped_seeds_are_the_shared_ones() -> None:
    shipped = dict(seed_files())
    shared = {p.name: p.read_text(encoding="utf-8") for p in (SHARED / "seeds").iterdir()}
    assert shipped == shared


@pytest.mark.parametrize(("name", "text"), seed_files(), ids=[n for n, _ in seed_files()])
def test_every_seed_line_is_accounted_for(name: str, text: str) -> None:
    checklist = parse(text, name)
    unaccounted = [f"{name}:{line.number}: {line.text}" for line in checklist.items if line.item is None]
    assert unaccounted == []
    row = coverage(checklist, name)
    assert row.accounted == row.lines == row.automated + row.attestation + row.out_of_scope


def test_the_seeds_have_805_lines_and_the_json_says_so() -> None:
    out = io.StringIO()
    assert main(["catalog", "coverage", "--format", "json"], out) == 0
    rows = json.loads(out.getvalue())
    assert [r["file"] for r in rows] == sorted(p.name for p in (SHARED / "seeds").iterdir())
    assert sum(r["lines"] for r in rows) == 805
    assert all(
        set(r) == {"file", "lines", "accounted", "automated", "attestation", "out_of_scope"} for r in rows
    )


def test_every_automated_item_names_registered_checks() -> None:
    for item in load_catalog().items:
        assert (item.kind is Kind.AUTOMATED) == bool(item.checks), item.id
        missing = [c for c in item.checks if c not in REGISTRY]
        assert missing == [], f"{item.id} names unknown checks {missing}"


def test_an_item_has_exactly_one_kind() -> None:
    base = {"id": "x", "title": "X", "category": "security", "level": "bronze", "wordings": ["x"]}
    with pytest.raises(ValidationError, match="needs its statement"):
        Catalog.model_validate({"items": [base | {"kind": "attestation"}]})
    with pytest.raises(ValidationError, match="only a automated item's own field"):
        Catalog.model_validate({"items": [base | {"kind": "automated", "checks": ["a"], "reason": "r"}]})
    with pytest.raises(ValidationError, match="appears twice"):
        Catalog.model_validate({"items": [base | {"kind": "out_of_scope", "reason": "r"}] * 2})


def test_near_identical_lines_across_seeds_are_one_item() -> None:
    ids = {match(text).item.id for text in ("Non-root user configured", "No root user")}  # type: ignore[union-attr]
    assert ids == {"non-root"}
    assert match("All tests passing (`make test`)").item == match("All tests pass (`pytest tests/`)").item


def test_the_same_wording_in_different_sections_maps_by_section() -> None:
    compose = match("Health checks configured", ("Docker Deployment", "Docker Compose")).item
    k8s = match("Resource limits set", ("Kubernetes Deployment", "Resources")).item
    compose_limits = match("Resource limits set", ("Docker Deployment", "Docker Compose")).item
    assert compose is not None and compose.checks == ("compose-healthcheck",)
    assert k8s is not None and k8s.checks == ("k8s-resource-limits",)
    assert compose_limits is not None and compose_limits.checks == ("compose-resource-limits",)


def test_a_variation_matches_with_its_confidence_and_nonsense_does_not() -> None:
    close = match("Non root user is configured")
    assert close.item is not None and close.item.id == "non-root"
    assert close.how == "similar" and 0.86 <= close.confidence < 1.0
    far = match("Order pizza for the release party")
    assert far.item is None and far.how == "none"


def test_normalize_drops_markup_and_commands() -> None:
    assert normalize("All unit tests passing: `python -m unittest tests.py`") == "all unit tests passing"
    assert normalize("`features.json` (14 features defined)") == "features.json"
    assert normalize("Celebrate 🎉") == "celebrate"


def test_markers_name_items_or_checks_and_unknown_markers_are_errors() -> None:
    text = "# Ops\n- [x] Our own wording <!-- prodgate: non-root -->\n- [ ] Another <!-- prodgate: torch-load-weights-only -->\n"
    lines = parse(text, "c.md").items
    assert [(line.item, line.check, line.how, line.ticked) for line in lines] == [
        ("non-root", None, "marker", True),
        (None, "torch-load-weights-only", "marker", False),
    ]
    with pytest.raises(ChecklistError, match=r"c.md:1: unknown prodgate marker 'nope'"):
        parse("- [ ] x <!-- prodgate: nope -->", "c.md")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "no checklist items"),
        (b"just prose, no boxes\n", "no checklist items"),
        (b"\x00\x01binary", "not a text file"),
    ],
)
def test_bad_checklists_are_one_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "CHECKLIST.md"
    path.write_bytes(content)
    with pytest.raises(ChecklistError, match=message):
        read_checklist(path, tmp_path)


def test_broken_nesting_still_parses(tmp_path: Path) -> None:
    path = tmp_path / "c.md"
    path.write_text("      - [ ] Deeply indented first\n- [ ] Container\n\t- [x] Non-root user configured\n")
    lines = read_checklist(path, tmp_path).items
    assert [line.level for line in lines] == [0, 0, 1]
    assert lines[2].item == "non-root"


def test_a_checklist_is_named_by_its_path_in_the_repository(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    path = tmp_path / "docs" / "GO_LIVE.md"
    path.write_text("- [ ] Non-root user configured\n")
    assert read_checklist(path, tmp_path).path == "docs/GO_LIVE.md"


def test_a_sign_off_statement_keeps_the_items_own_capitals() -> None:
    # "aPI_DOCUMENTATION.md", "gDPR", "hTTPS" came from lower-casing a title's first letter
    items = [i for i in load_catalog().items if i.statement]
    assert items
    assert [i.id for i in items if i.title not in i.statement] == []


_MATCH_IN_A_FRESH_INTERPRETER = """
import json, sys
from gate.catalog import load_catalog, match
lines = []
for item in load_catalog().items:
    for wording in item.wordings:
        lines += [wording + " configured", wording.replace("e", "a", 1)]
print(json.dumps([[m.item.id if m.item else None, m.confidence] for m in map(match, lines)]))
"""


def test_matching_does_not_depend_on_the_interpreters_string_hashing() -> None:
    """Similar wordings are ranked by shared words; ties once followed the order of a set of strings,
    which changes from one run to the next (PYTHONHASHSEED), and so did confidences and matches."""
    import os
    import subprocess
    import sys

    runs = {
        subprocess.run(
            [sys.executable, "-c", _MATCH_IN_A_FRESH_INTERPRETER],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
        ).stdout
        for seed in (1, 2, 3, 4)
    }
    assert len(runs) == 1


def test_every_catalog_item_is_reached_by_a_seed_line() -> None:
    """An item no line can reach is a judgement nobody sees: six were shadowed by an item with the same
    wording until their sections (a Node backend, post-deployment, secrets management) told them apart."""
    reached = {line.item for name, text in seed_files() for line in parse(text, name).items}
    assert [item.id for item in load_catalog().items if item.id not in reached] == []


NODE_SECTION = "## Security\n\n### Backend\n- [ ] SQL injection prevention\n"


def test_a_backend_section_is_the_node_backend_only_where_there_is_one() -> None:
    from gate.checklist import fill

    checklist = parse(NODE_SECTION, "x.md")
    [line] = checklist.items
    assert line.item == "oos-sql-injection-prevention"
    full_stack = fill(checklist, (), present=frozenset({"node-backend"})).lines[-1]
    assert full_stack.kind == "out_of_scope" and "Node/JS" in full_stack.evidence
    python_only = fill(checklist, (), present=frozenset()).lines[-1]
    assert python_only.kind == "automated" and python_only.item == "sql-injection"
    assert python_only.checks == ("sql-parameterized",)


def test_the_repository_says_whether_it_has_a_node_backend(tmp_path: Path) -> None:
    from gate.config import Config
    from gate.engine import evaluate
    from tests.conftest import write_tree

    files = {"app.py": "from fastapi import FastAPI\napp = FastAPI()\n"}
    python_only = write_tree(tmp_path / "py", files)
    full_stack = write_tree(
        tmp_path / "full", {**files, "web/api/package.json": '{"dependencies": {"express": "^4.19.2"}}'}
    )
    for root, kind in ((python_only, "automated"), (full_stack, "out_of_scope")):
        report = evaluate(root, Config(), offline=True, checklist=parse(NODE_SECTION, "x.md"))
        assert report.checklist is not None
        assert report.checklist.lines[-1].kind == kind


def test_a_check_claims_only_the_seed_lines_the_catalog_binds_to_it() -> None:
    """A check's docs list the checklist lines it answers ("Checklist lines it answers"); a line listed
    there that the catalog routes elsewhere (to a sign-off, or another check) tells a reader the gate
    decides it with this check when it does not. 78 such claims were found and removed."""
    bound: dict[str, set[str]] = {}
    for item in load_catalog().items:
        if item.kind is Kind.AUTOMATED:
            for check_id in item.checks:
                bound.setdefault(check_id, set()).update(normalize(w) for w in item.wordings)
    claims = {
        check_id: sorted(line for line in spec.seeds if normalize(line) not in bound.get(check_id, set()))
        for check_id, spec in REGISTRY.items()
    }
    assert {k: v for k, v in claims.items() if v} == {}


def test_a_part_the_repository_lacks_is_never_named() -> None:
    """ "API rate limiting per user" is out of scope as a Node backend's, and "File upload validation" is
    decided by the Node backend's check; a Python-only team's lines are left to a person, without a
    verdict or a reason about a Node backend it does not have."""
    from gate.checklist import fill

    checklist = parse("## Backend\n- [ ] API rate limiting per user\n- [ ] File upload validation\n", "x.md")
    reason, decided = checklist.items
    items = load_catalog().by_id()
    assert items[reason.item or ""].needs == items[decided.item or ""].needs == "node-backend"
    with_node = fill(checklist, (), present=frozenset({"node-backend"})).lines
    assert [line.kind for line in with_node[-2:]] == ["out_of_scope", "automated"]
    for python_only in fill(checklist, (), present=frozenset()).lines[-2:]:
        assert (
            python_only.kind == "manual" and python_only.item is None and "Node" not in python_only.evidence
        )


def test_all_security_checks_means_every_security_check() -> None:
    """'All security checks passed' is the worst of the gate's security category: a security check
    added later joins it, or the line would pass without it."""
    from gate.checks import REGISTRY

    item = load_catalog().by_id()["all-security-checks"]
    assert set(item.checks) == {c for c, spec in REGISTRY.items() if spec.category == "security"}


@pytest.mark.parametrize(
    ("line", "item"),
    [
        ("Model caching implemented", None),  # the model kept in memory, not a Redis client
        ("Consistent endpoint naming conventions", None),  # URLs, not PEP 8 names
        (
            "Environment variables are loaded correctly",
            None,
        ),  # the code's loading, not the deployment's passing
        ("High latency alerts", "alerts-latency"),  # an adjective changes nothing
        ("Escalation procedures documented", "escalation-documented"),  # a documentation item is written down
    ],
)
def test_a_similar_line_that_adds_a_word_of_substance_asks_something_else(
    line: str, item: str | None
) -> None:
    found = match(line)
    assert (found.item.id if found.item else None) == item, found
