"""Sign-offs: a manual item ticked in the gate's comment by someone allowed to, recorded and counted."""

from __future__ import annotations

import json
from typing import Any

from tests.action.conftest import Actions, payload
from tests.github_fake import FakeGitHub

CHECKLIST = "## Go-live\n- [ ] Disaster recovery drills conducted\n- [ ] Non-root user configured\n"


def first_run(actions: Actions, github: FakeGitHub) -> dict[str, Any]:
    actions.commit({"GO_LIVE.md": CHECKLIST})
    actions.run("pull_request", payload("pull_request", "opened"), checklist="GO_LIVE.md")
    return github.comments[0]


def tick(actions: Actions, github: FakeGitHub, comment: dict[str, Any], editor: str) -> str:
    """The reviewer's edit as GitHub reports it: the new body, the old one, and who saved it."""
    old = comment["body"]
    new = old.replace(
        "- [ ] **Disaster recovery drills conducted**", "- [x] **Disaster recovery drills conducted**"
    )
    assert new != old
    event = payload("issue_comment", "edited")
    event["issue"]["number"] = 2
    event["issue"]["pull_request"] = {"url": "https://api.github.com/repos/Codertocat/Hello-World/pulls/2"}
    event["comment"] |= {"id": comment["id"], "body": new, "user": {"login": comment["user"]["login"]}}
    event["changes"] = {"body": {"from": old}}
    event["sender"]["login"] = editor
    comment["body"] = new  # GitHub has saved the reviewer's edit before the workflow runs
    run = actions.run("issue_comment", event, checklist="GO_LIVE.md")
    assert run.code == 0
    return run.out


def test_pending_manual_items_are_boxes_in_the_comment(actions: Actions, github: FakeGitHub) -> None:
    body = first_run(actions, github)["body"]
    assert "### Sign-offs" in body
    assert "- [ ] **Disaster recovery drills conducted**" in body and "<!-- prodgate-signoff:" in body
    assert "<!-- prodgate-signoffs:" in body


def test_a_maintainers_tick_is_recorded_and_counted_next_run(actions: Actions, github: FakeGitHub) -> None:
    comment = first_run(actions, github)
    github.permissions["octo-maintainer"] = "admin"
    out = tick(actions, github, comment, "octo-maintainer")
    assert "recorded" in out
    body = github.comments[0]["body"]
    assert (
        "- [x] **Disaster recovery drills conducted**" in body
        and "signed off by @\u200bocto-maintainer on" in body
    )
    actions.run("pull_request", payload("pull_request", "synchronize"), checklist="GO_LIVE.md")
    result = json.loads((actions.workspace / "prodgate-result.json").read_text())
    lines = {line["text"]: line for line in result["report"]["checklist"]["lines"]}
    assert lines["Disaster recovery drills conducted"]["outcome"] == "attested"
    assert lines["Disaster recovery drills conducted"]["signed_by"] == "octo-maintainer"
    assert "attested** by @\u200bocto-maintainer" in github.comments[0]["body"]


def test_a_read_only_tick_is_shown_not_counted_and_unticked(actions: Actions, github: FakeGitHub) -> None:
    comment = first_run(actions, github)
    github.permissions["drive-by"] = "read"
    tick(actions, github, comment, "drive-by")
    body = github.comments[0]["body"]
    assert "- [ ] **Disaster recovery drills conducted**" in body
    assert "ticked by drive-by (read permission): not counted" in body
    actions.run("pull_request", payload("pull_request", "synchronize"), checklist="GO_LIVE.md")
    result = json.loads((actions.workspace / "prodgate-result.json").read_text())
    lines = {line["text"]: line for line in result["report"]["checklist"]["lines"]}
    assert lines["Disaster recovery drills conducted"]["outcome"] == "pending"


def test_the_gates_own_edit_and_other_comments_are_ignored(actions: Actions, github: FakeGitHub) -> None:
    comment = first_run(actions, github)
    writes = github.writes()
    tick(actions, github, comment, comment["user"]["login"])  # the gate editing its own comment
    other = github.add_comment("<!-- prodgate:default -->\n- [x] quoted", "octocat", issue=2)
    event = payload("issue_comment", "edited")
    event["issue"] |= {"number": 2, "pull_request": {"url": "x"}}
    event["comment"] |= {"id": other["id"], "body": other["body"], "user": {"login": "octocat"}}
    event["sender"]["login"] = "octocat"
    out = actions.run("issue_comment", event).out
    assert "not the gate's own comment" in out
    assert github.writes() == writes


def test_a_payload_without_the_old_body_is_a_notice(actions: Actions, github: FakeGitHub) -> None:
    event = payload("issue_comment", "created")
    run = actions.run("issue_comment", event)
    assert run.code == 0 and "not an edit" in run.out
    assert github.writes() == []


def test_a_tick_in_the_pr_description_counts_in_the_same_run(actions: Actions, github: FakeGitHub) -> None:
    comment = first_run(actions, github)
    box = next(line for line in comment["body"].splitlines() if "prodgate-signoff:" in line)
    github.permissions["octo-maintainer"] = "write"
    event = payload("pull_request", "opened")
    event["action"] = "edited"
    event["pull_request"]["body"] = "Release notes.\n" + box.replace("- [ ]", "- [x]")
    event["changes"] = {"body": {"from": "Release notes.\n" + box}}
    event["sender"]["login"] = "octo-maintainer"
    actions.run("pull_request", event, checklist="GO_LIVE.md")
    result = json.loads((actions.workspace / "prodgate-result.json").read_text())
    lines = {line["text"]: line for line in result["report"]["checklist"]["lines"]}
    assert lines["Disaster recovery drills conducted"]["outcome"] == "attested"
    assert "- [x] **Disaster recovery drills conducted**" in github.comments[0]["body"]


def test_codeowners_mode_counts_owners_not_permissions(actions: Actions, github: FakeGitHub) -> None:
    actions.commit(
        {
            ".github/CODEOWNERS": "* @release-captain @org/platform-team\n",
            ".github/prodgate.yml": (actions.workspace / ".github" / "prodgate.yml").read_text()
            + "signoff_permission: codeowners\n",
        }
    )
    comment = first_run(actions, github)
    github.permissions |= {"release-captain": "read", "octo-maintainer": "admin"}
    tick(actions, github, comment, "octo-maintainer")
    assert "not counted" in github.comments[0]["body"]
    tick(actions, github, github.comments[0], "release-captain")
    assert "signed off by @\u200brelease-captain" in github.comments[0]["body"]


def test_boxes_are_grouped_under_their_checklist_headings_and_stay_so_after_a_tick(
    actions: Actions, github: FakeGitHub
) -> None:
    actions.commit(
        {
            "GO_LIVE.md": "## Data\n- [ ] Disaster recovery drills conducted\n## People\n- [ ] Stakeholders notified\n"
        }
    )
    actions.run("pull_request", payload("pull_request", "opened"), checklist="GO_LIVE.md")
    comment = github.comments[0]
    grouped = "**Data**\n\n- [ ] **Disaster recovery drills conducted**"
    assert grouped in comment["body"] and "**People**\n\n- [ ] **Stakeholders notified**" in comment["body"]
    github.permissions["octo-maintainer"] = "admin"
    tick(actions, github, comment, "octo-maintainer")
    body = github.comments[0]["body"]
    assert "**Data**\n\n- [x] **Disaster recovery drills conducted**" in body
    assert "**People**\n\n- [ ] **Stakeholders notified**" in body
