"""HTTP routes a Python service serves, from its AST: Flask, FastAPI/Starlette and Django URL patterns.

Prefixes are followed the way the frameworks compose them: Flask blueprints (`url_prefix` on the
Blueprint and on `register_blueprint`, which wins), FastAPI routers (`APIRouter(prefix=)` plus
`include_router(prefix=)`), mounted sub-applications (`app.mount`), across modules through imports.
A router that no visible code includes still counts, with its own prefix: an include prodgate cannot
see (a loop, a plugin registry) must not turn into a false "no health route".
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from typing import Any

from msgspec import Struct, field
from msgspec.structs import replace

from gate.facts.python import ROUTE_HINTS, imported_from, is_test_path
from gate.facts.walk import walk
from gate.lazyre import lazy
from gate.snapshot import Snapshot

_APP_CLASSES = {"Flask": "flask", "FastAPI": "fastapi", "Starlette": "starlette", "Quart": "flask"}
_ROUTER_CLASSES = {"Blueprint": "flask", "APIRouter": "fastapi"}
_VERBS = {"route", "get", "post", "put", "patch", "delete", "head", "options", "api_route", "websocket"}
_AUTH_WORD = lazy(
    r"(?:^|_)(auth\w*|api_?key|token|login\w*|verif\w*|bearer|oauth2?|jwt|credentials?|current_user"
    r"|require_\w+|permissions?|has_role|check_role\w*)(?:_|$)"
)


def _auth_named(name: str) -> bool:
    """A name that says it authenticates (`verify_token`, `requireApiKey`, `login_required`), read
    word by word: `parse_tokens` or `tokenize` mention tokens without checking any."""
    last = name.rsplit(".", 1)[-1]
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", last).lower()
    return bool(_AUTH_WORD.search(snake))


_AUTH_CLASSES = {
    "APIKeyHeader", "APIKeyQuery", "APIKeyCookie", "HTTPBearer", "HTTPBasic", "HTTPDigest", "OAuth2PasswordBearer",
    "OAuth2AuthorizationCodeBearer", "OpenIdConnect", "HTTPTokenAuth", "HTTPBasicAuth", "MultiAuth",
}  # fmt: skip
_CHECKS_CREDENTIALS = lazy(r"(headers|authorization|api_key|x-api-key|token)", re.I)
_REJECTS = lazy(r"(abort|401|403|Unauthorized|Forbidden|HTTPException)")
_DECORATED_ROUTE = lazy(r"@\w+(?:\.\w+)*\.(?:route|get|post|put|patch|delete|api_route)\(")
_REFUSES = lazy(r"(\b401\b|\b403\b|UNAUTHORIZED|FORBIDDEN|Unauthorized|Forbidden)")
"""A refusal of credentials specifically (a 404 or 422 is not authentication)."""


class Route(Struct, frozen=True):
    path: str
    """The full path, prefixes included."""
    methods: tuple[str, ...]
    module: str
    line: int
    framework: str
    protected: bool = False
    """Credentials are required: an auth dependency, decorator, hook or middleware covers it."""
    runs_model: bool = False
    """The handler calls or loads a model (`model.predict(...)`, `joblib.load`, `torch.load`, a
    function named predict/infer/classify): sensitive whatever its path says."""


class _Guard(Struct, frozen=True):
    """Whether something requires credentials, decided once every module is read: `always` (a
    Security(), an authenticating decorator, a credential-checking hook or middleware), or any of
    `names` (what its Depends() and dependency lists name) being one of the authenticating names of the
    module `rel` (its schemes, the repository's authenticators, its variables holding an auth
    dependency). Deciding by names after the one pass over the modules is what lets routes and
    authenticators share it: they were two passes, and on a repository of more modules than the tree
    cache holds, the second parsed every module again."""

    always: bool = False
    names: frozenset[str] = frozenset()
    rel: str = ""

    def __or__(self, other: _Guard) -> _Guard:
        """Either one (both read in the same module)."""
        if self.always or other.always:
            return ALWAYS
        if not other.names:
            return self
        if not self.names:
            return other
        return _Guard(False, self.names | other.names, self.rel)


ALWAYS = _Guard(always=True)
NEVER = _Guard()

_Route = tuple[str, tuple[str, ...], int, _Guard, str]
"""(path, methods, line, protected, module) as read, before the authenticating names are known."""


class _Obj(Struct):
    module: str
    name: str
    kind: str  # "app" or "router"
    framework: str
    prefix: str
    line: int
    routes: list[_Route] = field(default_factory=list)
    """A route may be declared in another module than its app (`from service import app` then
    `@app.route` in views.py)."""
    children: list[tuple[tuple[str, str], str, _Guard]] = field(
        default_factory=list
    )  # (child, prefix, protected)
    protected: _Guard = NEVER
    """Every route under it requires credentials (app/router dependencies, before_request, middleware)."""


class RouteFacts(Struct, frozen=True):
    apps: tuple[tuple[str, int, str], ...]
    """(module, line, framework) of every application object."""
    routes: tuple[Route, ...]
    served_docs: tuple[tuple[str, int], ...] = ()
    """FastAPI applications that serve their OpenAPI docs (/docs, /redoc), by module and line."""

    def serves(self, path: str) -> Route | None:
        """The route that serves `path` (query stripped; {param} and <param> segments match anything)."""
        wanted = [s for s in path.split("?", 1)[0].strip().split("/") if s]
        for route in self.routes:
            parts = [s for s in route.path.split("/") if s]
            if len(parts) == len(wanted) and all(
                p == w or p.startswith(("{", "<")) for p, w in zip(parts, wanted, strict=True)
            ):
                return route
        return None


def _str(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _kw(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _callee(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def _module_name(rel: str) -> str:
    return rel[:-3].replace("/", ".").removesuffix(".__init__")


def collect_routes(snap: Snapshot) -> RouteFacts:
    objs: dict[tuple[str, str], _Obj] = {}
    pending: list[
        tuple[str, dict[str, str], str, str, str, _Guard]
    ] = []  # module, imports, owner, child, prefix, guarded
    elsewhere: list[tuple[str, dict[str, str], str, _Route]] = []
    django: list[Route] = []
    served_docs: list[tuple[str, int]] = []
    modules = {_module_name(rel): rel for rel in snap.with_suffix(".py") if not is_test_path(rel)}
    authenticators = _Authenticators()
    # each module's own authenticating names (schemes), and its variables that hold a dependency
    # (`admin_access = Depends(require_roles("admin"))`), decided once the authenticators are known
    schemes: dict[str, set[str]] = {}
    held: dict[str, list[tuple[list[str], _Guard]]] = {}
    constants = _PerModule(snap, _module_constants)
    index = _ModuleIndex(modules)
    # what a module's own imports bind (`from .health import router as health_router`)
    reexports = _PerModule(snap, _imports)
    resources: dict[str, ast.ClassDef | None] = {}
    model_lines: set[tuple[str, int]] = set()
    for rel in modules.values():
        text = snap.text(rel) or ""
        authenticates = any(k in text for k in _AUTH_TEXT)
        # neither an app nor routes on an app imported from elsewhere
        serves = any(k in text for k in ROUTE_HINTS) or bool(_DECORATED_ROUTE.search(text))
        if not (authenticates or serves):
            continue
        tree = snap.python(rel)
        if not isinstance(tree, ast.Module):
            continue
        # one walk of the tree, sorted by node type: walking is as costly as parsing
        nodes = list(walk(tree))
        if authenticates:
            authenticators.read(nodes, text)
        if not serves:
            continue
        imports = _imports(tree, rel)
        restful = "flask_rest" in text  # flask_restful, flask_restx, flask_restplus

        def text_of(expr: ast.expr | None, rel: str = rel, imports: dict[str, str] = imports) -> str | None:
            return _constant_text(expr, rel, imports, index, constants)

        if "Route(" in text:
            django.extend(_starlette(rel, tree))
        # `app: FastAPI = FastAPI()` creates an app as surely as `app = FastAPI()` does
        assigns = [n for n in nodes if isinstance(n, ast.Assign)] + [
            ast.Assign(targets=[n.target], value=n.value, lineno=n.lineno)
            for n in nodes
            if isinstance(n, ast.AnnAssign) and n.value is not None and isinstance(n.target, ast.Name)
        ]
        schemes[rel] = _auth_vars(assigns)
        # `admin_access = Depends(require_roles("admin"))`, then `dependencies=[admin_access]`
        held[rel] = [
            ([t.id for t in a.targets if isinstance(t, ast.Name)], _dependency(a.value, rel))
            for a in assigns
            if isinstance(a.value, ast.Call)
        ]
        for assign in assigns:
            if any(isinstance(t, ast.Name) and t.id == "urlpatterns" for t in assign.targets):
                django.extend(_django(rel, assign.value))
            if not isinstance(assign.value, ast.Call):
                continue
            cls = _callee(assign.value.func)
            for node_target in assign.targets:
                # `self.app = Flask(name)` in a class that wraps the framework: its routes are
                # declared as `@self.app.route(...)` in the same module
                target = _self_attribute(node_target) if cls in _APP_CLASSES else node_target
                if not isinstance(target, ast.Name):
                    continue
                guarded = _dependency(_kw(assign.value, "dependencies"), rel)
                if cls == "FastAPI" and not _docs_disabled(assign.value):
                    served_docs.append((rel, assign.lineno))
                if cls in _APP_CLASSES:
                    objs[(rel, target.id)] = _Obj(
                        rel, target.id, "app", _APP_CLASSES[cls], "", assign.lineno, protected=guarded
                    )
                elif cls in _RESTFUL and restful:
                    _restful_object(rel, target.id, cls, assign, objs, text_of)
                elif cls in _ROUTER_CLASSES:
                    prefix = (
                        text_of(_kw(assign.value, "url_prefix" if cls == "Blueprint" else "prefix")) or ""
                    )
                    objs[(rel, target.id)] = _Obj(
                        rel,
                        target.id,
                        "router",
                        _ROUTER_CLASSES[cls],
                        prefix,
                        assign.lineno,
                        protected=guarded,
                    )
        classes = {n.name: n for n in nodes if isinstance(n, ast.ClassDef)} if restful else {}
        functions = {n.name: n for n in nodes if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
        _parameter_apps(rel, functions.values(), objs)
        for node in nodes:
            if isinstance(node, ast.ClassDef) and restful:
                # Flask-RESTX: `@ns.route("/results")` on a Resource class; its methods are the verbs
                for dec in node.decorator_list:
                    if (
                        isinstance(dec, ast.Call)
                        and isinstance(dec.func, ast.Attribute)
                        and dec.func.attr == "route"
                    ):
                        owner = _dotted(dec.func.value)
                        path = _str(dec.args[0]) if dec.args else None
                        if not owner or path is None:
                            continue
                        route = _resource_route(rel, path, dec.lineno, node, model_lines)
                        if (rel, owner) not in objs and owner.split(".")[0] in imports:
                            elsewhere.append((rel, imports, owner, route))
                            continue
                        if (rel, owner) not in objs:
                            # a namespace reached through an alias (`ns = Models.api`): its prefix is
                            # unknown, its routes are not
                            objs[(rel, owner)] = _Obj(rel, owner, "router", "flask", "", dec.lineno)
                        objs[(rel, owner)].routes.append(route)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for dec in node.decorator_list:
                    if (
                        isinstance(dec, ast.Call)
                        and isinstance(dec.func, ast.Attribute)
                        and dec.func.attr in _VERBS
                    ):
                        owner = _dotted(dec.func.value)
                        path = (
                            _str(dec.args[0])
                            if dec.args
                            else _str(_kw(dec, "path")) or _str(_kw(dec, "rule"))
                        )
                        if owner and path is not None:
                            verb = dec.func.attr
                            methods = _methods(dec) if verb in ("route", "api_route") else (verb.upper(),)
                            protected = _handler_protected(node, dec, rel)
                            route = (path, methods, dec.lineno, protected, rel)
                            if _runs_model(node):
                                model_lines.add((rel, dec.lineno))
                            if (rel, owner) in objs:
                                objs[(rel, owner)].routes.append(route)
                            elif owner in imports:
                                elsewhere.append((rel, imports, owner, route))
                guarded_owner = _guard(node)
                if guarded_owner and (rel, guarded_owner) in objs:
                    objs[(rel, guarded_owner)].protected = ALWAYS
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = _dotted(node.func.value)
                if owner is None or (rel, owner) not in objs:
                    continue
                attr = node.func.attr
                if attr == "add_resource" and restful and len(node.args) >= 2:
                    # Flask-RESTful: api.add_resource(Resource, "/a", "/b"); the class may live elsewhere
                    resource = _resource_class(_dotted(node.args[0]) or "", classes, snap, modules, resources)
                    for arg in node.args[1:]:
                        if (path := text_of(arg)) is not None:
                            route = _resource_route(rel, path, node.lineno, resource, model_lines)
                            objs[(rel, owner)].routes.append(route)
                    continue
                if attr == "add_namespace" and restful and node.args:
                    child = _dotted(node.args[0])
                    path = text_of(_kw(node, "path")) or (
                        text_of(node.args[1]) if len(node.args) > 1 else None
                    )
                    if child and (rel, child) in objs:
                        objs[(rel, owner)].children.append(
                            ((rel, child), path or objs[(rel, child)].prefix, NEVER)
                        )
                    elif child:
                        pending.append((rel, imports, owner, child, path or "", NEVER))
                    continue
                if attr == "add_url_rule" and node.args and (path := _str(node.args[0])) is not None:
                    objs[(rel, owner)].routes.append((path, _methods(node), node.lineno, NEVER, rel))
                elif attr == "add_api_route" and (
                    path := text_of(node.args[0] if node.args else _kw(node, "path"))
                ):
                    # FastAPI's imperative form: add_api_route(path, endpoint, methods=[...], dependencies=[...])
                    endpoint = node.args[1] if len(node.args) > 1 else _kw(node, "endpoint")
                    handler = functions.get(_dotted(endpoint) or "") if endpoint is not None else None
                    guarded = _dependency(_kw(node, "dependencies"), rel)
                    if handler is not None:
                        guarded |= _handler_protected(handler, node, rel)
                    if handler is not None and _runs_model(handler):
                        model_lines.add((rel, node.lineno))
                    objs[(rel, owner)].routes.append((path, _methods(node), node.lineno, guarded, rel))
                elif attr in ("include_router", "register_blueprint", "mount") and node.args:
                    mounted: ast.expr | None
                    if attr == "mount":
                        prefix = _str(node.args[0]) or ""
                        mounted = node.args[1] if len(node.args) > 1 else _kw(node, "app")
                    else:
                        mounted = node.args[0]
                        prefix = (
                            text_of(_kw(node, "prefix" if attr == "include_router" else "url_prefix")) or ""
                        )
                    child = _dotted(mounted) if mounted is not None else None
                    if child:
                        guarded = _dependency(_kw(node, "dependencies"), rel)
                        pending.append((rel, imports, owner, child, prefix, guarded))
                elif attr == "add_middleware" and node.args and _auth_named(_dotted(node.args[0]) or ""):
                    objs[(rel, owner)].protected = ALWAYS
    for rel, imports, owner, route in elsewhere:
        key = _resolve(owner, rel, imports, objs, index, reexports)
        if key is not None:
            objs[key].routes.append(route)
    for rel, imports, owner, child, prefix, guarded in pending:
        key = _resolve(child, rel, imports, objs, index, reexports)
        if key is not None:
            child_obj = objs[key]
            if child_obj.framework == "flask" and child_obj.kind == "router":
                effective = (
                    prefix or child_obj.prefix
                )  # register_blueprint's url_prefix replaces the blueprint's
            else:
                effective = (
                    _join(prefix, child_obj.prefix) if child_obj.prefix else prefix
                )  # include_router adds
            objs[(rel, owner)].children.append((key, effective, guarded))
    decide = _protection(authenticators.found(), schemes, held)
    routes: list[Route] = []
    included = {k for o in objs.values() for k, _, _ in o.children}
    for key, obj in objs.items():
        if obj.kind == "app" or key not in included:
            start = obj.prefix if obj.kind == "router" else ""
            _expand(obj, start, objs, routes, depth=0, guarded=False, protected=decide)
    apps = tuple(sorted((o.module, o.line, o.framework) for o in objs.values() if o.kind == "app"))
    if django:
        apps += tuple(sorted({(r.module, 1, "django") for r in django}))
    routes = [replace(r, runs_model=True) if (r.module, r.line) in model_lines else r for r in routes]
    unique = {(r.path, r.methods, r.module, r.line): r for r in routes + django}
    return RouteFacts(apps, tuple(unique.values()), tuple(served_docs))


def _self_attribute(target: ast.expr) -> ast.expr:
    """`self.app` read as one name, the way `_dotted` names the owner of `@self.app.route`."""
    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
        return ast.Name(id=f"self.{target.attr}")
    return target


def _expand(
    obj: _Obj,
    prefix: str,
    objs: dict[tuple[str, str], _Obj],
    out: list[Route],
    depth: int,
    guarded: bool,
    protected: Callable[[_Guard], bool],
) -> None:
    if depth > 8:
        return
    guarded = guarded or protected(obj.protected)
    for path, methods, line, guard, module in obj.routes:
        out.append(
            Route(_join(prefix, path), methods, module, line, obj.framework, guarded or protected(guard))
        )
    for key, child_prefix, child_guarded in obj.children:
        below = guarded or protected(child_guarded)
        _expand(objs[key], _join(prefix, child_prefix), objs, out, depth + 1, below, protected)


def _join(prefix: str, path: str) -> str:
    joined = "/" + "/".join(s for s in (prefix.strip("/"), path.strip("/")) if s)
    return joined + ("/" if path.endswith("/") and joined != "/" else "")


def _methods(call: ast.Call) -> tuple[str, ...]:
    node = _kw(call, "methods")
    if isinstance(node, ast.List | ast.Tuple):
        return tuple(s.upper() for e in node.elts if (s := _str(e)))
    return ("GET",)


def _imports(tree: ast.Module, rel: str) -> dict[str, str]:
    """Local name -> dotted target ('app.routers.health' or 'app.routers.health.router')."""
    names: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0]
                )
        elif isinstance(node, ast.ImportFrom):
            base = imported_from(rel, node)
            for alias in node.names:
                names[alias.asname or alias.name] = f"{base}.{alias.name}" if base else alias.name
    return names


_MODEL_CALLS = lazy(
    r"^(predict\w*|infer\w*|run_inference|classify\w*|detect\w*|forecast\w*|generate|load_model|from_pretrained)$"
)
_MODEL_LOADS = {
    ("joblib", "load"),
    ("torch", "load"),
    ("pickle", "load"),
    ("pickle", "loads"),
    ("cloudpickle", "load"),
}


_MODEL_NAME = lazy(r"^(\w+_)?(model|classifier|estimator|predictor|regressor|segmentator|detector)s?$", re.I)


def _runs_model(handler: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """The handler runs or loads a model: a call named like inference, a model loader, or a model
    object called or handed to a function (`get_segments(model, image)`, `model(x)`)."""
    for node in walk(handler):
        if isinstance(node, ast.Call) and any(
            isinstance(a, ast.Name) and _MODEL_NAME.match(a.id) for a in (node.func, *node.args)
        ):
            return True
        if isinstance(node, ast.Call):
            func = node.func
            name = (
                func.attr
                if isinstance(func, ast.Attribute)
                else func.id
                if isinstance(func, ast.Name)
                else ""
            )
            owner = _dotted(func.value) if isinstance(func, ast.Attribute) else None
            if _MODEL_CALLS.match(name) or (owner, name) in _MODEL_LOADS:
                return True
    return False


_APP_PARAMETERS = {"app", "application", "router", "api_router", "blueprint", "bp"}


def _parameter_apps(rel: str, functions: Any, objs: dict[tuple[str, str], _Obj]) -> None:
    """`def register_routes(app: FastAPI): app.add_api_route("/health", ...)`: routes declared on an
    application or router handed in as a parameter. They are kept on a stand-in of their own (no prefix
    known), so that they are found; a module-level object of the same name wins."""
    for fn in functions:
        for arg in (*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs):
            kind = (_dotted(arg.annotation) or "").rsplit(".", 1)[-1] if arg.annotation is not None else ""
            framework = _APP_CLASSES.get(kind) or _ROUTER_CLASSES.get(kind)
            if framework is None and (kind or arg.arg not in _APP_PARAMETERS):
                continue
            if (rel, arg.arg) not in objs:
                objs[(rel, arg.arg)] = _Obj(rel, arg.arg, "router", framework or "fastapi", "", fn.lineno)


_RESTFUL = {"Api", "Namespace", "namespace"}
_RESOURCE_VERBS = ("get", "post", "put", "patch", "delete")


def _restful_object(
    rel: str, name: str, cls: str, assign: ast.Assign, objs: dict[tuple[str, str], _Obj], text_of: Any
) -> None:
    """`api = Api(app_or_blueprint, prefix="/v1")` mounts its resources on the app or blueprint;
    `ns = api.namespace("prediction")` (or `Namespace("prediction", path=...)`) adds a path segment."""
    call = assign.value
    if not isinstance(call, ast.Call):
        return
    if cls == "Api":
        objs[(rel, name)] = _Obj(
            rel, name, "router", "flask", text_of(_kw(call, "prefix")) or "", assign.lineno
        )
        parent = call.args[0] if call.args else _kw(call, "app")
        parent_name = _dotted(parent) if parent is not None else None
        if parent_name and (rel, parent_name) in objs:
            objs[(rel, parent_name)].children.append(((rel, name), text_of(_kw(call, "prefix")) or "", NEVER))
        return
    label = _str(call.args[0]) if call.args else None
    prefix = text_of(_kw(call, "path")) or (f"/{label}" if label else "")
    objs[(rel, name)] = _Obj(rel, name, "router", "flask", prefix, assign.lineno)
    owner = _dotted(call.func.value) if isinstance(call.func, ast.Attribute) else None
    if cls == "namespace" and owner and (rel, owner) in objs:
        objs[(rel, owner)].children.append(((rel, name), prefix, NEVER))


def _resource_class(
    name: str,
    here: dict[str, ast.ClassDef],
    snap: Snapshot,
    modules: dict[str, str],
    found: dict[str, ast.ClassDef | None],
) -> ast.ClassDef | None:
    """The Resource class a route names: in this module, else searched once per name in the others."""
    last = name.rsplit(".", 1)[-1]
    if last in here:
        return here[last]
    if last not in found:
        needle = f"class {last}("
        found[last] = next(
            (
                node
                for rel in modules.values()
                if needle in (snap.text(rel) or "") and isinstance(tree := snap.python(rel), ast.Module)
                for node in tree.body
                if isinstance(node, ast.ClassDef) and node.name == last
            ),
            None,
        )
    return found[last]


def _resource_route(
    rel: str, path: str, line: int, cls: ast.ClassDef | None, model_lines: set[tuple[str, int]]
) -> _Route:
    """A Resource class's route: its verbs are its methods (all five when the class is not found, so that
    a write is never missed); protected when `method_decorators`/`decorators` or every verb carries an
    authenticating decorator."""
    if cls is None:
        return (path, tuple(v.upper() for v in _RESOURCE_VERBS), line, NEVER, rel)
    verbs = [
        n
        for n in cls.body
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name in _RESOURCE_VERBS
    ]
    class_guard = any(
        isinstance(n, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id in ("method_decorators", "decorators") for t in n.targets)
        and any(
            _auth_named(_dotted(e) or "") for e in walk(n.value) if isinstance(e, ast.Name | ast.Attribute)
        )
        for n in cls.body
    )
    each_guarded = bool(verbs) and all(
        any(_auth_named(_dotted(d.func if isinstance(d, ast.Call) else d) or "") for d in v.decorator_list)
        for v in verbs
    )
    if any(_runs_model(v) for v in verbs):
        model_lines.add((rel, line))
    return (
        path,
        tuple(v.name.upper() for v in verbs),
        line,
        ALWAYS if class_guard or each_guarded else NEVER,
        rel,
    )


class _PerModule:
    """Something read from each module's tree once (a module asked about again is not parsed again)."""

    def __init__(self, snap: Snapshot, read: Callable[[ast.Module, str], dict[str, str]]) -> None:
        self.snap = snap
        self.read = read
        self.cache: dict[str, dict[str, str]] = {}

    def of(self, rel: str) -> dict[str, str]:
        if rel not in self.cache:
            tree = self.snap.python(rel)
            self.cache[rel] = self.read(tree, rel) if isinstance(tree, ast.Module) else {}
        return self.cache[rel]


def _module_constants(tree: ast.Module, rel: str) -> dict[str, str]:
    """String constants of a module: `API_PREFIX = "/api/v1"` at module level, and class fields with a
    literal default (`API_V1_STR: str = "/api/v1"` in a settings class)."""
    found: dict[str, str] = {}
    for stmt in tree.body:
        for inner in [stmt, *(stmt.body if isinstance(stmt, ast.ClassDef) else ())]:
            if isinstance(inner, ast.Assign) and (value := _str(inner.value)) is not None:
                found.update({t.id: value for t in inner.targets if isinstance(t, ast.Name)})
            elif (
                isinstance(inner, ast.AnnAssign)
                and isinstance(inner.target, ast.Name)
                and (value := _str(inner.value)) is not None
            ):
                found[inner.target.id] = value
    return found


def _constant_text(
    expr: ast.expr | None, rel: str, imports: dict[str, str], index: _ModuleIndex, constants: _PerModule
) -> str | None:
    """A prefix as written, or followed to the constant it names: a literal, a module constant (here
    or imported from the repository's own module), a settings field (`settings.API_V1_STR`), or an
    f-string of those. None when it cannot be known statically."""
    if expr is None or _str(expr) is not None:
        return _str(expr)
    if isinstance(expr, ast.JoinedStr):
        parts = [
            _constant_text(v.value, rel, imports, index, constants)
            if isinstance(v, ast.FormattedValue)
            else _str(v)
            for v in expr.values
        ]
        return None if any(p is None for p in parts) else "".join(p or "" for p in parts)
    name = expr.id if isinstance(expr, ast.Name) else expr.attr if isinstance(expr, ast.Attribute) else None
    if name is None:
        return None
    if name in constants.of(rel):
        return constants.of(rel)[name]
    head = _dotted(expr.value) if isinstance(expr, ast.Attribute) else name
    target = imports.get((head or "").split(".")[0])
    if target is None:
        return None
    # `from core.config import settings` -> core/config.py; `from config import API_PREFIX` -> config.py
    for dotted in (target, target.rpartition(".")[0]):
        for path in index.same(dotted) if dotted else ():
            if name in constants.of(path):
                return constants.of(path)[name]
    return None


class _ModuleIndex:
    """The repository's modules by their last name component: a module imported as `routers.health` may be
    `app/routers/health.py` or, run from its folder, `health.py`; all candidates share the last component,
    so a lookup never scans every module (10,000 imports of 10,000 modules would)."""

    def __init__(self, modules: dict[str, str]) -> None:
        self.by_last: dict[str, list[tuple[str, str]]] = {}
        for name, path in modules.items():
            self.by_last.setdefault(name.rsplit(".", 1)[-1], []).append((name, path))

    def same(self, module: str) -> Iterator[str]:
        """Paths of the modules `module` may name."""
        for name, path in self.by_last.get(module.rsplit(".", 1)[-1], ()):
            if name == module or name.endswith("." + module) or module.endswith("." + name):
                yield path


def _resolve(
    child: str,
    rel: str,
    imports: dict[str, str],
    objs: dict[tuple[str, str], _Obj],
    index: _ModuleIndex,
    reexports: _PerModule | None = None,
) -> tuple[str, str] | None:
    if (rel, child) in objs:
        return rel, child
    head, _, rest = child.partition(".")
    target = imports.get(head)
    if target is None:
        return None
    dotted = f"{target}.{rest}" if rest else target
    for _hop in range(4):  # a package may re-export what a submodule defines, through a few __init__s
        module, _, name = dotted.rpartition(".")
        found = [path for path in index.same(module) if (path, name) in objs]
        if found or reexports is None:
            break
        # `from app.routes import health_router`, where app/routes/__init__.py has `from .health
        # import router as health_router`
        again = next(
            (
                t
                for path in sorted(index.same(module), key=lambda p: -_shared_folders(p, rel))
                if (t := reexports.of(path).get(name))
            ),
            None,
        )
        if again is None or again == dotted:
            break
        dotted = again
    if len(found) > 1:
        # a monorepo of services that each hold `app/routes/health.py`: the importer's own service,
        # the candidate sharing the most folders with it, is the one Python would find
        found.sort(key=lambda path: (-_shared_folders(path, rel), path))
    return (found[0], name) if found else None


def _shared_folders(a: str, b: str) -> int:
    shared = 0
    for x, y in zip(a.split("/")[:-1], b.split("/")[:-1], strict=False):
        if x != y:
            break
        shared += 1
    return shared


def _starlette(rel: str, tree: ast.Module) -> list[Route]:
    """Starlette's declarative routing: Route/WebSocketRoute inside Mount("/prefix", routes=[...])."""
    found: list[Route] = []

    def walk(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if (
                isinstance(child, ast.Call)
                and _callee(child.func) in ("Route", "WebSocketRoute")
                and child.args
            ):
                path = _str(child.args[0])
                if path is not None:
                    methods = _methods(child) if _kw(child, "methods") is not None else ("GET",)
                    found.append(Route(_join(prefix, path), methods, rel, child.lineno, "starlette"))
                continue
            if isinstance(child, ast.Call) and _callee(child.func) == "Mount" and child.args:
                walk(child, _join(prefix, _str(child.args[0]) or ""))
                continue
            walk(child, prefix)

    walk(tree, "")
    return found


def _django(rel: str, node: ast.expr) -> list[Route]:
    found = []
    for call in walk(node):
        if isinstance(call, ast.Call) and _callee(call.func) in ("path", "re_path") and call.args:
            route = _str(call.args[0])
            if route is not None and _callee(call.func) == "path":
                found.append(Route(_join("", route), ("GET",), rel, call.lineno, "django"))
    return found


def _auth_vars(assigns: list[ast.Assign]) -> set[str]:
    names: set[str] = set()
    for node in assigns:
        if isinstance(node.value, ast.Call) and _callee(node.value.func) in _AUTH_CLASSES:
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


_AUTH_TEXT = ("Depends", "Security", "HTTPException", "abort", "401", "403", *sorted(_AUTH_CLASSES))


class _Authenticators:
    """Names of the repository's functions that authenticate, whatever they are called: a parameter
    that depends on an APIKeyHeader/HTTPBearer/OAuth2 scheme (or Security()), a body that reads a
    credential and answers 401/403, a factory returning such a function (`require_roles("admin")`), or
    a dependency on one of these (followed until nothing changes). `Depends(validate_request)` then
    protects a route as surely as `Depends(verify_api_key)`. Each module is read as the routes' pass
    reaches it (`read`); `found` follows the dependencies once all are read."""

    def __init__(self) -> None:
        self._found: set[str] = set()
        # Each function is judged as its module is read, and only what propagation needs is kept (its
        # defaults and the inner functions it returns): holding every function's tree and its module's
        # lines until the end was 450 MB on 25,000 modules.
        self._waiting: dict[str, list[tuple[str, list[ast.expr], set[str]]]] = {}

    def read(self, nodes: list[ast.AST], text: str) -> None:
        """One module: `nodes`, every node of its tree; `text`, its source."""
        schemes = _auth_vars([n for n in nodes if isinstance(n, ast.Assign)])
        lines = text.splitlines()
        for fn in nodes:
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if _authenticates_itself(fn, schemes, lines):
                self._found.add(fn.name)
                continue
            depends = _depends_on(fn)
            if depends:
                kept = (fn.name, _defaults(fn), _returned_inner(fn))
                for name in depends:
                    self._waiting.setdefault(name, []).append(kept)

    def found(self) -> set[str]:
        # Whether a function authenticates through another one is propagated from the names it depends
        # on, each name once: a rescan of every function until nothing changes was quadratic in a chain
        # of 10,000 dependencies.
        found, waiting = self._found, self._waiting
        queue = sorted(found)
        while queue:
            for name, defaults, returned in waiting.pop(queue.pop(), ()):
                if name not in found and _authenticates_through(defaults, returned, found):
                    found.add(name)
                    queue.append(name)
        return found


def _protection(
    authenticators: set[str], schemes: dict[str, set[str]], held: dict[str, list[tuple[list[str], _Guard]]]
) -> Callable[[_Guard], bool]:
    """Whether a guard read in the pass requires credentials, now that the authenticators are known:
    its names against its module's authenticating names (the schemes it makes, the authenticators,
    and the variables that hold a dependency on one of those)."""
    names: dict[str, set[str]] = {}

    def of(rel: str) -> set[str]:
        if rel not in names:
            own = schemes.get(rel, set()) | authenticators
            names[rel] = own | {
                target
                for targets, guard in held.get(rel, ())
                if guard.always or guard.names & own
                for target in targets
            }
        return names[rel]

    return lambda guard: guard.always or bool(guard.names and guard.names & of(guard.rel))


def _defaults(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.expr]:
    return [*fn.args.defaults, *(d for d in fn.args.kw_defaults if d is not None)]


def _returned_inner(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """The inner functions `fn` returns (`def require_roles(...): def check(...): ...; return check`)."""
    inner = {n.name for n in fn.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
    return {
        n.value.id
        for n in fn.body
        if isinstance(n, ast.Return) and isinstance(n.value, ast.Name) and n.value.id in inner
    }


def _authenticates_itself(
    fn: ast.FunctionDef | ast.AsyncFunctionDef, schemes: set[str], lines: list[str] | None = None
) -> bool:
    """A parameter on an API-key/bearer/OAuth2 scheme, or a body that reads a credential and refuses it.
    The body is judged as ast.unparse writes it (comments gone), but only when its source lines hold
    both words already: unparsing every function of a 10,000-module repository took a second."""
    defaults = [*fn.args.defaults, *(d for d in fn.args.kw_defaults if d is not None)]
    for default in defaults:
        if isinstance(default, ast.Call) and _callee(default.func) in _AUTH_CLASSES:
            return True
        if _auth_dependency(default, schemes):
            return True
    if lines is not None:
        first = min([fn.lineno, *(d.lineno for d in fn.decorator_list)])
        source = "\n".join(lines[first - 1 : fn.end_lineno or fn.lineno])
        if not (_CHECKS_CREDENTIALS.search(source) and _REFUSES.search(source)):
            return False
    body = ast.unparse(fn)
    return bool(_CHECKS_CREDENTIALS.search(body) and _REFUSES.search(body))


def _depends_on(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """Names that could make `fn` an authenticator: what its defaults call or depend on, and the inner
    functions it returns (a factory)."""
    defaults = [*fn.args.defaults, *(d for d in fn.args.kw_defaults if d is not None)]
    names = {
        n.id if isinstance(n, ast.Name) else n.attr
        for d in defaults
        for n in walk(d)
        if isinstance(n, ast.Name | ast.Attribute)
    }
    names |= {n.value.id for n in fn.body if isinstance(n, ast.Return) and isinstance(n.value, ast.Name)}
    return names


def _authenticates_through(defaults: list[ast.expr], returned_inner: set[str], known: set[str]) -> bool:
    return any(_auth_dependency(default, known) for default in defaults) or bool(returned_inner & known)


def _dependency(expr: ast.expr | None, rel: str) -> _Guard:
    """What `_auth_dependency(expr, names)` asks of the names it is given, read once from the tree:
    true whatever they are (a Security(), a Depends() on a name that says it authenticates), or the
    names that make it true (the Depends() targets, the variables of a dependency list)."""
    if expr is None:
        return NEVER
    names: set[str] = set()
    if isinstance(expr, ast.List | ast.Tuple):
        names.update(e.id for e in expr.elts if isinstance(e, ast.Name))  # dependencies kept in variables
    for call in walk(expr):
        if isinstance(call, ast.Call) and _callee(call.func) in ("Depends", "Security"):
            if _callee(call.func) == "Security":
                return ALWAYS
            target = call.args[0] if call.args else _kw(call, "dependency")
            if isinstance(target, ast.Call):  # a factory: Depends(require_roles("admin"))
                target = target.func
            name = _dotted(target) if target is not None else None
            if name and _auth_named(name):
                return ALWAYS
            if name:
                names.add(name.rsplit(".", 1)[-1])
    return _Guard(False, frozenset(names), rel) if names else NEVER


def _auth_dependency(expr: ast.expr | None, auth_vars: set[str]) -> bool:
    """A Depends()/Security() on something that authenticates, anywhere inside `expr`."""
    guard = _dependency(expr, "")
    return guard.always or bool(guard.names & auth_vars)


def _handler_protected(fn: ast.FunctionDef | ast.AsyncFunctionDef, route_dec: ast.Call, rel: str) -> _Guard:
    for dec in fn.decorator_list:
        if dec is route_dec:
            continue
        name = _dotted(dec.func if isinstance(dec, ast.Call) else dec) or ""
        if _auth_named(name) and not name.endswith(tuple(f".{v}" for v in _VERBS)):
            return ALWAYS
    guard = _dependency(_kw(route_dec, "dependencies"), rel)
    for default in _defaults(fn):
        guard |= _dependency(default, rel)
    return guard


def _guard(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    """The app or blueprint a before_request hook or HTTP middleware that checks credentials guards."""
    for dec in fn.decorator_list:
        func = dec.func if isinstance(dec, ast.Call) else dec
        if isinstance(func, ast.Attribute) and func.attr in (
            "before_request",
            "middleware",
            "before_app_request",
        ):
            body = ast.unparse(fn)
            if _CHECKS_CREDENTIALS.search(body) and _REJECTS.search(body):
                return _dotted(func.value)
    return None


def _docs_disabled(call: ast.Call) -> bool:
    def none(name: str) -> bool:
        value = _kw(call, name)
        return isinstance(value, ast.Constant) and value.value is None

    return none("openapi_url") or (none("docs_url") and none("redoc_url"))


def handlers(
    snap: Snapshot, routes: RouteFacts
) -> list[tuple[Route, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """Each route with the function that handles it, found by the route's line (the `def` or one of its
    decorators); each module's functions are indexed once."""
    found: list[tuple[Route, ast.FunctionDef | ast.AsyncFunctionDef]] = []
    indexed: dict[str, dict[int, ast.FunctionDef | ast.AsyncFunctionDef]] = {}
    for r in routes.routes:
        if r.module not in indexed:
            tree = snap.python(r.module)
            index: dict[int, ast.FunctionDef | ast.AsyncFunctionDef] = {}
            if isinstance(tree, ast.Module):
                for node in walk(tree):
                    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                        for line in (node.lineno, *(d.lineno for d in node.decorator_list)):
                            index.setdefault(line, node)
            indexed[r.module] = index
        if (fn := indexed[r.module].get(r.line)) is not None:
            found.append((r, fn))
    return found
