"""ML artifact checks: the model the service loads is there, safe to load, vouched for by a hash, and kept
where large binaries belong. No model is ever loaded or unpickled: see gate/facts/models.py.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

from gate.checks.base import Decision, Hit, NoOptions, at, check, failed, not_applicable, passed
from gate.facts import Facts
from gate.model import Confidence, Level, Outcome, Severity

_FETCH = re.compile(
    r"\b(curl|wget|gsutil|aws\s+s3|az\s+storage|dvc\s+pull|git\s+lfs\s+pull|huggingface-cli|hf\s+download|mlflow)\b"
)


@check(
    id="model-pickle-safe",
    title="Model files access restricted",
    category="model-data",
    severity=Severity.CRITICAL,
    level=Level.BRONZE,
    applies_when="the repository has pickle-based model files (.joblib, .pkl, .pt, .pth, ...)",
    remediation="Rebuild the artifact from trusted training code; prefer safetensors, ONNX or skops; never ship a pickle you did not produce.",
    seeds=("Model files access restricted", "Model artifacts present in `models_artifacts/`"),
)
def model_pickle_safe(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    Every pickle-based model file (joblib, pickle, PyTorch archives) is scanned, as bytes, with
    picklescan for imports that execute code when unpickled (os.system, subprocess, eval, builtins
    exec, ...). A dangerous import fails (critical). A file that cannot be scanned whole (corrupt,
    truncated, compressed beyond bounds, or a stream the scanner cannot parse) is reported as not
    verified (missing_evidence), never as safe. Classes the scanner does not know (a scikit-learn
    estimator) are listed, not failed. Gap, stated: objects stored in joblib's object-dtype array
    buffers are not scanned.

    ## Why it matters
    Loading a pickle runs whatever it says. A model file swapped in a pull request, or downloaded
    from a hub, is code execution inside the model server with its credentials.

    ## How to fix
    Regenerate the file from your own training run and review who can write to the artifact store;
    better, switch to a format that cannot execute code.

    ## Example
    ```text
    models/model.joblib  imports os.system  -> dangerous: rebuild it, do not load it
    ```
    """
    pickles = [
        a for a in facts.models.artifacts if a.scan in ("dangerous", "suspicious", "clean", "not-verified")
    ]
    if not pickles:
        return not_applicable("No pickle-based model files in the checkout.")
    dangerous = [a for a in pickles if a.scan == "dangerous"]
    unsure = [a for a in pickles if a.scan == "not-verified"]
    if dangerous:
        return failed(
            f"{len(dangerous)} model file(s) execute code when loaded.",
            *(Hit(f"Unpickling imports {a.scan_detail}.", (at(a.path),)) for a in dangerous),
        )
    if unsure:
        return Decision(
            Outcome.MISSING_EVIDENCE,
            f"{len(unsure)} model file(s) could not be verified.",
            tuple(
                Hit(f"Not verified: {a.scan_detail}.", (at(a.path),), confidence=Confidence.MEDIUM)
                for a in unsure
            ),
        )
    unknown = sorted({a.scan_detail for a in pickles if a.scan == "suspicious"})
    note = f" Classes the scanner does not know: {'; '.join(unknown)}." if unknown else ""
    return passed(f"{len(pickles)} pickle-based model file(s) import nothing that executes code.{note}")


@check(
    id="model-safe-format",
    title="Model saved in a safe format",
    category="model-data",
    severity=Severity.LOW,
    level=Level.GOLD,
    applies_when="the repository has model files",
    remediation="Export to safetensors (PyTorch), ONNX, or skops (scikit-learn) and load that instead of a pickle.",
    seeds=("Model inference optimized (TorchScript, ONNX)",),
)
def model_safe_format(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That model files use a format that cannot execute code when loaded: safetensors, ONNX or skops
    (Keras .h5/.keras and TorchServe .mar are not judged). The stronger level of model-pickle-safe.

    ## Why it matters
    A scanner can only recognise attacks it knows; a format without code execution needs no scanner.

    ## How to fix
    Convert the model and change the loading code.

    ## Example
    ```python
    from safetensors.torch import save_file
    save_file(model.state_dict(), "models/model.safetensors")
    ```
    """
    artifacts = [a for a in facts.models.artifacts if not a.lfs_pointer]
    if not artifacts:
        return not_applicable("No model files in the checkout.")
    pickles = [a for a in artifacts if a.scan in ("dangerous", "suspicious", "clean", "not-verified")]
    if pickles:
        return failed(
            f"{len(pickles)} model file(s) are pickles.",
            *(Hit("A pickle-based model file: loading it can run code.", (at(a.path),)) for a in pickles),
        )
    return passed(f"{len(artifacts)} model file(s) in formats that cannot run code.")


class SizeBudget(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    max_mb: float = Field(default=50, gt=0)


@check(
    id="model-size-budget",
    title="Model size optimized (quantization, pruning if needed)",
    category="model-data",
    severity=Severity.MEDIUM,
    level=Level.SILVER,
    applies_when="the repository has model files",
    remediation="Track large artifacts with Git LFS or DVC, or fetch them from a model registry at build time.",
    options=SizeBudget,
    seeds=(
        "Model size optimized (quantization, pruning if needed)",
        "`random_forest.joblib` (>50MB typical)",
    ),
)
def model_size_budget(facts: Facts, options: SizeBudget) -> Decision:
    """
    ## What it checks
    That no model file above `max_mb` (50 MB by default, the size the seeds mention) is committed to
    plain git: Git LFS pointers and DVC-tracked files are fine.

    ## Why it matters
    Every clone, CI run and Docker build context carries every version of a large binary committed
    to git, forever; LFS, DVC and registries store it once and fetch it when needed.

    ## How to fix
    Move it to LFS (`git lfs track "*.joblib"`) or DVC, or publish it to the model registry.

    ## Example
    ```text
    .gitattributes:  *.joblib filter=lfs diff=lfs merge=lfs -text
    ```
    """
    artifacts = facts.models.artifacts
    if not artifacts:
        return not_applicable("No model files.")
    limit = options.max_mb * 1024 * 1024
    large = [a for a in artifacts if not a.lfs_pointer and not a.dvc_tracked and a.size > limit]
    if large:
        return failed(
            f"{len(large)} model file(s) over {options.max_mb:g} MB in plain git.",
            *(Hit(f"{a.size / 1024 / 1024:.1f} MB committed directly.", (at(a.path),)) for a in large),
        )
    return passed(f"{len(artifacts)} model file(s), none over {options.max_mb:g} MB in plain git.")


@check(
    id="model-integrity-verified",
    title="Model file integrity verified (hash check)",
    category="model-data",
    severity=Severity.HIGH,
    level=Level.SILVER,
    applies_when="the repository has model files",
    remediation="Run `prodgate hash-models` and commit MODELS.sha256 with every change to a model file.",
    seeds=(
        "Model file integrity verified (hash check)",
        "Models backed up",
        "Model versioning strategy implemented",
    ),
)
def model_integrity_verified(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That a hash manifest vouches for every model file: `MODELS.sha256` (or `SHA256SUMS`), in
    `sha256sum` format (`<64 hex digits>  <path>`, paths relative to the manifest's folder), lists
    each artifact with its current SHA-256. `prodgate hash-models [PATH]` writes it. A model file that
    changed without its manifest line (the hash differs) fails; so does one the manifest does not
    list. Git LFS pointers are skipped (their content is not in the checkout). Files are hashed by
    streaming, whatever their size.

    ## Why it matters
    The hash turns "the model in production is the one we evaluated" into something a reviewer and a
    deploy script can check: a swapped or corrupted file no longer matches.

    ## How to fix
    Regenerate the manifest when a model legitimately changes, in the same pull request.

    ## Example
    ```text
    3f7a...e91c  models/model.joblib
    ```
    """
    m = facts.models
    artifacts = [a for a in m.artifacts if not a.lfs_pointer and a.sha256]
    if not artifacts:
        return not_applicable("No model files with content in the checkout.")
    if m.manifest_errors:
        path, line, why = m.manifest_errors[0]
        return Decision(
            Outcome.ERROR,
            f"The hash manifest has bad lines: {path}:{line} {why}.",
            tuple(Hit(f"Bad manifest line: {w}.", (at(p, ln),)) for p, ln, w in m.manifest_errors),
        )
    if not m.manifests:
        return failed(
            "No hash manifest for the model files.",
            Hit(
                f"{len(artifacts)} model file(s) and no MODELS.sha256 (run `prodgate hash-models`).",
                (at("MODELS.sha256"),),
            ),
        )
    listed = {e.path: e for e in m.entries}
    hits = []
    for a in artifacts:
        entry = listed.get(a.path)
        if entry is None:
            hits.append(Hit(f"{a.path} is not in the hash manifest.", (at(a.path), at(m.manifests[0]))))
        elif entry.sha256 != a.sha256:
            hits.append(
                Hit(
                    f"{a.path} does not match its manifest hash: changed without the manifest.",
                    (at(a.path), at(m.manifests[0], entry.line)),
                )
            )
    if hits:
        return failed(f"{len(hits)} model file(s) not vouched for by the manifest.", *hits)
    return passed(f"All {len(artifacts)} model file(s) match {', '.join(m.manifests)}.")


@check(
    id="model-artifacts-present",
    title="Model artifacts present",
    category="model-data",
    severity=Severity.HIGH,
    level=Level.BRONZE,
    confidence=Confidence.MEDIUM,
    applies_when="the service code names model files it loads",
    remediation="Commit the model (or its LFS/DVC pointer), or fetch it during the image build from the registry.",
    seeds=(
        "Model artifacts present in `models_artifacts/`",
        "Models directory populated with trained models",
        "Model file saved as `best_model.pth`",
    ),
)
def model_artifacts_present(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That every model file the service code names (string literals such as `"models/model.joblib"`,
    defaults of environment lookups included) is in the repository (matched by path, or by its
    ending when the service runs from another folder), is a Git LFS or DVC pointer, or is fetched
    while the image builds (`curl`, `wget`, `aws s3`, `gsutil`, `dvc pull`, `git lfs pull`,
    `huggingface-cli`, `mlflow` in a Dockerfile RUN).

    ## Why it matters
    A model path that exists on the author's laptop only is the classic first-deployment crash:
    the container starts and every prediction fails.

    ## How to fix
    Commit the artifact or declare how it is fetched.

    ## Example
    ```dockerfile
    RUN dvc pull models/model.joblib.dvc
    ```
    """
    names = facts.code.model_paths
    if not names:
        return not_applicable("The service code names no model file.")
    present = [a.path for a in facts.models.artifacts] + [
        f[: -len(".dvc")] for f in facts.models.dvc_files if f.endswith(".dvc")
    ]
    fetched = any(
        _FETCH.search(i.text)
        for df in facts.docker.dockerfiles
        for s in df.stages
        for i in s.instructions
        if i.cmd == "RUN"
    )
    missing = []
    for site in names:
        wanted = site.detail.lstrip("./")
        if any(p == wanted or p.endswith("/" + wanted) or wanted.endswith("/" + p) for p in present):
            continue
        missing.append(site)
    if missing and not fetched:
        return failed(
            f"{len(missing)} model file(s) the service loads are not in the repository.",
            *(
                Hit(
                    f"`{s.detail}` is not in the repository, nor an LFS/DVC pointer, nor fetched at build.",
                    (at(s.path, s.line),),
                )
                for s in missing
            ),
        )
    if missing:
        return passed(
            f"{len(names) - len(missing)} model file(s) present; the others are fetched while the image builds."
        )
    return passed(f"All {len(names)} model file(s) the service names are present.")
