"""Sign-offs for the checklist's manual (attestation) items, ticked in the gate's own comment.

The comment lists the pending items as task-list boxes, each carrying a hidden item id. A reviewer
ticks one; GitHub sends `issue_comment` (edited) with the new body, the old one and who edited it. The
gate takes the boxes that went from [ ] to [x], asks the API for that person's permission on the
repository, and records who and when (write or higher by default) in hidden data inside the comment;
ticks by others are shown as not counted and the box is rendered unticked again. The next evaluation
reads the record, and an item signed off within its `expires_days` counts as attested.
"""

from __future__ import annotations

import base64
import re
from datetime import date, timedelta

from pydantic import ValidationError

from gate.lazyre import lazy
from gate.model import Frozen

_DATA = lazy(r"<!-- prodgate-signoffs:([A-Za-z0-9+/=]*) -->")
_BOX = lazy(r"^\s*[-*] \[([ xX])\] .*<!-- prodgate-signoff:([a-z0-9-]+) -->\s*$", re.M)
PERMISSION_RANK = {"none": 0, "read": 1, "triage": 2, "write": 3, "maintain": 4, "admin": 5}


class SignOff(Frozen):
    item: str
    by: str
    at: date
    permission: str


class Refused(Frozen):
    item: str
    by: str
    permission: str


class SignOffs(Frozen):
    signed: tuple[SignOff, ...] = ()
    refused: tuple[Refused, ...] = ()

    def valid(self, item: str, today: date, expires_days: int | None) -> SignOff | None:
        for s in self.signed:
            if s.item == item and (expires_days is None or s.at + timedelta(days=expires_days) >= today):
                return s
        return None


def read(body: str) -> SignOffs:
    """The record kept in a comment body; an unreadable one counts as empty."""
    m = _DATA.search(body)
    if not m:
        return SignOffs()
    try:
        return SignOffs.model_validate_json(base64.b64decode(m[1]))
    except (ValueError, ValidationError):
        return SignOffs()


def hidden(record: SignOffs) -> str:
    """The record as a hidden line (base64: no text in it can end the HTML comment)."""
    data = base64.b64encode(record.model_dump_json().encode()).decode()
    return f"<!-- prodgate-signoffs:{data} -->"


def boxes(body: str) -> dict[str, bool]:
    return {m[2]: m[1] in "xX" for m in _BOX.finditer(body)}


def codeowners(text: str) -> frozenset[str]:
    """The people a CODEOWNERS file names (@login). Teams (@org/team) need org access to expand and
    are not counted."""
    owners = set()
    for line in text.splitlines():
        for word in line.split("#", 1)[0].split()[1:]:
            if word.startswith("@") and "/" not in word:
                owners.add(word[1:].lower())
    return frozenset(owners)


def apply_ticks(
    record: SignOffs,
    old_body: str,
    new_body: str,
    editor: str,
    permission: str,
    required: str,
    today: date,
    owners: frozenset[str] = frozenset(),
    *,
    rendered_only: bool = True,
) -> SignOffs:
    """Boxes the editor ticked or unticked between the two bodies, checked against their permission
    (or, with `required` = codeowners, against the CODEOWNERS of the base branch)."""
    before, after = boxes(old_body), boxes(new_body)
    if required == "codeowners":
        allowed = editor.lower() in owners
    else:
        allowed = PERMISSION_RANK.get(permission, 0) >= PERMISSION_RANK[required]
    signed = {s.item: s for s in record.signed}
    refused = {(r.item, r.by): r for r in record.refused}
    for item, ticked in after.items():
        if rendered_only and item not in before:
            continue  # in the gate's comment only the boxes it rendered count, not one an editor added
        was = before[item]
        if ticked and not was:
            if allowed:
                signed[item] = SignOff(item=item, by=editor, at=today, permission=permission)
            else:
                refused[(item, editor)] = Refused(item=item, by=editor, permission=permission)
        elif was and not ticked and allowed:
            signed.pop(item, None)
    return SignOffs(signed=tuple(signed.values()), refused=tuple(refused.values()))


SECTION_START, SECTION_END = "<!-- prodgate-signoff-section -->", "<!-- /prodgate-signoff-section -->"
_SUFFIX = lazy(r" · (✍️|⛔) .*$")
# a group's heading in the section: the checklist heading, bold, on a line of its own (its text went
# through md(), so a * inside is escaped and cannot end the bold early)
_GROUP = lazy(r"^\*\*(.+)\*\*$")


class Row(Frozen):
    """One box of the sign-off section: the item, its text, and what the record says of it."""

    item: str
    text: str
    signed: SignOff | None = None
    refused: tuple[Refused, ...] = ()
    section: str = ""
    """The checklist heading the item sits under, as Markdown; the boxes are grouped under it."""


def rows_from_body(body: str, record: SignOffs) -> list[Row]:
    """The section's rows as the comment shows them (with the group each sits in), re-read against a
    (new) record."""
    if SECTION_START in body:
        body = body.split(SECTION_START, 1)[1].split(SECTION_END, 1)[0]
    rows = []
    section = ""
    for line in body.splitlines():
        if group := _GROUP.match(line):
            section = group[1]
        elif m := _BOX.match(line):
            text = line.strip().split("] ", 1)[1].rsplit(" <!-- prodgate-signoff:", 1)[0]
            rows.append(row(m[2], _SUFFIX.sub("", text), record, section=section))
    return rows


def row(item: str, text: str, record: SignOffs, *, current: bool = True, section: str = "") -> Row:
    """A box and what the record says of it; `current=False` shows a recorded sign-off as expired
    (unticked)."""
    signed = next((s for s in record.signed if s.item == item), None) if current else None
    refused = tuple(r for r in record.refused if r.item == item)
    return Row(item=item, text=text, signed=signed, refused=refused, section=section)


def with_record(body: str, record: SignOffs, section: str) -> str:
    """The body with its sign-off section and record replaced (the rest of the comment untouched)."""
    if SECTION_START in body and SECTION_END in body:
        head, rest = body.split(SECTION_START, 1)
        _, tail = rest.split(SECTION_END, 1)
        body = head + section + tail
    body = _DATA.sub("", body).rstrip("\n")
    return f"{body}\n{hidden(record)}\n"
