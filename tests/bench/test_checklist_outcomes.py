"""Materializing a labelled checklist's repository from a snapshot that lacks some blobs
(bench/checklist_outcomes.py through bench/corpus.py: materialize): the corpus refuses such a snapshot,
the checklist bench checks it out without the missing blobs."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from bench.corpus import materialize

_ENV = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t"}
_ENV["GIT_COMMITTER_EMAIL"] = "t@t"


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=_ENV
    ).stdout


def test_a_snapshot_missing_a_blob_is_written_without_it(tmp_path: Path) -> None:
    source = tmp_path / "source"
    (source / "docs").mkdir(parents=True)
    (source / "docs" / "CHECKLIST.md").write_text("- [ ] Rate limiting\n")
    (source / "model.bin").write_bytes(b"\0" * 4096)
    (source / "app.py").write_text("print('hi')\n")
    _git(source, "init", "-q")
    _git(source, "add", "-A")
    _git(source, "commit", "-qm", "x", "--no-gpg-sign")
    commit = _git(source, "rev-parse", "HEAD").strip()
    blob = _git(source, "rev-parse", "HEAD:model.bin").strip()
    (source / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    assert subprocess.run(["git", "archive", commit], cwd=source, capture_output=True).returncode != 0
    with pytest.raises(subprocess.CalledProcessError):  # the corpus judges only whole snapshots
        materialize(source / ".git", commit, tmp_path / "whole")

    root = materialize(source / ".git", commit, tmp_path / "tree", incomplete=True)
    assert (root / "docs" / "CHECKLIST.md").read_text() == "- [ ] Rate limiting\n"
    assert (root / "app.py").read_text() == "print('hi')\n"
    assert not (root / "model.bin").exists()
    assert _git(root, "rev-parse", "HEAD").strip() == commit, "the pinned commit itself, history and all"
