"""One port everywhere: the server's bind port, EXPOSE, Compose and Kubernetes."""

from __future__ import annotations

from typing import Any

from gate.checks.base import Decision, Hit, NoOptions, at, check, not_applicable
from gate.checks.container.common import (
    _decide,
    final_chain,
)
from gate.facts import Facts
from gate.facts.dockerfile import Dockerfile
from gate.lazyre import lazy
from gate.model import Confidence, Level, Severity
from gate.wording import count

# -- ports ------------------------------------------------------------------------------------------

_BIND = lazy(r"(?:--port[ =]|--bind[ =]\S*:|-b\s+\S*:|--listen[ =]\S*:|-p\s+)(\d{2,5})\b")


def _exposed(df: Dockerfile) -> dict[int, int]:
    ports: dict[int, int] = {}
    for stage in final_chain(df):
        for ins in stage.instructions:
            if ins.cmd == "EXPOSE":
                for value in ins.value:
                    number = value.split("/", 1)[0]
                    if number.isdigit():
                        ports.setdefault(int(number), ins.line)
    return ports


def _compose_targets(svc: Any) -> set[int]:
    targets: set[int] = set()
    for p in svc.config.get("ports") or []:
        if isinstance(p, dict) and str(p.get("target", "")).isdigit():
            targets.add(int(p["target"]))
        elif isinstance(p, str | int):
            last = str(p).split("/", 1)[0].rsplit(":", 1)[-1]
            if last.isdigit():
                targets.add(int(last))
    return targets


@check(
    id="ports-consistent",
    title="Ports consistent across server, image and deployment",
    category="container",
    severity=Severity.HIGH,
    level=Level.SILVER,
    confidence=Confidence.MEDIUM,
    applies_when="a Dockerfile's command names the port its server binds",
    remediation="Use one port everywhere: the server's bind, EXPOSE, the compose port mapping, containerPort and the probes.",
    seeds=("API host/port configuration",),
)
def ports_consistent(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That the port the server binds (read from the image's command: `--port`, `--bind host:port`,
    `-b`, `--listen`) is the port the rest of the repository expects: the Dockerfile's `EXPOSE`, the
    container side of the Compose port mappings of services that build the image, and the
    `containerPort`s and numeric probe ports of Kubernetes containers that run it. When the command
    names no port, nothing is judged.

    ## Why it matters
    A server on 8000 behind a containerPort of 5000 is unreachable: the Service routes nowhere, the
    probes fail and the rollout never completes, with nothing wrong in any single file.

    ## How to fix
    Pick one port and use it everywhere (or make the command read it from an environment variable
    that the manifests set).

    ## Example
    ```dockerfile
    EXPOSE 8000
    CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]
    ```
    """
    hits: list[Hit] = []
    judged = 0
    for df in facts.docker.dockerfiles:
        found = [p[1] for p in (df.inherited(df.final, c) for c in ("ENTRYPOINT", "CMD")) if p is not None]
        m = _BIND.search(" ".join(" ".join(i.value) for i in found))
        if not found or m is None:
            continue
        judged += 1
        port, cmd = int(m.group(1)), at(df.path, found[-1].line)
        exposed = _exposed(df)
        if exposed and port not in exposed:
            hits.append(
                Hit(
                    f"The server binds {port} but EXPOSE declares {', '.join(map(str, exposed))}.",
                    (cmd, at(df.path, min(exposed.values()))),
                )
            )
        for svc in facts.compose.services:
            targets = _compose_targets(svc)
            if svc.dockerfile == df.path and targets and port not in targets:
                path, line = svc.where("ports")
                hits.append(
                    Hit(
                        f"The server binds {port}; service {svc.name} maps {', '.join(map(str, sorted(targets)))}.",
                        (cmd, at(path, line)),
                    )
                )
        for w in facts.kubernetes.workloads:
            for c in w.containers:
                link = facts.images.dockerfile_for(str(c.spec.get("image", "")))
                if link is None or link[0] != df.path:
                    continue
                declared = {
                    int(p["containerPort"])
                    for p in c.spec.get("ports") or []
                    if isinstance(p, dict) and str(p.get("containerPort", "")).isdigit()
                }
                if declared and port not in declared:
                    hits.append(
                        Hit(
                            f"The server binds {port}; {w.manifest.kind}/{w.manifest.name} declares containerPort {', '.join(map(str, sorted(declared)))}.",
                            (cmd, at(w.manifest.path, c.line)),
                        )
                    )
                for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
                    spec = c.spec.get(probe)
                    target = (
                        ((spec.get("httpGet") or spec.get("tcpSocket") or {}).get("port"))
                        if isinstance(spec, dict)
                        else None
                    )
                    if isinstance(target, int) and target != port:
                        hits.append(
                            Hit(
                                f"The server binds {port}; the {probe} of {w.manifest.kind}/{w.manifest.name} calls port {target}.",
                                (cmd, at(w.manifest.path, c.line_of(probe))),
                            )
                        )
    if not hits and not judged and not facts.docker.errors:
        return not_applicable("No image command names the port its server binds.")
    return _decide(
        facts,
        hits,
        [],
        f"The bind port of {count(judged, 'image')} agrees with EXPOSE, Compose and Kubernetes.",
        "Port mismatches",
    )
