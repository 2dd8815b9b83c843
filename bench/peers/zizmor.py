"""zizmor's per-audit integration tests (crates/zizmor/tests/integration/audit/<audit>.rs) as cases.

Each `insta::assert_snapshot!(zizmor().input(input_under_test("x.yml"))..., @"...")` runs zizmor on one
file of test-data/ and holds its output inline: a finding of the audit under test (`error[audit]:`,
with its `--> file:LINE:COL`) makes the case a failure, none a pass. Runs with another persona
(`--pedantic`, `--persona=...`) or a config are recorded as the case's peer config; fix runs
(temporary workspaces, `--fix`), online runs and runs expected to fail are not cases.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from bench.peers.cases import Case

TESTS = "crates/zizmor/tests/integration"
_SNAPSHOT = re.compile(r"insta::assert_snapshot!\s*\(")
_INPUT = re.compile(r'input_under_test\(\s*"([^"]+)"\s*\)')
_ARGS = re.compile(r"\.args\(\s*\[([^\]]*)\]\s*\)")
_LITERAL = re.compile(r'@r(#*)"(.*?)"\1|@"((?:[^"\\]|\\.)*)"', re.S)
_HEADER = re.compile(r"^\s*(error|warning|help|info)\[([a-z0-9-]+)\]:", re.M)
_WHERE = re.compile(r"^\s*-->\s*\S+?:(\d+):\d+\s*$", re.M)
_SKIP = ("workspace", "expects_failure", "AssertOnline", "--fix")


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), text)


def _dedent(text: str) -> str:
    lines = text.split("\n")
    lines = lines[1:] if lines and not lines[0].strip() else lines
    indent = min((len(line) - len(line.lstrip()) for line in lines if line.strip()), default=0)
    return "\n".join(line[indent:] for line in lines).strip()


def _findings(snapshot: str, audit: str) -> list[int]:
    """The first line of each finding of `audit` in zizmor's output."""
    lines: list[int] = []
    headers = list(_HEADER.finditer(snapshot))
    for n, h in enumerate(headers):
        if h[2] != audit:
            continue
        end = headers[n + 1].start() if n + 1 < len(headers) else len(snapshot)
        where = _WHERE.search(snapshot, h.end(), end)
        lines.append(int(where[1]) if where else 0)
    return lines


def _placed(name: str) -> str:
    """Where the file goes in the repository prodgate judges: an action where actions live, a workflow
    among the workflows."""
    if name.endswith(("action.yml", "action.yaml")):
        return f".github/actions/{name.rsplit('/', 2)[-2] if '/' in name else 'local'}/action.yml"
    return f".github/workflows/{name.rsplit('/', 1)[-1]}"


def cases(repo: Path, rules: set[str]) -> list[Case]:
    found: list[Case] = []
    for audit in sorted(rules):
        path = f"{TESTS}/audit/{audit.replace('-', '_')}.rs"
        try:
            source = _git(repo, "show", f"HEAD:{path}")
        except subprocess.CalledProcessError:
            continue
        starts = [m.end() for m in _SNAPSHOT.finditer(source)]
        for n, start in enumerate(starts):
            chunk = source[start : starts[n + 1] if n + 1 < len(starts) else len(source)]
            literal = _LITERAL.search(chunk)
            if literal is None:
                continue
            builder = chunk[: literal.start()]
            inputs = _INPUT.findall(builder)
            if len(inputs) != 1 or any(s in builder for s in _SKIP):
                continue
            args = [a for a in re.findall(r'"([^"]*)"', " ".join(_ARGS.findall(builder)))]
            config = " ".join(args + (["--config"] if ".config(" in builder else []))
            snapshot = _dedent(literal[2] if literal[2] is not None else _unescape(literal[3]))
            lines = _findings(snapshot, audit)
            text = _git(repo, "show", f"HEAD:{TESTS}/test-data/{inputs[0]}")
            line = source.count("\n", 0, start) + 1
            found.append(
                Case(
                    peer="zizmor",
                    rule=audit,
                    name=f"{path}:{line} {inputs[0]}" + (f" {config}" if config else ""),
                    files={_placed(inputs[0]): text},
                    peer_fails=bool(lines),
                    peer_config=config,
                    lines=tuple(lines),
                )
            )
    return found
