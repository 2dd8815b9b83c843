""".gitignore semantics and tracked environment files, on real git repositories."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from gate.facts.repo import collect_repo
from gate.snapshot import Snapshot


@pytest.mark.parametrize(
    ("gitignore", "ignored"),
    [
        (".env\n", True),
        ("/.env\n", True),
        (".env*\n!.env.example\n", True),
        ("*.env\n.env\n", True),
        (".env\n!.env\n", False),
        ("# .env\n", False),
        ("env\n", False),
        ("**/.env\n", True),
        ("*\n!*.py\n", True),
    ],
)
def test_root_env_rule_follows_git(make_git_repo: Callable[..., Path], gitignore: str, ignored: bool) -> None:
    root = make_git_repo({".gitignore": gitignore, "app.py": ""})
    facts = collect_repo(Snapshot.load(root))
    decided = facts.root_env_rule is not None and not facts.root_env_rule.negated
    assert decided is ignored
    # git itself agrees
    import subprocess

    git_says = subprocess.run(["git", "check-ignore", "-q", "--no-index", ".env"], cwd=root).returncode == 0
    assert git_says is ignored


def test_nested_gitignore_scopes_to_its_folder(make_git_repo: Callable[..., Path]) -> None:
    root = make_git_repo({"svc/.gitignore": ".env\n", "svc/app.py": "", ".gitignore": "*.pyc\n"})
    (root / "svc" / ".env").write_text("A=1\n")
    (root / ".env").write_text("A=1\n")
    facts = collect_repo(Snapshot.load(root))
    assert facts.root_env_rule is None
    # svc/.env is ignored by git, so it is not even listed; the root .env is listed and unignored
    assert [e.path for e in facts.env_files] == [".env"]
    assert facts.env_files[0].ignored_by is None and not facts.env_files[0].tracked


def test_tracked_env_is_tracked_even_when_ignored_later(make_git_repo: Callable[..., Path]) -> None:
    root = make_git_repo({".env": "TOKEN=x\n", ".env.example": "TOKEN=\n"})
    (root / ".gitignore").write_text(".env\n")
    facts = collect_repo(Snapshot.load(root))
    assert [(e.path, e.tracked) for e in facts.env_files] == [(".env", True)]
    assert facts.root_env_rule is not None and facts.root_env_rule.line == 1
