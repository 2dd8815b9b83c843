"""gitignore-style patterns, matched in time linear in the pattern and the path.

Patterns reach the gate from the repository under judgement (.gitignore, .dockerignore) and from the
config (include, exclude, evidence, waiver paths). Translating them to regular expressions, as
pathspec and dulwich do, lets one line such as `*a*a*a*a*a*a*a*b` backtrack exponentially on a long
folder name and hang the gate. Here a pattern is split at `/` into segments and matched component by
component with the classic two-pointer wildcard algorithm (the only backtracking is to the last star,
so a component costs at most len(pattern) x len(name) steps, and a path at most that per component).

The rules are git's (gitignore(5)): `#` comments, `!` negation, a trailing `/` for folders only, a
`/` at the start or in the middle anchors the pattern to its base folder, otherwise it matches a name
at any depth; `*` and `?` never match `/`; `[...]` classes with `!`/`^` negation and ranges; `**/` at
the start, `/**/` in the middle and `/**` at the end span folders; `\\` escapes the next character.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from msgspec import Struct

_STAR = "*"
_ANY = "?"
_DSTAR = "**"
_ONE = "one"  # exactly one component: what a trailing /** needs before it


class _Class(Struct, frozen=True):
    negated: bool
    ranges: tuple[tuple[str, str], ...]

    def has(self, ch: str) -> bool:
        inside = any(lo <= ch <= hi for lo, hi in self.ranges)
        return inside != self.negated


Token = str | _Class  # _STAR, _ANY, or a literal one-character string, or a class
P = TypeVar("P")
Item = TypeVar("Item")


def _tokens(segment: str) -> tuple[Token, ...]:
    out: list[Token] = []
    i, n = 0, len(segment)
    while i < n:
        ch = segment[i]
        if ch == "\\" and i + 1 < n:
            out.append("\\" + segment[i + 1])  # an escaped literal: never a wildcard
            i += 2
        elif ch == "*":
            if not out or out[-1] != _STAR:  # runs of stars inside a name are one star
                out.append(_STAR)
            i += 1
        elif ch == "?":
            out.append(_ANY)
            i += 1
        elif ch == "[":
            parsed = _parse_class(segment, i)
            if parsed is None:
                out.append("\\[")
                i += 1
            else:
                cls, i = parsed
                out.append(cls)
        else:
            out.append("\\" + ch)
            i += 1
    return tuple(out)


def _parse_class(segment: str, start: int) -> tuple[_Class, int] | None:
    i = start + 1
    negated = i < len(segment) and segment[i] in "!^"
    if negated:
        i += 1
    ranges: list[tuple[str, str]] = []
    first = True
    while i < len(segment):
        ch = segment[i]
        if ch == "]" and not first:
            return _Class(negated, tuple(ranges)), i + 1
        first = False
        if ch == "\\" and i + 1 < len(segment):
            i += 1
            ch = segment[i]
        if i + 2 < len(segment) and segment[i + 1] == "-" and segment[i + 2] != "]":
            hi = segment[i + 2]
            if hi == "\\" and i + 3 < len(segment):
                hi = segment[i + 3]
                i += 1
            ranges.append((ch, hi))
            i += 3
        else:
            ranges.append((ch, ch))
            i += 1
    return None  # no closing bracket: git takes the `[` literally


def _one(token: Token, ch: str) -> bool:
    if isinstance(token, _Class):
        return ch != "/" and token.has(ch)
    if token == _ANY:
        return ch != "/"
    return token[1] == ch


def _wildcard(
    pattern: Sequence[P], items: Sequence[Item], is_star: Callable[[P], bool], one: Callable[[P, Item], bool]
) -> bool:
    """The classic two-pointer wildcard match: a star spans any run of items, every other token matches
    exactly one; greedy, backtracking only to the last star, so at most len(pattern) x len(items)
    steps. Used for characters within a name, and for names within a path (where the star is `**`)."""
    t = i = 0
    star_t, star_i = -1, 0
    nt, ni = len(pattern), len(items)
    while i < ni:
        if t < nt and is_star(pattern[t]):
            star_t, star_i = t, i
            t += 1
        elif t < nt and one(pattern[t], items[i]):
            t += 1
            i += 1
        elif star_t >= 0:
            t = star_t + 1
            star_i += 1
            i = star_i
        else:
            return False
    while t < nt and is_star(pattern[t]):
        t += 1
    return t == nt


def _match_name(tokens: tuple[Token, ...], name: str) -> bool:
    """Wildcard match of one path component."""
    return _wildcard(tokens, name, lambda t: t == _STAR, _one)


class _Segment(Struct, frozen=True):
    """One `/`-separated part of a pattern, with a fast path for the common plain forms."""

    kind: str  # "dstar", "one", "literal", "suffix", "prefix", "any", "glob"
    text: str = ""
    tokens: tuple[Token, ...] = ()

    def matches(self, name: str) -> bool:
        if self.kind == "literal":
            return name == self.text
        if self.kind == "suffix":
            return name.endswith(self.text)
        if self.kind == "prefix":
            return name.startswith(self.text)
        if self.kind in ("any", _ONE):
            return True
        return _match_name(self.tokens, name)


def _segment(text: str) -> _Segment:
    if text == "**":
        return _Segment("dstar")
    tokens = _tokens(text)
    literal = all(isinstance(t, str) and t.startswith("\\") for t in tokens)
    if literal:
        return _Segment("literal", "".join(t[1] for t in tokens if isinstance(t, str)))
    if tokens == (_STAR,):
        return _Segment("any")
    rest = tokens[1:]
    if tokens[0] == _STAR and all(isinstance(t, str) and t.startswith("\\") for t in rest):
        return _Segment("suffix", "".join(t[1] for t in rest if isinstance(t, str)))
    head = tokens[:-1]
    if tokens[-1] == _STAR and all(isinstance(t, str) and t.startswith("\\") for t in head):
        return _Segment("prefix", "".join(t[1] for t in head if isinstance(t, str)))
    return _Segment("glob", text, tokens)


def _match_segments(segments: tuple[_Segment, ...], parts: Sequence[str]) -> bool:
    """The same algorithm one level up: `**` spans any number of components."""
    return _wildcard(segments, parts, lambda s: s.kind == "dstar", lambda s, part: s.matches(part))


class Pattern(Struct, frozen=True):
    text: str
    negated: bool
    dir_only: bool
    anchored: bool
    segments: tuple[_Segment, ...]

    def matches(self, parts: Sequence[str], is_dir: bool) -> bool:
        """Whether the pattern matches exactly this path (given as components), not its parents."""
        if self.dir_only and not is_dir:
            return False
        if not self.anchored:
            return bool(parts) and self.segments[0].matches(parts[-1])
        return _match_segments(self.segments, parts)


def parse_pattern(line: str) -> Pattern | None:
    """One gitignore line as a pattern; None for blank lines and comments."""
    text = line.rstrip("\r\n")
    while text.endswith(" ") and not text.endswith("\\ "):
        text = text[:-1]
    if not text or text.startswith("#"):
        return None
    negated = text.startswith("!")
    if negated or text.startswith(("\\!", "\\#")):
        text = text[1:]
    dir_only = text.endswith("/")
    body = text.rstrip("/")
    if not body:
        return None
    anchored = "/" in body
    body = body.lstrip("/")
    if not body:
        return None
    parts = body.split("/")
    segments = [_segment(part) for part in parts if part != ""]
    if anchored and len(segments) > 1 and segments[-1].kind == "dstar":
        segments = [*segments[:-1], _Segment(_ONE), segments[-1]]  # `dir/**`: inside dir, not dir itself
    if not anchored and len(segments) == 1 and segments[0].kind == "dstar":
        segments = [_Segment("any")]
    return Pattern(line.strip(), negated, dir_only, anchored, tuple(segments))


class PatternList:
    """An ordered list of patterns where the last one that matches decides (git's rule within a file).

    `check(path)` also counts a match on any parent folder of `path`, so `models/` covers the files
    inside models/, which is what a config entry such as `exclude: [fixtures/]` means."""

    def __init__(self, lines: Iterable[str]) -> None:
        self.patterns: list[tuple[int, Pattern]] = []
        for index, line in enumerate(lines):
            pattern = parse_pattern(line)
            if pattern is not None:
                self.patterns.append((index, pattern))

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def check(self, path: str) -> tuple[bool | None, int | None]:
        """(True, index) when the deciding pattern ignores/selects the path, (False, index) when a
        negation re-includes it, (None, None) when no pattern matches. `index` counts input lines."""
        parts = [p for p in path.split("/") if p]
        is_dir = path.endswith("/")
        for index, pattern in reversed(self.patterns):
            if pattern.matches(parts, is_dir) or any(
                pattern.matches(parts[:depth], True) for depth in range(1, len(parts))
            ):
                return (not pattern.negated), index
        return None, None

    def match_file(self, path: str) -> bool:
        return self.check(path)[0] is True

    def decides(self, parts: Sequence[str], is_dir: bool) -> bool | None:
        """git's per-entry decision (parents are the caller's business): True ignored, False
        re-included, None when no pattern matches."""
        for _, pattern in reversed(self.patterns):
            if pattern.matches(parts, is_dir):
                return not pattern.negated
        return None
