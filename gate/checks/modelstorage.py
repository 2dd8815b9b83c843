"""Where the model files have a copy besides the working tree: DVC with a remote, Git LFS, git itself, or
an upload a workflow runs; and whether that copy is in an object store when a line asks for S3/GCS.

A go-live checklist asks "Models backed up", "Model files backed up to S3/GCS". One check decides it from
the repository; which aspects it asks for comes from the team's config or, for a checklist line, from
the line's own words (gate/thresholds.py).
"""

from __future__ import annotations

import fnmatch
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict

from gate.checks.base import Decision, Hit, at, check, failed, not_applicable, passed
from gate.facts import Facts
from gate.lazyre import lazy
from gate.model import Level, Severity

StorageAspect = Literal["copy", "object-store"]
NAMES: dict[StorageAspect, str] = {
    "copy": "a copy of every model file outside the working tree",
    "object-store": "a copy in an object store (S3, GCS, Azure Blob)",
}
_OBJECT_STORE = lazy(r"\b(s3|gs|gcs|azure|az|abfss?|wasbs?)://", re.I)
_NAMES_MODELS = lazy(
    r"model|weights|checkpoint|artifact|\.(joblib|pkl|pickle|onnx|pt|pth|h5|keras|safetensors)\b|dvc push|log_model",
    re.I,
)
"""An upload counts for the model files only when it names them (or is DVC's or MLflow's own): a
workflow that copies its test reports to S3 is no copy of the model."""
_UPLOAD = lazy(
    r"\b(aws s3 (cp|sync)|gsutil (-m )?(cp|rsync)|gcloud storage cp|az storage blob upload|dvc push|mlflow\b.*log_model|huggingface-cli upload)",
    re.I,
)


def asked_storage(text: str) -> tuple[StorageAspect, ...]:
    if not re.search(r"\bmodel", text, re.I):
        return ()
    if re.search(r"\b(s3|gcs|object stor|blob)", text, re.I):
        return ("copy", "object-store")
    if re.search(r"backed up|backups?|stored remotely|remote stor", text, re.I):
        return ("copy",)
    return ()


class StorageOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    aspects: tuple[StorageAspect, ...] = ()
    """What the model files' copies must show. None by default: a checklist line asks for its own."""


@check(
    id="model-artifacts-stored",
    title="Model files have a remote copy",
    category="model-data",
    severity=Severity.LOW,
    level=Level.GOLD,
    applies_when="the repository has model files, and the config or a checklist line asks where their copies are",
    remediation="Track the model files with DVC and a remote (dvc push in CI), or Git LFS, or upload them from the release workflow.",
    options=StorageOptions,
)
def model_artifacts_stored(facts: Facts, options: StorageOptions) -> Decision:
    """
    ## What it checks
    For each model file, a copy outside the working tree: a DVC pointer (`.dvc` file) with a remote
    configured in `.dvc/config`, a Git LFS pattern, the file committed to git itself (git is then the
    copy, which the report says), or a workflow step that uploads models (`aws s3 cp`, `gsutil cp`,
    `dvc push`, MLflow `log_model`). When an object store is asked for ("backed up to S3/GCS"), the DVC
    remote or the upload must name one (`s3://`, `gs://`, `azure://`...).

    No aspect is asked by default. A checklist line names its own ("Models backed up" asks for a copy).

    ## Why it matters
    A model that exists only in one image or on one laptop is lost with it, and with it the ability to
    roll back to the version that worked.

    ## How to fix
    `dvc add models/model.joblib && dvc push`, with the remote in `.dvc/config`.

    ## Example
    ```ini
    [core]
        remote = store
    ['remote "store"']
        url = s3://acme-models/churn
    ```
    """
    if not options.aspects:
        return not_applicable(
            "No aspect of the model files' copies is asked for (options.aspects, or a checklist line)."
        )
    models = facts.models.artifacts
    if not models:
        return not_applicable("No model files in the repository.")
    remotes = facts.repo.dvc_remotes
    uploads = [
        (wf.path, step.line, step.run or "")
        for wf in facts.workflows.ci
        for job in wf.jobs
        for step in job.steps
        if step.run and _UPLOAD.search(step.run) and _NAMES_MODELS.search(step.run)
    ]
    found: list[str] = []
    hits: list[Hit] = []
    missing: list[str] = []
    notes: list[str] = []
    for aspect in dict.fromkeys(options.aspects):
        if aspect == "copy":
            uncopied = []
            for a in models:
                dvc = f"{a.path}.dvc" in facts.models.dvc_files and bool(remotes)
                lfs = any(
                    fnmatch.fnmatch(a.path, p) or fnmatch.fnmatch(a.path.rsplit("/", 1)[-1], p)
                    for p in facts.repo.lfs_patterns
                )
                tracked = a.path in facts.repo.tracked_models
                if not (dvc or lfs or tracked or uploads):
                    uncopied.append(a.path)
                elif tracked and not (dvc or lfs or uploads):
                    notes.append(a.path)
            if uncopied:
                missing.append(NAMES[aspect])
                hits.extend(
                    Hit(f"{p} has no copy outside the working tree.", (at(p),)) for p in uncopied[:10]
                )
            else:
                said = (
                    "committed to git (git is the copy)"
                    if notes and len(notes) == len(models)
                    else "DVC, LFS, git or an upload"
                )
                found.append(f"{NAMES[aspect]}: {said}")
        else:
            stores = [url for url in remotes if _OBJECT_STORE.search(url)]
            uploaded = [u for u in uploads if _OBJECT_STORE.search(u[2]) or ("dvc push" in u[2] and stores)]
            if stores:
                found.append(f"{NAMES[aspect]}: DVC remote {stores[0]}")
            elif uploaded:
                path, line, _ = uploaded[0]
                found.append(f"{NAMES[aspect]}: an upload at {path}:{line}")
            else:
                missing.append(NAMES[aspect])
                hits.append(Hit("No DVC remote or upload names an object store.", (at(models[0].path),)))
    if hits:
        return failed(f"Missing: {', '.join(missing)}.", *hits)
    return passed("Model files: " + "; ".join(found) + ".")
