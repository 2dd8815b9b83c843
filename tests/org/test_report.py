"""`prodgate org evaluate` and `org report`: rows from real checkouts, the aggregate from row files as a
matrix would leave them (malformed and partial ones included), and what a reviewer reads."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from pathlib import Path

from gate.cli import main
from gate.config import Config
from gate.engine import evaluate
from gate.model import Level
from gate.org.aggregate import HISTORY, Aggregate, aggregate, read_rows
from gate.org.rows import Row, file_name
from tests.conftest import ROOT, git_repo
from tests.gfm import as_github

READY = ROOT / "examples" / "ready-service"


def _run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(args), out=out, err=err), out.getvalue(), err.getvalue()


def _row(
    repo: str,
    *,
    passed: bool = True,
    level: Level | None = None,
    score: int = 80,
    blocking: tuple[str, ...] = (),
    **extra: object,
) -> Row:
    return Row(repo=repo, passed=passed, level=level, score=score, blocking=blocking, **extra)


def test_a_checkout_becomes_a_row_with_its_commit_and_verdict(tmp_path: Path) -> None:
    repo = git_repo(
        tmp_path / "checkout",
        {
            "svc/app.py": "print('hi')\n",
            "README.md": "# x\n",
            # the last matching rule decides; a rule for some files only does not name the folder's owner
            ".github/CODEOWNERS": "* @acme/platform\n/svc/ @acme/ml-team @alice  # serving\n*.md @acme/docs\n",
        },
    )
    code, out, err = _run(
        "org",
        "evaluate",
        str(repo),
        "--repo",
        "acme/mono",
        "--service",
        "svc",
        "--topics",
        "ml, serving",
        "--offline",
        "--output-dir",
        str(tmp_path / "rows"),
    )
    assert code == 0, err
    written = tmp_path / "rows" / file_name("acme/mono", "svc")
    row = Row.model_validate_json(written.read_text())
    expected = evaluate(repo / "svc", Config(), offline=True)
    assert (row.passed, row.level, row.score) == (expected.verdict.passed, expected.level, expected.score)
    assert row.blocking == tuple(sorted(expected.verdict.blocking_checks))
    assert row.topics == ("ml", "serving") and row.error is None
    assert row.owners == ("@acme/ml-team", "@alice")
    assert row.commit is not None and re.fullmatch(r"[0-9a-f]{40}", row.commit)
    assert row.committed_at is not None and abs((datetime.now(UTC) - row.committed_at).total_seconds()) < 600
    assert "acme/mono:svc" in out


def test_what_cannot_be_evaluated_is_a_row_with_its_error(tmp_path: Path) -> None:
    rows = tmp_path / "rows"
    assert (
        _run(
            "org",
            "evaluate",
            str(tmp_path / "never-cloned"),
            "--repo",
            "acme/gone",
            "--error",
            "could not be cloned: 404",
            "--output-dir",
            str(rows),
        )[0]
        == 0
    )
    assert (
        _run(
            "org", "evaluate", str(READY), "--repo", "acme/x", "--service", "../..", "--output-dir", str(rows)
        )[0]
        == 0
    )
    broken = git_repo(tmp_path / "broken", {".github/prodgate.yml": "checks: [\n"})
    assert (
        _run("org", "evaluate", str(broken), "--repo", "acme/broken", "--offline", "--output-dir", str(rows))[
            0
        ]
        == 0
    )
    errors = {r.repo: r.error for r in read_rows(rows)}
    assert errors["acme/gone"] == "could not be cloned: 404"
    assert "outside" in (errors["acme/x"] or "")
    assert (errors["acme/broken"] or "").startswith(str(broken / ".github" / "prodgate.yml"))


def test_malformed_and_partial_row_files_are_error_rows_named_after_their_file(tmp_path: Path) -> None:
    rows = tmp_path / "rows"
    (rows / "prodgate-rows-1").mkdir(parents=True)
    (rows / "prodgate-rows-2").mkdir()
    good = _row("acme/api", level=Level.SILVER, blocking=())
    (rows / "prodgate-rows-1" / "acme__api.json").write_text(good.model_dump_json())
    (rows / "prodgate-rows-1" / "cut.json").write_text(good.model_dump_json()[:40])
    (rows / "prodgate-rows-2" / "other.json").write_text('{"kind": "prodgate-org-aggregate"}')
    (rows / "prodgate-rows-2" / "binary.json").write_bytes(b"\xff\xfe\x00")
    found = read_rows(rows)
    assert [r.key for r in found if r.error is None] == ["acme/api:."]
    named = sorted(r.error or "" for r in found if r.error is not None)
    assert [e.split(":")[0] for e in named] == [
        "prodgate-rows-1/cut.json",
        "prodgate-rows-2/binary.json",
        "prodgate-rows-2/other.json",
    ]
    agg = aggregate(found, date(2026, 11, 30))
    assert (agg.ready, agg.not_ready, agg.errors) == (1, 0, 3)


def test_the_aggregate_counts_ranks_blockers_and_says_what_changed() -> None:
    before = aggregate(
        [
            _row("acme/a", passed=False, score=40, blocking=("health-endpoint",)),
            _row("acme/b", level=Level.SILVER, score=90),
            _row("acme/c", score=70),
            _row("acme/gone", score=50),
        ],
        date(2026, 11, 23),
    )
    now = aggregate(
        [
            _row("acme/a", level=Level.BRONZE, score=75),
            _row("acme/b", passed=False, score=60, blocking=("api-authentication", "health-endpoint")),
            _row("acme/c", score=70),
            _row("acme/new", passed=False, score=30, blocking=("api-authentication",)),
        ],
        date(2026, 11, 30),
        before,
    )
    assert (now.ready, now.not_ready, now.errors) == (2, 2, 0)
    assert now.blocking == (("api-authentication", 2), ("health-endpoint", 1))
    assert now.levels == {"gold": 0, "silver": 0, "bronze": 1, "none": 3}
    changes = {c.service: (c.what, c.detail) for c in now.changes}
    assert set(changes) == {"acme/a:.", "acme/b:.", "acme/gone:.", "acme/new:."}  # c did not change
    assert (
        changes["acme/a:."][0] == "better"
        and "no longer blocked by health-endpoint" in changes["acme/a:."][1]
    )
    assert (
        changes["acme/b:."][0] == "worse"
        and "now blocked by api-authentication, health-endpoint" in changes["acme/b:."][1]
    )
    assert changes["acme/gone:."][0] == "gone" and changes["acme/new:."][0] == "new"
    trend = next(line.history for line in now.services if line.row.repo == "acme/a")
    assert [(p.on.isoformat(), p.score) for p in trend] == [("2026-11-23", 40), ("2026-11-30", 75)]


def test_a_trend_keeps_the_last_runs_and_a_rerun_replaces_its_day() -> None:
    agg = None
    for day in range(1, HISTORY + 6):
        agg = aggregate(
            [_row("acme/a", score=day)],
            date(2026, 10, 1) + (date(2026, 10, 2) - date(2026, 10, 1)) * day,
            agg,
        )
    assert agg is not None
    again = aggregate([_row("acme/a", score=99)], agg.on, agg)
    points = again.services[0].history
    assert len(points) == HISTORY and points[-1].score == 99 and points[-2].score == HISTORY + 4


def test_the_report_command_writes_three_files_byte_identical_on_a_rerun(tmp_path: Path) -> None:
    rows = tmp_path / "rows"
    rows.mkdir()
    for n in range(3):
        row = _row(
            f"acme/svc-{n}",
            passed=n != 1,
            score=50 + n,
            blocking=("health-endpoint",) if n == 1 else (),
            topics=("ml",),
            committed_at=datetime(2026, 11, 20, tzinfo=UTC),
        )
        (rows / file_name(row.repo, row.service)).write_text(row.model_dump_json())
    (rows / "garbage.json").write_text("{")
    first, second = tmp_path / "one", tmp_path / "two"
    for out in (first, second):
        code, said, err = _run("org", "report", str(rows), "--output-dir", str(out), "--on", "2026-11-30")
        assert code == 0, err
    assert said.startswith("4 services: 2 ready, 1 not ready, 1 error ->")
    for name in ("aggregate.json", "summary.md", "dashboard.html"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    agg = Aggregate.model_validate_json((first / "aggregate.json").read_text())
    assert [line.age_days for line in agg.services if line.row.error is None] == [10, 10, 10]
    code, _, err = _run(
        "org",
        "report",
        str(rows),
        "--output-dir",
        str(tmp_path / "three"),
        "--previous",
        str(first / "aggregate.json"),
        "--on",
        "2026-12-07",
    )
    assert code == 0, err
    assert "Nothing changed." in (tmp_path / "three" / "summary.md").read_text()


def test_the_summary_renders_as_github_renders_it_and_quotes_repository_text_safely(tmp_path: Path) -> None:
    hostile = _row(
        "acme/x",
        passed=False,
        score=10,
        blocking=("health-endpoint",),
        service="svc | <img src=x> @team",
        error=None,
    )
    broken = Row(repo="acme/y", error="could not be cloned: <script>alert(1)</script> | @everyone")
    agg = aggregate([hostile, broken, _row("acme/z", level=Level.GOLD, score=100)], date(2026, 11, 30))
    from gate.org.render import dashboard, summary

    page = as_github(summary(agg))
    table = page[page.index("<h3>Services</h3>") :]
    assert table.count("<tr>") == 4  # the header and three services: no row split by a | in a value
    assert "<script>" not in page and "<img" not in page and "@everyone" not in page
    assert "@\u200beveryone" in page or "@\u200beveryone" in summary(agg)
    html = dashboard(agg)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x>" not in html


def test_services_whose_names_read_alike_keep_rows_of_their_own(tmp_path: Path) -> None:
    names = [
        ("acme/r1", "api v2"),
        ("acme/r1", "api_v2"),
        ("acme/ml", "."),
        ("acme/ml", "模型"),
        ("acme/r", "a/b"),
        ("acme/r", "a__b"),
    ]
    files = {file_name(repo, service) for repo, service in names}
    assert len(files) == len(names)
    assert file_name("acme/r1", "api v2") == file_name("acme/r1", "api v2")  # the same on every run


def test_awkward_folder_names_and_error_text_from_a_shell_are_rows(tmp_path: Path) -> None:
    checkout = git_repo(tmp_path / "checkout", {"-legacy/app.py": "print('x')\n"})
    rows = tmp_path / "rows"
    code, _, err = _run(
        "org",
        "evaluate",
        str(checkout),
        "--repo=acme/old",
        "--service=-legacy",
        "--offline",
        f"--output-dir={rows}",
    )
    assert code == 0, err
    cut = "could not be cloned: fatal: d\udcc3"  # a clone's stderr cut inside a two-byte character
    code, _, err = _run(
        "org",
        "evaluate",
        str(tmp_path / "none"),
        "--repo=acme/gone",
        f"--error={cut}",
        f"--output-dir={rows}",
    )
    assert code == 0, err
    found = {r.repo: r for r in read_rows(rows)}
    assert found["acme/old"].service == "-legacy" and found["acme/old"].error is None
    assert found["acme/gone"].error == "could not be cloned: fatal: d\\xc3"


def test_codeowners_gives_a_folder_the_owners_github_would(tmp_path: Path) -> None:
    from gate.org.rows import owners_of

    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "CODEOWNERS").write_text(
        "* @acme/platform\n"
        "services/* @acme/leads\n"  # the files directly in services/, not its subfolders
        "/services/search/ @acme/search\n"
        "!services/search/ @nobody\n"  # no negation in CODEOWNERS: GitHub skips the line
        "*.md @acme/docs\n"
    )
    assert owners_of(tmp_path, "services/api") == ("@acme/platform",)
    assert owners_of(tmp_path, "services") == ("@acme/leads",)
    assert owners_of(tmp_path, "services/search") == ("@acme/search",)
    assert owners_of(tmp_path, ".") == ("@acme/platform",)
