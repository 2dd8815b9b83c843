"""gitignore patterns: git's own answers as the oracle, and time linear in the input."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from gate.ignore import PatternList, parse_pattern
from gate.snapshot import _git_listing
from tests.conftest import git, git_repo, write_tree
from tests.test_snapshot import ls_files

PATTERNS = """\
# a comment
*.log
!keep.log
build/
/root-only.txt
docs/**/draft-*.md
**/cache
tmp/**
!tmp/keep.txt
data/raw/
*.py[cod]
[!a]x.cfg
a?c.txt
\\#hash.txt
spaced.txt\\ TRAILING
nested/**/deep/
**/logs/*.gz
lib/*.so
*~
""".replace("TRAILING", "")  # an escaped trailing space, which an editor would strip

FILES = [
    "app.log", "keep.log", "src/keep.log", "src/x.log", "build/out", "src/build/out", "root-only.txt",
    "src/root-only.txt", "docs/draft-a.md", "docs/x/draft-b.md", "docs/x/y/draft-c.md", "docs/final.md",
    "cache/a", "src/cache/b", "tmp/a.txt", "tmp/keep.txt", "tmp/sub/b.txt", "data/raw/a.csv",
    "data/rawx/a.csv", "m.pyc", "m.pyo", "m.py", "bx.cfg", "ax.cfg", "abc.txt", "abbc.txt", "#hash.txt",
    "spaced.txt ", "nested/deep/x", "nested/a/b/deep/y", "nested/deepx/z", "logs/a.gz", "x/logs/b.gz",
    "x/logs/y/c.gz", "lib/a.so", "lib/sub/b.so", "notes.txt~", "README.md",
]  # fmt: skip


def test_the_listing_agrees_with_git_on_every_pattern_form(tmp_path: Path) -> None:
    root = git_repo(tmp_path / "r", {".gitignore": PATTERNS, "README.md": "# r\n"})
    write_tree(root, {f: f"{f}\n" for f in FILES if f != "README.md"})
    write_tree(root, {"src/.gitignore": "!x.log\n*.md\n", ".git/info/exclude": "notes.txt~\n"})
    assert _git_listing(root) == ls_files(root)
    assert _git_listing(root / "src") == ls_files(root / "src")


def test_nested_repositories_and_symlinked_folders_are_listed_as_git_lists_them(tmp_path: Path) -> None:
    root = git_repo(tmp_path / "r", {"a.py": "x = 1\n"})
    git_repo(root / "vendor" / "other", {"b.py": "y = 2\n"})
    (root / "linked").symlink_to(root / "vendor")
    assert _git_listing(root) is not None
    listed = _git_listing(root)
    assert listed is not None and "vendor/other/b.py" not in listed[0]
    assert "linked" in listed[0]  # a symlink is an entry; Snapshot decides whether to follow it


@pytest.mark.parametrize(
    ("line", "path", "expected"),
    [
        ("*.log", "a/b/c.log", True),
        ("/*.log", "a/c.log", False),
        ("a/**/b", "a/b", True),
        ("a/**/b", "a/x/y/b", True),
        ("a/**", "a", False),
        ("a/**", "a/x", True),
        ("[a-c]?.txt", "b1.txt", True),
        ("[!a-c]?.txt", "b1.txt", False),
        ("\\*.txt", "*.txt", True),
        ("\\*.txt", "a.txt", False),
        ("[unclosed", "[unclosed", True),
        ("models/", "models/x.joblib", True),
    ],
)
def test_pattern_forms(line: str, path: str, expected: bool) -> None:
    assert PatternList([line]).match_file(path) is expected


def test_blank_and_comment_lines_are_not_patterns() -> None:
    assert parse_pattern("") is None
    assert parse_pattern("   ") is None
    assert parse_pattern("# comment") is None
    assert parse_pattern("!") is None


@pytest.mark.parametrize("length", [200, 2000])
def test_a_backtracking_pattern_on_a_long_name_is_decided_at_once(length: int) -> None:
    """`*a*a*...*b` against a long run of `a`: exponential for a backtracking regex engine."""
    pattern = "*a" * 16 + "*b"
    name = "a" * length
    started = time.perf_counter()
    for form in (pattern, f"**/{pattern}", f"x/**/{pattern}/**"):
        assert PatternList([form]).match_file(f"x/{name}/{name}.py") is False
    assert time.perf_counter() - started < 2.0


def test_many_patterns_and_deep_paths_stay_fast() -> None:
    patterns = PatternList([f"**/dir{i}/**/*.tmp{i}" for i in range(500)])
    path = "/".join(f"dir{i}" for i in range(200)) + "/file.txt"
    started = time.perf_counter()
    assert patterns.match_file(path) is False
    assert time.perf_counter() - started < 5.0


def test_git_itself_agrees_on_the_pattern_forms(tmp_path: Path) -> None:
    """The parametrized forms above, asked of git check-ignore, so the table cannot drift from git."""
    root = git_repo(tmp_path / "r", {"README.md": "# r\n"}, commit=False)
    cases = [("*.log", "a/b/c.log"), ("/*.log", "a/c.log"), ("a/**/b", "a/x/y/b"), ("[!a-c]?.txt", "b1.txt")]
    for line, path in cases:
        (root / ".gitignore").write_text(line + "\n", encoding="utf-8")
        ours = PatternList([line]).match_file(path)
        try:
            git(root, "check-ignore", "-q", "--no-index", path)
            theirs = True
        except Exception:
            theirs = False
        assert ours is theirs, (line, path)
