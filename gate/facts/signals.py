"""What a file shows, read line by line: a kind of finding, where, and the words that showed it.

Several fact families (the logging pipeline, tracing, TLS, monitoring wiring, a web app's sources) look
for settings by patterns over lines rather than by parsing: a setting is one line in any of the formats
it can be written in. They share this reader.
"""

from __future__ import annotations

import re
from typing import Protocol

from msgspec import Struct

MAX_LINE = 2_000
"""Longer lines are not read: a setting is short, a file comes from the pull request, and a pattern
searched over a megabyte-long line is where a hostile file would make the gate slow."""


class Signal(Struct, frozen=True):
    kind: str
    path: str
    line: int
    detail: str
    """the words that matched (a pattern's last group when asked, e.g. the level of `--log-level info`)"""


class Signals(Struct, frozen=True):
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


class Finder(Protocol):
    """A regular expression, or a rule made of them: what a step's or a file's text is searched with."""

    def search(self, text: str, /) -> object: ...


class Then(Struct, frozen=True):
    """`first`, then `then` later on the same line: what `first[^\\n]*then` matches, in linear time.
    That pattern rescans the rest of the line from every `first` it finds, so a hostile line of a
    hundred thousand `curl ` words takes minutes; the earliest `first` is the only one worth trying,
    since any `then` after a later one is after the earliest too. `stop` characters end the stretch
    searched (`;&|`: the same shell command), each stretch judged on its own."""

    first: re.Pattern[str]
    then: re.Pattern[str]
    stop: str = ""

    def search(self, text: str, /) -> bool:
        return self.line(text) is not None

    def line(self, text: str) -> int | None:
        """The 1-based line where it matches first."""
        split = re.compile(f"[{re.escape(self.stop)}]") if self.stop else None
        for number, line in enumerate(text.splitlines(), 1):
            for stretch in split.split(line) if split else (line,):
                found = self.first.search(stretch)
                if found is not None and self.then.search(stretch, found.end()):
                    return number
        return None


class AnyOf(Struct, frozen=True):
    """Any of several finders."""

    finders: tuple[Finder, ...]

    def search(self, text: str, /) -> bool:
        return any(f.search(text) for f in self.finders)
