"""Kubernetes pods that share what should stay the host's: its process, IPC and network namespaces,
the container runtime's socket, and its file system."""

from __future__ import annotations

from gate.checks.base import Decision, Hit, NoOptions, at, check, conclude
from gate.facts import Facts
from gate.model import Level, Severity
from gate.wording import agree, every

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
    seeds=(),
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
    return conclude(
        hits,
        facts.kubernetes.errors,
        what="manifest file",
        ok=f"{every(judged, 'workload')} {agree(judged, 'keeps', 'keep')} to its own namespaces and volumes.",
        bad="Pods sharing the host",
        judged=bool(judged),
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
    seeds=(),
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
    return conclude(
        hits,
        facts.kubernetes.errors,
        what="manifest file",
        ok=f"{every(judged, 'container')} {agree(judged, 'limits its', 'limit their')} scratch disk.",
        bad="Containers without an ephemeral-storage limit",
        judged=bool(judged),
        nothing="No Kubernetes workloads.",
    )
