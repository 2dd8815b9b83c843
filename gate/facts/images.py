"""Which Dockerfile builds the image that a Kubernetes container or a Compose service runs.

Derived from the other facts, without reading files: Compose `build:` (direct), Compose `image:` next
to `build:` (names the built image), `docker build -t NAME -f FILE CONTEXT` and
docker/build-push-action in workflows, and an image with a registry or organisation path whose last
segment is the name of the folder holding a Dockerfile. A bare name (`nginx:alpine`, `redis`) is a
public image unless the repository builds that very name: a folder called nginx/ does not make it
local. With a single Dockerfile in the repository, a private image (one with a registry or
organisation path) is taken to be built from it, with medium confidence.
"""

from __future__ import annotations

import posixpath
import shlex

from msgspec import Struct, field

from gate.facts.compose import ComposeFacts
from gate.facts.dockerfile import DockerFacts
from gate.facts.workflows import WorkflowFacts


class ImageLinks(Struct, frozen=True):
    by_repository: dict[str, tuple[str, str]]
    """image repository (no tag or digest) -> (Dockerfile path, how the link was made): builds the
    repository names."""
    only_dockerfile: str | None
    by_folder: dict[str, tuple[str, str]] = field(default_factory=dict)
    """folder name -> (Dockerfile path, how): for images with an organisation or registry path only."""
    contexts: dict[str, str] = field(default_factory=dict)
    """Dockerfile path -> the build context a compose file or a workflow builds it with."""
    pushed: dict[str, str] = field(default_factory=dict)
    """Dockerfile path -> the workflow that pushes its image to a registry (where it runs beyond what
    the repository shows)."""

    def dockerfile_for(self, image: str) -> tuple[str, str] | None:
        repo = repository(image)
        if repo in self.by_repository:
            return self.by_repository[repo]
        short = repo.rsplit("/", 1)[-1]
        if "/" in repo and short in self.by_folder:  # a bare name is a public image, not a folder
            return self.by_folder[short]
        if self.only_dockerfile and "/" in repo:
            return self.only_dockerfile, "the repository's only Dockerfile"
        return None


def repository(image: str) -> str:
    ref = image.split("@", 1)[0]
    last = ref.rsplit("/", 1)[-1]
    if ":" in last:
        ref = ref[: len(ref) - len(last)] + last.split(":", 1)[0]
    return ref.lower()


def _from_command(script: str, base_dir: str) -> list[tuple[str, str]]:
    return [(tag, path) for tag, path, _ in _builds_in(script, base_dir) if tag]


def _builds_in(script: str, base_dir: str) -> list[tuple[str, str, str]]:
    """(tag, Dockerfile path, context) of each `docker build` in a script; the tag is "" when none."""
    links: list[tuple[str, str, str]] = []
    for line in script.replace("\\\n", " ").splitlines():
        if "docker" not in line or " build" not in line:
            continue
        try:
            words = shlex.split(line, comments=True)
        except ValueError:
            continue
        if "build" not in words:
            continue
        tags: list[str] = []
        dockerfile = None
        context = "."
        rest = words[words.index("build") + 1 :]
        i = 0
        while i < len(rest):
            w = rest[i]
            if w in ("-t", "--tag") and i + 1 < len(rest):
                tags.append(rest[i + 1])
                i += 2
                continue
            if w in ("-f", "--file") and i + 1 < len(rest):
                dockerfile = rest[i + 1]
                i += 2
                continue
            if w.startswith("--tag="):
                tags.append(w.split("=", 1)[1])
            elif w.startswith("--file="):
                dockerfile = w.split("=", 1)[1]
            elif not w.startswith("-"):
                context = w
            i += 1
        path = posixpath.normpath(
            posixpath.join(base_dir, dockerfile or posixpath.join(context, "Dockerfile"))
        )
        where = posixpath.normpath(posixpath.join(base_dir, context))
        usable = [t for t in tags if "$" not in t]
        links.extend((tag, path, where) for tag in usable or [""])
    return links


def build_references(compose: ComposeFacts, workflows: WorkflowFacts) -> dict[str, str]:
    """Dockerfile path -> the build context a build gives it: compose `build:` and `dockerfile:`,
    `docker build -f FILE CONTEXT` and docker/build-push-action's `context`/`file` in workflows (its
    context defaults to the repository root). Whatever a build names is a Dockerfile, whatever it
    is called."""
    found: dict[str, str] = {}
    for svc in compose.services:
        if svc.dockerfile and svc.build_context is not None:
            found.setdefault(svc.dockerfile, svc.build_context)
    for wf in workflows.workflows:
        for job in wf.jobs:
            for step in job.steps:
                if step.run and "docker" in step.run:
                    for _, path, context in _builds_in(step.run, ""):
                        if "$" not in path:
                            found.setdefault(path, context)
                if step.uses and step.uses.startswith("docker/build-push-action"):
                    context = posixpath.normpath(str(step.with_.get("context", ".")))
                    path = posixpath.normpath(
                        str(step.with_.get("file") or posixpath.join(context, "Dockerfile"))
                    )
                    if "$" not in path + context and "://" not in context:
                        found.setdefault(path, context)
    return found


def link_images(docker: DockerFacts, compose: ComposeFacts, workflows: WorkflowFacts) -> ImageLinks:
    known = {d.path for d in docker.dockerfiles}
    links: dict[str, tuple[str, str]] = {}

    def add(image: str, path: str, how: str) -> None:
        if path in known and "$" not in image:
            links.setdefault(repository(image), (path, how))

    for svc in compose.services:
        built = svc.dockerfile
        if built is not None and isinstance(svc.config.get("image"), str):
            add(svc.config["image"], built, f"{svc.sources[0].path} service {svc.name}")
    for wf in workflows.workflows:
        for job in wf.jobs:
            for step in job.steps:
                if step.run:
                    for tag, path in _from_command(step.run, ""):
                        add(tag, path, f"{wf.path} `docker build`")
                if step.uses and step.uses.startswith("docker/build-push-action"):
                    context = str(step.with_.get("context", "."))
                    path = posixpath.normpath(
                        str(step.with_.get("file") or posixpath.join(context, "Dockerfile"))
                    )
                    for tag in str(step.with_.get("tags", "")).replace(",", "\n").split():
                        add(tag, path, f"{wf.path} docker/build-push-action")
    folders: dict[str, tuple[str, str]] = {}
    for path in sorted(known):
        folder = posixpath.basename(posixpath.dirname(path))
        if folder:
            folders.setdefault(folder.lower(), (path, f"the folder name of {path}"))
    only = next(iter(known)) if len(known) == 1 else None
    return ImageLinks(links, only, folders, build_references(compose, workflows), _pushed(workflows))


def _pushed(workflows: WorkflowFacts) -> dict[str, str]:
    """Dockerfiles whose image a workflow pushes: build-push-action with `push` not false, `docker
    buildx build --push`, or a `docker build -t` and a `docker push` in the same job."""
    found: dict[str, str] = {}
    for wf in workflows.workflows:
        for job in wf.jobs:
            scripts = "\n".join(step.run or "" for step in job.steps)
            pushes = "docker push" in scripts
            for step in job.steps:
                if step.run and "docker" in step.run:
                    buildx_push = "--push" in step.run
                    for tag, path, _ in _builds_in(step.run, ""):
                        if tag and (pushes or buildx_push):
                            found.setdefault(path, wf.path)
                if step.uses and step.uses.startswith("docker/build-push-action"):
                    push = str(step.with_.get("push", "false")).strip().lower()
                    if push not in ("false", "", "0"):
                        context = posixpath.normpath(str(step.with_.get("context", ".")))
                        path = posixpath.normpath(
                            str(step.with_.get("file") or posixpath.join(context, "Dockerfile"))
                        )
                        found.setdefault(path, wf.path)
    return found
