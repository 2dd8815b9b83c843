"""The project's own promises: README quickstart wired into CI, generated docs up to date."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from gate.checks import REGISTRY
from gate.report.render import render
from tests.conftest import ROOT


def _quickstart() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section, re.S)


def test_readme_has_exactly_two_quickstart_commands() -> None:
    commands = _quickstart()
    assert len(commands) == 2 and all("\n" not in c for c in commands)
    assert commands[0].endswith("prodgate check --offline examples/ready-service")
    assert (ROOT / "examples" / "ready-service").is_dir()


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert f"quickstart_test='{_quickstart()[1]}'" in ci


def test_check_docs_are_generated_from_the_registry() -> None:
    pages = {p.stem: p.read_text() for p in (ROOT / "docs" / "checks").glob("*.md")}
    assert set(pages) == set(REGISTRY), "run: prodgate docs"
    for check_id, spec in REGISTRY.items():
        assert pages[check_id] == render("check.md.j2", spec=spec, heading_level=1), (
            f"run: prodgate docs ({check_id})"
        )


def test_report_schema_is_current() -> None:
    import json

    from gate.model import Report

    committed = json.loads((ROOT / "docs" / "report.schema.json").read_text())
    assert committed == Report.model_json_schema(mode="serialization"), "run: prodgate docs"


def test_org_aggregate_schema_is_current() -> None:
    import json

    from gate.org.aggregate import Aggregate

    committed = json.loads((ROOT / "docs" / "org-aggregate.schema.json").read_text())
    assert committed == Aggregate.model_json_schema(mode="serialization"), "run: prodgate docs"


def test_prodgate_passes_its_own_gate() -> None:
    import io

    from gate.cli import main

    out = io.StringIO()
    assert main(["check", str(ROOT)], out=out, err=io.StringIO()) == 0, out.getvalue()


def test_action_and_workflow_files_validate_against_schemastore() -> None:
    """check-jsonschema ships SchemaStore's schemas for action.yml and workflow files."""
    bin_dir = Path(sys.executable).parent
    workflows = sorted(
        str(p) for p in [*ROOT.glob(".github/workflows/*.yml"), *ROOT.glob("docs/workflows/*.yml")]
    )
    assert len(workflows) >= 6
    for schema, files in (
        ("vendor.github-actions", [str(ROOT / "action.yml")]),
        ("vendor.github-workflows", workflows),
    ):
        done = subprocess.run(
            [str(bin_dir / "check-jsonschema"), "--builtin-schema", schema, *files],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr


def test_every_subpackage_of_gate_ships() -> None:
    """setuptools lists packages by hand: a new gate/ subpackage missing here would be absent from the
    wheel the Action's image installs, and the image would fail at its first import."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "gate").rglob("__init__.py")}
    assert found <= listed, sorted(found - listed)
