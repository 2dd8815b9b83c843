"""Facts about model registries kept with the code: registry files (JSON or YAML named like
`registry`, or under a `registry/` folder) as data, and MLflow registrations in the code.
"""

from __future__ import annotations

import re
from typing import Any

from msgspec import Struct

from gate.facts.python import is_test_path
from gate.lazyre import lazy
from gate.snapshot import Snapshot, YamlDocuments

_REGISTRY_FILE = lazy(r"(^|/)(registry/[^/]+|[^/]*registry[^/]*)\.(json|ya?ml)$", re.I)
_MLFLOW = lazy(r"\bmlflow\.register_model\(|['\"]models:/|\bcreate_model_version\(")
_MAX_FILES = 50


class RegistryFacts(Struct, frozen=True):
    records: tuple[tuple[str, Any], ...] = ()
    """(registry file, its data)"""
    in_code: tuple[tuple[str, int], ...] = ()
    """where the code registers models with MLflow"""


def collect_registry(snap: Snapshot) -> RegistryFacts:
    records: list[tuple[str, Any]] = []
    for rel in [f for f in snap.files if _REGISTRY_FILE.search(f) and not is_test_path(f)][:_MAX_FILES]:
        if rel.endswith(".json"):
            data = snap.json(rel)
        else:
            docs = snap.yaml(rel)
            data = docs.data[0] if isinstance(docs, YamlDocuments) and docs.data else None
        if isinstance(data, dict | list):
            records.append((rel, data))
    in_code: list[tuple[str, int]] = []
    for rel in snap.with_suffix(".py"):
        if is_test_path(rel):
            continue
        text = snap.text(rel) or ""
        if ("mlflow" in text or "models:/" in text) and (m := _MLFLOW.search(text)):
            in_code.append((rel, text.count("\n", 0, m.start()) + 1))
    return RegistryFacts(tuple(records), tuple(in_code))
