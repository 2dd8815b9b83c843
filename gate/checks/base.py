"""What a check is: metadata beside a pure function of facts and its own options."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from msgspec import Struct, field
from pydantic import BaseModel, ConfigDict

from gate.facts import Facts
from gate.lazyre import lazy
from gate.model import Confidence, Level, Location, Outcome, Severity
from gate.snapshot import ParseError
from gate.wording import count

CHECK_ID = lazy(r"^[a-z0-9]+(-[a-z0-9]+)*$")
DOC_HEADINGS = ("What it checks", "Why it matters", "How to fix", "Example")


class NoOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class AskedOptions(BaseModel):
    """Options of a check that judges only when asked: what it reads is a team's choice more than a
    rule (an API page, a migration tool), so it stays silent on a repository that never asked."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    asked: bool = False
    """Judge it on every pull request. A checklist line this check decides asks it for that line."""


NOT_ASKED = "Not asked for: set options.asked, or let a checklist line ask."


class Hit(Struct, frozen=True):
    """One finding as a check reports it; the runner adds the check's id, severity and confidence."""

    message: str
    locations: tuple[Location, ...] = ()
    remediation: str | None = None
    """Static Markdown written with the check; never repository text (it is rendered unescaped)."""
    severity: Severity | None = None
    confidence: Confidence | None = None


class Decision(Struct, frozen=True):
    outcome: Outcome
    summary: str
    hits: tuple[Hit, ...] = ()


def passed(summary: str) -> Decision:
    return Decision(Outcome.PASS, summary)


def failed(summary: str, *hits: Hit) -> Decision:
    return Decision(Outcome.FAIL, summary, hits)


def not_applicable(summary: str) -> Decision:
    return Decision(Outcome.NOT_APPLICABLE, summary)


def conclude(
    hits: Sequence[Hit],
    errors: Sequence[ParseError],
    *,
    what: str,
    ok: str,
    bad: str,
    judged: bool,
    nothing: str,
    unsure: Sequence[Hit] = (),
    note: str = "",
) -> Decision:
    """The ending the file-based checks share: findings fail (unparsable files listed with them);
    unparsable files alone make an error, never a pass; undecided cases are missing_evidence; nothing
    to judge is not_applicable. `what` names the files ("Dockerfile", "compose file")."""
    broken = [Hit(e.message, (at(e.path, e.line),)) for e in errors]
    if hits:
        return failed(f"{bad} ({count(len(hits), 'finding')}).{note}", *hits, *broken)
    if broken:
        return Decision(
            Outcome.ERROR, f"{count(len(broken), what)} could not be parsed: {errors[0]}", tuple(broken)
        )
    if unsure:
        return Decision(Outcome.MISSING_EVIDENCE, f"Could not decide for every {what}.", tuple(unsure))
    if not judged:
        return not_applicable(f"{nothing}{note}")
    return passed(f"{ok}{note}")


def at(path: str, line: int | None = None, end: int | None = None) -> Location:
    return Location(path=path, start_line=line, end_line=end)


CheckFn = Callable[[Facts, Any], Decision]


class CheckSpec(Struct, frozen=True):
    id: str
    title: str
    category: str
    severity: Severity
    confidence: Confidence
    level: Level
    applies_when: str
    remediation: str
    docs: str
    """The function's docstring as written: indented, cleaned where it is read (`doc_sections`), not at
    import, where 150 of them were a few milliseconds of every run."""
    func: CheckFn
    options: type[BaseModel] = NoOptions
    seeds: tuple[str, ...] = field(default=())
    repository_setting: bool = False
    """Decided by the repository's live settings (branch protection, reviews), not by its files: no
    pull request introduces or fixes it."""
    concern: str = ""
    """What several checks look at from different sides (the development server that starts the
    service, a secret written into the repository). Blocking checks of one concern whose first
    findings point at the same line are one problem to a reviewer: the comment shows them on one line."""

    def doc_sections(self) -> dict[str, str]:
        """The docs split at their '## ' headings."""
        import inspect

        sections: dict[str, str] = {}
        current: str | None = None
        fenced = False
        for line in inspect.cleandoc(self.docs).splitlines():
            if line.lstrip().startswith(("```", "~~~")):
                fenced = not fenced
            if line.startswith("## ") and not fenced:
                current = line[3:].strip()
                sections[current] = ""
            elif current is not None:
                sections[current] += line + "\n"
        return {k: v.strip() for k, v in sections.items()}


REGISTRY: dict[str, CheckSpec] = {}

# The seeds' own sections, in the order a reviewer reads them.
CATEGORIES: dict[str, str] = {
    "code-quality": "Code quality",
    "testing": "Testing",
    "security": "Security",
    "dependencies": "Dependencies",
    "configuration": "Configuration",
    "monitoring": "Monitoring and logging",
    "container": "Container",
    "orchestration": "Orchestration",
    "ci-cd": "CI/CD",
    "model-data": "Model and data",
    "documentation": "Documentation",
    "backup-recovery": "Backup and recovery",
    "performance": "Performance",
    "compliance": "Compliance",
    "operations": "Operations",
}

F = TypeVar("F", bound=CheckFn)


def check(
    *,
    id: str,
    title: str,
    category: str,
    severity: Severity,
    level: Level,
    applies_when: str,
    remediation: str,
    confidence: Confidence = Confidence.HIGH,
    options: type[BaseModel] = NoOptions,
    seeds: tuple[str, ...] = (),
    repository_setting: bool = False,
    concern: str = "",
) -> Callable[[F], F]:
    """Register a check. Its docstring is its documentation page (the four DOC_HEADINGS)."""

    def register(func: F) -> F:
        if not CHECK_ID.match(id):
            raise ValueError(f"check id {id!r} is not kebab-case")
        if category not in CATEGORIES:
            raise ValueError(f"check {id!r}: unknown category {category!r}")
        if id in REGISTRY:
            raise ValueError(f"check id {id!r} registered twice")
        docs = func.__doc__ or ""
        REGISTRY[id] = CheckSpec(
            id=id,
            title=title,
            category=category,
            severity=severity,
            confidence=confidence,
            level=level,
            applies_when=applies_when,
            remediation=remediation,
            docs=docs,
            func=func,
            options=options,
            seeds=seeds,
            repository_setting=repository_setting,
            concern=concern,
        )
        return func

    return register
