"""The command line. `main(argv) -> int` is the only place where errors become messages and exit codes.

Exit codes: 0 the gate passed, 1 the gate failed, 2 a usage, config or input error.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import os
import shutil
import sys
import types
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from gate import __version__
from gate.errors import InputProblem

if TYPE_CHECKING:
    from gate.model import Report

# Each command imports what it uses when it runs: `prodgate --version` reads no check, template or
# schema, and a check run no Action code.

EXIT_PASS, EXIT_FAIL, EXIT_INPUT = 0, 1, 2


class UsageError(InputProblem):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


# The parser's choices, written out so that building it imports no model or report code: the command
# line parses its arguments before it forks the second process, which lists the repository to check
# meanwhile. tests/test_cli.py holds them equal to gate.report.formats and gate.model.Severity.
FORMAT_NAMES = ("markdown", "json", "sarif")
SHOW_NAMES = ("problems", "all", "blocking")
SEVERITY_NAMES = ("critical", "high", "medium", "low", "info")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="prodgate", description="Production-readiness gate for ML model-serving services.")
    p.add_argument("--version", action="version", version=f"prodgate {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    c = sub.add_parser("check", help="evaluate a repository against the checklist")
    c.add_argument("path", nargs="?", default=".", help="the repository folder (default: .)")
    c.add_argument("--config", type=Path, help="config file (default: PATH/.github/prodgate.yml if present)")
    c.add_argument("--format", choices=["console", *FORMAT_NAMES], default="console")
    c.add_argument("--output", type=Path, help="write the report here; the console table still prints")
    c.add_argument("--fail-on", choices=SEVERITY_NAMES, help="override the config's fail_on")
    c.add_argument("--color", choices=["auto", "always", "never"], default="auto")
    c.add_argument(
        "--show",
        choices=SHOW_NAMES,
        default="problems",
        help="console rows: problems (default: what fails or is undecided), all, or blocking",
    )
    c.add_argument(
        "--checklist", type=Path, help="a Markdown checklist to fill in (default: the config's `checklist`)"
    )
    c.add_argument(
        "--baseline",
        metavar="REF",
        help="also judge this commit or branch (its merge-base with HEAD) and mark failures new, existing or fixed",
    )
    c.add_argument(
        "--time-budget",
        type=int,
        metavar="SECONDS",
        help="how long the evaluation may take (default: the config's time_budget, 300); past it, checks not yet decided are errors",
    )
    c.add_argument(
        "--offline",
        action="store_true",
        help="do not ask the vulnerability service (that check then reports not_available)",
    )

    sub.add_parser("list-checks", help="list every check")
    e = sub.add_parser("explain", help="show a check's documentation")
    e.add_argument("check_id")
    s = sub.add_parser("schema", help="print a JSON Schema")
    s.add_argument("which", nargs="?", choices=["config", "report", "org-aggregate"], default="config")
    h = sub.add_parser(
        "hash-models", help="write MODELS.sha256 for every model file (for model-integrity-verified)"
    )
    h.add_argument("path", nargs="?", default=".", help="the repository folder (default: .)")
    cat = sub.add_parser("catalog", help="the checklist catalog made from the seed checklists")
    cat_sub = cat.add_subparsers(dest="catalog_command", required=True, parser_class=_Parser)
    cov = cat_sub.add_parser("coverage", help="how every line of the seed checklists is accounted for")
    cov.add_argument("--format", choices=["text", "json"], default="text")
    sub.add_parser(
        "action", help="run as the GitHub Action (reads GITHUB_* and INPUT_* from the environment)"
    )
    d = sub.add_parser("docs", help="regenerate docs/: a page per check and the two JSON Schemas")
    d.add_argument("--output", type=Path, default=Path("docs"))
    from gate.org.commands import add_parser as add_org

    add_org(sub)
    return p


def _use_color(choice: str, stream: TextIO) -> bool:
    if choice != "auto":
        return choice == "always"
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def _width(stream: TextIO) -> int | None:
    """The terminal's width to wrap the console table to; none (one line per row) when the output is
    a file, a pipe or a CI log, which grep and diff read better unwrapped."""
    return shutil.get_terminal_size().columns if stream.isatty() else None


def _check(args: argparse.Namespace, out: TextIO) -> int:
    from gate.baseline import judge_with_baseline
    from gate.config import load_config
    from gate.engine import evaluate
    from gate.model import Severity
    from gate.report.formats import FORMATS, console, json_chunks
    from gate.snapshot import head_commit, resolve_ref

    root = Path(args.path)
    config, _source = load_config(args.config, root)
    if args.fail_on:
        config = config.model_copy(update={"fail_on": Severity(args.fail_on)})
    if args.time_budget is not None:
        if not 0 < args.time_budget <= 3600:  # the config's own bounds (model_copy does not validate)
            raise UsageError("--time-budget: must be a number of seconds above 0 and at most 3600")
        config = config.model_copy(update={"time_budget": args.time_budget})
    checklist_path = args.checklist or (root / config.checklist if config.checklist else None)
    checklist = None
    if checklist_path:
        from gate.checklist import read_checklist

        checklist = read_checklist(checklist_path, root)

    def judge(path: Path, base_dir: Path | None) -> Report:
        listed = checklist if path == root else None
        return evaluate(path, config, offline=args.offline, checklist=listed, base_root=base_dir)

    if args.baseline:
        base_sha = resolve_ref(root, args.baseline)
        if base_sha is None:
            raise UsageError(f"--baseline {args.baseline}: no such commit or branch in {root}")
        report = judge_with_baseline(
            root, root, base_sha, head_commit(root), judge, fail_on_new_only=config.fail_on_new_only
        )
    else:
        report = judge(root, None)
    # JSON is written a result at a time (a large report need not exist as one string); the others whole
    chunks: Iterable[str] = (
        json_chunks(report)
        if args.format == "json"
        else [
            # a report written to a file is neither wrapped to nor coloured for the terminal that asked
            console(
                report,
                color=args.color == "always" if args.output else _use_color(args.color, out),
                show=args.show,
                width=None if args.output else _width(out),
            )
            if args.format == "console"
            else FORMATS[args.format](report)
        ]
    )
    if args.output:
        try:
            args.output.parent.mkdir(parents=True, exist_ok=True)
            with args.output.open("w", encoding="utf-8") as written:
                written.writelines(chunks)
        except OSError as exc:
            raise UsageError(f"{args.output}: cannot write the report: {exc.strerror}") from None
        if args.format != "console":
            out.write(console(report, color=_use_color(args.color, out), show=args.show, width=_width(out)))
    else:
        out.writelines(chunks)
    return EXIT_PASS if report.verdict.passed else EXIT_FAIL


def _list_checks(out: TextIO) -> int:
    from gate.checks import REGISTRY
    from gate.report.render import render

    specs = sorted(REGISTRY.values(), key=lambda s: s.id)
    out.write(render("list.txt.j2", specs=specs, width=max(len(s.id) for s in specs)))
    return EXIT_PASS


def _schema(which: str, out: TextIO) -> int:
    import json

    out.write(json.dumps(_schemas()[which](), indent=2) + "\n")
    return EXIT_PASS


def _schemas() -> dict[str, Any]:
    """The JSON Schemas `prodgate schema` prints and `prodgate docs` writes, by name."""
    from gate.config import json_schema
    from gate.model import Report
    from gate.org.aggregate import Aggregate

    return {
        "config": json_schema,
        "report": lambda: Report.model_json_schema(mode="serialization"),
        "org-aggregate": lambda: Aggregate.model_json_schema(mode="serialization"),
    }


def _explain(check_id: str, out: TextIO) -> int:
    from gate.checks import REGISTRY
    from gate.report.render import render

    if check_id not in REGISTRY:
        import difflib

        close = difflib.get_close_matches(check_id, list(REGISTRY), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else "; `prodgate list-checks` lists them"
        raise UsageError(f"unknown check id '{check_id}'{hint}")
    out.write(render("check.md.j2", spec=REGISTRY[check_id], heading_level=1))
    return EXIT_PASS


def _hash_models(root: Path, out: TextIO) -> int:
    from gate.facts.models import collect_models
    from gate.snapshot import Snapshot
    from gate.wording import count

    snap = Snapshot.load(root)
    artifacts = [a for a in collect_models(snap).artifacts if a.sha256 and not a.lfs_pointer]
    if not artifacts:
        raise UsageError(f"{root}: no model files to hash")
    lines = "".join(f"{a.sha256}  {a.path}\n" for a in sorted(artifacts, key=lambda a: a.path))
    try:
        (snap.root / "MODELS.sha256").write_text(lines, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{root}/MODELS.sha256: cannot write: {exc.strerror}") from None
    out.write(f"wrote MODELS.sha256 with {count(len(artifacts), 'model file')}\n")
    return EXIT_PASS


def _catalog_coverage(fmt: str, out: TextIO) -> int:
    import json

    from gate.checklist import coverage, parse, seed_files
    from gate.report.render import render

    rows = [coverage(parse(text, name), name) for name, text in seed_files()]
    if fmt == "json":
        out.write(json.dumps([r.model_dump() for r in rows], indent=2) + "\n")
    else:
        out.write(render("coverage.txt.j2", rows=rows, total=sum(r.lines for r in rows)))
    return EXIT_PASS


def _docs(folder: Path, out: TextIO) -> int:
    import json

    from gate.checks import REGISTRY
    from gate.report.render import render

    pages = folder / "checks"
    pages.mkdir(parents=True, exist_ok=True)
    for stale in pages.glob("*.md"):
        if stale.stem not in REGISTRY:
            stale.unlink()
    for check_id, spec in sorted(REGISTRY.items()):
        page = render("check.md.j2", spec=spec, heading_level=1)
        (pages / f"{check_id}.md").write_text(page, encoding="utf-8")
    schemas = _schemas()
    for name, make in schemas.items():
        (folder / f"{name}.schema.json").write_text(json.dumps(make(), indent=2) + "\n", encoding="utf-8")
    out.write(f"wrote {len(REGISTRY)} check pages and {len(schemas)} schemas to {folder}\n")
    return EXIT_PASS


def run(argv: Sequence[str], out: TextIO) -> int:
    global _parsed_early
    if list(argv) == ["--version"]:  # answered before the parser is built
        out.write(f"prodgate {__version__}\n")
        return EXIT_PASS
    early, _parsed_early = _parsed_early, None
    # the command line's early parse of these same arguments (entry), or a parse here
    args = early[1] if early is not None and early[0] == list(argv) else _parser().parse_args(list(argv))
    if args.command == "check":
        return _check(args, out)
    if args.command == "list-checks":
        return _list_checks(out)
    if args.command == "explain":
        return _explain(args.check_id, out)
    if args.command == "schema":
        return _schema(args.which, out)
    if args.command == "hash-models":
        return _hash_models(Path(args.path), out)
    if args.command == "docs":
        return _docs(args.output, out)
    if args.command == "catalog":
        return _catalog_coverage(args.format, out)
    if args.command == "action":
        from gate.action.run import run_action  # PyGithub is imported only when the action runs

        return run_action(os.environ, out)
    if args.command == "org":
        from gate.org.commands import run_org

        return run_org(args, out)
    raise UsageError(f"unknown command {args.command}")  # pragma: no cover - argparse rejects it first


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        return run(sys.argv[1:] if argv is None else argv, out)
    except SystemExit as exc:  # --help and --version
        return int(exc.code or 0)
    except InputProblem as exc:
        from gate.model import displayable

        shown = displayable(str(exc))  # a path in the message may not be UTF-8
        err.write(f"prodgate: {shown}\n" if not shown.startswith("prodgate") else f"{shown}\n")
        return EXIT_INPUT
    except KeyboardInterrupt:
        err.write("prodgate: interrupted\n")
        return 130
    except BrokenPipeError:
        return EXIT_INPUT
    except Exception as exc:  # the last resort: one line, never a traceback unless asked for
        if os.environ.get("PRODGATE_DEBUG"):
            raise
        err.write(
            f"prodgate: internal error: {exc.__class__.__name__}: {exc} (set PRODGATE_DEBUG=1 for the traceback)\n"
        )
        return EXIT_INPUT


_parsed_early: tuple[list[str], argparse.Namespace] | None = None
"""Arguments `_checked_root` parsed, kept for `run` (building the parser again costs 5 ms)."""


def _checked_root(argv: list[str]) -> Path | None:
    """The folder `prodgate check ARGS` will read, or None (another command, or arguments `main` will
    refuse with its own message)."""
    global _parsed_early
    if argv[:1] != ["check"]:
        return None
    try:
        # silent: `main` parses again and is the one that prints --help
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            args = _parser().parse_args(argv)
    except (UsageError, SystemExit):  # main says what is wrong (or prints --help)
        return None
    _parsed_early = (list(argv), args)
    return Path(args.path)


def _ahead_of_job(root: Path | None) -> str | None:
    """The second process's job, to run before it is sent, when the defaults will decide what it reads:
    no config file in the repository, and no --config or --time-budget. The child's imports end about
    0.1 s before this process sends the job (it is importing the checks), and on a repository with many
    text files the scan is what the run then waits for. The job's own listing is compared before the
    early result is used (gate/facts/apart.py: ahead)."""
    from gate.paths import DEFAULT_CONFIG_PATH

    early = _parsed_early[1] if _parsed_early is not None else None
    if root is None or early is None or early.config is not None or early.time_budget is not None:
        return None
    if (root / DEFAULT_CONFIG_PATH).exists():
        return None
    return "gate.facts.apart:ahead"


def _no_pydantic_plugins() -> None:
    """With plugins disabled, pydantic's plugin loader finds none, but importing it imports
    importlib.metadata (email, zipfile, csv: 12 ms of a small run) the first time a model validates. A
    loader that gives none in its place, only while plugins are disabled as prodgate disables them;
    tests/test_cli.py holds it to what pydantic asks of the module, and to the real loader's answer."""
    if os.environ.get("PYDANTIC_DISABLE_PLUGINS") != "__all__":
        return
    loader = types.ModuleType("pydantic.plugin._loader", "No plugins: PYDANTIC_DISABLE_PLUGINS=__all__.")
    loader.get_plugins = lambda: ()  # type: ignore[attr-defined]
    sys.modules.setdefault("pydantic.plugin._loader", loader)


def entry() -> None:
    # pydantic looks for plugins among every installed distribution's entry points the first time a
    # model is built (20-50 ms of each run); prodgate uses none
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    _no_pydantic_plugins()
    # One short run whose memory is bounded by design (gate/snapshot.py): the cyclic collector would only
    # rescan what the run still holds. evaluate() pauses it for library callers too; here it stays off
    # through the imports and the rendering as well (a collection right after the evaluation scanned
    # every object it built: 0.5 s at 10k files).
    gc.disable()
    if sys.argv[1:2] in (["check"], ["action"]):
        from gate import background

        # before anything else is imported: the imports of the secret scan and of the dependency files'
        # parser go to the other core (gate/facts/apart.py), and for `check` the listing of its files
        root = _checked_root(sys.argv[1:])
        background.prewarm("gate.facts.apart:warm_up", listing=root, ahead_of_job=_ahead_of_job(root))
    code = main()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        # stdout closed early (e.g. piped to head): don't let the interpreter print a traceback at exit
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    sys.stderr.flush()
    if "gate.background" in sys.modules:
        sys.modules["gate.background"].stop_children()
    # Everything is written and flushed: the interpreter's teardown (freeing every module and object
    # one by one, 70-100 ms after a small run) would only delay the exit code. mypy exits the same way.
    os._exit(code)
