"""What a file shows, read line by line: a kind of finding, where, and the words that showed it.

Several fact families (the logging pipeline, tracing, TLS, monitoring wiring, a web app's sources) look
for settings by patterns over lines rather than by parsing: a setting is one line in any of the formats
it can be written in. They share this reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_LINE = 2_000
"""Longer lines are not read: a setting is short, a file comes from the pull request, and a pattern
searched over a megabyte-long line is where a hostile file would make the gate slow."""


@dataclass(frozen=True)
class Signal:
    kind: str
    path: str
    line: int
    detail: str
    """the words that matched (a pattern's last group when asked, e.g. the level of `--log-level info`)"""


@dataclass(frozen=True)
class Signals:
    signals: tuple[Signal, ...] = ()

    def of(self, kind: str) -> tuple[Signal, ...]:
        return tuple(s for s in self.signals if s.kind == kind)


def scan(
    rel: str,
    text: str,
    patterns: tuple[tuple[str, re.Pattern[str]], ...],
    *,
    comments: tuple[str, ...] = (),
    group: bool = False,
) -> list[Signal]:
    """Every (kind, pattern) that matches a line of `text`, in line order. Lines starting with one of
    `comments` are skipped; `group` takes a pattern's last matched group as the detail."""
    found: list[Signal] = []
    for i, line in enumerate(text.splitlines(), 1):
        if len(line) > MAX_LINE or (comments and line.lstrip().startswith(comments)):
            continue
        for kind, rx in patterns:
            if m := rx.search(line):
                words = m.group(m.lastindex) if group and m.lastindex else m.group(0)
                found.append(Signal(kind, rel, i, words.strip()[:80]))
    return found
