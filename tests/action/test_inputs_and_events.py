"""Bad inputs and events: one clear line and exit code 2, never a traceback; the fork setup's publish mode."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from gate.action.comment import COMMENT_LIMIT, comment_body, fit
from gate.action.github import Annotation, GitHubClient
from gate.action.inputs import NAMES
from gate.cli import main
from gate.model import CheckResult, Confidence, Finding, Level, Location, Outcome, Report, Severity
from gate.policy import verdict_of
from tests.action.conftest import TOKEN, Actions, payload
from tests.conftest import ROOT, git
from tests.github_fake import REPO, FakeGitHub


def run_cli(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    for key in [k for k in list(__import__("os").environ) if k.startswith(("GITHUB_", "INPUT_"))]:
        monkeypatch.delenv(key)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    out, err = io.StringIO(), io.StringIO()
    code = main(["action"], out, err)
    return code, out.getvalue(), err.getvalue()


def test_action_yml_declares_exactly_the_inputs_the_code_reads() -> None:
    import yaml

    declared = yaml.safe_load((ROOT / "action.yml").read_text())["inputs"]
    assert sorted(declared) == sorted(NAMES)


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"fail-on": "low"}, "unknown input 'fail-on' (did you mean 'fail_on'?)"),
        (
            {"comment_mode": "sometimes"},
            "input comment_mode: Input should be 'always', 'failures', 'changes' or 'off'",
        ),
        ({"job_summary": "yes"}, "input job_summary: expected true or false, got 'yes'"),
        ({"comment_key": "has space"}, "input comment_key: String should match pattern"),
    ],
)
def test_bad_inputs_are_one_line(
    actions: Actions, monkeypatch: pytest.MonkeyPatch, inputs: dict[str, str], message: str
) -> None:
    env = actions.env("pull_request", payload("pull_request", "opened"), **inputs)
    code, out, err = run_cli(env, monkeypatch)
    assert code == 2
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert TOKEN not in err + out


@pytest.mark.parametrize(
    ("mangle", "message"),
    [
        (lambda p: p["pull_request"].pop("head"), "pull_request event payload has no pull_request.head.sha"),
        (lambda p: p.pop("pull_request"), "pull_request event payload has no pull_request"),
    ],
)
def test_a_payload_missing_fields_is_named(
    actions: Actions, monkeypatch: pytest.MonkeyPatch, mangle: object, message: str
) -> None:
    body = payload("pull_request", "opened")
    mangle(body)  # type: ignore[operator]
    code, _, err = run_cli(actions.env("pull_request", body), monkeypatch)
    assert code == 2 and message in err


def test_an_unreadable_event_file_is_named(actions: Actions, monkeypatch: pytest.MonkeyPatch) -> None:
    env = actions.env("push", payload("push"))
    Path(env["GITHUB_EVENT_PATH"]).write_text('{"after": ')
    code, _, err = run_cli(env, monkeypatch)
    assert code == 2 and f"{env['GITHUB_EVENT_PATH']}:1: the event payload is not JSON" in err


def test_outside_actions_it_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = run_cli({}, monkeypatch)
    assert code == 2 and "GITHUB_EVENT_NAME is not set" in err


def test_pull_request_target_refuses_the_pull_requests_own_code(actions: Actions, github: FakeGitHub) -> None:
    body = payload("pull_request", "opened")
    head = git(actions.workspace, "rev-parse", "HEAD").strip()
    body["pull_request"]["head"]["sha"] = head
    with pytest.raises(Exception, match="must be the base branch's checkout"):
        actions.run("pull_request_target", body)
    assert github.writes() == []


def test_pull_request_target_on_the_base_checkout_says_what_it_evaluated(
    actions: Actions, github: FakeGitHub
) -> None:
    run = actions.run("pull_request_target", payload("pull_request", "opened"))
    assert run.code == 0
    assert "evaluates the **base branch's** checkout" in github.comments[0]["body"]


def evaluate_without_publishing(actions: Actions, github: FakeGitHub) -> tuple[Path, str]:
    body = payload("pull_request", "opened")
    run = actions.run("pull_request", body, publish="no")
    assert github.writes() == [], "publish: no writes nothing (it may read the branch settings)"
    return actions.workspace / run.outputs["report_path"], body["pull_request"]["head"]["sha"]


def workflow_run_for(sha: str) -> dict[str, object]:
    body = payload("workflow_run", "completed")
    body["workflow_run"]["head_sha"] = sha
    return body


def test_the_fork_setup_publishes_a_validated_result(actions: Actions, github: FakeGitHub) -> None:
    actions.use("not-ready-service")
    result, sha = evaluate_without_publishing(actions, github)
    github.pulls[2] = sha
    published = actions.tmp / "artifact" / "prodgate-result.json"
    published.parent.mkdir()
    doc = json.loads(result.read_text())
    # a tampered artifact: it claims to pass and brings its own Markdown
    doc["report"]["verdict"]["passed"] = True
    for r in doc["report"]["results"]:
        for f in r["findings"]:
            f["remediation"] = "[click me](https://evil.example) @everyone"
    published.write_text(json.dumps(doc))
    relative = Path("..") / "artifact" / "prodgate-result.json"
    run = actions.run(
        "workflow_run", workflow_run_for(sha), publish=str(relative), status_mode="commit_status"
    )
    assert run.code == 1, "the verdict follows from the results, not from the file's claim"
    [comment] = github.comments
    assert comment["_issue"] == 2
    assert "evil.example" not in comment["body"]
    assert "Published from the result of an earlier run" in comment["body"]
    assert github.statuses[0]["sha"] == sha and github.statuses[0]["state"] == "failure"


def test_publish_refuses_a_result_for_another_commit(
    actions: Actions, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    result, sha = evaluate_without_publishing(actions, github)
    env = actions.env("workflow_run", workflow_run_for("b" * 40), publish=str(result))
    code, _, err = run_cli(env, monkeypatch)
    assert code == 2 and f"the result is for commit {sha}, not {'b' * 40}" in err
    assert github.writes() == []


def test_publish_refuses_a_pull_request_at_another_commit(
    actions: Actions, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    result, sha = evaluate_without_publishing(actions, github)
    github.pulls[2] = "c" * 40  # the artifact names PR 2, whose head is not the judged commit
    env = actions.env("workflow_run", workflow_run_for(sha), publish=str(result))
    code, _, err = run_cli(env, monkeypatch)
    assert code == 2 and "pull request #2 is at cccc" in err
    assert github.writes() == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not a valid prodgate result file"),
        ('{"schema": "prodgate-result/1", "pull_number": 2, "head_sha": "x", "report": {}}', "head_sha"),
    ],
)
def test_publish_refuses_a_malformed_result(
    actions: Actions, monkeypatch: pytest.MonkeyPatch, content: str, message: str
) -> None:
    bad = actions.tmp / "bad.json"
    bad.write_text(content)
    env = actions.env("workflow_run", workflow_run_for("d" * 40), publish=str(bad))
    code, _, err = run_cli(env, monkeypatch)
    assert code == 2 and message in err and "Traceback" not in err


def huge_report(findings: int) -> Report:
    results = tuple(
        CheckResult(
            check_id=f"check-{i}",
            title=f"Check {i}",
            category="security",
            level=Level.BRONZE,
            severity=Severity.HIGH,
            outcome=Outcome.FAIL,
            summary="x" * 50,
            findings=tuple(
                Finding(
                    check_id=f"check-{i}",
                    message=f"finding {j} " + "y" * 80,
                    severity=Severity.HIGH,
                    confidence=Confidence.HIGH,
                    locations=(Location(path=f"src/m{j}.py", start_line=j + 1),),
                )
                for j in range(findings)
            ),
            blocking=True,
        )
        for i in range(60)
    )
    return Report(
        tool_version="t",
        root=".",
        verdict=verdict_of(results, Severity.HIGH),
        results=results,
        counts={Outcome.FAIL: len(results)},
        categories={},
    )


def test_a_huge_comment_is_cut_at_row_boundaries_keeping_the_verdict() -> None:
    body = comment_body(huge_report(40), key="default", summary_url="https://run", notes=[])
    assert len(body) <= COMMENT_LIMIT
    assert body.startswith("<!-- prodgate:default -->")
    assert "not ready for production" in body
    assert "### What blocks this merge: 60 checks at or above" in body
    assert "cut to fit GitHub's size limit" in body and "(https://run)" in body
    assert body.count("<details") == body.count("</details>")


def test_fit_leaves_short_text_alone_and_cuts_long_text_at_lines() -> None:
    assert fit("a\nb\n", 100, "NOTE") == "a\nb\n"
    text = "\n".join(f"| row {i} |" for i in range(1000))
    cut = fit(text, 2000, "NOTE")
    assert len(cut) <= 2000 and cut.endswith("NOTE")
    assert all(line.startswith("| row") for line in cut.split("\n")[:-2] if line)


def test_check_run_annotations_go_in_batches_of_fifty(github: FakeGitHub) -> None:
    client = GitHubClient(TOKEN, REPO, github.url, throttle=False)
    notes = [Annotation("app.py", i + 1, i + 1, "failure", "t", f"m{i}") for i in range(120)]
    client.check_run(
        "e" * 40,
        name="prodgate",
        conclusion="failure",
        title="Not ready",
        summary="s",
        text="t",
        details_url="https://run",
        annotations=notes,
    )
    [run] = github.check_runs
    assert run["annotations_received"] == 120
    assert [m for m, p, _ in github.requests] == ["POST", "PATCH", "PATCH"]
