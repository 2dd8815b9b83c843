"""`prodgate action`: evaluate (or take a published result), then report to the runner and to GitHub.

The exit code always carries the verdict (0 pass, 1 fail, 2 bad input): it is the most reliable required
check. Everything that talks to GitHub comes after the verdict is known and can only warn: a read-only
token, a fork or an outage costs the comment or the status, never the summary or the exit code.
"""

from __future__ import annotations

import difflib
import json
import stat
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from gate.action.baseconfig import BaseConfig, base_config, local_file_at
from gate.action.comment import comment_body, fingerprint, fingerprint_in, fit, marker, signoff_section
from gate.action.context import ContextError, RunContext
from gate.action.context import read_context as read_run_context
from gate.action.github import Annotation, ApiProblem, GitHubClient, counting_requests
from gate.action.inputs import NAMES, CommentMode, InputError, Inputs, StatusMode, read_inputs
from gate.action.result import (
    MAX_RESULT_BYTES,
    RESULT_NAME,
    ResultError,
    read_result,
    result_from_zip,
    write_result,
)
from gate.action.runner import (
    SUMMARY_LIMIT,
    annotations_of,
    emit_annotations,
    log,
    write_outputs,
    write_summary,
)
from gate.baseline import compare, judge_with_baseline
from gate.checklist import Checklist, checks_of, item_of, read_checklist
from gate.checks.githubstate import LIVE_CHECKS, CiOptions, ReviewOptions
from gate.config import Config, ConfigError, load_config
from gate.engine import evaluate
from gate.facts.github import GitHubFacts
from gate.lazyre import lazy
from gate.model import Baseline, Outcome, Report
from gate.paths import DEFAULT_CONFIG_PATH, OutsideRepository, inside
from gate.report.formats import console, markdown, sarif, to_json
from gate.report.render import render
from gate.report.views import Links
from gate.signoffs import SignOffs, apply_ticks, boxes, codeowners, read, rows_from_body, with_record
from gate.snapshot import head_commit
from gate.wording import agree

PUBLISH_AUTO, PUBLISH_NO = "auto", "no"
RESULT_FILE = RESULT_NAME
"""Written to the workspace root; outputs name it relative to the workspace, as later steps see it."""

_SHA = lazy(r"[0-9a-f]{40}")


def _message(kind: str, **values: object) -> str:
    return render("action/messages.txt.j2", kind=kind, **values).strip()


def _check_inputs(unknown: list[str]) -> None:
    if not unknown:
        return
    hints = []
    for name in unknown:
        close = difflib.get_close_matches(name.replace("-", "_"), NAMES, n=1)
        hints.append(f"'{name}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
    raise InputError(
        f"unknown {agree(len(hints), 'input', 'inputs')} {', '.join(hints)}: this action's inputs are {', '.join(NAMES)}"
    )


def _config_for(
    inputs: Inputs, ctx: RunContext, root: Path, config_path: Path | None, client: GitHubClient | None
) -> tuple[Config, BaseConfig | None]:
    """The workspace's config, except on pull requests: there the base branch's (see baseconfig.py)."""
    if ctx.target.pull_number is None or ctx.target.base_sha is None:
        return load_config(config_path, root, ctx.workspace)[0], None
    try:
        pr_config, pr_error = load_config(config_path, root, ctx.workspace)[0], None
    except ConfigError as exc:
        pr_config, pr_error = None, str(exc)
    wanted = (config_path or root / DEFAULT_CONFIG_PATH).resolve()
    try:
        path = wanted.relative_to(ctx.workspace.resolve()).as_posix()
    except ValueError:
        path = DEFAULT_CONFIG_PATH
    base = base_config(ctx.workspace, path, ctx.target.base_sha, pr_config, pr_error, client)
    if base is not None:
        return base.config, base
    if pr_config is None:
        raise ConfigError(pr_error or "invalid config")
    source = "this pull request (the base branch's could not be read)"
    ignored: tuple[str, ...] = ()
    # where the audit sends the package list and whose answers it believes (the service, or a cache of
    # its answers): never the PR's choice
    keys = [k for k in ("osv_url", "cache_dir") if getattr(pr_config.vulnerabilities, k) is not None]
    if keys:
        vulns = pr_config.vulnerabilities.model_copy(update={"osv_url": None, "cache_dir": None})
        pr_config = pr_config.model_copy(update={"vulnerabilities": vulns})
        ignored = tuple(f"its vulnerabilities.{k} is ignored: the default was used" for k in keys)
    unverified = BaseConfig(config=pr_config, source=source, changes=ignored, verified=False)
    return pr_config, unverified


def _signoff_record(inputs: Inputs, ctx: RunContext, client: GitHubClient | None) -> SignOffs:
    """The sign-offs recorded in the gate's comment so far (read before the comment is updated)."""
    if client is None or ctx.target.pull_number is None or inputs.comment_mode is CommentMode.OFF:
        return SignOffs()
    if inputs.publish == PUBLISH_NO:
        return SignOffs()
    try:
        existing = client.own_comments(ctx.target.pull_number, marker(inputs.comment_key))
    except ApiProblem:
        return SignOffs()  # the publish step meets the same problem and warns about it
    return read(existing[0].body or "") if existing else SignOffs()


def _evaluate(
    inputs: Inputs, ctx: RunContext, client: GitHubClient | None, record: SignOffs, payload: dict[str, Any]
) -> tuple[Report, BaseConfig | None, SignOffs, int]:
    """The report, where its config came from, the sign-off record, and how many open sign-off boxes
    the comment offers."""
    root = inputs.path_in(ctx.workspace)
    if ctx.event_name == "pull_request_target":
        # this event runs with a write token and secrets: evaluating the PR's own files here would let
        # them steer a privileged job. Only the base checkout (actions/checkout's default) is allowed.
        head = head_commit(root)
        if head is None or head == ctx.target.sha:
            raise ContextError(
                "pull_request_target: the workspace must be the base branch's checkout, not the pull "
                "request's head (use actions/checkout without `ref:`); see docs/action.md"
            )
    config_path = ctx.workspace / inputs.config if inputs.config else None
    config, origin = _config_for(inputs, ctx, root, config_path, client)
    record = _description_ticks(record, payload, config, ctx, client)
    if inputs.fail_on:
        config = config.model_copy(update={"fail_on": inputs.fail_on})
    if inputs.require_level:
        config = config.model_copy(update={"require_level": inputs.require_level})
    # the files this action writes into the workspace must not change what the next run judges
    own = [ctx.workspace / name for name in (RESULT_FILE, inputs.json_file, inputs.sarif_file) if name]
    resolved = root.resolve()
    mine = tuple(
        "/" + p.resolve().relative_to(resolved).as_posix()
        for p in own
        if p.resolve().is_relative_to(resolved)
    )
    config = config.model_copy(update={"exclude": (*config.exclude, *mine)})
    listed = (
        ctx.workspace / inputs.checklist
        if inputs.checklist
        else root / config.checklist
        if config.checklist
        else None
    )
    # the checklist input is the workflow's (relative to the workspace); the config's is the repository's
    boundary = ctx.workspace if inputs.checklist else root
    checklist = read_checklist(listed, boundary) if listed else None
    github = _live_state(inputs, ctx, config, client, checklist)

    def judge(path: Path, base_dir: Path | None) -> Report:
        if path != root:  # the base commit: judged for comparison only
            return evaluate(path, config, offline=inputs.offline)
        return evaluate(
            path,
            config,
            offline=inputs.offline,
            github=github,
            checklist=checklist,
            base_root=base_dir,
            signoffs=record,
        )

    if ctx.target.pull_number is not None and ctx.target.base_sha:
        report = judge_with_baseline(
            root,
            ctx.workspace,
            ctx.target.base_sha,
            head_commit(ctx.workspace),
            judge,
            fail_on_new_only=config.fail_on_new_only,
        )
    else:
        report = judge(root, None)
    if report.baseline and report.baseline.unavailable and client is not None and ctx.target.base_ref:
        report = _artifact_baseline(report, ctx.target.base_ref, client, config)
    return report, origin, record, config.signoff_boxes


BASE_ARTIFACT = "prodgate-result"
"""The artifact name the base branch's push runs upload their result file under (docs/action.md)."""


def _artifact_baseline(report: Report, branch: str, client: GitHubClient, config: Config) -> Report:
    """Without the base commit in the clone: the base branch's last results artifact, if there is one."""
    missing = report.baseline or Baseline(base_sha="")

    def unavailable(why: str) -> Report:
        note = missing.model_copy(update={"unavailable": f"{missing.unavailable}; {why}"})
        return report.model_copy(update={"baseline": note})

    try:
        found = client.latest_artifact(branch, BASE_ARTIFACT, 4 * MAX_RESULT_BYTES)
        if found is None:
            return unavailable(f"no {BASE_ARTIFACT} artifact from a push run on {branch} either")
        data, run_id = found
        doc = result_from_zip(data, f"the {BASE_ARTIFACT} artifact of run {run_id}")
    except (ApiProblem, ResultError) as exc:
        return unavailable(f"the {BASE_ARTIFACT} artifact could not be used: {exc}")
    base = doc.report.model_copy(update={"root": doc.head_sha})
    source = f"the {BASE_ARTIFACT} artifact of run {run_id} on {branch}"
    return compare(report, base, fail_on_new_only=config.fail_on_new_only, source=source)


_MAX_WORKFLOWS = 200
_MAX_WORKFLOW_BYTES = 1 << 20


def _live_state(
    inputs: Inputs, ctx: RunContext, config: Config, client: GitHubClient | None, checklist: Checklist | None
) -> GitHubFacts:
    """What the live-state checks need, read only for the ones that are enabled (and, for the drills,
    asked for by the config or a checklist line, and run by a workflow of the repository)."""
    enabled = {c for c in LIVE_CHECKS if config.for_check(c).enabled}
    drills = "drills-exercised" in enabled and _asked(config, checklist, "drills-exercised")
    drills = drills and _has_drill(ctx.workspace)
    if not enabled - {"drills-exercised"} and not drills:
        return GitHubFacts()
    if client is None:
        return GitHubFacts(reason="No github_token was given, so the repository's settings cannot be read.")
    branch = ctx.target.base_ref or ctx.default_branch
    if not branch:
        return GitHubFacts(reason=f"A {ctx.event_name} event names no branch to read the protection of.")
    names = list(ctx.job_check_names())
    if inputs.status_mode is not StatusMode.NONE:
        names.insert(0, inputs.status_context)
    reviews = config.options_for("required-reviews") if "required-reviews" in enabled else None
    ci = config.options_for("ci-checks-passing") if "ci-checks-passing" in enabled else None
    return client.live_state(
        branch,
        ctx.target.sha,
        gate_names=tuple(dict.fromkeys(names)),
        reviews_minimum=reviews.minimum if isinstance(reviews, ReviewOptions) else None,
        watch=ci.required if isinstance(ci, CiOptions) else (),
        wait_seconds=ci.wait_seconds if isinstance(ci, CiOptions) else 0,
        run_id=ctx.run_id,
        drills=drills,
    )


def _asked(config: Config, checklist: Checklist | None, check_id: str) -> bool:
    """Whether a check that judges only what it is asked for is asked: by its options, or by a line of
    the team's checklist that it decides."""
    if getattr(config.options_for(check_id), "aspects", ()):
        return True
    if checklist is None:
        return False
    return any(check_id in checks_of(line, item_of(line)) for line in checklist.items)


def _has_drill(workspace: Path) -> bool:
    """Whether a workflow of the repository may run a drill: only then are the runs asked for (two
    requests), so a repository without one costs none. Bounded like the snapshot: small files only."""
    from gate.checks.drills import mentions_drill

    folder = workspace / ".github" / "workflows"
    try:
        files = sorted(p for p in folder.iterdir() if p.suffix in (".yml", ".yaml"))
    except OSError:
        return False
    if folder.is_symlink() or folder.parent.is_symlink():
        return False
    for path in files[:_MAX_WORKFLOWS]:
        try:
            # regular files only: a pull request's link to /dev/zero, or a FIFO, would never end a read
            if not stat.S_ISREG(path.lstat().st_mode):
                continue
            with path.open("rb") as handle:
                data = handle.read(_MAX_WORKFLOW_BYTES + 1)
        except OSError:
            continue
        if len(data) <= _MAX_WORKFLOW_BYTES and mentions_drill(data.decode("utf-8", "replace")):
            return True
    return False


def _write_file(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror}") from None


def _check_run_annotations(report: Report) -> list[Annotation]:
    level = {"error": "failure", "warning": "warning", "notice": "notice"}
    return [
        Annotation(
            path=a.path,
            start_line=a.line or 1,
            end_line=a.end_line or a.line or 1,
            level=level[a.kind],
            title=a.title,
            message=a.message,
        )
        for a in annotations_of(report)
        if a.path
    ]


def _publish(
    report: Report,
    inputs: Inputs,
    ctx: RunContext,
    client: GitHubClient,
    notes: list[str],
    origin: BaseConfig | None,
    record: SignOffs,
    out: TextIO,
    signoff_boxes: int = 20,
) -> str:
    """Comment and status. Returns the comment's URL ('' when there is none)."""
    url = ""
    summary_url = ctx.run_url
    target = ctx.target
    try:
        if target.pull_number is not None and inputs.comment_mode is not CommentMode.OFF:
            body = comment_body(
                report,
                key=inputs.comment_key,
                summary_url=summary_url,
                notes=notes,
                origin=origin,
                record=record,
                run=ctx.run,
                links=Links(
                    # the files as this pull request's head has them (a sha, never a branch that moves)
                    f"{ctx.server_url}/{ctx.repository}/blob/{target.sha}"
                    if _SHA.fullmatch(target.sha)
                    else "",
                    ctx.docs_base,
                ),
                signoff_boxes=signoff_boxes,
            )
            create = inputs.comment_mode is not CommentMode.FAILURES or not report.verdict.passed
            edit_if = None
            if inputs.comment_mode is CommentMode.CHANGES:
                mine = fingerprint(report)

                def edit_if(old: str) -> bool:
                    return fingerprint_in(old) != mine

            done = client.upsert_comment(
                target.pull_number,
                body.split("\n", 1)[0],
                body,
                create=create,
                edit_if=edit_if,
                run=ctx.run,
            )
            url = done.url or ""
            log(out, "notice", _message("comment", outcome=done.action, url=url, deleted=done.deleted))
    except ApiProblem as exc:
        _warn(exc, ctx, out)
    try:
        state = "success" if report.verdict.passed else "failure"
        description = render("action/status.txt.j2", report=report).strip()
        if len(description) > 140:
            description = description[:139] + "…"
        if inputs.status_mode is StatusMode.COMMIT_STATUS:
            client.commit_status(
                target.sha,
                state=state,
                description=description,
                context=inputs.status_context,
                target_url=ctx.run_url,
            )
        elif inputs.status_mode is StatusMode.CHECK_RUN:
            text = fit(
                markdown(report),
                65_535,
                render("action/truncated.md.j2", summary_url=summary_url, where="check run"),
            )
            client.check_run(
                target.sha,
                name=inputs.status_context,
                conclusion=state,
                title=description,
                summary=report.verdict.summary,
                text=text,
                details_url=ctx.run_url,
                annotations=_check_run_annotations(report),
            )
    except ApiProblem as exc:
        _warn(exc, ctx, out)
    return url


def _warn(exc: ApiProblem, ctx: RunContext, out: TextIO) -> None:
    if exc.permission:
        text = _message(
            "permission",
            action=exc.action,
            status=exc.status,
            detail=exc.detail,
            permission=exc.permission,
            fork=ctx.target.fork,
        )
    else:
        text = _message("api", action=exc.action, detail=str(exc))
    log(out, "warning", text)


_CODEOWNERS_PATHS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")


def _owners(ctx: RunContext, client: GitHubClient, base_sha: str | None) -> frozenset[str]:
    """The CODEOWNERS people of the trusted tree: the base commit on a pull request, else the checkout
    (issue_comment runs check out the default branch)."""
    for path in _CODEOWNERS_PATHS:
        if base_sha is None:
            file = ctx.workspace / path
            try:
                readable = file.is_file() and bool(inside(ctx.workspace, file, "CODEOWNERS"))
            except OutsideRepository:
                readable = False  # a symlink out of the checkout: never read
            text = file.read_text(encoding="utf-8", errors="replace") if readable else None
        else:
            found, text = local_file_at(ctx.workspace, base_sha, path)
            if not found:
                text = client.file_at(path, base_sha)
        if text:
            return codeowners(text)
    return frozenset()


def _ticks(
    record: SignOffs,
    old: str,
    new: str,
    editor: str,
    config: Config,
    ctx: RunContext,
    client: GitHubClient,
    base_sha: str | None,
) -> tuple[SignOffs, str]:
    """The record after the editor's ticks, and the editor's permission (asked of the API)."""
    permission = client.permission(editor)
    owners = _owners(ctx, client, base_sha) if config.signoff_permission == "codeowners" else frozenset()
    required = config.signoff_permission
    # a description is the author's own text: a box may be added and ticked in one edit there
    rendered_only = ctx.event_name != "pull_request"
    updated = apply_ticks(
        record, old, new, editor, permission, required, date.today(), owners, rendered_only=rendered_only
    )
    return updated, permission


def _description_ticks(
    record: SignOffs, payload: dict[str, Any], config: Config, ctx: RunContext, client: GitHubClient | None
) -> SignOffs:
    """A pull request whose description was edited: boxes with sign-off markers ticked there count
    like ticks in the comment (the editor's permission is checked the same way)."""
    if ctx.event_name != "pull_request" or payload.get("action") != "edited" or client is None:
        return record
    old = ((payload.get("changes") or {}).get("body") or {}).get("from")
    new = (payload.get("pull_request") or {}).get("body")
    editor = (payload.get("sender") or {}).get("login")
    if not (isinstance(old, str) and isinstance(new, str) and isinstance(editor, str)):
        return record
    if boxes(old) == boxes(new):
        return record
    try:
        return _ticks(record, old, new, editor, config, ctx, client, ctx.target.base_sha)[0]
    except ApiProblem:
        return record


def _record_signoff(
    inputs: Inputs, ctx: RunContext, payload: dict[str, Any], client: GitHubClient | None, out: TextIO
) -> int:
    """An edit of the gate's comment: record the boxes that were ticked, by whom, if they may."""
    comment = payload.get("comment")
    old_body = ((payload.get("changes") or {}).get("body") or {}).get("from")
    editor = (payload.get("sender") or {}).get("login")
    if payload.get("action") != "edited" or not isinstance(comment, dict) or not isinstance(old_body, str):
        log(out, "notice", _message("signoff", what="ignored", why="not an edit of a comment's text"))
        return 0
    if ctx.target.pull_number is None or client is None or not isinstance(editor, str):
        log(
            out,
            "notice",
            _message("signoff", what="ignored", why="not a pull request's comment, or no token"),
        )
        return 0
    key = marker(inputs.comment_key)
    author = (comment.get("user") or {}).get("login")
    if str(comment.get("body", "")).split("\n", 1)[0].strip() != key or author != client.identity():
        log(out, "notice", _message("signoff", what="ignored", why="not the gate's own comment"))
        return 0
    if editor == author:
        return 0  # the gate's own update of its comment
    config, _ = load_config(
        ctx.workspace / inputs.config if inputs.config else None, inputs.path_in(ctx.workspace), ctx.workspace
    )
    try:
        before = read(old_body)
        record, permission = _ticks(before, old_body, comment["body"], editor, config, ctx, client, None)
        rows = rows_from_body(old_body, record)
        body = with_record(old_body, record, signoff_section(rows))
        mine = [c for c in client.own_comments(ctx.target.pull_number, key) if c.id == comment.get("id")]
        if mine and body != comment["body"]:
            client.edit_comment(mine[0], body)
    except ApiProblem as exc:
        _warn(exc, ctx, out)
        return 0
    counted = len(record.signed) - len(before.signed)
    log(
        out,
        "notice",
        _message(
            "signoff",
            what="recorded",
            why=f"{editor} ({permission}): {counted:+d} {agree(abs(counted), 'sign-off', 'sign-offs')}",
        ),
    )
    return 0


def run_action(environ: Mapping[str, str], out: TextIO, *, throttle: bool = True) -> int:
    inputs, unknown = read_inputs(environ)
    _check_inputs(unknown)
    ctx, payload = read_run_context(environ)
    token = inputs.github_token or environ.get("GITHUB_TOKEN", "")
    notes: list[str] = []
    with counting_requests() as calls:
        client = GitHubClient(token, ctx.repository, ctx.api_url, throttle=throttle) if token else None
        if ctx.event_name == "issue_comment":
            return _record_signoff(inputs, ctx, payload, client, out)
        if inputs.publish not in (PUBLISH_AUTO, PUBLISH_NO, ""):
            if ctx.event_name != "workflow_run":
                raise InputError("publish: a result file is published only from a workflow_run event")
            result = read_result(ctx.workspace / inputs.publish, expected_sha=ctx.target.sha)
            if result.pull_number is not None and client is not None:
                # the file names the PR; the API must confirm that PR's head is the commit that was judged
                try:
                    head = client.pull_head_sha(result.pull_number)
                except ApiProblem as exc:
                    raise ResultError(
                        f"{inputs.publish}: cannot confirm the pull request's head: {exc}"
                    ) from None
                if head != ctx.target.sha:
                    raise ResultError(
                        f"{inputs.publish}: pull request #{result.pull_number} is at {head}, "
                        f"not at {ctx.target.sha}, the commit the result is for"
                    )
            report, origin, record = result.report, None, SignOffs()
            boxes = Config().signoff_boxes  # the published result carries no config: the default bound
            ctx = ctx.model_copy(
                update={"target": ctx.target.model_copy(update={"pull_number": result.pull_number})}
            )
            notes.append("published")
        else:
            record = _signoff_record(inputs, ctx, client)
            report, origin, record, boxes = _evaluate(inputs, ctx, client, record, payload)
            if ctx.event_name == "pull_request_target":
                notes.append("base_checkout")

        # in the workspace: the one folder a Docker action shares with the job's later steps
        write_result(
            ctx.workspace / RESULT_FILE, report, pull_number=ctx.target.pull_number, head_sha=ctx.target.sha
        )
        if inputs.json_file:
            _write_file(ctx.workspace / inputs.json_file, to_json(report))
        if inputs.sarif_file:
            _write_file(ctx.workspace / inputs.sarif_file, sarif(report))
        if inputs.job_summary:
            note = render("action/truncated.md.j2", summary_url=ctx.run_url, where="summary")
            write_summary(ctx.summary_file, fit(markdown(report), SUMMARY_LIMIT - 1024, note))
        if inputs.annotations:
            emit_annotations(annotations_of(report), out)
        if origin is not None and (origin.changes or not origin.verified):
            log(out, "notice", _message("config", origin=origin))

        comment_url = ""
        if inputs.publish != PUBLISH_NO:
            if client is None:
                log(out, "warning", _message("api", action="publishing", detail="no github_token was given"))
            else:
                comment_url = _publish(report, inputs, ctx, client, notes, origin, record, out, boxes)
    failed = [r.check_id for r in report.results if r.outcome in (Outcome.FAIL, Outcome.ERROR)]
    write_outputs(
        ctx.output_file,
        {
            "result": "pass" if report.verdict.passed else "fail",
            "level": report.level.value if report.level else "none",
            "score": str(report.score),
            "failed_checks": json.dumps(failed),
            "report_path": RESULT_FILE,
            "comment_url": comment_url,
        },
        out,
    )
    log(
        out,
        "debug",
        _message(
            "calls", count=len(calls.requests), requests=", ".join(f"{v} {u}" for v, u in calls.requests)
        ),
    )
    out.write(console(report))
    return 0 if report.verdict.passed else 1
