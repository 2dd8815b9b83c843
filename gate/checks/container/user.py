"""The user the image runs as."""

from __future__ import annotations

from gate.checks.base import Decision, Hit, NoOptions, at, check
from gate.checks.container.common import (
    _covered,
    _decide,
    _root_stage,
)
from gate.facts import Facts
from gate.facts.dockerfile import substitute
from gate.lazyre import lazy
from gate.model import Level, Severity

# -- user -------------------------------------------------------------------------------------------

_NONROOT_BASES = lazy(r"(distroless/.*:(debug-)?nonroot|^cgr\.dev/chainguard/|[-:]nonroot\b)")


@check(
    id="dockerfile-non-root-user",
    title="Image runs as a non-root user",
    category="container",
    severity=Severity.HIGH,
    level=Level.BRONZE,
    applies_when="the repository has a Dockerfile",
    remediation="Create an unprivileged user and switch to it in the final stage: `RUN useradd --uid 10001 app` then `USER app`.",
    seeds=("Non-root user configured", "No root user"),
)
def dockerfile_non_root_user(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That the final stage of every Dockerfile runs as a non-root user: its last `USER` (or the one it
    inherits from the stage it is built FROM) is neither `root` nor `0`. A final stage with no `USER`
    at all runs as root too, which hadolint's DL3002 does not report; an image built on a base that
    runs as non-root by default (distroless `:nonroot`, Chainguard) passes. A `USER ${VAR}` that cannot
    be resolved is reported as undecided, not guessed. Peers: hadolint DL3002, Checkov CKV_DOCKER_3.
    A final stage without USER also passes when every place in the repository that runs the image
    sets a non-root user: Compose services that build it (`user:`) and Kubernetes containers whose
    image it builds (`runAsNonRoot`/`runAsUser`); the result names them. Which Dockerfile builds an
    image is read from Compose `build:`, `docker build -t` and docker/build-push-action in
    workflows, and folder names.

    Differs from hadolint DL3002 on purpose in two cases: only the final stage's user reaches the
    running container, so a build stage that ends as `USER root` is not reported when the final stage
    sets a non-root user (hadolint reports it); and a final stage with no `USER` at all runs as uid 0,
    so it is reported (hadolint only catches an explicit `USER root`).

    ## Why it matters
    A process running as root inside the container turns any code-execution bug (a pickle, a template
    injection) into root on the container and a short step from the host.

    ## How to fix
    Add an unprivileged user in the final stage and switch to it before `CMD`.

    ## Example
    ```dockerfile
    FROM python:3.11-slim
    RUN useradd --create-home --uid 10001 app
    USER app
    CMD ["gunicorn", "app:app"]
    ```
    """
    hits: list[Hit] = []
    unsure: list[Hit] = []
    notes: list[str] = []
    for df in facts.docker.dockerfiles:
        final = df.final
        found = df.inherited(final, "USER")
        if found is None:
            base = _root_stage(df, final).base_resolved or ""
            good, bad = _covered(facts, df, "non_root")
            if good and not bad:
                notes.append(
                    f"{df.path} sets no USER, but every place that runs it does: {'; '.join(r.label for r in good)}"
                )
                continue
            if bad:
                hits.extend(
                    Hit(
                        f"The image has no USER and {r.label} runs it without runAsNonRoot/user ({r.link}).",
                        (at(df.path, final.line), r.where),
                    )
                    for r in bad
                )
                continue
            if not _NONROOT_BASES.search(base):
                hits.append(
                    Hit(
                        "The final stage has no USER, so the container runs as root.",
                        (at(df.path, final.line),),
                    )
                )
            continue
        _, ins = found
        user = substitute(ins.value[0] if ins.value else "", df.args)
        if user is None:
            unsure.append(Hit(f"`{ins.original}` uses a variable with no default.", (at(df.path, ins.line),)))
        elif user.split(":")[0] in ("root", "0", ""):
            hits.append(Hit(f"The final stage runs as `{user}`.", (at(df.path, ins.line),)))
    ok = "Every final stage runs as a non-root user." + (f" {'. '.join(notes)}." if notes else "")
    return _decide(facts, hits, unsure, ok, "Images that run as root")
