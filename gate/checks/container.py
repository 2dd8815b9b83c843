"""Dockerfile checks: what the image runs, as whom, from what, and what it carries along.

Every Dockerfile in the repository counts (Dockerfile, a lowercase dockerfile, Dockerfile.*, *.Dockerfile, Containerfile).
The image's behaviour is its final stage's, including what that stage inherits from an earlier stage it
is built FROM. A Dockerfile the parser rejects makes each check report `error` for that file, and the
other files are still judged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from gate.checks.base import Decision, Hit, NoOptions, at, check, conclude, not_applicable
from gate.checks.secretnames import is_placeholder, is_secret_name
from gate.facts import Facts
from gate.facts.dockerfile import Dockerfile, Instruction, Stage, substitute
from gate.ignore import PatternList
from gate.model import Confidence, Level, Location, Severity
from gate.wording import agree, count


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


@dataclass(frozen=True)
class Runtime:
    """A Compose service or Kubernetes container that runs the image a Dockerfile builds."""

    label: str
    where: Location
    non_root: bool
    health: bool
    link: str
    compose: bool = False
    """Run by Compose on the developer's machine (as opposed to a cluster that pulls from a registry)."""


def _runtimes(facts: Facts, dockerfile: str) -> list[Runtime]:
    found: list[Runtime] = []
    for svc in facts.compose.services:
        if svc.dockerfile != dockerfile:
            continue
        user = str(svc.config.get("user", "")).split(":")[0]
        hc = svc.config.get("healthcheck")
        path, line = svc.where()
        found.append(
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
            if link is None or link[0] != dockerfile:
                continue
            own = c.spec.get("securityContext") or {}
            pod = w.pod_spec.get("securityContext") or {}
            non_root = own.get("runAsNonRoot", pod.get("runAsNonRoot")) is True or (
                isinstance(uid := own.get("runAsUser", pod.get("runAsUser")), int) and uid > 0
            )
            found.append(
                Runtime(
                    f"{w.manifest.path} {w.manifest.kind}/{w.manifest.name} container {c.name}",
                    at(w.manifest.path, c.line),
                    non_root,
                    bool(c.spec.get("readinessProbe") or c.spec.get("livenessProbe")),
                    link[1],
                )
            )
    return found


def _covered(facts: Facts, df: Dockerfile, attr: str) -> tuple[list[Runtime], list[Runtime]]:
    """The runtimes of this Dockerfile's image that make up for what it lacks, and those that do not."""
    runtimes = _runtimes(facts, df.path)
    return [r for r in runtimes if getattr(r, attr)], [r for r in runtimes if not getattr(r, attr)]


# -- user -------------------------------------------------------------------------------------------

_NONROOT_BASES = re.compile(r"(distroless/.*:(debug-)?nonroot|^cgr\.dev/chainguard/|[-:]nonroot\b)")


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
    seeds=("Health checks defined", "Health checks working (`/health` endpoint)"),
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
_SERVER_BASES = re.compile(r"^(docker\.io/)?tiangolo/(uvicorn-gunicorn|meinheld-gunicorn|uwsgi-nginx)", re.I)


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


# -- base image pinned ------------------------------------------------------------------------------


@check(
    id="dockerfile-base-image-pinned",
    title="Dockerfile base images pinned",
    category="container",
    severity=Severity.MEDIUM,
    level=Level.BRONZE,
    applies_when="the repository has a Dockerfile",
    remediation="Name an explicit version tag (`python:3.11.9-slim`), or better a digest (`python:3.11-slim@sha256:...`).",
    seeds=("Images tagged with version numbers", "Base image from trusted source"),
)
def dockerfile_base_image_pinned(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That every `FROM` names an explicit tag other than `latest` (build-stage references and `scratch`
    are exempt). `ARG`s are substituted with their defaults; a base that depends on an ARG without a
    default cannot be judged and is reported as undecided. A digest (`@sha256:...`) is the stronger
    form and is named as such. Peers: hadolint DL3006 and DL3007.

    ## Why it matters
    `FROM python` builds on whatever was pushed last: the Python minor version, the Debian release
    and the system libraries a model depends on change under a rebuild nobody reviewed.

    ## How to fix
    Pin a version tag; for reproducible builds pin the digest and let Dependabot or Renovate move it.

    ## Example
    ```dockerfile
    FROM python:3.11.9-slim-bookworm@sha256:<digest>
    ```
    """
    hits: list[Hit] = []
    unsure: list[Hit] = []
    digests = 0
    for df in facts.docker.dockerfiles:
        names = set()
        for stage in df.stages:
            base = stage.base_resolved
            if stage.base.lower() in names or stage.base.lower() == "scratch":
                pass
            elif base is None:
                unsure.append(
                    Hit(
                        f"`FROM {stage.base}` depends on an ARG with no default.",
                        (at(df.path, stage.line),),
                    )
                )
            else:
                _, tag, digest = _image_parts(base)
                if digest:
                    digests += 1
                elif tag is None:
                    hits.append(
                        Hit(
                            f"`FROM {base}` has no tag, so it means latest.",
                            (at(df.path, stage.line),),
                        )
                    )
                elif tag == "latest":
                    hits.append(Hit(f"`FROM {base}` uses the latest tag.", (at(df.path, stage.line),)))
            if stage.name:
                names.add(stage.name)
    strong = f" ({digests} pinned by digest)" if digests else " (none by digest, the stronger form)"
    return _decide(
        facts, hits, unsure, f"Every base image has an explicit version{strong}.", "Base images not pinned"
    )


# -- multi-stage ------------------------------------------------------------------------------------

_INSTALLS = re.compile(
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
    seeds=("Multi-stage build used", "Image size optimized"),
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


# -- .dockerignore ----------------------------------------------------------------------------------


def _sources(ins: Instruction) -> list[str]:
    """A COPY or ADD's sources as Docker reads them: quotes removed (`ADD "http://x" /d` fetches a
    URL), heredocs left out."""
    return [v.strip("\"'") for v in ins.value[:-1] if not v.startswith("<<")]


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


# -- secrets in ENV/ARG -----------------------------------------------------------------------------


def env_pairs(ins: Instruction) -> list[tuple[str, str]]:
    values = list(ins.value)
    if ins.cmd == "ARG":
        return [(v.partition("=")[0], v.partition("=")[2]) for v in values]
    return [(values[i], values[i + 1] if i + 1 < len(values) else "") for i in range(0, len(values), 2)]


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
    seeds=("No hardcoded secrets or credentials", "Secrets not in code/configs"),
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


# -- COPY, not ADD ----------------------------------------------------------------------------------

# ADD unpacks a local tar by its content (plain, gzip, bzip2 or xz), whatever it is called: a
# compressed file is taken for the tar it almost always is; a zip is never unpacked
_ARCHIVE = re.compile(r"\.(tar|tgz|tbz2?|txz|gz|bz2|xz|zst)$", re.I)


@check(
    id="dockerfile-copy-not-add",
    title="COPY used instead of ADD",
    category="container",
    severity=Severity.LOW,
    level=Level.SILVER,
    applies_when="the repository has a Dockerfile",
    remediation="Use COPY for files and folders; keep ADD for remote URLs and local tar archives it must unpack.",
    seeds=(),
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


# -- pip cache --------------------------------------------------------------------------------------

_PIP_INSTALL = re.compile(r"\b(pip(?:[23](?:\.\d+)?)?|python(?:[23](?:\.\d+)?)? -m pip|uv pip) install\b")
# set for the RUN's own shell: a prefix assignment (`PIP_NO_CACHE_DIR=1 pip ...`) or an export
_INLINE_NO_CACHE = re.compile(r"(?:^|[\s;&|(])(?:export\s+)?(?:PIP_NO_CACHE_DIR|UV_NO_CACHE)=\S")


def final_chain(df: Dockerfile) -> list[Stage]:
    """The final stage and the stages it is built FROM: what the image is made of."""
    chain = [df.final]
    while (parent := df.parent(chain[-1])) is not None:
        chain.append(parent)
    return chain


@check(
    id="dockerfile-pip-no-cache",
    title="pip cache kept out of the image",
    category="container",
    severity=Severity.LOW,
    level=Level.GOLD,
    applies_when="a Dockerfile's final image runs pip install",
    remediation="Add `--no-cache-dir` to pip install (or `--no-cache` for uv), set PIP_NO_CACHE_DIR=1, or use a cache mount.",
    seeds=("Image size optimized",),
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


# -- exec form --------------------------------------------------------------------------------------


@check(
    id="dockerfile-exec-form-cmd",
    title="CMD and ENTRYPOINT in exec form",
    category="container",
    severity=Severity.MEDIUM,
    level=Level.SILVER,
    applies_when="a Dockerfile's final stage sets CMD or ENTRYPOINT",
    remediation='Write CMD and ENTRYPOINT as JSON arrays: `CMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]`.',
    seeds=(),
)
def dockerfile_exec_form_cmd(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That the `CMD` and `ENTRYPOINT` the final image runs (its own or inherited from an earlier stage)
    use the exec (JSON array) form. Peer: hadolint DL3025.

    ## Why it matters
    In shell form the server runs under `/bin/sh -c`, which does not forward SIGTERM: every rollout
    waits for the kill timeout and drops the requests in flight instead of shutting down cleanly.

    ## How to fix
    Use the JSON array form; if you need a shell for variable expansion, `exec` the server from it.

    ## Example
    ```dockerfile
    CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]
    ```
    """
    hits: list[Hit] = []
    judged = 0
    for df in facts.docker.dockerfiles:
        for cmd in ("ENTRYPOINT", "CMD"):
            found = df.inherited(df.final, cmd)
            if found is None:
                continue
            judged += 1
            ins = found[1]
            if not ins.json:
                hits.append(Hit(f"`{ins.original}` is in shell form.", (at(df.path, ins.line),)))
    if facts.docker.dockerfiles and not judged and not facts.docker.errors:
        return not_applicable("No final stage sets CMD or ENTRYPOINT.")
    return _decide(facts, hits, [], "CMD and ENTRYPOINT use the exec form.", "Shell-form CMD or ENTRYPOINT")


# -- production server ------------------------------------------------------------------------------

_PROD_SERVERS = re.compile(
    r"\b(gunicorn|uvicorn|hypercorn|waitress-serve|daphne|granian|uwsgi|bentoml|torchserve|tritonserver|mlflow)\b"
)
_FLASK_DEV = re.compile(r"\bflask\b.*\brun\b")
_PYTHON_SCRIPT = re.compile(r"\bpython[\d.]*\s+(?:-\w+\s+)*([\w./-]+\.py)\b")
_PYTHON_RELATED = re.compile(r"\b(python[\d.]*|flask|gunicorn|uvicorn|hypercorn|waitress-serve)\b")


@check(
    id="dockerfile-production-server",
    title="Image starts a production server",
    category="container",
    severity=Severity.HIGH,
    level=Level.BRONZE,
    applies_when="a Dockerfile starts a Python service",
    remediation="Start the app with gunicorn (Flask) or uvicorn/gunicorn with uvicorn workers (FastAPI), not Flask's development server.",
    seeds=("API starts without errors: `python app.py`",),
    concern="development-server",
)
def dockerfile_production_server(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    What the final image starts (ENTRYPOINT plus CMD): a production server (gunicorn, uvicorn,
    hypercorn, waitress, uwsgi, or a model server such as BentoML, TorchServe, Triton) passes;
    `flask run` fails; `python app.py` is judged by reading app.py's code: it fails when the module
    starts Flask's development server (`app.run()` on a `Flask(...)` object, werkzeug's `run_simple`)
    and passes when it starts uvicorn, hypercorn or waitress itself. A command prodgate cannot
    follow (a shell script) is reported as undecided; images that do not start Python are not judged.

    ## Why it matters
    Flask's development server is single-threaded by default, has no worker management and says
    in its own banner that it is not for production; under load the model endpoint queues and times out.

    ## How to fix
    Add gunicorn to the requirements and start it in the CMD.

    ## Example
    ```dockerfile
    CMD ["gunicorn", "--workers", "2", "--bind", "0.0.0.0:8000", "app:app"]
    ```
    """
    hits: list[Hit] = []
    unsure: list[Hit] = []
    judged = 0
    for df in facts.docker.dockerfiles:
        parts = [df.inherited(df.final, c) for c in ("ENTRYPOINT", "CMD")]
        found = [p[1] for p in parts if p is not None]
        command = " ".join(" ".join(i.value) for i in found)
        if not found or not _PYTHON_RELATED.search(command):
            continue
        judged += 1
        where = at(df.path, found[-1].line)
        if _PROD_SERVERS.search(command):
            continue
        if _FLASK_DEV.search(command):
            hits.append(Hit(f"Starts Flask's development server (`{command}`).", (where,)))
            continue
        script = _PYTHON_SCRIPT.search(command)
        if script is None:
            unsure.append(Hit(f"Cannot tell which server `{command}` starts.", (where,)))
            continue
        name = script.group(1).rsplit("/", 1)[-1]
        runs = [r for r in facts.python.server_runs if r.path.rsplit("/", 1)[-1] == name]
        dev = [r for r in runs if r.name in ("flask-dev", "werkzeug-dev")]
        if dev:
            hits.append(
                Hit(
                    f"`{command}` runs {dev[0].path}, which starts Flask's development server.",
                    (where, at(dev[0].path, dev[0].line)),
                )
            )
        elif not runs:
            unsure.append(Hit(f"`{command}` starts no server prodgate can see in {name}.", (where,)))
    if facts.docker.dockerfiles and not judged and not facts.docker.errors:
        return not_applicable("No Dockerfile starts a Python service.")
    return _decide(
        facts,
        hits,
        unsure,
        "Every Python image starts a production server.",
        "Development server in the image",
    )


# -- minimal base -----------------------------------------------------------------------------------

_MINIMAL = re.compile(r"(slim|alpine|minimal|distroless|chainguard|micro|busybox|scratch|runtime)", re.I)
_KNOWN_FULL = (
    "python",
    "node",
    "debian",
    "ubuntu",
    "pytorch/pytorch",
    "nvidia/cuda",
    "tensorflow/tensorflow",
    "continuumio/miniconda3",
    "continuumio/anaconda3",
)


@check(
    id="dockerfile-minimal-base",
    title="Dockerfile uses minimal base image",
    category="container",
    severity=Severity.LOW,
    level=Level.SILVER,
    applies_when="the repository has a Dockerfile",
    remediation="Build the final stage FROM a slim or distroless image (python:3.11-slim, gcr.io/distroless/python3).",
    seeds=("Dockerfile uses minimal base image (python:3.9-slim)", "Minimal dependencies"),
)
def dockerfile_minimal_base(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That the final image is built on a minimal base: a slim, alpine, distroless, Chainguard, minimal,
    micro or runtime variant, or scratch. Full images prodgate knows (python, node, debian, ubuntu,
    pytorch/pytorch, nvidia/cuda, tensorflow/tensorflow, conda) without such a variant fail; a base it
    does not know cannot be judged and is reported as undecided rather than passed.

    ## Why it matters
    `python:3.11` is about 1 GB with compilers and hundreds of packages the service never uses; each
    of them is in the vulnerability scan and in every pull during a scale-out.

    ## How to fix
    Use the `-slim` variant (and a build stage for anything that needs compilers).

    ## Example
    ```dockerfile
    FROM python:3.11-slim
    ```
    """
    hits: list[Hit] = []
    unsure: list[Hit] = []
    for df in facts.docker.dockerfiles:
        root = _root_stage(df, df.final)
        base = root.base_resolved
        if base is None:
            unsure.append(
                Hit(
                    f"The final base `{root.base}` depends on an ARG with no default.",
                    (at(df.path, root.line),),
                )
            )
            continue
        name, tag, _ = _image_parts(base)
        if name == "scratch" or _MINIMAL.search(f"{name}:{tag or ''}"):
            continue
        short = name.removeprefix("docker.io/").removeprefix("library/")
        if short in _KNOWN_FULL:
            hits.append(
                Hit(
                    f"The final image is built on the full `{base}` image.",
                    (at(df.path, root.line),),
                )
            )
        else:
            unsure.append(
                Hit(
                    f"Cannot tell whether `{base}` is a minimal image.",
                    (at(df.path, root.line),),
                    confidence=Confidence.LOW,
                )
            )
    return _decide(facts, hits, unsure, "Every final image is built on a minimal base.", "Full base images")


# -- ports ------------------------------------------------------------------------------------------

_BIND = re.compile(r"(?:--port[ =]|--bind[ =]\S*:|-b\s+\S*:|--listen[ =]\S*:|-p\s+)(\d{2,5})\b")


def _exposed(df: Dockerfile) -> dict[int, int]:
    ports: dict[int, int] = {}
    for stage in final_chain(df):
        for ins in stage.instructions:
            if ins.cmd == "EXPOSE":
                for value in ins.value:
                    number = value.split("/", 1)[0]
                    if number.isdigit():
                        ports.setdefault(int(number), ins.line)
    return ports


def _compose_targets(svc: Any) -> set[int]:
    targets: set[int] = set()
    for p in svc.config.get("ports") or []:
        if isinstance(p, dict) and str(p.get("target", "")).isdigit():
            targets.add(int(p["target"]))
        elif isinstance(p, str | int):
            last = str(p).split("/", 1)[0].rsplit(":", 1)[-1]
            if last.isdigit():
                targets.add(int(last))
    return targets


@check(
    id="ports-consistent",
    title="Ports consistent across server, image and deployment",
    category="container",
    severity=Severity.HIGH,
    level=Level.SILVER,
    confidence=Confidence.MEDIUM,
    applies_when="a Dockerfile's command names the port its server binds",
    remediation="Use one port everywhere: the server's bind, EXPOSE, the compose port mapping, containerPort and the probes.",
    seeds=("API host/port configuration",),
)
def ports_consistent(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That the port the server binds (read from the image's command: `--port`, `--bind host:port`,
    `-b`, `--listen`) is the port the rest of the repository expects: the Dockerfile's `EXPOSE`, the
    container side of the Compose port mappings of services that build the image, and the
    `containerPort`s and numeric probe ports of Kubernetes containers that run it. When the command
    names no port, nothing is judged.

    ## Why it matters
    A server on 8000 behind a containerPort of 5000 is unreachable: the Service routes nowhere, the
    probes fail and the rollout never completes, with nothing wrong in any single file.

    ## How to fix
    Pick one port and use it everywhere (or make the command read it from an environment variable
    that the manifests set).

    ## Example
    ```dockerfile
    EXPOSE 8000
    CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]
    ```
    """
    hits: list[Hit] = []
    judged = 0
    for df in facts.docker.dockerfiles:
        found = [p[1] for p in (df.inherited(df.final, c) for c in ("ENTRYPOINT", "CMD")) if p is not None]
        m = _BIND.search(" ".join(" ".join(i.value) for i in found))
        if not found or m is None:
            continue
        judged += 1
        port, cmd = int(m.group(1)), at(df.path, found[-1].line)
        exposed = _exposed(df)
        if exposed and port not in exposed:
            hits.append(
                Hit(
                    f"The server binds {port} but EXPOSE declares {', '.join(map(str, exposed))}.",
                    (cmd, at(df.path, min(exposed.values()))),
                )
            )
        for svc in facts.compose.services:
            targets = _compose_targets(svc)
            if svc.dockerfile == df.path and targets and port not in targets:
                path, line = svc.where("ports")
                hits.append(
                    Hit(
                        f"The server binds {port}; service {svc.name} maps {', '.join(map(str, sorted(targets)))}.",
                        (cmd, at(path, line)),
                    )
                )
        for w in facts.kubernetes.workloads:
            for c in w.containers:
                link = facts.images.dockerfile_for(str(c.spec.get("image", "")))
                if link is None or link[0] != df.path:
                    continue
                declared = {
                    int(p["containerPort"])
                    for p in c.spec.get("ports") or []
                    if isinstance(p, dict) and str(p.get("containerPort", "")).isdigit()
                }
                if declared and port not in declared:
                    hits.append(
                        Hit(
                            f"The server binds {port}; {w.manifest.kind}/{w.manifest.name} declares containerPort {', '.join(map(str, sorted(declared)))}.",
                            (cmd, at(w.manifest.path, c.line)),
                        )
                    )
                for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
                    spec = c.spec.get(probe)
                    target = (
                        ((spec.get("httpGet") or spec.get("tcpSocket") or {}).get("port"))
                        if isinstance(spec, dict)
                        else None
                    )
                    if isinstance(target, int) and target != port:
                        hits.append(
                            Hit(
                                f"The server binds {port}; the {probe} of {w.manifest.kind}/{w.manifest.name} calls port {target}.",
                                (cmd, at(w.manifest.path, c.line_of(probe))),
                            )
                        )
    if not hits and not judged and not facts.docker.errors:
        return not_applicable("No image command names the port its server binds.")
    return _decide(
        facts,
        hits,
        [],
        f"The bind port of {count(judged, 'image')} agrees with EXPOSE, Compose and Kubernetes.",
        "Port mismatches",
    )
