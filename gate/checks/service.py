"""Checks of the service as it serves HTTP: its health route, and probes that call routes it has."""

from __future__ import annotations

import posixpath
import re

from pydantic import BaseModel, ConfigDict

from gate.checks.base import Decision, Hit, NoOptions, at, check, failed, not_applicable, passed
from gate.checks.servicecode import no_application
from gate.facts import Facts
from gate.lazyre import lazy
from gate.model import Confidence, Level, Location, Outcome, Severity
from gate.wording import agree, count, every

DEFAULT_HEALTH_PATHS = ("/health", "/healthz", "/ready", "/readyz", "/livez", "/ping", "/status")


class HealthOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    paths: tuple[str, ...] = DEFAULT_HEALTH_PATHS
    """Last path segments that count as a health route (prefixes such as /api/v1 are allowed)."""
    detailed: bool = False
    """The health route must report more than up or down: the model's state, the version, a dependency
    ("Health check returns detailed status")."""


_BARE = frozenset({"status", "ok", "healthy", "health", "message", "msg", "state"})
"""Keys that only say the process answers."""


def asked_detail(text: str) -> bool:
    return bool(re.search(r"detailed|returns? (the )?model (state|status)|reports? (the )?model", text, re.I))


@check(
    id="service-present",
    title="Something to judge: an application, image, deployment or model",
    category="operations",
    severity=Severity.HIGH,
    level=Level.BRONZE,
    applies_when="always",
    remediation="Point the gate at the service's repository (or folder), or include the paths that hold it.",
)
def service_present(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That the repository holds at least one thing a model-serving service is made of: a web application
    (Flask, FastAPI, Starlette, Django) or other service code, a Dockerfile, a compose file, a Kubernetes
    manifest, or a model artifact. Fails when none is found, so that an empty or near-empty folder, or
    a path that `include`/`exclude` emptied, is never reported "ready".

    ## Why it matters
    Most checks are not applicable to what is absent: without this one, a folder with only a README
    passes every check that applies to it and the gate says "Ready". A gate pointed at the wrong path
    must say so rather than wave the merge through.

    ## How to fix
    Run the gate on the service's folder (`prodgate check services/api`), or fix `include`/`exclude`
    in `.github/prodgate.yml` so that the service's files are judged.

    ## Example
    ```console
    $ ls services/forecast
    LICENSE  README.md
    $ prodgate check services/forecast     # fails: nothing a service needs was found
    $ prodgate check services/forecast-api # passes: app.py holds app = FastAPI()
    ```
    """
    found = [
        ("a web application", tuple(path for path, _, _ in facts.routes.apps)),
        ("service code", facts.code.service_modules),
        (
            "a Dockerfile",
            tuple(d.path for d in facts.docker.dockerfiles) + tuple(e.path for e in facts.docker.errors),
        ),
        ("a compose file", facts.compose.files),
        (
            "a Kubernetes manifest",
            tuple(m.path for m in facts.kubernetes.manifests) + facts.kubernetes.templated,
        ),
        ("a model artifact", tuple(a.path for a in facts.models.artifacts) + facts.models.saved_model_dirs),
    ]
    present = [(what, paths) for what, paths in found if paths]
    if present:
        return passed(
            "Found " + "; ".join(f"{what} ({sorted(paths)[0]})" for what, paths in present) + ".",
        )
    if facts.python.unread_apps:
        return no_application(facts)
    return failed(
        "Nothing a service needs was found: no web application, service code, Dockerfile, compose file, "
        "Kubernetes manifest or model artifact. The gate cannot call this ready.",
        Hit("Nothing to judge here: check the path the gate was given and include/exclude."),
    )


@check(
    id="health-endpoint",
    title="Health route present",
    category="monitoring",
    severity=Severity.HIGH,
    level=Level.BRONZE,
    applies_when="the repository has a Flask, FastAPI, Starlette or Django application",
    remediation="Add a cheap GET route such as /health that reports whether the model is loaded.",
    options=HealthOptions,
    seeds=(
        "Health check endpoint working",
        "API health check endpoint working (`/health`)",
        "Health check passes: `curl /health`",
    ),
)
def health_endpoint(facts: Facts, options: HealthOptions) -> Decision:
    """
    ## What it checks
    That the application serves a health route: a path ending in /health, /healthz, /ready, /readyz,
    /livez, /ping or /status (option `paths`), found in the code with its full path, router and
    blueprint prefixes included (an /api/v1/health behind a router prefix counts). Flask (routes,
    blueprints, add_url_rule), FastAPI and Starlette (decorators, APIRouter, include_router, mount,
    add_api_route), routes declared on an application handed to a function
    (`def register(app: FastAPI): app.add_api_route("/health", ...)`) and Django `urlpatterns` are
    read from the source, never imported.

    With `detailed` ("Health check returns detailed status"), the route's handler must return an
    object with more than a bare status: a key such as `model_loaded`, `version` or `database`, read
    from its `return {...}`, `jsonify(...)` or `JSONResponse(...)`.

    ## Why it matters
    Load balancers, Kubernetes probes and Compose healthchecks all need a route that answers quickly
    and says whether the model loaded; without one, a broken pod keeps receiving traffic.

    ## How to fix
    Add the route, and make it check that the model object exists.

    ## Example
    ```python
    @app.get("/health")
    def health():
        return {"status": "healthy", "model_loaded": model is not None}
    ```
    """
    routes = facts.routes
    if not routes.apps:
        return no_application(facts)
    wanted = {p.strip("/").lower() for p in options.paths}
    found = [r for r in routes.routes if r.path.rstrip("/").rsplit("/", 1)[-1].lower() in wanted]
    if found and options.detailed:
        detail = {
            r.path: [k for k in facts.answers.keys.get((r.module, r.line), ()) if k.lower() not in _BARE]
            for r in found
        }
        rich = [p for p, keys in detail.items() if keys]
        if rich:
            return passed(f"Health route {rich[0]} reports {', '.join(detail[rich[0]])}.")
        if any((r.module, r.line) in facts.answers.unread for r in found):
            return Decision(
                Outcome.MISSING_EVIDENCE,
                "The health route builds its answer where it cannot be read here (a variable or a helper).",
            )
        r = found[0]
        return failed(
            "The health route says only that the process answers.",
            Hit(
                f"{r.path} returns no detail (the model's state, the version, a dependency).",
                (at(r.module, r.line),),
            ),
        )
    if found:
        shown = ", ".join(sorted({r.path for r in found}))
        return passed(
            f"{agree(len(found), 'Health route', 'Health routes')}: {shown} ({found[0].module}:{found[0].line})."
        )
    module, line, framework = routes.apps[0]
    return failed(
        "No health route.",
        Hit(
            f"The {framework} application serves no health route ({', '.join(options.paths)}).",
            (at(module, line),),
        ),
    )


_URL = lazy(r"https?://[^/\s'\"]+(/[^\s'\")]*)")


def _app_folders(facts: Facts) -> set[str]:
    return {posixpath.dirname(module) for module, _, _ in facts.routes.apps}


def _image_dockerfile(facts: Facts, image: object) -> str | None:
    """The Dockerfile an image is built from, when the repository says so."""
    found = facts.images.dockerfile_for(image) if isinstance(image, str) else None
    return found[0] if found else None


def _runs_the_app(dockerfile: str, app_dirs: set[str]) -> bool:
    """Whether a Dockerfile's folder holds the Python application (a Node backend's does not)."""
    folder = posixpath.dirname(dockerfile)
    if folder in ("", "."):
        return True
    return any(d == folder or d.startswith(folder + "/") for d in app_dirs)


@check(
    id="probe-paths-match-routes",
    title="Probe paths match the app's routes",
    category="orchestration",
    severity=Severity.HIGH,
    level=Level.SILVER,
    confidence=Confidence.MEDIUM,
    applies_when="health checks or probes call HTTP paths and the application's routes are known",
    remediation="Point the probe or healthcheck at a route the application serves (see the health-endpoint check).",
    seeds=("Health checks working (`/health` endpoint)",),
)
def probe_paths_match_routes(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That every HTTP path a health check calls is a route the application serves: Kubernetes
    `httpGet` probes, URLs in Compose `healthcheck` tests and in Dockerfile `HEALTHCHECK` commands,
    matched against the routes read from the code (full paths, path parameters match any segment).
    When the repository's routes are unknown (no application found), nothing is judged.

    ## Why it matters
    A probe on a path the app does not serve answers 404 forever: Kubernetes never marks the pod ready
    (the rollout hangs) or restarts it in a loop; a typo such as /healthz for /health is enough.

    ## How to fix
    Use the path the application serves, prefixes included.

    ## Example
    ```yaml
    readinessProbe: {httpGet: {path: /api/v1/health, port: 8000}}
    ```
    """
    if not facts.routes.apps:
        return no_application(facts)
    calls: list[tuple[str, Location, str]] = []
    app_dirs = _app_folders(facts)
    for w in facts.kubernetes.workloads:
        for c in w.containers:
            built = _image_dockerfile(facts, c.spec.get("image"))
            if built is not None and not _runs_the_app(built, app_dirs):
                continue  # an image built from another folder's Dockerfile
            for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
                http = (
                    (c.spec.get(probe) or {}).get("httpGet") if isinstance(c.spec.get(probe), dict) else None
                )
                if isinstance(http, dict) and http.get("path"):
                    calls.append(
                        (
                            str(http["path"]),
                            at(w.manifest.path, c.line_of(probe)),
                            f"{w.manifest.kind}/{w.manifest.name} {probe}",
                        )
                    )
    for svc in facts.compose.services:
        built = svc.dockerfile or _image_dockerfile(facts, svc.config.get("image"))
        if not built or not _runs_the_app(built, app_dirs):
            continue  # another image (nginx, redis, a Node backend): not the application's routes
        test = (
            (svc.config.get("healthcheck") or {}).get("test")
            if isinstance(svc.config.get("healthcheck"), dict)
            else None
        )
        text = " ".join(map(str, test)) if isinstance(test, list) else str(test or "")
        for m in _URL.finditer(text):
            path, line = svc.where("healthcheck")
            calls.append((m.group(1), at(path, line), f"service {svc.name} healthcheck"))
    for df in facts.docker.dockerfiles:
        if not _runs_the_app(df.path, app_dirs):
            continue
        found = df.inherited(df.final, "HEALTHCHECK")
        if found is not None:
            for m in _URL.finditer(" ".join(found[1].value)):
                calls.append((m.group(1), at(df.path, found[1].line), "HEALTHCHECK"))
    if not calls:
        return not_applicable("No probe or healthcheck calls an HTTP path.")
    hits = [
        Hit(f"{what} calls {path}, which the application does not serve.", (where,))
        for path, where, what in calls
        if facts.routes.serves(path) is None
    ]
    if hits:
        return failed(
            f"{count(len(hits), 'health check')} {agree(len(hits), 'calls', 'call')} a path the application does not serve.",
            *hits,
        )
    return passed(
        f"{every(len(calls), 'probe or health-check path', 'probe and health-check paths')} {agree(len(calls), 'is', 'are')} served by the application."
    )
