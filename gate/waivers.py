"""Accepted risks on the record: waivers from the config, and inline ignores next to the finding.

A waiver names a check (optionally some paths), a reason, an owner and an expiry; it turns a failing
check into `waived` (never `pass`) and the report shows who accepted what until when. After its expiry
it stops applying and the report says it expired. An inline ignore (`# prodgate: ignore[check-id]
reason`, on the finding's line or the line above, in Python, YAML, Dockerfile or shell comments) drops
that one finding; without a reason it is not honoured, and the finding says so.
"""

from __future__ import annotations

from datetime import date

from msgspec.structs import replace
from pydantic import Field

from gate.checks import Decision, Hit
from gate.ignore import PatternList
from gate.lazyre import lazy
from gate.model import Frozen, Outcome, WaiverNote
from gate.snapshot import Snapshot
from gate.wording import count

_INLINE = lazy(r"prodgate:\s*ignore\[([a-z0-9,\s-]+)\]\s*(.*)$")
SUPPRESSIBLE = (Outcome.FAIL, Outcome.ERROR)


class Waiver(Frozen):
    check: str = Field(min_length=1, description="The check id the waiver is for.")
    paths: tuple[str, ...] = Field(
        default=(),
        description="Only findings in these paths (gitignore-style); all of the check's by default.",
    )
    reason: str = Field(min_length=1, description="Why the risk is accepted; shown in every report.")
    owner: str = Field(min_length=1, description="Who accepted it (a person or team).")
    expires: date = Field(description="After this date (YYYY-MM-DD) the waiver stops applying.")


def _ignores(text: str) -> dict[int, tuple[frozenset[str], str]]:
    """Every inline ignore of a file by line: the check ids it names and its reason."""
    if "prodgate" not in text:
        return {}
    found = {}
    for number, line in enumerate(text.splitlines(), 1):
        if "prodgate" in line and (m := _INLINE.search(line)):
            found[number] = (frozenset(c.strip() for c in m[1].split(",")), m[2].strip().rstrip("-").strip())
    return found


def _inline_reason(snap: Snapshot, check_id: str, hit: Hit) -> tuple[bool, str] | None:
    """(honoured, reason) when the finding's line or the one above carries an ignore for this check."""
    loc = hit.locations[0] if hit.locations else None
    if loc is None or loc.start_line is None:
        return None
    ignores = snap.derived("inline-ignores", loc.path, _ignores)
    for number in (loc.start_line, loc.start_line - 1):
        if number in ignores and check_id in ignores[number][0]:
            reason = ignores[number][1]
            return (bool(reason), reason)
    return None


def apply_inline_ignores(
    check_id: str, decision: Decision, snap: Snapshot
) -> tuple[Decision, WaiverNote | None]:
    if decision.outcome not in SUPPRESSIBLE or not decision.hits:
        return decision, None
    kept: list[Hit] = []
    honoured: list[tuple[Hit, str]] = []
    for hit in decision.hits:
        found = _inline_reason(snap, check_id, hit)
        if found is None:
            kept.append(hit)
        elif found[0]:
            honoured.append((hit, found[1]))
        else:
            kept.append(
                replace(hit, message=f"{hit.message} (an inline ignore without a reason is not honoured)")
            )
    if not honoured:
        return (
            (replace(decision, hits=tuple(kept)), None) if kept != list(decision.hits) else (decision, None)
        )
    first_hit, reason = honoured[0]
    where = str(first_hit.locations[0])
    note = WaiverNote(
        source="inline", reason=reason, owner="", expires=None, location=where, count=len(honoured)
    )
    if kept:
        return replace(decision, hits=tuple(kept)), note
    return Decision(
        Outcome.WAIVED, f"{count(len(honoured), 'finding')} ignored inline ({where}: {reason}).", ()
    ), note


def apply_waivers(
    check_id: str, decision: Decision, waivers: tuple[Waiver, ...], today: date
) -> tuple[Decision, WaiverNote | None]:
    mine = [w for w in waivers if w.check == check_id]
    if decision.outcome not in SUPPRESSIBLE or not mine:
        return decision, None
    live = [w for w in mine if w.expires >= today]
    if not live:
        w = max(mine, key=lambda w: w.expires)
        note = WaiverNote(source="config", reason=w.reason, owner=w.owner, expires=w.expires, expired=True)
        return decision, note
    for w in live:
        if not w.paths:
            note = WaiverNote(source="config", reason=w.reason, owner=w.owner, expires=w.expires)
            return Decision(Outcome.WAIVED, f"Waived by {w.owner} until {w.expires}: {w.reason}", ()), note
    spec = PatternList([p for w in live for p in w.paths])
    covered = [h for h in decision.hits if h.locations and spec.match_file(h.locations[0].path)]
    if not covered:
        return decision, None
    w = live[0]
    note = WaiverNote(source="config", reason=w.reason, owner=w.owner, expires=w.expires, count=len(covered))
    rest = tuple(h for h in decision.hits if h not in covered)
    if rest:
        return replace(decision, hits=rest), note
    return Decision(Outcome.WAIVED, f"Waived by {w.owner} until {w.expires}: {w.reason}", ()), note
