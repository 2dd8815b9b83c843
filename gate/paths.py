"""Repository-relative POSIX path helpers shared by facts and checks."""

from __future__ import annotations

import posixpath
from pathlib import Path

DEFAULT_CONFIG_PATH = ".github/prodgate.yml"
"""The repository's own config file, read when no other is named (gate/config.py)."""


def folder_of(path: str) -> str:
    return posixpath.dirname(path)


def within(path: str, folder: str) -> bool:
    """True when `path` is inside `folder` (or any path, for the root folder "")."""
    return not folder or path.startswith(folder + "/")


class OutsideRepository(Exception):
    """A path the gate was asked to read leads outside the repository it judges."""


def inside(root: Path, path: Path, what: str) -> Path:
    """`path` with every symlink followed, required to stay inside `root`.

    The repository (its config, its checklist, a pull request's changes to either) is hostile input:
    `checklist: ../../etc/passwd`, an absolute path or a symlink out of the checkout must never put
    another file's content into a report or a PR comment."""
    try:
        real = path.resolve()
        base = root.resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop
        raise OutsideRepository(f"{path}: {what} cannot be resolved: {exc}") from None
    if not real.is_relative_to(base):
        raise OutsideRepository(
            f"{path}: {what} is outside the repository ({base}); the gate reads only files inside it"
        )
    return real
