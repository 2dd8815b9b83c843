"""How a Dockerfile's RUN steps install packages and fail: apt's lists and recommended packages left
in the image, and pipes that hide a failed download."""

from __future__ import annotations

import re

from gate.checks.base import Decision, Hit, NoOptions, at, check, conclude
from gate.checks.container import final_chain
from gate.facts import Facts
from gate.facts.dockerfile import Dockerfile, Stage
from gate.lazyre import lazy
from gate.model import Level, Severity
from gate.wording import agree, every

# apt-get, apt or aptitude, options (and their values) before the install verb
_APT_INSTALL = lazy(r"\b(?:apt-get|apt|aptitude)\s+(?:\S+\s+){0,8}?install\b")
_RECOMMENDS_OFF = lazy(r"--no-install-recommends|APT::Install-Recommends=(false|0)", re.I)
# bounded: a segment of many `rm -x` words is read in linear time
_LISTS_REMOVED = lazy(r"\brm\b[^;&|\n]{0,400}?/var/lib/apt/lists")


def _lists_kept_out(flags: tuple[str, ...], script: str) -> bool:
    """apt's lists do not reach the layer: removed in the same RUN, or kept in a cache or tmpfs mount."""
    mounted = any(("type=cache" in f or "type=tmpfs" in f) and "/var/lib/apt" in f for f in flags)
    return mounted or bool(_LISTS_REMOVED.search(script))


@check(
    id="dockerfile-apt-slim",
    title="apt leaves no lists or extra packages in the image",
    category="container",
    severity=Severity.LOW,
    level=Level.GOLD,
    applies_when="a Dockerfile's image is built with apt-get install",
    remediation="Install with `--no-install-recommends` and remove `/var/lib/apt/lists/*` in the same RUN (or mount a cache there).",
)
def dockerfile_apt_slim(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That every `apt-get install` (or `apt install`) in the stages the final image is made of (the
    final stage and the stages it is built FROM; a build stage whose files are only copied from is
    not judged) passes `--no-install-recommends` (or `-o APT::Install-Recommends=false`) and that the
    same RUN removes `/var/lib/apt/lists` (or mounts a cache or tmpfs over `/var/lib/apt`). aptitude
    is read like apt-get. Peers: hadolint DL3009 and DL3015.

    Differs from hadolint DL3009 on purpose: a cache mount over `/var/lib/apt` alone keeps the lists
    out of the layer and passes here; hadolint also wants `/var/cache/apt` mounted in that case.

    ## Why it matters
    CUDA and Python images are already gigabytes; recommended packages add hundreds of megabytes of
    documentation, fonts and compilers the server never uses, and the package lists add tens more to
    every pull and every cold start of a node.

    ## How to fix
    Install only what is asked for and drop the lists in the same layer.

    ## Example
    ```dockerfile
    RUN apt-get update \\
     && apt-get install -y --no-install-recommends libgomp1 \\
     && rm -rf /var/lib/apt/lists/*
    ```
    """
    hits: list[Hit] = []
    judged = 0
    for df in facts.docker.dockerfiles:
        for stage in final_chain(df):
            for ins in stage.instructions:
                if ins.cmd != "RUN" or not _APT_INSTALL.search(ins.text):
                    continue
                judged += 1
                missing = []
                if not _RECOMMENDS_OFF.search(ins.text):
                    missing.append("installs recommended packages (no `--no-install-recommends`)")
                if not _lists_kept_out(ins.flags, ins.text):
                    missing.append("leaves apt's lists in the layer (no `rm -rf /var/lib/apt/lists/*`)")
                if missing:
                    hits.append(Hit(f"apt-get {' and '.join(missing)}.", (at(df.path, ins.line),)))
    return conclude(
        hits,
        facts.docker.errors,
        what="Dockerfile",
        ok=f"{every(judged, 'apt install')} {agree(judged, 'keeps', 'keep')} the image slim.",
        bad="apt installs that leave weight in the image",
        judged=bool(judged),
        nothing="No image is built with apt-get install.",
    )


_PIPE = lazy(r"(?<![|])\|(?![|])")
_QUOTED = lazy(r"'[^'\n]{0,2000}'|\"(?:[^\"\\\n]|\\.){0,2000}\"")
_PIPEFAIL_SHELLS = ("bash", "zsh", "ash", "ksh", "mksh")
_OTHER_SHELLS = ("pwsh", "powershell", "powershell.exe", "cmd", "cmd.exe")


def _shell_of(df: Dockerfile, stage: Stage, shells: dict[int, list[str]]) -> list[str]:
    """The SHELL a stage starts with: its parent stage's last one, else /bin/sh -c."""
    parent = df.parent(stage)
    return list(shells.get(parent.index, ["/bin/sh", "-c"])) if parent is not None else ["/bin/sh", "-c"]


@check(
    id="dockerfile-pipefail",
    title="Piped RUN steps fail when a command in the pipe fails",
    category="container",
    severity=Severity.LOW,
    level=Level.GOLD,
    applies_when="a Dockerfile pipes commands in a RUN",
    remediation='Set `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` before RUN steps that pipe.',
)
def dockerfile_pipefail(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That a shell-form `RUN` with a pipe (`curl ... | tar -x`) runs under a shell that has
    `-o pipefail` (bash, zsh, ash, ksh, set with `SHELL [...]` in the stage or in the stage it is
    built FROM). Without it, only the last command's status counts. PowerShell and cmd are not
    judged. Peer: hadolint DL4006.

    ## Why it matters
    `curl -fsSL $URL/weights.tar | tar -x` succeeds when the download fails halfway: the image builds,
    ships without its model and fails at the first request instead of at build time.

    ## How to fix
    Switch the shell once, near the top of the stage.

    ## Example
    ```dockerfile
    SHELL ["/bin/bash", "-o", "pipefail", "-c"]
    RUN curl -fsSL https://models.example.org/ranker.tar.gz | tar -xz -C /srv
    ```
    """
    hits: list[Hit] = []
    judged = 0
    for df in facts.docker.dockerfiles:
        shells: dict[int, list[str]] = {}
        for stage in df.stages:
            shell = _shell_of(df, stage, shells)
            for ins in stage.instructions:
                if ins.cmd == "SHELL" and ins.json:
                    shell = list(ins.value)
                if ins.cmd != "RUN" or ins.json or not _PIPE.search(_QUOTED.sub("", ins.text)):
                    continue
                program = shell[0].rsplit("/", 1)[-1].lower() if shell else "sh"
                if program in _OTHER_SHELLS:
                    continue
                judged += 1
                if program not in _PIPEFAIL_SHELLS or "pipefail" not in shell:
                    hits.append(
                        Hit(
                            # the RUN is not quoted: a piped download often carries a token in its header
                            f"This RUN pipes under `{' '.join(shell)[:80]}`: a failed command before the last goes unnoticed.",
                            (at(df.path, ins.line),),
                        )
                    )
            shells[stage.index] = shell
    return conclude(
        hits,
        facts.docker.errors,
        what="Dockerfile",
        ok=f"{every(judged, 'piped RUN')} {agree(judged, 'runs', 'run')} under pipefail.",
        bad="Piped RUN steps without pipefail",
        judged=bool(judged),
        nothing="No RUN pipes commands.",
    )
