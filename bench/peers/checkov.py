"""Checkov's own check resources (tests/dockerfile/checks/example_*/<case>/Dockerfile and
tests/kubernetes/checks/example_*/*.yaml) as cases. Checkov's tests assert only totals, so the verdict
per file comes from Checkov itself (from PyPI, its path given on the command line), run once per
framework over the resources exported from the mirror: a file fails a rule when Checkov fails any
resource in it for that rule; a file Checkov has no result for (UNKNOWN) is not a case.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import tarfile
import tempfile
from collections import defaultdict
from pathlib import Path

from bench.peers.cases import Case

_ROOTS = {"dockerfile": "tests/dockerfile/checks", "kubernetes": "tests/kubernetes/checks"}
# graph checks (CKV2_*) keep their resources in pass/ and fail/ folders, which say the verdict
_GRAPH = "tests/dockerfile/graph_builder/checks/resources"


def _export(repo: Path, into: Path) -> None:
    archive = subprocess.run(
        ["git", "-C", str(repo), "archive", "HEAD", *_ROOTS.values(), _GRAPH], check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")


def _verdicts(binary: str, root: Path, framework: str, checks: list[str]) -> dict[tuple[str, str], bool]:
    """(check id, file path relative to root) -> fails, as Checkov judges it."""
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE"}  # no calls to Prisma Cloud for its mappings
    out = subprocess.run(
        [
            *(binary, "-d", str(root), "--framework", framework, "-o", "json", "--check", ",".join(checks)),
            *("--compact", "--skip-download", "--soft-fail"),
        ],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    data = json.loads(out)
    verdicts: dict[tuple[str, str], bool] = defaultdict(bool)
    for report in data if isinstance(data, list) else [data]:
        results = report.get("results") or {}
        for key, fails in (("passed_checks", False), ("failed_checks", True)):
            for r in results.get(key, []):
                where = (r["check_id"], r["file_path"].lstrip("/"))
                verdicts[where] = verdicts[where] or fails
    return dict(verdicts)


def cases(repo: Path, rules: dict[str, str], binary: str) -> list[Case]:
    """`rules` maps each Checkov id to the example folder its resources are in (`graph:<folder>` for a
    graph check's pass/ and fail/ folders)."""
    found: list[Case] = []
    with tempfile.TemporaryDirectory() as tmp:
        _export(repo, Path(tmp))
        for rule, folder in sorted(rules.items()):
            if not folder.startswith("graph:"):
                continue
            base = Path(tmp) / _GRAPH / folder.removeprefix("graph:")
            for resource in sorted(base.glob("*/Dockerfile*")):
                if resource.parent.name in ("pass", "fail"):
                    name = f"{_GRAPH}/{resource.relative_to(base.parent)}"
                    text = resource.read_text(encoding="utf-8")
                    fails = resource.parent.name == "fail"
                    found.append(Case("checkov", rule, name, {"Dockerfile": text}, fails))
        rules = {rule: folder for rule, folder in rules.items() if not folder.startswith("graph:")}
        for framework, sub in _ROOTS.items():
            mine = {
                rule: folder
                for rule, folder in rules.items()
                if (framework == "dockerfile") == ("DOCKER" in rule)
            }
            if not mine:
                continue
            root = Path(tmp) / sub
            verdicts = _verdicts(binary, root, framework, sorted(mine))
            for (rule, path), fails in sorted(verdicts.items()):
                if not path.startswith(mine[rule] + "/"):
                    continue  # another check's resource: Checkov's tests say nothing of it for this rule
                text = (root / path).read_text(encoding="utf-8")
                placed = "Dockerfile" if framework == "dockerfile" else f"k8s/{path.rsplit('/', 1)[-1]}"
                found.append(
                    Case(
                        peer="checkov",
                        rule=rule,
                        name=f"{sub}/{path}",
                        files={placed: text},
                        peer_fails=fails,
                    )
                )
    return found
