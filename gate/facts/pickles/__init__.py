"""Model pickles judged without ever being loaded: every stream in the file, every import on an
allow-list, every byte accounted for.

Fail-closed: a file is `clean` only when each stream a loader could read was parsed to its end and every
import it makes is allowed (allowed.py). An import that is not allowed makes it `unsafe` (or
`dangerous` when it is one of the well-known ways to run code); a stream that hides opcodes or computes
its imports at load time is `unsafe`; a file that cannot be accounted for (truncated, too large,
compressed with an unknown method, trailing bytes) is `not-verified`. Neither of the last two is ever
reported as safe. Written in-house rather than on picklescan (whose known bypasses were exactly a
zip appended to a pickle, payloads after joblib's array buffers, and unknown imports reported as
"suspicious" but passing) or fickling (no joblib or torch legacy framing): see formats.py and stream.py.
"""

from __future__ import annotations

import time
from pathlib import Path

from msgspec import Struct

from gate.facts.pickles.allowed import Allowed, builtin_allowed, known_dangerous
from gate.facts.pickles.formats import Findings, NotVerified, Scanner
from gate.facts.pickles.stream import Global
from gate.wording import count

__all__ = ["Allowed", "Global", "PickleScan", "scan_file"]

MAX_SCAN_BYTES = 2 * 1024 * 1024 * 1024
"""The most a file (or what it decompresses to) may hold and still be scanned whole."""


class PickleScan(Struct, frozen=True):
    verdict: str
    """'dangerous', 'unsafe', 'clean', 'not-verified' or 'not-pickle'."""
    detail: str
    refused: tuple[Global, ...] = ()
    """Imports not on the built-in allow-list (a team's allow_globals may still accept them)."""
    dangerous: tuple[str, ...] = ()
    """The refused imports that are well-known ways to run code."""
    problems: tuple[str, ...] = ()
    """Structural findings that no allow-list excuses (hidden opcodes, imports computed at load time)."""
    unverified: str | None = None
    """Why the file could not be accounted for in full, when it could not."""
    imports: tuple[str, ...] = ()


def _first_byte_is_opcode(path: Path) -> bool:
    import pickletools

    with path.open("rb") as fh:
        head = fh.read(1)
    return bool(head) and any(op.code == chr(head[0]) for op in pickletools.opcodes)


def scan_file(
    path: Path,
    *,
    max_bytes: int = MAX_SCAN_BYTES,
    deadline: float | None = None,
) -> PickleScan:
    """Scan one file. Never raises for the file's content; OSError reading it is the caller's."""
    size = path.stat().st_size
    scanner = Scanner(max_bytes, deadline)
    unverified: str | None = None
    if size > max_bytes:
        unverified = f"{size} bytes, over the {max_bytes}-byte scan limit"
    else:
        try:
            with path.open("rb") as fh:
                scanner.scan(fh, size)
        except NotVerified as exc:
            unverified = str(exc)
        except (OSError, ValueError, EOFError, OverflowError, MemoryError) as exc:
            # a malformed file must be a finding about that file, never a crash of the run
            unverified = f"the file could not be read as a model: {exc.__class__.__name__}: {exc}"
        if deadline is not None and time.monotonic() > deadline and unverified is None:
            unverified = None  # finished just in time: the scan is whole
    return _verdict(scanner.findings, unverified, path)


def _verdict(found: Findings, unverified: str | None, path: Path) -> PickleScan:
    seen = sorted(found.where, key=lambda g: (g.module, g.name))
    refused = [g for g in seen if not builtin_allowed(g)]
    dangerous = [g for g in refused if known_dangerous(g)]
    problems = tuple(dict.fromkeys(found.unresolved + found.unsafe))
    nothing = not found.streams and not refused and not problems
    not_pickle = unverified is not None and unverified.startswith("not a pickle stream")
    if nothing and not_pickle and not _first_byte_is_opcode(path):
        return PickleScan("not-pickle", "not a pickle stream", unverified=unverified)
    if nothing and unverified is None:
        return PickleScan("not-pickle", "no pickle stream in it (raw data only)")
    if dangerous:
        verdict, detail = "dangerous", ", ".join(f"{g.dotted} ({found.where[g]})" for g in dangerous)
    elif refused or problems:
        verdict = "unsafe"
        detail = "; ".join([*(f"{g.dotted} ({found.where[g]})" for g in refused), *problems])
    elif unverified is not None:
        verdict, detail = "not-verified", unverified
    else:
        verdict = "clean"
        detail = f"{count(found.streams, 'pickle stream')}, {count(len(seen), 'allowed import')}"
    return PickleScan(
        verdict,
        detail,
        tuple(refused),
        tuple(g.dotted for g in dangerous),
        problems,
        unverified,
        tuple(g.dotted for g in seen),
    )
