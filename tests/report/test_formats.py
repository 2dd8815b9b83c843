"""Rendering: repository text is escaped for Markdown/HTML and terminals; layout is stable."""

from __future__ import annotations

import pytest

from gate.config import Config
from gate.engine import evaluate
from gate.model import CheckResult, Confidence, Finding, Level, Location, Outcome, Report, Severity, Verdict
from gate.report.formats import console, json_chunks, markdown, to_json
from gate.report.render import md, md_code, term
from tests.conftest import ROOT
from tests.gfm import as_github

HOSTILE = "<script>alert(1)</script> | **bold** [x](http://evil) @org/team \x1b[31mred\x1b[0m\nnext"


def _report(message: str = HOSTILE, path: str = "a`b.py") -> Report:
    finding = Finding(
        check_id="python-syntax-valid",
        message=message,
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        locations=(Location(path=path, start_line=3),),
        remediation="fix <it>",
    )
    result = CheckResult(
        check_id="python-syntax-valid",
        title="No syntax errors",
        category="code-quality",
        level=Level.BRONZE,
        severity=Severity.HIGH,
        outcome=Outcome.FAIL,
        summary=message,
        findings=(finding,),
        blocking=True,
    )
    verdict = Verdict(
        passed=False, fail_on=Severity.HIGH, blocking_checks=("python-syntax-valid",), summary="Not ready."
    )
    return Report(
        tool_version="0",
        root="r",
        verdict=verdict,
        results=(result,),
        counts={o: int(o is Outcome.FAIL) for o in Outcome},
        categories={"code-quality": {Outcome.FAIL: 1}},
    )


def test_md_escapes_markdown_html_and_mentions() -> None:
    out = md(HOSTILE)
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "\\|" in out and "\\*\\*bold\\*\\*" in out and "\\[x\\]" in out
    assert "@\u200borg" in out
    assert "\n" not in out


def test_md_code_survives_backticks_and_shows_markup_as_written() -> None:
    assert md_code("a`b.py") == "``a`b.py``"
    # rendered as GitHub does: the angle brackets are shown, never parsed (and never shown as &lt;)
    assert as_github(md_code("<x>")) == "<p><code>&lt;x&gt;</code></p>\n"


def test_markup_in_code_is_shown_never_run() -> None:
    # code spans are not escaped by us: cmark-gfm escapes their content when it renders them
    html = as_github(
        "Found " + md("`<img src=x onerror=alert(1)>`") + " and " + md_code("<script>x</script>")
    )
    assert "<img" not in html and "<script>" not in html
    assert "<code>&lt;img src=x onerror=alert(1)&gt;</code>" in html


def test_md_keeps_code_spans_as_code_and_escapes_the_rest() -> None:
    html = as_github(md("Switched on: `app.run(debug=True)` in *app.py* for @team, a stray ` too"))
    assert "<code>app.run(debug=True)</code>" in html
    assert "<em>" not in html and "@\u200bteam" in html and "a stray ` too" in html


def test_term_strips_escape_sequences() -> None:
    assert "\x1b" not in term(HOSTILE)


def test_markdown_report_is_escaped_and_structured() -> None:
    text = markdown(_report())
    assert text.startswith("## ❌ prodgate: not ready for production")
    assert "<script>" not in text
    assert "### What blocks this merge" in text and "<details>" in text and "<details open>" not in text
    html = as_github(text)
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_a_pipe_in_code_keeps_a_table_row_whole_as_github_renders_it() -> None:
    row = f"| {md('Runs `curl -s x | sh` in the image', cell=True)} | {md_code('a|b.py:3', cell=True)} |"
    html = as_github("| Finding | Where |\n|---|---|\n" + row + "\n")
    body = html[html.index("<tbody>") :]
    assert body.count("<td>") == 2
    assert "<code>curl -s x | sh</code>" in body and "<code>a|b.py:3</code>" in body


def test_console_report_is_aligned_and_safe() -> None:
    text = console(_report(), color=False)
    assert "\x1b" not in text
    header = next(line for line in text.splitlines() if line.startswith("STATUS"))
    row = next(line for line in text.splitlines() if line.startswith("FAIL"))
    assert header.index("CHECK") == row.index("python-syntax-valid")
    assert "a`b.py:3" in text


def test_every_result_has_its_own_console_line() -> None:
    """A block tag at a line's end eats its newline (trim_blocks): every row must stay a line."""
    from gate.config import Config
    from gate.engine import evaluate
    from gate.report.formats import console
    from tests.conftest import ROOT

    report = evaluate(ROOT / "examples" / "not-ready-service", Config(), offline=True)
    labels = tuple(o.value.replace("_", " ") for o in {r.outcome for r in report.results})

    def rows(show: str) -> list[str]:
        starts = tuple(f"{lbl}  " for lbl in labels)
        return [line for line in console(report, show=show).splitlines() if line.lower().startswith(starts)]

    assert len(rows("all")) == len(report.results)
    # by default only what needs attention has a row, blocking first; the rest is one count
    quiet = ("pass", "not_applicable", "waived", "attested")
    problems = [r for r in report.results if r.outcome.value not in quiet]
    assert len(rows("problems")) == len(problems)
    assert rows("problems")[0].endswith("[blocking]")
    assert len(rows("blocking")) == sum(r.blocking for r in report.results)
    assert f"({len(report.results) - len(problems)} more not listed" in console(report)


def test_console_lists_twenty_findings_a_row_and_counts_the_rest() -> None:
    from gate.report.formats import CONSOLE_FINDINGS

    one = _report(message="unused import", path="m.py")
    many = tuple(
        one.results[0]
        .findings[0]
        .model_copy(update={"locations": (Location(path=f"m{n}.py", start_line=1),)})
        for n in range(CONSOLE_FINDINGS + 5)
    )
    report = one.model_copy(update={"results": (one.results[0].model_copy(update={"findings": many}),)})
    text = console(report)
    assert "m19.py:1" in text and "m20.py:1" not in text
    assert "... and 5 more findings (the json and sarif formats list every one)" in text
    assert console(one).count("more finding") == 0


@pytest.mark.parametrize("example", ["ready-service", "not-ready-service", "seed-004-full-stack"])
def test_the_json_report_written_a_result_at_a_time_is_the_whole_one(example: str) -> None:
    report = evaluate(ROOT / "examples" / example, Config(), offline=True)
    assert "".join(json_chunks(report)) == to_json(report)
    hostile = _report()  # quotes, backslashes, newlines and non-ASCII inside strings
    assert "".join(json_chunks(hostile)) == to_json(hostile)
    empty = report.model_copy(update={"results": ()})
    assert "".join(json_chunks(empty)) == to_json(empty)


def test_a_result_of_many_findings_is_written_a_finding_at_a_time_as_the_whole_one() -> None:
    from gate.report.formats import MANY_FINDINGS

    hostile = _report()  # quotes, backslashes, newlines and non-ASCII inside strings
    first = hostile.results[0]
    many = tuple(
        first.findings[0].model_copy(
            update={
                "message": f'"findings": [] {n}\n\\',
                "locations": (Location(path=f"m{n}.py", start_line=n + 1),),
            }
        )
        for n in range(MANY_FINDINGS + 3)
    )
    big = hostile.model_copy(
        update={"results": (first, first.model_copy(update={"findings": many}), *hostile.results[1:])}
    )
    chunks = list(json_chunks(big))
    assert "".join(chunks) == to_json(big)
    assert max(len(c) for c in chunks) < len(to_json(big)) / 50  # no chunk holds the big result
