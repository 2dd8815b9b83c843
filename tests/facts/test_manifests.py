"""Oversize manifests and the like: a per-file error, and the other checks still run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from gate.config import Config
from gate.engine import evaluate
from gate.model import Outcome


def test_oversize_files_are_per_file_errors(make_tree: Callable[..., Path]) -> None:
    big = "apiVersion: v1\nkind: ConfigMap\ndata:\n" + "".join(f"  k{i}: v{i}\n" for i in range(200_000))
    root = make_tree(
        {
            "k8s/huge.yaml": big,
            "data/huge.yaml": "rows:\n" + "  - 1\n" * 400_000,  # big YAML data, not a manifest: not an error
            "compose.yaml": "services:\n  x:\n    image: a:1\n" + "#\n" * 600_000,
            "Dockerfile": 'FROM python:3.11-slim\nEXPOSE 8000\nCMD ["uvicorn", "app:app"]\n',
        }
    )
    report = evaluate(root, Config(), offline=True)
    results = {r.check_id: r for r in report.results}
    assert results["k8s-probes"].outcome is Outcome.ERROR
    assert [str(f.primary) for f in results["k8s-probes"].findings] == ["k8s/huge.yaml:1"]
    assert results["compose-restart-policy"].outcome is Outcome.ERROR
    assert "parse cap" in results["compose-restart-policy"].findings[0].message
    assert results["dockerfile-healthcheck"].outcome is Outcome.FAIL  # the other checks still run
