"""Shared helpers: real folders and real git repositories on disk."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

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
