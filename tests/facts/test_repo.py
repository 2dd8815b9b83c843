""".gitignore semantics and tracked environment files, on real git repositories."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from gate.facts.repo import collect_repo
from gate.snapshot import Snapshot
from tests.conftest import write_tree


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


def test_the_parts_prodgate_does_not_read_yet_are_known(tmp_path: Path) -> None:
    from gate.facts.repo import frontends, node_backends

    root = write_tree(
        tmp_path,
        {
            "api/package.json": '{"dependencies": {"fastify": "^5.0.0"}}',
            "web/package.json": '{"devDependencies": {"vite": "^6.0.0"}}',
            "tools/package.json": '{"dependencies": {"left-pad": "1.3.0"}}',
            "service/templates/index.html": "<html></html>",
            "docs/index.html": "<html></html>",
            "broken/package.json": "{not json",
        },
    )
    snap = Snapshot.load(root)
    assert node_backends(snap) == ("api/package.json",)
    assert frontends(snap) == ("service/templates/index.html", "web/package.json")


def test_code_in_a_language_prodgate_does_not_read_is_named(tmp_path: Path) -> None:
    from gate.facts.repo import other_services

    root = write_tree(
        tmp_path,
        {
            "booking/pom.xml": "<project/>",
            "gateway/go.mod": "module example.com/gateway\n",
            "billing/Billing.csproj": "<Project/>",
            "api/package.json": '{"dependencies": {"express": "^4.0.0"}}',
            "notes/pom.xml.orig": "<project/>",
            "scripts/run.py": "print('hi')\n",
        },
    )
    assert other_services(Snapshot.load(root)) == (
        "C# (billing/Billing.csproj)",
        "Go (gateway/go.mod)",
        "Java (booking/pom.xml)",
        "Node (api/package.json)",
    )
