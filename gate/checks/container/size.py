"""What the image carries for nothing: build tools of a single stage, pip's cache."""

from __future__ import annotations

from gate.checks.base import Decision, Hit, NoOptions, at, check, not_applicable
from gate.checks.container.common import (
    _decide,
    env_pairs,
    final_chain,
)
from gate.facts import Facts
from gate.lazyre import lazy
from gate.model import Level, Severity
from gate.wording import agree, count

# -- multi-stage ------------------------------------------------------------------------------------

_INSTALLS = lazy(
    r"\b(pip3?|python3? -m pip|uv pip|poetry|apt-get|apk|yum|dnf|npm|yarn|pnpm|conda|mamba) (install|add|sync)\b"
)


@check(
    id="dockerfile-multi-stage",
    title="Multi-stage build used",
    category="container",
    severity=Severity.LOW,
    level=Level.GOLD,
    applies_when="a Dockerfile installs packages",
    remediation="Install and build in a first stage, then copy only the results into a slim final stage.",
    seeds=("Multi-stage build used",),
)
def dockerfile_multi_stage(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That a Dockerfile which installs packages (pip, uv, poetry, apt-get, apk, npm, ...) does so in a
    multi-stage build, so compilers, caches and build-only packages stay out of the final image.
    Dockerfiles that install nothing are not judged.

    ## Why it matters
    Build tools in the final image make it larger (slower pulls, slower autoscaling) and give an
    attacker a compiler.

    ## How to fix
    Build wheels or a virtual environment in a `build` stage and `COPY --from=build` the result.

    ## Example
    ```dockerfile
    FROM python:3.11-slim AS build
    RUN pip install --no-cache-dir --prefix=/install -r requirements.txt
    FROM python:3.11-slim
    COPY --from=build /install /usr/local
    ```
    """
    hits: list[Hit] = []
    judged = 0
    for df in facts.docker.dockerfiles:
        installs = [
            i for s in df.stages for i in s.instructions if i.cmd == "RUN" and _INSTALLS.search(i.text)
        ]
        if not installs:
            continue
        judged += 1
        if len(df.stages) < 2:
            hits.append(Hit("Installs packages in a single stage.", (at(df.path, installs[0].line),)))
    if facts.docker.dockerfiles and not judged and not facts.docker.errors:
        return not_applicable("No Dockerfile installs packages.")
    return _decide(
        facts,
        hits,
        [],
        f"{count(judged, 'Dockerfile')} that {agree(judged, 'installs', 'install')} packages {agree(judged, 'uses', 'use')} multi-stage builds.",
        "Single-stage builds",
    )


# -- pip cache --------------------------------------------------------------------------------------

_PIP_INSTALL = lazy(r"\b(pip(?:[23](?:\.\d+)?)?|python(?:[23](?:\.\d+)?)? -m pip|uv pip) install\b")
# set for the RUN's own shell: a prefix assignment (`PIP_NO_CACHE_DIR=1 pip ...`) or an export
_INLINE_NO_CACHE = lazy(r"(?:^|[\s;&|(])(?:export\s+)?(?:PIP_NO_CACHE_DIR|UV_NO_CACHE)=\S")


@check(
    id="dockerfile-pip-no-cache",
    title="pip cache kept out of the image",
    category="container",
    severity=Severity.LOW,
    level=Level.GOLD,
    applies_when="a Dockerfile's final image runs pip install",
    remediation="Add `--no-cache-dir` to pip install (or `--no-cache` for uv), set PIP_NO_CACHE_DIR=1, or use a cache mount.",
)
def dockerfile_pip_no_cache(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That `pip install` (also `pip2`, `pip3.11`, `python -m pip` and `uv pip`) in the stages that make up
    the final image does not leave pip's download cache behind: `--no-cache-dir`, `PIP_NO_CACHE_DIR`
    in the stage's environment or set in the RUN itself (`PIP_NO_CACHE_DIR=1 pip ...`, `export`), or a
    cache or tmpfs mount on the RUN. Build stages whose files are not copied wholesale are not judged:
    their cache never reaches the image. Peer: hadolint DL3042.

    Differs from hadolint DL3042 on purpose: `PIP_NO_CACHE_DIR=0` (or `off`, `no`, `false`) switches
    pip's cache off too. pip handles the variable in `_handle_no_cache_dir` (pip/_internal/cli/
    cmdoptions.py) and, for backward compatibility, disables the cache for any valid boolean value it
    is given; hadolint reads a false value as keeping the cache.

    ## Why it matters
    The cache is often as large as the packages themselves (hundreds of MB with torch), shipped
    with every pull for nothing.

    ## How to fix
    Add the flag, or better, install in a build stage.

    ## Example
    ```dockerfile
    RUN pip install --no-cache-dir -r requirements.txt
    ```
    """
    hits: list[Hit] = []
    for df in facts.docker.dockerfiles:
        chain = final_chain(df)
        env_off = any(
            name.upper() in ("PIP_NO_CACHE_DIR", "UV_NO_CACHE")
            for stage in chain
            for ins in stage.instructions
            if ins.cmd == "ENV"
            for name, _ in env_pairs(ins)
        )
        if env_off:
            continue
        for stage in chain:
            for ins in stage.instructions:
                if ins.cmd != "RUN" or not _PIP_INSTALL.search(ins.text):
                    continue
                if "--no-cache" in ins.text or _INLINE_NO_CACHE.search(ins.text):
                    continue
                # a cache mount keeps the cache out of the layer; so does a tmpfs over it
                if any("type=cache" in f or ("type=tmpfs" in f and "cache" in f) for f in ins.flags):
                    continue
                hits.append(
                    Hit(
                        "Pip install keeps its cache in the final image.",
                        (at(df.path, ins.line),),
                    )
                )
    return _decide(facts, hits, [], "No pip cache is left in a final image.", "pip cache kept in the image")
