"""CPU and memory requests and the memory limit."""

from __future__ import annotations

from gate.checks.base import Decision, Hit, NoOptions, check
from gate.checks.orchestration.common import (
    _at,
    _label,
    decide,
)
from gate.facts import Facts
from gate.model import Level, Severity
from gate.wording import agree, every


@check(
    id="k8s-resource-limits",
    title="Containers set resource requests and limits",
    category="orchestration",
    severity=Severity.MEDIUM,
    level=Level.BRONZE,
    applies_when="the repository has workloads",
    remediation="Set resources.requests.cpu, resources.requests.memory and resources.limits.memory on every container.",
    seeds=("Resource requests set (CPU, memory)", "Resource limits set"),
)
def k8s_resource_limits(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That every container (init containers included) requests CPU and memory and sets a memory limit.
    A limit set without a request counts as both: Kubernetes then requests what the limit says.
    A CPU limit is not required: it throttles a model server at the worst moment, and many platform
    teams advise against it. Peers: Checkov CKV_K8S_10 to CKV_K8S_13, kube-score Container Resources.

    Differs from Checkov CKV_K8S_11 and kube-score Container Resources (in its default setting) on
    purpose: both ask for a CPU limit; kube-score's own `--ignore-container-cpu-limit` matches this
    check. Differs from kube-score Container Resources also on limits without requests: kube-score
    warns; here they pass, because the API server sets each missing request to its limit, so the
    scheduler does reserve them.

    ## Why it matters
    Without requests the scheduler packs model servers onto a node until they evict each other; without
    a memory limit one leaking worker takes the node's memory from everything else on it.

    ## How to fix
    Measure the container's steady use under load and set requests near it, the memory limit above it.

    ## Example
    ```yaml
    resources:
      requests: {cpu: 500m, memory: 1Gi}
      limits: {memory: 2Gi}
    ```
    """
    hits: list[Hit] = []
    judged = 0
    for w in facts.kubernetes.workloads:
        for c in w.containers:
            judged += 1
            res = c.spec.get("resources") or {}
            requests = res.get("requests") or {} if isinstance(res, dict) else {}
            limits = res.get("limits") or {} if isinstance(res, dict) else {}
            # a limit without a request is also the request: Kubernetes defaults one to the other
            missing = [f"requests.{k}" for k in ("cpu", "memory") if k not in requests and k not in limits]
            missing += ["limits.memory"] if "memory" not in limits else []
            if missing:
                hits.append(Hit(f"{_label(w, c)} has no {', '.join(missing)}.", _at(w, c, "resources")))
    return decide(
        facts,
        hits,
        f"{every(judged, 'container')} {agree(judged, 'requests', 'request')} CPU and memory and {agree(judged, 'limits', 'limit')} memory.",
        "Containers without resource settings",
        judged=judged,
        nothing="No workloads in the manifests.",
    )
