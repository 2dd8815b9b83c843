"""Rows merged into one aggregate: a line per service, what got better or worse since the previous
aggregate, the checks that block most services, and each service's trend.

Reading is forgiving by design: a file that is not a row (malformed JSON, another schema, a truncated
upload) becomes an error row named after its file, so a broken artifact shows up in the table instead of
silently shrinking the organisation.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError

from gate.model import Frozen, Level
from gate.org.rows import Row

AGGREGATE_VERSION = "1.0"
HISTORY = 30
"""Scores kept per service for its trend: the last 30 aggregates."""
_LEVELS: dict[Level | None, int] = {None: 0, Level.BRONZE: 1, Level.SILVER: 2, Level.GOLD: 3}


class Point(Frozen):
    on: date
    score: int | None


class Change(Frozen):
    service: str
    what: Literal["new", "gone", "better", "worse"]
    detail: str


class Line(Frozen):
    row: Row
    age_days: int | None = None
    """Days between the evaluated commit and the aggregate's date."""
    history: tuple[Point, ...] = ()


class Aggregate(Frozen):
    kind: Literal["prodgate-org-aggregate"] = "prodgate-org-aggregate"
    schema_version: str = AGGREGATE_VERSION
    on: date
    services: tuple[Line, ...]
    ready: int
    not_ready: int
    errors: int
    levels: dict[str, int]
    blocking: tuple[tuple[str, int], ...]
    """Checks by how many services they block, most first (ties by id)."""
    changes: tuple[Change, ...] = ()
    compared_with: date | None = None
    topics: tuple[str, ...] = Field(default=())
    owners: tuple[str, ...] = Field(default=())


def read_rows(folder: Path) -> list[Row]:
    """Every `*.json` under `folder` (artifacts download into one folder each), sorted by service."""
    rows: dict[str, Row] = {}
    for path in sorted(folder.rglob("*.json")):
        shown = path.relative_to(folder).as_posix()
        try:
            row = Row.model_validate_json(path.read_bytes())
        except (OSError, ValidationError, ValueError) as exc:
            row = Row(repo=f"({shown})", error=f"{shown}: not a prodgate row ({_why(exc)})")
        # the same service uploaded twice: an evaluation over an error, then the later commit
        if row.key in rows:
            row = max(rows[row.key], row, key=_recency)
        rows[row.key] = row
    return [rows[k] for k in sorted(rows)]


def _recency(row: Row) -> tuple[bool, float]:
    return row.error is None, row.committed_at.timestamp() if row.committed_at else 0.0


def _why(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "the file"
        return f"{where}: {first['msg']}"
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


def aggregate(rows: list[Row], on: date, previous: Aggregate | None = None) -> Aggregate:
    before = {line.row.key: line for line in previous.services} if previous else {}
    lines: list[Line] = []
    for row in rows:
        age = (on - row.committed_at.date()).days if row.committed_at else None
        past = before[row.key].history if row.key in before else ()
        if previous is not None and previous.on == on:
            past = tuple(p for p in past if p.on != on)  # a rerun on the same day replaces that day's point
        history = (*past, Point(on=on, score=row.score))[-HISTORY:]
        lines.append(Line(row=row, age_days=age, history=history))
    counted = Counter(check for row in rows if row.error is None for check in row.blocking)
    levels = Counter((row.level.value if row.level else "none") for row in rows if row.error is None)
    return Aggregate(
        on=on,
        services=tuple(lines),
        ready=sum(1 for r in rows if r.error is None and r.passed),
        not_ready=sum(1 for r in rows if r.error is None and not r.passed),
        errors=sum(1 for r in rows if r.error is not None),
        levels={k: levels.get(k, 0) for k in ("gold", "silver", "bronze", "none")},
        blocking=tuple(sorted(counted.items(), key=lambda kv: (-kv[1], kv[0]))),
        changes=_changes(rows, before) if previous is not None else (),
        compared_with=previous.on if previous is not None else None,
        topics=tuple(sorted({t for r in rows for t in r.topics})),
        owners=tuple(sorted({o for r in rows for o in r.owners})),
    )


def _changes(rows: list[Row], before: dict[str, Line]) -> tuple[Change, ...]:
    out: list[Change] = []
    now = {r.key: r for r in rows}
    for key in sorted(now.keys() | before.keys()):
        row, old = now.get(key), before[key].row if key in before else None
        if old is None and row is not None:
            out.append(Change(service=key, what="new", detail=_state(row)))
        elif row is None and old is not None:
            out.append(Change(service=key, what="gone", detail=f"was {_state(old)}"))
        elif row is not None and old is not None:
            change = _compare(old, row)
            if change is not None:
                out.append(Change(service=key, what=change[0], detail=change[1]))
    return tuple(out)


def _state(row: Row) -> str:
    if row.error is not None:
        return "an error"
    verdict = "ready" if row.passed else "not ready"
    return f"{verdict}, level {row.level.value if row.level else 'none'}, score {row.score}%"


def _compare(old: Row, new: Row) -> tuple[Literal["better", "worse"], str] | None:
    if (old.error is None) != (new.error is None):
        return (
            ("worse", "now an error")
            if new.error is not None
            else ("better", f"evaluated again: {_state(new)}")
        )
    if new.error is not None:
        return None
    rank = (int(bool(new.passed)), _LEVELS[new.level], new.score or 0)
    was = (int(bool(old.passed)), _LEVELS[old.level], old.score or 0)
    if rank == was:
        return None
    added = sorted(set(new.blocking) - set(old.blocking))
    fixed = sorted(set(old.blocking) - set(new.blocking))
    parts = [f"{_state(old)} → {_state(new)}"]
    if added:
        parts.append("now blocked by " + ", ".join(added))
    if fixed:
        parts.append("no longer blocked by " + ", ".join(fixed))
    return ("better" if rank > was else "worse"), "; ".join(parts)


def read_previous(path: Path) -> Aggregate:
    """The previous run's aggregate. Raises ValueError with one line naming the file."""
    try:
        return Aggregate.model_validate_json(path.read_bytes())
    except OSError as exc:
        raise ValueError(f"{path}: cannot read the previous aggregate: {exc.strerror}") from None
    except ValidationError as exc:
        raise ValueError(f"{path}: not a prodgate aggregate ({_why(exc)})") from None
