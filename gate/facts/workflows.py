"""Facts from GitHub Actions: workflows in .github/workflows and composite/docker actions (action.yml).

YAML 1.1 reads the key `on` as the boolean true (PyYAML does); triggers are read from either form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import msgspec

from gate.lazyre import lazy
from gate.snapshot import ParseError, Snapshot, YamlDocuments
from gate.yamlpath import Node, line_of


@dataclass(frozen=True)
class Step:
    index: int
    uses: str | None
    run: str | None
    with_: dict[str, Any]
    name: str
    line: int
    run_line: int
    uses_line: int = 0
    uses_comment: str = ""
    """the comment on the `uses:` line (`# v6.1.0` after a hash): the version a pinned hash stands for"""
    scripts: tuple[tuple[str, str], ...] = field(default=(), compare=False, repr=False)
    """(path, text) of the repository's own scripts the run step calls (`bash .ci/run`, ./test.sh):
    what a step runs through a script is what it runs"""


class Job(msgspec.Struct, frozen=True):
    id: str
    data: dict[str, Any]
    steps: tuple[Step, ...]
    line: int

    @property
    def uses(self) -> str | None:
        """A job that calls a reusable workflow (`jobs.<id>.uses`)."""
        value = self.data.get("uses")
        return str(value) if value else None


@dataclass(frozen=True)
class Workflow:
    path: str
    data: dict[str, Any]
    triggers: frozenset[str]
    jobs: tuple[Job, ...]
    node: Node = field(compare=False, repr=False)
    is_action: bool = False
    """An action.yml (composite or docker action) rather than a workflow."""

    def line_at(self, *loc: str | int) -> int:
        return line_of(self.node, loc)


class WorkflowFacts(msgspec.Struct, frozen=True):
    workflows: tuple[Workflow, ...]
    errors: tuple[ParseError, ...]
    dependency_update_configs: tuple[str, ...]

    @property
    def ci(self) -> tuple[Workflow, ...]:
        return tuple(w for w in self.workflows if not w.is_action)


_UPDATE_CONFIGS = (
    ".github/dependabot.yml",
    ".github/dependabot.yaml",
    "renovate.json",
    "renovate.json5",
    ".github/renovate.json",
    ".github/renovate.json5",
    ".renovaterc",
    ".renovaterc.json",
    ".gitlab/renovate.json",
)


def on_section(data: dict[Any, Any]) -> Any:
    """The `on:` of a workflow, whichever way YAML read its key."""
    return data.get("on", data.get(True))


def _triggers(data: dict[Any, Any]) -> frozenset[str]:
    on = on_section(data)
    if isinstance(on, str):
        return frozenset({on})
    if isinstance(on, list):
        return frozenset(str(t) for t in on)
    if isinstance(on, dict):
        return frozenset(str(t) for t in on)
    return frozenset()


_COMMANDS = lazy(r"&&|\|\||[;|\n]")
_SHELLS = frozenset({"bash", "sh", "zsh", "source", "."})
_NOT_SCRIPTS = (".yml", ".yaml", ".json", ".txt", ".md", ".lock", ".in", ".toml", ".cfg", ".ini", ".csv")
MAX_SCRIPT_BYTES = 256 * 1024


def _invoked(run: str) -> list[str]:
    """Words of a run step in the place of a program: `./x`, `bash x`, or a path run as a command."""
    names = []
    for command in _COMMANDS.split(run):
        words = [w.strip("\"'") for w in command.split()]
        words = [w for w in words if w and "=" not in w.split("/")[0]]  # VAR=value prefixes
        for i, word in enumerate(words):
            first = i == 0 or (i == 1 and words[0] == "sudo")
            after_shell = i > 0 and words[i - 1] in _SHELLS
            if word.startswith("./") or after_shell or (first and "/" in word):
                names.append(word)
    return names


_MAKE = lazy(r"(?:^|[\s;&|(])make\s+((?:-{1,2}[\w-]+(?:[= ][^\s-][^\s]*)?\s+)*)([\w./-]+(?:\s+[\w./-]+)*)")
_COMPOSE = lazy(r"\bdocker(?:-compose|\s+compose)\b([^\n;&|]*)")
_COMPOSE_DEFAULTS = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")


def _make_targets(snap: Snapshot, run: str) -> dict[str, str]:
    """Recipes of the Makefile targets a step runs (`make ci`, `make -C svc test`), with the recipes of
    their prerequisites one level down: `ci: lint test` runs test's recipe too."""
    found: dict[str, str] = {}
    for m in _MAKE.finditer(run):
        options, targets = m.group(1), m.group(2).split()
        folder = re.search(r"-C\s*(\S+)", options)
        rel = f"{folder.group(1).strip('/')}/Makefile" if folder else "Makefile"
        text = snap.text(rel) if snap.has(rel) and snap.unread(rel) is None else None
        if not text or len(text) > MAX_SCRIPT_BYTES:
            continue
        recipes = _recipes(text)
        for target in targets:
            prerequisites, body = recipes.get(target, ((), ""))
            lines = [body, *(recipes.get(p, ((), ""))[1] for p in prerequisites)]
            found[f"{rel} ({target})"] = "\n".join(line for line in lines if line)
    return found


_TARGETS = lazy(r"[\w./ -]*\w[\w./ -]*")


def _recipes(text: str) -> dict[str, tuple[tuple[str, ...], str]]:
    recipes: dict[str, tuple[tuple[str, ...], str]] = {}
    current: list[str] = []
    for line in text.splitlines():
        if line.startswith("\t"):
            for name in current:
                prerequisites, body = recipes[name]
                recipes[name] = (prerequisites, f"{body}\n{line.strip()}" if body else line.strip())
            continue
        # `targets: prerequisites`, read with partition: a regular expression with a lazy target list
        # backtracks quadratically on a long line of spaces
        targets, colon, rest = line.partition(":")
        if colon and not rest.startswith("=") and _TARGETS.fullmatch(targets):
            current = targets.split()
            prerequisites = tuple(rest.lstrip(":").split("#", 1)[0].split(";", 1)[0].split())
            for name in current:
                recipes.setdefault(name, (prerequisites, ""))
        elif line.strip() and not line.startswith("#"):
            current = []
    return recipes


def _compose_commands(snap: Snapshot, run: str) -> dict[str, str]:
    """The commands of the compose services a step runs (`docker compose -f ci.yml run tests`,
    `docker compose up --exit-code-from tests`): what runs in the container is what the step runs."""
    found: dict[str, str] = {}
    for m in _COMPOSE.finditer(run):
        words = m.group(1).split()
        files = [words[i + 1] for i, w in enumerate(words[:-1]) if w in ("-f", "--file")]
        files += [w.split("=", 1)[1] for w in words if w.startswith("--file=")]
        candidates = [f.removeprefix("./") for f in files] or [f for f in _COMPOSE_DEFAULTS if snap.has(f)]
        named = set(words)
        for rel in candidates:
            docs = snap.yaml(rel) if snap.has(rel) and snap.unread(rel) is None else None
            if not isinstance(docs, YamlDocuments) or not docs.data:
                continue
            services = docs.data[0].get("services") if isinstance(docs.data[0], dict) else None
            for name, service in (services or {}).items() if isinstance(services, dict) else ():
                if not isinstance(service, dict) or not ({str(name)} & named or "up" in named):
                    continue
                parts = [service.get("entrypoint"), service.get("command")]
                text = " ".join(" ".join(map(str, p)) if isinstance(p, list) else str(p) for p in parts if p)
                if text:
                    found[f"{rel} (service {name})"] = text
    return found


_PRE_COMMIT_CONFIG = ".pre-commit-config.yaml"
_PRE_COMMIT_RUN = lazy(r"\bpre-commit\s+run\b")


def _pre_commit(snap: Snapshot) -> dict[str, str]:
    """The hooks `pre-commit run` runs: its configuration, read like a script the step calls."""
    if not snap.has(_PRE_COMMIT_CONFIG) or snap.unread(_PRE_COMMIT_CONFIG) is not None:
        return {}
    text = snap.text(_PRE_COMMIT_CONFIG)
    return {_PRE_COMMIT_CONFIG: text} if text is not None and len(text) <= MAX_SCRIPT_BYTES else {}


def _scripts(snap: Snapshot, run: str) -> tuple[tuple[str, str], ...]:
    """The repository's own scripts a run step runs (`./x`, `bash x`, or with actions/checkout's `path:`
    folder in front, `bash main/.ci/run`), one level deep; the recipes of the Makefile targets it runs;
    the commands of the compose services it runs; and the pre-commit hooks `pre-commit run` runs."""
    found: dict[str, str] = {**_make_targets(snap, run), **_compose_commands(snap, run)}
    if _PRE_COMMIT_RUN.search(run):
        found.update(_pre_commit(snap))
    for word in _invoked(run):
        candidate = word.removeprefix("./")
        options = [candidate, *([candidate.split("/", 1)[1]] if "/" in candidate else [])]
        for rel in options:
            if rel in found or rel.endswith(_NOT_SCRIPTS) or not snap.has(rel):
                continue
            if (
                snap.unread(rel) is None
                and (text := snap.text(rel)) is not None
                and len(text) <= MAX_SCRIPT_BYTES
            ):
                found[rel] = text
                break
    return tuple(found.items())


def _comment(lines: list[str], line: int) -> str:
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    at = text.find(" #")
    return text[at + 2 :].strip()[:200] if at >= 0 else ""


def _steps(
    snap: Snapshot, wf_node: Node, base: tuple[str | int, ...], steps: Any, lines: list[str]
) -> tuple[Step, ...]:
    out = []
    for i, step in enumerate(steps or []):
        if not isinstance(step, dict):
            continue
        run = step.get("run")
        with_ = step.get("with")
        uses_line = line_of(wf_node, (*base, i, "uses")) if step.get("uses") else 0
        out.append(
            Step(
                index=i,
                uses=str(step["uses"]) if step.get("uses") else None,
                run=str(run) if run is not None else None,
                with_=with_ if isinstance(with_, dict) else {},
                name=str(step.get("name") or step.get("uses") or f"step {i + 1}"),
                line=line_of(wf_node, (*base, i)),
                run_line=line_of(wf_node, (*base, i, "run")),
                uses_line=uses_line,
                uses_comment=_comment(lines, uses_line),
                scripts=(
                    _scripts(snap, str(run))
                    if run is not None
                    else tuple(_pre_commit(snap).items())
                    if str(step.get("uses") or "").startswith("pre-commit/action")
                    else ()
                ),
            )
        )
    return tuple(out)


def collect_workflows(snap: Snapshot) -> WorkflowFacts:
    workflows: list[Workflow] = []
    errors: list[ParseError] = []
    for rel in snap.with_suffix(".yml", ".yaml"):
        name = rel.rsplit("/", 1)[-1]
        is_workflow = rel.startswith(".github/workflows/") and rel.count("/") == 2
        is_action = name in ("action.yml", "action.yaml")
        if not (is_workflow or is_action):
            continue
        if (big := snap.unread(rel)) is not None:
            errors.append(big)
            continue
        docs = snap.yaml(rel)
        if isinstance(docs, ParseError):
            errors.append(docs)
            continue
        if not isinstance(docs, YamlDocuments) or not docs.nodes or not isinstance(docs.data[0], dict):
            continue
        data, node = docs.data[0], docs.nodes[0]
        lines = (snap.text(rel) or "").splitlines()
        jobs: list[Job] = []
        if is_action:
            runs = data.get("runs") or {}
            steps = runs.get("steps") if isinstance(runs, dict) else None
            jobs.append(
                Job(
                    "(composite)",
                    runs if isinstance(runs, dict) else {},
                    _steps(snap, node, ("runs", "steps"), steps, lines),
                    1,
                )
            )
        else:
            for job_id, job in (data.get("jobs") or {}).items():
                if isinstance(job, dict):
                    jobs.append(
                        Job(
                            str(job_id),
                            job,
                            _steps(snap, node, ("jobs", job_id, "steps"), job.get("steps"), lines),
                            line_of(node, ("jobs", job_id)),
                        )
                    )
        workflows.append(Workflow(rel, data, _triggers(data), tuple(jobs), node, is_action))
    updates = tuple(f for f in _UPDATE_CONFIGS if snap.has(f))
    return WorkflowFacts(tuple(workflows), tuple(errors), updates)
