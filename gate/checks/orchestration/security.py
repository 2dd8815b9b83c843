"""The containers' security context."""

from __future__ import annotations

from typing import Any

from gate.checks.base import Decision, Hit, NoOptions, check
from gate.checks.orchestration.common import (
    _at,
    _label,
    decide,
)
from gate.facts import Facts
from gate.facts.kubernetes import Container
from gate.model import Level, Severity
from gate.wording import agree, every


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
    seeds=("Capabilities dropped", "Read-only root filesystem (if possible)"),
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
