"""python-version-declared with a floor ("Python 3.9+"): the lowest version each declaration allows,
and the image's base judged first when there is one, on real folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from gate.checks.dependencies import lowest_python
from gate.config import load_config
from gate.engine import evaluate
from gate.model import Outcome


@pytest.mark.parametrize(
    ("value", "lowest"),
    [
        (">=3.9,<3.13", (3, 9)),
        ("3.10, 3.11", (3, 10)),
        ("^3.8", (3, 8)),
        ("~=3.11.4", (3, 11)),
        ("<3.12", None),
        ("!=3.9.0, >=3.7", (3, 7)),
        ("python-3.12.7", (3, 12)),
    ],
)
def test_the_lowest_version_a_declaration_allows(value: str, lowest: tuple[int, int] | None) -> None:
    assert lowest_python(value) == lowest


def _judge(root: Path, files: dict[str, str]) -> tuple[Outcome, str]:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    config, _ = load_config(None, root)
    result = next(
        r for r in evaluate(root, config, offline=True).results if r.check_id == "python-version-declared"
    )
    return result.outcome, result.summary


FLOOR = "checks:\n  python-version-declared:\n    options:\n      min_version: '3.9'\n"


def test_a_declaration_below_the_floor_fails(tmp_path: Path) -> None:
    outcome, summary = _judge(
        tmp_path,
        {
            ".github/prodgate.yml": FLOOR,
            "pyproject.toml": '[project]\nname = "scorer"\nversion = "1.0"\nrequires-python = ">=3.7"\n',
            "scorer.py": "print(1)\n",
        },
    )
    assert outcome is Outcome.FAIL and "allows Python 3.7" not in summary and "older than 3.9" in summary


def test_the_image_decides_where_there_is_one(tmp_path: Path) -> None:
    outcome, summary = _judge(
        tmp_path,
        {
            ".github/prodgate.yml": FLOOR,
            "pyproject.toml": '[project]\nname = "scorer"\nversion = "1.0"\nrequires-python = ">=3.7"\n',
            "Dockerfile": "FROM python:3.12.7-slim\nCOPY scorer.py /srv/\n",
            "scorer.py": "print(1)\n",
        },
    )
    assert outcome is Outcome.PASS and "none older than 3.9" in summary
