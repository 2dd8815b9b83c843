"""The hostile repositories: each case builds, at run time, a repository that once made the gate run
the repository's code, call a malicious model safe, read outside the repository, hang, exhaust memory
or crash. `tests/hostile/` asserts each ends in a clear, bounded result; `bench/hostile.py` prints the
time and peak memory of every case.

Nothing here is copied from anywhere: the patterns come from issue #13 and the public write-ups the
picklescan and fickling projects test against, written again in our own words.
"""

from __future__ import annotations

import os
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from tests.conftest import git, write_tree
from tests.hostile import picklebytes as pb

MiB = 1024 * 1024


@dataclass(frozen=True)
class Run:
    """How to run the gate on a built case. `marker` must never exist afterwards: it is written only
    by code the gate must never execute."""

    root: Path
    args: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    marker: Path | None = None
    secret: str | None = None
    """A value that must appear in no output (a credential, a file outside the repository)."""


@dataclass(frozen=True)
class Case:
    name: str
    family: str
    what: str
    build: Callable[[Path], Run]
    check: str | None = None
    """The check whose outcome the case is about."""
    outcomes: frozenset[str] = frozenset()
    """Outcomes that are right for `check`; empty when the run must be refused as a whole."""
    exit_codes: frozenset[int] = frozenset({0, 1})
    audit: bool = False
    """Runs the vulnerability audit (needs an OSV service); the others run --offline."""
    seconds: float = 60
    """A generous bound: the case is near-linear, so far below it on any machine."""
    megabytes: int = 768
    """Peak resident memory allowed."""
    test_args: tuple[str, ...] = ()
    """Extra arguments when the suite runs it (a short time budget where the default would be slow)."""


SERVICE = """from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
def health():
    return {"status": "ok"}
"""


# -- code execution --------------------------------------------------------------------------------


def _shadow(tmp: Path) -> Run:
    """Modules named like the stdlib and like pip-audit at the root of the repository, which is the
    working directory of the Action: any Python started there with `-m` would import them."""
    marker = tmp / "EXECUTED"
    payload = f"import os\nopen({str(marker)!r}, 'w').write(os.environ.get('GITHUB_TOKEN', ''))\n"
    root = write_tree(
        tmp / "repo",
        {
            "app.py": SERVICE,
            "requirements.txt": "fastapi==0.110.0\nrequests==2.19.0\n",
            "argparse.py": payload,
            "json.py": payload,
            "typing.py": payload,
            "pip_audit.py": payload,
            "pip_audit/__main__.py": payload,
            "sitecustomize.py": payload,
        },
    )
    return Run(root, cwd=root, marker=marker, env={"GITHUB_TOKEN": "ghp_hostile_token_value"})


GIT_KEYS: dict[str, Callable[[str], list[tuple[str, str]]]] = {
    "fsmonitor": lambda cmd: [("core.fsmonitor", cmd)],
    "hooks": lambda cmd: [("core.hooksPath", "hooks")],
    "pager": lambda cmd: [("core.pager", cmd), ("pager.ls-files", cmd)],
    "external-diff": lambda cmd: [("diff.external", cmd)],
    "textconv": lambda cmd: [("diff.evil.textconv", cmd)],
    "filters": lambda cmd: [
        ("filter.evil.clean", cmd),
        ("filter.evil.smudge", cmd),
        ("filter.evil.process", cmd),
        ("filter.evil.required", "true"),
    ],
    "credential-helper": lambda cmd: [("credential.helper", f"!{cmd}")],
    "ssh-command": lambda cmd: [("core.sshCommand", cmd)],
    "askpass": lambda cmd: [("core.askPass", cmd)],
}


def _git_config(key: str) -> Callable[[Path], Run]:
    def build(tmp: Path) -> Run:
        marker = tmp / "EXECUTED"
        cmd = f"touch {marker}"
        root = write_tree(tmp / "repo", {"app.py": SERVICE, ".gitattributes": "* filter=evil diff=evil\n"})
        git(root, "init", "-q", "-b", "main")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "x")
        for name, value in GIT_KEYS[key](cmd):
            git(root, "config", name, value)
        hooks = root / "hooks"
        hooks.mkdir()
        for hook in ("post-checkout", "post-index-change", "pre-commit", "fsmonitor-watchman"):
            (hooks / hook).write_text(f"#!/bin/sh\n{cmd}\n", encoding="utf-8")
            (hooks / hook).chmod(0o755)
        (root / "untracked.py").write_text("x = 1\n", encoding="utf-8")
        return Run(root, marker=marker)

    return build


# -- model files called safe -----------------------------------------------------------------------


def _model(name: str, make: Callable[[str], bytes]) -> Callable[[Path], Run]:
    def build(tmp: Path) -> Run:
        marker = tmp / "EXECUTED"
        root = write_tree(tmp / "repo", {"app.py": SERVICE, f"models/{name}": make(str(marker))})
        return Run(root, marker=marker)

    return build


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_STORED) -> bytes:
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w", compression=method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _torch_like(data_pkl: bytes, extra: dict[str, bytes] | None = None) -> bytes:
    """The layout torch.save writes: archive/data.pkl, archive/version, archive/data/<storage>."""
    return _zip(
        {
            "archive/data.pkl": data_pkl,
            "archive/version": b"3\n",
            "archive/data/0": b"\0" * 16,
            **(extra or {}),
        }
    )


def _pickle_then_zip(marker: str) -> bytes:
    return pb.os_system(marker) + _torch_like(pb.benign_dict())


def _concatenated(marker: str) -> bytes:
    return pb.benign_dict() + pb.os_system(marker)


def _zip_extra_member(marker: str) -> bytes:
    return _torch_like(pb.benign_dict(), {"archive/extra.pkl": pb.os_system(marker)})


def _bad_compression(_marker: str) -> bytes:
    """A 200-byte-class .pth zip whose member header claims compression method 99 (AES), which
    Python's zipfile cannot read."""
    data = bytearray(_zip({"archive/data.pkl": pb.benign_dict()}))
    for sig in (b"PK\x03\x04", b"PK\x01\x02"):
        at = data.find(sig)
        offset = 8 if sig == b"PK\x03\x04" else 10
        data[at + offset : at + offset + 2] = struct.pack("<H", 99)
    return bytes(data)


def _frame_straddle(marker: str) -> bytes:
    """A FRAME shorter than the opcode that starts in it: the operand's bytes swallow a hidden call,
    which an unpickler that reads past the frame's end would run."""
    hidden = bytes(pb.Pickle(2).call("os", "system", pb.marker_command(marker)))[2:]
    body = b"\x95" + struct.pack("<Q", 2) + b"B" + struct.pack("<I", len(hidden)) + hidden
    return b"\x80\x05" + body + b"."


# -- reading outside the repository ----------------------------------------------------------------

SECRET_TEXT = "TOP-SECRET-OUTSIDE-THE-REPOSITORY"  # noqa: S105  # prodgate: ignore[no-hardcoded-secrets] a canary text, not a credential
OUTSIDE_CHECKLIST = f"# Outside\n\n- [ ] Health check endpoint working {SECRET_TEXT}\n"


def _outside_checklist(how: str) -> Callable[[Path], Run]:
    def build(tmp: Path) -> Run:
        outside = write_tree(tmp / "outside", {"list.md": OUTSIDE_CHECKLIST})
        files: dict[str, str | bytes] = {"app.py": SERVICE}
        if how == "relative":
            files[".github/prodgate.yml"] = "checklist: ../outside/list.md\n"
        elif how == "absolute":
            files[".github/prodgate.yml"] = f"checklist: {outside / 'list.md'}\n"
        else:
            files[".github/prodgate.yml"] = "checklist: docs/list.md\n"
        root = write_tree(tmp / "repo", files)
        if how == "symlink":
            (root / "docs").mkdir()
            (root / "docs" / "list.md").symlink_to(outside / "list.md")
        return Run(root, secret=SECRET_TEXT)

    return build


def _outside_config(tmp: Path) -> Run:
    outside = write_tree(tmp / "outside", {"prodgate.yml": f"# {SECRET_TEXT}\nfail_on: [\n"})
    root = write_tree(tmp / "repo", {"app.py": SERVICE})
    return Run(root, args=("--config", str(outside / "prodgate.yml")), secret=SECRET_TEXT)


def _dockerfile_symlink(tmp: Path) -> Run:
    outside = write_tree(
        tmp / "outside",
        {"Dockerfile": "FROM python:3.11-slim\nUSER 1000\nHEALTHCHECK CMD curl -f http://localhost/health\n"},
    )
    root = write_tree(tmp / "repo", {"app.py": SERVICE})
    (root / "Dockerfile").symlink_to(outside / "Dockerfile")
    return Run(root)


# the shape of a GitHub token, made up: what a runner's environment file would hold
RUNNER_TOKEN = "ghp_" + "Z8kQ2wL5nV7xR1tB4mC9dF3hJ6pS0aE" + "y2Ui5"


def _secret_symlink(tmp: Path) -> Run:
    """A file of the runner's, beside the checkout, holding a token, and a symlink to it: the secret
    scanner (which runs in a second process) must refuse it as the rest of the gate does."""
    outside = write_tree(tmp / "outside", {"runner.env": f"GITHUB_TOKEN={RUNNER_TOKEN}\n"})
    root = write_tree(tmp / "repo", {"app.py": SERVICE})
    (root / "settings.env").symlink_to(outside / "runner.env")
    return Run(root, secret=RUNNER_TOKEN)


def _zero_symlink(tmp: Path) -> Run:
    """A symlink to /dev/zero, an endless file that claims no size."""
    root = write_tree(tmp / "repo", {"app.py": SERVICE})
    (root / "notes.txt").symlink_to("/dev/zero")
    return Run(root)


CREDENTIAL = "s3cr3t-t0ken-in-a-url"


def _requirement_credentials(tmp: Path) -> Run:
    root = write_tree(
        tmp / "repo",
        {
            "app.py": SERVICE,
            "requirements.txt": (
                f"--extra-index-url https://deploy:{CREDENTIAL}@pypi.example.com/simple\n"
                f"private-model-lib @ https://ci-bot:{CREDENTIAL}@git.example.com/lib/archive/v1.tar.gz\n"
                f"git+https://oauth2:{CREDENTIAL}@gitlab.example.com/team/features.git@v2#egg=features\n"
                "fastapi\n"
            ),
        },
    )
    return Run(root, secret=CREDENTIAL)


# -- hangs and memory ------------------------------------------------------------------------------


def _yaml_strings(tmp: Path) -> Run:
    """400 KB under an anchor, repeated by ~70k aliases: 760 KB of YAML, tens of GB once expanded."""
    big = "A" * (400 * 1024)
    aliases = "".join("      - *big\n" for _ in range(360 * 1024 // 13))
    compose = f"x-big: &big {big}\nservices:\n  api:\n    image: api:1\n    command:\n{aliases}"
    return Run(write_tree(tmp / "repo", {"app.py": SERVICE, "docker-compose.yml": compose}))


def _compose_services(tmp: Path) -> Run:
    body = "".join(f"  s{i}:\n    image: app:{i}\n" for i in range(30_000))
    return Run(write_tree(tmp / "repo", {"app.py": SERVICE, "docker-compose.yml": f"services:\n{body}"}))


def _pyproject_deps(tmp: Path) -> Run:
    deps = "".join(f'  "package-{i}>=1.0",\n' for i in range(40_000))
    text = f'[project]\nname = "svc"\nversion = "1"\ndependencies = [\n{deps}]\n'
    return Run(write_tree(tmp / "repo", {"app.py": SERVICE, "pyproject.toml": text}))


def _print_calls(tmp: Path) -> Run:
    body = "".join(f'    print("step {i}")\n' for i in range(40_000))
    return Run(write_tree(tmp / "repo", {"app.py": SERVICE + f"\n\ndef run():\n{body}"}))


def _app_over_cap(tmp: Path) -> Run:
    """The service's own module just over the parse cap: its checks must not become "no application"."""
    body = "".join(f'    log.info("step {i}")\n' for i in range(50_000))
    return Run(write_tree(tmp / "repo", {"app.py": SERVICE + f"\n\ndef run():\n{body}"}))


def _workflow_jobs(tmp: Path) -> Run:
    jobs = "".join(f"  j{i}:\n    runs-on: x\n    steps: [{{run: a}}]\n" for i in range(22_000))
    text = f"on: push\npermissions: {{}}\njobs:\n{jobs}"
    return Run(write_tree(tmp / "repo", {"app.py": SERVICE, ".github/workflows/ci.yml": text}))


LONG_NAME = "a" * 200


def _compose_flags(tmp: Path) -> Run:
    """A README line of 900 KB of `docker compose ` with no `-f`: the scan for a named compose file
    restarted at each one and ran to the line's end (minutes)."""
    return Run(
        write_tree(
            tmp / "repo", {"app.py": SERVICE, "README.md": "# svc\n\n" + "docker compose " * 60_000 + "\n"}
        )
    )


ENV_SECRET = "x9Kq2vLm7Tz4pQ"  # noqa: S105  # prodgate: ignore[no-hardcoded-secrets] a fixture value


def _env_references(tmp: Path) -> Run:
    """A secret followed by 420 KB of unclosed `{env:A:` on one line: each was scanned to the line's
    end while the value was judged (minutes). The secret is found, and never printed."""
    line = f"  DB_PASSWORD={ENV_SECRET}" + "{env:A:" * 60_000
    root = write_tree(tmp / "repo", {"app.py": SERVICE, "tox.ini": "[testenv]\nsetenv =\n" + line + "\n"})
    return Run(root, secret=ENV_SECRET)


def _helm_braces(tmp: Path) -> Run:
    """A chart whose template holds 1 MB of unclosed `{{ .Values.x` on one line and 20,000 nested
    `if` blocks: the template is read line by line in linear time, then left unjudged."""
    nested = "{{- if .Values.on }}\n" * 20_000 + "{{- end }}\n" * 20_000
    files = {
        "chart/Chart.yaml": "apiVersion: v2\nname: c\nversion: 0.1.0\n",
        "chart/values.yaml": "on: true\n",
        "chart/templates/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nx: "
        + "{{ .Values.x " * 80_000
        + "\n",
        "chart/templates/nested.yaml": "apiVersion: apps/v1\nkind: Deployment\n" + nested,
    }
    return Run(write_tree(tmp / "repo", files))


def _run_words(tmp: Path) -> Run:
    """RUN steps of 120-180 KB each (the file under the 1 MiB read limit): `git -c ` words (a regular expression with two `.*` took minutes; a segment of `curl ` words was read once per word),
    unclosed `A="` assignments, `rm -x` flags and unclosed quotes before a pipe, and a quoted pip
    requirement of 150,000 spaces: every one read in linear time."""

    def run(word: str, times: int, head: str = "", tail: str = "") -> str:
        # one logical RUN of many physical lines: BuildKit refuses a physical line over 64 KB
        return "RUN " + head + " \\\n".join(word * 100 for _ in range(times // 100)) + tail

    lines = [
        run("git -c ", 20_000),
        run("curl ", 20_000),
        run('A="', 40_000),
        run("-x ", 40_000, head="apt-get install -y --no-install-recommends curl && rm "),
        run('"a ', 40_000, tail=" | wc -l"),
        run(" ", 150_000, head='pip install "torch', tail='=="'),
    ]
    return Run(write_tree(tmp / "repo", {"Dockerfile": "FROM python:3.12-slim\n" + "\n".join(lines) + "\n"}))


def _helm_values_bomb(tmp: Path) -> Run:
    """A chart whose 20,000 template lines each write its 500 KB values.yaml out with toYaml: 10 GB
    if rendered; the template is left unjudged instead."""
    files = {
        "chart/Chart.yaml": "apiVersion: v2\nname: c\nversion: 0.1.0\n",
        "chart/values.yaml": "blob: " + "x" * 500_000 + "\n",
        "chart/templates/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\n"
        + "x: {{ toYaml .Values }}\n" * 20_000,
    }
    return Run(write_tree(tmp / "repo", files))


def _checklist_lines(tmp: Path) -> Run:
    """A team checklist (the config names it) whose lines the matcher reads by regular expressions and
    word by word: a coverage line holding 400,000 spaces after a number (its threshold pattern
    backtracked for minutes), a line of 400 KB of `a.` (one run of 200,000 word parts), a line of
    20,000 words that name a check again and again (every concept tried against every word) and a
    route line of "/a" and 200 "and/", short enough to be read (a route pattern once split it between
    path and separator every possible way)."""
    checklist = (
        "# Go-live\n\n"
        "- [ ] Coverage <!-- prodgate: test-coverage --> 1" + " " * 400_000 + "%\n"
        "- [ ] " + "a." * 200_000 + "\n"
        "- [ ] " + "rate limit " * 10_000 + "\n"
        "- [ ] `/a" + "and/" * 200 + "` !\n"
    )
    files = {
        "app.py": SERVICE,
        "CHECKLIST.md": checklist,
        ".github/prodgate.yml": "checklist: CHECKLIST.md\n",
    }
    return Run(write_tree(tmp / "repo", files))


def _ops_doc_lines(tmp: Path) -> Run:
    """Operations documents read for topics and objectives, asked for by a team checklist: an RTO line
    followed by 200,000 digits (the duration pattern backtracked quadratically: minutes), a line of
    500 KB of `](` and one of `![` (read for diagram links), and an architecture heading over them."""
    ops = (
        "# Operations\n\n## Architecture\n\n"
        + "](" * 250_000
        + "\n"
        + "![" * 250_000
        + "\n\n## Recovery\n\nRTO: "
        + "1" * 200_000
        + " x\n"
    )
    checklist = "# Go-live\n\n- [ ] RTO (Recovery Time Objective) < 1 hour\n- [ ] Architecture diagram\n"
    files = {
        "app.py": SERVICE,
        "docs/OPERATIONS.md": ops,
        "CHECKLIST.md": checklist,
        ".github/prodgate.yml": "checklist: CHECKLIST.md\n"
        "checks:\n  ops-doc-topics:\n    options:\n      topics: [rto, architecture-diagram]\n",
    }
    return Run(write_tree(tmp / "repo", files))


def _alert_rules(tmp: Path) -> Run:
    """A rule file of 20,000 `- alert:` entries each indented under the one before (every entry read
    to the end of the file, and every line stripped again for each entry: minutes), and an expression
    of 100,000 digits."""
    nested = "".join(" " * (i % 1_500) + "- alert: A\n" for i in range(20_000))
    files = {
        "app.py": SERVICE,
        "monitoring/deep.yml": nested,
        "monitoring/long.yml": "- alert: X\n  expr: " + "1" * 100_000 + " > 0\n",
        ".github/prodgate.yml": "checks:\n  alert-rules-cover:\n    options:\n      kinds: [latency]\n",
    }
    return Run(write_tree(tmp / "repo", files))


def _proxy_lines(tmp: Path) -> Run:
    """An nginx configuration of 1,000 lines each repeating `listen 443` 150 times without `ssl`, a
    Caddyfile line of 1 MB, and a crontab and a logging configuration of long lines: read for TLS,
    backups and the logging pipeline, by patterns that must not rescan a line from every `listen`."""
    files = {
        "app.py": SERVICE,
        "deploy/nginx.conf": ("listen 443 " * 150 + "\n") * 1_000,
        "Caddyfile": "a" * 1_000_000 + " {\n",
        "ops/crontab": ("0 2 * * * backup " + "1" * 50_000 + "\n") * 10,
        "gunicorn.conf.py": ("accesslog = '" + "-" * 100_000 + "'\n") * 5,
        ".github/prodgate.yml": "checks:\n  tls-configured:\n    options:\n      aspects: [tls]\n",
    }
    return Run(write_tree(tmp / "repo", files))


def _plain_http(tmp: Path) -> Run:
    """What the plain-HTTP and silent-receiver readers scan, in sizes that would make a careless pattern
    quadratic, each under the 1 MB parse cap: a host nginx of 60,000 `listen 80;` lines, a security
    group of 8,000 ingress blocks and a 200 KB line, an Alertmanager configuration of 400,000 blank
    lines under its receivers, Caddyfile site lines of 5,000 comma-separated names with no `{` (the
    site patterns once split such a list every way: 30 names took a minute)."""
    ingress = '  ingress {\n    from_port = 8000\n    to_port = 8000\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n'
    files = {
        "app.py": SERVICE,
        "deploy/nginx.conf": "server {\n  server_name a.example.com;\n  location / { proxy_pass http://app; }\n"
        + "  listen 80;\n" * 60_000
        + "}\n",
        "infra/main.tf": 'resource "aws_security_group" "api" {\n'
        + ingress * 8_000
        + "#"
        + "x" * 200_000
        + "\n}\n",
        "monitoring/alertmanager.yml": "route:\n  receiver: team\nreceivers:\n" + " \n" * 400_000,
        "Caddyfile": "a.example.com" + ",b" * 5_000 + " x\nhttp://a" + ",b" * 5_000 + " x\n",
        ".github/prodgate.yml": "checks:\n  tls-configured:\n    options:\n      aspects: [tls]\n",
    }
    return Run(write_tree(tmp / "repo", files))


def _many_parts(tmp: Path) -> Run:
    """What the on-demand facts read, in numbers that made them quadratic: a test file of 44,000
    requests (each match's line was counted from the top), a document of 30,000 "Architecture"
    headings (each section's end was found by a scan of all headings), and 3,000 pages served as
    frontends (every file was compared with every frontend folder)."""
    files = {
        "app.py": SERVICE,
        "tests/test_app.py": "def test_all(client):\n" + '    client.get("/health")\n' * 44_000,
        "docs/ARCHITECTURE.md": "# Architecture\n\nsee below\n\n" * 30_000,
        ".github/prodgate.yml": "checks:\n"
        "  routes-tested:\n    options:\n      aspects: [all]\n"
        "  ops-doc-topics:\n    options:\n      topics: [architecture-diagram]\n"
        "  frontend-hardening:\n    options:\n      aspects: [bundle-size]\n",
    }
    files.update({f"pages/p{i}/index.html": "<p>page</p>\n" for i in range(3_000)})
    return Run(write_tree(tmp / "repo", files))


def _workflow_words(tmp: Path) -> Run:
    """A workflow whose run steps are lines of 100 KB of `curl `, `black `, `restore `, `kubectl ` and
    `terraform ` words (the file under the 1 MiB read limit), and a service module with a line of 60,000
    `set_cookie(` calls: read for
    what CI exercises, the formatter, restore drills and cookie sessions by patterns of the shape
    `a[^\\n]*b`, which rescanned the line from every `a` (10 to 20 s per 100 KB line)."""
    words = ("curl ", "black ", "restore ", "kubectl ", "terraform ", "docker compose ", "pytest ")
    steps = "".join(f"      - run: {word * (100_000 // len(word))}\n" for word in words)
    files = {
        "app.py": SERVICE + "\n\ndef cookies(response):\n    " + "response.set_cookie(" * 60_000 + "\n",
        "Dockerfile": "FROM python:3.12-slim\n",
        "compose.yaml": "services:\n  api:\n    build: .\n",
        ".github/workflows/ci.yml": "on: pull_request\njobs:\n  ci:\n    runs-on: ubuntu-24.04\n    steps:\n"
        + steps,
        ".github/prodgate.yml": "checks:\n"
        "  ci-exercises:\n    options:\n      aspects: [container, compose, image-scan, registry-login, dast]\n"
        "  drills-exercised:\n    options:\n      aspects: [restore, rollback]\n"
        "  request-sinks:\n    options:\n      aspects: [csrf]\n",
    }
    return Run(write_tree(tmp / "repo", files))


def _makefile_spaces(tmp: Path) -> Run:
    """A Makefile line of 250,000 spaces and a README line of 1 MB of `curl `: both were read by
    regular expressions that backtrack quadratically (minutes)."""
    workflow = "on: pull_request\njobs:\n  t:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: make ci\n"
    return Run(
        write_tree(
            tmp / "repo",
            {
                "app.py": SERVICE,
                "Makefile": " " * 250_000 + "\nci:\n\tpytest -q\n",
                "README.md": "# svc\n\n" + "curl " * 200_000 + "\n",
                ".github/workflows/ci.yml": workflow,
            },
        )
    )


def _auth_chain(tmp: Path) -> Run:
    """4,000 dependencies each on the next, declared last-first: the authenticator search rescanned every
    function until nothing changed (a minute); now each name is followed once."""
    lines = ["from fastapi import Depends, FastAPI", "from fastapi.security import APIKeyHeader"]
    lines += ["scheme = APIKeyHeader(name='k')", "app = FastAPI()"]
    lines += [f"def f{i}(x=Depends(f{i - 1})):\n    return x" for i in range(3999, 0, -1)]
    lines += ["def f0(k=Depends(scheme)):\n    return k"]
    lines += ["@app.post('/predict', dependencies=[Depends(f3999)])\ndef predict():\n    return 1"]
    return Run(write_tree(tmp / "repo", {"app.py": "\n".join(lines) + "\n"}))


def _secret_lines(tmp: Path) -> Run:
    """Long words the secret-candidate pattern restarted on at every position: `eyJ` repeated (a JWT's
    start) took 11 s for 150 KB, `pass` repeated grew with the square of the line."""
    return Run(
        write_tree(
            tmp / "repo",
            {"app.py": SERVICE, "notes.txt": "eyJ" * 150_000 + "\n" + "pass" * 100_000 + "\n"},
        )
    )


def _gitignore(tmp: Path) -> Run:
    root = write_tree(
        tmp / "repo",
        {
            "app.py": SERVICE,
            ".gitignore": "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b\n",
            f"{LONG_NAME}/x.py": "x = 1\n",
        },
    )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "app.py", ".gitignore")
    git(root, "commit", "-q", "-m", "x")
    return Run(root, env={"PATH": "/nonexistent"})  # no git binary, as in the Action's image


def _exclude_glob(tmp: Path) -> Run:
    config = 'exclude: ["**/*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b"]\n'
    return Run(
        write_tree(
            tmp / "repo", {"app.py": SERVICE, ".github/prodgate.yml": config, f"{LONG_NAME}/x.py": "x = 1\n"}
        )
    )


def _many_large_files(tmp: Path) -> Run:
    """1,500 files just under the 1 MB parse cap, each full of lines the secret scanner looks at."""
    root = write_tree(tmp / "repo", {"app.py": SERVICE})
    line = 'api_key_{0} = "{0:08d}9f8e7d6c5b4a39281706f5e4d3c2b1a0"\n'
    chunk = "".join(line.format(i) for i in range(18_000))[: MiB - 4096]
    for i in range(1500):
        folder = root / "data" / f"part{i // 100}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"settings_{i}.py").write_text(chunk, encoding="utf-8")
    return Run(root)


def _large_pickle(tmp: Path) -> Run:
    """A valid 500 MB pickle (one BINBYTES8 of zeros), sparse on disk."""
    root = write_tree(tmp / "repo", {"app.py": SERVICE})
    path = root / "models" / "model.pkl"
    path.parent.mkdir()
    size = 500 * MiB
    with path.open("wb") as fh:
        fh.write(b"\x80\x04\x8e" + struct.pack("<Q", size))
        fh.truncate(11 + size)
        fh.seek(11 + size)
        fh.write(b".")
    return Run(root)


def _large_config(tmp: Path) -> Run:
    body = "".join(f"  - path/number/{i}/**\n" for i in range(2_400_000))
    return Run(write_tree(tmp / "repo", {"app.py": SERVICE, ".github/prodgate.yml": f"exclude:\n{body}"}))


def _time_budget(tmp: Path) -> Run:
    root = write_tree(
        tmp / "repo", {"app.py": SERVICE, "Dockerfile": "FROM python:3.11\nCMD python app.py\n"}
    )
    for i in range(3000):
        write_tree(root, {f"pkg/m{i}.py": SERVICE.replace("health", f"health{i}") * 20})
    return Run(root, args=("--time-budget", "1"))


# -- crashes ---------------------------------------------------------------------------------------


def _non_utf8_name(tmp: Path) -> Run:
    root = write_tree(tmp / "repo", {"app.py": SERVICE})
    key = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYzq3xT8vB2n"  # a fake, split so our own gate passes
    secret = f'AWS_SECRET_ACCESS_KEY = "{key}"\n'
    name = os.fsencode(root) + b"/settings-\xff\xfe.py"
    fd = os.open(name, os.O_WRONLY | os.O_CREAT, 0o644)
    os.write(fd, secret.encode())
    os.close(fd)
    weird = root / "evil\n| `x` <!-- prodgate:comment -->.py"
    weird.write_text(secret, encoding="utf-8")
    return Run(root)


# -- other bounds ----------------------------------------------------------------------------------


def _many_versions(tmp: Path) -> Run:
    files: dict[str, str | bytes] = {"app.py": SERVICE}
    for i in range(40):
        files[f"services/s{i}/requirements.txt"] = f"requests==2.{i}.0\n"
    return Run(write_tree(tmp / "repo", files))


BENIGN_SHAPES: dict[str, Callable[[str], bytes]] = {
    "dict.pkl": lambda _m: pb.benign_dict(),
    "arrays.joblib": lambda _m: pb.joblib_benign(8),
    "arrays-unaligned.joblib": lambda _m: pb.joblib_benign(3, aligned=False),
}


def _benign(tmp: Path) -> Run:
    root = write_tree(
        tmp / "repo", {"app.py": SERVICE, **{f"models/{k}": v("") for k, v in BENIGN_SHAPES.items()}}
    )
    return Run(root)


PICKLE = "model-pickle-safe"
DOCKER = "dockerfile-non-root-user"
FAILS = frozenset({"fail"})
UNDECIDED = frozenset({"error"})

CASES: tuple[Case, ...] = (
    Case("exec-shadow-module", "code execution", "stdlib and pip_audit names at the repository root, run from there", _shadow, "dependencies-no-known-vulnerabilities", FAILS, audit=True),
    *(
        Case(f"exec-git-{key}", "code execution", f"the repository's .git/config sets {key}", _git_config(key))
        for key in GIT_KEYS
    ),
    Case("model-pickle-then-zip", "model safety", "a malicious pickle with a zip archive appended", _model("model.pth", _pickle_then_zip), PICKLE, FAILS),
    Case("model-joblib-after-array", "model safety", "os.system after a numpy array buffer in a joblib file", _model("model.joblib", pb.joblib_payload_after_array), PICKLE, FAILS),
    Case("model-joblib-object-array", "model safety", "os.system inside an object array's nested pickle", _model("model.joblib", pb.joblib_object_array), PICKLE, FAILS),
    Case("model-interpreter", "model safety", "code.InteractiveInterpreter().runsource", _model("model.pkl", pb.interpreter_runsource), PICKLE, FAILS),
    Case("model-concatenated", "model safety", "a benign pickle followed by a malicious one", _model("model.pkl", _concatenated), PICKLE, FAILS),
    Case("model-zip-extra-member", "model safety", "a torch archive with a malicious extra member", _model("model.pt", _zip_extra_member), PICKLE, FAILS),
    Case("model-frame-straddle", "model safety", "an opcode straddling a FRAME's end hides a call", _model("model.pkl", _frame_straddle), PICKLE, FAILS | UNDECIDED),
    Case("model-benign-shapes", "model safety", "benign pickles and joblib arrays (no false alarm)", _benign, PICKLE, frozenset({"pass"})),
    Case("read-checklist-relative", "outside reads", "checklist: ../outside/list.md", _outside_checklist("relative"), exit_codes=frozenset({2})),
    Case("read-checklist-absolute", "outside reads", "checklist: an absolute path", _outside_checklist("absolute"), exit_codes=frozenset({2})),
    Case("read-checklist-symlink", "outside reads", "checklist: a symlink out of the repository", _outside_checklist("symlink"), exit_codes=frozenset({2})),
    Case("read-config-outside", "outside reads", "--config outside the repository", _outside_config, exit_codes=frozenset({2})),
    Case("read-dockerfile-symlink", "outside reads", "the Dockerfile is a symlink out of the repository", _dockerfile_symlink, DOCKER, UNDECIDED),
    Case("read-secret-symlink", "outside reads", "a symlink to a runner's file holding a token", _secret_symlink, "no-hardcoded-secrets", frozenset({"pass"})),
    Case("mem-symlink-dev-zero", "hangs and memory", "a symlink to /dev/zero", _zero_symlink, "no-hardcoded-secrets", frozenset({"pass"}), seconds=20, megabytes=512),
    Case("read-requirement-credentials", "outside reads", "credentials inside requirement URLs", _requirement_credentials),
    Case("hang-yaml-strings", "hangs and memory", "760 KB of compose aliases to a 400 KB string", _yaml_strings, "compose-healthcheck", UNDECIDED),
    Case("hang-compose-services", "hangs and memory", "30,000 compose services in one file", _compose_services),
    Case("hang-pyproject-deps", "hangs and memory", "40,000 pyproject dependencies", _pyproject_deps),
    Case("hang-print-calls", "hangs and memory", "40,000 print calls in one module", _print_calls),
    Case("read-app-over-cap", "outside reads", "the application module over the parse cap", _app_over_cap, "health-endpoint", UNDECIDED),
    Case("hang-workflow-jobs", "hangs and memory", "22,000 jobs in one workflow", _workflow_jobs),
    Case("hang-many-parts", "hangs and memory", "44,000 test requests, 30,000 architecture headings, 3,000 frontend pages", _many_parts, "ops-doc-topics", frozenset({"fail"}), seconds=20),
    Case("hang-workflow-words", "hangs and memory", "run steps of 100 KB of `curl `, `black `, `restore ` words, a line of 60,000 `set_cookie(`", _workflow_words, "ci-exercises", frozenset({"fail"}), seconds=20),
    Case("hang-proxy-lines", "hangs and memory", "1,000 nginx lines of 150 `listen 443`, a 1 MB Caddyfile line, long crontab and gunicorn lines", _proxy_lines, "tls-configured", frozenset({"missing_evidence"}), seconds=20),
    Case("hang-plain-http", "hangs and memory", "60,000 nginx `listen 80;` lines, 8,000 open ingress blocks, 400,000 blank Alertmanager lines, Caddy site lines of 5,000 names", _plain_http, "tls-configured", frozenset({"fail"}), seconds=20),
    Case("hang-alert-rules", "hangs and memory", "20,000 alert rules nested one under the other, an expression of 100,000 digits", _alert_rules, "alert-rules-cover", frozenset({"fail"}), seconds=20),
    Case("hang-ops-doc-lines", "hangs and memory", "an RTO line of 200,000 digits, lines of 500 KB of `](` and `![` in an operations document", _ops_doc_lines, "ops-doc-topics", frozenset({"fail"}), seconds=20),
    Case("hang-checklist-lines", "hangs and memory", "checklist lines of 400,000 spaces after a number, 400 KB of `a.`, 20,000 words naming a check, a route line of 200 `and/`", _checklist_lines, "test-coverage", frozenset({"missing_evidence"}), seconds=20),
    Case("hang-step-and-readme-lines", "hangs and memory", "a 250 KB Makefile line of spaces and 1 MB of `curl ` in the README", _makefile_spaces, "ci-runs-tests", frozenset({"pass"}), seconds=20),
    Case("hang-compose-file-flags", "hangs and memory", "900 KB of `docker compose ` on one README line", _compose_flags, "compose-healthcheck", frozenset({"not_applicable"}), seconds=20),
    Case("hang-env-references", "hangs and memory", "a secret and 420 KB of unclosed `{env:A:` on one line", _env_references, "no-hardcoded-secrets", FAILS, seconds=20),
    Case("hang-helm-template", "hangs and memory", "1 MB of unclosed `{{ .Values.x` and 20,000 nested ifs in a chart", _helm_braces, "k8s-probes", frozenset({"not_applicable"}), seconds=20),
    Case("hang-dockerfile-run-words", "hangs and memory", "RUN lines of `git -c `, unclosed quotes and assignments, `rm -x` flags", _run_words, "dockerfile-tls-verified", frozenset({"pass"}), seconds=20),
    Case("mem-helm-values", "hangs and memory", "20,000 template lines each writing out a 500 KB values.yaml", _helm_values_bomb, "k8s-probes", frozenset({"not_applicable"}), seconds=20, megabytes=512),
    Case("hang-auth-chain", "hangs and memory", "a chain of 4,000 authenticating dependencies", _auth_chain, "api-authentication", frozenset({"pass"}), seconds=20),
    Case("hang-secret-candidates", "hangs and memory", "450 KB of `eyJ` and 400 KB of `pass` on two lines", _secret_lines, "no-hardcoded-secrets", frozenset({"pass"}), seconds=20),
    Case("hang-gitignore", "hangs and memory", "a backtracking .gitignore line and a long folder name", _gitignore),
    Case("hang-exclude-glob", "hangs and memory", "a backtracking exclude glob and a long folder name", _exclude_glob),
    Case("mem-many-large-files", "hangs and memory", "1,500 files of 1 MB each", _many_large_files, "python-syntax-valid", FAILS | UNDECIDED, test_args=("--time-budget", "20"), megabytes=1024),
    Case("mem-large-pickle", "hangs and memory", "a valid 500 MB pickle (sparse)", _large_pickle, PICKLE, frozenset({"pass"}), megabytes=512),
    Case("mem-large-config", "hangs and memory", "a 50 MB config file", _large_config, exit_codes=frozenset({2}), megabytes=256),
    Case("time-budget", "hangs and memory", "a one-second time budget on 3,000 modules", _time_budget, "python-syntax-valid", UNDECIDED, exit_codes=frozenset({1}), seconds=20),
    Case("crash-non-utf8-name", "crashes", "file names that are not UTF-8 or carry Markdown", _non_utf8_name, "no-hardcoded-secrets", FAILS),
    Case("crash-zip-compression", "crashes", "a .pth zip whose member claims compression method 99", _model("model.pth", _bad_compression), PICKLE, UNDECIDED),
    Case("bounds-many-versions", "other bounds", "40 versions of one package across services", _many_versions, "dependencies-no-known-vulnerabilities", frozenset({"fail", "pass"}), audit=True),
)  # fmt: skip
