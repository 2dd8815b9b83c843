"""The tidiness facts agree with ruff's pyflakes and pep8-naming rules (F401, F841, N801, N802, N803) on
the fixtures and every seed example: ruff is the oracle, run on the same modules."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gate.facts.lint import collect_lint
from gate.snapshot import Snapshot
from tests.conftest import FIXTURES, ROOT

_CODES = {
    "F401": "unused-import",
    "F841": "unused-variable",
    "N801": "class-name",
    "N802": "function-name",
    "N803": "argument-name",
}
FOLDERS = [
    FIXTURES / "checks" / "code-tidy" / "pass",
    FIXTURES / "checks" / "code-tidy" / "fail",
    *sorted(p for p in (ROOT / "examples").glob("seed-*/*") if p.is_dir()),
]


def _ruff(root: Path, modules: list[str]) -> set[tuple[str, str, int]]:
    # the ruff installed beside this interpreter (a dev dependency), else the one on PATH
    beside = Path(sys.executable).parent / "ruff"
    ruff = str(beside) if beside.exists() else shutil.which("ruff") or "ruff"
    out = subprocess.run(
        # --no-cache: a .ruff_cache/ left in an example would be part of the next run's repository
        [
            ruff,
            "check",
            "--isolated",
            "--no-cache",
            "--select",
            ",".join(_CODES),
            "--output-format",
            "json",
            *modules,
        ],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    found = json.loads(out.stdout or "[]")
    return {
        (_CODES[f["code"]], Path(f["filename"]).relative_to(root.resolve()).as_posix(), f["location"]["row"])
        for f in found
        if f["code"] in _CODES  # a file that does not parse is python-syntax-valid's, not ours
    }


@pytest.mark.parametrize("root", FOLDERS, ids=[p.relative_to(ROOT).as_posix() for p in FOLDERS])
def test_the_same_findings_as_ruff(root: Path) -> None:
    snap = Snapshot.load(root)
    modules = tuple(
        rel
        for rel in snap.with_suffix(".py")
        if not rel.startswith(("tests/", "test")) and "/tests/" not in rel
    )
    ours = {(u.kind, u.path, u.line) for u in collect_lint(snap, modules).findings}
    assert ours == _ruff(root, list(modules))
