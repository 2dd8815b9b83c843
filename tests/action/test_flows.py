"""The action end to end against the stateful fake: one sticky comment, statuses, outputs, failures."""

from __future__ import annotations

import json

from tests.action.conftest import TOKEN, Actions, payload
from tests.github_fake import FakeGitHub

MARKER = "<!-- prodgate:default -->"


def pr_opened() -> dict[str, object]:
    return payload("pull_request", "opened")


def test_a_pull_request_gets_one_comment_and_the_outputs(actions: Actions, github: FakeGitHub) -> None:
    run = actions.run("pull_request", pr_opened())
    assert run.code == 0, run.out
    assert len(github.comments) == 1
    body = github.comments[0]["body"]
    assert body.startswith(MARKER + "\n")
    assert "ready for production" in body
    assert run.outputs["result"] == "pass"
    assert run.outputs["comment_url"] == github.comments[0]["html_url"]
    assert json.loads(run.outputs["failed_checks"]) == [
        r["check_id"]
        for r in json.loads((actions.workspace / run.outputs["report_path"]).read_text())["report"]["results"]
        if r["outcome"] in ("fail", "error")
    ]
    assert 0 <= int(run.outputs["score"]) <= 100
    assert run.outputs["level"] in ("none", "bronze", "silver", "gold")
    assert "ready for production" in run.summary


def test_a_second_identical_run_writes_nothing_and_stays_within_four_calls(
    actions: Actions, github: FakeGitHub
) -> None:
    files = {"json_file": "gate.json", "sarif_file": "reports/gate.sarif"}
    actions.run("pull_request", pr_opened(), **files)
    writes = github.writes()
    before = len(github.requests)
    # the files the first run wrote into the workspace must not change what the second one judges
    again = actions.run("pull_request", pr_opened(), **files)
    assert again.code == 0
    assert github.writes() == writes, "an unchanged result must not write"
    assert len(github.comments) == 1
    calls = [(m, p) for m, p, _ in github.requests[before:]]
    repo = "/repos/Codertocat/Hello-World"
    assert calls == [
        ("GET", "/user"),
        ("GET", f"{repo}/issues/2/comments"),  # once: the sign-off record is read from it, then reused
        ("GET", f"{repo}/branches/master"),
        ("GET", f"{repo}/rules/branches/master"),
    ]
    assert len(calls) <= 4


def test_a_changed_result_edits_the_same_comment(actions: Actions, github: FakeGitHub) -> None:
    actions.run("pull_request", pr_opened())
    first_id = github.comments[0]["id"]
    actions.use("not-ready-service")
    run = actions.run("pull_request", pr_opened())
    assert run.code == 1
    assert run.outputs["result"] == "fail"
    assert [c["id"] for c in github.comments] == [first_id]
    assert "not ready for production" in github.comments[0]["body"]
    assert ("PATCH", f"/repos/Codertocat/Hello-World/issues/comments/{first_id}") in github.writes()


def test_duplicates_from_racing_runs_are_removed_and_other_comments_untouched(
    actions: Actions, github: FakeGitHub
) -> None:
    human_quote = github.add_comment(f"{MARKER}\nI quoted the gate's marker", "octocat", issue=2)
    oldest = github.add_comment(f"{MARKER}\nold result", "prodgate-bot", issue=2)
    newer = github.add_comment(f"{MARKER}\nracing result", "prodgate-bot", issue=2)
    unrelated = github.add_comment("LGTM <!-- prodgate:default -->", "prodgate-bot", issue=2)
    other_key = github.add_comment("<!-- prodgate:docs -->\nanother gate", "prodgate-bot", issue=2)
    actions.run("pull_request", pr_opened())
    ids = [c["id"] for c in github.comments]
    assert newer["id"] not in ids
    assert {human_quote["id"], oldest["id"], unrelated["id"], other_key["id"]} <= set(ids)
    assert human_quote["body"].endswith("I quoted the gate's marker")
    assert "ready for production" in oldest["body"]
    assert unrelated["body"] == "LGTM <!-- prodgate:default -->"


def test_the_comment_is_found_beyond_the_first_page(actions: Actions, github: FakeGitHub) -> None:
    for i in range(230):
        github.add_comment(f"review note {i}", "octocat", issue=2)
    ours = github.add_comment(f"{MARKER}\nold result", "prodgate-bot", issue=2)
    actions.run("pull_request", pr_opened())
    lists = [p for m, p, _ in github.requests if m == "GET" and p.endswith("/issues/2/comments")]
    assert len(lists) == 3, "three pages of 100"
    assert sum(c["_issue"] == 2 and c["user"]["login"] == "prodgate-bot" for c in github.comments) == 1
    assert "ready for production" in ours["body"]


def test_an_actions_token_is_github_actions_bot(actions: Actions, github: FakeGitHub) -> None:
    github.user_status = 403
    github.login = "github-actions[bot]"
    actions.run("pull_request", pr_opened())
    actions.run("pull_request", pr_opened())
    assert len(github.comments) == 1
    assert github.comments[0]["user"]["login"] == "github-actions[bot]"


def test_a_read_only_token_warns_with_the_permission_and_keeps_the_verdict(
    actions: Actions, github: FakeGitHub
) -> None:
    github.fail("POST", r"/issues/2/comments$", 403, times=5)
    actions.use("not-ready-service")
    run = actions.run("pull_request", pr_opened())
    assert run.code == 1
    assert "::warning::" in run.out
    assert "permissions: pull-requests: write" in run.out
    assert "not ready for production" in run.summary
    assert run.outputs["result"] == "fail"
    assert github.comments == []


def test_a_fork_pull_request_points_to_the_two_workflow_setup(actions: Actions, github: FakeGitHub) -> None:
    body = pr_opened()
    # the examples have no fork PR: this one's head lives in another user's copy of the repository
    body["pull_request"]["head"]["repo"]["full_name"] = "someone/Hello-World"  # type: ignore[index]
    github.fail("POST", r"/issues/2/comments$", 403)
    run = actions.run("pull_request", body)
    assert run.code == 0
    assert "from a fork" in run.out and "docs/workflows/" in run.out


def test_a_transient_server_error_is_retried(actions: Actions, github: FakeGitHub) -> None:
    github.fail("GET", r"/issues/2/comments$", 502)
    run = actions.run("pull_request", pr_opened())
    assert run.code == 0
    assert len(github.comments) == 1


def test_a_secondary_rate_limit_is_waited_out(actions: Actions, github: FakeGitHub) -> None:
    github.fail("POST", r"/issues/2/comments$", 403, headers={"Retry-After": "1"})
    run = actions.run("pull_request", pr_opened())
    assert run.code == 0
    assert len(github.comments) == 1


def test_a_commit_status_goes_on_the_head_commit_not_the_merge_commit(
    actions: Actions, github: FakeGitHub
) -> None:
    actions.use("not-ready-service")
    body = pr_opened()
    run = actions.run("pull_request", body, status_mode="commit_status", status_context="prodgate / gate")
    assert run.code == 1
    [status] = github.statuses
    assert status["sha"] == body["pull_request"]["head"]["sha"]  # type: ignore[index]
    assert status["sha"] != "a" * 40
    assert status["state"] == "failure"
    assert status["context"] == "prodgate / gate"
    assert len(status["description"]) <= 140
    assert status["target_url"] == "https://github.com/Codertocat/Hello-World/actions/runs/4242"


def test_a_check_run_carries_the_summary(actions: Actions, github: FakeGitHub) -> None:
    actions.use("not-ready-service")
    run = actions.run("pull_request", pr_opened(), status_mode="check_run")
    assert run.code == 1
    [check] = github.check_runs
    assert check["conclusion"] == "failure" and check["status"] == "completed"
    assert check["name"] == "prodgate"
    assert "not ready for production" in check["output"]["text"]
    assert check["annotations_received"] >= 1


def test_push_and_merge_group_set_a_status_and_never_comment(actions: Actions, github: FakeGitHub) -> None:
    push = payload("push")
    actions.run("push", push, status_mode="commit_status")
    merge = payload("merge_group")
    actions.run("merge_group", merge, status_mode="commit_status")
    assert github.comments == []
    assert [s["sha"] for s in github.statuses] == [push["after"], merge["merge_group"]["head_sha"]]


def test_comment_mode_failures_does_not_comment_on_a_passing_pr(actions: Actions, github: FakeGitHub) -> None:
    run = actions.run("pull_request", pr_opened(), comment_mode="failures")
    assert run.code == 0
    assert github.comments == []
    assert run.outputs["comment_url"] == ""


def test_comment_mode_changes_ignores_wording_but_not_outcomes(actions: Actions, github: FakeGitHub) -> None:
    actions.run("pull_request", pr_opened(), comment_mode="changes")
    github.comments[0]["body"] = github.comments[0]["body"].replace(
        "ready for production", "READY (old wording)"
    )
    actions.run("pull_request", pr_opened(), comment_mode="changes")
    assert "READY (old wording)" in github.comments[0]["body"], "same outcomes: no edit"
    actions.use("not-ready-service")
    actions.run("pull_request", pr_opened(), comment_mode="changes")
    assert "not ready for production" in github.comments[0]["body"]


def test_comment_mode_off_makes_no_api_call_for_comments(actions: Actions, github: FakeGitHub) -> None:
    actions.run("pull_request", pr_opened(), comment_mode="off")
    assert not [p for _, p, _ in github.requests if "comments" in p]


def test_annotations_are_capped_per_kind(actions: Actions) -> None:
    actions.use("not-ready-service")
    run = actions.run("pull_request", pr_opened(), comment_mode="off")
    errors = [line for line in run.out.splitlines() if line.startswith("::error ")]
    warnings = [line for line in run.out.splitlines() if line.startswith("::warning ")]
    assert 1 <= len(errors) <= 10 and len(warnings) <= 10
    assert any("file=" in line and "line=" in line for line in errors)


def test_the_token_is_never_printed(actions: Actions, github: FakeGitHub) -> None:
    github.fail("POST", r"/issues/2/comments$", 403)
    actions.use("not-ready-service")
    run = actions.run("pull_request", pr_opened(), sarif_file="out/gate.sarif", json_file="out/gate.json")
    files = [
        actions.workspace / run.outputs["report_path"],
        actions.workspace / "out/gate.sarif",
        actions.workspace / "out/gate.json",
    ]
    for text in [run.out, run.summary, *(f.read_text() for f in files), json.dumps(github.requests)]:
        assert TOKEN not in text


def test_sarif_and_json_files_are_written(actions: Actions) -> None:
    run = actions.run("pull_request", pr_opened(), sarif_file="gate.sarif", json_file="reports/gate.json")
    assert json.loads((actions.workspace / "gate.sarif").read_text())["version"] == "2.1.0"
    report = json.loads((actions.workspace / "reports/gate.json").read_text())
    assert report["verdict"]["passed"] is True
    assert run.code == 0


def test_a_server_that_keeps_failing_costs_the_comment_not_the_verdict(
    actions: Actions, github: FakeGitHub
) -> None:
    github.fail("GET", r"/issues/2/comments$", 503, times=50)
    actions.use("not-ready-service")
    run = actions.run("pull_request", pr_opened())
    assert run.code == 1
    assert "::warning::prodgate could not finish listing the pull request's comments" in run.out
    assert run.outputs["result"] == "fail" and "not ready for production" in run.summary


def test_the_checklist_input_fills_in_the_teams_checklist_in_the_comment(
    actions: Actions, github: FakeGitHub
) -> None:
    (actions.workspace / "docs").mkdir(exist_ok=True)
    (actions.workspace / "docs" / "GO_LIVE.md").write_text("## Container\n- [x] Non-root user configured\n")
    run = actions.run("pull_request", pr_opened(), checklist="docs/GO_LIVE.md")
    assert run.code == 0
    body = github.comments[0]["body"]
    assert "Your checklist" in body and "✅ **pass** Non-root user configured" in body


def test_each_blocker_links_to_its_line_at_the_head_commit_and_to_its_docs(
    actions: Actions, github: FakeGitHub
) -> None:
    actions.use("not-ready-service")
    actions.extra_env = {"GITHUB_ACTION_REPOSITORY": "prodgate-org/prodgate", "GITHUB_ACTION_REF": "v0.1.0"}
    body = pr_opened()
    actions.run("pull_request", body)
    comment = github.comments[0]["body"]
    head = body["pull_request"]["head"]["sha"]  # type: ignore[index]
    first_screen = comment.split("<details>", 1)[0]
    assert f"(https://github.com/Codertocat/Hello-World/blob/{head}/app.py#L15)" in first_screen
    assert (
        "(https://github.com/prodgate-org/prodgate/blob/v0.1.0/docs/checks/api-authentication.md)"
        in first_screen
    )
