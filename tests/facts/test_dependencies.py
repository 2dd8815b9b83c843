"""Dependency manifests beyond requirements files: Poetry, Pipfile, conda environment.yml."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from gate.facts.dependencies import collect_dependencies
from gate.snapshot import Snapshot


def test_poetry_pipfile_and_conda(make_tree: Callable[..., Path]) -> None:
    root = make_tree(
        {
            "pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.11"\nfastapi = "^0.115"\njoblib = "1.4.2"\nlocal = {path = "../lib"}\n',
            "Pipfile": '[packages]\nflask = "*"\n"scikit-learn" = "==1.5.2"\n\n[dev-packages]\npytest = "*"\n',
            "environment.yml": "name: svc\ndependencies:\n  - python=3.11\n  - conda-forge::numpy=1.26.4\n  - pandas>=2\n  - pip:\n    - torch==2.4.1\n    - not a requirement !!\n",
        }
    )
    facts = collect_dependencies(Snapshot.load(root))
    got = {(d.path, d.name): (d.pinned, d.line, d.conda) for d in facts.manifest_dependencies}
    assert got == {
        ("pyproject.toml", "fastapi"): (False, 3, False),
        ("pyproject.toml", "joblib"): (True, 4, False),
        ("Pipfile", "flask"): (False, 2, False),
        ("Pipfile", "scikit-learn"): (True, 3, False),
        ("environment.yml", "numpy"): (True, 4, True),
        ("environment.yml", "pandas"): (False, 5, True),
        ("environment.yml", "torch"): (True, 7, False),
    }
    assert [(e.path, e.line) for e in facts.errors] == [("environment.yml", 8)]
    assert any(v.source == "tool.poetry.dependencies.python" for v in facts.python_versions)
