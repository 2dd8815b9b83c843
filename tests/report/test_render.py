"""The template environment: compiled templates kept between runs change nothing in what is written."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest

from gate.checks import REGISTRY
from gate.report import render as rendering


@pytest.fixture
def fresh_environment() -> Iterator[None]:
    rendering.environment.cache_clear()
    yield
    rendering.environment.cache_clear()


def _page() -> str:
    return rendering.render("check.md.j2", spec=REGISTRY["health-endpoint"], heading_level=1)


def test_a_compiled_template_is_kept_and_renders_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_environment: None
) -> None:
    monkeypatch.setenv("PRODGATE_TEMPLATE_CACHE", str(tmp_path))
    compiled = _page()
    kept = sorted(tmp_path.iterdir())
    assert kept, "the compiled template is written to the cache folder"
    rendering.environment.cache_clear()
    assert _page() == compiled
    assert sorted(tmp_path.iterdir()) == kept


def test_a_changed_template_is_compiled_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_environment: None
) -> None:
    """Jinja keys an entry by the template's source: an edited template never runs stale code."""
    monkeypatch.setenv("PRODGATE_TEMPLATE_CACHE", str(tmp_path / "cache"))
    (tmp_path / "cache").mkdir()
    templates = tmp_path / "templates"
    templates.mkdir()
    for text in ("one", "two"):
        (templates / "t.j2").write_text(text + " {{ x }}\n")
        env = jinja2.Environment(  # noqa: S701 - plain text
            loader=jinja2.FileSystemLoader(templates),
            bytecode_cache=rendering._bytecode_cache(),
            keep_trailing_newline=True,
        )
        assert env.get_template("t.j2").render(x=1) == f"{text} 1\n"
    assert len(list((tmp_path / "cache").iterdir())) == 1, "one entry, replaced"


def test_an_unusable_cache_folder_costs_only_the_compile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_environment: None
) -> None:
    """Neither read nor written (here a file stands where the folder should be, which stops root too)."""
    blocked = tmp_path / "cache"
    blocked.write_text("not a folder")
    monkeypatch.setenv("PRODGATE_TEMPLATE_CACHE", str(blocked))
    assert "health-endpoint" in _page()
    assert blocked.read_text() == "not a folder"


def test_an_empty_setting_keeps_nothing(monkeypatch: pytest.MonkeyPatch, fresh_environment: None) -> None:
    monkeypatch.setenv("PRODGATE_TEMPLATE_CACHE", "")
    assert rendering.environment().bytecode_cache is None
    assert "health-endpoint" in _page()


def test_precompile_fills_the_cache_with_every_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_environment: None
) -> None:
    monkeypatch.setenv("PRODGATE_TEMPLATE_CACHE", str(tmp_path))
    count = rendering.precompile()
    assert count == len(list(tmp_path.iterdir())) >= 5


def test_a_line_of_bold_openings_nothing_closes_is_shown_in_linear_time() -> None:
    """A checklist line is the pull request's: 100,000 `__x ` openings with no close took minutes when
    each looked ahead for its close. In a child with a generous bound, as the hostile cases run."""
    script = (
        "from gate.report.render import md_item\n"
        "shown = md_item('__x ' * 100_000)\n"
        "assert '**' not in shown and shown.count('\\\\_') == 200_000, shown[:80]\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=20)
