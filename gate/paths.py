"""Repository-relative POSIX path helpers shared by facts and checks."""

from __future__ import annotations

import posixpath


def folder_of(path: str) -> str:
    return posixpath.dirname(path)


def within(path: str, folder: str) -> bool:
    """True when `path` is inside `folder` (or any path, for the root folder "")."""
    return not folder or path.startswith(folder + "/")
