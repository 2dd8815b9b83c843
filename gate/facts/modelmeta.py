"""Model metadata, feature schemas, class lists, model cards and metrics files, as plain data.

Found by name anywhere in the repository (tests excluded): training_results.json, metrics.json,
model_metadata.json, metadata.json, model_info.json, *.meta.json, *_metadata.json, *-metrics.json,
MLflow metric files (mlruns/<experiment>/<run>/metrics/<name>) and Hugging Face model-index results;
features.json and friends;
class_names.txt and friends; MODEL_CARD.md, or a README with Hugging Face `model-index` front matter.
"""

from __future__ import annotations

import re
from typing import Any

from msgspec import Struct

from gate.facts.docs import headings
from gate.facts.models import MODEL_SUFFIXES
from gate.facts.python import is_test_path
from gate.lazyre import lazy
from gate.snapshot import ParseError, Snapshot, YamlDocuments

METADATA_NAMES = lazy(
    r"^(training_results|train_results|metrics|eval_results|evaluation|model_metadata|metadata|model_info|model_config|results)(\.\w+)?\.(json|ya?ml)$|\.meta\.json$"
    # a model's own sidecar: random_forest_tuned_metadata.json, churn-v3-metrics.json
    r"|[_-](metadata|metrics|model_info)\.(json|ya?ml)$",
    re.I,
)
FEATURE_NAMES = lazy(
    r"^(features|feature_names|feature_schema|feature_list|schema|input_schema)\.(json|ya?ml|txt)$", re.I
)
CLASS_NAMES = lazy(r"^(class_names|classes|labels|label_map|id2label)\.(txt|json|ya?ml)$", re.I)
CARD_NAMES = lazy(r"^(model_card|modelcard|model-card)\.md$", re.I)


class DataFile(Struct, frozen=True):
    path: str
    data: Any
    text: str

    def line_of(self, path: str) -> int | None:
        """The line of a dotted path's last key, finding each key after the one before it."""
        pos, found = 0, None
        for key in re.sub(r"\[\d+\]", "", path).split("."):
            m = re.compile(rf"[\"']?{re.escape(key)}[\"']?\s*[:=]").search(self.text, pos)
            if m is None:
                break
            pos, found = m.end(), m.start()
        return self.text.count("\n", 0, found) + 1 if found is not None else None


class Card(Struct, frozen=True):
    path: str
    headings: tuple[str, ...]
    model_index: bool


class ModelMetaFacts(Struct, frozen=True):
    metadata: tuple[DataFile, ...]
    features: tuple[DataFile, ...]
    classes: tuple[DataFile, ...]
    cards: tuple[Card, ...]
    errors: tuple[ParseError, ...]


def _load(snap: Snapshot, rel: str, errors: list[ParseError]) -> DataFile | None:
    text = snap.text(rel)
    if text is None:
        return None
    if rel.endswith(".json"):
        data = snap.json(rel)
    elif rel.endswith((".yaml", ".yml")):
        docs = snap.yaml(rel)
        data = docs.data[0] if isinstance(docs, YamlDocuments) and docs.data else docs
    else:
        data = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if isinstance(data, ParseError):
        errors.append(data)
        return None
    return DataFile(rel, data, text)


def _front_matter(text: str) -> dict[str, Any]:
    if not text.startswith("---"):
        return {}
    end = text.find("\n---", 3)
    if end < 0:
        return {}
    import yaml  # a Markdown file's front matter: PyYAML only where a model card has one

    try:
        data = yaml.safe_load(text[3:end])
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


MLFLOW_METRIC = lazy(r"(?:^|/)mlruns/[^/]+/([^/]+)/metrics/([^/]+)$")
"""MLflow's file store: mlruns/<experiment>/<run>/metrics/<name>, lines of `timestamp value step`."""


def _mlflow_metric(snap: Snapshot, rel: str, m: re.Match[str]) -> DataFile | None:
    text = snap.text(rel) or ""
    last = [ln.split() for ln in text.splitlines() if ln.strip()]
    try:
        value = float(last[-1][1]) if last and len(last[-1]) >= 2 else None
    except ValueError:
        value = None
    if value is None:
        return None
    return DataFile(rel, {"mlflow": {m[1]: {m[2]: value}}}, text)


def _model_index_metrics(rel: str, text: str, front: dict[str, Any]) -> DataFile | None:
    """Hugging Face model-index results as {"model-index": {model: {metric type: value}}}."""
    found: dict[str, dict[str, float]] = {}
    entries = front.get("model-index")
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        name = str(entry.get("name", "model"))
        for result in entry.get("results") or []:
            for metric in (result.get("metrics") or []) if isinstance(result, dict) else []:
                if isinstance(metric, dict) and isinstance(metric.get("value"), int | float):
                    found.setdefault(name, {})[str(metric.get("type") or metric.get("name"))] = metric[
                        "value"
                    ]
    return DataFile(rel, {"model-index": found}, text) if found else None


# A file named config.* is model metadata only beside a model file (seed 003's models/config.yaml);
# anywhere else the name is far too common to mean that.
BESIDE_MODEL_NAMES = lazy(r"^(config|model)\.(json|ya?ml)$", re.I)


def collect_model_meta(snap: Snapshot) -> ModelMetaFacts:
    errors: list[ParseError] = []
    metadata, features, classes, cards = [], [], [], []
    model_dirs = {rel.rpartition("/")[0] for rel in snap.files if rel.lower().endswith(MODEL_SUFFIXES)}
    for rel in snap.files:
        if is_test_path(rel) or rel.startswith(".github/"):
            continue
        folder, _, name = rel.rpartition("/")
        beside_model = folder in model_dirs and BESIDE_MODEL_NAMES.match(name)
        if (METADATA_NAMES.search(name) or beside_model) and (f := _load(snap, rel, errors)):
            metadata.append(f)
        elif FEATURE_NAMES.match(name) and (f := _load(snap, rel, errors)):
            features.append(f)
        elif CLASS_NAMES.match(name) and (f := _load(snap, rel, errors)):
            classes.append(f)
        elif CARD_NAMES.match(name) or name.lower() == "readme.md":
            text = snap.text(rel) or ""
            front = _front_matter(text)
            index = "model-index" in front
            if CARD_NAMES.match(name) or index:
                cards.append(Card(rel, tuple(h.text for h in headings(text)), index))
            if index and (metrics := _model_index_metrics(rel, text, front)):
                metadata.append(metrics)
        elif (mlflow := MLFLOW_METRIC.search(rel)) and (f := _mlflow_metric(snap, rel, mlflow)):
            metadata.append(f)
    return ModelMetaFacts(tuple(metadata), tuple(features), tuple(classes), tuple(cards), tuple(errors))


def walk(data: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Every (dotted path, value) in nested JSON/YAML data."""
    out: list[tuple[str, Any]] = []
    if isinstance(data, dict):
        for k, v in data.items():
            path = f"{prefix}.{k}" if prefix else str(k)
            out.append((path, v))
            out.extend(walk(v, path))
    elif isinstance(data, list):
        for i, v in enumerate(data[:1000]):
            out.extend(walk(v, f"{prefix}[{i}]"))
    return out
