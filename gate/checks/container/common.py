"""What the Dockerfile checks share: how a family of checks ends, the stages an image is made of,
where the image runs (Compose services, Kubernetes containers) and how its instructions read."""

from __future__ import annotations

from msgspec import Struct

from gate.checks.base import Decision, Hit, at, conclude
from gate.facts import Facts
from gate.facts.dockerfile import Dockerfile, Instruction, Stage
from gate.lazyre import lazy
from gate.model import Location


def _decide(facts: Facts, hits: list[Hit], unsure: list[Hit], ok: str, bad: str) -> Decision:
    docker = facts.docker
    return conclude(
        hits,
        docker.errors,
        what="Dockerfile",
        ok=ok,
        bad=bad,
        judged=bool(docker.dockerfiles),
        nothing="No Dockerfile in the repository.",
        unsure=unsure,
    )


def _root_stage(df: Dockerfile, stage: Stage) -> Stage:
    current = stage
    while (parent := df.parent(current)) is not None:
        current = parent
    return current


def _image_parts(ref: str) -> tuple[str, str | None, str | None]:
    """(repository, tag, digest) of an image reference."""
    digest = None
    if "@" in ref:
        ref, digest = ref.split("@", 1)
    name, tag = ref, None
    if ":" in ref.rsplit("/", 1)[-1]:
        name, tag = ref.rsplit(":", 1)
    return name.lower(), tag, digest


# -- where the image runs ---------------------------------------------------------------------------


class Runtime(Struct, frozen=True):
    """A Compose service or Kubernetes container that runs the image a Dockerfile builds."""

    label: str
    where: Location
    non_root: bool
    health: bool
    link: str
    compose: bool = False
    """Run by Compose on the developer's machine (as opposed to a cluster that pulls from a registry)."""


def _runtimes(facts: Facts, dockerfile: str) -> list[Runtime]:
    return _runtime_index(facts).get(dockerfile, [])


_INDEX: list[tuple[Facts, dict[str, list[Runtime]]]] = []
"""The last run's index (one entry, kept by identity): each Dockerfile check asks for every Dockerfile,
and looking every service and container up per Dockerfile was Dockerfiles x containers (5.7 s at 50k
files)."""


def _runtime_index(facts: Facts) -> dict[str, list[Runtime]]:
    if _INDEX and _INDEX[0][0] is facts:
        return _INDEX[0][1]
    found: dict[str, list[Runtime]] = {}
    for svc in facts.compose.services:
        if svc.dockerfile is None:
            continue
        user = str(svc.config.get("user", "")).split(":")[0]
        hc = svc.config.get("healthcheck")
        path, line = svc.where()
        found.setdefault(svc.dockerfile, []).append(
            Runtime(
                f"{path} service {svc.name}",
                at(path, line),
                bool(user) and user not in ("root", "0"),
                isinstance(hc, dict) and not hc.get("disable"),
                f"{path} builds it",
                compose=True,
            )
        )
    for w in facts.kubernetes.workloads:
        for c in w.containers:
            link = facts.images.dockerfile_for(str(c.spec.get("image", "")))
            if link is None:
                continue
            own = c.spec.get("securityContext") or {}
            pod = w.pod_spec.get("securityContext") or {}
            non_root = own.get("runAsNonRoot", pod.get("runAsNonRoot")) is True or (
                isinstance(uid := own.get("runAsUser", pod.get("runAsUser")), int) and uid > 0
            )
            found.setdefault(link[0], []).append(
                Runtime(
                    f"{w.manifest.path} {w.manifest.kind}/{w.manifest.name} container {c.name}",
                    at(w.manifest.path, c.line),
                    non_root,
                    bool(c.spec.get("readinessProbe") or c.spec.get("livenessProbe")),
                    link[1],
                )
            )
    _INDEX[:] = [(facts, found)]
    return found


def _covered(facts: Facts, df: Dockerfile, attr: str) -> tuple[list[Runtime], list[Runtime]]:
    """The runtimes of this Dockerfile's image that make up for what it lacks, and those that do not."""
    runtimes = _runtimes(facts, df.path)
    return [r for r in runtimes if getattr(r, attr)], [r for r in runtimes if not getattr(r, attr)]


def final_chain(df: Dockerfile) -> list[Stage]:
    """The final stage and the stages it is built FROM: what the image is made of."""
    chain = [df.final]
    while (parent := df.parent(chain[-1])) is not None:
        chain.append(parent)
    return chain


def _sources(ins: Instruction) -> list[str]:
    """A COPY or ADD's sources as Docker reads them: quotes removed (`ADD "http://x" /d` fetches a
    URL), heredocs left out."""
    return [v.strip("\"'") for v in ins.value[:-1] if not v.startswith("<<")]


def env_pairs(ins: Instruction) -> list[tuple[str, str]]:
    values = list(ins.value)
    if ins.cmd == "ARG":
        return [(v.partition("=")[0], v.partition("=")[2]) for v in values]
    return [(values[i], values[i + 1] if i + 1 < len(values) else "") for i in range(0, len(values), 2)]


# how a start command reads: a production server, Flask's development server, a Python script
_PROD_SERVERS = lazy(
    r"\b(gunicorn|uvicorn|hypercorn|waitress-serve|daphne|granian|uwsgi|bentoml|torchserve|tritonserver|mlflow)\b"
)
_FLASK_DEV = lazy(r"\bflask\b.*\brun\b")
_PYTHON_SCRIPT = lazy(r"\bpython[\d.]*\s+(?:-\w+\s+)*([\w./-]+\.py)\b")
_PYTHON_RELATED = lazy(r"\b(python[\d.]*|flask|gunicorn|uvicorn|hypercorn|waitress-serve)\b")
