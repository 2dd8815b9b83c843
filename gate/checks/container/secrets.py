"""Secrets written into the image through ENV and ARG."""

from __future__ import annotations

from gate.checks.base import Decision, Hit, NoOptions, at, check
from gate.checks.container.common import (
    _decide,
    env_pairs,
)
from gate.checks.secretnames import is_placeholder, is_secret_name
from gate.facts import Facts
from gate.facts.dockerfile import Dockerfile, Instruction
from gate.model import Level, Severity

# -- secrets in ENV/ARG -----------------------------------------------------------------------------


def _secret_hits(df: Dockerfile, ins: Instruction) -> list[Hit]:
    hits = []
    for name, value in env_pairs(ins):
        if not is_secret_name(name):
            continue
        if ins.cmd == "ENV" and is_placeholder(value):
            continue  # a placeholder or a reference: the real value comes at run time
        what = "a literal value" if ins.cmd == "ENV" else "a build argument, which stays in the image history"
        # the value itself is never repeated: only its name and where it is
        hits.append(Hit(f"{ins.cmd} {name} puts a secret in {what}.", (at(df.path, ins.line),)))
    return hits


@check(
    id="dockerfile-no-secrets",
    title="No secrets in Dockerfiles",
    category="security",
    severity=Severity.HIGH,
    level=Level.BRONZE,
    applies_when="the repository has a Dockerfile",
    remediation="Pass secrets at run time (environment, orchestrator secrets), or at build time with `RUN --mount=type=secret`.",
    concern="secret-in-repository",
)
def dockerfile_no_secrets(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    `ENV` and `ARG` instructions whose names say they hold a secret (password, secret, token, API key,
    access key, private key, credential; names ending in _FILE, _PATH, _URL and the like are exempt).
    `ENV` is reported when it sets a literal value (placeholders such as `changeme` or `${VAR}` are
    not); `ARG` always, because build arguments are recorded in the image history. The finding names
    the variable and the line, never the value. Peer: Docker's build check SecretsUsedInArgOrEnv.

    ## Why it matters
    Anyone who can pull the image can read its ENV and build arguments with `docker history` or
    `docker inspect`, long after the key was meant to be rotated.

    ## How to fix
    Inject secrets when the container starts, or mount them only for the RUN step that needs them.

    ## Example
    ```dockerfile
    RUN --mount=type=secret,id=pip_token \\
        PIP_INDEX_URL="https://__token__:$(cat /run/secrets/pip_token)@pypi.example/simple" pip install -r requirements.txt
    ```
    """
    hits: list[Hit] = []
    for df in facts.docker.dockerfiles:
        for stage in df.stages:
            for ins in stage.instructions:
                if ins.cmd in ("ENV", "ARG"):
                    hits.extend(_secret_hits(df, ins))
        for name in df.args:
            if is_secret_name(name):
                hits.append(
                    Hit(
                        f"ARG {name} before FROM puts a secret in a build argument.",
                        (at(df.path, 1),),
                    )
                )
    return _decide(facts, hits, [], "No ENV or ARG carries a secret.", "Secrets in ENV or ARG")
