"""The aggregate as a job summary (Markdown) and as a dashboard (one HTML file). The numbers drawn (bar
widths, trend lines) are computed here; the templates only place them."""

from __future__ import annotations

from msgspec import Struct

from gate import __version__
from gate.org.aggregate import Aggregate, Line
from gate.report.render import render

TOP_BLOCKING = 10
SUMMARY_ROWS = 1000
"""Services listed in the job summary, whose size GitHub caps at 1 MiB; the dashboard lists every one."""
_BAR = 360
_LABEL = 300


class Trend(Struct, frozen=True):
    points: str
    delta: int
    title: str


def summary(agg: Aggregate) -> str:
    return render("org/summary.md.j2", agg=agg, top=TOP_BLOCKING, rows=SUMMARY_ROWS)


def dashboard(agg: Aggregate) -> str:
    most = max((count for _, count in agg.blocking[:TOP_BLOCKING]), default=0)
    bars = [
        {"check": check, "count": count, "width": max(2, round(_BAR * count / most))}
        for check, count in agg.blocking[:TOP_BLOCKING]
    ]
    changes = {w: sum(1 for c in agg.changes if c.what == w) for w in ("better", "worse", "new", "gone")}
    return render(
        "org/dashboard.html.j2",
        agg=agg,
        bars=bars,
        label_width=_LABEL,
        chart_width=_LABEL + _BAR + 40,
        trends=[_trend(line) for line in agg.services],
        level_rank={"none": 0, "bronze": 1, "silver": 2, "gold": 3},
        tool_version=__version__,
        **changes,
    )


def _trend(line: Line) -> Trend:
    scores = [(p.on, p.score) for p in line.history if p.score is not None]
    if not scores:
        return Trend(points="", delta=0, title="no score yet")
    step = 80 / max(1, len(scores) - 1)
    points = " ".join(
        f"{round(i * step, 1)},{round(18 - 16 * s / 100, 1)}" for i, (_, s) in enumerate(scores)
    )
    if len(scores) == 1:
        points = f"0,{round(18 - 16 * scores[0][1] / 100, 1)} 80,{round(18 - 16 * scores[0][1] / 100, 1)}"
    delta = scores[-1][1] - scores[0][1]
    title = ", ".join(f"{on.isoformat()}: {s}%" for on, s in scores[-5:])
    return Trend(points=points, delta=delta, title=title)
