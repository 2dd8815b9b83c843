"""Who may talk to the pods: network policies both ways, TLS on ingresses."""

from __future__ import annotations

from typing import Any

from gate.checks.base import Decision, Hit, NoOptions, at, check
from gate.checks.orchestration.common import (
    _label,
    _serving,
    decide,
    selects,
)
from gate.facts import Facts
from gate.model import Confidence, Level, Severity
from gate.wording import agree, every


def _directions(spec: dict[str, Any]) -> set[str]:
    """The traffic a NetworkPolicy controls: its policyTypes, or by default Ingress, and Egress when it
    has an egress section (the API's own defaulting)."""
    types = spec.get("policyTypes")
    if isinstance(types, list):
        return {str(t).capitalize() for t in types}
    return {"Ingress"} | ({"Egress"} if "egress" in spec else set())


@check(
    id="k8s-network-policy",
    title="Network policies configured",
    category="orchestration",
    severity=Severity.MEDIUM,
    level=Level.SILVER,
    applies_when="the repository has workloads",
    remediation="Add a NetworkPolicy that selects the pods and allows only the ingress they need.",
    seeds=("Network policies configured",),
)
def k8s_network_policy(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That the pods of every long-running workload are selected by a NetworkPolicy in the same
    namespace (`podSelector: {}` selects all of them), and that the policies selecting them control
    both directions: a policy's `policyTypes` (without them, Ingress, plus Egress when it has an
    `egress` section). Pods whose policies control one direction only are reported at low severity,
    naming the open one. Peer: kube-score Pod NetworkPolicy.

    ## Why it matters
    Without a policy every pod in the cluster can call the model server, and the model server can
    call everything, including the metadata endpoint of the cloud provider. Egress control is what
    keeps a compromised model server from sending data out.

    ## How to fix
    Start from deny-all ingress for the namespace, then allow the ingress controller to the serving port.

    ## Example
    ```yaml
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    spec:
      podSelector: {matchLabels: {app: theft-risk}}
      policyTypes: [Ingress]
      ingress: [{from: [{namespaceSelector: {matchLabels: {name: ingress}}}], ports: [{port: 8000}]}]
    ```
    """
    policies = facts.kubernetes.of_kind("NetworkPolicy")
    hits: list[Hit] = []
    for w in _serving(facts):
        selecting = [
            p.data.get("spec") or {}
            for p in policies
            if p.namespace == w.manifest.namespace
            and selects((p.data.get("spec") or {}).get("podSelector"), w.labels)
        ]
        where = (at(w.manifest.path, w.manifest.line),)
        if not selecting:
            hits.append(Hit(f"No NetworkPolicy selects the pods of {_label(w)}.", where))
            continue
        covered = set().union(*(_directions(spec) for spec in selecting))
        if open_ := sorted({"Ingress", "Egress"} - covered):
            hits.append(
                Hit(
                    f"The NetworkPolicies that select the pods of {_label(w)} control "
                    f"{' and '.join(sorted(covered)) or 'no traffic'} only: {' and '.join(open_).lower()} is open.",
                    where,
                    severity=Severity.LOW,
                )
            )
    judged = len(_serving(facts))
    return decide(
        facts,
        hits,
        f"{every(judged, 'workload')} {agree(judged, 'is', 'are')} covered by a NetworkPolicy.",
        "Workloads not covered by a NetworkPolicy both ways",
        judged=judged,
        nothing="No long-running workloads.",
    )


@check(
    id="k8s-ingress-tls",
    title="Ingress serves TLS",
    category="orchestration",
    severity=Severity.HIGH,
    level=Level.BRONZE,
    confidence=Confidence.MEDIUM,
    applies_when="the repository has Ingress manifests",
    remediation="Add spec.tls with the hosts and a certificate Secret (cert-manager can issue it).",
    seeds=("TLS certificates configured",),
)
def k8s_ingress_tls(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That every Ingress has a `tls` section, and that it covers every host its rules name.
    TLS terminated before the cluster (a cloud load balancer) is invisible here, hence medium
    confidence.

    ## Why it matters
    Prediction requests carry customer data and API keys; over plain HTTP both travel in clear text.

    ## How to fix
    Add the tls block (cert-manager's annotation issues and renews the certificate).

    ## Example
    ```yaml
    tls:
      - hosts: [api.example.com]
        secretName: api-example-com-tls
    ```
    """
    hits: list[Hit] = []
    ingresses = facts.kubernetes.of_kind("Ingress")
    for ing in ingresses:
        spec = ing.data.get("spec") or {}
        tls = spec.get("tls") or []
        hosts = {str(r.get("host")) for r in spec.get("rules") or [] if isinstance(r, dict) and r.get("host")}
        covered = {str(h) for t in tls if isinstance(t, dict) for h in t.get("hosts") or []}
        if not tls:
            hits.append(Hit(f"Ingress/{ing.name} has no tls section.", (at(ing.path, ing.line),)))
        elif hosts - covered:
            hits.append(
                Hit(
                    f"Ingress/{ing.name} serves {', '.join(sorted(hosts - covered))} without TLS.",
                    (at(ing.path, ing.line_at("spec", "tls")),),
                )
            )
    return decide(
        facts,
        hits,
        f"{every(len(ingresses), 'Ingress', 'Ingresses')} {agree(len(ingresses), 'terminates', 'terminate')} TLS.",
        "Ingresses without TLS",
        judged=len(ingresses),
        nothing="No Ingress manifests.",
    )
