"""Finding places in composed YAML: the line of a key or value at a path of keys and indexes."""

from __future__ import annotations

import yaml


def locate(root: yaml.Node, loc: tuple[str | int, ...], *, key: bool = False) -> tuple[yaml.Node, bool]:
    """The node at `loc` (the key node when `key`), and whether the whole path was found; when it was not,
    the deepest node reached."""
    node = root
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if k.value == str(part):
                    node = k if (last and key) else v
                    break
            else:
                return node, False
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
            for k, v in node.value:
                if k.value == str(part):
                    node, line = v, int(k.start_mark.line) + 1
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = int(node.start_mark.line) + 1
        else:
            return line
    return line
