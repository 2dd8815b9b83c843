"""Every route the service serves is requested by a test; the batch route in particular.

A go-live checklist asks "API endpoints tested", "Integration tests for API", "Batch processing tested".
One check compares the routes the service serves (gate/facts/routes.py) with the paths its tests request
(gate/facts/requested.py); which aspects it asks for comes from the team's config or, for a checklist
line, from the line's own words (gate/thresholds.py).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict

from gate.checks.base import Decision, Hit, at, check, failed, not_applicable, passed
from gate.checks.servicecode import app_at, no_application
from gate.facts import Facts
from gate.facts.routes import Route
from gate.lazyre import lazy
from gate.model import Confidence, Level, Severity

RouteAspect = Literal["all", "batch", "model"]
NAMES: dict[RouteAspect, str] = {
    "all": "a test requesting every route",
    "batch": "a test requesting the batch route",
    "model": "a test requesting every route that runs the model",
}
_ASKED: tuple[tuple[RouteAspect, re.Pattern[str]], ...] = (
    ("batch", lazy(r"batch\w* (processing |endpoint |route )?tested", re.I)),
    ("all", lazy(r"(api|endpoints?|routes?) (are )?tested|integration tests? for (the )?api", re.I)),
    (
        "model",
        lazy(r"models? (loading )?(tested|works)|model loading|tested (locally )?with sample data", re.I),
    ),
)
_NOT_OURS = ("/metrics", "/docs", "/redoc", "/openapi.json")
"""Routes a library serves for the service (exporters, generated docs): not the service's own to test."""


def _wanted(aspect: RouteAspect, route: Route) -> bool:
    if aspect == "batch":
        return "batch" in route.path.lower()
    return aspect == "all" or route.runs_model


def asked_route_aspects(text: str) -> tuple[RouteAspect, ...]:
    return tuple(a for a, rx in _ASKED if rx.search(text))


class RouteTestOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    aspects: tuple[RouteAspect, ...] = ()
    """What the tests must request. None by default: a checklist line asks for its own."""


@check(
    id="routes-tested",
    title="Tests request the routes asked for",
    category="testing",
    severity=Severity.LOW,
    level=Level.GOLD,
    confidence=Confidence.MEDIUM,
    applies_when="the repository has a web application, and the config or a checklist line names an aspect",
    remediation="Add a test-client request for each route the report names.",
    options=RouteTestOptions,
)
def routes_tested(facts: Facts, options: RouteTestOptions) -> Decision:
    """
    ## What it checks
    That the tests request the routes asked for: every route the service serves (apart from /metrics
    and the generated docs), the batch route (a path with "batch" in it), or every route that runs the
    model (its handler predicts or loads it): a test client that gets a prediction has loaded the model
    and sent it an example input. A route counts as tested
    when a test file passes a path it serves to a test client's `get`, `post`, `put`, `patch` or
    `delete` (`{param}` segments match anything). Paths built at run time are not seen, hence medium
    confidence.

    No aspect is asked by default. A checklist line names its own ("Batch processing tested" asks for
    the batch route).

    ## Why it matters
    An untested route is the one whose request model changed without anyone noticing; the batch route
    is where size limits and partial failures live.

    ## How to fix
    Add the request to the test suite.

    ## Example
    ```python
    def test_batch_scores_every_row(client):
        r = client.post("/predict_batch", json={"rows": [ROW, ROW]})
        assert r.status_code == 200 and len(r.json()["scores"]) == 2
    ```
    """
    if not options.aspects:
        return not_applicable("No route is asked to be tested (options.aspects, or a checklist line).")
    routes = [r for r in facts.routes.routes if r.path not in _NOT_OURS]
    if not routes:
        return no_application(facts)
    requested = facts.requested.paths
    tested = {id(route) for path, _, _ in requested if (route := facts.routes.serves(path)) is not None}
    found: list[str] = []
    missing: list[str] = []
    hits: list[Hit] = []
    moot: list[str] = []
    for aspect in dict.fromkeys(options.aspects):
        wanted = [r for r in routes if _wanted(aspect, r)]
        if not wanted:
            moot.append(f"the service serves no {'batch' if aspect == 'batch' else 'model'} route")
            continue
        untested = [r for r in wanted if id(r) not in tested]
        if untested:
            missing.append(NAMES[aspect])
            hits.extend(Hit(f"No test requests {r.path}.", (at(r.module, r.line),)) for r in untested)
        else:
            found.append(f"{NAMES[aspect]}: {', '.join(sorted({r.path for r in wanted}))}")
    if hits:
        return failed(f"Missing: {', '.join(missing)}.", *hits)
    if not found:
        return not_applicable("Not needed: " + "; ".join(moot) + ".")
    return passed("Tested: " + "; ".join(found) + ".")


_PATH = lazy(r"(?<![\w.:/])/[A-Za-z0-9_{}<>:.\-/]*[A-Za-z0-9_}>]|(?<![\w.:/])/(?=[\s,)]|$)")


def named_paths(text: str) -> tuple[str, ...]:
    """The URL paths a line names ("All 5 endpoints implemented (/health, /predict)"), in its order."""
    return tuple(dict.fromkeys(_PATH.findall(text)))


class ServedOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    paths: tuple[str, ...] = ()
    """The paths the service must serve. None by default: a checklist line names its own."""


@check(
    id="routes-served",
    title="The service serves the routes named",
    category="code-quality",
    severity=Severity.MEDIUM,
    level=Level.SILVER,
    applies_when="the repository has a web application, and the config or a checklist line names paths",
    remediation="Implement the routes the report names, or correct the paths the checklist lists.",
    options=ServedOptions,
)
def routes_served(facts: Facts, options: ServedOptions) -> Decision:
    """
    ## What it checks
    That the service serves every path named: in `paths`, or in the checklist line itself ("All 5
    endpoints implemented (/health, /model_info, /features, /predict, /predict_batch)"). A path is
    served when a route's path matches it segment by segment (`{param}` and `<param>` match anything),
    read from the service's code as the health and authentication checks read it.

    ## Why it matters
    A checklist that lists the endpoints is the API's contract with its clients; a route renamed or
    dropped in a refactor breaks every one of them.

    ## How to fix
    Serve the path, or update the list.

    ## Example
    ```yaml
    checks:
      routes-served:
        options:
          paths: [/health, /predict, /predict_batch]
    ```
    """
    if not options.paths:
        return not_applicable("No path is named (options.paths, or a checklist line).")
    if not facts.routes.routes:
        return no_application(facts)
    absent = [p for p in options.paths if facts.routes.serves(p) is None]
    if absent:
        return failed(
            f"Not served: {', '.join(absent)}.",
            *(Hit(f"No route serves {p}.", app_at(facts)) for p in absent),
        )
    return passed(f"Served: {', '.join(options.paths)}.")
