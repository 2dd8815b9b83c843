"""The docs facts' line scan: its fast pattern finds what the plain one finds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gate.facts import docs

ROOT = Path(__file__).resolve().parents[2]


def _first_letters(pattern: str) -> set[str]:
    """The lower-cased first letter of every branch of the pattern's outer group (a \\b before it
    skipped); fails on a branch that starts with anything else, which the lookahead could not list."""
    from re import _parser  # type: ignore[attr-defined]

    (group,) = _parser.parse(pattern, re.IGNORECASE)
    assert group[0] is _parser.SUBPATTERN
    branch = group[1][-1]
    assert branch[0][0] is _parser.BRANCH
    letters = set()
    for alternative in branch[0][1][1]:
        ops = [op for op in alternative if op[0] is not _parser.AT]
        assert ops[0][0] is _parser.LITERAL, f"a branch starts with {ops[0]}"
        letters.add(chr(ops[0][1]).lower())
    return letters


def _split(pattern: str) -> tuple[set[str], str]:
    m = re.fullmatch(r"\(\?=\[([a-z]+)\]\)(.*)", pattern, re.S)
    assert m, "the pattern starts with its first-letter lookahead"
    return set(m.group(1)), m.group(2)


def test_the_lookahead_lists_the_first_letter_of_every_branch() -> None:
    listed, plain = _split(docs._MENTIONS.pattern)
    assert listed == _first_letters(plain)


def _lines() -> list[str]:
    found = []
    for folder in ("examples", "tests/fixtures", "docs"):
        for path in sorted((ROOT / folder).rglob("*.md")):
            found.extend(path.read_text(encoding="utf-8", errors="replace").splitlines())
    return found


@pytest.mark.parametrize(
    "line",
    [
        "Deploy with helm",
        "ROLLBACK steps",
        "roll back the release",
        "On-call rota",
        "Our RTO is 4h",
        "SLOs and SLAs",
        "Service-Level objectives",
        "Owned by the platform team",
        "Maintainer: someone",
        "NO WARRANTY",
        "Liability",
        "recovery point objective",
        "nothing to see here",
        "shareholders",  # no word boundary before "owner"
    ],
)
def test_a_line_is_a_mention_exactly_when_the_plain_pattern_says_so(line: str) -> None:
    _, plain = _split(docs._MENTIONS.pattern)
    assert bool(docs._MENTIONS.search(line)) == bool(re.search(plain, line, re.IGNORECASE))


def test_every_line_of_the_projects_markdown_gets_the_plain_patterns_answer() -> None:
    _, plain = _split(docs._MENTIONS.pattern)
    slow = re.compile(plain, re.IGNORECASE)
    lines = _lines()
    assert len(lines) > 1000
    assert [bool(docs._MENTIONS.search(x)) for x in lines] == [bool(slow.search(x)) for x in lines]
