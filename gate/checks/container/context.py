"""What the build copies in: the build context's .dockerignore, ADD where COPY would do."""

from __future__ import annotations

import re

from gate.checks.base import Decision, Hit, NoOptions, at, check
from gate.checks.container.common import (
    _decide,
    _sources,
)
from gate.facts import Facts
from gate.facts.dockerfile import Dockerfile, Instruction
from gate.ignore import PatternList
from gate.lazyre import lazy
from gate.model import Level, Severity

# -- .dockerignore ----------------------------------------------------------------------------------


def _copies_whole_context(df: Dockerfile) -> Instruction | None:
    for stage in df.stages:
        for ins in stage.instructions:
            if ins.cmd in ("COPY", "ADD") and not any(f.startswith("--from") for f in ins.flags):
                sources = _sources(ins)
                if any(s.rstrip("/") in (".", "", "*", "./*") for s in sources):
                    return ins
    return None


@check(
    id="dockerignore-present",
    title=".dockerignore present",
    category="container",
    severity=Severity.MEDIUM,
    level=Level.SILVER,
    applies_when="the repository has a Dockerfile",
    remediation="Add a .dockerignore beside the Dockerfile that excludes at least .git, .env and local virtual environments.",
    seeds=(".dockerignore configured",),
)
def dockerignore_present(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That each Dockerfile's build context (the `context:` of the compose service that builds it, the
    context of a `docker build -f FILE CONTEXT` or of docker/build-push-action in a workflow (the
    repository root unless it says otherwise), else the Dockerfile's own folder) has a
    `.dockerignore` (or a
    `<Dockerfile>.dockerignore` beside it, which BuildKit prefers), and, when the build copies the
    whole context (`COPY . .`), that it excludes `.git` and `.env`.

    ## Why it matters
    `COPY . .` without an ignore file bakes the git history, local `.env` secrets and virtual
    environments into an image that is pushed to a registry.

    ## How to fix
    Add the ignore file; list `.git`, `.env`, `.venv`, `__pycache__` and large local data.

    ## Example
    ```text
    .git
    .env
    .venv
    __pycache__
    ```
    """
    hits: list[Hit] = []
    contexts = facts.images.contexts
    for df in facts.docker.dockerfiles:
        # the context a compose file builds it from, else its own folder
        ignore = facts.docker.dockerignore_for(df.path, contexts.get(df.path))
        whole = _copies_whole_context(df)
        if ignore is None:
            if whole is not None:
                hits.append(
                    Hit(
                        f"`{whole.original}` copies the whole context and there is no .dockerignore.",
                        (at(df.path, whole.line),),
                    )
                )
            else:
                hits.append(
                    Hit(
                        "No .dockerignore for its build context.",
                        (at(df.path, 1),),
                        severity=Severity.LOW,
                    )
                )
            continue
        if whole is None:
            continue
        # BuildKit's patterns are close to gitignore's for these paths: root-relative, ** and ! negation
        spec = PatternList([p.lstrip("/") for _, p in ignore.patterns])
        missing = [
            name for name, probe in ((".git", ".git/HEAD"), (".env", ".env")) if not spec.match_file(probe)
        ]
        if missing:
            hits.append(
                Hit(
                    f"{ignore.path} does not exclude {' and '.join(missing)}, and {df.path} copies the whole context.",
                    (at(ignore.path, 1), at(df.path, whole.line)),
                )
            )
    return _decide(
        facts,
        hits,
        [],
        "Every build context has a .dockerignore that keeps .git and .env out.",
        "Build contexts not filtered",
    )


# -- COPY, not ADD ----------------------------------------------------------------------------------

# ADD unpacks a local tar by its content (plain, gzip, bzip2 or xz), whatever it is called: a
# compressed file is taken for the tar it almost always is; a zip is never unpacked
_ARCHIVE = lazy(r"\.(tar|tgz|tbz2?|txz|gz|bz2|xz|zst)$", re.I)


@check(
    id="dockerfile-copy-not-add",
    title="COPY used instead of ADD",
    category="container",
    severity=Severity.LOW,
    level=Level.SILVER,
    applies_when="the repository has a Dockerfile",
    remediation="Use COPY for files and folders; keep ADD for remote URLs and local tar archives it must unpack.",
)
def dockerfile_copy_not_add(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That `ADD` is used only where it does something `COPY` cannot: fetching a URL or unpacking a local
    tar archive (a `.tar`, or a file compressed with gzip, bzip2, xz or zstd, which ADD unpacks when
    it holds a tar; a `.zip` it does not). Sources are read as Docker reads them, quotes removed.
    Peer: hadolint DL3020.

    Differs from Checkov CKV_DOCKER_4 on purpose: Checkov reports every ADD, URLs and archives
    included; those are what ADD is for, so they pass here.

    ## Why it matters
    `ADD` silently unpacks archives and fetches URLs; used for plain files it hides what ends up in
    the image from the reviewer.

    ## How to fix
    Replace `ADD src dest` with `COPY src dest`.

    ## Example
    ```dockerfile
    COPY app/ /app/app/
    ```
    """
    hits: list[Hit] = []
    for df in facts.docker.dockerfiles:
        for stage in df.stages:
            for ins in stage.instructions:
                if ins.cmd != "ADD":
                    continue
                sources = _sources(ins)
                plain = [
                    s
                    for s in sources
                    if not re.match(r"^(https?://|git@|git://)", s) and not _ARCHIVE.search(s)
                ]
                if plain:
                    hits.append(
                        Hit(
                            f"`{ins.original}` adds local files; COPY says what it does.",
                            (at(df.path, ins.line),),
                        )
                    )
    return _decide(facts, hits, [], "ADD is used only for URLs and archives.", "ADD used for local files")
