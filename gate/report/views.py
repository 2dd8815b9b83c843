"""Plain data the templates loop over: the report grouped, ordered and labelled. No formatting here."""

from __future__ import annotations

from urllib.parse import quote

from msgspec import Struct

from gate.checks import CATEGORIES, REGISTRY
from gate.model import OUTCOME_ORDER, CheckResult, Location, Outcome, Report
from gate.policy import held_back, next_level

ICONS = {
    Outcome.PASS: "✅",
    Outcome.FAIL: "❌",
    Outcome.ERROR: "💥",
    Outcome.MISSING_EVIDENCE: "❔",
    Outcome.NOT_AVAILABLE: "🔒",
    Outcome.NOT_APPLICABLE: "➖",
    Outcome.WAIVED: "🙈",
    Outcome.ATTESTED: "✍️",
    Outcome.PENDING: "⏳",
}
LABELS = {o: o.value.replace("_", " ") for o in Outcome}


class Links(Struct, frozen=True):
    """Where a reader can click: the pull request's files at its head commit, and prodgate's check docs
    at the version that ran. Empty outside the Action (a local report links nothing)."""

    source_base: str = ""
    """`{server}/{owner}/{repo}/blob/{sha}`"""
    docs_base: str = ""
    """`{server}/{action owner}/{action repo}/blob/{ref}/docs/checks`"""

    def source(self, loc: Location) -> str:
        if not self.source_base:
            return ""
        anchor = f"#L{loc.start_line}" if loc.start_line else ""
        # a file name that is not UTF-8 is percent-encoded byte for byte, as the server names it
        return f"{self.source_base}/{quote(loc.path.encode('utf-8', 'surrogateescape'), safe='/')}{anchor}"

    def docs(self, check_id: str) -> str:
        return f"{self.docs_base}/{quote(check_id)}.md" if self.docs_base else ""


class LevelGap(Struct, frozen=True):
    """The next level and the checks that keep the report from it (failed or undecided)."""

    level: str
    checks: tuple[CheckResult, ...]


def level_gap(report: Report) -> LevelGap | None:
    level = next_level(report.level)
    checks = held_back(report.results, level) if level else ()
    return LevelGap(level.value, checks) if level and checks else None


class Blocker(Struct, frozen=True):
    """One problem as a reviewer fixes it: the blocking check that leads, and the blocking checks of
    the same concern (`CheckSpec.concern`) whose first findings point at the same line, such as one
    `app.run(debug=True)` that debug-disabled, production-server and dockerfile-production-server
    each report."""

    lead: CheckResult
    also: tuple[CheckResult, ...] = ()


def _first_lines(r: CheckResult) -> set[tuple[str, int]]:
    first = r.findings[0] if r.findings else None
    return {(loc.path, loc.start_line) for loc in first.locations if loc.start_line} if first else set()


def _concern(check_id: str) -> str:
    spec = REGISTRY.get(check_id)
    return spec.concern if spec else ""


def blockers(blocking: list[CheckResult]) -> list[Blocker]:
    """The blocking checks as problems, in their order. Checks of different concerns stay apart even
    on one line: a Dockerfile's FROM line can lack both a USER after it and a pinned version, which are
    two fixes."""
    groups: list[list[CheckResult]] = []
    for r in blocking:
        concern, lines = _concern(r.check_id), _first_lines(r)
        group = next(
            (
                g
                for g in groups
                if concern and _concern(g[0].check_id) == concern and any(lines & _first_lines(m) for m in g)
            ),
            None,
        )
        if group is None:
            groups.append([r])
        else:
            group.append(r)
    return [Blocker(g[0], tuple(g[1:])) for g in groups]


class Badge(Struct, frozen=True):
    """The verdict as a status badge (shields.io's static badge, which GitHub serves through its image
    proxy, so no reader's browser talks to shields.io): what it says, and where the image is."""

    text: str
    url: str


def _shield(part: str) -> str:
    # shields.io's static path: '-' separates label, message and colour, so a literal one is doubled
    return quote(part.replace("-", "--").replace("_", "__"), safe="")


def badge(report: Report) -> Badge:
    verdict = "ready" if report.verdict.passed else "not ready"
    level = report.level.value if report.level else "none"
    colour = "brightgreen" if report.verdict.passed else "red"
    message = f"{verdict} · level {level}"
    return Badge(f"prodgate: {message}", f"https://img.shields.io/badge/prodgate-{_shield(message)}-{colour}")


class CategoryView(Struct, frozen=True):
    id: str
    title: str
    results: tuple[CheckResult, ...]
    counts: tuple[tuple[str, int], ...]
    open: bool


def by_category(report: Report) -> list[CategoryView]:
    views = []
    for cat_id, title in CATEGORIES.items():
        results = tuple(
            sorted(
                (r for r in report.results if r.category == cat_id),
                key=lambda r: (OUTCOME_ORDER.index(r.outcome), r.check_id),
            )
        )
        if not results:
            continue
        counts = tuple((LABELS[o], n) for o in OUTCOME_ORDER if (n := sum(r.outcome is o for r in results)))
        views.append(CategoryView(cat_id, title, results, counts, any(r.blocking for r in results)))
    return views


def context(report: Report, links: Links | None = None) -> dict[str, object]:
    blocking = [r for r in report.results if r.blocking]
    new = set(report.baseline.new) if report.baseline else set()
    # what this pull request introduced comes first, then what was already failing on the base
    blocking.sort(key=lambda r: r.check_id not in new)
    return {
        "links": links or Links(),
        # outcomes a category lists by id only: what failed is told, what was not decided or is fine is
        # named (its reason is one click away in the job summary and the check's docs)
        "quiet": (Outcome.MISSING_EVIDENCE, Outcome.NOT_AVAILABLE, Outcome.PASS, Outcome.NOT_APPLICABLE),
        "new_ids": new,
        "report": report,
        "blocking": blocking,
        "blockers": blockers(blocking),
        "categories": by_category(report),
        "level_gap": level_gap(report),
        "badge": badge(report),
        "icons": ICONS,
        "labels": LABELS,
        "outcome_counts": [
            (LABELS[o], report.counts.get(o, 0)) for o in OUTCOME_ORDER if report.counts.get(o, 0)
        ],
    }
