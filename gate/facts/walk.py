"""Walking syntax trees: `ast.walk` and `ast.NodeVisitor`, in the same order, at half the cost.

The standard library's walk goes through three generators per node (walk, iter_child_nodes,
iter_fields); on a repository of thousands of modules walking the trees cost as much as parsing them.
These read each node's fields directly. The order is ast.walk's (breadth first, fields in declaration
order), so what a caller finds first is what it found before; a test holds the two equal.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

_AST = ast.AST


def walk(node: ast.AST) -> Iterator[ast.AST]:
    """Every node under `node` (itself first), in `ast.walk`'s order."""
    todo = [node]
    append = todo.append
    i = 0
    while i < len(todo):
        current = todo[i]
        i += 1
        yield current
        for name in current._fields:
            value = getattr(current, name, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, _AST):
                        append(item)
            elif isinstance(value, _AST):
                append(value)


class Visitor(ast.NodeVisitor):
    """`ast.NodeVisitor` whose default visit reads the fields directly (same order, same calls)."""

    def generic_visit(self, node: ast.AST) -> None:
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, _AST):
                        self.visit(item)
            elif isinstance(value, _AST):
                self.visit(value)
