"""Secret scanning in a forked child: the same facts as in this process, bound by the same deadline."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from gate import background
from gate.budget import BudgetExceeded, Deadline, Unfinished
from gate.facts import BACKGROUND_MIN_FILES, collect
from gate.facts import secrets as secrets_module
from gate.facts.dependencies import DependencyFacts
from gate.facts.secrets import SecretFacts
from gate.snapshot import Snapshot
from tests.conftest import ROOT, write_tree

TOKEN = "ghp_" + "Q7vL2xN9kR4tW8zY3mB6cD1fH5jP0sA" + "e4Gi7"  # made up; the shape of a GitHub token


def _repo(tmp_path: Path) -> Path:
    files = {f"svc/mod{n}.py": f"VALUE_{n} = {n}\n" for n in range(BACKGROUND_MIN_FILES)}
    files["deploy/notify.sh"] = f"curl -H 'Authorization: token {TOKEN}' https://api.example\n"
    files["requirements.txt"] = "fastapi==0.110.0\n-r extra.txt\nuvicorn>=0.29\nnot a requirement line\n"
    files["extra.txt"] = "numpy==1.26.4\n"
    return write_tree(tmp_path / "repo", files)


def test_the_child_finds_what_this_process_finds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Secrets and dependency files are read in the child: the same facts as here."""
    root = _repo(tmp_path)
    forked = collect(Snapshot.load(root), offline=True)
    monkeypatch.setenv("PRODGATE_NO_FORK", "1")
    inline = collect(Snapshot.load(root), offline=True)
    assert isinstance(forked.secrets, SecretFacts) and isinstance(forked.dependencies, DependencyFacts)
    assert forked.secrets == inline.secrets and forked.dependencies == inline.dependencies
    assert [(s.path, s.line, s.kind) for s in forked.secrets.found] == [
        ("deploy/notify.sh", 1, "GitHub Token")
    ]
    assert [(d.name, d.path) for d in forked.dependencies.requirements] == [
        ("fastapi", "requirements.txt"),
        ("uvicorn", "requirements.txt"),
        ("numpy", "extra.txt"),
    ]
    assert [e.line for e in forked.dependencies.errors] == [4]  # the parse error came back too


def test_one_collector_cut_short_in_the_child_leaves_the_other_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def out_of_time(snap: Snapshot) -> SecretFacts:
        raise BudgetExceeded(1, "reading a file")

    monkeypatch.setattr(secrets_module, "collect_secrets", out_of_time)  # the child is forked after this
    facts = collect(Snapshot.load(_repo(tmp_path)), offline=True)
    assert isinstance(facts.secrets, Unfinished) and isinstance(facts.dependencies, DependencyFacts)
    with pytest.raises(BudgetExceeded, match="reading a file"):
        _ = facts.secrets.found


def test_a_spent_budget_leaves_the_secrets_unfinished(tmp_path: Path) -> None:
    snap = Snapshot.load(_repo(tmp_path))
    snap.deadline = Deadline(1, time.monotonic() - 1)
    facts = collect(snap, offline=True)
    assert isinstance(facts.secrets, Unfinished)
    with pytest.raises(BudgetExceeded):
        _ = facts.secrets.found


def test_a_child_past_the_deadline_is_killed(monkeypatch: pytest.MonkeyPatch) -> None:
    def hangs() -> None:
        time.sleep(60)

    monkeypatch.setattr(background, "GRACE_S", 0.5)
    started = time.monotonic()
    wait = background.start(hangs, Deadline(0.2, time.monotonic() + 0.2), "sleeping")
    with pytest.raises(BudgetExceeded, match="sleeping"):
        wait()
    assert time.monotonic() - started < 10


def test_a_failure_in_the_child_is_raised_here() -> None:
    def fails() -> None:
        raise ValueError("broken collector")

    wait = background.start(fails, Deadline(30, time.monotonic() + 30), "collecting")
    with pytest.raises(RuntimeError, match="collecting: ValueError: broken collector"):
        wait()


def test_the_child_leaves_no_process_behind() -> None:
    wait = background.start(lambda: os.getpid(), Deadline(30, time.monotonic() + 30), "asking")
    child_pid = wait()
    assert child_pid != os.getpid()
    with pytest.raises(ProcessLookupError):
        os.kill(child_pid, 0)


def _slow_warm_up() -> None:
    time.sleep(30)


def test_a_warm_child_finds_what_this_process_finds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_tree(tmp_path / "small", {"deploy/notify.sh": f"curl -H 'Authorization: token {TOKEN}'\n"})
    warm = background.prewarm("gate.facts.apart:warm_up")
    assert warm is not None and background.take() is warm
    monkeypatch.setattr(background, "_warm", warm)  # as the command line leaves it for collect
    forked = collect(Snapshot.load(root), offline=True).secrets
    assert background.take() is None, "the warm child serves one collection"
    monkeypatch.setenv("PRODGATE_NO_FORK", "1")
    inline = collect(Snapshot.load(root), offline=True).secrets
    assert isinstance(forked, SecretFacts) and forked == inline
    assert [(s.path, s.kind) for s in forked.found] == [("deploy/notify.sh", "GitHub Token")]


def test_a_warm_child_reads_nothing_this_process_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A symlink out of the repository is refused in the child too: the token in a file beside the
    checkout is not scanned, and /dev/zero is not read until memory runs out."""
    outside = write_tree(tmp_path / "runner", {"env.txt": f"TOKEN={TOKEN}\n"})
    root = write_tree(tmp_path / "small", {"app.py": "print(1)\n"})
    (root / "leak.txt").symlink_to(outside / "env.txt")
    (root / "zero.txt").symlink_to("/dev/zero")
    warm = background.prewarm("gate.facts.apart:warm_up")
    assert warm is not None and background.take() is warm
    monkeypatch.setattr(background, "_warm", warm)
    forked = collect(Snapshot.load(root), offline=True).secrets
    assert isinstance(forked, SecretFacts) and forked.found == ()


def test_the_warm_child_does_not_hold_this_process_output() -> None:
    """`prodgate check | head` ends when prodgate does, not when a child holding the pipe does."""
    warm = background.prewarm("gate.facts.apart:warm_up")
    assert warm is not None and background.take() is warm
    wait = warm.submit(
        functools.partial(os.readlink, "/proc/self/fd/1"), Deadline(30, time.monotonic() + 30), "asking"
    )
    assert wait() == os.devnull


def test_a_warm_child_given_no_job_is_stopped() -> None:
    warm = background.prewarm(f"{__name__}:_slow_warm_up")
    assert warm is not None and background.take() is warm
    pid = warm._pid
    started = time.monotonic()
    warm.close()
    assert time.monotonic() - started < 5
    with pytest.raises(ProcessLookupError):  # stopped and reaped: no zombie either
        os.kill(pid, 0)


def test_a_warm_child_whose_warm_up_fails_is_reported() -> None:
    warm = background.prewarm("gate.no_such_module:warm_up")
    assert warm is not None and background.take() is warm
    wait = warm.submit(functools.partial(os.getpid), Deadline(30, time.monotonic() + 30), "scanning")
    with pytest.raises(RuntimeError, match="scanning: the worker process ended without a result"):
        wait()


def test_no_fork_means_no_warm_child(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRODGATE_NO_FORK", "1")
    assert background.prewarm("gate.facts.apart:warm_up") is None


def test_the_warm_up_imports_no_pydantic() -> None:
    """The child starts while this process imports pydantic and the checks: it must not pay for pydantic
    too (0.1 s of a small repository's run, on the core that is meant to be free)."""
    probe = "import sys, gate.facts.apart as a; a.warm_up(); print(sorted(m for m in sys.modules if m.startswith('pydantic')))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"


def test_the_child_lists_the_checked_folder_ahead(tmp_path: Path) -> None:
    """The files the child lists are the ones this process would: a git work tree of more files than a
    pipe holds (the child writes from a thread, so its imports never wait for this process to read)."""
    from gate.snapshot import list_files
    from tests.conftest import git_repo

    root = git_repo(tmp_path / "repo", {f"pkg/m{n:04}.py": "x = 1\n" for n in range(2500)})
    (root / "untracked.txt").write_text("new\n")
    warm = background.prewarm(f"{__name__}:_quick_warm_up", listing=root)
    assert warm is not None and background.take() is warm
    try:
        ahead = background.listed(root)
        assert ahead is not None and ahead == list_files(root.resolve())
        assert "untracked.txt" in ahead[0] and "untracked.txt" not in ahead[1] and ahead[2]
        assert background.listed(root) is None, "given once"
    finally:
        warm.close()


def _quick_warm_up() -> None:
    pass


@pytest.mark.parametrize("asked", ["other", "missing"])
def test_a_listing_of_another_folder_or_none_is_not_used(tmp_path: Path, asked: str) -> None:
    listed_root = write_tree(tmp_path / "listed", {"a.py": "x = 1\n"})
    other = write_tree(tmp_path / "other", {"b.py": "y = 2\n"})
    warm = background.prewarm(
        f"{__name__}:_quick_warm_up", listing=listed_root if asked == "other" else tmp_path / "nowhere"
    )
    assert warm is not None and background.take() is warm
    try:
        assert background.listed(other if asked == "other" else tmp_path / "nowhere") is None
    finally:
        warm.close()


def _what_requests_is() -> tuple[str, bool]:
    """Run in the warm child: which `requests` detect-secrets got, and whether urllib3 came with it."""
    return (sys.modules["requests"].__doc__ or "", "urllib3" in sys.modules)


def test_the_warm_child_scans_without_the_network_library() -> None:
    """The second process imports a stand-in for `requests` (detect-secrets needs it only to verify a
    secret over the network, which prodgate never does); this process keeps the real one. In a fresh
    interpreter, as the command line forks it before importing anything else."""
    script = (
        "import time, sys\n"
        "from gate import background\n"
        "from gate.budget import Deadline\n"
        "from tests.test_background import _what_requests_is\n"
        "warm = background.prewarm('gate.facts.apart:warm_up')\n"
        "doc, urllib3_loaded = warm.submit(_what_requests_is, Deadline(30, time.monotonic() + 30), 'asking')()\n"
        "import requests\n"
        "print(doc.split()[0], urllib3_loaded, requests.__doc__.split()[0], hasattr(requests, 'Session'))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT, check=False
    )
    assert proc.stdout.split() == ["detect-secrets", "False", "Requests", "True"], proc.stderr


def test_the_requests_stand_in_has_every_name_detect_secrets_uses(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every `requests.<name>...` that detect-secrets' source reads resolves on the stand-in, and every
    call it could make refuses: a detect-secrets that asks for more fails here, not in a user's run."""
    import ast

    import detect_secrets

    from gate.facts import apart

    monkeypatch.delitem(sys.modules, "requests")
    apart._requests_refused()
    stand_in = sys.modules["requests"]
    used: set[str] = set()
    for source in Path(detect_secrets.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            chain, base = [], node
            while isinstance(base, ast.Attribute):
                chain.append(base.attr)
                base = base.value
            if chain and isinstance(base, ast.Name) and base.id == "requests":
                used.add(".".join(["requests", *reversed(chain)]))
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("requests"):
                used.add(f"from {node.module} import")
    assert used >= {"requests.get", "requests.exceptions.RequestException", "requests.Response"}
    for name in used:
        assert not name.startswith("from "), f"{name}: the stand-in is a module, not a package"
        value: object = stand_in
        for part in name.split(".")[1:]:
            value = getattr(value, part)
    with pytest.raises(apart.NoNetwork):
        stand_in.get("https://api.example")
    assert issubclass(apart.NoNetwork, stand_in.exceptions.RequestException)


def test_the_job_run_ahead_is_used_only_for_the_same_listing(tmp_path: Path) -> None:
    """apart.ahead runs the dependency files and the secret scan on the child's own listing before the
    job arrives; its result stands in for a job on the same listing only."""
    from gate.facts.apart import ahead, collect_apart
    from gate.snapshot import list_files

    root = write_tree(
        tmp_path / "repo",
        {
            "deploy/notify.sh": f"curl -H 'Authorization: token {TOKEN}'\n",
            "requirements.txt": "flask==3.0.0\n",
        },
    )
    reuse = ahead(root, list_files(root))
    same = Snapshot.load(root).listing()
    done = reuse(functools.partial(collect_apart, same))
    assert done is not None and done[0] == "ok"
    assert done[1] == collect_apart(same)
    assert [(s.path, s.kind) for s in background.unwrap(done[1].secrets, "x").found] == [
        ("deploy/notify.sh", "GitHub Token")
    ]
    excluded = Snapshot.load(root, exclude=["deploy/"]).listing()
    assert reuse(functools.partial(collect_apart, excluded)) is None, "another listing: the job runs"
    smaller = Snapshot.load(root, max_file_size=10).listing()
    assert reuse(functools.partial(collect_apart, smaller)) is None, "another bound: the job runs"
    assert reuse(functools.partial(os.getpid)) is None, "another job: it runs"


def _ahead_and_tell(root: Path, listed: object) -> Any:
    """Run in the warm child: apart.ahead, leaving a file beside the repository when its result is used."""
    from gate.facts.apart import ahead

    reuse = ahead(root, listed)  # type: ignore[arg-type]

    def telling(job: Any) -> Any:
        done = reuse(job)
        if done is not None:
            (root.parent / "used-ahead").write_text("yes", encoding="utf-8")
        return done

    return telling


def test_a_warm_child_answers_the_job_it_ran_ahead(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_tree(tmp_path / "small", {"deploy/notify.sh": f"curl -H 'Authorization: token {TOKEN}'\n"})
    warm = background.prewarm(
        "gate.facts.apart:warm_up", listing=root, ahead_of_job=f"{__name__}:_ahead_and_tell"
    )
    assert warm is not None and background.take() is warm
    monkeypatch.setattr(background, "_warm", warm)
    forked = collect(Snapshot.load(root, listed=background.listed(root)), offline=True).secrets
    assert (tmp_path / "used-ahead").read_text(encoding="utf-8") == "yes"
    monkeypatch.setenv("PRODGATE_NO_FORK", "1")
    assert forked == collect(Snapshot.load(root), offline=True).secrets


def _ahead_until_released(root: Path, listed: object) -> Any:
    """Run in the warm child: busy ahead of the job (as apart.ahead is on a large repository) until the
    test leaves a file beside the repository."""
    until = time.monotonic() + 60
    while not (root.parent / "release").exists() and time.monotonic() < until:
        time.sleep(0.05)
    return lambda job: None


def test_a_job_larger_than_a_pipe_is_sent_while_the_child_is_still_busy(tmp_path: Path) -> None:
    """Past a pipe's 64 KiB, writing the job waits for the child to read it, and a child still busy ahead
    of its job reads nothing: a 10k-file repository's listing held this process's collectors up for
    about 0.9 s. The job is written behind, and `submit` returns at once."""
    root = write_tree(tmp_path / "repo", {"app.py": "x = 1\n"})
    warm = background.prewarm(
        f"{__name__}:_quick_warm_up", listing=root, ahead_of_job=f"{__name__}:_ahead_until_released"
    )
    assert warm is not None and background.take() is warm
    assert background.listed(root) is not None
    waits: list[Any] = []
    job = functools.partial(len, "x" * 300_000)
    sending = threading.Thread(
        target=lambda: waits.append(warm.submit(job, Deadline(60, time.monotonic() + 60), "a large job"))
    )
    sending.start()
    sending.join(10)
    returned = not sending.is_alive()
    (tmp_path / "release").write_text("go", encoding="utf-8")
    sending.join()
    assert returned, "submit waited for the busy child to read the job"
    assert waits[0]() == 300_000
