"""The CLI as users and CI jobs meet it: exit codes, formats, and one clear line for bad input."""

from __future__ import annotations

import argparse
import fcntl
import io
import json
import os
import pty
import re
import shutil
import struct
import subprocess
import sys
import termios
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from gate.checks import REGISTRY
from gate.cli import main
from tests.conftest import ROOT, SHARED, git, write_tree

READY = ROOT / "examples" / "ready-service"
NOT_READY = ROOT / "examples" / "not-ready-service"


@pytest.fixture
def not_ready_repo(tmp_path: Path) -> Path:
    """The not-ready example as its own git work tree: what is tracked (its committed .env) is then
    known whether this project is a clone or a copy without .git."""
    root = tmp_path / "not-ready-service"
    shutil.copytree(NOT_READY, root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A", "-f")
    git(root, "commit", "-q", "-m", "example")
    return root


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_ready_example_passes() -> None:
    code, out, err = run("check", str(READY))
    assert code == 0, out
    assert "PASSED" in out and err == ""
    assert "\x1b[" not in out  # no colour when not writing to a terminal


def test_not_ready_example_fails_at_the_right_places(not_ready_repo: Path) -> None:
    code, out, _ = run("check", str(not_ready_repo), "--format", "json")
    assert code == 1
    report = json.loads(out)
    results = {r["check_id"]: r for r in report["results"]}
    assert report["verdict"]["passed"] is False
    assert set(report["verdict"]["blocking_checks"]) == {
        "python-syntax-valid",
        "env-file-ignored",
        "dockerfile-non-root-user",
        "dockerfile-production-server",
        "health-endpoint",
        "debug-disabled",
        "api-authentication",
        "production-server",
        "model-integrity-verified",
    }

    def where(check_id: str) -> list[str]:
        return sorted(
            f"{f['locations'][0]['path']}:{f['locations'][0]['start_line']}"
            if f["locations"][0]["start_line"]
            else f["locations"][0]["path"]
            for f in results[check_id]["findings"]
            if f["locations"]
        )

    assert where("python-syntax-valid") == ["utils.py:1"]
    assert where("dependencies-pinned") == ["requirements.txt:1", "requirements.txt:2", "requirements.txt:4"]
    assert where("env-file-ignored") == [".env", ".gitignore"]
    assert results["env-file-ignored"]["severity"] == "critical"  # tracked, not merely unignored
    assert where("env-example-present") == ["app.py:11", "app.py:12"]  # MODEL_PATH has a default
    assert where("readme-present") == ["README.md:1"]
    assert where("dockerfile-production-server") == ["Dockerfile:5"]
    assert results["dockerfile-production-server"]["findings"][0]["locations"][1]["path"] == "app.py"
    assert where("dockerfile-base-image-pinned") == ["Dockerfile:1"]
    assert where("dockerignore-present") == ["Dockerfile:2"]
    assert where("health-endpoint") == ["app.py:10"]
    assert where("debug-disabled") == ["app.py:23"]
    assert where("model-loaded-once") == ["app.py:17"]
    # the .env's value never reaches the report
    assert "placeholder-not-a-real-secret" not in out


def test_fail_on_moves_the_threshold(not_ready_repo: Path) -> None:
    assert run("check", str(READY), "--fail-on", "medium")[0] == 0
    # at info even the gold-level advice blocks: the example's scikit-learn model is a pickle
    code, out, _ = run("check", str(READY), "--fail-on", "info", "--format", "json")
    assert code == 1 and json.loads(out)["verdict"]["blocking_checks"] == ["model-safe-format"]
    # the tracked .env is the one critical finding there
    code, out, _ = run("check", str(not_ready_repo), "--fail-on", "critical", "--format", "json")
    assert code == 1
    assert json.loads(out)["verdict"]["blocking_checks"] == ["env-file-ignored"]


def test_json_report_validates_against_its_schema() -> None:
    _, out, _ = run("check", str(NOT_READY), "--format", "json")
    schema = json.loads((ROOT / "docs" / "report.schema.json").read_text())
    report = json.loads(out)
    jsonschema.validate(report, schema)
    assert report["schema_version"] == "1.0"


@pytest.mark.parametrize("example", [READY, NOT_READY])
def test_sarif_validates_against_the_official_schema(example: Path) -> None:
    _, out, _ = run("check", str(example), "--format", "sarif")
    sarif = json.loads(out)
    schema = json.loads((SHARED / "schemas" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.validate(sarif, schema)
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(REGISTRY)
    for result in sarif["runs"][0]["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    if example == NOT_READY:
        uris = {
            (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
            for r in sarif["runs"][0]["results"]
            if "locations" in r
        }
        assert ("python-syntax-valid", "utils.py") in uris


def test_output_file_and_console(tmp_path: Path) -> None:
    target = tmp_path / "out" / "report.md"
    code, out, _ = run("check", str(NOT_READY), "--format", "markdown", "--output", str(target))
    assert code == 1
    assert target.read_text().startswith("## ❌ prodgate: not ready")
    assert "FAILED" in out


def test_colour_only_when_asked_or_on_a_terminal() -> None:
    assert "\x1b[" in run("check", str(READY), "--color", "always")[1]
    assert "\x1b[" not in run("check", str(READY), "--color", "auto")[1]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["check", "/nonexistent/prodgate"], "prodgate: /nonexistent/prodgate: no such file or directory"),
        (["check", str(ROOT / "README.md")], "not a directory"),
        (["check", ".", "--format", "xml"], "invalid choice: 'xml'"),
        (
            ["check", ".", "--config", "/nonexistent.yml"],
            "prodgate: /nonexistent.yml: the config file is outside the repository",
        ),
        (["check", ".", "--config", "nonexistent.yml"], "prodgate: nonexistent.yml: no such config file"),
        (["explain", "readme-presnt"], "unknown check id 'readme-presnt' (did you mean 'readme-present'?)"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv: list[str], message: str) -> None:
    code, out, err = run(*argv)
    assert code == 2
    assert message in err and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err


def test_bad_config_in_the_repository(make_tree: Callable[..., Path]) -> None:
    root = make_tree({".github/prodgate.yml": "checks:\n  tests-presnt: {}\n", "app.py": ""})
    code, _, err = run("check", str(root))
    assert code == 2
    assert err == (
        f"prodgate: {root}/.github/prodgate.yml:2:3: checks.tests-presnt: unknown check id (did you mean 'tests-present'?)\n"
    )


def test_empty_repository_is_judged_not_crashed(tmp_path: Path) -> None:
    code, out, err = run("check", str(tmp_path), "--format", "json")
    report = json.loads(out)
    outcomes = {r["check_id"]: r["outcome"] for r in report["results"]}
    assert outcomes["python-syntax-valid"] == "not_applicable"
    assert outcomes["tests-present"] == "not_applicable"
    assert outcomes["readme-present"] == "fail"
    # nothing a service needs is there: never "ready" (it was, with only low findings)
    assert outcomes["service-present"] == "fail"
    assert report["verdict"]["summary"].startswith("Not ready: nothing a service needs was found")
    assert code == 1 and err == ""


def test_list_explain_schema_version() -> None:
    code, out, _ = run("list-checks")
    assert code == 0 and all(check_id in out for check_id in REGISTRY)
    code, out, _ = run("explain", "env-file-ignored")
    assert code == 0 and "## Why it matters" in out and "| security |" in out
    code, out, _ = run("schema")
    assert code == 0 and json.loads(out)["title"].startswith("prodgate configuration")
    code, out, _ = run("--version")
    assert code == 0


def test_console_script_runs_as_installed() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", "from gate.cli import entry; entry()", "check", str(NOT_READY)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert "python-syntax-valid" in proc.stdout and proc.stderr == ""


def test_the_installed_command_reports_the_same_with_and_without_its_second_process(tmp_path: Path) -> None:
    """The command forks the secret scanner ahead of its imports; the report is byte for byte the one
    a single process writes, the files only that process could not read (over the cap) included."""
    token = "ghp_" + "Q7vL2xN9kR4tW8zY3mB6cD1fH5jP0sA" + "e4Gi7"  # made up; the shape of a GitHub token
    repo = tmp_path / "repo"
    shutil.copytree(NOT_READY, repo)
    write_tree(
        repo,
        {
            "deploy/notify.sh": f"curl -H 'Authorization: token {token}' https://api.example\n",
            "data/notes.txt": "a line of notes\n" * 80_000,  # over the 1 MiB cap; only the scan reads it
        },
    )
    reports = []
    for no_fork in ("", "1"):
        target = tmp_path / f"report{no_fork}.json"
        proc = subprocess.run(
            [
                sys.executable,
                "-c",
                "from gate.cli import entry; entry()",
                "check",
                str(repo),
                "--offline",
                "--format",
                "json",
                "--output",
                str(target),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "PRODGATE_NO_FORK": no_fork},
        )
        assert proc.returncode == 1 and proc.stderr == ""
        reports.append(target.read_bytes())
    assert reports[0] == reports[1]
    assert [s["path"] for s in json.loads(reports[0])["skipped"]] == ["data/notes.txt"]
    found = [r for r in json.loads(reports[0])["results"] if r["check_id"] == "no-hardcoded-secrets"]
    assert (
        found[0]["outcome"] == "fail"
        and found[0]["findings"][0]["locations"][0]["path"] == "deploy/notify.sh"
    )


def _in_a_terminal(columns: int, *argv: str) -> str:
    """What the installed command prints into a real pseudo-terminal `columns` wide (the size set on
    the terminal itself, as a terminal emulator does; COLUMNS removed from the environment)."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "NO_COLOR")} | {"TERM": "xterm"}
    cmd = [sys.executable, "-c", "from gate.cli import entry; entry()", *argv]
    proc = subprocess.Popen(cmd, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the program ended and closed its side
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.wait(timeout=120) == 1
    return b"".join(chunks).decode().replace("\r\n", "\n")


def test_on_a_terminal_lines_wrap_to_its_width_and_in_a_pipe_they_do_not(tmp_path: Path) -> None:
    shown = _in_a_terminal(72, "check", str(NOT_READY), "--offline")
    visible = re.sub(r"\x1b\[[0-9;]*m", "", shown)
    assert "\x1b[" in shown, "a terminal gets colour"
    long = [line for line in visible.splitlines() if len(line) > 72 and " " in line.strip()]
    assert not long, long
    assert "  [blocking]" in visible and "debugging on." in visible
    _, piped, _ = run("check", str(NOT_READY), "--offline")
    assert max(len(line) for line in piped.splitlines()) > 72, "a pipe keeps one line per row"
    # nothing is lost to the wrapping: the same words in the same order (in a narrow terminal the
    # summary column goes under each row, so its header and the row's [blocking] tag move)
    moved = ("SUMMARY", "[blocking]")
    assert [w for w in visible.split() if w not in moved] == [w for w in piped.split() if w not in moved]
    assert visible.count("[blocking]") == piped.count("[blocking]")
    assert not [line for line in visible.splitlines() if line != line.rstrip()], "no trailing spaces"
    target = tmp_path / "report.txt"
    _in_a_terminal(72, "check", str(NOT_READY), "--offline", "--output", str(target))
    written = target.read_text()
    assert "\x1b[" not in written and written == piped


def test_docs_command_regenerates_pages_and_schemas(tmp_path: Path) -> None:
    (tmp_path / "checks").mkdir()
    (tmp_path / "checks" / "retired-check.md").write_text("old\n")
    code, out, _ = run("docs", "--output", str(tmp_path))
    assert code == 0 and "3 schemas" in out
    assert {p.stem for p in (tmp_path / "checks").glob("*.md")} == set(REGISTRY)
    assert json.loads((tmp_path / "config.schema.json").read_text())["title"].startswith(
        "prodgate configuration"
    )
    assert "schema_version" in json.loads((tmp_path / "report.schema.json").read_text())["properties"]
    aggregate = json.loads((tmp_path / "org-aggregate.schema.json").read_text())
    assert {"services", "changes", "blocking"} <= set(aggregate["properties"])


@pytest.mark.parametrize("seconds", ["0", "-1", "100000"])
def test_time_budget_outside_the_configs_bounds_is_one_clear_line(seconds: str) -> None:
    code, _, err = run("check", str(READY), "--time-budget", seconds)
    assert code == 2 and err.count("\n") == 1 and "--time-budget" in err


def test_the_parser_choices_are_the_formats_and_severities_they_stand_for() -> None:
    """The parser writes its choices out (it is built before anything heavy is imported)."""
    from gate.cli import FORMAT_NAMES, SEVERITY_NAMES, SHOW_NAMES
    from gate.model import Severity
    from gate.report.formats import FORMATS, SHOW

    assert tuple(FORMATS) == FORMAT_NAMES
    assert tuple(SHOW) == SHOW_NAMES
    assert tuple(s.value for s in Severity) == SEVERITY_NAMES


def test_check_help_is_printed_once() -> None:
    """The command line parses `check`'s arguments early (to list the folder in its second process):
    that parse must not print the help a second time."""
    proc = subprocess.run(
        [sys.executable, "-c", "from gate.cli import entry; entry()", "check", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0 and proc.stdout.count("usage:") == 1 and proc.stderr == ""


def _imported_by_a_check_run(repo: Path, *extra: str) -> set[str]:
    """The modules the installed command's own process imports on a check run (-X importtime; the
    second process writes to /dev/null)."""
    command = ["from gate.cli import entry; entry()", "check", str(repo), "--offline", *extra]
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", *command],
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"},
    )
    assert proc.returncode == 1
    return {
        line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")
    }


def test_a_check_run_imports_no_checklist_code_and_no_package_metadata(tmp_path: Path) -> None:
    """Start-up is most of a small repository's run: a run without a team checklist imports neither the
    checklist matcher nor the catalog, and pydantic's plugin loader (which imports importlib.metadata)
    is replaced while plugins are disabled."""
    plain = _imported_by_a_check_run(NOT_READY)
    assert {"gate.engine", "pydantic", "jinja2"} <= plain  # the listing is read right
    assert not plain & {"gate.checklist", "gate.catalog", "gate.signoffs", "importlib.metadata", "difflib"}
    # an offline run starts no process here, and the console escapes no HTML
    assert not plain & {"subprocess", "html"}
    # PyYAML comes with the first YAML file read: here, the workflow
    assert "yaml" in plain
    no_yaml = tmp_path / "no-yaml"
    shutil.copytree(NOT_READY, no_yaml, ignore=shutil.ignore_patterns(".github"))
    assert "yaml" not in _imported_by_a_check_run(no_yaml)
    repo = tmp_path / "repo"
    shutil.copytree(NOT_READY, repo)
    (repo / "checklist.md").write_text("- [ ] Health endpoint\n", encoding="utf-8")
    assert {"gate.checklist", "gate.catalog"} <= _imported_by_a_check_run(
        repo, "--checklist", str(repo / "checklist.md")
    )


def test_the_plugin_loader_stand_in_is_all_pydantic_asks_of_the_real_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """pydantic imports one name from its plugin loader, and the real loader gives no plugin while
    they are disabled: the stand-in (gate.cli._no_pydantic_plugins) does exactly that. A pydantic that
    asks more of the module fails here, not in a user's run."""
    import ast

    import pydantic
    from pydantic.plugin import _loader

    asked: set[str] = set()
    for source in Path(pydantic.__file__).parent.rglob("*.py"):
        if source.name == "_loader.py":
            continue
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("_loader"):
                asked |= {alias.name for alias in node.names}
            elif isinstance(node, ast.Attribute | ast.Name) and "_loader" in ast.unparse(node).split("."):
                asked.add(ast.unparse(node))
    assert asked == {"get_plugins"}
    monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", "__all__")
    assert tuple(_loader.get_plugins()) == ()
    monkeypatch.delitem(sys.modules, "pydantic.plugin._loader")
    from gate.cli import _no_pydantic_plugins

    _no_pydantic_plugins()
    stand_in = sys.modules["pydantic.plugin._loader"]
    assert stand_in is not _loader and tuple(stand_in.get_plugins()) == ()
    monkeypatch.setitem(sys.modules, "pydantic.plugin._loader", _loader)


def test_the_plugin_loader_is_left_alone_when_plugins_are_not_disabled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pydantic.plugin import _loader

    from gate.cli import _no_pydantic_plugins

    monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", "some-plugin")
    _no_pydantic_plugins()
    assert sys.modules["pydantic.plugin._loader"] is _loader


def test_the_early_parse_is_used_once_and_only_for_the_same_arguments(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`entry` parses check's arguments early; `run` reuses that parse for the same arguments only."""
    from gate import cli

    built: list[int] = []
    real = cli._parser

    def counting() -> argparse.ArgumentParser:
        built.append(1)
        return real()

    monkeypatch.setattr(cli, "_parser", counting)
    argv = ["check", str(NOT_READY), "--offline", "--format", "json"]
    assert cli._checked_root(argv) == NOT_READY
    assert cli.run(argv, io.StringIO()) == 1 and len(built) == 1
    assert cli.run(argv, io.StringIO()) == 1 and len(built) == 2, "given once"
    cli._checked_root(argv)
    other = ["check", str(NOT_READY), "--offline", "--format", "markdown"]
    out = io.StringIO()
    assert cli.run(other, out) == 1 and len(built) == 4 and out.getvalue().startswith("#")


def test_the_second_process_runs_its_job_ahead_only_when_the_defaults_decide_it(tmp_path: Path) -> None:
    """The job run ahead reads the repository with the default settings: not when a config file, --config
    or --time-budget may change what the run reads or how long it may take."""
    from gate import cli

    plain = write_tree(tmp_path / "plain", {"app.py": "print(1)\n"})
    configured = write_tree(tmp_path / "configured", {".github/prodgate.yml": "exclude: ['vendor/']\n"})

    def ahead(*argv: str) -> str | None:
        return cli._ahead_of_job(cli._checked_root(list(argv)))

    assert ahead("check", str(plain), "--offline") == "gate.facts.apart:ahead"
    assert ahead("check", str(configured)) is None
    assert ahead("check", str(plain), "--config", str(configured / ".github/prodgate.yml")) is None
    assert ahead("check", str(plain), "--time-budget", "30") is None
    assert ahead("list-checks") is None
