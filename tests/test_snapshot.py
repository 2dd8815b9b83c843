from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from gate.snapshot import ParseError, Snapshot, SnapshotError, YamlDocuments
from tests.conftest import git, git_repo, write_tree


def test_git_work_tree_lists_tracked_and_untracked_but_not_ignored(
    make_git_repo: Callable[..., Path],
) -> None:
    root = make_git_repo({"a.py": "x = 1\n", ".gitignore": "build/\n", "build/out.py": "y = 2\n"})
    (root / "new.py").write_text("z = 3\n")
    (root / "build" / "ignored.py").write_text("w = 4\n")
    snap = Snapshot.load(root)
    assert snap.is_git
    # build/out.py was force-added, so it is tracked although ignored; build/ignored.py is neither
    assert snap.files == (".gitignore", "a.py", "build/out.py", "new.py")
    assert {"a.py", "build/out.py"} <= snap.tracked and "new.py" not in snap.tracked


def test_deleted_tracked_file_is_not_listed(make_git_repo: Callable[..., Path]) -> None:
    root = make_git_repo({"a.py": "x = 1\n", "b.py": "y = 1\n"})
    (root / "b.py").unlink()
    assert Snapshot.load(root).files == ("a.py",)


def test_plain_folder_is_walked_without_dot_git(make_tree: Callable[..., Path]) -> None:
    root = make_tree({"a.py": "x\n", "sub/b.txt": "b\n", ".git/config": "[core]\n"})
    snap = Snapshot.load(root)
    assert not snap.is_git
    assert snap.files == ("a.py", "sub/b.txt")


def test_symlinks_never_lead_outside_the_root(tmp_path: Path, make_tree: Callable[..., Path]) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("top secret\n")
    (tmp_path / "outdir").mkdir()
    root = make_tree({"inside.txt": "ok\n"})
    (root / "leak.txt").symlink_to(outside)
    (root / "leakdir").symlink_to(tmp_path / "outdir")
    (root / "alias.txt").symlink_to(root / "inside.txt")
    (root / "broken.txt").symlink_to(root / "nowhere")
    snap = Snapshot.load(root)
    # listed, so the checks that need them can say they were not judged; never read
    assert snap.files == ("alias.txt", "broken.txt", "inside.txt", "leak.txt", "leakdir")
    assert snap.text("alias.txt") == "ok\n"
    assert snap.text("leak.txt") is None and snap.raw("leak.txt") is None and snap.head("leak.txt") == ""
    unread = snap.unread("leak.txt")
    assert unread is not None and "outside the repository" in unread.message
    reasons = {s.path: s.reason for s in snap.skipped}
    assert "outside" in reasons["leak.txt"] and "outside" in reasons["leakdir"]
    assert reasons["broken.txt"] == "a broken symlink: not read"


def test_a_listing_for_another_process_keeps_the_refusals(
    tmp_path: Path, make_tree: Callable[..., Path]
) -> None:
    """What a collector in the second process reads is what this one would: the listing carries which
    files are never read, and nothing read or parsed here."""
    (tmp_path / "secret.txt").write_text("top secret\n")
    root = make_tree({"inside.txt": "ok\n"})
    (root / "leak.txt").symlink_to(tmp_path / "secret.txt")
    (root / "zero.txt").symlink_to("/dev/zero")
    snap = Snapshot.load(root)
    assert snap.text("inside.txt") == "ok\n"
    listing = snap.listing()
    assert listing.files == snap.files and listing.root == snap.root
    assert listing._cache == {}, "nothing read here travels"
    assert (
        listing.text("leak.txt") is None
        and listing.raw("zero.txt") is None
        and listing.head("leak.txt") == ""
    )
    assert listing.mentions("leak.txt", (b"secret",)) is None
    assert listing.skipped == snap.skipped


def test_a_read_stops_at_the_cap_whatever_the_file_claims(make_tree: Callable[..., Path]) -> None:
    """Between the listing and the read a file may grow, or be replaced by a FIFO: the read neither
    blocks nor takes more than the cap."""
    root = make_tree({"grows.txt": "small\n", "pipe.txt": "x\n", "fine.txt": "ok\n"})
    snap = Snapshot.load(root, max_file_size=100)
    (root / "grows.txt").write_text("y" * 1000)
    (root / "pipe.txt").unlink()
    os.mkfifo(root / "pipe.txt")  # nobody writes to it: an open without O_NONBLOCK would wait forever
    assert snap.raw("grows.txt") is None and snap.raw("pipe.txt") is None
    assert snap.raw("fine.txt") == b"ok\n"
    reasons = {s.path: s.reason for s in snap.skipped}
    assert reasons == {
        "grows.txt": "1000 bytes, over the 100-byte parse cap; listed only",
        "pipe.txt": "not a regular file: not read",
    }


def test_size_cap_lists_but_does_not_parse(make_tree: Callable[..., Path]) -> None:
    root = make_tree({"big.py": "x = 1\n" * 100, "small.py": "y = 2\n"})
    snap = Snapshot.load(root, max_file_size=100)
    assert snap.has("big.py")
    assert snap.python("big.py") is None
    assert snap.python("small.py") is not None
    assert any(s.path == "big.py" and "parse cap" in s.reason for s in snap.skipped)


def test_binary_and_odd_encodings(make_tree: Callable[..., Path]) -> None:
    root = make_tree(
        {
            "model.bin": b"\x80\x04\x95\x00\x00",
            "weird.txt": b"caf\xe9 \xff\xfe",
            "bom.json": b'\xef\xbb\xbf{"a": 1}',
        }
    )
    snap = Snapshot.load(root)
    assert snap.is_binary("model.bin") and snap.text("model.bin") is None
    assert snap.text("weird.txt") == "caf\ufffd \ufffd\ufffd"
    assert snap.json("bom.json") == {"a": 1}


def test_parsed_forms_are_cached_and_keep_lines(make_tree: Callable[..., Path]) -> None:
    root = make_tree(
        {
            "k.yaml": "a: 1\n---\nkind: Deployment\nspec:\n  replicas: 2\n",
            "bad.yaml": "a: [1,\n",
            "bad.json": '{"a": }',
            "bad.toml": "a = \n",
            "p.py": "def f(:\n",
        }
    )
    snap = Snapshot.load(root)
    docs = snap.yaml("k.yaml")
    assert isinstance(docs, YamlDocuments)
    assert docs.data == ({"a": 1}, {"kind": "Deployment", "spec": {"replicas": 2}})
    assert docs.nodes[1].line + 1 == 3
    assert snap.yaml("k.yaml") is docs
    for rel, line in (("bad.yaml", 2), ("bad.json", 1), ("bad.toml", 1), ("p.py", 1)):
        parsed = {"y": snap.yaml, "j": snap.json, "t": snap.toml, "p": snap.python}[rel.split(".")[1][0]](rel)
        assert isinstance(parsed, ParseError), rel
        assert parsed.path == rel and parsed.line == line, parsed


@pytest.mark.parametrize("kind", ["missing", "file"])
def test_bad_roots_are_reported(tmp_path: Path, kind: str) -> None:
    target = tmp_path / "x"
    if kind == "file":
        target.write_text("x")
    with pytest.raises(SnapshotError, match="no such file" if kind == "missing" else "not a directory"):
        Snapshot.load(target)


def test_include_and_exclude_patterns(make_tree: Callable[..., Path]) -> None:
    root = make_tree({"svc/a.py": "", "svc/vendor/b.py": "", "other/c.py": ""})
    snap = Snapshot.load(root, include=["svc/"], exclude=["vendor/"])
    assert snap.files == ("svc/a.py",)


def test_a_file_that_vanishes_or_cannot_be_read_is_noted(make_tree: Callable[..., Path]) -> None:
    root = make_tree({"gone.py": "x = 1\n", "ok.py": "y = 1\n"})
    snap = Snapshot.load(root)
    (root / "gone.py").unlink()  # deleted (or made unreadable) between listing and reading
    assert snap.text("gone.py") is None
    assert snap.python("gone.py") is None
    assert any(s.path == "gone.py" and s.reason.startswith("unreadable") for s in snap.skipped)


def test_special_files_are_never_opened(make_tree: Callable[..., Path]) -> None:
    root = make_tree({"a.py": "x = 1\n"})
    os.mkfifo(root / "pipe")  # reading a FIFO with no writer would hang forever
    assert Snapshot.load(root).files == ("a.py",)


def test_yaml_alias_bombs_are_refused(make_tree: Callable[..., Path]) -> None:
    levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    levels += [
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]"
        for i in range(8)
    ]
    root = make_tree({"bomb.yaml": "\n".join(levels) + "\n", "fine.yaml": "x: &x [1, 2]\ny: *x\n"})
    snap = Snapshot.load(root)
    bomb = snap.yaml("bomb.yaml")
    assert isinstance(bomb, ParseError) and "alias bomb" in bomb.message and bomb.line == 1
    fine = snap.yaml("fine.yaml")
    assert isinstance(fine, YamlDocuments) and fine.data[0] == {"x": [1, 2], "y": [1, 2]}


def test_yaml_duplicate_keys_and_tabs_are_parse_errors(make_tree: Callable[..., Path]) -> None:
    root = make_tree({"dup.yaml": "spec:\n  replicas: 1\n  replicas: 3\n", "tabs.yaml": "a:\n\tb: 1\n"})
    snap = Snapshot.load(root)
    dup = snap.yaml("dup.yaml")
    assert isinstance(dup, ParseError) and dup.line == 3 and "duplicate key 'replicas'" in dup.message
    tabs = snap.yaml("tabs.yaml")
    assert isinstance(tabs, ParseError) and tabs.line == 2


@pytest.mark.parametrize("sub", ["", "svc"])
def test_without_the_git_binary_the_listing_is_the_same(tmp_path: Path, sub: str) -> None:
    """The gate never runs git (its config can run commands): the listing must still be exactly
    what `git ls-files --cached --others --exclude-standard` lists."""
    from gate.snapshot import _git_listing, head_commit

    root = git_repo(
        tmp_path / "r",
        {
            ".gitignore": "*.log\nbuild/\n!keep.log\n",
            "svc/.gitignore": "secret.env\n",
            "svc/app.py": "x = 1\n",
            "svc/keep.log": "kept\n",
            "svc/deep/model.joblib": b"\x80\x04.",
            "docs/index.md": "# d\n",
        },
    )
    write_tree(root, {"svc/forced.log": "tracked although ignored\n"})
    git(root, "add", "-f", "svc/forced.log")
    git(root, "commit", "-q", "-m", "forced")
    write_tree(
        root,
        {
            "svc/new.py": "untracked, not ignored\n",
            "svc/secret.env": "K=v\n",
            "svc/run.log": "ignored\n",
            "build/out.txt": "ignored dir\n",
            "svc/build/x.txt": "ignored dir below\n",
        },
    )
    where = root / sub if sub else root
    listed = _git_listing(where)
    assert listed is not None
    assert listed == ls_files(where)
    assert "forced.log" in "".join(listed[1])
    assert head_commit(where) == git(root, "rev-parse", "HEAD").strip()


def ls_files(where: Path) -> tuple[list[str], frozenset[str]]:
    """git's own answer, from the git binary (the tests may run git; the gate never does)."""
    out = git(
        where,
        "-c",
        "core.quotepath=off",
        "ls-files",
        "-z",
        "-t",
        "--cached",
        "--others",
        "--exclude-standard",
    )
    entries = [e for e in out.split("\0") if len(e) > 2]
    return sorted({e[2:] for e in entries}), frozenset(e[2:] for e in entries if e[0] != "?")


def test_outside_a_repository_the_listing_is_none(tmp_path: Path) -> None:
    from gate.snapshot import _git_listing, head_commit

    (tmp_path / "plain").mkdir()
    assert _git_listing(tmp_path / "plain") is None
    assert head_commit(tmp_path / "plain") is None


def test_a_plain_copy_still_honours_gitignore_and_skips_installed_environments(tmp_path: Path) -> None:
    """A tarball or zip of a project (no .git): its .gitignore still says what is not the project's, and
    a virtualenv or node_modules inside it is never judged."""
    root = write_tree(
        tmp_path / "copy",
        {
            ".gitignore": "*.log\nbuild/\n",
            "app.py": "x = 1\n",
            "run.log": "ignored\n",
            "build/out.py": "ignored = True\n",
            ".venv/pyvenv.cfg": "home = /usr/bin\n",
            ".venv/lib/python3.11/site-packages/flask/app.py": "print('vendored')\n",
            "env2/pyvenv.cfg": "home = /usr/bin\n",
            "env2/bin/tool.py": "print('vendored')\n",
            "web/node_modules/pkg/index.js": "1\n",
            "web/src/main.js": "1\n",
        },
    )
    assert Snapshot.load(root).files == (".gitignore", "app.py", "web/src/main.js")


def test_a_committed_virtualenv_is_not_judged_either(tmp_path: Path) -> None:
    root = git_repo(
        tmp_path / "r",
        {"app.py": "x = 1\n", "venv/pyvenv.cfg": "home = /usr/bin\n", "venv/lib/x.py": "print(1)\n"},
    )
    assert Snapshot.load(root).files == ("app.py",)


def test_parsing_a_text_already_read_still_stops_at_the_deadline(tmp_path: Path) -> None:
    """Every text can be read (and cached) inside the budget while parsing them all takes far longer: on a
    fast machine the secrets scan read 3,000 modules in under a second, and parsing was never cut."""
    from gate.budget import BudgetExceeded, Deadline

    root = write_tree(tmp_path, {"a.py": "x = 1\n", "b.yml": "a: 1\n"})
    snap = Snapshot.load(root, deadline=Deadline(1.0, at=float("inf")))
    assert snap.text("a.py") and snap.text("b.yml")
    snap.deadline = Deadline(1.0, at=0.0)  # the budget runs out between reading and parsing
    for parse in (
        lambda: snap.python("a.py", keep=False),
        lambda: snap.yaml("b.yml"),
        lambda: snap.derived("lines", "a.py", str.splitlines),
    ):
        with pytest.raises(BudgetExceeded, match=r"a\.py|b\.yml"):
            parse()


def test_a_pyvenv_cfg_in_the_application_folder_does_not_hide_the_application(tmp_path: Path) -> None:
    """An environment is a folder with an environment's layout; a hostile pyvenv.cfg beside app code
    would otherwise drop the whole service from every check."""
    root = write_tree(
        tmp_path,
        {
            "svc/pyvenv.cfg": "home = /usr/bin\n",
            "svc/main.py": "x = 1\n",
            ".venv/pyvenv.cfg": "home = /usr/bin\n",
            ".venv/bin/activate": "# activate\n",
            ".venv/lib/python3.12/x.py": "y = 2\n",
        },
    )
    files = Snapshot.load(root).files
    assert "svc/main.py" in files and "svc/pyvenv.cfg" in files
    assert not [f for f in files if f.startswith(".venv/")]


def test_parsed_trees_are_kept_up_to_a_bound_and_parsed_again_past_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ast

    import gate.snapshot

    monkeypatch.setattr(gate.snapshot, "TREE_CACHE_ENTRIES", 3)
    root = write_tree(tmp_path / "repo", {f"m{n}.py": f"VALUE = {n}\n" for n in range(6)})
    snap = Snapshot.load(root)
    first = snap.python("m0.py")
    for n in range(1, 6):
        snap.python(f"m{n}.py")
    assert len([key for key in snap._cache if key[0] == "python"]) == 3
    assert snap.python("m5.py") is snap.python("m5.py")  # kept: the same tree
    again = snap.python("m0.py")  # dropped: parsed anew, to the same tree
    assert again is not first and isinstance(again, ast.Module)
    assert ast.dump(again) == ast.dump(first)  # type: ignore[arg-type]


def test_a_python_summary_is_taken_at_the_first_parse_and_outlives_the_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ast

    import gate.snapshot

    parses: list[str] = []
    taken: list[str] = []
    real_parse = gate.snapshot._parse_python

    def counted(rel: str, text: str) -> ast.Module:
        parses.append(rel)
        return real_parse(rel, text)

    def names(rel: str, text: str, tree: ast.Module) -> tuple[str, ...]:
        taken.append(rel)
        return tuple(n.id for n in ast.walk(tree) if isinstance(n, ast.Name))

    monkeypatch.setattr(gate.snapshot, "_parse_python", counted)
    monkeypatch.setattr(gate.snapshot, "TREE_CACHE_ENTRIES", 2)
    monkeypatch.setitem(gate.snapshot.PYTHON_SUMMARIES, "names", names)
    root = write_tree(
        tmp_path / "repo",
        {
            **{f"m{n}.py": f"VALUE{n} = other{n}\n" for n in range(6)},
            "broken.py": "def f(:\n",
            "blob.py": b"\x00\x01binary",
        },
    )
    snap = Snapshot.load(root)
    for n in range(6):  # an earlier pass: six trees, two kept
        snap.python(f"m{n}.py")
    assert len(parses) == 6 and taken == [f"m{n}.py" for n in range(6)]
    # a later pass that needs only the summary parses nothing, the dropped trees included
    assert [snap.summary("names", f"m{n}.py") for n in range(6)] == [
        (f"VALUE{n}", f"other{n}") for n in range(6)
    ]
    assert len(parses) == 6
    snap.python("m0.py")  # dropped, parsed again: the summary is not taken twice
    assert len(parses) == 7 and len(taken) == 6
    # a module no pass has parsed yet is parsed for it (and the tree not kept); unreadable ones are None
    assert snap.summary("names", "m0.py") == ("VALUE0", "other0")
    assert snap.summary("names", "broken.py") is None and snap.summary("names", "blob.py") is None


def test_a_summary_registered_after_its_tree_was_parsed_is_taken_from_the_kept_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ast

    import gate.snapshot

    root = write_tree(tmp_path / "repo", {"m.py": "import os\n"})
    snap = Snapshot.load(root)
    assert isinstance(snap.python("m.py"), ast.Module)
    monkeypatch.setitem(gate.snapshot.PYTHON_SUMMARIES, "statements", lambda rel, text, tree: len(tree.body))
    assert snap.summary("statements", "m.py") == 1
