"""Every environment variable the service needs is passed to it where it is deployed: the compose
services that build it, the Kubernetes containers that run it.

A go-live checklist asks "Environment variables passed correctly", "Environment variables configured
(`.env`)". env-example-present compares the code with the documentation; this check compares it with
the deployment, where a missing variable is a service that starts without its key.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import Any

from msgspec import Struct
from pydantic import BaseModel, ConfigDict

from gate.checks.base import NOT_ASKED, Decision, Hit, at, check, failed, not_applicable, passed
from gate.checks.environment import PLATFORM_VARIABLES, deployed_reads
from gate.facts import Facts
from gate.facts.images import repository
from gate.model import Confidence, Level, Location, Outcome, Severity
from gate.paths import folder_of
from gate.wording import agree, count


class RuntimeEnvOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    ignore_variables: tuple[str, ...] = PLATFORM_VARIABLES
    """Variables the platform sets, never the deployment's to pass."""
    asked: bool = False
    """Judge it on every pull request. A checklist line this check decides asks it for that line."""


class Target(Struct, frozen=True):
    """One place the service is deployed: what it passes, and what it may pass that cannot be read."""

    name: str
    path: str
    line: int
    passed: frozenset[str]
    unknown: tuple[str, ...] = ()
    """sources whose variables are not in the repository (a Secret created by hand, an env file not
    committed and not documented)"""


def needed(facts: Facts, ignored: set[str]) -> dict[str, Location]:
    """The variables the service cannot run without, each at its first read: read with no default or an
    empty one, by the service's code (not a script run by hand)."""
    found: dict[str, Location] = {}
    for read in deployed_reads(facts, ignored):
        key = read.name.upper()
        if not key.replace("_", "").isalnum():
            continue  # markers such as "python-dotenv" are loads, not variables
        if read.has_default and not read.empty_default:
            continue
        found.setdefault(key, at(read.path, read.line))
    return found


def _image_env(facts: Facts) -> frozenset[str]:
    """Variables every image sets itself (ENV in a Dockerfile's final stage)."""
    names: set[str] = set()
    for dockerfile in facts.docker.dockerfiles:
        for ins in dockerfile.final.instructions:
            if ins.cmd != "ENV" or not ins.value:
                continue
            pairs = [v.split("=", 1)[0] for v in ins.value if "=" in v]
            names.update(pairs or [ins.value[0]])
    return frozenset(n.upper() for n in names)


def _listed(value: Any) -> set[str]:
    """compose `environment:` as a mapping or a list of KEY=VALUE / KEY."""
    if isinstance(value, dict):
        return {str(k).upper() for k in value}
    if isinstance(value, list):
        return {str(v).split("=", 1)[0].upper() for v in value if v is not None}
    return set()


def _compose_targets(facts: Facts) -> Iterator[Target]:
    examples = facts.docs.env_examples
    for svc in facts.compose.services:
        if svc.dockerfile is None:
            continue  # an image built elsewhere is not this code
        names = _listed(svc.config.get("environment"))
        unknown: list[str] = []
        for env_file in svc.env_files:
            # compose reads env_file relative to the file that names it
            named_in = folder_of(svc.where("env_file")[0])
            path = posixpath.normpath(posixpath.join(named_in or ".", env_file))
            # an env file kept out of git is documented by the example beside it
            beside = [ex for ex in examples if folder_of(ex.path) == folder_of(path)]
            if beside:
                names |= {v.upper() for ex in beside for v in ex.variables}
            else:
                unknown.append(f"env_file {env_file}")
        where = svc.where("environment") if svc.config.get("environment") else svc.where()
        yield Target(f"compose service {svc.name}", where[0], where[1], frozenset(names), tuple(unknown))


def _keys(manifest: Any) -> set[str]:
    data = manifest.data
    keys: set[str] = set()
    for field in ("data", "stringData"):
        if isinstance(data.get(field), dict):
            keys |= {str(k).upper() for k in data[field]}
    return keys


def _kubernetes_targets(facts: Facts) -> Iterator[Target]:
    kube = facts.kubernetes
    maps = {m.name: m for m in kube.of_kind("ConfigMap")}
    secrets = {m.name: m for m in kube.of_kind("Secret")}
    for w in kube.workloads:
        for c in w.containers:
            if c.init:
                continue
            image = str(c.spec.get("image") or "")
            if "/" not in repository(image) and facts.images.dockerfile_for(image) is None:
                continue  # a public image (redis, nginx) beside the service: not the code whose reads these are
            names = {str(e.get("name")).upper() for e in c.spec.get("env") or [] if isinstance(e, dict)}
            unknown: list[str] = []
            for source in c.spec.get("envFrom") or []:
                if not isinstance(source, dict):
                    continue
                prefix = str(source.get("prefix") or "").upper()
                for key, objects, kind in (
                    ("configMapRef", maps, "ConfigMap"),
                    ("secretRef", secrets, "Secret"),
                ):
                    ref = source.get(key)
                    if not isinstance(ref, dict):
                        continue
                    obj = objects.get(str(ref.get("name")))
                    if obj is None:
                        unknown.append(f"{kind} {ref.get('name')}")
                    else:
                        names |= {prefix + k for k in _keys(obj)}
            yield Target(
                f"container {c.name} of {w.manifest.kind} {w.manifest.name}",
                w.manifest.path,
                c.line,
                frozenset(names),
                tuple(unknown),
            )


@check(
    id="runtime-env-complete",
    title="The deployment passes every variable the service needs",
    category="configuration",
    severity=Severity.MEDIUM,
    level=Level.SILVER,
    confidence=Confidence.MEDIUM,
    applies_when="asked (options.asked or a checklist line), and the repository deploys the service with compose or Kubernetes",
    remediation="Pass the variables the report names in the compose service's environment or env_file, or the container's env/envFrom.",
    options=RuntimeEnvOptions,
)
def runtime_env_complete(facts: Facts, options: RuntimeEnvOptions) -> Decision:
    """
    ## What it checks
    That every environment variable the service's code needs reaches it where the repository deploys
    it. Needed: read with no default, or with an empty one (`os.getenv("API_KEY", "")` starts a
    service that rejects every request), as env-example-present reads them (platform variables and
    scripts run by hand aside). Passed: a compose service that builds the code (`environment:`, and
    an `env_file:` through the .env.example beside it), a Kubernetes container (`env:`, and `envFrom:`
    ConfigMaps and Secrets defined in the repository), or an `ENV` in the image's Dockerfile. Each
    deployment is judged on its own: a variable the compose file passes but the Deployment does not
    is missing in the cluster.

    A variable that could come from a source not in the repository (a Secret created by hand, an env
    file nobody documents) cannot be decided: missing evidence. With no compose service building the
    code and no Kubernetes workload, the check does not apply. It judges only when asked (`asked`, or a
    checklist line it decides).

    ## Why it matters
    The variable the laptop's shell had and the cluster does not is found when the first request fails,
    or worse, when an empty key lets the service run with its checks switched off.

    ## How to fix
    Add the variable to the deployment (a Secret reference for credentials).

    ## Example
    ```yaml
    env:
      - name: MODEL_PATH
        value: /models/churn.joblib
      - name: API_KEY
        valueFrom: {secretKeyRef: {name: churn-api, key: api-key}}
    ```
    """
    if not options.asked:
        return not_applicable(NOT_ASKED)
    ignored = {v.upper() for v in options.ignore_variables}
    targets = [*_compose_targets(facts), *_kubernetes_targets(facts)]
    if not targets:
        return not_applicable("No compose service builds the code and no Kubernetes workload runs it.")
    wanted = needed(facts, ignored)
    if not wanted:
        return passed("Every variable the code reads has a value of its own: none must be passed.")
    image = _image_env(facts)
    hits: list[Hit] = []
    unsure: list[str] = []
    for target in targets:
        absent = [name for name in sorted(wanted) if name not in target.passed and name not in image]
        if not absent:
            continue
        if target.unknown:
            unsure.append(f"{target.name}: {', '.join(absent)} (perhaps from {', '.join(target.unknown)})")
            continue
        hits.append(
            Hit(
                f"{target.name} does not pass {', '.join(absent)}, which the code needs "
                f"(read at {wanted[absent[0]]}).",
                (at(target.path, target.line),),
            )
        )
    if hits:
        return failed(
            f"{count(len(hits), 'deployment')} {agree(len(hits), 'misses', 'miss')} variables the code needs.",
            *hits,
        )
    if unsure:
        return Decision(
            Outcome.MISSING_EVIDENCE, "Not in the repository, so not decided: " + "; ".join(unsure) + "."
        )
    names = ", ".join(sorted(wanted))
    return passed(f"{count(len(targets), 'deployment')} {agree(len(targets), 'passes', 'pass')} {names}.")
