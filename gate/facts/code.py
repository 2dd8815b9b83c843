"""Facts from the service's own code: what it logs, loads, executes and configures, read from the AST.

"Service code" is every module that creates a web application (Flask, FastAPI, Starlette, Django
settings/urls) and every local module those import, transitively. Training scripts, notebooks
exported to .py, tests and tooling are not service code: a print() in train.py is fine.
"""

from __future__ import annotations

import ast
import io
import re
import sys
import tokenize
from typing import Any

from msgspec import Struct

from gate.facts.dockerfile import is_dockerfile
from gate.facts.python import django_settings, imported_from, is_test_path
from gate.facts.reach import ModuleNames, unreachable_spans
from gate.facts.walk import Visitor, walk
from gate.lazyre import lazy
from gate.snapshot import Snapshot, python_summary

_MODEL_LOADERS = {
    ("joblib", "load"),
    ("pickle", "load"),
    ("pickle", "loads"),
    ("torch", "load"),
    ("dill", "load"),
    ("cloudpickle", "load"),
}
_KERAS = {"load_model"}
_GBM_RECEIVER = lazy(r"^(\w+_)?(model|booster|bst|clf|classifier|regressor|estimator|xgb|cbm)$", re.I)
_VIEW_BASES = {"Resource", "MethodView", "View", "HTTPMethodView"}
_VIEW_VERBS = {"get", "post", "put", "patch", "delete"}
_ROUTE_DECORATORS = {"route", "get", "post", "put", "patch", "delete", "api_route"}
_TODO = lazy(r"#.*\b(TODO|FIXME|XXX|HACK)\b")
_MODEL_FILE_SUFFIXES = (
    ".joblib", ".pkl", ".pickle", ".pt", ".pth", ".onnx", ".h5", ".keras", ".safetensors",
    ".cbm", ".xgb", ".ubj", ".tflite", ".skops", ".gguf", ".mlmodel", ".pmml",
)  # fmt: skip
_LOG_METHODS = {"debug", "info", "warning", "warn", "error", "exception", "critical", "log"}
_SENSITIVE_ARG = lazy(
    r"(request\.(json|get_json|data|form|body|headers)\b|authorization|\b\w*(password|passwd|secret|token|api_?key|apikey|credential)\w*\b)",
    re.IGNORECASE,
)


class Site(Struct, frozen=True):
    path: str
    line: int
    detail: str = ""


class CodeFacts(Struct, frozen=True):
    service_modules: tuple[str, ...]
    prints: tuple[Site, ...]
    logging_setup: tuple[Site, ...]
    """What configures logging: basicConfig, dictConfig, handlers, structlog, loguru (its default sink
    writes timestamped records from DEBUG up), a server's log configuration (uvicorn/gunicorn)."""
    logging_levels: tuple[Site, ...]
    """Levels set (setLevel): alone they configure nothing, Python's last-resort handler still drops INFO."""
    file_logging: tuple[Site, ...]
    rotating_logging: tuple[Site, ...]
    cors: tuple[Site, ...]
    """CORS configuration; detail is 'wildcard', 'wildcard+credentials' or 'restricted'."""
    rate_limits: tuple[Site, ...]
    debug: tuple[Site, ...]
    debug_dev: tuple[Site, ...]
    """DEBUG = True inside a development-only configuration class (DevelopmentConfig, LocalSettings)."""
    dev_default: tuple[Site, ...]
    """Where the environment's default picks the development configuration: getenv("FLASK_ENV", "development")."""
    uploads: tuple[Site, ...]
    upload_limits: tuple[Site, ...]
    model_loads: tuple[Site, ...]
    """detail: 'handler' when the load runs inside a request handler, else 'startup'."""
    torch_loads: tuple[Site, ...]
    """detail: 'safe' (weights_only=True), 'unsafe' (False), 'default' (not given)."""
    sql_built: tuple[Site, ...]
    sql_calls: tuple[Site, ...]
    """Every call that runs SQL (DB-API execute*, or text()/raw() given SQL), built or constant."""
    todos: tuple[Site, ...]
    functions: tuple[Site, ...]
    """Public functions and methods of service modules; detail holds 'doc' and/or 'typed'."""
    error_handlers: tuple[Site, ...]
    metrics: tuple[Site, ...]
    metric_defs: tuple[Site, ...]
    """prometheus_client metrics the code defines (service and training code): detail is
    'Kind name label,label' (`Histogram inference_seconds model`)."""
    logged_secrets: tuple[Site, ...]
    """Logging calls whose arguments carry request bodies, headers or secret-named values."""
    request_models: tuple[Site, ...]
    """pydantic models in service code; detail is their field names, space-separated."""
    seeded: tuple[Site, ...]
    """Where randomness is seeded (random_state=, np.random.seed, torch.manual_seed, ...)."""
    model_paths: tuple[Site, ...]
    """String literals naming model files (models/model.joblib): what the service expects to load."""
    procfile: tuple[Site, ...] = ()
    training_modules: tuple[str, ...] = ()
    """Scripts that train models (named for training, or fitting and saving a model)."""
    training_seeded: tuple[Site, ...] = ()
    """Process lines of Procfiles (Heroku, Dokku, honcho): detail is the command."""


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _owner(node: ast.expr) -> str:
    return _name(node.value) if isinstance(node, ast.Attribute) else ""


def _kw(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _is_true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _module_of(rel: str) -> str:
    return rel[:-3].replace("/", ".").removesuffix(".__init__")


def _import_statements(body: list[Any]) -> list[ast.Import | ast.ImportFrom]:
    """Import statements at any statement depth, without walking expressions (imports are statements)."""
    found: list[ast.Import | ast.ImportFrom] = []
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        for field in ("body", "orelse", "finalbody", "handlers"):
            child = getattr(node, field, None)
            if isinstance(child, list):
                found.extend(_import_statements(child))
    return found


@python_summary("import-targets")
def import_targets(rel: str, text: str, tree: ast.Module) -> tuple[str, ...]:
    """The modules an import statement of the module could name, absolute (`from .x import y`, in
    `app/main.py`: `app.x` and `app.x.y`), in statement order."""
    targets: list[str] = []
    for node in _import_statements(tree.body):
        if isinstance(node, ast.Import):
            targets.extend(a.name for a in node.names)
        else:
            base = imported_from(rel, node)
            targets.append(base)
            targets.extend(f"{base}.{a.name}" if base else a.name for a in node.names)
    # the same few names recur in every module of a large repository: held once
    return tuple(sys.intern(t) for t in targets)


def service_modules(snap: Snapshot, app_modules: list[str]) -> list[str]:
    """The modules that create an application (found from the AST by the routes collector) plus the
    local modules they import, transitively."""
    modules = {_module_of(r): r for r in snap.with_suffix(".py") if not is_test_path(r)}
    known = set(modules.values())
    roots = [r for r in app_modules if r in known]
    by_last: dict[str, list[str]] = {}
    for name in modules:
        by_last.setdefault(name.rsplit(".", 1)[-1], []).append(name)
    seen: set[str] = set()
    queue = list(roots)
    while queue:
        rel = queue.pop()
        if rel in seen:
            continue
        seen.add(rel)
        for t in snap.summary("import-targets", rel) or ():
            for candidate in (t, t.rsplit(".", 1)[0]):
                if candidate in modules:
                    queue.append(modules[candidate])
                else:
                    # a module imported by a shorter name (src layouts, scripts run from their
                    # folder): look it up by its last component instead of scanning every module
                    last = candidate.rsplit(".", 1)[-1]
                    queue.extend(modules[m] for m in by_last.get(last, ()) if m.endswith("." + candidate))
    return sorted(seen | _entry_scripts(snap, modules, roots, seen))


_IMPORTED_PATH = lazy(r"^\s*(?:from\s+\.?|import\s+)(\w+(?:\.\w+)*)", re.M)


def imports_any(names: set[str], text: str) -> bool:
    """Whether a line of `text` imports one of the modules `names`, or from inside one
    (`from app.main import app` names `app`): a set lookup per dotted prefix of each imported path. An
    alternation of every name was quadratic, and compiling it for 25,000 app modules took 200 MB."""
    for match in _IMPORTED_PATH.finditer(text):
        parts = match.group(1).split(".")
        if any(".".join(parts[: i + 1]) in names for i in range(len(parts))):
            return True
    return False


def _entry_scripts(snap: Snapshot, modules: dict[str, str], roots: list[str], seen: set[str]) -> set[str]:
    """The scripts that import the application and start it (`run.py`: `from app import app;
    app.run(debug=True)`) or build it from its factory: what they start with is the service's
    configuration too."""
    names = {_module_of(r) for r in roots}
    names |= {n.split(".", 1)[0] for n in names} | {n.rsplit(".", 1)[-1] for n in names}
    if not names:
        return set()

    found = set()
    for rel in modules.values():
        if rel in seen:
            continue
        text = snap.text(rel) or ""
        if not imports_any(names, text):
            continue
        if _BUILDS_APP.search(text) or (
            (".run(" in text or "serve(" in text) and _starts_a_server(snap.python(rel))
        ):
            found.add(rel)
    return found


_SERVERS = {"uvicorn", "waitress", "hypercorn", "gunicorn", "werkzeug", "bjoern"}


def _starts_a_server(tree: object) -> bool:
    """`app.run(...)`, `create_app().run()`, `uvicorn.run(...)`, `serve(app)`: not any `.run(` (a
    deploy script's `subprocess.run` or `deployer.run(tag)` starts no service)."""
    if not isinstance(tree, ast.Module):
        return False
    for node in walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in ("serve", "run_simple"):
            return True
        if not isinstance(func, ast.Attribute) or func.attr not in ("run", "serve", "run_simple"):
            continue
        receiver = func.value.func if isinstance(func.value, ast.Call) else func.value
        name = _name(receiver).lower()
        if name in _SERVERS or "app" in name or "server" in name:
            return True
    return False


_BUILDS_APP = lazy(r"^\w+(?:\s*:\s*\w+)?\s*=\s*(?:\w+\.)?(?:create|make|build|get)_?app\w*\(", re.M | re.I)
"""`application = create_application(settings)` at module level: the module the server is pointed at
(`gunicorn serving:application`), which configures what the factory builds."""


_LIMIT_MIDDLEWARE = ("SlowAPIMiddleware", "SlowAPIASGIMiddleware")
_SQL_WORDS = lazy(r"^\s*(select|insert|update|delete|create|drop|alter|with|pragma)\b", re.I)


def _looks_like_sql(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Constant) and isinstance(node.value, str) and bool(_SQL_WORDS.match(node.value))
    )


_LIMITER_NAME = lazy(r"rate_?limit|throttl")
_TOO_MANY = lazy(r"^(HTTP_429\w*|TOO_MANY_REQUESTS|TooManyRequests)$")
_OUTPUT_NAME = lazy(r"(^|_)(save|saved|output|out|export|dump|dest|destination)(_|$)", re.I)
"""Where a model file is written, not read: `save_model_path`, `output_path`, `export_to`."""
_WRITES_MODEL = {"dump", "save", "save_model", "to_onnx", "export_model"}


def _path_constants(value: ast.expr) -> list[ast.Constant]:
    """The string constants a path expression is built from (a literal, an f-string, `+`,
    `os.path.join(...)`, `Path(...) / ...`), never those inside another call: in `out =
    run(joblib.load("model.pkl"))` the file is read."""
    if isinstance(value, ast.Constant):
        return [value]
    if isinstance(value, ast.JoinedStr):
        return [v for v in value.values if isinstance(v, ast.Constant)]
    if isinstance(value, ast.BinOp):
        return _path_constants(value.left) + _path_constants(value.right)
    if isinstance(value, ast.Call) and _name(value.func) in ("join", "Path", "PurePath", "str"):
        return [c for a in value.args for c in _path_constants(a)]
    return []


_DEV_CLASS = lazy(r"(Dev|Develop|Debug|Local|Test)", re.I)
_DEV_NAME = lazy(r"^(dev|develop|development|debug|local|testing)$", re.I)


class _Scan(Visitor):
    def __init__(self, rel: str) -> None:
        self.rel = rel
        self.out: dict[str, list[Site]] = {
            k: []
            for k in CodeFacts.__struct_fields__
            if k not in ("service_modules", "procfile", "training_modules", "training_seeded")
        }
        self.handler_depth = 0
        self.classes: list[str] = []
        self.aliases: dict[str, str] = {}
        """Local names of imported functions and modules -> the names they were imported under."""
        self.origins: dict[str, str] = {}
        """Names imported with `from X import name` -> X."""
        self.dependencies: set[str] = set()
        """Functions route handlers take as FastAPI dependencies (`Depends(load_model)`): they run on
        every request too."""
        self.views: list[bool] = []
        """For each enclosing class: is it a class-based view (Flask-RESTful Resource, MethodView)?"""
        self.outputs: set[int] = set()
        """Model-file literals the code writes, not reads (`save_model_path = "models/model.pkl"`,
        `joblib.dump(m, "model.pkl")`, a download's `filename=`): ids of their Constant nodes."""
        self.literals: dict[str, ast.expr] = {}
        """Names bound to a literal (`origins = ["*"]`), read where the name is passed on."""
        self.fields: dict[str, ast.expr] = {}
        """Class attributes with a literal default (`cors_origins: list[str] = ["*"]` in a settings
        class), for `settings.cors_origins` read in another module."""
        self.cors_settings: list[tuple[int, str, bool]] = []
        """CORS origins given as `<object>.<attr>`: line, attribute, credentials allowed."""
        # headers set by hand (after_request, middleware, response headers): origins seen, and whether
        # credentials are allowed anywhere in the module, which makes a wildcard origin critical
        self.cors_headers: list[tuple[ast.AST, ast.expr]] = []
        self.cors_credentials = False

    def add(self, key: str, node: ast.AST, detail: str = "") -> None:
        self.out[key].append(Site(self.rel, getattr(node, "lineno", 1), detail))

    def _is_handler(self, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        decorators = [dec.func if isinstance(dec, ast.Call) else dec for dec in fn.decorator_list]
        if any(_name(d) in ("lru_cache", "cache", "cached") for d in decorators):
            return False  # runs once per argument, not once per request
        if any(isinstance(d, ast.Attribute) and d.attr in _ROUTE_DECORATORS for d in decorators):
            return True
        # a class-based view's verbs (`class Predict(Resource): def post(self)`), and a dependency
        # FastAPI calls for each request
        return (
            bool(self.views) and self.views[-1] and fn.name in _VIEW_VERBS
        ) or fn.name in self.dependencies

    def _limiter_by_hand(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        """A limiter written for the service (`class RateLimitMiddleware`, `def throttle(...)`) that
        refuses with 429: named for what it does, and answering as a limiter does."""
        snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", node.name).lower()
        if _LIMITER_NAME.search(snake) and any(
            (isinstance(n, ast.Constant) and n.value == 429)
            or (isinstance(n, ast.Attribute | ast.Name) and _TOO_MANY.search(_name(n)))
            for n in walk(node)
        ):
            self.add("rate_limits", node, f"{node.name} (written by hand)")

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._limiter_by_hand(node)
        handler = self._is_handler(node)
        for dec in node.decorator_list:
            func = dec.func if isinstance(dec, ast.Call) else dec
            if _name(func) in ("errorhandler", "exception_handler", "register_error_handler"):
                self.add("error_handlers", node, node.name)
        if not node.name.startswith("_") or node.name == "__init__":
            doc = ast.get_docstring(node) is not None
            args = [
                a
                for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)
                if a.arg not in ("self", "cls")
            ]
            typed = node.returns is not None and all(a.annotation is not None for a in args)
            self.add("functions", node, " ".join(x for x, ok in (("doc", doc), ("typed", typed)) if ok))
        self.handler_depth += handler
        self.generic_visit(node)
        self.handler_depth -= handler

    visit_FunctionDef = _function
    visit_AsyncFunctionDef = _function

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.classes.append(node.name)
        self.views.append(any(_name(b) in _VIEW_BASES for b in node.bases))
        self._class(node)
        self.views.pop()
        self.classes.pop()

    def _class(self, node: ast.ClassDef) -> None:
        self._limiter_by_hand(node)
        if any(_name(b) == "BaseModel" for b in node.bases):
            fields = [
                s.target.id
                for s in node.body
                if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
            ]
            self.add("request_models", node, " ".join(fields))
        self.generic_visit(node)

    def _header(self, node: ast.AST, name: ast.expr | None, value: ast.expr | None) -> None:
        """A response header set by hand: `headers["Access-Control-Allow-Origin"] = "*"`, `.add(...)`,
        `.set(...)`, or a `{"Access-Control-Allow-Origin": ...}` literal."""
        if value is None or not isinstance(name, ast.Constant) or not isinstance(name.value, str):
            return
        header = name.value.lower()
        if header == "access-control-allow-origin":
            self.cors_headers.append((node, value))
        elif header == "access-control-allow-credentials":
            self.cors_credentials |= _is_true(value) or (
                isinstance(value, ast.Constant) and str(value.value).lower() == "true"
            )

    def finish(self) -> None:
        for node, value in self.cors_headers:
            literal = isinstance(value, ast.Constant)
            # anything but a literal origin or a configured list lets the caller pick: `request.headers
            # ["Origin"]` echoed back is a wildcard that also works with credentials
            echoed = (
                not literal and "origin" in ast.unparse(value).lower() and "request" in ast.unparse(value)
            )
            wildcard = (literal and value.value == "*") or echoed  # type: ignore[attr-defined]
            detail = (
                ("wildcard+credentials" if self.cors_credentials else "wildcard")
                if wildcard
                else "restricted"
            )
            self.add("cors", node, detail)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module == "loguru" and any(a.name == "logger" for a in node.names):
            self.add("logging_setup", node, "loguru's default sink")
        # `from logging import basicConfig as setup_logging`: calls are read under the imported name
        self.aliases.update({a.asname: a.name for a in node.names if a.asname})
        self.origins.update({a.asname or a.name: node.module or "." for a in node.names})

    def visit_Import(self, node: ast.Import) -> None:
        # `import torch as th`: `th.load` is torch.load
        self.aliases.update({a.asname: a.name.rsplit(".", 1)[-1] for a in node.names if a.asname})

    def _output(self, name: str | None, value: ast.expr | None) -> None:
        if name and value is not None and _OUTPUT_NAME.search(name):
            self.outputs.update(id(c) for c in _path_constants(value))

    def visit_Dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values, strict=True):
            self._header(node, key, value)
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                self._output(key.value, value)
        self.generic_visit(node)

    def _literal(self, target: ast.expr, value: ast.expr | None) -> None:
        if isinstance(target, ast.Name) and isinstance(value, ast.List | ast.Tuple | ast.Set | ast.Constant):
            (self.fields if self.classes else self.literals)[target.id] = value

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._output(_name(node.target), node.value)
        self._literal(node.target, node.value)
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        for t in node.targets:
            self._output(_name(t), node.value)
            self._literal(t, node.value)
        value = node.value
        if isinstance(value, ast.Call) and _name(value.func) == "cast" and len(value.args) == 2:
            value = value.args[1]  # typing.cast(T, x) is x
        if (
            isinstance(value, ast.Call)
            and _name(value.func) == "import_module"
            and value.args
            and isinstance(module := value.args[0], ast.Constant)
            and isinstance(module.value, str)
        ):
            # a module imported lazily into a variable or attribute (`self._torch = importlib.
            # import_module("torch")`): `self._torch.load(...)` is torch.load
            for t in node.targets:
                self.aliases[_name(t)] = module.value.rsplit(".", 1)[-1]
        for t in node.targets:
            if isinstance(t, ast.Subscript):
                self._header(node, t.slice, node.value)
            key = t.slice if isinstance(t, ast.Subscript) else None
            name = (
                _name(t)
                if not isinstance(t, ast.Subscript)
                else (key.value if isinstance(key, ast.Constant) else "")
            )
            if name == "MAX_CONTENT_LENGTH":
                self.add("upload_limits", node, "MAX_CONTENT_LENGTH")
            if (
                name in ("DEBUG", "debug")
                and _is_true(node.value)
                and (isinstance(t, ast.Subscript) or _owner(t) in ("app", "config") or name == "DEBUG")
            ):
                dev = next((c for c in reversed(self.classes) if _DEV_CLASS.search(c)), None)
                if dev is not None:  # chosen only when that configuration is
                    self.add("debug_dev", node, f"{name} = True in {dev}")
                else:
                    self.add("debug", node, f"{name} = True")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        fname, owner = _name(node.func), _owner(node.func)
        if isinstance(node.func, ast.Name):
            fname = self.aliases.get(fname, fname)
        owner = self.aliases.get(owner, owner)
        for k in node.keywords:
            self._output(k.arg, k.value)
        if fname in ("FastAPI", "Starlette") and _is_true(_kw(node, "debug")):
            # debug=True makes every unhandled error answer with its traceback (and the same call may
            # register exception handlers, read further down)
            self.add("debug", node, f"{fname}(debug=True)")
        if fname in _WRITES_MODEL:
            # joblib.dump(model, path) / torch.save(obj, path); model.save(path)
            serializer = owner in ("joblib", "pickle", "torch", "dill", "cloudpickle")
            for a in node.args[1:] if serializer else node.args:
                self._output("save", a)
        elif fname.endswith("Response") or fname == "send_file":
            self._output("save", _kw(node, "filename") or _kw(node, "download_name"))
        if (
            fname in ("getenv", "get") and (owner in ("os", "environ") or fname == "getenv")
        ) or fname == "add_argument":
            # the environment's default, or a command-line option's (`--mode`, default "development")
            default = (
                _kw(node, "default")
                if fname == "add_argument"
                else node.args[1]
                if len(node.args) > 1
                else _kw(node, "default")
            )
            value = default.value if isinstance(default, ast.Constant) else None
            if isinstance(value, str) and _DEV_NAME.match(value):
                self.add("dev_default", node, value)
        if (
            fname in ("seed", "manual_seed", "set_seed", "seed_everything", "set_random_seed")
            or (fname == "default_rng" and node.args)
            or any(
                k.arg in ("random_state", "seed") and isinstance(k.value, ast.Constant) for k in node.keywords
            )
        ):
            self.add("seeded", node, fname)
        if fname in _LOG_METHODS and "log" in owner.lower():
            positional = node.args[1:] if fname == "log" else node.args
            keywords = [k.value for k in node.keywords if k.arg not in ("exc_info", "stack_info", "extra")]
            for arg in [*positional, *keywords]:
                if isinstance(arg, ast.Constant):
                    continue  # the message template itself; values come as arguments
                if (m := _SENSITIVE_ARG.search(ast.unparse(arg))) is not None:
                    self.add("logged_secrets", node, m.group(0))
                    break
        log_config = _kw(node, "log_config") if (owner, fname) == ("uvicorn", "run") else None
        if log_config is not None and not (isinstance(log_config, ast.Constant) and log_config.value is None):
            self.add("logging_setup", node, "uvicorn.run(log_config=...)")  # None would switch logging off
        if fname == "print" and isinstance(node.func, ast.Name):
            self.add("prints", node)
        elif (
            fname in ("basicConfig", "dictConfig", "fileConfig")
            or (fname == "configure" and owner == "structlog")
            or (fname == "add" and owner == "logger")
        ):
            self.add("logging_setup", node, fname)
            if fname == "basicConfig" and _kw(node, "filename") is not None:
                self.add("file_logging", node, "basicConfig(filename=)")
        elif fname in ("RotatingFileHandler", "TimedRotatingFileHandler", "WatchedFileHandler"):
            self.add("rotating_logging", node, fname)
            self.add("logging_setup", node, fname)
        elif fname == "FileHandler":
            self.add("file_logging", node, "FileHandler")
            self.add("logging_setup", node, fname)
        elif fname == "addHandler":
            self.add("logging_setup", node, fname)
        elif fname == "setLevel":
            self.add("logging_levels", node, fname)

        elif fname in ("add", "set", "setdefault", "add_header", "__setitem__") and len(node.args) >= 2:
            self._header(node, node.args[0], node.args[1])
        elif fname == "add_middleware" and node.args and _name(node.args[0]) == "CORSMiddleware":
            self._cors(node, _kw(node, "allow_origins"), _kw(node, "allow_credentials"))
        elif fname == "CORS" and isinstance(node.func, ast.Name | ast.Attribute):
            origins = _kw(node, "origins") or _kw(node, "resources")
            self._cors(
                node, origins if origins is not None else ast.Constant("*"), _kw(node, "supports_credentials")
            )
        elif fname in ("Limiter", "RateLimiter", "FastAPILimiter") or (
            fname == "limit" and owner in ("limiter", "Limiter")
        ):
            # a Limiter given the app (Flask-Limiter) applies its default limits; a bare one applies
            # nothing until a route, a middleware or init_app uses it
            bound = fname == "Limiter" and (_kw(node, "app") is not None or len(node.args) >= 2)
            self.add("rate_limits", node, "Limiter(app)" if bound else fname)
        elif fname == "add_middleware" and node.args and _name(node.args[0]) in _LIMIT_MIDDLEWARE:
            self.add("rate_limits", node, str(_name(node.args[0])))
        elif fname == "init_app" and owner is not None and "limiter" in owner.lower():
            self.add("rate_limits", node, "init_app")
        elif fname == "run" and (
            _is_true(_kw(node, "debug")) or (owner == "uvicorn" and _is_true(_kw(node, "reload")))
        ):
            self.add("debug", node, f"{owner}.run({'reload' if owner == 'uvicorn' else 'debug'}=True)")
        elif fname == "Config" and owner in ("uvicorn", "") and _is_true(_kw(node, "reload")):
            # `uvicorn.Server(uvicorn.Config(app, reload=True)).run()`: the same reloader by another door
            self.add("debug", node, "uvicorn.Config(reload=True)")
        elif (owner, fname) in _MODEL_LOADERS or (
            fname in _KERAS
            and (
                owner in ("keras", "models", "saving")
                or _GBM_RECEIVER.search(owner)
                or (isinstance(node.func, ast.Name) and "keras" in self.origins.get(fname, "keras"))
            )
        ):
            # keras' load_model, or a booster's (`model.load_model(path)`: XGBoost, CatBoost, LightGBM);
            # not any object's `.load_model(...)` (a registry or cache of the app's own)
            self.add("model_loads", node, "handler" if self.handler_depth else "startup")
            if (owner, fname) == ("torch", "load"):
                wo = _kw(node, "weights_only")
                state = (
                    "default"
                    if wo is None
                    else "safe"
                    if _is_true(wo)
                    else "unsafe"
                    if isinstance(wo, ast.Constant)
                    else "unknown"
                )
                self.add("torch_loads", node, state)
        elif fname in ("execute", "executemany", "executescript", "raw", "text") and node.args:
            if self._built(node.args[0]):
                self.add("sql_built", node, fname)
            if fname.startswith("execute") or self._built(node.args[0]) or _looks_like_sql(node.args[0]):
                self.add("sql_calls", node, fname)
        elif fname in (
            "make_asgi_app",
            "make_wsgi_app",
            "start_http_server",
            "PrometheusMetrics",
            "Instrumentator",
            "generate_latest",
            "metrics",
        ):
            if fname != "metrics" or owner in ("PrometheusMetrics",):
                self.add("metrics", node, fname)
        elif fname == "add_exception_handler" or (fname == "register_error_handler"):
            self.add("error_handlers", node, fname)
        elif fname in ("FastAPI", "Starlette") and _kw(node, "exception_handlers") is not None:
            self.add("error_handlers", node, f"{fname}(exception_handlers=...)")
        if fname in _METRIC_KINDS and (
            owner == "prometheus_client"
            or (
                isinstance(node.func, ast.Name)
                and self.origins.get(node.func.id, "").startswith("prometheus_client")
            )
        ):
            self.add("metric_defs", node, _metric_detail(fname, node))
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr == "files" and _name(node.value) == "request":
            self.add("uploads", node, "request.files")
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        value = node.value
        if (
            isinstance(value, str)
            and len(value) < 300
            and value.lower().endswith(_MODEL_FILE_SUFFIXES)
            and id(node) not in self.outputs
        ):
            name = value.rsplit("/", 1)[-1]
            # a suffix alone (f"{model_id}.onnx", endswith(".pkl")) or a glob names no file
            if not name.startswith(".") and not any(c in value for c in "*?["):
                self.add("model_paths", node, value)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id == "UploadFile":
            self.add("uploads", node, "UploadFile")
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        text = ast.unparse(node)
        # a middleware that answers the scrape itself: `if request.url.path == "/metrics": ...`
        sides = [node.left, *node.comparators]
        if "path" in text and any(
            isinstance(x, ast.Constant)
            and isinstance(x.value, str)
            and x.value.rstrip("/").endswith("/metrics")
            for x in sides
        ):
            self.add("metrics", node, "serves /metrics by path")
        if re.search(r"(content_length|\.size|len\(\s*(contents?|data|file|body|payload)\w*\s*\))", text):
            self.add("upload_limits", node, "size check")
        self.generic_visit(node)

    def _cors(self, node: ast.Call, origins: ast.expr | None, credentials: ast.expr | None) -> None:
        if isinstance(origins, ast.Name) and origins.id in self.literals:
            origins = self.literals[origins.id]  # `origins = ["*"]`, then `allow_origins=origins`
        elif isinstance(origins, ast.Attribute):
            # `allow_origins=settings.cors_origins`: decided by the settings class's default, which may
            # live in another module (collect_code resolves it)
            self.cors_settings.append((node.lineno, origins.attr, _is_true(credentials)))
            return
        self.add("cors", node, _cors_detail(origins, _is_true(credentials)))

    def _built(self, arg: ast.expr) -> bool:
        """SQL text assembled from values: an f-string with substitutions, % formatting, .format(), +."""
        if isinstance(arg, ast.JoinedStr):
            return any(isinstance(v, ast.FormattedValue) for v in arg.values)
        if isinstance(arg, ast.BinOp) and isinstance(arg.op, ast.Mod | ast.Add):
            return any(
                isinstance(s, ast.Constant) and isinstance(s.value, str) for s in (arg.left, arg.right)
            ) or isinstance(arg.left, ast.JoinedStr)
        if isinstance(arg, ast.Call) and _name(arg.func) == "format" and isinstance(arg.func, ast.Attribute):
            return isinstance(arg.func.value, ast.Constant)
        return False


def _cors_detail(origins: ast.expr | None, credentials: bool) -> str:
    wildcard = (origins is not None and "'*'" in ast.unparse(origins)) or (
        isinstance(origins, ast.Constant) and origins.value == "*"
    )
    return ("wildcard+credentials" if credentials else "wildcard") if wildcard else "restricted"


_DJANGO_ALL_ORIGINS = frozenset({"CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL"})
_DJANGO_ORIGIN_LISTS = frozenset(
    {"CORS_ALLOWED_ORIGINS", "CORS_ORIGIN_WHITELIST", "CORS_ALLOWED_ORIGIN_REGEXES"}
)


def _django_cors(snap: Snapshot, settings: list[str]) -> list[Site]:
    """django-cors-headers, configured in the settings modules of a project that installs it: every
    origin allowed (`CORS_ALLOW_ALL_ORIGINS = True`, its older name `CORS_ORIGIN_ALLOW_ALL`, or a
    regex that matches anything), with credentials when `CORS_ALLOW_CREDENTIALS = True` is set beside
    it; or the origins listed, literally or from the environment. Every origin allowed by a value
    computed at run time (`CORS_ALLOW_ALL_ORIGINS = DEBUG`) is not judged here."""
    if not any("corsheaders" in (snap.text(rel) or "") for rel in settings):
        return []  # the settings alone configure nothing without the app and its middleware
    found: list[Site] = []
    for rel in settings:
        tree = snap.python(rel)
        if not isinstance(tree, ast.Module) or "CORS_" not in (snap.text(rel) or ""):
            continue
        assigned: dict[str, tuple[int, ast.expr]] = {}
        for node in tree.body:
            if not isinstance(node, ast.Assign):
                continue
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id.startswith("CORS_"):
                    assigned[target.id] = (node.lineno, node.value)
        credentials = "CORS_ALLOW_CREDENTIALS" in assigned and _is_true(assigned["CORS_ALLOW_CREDENTIALS"][1])
        for name, (line, value) in sorted(assigned.items(), key=lambda item: item[1][0]):
            if name in _DJANGO_ALL_ORIGINS and _is_true(value):
                found.append(Site(rel, line, "wildcard+credentials" if credentials else "wildcard"))
            elif name in _DJANGO_ORIGIN_LISTS:  # a literal list, or one read from the environment
                anything = (
                    name.endswith("REGEXES")
                    and isinstance(value, ast.List | ast.Tuple)
                    and any(
                        isinstance(e, ast.Constant) and e.value in (".*", "^.*$", "^.*", ".+", "^.+$")
                        for e in value.elts
                    )
                )
                found.append(
                    Site(
                        rel,
                        line,
                        ("wildcard+credentials" if credentials else "wildcard") if anything else "restricted",
                    )
                )
    return found


def _django_debug(snap: Snapshot, settings: list[str]) -> list[Site]:
    """`DEBUG = True` at the top of a Django settings module that serves no route (those that do are
    read with the service code). A development module (`settings/local.py`, `dev.py`, `testing.py`)
    is chosen only where it is run, and a module another settings module overrides is not what
    production runs: `DEBUG = True` in `base.py` beside `DEBUG = False` (or a value from the
    environment) in `production.py` is not reported."""
    trues: list[Site] = []
    overridden = False
    for rel in settings:
        stem = rel.rsplit("/", 1)[-1].removesuffix(".py")
        if _DEV_NAME.search(stem) or stem in ("test", "tests", "ci") or "DEBUG" not in (snap.text(rel) or ""):
            continue
        tree = snap.python(rel)
        if not isinstance(tree, ast.Module):
            continue
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "DEBUG" for t in node.targets
            ):
                if _is_true(node.value):
                    trues.append(Site(rel, node.lineno, "DEBUG = True"))
                else:
                    overridden = True
    return [] if overridden else trues


def _dependencies(tree: ast.Module) -> set[str]:
    """Names given to `Depends(...)` in the module (a handler's parameter default, or a router's
    `dependencies=[...]`): FastAPI calls them on every request."""
    return {
        _name(node.args[0])
        for node in walk(tree)
        if isinstance(node, ast.Call) and _name(node.func) == "Depends" and node.args
    } - {""}


def _todos(rel: str, text: str) -> list[Site]:
    found: list[Site] = []
    if not any(word in text for word in ("TODO", "FIXME", "XXX", "HACK")):
        return found  # the tokenizer is slow; most files have nothing for it to find
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT and _TODO.search(tok.string):
                found.append(Site(rel, tok.start[0], _TODO.search(tok.string).group(1)))  # type: ignore[union-attr]
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return found
    return found


# uvicorn --log-config, gunicorn --log-config / --log-config-dict / --log-config-json, and gunicorn's
# configuration file settings (logconfig, logconfig_dict, logconfig_json)
_SERVER_LOG_CONFIG = lazy(r"--log-config(?:-dict|-json)?\b|^\s*logconfig(?:_dict|_json)?\s*=")


def _runs_servers(rel: str) -> bool:
    """Files that start or configure the server: Dockerfiles, compose files, Procfiles, shell scripts,
    Makefiles and gunicorn configuration files."""
    name = rel.rsplit("/", 1)[-1]
    return (
        is_dockerfile(rel)
        or name in ("Procfile", "Makefile", "gunicorn.conf.py", "gunicorn_conf.py")
        or name.startswith(("docker-compose", "compose."))
        or name.endswith(".sh")
        or (name.startswith("gunicorn") and name.endswith(".py"))
    )


_AT_RUN_TIME = ("prints",)
_METRIC_KINDS = frozenset({"Counter", "Gauge", "Histogram", "Summary"})


def _metric_detail(kind: str, call: ast.Call) -> str:
    """'Kind name label,label': the name as written (a constant, else '?'), the label names given."""
    name = _kw(call, "name") or (call.args[0] if call.args else None)
    labels = _kw(call, "labelnames") or (call.args[2] if len(call.args) > 2 else None)
    text = name.value if isinstance(name, ast.Constant) and isinstance(name.value, str) else "?"
    names = []
    if isinstance(labels, ast.List | ast.Tuple):
        names = [e.value for e in labels.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return " ".join([kind, text.replace(" ", "_")[:200], ",".join(names)[:200]]).rstrip()


"""Hygiene facts judged only where the code can run in the service. Security facts (SQL built from
input, unsafe torch.load, secrets logged) stay judged everywhere in service code: code that looks dead
may still be reached through getattr or a string, and missing one of those fails open."""


def _unreachable(
    snap: Snapshot, modules: list[str], app_modules: list[str]
) -> dict[str, list[tuple[int, int]]]:
    """Line spans of the service modules' functions that no runnable code refers to."""
    trees = {rel: t for rel in modules if isinstance(t := snap.python(rel), ast.Module)}
    names = ModuleNames({_module_of(r): r for r in snap.with_suffix(".py") if not is_test_path(r)})
    entries = set(app_modules) | (set(modules) - _imported_by_others(trees, names))
    return unreachable_spans(trees, names, entries)


def _imported_by_others(trees: dict[str, ast.Module], names: ModuleNames) -> set[str]:
    """Service modules some other service module imports (so they are libraries, not programs)."""
    found: set[str] = set()
    for rel, tree in trees.items():
        for node in _import_statements(tree.body):
            if isinstance(node, ast.Import):
                wanted = [a.name for a in node.names]
            else:
                base = node.module or ""
                wanted = [base, *(f"{base}.{a.name}" if base else a.name for a in node.names)]
            found.update(t for w in wanted if w and (t := names.find(w)) and t != rel)
    return found


def collect_code(snap: Snapshot, app_modules: list[str]) -> CodeFacts:
    modules = service_modules(snap, app_modules)
    collected: dict[str, list[Site]] = {
        k: [] for k in CodeFacts.__struct_fields__ if k not in ("service_modules", "training_modules")
    }
    for rel in snap.files:
        if _runs_servers(rel) and (text := snap.text(rel)) and ("log-config" in text or "logconfig" in text):
            for i, line in enumerate(text.splitlines(), 1):
                if m := _SERVER_LOG_CONFIG.search(line):
                    collected["logging_setup"].append(Site(rel, i, m.group(0).strip(" =")))
    for rel in snap.named("Procfile"):
        for i, line in enumerate((snap.text(rel) or "").splitlines(), 1):
            if ":" in line and not line.lstrip().startswith("#"):
                collected["procfile"].append(Site(rel, i, line.split(":", 1)[1].strip()))
    fields: dict[str, ast.expr] = {}
    cors_settings: list[tuple[str, int, str, bool]] = []
    for rel in modules:
        tree = snap.python(rel)
        if not isinstance(tree, ast.Module):
            continue
        scan = _Scan(rel)
        if "Depends(" in (snap.text(rel) or ""):
            scan.dependencies = _dependencies(tree)
        scan.visit(tree)
        scan.finish()
        for key, sites in scan.out.items():
            collected[key].extend(sites)
        collected["todos"].extend(_todos(rel, snap.text(rel) or ""))
        fields.update(scan.fields)
        cors_settings.extend((rel, *setting) for setting in scan.cors_settings)
    for path, number, attr, credentials in cors_settings:
        collected["cors"].append(Site(path, number, _cors_detail(fields.get(attr), credentials)))
    training: list[str] = []
    serving = set(modules)  # a list's `in` made this loop quadratic: 3.6 s at 25,000 modules
    # Django's settings modules serve no route; those that do were read with the service code above
    settings = django_settings(snap.files)
    collected["cors"].extend(_django_cors(snap, settings))
    collected["debug"].extend(_django_debug(snap, [rel for rel in settings if rel not in serving]))
    for rel in snap.with_suffix(".py"):
        if rel in serving or is_test_path(rel):
            continue
        text = snap.text(rel) or ""
        if re.search(r"(^|/)(train|training)", rel) or (
            ".fit(" in text and re.search(r"\b(dump|save|save_model)\(", text)
        ):
            tree = snap.python(rel)
            if isinstance(tree, ast.Module):
                training.append(rel)
                scan = _Scan(rel)
                scan.visit(tree)
                collected["training_seeded"].extend(scan.out["seeded"])
                collected["metric_defs"].extend(scan.out["metric_defs"])
    # what a service does at run time is judged only where it can run (not a train() beside predict())
    at_run_time = [k for k in _AT_RUN_TIME if collected[k]]
    if at_run_time:
        spans = _unreachable(snap, modules, app_modules)
        for key in at_run_time:
            collected[key] = [
                s for s in collected[key] if not any(a <= s.line <= b for a, b in spans.get(s.path, ()))
            ]
    return CodeFacts(
        service_modules=tuple(modules),
        training_modules=tuple(training),
        **{k: tuple(v) for k, v in collected.items()},
    )
