"""Kubernetes checks: how the serving workload is probed, sized, secured, scaled and exposed.

They read plain manifests (multi-document YAML, Kustomize bases). Templated files (Helm) are skipped and
named in the result; a manifest file that does not parse makes each check report `error` for it while
the other files are still judged.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from gate.checks.base import Decision, Hit, NoOptions, at, check, conclude
from gate.checks.secretnames import k8s_literal_secrets
from gate.facts import Facts
from gate.facts.kubernetes import SERVING_KINDS, Container, Manifest, Workload
from gate.model import Confidence, Level, Location, Severity
from gate.wording import agree, every
from gate.wording import count as plural_count


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


# -- probes -----------------------------------------------------------------------------------------


@check(
    id="k8s-probes",
    title="Containers have liveness and readiness probes",
    category="orchestration",
    severity=Severity.HIGH,
    level=Level.BRONZE,
    applies_when="the repository has Deployments, StatefulSets or DaemonSets",
    remediation="Give every serving container a readinessProbe on its health route and a livenessProbe that is more lenient.",
    seeds=("Liveness probes configured", "Readiness probes configured", "Health checks configured"),
)
def k8s_probes(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That the pods of every Deployment, StatefulSet and DaemonSet have a `readinessProbe` and a
    `livenessProbe`, and that a container's two probes are not identical. Probes are judged per pod:
    when some containers have probes, the others are taken for sidecars (a log shipper, a proxy) and
    need none, and the two probes may sit on different containers; when no container has any, each
    is reported. Init containers are exempt. Peers: Checkov CKV_K8S_8 and CKV_K8S_9, kube-score Pod
    Probes and Pod Probes Identical.

    Differs from Checkov CKV_K8S_8 and CKV_K8S_9 on purpose: they ask every container for both
    probes, sidecars included. Differs from kube-score Pod Probes on purpose: kube-score asks for a readiness probe only when a
    Service selects the pod; here it is always asked for, because readiness also paces a rolling
    update (a new pod counts as available only once ready), Service or not.

    ## Why it matters
    Without a readiness probe a pod receives traffic while its model is still loading; without a
    liveness probe a wedged worker is never restarted. Identical probes restart a pod exactly when it
    is merely busy, which under load cascades into an outage.

    ## How to fix
    Point readiness at the route that says the model is loaded, and give liveness a longer period or
    failure threshold (or a cheaper route).

    ## Example
    ```yaml
    readinessProbe: {httpGet: {path: /health, port: 8000}, periodSeconds: 5}
    livenessProbe: {httpGet: {path: /health, port: 8000}, periodSeconds: 20, failureThreshold: 6}
    ```
    """
    hits: list[Hit] = []
    judged = 0
    for w in _serving(facts):
        containers = [c for c in w.containers if not c.init]
        judged += len(containers)
        probed = [c for c in containers if c.spec.get("livenessProbe") or c.spec.get("readinessProbe")]
        if not probed:
            hits.extend(
                Hit(f"{_label(w, c)} has no livenessProbe or readinessProbe.", _at(w, c)) for c in containers
            )
            continue
        # the others are sidecars: the pod needs each probe once, on whichever container serves
        missing = [p for p in ("livenessProbe", "readinessProbe") if not any(c.spec.get(p) for c in probed)]
        if missing:
            hits.append(Hit(f"{_label(w, probed[0])} has no {' or '.join(missing)}.", _at(w, probed[0])))
        for c in probed:
            if c.spec.get("livenessProbe") and c.spec["livenessProbe"] == c.spec.get("readinessProbe"):
                hits.append(
                    Hit(
                        f"{_label(w, c)}: liveness and readiness probes are identical.",
                        _at(w, c, "livenessProbe"),
                    )
                )
    return decide(
        facts,
        hits,
        f"{every(judged, 'serving container')} {agree(judged, 'has', 'have')} distinct liveness and readiness probes.",
        "Containers without proper probes",
        judged=judged,
        nothing="No Deployment, StatefulSet or DaemonSet.",
    )


# -- resources --------------------------------------------------------------------------------------


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


# -- security context -------------------------------------------------------------------------------


def _effective(pod: dict[str, Any], c: Container, key: str) -> Any:
    own = c.spec.get("securityContext") or {}
    if isinstance(own, dict) and key in own:
        return own[key]
    pod_ctx = pod.get("securityContext") or {}
    return pod_ctx.get(key) if isinstance(pod_ctx, dict) else None


@check(
    id="k8s-security-context",
    title="Containers run with a restricted security context",
    category="orchestration",
    severity=Severity.HIGH,
    level=Level.SILVER,
    applies_when="the repository has workloads",
    remediation="Set runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false and capabilities.drop: [ALL].",
    seeds=("Capabilities dropped", "Read-only root filesystem (if possible)", "No root user"),
)
def k8s_security_context(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That every container runs with `runAsNonRoot: true` (or a non-zero `runAsUser`), from its own or
    the pod's securityContext; `readOnlyRootFilesystem: true`; `allowPrivilegeEscalation: false`; and
    `capabilities.drop` containing `ALL`. Peers: Checkov CKV_K8S_20, CKV_K8S_22, CKV_K8S_23,
    CKV_K8S_28/37, kube-score Container Security Context (User Group ID, Privileged,
    ReadOnlyRootFilesystem). `privileged: true` is reported too.

    Differs from kube-score Container Security Context User Group ID on purpose: kube-score wants the
    user and group ids above 10000 (clear of the host's own users); here running as any non-root user
    is enough, and the group id is not judged. Differs from Checkov CKV_K8S_28 on purpose: dropping
    NET_RAW alone passes there; here `drop: [ALL]` is asked for, as the Pod Security "restricted"
    profile does.

    ## Why it matters
    A model server parses untrusted input and often unpickles files; when that goes wrong, these four
    settings are what keep the attacker inside one unprivileged, read-only process.

    ## How to fix
    Add the container securityContext below; mount an `emptyDir` where the app must write (/tmp, caches).

    ## Example
    ```yaml
    securityContext:
      runAsNonRoot: true
      readOnlyRootFilesystem: true
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL]}
    ```
    """
    hits: list[Hit] = []
    judged = 0
    for w in facts.kubernetes.workloads:
        for c in w.containers:
            judged += 1
            missing = []
            user = _effective(w.pod_spec, c, "runAsUser")
            if _effective(w.pod_spec, c, "runAsNonRoot") is not True and not (
                isinstance(user, int) and user > 0
            ):
                missing.append("runAsNonRoot: true")
            own = c.spec.get("securityContext") or {}
            own = own if isinstance(own, dict) else {}
            if own.get("readOnlyRootFilesystem") is not True:
                missing.append("readOnlyRootFilesystem: true")
            if own.get("allowPrivilegeEscalation") is not False:
                missing.append("allowPrivilegeEscalation: false")
            caps = own.get("capabilities") or {}
            dropped = [str(x).upper() for x in (caps.get("drop") or [])] if isinstance(caps, dict) else []
            if "ALL" not in dropped:
                missing.append("capabilities.drop: [ALL]")
            if own.get("privileged") is True:
                missing.insert(0, "privileged: false")
            if missing:
                key = ("securityContext",) if "securityContext" in c.spec else ()
                hits.append(Hit(f"{_label(w, c)} lacks {', '.join(missing)}.", _at(w, c, *key)))
    return decide(
        facts,
        hits,
        f"{every(judged, 'container')} {agree(judged, 'runs', 'run')} non-root, read-only, without privileges.",
        "Containers with a weak security context",
        judged=judged,
        nothing="No workloads in the manifests.",
    )


# -- images -----------------------------------------------------------------------------------------


def _image_tag(image: str) -> tuple[str | None, bool]:
    """(tag, has_digest)."""
    if "@" in image:
        return None, True
    last = image.rsplit("/", 1)[-1]
    return (last.rsplit(":", 1)[1] if ":" in last else None), False


@check(
    id="k8s-image-pinned",
    title="Kubernetes images pinned to a version",
    category="orchestration",
    severity=Severity.MEDIUM,
    level=Level.BRONZE,
    applies_when="the repository has workloads",
    remediation="Deploy an explicit version tag or, better, a digest; never latest.",
    seeds=("Images tagged with version numbers",),
)
def k8s_image_pinned(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That every container image names a tag other than `latest`, or a digest (the stronger form).
    An image written with a variable (`$(IMAGE)`, `${TAG}`) is left to the tool that fills it in.
    Peers: Checkov CKV_K8S_14 and CKV_K8S_43, kube-score container-image-tag.

    ## Why it matters
    With `latest`, a node that restarts a pod may pull a different model server than its neighbours,
    and a rollback has nothing to roll back to.

    ## How to fix
    Have CI write the built image's version or digest into the manifest (kustomize edit set image).

    ## Example
    ```yaml
    image: registry.example/theft-risk:1.4.2
    ```
    """
    hits: list[Hit] = []
    judged = 0
    for w in facts.kubernetes.workloads:
        for c in w.containers:
            image = str(c.spec.get("image") or "")
            if not image or "$" in image:
                continue
            judged += 1
            tag, digest = _image_tag(image)
            if not digest and tag in (None, "latest"):
                hits.append(
                    Hit(
                        f"{_label(w, c)} runs `{image}` ({'latest' if tag else 'no tag'}).",
                        _at(w, c, "image"),
                    )
                )
    return decide(
        facts,
        hits,
        f"{every(judged, 'image')} {agree(judged, 'names', 'name')} a version.",
        "Images without a version",
        judged=judged,
        nothing="No container images in the manifests.",
    )


# -- replicas, HPA, PDB -----------------------------------------------------------------------------


def _targets(hpa: Manifest) -> tuple[str, str]:
    ref = (hpa.data.get("spec") or {}).get("scaleTargetRef") or {}
    return str(ref.get("kind", "")), str(ref.get("name", ""))


def hpa_for(facts: Facts, w: Workload) -> Manifest | None:
    for hpa in facts.kubernetes.of_kind("HorizontalPodAutoscaler"):
        if hpa.namespace == w.manifest.namespace and _targets(hpa) == (w.manifest.kind, w.manifest.name):
            return hpa
    return None


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


class ReplicaOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
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
    seeds=("Redundant instances deployed", "Load balancing across instances"),
)
def k8s_replicas(facts: Facts, options: ReplicaOptions) -> Decision:
    """
    ## What it checks
    That every Deployment and StatefulSet runs at least `min_replicas` (default 2) pods: its
    `spec.replicas`, or the `minReplicas` of the HorizontalPodAutoscaler that scales it (the HPA
    overrides replicas). Both default to 1 when absent. Peer: kube-score deployment-replicas.

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
        if count < options.min_replicas:
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


# -- secrets ----------------------------------------------------------------------------------------


@check(
    id="k8s-secrets-from-refs",
    title="Secrets come from Secret references",
    category="security",
    severity=Severity.HIGH,
    level=Level.BRONZE,
    applies_when="the repository has workloads",
    remediation="Move the value into a Secret and reference it with valueFrom.secretKeyRef (or envFrom.secretRef).",
    seeds=("Secrets created (API keys, database passwords)", "Secrets management implemented"),
    concern="secret-in-repository",
)
def k8s_secrets_from_refs(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That no container environment variable whose name says it holds a secret (password, token, API
    key, access key, private key, credential; names ending in _FILE, _PATH, _URL and the like exempt)
    is given a literal `value`; it must come from `valueFrom` (secretKeyRef) or `envFrom`. The finding
    names the variable and the line, never the value. Placeholders are not reported.
    A literal that is also a credential by no-hardcoded-secrets' measure is reported here only, at
    the variable's line, as critical.

    ## Why it matters
    A literal in a manifest is in git, in every clone and in `kubectl get -o yaml` for anyone with
    read access to the namespace.

    ## How to fix
    Create the Secret out of band (or with sealed-secrets / external-secrets) and reference it.

    ## Example
    ```yaml
    env:
      - name: API_KEY
        valueFrom: {secretKeyRef: {name: theft-risk, key: api-key}}
    ```
    """
    judged = sum(
        isinstance(env, dict)
        for w in facts.kubernetes.workloads
        for c in w.containers
        for env in c.spec.get("env") or []
    )
    secrets = {(s.path, s.line) for s in facts.secrets.found}
    hits = [
        Hit(
            f"{_label(w, c)} sets {name} to a literal value.",
            _at(w, c, "env", j),
            # also a credential by no-hardcoded-secrets' measure, which leaves it to this check
            severity=Severity.CRITICAL if (w.manifest.path, line) in secrets else None,
        )
        for w, c, name, j, line in k8s_literal_secrets(facts.kubernetes.workloads)
    ]
    return decide(
        facts,
        hits,
        "No secret-named variable has a literal value.",
        "Literal secrets in manifests",
        judged=judged or len(facts.kubernetes.workloads),
        nothing="No workloads in the manifests.",
    )


# -- ingress TLS ------------------------------------------------------------------------------------


@check(
    id="k8s-ingress-tls",
    title="Ingress serves TLS",
    category="orchestration",
    severity=Severity.HIGH,
    level=Level.BRONZE,
    confidence=Confidence.MEDIUM,
    applies_when="the repository has Ingress manifests",
    remediation="Add spec.tls with the hosts and a certificate Secret (cert-manager can issue it).",
    seeds=("TLS certificates configured", "HTTPS/TLS enabled", "HTTPS enforced in production"),
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
