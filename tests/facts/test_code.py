"""Service-code facts: which scripts start the application."""

from __future__ import annotations

import ast
import random
import re
from pathlib import Path

import pytest

from gate.facts.code import import_targets, imports_any, service_modules
from gate.snapshot import Snapshot
from tests.conftest import write_tree

APP = "from fastapi import FastAPI\n\napp = FastAPI()\n"


def test_a_script_that_imports_the_app_and_starts_it_is_service_code(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "svc/main.py": APP,
            "run.py": "import uvicorn\nfrom svc.main import app\n\nuvicorn.run(app)\n",
            "serve_apple.py": "import uvicorn\nfrom svcx.main import app\n\nuvicorn.run(app)\n",
            "deploy.py": "import subprocess\nfrom svc import main\n\nsubprocess.run(['ls'])\n",
        },
    )
    assert service_modules(Snapshot.load(root), ["svc/main.py"]) == ["run.py", "svc/main.py"]


def _by_alternation(names: set[str], text: str) -> bool:
    """The reference: one alternation of every name (what the collector did before it looked names up
    in a set, which compiled a 200 MB pattern for 25,000 app modules)."""
    alternatives = "|".join(map(re.escape, sorted(names)))
    pattern = rf"^\s*(?:from\s+\.?(?:{alternatives})\b|import\s+(?:{alternatives})\b)"
    return re.search(pattern, text, re.M) is not None


def test_the_import_lookup_agrees_with_an_alternation_of_every_name() -> None:
    pool = ["app", "svc.main", "svc", "main", "api.server", "server", "my_app", "a1.b2.c3", "c3", "a1"]
    paths = ["app", "apple", "svc", "svc.main", "svc.mainx", "api", "api.server", "my_appx", "a1.b2"]
    paths += ["a1.b2.c3", "c3", "app_x", ".app", "._app"]
    heads = ["from ", "from .", "from ..", "import ", "  import ", "frm ", "from\t", "# import "]
    tails = [" import x", "", " as y", ", z", ".sub import q"]
    rng = random.Random(7)  # noqa: S311 - a repeatable sample of cases, not a secret
    agreed = {True: 0, False: 0}
    for _ in range(20_000):
        names = set(rng.sample(pool, rng.randint(1, 4)))
        text = "\n".join(
            rng.choice(heads) + rng.choice(paths) + rng.choice(tails) for _ in range(rng.randint(1, 3))
        )
        expected = _by_alternation(names, text)
        assert imports_any(names, text) == expected, (names, text)
        agreed[expected] += 1
    assert min(agreed.values()) > 2_000, "both answers are exercised"


def test_service_modules_past_the_tree_cache_parse_nothing_an_earlier_pass_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parses: list[str]
) -> None:
    """The import graph comes from each module's import-targets summary: with more modules than the
    tree cache holds, the old walk parsed every service module again (22,000 parses at 25,000 modules)."""
    import gate.snapshot

    monkeypatch.setattr(gate.snapshot, "TREE_CACHE_ENTRIES", 2)
    chain = {
        f"svc/m{n}.py": f"from svc.m{n + 1} import thing\nfrom . import m{n + 1} as again\n" for n in range(8)
    }
    root = write_tree(
        tmp_path,
        {
            "svc/main.py": APP + "from svc import m0\n",
            **chain,
            "svc/m8.py": "import json\ntry:\n    from .extra import helper\nexcept ImportError:\n    pass\n",
            "svc/extra.py": "thing = 1\n",
            "svc/unused.py": "thing = 2\n",
        },
    )
    snap = Snapshot.load(root)
    for rel in snap.with_suffix(".py"):  # an earlier pass (the routes collector) parsed each once
        snap.python(rel)
    before = len(parses)
    found = service_modules(snap, ["svc/main.py"])
    assert len(parses) == before
    assert found == sorted(["svc/main.py", "svc/extra.py", "svc/m8.py", *chain])
    # and on a fresh snapshot, with nothing parsed yet, the same modules
    assert service_modules(Snapshot.load(root), ["svc/main.py"]) == found


def test_import_targets_are_absolute_and_in_statement_order() -> None:
    tree = ast.parse("import os, a.b\nfrom . import x\nfrom ..up import y\nif True:\n    from z import w\n")
    assert import_targets("pkg/sub/mod.py", "", tree) == (
        "os",
        "a.b",
        "pkg.sub",
        "pkg.sub.x",
        "pkg.up",
        "pkg.up.y",
        "z",
        "z.w",
    )
