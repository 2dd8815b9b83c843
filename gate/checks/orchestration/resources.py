"""CPU and memory requests and the memory limit.

A checklist asks for requests and limits on separate lines as often as together ("Resource requests
set (CPU, memory)", "Resource limits set"): such a line is judged on what it names (gate/thresholds.py).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from gate.checks.base import Decision, Hit, check
from gate.checks.orchestration.common import (
    _at,
    _label,
    decide,
)
from gate.facts import Facts
from gate.lazyre import lazy
from gate.model import Level, Severity
from gate.wording import agree, every, listing

ResourceAspect = Literal["cpu-request", "memory-request", "memory-limit", "cpu-limit"]

NAMES: dict[ResourceAspect, str] = {
    "cpu-request": "requests.cpu",
    "memory-request": "requests.memory",
    "memory-limit": "limits.memory",
    "cpu-limit": "limits.cpu",
}
DEFAULT: tuple[ResourceAspect, ...] = ("cpu-request", "memory-request", "memory-limit")
_REQUEST = lazy(r"request", re.I)
_LIMIT = lazy(r"limit", re.I)
_CPU = lazy(r"\bcpus?\b", re.I)
_MEMORY = lazy(r"\bmemory\b|\bram\b", re.I)


def asked_resource_aspects(text: str) -> tuple[ResourceAspect, ...]:
    """What a checklist line names: requests, limits, or both, of CPU, memory or both ("Resource limits
    set": the memory limit, the one this check asks for; "CPU and memory limits": both limits)."""
    cpu, memory = bool(_CPU.search(text)), bool(_MEMORY.search(text))
    either = not cpu and not memory
    named: dict[ResourceAspect, bool] = {}
    if _REQUEST.search(text):
        named |= {"cpu-request": cpu or either, "memory-request": memory or either}
    if _LIMIT.search(text):
        # a limit of no named resource is the memory limit: a CPU limit is asked only by name
        named |= {"memory-limit": memory or either, "cpu-limit": cpu}
    found = {a for a, asked in named.items() if asked}
    return tuple(a for a in NAMES if a in found)


class ResourceOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    aspects: tuple[ResourceAspect, ...] = Field(default=DEFAULT, min_length=1)
    """What every container must set: CPU and memory requests and a memory limit by default (a CPU
    limit only when named); a checklist line that names some is judged on those."""


@check(
    id="k8s-resource-limits",
    title="Containers set resource requests and limits",
    category="orchestration",
    severity=Severity.MEDIUM,
    level=Level.BRONZE,
    applies_when="the repository has workloads",
    remediation="Set resources.requests.cpu, resources.requests.memory and resources.limits.memory on every container.",
    seeds=("Resource requests set (CPU, memory)", "Resource limits set"),
    options=ResourceOptions,
)
def k8s_resource_limits(facts: Facts, options: ResourceOptions) -> Decision:
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

    A checklist line is judged on what it names: "Resource requests set" on the two requests,
    "Resource limits set" on the memory limit, "CPU and memory limits" on both limits (a CPU limit is
    judged only when a line or the config names it). `aspects` narrows or widens the check itself
    (`cpu-request`, `memory-request`, `memory-limit`, `cpu-limit`).

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
    asked = [a for a in NAMES if a in options.aspects]
    for w in facts.kubernetes.workloads:
        for c in w.containers:
            judged += 1
            res = c.spec.get("resources") or {}
            requests = res.get("requests") or {} if isinstance(res, dict) else {}
            limits = res.get("limits") or {} if isinstance(res, dict) else {}
            # a limit without a request is also the request: Kubernetes defaults one to the other
            held = {
                "cpu-request": "cpu" in requests or "cpu" in limits,
                "memory-request": "memory" in requests or "memory" in limits,
                "memory-limit": "memory" in limits,
                "cpu-limit": "cpu" in limits,
            }
            missing = [NAMES[a] for a in asked if not held[a]]
            if missing:
                hits.append(Hit(f"{_label(w, c)} has no {', '.join(missing)}.", _at(w, c, "resources")))
    shown = [NAMES[a] for a in asked]
    return decide(
        facts,
        hits,
        (
            f"{every(judged, 'container')} {agree(judged, 'requests', 'request')} CPU and memory and "
            f"{agree(judged, 'limits', 'limit')} memory."
            if asked == list(DEFAULT)
            else f"{every(judged, 'container')} {agree(judged, 'sets', 'set')} {listing(shown)}."
        ),
        "Containers without resource settings",
        judged=judged,
        nothing="No workloads in the manifests.",
    )
