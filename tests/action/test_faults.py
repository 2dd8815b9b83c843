"""The Action under GitHub's faults: exactly one comment, always current, within the documented bounds.

Each case was reproduced against the loopback fake before the fix: two comments from two runs that
start together, a duplicate after a 502 that followed a successful create, a second comment after one
transient 403 on GET /user, an old verdict left in place by one 500 on the edit, and a 205 s sleep on a
`Retry-After: 200`."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.action.conftest import Actions, payload
from tests.github_fake import FakeGitHub

ENTRY = "from gate.cli import entry; entry()"


def pr_opened() -> dict[str, object]:
    return payload("pull_request", "opened")


def _ours(github: FakeGitHub) -> list[dict[str, object]]:
    return [c for c in github.comments if str(c["body"]).startswith("<!-- prodgate:")]


def test_two_runs_started_together_leave_one_comment(
    actions: Actions, github: FakeGitHub, tmp_path: Path
) -> None:
    github.rendezvous = threading.Barrier(2)  # both list the comments before either creates one
    procs = []
    for run_id in ("5001", "5002"):
        env = actions.env("pull_request", pr_opened()) | {"GITHUB_RUN_ID": run_id}
        runner = tmp_path / f"runner-{run_id}"
        runner.mkdir()
        env["GITHUB_OUTPUT"], env["GITHUB_STEP_SUMMARY"] = str(runner / "out"), str(runner / "sum")
        env["PATH"] = "/usr/bin:/bin"
        env["XDG_CACHE_HOME"] = str(runner / "cache")
        procs.append(
            subprocess.Popen(
                [sys.executable, "-I", "-c", ENTRY, "action"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, out + err
    github.rendezvous = None
    assert len([m for m, p in github.writes() if m == "POST" and p.endswith("/comments")]) == 2  # the race
    assert len(_ours(github)) == 1


def test_a_502_after_the_comment_was_created_does_not_create_another(
    actions: Actions, github: FakeGitHub
) -> None:
    github.fail("POST", r"/issues/2/comments$", 502, after=True)
    run = actions.run("pull_request", pr_opened())
    assert run.code == 0, run.out
    assert len(_ours(github)) == 1


def test_a_create_that_never_landed_is_an_error_not_a_silent_pass(
    actions: Actions, github: FakeGitHub
) -> None:
    github.fail("POST", r"/issues/2/comments$", 502, times=5)
    run = actions.run("pull_request", pr_opened())
    assert len(_ours(github)) == 0
    assert "::warning" in run.out and "comment" in run.out


def test_a_transient_403_on_the_identity_does_not_post_a_second_comment(
    actions: Actions, github: FakeGitHub
) -> None:
    actions.run("pull_request", pr_opened())
    assert len(_ours(github)) == 1
    actions.commit({"CHANGELOG.md": "# Changes\n\n- more\n"}, "change the verdict's wording")
    github.fail("GET", r"^/user$", 403)
    run = actions.run("pull_request", pr_opened())
    assert run.code == 0, run.out
    assert len(_ours(github)) == 1


def test_a_single_500_on_the_edit_is_retried(actions: Actions, github: FakeGitHub) -> None:
    actions.run("pull_request", pr_opened())
    first = _ours(github)[0]["body"]
    actions.use("not-ready-service")
    github.fail("PATCH", r"/issues/comments/\d+$", 500)
    run = actions.run("pull_request", pr_opened())
    assert run.code == 1
    [comment] = _ours(github)
    assert comment["body"] != first and "not ready" in str(comment["body"]).lower()


def test_a_retry_after_beyond_the_bound_is_not_slept_and_is_said(
    actions: Actions, github: FakeGitHub
) -> None:
    github.fail("POST", r"/issues/2/comments$", 403, headers={"Retry-After": "200"})
    started = time.monotonic()
    run = actions.run("pull_request", pr_opened())
    assert time.monotonic() - started < 60
    assert "asked to wait 200 s" in run.out and "::warning" in run.out
    assert run.code == 0  # the verdict stands; only the comment was skipped, and that is said


def test_an_older_run_never_overwrites_a_newer_runs_comment(actions: Actions, github: FakeGitHub) -> None:
    actions.extra_env = {"GITHUB_RUN_ID": "9000"}
    actions.run("pull_request", pr_opened())
    newer = _ours(github)[0]["body"]
    actions.use("not-ready-service")
    actions.extra_env = {"GITHUB_RUN_ID": "8000"}  # a slower run of an older commit finishes last
    actions.run("pull_request", pr_opened())
    assert [c["body"] for c in _ours(github)] == [newer]


def test_an_unchanged_rerun_writes_nothing_although_its_run_id_differs(
    actions: Actions, github: FakeGitHub
) -> None:
    actions.extra_env = {"GITHUB_RUN_ID": "100"}
    actions.run("pull_request", pr_opened())
    writes = len(github.writes())
    actions.extra_env = {"GITHUB_RUN_ID": "101"}
    actions.run("pull_request", pr_opened())
    assert len(github.writes()) == writes
    assert json.dumps(_ours(github)).count("prodgate-run:100.1") == 1


def test_a_file_name_that_is_not_utf8_still_gets_a_comment_summary_and_outputs(
    actions: Actions, github: FakeGitHub
) -> None:
    import os

    from tests.conftest import git

    name = os.fsencode(actions.workspace) + b"/settings-\xff.py"
    fd = os.open(name, os.O_WRONLY | os.O_CREAT, 0o644)
    os.write(fd, b'AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/' + b'bPxRfiCYzq3xT8vB2n"\n')
    os.close(fd)
    git(actions.workspace, "add", "-A")
    git(actions.workspace, "commit", "-q", "-m", "a name that is not UTF-8")
    run = actions.run("pull_request", pr_opened())
    assert run.code == 1, run.out
    [comment] = _ours(github)
    assert "settings-\\xff.py" in str(comment["body"])  # in a code span: the backslash as is
    assert "settings-\\xff.py" in run.summary
    assert run.outputs["result"] == "fail" and "no-hardcoded-secrets" in run.outputs["failed_checks"]
