"""A full-stack app's JavaScript parts: the Node backend in front of the ML service and the browser
frontend, judged on the aspects a checklist's "Backend" and "Frontend" sections ask for.

The facts are read by gate/facts/webapp.py; which aspects a check asks for comes from the team's config
or, for a checklist line, from the line's own words (gate/thresholds.py).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from gate.checks.base import Decision, Hit, at, check, failed, not_applicable, passed
from gate.facts import Facts
from gate.facts.signals import Signal
from gate.lazyre import lazy
from gate.model import Level, Outcome, Severity

BackendAspect = Literal["proxy", "timeout", "log-file", "auth", "upload-limits", "helmet", "compression"]
FrontendAspect = Literal[
    "csp",
    "secure-cookies",
    "local-storage",
    "offline",
    "pwa",
    "bundle-size",
    "lighthouse",
    "browsers",
    "mobile",
]

BACKEND_NAMES: dict[BackendAspect, str] = {
    "proxy": "a route that proxies to the ML service",
    "timeout": "a request timeout",
    "log-file": "request logs written to a file",
    "auth": "an authentication middleware",
    "upload-limits": "upload limits or a file filter",
    "helmet": "secure headers (helmet)",
    "compression": "response compression",
}
FRONTEND_NAMES: dict[FrontendAspect, str] = {
    "csp": "a Content Security Policy",
    "secure-cookies": "cookies set Secure or HttpOnly",
    "local-storage": "no credentials in localStorage",
    "offline": "a service worker (offline support)",
    "pwa": "a service worker and a web app manifest",
    "bundle-size": "a bundle within the size budget",
    "lighthouse": "a Lighthouse performance score within the budget",
    "browsers": "tests in more than one browser engine",
    "mobile": "tests on mobile viewports",
}
_BACKEND_ASKED: tuple[tuple[BackendAspect, re.Pattern[str]], ...] = (
    ("proxy", lazy(r"proxy", re.I)),
    ("timeout", lazy(r"timeout", re.I)),
    ("log-file", lazy(r"log\w* to (a )?file", re.I)),
    ("auth", lazy(r"auth\w* middleware", re.I)),
    ("upload-limits", lazy(r"upload (validation|limits?)", re.I)),
    ("helmet", lazy(r"helmet|secure headers|security headers", re.I)),
    ("compression", lazy(r"compression|gzip", re.I)),
)
_FRONTEND_ASKED: tuple[tuple[FrontendAspect, re.Pattern[str]], ...] = (
    ("csp", lazy(r"content security policy|\bcsp\b", re.I)),
    ("secure-cookies", lazy(r"secure cookies|cookies? (are )?secure|httponly", re.I)),
    ("local-storage", lazy(r"localstorage", re.I)),
    ("pwa", lazy(r"progressive web app|\bpwa\b", re.I)),
    ("offline", lazy(r"offline", re.I)),
    ("bundle-size", lazy(r"bundle size", re.I)),
    ("lighthouse", lazy(r"lighthouse", re.I)),
    ("browsers", lazy(r"browser (compatibility|support) test|cross[- ]browser", re.I)),
    ("mobile", lazy(r"mobile (responsiveness|viewport)|responsive(ness)? test", re.I)),
)
_KB = lazy(r"(?:<|≤|<=|under|below|at most)\s*(\d+(?:\.\d+)?)\s*(kb|mb)\b", re.I)
_SCORE = lazy(r"(?:>|≥|>=|over|above|at least)\s*(\d{1,3})\b")


def asked_backend(text: str) -> tuple[BackendAspect, ...]:
    return tuple(a for a, rx in _BACKEND_ASKED if rx.search(text))


def asked_frontend(text: str) -> tuple[tuple[FrontendAspect, ...], float | None, float | None]:
    """The aspects a line names, its bundle budget in KB ("< 500KB") and its Lighthouse floor ("> 90")."""
    asked = [a for a, rx in _FRONTEND_ASKED if rx.search(text)]
    if "pwa" in asked and "offline" in asked:
        asked.remove("offline")
    budget = score = None
    if "bundle-size" in asked and (m := _KB.search(text)):
        budget = float(m.group(1)) * (1024 if m.group(2).lower() == "mb" else 1)
    if "lighthouse" in asked and (m := _SCORE.search(text)):
        score = float(m.group(1))
    return tuple(asked), budget, score


class BackendOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    aspects: tuple[BackendAspect, ...] = ()
    """What the Node backend must show. None by default: a checklist line asks for its own."""


class FrontendOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    aspects: tuple[FrontendAspect, ...] = ()
    """What the frontend must show. None by default: a checklist line asks for its own."""
    max_bundle_kb: float = Field(default=500, gt=0)
    """The most the browser may download (JavaScript, CSS and HTML), in KB."""
    min_lighthouse: float = Field(default=90, ge=0, le=100)
    """The lowest Lighthouse performance score accepted."""


def _first(signals: tuple[Signal, ...]) -> str:
    s = signals[0]
    return f"{s.detail} at {s.path}:{s.line}"


def _verdict(found: list[str], missing: list[tuple[str, str, str]], unsure: list[str]) -> Decision:
    if missing:
        return failed(
            "Missing: " + ", ".join(name for name, _, _ in missing) + ".",
            *(Hit(said, (at(path),)) for _, said, path in missing),
        )
    if unsure:
        return Decision(Outcome.MISSING_EVIDENCE, " ".join(unsure))
    return passed("; ".join(found) + ".")


@check(
    id="node-backend-hardening",
    title="Node backend has the aspects asked for",
    category="security",
    severity=Severity.LOW,
    level=Level.GOLD,
    applies_when="the repository has a Node backend, and the config or a checklist line names an aspect",
    remediation="Add what the report names to the Node backend: helmet, compression, a timeout on calls to the ML service, upload limits, an authentication middleware.",
    options=BackendOptions,
)
def node_backend_hardening(facts: Facts, options: BackendOptions) -> Decision:
    """
    ## What it checks
    That a Node backend (a package.json on Express, Fastify, Koa, NestJS, hapi or restify) has each
    aspect asked for, read from its own JavaScript and TypeScript sources: a route that proxies to the
    ML service (`fetch(`${ML_URL}...`)`, http-proxy-middleware), a request timeout
    (`AbortSignal.timeout`, `server.requestTimeout`, `timeout:`), request logs written to a file
    (morgan to a stream, winston's File transport, pino.destination), an authentication middleware
    (passport, express-jwt, `app.use(auth...)`), upload limits or a file filter (multer's `limits` or
    `fileFilter`), secure headers (`helmet()`), response compression (`compression()`).

    No aspect is asked by default. A checklist line in a "Backend" section names its own ("Compression
    enabled" asks for compression only).

    ## Why it matters
    The Node backend is what the internet talks to; the ML service behind it is only as safe and as
    responsive as the proxy in front.

    ## How to fix
    Add the middleware the report names.

    ## Example
    ```javascript
    app.use(helmet());
    app.use(compression());
    const r = await fetch(`${process.env.ML_URL}/predict`, { signal: AbortSignal.timeout(30000) });
    ```
    """
    if not options.aspects:
        return not_applicable(
            "No aspect of the Node backend is asked for (options.aspects, or a checklist line)."
        )
    web = facts.web
    if not web.backends:
        return not_applicable("No Node backend in the repository.")
    found: list[str] = []
    missing: list[tuple[str, str, str]] = []
    where = (web.backends[0] + "/package.json").lstrip("/")
    for aspect in dict.fromkeys(options.aspects):
        signals = web.of(aspect)
        if signals:
            found.append(f"{BACKEND_NAMES[aspect]}: {_first(signals)}")
        else:
            missing.append((BACKEND_NAMES[aspect], f"No {BACKEND_NAMES[aspect]} in the Node backend.", where))
    return _verdict(found, missing, [])


@check(
    id="frontend-hardening",
    title="Browser frontend has the aspects asked for",
    category="security",
    severity=Severity.LOW,
    level=Level.GOLD,
    applies_when="the repository has a browser frontend, and the config or a checklist line names an aspect",
    remediation="Add what the report names to the frontend: a CSP header, secure cookies, a service worker and manifest, a bundle within budget, browser and mobile test projects.",
    options=FrontendOptions,
)
def frontend_hardening(facts: Facts, options: FrontendOptions) -> Decision:
    """
    ## What it checks
    That a browser frontend (a package.json on a browser framework, or a served index.html) has each
    aspect asked for:

    - a Content Security Policy (a `<meta http-equiv>` tag or an nginx `add_header`);
    - cookies set with `secure`/`httpOnly` (not applicable when the code sets none);
    - no credential (token, key, password, session) written to localStorage;
    - a service worker (offline support), and with a web app manifest for a PWA;
    - a bundle within `max_bundle_kb` (the built output in dist/ or build/ when the frontend is built,
      else its own static files; a built frontend without its output in the repository cannot be
      decided);
    - a Lighthouse performance score of at least `min_lighthouse`, from a report CI left in the
      workspace (none: missing evidence);
    - Playwright projects in more than one browser engine, and on mobile devices.

    No aspect is asked by default. A checklist line in a "Frontend" section names its own ("Bundle size
    < 500KB" asks for the bundle, at 500 KB).

    ## Why it matters
    The frontend runs on the user's machine: what it stores, what it loads and what it is allowed to
    run are part of the service's attack surface and its speed.

    ## How to fix
    Add what the report names.

    ## Example
    ```html
    <meta http-equiv="Content-Security-Policy" content="default-src 'self'">
    <link rel="manifest" href="/manifest.webmanifest">
    ```
    """
    if not options.aspects:
        return not_applicable(
            "No aspect of the frontend is asked for (options.aspects, or a checklist line)."
        )
    web = facts.web
    if not web.frontends:
        return not_applicable("No browser frontend in the repository.")
    found: list[str] = []
    missing: list[tuple[str, str, str]] = []
    unsure: list[str] = []
    where = (web.frontends[0] + "/index.html").lstrip("/")
    for aspect in dict.fromkeys(options.aspects):
        name = FRONTEND_NAMES[aspect]
        if aspect in ("csp", "browsers", "mobile"):
            signals = web.of(aspect)
            if signals:
                found.append(f"{name}: {_first(signals)}")
            else:
                missing.append((name, f"No {name}.", where))
        elif aspect == "secure-cookies":
            if not web.of("cookie-set"):
                found.append(f"{name}: the frontend sets no cookie")
            elif web.of("cookie-secure"):
                found.append(f"{name}: {_first(web.of('cookie-secure'))}")
            else:
                missing.append(
                    (
                        name,
                        f"Cookies are set without Secure or HttpOnly ({_first(web.of('cookie-set'))}).",
                        where,
                    )
                )
        elif aspect == "local-storage":
            if secret := web.of("local-storage-secret"):
                s = secret[0]
                missing.append(
                    (name, f"A credential is written to localStorage at {s.path}:{s.line}.", s.path)
                )
            else:
                found.append(f"{name}: none written")
        elif aspect in ("offline", "pwa"):
            worker = web.of("service-worker")
            manifest = web.of("manifest")
            if worker and (aspect == "offline" or manifest):
                found.append(f"{name}: {_first(worker)}")
            else:
                missing.append((name, f"No {name}.", where))
        elif aspect == "bundle-size":
            size = web.frontend_bytes
            if size is None:
                unsure.append(
                    "The frontend is built and its build output is not in the repository: its size is unknown."
                )
            elif size / 1024 <= options.max_bundle_kb:
                found.append(f"{name}: {size / 1024:.0f} KB of at most {options.max_bundle_kb:g} KB")
            else:
                missing.append(
                    (
                        name,
                        f"The frontend downloads {size / 1024:.0f} KB, over {options.max_bundle_kb:g} KB.",
                        where,
                    )
                )
        else:  # lighthouse
            if not web.lighthouse:
                unsure.append("No Lighthouse report in the workspace (run Lighthouse CI before prodgate).")
                continue
            report, score = min(web.lighthouse, key=lambda r: r[1])
            if score >= options.min_lighthouse:
                found.append(f"{name}: {score:g} in {report}")
            else:
                missing.append(
                    (name, f"Lighthouse performance {score:g} is below {options.min_lighthouse:g}.", report)
                )
    return _verdict(found, missing, unsure)
