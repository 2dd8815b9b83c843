"""The compose stack as a whole: files that parse, every service the repository builds defined, its
networks declared, and only the public entrypoint reachable from outside.

A go-live checklist asks "docker-compose.yml validated", "All services defined", "Networks configured",
"Network isolation". One check decides them from the compose facts; which aspects it asks for comes from
the team's config or, for a checklist line, from the line's own words (gate/thresholds.py).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict

from gate.checks.base import Decision, Hit, at, check, failed, not_applicable, passed
from gate.facts import Facts
from gate.lazyre import lazy
from gate.model import Level, Severity
from gate.wording import count

StackAspect = Literal["valid", "services", "networks", "isolation"]

NAMES: dict[StackAspect, str] = {
    "valid": "compose files that parse",
    "services": "every image the repository builds defined as a service",
    "networks": "declared networks every service is attached to",
    "isolation": "only the public entrypoint publishing ports",
}
_ASKED: tuple[tuple[StackAspect, re.Pattern[str]], ...] = (
    (
        "valid",
        lazy(r"compose\b.{0,30}\b(configured|validated|valid)\b|docker-compose\.ya?ml validated", re.I),
    ),
    ("services", lazy(r"all services defined|services (are )?defined", re.I)),
    ("networks", lazy(r"networks? (configured|defined|declared)", re.I)),
    ("isolation", lazy(r"network isolation|isolated network|networks? (are )?(properly )?isolated", re.I)),
)


def asked_stack_aspects(text: str) -> tuple[StackAspect, ...]:
    return tuple(a for a, rx in _ASKED if rx.search(text))


class StackOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    aspects: tuple[StackAspect, ...] = ()
    """What the compose stack must show. None by default: a checklist line asks for its own."""


def _published(config: dict[str, object]) -> bool:
    ports = config.get("ports")
    return isinstance(ports, list) and bool(ports)


def _judge(facts: Facts, aspect: StackAspect) -> tuple[list[str], list[Hit]]:
    """(evidence, findings) for one aspect."""
    compose = facts.compose
    if aspect == "valid":
        hits = [Hit(f"{e.message}", (at(e.path, e.line),)) for e in compose.errors]
        return ([f"{count(len(compose.files), 'compose file')}, all parsed"] if not hits else []), hits
    if aspect == "services":
        built = {svc.dockerfile for svc in compose.services if svc.dockerfile}
        defined = {svc.name for svc in compose.services}
        hits = [
            Hit(f"{d.path} is built by no compose service.", (at(d.path),))
            for d in facts.docker.dockerfiles
            if d.path not in built and not d.path.startswith(("test", "tests/", ".devcontainer/"))
        ]
        for svc in compose.services:
            needs = svc.config.get("depends_on")
            names = list(needs) if isinstance(needs, dict | list) else []
            for name in names:
                if str(name) not in defined:
                    path, line = svc.where("depends_on")
                    hits.append(
                        Hit(f"{svc.name} depends on {name}, which no file defines.", (at(path, line),))
                    )
        return ([f"{count(len(built), 'image')} built by services, none missing"] if not hits else []), hits
    if aspect == "networks":
        declared = {name for _, name, _ in compose.networks}
        if not declared:
            first = compose.files[0] if compose.files else compose.errors[0].path
            return [], [Hit("No network is declared: every service shares the default one.", (at(first),))]
        hits = []
        for svc in compose.services:
            attached = svc.config.get("networks")
            names = list(attached) if isinstance(attached, dict | list) else []
            if not names and svc.config.get("network_mode") is None:
                path, line = svc.where()
                hits.append(Hit(f"{svc.name} is attached to no declared network.", (at(path, line),)))
        return ([f"networks {', '.join(sorted(declared))}"] if not hits else []), hits
    # isolation: an internal network, or at most one service per configuration publishing ports
    internal = [name for _, name, flag in compose.networks if flag]
    by_config: dict[str, list[str]] = {}
    for svc in compose.services:
        if _published(svc.config):
            by_config.setdefault(svc.configuration, []).append(svc.name)
    exposed = {config: names for config, names in by_config.items() if len(names) > 1}
    if internal or not exposed:
        said = f"internal network {internal[0]}" if internal else "one service per stack publishes ports"
        return [said], []
    hits = []
    for config, names in sorted(exposed.items()):
        svc = next(s for s in compose.services if s.configuration == config and s.name == names[1])
        path, line = svc.where("ports")
        hits.append(
            Hit(
                f"{', '.join(names)} all publish ports in {config}: more than the entrypoint is reachable.",
                (at(path, line),),
            )
        )
    return [], hits


@check(
    id="compose-stack",
    title="Compose stack has the aspects asked for",
    category="orchestration",
    severity=Severity.LOW,
    level=Level.GOLD,
    applies_when="the repository has compose files, and the config or a checklist line names an aspect",
    remediation="Fix the compose files the report names: parse errors, images built by no service, undeclared networks, backends that publish ports.",
    options=StackOptions,
)
def compose_stack(facts: Facts, options: StackOptions) -> Decision:
    """
    ## What it checks
    That the compose stack has each aspect asked for:

    - files that parse (YAML, `extends` and merges resolved, as Compose reads them);
    - every Dockerfile of the repository built by a service (tests and dev containers aside), and every
      `depends_on` naming a service that exists;
    - networks declared at the top level, with every service attached to one (or using
      `network_mode`);
    - isolation: an `internal: true` network, or at most one service per stack publishing ports (a
      database or a model server that publishes its port is reachable from outside the host).

    No aspect is asked by default. A checklist line names its own ("Network isolation" asks for
    isolation).

    ## Why it matters
    A stack that only runs on the author's machine, or that publishes its database port, fails on the
    first day in production.

    ## How to fix
    Fix what the report names.

    ## Example
    ```yaml
    services:
      api: {build: ., ports: ["8000:8000"], networks: [public, backend]}
      db: {image: postgres:16.4, networks: [backend]}
    networks:
      public:
      backend: {internal: true}
    ```
    """
    if not options.aspects:
        return not_applicable(
            "No aspect of the compose stack is asked for (options.aspects, or a checklist line)."
        )
    if not facts.compose.files and not facts.compose.errors:
        return not_applicable("No compose file.")
    found: list[str] = []
    hits: list[Hit] = []
    missing: list[str] = []
    for aspect in dict.fromkeys(options.aspects):
        said, wrong = _judge(facts, aspect)
        if wrong:
            missing.append(NAMES[aspect])
            hits.extend(wrong)
        else:
            found.append(f"{NAMES[aspect]}: {said[0]}")
    if hits:
        return failed(f"Missing: {', '.join(missing)}.", *hits)
    return passed("Compose: " + "; ".join(found) + ".")
