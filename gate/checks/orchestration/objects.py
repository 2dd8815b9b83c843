"""The Kubernetes objects a workload needs, present and pointing at each other: Services that select its
pods, an Ingress on an existing Service, the ConfigMaps, claims and Secrets it names, image pull
secrets for a private registry, a namespace, quotas, RBAC and a service account of its own.

A go-live checklist lists them one per line ("ConfigMaps created", "Service accounts configured").
One check decides them from the manifests; which aspects it asks for comes from the team's config or,
for a checklist line, from the line's own words (gate/thresholds.py).
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from gate.checks.base import Decision, Hit, at, check, failed, not_applicable, passed
from gate.facts import Facts
from gate.facts.kubernetes import Workload
from gate.lazyre import lazy
from gate.model import Level, Outcome, Severity
from gate.wording import agree, count

ObjectAspect = Literal[
    "services",
    "ingress",
    "configmaps",
    "claims",
    "secrets",
    "pull-secrets",
    "namespace",
    "quotas",
    "rbac",
    "service-accounts",
    "spread",
    "startup-probe",
    "private-registry",
]
NAMES: dict[ObjectAspect, str] = {
    "services": "a Service selecting each workload's pods",
    "ingress": "an Ingress routing to an existing Service",
    "configmaps": "the ConfigMaps the workloads name",
    "claims": "the PersistentVolumeClaims the workloads name",
    "secrets": "the Secrets the workloads name",
    "pull-secrets": "image pull secrets for private registries",
    "namespace": "a namespace of the service's own",
    "quotas": "a ResourceQuota or LimitRange",
    "rbac": "a Role bound to the workloads' service account",
    "service-accounts": "a service account of the workloads' own",
    "spread": "replicas spread by affinity or topology constraints",
    "startup-probe": "a startup probe (or a liveness delay) before the liveness probe counts",
    "private-registry": "images pulled from a private registry",
}
_ASKED: tuple[tuple[ObjectAspect, re.Pattern[str]], ...] = (
    ("pull-secrets", lazy(r"pull secret", re.I)),
    ("configmaps", lazy(r"config ?maps?", re.I)),
    ("claims", lazy(r"persistent ?volume ?claims?|\bpvcs?\b", re.I)),
    ("services", lazy(r"\bservices? (created|defined|configured)\b|loadbalancer|clusterip", re.I)),
    ("ingress", lazy(r"\bingress (created|configured|defined)\b", re.I)),
    ("namespace", lazy(r"namespaces? (created|defined|configured)", re.I)),
    ("quotas", lazy(r"resource quotas?|limit ?ranges?", re.I)),
    ("rbac", lazy(r"\brbac\b|\broles? (configured|defined|created)", re.I)),
    ("service-accounts", lazy(r"service ?accounts?", re.I)),
    ("secrets", lazy(r"^\W*secrets? (created|defined|configured)", re.I)),
    ("spread", lazy(r"affinity|topology spread|spread across", re.I)),
    ("startup-probe", lazy(r"startup probes?", re.I)),
    ("private-registry", lazy(r"private (container |image |docker )?registr", re.I)),
)
_PUBLIC_REGISTRIES = (
    "docker.io/",
    "registry.k8s.io/",
    "quay.io/",
    "gcr.io/distroless",
    "mcr.microsoft.com/",
    "public.ecr.aws/",
)


def asked_object_aspects(text: str) -> tuple[ObjectAspect, ...]:
    return tuple(a for a, rx in _ASKED if rx.search(text))


class ObjectOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    aspects: tuple[ObjectAspect, ...] = ()
    """What the manifests must hold. None by default: a checklist line asks for its own."""


def _names(kube_objects: list[Any]) -> set[str]:
    return {m.name for m in kube_objects}


def _refs(value: Any, key: str, field: str = "name") -> list[str]:
    """Every `field` under a `key` anywhere in a spec (configMapRef.name, persistentVolumeClaim.claimName)."""
    found: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for k, v in item.items():
                if k == key and isinstance(v, dict) and isinstance(v.get(field), str):
                    found.append(v[field])
                stack.append(v)
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _private(image: str) -> bool:
    first = image.split("/", 1)[0]
    if "/" not in image or not ("." in first or ":" in first or first == "localhost"):
        return False  # Docker Hub
    return not image.startswith(_PUBLIC_REGISTRIES)


Verdict = tuple[str, str, tuple[str, int] | None]
"""(met | missing | moot | unsure, said, place)"""


def _judge(facts: Facts, aspect: ObjectAspect, workloads: list[Workload]) -> Verdict:
    kube = facts.kubernetes
    first = (workloads[0].manifest.path, workloads[0].manifest.line) if workloads else None
    if aspect == "services":
        services = kube.of_kind("Service")
        for w in workloads:
            if w.manifest.kind in ("Job", "CronJob"):
                continue
            selecting = [
                s
                for s in services
                if isinstance((s.data.get("spec") or {}).get("selector"), dict)
                and (s.data["spec"]["selector"].items() <= w.labels.items())
            ]
            if not selecting:
                return (
                    "missing",
                    f"no Service selects the pods of {w.manifest.kind} {w.manifest.name}",
                    (w.manifest.path, w.manifest.line),
                )
        return "met", f"{count(len(services), 'Service')} select the workloads' pods", None
    if aspect == "ingress":
        ingresses = kube.of_kind("Ingress")
        if not ingresses:
            return "missing", "no Ingress", first
        service_names = _names(kube.of_kind("Service"))
        for ing in ingresses:
            for name in _refs(ing.data.get("spec"), "service"):
                if name not in service_names:
                    return (
                        "missing",
                        f"Ingress {ing.name} routes to Service {name}, which no manifest defines",
                        (ing.path, ing.line),
                    )
        return "met", f"Ingress {ingresses[0].name} routes to a defined Service", None
    if aspect in ("configmaps", "claims", "secrets"):
        key_kinds = {
            "configmaps": (
                (("configMapRef", "name"), ("configMapKeyRef", "name"), ("configMap", "name")),
                ("ConfigMap",),
            ),
            "claims": ((("persistentVolumeClaim", "claimName"),), ("PersistentVolumeClaim",)),
            "secrets": (
                (("secretRef", "name"), ("secretKeyRef", "name"), ("secret", "secretName")),
                ("Secret", "SealedSecret", "ExternalSecret"),
            ),
        }[aspect]
        defined = {m.name for kind in key_kinds[1] for m in kube.of_kind(kind)}
        if aspect == "claims":
            defined |= {
                str((t.get("metadata") or {}).get("name"))
                for w in workloads
                for t in (w.manifest.data.get("spec") or {}).get("volumeClaimTemplates") or []
                if isinstance(t, dict)
            }
        named = sorted(
            {n for w in workloads for key, field in key_kinds[0] for n in _refs(w.pod_spec, key, field)}
        )
        if aspect == "secrets":
            named = [n for n in named if n not in _tls_secrets(kube)]
        if not named:
            return "moot", f"the workloads name no {key_kinds[1][0]}", None
        absent = [n for n in named if n not in defined]
        if absent:
            state = "unsure" if aspect == "secrets" else "missing"
            return state, f"{', '.join(absent)} named but not defined in the repository", first
        return "met", f"{', '.join(named)} defined", None
    if aspect == "pull-secrets":
        images = [(w, str(c.spec.get("image") or "")) for w in workloads for c in w.containers]
        private = [(w, image) for w, image in images if image and _private(image)]
        if not private:
            return "moot", "no image comes from a private registry", None
        account_of = {m.name: m for m in kube.of_kind("ServiceAccount")}
        for w, image in private:
            own = w.pod_spec.get("imagePullSecrets")
            account = account_of.get(str(w.pod_spec.get("serviceAccountName", "")))
            if not own and not (account and account.data.get("imagePullSecrets")):
                return (
                    "missing",
                    f"{w.manifest.name} pulls {image} without imagePullSecrets",
                    (w.manifest.path, w.manifest.line),
                )
        return "met", "every private image has a pull secret", None
    if aspect == "namespace":
        if kube.of_kind("Namespace"):
            return "met", f"Namespace {kube.of_kind('Namespace')[0].name}", None
        spaces = {w.manifest.namespace for w in workloads}
        if workloads and spaces and all(s and s != "default" for s in spaces):
            return "met", f"the workloads run in namespace {sorted(spaces)[0]}", None
        return "missing", "no Namespace, and the workloads run in the default namespace", first
    if aspect == "quotas":
        found = kube.of_kind("ResourceQuota") + kube.of_kind("LimitRange")
        return (
            ("met", f"{found[0].kind} {found[0].name}", None)
            if found
            else ("missing", "no ResourceQuota or LimitRange", first)
        )
    if aspect == "private-registry":
        public = [
            (w, c, image)
            for w in workloads
            for c in w.containers
            if (image := str(c.spec.get("image") or "")) and not _private(image)
        ]
        if public:
            w, c, image = public[0]
            return (
                "missing",
                f"{w.manifest.name} runs {image} from a public registry",
                (w.manifest.path, c.line),
            )
        return "met", "every workload image comes from a private registry", None
    if aspect == "spread":
        return _spread(kube, workloads)
    if aspect == "startup-probe":
        return _startup(workloads)
    accounts = {str(w.pod_spec.get("serviceAccountName") or "default") for w in workloads}
    if aspect == "service-accounts":
        known = _names(kube.of_kind("ServiceAccount"))
        if "default" in accounts or not accounts <= known:
            return "missing", "a workload runs as the default or an undefined service account", first
        return "met", f"service account {sorted(accounts)[0]}", None
    # rbac
    bound = {
        str(s.get("name"))
        for m in kube.of_kind("RoleBinding") + kube.of_kind("ClusterRoleBinding")
        for s in m.data.get("subjects") or []
        if isinstance(s, dict) and s.get("kind") == "ServiceAccount"
    }
    if accounts & bound:
        return "met", f"a Role is bound to {sorted(accounts & bound)[0]}", None
    return "missing", "no RoleBinding names the workloads' service account", first


_LONG_RUNNING = ("Deployment", "StatefulSet", "Rollout")


def _replicas(kube: Any, w: Workload) -> int:
    """The replicas a workload runs: its own count, else its HorizontalPodAutoscaler's minimum, else 1."""
    own = (w.manifest.data.get("spec") or {}).get("replicas")
    if isinstance(own, int):
        return own
    for hpa in kube.of_kind("HorizontalPodAutoscaler"):
        spec = hpa.data.get("spec") or {}
        target = spec.get("scaleTargetRef") or {}
        if isinstance(target, dict) and target.get("name") == w.manifest.name:
            low = spec.get("minReplicas", 1)
            return low if isinstance(low, int) else 1
    return 1


def _spread(kube: Any, workloads: list[Workload]) -> Verdict:
    """Replicas that could all land on one node: affinity or topology spread constraints keep them apart."""
    several = [w for w in workloads if w.manifest.kind in _LONG_RUNNING and _replicas(kube, w) >= 2]
    if not several:
        return "moot", "every workload runs a single replica", None
    for w in several:
        affinity = w.pod_spec.get("affinity") or {}
        spread = isinstance(affinity, dict) and bool(
            affinity.get("podAntiAffinity") or affinity.get("nodeAffinity")
        )
        if not spread and not w.pod_spec.get("topologySpreadConstraints"):
            return (
                "missing",
                f"{w.manifest.kind} {w.manifest.name} runs {_replicas(kube, w)} replicas with no affinity or "
                "topology spread constraint",
                (w.manifest.path, w.manifest.line),
            )
    return (
        "met",
        f"{count(len(several), 'replicated workload')} {agree(len(several), 'is', 'are')} spread",
        None,
    )


def _startup(workloads: list[Workload]) -> Verdict:
    """A liveness probe that starts counting before a slow start (loading a model) ends restarts the pod
    in a loop: a startup probe, or an initial delay on the liveness probe, holds it off."""
    live = [(w, c) for w in workloads for c in w.containers if not c.init and c.spec.get("livenessProbe")]
    if not live:
        return "moot", "no container has a liveness probe that a slow start could trip", None
    for w, c in live:
        probe = c.spec.get("livenessProbe") or {}
        delay = probe.get("initialDelaySeconds", 0) if isinstance(probe, dict) else 0
        if not c.spec.get("startupProbe") and not (isinstance(delay, int) and delay > 0):
            return (
                "missing",
                f"container {c.name} of {w.manifest.name} has a liveness probe from its first second",
                (w.manifest.path, c.line),
            )
    return (
        "met",
        f"{count(len(live), 'probed container')} {agree(len(live), 'waits', 'wait')} for the start",
        None,
    )


def _tls_secrets(kube: Any) -> set[str]:
    """Secrets an Ingress names for TLS: cert-manager creates them."""
    return {
        str(t.get("secretName"))
        for ing in kube.of_kind("Ingress")
        for t in (ing.data.get("spec") or {}).get("tls") or []
        if isinstance(t, dict)
    }


@check(
    id="k8s-objects",
    title="Kubernetes objects the workloads need are defined",
    category="orchestration",
    severity=Severity.LOW,
    level=Level.GOLD,
    applies_when="the repository has Kubernetes workloads, and the config or a checklist line names an aspect",
    remediation="Add the objects the report names to the manifests (or the namespace's own repository, and say so).",
    options=ObjectOptions,
)
def k8s_objects(facts: Facts, options: ObjectOptions) -> Decision:
    """
    ## What it checks
    That the objects the workloads need are in the manifests and point at each other, for each aspect
    asked for: a Service whose selector matches each long-running workload's pod labels; an Ingress
    whose backends are Services defined in the repository; the ConfigMaps, PersistentVolumeClaims and
    Secrets the pod specs name (a Secret may also be a SealedSecret or an ExternalSecret; an Ingress's
    TLS secret is left to cert-manager); imagePullSecrets (on the pod or its service account) for
    images from a private registry; a Namespace, or workloads outside `default`; a ResourceQuota or
    LimitRange; a RoleBinding naming the workloads' service account; a service account of their own
    (not `default`); pod anti-affinity, node affinity or topology spread constraints on every workload
    that runs two replicas or more (its own count or its HorizontalPodAutoscaler's minimum); a startup
    probe, or an initial delay, on every container with a liveness probe; every container image pulled
    from a private registry (a registry host that is not Docker Hub, registry.k8s.io, quay.io, ECR
    Public or another public mirror).

    An aspect the workloads do not need (no ConfigMap named, no private image) is not applicable; a
    Secret named but not in the repository cannot be decided (it is often created by hand or by an
    operator), the others fail.

    No aspect is asked by default. A checklist line names its own ("ConfigMaps created" asks for the
    ConfigMaps).

    ## Why it matters
    `kubectl apply` succeeds with a Service that selects nothing or a claim that does not exist; the
    pod then waits, or the traffic goes nowhere.

    ## How to fix
    Add the objects, or correct the names that do not match.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Service
    metadata: {name: scorer}
    spec:
      selector: {app: scorer}     # the Deployment's pod labels
      ports: [{port: 80, targetPort: 8000}]
    ```
    """
    if not options.aspects:
        return not_applicable("No Kubernetes object is asked for (options.aspects, or a checklist line).")
    workloads = list(facts.kubernetes.workloads)
    if not workloads:
        return not_applicable("No Kubernetes workloads.")
    found: list[str] = []
    moot: list[str] = []
    unsure: list[str] = []
    missing: list[str] = []
    hits: list[Hit] = []
    for aspect in dict.fromkeys(options.aspects):
        state, said, place = _judge(facts, aspect, workloads)
        if state == "met":
            found.append(f"{NAMES[aspect]}: {said}")
        elif state == "moot":
            moot.append(said)
        elif state == "unsure":
            unsure.append(f"{NAMES[aspect]}: {said}")
        else:
            missing.append(NAMES[aspect])
            hits.append(
                Hit(
                    f"{said[0].upper()}{said[1:]}.",
                    (at(*place) if place else at(workloads[0].manifest.path),),
                )
            )
    if hits:
        return failed(f"Missing: {', '.join(missing)}.", *hits)
    if unsure:
        return Decision(Outcome.MISSING_EVIDENCE, "; ".join(unsure) + " (created outside the repository?).")
    if not found:
        return not_applicable("Not needed: " + "; ".join(moot) + ".")
    return passed("Defined: " + "; ".join(found + moot) + ".")
