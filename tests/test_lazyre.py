"""Lazily compiled patterns (gate/lazyre.py): each one valid, and the same answers as re.compile."""

from __future__ import annotations

import copy
import importlib
import pkgutil
import re

import gate
from gate.lazyre import MADE, lazy


def test_every_lazy_pattern_in_gate_compiles() -> None:
    for module in pkgutil.walk_packages(gate.__path__, "gate."):
        importlib.import_module(module.name)
    assert len(MADE) > 400
    for pattern in list(MADE):
        assert pattern.groups >= 0, pattern  # asking anything compiles it; an invalid one raises here


def test_a_lazy_pattern_answers_as_the_compiled_one() -> None:
    text = "Batch (1000 records): <5s\nsingle: 90ms"
    made, compiled = lazy(r"(\d+)\s*(ms|s)\b", re.I), re.compile(r"(\d+)\s*(ms|s)\b", re.I)
    assert [m.groups() for m in made.finditer(text)] == [m.groups() for m in compiled.finditer(text)]
    assert made.sub("N", text) == compiled.sub("N", text) and made.flags == compiled.flags
    assert made.pattern == compiled.pattern and made.groupindex == compiled.groupindex
    again = copy.deepcopy(made)  # through __reduce__, as pickling would
    assert again.findall(text) == compiled.findall(text)
