"""One service of an organisation, evaluated: the unit a matrix job uploads and the aggregate reads.

A row carries what the aggregate compares (verdict, level, scores, blocking and failing checks) and who
it is about (repository, folder, commit and its date), or the error that kept the service from being
evaluated: a clone that failed, a folder that is gone, a config that does not parse. An error is a row
like any other, never a gap in the table.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import Field

from gate.model import Frozen, Level, Outcome, Report


class Row(Frozen):
    kind: Literal["prodgate-org-row"] = "prodgate-org-row"
    version: Literal[1] = 1
    repo: str
    service: str = "."
    branch: str = ""
    topics: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    """Who owns the service's folder, by the repository's CODEOWNERS (its team, for the dashboard)."""
    commit: str | None = None
    committed_at: datetime | None = None
    error: str | None = None
    passed: bool | None = None
    level: Level | None = None
    score: int | None = Field(default=None, ge=0, le=100)
    category_scores: dict[str, int] = Field(default_factory=dict)
    blocking: tuple[str, ...] = ()
    failing: tuple[str, ...] = ()
    tool_version: str = ""

    @property
    def key(self) -> str:
        return f"{self.repo}:{self.service}"


def file_name(repo: str, service: str) -> str:
    """A row's file name: one per service, readable, and the same for the same service on every run. The
    readable part folds characters (`api v2` and `api_v2` read alike), so a digest of the exact repository
    and folder keeps two services from sharing a file, where one would overwrite the other."""
    named = repo if service in (".", "") else f"{repo}/{service}"
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", named.replace("/", "__")).strip("._")[:150]
    digest = hashlib.sha256(f"{repo}\0{service}".encode("utf-8", "surrogateescape")).hexdigest()[:12]
    return f"{slug}-{digest}.json"


def from_report(report: Report, who: Row) -> Row:
    """`who` (the service's row before its evaluation) with the report's outcome."""
    return who.model_copy(
        update={
            "passed": report.verdict.passed,
            "level": report.level,
            "score": report.score,
            "category_scores": report.category_scores,
            "blocking": tuple(sorted(report.verdict.blocking_checks)),
            "failing": tuple(sorted(r.check_id for r in report.results if r.outcome is Outcome.FAIL)),
            "tool_version": report.tool_version,
        }
    )


def commit_of(root: Path) -> tuple[str | None, datetime | None]:
    """The checked-out commit and its committer date, read without the git binary."""
    from dulwich.repo import Repo

    try:
        repo = Repo.discover(str(root))
    except Exception:  # no repository: the row says unknown
        return None, None
    try:
        sha = repo.head()
        when = datetime.fromtimestamp(repo[sha].commit_time, tz=UTC)  # type: ignore[attr-defined]
        return sha.decode("ascii"), when
    except Exception:  # no commit yet, or an unreadable one
        return None, None
    finally:
        repo.close()


CODEOWNERS_PLACES = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
"""Where GitHub looks for CODEOWNERS, in its order; the first found is the one it uses."""
CODEOWNERS_MAX = 3 * 1024 * 1024
"""GitHub ignores a CODEOWNERS file larger than 3 MB."""


def owners_of(checkout: Path, service: str) -> tuple[str, ...]:
    """The owners CODEOWNERS gives the service's folder: the last rule matching a file directly inside it
    (`*`, `/services/api/`, `services/**`), as GitHub picks the last matching line. A rule for some files
    only (`*.md`) does not name the folder's owner, and is not taken for it."""
    for place in CODEOWNERS_PLACES:
        path = checkout / place
        try:
            if path.is_symlink() or not path.is_file() or path.stat().st_size > CODEOWNERS_MAX:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        # a rule's words up to a comment (`* @acme/platform  # fallback`)
        rules = [_before_comment(line.split()) for line in text.splitlines()]
        folder = "" if service in (".", "") else service.strip("/")
        for words in reversed(rules):  # the last matching rule decides, as on GitHub
            if words and not words[0].startswith("!") and _owns(words[0], folder):
                return tuple(words[1:])
        return ()
    return ()


def _before_comment(words: list[str]) -> list[str]:
    cut = next((i for i, w in enumerate(words) if w.startswith("#")), len(words))
    return words[:cut]


def _owns(pattern: str, folder: str) -> bool:
    """Whether a CODEOWNERS pattern covers a folder's own files. gitignore's syntax, with CODEOWNERS'
    difference: `dir/*` covers the files directly in dir/, not those of its subfolders (GitHub's docs);
    `!` negation does not exist there (such lines are skipped above)."""
    from gate.ignore import PatternList

    if pattern.endswith("/*") and "*" not in pattern[:-2]:
        return folder == pattern[:-2].strip("/")
    # a file no rule can name but by a wildcard: a NUL cannot be in a real file name
    return PatternList([pattern]).match_file(f"{folder}/\x00" if folder else "\x00")
