"""Facts from plain Kubernetes manifests: workloads and their containers, with the lines they sit on.

Every .yaml/.yml document with `apiVersion` and `kind` is a manifest (multi-document files included).
A Helm chart's templates are read with the chart's values.yaml (gate.facts.helm: an approximation,
line for line, without running Helm) and listed as read that way. Other templated files (anything
with `{{ }}` outside a chart, or a template too intricate to read) are not YAML until rendered: they
are listed as skipped with that reason, never reported as parse errors. Workflows and compose files
are other collectors' business.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Any

import msgspec

from gate.facts.helm import Chart, chart_of, render
from gate.lazyre import lazy
from gate.snapshot import ParseError, ParseFailure, Snapshot, YamlDocuments, parse_yaml_text
from gate.yamlpath import Mapping, Node, Sequence, line_of

# DeploymentConfig: OpenShift's Deployment (apps.openshift.io), with the same pod template
WORKLOAD_KINDS = (
    "Deployment",
    "DeploymentConfig",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Pod",
    "Job",
    "CronJob",
)
SERVING_KINDS = ("Deployment", "DeploymentConfig", "StatefulSet")


@dataclass(frozen=True)
class Container:
    name: str
    spec: dict[str, Any]
    line: int
    init: bool = False

    def line_of(self, *keys: str | int) -> int:
        return self._lines.get(keys, self.line)

    _lines: dict[tuple[str | int, ...], int] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Manifest:
    path: str
    line: int
    kind: str
    name: str
    namespace: str
    data: dict[str, Any]
    node: Node = field(compare=False, repr=False)

    def line_at(self, *loc: str | int) -> int:
        return line_of(self.node, loc)


class Workload(msgspec.Struct, frozen=True):
    manifest: Manifest
    pod_spec: dict[str, Any]
    pod_path: tuple[str, ...]
    """Where the pod spec sits in the manifest (spec.template.spec, spec.jobTemplate.spec.template.spec, ...)."""
    labels: dict[str, str]
    containers: tuple[Container, ...]


class OverlayReplicas(msgspec.Struct, frozen=True):
    """A replica count a Kustomize overlay sets for a workload of its base, by the base's name: a
    strategic-merge patch's `spec.replicas`, or an entry of the kustomization's `replicas:` list (which
    names no kind: `kind` is then empty)."""

    kind: str
    name: str
    count: int
    path: str
    line: int


@dataclass(frozen=True)
class KubernetesFacts:
    manifests: tuple[Manifest, ...]
    workloads: tuple[Workload, ...]
    errors: tuple[ParseError, ...]
    templated: tuple[str, ...]
    patches: tuple[str, ...] = ()
    """Kustomize patch files: partial manifests by design, not judged on their own."""
    from_helm: tuple[str, ...] = ()
    """Helm templates read with their chart's values.yaml (an approximation: see gate.facts.helm)."""
    overlay_replicas: tuple[OverlayReplicas, ...] = ()
    """Replica counts Kustomize overlays give their bases' workloads (patches and `replicas:`)."""

    def of_kind(self, kind: str) -> list[Manifest]:
        return list(self._by_kind.get(kind, ()))

    @property
    def _by_kind(self) -> dict[str, list[Manifest]]:
        cached: dict[str, list[Manifest]] | None = self.__dict__.get("_kinds")
        if cached is None:
            cached = {}
            for m in self.manifests:
                cached.setdefault(m.kind, []).append(m)
            object.__setattr__(self, "_kinds", cached)
        return cached


_POD_PATHS = {
    "Pod": ("spec",),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}


def _dig(data: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


# a JSON file whose object declares a Kubernetes apiVersion and kind near its start (JSON is YAML)
_JSON_MANIFEST = lazy(
    r'\s*\{(?=[^{]{0,2000}?"apiVersion"\s*:\s*"(?:[a-z0-9.-]+/)?v\d+(?:(?:alpha|beta)\d+)?")'
    r'(?=[^{]{0,2000}?"kind"\s*:\s*"[A-Z])'
)


def _looks_templated(rel: str, text: str) -> bool:
    return "{{" in text or ("/templates/" in f"/{rel}" and rel.endswith((".yaml", ".yml", ".tpl")))


def _is_other_yaml(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return (
        rel.startswith(".github/")
        or name.startswith(("docker-compose", "compose.", "compose-"))
        or name
        in (
            ".pre-commit-config.yaml",
            ".pre-commit-hooks.yaml",
            "mkdocs.yml",
            ".gitlab-ci.yml",
            "action.yml",
            "action.yaml",
        )
    )


def _kustomize_patches(snap: Snapshot) -> set[str]:
    patches: set[str] = set()
    for rel in snap.named("kustomization.yaml", "kustomization.yml", "Kustomization"):
        docs = snap.yaml(rel)
        if not isinstance(docs, YamlDocuments) or not docs.data or not isinstance(docs.data[0], dict):
            continue
        data = docs.data[0]
        entries: list[Any] = list(data.get("patchesStrategicMerge") or [])
        entries += [p.get("path") if isinstance(p, dict) else p for p in data.get("patches") or []]
        entries += [p.get("path") for p in data.get("patchesJson6902") or [] if isinstance(p, dict)]
        for entry in entries:
            if isinstance(entry, str) and "\n" not in entry:
                patches.add(posixpath.normpath(posixpath.join(posixpath.dirname(rel), entry)))
    return patches


def _overlay_replicas(snap: Snapshot, patches: set[str]) -> list[OverlayReplicas]:
    found: list[OverlayReplicas] = []
    for rel in snap.named("kustomization.yaml", "kustomization.yml", "Kustomization"):
        docs = snap.yaml(rel)
        if not isinstance(docs, YamlDocuments) or not docs.data or not isinstance(docs.data[0], dict):
            continue
        for i, entry in enumerate(docs.data[0].get("replicas") or []):
            if isinstance(entry, dict) and isinstance(entry.get("count"), int) and entry.get("name"):
                line = line_of(docs.nodes[0], ("replicas", i))
                found.append(OverlayReplicas("", str(entry["name"]), entry["count"], rel, line))
    for rel in sorted(patches):
        docs = snap.yaml(rel) if snap.has(rel) else None
        if not isinstance(docs, YamlDocuments):
            continue
        for data, node in zip(docs.data, docs.nodes, strict=True):
            if not isinstance(data, dict) or data.get("kind") not in WORKLOAD_KINDS:
                continue
            count = (data.get("spec") or {}).get("replicas") if isinstance(data.get("spec"), dict) else None
            name = (
                (data.get("metadata") or {}).get("name") if isinstance(data.get("metadata"), dict) else None
            )
            if isinstance(count, int) and not isinstance(count, bool) and name:
                line = line_of(node, ("spec", "replicas"))
                found.append(OverlayReplicas(str(data["kind"]), str(name), count, rel, line))
    return found


def _charts(snap: Snapshot) -> dict[str, Chart]:
    """Every chart by its folder, with its name, versions and values.yaml."""
    charts: dict[str, Chart] = {}
    for rel in snap.named("Chart.yaml"):
        docs = snap.yaml(rel)
        meta = (
            docs.data[0]
            if isinstance(docs, YamlDocuments) and docs.data and isinstance(docs.data[0], dict)
            else {}
        )
        root = posixpath.dirname(rel)
        values_docs = snap.yaml(posixpath.join(root, "values.yaml")) if root else snap.yaml("values.yaml")
        values = values_docs.data[0] if isinstance(values_docs, YamlDocuments) and values_docs.data else {}
        charts[root] = Chart(
            root,
            str(meta.get("name", posixpath.basename(root) or "chart")),
            values if isinstance(values, dict) else {},
            str(meta.get("version", "0.0.0")),
            str(meta.get("appVersion", "")),
        )
    return charts


def _helm_documents(rel: str, text: str, charts: dict[str, Chart]) -> YamlDocuments | None:
    chart = chart_of(rel, charts)
    try:
        rendered = render(text, chart) if chart else None
        return parse_yaml_text(rendered) if rendered is not None else None
    except (ParseFailure, RecursionError):  # values nested past what can be written out: unjudged
        return None


def _documents(docs: YamlDocuments) -> list[tuple[Node, Any]]:
    """Each document, and for kubectl's `kind: List` each of its items, with its own node (so
    findings point at the item's lines)."""
    found: list[tuple[Node, Any]] = []
    for node, data in zip(docs.nodes, docs.data, strict=True):
        if not (isinstance(data, dict) and data.get("kind") == "List" and isinstance(node, Mapping)):
            found.append((node, data))
            continue
        items = next((v for k, v in node.value if getattr(k, "value", None) == "items"), None)
        values = data.get("items")
        if isinstance(items, Sequence) and isinstance(values, list) and len(values) == len(items.value):
            found.extend(zip(items.value, values, strict=True))
    return found


def collect_kubernetes(snap: Snapshot) -> KubernetesFacts:
    manifests: list[Manifest] = []
    errors: list[ParseError] = []
    templated: list[str] = []
    from_helm: list[str] = []
    patches = _kustomize_patches(snap)
    charts = _charts(snap)
    for rel in snap.with_suffix(".yaml", ".yml", ".json"):
        if _is_other_yaml(rel) or rel in patches:
            continue
        text = snap.text(rel)
        if rel.endswith(".json") and not (text and _JSON_MANIFEST.match(text)):
            continue  # package.json, model metadata: JSON that is not a Kubernetes object
        if text is None:
            big = snap.unread(rel)
            head = snap.head(rel) if big else ""
            if big and "apiVersion" in head and "kind" in head:
                errors.append(big)
            continue
        if "apiVersion" not in text or "kind" not in text:
            continue
        docs: YamlDocuments | ParseError | None
        if _looks_templated(rel, text):
            docs = _helm_documents(rel, text, charts)
            if docs is None:
                templated.append(rel)
                continue
            from_helm.append(rel)
        else:
            docs = snap.yaml(rel)
        if isinstance(docs, ParseError):
            errors.append(docs)
            continue
        if not isinstance(docs, YamlDocuments):
            continue
        for node, data in _documents(docs):
            if (
                not isinstance(data, dict)
                or "apiVersion" not in data
                or not isinstance(data.get("kind"), str)
            ):
                continue
            meta_raw = data.get("metadata")
            meta: dict[str, Any] = meta_raw if isinstance(meta_raw, dict) else {}
            manifests.append(
                Manifest(
                    path=rel,
                    line=node.line + 1,
                    kind=data["kind"],
                    name=str(meta.get("name", "")),
                    namespace=str(meta.get("namespace", "default")),
                    data=data,
                    node=node,
                )
            )
    workloads = [w for m in manifests if (w := _workload(m)) is not None]
    return KubernetesFacts(
        tuple(manifests),
        tuple(workloads),
        tuple(errors),
        tuple(templated),
        tuple(sorted(patches)),
        tuple(from_helm),
        tuple(_overlay_replicas(snap, patches)),
    )


def _workload(m: Manifest) -> Workload | None:
    if m.kind not in WORKLOAD_KINDS:
        return None
    pod_path = _POD_PATHS.get(m.kind, ("spec", "template", "spec"))
    pod = _dig(m.data, pod_path)
    if not isinstance(pod, dict):
        return None
    label_path = ("metadata", "labels") if m.kind == "Pod" else (*pod_path[:-1], "metadata", "labels")
    labels = _dig(m.data, label_path)
    containers: list[Container] = []
    for key, init in (("containers", False), ("initContainers", True)):
        for i, spec in enumerate(pod.get(key) or []):
            if not isinstance(spec, dict):
                continue
            base: tuple[str | int, ...] = (*pod_path, key, i)
            lines: dict[tuple[str | int, ...], int] = {
                (k,): m.line_at(*base, k)
                for k in ("image", "livenessProbe", "readinessProbe", "resources", "securityContext", "env")
                if k in spec
            }
            for j in range(len(spec.get("env") or [])):
                lines[("env", j)] = m.line_at(*base, "env", j)
            containers.append(Container(str(spec.get("name", f"#{i}")), spec, m.line_at(*base), init, lines))
    return Workload(m, pod, pod_path, {str(k): str(v) for k, v in (labels or {}).items()}, tuple(containers))
