"""The result model: what a check decides and what a report carries. Frozen, versioned, JSON-ready."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

SCHEMA_VERSION = "1.0"


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


_FIELDS_GIVEN: dict[frozenset[str], set[str]] = {}


class Numerous(Frozen):
    """A model made by the hundred thousand (findings and their places). pydantic keeps, per instance, the
    set of fields the caller gave: for a finding's six names that set is 728 bytes, a third of the
    finding. Instances given the same fields share one set instead. Nothing mutates it in place: the
    model is frozen, and pydantic's copies copy the set before they add to it."""

    def model_post_init(self, context: Any, /) -> None:
        given = self.__pydantic_fields_set__
        shared = _FIELDS_GIVEN.setdefault(frozenset(given), given)
        object.__setattr__(self, "__pydantic_fields_set__", shared)


def displayable(text: str) -> str:
    """Text that can be written as UTF-8 in every format. A file name is bytes: one that is not UTF-8
    arrives as lone surrogates (surrogateescape) and would make every report fail to serialize; its
    undecodable bytes are shown as `\\xNN` instead, as git shows them."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return text


SafeText = Annotated[str, PlainSerializer(displayable, return_type=str)]
"""Text from the repository (paths, messages quoting it): kept as read (a path still opens the file),
shown as `displayable` in every serialized form; the text filters of gate/report/render.py do the same."""


class Outcome(StrEnum):
    PASS = "pass"  # noqa: S105 - an outcome, not a password
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"
    MISSING_EVIDENCE = "missing_evidence"
    NOT_AVAILABLE = "not_available"
    ERROR = "error"
    WAIVED = "waived"
    ATTESTED = "attested"
    PENDING = "pending"


OUTCOME_ORDER = (
    Outcome.FAIL,
    Outcome.ERROR,
    Outcome.MISSING_EVIDENCE,
    Outcome.NOT_AVAILABLE,
    Outcome.PENDING,
    Outcome.WAIVED,
    Outcome.ATTESTED,
    Outcome.PASS,
    Outcome.NOT_APPLICABLE,
)
"""Worst first: how reports order results, and which outcome a line decided by several checks shows."""


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    def at_least(self, other: Severity) -> bool:
        return self.rank >= other.rank


_SEVERITY_RANK = {
    Severity.INFO: 0,
    Severity.LOW: 1,
    Severity.MEDIUM: 2,
    Severity.HIGH: 3,
    Severity.CRITICAL: 4,
}


class Confidence(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Level(StrEnum):
    BRONZE = "bronze"
    SILVER = "silver"
    GOLD = "gold"


class Location(Numerous):
    """A place in the repository. Paths are POSIX, relative to the evaluated root; lines are 1-based."""

    path: SafeText
    start_line: int | None = Field(default=None, ge=1)
    end_line: int | None = Field(default=None, ge=1)

    def __str__(self) -> str:
        if self.start_line is None:
            return self.path
        if self.end_line is None or self.end_line == self.start_line:
            return f"{self.path}:{self.start_line}"
        return f"{self.path}:{self.start_line}-{self.end_line}"


class Finding(Numerous):
    """One thing wrong. The first location is the primary one. Never carries a secret's value."""

    check_id: str
    message: SafeText
    severity: Severity
    confidence: Confidence
    locations: tuple[Location, ...] = ()
    remediation: str = ""

    @property
    def primary(self) -> Location | None:
        return self.locations[0] if self.locations else None


class WaiverNote(Frozen):
    """An accepted risk on a result: a config waiver (owner, expiry) or an inline ignore (location)."""

    source: str
    """config or inline"""
    reason: str
    owner: str = ""
    expires: date | None = None
    expired: bool = False
    """an expired config waiver no longer applies; the report says so beside the failure"""
    location: str | None = None
    count: int = 0
    """findings it covers when it covers only some of them (0: the whole check)"""


class CheckResult(Frozen):
    check_id: str
    title: str
    category: str
    level: Level
    severity: Severity
    outcome: Outcome
    summary: SafeText
    findings: tuple[Finding, ...] = ()
    blocking: bool = False
    waiver: WaiverNote | None = None


class Verdict(Frozen):
    passed: bool
    fail_on: Severity
    require_level: Level | None = None
    blocking_checks: tuple[str, ...] = ()
    summary: str


class Skipped(Frozen):
    """A file the gate listed but did not parse, and why (size cap, symlink outside the root, unreadable)."""

    path: SafeText
    reason: SafeText


class ChecklistLine(Frozen):
    """One line of the team's own checklist, as it is filled in by the gate."""

    number: int
    kind: str
    """heading, other (notes, kept as written), automated, attestation, out_of_scope, manual (unmapped)"""
    text: str
    level: int = 0
    ticked: bool = False
    item: str | None = None
    checks: tuple[str, ...] = ()
    outcome: Outcome | None = None
    """automated: the worst outcome of its checks; attestation: pending; otherwise none"""
    evidence: str = ""
    confidence: float = 0.0
    how: str = "none"
    """marker, wording, concept, similar, none"""
    why: str = ""
    """how it was mapped (the seed wording or the concept it names), or why a line that names a check
    was left to a person (a qualifier, a list the team marks as open)"""
    candidates: tuple[str, ...] = ()
    """a line left to a person: the checks it nearly mapped to (a `<!-- prodgate: ID -->` marker settles it)"""
    contradiction: bool = False
    """ticked by the team but failed by the gate"""
    signed_by: str | None = None
    signed_at: date | None = None


class FilledChecklist(Frozen):
    path: str
    lines: tuple[ChecklistLine, ...]
    contradictions: int = 0


class Baseline(Frozen):
    """Failures compared with the commit the change starts from (by check)."""

    base_sha: str
    new: tuple[str, ...] = ()
    existing: tuple[str, ...] = ()
    fixed: tuple[str, ...] = ()
    fail_on_new_only: bool = False
    unavailable: str = ""
    """why there is no baseline, when there is none"""
    source: str = "merge-base"
    """what the base results come from: the merge-base judged here, or a results artifact"""


class MlTestScore(Frozen):
    """The ML Test Score view (Breck et al., 2017): per section, points scaled to the paper's seven
    tests, 1 per check passed automatically and 0.5 per signed-off item; the final score is the lowest."""

    sections: dict[str, float]
    final: float
    band: str


class Report(Frozen):
    schema_version: str = SCHEMA_VERSION
    tool: str = "prodgate"
    tool_version: str
    root: SafeText
    verdict: Verdict
    level: Level | None = None
    """the highest level whose checks, and every lower level's, are all satisfied; None below bronze"""
    score: int = Field(default=0, ge=0, le=100)
    """satisfied checks as a percentage of the checks that apply"""
    category_scores: dict[str, int] = Field(default_factory=dict)
    """the same percentage per category"""
    ml_test_score: MlTestScore | None = None
    results: tuple[CheckResult, ...]
    counts: dict[Outcome, int]
    categories: dict[str, dict[Outcome, int]]
    skipped: tuple[Skipped, ...] = ()
    checklist: FilledChecklist | None = None
    baseline: Baseline | None = None
