"""What a route does with the request: never into code execution, a shell or a deserialiser
(injection), never into HTML it renders (cross-site scripting), and cookie sessions protected against
cross-site request forgery.

A go-live checklist asks "Input validation prevents injection attacks", "XSS prevention", "CSRF
protection (if applicable)". One check reads the handlers (gate/facts/sinks.py); which aspects it asks
for comes from the team's config or, for a checklist line, from the line's own words.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict

from gate.checks.base import Decision, Hit, at, check, failed, not_applicable, passed
from gate.checks.servicecode import no_application
from gate.facts import Facts
from gate.lazyre import lazy
from gate.model import Confidence, Level, Outcome, Severity
from gate.wording import count

SinkAspect = Literal["injection", "xss", "csrf"]
NAMES: dict[SinkAspect, str] = {
    "injection": "request data kept out of code execution, shells and deserialisers",
    "xss": "request data kept out of rendered HTML",
    "csrf": "cookie sessions protected against cross-site request forgery",
}
_ASKED: tuple[tuple[SinkAspect, re.Pattern[str]], ...] = (
    ("injection", lazy(r"injection", re.I)),
    ("xss", lazy(r"\bxss\b|cross[- ]site scripting", re.I)),
    ("csrf", lazy(r"\bcsrf\b|cross[- ]site request forgery|\bxsrf\b", re.I)),
)


def asked_sinks(text: str) -> tuple[SinkAspect, ...]:
    return tuple(a for a, rx in _ASKED if rx.search(text))


class SinkOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    aspects: tuple[SinkAspect, ...] = ()
    """What to judge. None by default: a checklist line asks for its own."""


@check(
    id="request-sinks",
    title="Request data kept out of dangerous sinks",
    category="security",
    severity=Severity.HIGH,
    level=Level.SILVER,
    confidence=Confidence.MEDIUM,
    applies_when="the repository has a web application, and the config or a checklist line names injection, XSS or CSRF",
    remediation="Never pass request data to eval/exec, a shell, pickle or yaml.load; render HTML through an escaping template; protect cookie sessions with a CSRF token or SameSite=Strict.",
    options=SinkOptions,
)
def request_sinks(facts: Facts, options: SinkOptions) -> Decision:
    """
    ## What it checks
    Inside each route's handler, following the request's data (the handler's parameters, Flask's
    `request`, and what is assigned from them):

    - **injection**: none of it reaches `eval`, `exec`, `compile`, `__import__`, `importlib`, `os.system`,
      `os.popen`, `subprocess` with `shell=True`, `pickle`/`dill`/`marshal`/`joblib` loads, or
      `yaml.load` without a safe loader (SQL built from it is sql-parameterized's);
    - **xss**: none of it reaches `HTMLResponse`, `render_template_string`, `Markup` or a `Template`
      (a JSON API renders no HTML and passes);
    - **csrf**: where the service keeps sessions in cookies (Flask's `session`, Starlette's
      SessionMiddleware, flask-login, a session or token cookie it sets), a CSRF protection is in place
      (Flask-WTF's CSRFProtect, a CSRF middleware, SameSite=Strict cookies); a service authenticated by
      headers (API keys, bearer tokens) has nothing to forge: not applicable.

    A helper the handler calls is not followed, hence medium confidence. No aspect is asked by
    default. A checklist line names its own ("XSS prevention").

    ## Why it matters
    A model server that unpickles an upload, or evaluates a "formula" field, runs whatever the caller
    sends, with the service's credentials.

    ## How to fix
    Parse input as data (json, a pydantic model), load models only from the image, and escape output.

    ## Example
    ```python
    @app.post("/predict")
    def predict(row: Row) -> dict[str, float]:   # a typed body, never pickle.loads(await request.body())
        return {"score": model.predict([row.values()])[0]}
    ```
    """
    if not options.aspects:
        return not_applicable("Nothing asked for (options.aspects, or a checklist line).")
    if not facts.routes.routes:
        return no_application(facts)
    s = facts.sinks
    found: list[str] = []
    moot: list[str] = []
    hits: list[Hit] = []
    missing: list[str] = []
    unread: list[str] = []
    for aspect in dict.fromkeys(options.aspects):
        if aspect == "csrf":
            if not s.cookie_sessions:
                moot.append("the service keeps no session in cookies: nothing to forge")
            elif s.csrf:
                rel, line = s.csrf[0]
                found.append(f"{NAMES[aspect]}: {rel}:{line}")
            else:
                rel, line = s.cookie_sessions[0]
                missing.append(NAMES[aspect])
                hits.append(
                    Hit(
                        "Sessions live in cookies and nothing protects them against forged requests.",
                        (at(rel, line),),
                    )
                )
            continue
        bad = [k for k in s.sinks if k.kind == aspect]
        if not bad and not s.handlers:
            unread.append(NAMES[aspect])  # routes served, but no handler found to follow the data in
            continue
        if bad:
            missing.append(NAMES[aspect])
            hits.extend(
                Hit(f"{k.route}: request data reaches {k.call}().", (at(k.path, k.line),)) for k in bad
            )
        else:
            found.append(f"{NAMES[aspect]} in {count(s.handlers, 'handler')}")
    if hits:
        return failed(f"Missing: {', '.join(missing)}.", *hits)
    if unread:
        return Decision(
            Outcome.MISSING_EVIDENCE,
            f"Not judged: {', '.join(unread)} (no route handler could be read to follow the request in).",
        )
    if not found:
        return not_applicable("Not needed: " + "; ".join(moot) + ".")
    return passed("Kept safe: " + "; ".join(found + moot) + ".")
