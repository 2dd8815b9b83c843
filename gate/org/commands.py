"""`prodgate org plan | evaluate | report`: the three steps of an organisation's readiness run, each what
one step of docs/workflows/prodgate-org.yml runs."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import TextIO

from gate.errors import InputProblem


class OrgProblem(InputProblem):
    pass


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    org = sub.add_parser("org", help="readiness across an organisation: plan, evaluate, report")
    steps = org.add_subparsers(dest="org_command", required=True, parser_class=type(org))
    p = steps.add_parser("plan", help="list the organisation's services and print a GitHub Actions matrix")
    p.add_argument("organization")
    p.add_argument(
        "--topic", action="append", default=[], help="keep repositories with this topic (repeatable)"
    )
    p.add_argument("--language", action="append", default=[], help="keep repositories in this main language")
    p.add_argument("--name", help="keep repositories whose name matches this shell pattern (ml-*)")
    p.add_argument("--archived", action="store_true", help="include archived repositories")
    p.add_argument("--forks", action="store_true", help="include forks")
    p.add_argument(
        "--needs",
        action="append",
        default=[],
        choices=["dockerfile", "model"],
        help="keep repositories whose tree has a Dockerfile or a model file (reads each tree: one call each)",
    )
    p.add_argument("--services", action="store_true", help="a row per folder with its own Dockerfile")
    p.add_argument(
        "--chunk", type=int, default=10, help="services per matrix job (raised to stay within 256 jobs)"
    )
    p.add_argument("--api-url", default=os.environ.get("GITHUB_API_URL", "https://api.github.com"))
    p.add_argument(
        "--pause",
        type=float,
        default=0.25,
        help="seconds between API calls (default 0.25: GitHub asks integrations to call one at a time, unhurried)",
    )
    p.add_argument(
        "--output", type=Path, help="also write the whole plan (services, API calls, skipped) here"
    )
    e = steps.add_parser("evaluate", help="evaluate one checked-out service into a row file")
    e.add_argument("path", type=Path, help="the repository's checkout")
    e.add_argument("--repo", required=True, help="owner/name")
    e.add_argument("--service", default=".", help="the service's folder in the repository (default: .)")
    e.add_argument("--branch", default="")
    e.add_argument("--topics", default="", help="comma-separated")
    e.add_argument("--error", help="record this error instead of evaluating (a clone that failed)")
    e.add_argument("--offline", action="store_true")
    e.add_argument("--output-dir", type=Path, required=True)
    r = steps.add_parser("report", help="merge row files into aggregate.json, summary.md and dashboard.html")
    r.add_argument("results", type=Path, help="the folder of row files (artifacts downloaded into it)")
    r.add_argument("--previous", type=Path, help="the previous run's aggregate.json, to show what changed")
    r.add_argument("--output-dir", type=Path, default=Path("prodgate-org"))
    r.add_argument("--on", type=date.fromisoformat, help="the aggregate's date (default: today, UTC)")


def run_org(args: argparse.Namespace, out: TextIO) -> int:
    if args.org_command == "plan":
        return _plan(args, out)
    if args.org_command == "evaluate":
        return _evaluate(args, out)
    return _report(args, out)


def _plan(args: argparse.Namespace, out: TextIO) -> int:
    from github import Auth, Github, GithubException

    from gate.action.github import BoundedRetry
    from gate.org.plan import Filters, plan

    token = os.environ.get("GITHUB_TOKEN") or os.environ.get("GH_TOKEN")
    if not token:
        raise OrgProblem("org plan: set GITHUB_TOKEN (a token that can list the organisation's repositories)")
    if args.chunk < 1:
        raise OrgProblem("org plan: --chunk must be at least 1")
    if not 0 <= args.pause <= 60:
        raise OrgProblem("org plan: --pause must be between 0 and 60 seconds")
    filters = Filters(
        topics=tuple(args.topic),
        languages=tuple(args.language),
        archived=args.archived,
        forks=args.forks,
        name=args.name,
        needs=tuple(args.needs),
        services=args.services,
    )
    gh = Github(
        auth=Auth.Token(token),
        base_url=args.api_url.rstrip("/"),
        per_page=100,
        timeout=20,
        retry=BoundedRetry(total=5, backoff_factor=1.0, secondary_rate_wait=60, max_wait=300),
        user_agent="prodgate",
        seconds_between_requests=args.pause or None,
        lazy=True,  # the organisation object is not fetched: its listing is all the plan reads
    )
    try:
        made = plan(gh, args.organization, filters, chunk=args.chunk)
    except GithubException as exc:
        message = exc.data.get("message") if isinstance(exc.data, dict) else None
        raise OrgProblem(
            f"org plan {args.organization}: GitHub answered {exc.status}"
            + (f": {message}" if message else "")
        ) from None
    for why in made.skipped:
        sys.stderr.write(f"prodgate: warning: {why}\n")
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(made.model_dump_json(indent=2) + "\n", encoding="utf-8")
    out.write(json.dumps(made.matrix(), separators=(",", ":"), sort_keys=True) + "\n")
    return 0


def _evaluate(args: argparse.Namespace, out: TextIO) -> int:
    from gate.config import load_config
    from gate.engine import evaluate
    from gate.model import displayable
    from gate.org.rows import Row, commit_of, file_name, from_report, owners_of
    from gate.paths import OutsideRepository, inside

    topics = tuple(sorted(t.strip() for t in args.topics.split(",") if t.strip()))
    owners = owners_of(args.path, args.service)
    repo, service, branch = (displayable(v) for v in (args.repo, args.service, args.branch))
    commit, when = commit_of(args.path)
    who = Row(
        repo=repo,
        service=service,
        branch=branch,
        topics=topics,
        owners=owners,
        commit=commit,
        committed_at=when,
    )
    row: Row
    if args.error:
        # the text came from a shell (a clone's stderr, cut by bytes): it may end in half a character
        row = who.model_copy(update={"error": displayable(args.error)})
    else:
        try:
            root = args.path / args.service
            inside(args.path, root, "the service folder")
            config, _ = load_config(None, root)
            row = from_report(evaluate(root, config, offline=args.offline), who)
        except (InputProblem, OutsideRepository) as exc:  # the row says why; the job goes on with the next
            row = who.model_copy(update={"error": displayable(str(exc))})
    args.output_dir.mkdir(parents=True, exist_ok=True)
    target = args.output_dir / file_name(args.repo, args.service)
    target.write_text(row.model_dump_json(indent=2) + "\n", encoding="utf-8")
    state = row.error or ("ready" if row.passed else "not ready")
    out.write(f"{row.key}: {state} -> {target}\n")
    return 0


def _report(args: argparse.Namespace, out: TextIO) -> int:
    from datetime import UTC, datetime

    from gate.org.aggregate import aggregate, read_previous, read_rows
    from gate.org.render import dashboard, summary
    from gate.wording import count

    if not args.results.is_dir():
        raise OrgProblem(f"{args.results}: no such folder of row files")
    previous = None
    if args.previous is not None:
        try:
            previous = read_previous(args.previous)
        except ValueError as exc:
            raise OrgProblem(str(exc)) from None
    on = args.on or datetime.now(UTC).date()
    agg = aggregate(read_rows(args.results), on, previous)
    folder: Path = args.output_dir
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "aggregate.json").write_text(agg.model_dump_json(indent=2) + "\n", encoding="utf-8")
    (folder / "summary.md").write_text(summary(agg), encoding="utf-8")
    (folder / "dashboard.html").write_text(dashboard(agg), encoding="utf-8")
    out.write(
        f"{count(len(agg.services), 'service')}: {agg.ready} ready, {agg.not_ready} not ready, "
        f"{count(agg.errors, 'error')}"
        f" -> {folder}/aggregate.json, summary.md, dashboard.html\n"
    )
    return 0
