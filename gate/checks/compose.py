"""docker-compose checks: each service as Compose runs it, after merging overrides and `extends`.

Findings point at the file and line that set (or should set) the key; a service judged in several
configurations (base + override, base + prod) is reported once per distinct finding.
"""

from __future__ import annotations

import posixpath
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from gate.checks.base import Decision, Hit, NoOptions, at, check, conclude
from gate.checks.secretnames import compose_environment, compose_literal_secrets
from gate.facts import Facts
from gate.facts.compose import Service
from gate.lazyre import lazy
from gate.model import Confidence, Level, Severity
from gate.wording import agree, count, every, listing


def _decide(
    facts: Facts,
    hits: list[Hit],
    ok: str,
    bad: str,
    *,
    judged: int,
    nothing: str = "No docker-compose services.",
) -> Decision:
    # a service judged in several configurations (base + override, base + prod) is reported once
    unique = list({(h.message, h.locations): h for h in hits}.values())
    return conclude(
        unique,
        facts.compose.errors,
        what="compose file",
        ok=ok,
        bad=bad,
        judged=bool(judged),
        nothing=nothing,
    )


def _hit(svc: Service, message: str, *keys: str | int, severity: Severity | None = None) -> Hit:
    path, line = svc.where(*keys)
    return Hit(f"Service {svc.name}: {message}", (at(path, line),), severity=severity)


_TEST_RUNNER = lazy(r"^(python3?\s+-m\s+)?(pytest|tox|nox|py\.test)\b")


def _command(value: object) -> str:
    return " ".join(map(str, value)) if isinstance(value, list) else str(value or "")


def _one_shot(services: tuple[Service, ...]) -> set[tuple[str, str]]:
    """Services that run to completion: ones other services wait for to finish (`depends_on:
    {init: {condition: service_completed_successfully}}`: an init job), and ones that run a test suite."""
    done: set[tuple[str, str]] = set()
    for svc in services:
        depends = svc.config.get("depends_on")
        if isinstance(depends, dict):
            done.update(
                (svc.configuration, str(name))
                for name, how in depends.items()
                if isinstance(how, dict) and how.get("condition") == "service_completed_successfully"
            )
        runs = (_command(svc.config.get("entrypoint")) + " " + _command(svc.config.get("command"))).strip()
        if _TEST_RUNNER.match(runs):
            done.add((svc.configuration, svc.name))
    return done


def _long_running(svc: Service, one_shot: set[tuple[str, str]]) -> bool:
    return (
        str(svc.config.get("restart", "")).strip() != "no" and (svc.configuration, svc.name) not in one_shot
    )


# -- healthcheck ------------------------------------------------------------------------------------


@check(
    id="compose-healthcheck",
    title="Compose services have health checks",
    category="orchestration",
    severity=Severity.MEDIUM,
    level=Level.SILVER,
    applies_when="the repository has docker-compose services",
    remediation="Add a healthcheck to the service (or a HEALTHCHECK to the Dockerfile it builds).",
    seeds=("Health checks configured", "Health checks defined"),
)
def compose_healthcheck(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That every long-running service has a `healthcheck` that is not
    disabled, or builds an image whose Dockerfile in this repository declares a `HEALTHCHECK` (the
    finding then names that Dockerfile). Every service counts as long-running (with or without a
    `restart` key) except one with `restart: "no"`, one that other services wait for to finish
    (`condition: service_completed_successfully`: an init job), and one whose command runs a test
    suite (`pytest`, `tox`, `nox`).

    ## Why it matters
    Compose starts dependants as soon as a container runs, and `restart` policies only notice a
    crashed process; a model server that is up but failed to load its model stays "running" forever.

    ## How to fix
    Add a healthcheck that calls the service's health route.

    ## Example
    ```yaml
    healthcheck:
      test: ["CMD", "python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')"]
      interval: 30s
    ```
    """
    dockerfiles = {d.path: d for d in facts.docker.dockerfiles}
    hits: list[Hit] = []
    judged = 0
    one_shot = _one_shot(facts.compose.services)
    for svc in facts.compose.services:
        if not _long_running(svc, one_shot):
            continue
        judged += 1
        hc = svc.config.get("healthcheck")
        if isinstance(hc, dict) and not hc.get("disable") and hc.get("test") not in (["NONE"], "NONE"):
            continue
        built = svc.dockerfile
        df = dockerfiles.get(built or "")
        if hc is None and df is not None and df.inherited(df.final, "HEALTHCHECK") is not None:
            continue
        hits.append(
            _hit(
                svc,
                "has no healthcheck" + (f" (and {built} declares none)" if df else "") + ".",
                "healthcheck",
            )
        )
    return _decide(
        facts,
        hits,
        f"{every(judged, 'long-running service')} {agree(judged, 'has', 'have')} a health check.",
        "Services without a health check",
        judged=judged,
    )


# -- restart ----------------------------------------------------------------------------------------


@check(
    id="compose-restart-policy",
    title="Compose services have a restart policy",
    category="orchestration",
    severity=Severity.MEDIUM,
    level=Level.BRONZE,
    applies_when="the repository has docker-compose services",
    remediation="Set `restart: unless-stopped` (or deploy.restart_policy) on every long-running service.",
    seeds=("Restart policies configured",),
)
def compose_restart_policy(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That every service sets `restart` (always, unless-stopped, on-failure) or `deploy.restart_policy`.
    A service with `restart: "no"` states it is a one-off and passes, as do an init job other services
    wait for to finish (`condition: service_completed_successfully`) and a service that runs tests.

    ## Why it matters
    Without a policy a crashed model server or a reboot of the host leaves the API down until someone
    notices.

    ## How to fix
    Add the policy to each service.

    ## Example
    ```yaml
    restart: unless-stopped
    ```
    """
    one_shot = _one_shot(facts.compose.services)
    hits = [
        _hit(svc, "has no restart policy.", "restart")
        for svc in facts.compose.services
        if "restart" not in svc.config
        and not (svc.config.get("deploy") or {}).get("restart_policy")
        and (svc.configuration, svc.name) not in one_shot
    ]
    judged = len(facts.compose.services)
    return _decide(
        facts,
        hits,
        f"{every(judged, 'service')} {agree(judged, 'has', 'have')} a restart policy.",
        "Services without a restart policy",
        judged=judged,
    )


# -- resources --------------------------------------------------------------------------------------

LimitAspect = Literal["memory", "cpu"]
LIMIT_NAMES: dict[LimitAspect, str] = {"memory": "a memory limit", "cpu": "a CPU limit"}
_CPU = lazy(r"\bcpus?\b", re.I)
_MEMORY = lazy(r"\bmemory\b|\bram\b|\bmem_limit\b", re.I)
_LIMIT = lazy(r"limit|\bcap", re.I)


def asked_limit_aspects(text: str) -> tuple[LimitAspect, ...]:
    """The limits a checklist line names: "Resource limits set (CPU, memory)" both, "CPU limits" the CPU,
    a line that names a limit of neither the memory limit, the one this check asks for."""
    cpu = bool(_CPU.search(text))
    memory = bool(_MEMORY.search(text)) or (not cpu and bool(_LIMIT.search(text)))
    found: list[LimitAspect] = ["memory"] if memory else []
    return (*found, "cpu") if cpu else tuple(found)


class LimitOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    aspects: tuple[LimitAspect, ...] = Field(default=("memory",), min_length=1)
    """The limits every long-running service sets: memory by default; `cpu` too where a team caps it
    (or a checklist line names it)."""


@check(
    id="compose-resource-limits",
    title="Compose services limit their memory",
    category="orchestration",
    severity=Severity.MEDIUM,
    level=Level.SILVER,
    applies_when="the repository has docker-compose services",
    remediation="Set deploy.resources.limits.memory (and cpus) on every long-running service.",
    seeds=("Resource limits set",),
    options=LimitOptions,
)
def compose_resource_limits(facts: Facts, options: LimitOptions) -> Decision:
    """
    ## What it checks
    That every long-running service limits its memory: `deploy.resources.limits.memory` (Compose v2
    applies it without swarm) or the older `mem_limit`. A CPU limit (`deploy.resources.limits.cpus`
    or `cpus`) is judged only where it is asked for: a checklist line that names the CPU ("Resource
    limits set (CPU, memory)") is judged on both, one that names only the CPU on that; `aspects` sets
    it for the check itself (`memory`, `cpu`).

    ## Why it matters
    A model that loads a second copy of itself, or a batch request that is too large, otherwise eats
    the host's memory and the kernel kills whichever process it picks, maybe the database.

    ## How to fix
    Add the limit, a little above the service's measured peak.

    ## Example
    ```yaml
    deploy:
      resources:
        limits: {cpus: "2", memory: 2G}
    ```
    """
    hits: list[Hit] = []
    judged = 0
    asked = [a for a in LIMIT_NAMES if a in options.aspects]  # each once, in one order
    one_shot = _one_shot(facts.compose.services)
    for svc in facts.compose.services:
        if not _long_running(svc, one_shot):
            continue
        judged += 1
        limits = ((svc.config.get("deploy") or {}).get("resources") or {}).get("limits") or {}
        held = {
            "memory": bool(limits.get("memory") or svc.config.get("mem_limit")),
            "cpu": bool(limits.get("cpus") or svc.config.get("cpus")),
        }
        missing = [a for a in asked if not held[a]]
        if missing:
            hits.append(_hit(svc, f"has no {' or '.join(missing)} limit.", "deploy"))
    return _decide(
        facts,
        hits,
        f"{every(judged, 'long-running service')} {agree(judged, 'limits its', 'limit their')} "
        f"{listing(asked)}.",
        "Services without resource limits",
        judged=judged,
    )


# -- privileges -------------------------------------------------------------------------------------


def _volume_sources(svc: Service) -> list[str]:
    out = []
    for v in svc.config.get("volumes") or []:
        if isinstance(v, str):
            out.append(v.split(":", 1)[0])
        elif isinstance(v, dict):
            out.append(str(v.get("source", "")))
    return out


@check(
    id="compose-no-privileged",
    title="Compose services not privileged",
    category="security",
    severity=Severity.HIGH,
    level=Level.BRONZE,
    applies_when="the repository has docker-compose services",
    remediation="Remove privileged, host namespaces and the Docker socket; add only the capabilities the service needs.",
)
def compose_no_privileged(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That no service runs `privileged: true`, mounts the Docker socket, shares the host's network or PID
    namespace (`network_mode: host`, `pid: host`), or adds `ALL` or `SYS_ADMIN` capabilities.

    ## Why it matters
    Each of these hands the host to whoever gets code execution in the container; the Docker socket
    alone is root on the host.

    ## How to fix
    Remove the setting; publish ports instead of host networking.

    ## Example
    ```yaml
    ports: ["8000:8000"]
    cap_drop: [ALL]
    ```
    """
    hits: list[Hit] = []
    for svc in facts.compose.services:
        c = svc.config
        if c.get("privileged") is True:
            hits.append(_hit(svc, "runs privileged.", "privileged"))
        if any(s.endswith("docker.sock") for s in _volume_sources(svc)):
            hits.append(_hit(svc, "mounts the Docker socket.", "volumes"))
        for key in ("network_mode", "pid", "ipc"):
            if str(c.get(key, "")) == "host":
                hits.append(_hit(svc, f"shares the host's {key.replace('_mode', '')} namespace.", key))
        added = {str(x).upper() for x in c.get("cap_add") or []}
        if added & {"ALL", "SYS_ADMIN"}:
            hits.append(
                _hit(svc, f"adds {', '.join(sorted(added & {'ALL', 'SYS_ADMIN'}))} capabilities.", "cap_add")
            )
    judged = len(facts.compose.services)
    return _decide(
        facts,
        hits,
        f"No service runs with host privileges ({count(judged, 'service')} read).",
        "Privileged services",
        judged=judged,
    )


# -- secrets ----------------------------------------------------------------------------------------


@check(
    id="compose-no-inline-secrets",
    title="No secrets written in compose files",
    category="security",
    severity=Severity.HIGH,
    level=Level.BRONZE,
    applies_when="the repository has docker-compose services",
    remediation="Read the value from the environment (`API_KEY: ${API_KEY}`), an env_file kept out of git, or Compose secrets.",
    seeds=("Secrets management (use Docker secrets or vault)",),
    concern="secret-in-repository",
)
def compose_no_inline_secrets(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That no service's `environment` gives a secret-named variable (password, token, API key, ...;
    names ending in _FILE, _PATH, _URL and the like exempt) a literal value. Interpolation
    (`${API_KEY}`, `${API_KEY:-}`) and placeholders are fine. The finding never repeats the value.
    A literal that is also a credential by no-hardcoded-secrets' measure is reported here only, at
    the variable's line, as critical.

    ## Why it matters
    The compose file is in git: a password written there is shared with everyone who ever clones the
    repository, and is hard to rotate.

    ## How to fix
    Interpolate from the environment or use `secrets:` with files outside the repository.

    ## Example
    ```yaml
    environment:
      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it in .env}
    ```
    """
    # at the variable's own line, the line no-hardcoded-secrets would name: one place, one report
    secrets = {(s.path, s.line) for s in facts.secrets.found}
    hits = [
        Hit(
            f"Service {svc.name}: {name} is a literal value in the compose file.",
            (at(path, line),),
            # the value is also a credential by no-hardcoded-secrets' measure, which leaves it to us
            severity=Severity.CRITICAL if (path, line) in secrets else None,
        )
        for svc, name, path, line in compose_literal_secrets(facts.compose.services)
    ]
    judged = len(facts.compose.services)
    return _decide(
        facts,
        hits,
        "No secret-named variable has a literal value.",
        "Literal secrets in compose files",
        judged=judged,
    )


# -- images -----------------------------------------------------------------------------------------


@check(
    id="compose-images-pinned",
    title="Compose images pinned to a version",
    category="orchestration",
    severity=Severity.MEDIUM,
    level=Level.BRONZE,
    applies_when="the repository has docker-compose services that pull images",
    remediation="Name a version tag (postgres:16.4) or a digest for every pulled image.",
    seeds=("Images tagged with version numbers",),
)
def compose_images_pinned(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That every service that pulls an image (an `image:` without `build:`) names a tag other than
    `latest`, or a digest. With `build:`, `image:` only names the result and is not judged.
    An image given by a variable (`${IMAGE}`) is left to whoever sets it.

    ## Why it matters
    `redis` or `postgres:latest` upgrades a major version on the next `docker compose pull`, with
    data format changes and nobody reviewing it.

    ## How to fix
    Pin the version you tested.

    ## Example
    ```yaml
    image: postgres:16.4-alpine
    ```
    """
    hits: list[Hit] = []
    judged = 0
    for svc in facts.compose.services:
        image = svc.config.get("image")
        if not isinstance(image, str) or "build" in svc.config or "$" in image:
            continue
        judged += 1
        last = image.rsplit("/", 1)[-1]
        tag = last.rsplit(":", 1)[1] if ":" in last else None
        if "@" not in image and tag in (None, "latest"):
            hits.append(_hit(svc, f"pulls `{image}` ({'latest' if tag else 'no tag'}).", "image"))
    return _decide(
        facts,
        hits,
        f"{every(judged, 'pulled image')} {agree(judged, 'names', 'name')} a version.",
        "Images without a version",
        judged=judged,
        nothing="No service pulls an image.",
    )


# -- depends_on -------------------------------------------------------------------------------------


@check(
    id="compose-depends-on-healthy",
    title="Compose dependencies wait until healthy",
    category="orchestration",
    severity=Severity.LOW,
    level=Level.SILVER,
    applies_when="docker-compose services depend on others",
    remediation="Use the long form: `depends_on: {db: {condition: service_healthy}}` with a healthcheck on the dependency.",
    seeds=("Service dependencies configured",),
)
def compose_depends_on_healthy(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That each `depends_on` waits for the dependency to be healthy (`condition: service_healthy`),
    or, for one-off dependencies such as migrations, to complete (`service_completed_successfully`).
    The short list form only waits for the container to start.

    ## Why it matters
    The API starts before the database accepts connections, fails its first queries or its model
    download, and either crashes in a loop or serves errors until someone restarts it.

    ## How to fix
    Switch to the long form and give the dependency a healthcheck.

    ## Example
    ```yaml
    depends_on:
      db:
        condition: service_healthy
    ```
    """
    hits: list[Hit] = []
    judged = 0
    for svc in facts.compose.services:
        deps = svc.config.get("depends_on")
        if isinstance(deps, list):
            judged += len(deps)
            if deps:
                hits.append(
                    _hit(
                        svc,
                        f"depends on {', '.join(map(str, deps))} without waiting for health.",
                        "depends_on",
                    )
                )
        elif isinstance(deps, dict):
            for name, cond in deps.items():
                judged += 1
                condition = (
                    (cond or {}).get("condition", "service_started")
                    if isinstance(cond, dict)
                    else "service_started"
                )
                if condition not in ("service_healthy", "service_completed_successfully"):
                    hits.append(
                        _hit(svc, f"depends on {name} with condition {condition}.", "depends_on", str(name))
                    )
    return _decide(
        facts,
        hits,
        f"{every(judged, 'dependency', 'dependencies')} {agree(judged, 'waits', 'wait')} for health or completion.",
        "Dependencies that do not wait",
        judged=judged,
        nothing="No service depends on another.",
    )


# -- persistent SQLite ------------------------------------------------------------------------------

_SQLITE_URL = lazy(r"sqlite(?:\+\w+)?:///(.+)$")
_DB_FILE = lazy(r"^(/[^\s:]+\.(?:db|sqlite3?))$")


def _volume_targets(svc: Service) -> list[str]:
    out = []
    for v in svc.config.get("volumes") or []:
        if isinstance(v, str) and ":" in v:
            out.append(v.split(":")[1])
        elif isinstance(v, dict) and v.get("target"):
            out.append(str(v["target"]))
    return out


@check(
    id="compose-persistent-volumes",
    title="Stateful compose services keep data in volumes",
    category="orchestration",
    severity=Severity.HIGH,
    level=Level.BRONZE,
    confidence=Confidence.MEDIUM,
    applies_when="a docker-compose service keeps an SQLite database",
    remediation="Mount a named volume (or a bind mount) on the folder that holds the database file.",
    seeds=("Volumes persisted correctly", "Volumes mounted correctly", "Volume mounts configured correctly"),
)
def compose_persistent_volumes(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That a service whose environment points at an SQLite database (`sqlite:////data/app.db`, or a
    `*.db`/`*.sqlite` absolute path) has a volume mounted on the folder holding it. A relative path is
    judged against the service's `working_dir` when it has one. Model folders are not judged: most
    images bake their model in, and only services that write models need a volume.

    ## Why it matters
    Without a volume the database lives in the container's writable layer: the next
    `docker compose up --build` or a recreate deletes every stored prediction and user.

    ## How to fix
    Add a named volume on the database's folder (and back it up).

    ## Example
    ```yaml
    volumes: ["app-data:/data"]
    environment: {DATABASE_URL: "sqlite:////data/app.db"}
    ```
    """
    hits: list[Hit] = []
    judged = 0
    for svc in facts.compose.services:
        workdir = str(svc.config.get("working_dir") or "")
        for _, name, value in compose_environment(svc):
            text = str(value or "").strip()
            m = _SQLITE_URL.match(text)
            path = m.group(1) if m else (text if _DB_FILE.match(text) else None)
            if path is None or path == ":memory:":
                continue
            if not path.startswith("/"):
                if not workdir:
                    continue  # relative to a working directory we cannot see: not guessed
                path = posixpath.join(workdir, path)
            judged += 1
            if not any(path.startswith(t.rstrip("/") + "/") for t in _volume_targets(svc)):
                hits.append(
                    _hit(svc, f"keeps its SQLite database ({name}) at {path}, on no volume.", "environment")
                )
    return _decide(
        facts,
        hits,
        f"{every(judged, 'SQLite database')} {agree(judged, 'sits on a volume', 'sit on volumes')}.",
        "Databases without a volume",
        judged=judged,
        nothing="No compose service keeps an SQLite database.",
    )
