"""gate/facts/walk.py: the same nodes in the same order as ast.walk and ast.NodeVisitor, on every Python
file of the fixtures and examples, and on trees the collectors build themselves."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from gate.facts.walk import Visitor, walk

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(
    p
    for folder in ("tests/fixtures", "examples", "gate")
    for p in (ROOT / folder).rglob("*.py")
    if p.is_file()
)


def _trees() -> list[ast.AST]:
    trees: list[ast.AST] = []
    for path in SOURCES:
        try:
            trees.append(ast.parse(path.read_text(encoding="utf-8", errors="replace")))
        except (SyntaxError, ValueError):
            continue  # fixtures that are broken on purpose
    return trees


class _Recorder(ast.NodeVisitor):
    def __init__(self) -> None:
        self.seen: list[int] = []

    def visit(self, node: ast.AST) -> None:
        self.seen.append(id(node))
        super().visit(node)


class _FastRecorder(Visitor):
    def __init__(self) -> None:
        self.seen: list[int] = []

    def visit(self, node: ast.AST) -> None:
        self.seen.append(id(node))
        super().visit(node)

    def visit_Call(self, node: ast.Call) -> None:  # a visit_ method that goes on, as _Scan's do
        self.seen.append(-1)
        self.generic_visit(node)


class _StdCallRecorder(_Recorder):
    def visit_Call(self, node: ast.Call) -> None:
        self.seen.append(-1)
        self.generic_visit(node)


def test_the_sources_are_many() -> None:
    assert len(SOURCES) > 300


def test_walk_yields_what_ast_walk_yields_in_the_same_order() -> None:
    for tree in _trees():
        assert [id(n) for n in walk(tree)] == [id(n) for n in ast.walk(tree)]


def test_the_visitor_visits_what_node_visitor_visits_in_the_same_order() -> None:
    for tree in _trees():
        fast, std = _FastRecorder(), _StdCallRecorder()
        fast.visit(tree)
        std.visit(tree)
        assert fast.seen == std.seen


@pytest.mark.parametrize(
    "node",
    [
        # built by hand, as the routes collector builds an Assign from an AnnAssign: no line numbers
        ast.Assign(
            targets=[ast.Name(id="app")], value=ast.Call(func=ast.Name(id="FastAPI"), args=[], keywords=[])
        ),
        # a field left unset, and lists holding None (a dict's `**rest`, keyword-only defaults)
        ast.Dict(keys=[None, ast.Constant(1)], values=[ast.Name(id="rest"), ast.Constant(2)]),
        ast.parse("def f(*, a, b=1): pass").body[0],
        ast.Constant(value=3),
    ],
)
def test_hand_made_and_sparse_nodes(node: ast.AST) -> None:
    assert [id(n) for n in walk(node)] == [id(n) for n in ast.walk(node)]


def test_a_walk_can_stop_early() -> None:
    tree = ast.parse("a = 1\nb = 2\n")
    first = next(n for n in walk(tree) if isinstance(n, ast.Assign))
    assert isinstance(first.targets[0], ast.Name) and first.targets[0].id == "a"
