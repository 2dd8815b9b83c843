"""Facts from every Dockerfile in the repository, read with BuildKit's own parser.

The `dockerfile` package binds the Go parser Docker itself uses, so heredocs, escape directives, line
continuations and odd spacing are read exactly as `docker build` reads them. On top of it this module
adds what the parser leaves to the builder: stages, `ARG` substitution in `FROM`, and which stage an
image's final stage inherits its `USER` and `HEALTHCHECK` from.
"""

from __future__ import annotations

import posixpath
import re
import shlex

import dockerfile
from msgspec import Struct

from gate.lazyre import lazy
from gate.snapshot import ParseError, Snapshot

_VAR = lazy(r"\$(?:\{(\w+)(?::?([-+])([^}]*))?\}|(\w+))")


class Instruction(Struct, frozen=True):
    cmd: str
    """Upper-case instruction name (FROM, RUN, ...)."""
    value: tuple[str, ...]
    json: bool
    flags: tuple[str, ...]
    original: str
    line: int
    end_line: int
    heredocs: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The instruction's arguments as one string, heredoc bodies included (for RUN scripts)."""
        return " ".join(self.value) + "".join("\n" + h for h in self.heredocs)


class Stage(Struct, frozen=True):
    index: int
    name: str | None
    base: str
    """The FROM image as written."""
    base_resolved: str | None
    """The FROM image with ARGs substituted; None when an ARG has no value to substitute."""
    line: int
    instructions: tuple[Instruction, ...]

    def last(self, cmd: str) -> Instruction | None:
        found = [i for i in self.instructions if i.cmd == cmd]
        return found[-1] if found else None


class Dockerfile(Struct, frozen=True):
    path: str
    stages: tuple[Stage, ...]
    args: dict[str, str]
    """ARGs declared before the first FROM, with their defaults ("" when none)."""

    @property
    def final(self) -> Stage:
        return self.stages[-1]

    def parent(self, stage: Stage) -> Stage | None:
        """The earlier stage this one is built FROM, if any (FROM build)."""
        for earlier in self.stages[: stage.index]:
            if earlier.name and earlier.name == (stage.base_resolved or stage.base).lower():
                return earlier
        return None

    def inherited(self, stage: Stage, cmd: str) -> tuple[Stage, Instruction] | None:
        """The last `cmd` that applies to `stage`, following FROM <stage> chains."""
        current: Stage | None = stage
        while current is not None:
            found = current.last(cmd)
            if found is not None:
                return current, found
            current = self.parent(current)
        return None

    def stage_names(self) -> set[str]:
        return {s.name for s in self.stages if s.name}


class DockerignoreFile(Struct, frozen=True):
    path: str
    patterns: tuple[tuple[int, str], ...]


class DockerFacts(Struct, frozen=True):
    dockerfiles: tuple[Dockerfile, ...]
    errors: tuple[ParseError, ...]
    dockerignores: tuple[DockerignoreFile, ...]

    def dockerignore_for(self, dockerfile_path: str, context: str | None = None) -> DockerignoreFile | None:
        """The ignore file BuildKit uses: `<Dockerfile>.dockerignore` beside the Dockerfile first, then
        the build context's `.dockerignore` (the context is the Dockerfile's own folder unless a compose
        file says otherwise)."""
        folder = posixpath.dirname(dockerfile_path) if context is None else context
        folder = "" if folder == "." else folder
        candidates = (f"{dockerfile_path}.dockerignore", posixpath.join(folder, ".dockerignore"))
        by_path = {d.path: d for d in self.dockerignores}
        for candidate in candidates:
            if candidate in by_path:
                return by_path[candidate]
        return None


# files named like a Dockerfile that are something else: docs, scripts, configs, ignore files
_NOT_DOCKERFILE = lazy(
    r"\.(dockerignore|md|rst|txt|py|sh|ps1|json|ya?ml|toml|cfg|ini|lock|xml|html|js|ts|go|rb|bat)$", re.I
)
# `Dockerfile-prod`, `Dockerfile_gpu`, `api-dockerfile`, `api_Dockerfile`
_DASHED = lazy(r"^(docker|container)file[-_].|.[-_](docker|container)file$", re.I)


def is_dockerfile(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    lower = name.lower()
    if _NOT_DOCKERFILE.search(name) and lower not in ("dockerfile", "containerfile"):
        return False
    return (
        # docker build falls back to a lowercase `dockerfile` when no Dockerfile is there
        lower in ("dockerfile", "containerfile")
        or bool(_DASHED.search(name))
        or (name.startswith(("Dockerfile.", "Containerfile.")) and not lower.endswith(".dockerignore"))
        or lower.endswith(".dockerfile")
    )


def substitute(text: str, args: dict[str, str]) -> str | None:
    """${VAR}, $VAR, ${VAR:-default} with the given ARG values; None if a variable has no value."""
    missing = False

    def repl(m: re.Match[str]) -> str:
        nonlocal missing
        name, op, word = m.group(1) or m.group(4), m.group(2), m.group(3) or ""
        value = args.get(name, "")
        if op == "-":
            return value or word
        if op == "+":
            return word if value else ""
        if not value:
            missing = True
        return value

    result = _VAR.sub(repl, text)
    return None if missing else result


def parse_dockerfile(rel: str, text: str) -> Dockerfile | ParseError:
    try:
        commands = dockerfile.parse_string(text)
    except dockerfile.GoParseError as exc:
        return ParseError(path=rel, message=f"Dockerfile does not parse: {exc}")
    args: dict[str, str] = {}
    stages: list[Stage] = []
    current: list[Instruction] = []
    header: tuple[str, str | None, int] | None = None

    def close() -> None:
        if header is not None:
            base, name, line = header
            stages.append(Stage(len(stages), name, base, substitute(base, args), line, tuple(current)))

    for c in commands:
        ins = Instruction(
            cmd=c.cmd.upper(),
            value=tuple(c.value),
            json=bool(c.json),
            flags=tuple(c.flags),
            original=c.original,
            line=c.start_line,
            end_line=c.end_line,
            heredocs=tuple(h.content for h in c.heredocs),
        )
        if ins.cmd == "FROM":
            close()
            current = []
            values = [v for v in ins.value if v]
            base = values[0] if values else ""
            name = values[2].lower() if len(values) >= 3 and values[1].upper() == "AS" else None
            header = (base, name, ins.line)
        elif header is None:
            if ins.cmd == "ARG":
                for v in ins.value:
                    key, _, default = v.partition("=")
                    args[key] = default.strip("\"'")
        else:
            current.append(ins)
    close()
    if not stages:
        return ParseError(path=rel, line=1, message="Dockerfile has no FROM instruction")
    return Dockerfile(rel, tuple(stages), args)


_INSTRUCTION = lazy(r"(?m)^[ \t]*[^#\s]")
"""A line that is neither blank nor a comment (parser directives are comments)."""


def collect_docker(snap: Snapshot, referenced: frozenset[str] = frozenset()) -> DockerFacts:
    """Every Dockerfile: by its name, or named as one by a build (`docker build -f`, compose
    `dockerfile:`, build-push-action `file:`) whatever it is called."""
    files: list[Dockerfile] = []
    errors: list[ParseError] = []
    for rel in snap.files:
        if not is_dockerfile(rel) and rel not in referenced:
            continue
        text = snap.text(rel)
        if text is None:
            if (big := snap.unread(rel)) is not None:
                errors.append(big)
            continue
        if rel not in referenced and not _INSTRUCTION.search(text):
            # an empty or comments-only placeholder that no build names (a course's blank exercise
            # file): Docker refuses to build it, and no Dockerfile check has anything to judge in it
            snap.note_skipped([(rel, "a Dockerfile with no instructions, which no build names")])
            continue
        parsed = parse_dockerfile(rel, text)
        if isinstance(parsed, ParseError):
            errors.append(parsed)
        else:
            files.append(parsed)
    ignores = []
    for rel in snap.files:
        if rel.rsplit("/", 1)[-1] == ".dockerignore" or rel.endswith(".dockerignore"):
            lines = (snap.text(rel) or "").splitlines()
            patterns = tuple(
                (i, ln.strip())
                for i, ln in enumerate(lines, 1)
                if ln.strip() and not ln.strip().startswith("#")
            )
            ignores.append(DockerignoreFile(rel, patterns))
    return DockerFacts(tuple(files), tuple(errors), tuple(ignores))


# pip install options that take a value (the value is not a requirement)
_PIP_VALUED = frozenset(
    [
        "-r",
        "--requirement",
        "-c",
        "--constraint",
        "-e",
        "--editable",
        "-t",
        "--target",
        "--platform",
        "--python-version",
        "--implementation",
        "--abi",
        "--root",
        "--prefix",
        "--src",
        "--upgrade-strategy",
        "--progress-bar",
        "--root-user-action",
        "--report",
        "-i",
        "--index-url",
        "--extra-index-url",
        "-f",
        "--find-links",
        "--trusted-host",
        "--log",
        "--proxy",
        "--retries",
        "--timeout",
        "--exists-action",
        "--cert",
        "--client-cert",
        "--cache-dir",
        "--no-binary",
        "--only-binary",
        "-C",
        "--config-settings",
        "--global-option",
        "--build",
        "--python",
        "--index",
        "--pip-args",
        "--suffix",
    ]
)
_SEGMENT = lazy(r"&&|\|\||;|\||\n")
_INSTALLERS = (("pip", "install"), ("pipx", "install"), ("uv", "pip", "install"), ("-m", "pip", "install"))


class PipInstall(Struct, frozen=True):
    """One `pip install` in a RUN: what it installs by name, and whether a requirements or
    constraints file comes with it (which may pin what it names)."""

    requirements: tuple[str, ...]
    files: bool


def pip_installs(script: str) -> list[PipInstall]:
    """The pip, pipx and `uv pip` installs of a shell script, each command of a `&&`/`;` chain apart."""
    found: list[PipInstall] = []
    for segment in _SEGMENT.split(script):
        try:
            words = shlex.split(segment, comments=True)
        except ValueError:  # an unbalanced quote: read it as plain words
            words = segment.split()
        names = [re.sub(r"^pip(?:[23](?:\.\d+)?)?$", "pip", w.rsplit("/", 1)[-1]) for w in words]
        start = next(
            (
                i + len(form)
                for i in range(len(names))
                for form in _INSTALLERS
                if tuple(names[i : i + len(form)]) == form
            ),
            None,
        )
        if start is None:
            continue
        requirements: list[str] = []
        files = False
        skip = False
        for word in words[start:]:
            if skip:
                skip = False
                continue
            if word.startswith("-"):
                option = word.split("=", 1)[0]
                files = files or option in ("-r", "--requirement", "-c", "--constraint")
                skip = option in _PIP_VALUED and "=" not in word
                continue
            requirements.append(word)
        found.append(PipInstall(tuple(requirements), files))
    return found
