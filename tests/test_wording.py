"""Counted wording: the helpers, and no machine-made plural left in the code or the templates."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from gate.report.render import environment
from gate.wording import agree, count, every

ROOT = Path(__file__).resolve().parent.parent
# "file(s)", "dependency(ies)", "All 1 container", "Both 1": what a reader should never see
MACHINE_WORDING = re.compile(r"\w\((?:s|es|ies)\)|\bAll [01] |\bBoth [0-9]")


@pytest.mark.parametrize(
    ("n", "want"),
    [(0, "0 files"), (1, "1 file"), (2, "2 files"), (11, "11 files")],
)
def test_count_takes_the_form_its_number_takes(n: int, want: str) -> None:
    assert count(n, "file") == want


def test_count_takes_an_irregular_plural() -> None:
    assert count(1, "dependency", "dependencies") == "1 dependency"
    assert count(3, "dependency", "dependencies") == "3 dependencies"


def test_agree_picks_the_verb_for_its_number() -> None:
    assert [agree(n, "is", "are") for n in (0, 1, 2)] == ["are", "is", "are"]


def test_every_never_says_all_one() -> None:
    assert every(1, "container") == "The only container"
    assert every(2, "container") == "Both containers"
    assert every(5, "Ingress", "Ingresses") == "All 5 Ingresses"


def _strings(path: Path) -> list[tuple[int, str]]:
    """The string literals of a module with their lines (f-strings' literal parts included); comments
    and docstrings' mentions of the old form are not messages, but a docstring is a constant too."""
    tree = ast.parse(path.read_text(), str(path))
    return [
        (n.lineno, n.value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


def test_no_message_in_the_code_says_s_in_parentheses() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}: {text.strip()[:80]}"
        for path in sorted((ROOT / "gate").rglob("*.py"))
        if path.name != "wording.py"  # its docstring names the form it replaces
        for line, text in _strings(path)
        if MACHINE_WORDING.search(text)
    ]
    assert not found, "\n".join(found)


def test_no_template_says_s_in_parentheses() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}: {text.strip()[:80]}"
        for path in sorted((ROOT / "templates").rglob("*.j2"))
        for number, text in enumerate(path.read_text().splitlines(), 1)
        if MACHINE_WORDING.search(text)
    ]
    assert not found, "\n".join(found)


@pytest.mark.parametrize(("n", "want"), [(1, "1 finding"), (4, "4 findings")])
def test_templates_count_through_ngettext(n: int, want: str) -> None:
    template = environment().from_string('{{ ngettext("%(num)d finding", "%(num)d findings", n) }}')
    assert template.render(n=n) == want


def test_listing_joins_the_last_two_with_and() -> None:
    from gate.wording import listing

    assert [listing(w) for w in ([], ["a"], ["a", "b"], ["a", "b", "c"])] == [
        "",
        "a",
        "a and b",
        "a, b and c",
    ]
