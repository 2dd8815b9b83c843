"""A run's footprint: the cyclic collector is paused through a run (gate.engine), so whatever forms a
reference cycle per file stays until the process ends."""

from __future__ import annotations

import gc
from pathlib import Path

from gate.config import Config
from gate.engine import evaluate
from tests.conftest import write_tree

MODULE = """\
import os
try:
    import ujson as json
except ImportError:
    import json
if os.getenv("DEBUG"):
    import pdb


class Service:
    def load(self):
        import joblib
        return joblib.load(os.environ["MODEL_PATH"])
"""


def _left_behind(root: Path, modules: int) -> int:
    write_tree(root, {f"pkg/mod{n}.py": MODULE for n in range(modules)} | {"pkg/__init__.py": ""})
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        evaluate(root, Config(), offline=True)
        return gc.collect()
    finally:
        if was_enabled:
            gc.enable()


def test_a_run_leaves_no_cycles_that_grow_with_the_modules(tmp_path: Path) -> None:
    few = _left_behind(tmp_path / "few", 20)
    many = _left_behind(tmp_path / "many", 220)
    assert many - few < 200, f"{many - few} more unreachable objects for 200 more modules"
