"""Shared helpers: real folders and real git repositories on disk."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.osv_server import OsvService, serve

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

Files = Mapping[str, str | bytes]


def write_tree(root: Path, files: Files) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        [
            "git",
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.invalid",
            "-c",
            "commit.gpgsign=false",
            *args,
        ],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def git_repo(root: Path, files: Files, *, commit: bool = True) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    write_tree(root, files)
    if commit:
        git(root, "add", "-A", "-f")
        git(root, "commit", "-q", "-m", "fixture")
    return root


@pytest.fixture(scope="session", autouse=True)
def local_osv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OsvService]:
    """Every evaluation in the suite audits against a loopback OSV service with its own cache."""
    saved = {k: os.environ.get(k) for k in ("PRODGATE_OSV_URL", "XDG_CACHE_HOME")}
    with serve() as (url, service):
        os.environ["PRODGATE_OSV_URL"] = url
        os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))
        yield service
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture
def make_tree(tmp_path: Path) -> Callable[[Files], Path]:
    def make(files: Files) -> Path:
        return write_tree(tmp_path / "repo", files)

    return make


@pytest.fixture
def make_git_repo(tmp_path: Path) -> Callable[..., Path]:
    def make(files: Files, *, commit: bool = True) -> Path:
        return git_repo(tmp_path / "repo", files, commit=commit)

    return make


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The modules the snapshot parses from here on, in order, one entry per parse."""
    import gate.snapshot

    seen: list[str] = []
    real_parse = gate.snapshot._parse_python

    def counted(rel: str, text: str) -> Any:
        seen.append(rel)
        return real_parse(rel, text)

    monkeypatch.setattr(gate.snapshot, "_parse_python", counted)
    return seen
