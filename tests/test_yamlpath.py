"""Compact YAML nodes: the places they keep, aliases shared, cycles and depth survived, and their memory."""

from __future__ import annotations

import gc
import tracemalloc

import yaml

from gate.snapshot import parse_yaml_text
from gate.yamlpath import Mapping, Scalar, Sequence, compact, line_of, locate

MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: api
          image: registry.example/api:1.0.0
          resources:
            limits: {cpu: "1", memory: 512Mi}
"""


def _composed(text: str) -> yaml.Node:
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    assert node is not None
    return node


def test_lines_and_columns_are_those_pyyaml_composed() -> None:
    composed = _composed(MANIFEST)
    (root,) = compact([composed])
    assert isinstance(root, Mapping)
    assert line_of(root, ("spec", "replicas")) == 6
    assert line_of(root, ("spec", "template", "spec", "containers", 0)) == 10
    assert line_of(root, ("spec", "template", "spec", "containers", 0, "resources", "limits", "memory")) == 13
    # a path that does not exist: the deepest key that does
    assert line_of(root, ("spec", "template", "spec", "containers", 0, "ports")) == 10
    memory, found = locate(
        root, ("spec", "template", "spec", "containers", 0, "resources", "limits", "memory")
    )
    assert found and isinstance(memory, Scalar) and memory.value == "512Mi"
    key, found = locate(root, ("metadata", "name"), key=True)
    assert found and isinstance(key, Scalar) and (key.line, key.column) == (3, 2)


def test_aliases_stay_shared_and_a_recursive_alias_stays_a_cycle() -> None:
    shared = _composed("base: &b {a: 1, b: [2, 3]}\nx: *b\ny: *b\n")
    (root,) = compact([shared])
    assert isinstance(root, Mapping)
    x, y = root.entry("x"), root.entry("y")
    assert x is not None and y is not None and x[1] is y[1]  # one node, as composed: nothing expands
    looped = _composed("a: &a [1, *a]\n")
    (top,) = compact([looped])
    assert isinstance(top, Mapping)
    inner = top.entry("a")
    assert inner is not None and isinstance(inner[1], Sequence) and inner[1].value[1] is inner[1]


def test_deep_nesting_does_not_recurse() -> None:
    depth = 5000  # past the interpreter's recursion limit; built by hand, as PyYAML's composer would recurse
    mark = yaml.Mark("deep", 0, depth, depth, None, 0)
    node: yaml.Node = yaml.ScalarNode("tag:yaml.org,2002:int", "1", mark, mark)
    for i in reversed(range(depth)):
        at = yaml.Mark("deep", 0, i, i, None, 0)
        node = yaml.MappingNode(
            "tag:yaml.org,2002:map",
            [(yaml.ScalarNode("tag:yaml.org,2002:str", f"k{i}", at, at), node)],
            at,
            at,
        )
    (root,) = compact([node])
    assert line_of(root, tuple(f"k{i}" for i in range(depth))) == depth
    leaf, found = locate(root, tuple(f"k{i}" for i in range(depth)))
    assert found and isinstance(leaf, Scalar) and (leaf.line, leaf.column, leaf.value) == (depth, depth, "1")


def test_a_merge_key_is_read_as_constructed() -> None:
    docs = parse_yaml_text("base: &b {cpu: 1}\nsvc:\n  <<: *b\n  memory: 2\n")
    (root,) = docs.nodes
    assert docs.data[0]["svc"] == {"cpu": 1, "memory": 2}
    assert line_of(root, ("svc", "memory")) == 4
    assert line_of(root, ("svc", "cpu")) == 1  # merged from the anchor: where it is written


def test_a_manifest_kept_for_its_lines_costs_a_fraction_of_pyyaml_nodes() -> None:
    def kept(convert: bool) -> float:
        gc.collect()
        tracemalloc.start()
        held = []
        for i in range(100):
            composed = _composed(MANIFEST.replace("api", f"api{i}"))
            held.append(compact([composed]) if convert else composed)
            del composed
        gc.collect()
        size, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return size / len(held)

    assert kept(True) < 0.5 * kept(False)
