"""The organisation's dashboard in headless Chromium: the table, its sorting and filters, the chart, and a
page that asks the network for nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from gate.model import Level
from gate.org.aggregate import Aggregate, aggregate
from gate.org.render import dashboard
from gate.org.rows import Row
from tests.chromium import CHROMIUM, measure_page

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium (apt-get install chromium)")

BLOCKERS = ("api-authentication", "health-endpoint", "model-integrity-verified", "rate-limiting")
LEVELS = (None, Level.BRONZE, Level.SILVER, Level.GOLD)


def organisation(services: int = 40, weeks: int = 6) -> Aggregate:
    """A made-up organisation, a few weeks of weekly runs: what the docs' screenshot shows too."""
    agg: Aggregate | None = None
    start = date(2026, 10, 19)
    for week in range(weeks):
        rows = []
        for n in range(services):
            score = min(100, 35 + (n * 7) % 50 + week * (n % 4) * 3)
            blocking = tuple(b for i, b in enumerate(BLOCKERS) if (n + i) % (3 + i) == 0 and score < 85)
            error = "could not be cloned: repository not found" if n == 7 else None
            rows.append(
                Row(
                    repo=f"acme/{('fraud', 'churn', 'search', 'vision', 'pricing')[n % 5]}-{n:02d}",
                    service="." if n % 6 else "services/api",
                    topics=(("ml", "serving"), ("ml",), ("web",))[n % 3],
                    owners=(("@acme/ml-platform",), ("@acme/search", "@bob"))[n % 2],
                    committed_at=datetime(2026, 10, 1, tzinfo=UTC) + timedelta(days=n + week * 7),
                    error=error,
                    passed=None if error else not blocking,
                    level=None if error or blocking else LEVELS[min(3, score // 30)],
                    score=None if error else score,
                    blocking=() if error else blocking,
                )
            )
        agg = aggregate(rows, start + timedelta(weeks=week), agg)
    assert agg is not None
    return agg


MEASURE = """
const rows = () => [...document.querySelectorAll('#services tbody tr')];
const visible = () => rows().filter((r) => !r.hidden);
const header = (name) => [...document.querySelectorAll('#services th')].find((th) => th.textContent === name);
const result = { rows: rows().length, bars: document.querySelectorAll('.chart rect').length,
  barLabels: [...document.querySelectorAll('.chart g text:first-child')].map((t) => t.textContent),
  sparks: document.querySelectorAll('.spark polyline[points]').length };
header('score').click();
result.ascending = visible().map((r) => r.cells[3].dataset.sort).map(Number);
header('score').click();
result.descending = visible().map((r) => r.cells[3].dataset.sort).map(Number);
const level = document.getElementById('f-level');
level.value = 'none'; level.dispatchEvent(new Event('input'));
result.none = visible().map((r) => r.dataset.level);
level.value = ''; level.dispatchEvent(new Event('input'));
const topic = document.getElementById('f-topic');
topic.value = 'web'; topic.dispatchEvent(new Event('input'));
result.web = visible().map((r) => r.dataset.topics);
result.shown = document.getElementById('shown').textContent;
topic.value = ''; topic.dispatchEvent(new Event('input'));
const team = document.getElementById('f-team');
team.value = '@bob'; team.dispatchEvent(new Event('input'));
result.bob = visible().map((r) => r.dataset.owners);
result.resources = performance.getEntriesByType('resource').length;
document.body.setAttribute('data-measured', JSON.stringify(result));
"""


def test_the_dashboard_sorts_filters_charts_and_asks_for_nothing() -> None:
    agg = organisation()
    page = dashboard(agg)
    measured = measure_page(page, MEASURE)
    assert measured["rows"] == 40
    assert measured["bars"] == len(agg.blocking) and measured["barLabels"] == [c for c, _ in agg.blocking]
    assert measured["sparks"] == 39  # every evaluated service; the one that could not be cloned has no score
    ascending = measured["ascending"]
    assert isinstance(ascending, list) and ascending == sorted(ascending) and len(ascending) == 40
    assert measured["descending"] == sorted(ascending, reverse=True)
    none = measured["none"]
    assert isinstance(none, list) and none and set(none) == {"none"}
    assert len(none) == sum(1 for line in agg.services if line.row.error is None and line.row.level is None)
    web = measured["web"]
    assert isinstance(web, list) and web and all(t.split() == ["web"] for t in web)
    assert measured["shown"] == f"{len(web)} of 40 shown"
    bob = measured["bob"]
    assert isinstance(bob, list) and len(bob) == 20 and all("@bob" in o.split() for o in bob)
    assert measured["resources"] == 0
    assert "http://" not in page and "https://" not in page  # nothing to load, nowhere to send


def test_the_dashboard_is_the_same_page_for_the_same_aggregate() -> None:
    assert dashboard(organisation()) == dashboard(organisation())
