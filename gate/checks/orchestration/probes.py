"""Liveness and readiness probes.

A checklist names each probe on its own line as often as both ("Liveness probes configured",
"Readiness probes configured"): such a line is judged on the probe it names (gate/thresholds.py).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from gate.checks.base import Decision, Hit, check
from gate.checks.orchestration.common import (
    _at,
    _label,
    _serving,
    decide,
)
from gate.facts import Facts
from gate.lazyre import lazy
from gate.model import Level, Severity
from gate.wording import agree, every, listing

ProbeAspect = Literal["liveness", "readiness", "distinct"]

NAMES: dict[ProbeAspect, str] = {
    "liveness": "a liveness probe",
    "readiness": "a readiness probe",
    "distinct": "liveness and readiness probes that differ",
}
_ASKED: tuple[tuple[ProbeAspect, re.Pattern[str]], ...] = (
    ("liveness", lazy(r"liveness", re.I)),
    ("readiness", lazy(r"readiness", re.I)),
    ("distinct", lazy(r"identical|distinct|differ|\bsame\b", re.I)),
)
_PROBE = {"liveness": "livenessProbe", "readiness": "readinessProbe"}


def asked_probe_aspects(text: str) -> tuple[ProbeAspect, ...]:
    """The probes a checklist line names ("Readiness probe configured": readiness)."""
    return tuple(aspect for aspect, rx in _ASKED if rx.search(text))


class ProbeOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    aspects: tuple[ProbeAspect, ...] = Field(default=tuple(NAMES), min_length=1)
    """What every serving pod must have. All of it by default; a checklist line that names one probe is
    judged on that probe."""


@check(
    id="k8s-probes",
    title="Containers have liveness and readiness probes",
    category="orchestration",
    severity=Severity.HIGH,
    level=Level.BRONZE,
    applies_when="the repository has Deployments, StatefulSets or DaemonSets",
    remediation="Give every serving container a readinessProbe on its health route and a livenessProbe that is more lenient.",
    seeds=("Liveness probes configured", "Readiness probes configured"),
    options=ProbeOptions,
)
def k8s_probes(facts: Facts, options: ProbeOptions) -> Decision:
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

    A checklist line that names one probe ("Liveness probes configured") is judged on that probe alone,
    and one that asks for probes that differ on that alone; `aspects` narrows the check itself
    (`liveness`, `readiness`, `distinct`).

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
    asked = [a for a in NAMES if a in options.aspects]
    named = [_PROBE[a] for a in asked if a in _PROBE]
    for w in _serving(facts):
        containers = [c for c in w.containers if not c.init]
        judged += len(containers)
        probed = [c for c in containers if any(c.spec.get(p) for p in _PROBE.values())]
        if not probed:
            hits.extend(
                Hit(f"{_label(w, c)} has no {' or '.join(named or _PROBE.values())}.", _at(w, c))
                for c in containers
            )
            continue
        # the others are sidecars: the pod needs each probe once, on whichever container serves
        missing = [p for p in named if not any(c.spec.get(p) for c in probed)]
        if missing:
            hits.append(Hit(f"{_label(w, probed[0])} has no {' or '.join(missing)}.", _at(w, probed[0])))
        for c in probed if "distinct" in asked else ():
            if c.spec.get("livenessProbe") and c.spec["livenessProbe"] == c.spec.get("readinessProbe"):
                hits.append(
                    Hit(
                        f"{_label(w, c)}: liveness and readiness probes are identical.",
                        _at(w, c, "livenessProbe"),
                    )
                )
    shown = [NAMES[a] for a in asked]
    return decide(
        facts,
        hits,
        f"{every(judged, 'serving container')} {agree(judged, 'has', 'have')} "
        + ("distinct liveness and readiness probes" if len(asked) == len(NAMES) else listing(shown))
        + ".",
        "Containers without proper probes",
        judged=judged,
        nothing="No Deployment, StatefulSet or DaemonSet.",
    )
