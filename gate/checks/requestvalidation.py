"""Request validation: what a route that takes a body does with bad input, read from its handler.

A go-live checklist asks "Input validation for all endpoints", "Invalid data types handled",
"Empty/null values handled", "Batch size limits defined", "Batch prediction endpoint". One check reads
the handlers (gate/facts/validation.py); which aspects it asks for comes from the team's config or, for
a checklist line, from the line's own words (gate/thresholds.py).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict

from gate.checks.base import Decision, Hit, at, check, failed, not_applicable, passed
from gate.checks.servicecode import app_at, no_application
from gate.facts import Facts
from gate.facts.validation import BodyRoute
from gate.lazyre import lazy
from gate.model import Confidence, Level, Severity

ValidationAspect = Literal["validated", "types", "required", "batch-limit", "batch-route"]
NAMES: dict[ValidationAspect, str] = {
    "validated": "every body validated before use",
    "types": "value types checked",
    "required": "missing and null values rejected",
    "batch-limit": "a bound on every batch's size",
    "batch-route": "a route that takes a batch",
}
_ASKED: tuple[tuple[ValidationAspect, re.Pattern[str]], ...] = (
    (
        "validated",
        lazy(r"input validation (for all|implemented|in place)|validate[sd]? (all )?inputs?", re.I),
    ),
    ("types", lazy(r"(invalid|wrong) (data )?types?", re.I)),
    ("required", lazy(r"empty|null values|missing (values|fields)", re.I)),
    ("batch-limit", lazy(r"batch size (limit|bound|cap)|max(imum)? batch size", re.I)),
    (
        "batch-route",
        lazy(r"batch (prediction|inference|scoring) (endpoint|route)|batch processing", re.I),
    ),
)
_OPTIONAL = lazy(r"\bif applicable\b|\bif needed\b|\boptional\b", re.I)


def asked_validation(text: str) -> tuple[tuple[ValidationAspect, ...], bool]:
    """The aspects a line names, and whether it says they apply only where needed ("Batch processing
    enabled (if applicable)")."""
    return tuple(a for a, rx in _ASKED if rx.search(text)), bool(_OPTIONAL.search(text))


class ValidationOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    aspects: tuple[ValidationAspect, ...] = ()
    """What request validation must show. None by default: a checklist line asks for its own."""
    optional: bool = False
    """A batch route only if the service has one ("if applicable"): none is then not applicable."""


def _where(r: BodyRoute) -> str:
    return f"{r.path} ({r.module}:{r.line})"


def _failing(aspect: ValidationAspect, routes: tuple[BodyRoute, ...]) -> list[BodyRoute]:
    if aspect == "validated":
        return [r for r in routes if r.how == "raw" or (r.how == "upload" and not r.guarded)]
    if aspect == "types":
        return [r for r in routes if r.how != "upload" and not r.typed]
    if aspect == "required":
        return [r for r in routes if r.how != "upload" and not r.required]
    return [r for r in routes if r.batch and not r.bounded]


_WHY: dict[ValidationAspect, str] = {
    "validated": "reads its body with no check",
    "types": "does not check the types of what it reads",
    "required": "accepts missing or null values",
    "batch-limit": "takes a batch of any size",
}


@check(
    id="request-validation",
    title="Requests validated the way asked for",
    category="security",
    severity=Severity.MEDIUM,
    level=Level.SILVER,
    applies_when="the config or a checklist line names an aspect of request validation",
    remediation="Take the body as a pydantic model with typed, required fields and `Field(max_length=...)` on lists, or check it in the handler and answer 4xx.",
    options=ValidationOptions,
    confidence=Confidence.MEDIUM,
)
def request_validation(facts: Facts, options: ValidationOptions) -> Decision:
    """
    ## What it checks
    Every route that takes a body (POST, PUT, PATCH), read from its handler:

    - **validated**: the body is a typed model (a pydantic model parameter), passes through a schema
      (`.load`, `.validate`, `model_validate`, jsonschema), or a guard in the handler turns bad input
      away (an `if` that raises, aborts or answers 4xx); an upload counts when a guard checks it. A
      body read raw (`request.get_json()`, a `dict` parameter) with no check fails.
    - **types**: the model's fields are typed (not `Any`, `dict` or `object`), or a schema checks
      them, or the guard uses `isinstance` or converts with `float()`/`int()` and handles ValueError.
    - **required**: every field is required and not Optional (a missing field or a null is a 422), or
      the guard tests for it (`not`, `is None`, `not in`).
    - **batch-limit**: a route that takes many items (a list body or list field, a CSV or JSON-lines
      upload, `batch` in its path) bounds them: `Field(max_length=...)`/`conlist` on the list, or a
      guard on its length or the upload's size.
    - **batch-route**: the service has such a route. A line that says "if applicable" is not
      applicable when it has none.

    Checks made in a helper the handler calls are not seen (medium confidence). No aspect is asked by
    default. A checklist line names its own ("Batch size limits defined" asks for the bound).

    ## Why it matters
    A model scores whatever it is given: a string where a number belongs becomes a 500 or, worse, a
    plausible prediction from a default; a batch of a million rows becomes an outage.

    ## How to fix
    Declare the body as a model and let the framework answer 422.

    ## Example
    ```python
    class Batch(BaseModel):
        rows: list[Row] = Field(min_length=1, max_length=1000)

    @app.post("/predict_batch")
    def predict_batch(batch: Batch) -> dict[str, list[float]]: ...
    ```
    """
    if not options.aspects:
        return not_applicable(
            "No aspect of request validation is asked for (options.aspects, or a checklist line)."
        )
    routes = facts.validation.routes
    if not facts.routes.routes:
        return no_application(facts)
    found: list[str] = []
    missing: list[str] = []
    hits: list[Hit] = []
    unjudged: list[str] = []
    for aspect in dict.fromkeys(options.aspects):
        if aspect == "batch-route":
            batch = [r for r in routes if r.batch]
            if batch:
                found.append(f"{NAMES[aspect]}: {_where(batch[0])}")
            elif options.optional:
                unjudged.append(f"{NAMES[aspect]} (the service has none; the line says only if applicable)")
            else:
                missing.append(NAMES[aspect])
                hits.append(Hit("No route takes a batch (a list of items or a file of rows).", app_at(facts)))
            continue
        judged = [r for r in routes if r.batch] if aspect == "batch-limit" else list(routes)
        if not judged:
            unjudged.append(
                f"{NAMES[aspect]} (no route takes {'a batch' if aspect == 'batch-limit' else 'a body'})"
            )
            continue
        bad = _failing(aspect, tuple(judged))
        if bad:
            missing.append(NAMES[aspect])
            hits.extend(Hit(f"{r.path} {_WHY[aspect]} ({r.detail}).", (at(r.module, r.line),)) for r in bad)
            continue
        hows = sorted({"by hand" if r.how == "hand" else r.how for r in judged})
        found.append(f"{NAMES[aspect]}: {len(judged)} of {len(judged)} ({', '.join(hows)})")
    if hits:
        return failed(f"Missing: {', '.join(missing)}.", *hits)
    if not found:
        return not_applicable("Nothing to judge: " + "; ".join(unjudged) + ".")
    return passed("Requests: " + "; ".join(found) + ".")
