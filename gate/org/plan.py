"""Which services of an organisation to evaluate, as a GitHub Actions matrix.

The repositories come from one listing (`GET /orgs/{org}/repos`, 100 a page), whose entries carry what
the filters read (topics, language, archived, fork), so filtering costs no call. Only when services are
looked for inside repositories (`--needs`, `--services`) is each remaining repository's tree read, one
call each (`GET /repos/{owner}/{repo}/git/trees/{branch}?recursive=1`). Planning N repositories thus takes
ceil(N/100) calls, plus one per repository that passes the filters when trees are asked for.
"""

from __future__ import annotations

import fnmatch
import math
import posixpath
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Literal

from github import GithubException
from github.Repository import Repository
from pydantic import Field

from gate.model import Frozen

MAX_JOBS = 256
"""GitHub's limit on the jobs one matrix may generate."""
MODEL_SUFFIXES = (".joblib", ".pkl", ".pickle", ".pt", ".pth", ".onnx", ".h5", ".keras", ".safetensors")
Need = Literal["dockerfile", "model"]


class Filters(Frozen):
    topics: tuple[str, ...] = ()
    """Keep a repository that has any of these topics."""
    languages: tuple[str, ...] = ()
    """Keep a repository whose main language is one of these (compared case-insensitively)."""
    archived: bool = False
    forks: bool = False
    name: str | None = None
    """A shell pattern (`ml-*`) the repository's name must match."""
    needs: tuple[Need, ...] = ()
    """Keep a repository whose tree has a Dockerfile or a model file (any of those asked)."""
    services: bool = False
    """Look for services inside each repository: every folder with its own Dockerfile."""


class Service(Frozen):
    repo: str
    path: str = "."
    """The service's folder in the repository (`.`: the whole repository)."""
    branch: str
    topics: tuple[str, ...] = ()


class Plan(Frozen):
    organization: str
    services: tuple[Service, ...]
    chunk_size: int = Field(ge=1)
    api_calls: int
    skipped: tuple[str, ...] = ()
    """Repositories kept by the filters whose tree could not be read, or only in part: `owner/name: why`.
    `org plan` prints each as a warning."""

    def matrix(self) -> dict[str, list[dict[str, Any]]]:
        """`{"include": [{"chunk": 1, "services": [{"repo": ..., "path": ..., "branch": ..., "topics": [...]},
        ...]}, ...]}`, at most MAX_JOBS jobs. A job reads its services with `toJSON(matrix.services)`: as
        JSON, a folder name with a space or a quote stays one value."""
        rows = [s.model_dump(mode="json") for s in self.services]
        include = [
            {"chunk": n + 1, "services": rows[i : i + self.chunk_size]}
            for n, i in enumerate(range(0, len(rows), self.chunk_size))
        ]
        return {"include": include}


def chunk_size(services: int, wanted: int) -> int:
    """The chunk size that keeps the matrix within MAX_JOBS jobs: the one asked, or larger."""
    return max(1, wanted, math.ceil(services / MAX_JOBS))


def keeps(repo: Repository, filters: Filters) -> bool:
    """Whether a listed repository passes the filters. Only attributes the listing carries are read
    (`raw_data` would fetch each repository again)."""
    if repo.archived and not filters.archived:
        return False
    if repo.fork and not filters.forks:
        return False
    if filters.name is not None and not fnmatch.fnmatchcase(repo.name, filters.name):
        return False
    if filters.topics and not set(filters.topics) & set(repo.topics or ()):
        return False
    wanted = {x.lower() for x in filters.languages}
    return not wanted or (repo.language or "").lower() in wanted


_NOT_SERVICES = frozenset({"test", "tests", "testdata", "fixtures", "__tests__", "e2e"})
"""Folders whose Dockerfiles are not services: test fixtures and test images."""


def services_in(paths: Iterable[str]) -> list[str]:
    """Service folders of a repository from its file paths: each folder with a Dockerfile, except hidden
    folders (`.devcontainer/`, `.github/`) and test folders; the whole repository when none has one."""
    folders = set()
    for path in paths:
        if posixpath.basename(path) != "Dockerfile":
            continue
        folder = posixpath.dirname(path)
        parts = folder.split("/") if folder else []
        if any(p.startswith(".") or p.lower() in _NOT_SERVICES for p in parts):
            continue
        folders.add(folder or ".")
    return sorted(folders) or ["."]


CONFIG = ".github/prodgate.yml"


def _listed_services(repo: Repository, branch: str, paths: set[str], skipped: list[str]) -> list[str]:
    """The folders the repository's own config lists as services (`services:`), those that exist; an
    unreadable or invalid config is a warning, and the Dockerfiles decide."""
    from gate.config import ConfigError, parse_config

    try:
        found = repo.get_contents(CONFIG, ref=branch)
        if isinstance(found, list):  # a folder by that name
            raise GithubException(422, {"message": "a folder"}, None)
        listed = parse_config(found.decoded_content.decode("utf-8"), f"{repo.full_name}:{CONFIG}").services
    except (GithubException, ConfigError, UnicodeDecodeError) as exc:
        why = f"HTTP {exc.status}" if isinstance(exc, GithubException) else str(exc)
        skipped.append(f"{repo.full_name}: its services config could not be read ({why})")
        return []
    # every folder that holds a file, once: a config listing thousands of folders against a tree of
    # thousands of files would otherwise compare every pair
    present = {parent for p in paths for parent in _parents(p)}
    folders: list[str] = []
    for entry in listed:
        folder = posixpath.normpath(entry.strip("/")) if entry.strip("/") else "."
        if folder == "." or folder in present:
            folders.append(folder)
        else:
            skipped.append(f"{repo.full_name}: {CONFIG} lists {entry!r}, which holds no file")
    return sorted(set(folders))


def _parents(path: str) -> Iterator[str]:
    parts = path.split("/")[:-1]
    for depth in range(1, len(parts) + 1):
        yield "/".join(parts[:depth])


def has_needs(paths: Sequence[str], needs: Sequence[Need]) -> bool:
    for need in needs:
        if need == "dockerfile" and any(posixpath.basename(p) == "Dockerfile" for p in paths):
            return True
        if need == "model" and any(p.lower().endswith(MODEL_SUFFIXES) for p in paths):
            return True
    return False


def plan(gh: Any, organization: str, filters: Filters, *, chunk: int = 10) -> Plan:
    """`gh` is a PyGithub `Github` client. Raises PyGithub's exceptions; the caller words them."""
    kept: list[Repository] = []
    listed = 0
    # PyGithub follows the listing's Link headers, a page a call
    for repo in gh.get_organization(organization).get_repos(type="all", sort="full_name", direction="asc"):
        listed += 1
        if keeps(repo, filters):
            kept.append(repo)
    calls = max(1, math.ceil(listed / gh.per_page))
    services: list[Service] = []
    skipped: list[str] = []
    for repo in sorted(kept, key=lambda r: r.full_name.lower()):
        branch = repo.default_branch or "main"
        topics = tuple(sorted(repo.topics or ()))
        folders = ["."]
        if filters.needs or filters.services:
            calls += 1
            try:
                tree = repo.get_git_tree(branch, recursive=True)
            except GithubException as exc:
                if exc.status not in (404, 409):
                    raise  # a rate limit past the wait, a refusal: the plan would silently shrink
                # an empty repository (409) or a branch gone (404): named, not fatal
                skipped.append(f"{repo.full_name}: its tree could not be read (HTTP {exc.status})")
                continue
            if tree.raw_data.get("truncated"):
                skipped.append(
                    f"{repo.full_name}: its tree is too large for one listing; services found may be incomplete"
                )
            paths = [e.path for e in tree.tree if e.type == "blob"]
            if filters.needs and not has_needs(paths, filters.needs):
                continue
            if filters.services:
                folders = services_in(paths)
                if CONFIG in paths:
                    calls += 1
                    folders = _listed_services(repo, branch, set(paths), skipped) or folders
        services.extend(Service(repo=repo.full_name, path=f, branch=branch, topics=topics) for f in folders)
    return Plan(
        organization=organization,
        services=tuple(services),
        chunk_size=chunk_size(len(services), chunk),
        api_calls=calls,
        skipped=tuple(skipped),
    )
