"""Secret scanning in a forked child: the same facts as in this process, bound by the same deadline."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from gate.budget import BudgetExceeded, Deadline, Unfinished
from gate.facts import BACKGROUND_MIN_FILES, background, collect
from gate.facts.secrets import SecretFacts
from gate.snapshot import Snapshot
from tests.conftest import write_tree

TOKEN = "ghp_" + "Q7vL2xN9kR4tW8zY3mB6cD1fH5jP0sA" + "e4Gi7"  # made up; the shape of a GitHub token


def _repo(tmp_path: Path) -> Path:
    files = {f"svc/mod{n}.py": f"VALUE_{n} = {n}\n" for n in range(BACKGROUND_MIN_FILES)}
    files["deploy/notify.sh"] = f"curl -H 'Authorization: token {TOKEN}' https://api.example\n"
    return write_tree(tmp_path / "repo", files)


def test_the_child_finds_what_this_process_finds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _repo(tmp_path)
    forked = collect(Snapshot.load(root), offline=True).secrets
    monkeypatch.setenv("PRODGATE_NO_FORK", "1")
    inline = collect(Snapshot.load(root), offline=True).secrets
    assert isinstance(forked, SecretFacts)
    assert forked == inline
    assert [(s.path, s.line, s.kind) for s in forked.found] == [("deploy/notify.sh", 1, "GitHub Token")]


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
