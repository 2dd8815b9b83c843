"""Checks of the service's own code: debugging left on, models loaded per request, unsafe loads and
queries, logging, CORS, rate limits, upload limits, metrics, error handlers and code hygiene.

They judge service code only (modules that create the web app and what they import), never training
scripts or tests, and are not applicable to a repository without a web application.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

from gate.budget import BudgetExceeded
from gate.checks.base import Decision, Hit, NoOptions, at, check, failed, not_applicable, passed
from gate.facts import Facts
from gate.facts.code import Site
from gate.facts.routes import Route
from gate.lazyre import lazy
from gate.model import Confidence, Level, Location, Outcome, Severity
from gate.wording import agree, count, every

_NO_APP = "No web application in the repository."


def _hits(sites: tuple[Site, ...] | list[Site], message: str) -> list[Hit]:
    return [Hit(message.format(detail=s.detail), (at(s.path, s.line),)) for s in sites]


def _no_service(facts: Facts) -> bool:
    return not facts.code.service_modules


def no_application(facts: Facts) -> Decision:
    """Not applicable: there is no web application. Unless a Python file that may hold it went unread
    (over the size cap, or a symlink out of the repository): then the check cannot decide, and says which
    file, because passing over the application's own module would be failing open."""
    unread = facts.python.unread_apps
    if unread:
        return Decision(
            Outcome.ERROR,
            f"No web application found, but {count(len(unread), 'Python file')} that may define it {agree(len(unread), 'was', 'were')} not read.",
            tuple(
                Hit(
                    "Not read (written for a newer Python than the gate's, over max_file_size, or a symlink "
                    "out of the repository): not judged.",
                    (at(p),),
                )
                for p in unread[:20]
            ),
        )
    elsewhere = unread_service(facts)
    if elsewhere:
        return not_applicable(f"No Python web application in the repository: its code is {elsewhere}.")
    return not_applicable(_NO_APP)


def unread_service(facts: Facts) -> str:
    """What the repository's service is written in, when prodgate cannot read it ("" when there is a
    Python web application, or nothing else): "Java (pom.xml), which prodgate does not read". Said
    instead of "no web application", which would be false of a Spring or Express service."""
    try:
        if facts.routes.routes or facts.code.service_modules:
            return ""
        found = facts.repo.other_services
    except BudgetExceeded:  # facts cut short: say only what the check itself saw
        return ""
    if not found:
        return ""
    shown = ", ".join(found[:3]) + (f" and {len(found) - 3} more" if len(found) > 3 else "")
    return f"{shown}, which prodgate does not read"


def app_at(facts: Facts) -> tuple[Location]:
    """Where a finding about the whole service points: the line that creates the application."""
    if facts.routes.apps:
        module, line, _ = facts.routes.apps[0]
        return (at(module, line),)
    if facts.code.service_modules:
        return (at(facts.code.service_modules[0], 1),)
    if facts.routes.routes:  # routes on a router whose application is built elsewhere
        return (at(facts.routes.routes[0].module, facts.routes.routes[0].line),)
    return (at("."),)


@check(
    id="debug-disabled",
    title="Debug mode not switched on in code",
    category="configuration",
    severity=Severity.HIGH,
    level=Level.BRONZE,
    applies_when="the repository has a web application",
    remediation="Remove debug=True / reload=True from the code; read debugging from the environment, off by default.",
    concern="development-server",
)
def debug_disabled(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That the service code does not switch debugging on unconditionally: `app.run(debug=True)`,
    `app.debug = True`, `DEBUG = True` (Flask or Django settings), `FastAPI(debug=True)` (tracebacks
    in error responses), `uvicorn.run(..., reload=True)` or `uvicorn.Config(..., reload=True)`.
    A value read from the environment (`debug=os.getenv("DEBUG") == "1"`) is not reported, nor is
    `DEBUG = True` inside a development configuration class (`DevelopmentConfig`, `LocalSettings`)
    unless the environment's default picks that configuration (`os.getenv("FLASK_ENV", "development")`,
    or a command-line option whose default is "development"). Django's settings modules are read
    too (`settings.py`, `settings/*.py`), apart from development ones (`local.py`, `dev.py`,
    `testing.py`); `DEBUG = True` in one of them is not reported where another sets `DEBUG`
    otherwise (`base.py` on, `production.py` off).

    ## Why it matters
    Flask's debugger executes arbitrary Python typed into an error page; Django's debug pages print
    settings and SQL; uvicorn's reloader watches the file system and doubles the processes.

    ## How to fix
    Default to off and enable it only from an environment variable in development.

    ## Example
    ```python
    app.run(host="0.0.0.0", port=5000, debug=os.getenv("FLASK_DEBUG") == "1")
    ```
    """
    if _no_service(facts):
        return no_application(facts)
    hits = _hits(facts.code.debug, "Debugging is switched on: `{detail}`.")
    if facts.code.dev_default:  # the development configuration is the one chosen when nothing is set
        default = facts.code.dev_default[0]
        hits += _hits(
            facts.code.debug_dev,
            f"Debugging is switched on: `{{detail}}`, the configuration chosen by default ({default.path}:{default.line}).",
        )
    if hits:
        return failed(
            f"{count(len(hits), 'place')} {agree(len(hits), 'switches', 'switch')} debugging on.", *hits
        )
    return passed("No unconditional debug or reload switch in the service code.")


@check(
    id="torch-load-weights-only",
    title="torch.load restricted to weights",
    category="security",
    severity=Severity.HIGH,
    level=Level.BRONZE,
    applies_when="the service code calls torch.load",
    remediation="Call torch.load(path, weights_only=True) and load a state_dict into the model class.",
)
def torch_load_weights_only(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That every `torch.load` in the service code passes `weights_only=True` (under any name: `import
    torch as th`, or torch imported lazily into an attribute with `importlib.import_module`). An explicit
    `weights_only=False` fails; leaving it out fails too, because before PyTorch 2.6 the default
    unpickles arbitrary objects (and the version that runs is not always the one pinned).

    ## Why it matters
    A `.pth` file is a pickle: without weights_only, loading a tampered checkpoint runs the attacker's
    code inside the model server.

    ## How to fix
    Save and load state dicts.

    ## Example
    ```python
    model.load_state_dict(torch.load("best_model.pth", map_location="cpu", weights_only=True))
    ```
    """
    loads = facts.code.torch_loads
    if not loads:
        return not_applicable("The service code does not call torch.load.")
    bad = [s for s in loads if s.detail != "safe"]
    if bad:
        return failed(
            f"{count(len(bad), 'torch.load call')} may unpickle code.",
            *(
                Hit(
                    "torch.load without weights_only=True."
                    if s.detail != "unsafe"
                    else "torch.load(weights_only=False) unpickles arbitrary objects.",
                    (at(s.path, s.line),),
                )
                for s in bad
            ),
        )
    return passed(
        f"{every(len(loads), 'torch.load call')} {agree(len(loads), 'passes', 'pass')} weights_only=True."
    )


@check(
    id="model-loaded-once",
    title="Model loaded once, not per request",
    category="performance",
    severity=Severity.MEDIUM,
    level=Level.BRONZE,
    applies_when="the service code loads a model file",
    remediation="Load the model once at startup (module level, app factory or FastAPI lifespan) and reuse it.",
    seeds=("Model loading optimized", "Model loading cached", "Model warm-up on startup"),
)
def model_loaded_once(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That `joblib.load`, `pickle.load`, `torch.load`, keras' `load_model`, a booster's
    `model.load_model(path)` (XGBoost, CatBoost, LightGBM) and the like do not run inside a request
    handler, where they would run on every request: a function decorated as a route, a class-based
    view's verb (`class Score(Resource): def post(self)`), or a FastAPI dependency
    (`Depends(load_model)`) unless it is cached (`@lru_cache`). An application's own
    `registry.load_model(name)` is not a model load: what it does is judged where it loads.

    ## Why it matters
    Loading a model takes from 100 ms to tens of seconds and allocates it again each time: latency
    explodes and memory grows with concurrency.

    ## How to fix
    Load at startup and keep the object (module global, app state, lifespan).

    ## Example
    ```python
    @asynccontextmanager
    async def lifespan(app):
        app.state.model = joblib.load(MODEL_PATH)
        yield
    ```
    """
    loads = facts.code.model_loads
    if not loads:
        return not_applicable("The service code loads no model file.")
    per_request = [s for s in loads if s.detail == "handler"]
    if per_request:
        return failed(
            f"{count(len(per_request), 'model load')} {agree(len(per_request), 'runs', 'run')} on every request.",
            *(
                Hit("The model is loaded inside a request handler.", (at(s.path, s.line),))
                for s in per_request
            ),
        )
    return passed(f"{every(len(loads), 'model load')} {agree(len(loads), 'runs', 'run')} at startup.")


@check(
    id="sql-parameterized",
    title="SQL built with parameters",
    category="security",
    severity=Severity.HIGH,
    level=Level.BRONZE,
    applies_when="the service code executes SQL",
    remediation="Pass values as parameters: cursor.execute('SELECT ... WHERE id = ?', (item_id,)).",
    seeds=(
        "SQL injection prevention (if using database)",
        "SQL injection prevention",
        "SQL injection prevention (using parameterized queries ✓)",
    ),
)
def sql_parameterized(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    Calls to `execute`, `executemany`, `executescript`, SQLAlchemy `text()` and Django `raw()` whose
    SQL is assembled from values: an f-string with substitutions, `%` formatting, `.format()` or `+`
    on a string. Constant SQL and parameterised queries pass; service code that runs no SQL at all is
    not applicable.

    ## Why it matters
    Any value from a request that reaches SQL text can rewrite the query: read other users' data,
    drop the predictions table.

    ## How to fix
    Use placeholders and pass the values separately.

    ## Example
    ```python
    cur.execute("SELECT score FROM predictions WHERE meter_id = ?", (meter_id,))
    ```
    """
    if _no_service(facts):
        return no_application(facts)
    hits = _hits(facts.code.sql_built, "SQL text is built from values and passed to {detail}().")
    if hits:
        return failed(f"{count(len(hits), 'query', 'queries')} built from values.", *hits)
    if not facts.code.sql_calls:
        return not_applicable("The service code runs no SQL.")
    return passed(
        f"{every(len(facts.code.sql_calls), 'SQL call')} in the service code {agree(len(facts.code.sql_calls), 'uses', 'use')} constant SQL."
    )


@check(
    id="no-print-in-service",
    title="No print() in service code",
    category="code-quality",
    severity=Severity.LOW,
    level=Level.SILVER,
    applies_when="the repository has a web application",
    remediation="Replace print() with a module logger: log = logging.getLogger(__name__); log.info(...).",
    seeds=("No print() statements (use logging)",),
)
def no_print_in_service(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That code which runs in the service does not call `print()`. Service code is the application's
    module and the local modules it imports; within them, what runs is module-level code, decorated
    functions (routes, hooks, handlers) and every function or method they refer to, followed through
    imports, `Depends(...)` and method calls. A `train()` that sits beside `predict()` in a shared
    module, or that only a module's `if __name__ == "__main__":` block calls, is not service code.
    Commented-out prints and prints in scripts, tests and training code are not reported. Where a call
    cannot be resolved (`obj.method()`), every method of that name counts as reached, so a print that
    may run is never hidden.

    ## Why it matters
    print() bypasses log levels, formats and handlers: the line is missing from the log aggregator
    exactly when someone needs it, and may leak request data to stdout.

    ## How to fix
    Use the logging module.

    ## Example
    ```python
    log = logging.getLogger(__name__)
    log.info("model loaded from %s", path)
    ```
    """
    if _no_service(facts):
        return no_application(facts)
    hits = _hits(facts.code.prints, "print() in service code.")
    if hits:
        return failed(f"{count(len(hits), 'print() call')} in service code.", *hits)
    return passed(f"No print() in {count(len(facts.code.service_modules), 'service module')}.")


@check(
    id="logging-configured",
    title="Logging configured",
    category="monitoring",
    severity=Severity.MEDIUM,
    level=Level.BRONZE,
    applies_when="the repository has a web application",
    remediation="Configure logging at startup: logging.basicConfig(level=..., format=...) or dictConfig.",
    seeds=(
        "Logging configured for production",
        "Logging is properly configured",
        "Application logging configured",
        "Logging configured (use `logging` module)",
    ),
)
def logging_configured(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That the service code configures logging: `logging.basicConfig`, `dictConfig`, `fileConfig`,
    a handler added to a logger, structlog's `configure`, loguru (imported, its default sink already
    writes timestamped records from DEBUG up; `logger.add` too), or the server's log configuration:
    `uvicorn.run(log_config=...)`, `uvicorn --log-config`, `gunicorn --log-config`/`--log-config-dict`,
    or `logconfig_dict` in a gunicorn configuration file.

    Levels set at start-up (`logging.getLogger().setLevel(logging.INFO)`) count as configured, and
    the result says that only levels are set: with no handler, Python's last-resort handler still
    writes only WARNING and above unless the server configures more.

    ## Why it matters
    Unconfigured, Python logs only warnings and above, without timestamps: the INFO lines the team
    relies on during an incident are simply not written.

    ## How to fix
    Configure once at startup, with the level from the environment.

    ## Example
    ```python
    logging.basicConfig(level=os.getenv("LOG_LEVEL", "INFO"), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    ```
    """
    if _no_service(facts):
        return no_application(facts)
    setup = facts.code.logging_setup
    if setup:
        return passed(f"Logging configured at {setup[0].path}:{setup[0].line} ({setup[0].detail}).")
    if levels := facts.code.logging_levels:
        # the rule (#14): levels set at start-up count as configured, and the result says it is
        # only that, since without a handler Python's last-resort one still shows WARNING and above only
        first = levels[0]
        return passed(
            f"Only logging levels are set ({first.path}:{first.line}): no handler or format is configured, "
            "so unless the server configures one, records below WARNING are not written."
        )
    return failed(
        "The service code never configures logging.",
        Hit("No logging configuration in the service code.", app_at(facts)),
    )


@check(
    id="log-rotation",
    title="Log rotation configured",
    category="monitoring",
    severity=Severity.MEDIUM,
    level=Level.SILVER,
    applies_when="the service code logs to files",
    remediation="Use RotatingFileHandler or TimedRotatingFileHandler (or log to stdout and let the platform rotate).",
    seeds=("Log rotation configured", "Log rotation enabled"),
)
def log_rotation(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    When the service logs to files (`FileHandler`, `basicConfig(filename=...)`), that a rotating
    handler (`RotatingFileHandler`, `TimedRotatingFileHandler`, or `WatchedFileHandler` for
    logrotate) is configured. Services that log to stdout are not judged.

    ## Why it matters
    An unrotated log file grows until the disk is full, and then the database and the model cache
    fail with it.

    ## How to fix
    Switch to a rotating handler with a size or time limit.

    ## Example
    ```python
    handler = RotatingFileHandler("logs/api.log", maxBytes=10_000_000, backupCount=5)
    ```
    """
    files = facts.code.file_logging
    if not files and not facts.code.rotating_logging:
        return not_applicable("The service code does not log to files.")
    if facts.code.rotating_logging:  # a rotating handler is a file log that rotates
        return passed(f"Log files rotate ({facts.code.rotating_logging[0].detail}).")
    return failed(
        "Log files grow without rotation.", *_hits(files, "Logs to a file ({detail}) without rotation.")
    )


@check(
    id="cors-not-wildcard",
    title="CORS not open to every origin",
    category="security",
    severity=Severity.HIGH,
    level=Level.BRONZE,
    applies_when="the service configures CORS",
    remediation="List the allowed origins explicitly (from configuration), never '*' with credentials.",
    seeds=(
        "CORS whitelisting configured",
        "CORS configured if needed",
        "CORS origins configured for API",
        "CORS properly configured",
    ),
)
def cors_not_wildcard(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    CORS configuration in the service code: FastAPI/Starlette `CORSMiddleware` with
    `allow_origins=["*"]` (also through a variable, `origins = ["*"]`, or a settings field whose
    default is `["*"]`, `allow_origins=settings.cors_origins`: the default is what runs when nobody
    sets it), Flask-CORS's `CORS(app)` with no `origins` (which allows every origin), and
    CORS headers set by hand: `response.headers["Access-Control-Allow-Origin"] = "*"` in an
    `after_request` hook or a middleware, `.add()`/`.set()`/`.setdefault()` on headers, or a headers
    dict on a response. Echoing the request's `Origin` header back counts as a wildcard (it admits
    every origin, and unlike `*` browsers accept it with credentials). In a Django project that
    installs django-cors-headers, its settings modules (`settings.py`, `settings/*.py`):
    `CORS_ALLOW_ALL_ORIGINS = True` (or the older `CORS_ORIGIN_ALLOW_ALL`) or an origin regex that
    matches anything is a wildcard, `CORS_ALLOWED_ORIGINS` names the origins. A wildcard together with
    credentials (`allow_credentials=True`, `supports_credentials=True`, `CORS_ALLOW_CREDENTIALS =
    True`, or an `Access-Control-Allow-Credentials: true` header) is reported as critical.

    ## Why it matters
    A wildcard lets any web page call the API from a user's browser; with credentials, it can do so
    as that user.

    ## How to fix
    Name the front-end origins.

    ## Example
    ```python
    app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["POST"])
    ```
    """
    cors = facts.code.cors
    if not cors:
        return not_applicable("The service does not configure CORS.")
    hits = [
        Hit(
            "CORS allows every origin"
            + (", with credentials." if s.detail == "wildcard+credentials" else "."),
            (at(s.path, s.line),),
            severity=Severity.CRITICAL if s.detail == "wildcard+credentials" else None,
        )
        for s in cors
        if s.detail.startswith("wildcard")
    ]
    if hits:
        return failed(
            f"{count(len(hits), 'CORS configuration')} {agree(len(hits), 'allows', 'allow')} every origin.",
            *hits,
        )
    return passed("CORS names its allowed origins.")


@check(
    id="rate-limiting",
    title="Rate limiting configured",
    category="security",
    severity=Severity.MEDIUM,
    level=Level.SILVER,
    confidence=Confidence.MEDIUM,
    applies_when="the repository has a web application",
    remediation="Add slowapi (FastAPI) or Flask-Limiter, or document the gateway that limits requests.",
    seeds=(
        "Rate limiting configured",
        "Rate limiting enabled",
        "Rate limiting configured (if required)",
        "Rate limiting per IP",
    ),
)
def rate_limiting(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That the service code sets up a rate limiter that limits something: `@limiter.limit(...)` on a
    route, slowapi's `SlowAPIMiddleware`, a Flask-Limiter `Limiter` given the app (`app=` or
    `init_app`), fastapi-limiter's `FastAPILimiter`/`RateLimiter`, or a limiter written for the
    service: a class or function named for it (`RateLimitMiddleware`, `throttle`) that answers 429.
    A `Limiter()` that nothing uses limits no request and fails, and so does a concurrency cap alone
    (a semaphore that sheds load with 429 does not limit any client's rate). Limits enforced by an
    API gateway or ingress are invisible here (hence medium confidence): waive the check with the
    reason when that is how it is done.

    ## Why it matters
    Inference is expensive: one client in a loop can saturate the model server for everyone, and
    cost real money on GPU instances.

    ## How to fix
    Add a limiter with a per-client limit on the prediction routes.

    ## Example
    ```python
    limiter = Limiter(key_func=get_remote_address, default_limits=["100/minute"])
    ```
    """
    if _no_service(facts):
        return no_application(facts)
    applied = [s for s in facts.code.rate_limits if s.detail != "Limiter"]
    if applied:
        s = applied[0]
        return passed(f"Rate limiter at {s.path}:{s.line} ({s.detail}).")
    if facts.code.rate_limits:
        s = facts.code.rate_limits[0]
        return failed(
            "A rate limiter is created but limits nothing.",
            Hit(
                "Limiter() is created, but no route uses @limiter.limit, no SlowAPIMiddleware is added and "
                "no app is given to it (app= or init_app), so no request is limited.",
                (at(s.path, s.line),),
            ),
        )
    return failed(
        "No rate limiter in the service code.", Hit("No rate limiter is configured.", app_at(facts))
    )


@check(
    id="upload-size-limited",
    title="Upload size limited",
    category="security",
    severity=Severity.MEDIUM,
    level=Level.SILVER,
    confidence=Confidence.MEDIUM,
    applies_when="the service accepts file uploads",
    remediation="Set MAX_CONTENT_LENGTH (Flask) or check the upload's size before reading it all (FastAPI).",
    seeds=(
        "Max upload size configured",
        "File size limits enforced (currently 50MB)",
        "File upload validation implemented",
    ),
)
def upload_size_limited(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    When the service accepts uploads (`request.files`, `UploadFile`), that a size limit exists in the
    code: Flask's `MAX_CONTENT_LENGTH`, or a comparison on `content_length`, `.size` or the length of
    the read contents.

    ## Why it matters
    Without a limit one request with a 5 GB "CSV" fills the memory or the disk of the model server.

    ## How to fix
    Set the limit where the framework enforces it.

    ## Example
    ```python
    app.config["MAX_CONTENT_LENGTH"] = 50 * 1024 * 1024
    ```
    """
    uploads = facts.code.uploads
    if not uploads:
        return not_applicable("The service accepts no file uploads.")
    if facts.code.upload_limits:
        s = facts.code.upload_limits[0]
        return passed(f"Upload size limited at {s.path}:{s.line} ({s.detail}).")
    return failed(
        "Uploads have no size limit.",
        Hit(
            f"Accepts uploads ({uploads[0].detail}) without a size limit.",
            (at(uploads[0].path, uploads[0].line),),
        ),
    )


@check(
    id="metrics-endpoint",
    title="Metrics exposed",
    category="monitoring",
    severity=Severity.MEDIUM,
    level=Level.SILVER,
    applies_when="the repository has a web application",
    remediation="Expose Prometheus metrics: prometheus-fastapi-instrumentator, prometheus_flask_exporter or prometheus_client's make_asgi_app.",
    seeds=(
        "Prometheus metrics exposed (/metrics endpoint)",
        "Prometheus metrics endpoint available (`/metrics`)",
        "Metrics endpoint added",
        "Prometheus metrics exposed",
    ),
)
def metrics_endpoint(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That the service exposes Prometheus metrics: a `/metrics` route, `make_asgi_app`/`make_wsgi_app`
    or `start_http_server` from prometheus_client, prometheus-fastapi-instrumentator's
    `Instrumentator`, prometheus_flask_exporter's `PrometheusMetrics`, or a middleware that answers
    the path itself (`if request.url.path == "/metrics": return render()`).

    ## Why it matters
    Request rate, error rate and latency per route are the first three graphs of any incident; an
    ML service also wants prediction counts and inference time.

    ## How to fix
    Add an exporter.

    ## Example
    ```python
    Instrumentator().instrument(app).expose(app)   # serves /metrics
    ```
    """
    if _no_service(facts):
        return no_application(facts)
    route = facts.routes.serves("/metrics")
    if route is not None:
        return passed(f"/metrics served at {route.module}:{route.line}.")
    if facts.code.metrics:
        s = facts.code.metrics[0]
        return passed(f"Metrics exporter at {s.path}:{s.line} ({s.detail}).")
    return failed(
        "No metrics endpoint.",
        Hit("No /metrics route or Prometheus exporter in the service code.", app_at(facts)),
    )


@check(
    id="error-handlers-registered",
    title="Error handlers registered",
    category="code-quality",
    severity=Severity.LOW,
    level=Level.SILVER,
    confidence=Confidence.MEDIUM,
    applies_when="the repository has a web application",
    remediation="Register error handlers (Flask @app.errorhandler, FastAPI @app.exception_handler) that return JSON with the right status.",
    seeds=("Error handling implemented",),
)
def error_handlers_registered(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That the service registers at least one error handler: Flask's `errorhandler` or
    `register_error_handler`, FastAPI/Starlette's `exception_handler`, `add_exception_handler` or the
    `exception_handlers=` argument of the application.

    ## Why it matters
    Without one, an unexpected exception returns an HTML 500 page (Flask) or a bare "Internal Server
    Error": clients cannot tell bad input from a broken model, and nothing logs the request context.

    ## How to fix
    Map validation errors to 4xx and unexpected ones to a logged 500 with a JSON body.

    ## Example
    ```python
    @app.exception_handler(ValueError)
    async def bad_input(request, exc):
        return JSONResponse(status_code=422, content={"detail": str(exc)})
    ```
    """
    if _no_service(facts):
        return no_application(facts)
    if facts.code.error_handlers:
        s = facts.code.error_handlers[0]
        return passed(
            f"{count(len(facts.code.error_handlers), 'error handler')}, first at {s.path}:{s.line}."
        )
    return failed(
        "No error handler is registered.",
        Hit("No errorhandler/exception_handler in the service code.", app_at(facts)),
    )


@check(
    id="no-todo-fixme",
    title="No TODO or FIXME in service code",
    category="code-quality",
    severity=Severity.INFO,
    level=Level.GOLD,
    applies_when="the repository has a web application",
    remediation="Resolve the TODO or turn it into a tracked issue and delete the comment.",
    seeds=("All TODOs and FIXMEs removed", "No TODO/FIXME comments left"),
)
def no_todo_fixme(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    Comments in service code that say TODO, FIXME, XXX or HACK (read from Python's tokenizer, so
    strings that contain the word are not counted).

    ## Why it matters
    A FIXME in the serving path is a known defect shipping to production; a tracked issue is where
    it can be prioritised.

    ## How to fix
    Fix it, or file it and remove the comment.

    ## Example
    ```python
    # see issue #142 for batching large requests
    ```
    """
    if _no_service(facts):
        return no_application(facts)
    hits = _hits(facts.code.todos, "{detail} comment in service code.")
    if hits:
        return failed(f"{count(len(hits), 'TODO/FIXME comment')} in service code.", *hits)
    return passed("No TODO or FIXME comments in service code.")


class CoverageOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    minimum: int = Field(default=80, ge=0, le=100)
    """Percentage of public functions that must qualify."""


def _coverage(facts: Facts, options: CoverageOptions, tag: str, what: str) -> Decision:
    if _no_service(facts):
        return no_application(facts)
    functions = facts.code.functions
    if not functions:
        return not_applicable("The service code defines no public functions.")
    ok = [f for f in functions if tag in f.detail.split()]
    percent = round(100 * len(ok) / len(functions))
    if percent >= options.minimum:
        return passed(
            f"{percent}% of {count(len(functions), 'public function')} {what} (minimum {options.minimum}%)."
        )
    missing = [f for f in functions if tag not in f.detail.split()]
    return failed(
        f"{percent}% of {count(len(functions), 'public function')} {what}; {options.minimum}% expected.",
        *(
            Hit(
                f"Public function without {'a docstring' if tag == 'doc' else 'complete type hints'}.",
                (at(f.path, f.line),),
                severity=Severity.INFO,
            )
            for f in missing[:20]
        ),
    )


@check(
    id="docstring-coverage",
    title="Public functions have docstrings",
    category="code-quality",
    severity=Severity.LOW,
    level=Level.GOLD,
    applies_when="the repository has a web application",
    remediation="Add docstrings to public functions of the service code.",
    options=CoverageOptions,
    seeds=(
        "Docstrings added to all functions",
        "Docstrings present for all functions",
        "Comprehensive docstrings",
    ),
)
def docstring_coverage(facts: Facts, options: CoverageOptions) -> Decision:
    """
    ## What it checks
    The share of public functions and methods in service code that have a docstring, against the
    `minimum` option (default 80%). The result states the percentage.

    ## Why it matters
    The on-call engineer reading `predict_batch` at night needs to know what it expects and returns.

    ## How to fix
    Document the functions the findings list.

    ## Example
    ```python
    def predict(values: list[float]) -> float:
        \"\"\"Theft probability for one meter's 14 feature values.\"\"\"
    ```
    """
    return _coverage(facts, options, "doc", "have a docstring")


@check(
    id="type-hint-coverage",
    title="Public functions have type hints",
    category="code-quality",
    severity=Severity.LOW,
    level=Level.GOLD,
    applies_when="the repository has a web application",
    remediation="Annotate the parameters and return types of public functions.",
    options=CoverageOptions,
    seeds=("Type hints used where applicable", "Type hints used throughout", "Type hints for all methods"),
)
def type_hint_coverage(facts: Facts, options: CoverageOptions) -> Decision:
    """
    ## What it checks
    The share of public functions and methods in service code whose parameters and return type are
    all annotated, against the `minimum` option (default 80%). The result states the percentage.

    ## Why it matters
    Type hints let mypy catch the list-versus-array and None mistakes that otherwise surface as 500s
    on real traffic, and FastAPI uses them to validate requests.

    ## How to fix
    Annotate the functions the findings list, then run mypy in CI.

    ## Example
    ```python
    def predict(values: list[float]) -> float: ...
    ```
    """
    return _coverage(facts, options, "typed", "are fully typed")


# `invocations`: SageMaker's inference contract (POST /invocations), served by many model containers
_SENSITIVE = lazy(r"(predict|infer|scor(e|ing)|classif|batch|upload|train|model|detect|invocations)", re.I)
_OPEN_BY_NATURE = lazy(
    r"/(health\w*|healthz|ready\w*|live\w*|ping|status|metrics|docs|openapi\.json)/?$", re.I
)


def _sensitive(route: Route) -> bool:
    """A route that changes state and names the model's work in its path, or whose handler runs or loads
    the model whatever its path and method (health and metrics routes excepted: they are meant to be open)."""
    if _OPEN_BY_NATURE.search(route.path):
        return False
    writes = bool(set(route.methods) & {"POST", "PUT", "PATCH", "DELETE"})
    return (writes and bool(_SENSITIVE.search(route.path))) or route.runs_model


@check(
    id="api-authentication",
    title="Prediction and upload routes require credentials",
    category="security",
    severity=Severity.HIGH,
    level=Level.BRONZE,
    confidence=Confidence.MEDIUM,
    applies_when="the service has prediction, upload or training routes",
    remediation="Require credentials on these routes: a FastAPI Depends/Security dependency (APIKeyHeader, HTTPBearer, OAuth2), or a Flask auth decorator or before_request check.",
    seeds=(
        "API key authentication configured",
        "API authentication implemented (if required)",
        "Authentication/authorization in place (if required)",
        "API authentication enabled",
    ),
)
def api_authentication(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That every route that changes state or runs the model requires credentials. Such a route is a
    POST, PUT, PATCH or DELETE route whose path mentions predict, infer, score(ing), classify, batch,
    upload, train, model, detect or invocations (SageMaker's inference route), or any route whose handler runs or loads a model
    (`model.predict(...)`, a call named predict/infer/classify/detect/forecast/generate,
    `joblib.load`, `torch.load`, `pickle.load`, `from_pretrained`, or a `model`/`classifier`/`detector`
    object called or handed to a function), whatever its path says; health,
    readiness, metrics and docs routes are meant to be open and never count. Router prefixes are
    followed through constants (`prefix=API_PREFIX`, `settings.API_V1_STR`, imported from the
    repository's own modules). Credentials are a FastAPI `Depends`/`Security` on an authenticating
    dependency (APIKeyHeader, HTTPBearer, OAuth2..., or a function whose name says it checks a key,
    token or user) on the route,
    its router, `include_router` or the app; a Flask decorator such as `login_required`,
    `auth.login_required`, `jwt_required`; Flask-RESTful/RESTX resources guarded by
    `method_decorators` or an authenticating decorator on every verb; or a `before_request` hook or
    HTTP middleware that reads the credentials and rejects the request. Flask-RESTful and
    Flask-RESTX routes are read as well (`api.add_resource(Resource, "/path")`, `@ns.route(...)` on
    a Resource class, namespaces and `Api(blueprint, prefix=...)`): a resource's verbs are its
    methods. Authentication done by an API gateway is invisible here
    (medium confidence): waive the check with that reason.

    ## Why it matters
    An open prediction endpoint lets anyone run up the inference bill, scrape the model's decisions
    or, for upload and training routes, poison it.

    ## How to fix
    Add a dependency that validates an API key or token and attach it to the routes or router.

    ## Example
    ```python
    api_key = APIKeyHeader(name="X-API-Key")
    @app.post("/predict", dependencies=[Depends(require_key)])
    ```
    """
    routes = [r for r in facts.routes.routes if _sensitive(r)]
    if not routes:
        return not_applicable("No prediction, upload or training routes.")
    open_routes = [r for r in routes if not r.protected]
    if open_routes:
        return failed(
            f"{len(open_routes)} of {count(len(routes), 'sensitive route')} {agree(len(open_routes), 'accepts', 'accept')} anonymous requests.",
            *(
                Hit(f"{'/'.join(r.methods)} {r.path} requires no credentials.", (at(r.module, r.line),))
                for r in open_routes
            ),
        )
    return passed(
        f"{every(len(routes), 'prediction or upload route', 'prediction and upload routes')} {agree(len(routes), 'requires', 'require')} credentials."
    )


@check(
    id="no-secrets-in-logs",
    title="No secrets passed to log calls",
    category="security",
    severity=Severity.HIGH,
    level=Level.SILVER,
    confidence=Confidence.MEDIUM,
    applies_when="the repository has a web application",
    remediation="Log identifiers and sizes, not request bodies, headers or credentials; mask what must appear.",
    seeds=("No sensitive data in logs", "Sensitive data not logged"),
)
def no_secrets_in_logs(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    Logging calls in service code (`log.info(...)`, `logger.debug(...)`, `logging.warning(...)`, and
    f-strings passed to them) whose arguments are whole request bodies or headers (`request.json`,
    `request.get_json()`, `request.data`, `request.form`, `request.headers`), an Authorization value,
    or variables named like a password, token, secret or API key. The message template itself is not
    judged, only the values logged.

    ## Why it matters
    Logs are shipped to aggregators that many people can read and that keep data for months: a
    logged bearer token is a leaked token, and a logged request body may be personal data under GDPR.

    ## How to fix
    Log what identifies the request (an id, the route, the size), never its payload or credentials.

    ## Example
    ```python
    log.info("prediction for meter %s in %.1f ms", reading.meter_id, elapsed_ms)
    ```
    """
    if _no_service(facts):
        return no_application(facts)
    hits = _hits(facts.code.logged_secrets, "A log call writes `{detail}`.")
    if hits:
        return failed(
            f"{count(len(hits), 'log call')} {agree(len(hits), 'writes', 'write')} request data or secrets.",
            *hits,
        )
    return passed("No log call writes request bodies, headers or secret-named values.")


_DEV_COMMAND = lazy(r"(\bflask\b.*\brun\b|\bfastapi\s+dev\b|runserver\b)")
_PROD_COMMAND = lazy(r"\b(gunicorn|uvicorn|hypercorn|waitress-serve|uwsgi|daphne|granian|fastapi\s+run)\b")
_PROD_PACKAGES = {
    "gunicorn",
    "uvicorn",
    "hypercorn",
    "waitress",
    "uwsgi",
    "daphne",
    "granian",
    "bjoern",
    "meinheld",
}


@check(
    id="production-server",
    title="Service started by a production server",
    category="configuration",
    severity=Severity.HIGH,
    level=Level.BRONZE,
    confidence=Confidence.MEDIUM,
    applies_when="the repository has a web application",
    remediation="Start the service with gunicorn, uvicorn, waitress or another production server, not `flask run`, `fastapi dev`, `manage.py runserver` or app.run().",
    concern="development-server",
)
def production_server(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    How the service is started, wherever the repository says it: the Dockerfile's command, Procfile
    lines, Compose `command` and Kubernetes `command`/`args`. A development server there (`flask run`,
    `fastapi dev`, Django's `runserver`) fails. A production server there (gunicorn, uvicorn,
    hypercorn, waitress, uwsgi, daphne, granian, `fastapi run`) passes. With no start command in
    the repository, a production server among the dependencies passes with medium confidence; a
    Flask app whose only visible start is `app.run()` fails (also when a script imports the app and
    runs it: `from api import app; app.run()`); anything else is undecided.

    ## Why it matters
    Development servers handle one request at a time (or reload on file changes), have no worker
    management and say in their own banner that they are not for production.

    ## How to fix
    Add the server to the requirements and start it in the image or the Procfile.

    ## Example
    ```text
    web: gunicorn --workers 2 --bind 0.0.0.0:$PORT app:app
    ```
    """
    if _no_service(facts):
        return no_application(facts)
    commands: list[tuple[Location, str]] = [(at(s.path, s.line), s.detail) for s in facts.code.procfile]
    for df in facts.docker.dockerfiles:
        found = [p[1] for p in (df.inherited(df.final, c) for c in ("ENTRYPOINT", "CMD")) if p is not None]
        if found:
            commands.append((at(df.path, found[-1].line), " ".join(" ".join(i.value) for i in found)))
    for svc in facts.compose.services:
        if svc.config.get("command"):
            path, line = svc.where("command")
            cmd = svc.config["command"]
            commands.append((at(path, line), " ".join(map(str, cmd)) if isinstance(cmd, list) else str(cmd)))
    for w in facts.kubernetes.workloads:
        for c in w.containers:
            parts = [*(c.spec.get("command") or []), *(c.spec.get("args") or [])]
            if parts:
                commands.append((at(w.manifest.path, c.line), " ".join(map(str, parts))))
    dev = [(where, cmd) for where, cmd in commands if _DEV_COMMAND.search(cmd)]
    if dev:
        return failed(
            f"{count(len(dev), 'start command')} {agree(len(dev), 'runs', 'run')} a development server.",
            *(Hit(f"`{cmd}` starts a development server.", (where,)) for where, cmd in dev),
        )
    if any(_PROD_COMMAND.search(cmd) for _, cmd in commands):
        return passed("The service is started with a production server.")
    declared = {d.name for d in facts.dependencies.requirements} | {
        d.name for d in facts.dependencies.manifest_dependencies
    }
    if declared & _PROD_PACKAGES:
        return Decision(
            Outcome.PASS,
            f"{', '.join(sorted(declared & _PROD_PACKAGES))} is a dependency (no start command in the repository says how it is used).",
        )
    flask_app = any(framework == "flask" for _, _, framework in facts.routes.apps)
    runs = [
        r
        for r in facts.python.server_runs
        if r.name in ("flask-dev", "werkzeug-dev") or (r.name == "app-run" and flask_app)
    ]
    if runs:
        return failed(
            "The only visible way to start the service is Flask's development server.",
            *(
                Hit(
                    "Flask's development server is the only start the repository shows.",
                    (at(r.path, r.line),),
                )
                for r in runs
            ),
        )
    return Decision(
        Outcome.MISSING_EVIDENCE,
        "The repository does not show how the service is started.",
        (
            Hit(
                "No start command (Dockerfile CMD, Procfile, compose or Kubernetes command) found.",
                app_at(facts),
            ),
        ),
    )
