"""What the Kubernetes checks share: how they end, which workloads serve, where a container's keys
are, which HPA scales a workload and which selector picks which pods."""

from __future__ import annotations

from typing import Any

from gate.checks.base import Decision, Hit, at, conclude
from gate.facts import Facts
from gate.facts.kubernetes import SERVING_KINDS, Container, Manifest, OverlayReplicas, Workload
from gate.model import Location


def decide(facts: Facts, hits: list[Hit], ok: str, bad: str, *, judged: int, nothing: str) -> Decision:
    """How the manifest checks end: findings, unparsable files, and the templates read or skipped."""
    k8s = facts.kubernetes

    def listed(paths: tuple[str, ...]) -> str:
        return ", ".join(paths[:3]) + (" ..." if len(paths) > 3 else "")

    note = f" Templated files skipped: {listed(k8s.templated)}." if k8s.templated else ""
    if k8s.from_helm:
        note += f" Helm templates read with their chart's values.yaml, without Helm: {listed(k8s.from_helm)}."
    return conclude(
        hits,
        k8s.errors,
        what="manifest file",
        ok=ok,
        bad=bad,
        judged=bool(judged),
        nothing=nothing,
        note=note,
    )


def _serving(facts: Facts) -> list[Workload]:
    return [w for w in facts.kubernetes.workloads if w.manifest.kind in (*SERVING_KINDS, "DaemonSet")]


def _at(w: Workload, c: Container, *keys: str | int) -> tuple[Location, ...]:
    return (at(w.manifest.path, c.line_of(*keys) if keys else c.line),)


def _label(w: Workload, c: Container | None = None) -> str:
    name = f"{w.manifest.kind}/{w.manifest.name}"
    return f"{name} container {c.name}" if c else name


def _targets(hpa: Manifest) -> tuple[str, str]:
    ref = (hpa.data.get("spec") or {}).get("scaleTargetRef") or {}
    return str(ref.get("kind", "")), str(ref.get("name", ""))


def hpa_for(facts: Facts, w: Workload) -> Manifest | None:
    for hpa in facts.kubernetes.of_kind("HorizontalPodAutoscaler"):
        if hpa.namespace == w.manifest.namespace and _targets(hpa) == (w.manifest.kind, w.manifest.name):
            return hpa
    return None


def overlay_replicas(facts: Facts, w: Workload, more_than: int) -> OverlayReplicas | None:
    """The largest replica count above `more_than` that a Kustomize overlay of the workload's base
    sets. prodgate cannot tell which overlay is production; the largest is taken, since a base's
    default of one pod under a production overlay of three is not a one-pod service."""
    found = [
        o
        for o in facts.kubernetes.overlay_replicas
        if o.name == w.manifest.name and o.kind in ("", w.manifest.kind) and o.count > more_than
    ]
    return max(found, key=lambda o: (o.count, o.path, o.line)) if found else None


def selects(selector: Any, labels: dict[str, str]) -> bool:
    """A labelSelector's matchLabels (and simple In expressions) against pod labels; {} selects all."""
    if not isinstance(selector, dict):
        return False
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(str(k)) != str(v):
            return False
    for expr in selector.get("matchExpressions") or []:
        if not isinstance(expr, dict):
            return False
        key, op, values = (
            str(expr.get("key")),
            expr.get("operator"),
            [str(v) for v in expr.get("values") or []],
        )
        if (op == "In" and labels.get(key) not in values) or (op == "Exists" and key not in labels):
            return False
        if (op == "NotIn" and labels.get(key) in values) or (op == "DoesNotExist" and key in labels):
            return False
    return True


def _scalable(facts: Facts) -> list[Workload]:
    return [w for w in facts.kubernetes.workloads if w.manifest.kind in SERVING_KINDS]
