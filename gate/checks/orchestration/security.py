"""The containers' security context.

A checklist names one setting at a time as often as all of them ("Read-only root filesystem",
"Capabilities dropped", "Containers run as non-root"): such a line is judged on the settings it names
(gate/thresholds.py), the check itself on all of them unless the config narrows it.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from gate.checks.base import Decision, Hit, check
from gate.checks.orchestration.common import (
    _at,
    _label,
    decide,
)
from gate.facts import Facts
from gate.facts.kubernetes import Container
from gate.lazyre import lazy
from gate.model import Level, Severity
from gate.wording import agree, every, listing

SecurityAspect = Literal[
    "non-root", "read-only-root", "no-privilege-escalation", "capabilities-dropped", "not-privileged"
]

NAMES: dict[SecurityAspect, str] = {
    "non-root": "a non-root user",
    "read-only-root": "a read-only root filesystem",
    "no-privilege-escalation": "privilege escalation blocked",
    "capabilities-dropped": "every capability dropped",
    "not-privileged": "privileged mode off",
}
_ASKED: tuple[tuple[SecurityAspect, re.Pattern[str]], ...] = (
    (
        "non-root",
        lazy(r"non[- ]?root|runasnonroot|runasuser|\bnot (?:run\w* )?as root|unprivileged user", re.I),
    ),
    ("read-only-root", lazy(r"read[- ]?only|readonlyrootfilesystem", re.I)),
    ("no-privilege-escalation", lazy(r"escalat", re.I)),
    ("capabilities-dropped", lazy(r"capabilit", re.I)),
    (
        "not-privileged",
        lazy(r"(?<!un)privileged (?:containers?|pods?|mode)|\bno privileged\b|\bnot privileged\b", re.I),
    ),
)


def asked_security_aspects(text: str) -> tuple[SecurityAspect, ...]:
    """The settings a checklist line names ("Root filesystem is read-only": read-only-root)."""
    return tuple(aspect for aspect, rx in _ASKED if rx.search(text))


class SecurityOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    aspects: tuple[SecurityAspect, ...] = Field(default=tuple(NAMES), min_length=1)
    """The settings every container must have. All of them by default; a checklist line that names some
    is judged on those."""


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
    options=SecurityOptions,
)
def k8s_security_context(facts: Facts, options: SecurityOptions) -> Decision:
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

    A checklist line that names some of these settings ("Read-only root filesystem", "Capabilities
    dropped", "Containers run as non-root") is judged on those alone; `aspects` narrows the check
    itself (`non-root`, `read-only-root`, `no-privilege-escalation`, `capabilities-dropped`,
    `not-privileged`).

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
    asked = set(options.aspects)
    for w in facts.kubernetes.workloads:
        for c in w.containers:
            judged += 1
            missing = [setting for aspect, setting in _missing(w.pod_spec, c) if aspect in asked]
            if missing:
                key = ("securityContext",) if "securityContext" in c.spec else ()
                hits.append(Hit(f"{_label(w, c)} lacks {', '.join(missing)}.", _at(w, c, *key)))
    shown = [NAMES[a] for a in NAMES if a in asked]
    return decide(
        facts,
        hits,
        f"{every(judged, 'container')} {agree(judged, 'runs', 'run')} "
        + (
            "non-root, read-only, without privileges"
            if len(asked) == len(NAMES)
            else f"with {listing(shown)}"
        )
        + ".",
        "Containers with a weak security context",
        judged=judged,
        nothing="No workloads in the manifests.",
    )


def _missing(pod: dict[str, Any], c: Container) -> list[tuple[SecurityAspect, str]]:
    """Each setting the container lacks, with the aspect it belongs to, privileged mode first."""
    missing: list[tuple[SecurityAspect, str]] = []
    own = c.spec.get("securityContext") or {}
    own = own if isinstance(own, dict) else {}
    if own.get("privileged") is True:
        missing.append(("not-privileged", "privileged: false"))
    user = _effective(pod, c, "runAsUser")
    if _effective(pod, c, "runAsNonRoot") is not True and not (isinstance(user, int) and user > 0):
        missing.append(("non-root", "runAsNonRoot: true"))
    if own.get("readOnlyRootFilesystem") is not True:
        missing.append(("read-only-root", "readOnlyRootFilesystem: true"))
    if own.get("allowPrivilegeEscalation") is not False:
        missing.append(("no-privilege-escalation", "allowPrivilegeEscalation: false"))
    caps = own.get("capabilities") or {}
    dropped = [str(x).upper() for x in (caps.get("drop") or [])] if isinstance(caps, dict) else []
    if "ALL" not in dropped:
        missing.append(("capabilities-dropped", "capabilities.drop: [ALL]"))
    return missing
