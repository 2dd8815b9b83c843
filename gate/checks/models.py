"""ML artifact checks: the model the service loads is there, safe to load, vouched for by a hash, and kept
where large binaries belong. No model is ever loaded or unpickled: see gate/facts/models.py.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from gate.checks.base import Decision, Hit, NoOptions, at, check, failed, not_applicable, passed
from gate.facts import Facts
from gate.facts.modelmeta import walk
from gate.lazyre import lazy
from gate.model import Confidence, Level, Outcome, Severity
from gate.wording import agree, count, every

# a fetcher in a command's place, not as a package being installed (`apt-get install -y curl` fetches nothing)
_FETCH = lazy(
    r"(?:^|&&|\|\||;|\||\n)\s*(?:sudo\s+)?(?:\w+=\S*\s+)*"
    r"(curl|wget|gsutil|aws\s+s3|az\s+storage|dvc\s+pull|git\s+lfs\s+pull|huggingface-cli|hf\s+download|mlflow)\b"
)


_BUILDS = lazy(r"\bdvc\s+repro\b|\bmake\s+(train|model)\w*|\bpython[\d.]*\s+(-m\s+)?\S*train\w*")

_ALLOW_ENTRY = r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\.(\*|[A-Za-z_][A-Za-z0-9_]*)$"


class PickleOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    allow_globals: tuple[Annotated[str, StringConstraints(pattern=_ALLOW_ENTRY)], ...] = Field(
        default=(),
        description="Your own classes a model pickle may import, as `module.Class` or `module.*` (every "
        "CapWords class of the module and its submodules).",
    )


@check(
    id="model-pickle-safe",
    title="Pickled models import nothing unsafe",
    category="model-data",
    severity=Severity.CRITICAL,
    level=Level.BRONZE,
    applies_when="the repository has pickle-based model files (.joblib, .pkl, .pt, .pth, ...)",
    remediation="Rebuild the artifact from trusted training code; prefer safetensors, ONNX or skops; never ship a pickle you did not produce.",
    options=PickleOptions,
)
def model_pickle_safe(facts: Facts, options: PickleOptions) -> Decision:
    """
    ## What it checks
    Every pickle-based model file (pickle, joblib, PyTorch) is read as bytes, never loaded, the way each
    loader that could open it reads it: every concatenated stream, every member of a zip or PyTorch
    archive (read permissively, as PyTorch does), joblib's array buffers and compressed files,
    PyTorch's legacy format, NumPy object arrays. Every import must be on an allow-list of known-safe
    constructors (containers, NumPy arrays and dtypes, tensors and storages, pandas frames, joblib's
    array wrapper, and the classes of scikit-learn, torch.nn, XGBoost, LightGBM and CatBoost), plus
    the classes you list in `allow_globals`. Fails (critical) when a file imports anything else, names
    an import only computed at load time, or hides opcodes across a FRAME boundary. A file that
    cannot be accounted for byte by byte (truncated, compressed with an unknown method, over the scan
    limit, bytes after the last stream) is an `error`: it blocks like a failure and is never a pass.
    Known gap, stated: TorchScript code inside a scripted archive (`code/`) is not judged.

    ## Why it matters
    Loading a pickle runs whatever it says. A model file swapped in a pull request, or downloaded
    from a hub, is code execution inside the model server with its credentials. Deny-lists of
    "dangerous" imports have been bypassed again and again (code.InteractiveInterpreter, timeit,
    a payload after an array buffer, a zip appended to a pickle): an allow-list has no such gaps.

    ## How to fix
    Regenerate the file from your own training run and review who can write to the artifact store;
    better, switch to a format that cannot execute code. If the import is your own class (a custom
    transformer), allow exactly it:
    `checks: {model-pickle-safe: {options: {allow_globals: [features.transformers.ClipOutliers]}}}`.

    ## Example
    ```text
    models/model.joblib  imports os.system (stream 2 at byte 412)  -> rebuild it, do not load it
    ```
    """
    pickles = [
        a
        for a in (*facts.models.artifacts, *facts.models.test_fixtures)
        if a.scan in ("dangerous", "unsafe", "clean", "not-verified")
    ]
    if not pickles:
        return not_applicable("No pickle-based model files in the checkout.")
    from gate.facts.pickles import Allowed  # only where a pickle was found (gate/facts/models.py)

    allowed = Allowed(options.allow_globals)
    hits: list[Hit] = []
    unverified: list[Hit] = []
    for a in pickles:
        scan = a.pickle
        if scan is None:
            unverified.append(Hit(f"Not verified: {a.scan_detail}.", (at(a.path),)))
            continue
        refused = [g.dotted for g in scan.refused if not allowed(g)]
        if refused or scan.problems:
            words = [
                *(f"imports {d}{' (runs code)' if d in scan.dangerous else ''}" for d in refused),
                *scan.problems,
            ]
            hits.append(Hit(f"Loading it {'; '.join(words)}.", (at(a.path),)))
        elif scan.unverified is not None or a.scan == "not-verified":
            unverified.append(Hit(f"Not verified: {scan.unverified or a.scan_detail}.", (at(a.path),)))
    if hits:
        return failed(
            f"{count(len(hits), 'model file')} {agree(len(hits), 'imports', 'import')} what is not a known-safe constructor.",
            *hits,
        )
    if unverified:
        return Decision(
            Outcome.ERROR, f"{count(len(unverified), 'model file')} could not be verified.", tuple(unverified)
        )
    return passed(
        f"{count(len(pickles), 'pickle-based model file')} {agree(len(pickles), 'imports', 'import')} only known-safe constructors."
    )


@check(
    id="model-safe-format",
    title="Model saved in a safe format",
    category="model-data",
    severity=Severity.LOW,
    level=Level.GOLD,
    applies_when="the repository has model files",
    remediation="Export to safetensors (PyTorch), ONNX, or skops (scikit-learn) and load that instead of a pickle.",
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
    pickles = [a for a in artifacts if a.scan in ("dangerous", "unsafe", "clean", "not-verified")]
    if pickles:
        return failed(
            f"{count(len(pickles), 'model file')} {agree(len(pickles), 'is a pickle', 'are pickles')}.",
            *(Hit("A pickle-based model file: loading it can run code.", (at(a.path),)) for a in pickles),
        )
    return passed(f"{count(len(artifacts), 'model file')} in formats that cannot run code.")


class SizeBudget(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    max_mb: float = Field(default=50, gt=0)


@check(
    id="model-size-budget",
    title="Model files within their size budget",
    category="model-data",
    severity=Severity.MEDIUM,
    level=Level.SILVER,
    applies_when="the repository has model files",
    remediation="Track large artifacts with Git LFS or DVC, or fetch them from a model registry at build time.",
    options=SizeBudget,
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
            f"{count(len(large), 'model file')} over {options.max_mb:g} MB in plain git.",
            *(Hit(f"{a.size / 1024 / 1024:.1f} MB committed directly.", (at(a.path),)) for a in large),
        )
    return passed(f"{count(len(artifacts), 'model file')}, none over {options.max_mb:g} MB in plain git.")


@check(
    id="model-integrity-verified",
    title="Model files match a hash manifest",
    category="model-data",
    severity=Severity.HIGH,
    level=Level.SILVER,
    applies_when="the repository has model files",
    remediation="Run `prodgate hash-models` and commit MODELS.sha256 with every change to a model file.",
    seeds=("Model file integrity verified (hash check)",),
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
                f"{count(len(artifacts), 'model file')} and no MODELS.sha256 (run `prodgate hash-models`).",
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
        return failed(f"{count(len(hits), 'model file')} not vouched for by the manifest.", *hits)
    return passed(
        f"{every(len(artifacts), 'model file')} {agree(len(artifacts), 'matches', 'match')} {', '.join(m.manifests)}."
    )


@check(
    id="model-artifacts-present",
    title="Model files the service loads are present",
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
    defaults of environment lookups included; .joblib, .pkl, .pt/.pth, .onnx, .h5/.keras,
    .safetensors, CatBoost .cbm, XGBoost .xgb/.ubj, .tflite, .skops, .gguf, .mlmodel, .pmml; a
    suffix alone such as the `.onnx` of `f"{model_id}.onnx"`, or a glob, names no file; nor does a file
    the service only writes: `joblib.dump(m, path)`, `torch.save`, `model.save(path)`, a value named
    `save_*`/`output_*`/`export_*`, a download's `filename=`) is in the repository (matched by path, or by its
    ending when the service runs from another folder), is a Git LFS or DVC pointer, or is fetched
    while the image builds (`curl`, `wget`, `aws s3`, `gsutil`, `dvc pull`, `git lfs pull`,
    `huggingface-cli`, `mlflow` in a Dockerfile RUN) or trained there (`RUN python train.py`, a
    training module of the repository, `dvc repro`, `make train`). Model files under a `tests/`, `test/` or
    `testing/` folder are test fixtures: they are not the service's models (only
    `model-pickle-safe` reads them).

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
    runs = [
        i.text for df in facts.docker.dockerfiles for s in df.stages for i in s.instructions if i.cmd == "RUN"
    ]
    training = tuple(facts.code.training_modules)
    # fetched from storage, or trained while the image builds (`RUN python train.py`, `RUN dvc repro`)
    fetched = any(_FETCH.search(t) or _BUILDS.search(t) or any(m in t for m in training) for t in runs)
    by_name: dict[str, list[str]] = {}
    for p in present:
        by_name.setdefault(p.rsplit("/", 1)[-1], []).append(p)
    missing = []
    for site in names:
        wanted = site.detail.lstrip("./")
        candidates = by_name.get(wanted.rsplit("/", 1)[-1], [])
        if any(p == wanted or p.endswith("/" + wanted) or wanted.endswith("/" + p) for p in candidates):
            continue
        missing.append(site)
    if missing and not fetched:
        return failed(
            f"{count(len(missing), 'model file')} the service loads {agree(len(missing), 'is', 'are')} not in the repository.",
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
            f"{count(len(names) - len(missing), 'model file')} present; the others are fetched or trained while the image builds."
        )
    return passed(
        f"{every(len(names), 'model file')} the service names {agree(len(names), 'is', 'are')} present."
    )


# -- metadata ---------------------------------------------------------------------------------------

_ASPECTS = {
    "version": lazy(r"(^|\.)(model_)?version$", re.I),
    "training date": lazy(
        r"(^|\.)(trained_(on|at)|training_date|train_date|created(_at)?|date|timestamp)$", re.I
    ),
    "framework versions": lazy(
        r"(^|\.)(framework|frameworks|library_versions|libraries|dependencies|requirements|(sklearn|scikit-learn|torch|tensorflow|xgboost|lightgbm)(_version)?)$",
        re.I,
    ),
    "feature names": lazy(r"(^|\.)(features|feature_names|columns|inputs)$", re.I),
}


def _has_models(facts: Facts) -> bool:
    return bool(facts.models.artifacts or facts.models.saved_model_dirs or facts.models.dvc_files)


@check(
    id="model-metadata-present",
    title="Model metadata present",
    category="model-data",
    severity=Severity.MEDIUM,
    level=Level.SILVER,
    applies_when="the repository has model artifacts",
    remediation="Write a metadata file next to the model (training_results.json or model_metadata.json) with version, training date, framework versions and feature names.",
    seeds=("Model metadata includes feature names and versions",),
)
def model_metadata_present(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That metadata files next to the models (training_results.json, metrics.json, model_metadata.json,
    metadata.json, model_info.json, *.meta.json, or YAML equivalents) state, between them, the model
    version, the training date, the framework versions it was trained with, and its feature names
    (a features.json counts for the last one). It applies when the repository has models; model files
    under a `tests/`, `test/` or `testing/` folder are test fixtures and do not make it apply.

    ## Why it matters
    A pickle trained with scikit-learn 1.3 may load under 1.5 and predict differently; without the
    versions and the feature list nobody can tell which model is serving or reproduce it.

    ## How to fix
    Have the training script write the file it already knows everything for.

    ## Example
    ```json
    {"version": "1.4.2", "trained_on": "2026-11-02", "framework": {"scikit-learn": "1.5.2"}, "features": ["consumption_kwh", "..."]}
    ```
    """
    if not _has_models(facts):
        return not_applicable("No model artifacts.")
    meta = facts.model_meta
    keys = [path.rsplit("[", 1)[0] for f in meta.metadata for path, _ in walk(f.data)]
    found = {aspect for aspect, rx in _ASPECTS.items() if any(rx.search(k) for k in keys)}
    if meta.features:
        found.add("feature names")
    missing = [a for a in _ASPECTS if a not in found]
    if not meta.metadata:
        where = (
            facts.models.artifacts[0].path
            if facts.models.artifacts
            else (facts.models.dvc_files or facts.models.saved_model_dirs)[0]
        )
        return failed(
            "No model metadata file.",
            Hit(f"No metadata file next to the models (missing: {', '.join(missing)}).", (at(where),)),
        )
    if missing:
        return failed(
            f"Model metadata lacks {', '.join(missing)}.",
            Hit(
                f"No {', '.join(missing)} in {', '.join(f.path for f in meta.metadata[:3])}.",
                (at(meta.metadata[0].path, 1),),
            ),
        )
    return passed(
        f"Version, training date, framework versions and feature names in {', '.join(f.path for f in meta.metadata[:3])}."
    )


def _feature_list(data: object) -> list[object] | None:
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for key in ("features", "feature_names", "columns", "inputs", "properties"):
            value = data.get(key)
            if isinstance(value, list | dict):
                return list(value)
    return None


class FeatureOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    expected_count: int | None = Field(default=None, ge=1)
    """How many features the schema must define (e.g. 14 for a model like seed 001's)."""


@check(
    id="feature-schema-present",
    title="Feature schema shipped with the model",
    category="model-data",
    severity=Severity.MEDIUM,
    level=Level.BRONZE,
    applies_when="the repository has model artifacts",
    remediation="Commit features.json (the ordered feature names the model expects) beside the model.",
    options=FeatureOptions,
    seeds=("`features.json` (14 features defined)",),
)
def feature_schema_present(facts: Facts, options: FeatureOptions) -> Decision:
    """
    ## What it checks
    That a feature schema exists: features.json, feature_names.json, feature_schema.json,
    schema.json or input_schema (JSON, YAML or one name per line), or a `features` list in a
    metadata file, and, with the `expected_count` option, that it defines that many features.

    ## Why it matters
    The order and names of the features are the contract between the training pipeline and the
    serving code; a reordered column silently changes every prediction.

    ## How to fix
    Write the list at training time and validate requests against it.

    ## Example
    ```json
    {"features": ["consumption_kwh", "peak_ratio", "night_share"]}
    ```
    """
    if not _has_models(facts):
        return not_applicable("No model artifacts.")
    schemas = [(f.path, _feature_list(f.data)) for f in facts.model_meta.features]
    schemas += [(f.path, _feature_list(f.data)) for f in facts.model_meta.metadata if _feature_list(f.data)]
    schemas = [(p, s) for p, s in schemas if s]
    if not schemas:
        where = facts.models.artifacts[0].path if facts.models.artifacts else "features.json"
        return failed(
            "No feature schema.", Hit("No features.json or feature list next to the model.", (at(where),))
        )
    path, features = schemas[0]
    if options.expected_count is not None and len(features or []) != options.expected_count:
        return failed(
            f"{path} defines {count(len(features or []), 'feature')}; {options.expected_count} expected.",
            Hit(f"{len(features or [])} features, {options.expected_count} expected.", (at(path, 1),)),
        )
    return passed(f"{path} defines {count(len(features or []), 'feature')}.")


_CLASSIFICATION = lazy(
    r"(^|\.)(accuracy|precision|recall|f1(_score)?|roc_auc|auc|log_loss|confusion_matrix)$", re.I
)
_CLASS_KEYS = lazy(r"(^|\.)(classes|class_names|labels|id2label|label_map|target_names)$", re.I)


@check(
    id="class-names-present",
    title="Class names shipped with the model",
    category="model-data",
    severity=Severity.LOW,
    level=Level.SILVER,
    applies_when="the model is a classifier (its metrics are classification metrics)",
    remediation="Commit class_names.txt (one label per line, in output order) or a classes list in the metadata.",
    seeds=("Class names file (`class_names.txt`) included",),
)
def class_names_present(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    For a classifier (a metadata or metrics file reports accuracy, precision, recall, F1 or ROC AUC),
    that the class labels are written down: class_names.txt, classes.txt, labels.txt, id2label or a
    `classes`/`class_names`/`labels` key in the metadata.

    ## Why it matters
    A classifier outputs indices; without the list, "class 3" is whatever the serving code guesses,
    and a retrained model with a new class silently shifts every label.

    ## How to fix
    Save the label list with the model.

    ## Example
    ```text
    normal
    theft
    ```
    """
    keys = [path for f in facts.model_meta.metadata for path, _ in walk(f.data)]
    if not any(_CLASSIFICATION.search(k) for k in keys):
        return not_applicable("No classification metrics: not judged as a classifier.")
    if facts.model_meta.classes:
        return passed(f"Class names: {facts.model_meta.classes[0].path}.")
    if any(_CLASS_KEYS.search(k) for k in keys):
        return passed("Class names are in the model metadata.")
    where = facts.model_meta.metadata[0].path
    return failed(
        "The classifier's class names are not written down.",
        Hit("No class_names.txt or classes list for this classifier.", (at(where, 1),)),
    )


_CARD_SECTIONS = {
    "intended use": lazy(r"(intended|use|purpose|scope)", re.I),
    "metrics": lazy(r"(metric|evaluation|performance|results)", re.I),
    "limitations": lazy(r"(limitation|bias|risk|caveat|out.of.scope)", re.I),
}


@check(
    id="model-card-present",
    title="Model card present",
    category="model-data",
    severity=Severity.LOW,
    level=Level.GOLD,
    applies_when="the repository has model artifacts",
    remediation="Write MODEL_CARD.md with Intended use, Metrics and Limitations sections.",
    seeds=("Model documentation with metrics", "Known limitations documented"),
)
def model_card_present(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That a model card exists (MODEL_CARD.md, or a README with Hugging Face `model-index` front
    matter) and has sections on intended use, metrics (or evaluation) and limitations (or bias,
    risks).

    ## Why it matters
    The card is where the decision to ship the model is recorded: what it is for, how good it is on
    which data, and where it must not be used.

    ## How to fix
    Start from the three sections; link the metrics file.

    ## Example
    ```markdown
    ## Intended use
    ## Metrics
    ## Limitations
    ```
    """
    if not _has_models(facts):
        return not_applicable("No model artifacts.")
    cards = facts.model_meta.cards
    if not cards:
        return failed("No model card.", Hit("No MODEL_CARD.md.", (at("MODEL_CARD.md"),)))
    card = cards[0]
    missing = [name for name, rx in _CARD_SECTIONS.items() if not any(rx.search(h) for h in card.headings)]
    if missing:
        return failed(
            f"{card.path} has no {', '.join(missing)} section.",
            Hit(f"Missing sections: {', '.join(missing)}.", (at(card.path, 1),)),
        )
    return passed(f"{card.path} covers intended use, metrics and limitations.")


# -- metric floors ----------------------------------------------------------------------------------


class Floor(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    metric: str = Field(min_length=1)
    """A key (`roc_auc`, found at any depth) or a dotted path (`results.random_forest.roc_auc`)."""
    min: float | None = None
    max: float | None = None
    file: str | None = None
    """Only this metrics file (a path or a name); by default every metadata/metrics file."""
    max_drop: float | None = Field(default=None, ge=0)
    """The most the value may fall below the same value in the same file on the base commit."""


class FloorOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    floors: tuple[Floor, ...] = ()


@check(
    id="model-metrics-meet-floors",
    title="Model metrics meet their floors",
    category="model-data",
    severity=Severity.HIGH,
    level=Level.BRONZE,
    applies_when="metric floors are configured",
    remediation="Improve the model, or revisit the floor with the business owner; never lower it in the same pull request.",
    options=FloorOptions,
    seeds=(
        "Model performance meets business requirements (ROC-AUC > 0.95)",
        "ROC-AUC: >0.90 acceptable",
        "Precision: >0.95 acceptable",
        "Recall: >0.85 acceptable",
    ),
)
def model_metrics_meet_floors(facts: Facts, options: FloorOptions) -> Decision:
    """
    ## What it checks
    The metrics files the training run wrote (training_results.json, metrics.json, eval_results,
    ... JSON or YAML) against the floors in the config: each floor names a metric by key (found at
    any depth, every occurrence judged, so per-model and per-slice values all count) or by dotted
    path, a `min` and/or `max`, optionally the file, and optionally `max_drop`: how far the value may
    fall below the same value in the same file on the base commit (with a baseline: pull requests with
    the base in the clone, or `prodgate check --baseline REF`). Metrics files include MLflow's
    `mlruns/<experiment>/<run>/metrics/<name>` (the last value) and Hugging Face model-index results.
    Without floors nothing is judged; without a metrics file, a floor whose metric is in no file, or a
    drop that cannot be compared for want of a baseline, the outcome is missing_evidence.

    ## Why it matters
    "ROC-AUC above 0.90" is a release criterion; written into the config, a retrained model that
    misses it cannot merge unnoticed.

    ## How to fix
    Raise the metric, or change the floor in its own reviewed pull request.

    ## Example
    ```yaml
    checks:
      model-metrics-meet-floors:
        options:
          floors:
            - {metric: roc_auc, min: 0.90}
            - {metric: precision, min: 0.95}
            - {metric: recall, min: 0.85, max_drop: 0.02}
    ```
    """
    if not options.floors:
        return not_applicable(
            "No metric floors configured (checks.model-metrics-meet-floors.options.floors)."
        )
    files = facts.model_meta.metadata
    if not files:
        return Decision(
            Outcome.MISSING_EVIDENCE,
            "No metrics file (training_results.json, metrics.json, ...) in the repository.",
        )
    hits: list[Hit] = []
    unmatched: list[str] = []
    no_baseline: set[str] = set()
    base_values = (
        {(f.path, p): v for f in facts.base_metrics for p, v in walk(f.data)}
        if facts.base_metrics is not None
        else None
    )
    judged = 0
    for floor in options.floors:
        seen = False
        for f in files:
            if floor.file and not (f.path == floor.file or f.path.endswith("/" + floor.file)):
                continue
            for path, value in walk(f.data):
                if not (path == floor.metric or path.endswith("." + floor.metric)):
                    continue
                if isinstance(value, bool) or not isinstance(value, int | float):
                    continue
                seen = True
                judged += 1
                base = base_values.get((f.path, path)) if base_values is not None else None
                before = base if isinstance(base, int | float) and not isinstance(base, bool) else None
                # "roc_auc 0.912 → 0.897": the value on the base branch beside this one, when known
                change = f"{before:g} → {value:g}" if before is not None else f"{value:g}"
                low = floor.min is not None and value < floor.min
                high = floor.max is not None and value > floor.max
                if low or high:
                    bound = f"floor {floor.min:g}" if low else f"ceiling {floor.max:g}"
                    hits.append(
                        Hit(
                            f"{floor.metric} {change}, {bound} ({f.path}, {path})",
                            (at(f.path, f.line_of(path)),),
                        )
                    )
                if floor.max_drop is not None:
                    if base_values is None:
                        no_baseline.add(floor.metric)
                    elif before is not None and before - value > floor.max_drop + 1e-12:
                        hits.append(
                            Hit(
                                f"{floor.metric} {change}: dropped {before - value:.4g} against the base, at "
                                f"most {floor.max_drop:g} allowed ({f.path}, {path})",
                                (at(f.path, f.line_of(path)),),
                            )
                        )
        if not seen:
            unmatched.append(floor.metric)
    if hits:
        return failed(f"{count(len(hits), 'metric')} below {agree(len(hits), 'its', 'their')} floor.", *hits)
    if unmatched:
        return Decision(
            Outcome.MISSING_EVIDENCE,
            f"No value found for {', '.join(unmatched)} in {', '.join(f.path for f in files[:3])}.",
        )
    if no_baseline:
        return Decision(
            Outcome.MISSING_EVIDENCE,
            f"The floors are met, but {', '.join(sorted(no_baseline))} could not be compared with the base "
            "commit (no baseline: the base is not in the clone).",
        )
    return passed(f"{every(judged, 'metric value')} {agree(judged, 'meets its floor', 'meet their floors')}.")


# -- freshness and consistency -----------------------------------------------------------------------

_DATE_KEY = lazy(r"(^|\.)(trained_(on|at)|training_date|train_date|created(_at)?|date|timestamp)$", re.I)


class StaleOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    max_age_days: int = Field(default=180, ge=1)


@check(
    id="model-not-stale",
    title="Model trained recently enough",
    category="model-data",
    severity=Severity.LOW,
    level=Level.GOLD,
    applies_when="the repository has model artifacts",
    remediation="Retrain on recent data (and record the date), or raise max_age_days if the domain is stable.",
    options=StaleOptions,
)
def model_not_stale(facts: Facts, options: StaleOptions) -> Decision:
    """
    ## What it checks
    The training date recorded in the model metadata (trained_on, trained_at, training_date, date,
    created, timestamp; ISO 8601) against `max_age_days` (180 by default), as of the day of the run.
    Without a recorded date the outcome is missing_evidence.

    ## Why it matters
    Data drifts: a fraud or theft model trained a year ago is tuned to last year's behaviour, and
    nothing in the code shows it.

    ## How to fix
    Retrain, and have the training script write the date.

    ## Example
    ```json
    {"trained_on": "2026-11-02"}
    ```
    """
    if not _has_models(facts):
        return not_applicable("No model artifacts.")
    dates: list[tuple[date, str, str]] = []
    for f in facts.model_meta.metadata:
        for path, value in walk(f.data):
            if _DATE_KEY.search(path) and isinstance(value, str | date):
                parsed = _as_date(value)
                if parsed is not None:
                    dates.append((parsed, f.path, path))
    if not dates:
        return Decision(Outcome.MISSING_EVIDENCE, "No training date in the model metadata.")
    newest, path, key = max(dates)
    age = (facts.today - newest).days
    if age > options.max_age_days:
        return failed(
            f"The model was trained {age} days ago (limit {options.max_age_days}).",
            Hit(f"Trained on {newest} ({key}), {age} days ago.", (at(path, 1),)),
        )
    return passed(f"Trained {count(age, 'day')} ago ({newest}, {path}).")


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).date()
    except ValueError:
        return None


@check(
    id="serving-features-match-schema",
    title="Served features match the schema",
    category="model-data",
    severity=Severity.HIGH,
    level=Level.SILVER,
    confidence=Confidence.MEDIUM,
    applies_when="the serving code's request model names the features and a feature schema exists",
    remediation="Make the request model's fields the schema's features (generate one from the other).",
)
def serving_features_match_schema(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    Where the serving code declares a pydantic request model whose fields are the features (at
    least half of its fields are names from the feature schema), that it has every feature of the
    schema and no field the schema lacks. Request models that take a plain list of values cannot be
    compared statically and are not judged (medium confidence).

    ## Why it matters
    A feature renamed in training but not in the API is silently filled with a default, or dropped:
    predictions degrade with no error anywhere.

    ## How to fix
    Align the names; better, build the request model from features.json.

    ## Example
    ```python
    class Reading(BaseModel):
        consumption_kwh: float
        peak_ratio: float
    ```
    """
    schema: list[str] = []
    for f in facts.model_meta.features:
        values = _feature_names(f.data)
        if values:
            schema = values
            break
    if not schema:
        return not_applicable("No feature schema to compare with.")
    judged = []
    for model in facts.code.request_models:
        fields = model.detail.split()
        overlap = set(fields) & set(schema)
        if fields and len(overlap) * 2 >= len(fields):
            judged.append(model)
            missing = [x for x in schema if x not in fields]
            extra = [x for x in fields if x not in schema]
            if missing or extra:
                parts = ([f"missing {', '.join(missing)}"] if missing else []) + (
                    [f"unknown {', '.join(extra)}"] if extra else []
                )
                return failed(
                    "The request model does not match the feature schema.",
                    Hit(
                        f"Request fields differ from the schema: {'; '.join(parts)}.",
                        (at(model.path, model.line),),
                    ),
                )
    if not judged:
        return not_applicable(
            "No request model names the features (a list of values cannot be compared statically)."
        )
    return passed(
        f"{count(len(judged), 'request model')} {agree(len(judged), 'matches', 'match')} the schema's {count(len(schema), 'feature')}."
    )


def _feature_names(data: object) -> list[str]:
    listed = (
        data
        if isinstance(data, list)
        else (data.get("features") or data.get("feature_names"))
        if isinstance(data, dict)
        else None
    )
    if isinstance(listed, dict):
        listed = list(listed)
    if not isinstance(listed, list):
        return []
    return [str(x.get("name")) if isinstance(x, dict) else str(x) for x in listed]


@check(
    id="training-reproducible",
    title="Training seeded, pinned and its data versioned",
    category="model-data",
    severity=Severity.LOW,
    level=Level.GOLD,
    confidence=Confidence.LOW,
    applies_when="the repository has a training script",
    remediation="Seed every source of randomness, pin the training dependencies, and version the data (DVC, or a hash manifest).",
)
def training_reproducible(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    For training scripts (named for training, or that fit and save a model): that randomness is
    seeded (`random_state=`, `np.random.seed`, `torch.manual_seed`, `default_rng(seed)`, ...), that
    the dependencies are pinned or locked, and that data is versioned (DVC files or a hash manifest).
    Low confidence: reproducibility has more causes than a static read can see, and the result says
    which of the three it found.

    ## Why it matters
    A model nobody can retrain to the same numbers cannot be audited, debugged or safely improved.

    ## How to fix
    Add the seeds, lock the dependencies, track the data with DVC.

    ## Example
    ```python
    model = RandomForestClassifier(n_estimators=300, random_state=42)
    ```
    """
    scripts = facts.code.training_modules
    if not scripts:
        return not_applicable("No training script.")
    deps = facts.dependencies
    pinned = bool(deps.lock_files or deps.compiled_files) or (
        bool(deps.requirements) and all(d.pinned or d.constraint for d in deps.requirements)
    )
    missing = []
    if not facts.code.training_seeded:
        missing.append("no random seed")
    if not pinned:
        missing.append("dependencies not pinned")
    if not (facts.models.dvc_files or facts.models.manifests):
        missing.append("data not versioned (no DVC, no hash manifest)")
    if missing:
        return failed(
            f"Training may not be reproducible: {'; '.join(missing)}.",
            Hit(f"{'; '.join(missing).capitalize()}.", (at(scripts[0], 1),)),
        )
    return passed("Training seeds its randomness, pins its dependencies and versions its inputs.")
