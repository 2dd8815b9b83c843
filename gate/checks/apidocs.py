"""The API documentation matches the API: every route the service serves is documented, and nothing
documented is gone.

A go-live checklist asks "API documentation is up to date", "API documentation is complete". Docs
generated from the code are current by construction; a committed OpenAPI document or API page is
compared with the routes the code serves.
"""

from __future__ import annotations

import re

from gate.checks.base import NOT_ASKED, AskedOptions, Decision, Hit, at, check, failed, not_applicable, passed
from gate.checks.servicecode import app_at, no_application
from gate.facts import Facts
from gate.lazyre import lazy
from gate.model import Confidence, Level, Severity

_NOT_DOCUMENTED = lazy(r"^/(metrics|docs|redoc|openapi\.json|static)(/|$)|^/$")
"""Routes nobody documents as the API: exporters, the docs themselves, static files, the root."""


def _shape(path: str) -> str:
    """A path with its parameters made alike: /items/{id}, /items/<int:id> and /items/:id."""
    parts = [("*" if re.match(r"^[{<:]", p) else p.lower()) for p in path.strip().rstrip("/").split("/")]
    return "/".join(parts) or "/"


@check(
    id="api-docs-current",
    title="API documentation lists the routes served",
    category="documentation",
    severity=Severity.LOW,
    level=Level.SILVER,
    confidence=Confidence.MEDIUM,
    applies_when="asked (options.asked or a checklist line), and the repository has a web application",
    options=AskedOptions,
    remediation="Serve the docs generated from the code (FastAPI's /docs), or bring the committed OpenAPI document or API page in line with the routes.",
)
def api_docs_current(facts: Facts, options: AskedOptions) -> Decision:
    """
    ## What it checks
    That the API documentation is complete and current. Docs the application generates from its own
    code (FastAPI's /docs and /openapi.json, left on) pass: they cannot drift. Otherwise the committed
    documentation is compared with the routes the code serves: the `paths` of an OpenAPI document, or
    the paths an API page (API*.md, endpoints.md) names (`POST /predict`, `` `/health` ``). Every served
    route must be documented (the metrics exporter, the docs and the root aside), and every documented
    path served: a path the code no longer serves is stale. Parameters match whatever their syntax
    (`{id}`, `<int:id>`, `:id`). No documentation at all fails. It judges only when asked (`asked`, or a
    checklist line it decides).

    ## Why it matters
    Documentation that lists a route the service dropped, or misses the one it added, sends client
    teams to a 404 or keeps them from the feature.

    ## How to fix
    Generate the documentation from the code, or update the page in the same pull request as the route.

    ## Example
    ```markdown
    ## Endpoints
    - `GET /health`: liveness and the model's version
    - `POST /predict`: one transaction's fraud probability
    ```
    """
    if not options.asked:
        return not_applicable(NOT_ASKED)
    routes = [r for r in facts.routes.routes if not _NOT_DOCUMENTED.match(r.path)]
    if not facts.routes.routes:
        return no_application(facts)
    if facts.routes.served_docs:
        module, line = facts.routes.served_docs[0]
        return passed(f"The docs are generated from the code ({module}:{line}): current by construction.")
    documents = [(path, shapes) for path, shapes in facts.api_docs.documents if shapes]
    if not documents:
        return failed(
            "No API documentation to compare with the routes.",
            Hit("No generated docs, OpenAPI document or API page naming the routes.", app_at(facts)),
        )
    documented = {_shape(p): (doc, p) for doc, paths in documents for p in paths}
    served = {_shape(r.path): r for r in routes}
    hits = [
        Hit(f"{r.path} is served but not documented.", (at(r.module, r.line),))
        for shape, r in sorted(served.items())
        if shape not in documented
    ]
    hits += [
        Hit(f"{path} is documented but no longer served.", (at(doc),))
        for shape, (doc, path) in sorted(documented.items())
        if shape not in served and not _NOT_DOCUMENTED.match(path)
    ]
    if hits:
        return failed("The API documentation and the routes disagree.", *hits)
    names = ", ".join(doc for doc, _ in documents)
    return passed(f"{names} documents the {len(served)} routes served, and nothing else.")
