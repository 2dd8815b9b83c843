"""Python facts: a file written for a newer Python than the gate's is unread, not a syntax error."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from gate.checks.base import NoOptions
from gate.checks.code import python_syntax_valid
from gate.facts import collect
from gate.facts.dependencies import PythonVersionDecl
from gate.facts.python import lowest_python, newest_declared
from gate.model import Outcome
from gate.snapshot import Snapshot
from tests.conftest import write_tree

# PEP 695 (3.12): a type alias statement and a generic function; PEP 701 (3.12): an f-string reusing its quotes
NEW_SYNTAX = (
    'type Vector = list[float]\n\ndef first[T](xs: list[T]) -> T:\n    return xs[0]\n\nLABEL = f"{"x"}"\n'
)
PARSES_HERE = sys.version_info >= (3, 12)


@pytest.mark.parametrize(
    ("value", "lowest"),
    [(">=3.12", (3, 12)), (">=3.10,<3.14", (3, 10)), ("<3.13", None), ("python:3.13-slim", (3, 13)),
     ("^3.11", (3, 11)), ("~=3.12.1", (3, 12)), ("3.9.18", (3, 9)), ("!=3.12.0,>=3.11", (3, 11)), ("pypy", None)],
)  # fmt: skip
def test_lowest_declared_python(value: str, lowest: tuple[int, int] | None) -> None:
    assert lowest_python(PythonVersionDecl("requires-python", "pyproject.toml", 1, value)) == lowest


def test_the_newest_declaration_wins() -> None:
    decls = [
        PythonVersionDecl("requires-python", "pyproject.toml", 3, ">=3.9"),
        PythonVersionDecl("Dockerfile base image", "Dockerfile", 1, "3.13"),
        PythonVersionDecl(".python-version", ".python-version", 1, "3.11.7"),
    ]
    assert newest_declared(decls) == decls[1]


def _syntax(root: Path) -> tuple[Outcome, str]:
    decision = python_syntax_valid(collect(Snapshot.load(root), offline=True), NoOptions())
    return decision.outcome, decision.summary


def test_newer_grammar_declared_is_not_a_syntax_error(make_tree: Callable[..., Path]) -> None:
    root = make_tree(
        {"vectors.py": NEW_SYNTAX, "pyproject.toml": '[project]\nname = "svc"\nrequires-python = ">=3.12"\n'}
    )
    outcome, summary = _syntax(root)
    if PARSES_HERE:
        assert outcome is Outcome.PASS
    else:
        assert outcome is Outcome.NOT_AVAILABLE, summary
        assert "declares >=3.12 (requires-python)" in summary


def test_newer_grammar_undeclared_is_a_syntax_error(make_tree: Callable[..., Path]) -> None:
    """Without a declaration the gate's own grammar is the measure; a project on 3.10 cannot run 3.12 code."""
    root = make_tree(
        {"vectors.py": NEW_SYNTAX, "pyproject.toml": '[project]\nname = "svc"\nrequires-python = ">=3.10"\n'}
    )
    assert _syntax(root)[0] is (Outcome.PASS if PARSES_HERE else Outcome.FAIL)


def test_a_syntax_error_is_not_judged_only_when_the_declared_python_is_newer_than_the_gates(
    tmp_path: Path,
) -> None:
    broken = "def f(:\n    pass\n"
    newer = write_tree(
        tmp_path / "newer", {"broken.py": broken, ".python-version": f"3.{sys.version_info[1] + 1}\n"}
    )
    assert _syntax(newer)[0] is Outcome.NOT_AVAILABLE
    same = write_tree(
        tmp_path / "same", {"broken.py": broken, ".python-version": f"3.{sys.version_info[1]}\n"}
    )
    assert _syntax(same)[0] is Outcome.FAIL
