"""Facts about declared Python dependencies and the Python version the project targets."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Any

import pip_requirements_parser as prp
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from gate.snapshot import ParseError, Snapshot

LOCK_FILES = ("poetry.lock", "uv.lock", "Pipfile.lock", "pdm.lock")
_REQ_NAME = re.compile(r"^(requirements|constraints)([-_.][\w.-]*)?\.(txt|in)$", re.IGNORECASE)
_VCS_COMMIT = re.compile(r"@[0-9a-f]{40}(#|$)")
_FROM_PYTHON = re.compile(
    r"^\s*FROM\s+(?:--\S+\s+)*(?:\S+/)?python:(\d+(?:\.\d+)*)", re.IGNORECASE | re.MULTILINE
)


@dataclass(frozen=True)
class Dependency:
    name: str
    specifier: str
    path: str
    line: int
    pinned: bool
    constraint: bool = False


@dataclass(frozen=True)
class PythonVersionDecl:
    source: str
    path: str
    line: int | None
    value: str


@dataclass(frozen=True)
class DependencyFacts:
    requirement_files: tuple[str, ...]
    requirements: tuple[Dependency, ...]
    """Direct requirements from requirements files (and constraints, marked), local/editable ones left out."""
    pyproject_dependencies: tuple[Dependency, ...]
    lock_files: tuple[str, ...]
    pyproject_files: tuple[str, ...]
    errors: tuple[ParseError, ...]
    python_versions: tuple[PythonVersionDecl, ...]


def is_requirements_file(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return bool(_REQ_NAME.match(name)) or ("/requirements/" in f"/{rel}" and name.endswith((".txt", ".in")))


def _exact(spec: str) -> bool:
    parts = [p.strip() for p in spec.split(",") if p.strip()]
    return len(parts) == 1 and parts[0].startswith(("==", "===")) and "*" not in parts[0]


def collect_dependencies(snap: Snapshot) -> DependencyFacts:
    errors: list[ParseError] = []
    reqs: list[Dependency] = []
    seen: set[str] = set()
    queue: list[tuple[str, bool]] = [
        (f, "constraints" in f.rsplit("/", 1)[-1].lower()) for f in snap.files if is_requirements_file(f)
    ]
    while queue:
        rel, is_constraint = queue.pop(0)
        if rel in seen:
            continue
        seen.add(rel)
        if snap.text(rel) is None:
            continue
        try:
            parsed = prp.RequirementsFile.from_file(str(snap.root / rel), include_nested=False)
        except (
            Exception
        ) as exc:  # the parser is pip's code; anything it raises is a parse failure of this file
            errors.append(ParseError(path=rel, message=f"unreadable requirements file: {exc}"))
            continue
        for bad in parsed.invalid_lines:
            first = str(bad.error_message).splitlines()[0] if bad.error_message else "invalid line"
            errors.append(ParseError(path=rel, line=bad.line_number, message=first))
        for opt in parsed.options:
            for key, nested_constraint in (("requirements", False), ("constraints", True)):
                for target in opt.options.get(key, []) or []:
                    # includes are resolved inside the snapshot only: never read a file outside the root
                    nested = posixpath.normpath(posixpath.join(posixpath.dirname(rel), target))
                    if snap.has(nested):
                        queue.append((nested, is_constraint or nested_constraint))
                    else:
                        errors.append(
                            ParseError(
                                path=rel,
                                line=opt.line_number,
                                message=f"included file {target} not found in the repository",
                            )
                        )
        for req in parsed.requirements:
            # the parser marks URLs as local paths too: only a path that is not a URL is the project itself
            if req.is_editable or (req.is_local_path and not req.is_url) or not req.name:
                continue  # the project itself or a local path: nothing to pin
            spec = str(req.specifier or "")
            if req.link is not None:
                url = str(req.link)
                pinned = (
                    bool(_VCS_COMMIT.search(url))
                    or bool(req.hash_options)
                    or (not req.is_vcs_url and "sha256=" in url)
                )
                spec = f"@ {url}"
            else:
                pinned = _exact(spec)
            reqs.append(
                Dependency(
                    canonicalize_name(req.name), spec, rel, req.line_number or 1, pinned, is_constraint
                )
            )
    pyproject_deps, versions = _pyproject(snap, errors)
    versions.extend(_other_python_versions(snap))
    locks = tuple(f for f in snap.files if f.rsplit("/", 1)[-1] in LOCK_FILES)
    return DependencyFacts(
        requirement_files=tuple(sorted(seen)),
        requirements=tuple(reqs),
        pyproject_dependencies=tuple(pyproject_deps),
        lock_files=locks,
        pyproject_files=tuple(snap.named("pyproject.toml")),
        errors=tuple(errors),
        python_versions=tuple(dict.fromkeys(versions)),  # a multi-stage Dockerfile names its base twice
    )


def _line_of(text: str, needle: str) -> int | None:
    for i, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return i
    return None


def _pyproject(snap: Snapshot, errors: list[ParseError]) -> tuple[list[Dependency], list[PythonVersionDecl]]:
    deps: list[Dependency] = []
    versions: list[PythonVersionDecl] = []
    for rel in snap.named("pyproject.toml"):
        data = snap.toml(rel)
        if isinstance(data, ParseError):
            errors.append(data)
            continue
        if data is None:
            continue
        text = snap.text(rel) or ""
        project: dict[str, Any] = data.get("project") or {}
        for raw in project.get("dependencies") or []:
            if not isinstance(raw, str):
                continue
            try:
                req = Requirement(raw)
            except InvalidRequirement as exc:
                errors.append(
                    ParseError(path=rel, line=_line_of(text, raw), message=f"invalid dependency: {exc}")
                )
                continue
            deps.append(
                Dependency(
                    canonicalize_name(req.name),
                    str(req.specifier),
                    rel,
                    _line_of(text, raw) or 1,
                    _exact(str(req.specifier)),
                )
            )
        rp = project.get("requires-python")
        if isinstance(rp, str) and rp.strip():
            versions.append(PythonVersionDecl("requires-python", rel, _line_of(text, "requires-python"), rp))
        poetry_py = (((data.get("tool") or {}).get("poetry") or {}).get("dependencies") or {}).get("python")
        if isinstance(poetry_py, str) and poetry_py.strip():
            versions.append(PythonVersionDecl("tool.poetry.dependencies.python", rel, None, poetry_py))
    return deps, versions


def _other_python_versions(snap: Snapshot) -> list[PythonVersionDecl]:
    found: list[PythonVersionDecl] = []
    for rel in snap.named(".python-version", "runtime.txt"):
        text = (snap.text(rel) or "").strip()
        if text:
            found.append(PythonVersionDecl(rel.rsplit("/", 1)[-1], rel, 1, text.splitlines()[0]))
    for rel in snap.named("setup.cfg"):
        text = snap.text(rel) or ""
        line = _line_of(text, "python_requires")
        if line:
            found.append(
                PythonVersionDecl(
                    "python_requires", rel, line, text.splitlines()[line - 1].split("=", 1)[-1].strip()
                )
            )
    for rel in snap.named("setup.py"):
        text = snap.text(rel) or ""
        line = _line_of(text, "python_requires")
        if line:
            found.append(PythonVersionDecl("python_requires", rel, line, text.splitlines()[line - 1].strip()))
    for rel in snap.named("Pipfile"):
        text = snap.text(rel) or ""
        line = _line_of(text, "python_version")
        if line:
            found.append(
                PythonVersionDecl("Pipfile python_version", rel, line, text.splitlines()[line - 1].strip())
            )
    for rel in snap.files:
        name = rel.rsplit("/", 1)[-1]
        if name == "Dockerfile" or name.startswith("Dockerfile.") or name.endswith(".Dockerfile"):
            text = snap.text(rel) or ""
            for m in _FROM_PYTHON.finditer(text):
                found.append(
                    PythonVersionDecl(
                        "Dockerfile base image", rel, text.count("\n", 0, m.start()) + 1, m.group(1)
                    )
                )
    return found
