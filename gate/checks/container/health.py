"""The image's own health check, or the probes of wherever it runs."""

from __future__ import annotations

import re

from gate.checks.base import Decision, Hit, NoOptions, at, check, not_applicable
from gate.checks.container.common import (
    _FLASK_DEV,
    _PROD_SERVERS,
    _PYTHON_SCRIPT,
    _covered,
    _decide,
)
from gate.facts import Facts
from gate.facts.dockerfile import Dockerfile
from gate.lazyre import lazy
from gate.model import Confidence, Level, Severity

# -- healthcheck ------------------------------------------------------------------------------------


@check(
    id="dockerfile-healthcheck",
    title="Image declares a health check",
    category="container",
    severity=Severity.LOW,
    level=Level.SILVER,
    confidence=Confidence.MEDIUM,
    applies_when="the repository has a Dockerfile",
    remediation="Add a HEALTHCHECK that calls the service's health endpoint, or define probes where the image runs.",
    seeds=("Health checks defined",),
)
def dockerfile_healthcheck(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That the final stage of every Dockerfile that runs a service (it EXPOSEs a port, starts a known
    server or a Python script, is built on an image whose own command starts a server such as
    `tiangolo/uvicorn-gunicorn-fastapi`, or compose/Kubernetes runs it) declares a `HEALTHCHECK` (directly or
    inherited), and not `HEALTHCHECK NONE`; a one-shot tool image (a CLI, a batch job) is not judged. Kubernetes ignores HEALTHCHECK and uses probes instead, so an image without
    one passes when every Compose service and Kubernetes container that runs it defines a
    healthcheck or probes; the result names them. A Compose healthcheck excuses it only while the image
    runs nowhere else: when a workflow pushes it to a registry (build-push-action with `push`,
    `docker push`, `buildx --push`) and no Kubernetes manifest of the repository runs it with probes,
    it is judged on its own. Peers: Checkov CKV_DOCKER_2, hadolint DL3057.

    Differs from hadolint DL3057 on purpose: `HEALTHCHECK NONE` in an image that serves is reported,
    not accepted as an opt-out, because it switches off the only signal Docker and Compose restart a
    stuck model server on; an image whose every runner defines probes or a healthcheck still passes.

    ## Why it matters
    Without a health check Docker and Compose report a container whose model failed to load as
    "running", and restart policies never kick in.

    ## How to fix
    Call the health endpoint with a tool the image has (the slim Python images have no curl).

    ## Example
    ```dockerfile
    HEALTHCHECK --interval=30s --timeout=3s \\
      CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')"
    ```
    """
    hits: list[Hit] = []
    notes: list[str] = []
    tools = []
    for df in facts.docker.dockerfiles:
        found = df.inherited(df.final, "HEALTHCHECK")
        good, bad = _covered(facts, df, "health")
        if not good and not bad and not _serves(df):
            tools.append(df.path)  # a one-shot tool (a CLI, a batch job): nothing to probe
            continue
        if (
            found is None
            and good
            and not bad
            and all(r.compose for r in good)
            and df.path in facts.images.pushed
        ):
            pusher = facts.images.pushed[df.path]
            hits.append(
                Hit(
                    f"The image has no HEALTHCHECK: {'; '.join(r.label for r in good)} checks health, but "
                    f"{pusher} pushes the image to a registry, where it runs without one.",
                    (at(df.path, df.final.line),),
                )
            )
            continue
        if found is None and good and not bad:
            notes.append(
                f"{df.path} has no HEALTHCHECK, but every place that runs it checks health: {'; '.join(r.label for r in good)}"
            )
            continue
        if found is None and bad:
            hits.extend(
                Hit(
                    f"The image has no HEALTHCHECK and {r.label} runs it without probes or healthcheck ({r.link}).",
                    (at(df.path, df.final.line), r.where),
                )
                for r in bad
            )
            continue
        if found is None:
            hits.append(Hit("The final stage has no HEALTHCHECK.", (at(df.path, df.final.line),)))
        elif found[1].value and found[1].value[0].upper() == "NONE":
            hits.append(
                Hit(
                    "HEALTHCHECK NONE disables the base image's check.",
                    (at(df.path, found[1].line),),
                )
            )
    if tools and len(tools) == len(facts.docker.dockerfiles) and not facts.docker.errors:
        return not_applicable(
            f"No image runs a service: {', '.join(tools[:3])} expose no port and start no server."
        )
    ok = "Every image that runs a service has a health check." + (f" {'. '.join(notes)}." if notes else "")
    return _decide(facts, hits, [], ok, "Images without a health check")


# Base images whose own CMD starts a web server (the tiangolo/* family: uvicorn-gunicorn-fastapi,
# uvicorn-gunicorn, meinheld-gunicorn, uwsgi-nginx-flask): built on one, an image is a service.
_SERVER_BASES = lazy(r"^(docker\.io/)?tiangolo/(uvicorn-gunicorn|meinheld-gunicorn|uwsgi-nginx)", re.I)


def _serves(df: Dockerfile) -> bool:
    """An image that EXPOSEs a port, starts a known server, or is built on an image that starts one is
    a service; others are tools."""
    if df.inherited(df.final, "EXPOSE") is not None:
        return True
    root = df.final
    while (parent := df.parent(root)) is not None:
        root = parent
    own = [df.inherited(df.final, c) for c in ("ENTRYPOINT", "CMD")]
    if all(p is None for p in own) and _SERVER_BASES.match(root.base_resolved or root.base):
        return True
    parts = [df.inherited(df.final, c) for c in ("ENTRYPOINT", "CMD")]
    command = " ".join(" ".join(p[1].value) for p in parts if p is not None)
    return bool(_PROD_SERVERS.search(command) or _FLASK_DEV.search(command) or _PYTHON_SCRIPT.search(command))
