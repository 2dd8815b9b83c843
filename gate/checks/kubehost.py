"""Kubernetes pods that share what should stay the host's: its process, IPC and network namespaces,
the container runtime's socket, and its file system."""

from __future__ import annotations

from typing import Any

from gate.checks.base import Decision, Hit, NoOptions, at, check
from gate.checks.orchestration import decide, hpa_for, overlay_replicas, selects
from gate.facts import Facts
from gate.facts.kubernetes import SERVING_KINDS, Manifest, OverlayReplicas, Workload
from gate.model import Level, Severity
from gate.wording import agree, count, every

# a container runtime's socket: whoever holds it starts privileged containers on the node
_SOCKETS = ("docker.sock", "containerd.sock", "crio.sock", "cri-dockerd.sock", "podman.sock")


@check(
    id="k8s-host-isolation",
    title="Pods isolated from the host",
    category="orchestration",
    severity=Severity.HIGH,
    level=Level.BRONZE,
    applies_when="the repository has Kubernetes workloads",
    remediation="Remove hostPID, hostIPC and hostNetwork and the runtime socket mount; keep models and caches in a volume (emptyDir, a PVC), not a hostPath.",
)
def k8s_host_isolation(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That no workload's pods share the node's process, IPC or network namespace (`hostPID`,
    `hostIPC`, `hostNetwork: true`) or mount a container runtime's socket (`docker.sock`,
    `containerd.sock`, `crio.sock`) from the host. Other `hostPath` volumes are reported at low
    severity: a model cache on the node's disk works, but ties the pod to that node and its files.
    A DaemonSet's host namespaces are reported at low severity too: node agents (log shippers,
    metrics exporters) often need them; a serving workload never does.
    Peers: Checkov CKV_K8S_17, CKV_K8S_18, CKV_K8S_19 and CKV_K8S_27.

    ## Why it matters
    A model server parses untrusted input; a pod on the host's namespaces or holding the runtime's
    socket turns a bug in it into control of the node and of every pod on it.

    ## How to fix
    Drop the host namespaces; talk to other pods through Services; keep weights in an emptyDir filled
    by an init container, or a PersistentVolumeClaim.

    ## Example
    ```yaml
    volumes:
      - name: models
        emptyDir: {sizeLimit: 20Gi}
    ```
    """
    hits: list[Hit] = []
    judged = 0
    for w in facts.kubernetes.workloads:
        judged += 1
        label = f"{w.manifest.kind}/{w.manifest.name}"
        # a node agent (a log shipper, a metrics exporter) often has to: told, not blocking
        agent = Severity.LOW if w.manifest.kind == "DaemonSet" else None
        for key in ("hostPID", "hostIPC", "hostNetwork"):
            if w.pod_spec.get(key) is True:
                line = w.manifest.line_at(*w.pod_path, key)
                message = f"{label} shares the node's {key[4:]} namespace (`{key}: true`)."
                hits.append(Hit(message, (at(w.manifest.path, line),), severity=agent))
        for i, volume in enumerate(w.pod_spec.get("volumes") or []):
            host = volume.get("hostPath") if isinstance(volume, dict) else None
            if not isinstance(host, dict):
                continue
            path = str(host.get("path", ""))
            line = w.manifest.line_at(*w.pod_path, "volumes", i)
            if path.rstrip("/").endswith(_SOCKETS):
                hits.append(
                    Hit(
                        f"{label} mounts the container runtime's socket `{path}` from the node.",
                        (at(w.manifest.path, line),),
                    )
                )
            else:
                hits.append(
                    Hit(
                        f"{label} mounts `{path}` from the node's file system.",
                        (at(w.manifest.path, line),),
                        severity=Severity.LOW,
                    )
                )
    return decide(
        facts,
        hits,
        f"{every(judged, 'workload')} {agree(judged, 'keeps', 'keep')} to its own namespaces and volumes.",
        "Pods sharing the host",
        judged=judged,
        nothing="No Kubernetes workloads.",
    )


@check(
    id="k8s-ephemeral-storage",
    title="Containers limit their scratch disk",
    category="orchestration",
    severity=Severity.LOW,
    level=Level.GOLD,
    applies_when="the repository has Kubernetes workloads",
    remediation="Set resources.limits.ephemeral-storage (and a request) on every container, sized for the model files it downloads or unpacks.",
)
def k8s_ephemeral_storage(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That every container (init containers included) sets `resources.limits.ephemeral-storage`. A
    limit without a request counts as both, as for CPU and memory: the API server sets the request to
    the limit. Peer: kube-score Container Ephemeral Storage Request and Limit.

    Differs from kube-score Container Ephemeral Storage Request and Limit on purpose: kube-score warns
    about a limit without a request; here it passes, because the API server then requests the limit.

    ## Why it matters
    Model servers download and unpack weights onto the node's disk (an emptyDir, the container's own
    layer, a pip or Hugging Face cache). Without a limit the scheduler places the pod on a node whose
    disk it then fills, and the kubelet evicts pods, the model server's neighbours first.

    ## How to fix
    Size the limit for the largest model plus its cache, and request the same.

    ## Example
    ```yaml
    resources:
      requests: {cpu: "1", memory: 4Gi, ephemeral-storage: 12Gi}
      limits: {memory: 4Gi, ephemeral-storage: 12Gi}
    ```
    """
    hits: list[Hit] = []
    judged = 0
    for w in facts.kubernetes.workloads:
        for c in w.containers:
            judged += 1
            resources = c.spec.get("resources")
            limits = resources.get("limits") if isinstance(resources, dict) else None
            if not (isinstance(limits, dict) and "ephemeral-storage" in limits):
                label = f"{w.manifest.kind}/{w.manifest.name} container {c.name}"
                where = c.line_of("resources")
                hits.append(Hit(f"{label} has no ephemeral-storage limit.", (at(w.manifest.path, where),)))
    return decide(
        facts,
        hits,
        f"{every(judged, 'container')} {agree(judged, 'limits its', 'limit their')} scratch disk.",
        "Containers without an ephemeral-storage limit",
        judged=judged,
        nothing="No Kubernetes workloads.",
    )


_SECCOMP_ANNOTATIONS = ("seccomp.security.alpha.kubernetes.io/pod",)


def _seccomp_confined(w: Workload) -> bool:
    """The pod runs under a seccomp profile: RuntimeDefault or a Localhost profile, on the pod or on
    every container, or the old pod annotation."""

    def profile(spec: Any) -> str | None:
        context = spec.get("securityContext") if isinstance(spec, dict) else None
        found = context.get("seccompProfile") if isinstance(context, dict) else None
        return str(found.get("type")) if isinstance(found, dict) and found.get("type") else None

    pod = profile(w.pod_spec)
    if pod is not None:
        return pod in ("RuntimeDefault", "Localhost")
    containers = [c for c in w.containers if not c.init]
    if containers and all(profile(c.spec) in ("RuntimeDefault", "Localhost") for c in containers):
        return True
    # the pod template's metadata sits beside its spec (the manifest's own, for a bare Pod)
    metadata = w.manifest.data.get("metadata") if w.manifest.kind == "Pod" else None
    if metadata is None:
        holder: Any = w.manifest.data
        for key in w.pod_path[:-1]:
            holder = holder.get(key) if isinstance(holder, dict) else None
        metadata = holder.get("metadata") if isinstance(holder, dict) else None
    annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
    if not isinstance(annotations, dict):
        return False
    return any(
        str(annotations.get(a, "")) in ("runtime/default", "docker/default") for a in _SECCOMP_ANNOTATIONS
    )


def _token_mounted(accounts: dict[tuple[str, str], Manifest], w: Workload) -> bool:
    """Kubernetes mounts a service account token into the pod: unless the pod, or the service account
    it runs as, says `automountServiceAccountToken: false`."""
    own = w.pod_spec.get("automountServiceAccountToken")
    if own is not None:
        return own is not False
    account = str(w.pod_spec.get("serviceAccountName") or w.pod_spec.get("serviceAccount") or "default")
    sa = accounts.get((account, w.manifest.namespace))
    return sa is None or sa.data.get("automountServiceAccountToken") is not False


@check(
    id="k8s-pod-hardening",
    title="Pods run without an API token and under a seccomp profile",
    category="orchestration",
    severity=Severity.LOW,
    level=Level.GOLD,
    applies_when="the repository has Kubernetes workloads",
    remediation="Set `automountServiceAccountToken: false` and `securityContext: {seccompProfile: {type: RuntimeDefault}}` on the pod spec.",
)
def k8s_pod_hardening(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That every workload's pods run without a mounted service account token
    (`automountServiceAccountToken: false` on the pod, or on the ServiceAccount it runs as) and under
    a seccomp profile (`seccompProfile: {type: RuntimeDefault}` or `Localhost` on the pod or on every
    container, or the older `seccomp.security.alpha.kubernetes.io/pod: runtime/default` annotation).
    Peers: Checkov CKV_K8S_38 and CKV_K8S_31.

    Differs from Checkov CKV_K8S_31 on purpose: a `Localhost` profile (one written for the service)
    passes here; Checkov accepts only RuntimeDefault.

    ## Why it matters
    A model server needs neither the Kubernetes API nor the rarer system calls; an attacker who gets
    code execution through a pickle or a template uses both first, to list secrets and to break out.

    ## How to fix
    Turn the token off and the default profile on; give the few pods that call the API a service
    account of their own.

    ## Example
    ```yaml
    spec:
      automountServiceAccountToken: false
      securityContext:
        seccompProfile: {type: RuntimeDefault}
    ```
    """
    # the first of a name in a namespace, as a lookup (a list scanned per workload is quadratic)
    accounts: dict[tuple[str, str], Manifest] = {}
    for sa in facts.kubernetes.of_kind("ServiceAccount"):
        accounts.setdefault((sa.name, sa.namespace), sa)
    hits: list[Hit] = []
    judged = 0
    for w in facts.kubernetes.workloads:
        judged += 1
        label = f"{w.manifest.kind}/{w.manifest.name}"
        where = (at(w.manifest.path, w.manifest.line),)
        if _token_mounted(accounts, w):
            hits.append(
                Hit(
                    f"{label} gets a service account token (automountServiceAccountToken is not false).",
                    where,
                )
            )
        if not _seccomp_confined(w):
            hits.append(Hit(f"{label} runs without a seccomp profile (no RuntimeDefault).", where))
    return decide(
        facts,
        hits,
        f"{every(judged, 'workload')} {agree(judged, 'runs', 'run')} without an API token, under a seccomp profile.",
        "Pods with an API token or without a seccomp profile",
        judged=judged,
        nothing="No Kubernetes workloads.",
    )


_HOSTNAME = "kubernetes.io/hostname"


def _spread(w: Workload) -> bool:
    """The pods keep off each other's node: a podAntiAffinity term (required or preferred) or a
    topology spread constraint on the node's hostname whose selector picks the pod's own labels."""
    affinity = w.pod_spec.get("affinity")
    anti = affinity.get("podAntiAffinity") if isinstance(affinity, dict) else None
    terms: list[Any] = []
    if isinstance(anti, dict):
        terms += list(anti.get("requiredDuringSchedulingIgnoredDuringExecution") or [])
        terms += [
            t.get("podAffinityTerm")
            for t in anti.get("preferredDuringSchedulingIgnoredDuringExecution") or []
            if isinstance(t, dict)
        ]
    terms += list(w.pod_spec.get("topologySpreadConstraints") or [])
    return any(
        isinstance(t, dict)
        and t.get("topologyKey") == _HOSTNAME
        and selects(t.get("labelSelector"), w.labels)
        for t in terms
    )


def _pods(facts: Facts, w: Workload) -> tuple[int, OverlayReplicas | None]:
    """How many pods the workload runs at least: its HPA's minReplicas, else its replicas (1 unset);
    or more, in a Kustomize overlay of its base (with that overlay's count)."""
    hpa = hpa_for(facts, w)
    if hpa is not None:
        minimum = (hpa.data.get("spec") or {}).get("minReplicas", 1)
        pods = minimum if isinstance(minimum, int) else 1
    else:
        replicas = (w.manifest.data.get("spec") or {}).get("replicas", 1)
        pods = replicas if isinstance(replicas, int) else 1
    overlay = overlay_replicas(facts, w, pods)
    return (pods, None) if overlay is None else (overlay.count, overlay)


@check(
    id="k8s-spread-across-nodes",
    title="Replicas spread across nodes",
    category="orchestration",
    severity=Severity.LOW,
    level=Level.GOLD,
    applies_when="a Deployment or StatefulSet runs more than one pod",
    remediation="Add a preferred podAntiAffinity on kubernetes.io/hostname (or a topologySpreadConstraint) that selects the workload's own pods.",
)
def k8s_spread_across_nodes(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That every Deployment and StatefulSet that runs more than one pod (its replicas, or its HPA's
    minReplicas, or the replicas a Kustomize overlay of its base sets, through a strategic-merge patch
    or the kustomization's `replicas:` list) keeps them off a single node: a `podAntiAffinity` term,
    required or preferred, or a `topologySpreadConstraints` entry, on `kubernetes.io/hostname`, whose
    label selector matches the pods' own labels. Peer: kube-score Deployment has host PodAntiAffinity, StatefulSet has host
    PodAntiAffinity.

    ## Why it matters
    Two replicas on one node are one replica when that node drains for an upgrade or dies: the
    availability `k8s-replicas` asks for is only real if the pods are apart.

    ## How to fix
    A preferred anti-affinity is enough for most services; it never blocks scheduling.

    ## Example
    ```yaml
    affinity:
      podAntiAffinity:
        preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 100
            podAffinityTerm:
              topologyKey: kubernetes.io/hostname
              labelSelector: {matchLabels: {app: ranker}}
    ```
    """
    hits: list[Hit] = []
    judged = 0
    for w in facts.kubernetes.workloads:
        if w.manifest.kind not in SERVING_KINDS:
            continue
        pods, overlay = _pods(facts, w)
        if pods < 2:
            continue
        judged += 1
        if not _spread(w):
            label = f"{w.manifest.kind}/{w.manifest.name}"
            where = [at(w.manifest.path, w.manifest.line)]
            why = ""
            if overlay is not None:
                where.append(at(overlay.path, overlay.line))
                why = f" (the overlay {overlay.path} runs {count(overlay.count, 'pod')})"
            hits.append(Hit(f"{label} may run all its pods on one node{why}.", tuple(where)))
    return decide(
        facts,
        hits,
        f"{every(judged, 'replicated workload')} {agree(judged, 'spreads its', 'spread their')} pods across nodes.",
        "Replicas that may share a node",
        judged=judged,
        nothing="No Deployment or StatefulSet runs more than one pod.",
    )
