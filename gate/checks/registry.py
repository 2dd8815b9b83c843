"""The served model is registered and versioned: a registry record names it, and its version is tied
to its bytes.

A go-live checklist asks "Model registered in artifact registry", "Model versioning strategy
implemented". A registry file kept in the repository (registry.json, a model registry YAML) or an
MLflow registration in the code is the record; a version in the model's metadata, tied to the file by
a hash manifest, a registry record or the file's own name, is the strategy.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from gate.checks.base import Decision, Hit, at, check, failed, not_applicable, passed
from gate.facts import Facts
from gate.lazyre import lazy
from gate.model import Level, Severity

RegistryAspect = Literal["registered", "versioned"]
NAMES: dict[RegistryAspect, str] = {
    "registered": "the served model in a registry record",
    "versioned": "a model version tied to the model's bytes",
}
_ASKED: tuple[tuple[RegistryAspect, re.Pattern[str]], ...] = (
    ("registered", lazy(r"registered in (an? |the )?(artifact |model )?registry|model registry", re.I)),
    ("versioned", lazy(r"(model )?versioning strategy|models? versioned", re.I)),
)
_VERSION = lazy(r"^v?\d+(\.\d+){1,3}([-+.]\w+)?$")


def asked_registry(text: str) -> tuple[RegistryAspect, ...]:
    return tuple(a for a, rx in _ASKED if rx.search(text))


class RegistryOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    aspects: tuple[RegistryAspect, ...] = ()
    """What to judge. None by default: a checklist line asks for its own."""


_ARTIFACT = lazy(r"\.(pkl|joblib|pt|pth|onnx|h5|keras|safetensors|bin|cbm|xgb|ubj|tflite|skops)$")


def _leaves(data: Any) -> list[tuple[tuple[str, ...], Any]]:
    """Every scalar of a registry record with the keys above it (a version such as 1.4.0 stays one key)."""
    found: list[tuple[tuple[str, ...], Any]] = []
    stack: list[tuple[tuple[str, ...], Any]] = [((), data)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, dict):
            stack.extend(((*path, str(k)), v) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((path, v) for v in item)
        else:
            found.append((path, item))
    return found


def _registry_paths(facts: Facts) -> dict[str, tuple[str, set[str]]]:
    """Artifact path -> (registry file, the versions recorded for it), from registry files' data."""
    found: dict[str, tuple[str, set[str]]] = {}
    for rel, data in facts.registry.records:
        for path, value in _leaves(data):
            if isinstance(value, str) and _ARTIFACT.search(value):
                entry = found.setdefault(value, (rel, set()))
                entry[1].update(k for k in path if _VERSION.match(k))
    return found


def _metadata_version(facts: Facts) -> tuple[str, str] | None:
    for f in facts.model_meta.metadata:
        if isinstance(f.data, dict):
            for key in ("version", "model_version"):
                value: Any = f.data.get(key)
                if isinstance(value, str | int | float) and _VERSION.match(str(value)):
                    return f.path, str(value)
    return None


def _same_file(artifact: str, recorded: str) -> bool:
    """A registry record names the artifact, by its path or by a tail of it that ends at a `/`: a record
    of churn.joblib vouches for models/churn.joblib, not for models/old_churn.joblib."""
    return artifact == recorded or artifact.endswith("/" + recorded) or recorded.endswith("/" + artifact)


@check(
    id="model-registered",
    title="The served model is registered and versioned",
    category="model-data",
    severity=Severity.LOW,
    level=Level.GOLD,
    applies_when="the repository has model artifacts, and the config or a checklist line names registration or versioning",
    remediation="Record the model in a registry (a registry.json naming each version's file, or MLflow's model registry), and give its metadata a version that a hash manifest or the registry ties to the file.",
    options=RegistryOptions,
)
def model_registered(facts: Facts, options: RegistryOptions) -> Decision:
    """
    ## What it checks
    For each aspect asked for:

    - **registered**: every model file the repository serves is named by a registry record kept in it
      (a JSON or YAML file named like `registry` or under `registry/`, whose entries name the file), or
      the code registers models with MLflow (`mlflow.register_model`, `models:/` URIs);
    - **versioned**: the model's metadata states a version (`version: 2.3.0`, `2026.11.1`), and the
      artifact's bytes are tied to it: a hash manifest lists the file, a registry record names it
      under that version, or the file's own name carries it.

    No aspect is asked by default. A checklist line names its own ("Model registered in artifact
    registry").

    ## Why it matters
    When predictions go wrong, "which model is this?" needs an answer that does not depend on the file
    name someone chose, and rolling back needs the previous version's record.

    ## How to fix
    Keep the registry record next to the code and update it in the pull request that changes the model.

    ## Example
    ```json
    {"models": {"churn": {"production": "1.4.0",
      "versions": {"1.4.0": {"path": "models/churn.joblib", "sha256": "9f2c..."}}}}}
    ```
    """
    if not options.aspects:
        return not_applicable("Nothing asked for (options.aspects, or a checklist line).")
    artifacts = [a.path for a in facts.models.artifacts]
    if not artifacts:
        return not_applicable("No model artifacts.")
    records = _registry_paths(facts)
    mlflow = facts.registry.in_code
    found: list[str] = []
    missing: list[str] = []
    hits: list[Hit] = []
    for aspect in dict.fromkeys(options.aspects):
        if aspect == "registered":
            if mlflow:
                rel, line = mlflow[0]
                found.append(f"{NAMES[aspect]}: MLflow registration ({rel}:{line})")
                continue
            unrecorded = [a for a in artifacts if not any(_same_file(a, p) for p in records)]
            if unrecorded:
                missing.append(NAMES[aspect])
                hits.extend(Hit(f"{a} is in no registry record.", (at(a),)) for a in unrecorded)
            else:
                where = sorted({rel for rel, _ in records.values()})
                found.append(f"{NAMES[aspect]}: {', '.join(where)}")
            continue
        version = _metadata_version(facts)
        if version is None:
            missing.append(NAMES[aspect])
            hits.append(
                Hit(
                    "No model metadata states a version.",
                    (at(facts.model_meta.metadata[0].path if facts.model_meta.metadata else artifacts[0]),),
                )
            )
            continue
        meta, v = version
        hashed = {e.path for e in facts.models.entries}
        loose = [
            a
            for a in artifacts
            if not (
                a in hashed
                or v in a
                or any(v in versions for p, (_, versions) in records.items() if _same_file(a, p))
            )
        ]
        if not loose:
            found.append(f"{NAMES[aspect]}: {v} ({meta}), every model file tied to it")
        else:
            missing.append(NAMES[aspect])
            hits.extend(
                Hit(
                    f"{meta} states {v}, but nothing ties {a} to it (no hash manifest, registry record or "
                    "versioned file name).",
                    (at(a),),
                )
                for a in loose
            )
    if hits:
        return failed(f"Missing: {', '.join(missing)}.", *hits)
    return passed("Found " + "; ".join(found) + ".")
