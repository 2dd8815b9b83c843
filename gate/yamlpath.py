"""Finding places in composed YAML: the line of a key or value at a path of keys and indexes.

Mappings are indexed by key once (per node object), so a lookup is a dict access: a compose file of
30,000 services, or a workflow of 20,000 jobs, asked for a line per service would otherwise scan every
key on every lookup (quadratic; minutes under the 1 MiB cap).
"""

from __future__ import annotations

import weakref

import yaml

_INDEX: weakref.WeakKeyDictionary[yaml.MappingNode, tuple[int, dict[str, tuple[yaml.Node, yaml.Node]]]] = (
    weakref.WeakKeyDictionary()
)


def entry(node: yaml.MappingNode, key: object) -> tuple[yaml.Node, yaml.Node] | None:
    """(key node, value node) of `key` in a mapping node: the first one, as the lookups always took."""
    cached = _INDEX.get(node)
    if cached is None or cached[0] != len(node.value):  # PyYAML rewrites merge keys (<<) in place
        index: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode):
                index.setdefault(k.value, (k, v))
        cached = (len(node.value), index)
        _INDEX[node] = cached
    return cached[1].get(str(key))


def locate(root: yaml.Node, loc: tuple[str | int, ...], *, key: bool = False) -> tuple[yaml.Node, bool]:
    """The node at `loc` (the key node when `key`), and whether the whole path was found; when it was not,
    the deepest node reached."""
    node = root
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(node, yaml.MappingNode):
            found = entry(node, part)
            if found is None:
                return node, False
            node = found[0] if (last and key) else found[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            return node, False
    return node, True


def line_of(root: yaml.Node, loc: tuple[str | int, ...]) -> int:
    """1-based line where `loc` is written: the line of its last key (`resources:`), or of a sequence
    item; when the path does not exist, the line of the deepest key that does (where it belongs)."""
    node = root
    line = int(root.start_mark.line) + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            found = entry(node, part)
            if found is None:
                return line
            node, line = found[1], int(found[0].start_mark.line) + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = int(node.start_mark.line) + 1
        else:
            return line
    return line
