"""Facts about the repository as git sees it: what is tracked and what .gitignore files ignore."""

from __future__ import annotations

import posixpath
import re

from msgspec import Struct

from gate.facts.docs import is_env_example
from gate.facts.models import is_model_file
from gate.ignore import PatternList
from gate.lazyre import lazy
from gate.snapshot import Snapshot


class IgnoreRule(Struct, frozen=True):
    """The .gitignore line that decided a path, if any."""

    path: str
    line: int
    pattern: str
    negated: bool


class EnvFile(Struct, frozen=True):
    path: str
    tracked: bool
    ignored_by: IgnoreRule | None


class RepoFacts(Struct, frozen=True):
    is_git: bool
    file_count: int
    gitignores: tuple[str, ...]
    root_env_rule: IgnoreRule | None
    """The rule that decides whether a .env at the root is ignored (None: no rule mentions it)."""
    env_files: tuple[EnvFile, ...]
    """Files holding real environment values (.env, .env.production, ...), examples excluded."""
    node_backends: tuple[str, ...] = ()
    """package.json files that depend on a Node server framework: a backend prodgate does not read, which
    a "Backend" section of the team's checklist may mean"""
    frontends: tuple[str, ...] = ()
    """what makes a browser frontend (see frontends())"""
    dvc_remotes: tuple[str, ...] = ()
    """the URLs of the DVC remotes in .dvc/config"""
    lfs_patterns: tuple[str, ...] = ()
    """the .gitattributes patterns stored in Git LFS"""
    tracked_models: tuple[str, ...] = ()
    """model files committed to git"""
    other_services: tuple[str, ...] = ()
    """build files of code in a language prodgate does not read ("Java (pom.xml)"): what a service
    check names when the repository has no Python web application"""


NODE_SERVERS = ("express", "fastify", "koa", "@nestjs/core", "@hapi/hapi", "restify")


BROWSER_FRAMEWORKS = ("react", "vue", "svelte", "@angular/core", "next", "vite", "preact", "solid-js")


def _depends_on(snap: Snapshot, names: tuple[str, ...]) -> list[str]:
    found = []
    for rel in snap.named("package.json"):
        data = snap.json(rel)
        if not isinstance(data, dict):
            continue
        declared = {
            name
            for section in ("dependencies", "devDependencies")
            if isinstance(deps := data.get(section), dict)
            for name in deps
        }
        if declared.intersection(names):
            found.append(rel)
    return found


def node_backends(snap: Snapshot) -> tuple[str, ...]:
    return tuple(sorted(_depends_on(snap, NODE_SERVERS)))


def frontends(snap: Snapshot) -> tuple[str, ...]:
    """A browser frontend: a package.json on a browser framework, or a page the repository serves
    (index.html outside documentation)."""
    pages = [rel for rel in snap.named("index.html") if not rel.startswith(("docs/", "site/"))]
    return tuple(sorted({*_depends_on(snap, BROWSER_FRAMEWORKS), *pages}))


OTHER_LANGUAGES = {
    "pom.xml": "Java",
    "build.gradle": "Java",
    "build.gradle.kts": "Kotlin",
    "go.mod": "Go",
    "cargo.toml": "Rust",
    "composer.json": "PHP",
    "mix.exs": "Elixir",
}
"""A build file, by its name, and the language of the code it builds."""


def other_services(snap: Snapshot, nodes: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """Code in a language prodgate does not read: its build files, then a Node server's package.json
    (`nodes`: node_backends(snap), when the caller has them already)."""
    found: list[str] = []
    for rel in snap.files:  # one pass over the listing
        name = rel.rsplit("/", 1)[-1]
        if language := OTHER_LANGUAGES.get(name.lower()):
            found.append(f"{language} ({rel})")
        elif name.endswith(".csproj"):
            found.append(f"C# ({rel})")
    nodes = node_backends(snap) if nodes is None else nodes
    return (*sorted(found), *(f"Node ({rel})" for rel in nodes))


def is_env_file(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return (name == ".env" or name.startswith(".env.") or name.endswith(".env")) and not is_env_example(name)


class GitIgnore:
    """Every .gitignore in the snapshot, each scoped to its folder, evaluated as git does.

    gate/ignore.py implements the per-file pattern rules (anchoring, **, negation, directory-only
    patterns) in linear time; this class adds what git does across files: deeper files override
    shallower ones, and nothing inside an ignored folder can be re-included.
    """

    def __init__(self, snap: Snapshot) -> None:
        self.files = tuple(sorted(snap.named(".gitignore"), key=lambda p: p.count("/")))
        self._specs: list[tuple[str, list[str], PatternList]] = []
        for rel in self.files:
            lines = (snap.text(rel) or "").splitlines()
            self._specs.append((posixpath.dirname(rel), lines, PatternList(lines)))

    def _decide(self, rel: str) -> IgnoreRule | None:
        decision: IgnoreRule | None = None
        for base, lines, spec in self._specs:
            if base and not rel.startswith(base + "/"):
                continue
            sub = rel[len(base) + 1 :] if base else rel
            include, index = spec.check(sub)
            if include is not None and index is not None:
                gi = f"{base}/.gitignore" if base else ".gitignore"
                decision = IgnoreRule(gi, index + 1, lines[index].strip(), negated=not include)
        return decision

    def rule_for(self, rel: str) -> IgnoreRule | None:
        parts = rel.split("/")
        for i in range(1, len(parts)):
            parent = self._decide("/".join(parts[:i]) + "/")
            if parent is not None and not parent.negated:
                return parent
        return self._decide(rel)


_ENV_STEM = lazy(
    r"(^|[._-])(prod|production|dev|development|local|stag(e|ing)|test|testing|qa|uat|secrets?|"
    r"credentials?|app|api|docker|server|service|backend|web|db|database|runtime|deploy)($|[._-])",
    re.I,
)
_SECRET_KEY_LINE = lazy(
    r"^\s*(export\s+)?\w*(pass|secret|token|key|credential|dsn|auth|private|database_url|db_url|conn)\w*\s*=",
    re.I | re.M,
)


def _holds_environment(snap: Snapshot, rel: str) -> bool:
    """`.env`, `.env.production`, `prod.env` hold a deployment's settings by their names; another
    `<name>.env` (`container/digests.env`: base-image pins a Makefile includes) does only when it holds
    a credential-like setting."""
    name = posixpath.basename(rel)
    if name == ".env" or name.startswith(".env.") or _ENV_STEM.search(name[: -len(".env")]):
        return True
    return bool(_SECRET_KEY_LINE.search(snap.text(rel) or ""))


def collect_repo(snap: Snapshot) -> RepoFacts:
    gi = GitIgnore(snap)
    env_files = tuple(
        EnvFile(rel, rel in snap.tracked, gi.rule_for(rel))
        for rel in snap.files
        if is_env_file(rel) and _holds_environment(snap, rel)
    )
    nodes = node_backends(snap)  # each package.json is read once, for both fields
    return RepoFacts(
        snap.is_git,
        len(snap.files),
        gi.files,
        gi.rule_for(".env"),
        env_files,
        nodes,
        frontends(snap),
        _dvc_remotes(snap),
        _lfs_patterns(snap),
        tuple(f for f in snap.files if f in snap.tracked and is_model_file(f)),
        other_services(snap, nodes),
    )


_DVC_URL = lazy(r"^[ \t]*url[ \t]*=[ \t]*(\S+)", re.M)


def _dvc_remotes(snap: Snapshot) -> tuple[str, ...]:
    text = snap.text(".dvc/config") or "" if snap.has(".dvc/config") else ""
    return tuple(_DVC_URL.findall(text))


def _lfs_patterns(snap: Snapshot) -> tuple[str, ...]:
    patterns: list[str] = []
    for rel in snap.named(".gitattributes"):
        folder = posixpath.dirname(rel)
        for line in (snap.text(rel) or "").splitlines():
            parts = line.split()
            if len(parts) >= 2 and "filter=lfs" in parts[1:] and not parts[0].startswith("#"):
                patterns.append(posixpath.join(folder, parts[0]) if folder and "/" in parts[0] else parts[0])
    return tuple(patterns)
