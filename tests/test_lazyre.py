"""Lazily compiled patterns (gate/lazyre.py): each one valid, and the same answers as re.compile."""

from __future__ import annotations

import copy
import importlib
import pkgutil
import re

import gate
from gate.lazyre import MADE, lazy


def test_every_lazy_pattern_in_gate_compiles() -> None:
    for module in pkgutil.walk_packages(gate.__path__, "gate."):
        importlib.import_module(module.name)
    assert len(MADE) > 400
    for pattern in list(MADE):
        assert pattern.groups >= 0, pattern  # asking anything compiles it; an invalid one raises here


def test_a_lazy_pattern_answers_as_the_compiled_one() -> None:
    text = "Batch (1000 records): <5s\nsingle: 90ms"
    made, compiled = lazy(r"(\d+)\s*(ms|s)\b", re.I), re.compile(r"(\d+)\s*(ms|s)\b", re.I)
    assert [m.groups() for m in made.finditer(text)] == [m.groups() for m in compiled.finditer(text)]
    assert made.sub("N", text) == compiled.sub("N", text) and made.flags == compiled.flags
    assert made.pattern == compiled.pattern and made.groupindex == compiled.groupindex
    again = copy.deepcopy(made)  # through __reduce__, as pickling would
    assert again.findall(text) == compiled.findall(text)


_ATOMS: tuple[str, ...] = (
    ",b",
    " a",
    "a.",
    "-a",
    "a ",
    "/a",
    ":a",
    "_a",
    "a\t",
    "a,",
    ". ",
    "a=",
    "{a",
    "a}",
    '"a',
    "'a",
)
_ATOMS += ("(a", "a)", "@a", "$a", "#a", "*a", "a\n", " \n", "1.", "1,", "ab", "a-", "/", " ", "a/", "x=1 ")
_ENDS = ("\x00", "!", "", " x")


def _backtracks(pattern: re.Pattern[str], seconds: float = 0.3) -> str | None:
    """The first input, a prefix taken from the pattern's own words and 28 repeats of a token, on which
    the pattern runs longer than `seconds` (exponential backtracking shows long before 28)."""
    import signal

    class Slow(Exception):
        pass

    def stop(*_: object) -> None:
        raise Slow

    words: list[str] = re.findall(r"\b[a-zA-Z_]{3,}\b", pattern.pattern)[:4]
    prefixes = ("", "a.com", "http://a", "- ", "run: ", *(w + " " for w in words), *words)
    # the pattern's own words joined to a separator, repeated: a word its character classes can also
    # spell ("and" in a path) is split every possible way
    atoms = _ATOMS + tuple(
        joined for w in words for sep in ("/", " ", ",", "-", ".") for joined in (w + sep, sep + w)
    )
    previous = signal.signal(signal.SIGALRM, stop)
    try:
        for atom in atoms:
            for prefix in prefixes:
                for end in _ENDS:
                    text = prefix + atom * 28 + end
                    signal.setitimer(signal.ITIMER_REAL, seconds)
                    try:
                        pattern.search(text)
                        pattern.match(text)
                    except Slow:
                        return text
                    finally:
                        signal.setitimer(signal.ITIMER_REAL, 0)
    finally:
        signal.signal(signal.SIGALRM, previous)
    return None


def test_no_pattern_backtracks_on_repeated_tokens() -> None:
    """A sweep of every module-level pattern for exponential backtracking. It finds the Caddy site
    pattern the tls facts had until this was written (`(\\s*,\\s*\\S+)*`: a line of `a.com,b,b,...`),
    and the route-line pattern the concept matcher had for an afternoon (`/a` and `and/` repeated)."""
    old_caddy = re.compile(r"^([a-z0-9-]+\.)+[a-z]{2,}(:443)?(\s*,\s*\S+)*\s*\{", re.I)
    assert _backtracks(old_caddy) is not None
    # and the route-line pattern of 2026-12-01, whose "and" between paths a path could also spell
    old_routes = re.compile(r"^(?P<paths>/[\w/]*(?:\s*(?:,|and|&)\s*/[\w/]*)*)(?:\s+-\s+(?P<rest>.*))?$")
    assert _backtracks(old_routes) is not None
    for module in pkgutil.walk_packages(gate.__path__, "gate."):
        importlib.import_module(module.name)
    slow = {p.pattern: text[:40] for p in MADE if (text := _backtracks(re.compile(p.pattern, p.flags)))}
    assert slow == {}
