"""Facts from docker-compose files: services as Compose runs them, with the file and line of each key.

Compose merges files: `compose.yaml` (or `docker-compose.yml`) with `docker-compose.override.yml` by
default, and with any `docker-compose.<env>.yml` when asked (`-f base -f prod`). Each such combination
is a configuration here, and services are judged as merged; a variant that defines every service
of the base, each with an image or a build, is a file of its own (`-f prod.yml`) and is judged alone; `extends` is resolved within the same file
or another file of the repository. Every key remembers the last file that set it, for findings.
A compose file under a name of its own (`deploy/stack-local.yml`) is one when the project runs it:
`docker compose -f <file>` in a Makefile, a shell script, a README or a workflow.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

import msgspec

from gate.lazyre import lazy
from gate.snapshot import ParseError, Replacing, ReplacingList, Snapshot, YamlDocuments
from gate.yamlpath import Node, line_of, locate

_BASE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
_VARIANT = lazy(r"^(docker-)?compose\.[\w.-]+\.ya?ml$")


@dataclass(frozen=True)
class Source:
    path: str
    node: Node = field(compare=False, repr=False)
    service: str


class Service(msgspec.Struct, frozen=True):
    name: str
    config: dict[str, Any]
    sources: tuple[Source, ...]
    """Files that define this service, base first."""
    configuration: str
    """Which files were merged: 'docker-compose.yml + docker-compose.prod.yml'."""

    @property
    def env_files(self) -> tuple[str, ...]:
        """`env_file:` as written: a path, a list of paths, or a list of {path: ..., required: ...}."""
        value = self.config.get("env_file")
        entries = value if isinstance(value, list) else [value] if value is not None else []
        paths = (e.get("path") if isinstance(e, dict) else e for e in entries)
        return tuple(p for p in paths if isinstance(p, str) and p)

    @property
    def build_context(self) -> str | None:
        """The repository folder this service builds from (`build: ..` or `build: {context: ..}`)."""
        build = self.config.get("build")
        context = (
            build
            if isinstance(build, str)
            else build.get("context", ".")
            if isinstance(build, dict)
            else None
        )
        if context is None or "://" in str(context):
            return None  # a git URL context is not in this repository
        base = posixpath.dirname(self.sources[0].path)
        return posixpath.normpath(posixpath.join(base, str(context)))

    @property
    def dockerfile(self) -> str | None:
        """The repository path of the Dockerfile this service builds, when it builds one."""
        build = self.config.get("build")
        if build is None:
            return None
        if isinstance(build, str):
            context, dockerfile = build, "Dockerfile"
        elif isinstance(build, dict):
            context, dockerfile = str(build.get("context", ".")), str(build.get("dockerfile", "Dockerfile"))
        else:
            return None
        base = posixpath.dirname(self.sources[0].path)
        return posixpath.normpath(posixpath.join(base, context, dockerfile))

    def where(self, *keys: str | int) -> tuple[str, int]:
        """The file and line that set `keys` (the last file that has them), else the service's own line."""
        for src in reversed(self.sources):
            if keys and locate(src.node, ("services", src.service, *keys))[1]:
                return src.path, line_of(src.node, ("services", src.service, *keys))
        first = self.sources[0]
        return first.path, line_of(first.node, ("services", first.service))


class ComposeFacts(msgspec.Struct, frozen=True):
    services: tuple[Service, ...]
    errors: tuple[ParseError, ...]
    files: tuple[str, ...]
    networks: tuple[tuple[str, str, bool], ...] = ()
    """Top-level networks as declared: (file, name, internal)."""


def is_compose_file(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return name in _BASE_NAMES or bool(_VARIANT.match(name))


def merge(base: Any, over: Any) -> Any:
    """Compose's merge, close enough for judging: mappings merge key by key, sequences are joined
    without duplicates, scalars are replaced, and a value tagged `!reset` or `!override` replaces."""
    if isinstance(over, (Replacing, ReplacingList)):
        return over
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = merge(base[k], v) if k in base else v
        return out
    if isinstance(base, list) and isinstance(over, list):
        return base + [v for v in over if v not in base]
    return over


def _load(snap: Snapshot, rel: str, errors: list[ParseError]) -> tuple[dict[str, Any], Node] | None:
    if (big := snap.unread(rel)) is not None:
        errors.append(big)
        return None
    docs = snap.yaml(rel)
    if isinstance(docs, ParseError):
        errors.append(docs)
        return None
    if not isinstance(docs, YamlDocuments) or not docs.nodes or not isinstance(docs.data[0], dict):
        return None
    return docs.data[0], docs.nodes[0]


# the flag within 200 characters of the command: an unbounded scan restarts at every `docker compose`
# of a long line (1 MB of them was minutes)
_FILE_FLAG = lazy(r"\bdocker[- ]compose\b[^\n;&|]{0,200}?(?:-f|--file)[ =]+['\"]?([\w./-]{1,200}\.ya?ml)")
_RUNS_COMMANDS = lazy(r"(^|/)(Makefile|[^/]*\.sh|README[^/]*|\.github/workflows/[^/]+\.ya?ml)$", re.I)


def _named_in_commands(snap: Snapshot) -> set[str]:
    """Compose files under names of their own (`docker-local.yml`), found where the project runs
    them: `docker compose -f <file>` in a Makefile, a shell script, a README or a workflow (a path
    relative to that file's folder, or to the root)."""
    named: set[str] = set()
    files = set(snap.files)
    for rel in snap.files:
        if not _RUNS_COMMANDS.search(rel):
            continue
        text = snap.text(rel) or ""
        if "compose" not in text:
            continue
        folder = posixpath.dirname(rel)
        for m in _FILE_FLAG.finditer(text):
            for candidate in (
                posixpath.normpath(posixpath.join(folder, m.group(1))),
                posixpath.normpath(m.group(1)),
            ):
                if candidate in files:
                    named.add(candidate)
                    break
    return named


def _standalone(data: dict[str, Any], base: dict[str, Any]) -> bool:
    """A variant that defines every service of the base, each with an image or a build: a whole file
    of its own, run alone (`-f prod.yml`), not an overlay, which would add the base's ports and
    volumes to it. A variant that touches only some services is an overlay."""
    services, base_services = data.get("services"), base.get("services")
    return (
        isinstance(services, dict)
        and bool(services)
        and all(isinstance(s, dict) and ("image" in s or "build" in s) for s in services.values())
        and (not isinstance(base_services, dict) or set(base_services) <= set(services))
    )


def collect_compose(snap: Snapshot) -> ComposeFacts:
    errors: list[ParseError] = []
    files = sorted({f for f in snap.files if is_compose_file(f)} | _named_in_commands(snap))
    loaded = {f: got for f in files if (got := _load(snap, f, errors)) is not None}
    by_dir: dict[str, list[str]] = {}
    for f in loaded:
        by_dir.setdefault(posixpath.dirname(f), []).append(f)
    services: list[Service] = []
    for folder_files in by_dir.values():
        bases = [f for f in folder_files if f.rsplit("/", 1)[-1] in _BASE_NAMES][:1]
        variants = sorted(f for f in folder_files if f not in bases)
        default_override = [
            f
            for f in variants
            if f.rsplit("/", 1)[-1].startswith(("docker-compose.override.", "compose.override."))
        ]
        combos: list[list[str]] = []
        if bases:
            combos.append(bases + default_override)
            for v in variants:
                if v not in default_override:
                    # a variant that says what every service runs is a whole file of its own
                    whole = _standalone(loaded[v][0], loaded[bases[0]][0])
                    combos.append([v] if whole else [*bases, v])
        else:
            combos.extend([v] for v in variants)  # overrides without a base: judged alone
        for combo in combos:
            services.extend(_merged(combo, loaded, snap, errors))
    networks = tuple(
        (f, str(name), isinstance(spec, dict) and spec.get("internal") is True)
        for f, (data, _) in sorted(loaded.items())
        if isinstance(data.get("networks"), dict)
        for name, spec in data["networks"].items()
    )
    return ComposeFacts(tuple(services), tuple(errors), tuple(sorted(loaded)), networks)


def _merged(
    combo: list[str],
    loaded: dict[str, tuple[dict[str, Any], Node]],
    snap: Snapshot,
    errors: list[ParseError],
) -> list[Service]:
    configs: dict[str, dict[str, Any]] = {}
    sources: dict[str, list[Source]] = {}
    for f in combo:
        data, node = loaded[f]
        for name, svc in (data.get("services") or {}).items():
            if not isinstance(svc, dict):
                continue
            resolved = _extends(svc, f, loaded, snap, errors, depth=0)
            configs[name] = merge(configs.get(name, {}), resolved)
            sources.setdefault(name, []).append(Source(f, node, str(name)))
    label = " + ".join(combo)
    return [Service(str(n), c, tuple(sources[n]), label) for n, c in configs.items()]


def _extends(
    svc: dict[str, Any],
    rel: str,
    loaded: dict[str, tuple[dict[str, Any], Node]],
    snap: Snapshot,
    errors: list[ParseError],
    depth: int,
) -> dict[str, Any]:
    ext = svc.get("extends")
    if ext is None or depth > 5:
        return svc
    if isinstance(ext, str):
        ext = {"service": ext}
    if not isinstance(ext, dict):
        return svc
    other = rel
    if ext.get("file"):
        other = posixpath.normpath(posixpath.join(posixpath.dirname(rel), str(ext["file"])))
        if other not in loaded and snap.has(other):
            got = _load(snap, other, errors)
            if got is not None:
                loaded[other] = got
    parent = ((loaded.get(other) or ({}, None))[0].get("services") or {}).get(ext.get("service"))
    if not isinstance(parent, dict):
        return svc
    rest = {k: v for k, v in svc.items() if k != "extends"}
    return dict(merge(_extends(parent, other, loaded, snap, errors, depth + 1), rest))
