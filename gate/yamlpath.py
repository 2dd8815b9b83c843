"""Composed YAML, kept for its places: compact nodes, and the line of a key or value at a path of keys and
indexes.

PyYAML's nodes carry two marks each (a dozen attributes with their own dictionaries) and a tag: a
300-byte manifest composed to 13 KB, and the manifests of a 50,000-file repository, whose nodes the facts
keep for the lines of findings, to 140 MiB. The gate reads only where a node starts and what it holds, so
each document is converted once, right after its data is constructed, to slotted nodes of that alone
(about a third of the memory).

Mappings are indexed by key once (on first lookup), so a lookup is a dict access: a compose file of
30,000 services, or a workflow of 20,000 jobs, asked for a line per service would otherwise scan every
key on every lookup (quadratic; minutes under the 1 MiB cap).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import yaml


class Node:
    """Where a node starts: 0-based line and column, as PyYAML's marks count them."""

    __slots__ = ("column", "line")

    def __init__(self, line: int, column: int) -> None:
        self.line = line
        self.column = column


class Scalar(Node):
    __slots__ = ("value",)

    def __init__(self, line: int, column: int, value: str) -> None:
        super().__init__(line, column)
        self.value = value


class Sequence(Node):
    __slots__ = ("value",)

    def __init__(self, line: int, column: int) -> None:
        super().__init__(line, column)
        self.value: list[Node] = []


class Mapping(Node):
    __slots__ = ("_index", "value")

    def __init__(self, line: int, column: int) -> None:
        super().__init__(line, column)
        self.value: list[tuple[Node, Node]] = []
        self._index: dict[str, tuple[Node, Node]] | None = None

    def entry(self, key: object) -> tuple[Node, Node] | None:
        """(key node, value node) of `key`: the first one, as the lookups always took."""
        if self._index is None:
            index: dict[str, tuple[Node, Node]] = {}
            for k, v in self.value:
                if isinstance(k, Scalar):
                    index.setdefault(k.value, (k, v))
            self._index = index
        return self._index.get(str(key))


def compact(roots: Iterable[yaml.Node]) -> tuple[Node, ...]:
    """The documents as compact nodes. Aliases stay shared (one node, as composed), so an alias-heavy
    document does not expand, and a recursive alias stays a cycle; iterative, for deep nesting. Call it
    after constructing the data: PyYAML's constructor rewrites merge keys (<<) in the nodes."""
    import yaml  # imported by whoever composed the nodes: no YAML file read, no PyYAML (gate/snapshot.py)

    tops = list(roots)
    made: dict[int, Node] = {}
    pending: list[tuple[yaml.Node, Node]] = []
    stack = list(tops)
    while stack:
        node = stack.pop()
        if id(node) in made:  # every node stays alive through the walk, so ids are not reused
            continue
        mark = node.start_mark
        small: Node
        if isinstance(node, yaml.MappingNode):
            small = Mapping(mark.line, mark.column)
            stack.extend(part for pair in node.value for part in pair)
            pending.append((node, small))
        elif isinstance(node, yaml.SequenceNode):
            small = Sequence(mark.line, mark.column)
            stack.extend(node.value)
            pending.append((node, small))
        else:
            small = Scalar(mark.line, mark.column, str(node.value))
        made[id(node)] = small
    for node, small in pending:
        if isinstance(small, Mapping):
            small.value = [(made[id(k)], made[id(v)]) for k, v in node.value]
        elif isinstance(small, Sequence):
            small.value = [made[id(v)] for v in node.value]
    return tuple(made[id(top)] for top in tops)


def locate(root: Node, loc: tuple[str | int, ...], *, key: bool = False) -> tuple[Node, bool]:
    """The node at `loc` (the key node when `key`), and whether the whole path was found; when it was not,
    the deepest node reached."""
    node = root
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(node, Mapping):
            found = node.entry(part)
            if found is None:
                return node, False
            node = found[0] if (last and key) else found[1]
        elif isinstance(node, Sequence) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            return node, False
    return node, True


def line_of(root: Node, loc: tuple[str | int, ...]) -> int:
    """1-based line where `loc` is written: the line of its last key (`resources:`), or of a sequence
    item; when the path does not exist, the line of the deepest key that does (where it belongs)."""
    node = root
    line = root.line + 1
    for part in loc:
        if isinstance(node, Mapping):
            found = node.entry(part)
            if found is None:
                return line
            node, line = found[1], found[0].line + 1
        elif isinstance(node, Sequence) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.line + 1
        else:
            return line
    return line
