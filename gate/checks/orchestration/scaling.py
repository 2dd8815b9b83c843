"""How many pods run: replicas, autoscalers, disruption budgets."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from gate.checks.base import Decision, Hit, NoOptions, at, check
from gate.checks.orchestration.common import (
    _label,
    _scalable,
    decide,
    hpa_for,
    overlay_replicas,
    selects,
)
from gate.facts import Facts
from gate.model import Level, Severity
from gate.wording import agree, every
from gate.wording import count as plural_count


class ReplicaOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    min_replicas: int = Field(default=2, ge=1)


@check(
    id="k8s-replicas",
    title="More than one replica",
    category="orchestration",
    severity=Severity.MEDIUM,
    level=Level.SILVER,
    applies_when="the repository has Deployments or StatefulSets",
    remediation="Run at least two replicas (spec.replicas, or the HPA's minReplicas).",
    options=ReplicaOptions,
    seeds=("Redundant instances deployed",),
)
def k8s_replicas(facts: Facts, options: ReplicaOptions) -> Decision:
    """
    ## What it checks
    That every Deployment and StatefulSet runs at least `min_replicas` (default 2) pods: its
    `spec.replicas`, or the `minReplicas` of the HorizontalPodAutoscaler that scales it (the HPA
    overrides replicas). Both default to 1 when absent. A Kustomize overlay of the workload's base that
    sets enough replicas (a strategic-merge patch, or the kustomization's `replicas:` list) makes up
    for a base's default: prodgate cannot tell which overlay is production, so the largest count counts
    (and a production overlay that lowers a base's count is not seen).
    Peer: kube-score deployment-replicas.

    ## Why it matters
    With one replica every node drain, rollout or crash is an outage, and the PodDisruptionBudget
    cannot protect anything.

    ## How to fix
    Raise replicas or the HPA's minReplicas.

    ## Example
    ```yaml
    spec:
      minReplicas: 2
      maxReplicas: 6
    ```
    """
    hits: list[Hit] = []
    for w in _scalable(facts):
        hpa = hpa_for(facts, w)
        if hpa is not None:
            count = int((hpa.data.get("spec") or {}).get("minReplicas") or 1)
            where = at(hpa.path, hpa.line_at("spec", "minReplicas"))
            source = f"HorizontalPodAutoscaler/{hpa.name} minReplicas"
        else:
            count = int((w.manifest.data.get("spec") or {}).get("replicas") or 1)
            where = at(w.manifest.path, w.manifest.line_at("spec", "replicas"))
            source = "replicas"
        if count < options.min_replicas and overlay_replicas(facts, w, options.min_replicas - 1) is None:
            hits.append(
                Hit(
                    f"{_label(w)} runs {plural_count(count, 'pod')} ({source}); at least {options.min_replicas} expected.",
                    (where,),
                )
            )
    judged = len(_scalable(facts))
    return decide(
        facts,
        hits,
        f"{every(judged, 'Deployment or StatefulSet', 'Deployments and StatefulSets')} {agree(judged, 'runs', 'run')} at least {plural_count(options.min_replicas, 'pod')}.",
        "Workloads with a single pod",
        judged=judged,
        nothing="No Deployment or StatefulSet.",
    )


@check(
    id="k8s-hpa-present",
    title="HorizontalPodAutoscaler configured",
    category="orchestration",
    severity=Severity.LOW,
    level=Level.GOLD,
    applies_when="the repository has Deployments or StatefulSets",
    remediation="Add a HorizontalPodAutoscaler whose scaleTargetRef names the Deployment.",
    seeds=("HorizontalPodAutoscaler configured", "Auto-scaling policies configured"),
)
def k8s_hpa_present(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That each Deployment and StatefulSet is the `scaleTargetRef` of a HorizontalPodAutoscaler in the
    same namespace, and that a workload an HPA scales does not also set `spec.replicas` (reported at
    low severity: every `kubectl apply` resets the count the HPA chose, so a deploy at noon drops to
    the manifest's number of pods). Peer: kube-score HorizontalPodAutoscaler has target, Deployment
    targeted by HPA does not have replicas configured.

    ## Why it matters
    Inference load follows business hours and batch jobs; a fixed replica count is either wasted
    money at night or timeouts at noon.

    ## How to fix
    Add an autoscaling/v2 HPA on CPU (or a custom metric such as request latency).

    ## Example
    ```yaml
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    spec:
      scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: theft-risk}
      minReplicas: 2
      maxReplicas: 6
    ```
    """
    hits: list[Hit] = []
    for w in _scalable(facts):
        hpa = hpa_for(facts, w)
        if hpa is None:
            hits.append(
                Hit(
                    f"No HorizontalPodAutoscaler scales {_label(w)}.", (at(w.manifest.path, w.manifest.line),)
                )
            )
        elif "replicas" in (w.manifest.data.get("spec") or {}):
            line = w.manifest.line_at("spec", "replicas")
            message = (
                f"{_label(w)} sets replicas, which every apply resets over what {hpa.kind}/{hpa.name} chose."
            )
            hits.append(Hit(message, (at(w.manifest.path, line),), severity=Severity.LOW))
    judged = len(_scalable(facts))
    return decide(
        facts,
        hits,
        f"{every(judged, 'Deployment or StatefulSet', 'Deployments and StatefulSets')} {agree(judged, 'is', 'are')} autoscaled.",
        "Workloads without an autoscaler, or fighting it",
        judged=judged,
        nothing="No Deployment or StatefulSet.",
    )


@check(
    id="k8s-pdb-present",
    title="Pod disruption budget configured",
    category="orchestration",
    severity=Severity.LOW,
    level=Level.GOLD,
    applies_when="the repository has Deployments or StatefulSets",
    remediation="Add a PodDisruptionBudget (minAvailable: 1 or maxUnavailable: 1) selecting the workload's pods.",
    seeds=("Pod disruption budget configured",),
)
def k8s_pdb_present(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That the pods of each Deployment and StatefulSet are selected by a PodDisruptionBudget in the same
    namespace (its matchLabels and matchExpressions against the pod template's labels). Peer:
    kube-score deployment-has-poddisruptionbudget.

    ## Why it matters
    A node upgrade drains nodes one after another; without a budget it may evict every replica of the
    model server at once.

    ## How to fix
    Add a PDB with the same selector as the Deployment.

    ## Example
    ```yaml
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    spec:
      maxUnavailable: 1
      selector: {matchLabels: {app: theft-risk}}
    ```
    """
    pdbs = facts.kubernetes.of_kind("PodDisruptionBudget")
    hits = [
        Hit(
            f"No PodDisruptionBudget selects the pods of {_label(w)}.",
            (at(w.manifest.path, w.manifest.line),),
        )
        for w in _scalable(facts)
        if not any(
            p.namespace == w.manifest.namespace
            and selects((p.data.get("spec") or {}).get("selector"), w.labels)
            for p in pdbs
        )
    ]
    judged = len(_scalable(facts))
    return decide(
        facts,
        hits,
        f"{every(judged, 'Deployment or StatefulSet', 'Deployments and StatefulSets')} {agree(judged, 'has', 'have')} a disruption budget.",
        "Workloads without a disruption budget",
        judged=judged,
        nothing="No Deployment or StatefulSet.",
    )
