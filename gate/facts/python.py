"""Facts from the repository's Python code, read from the AST only: no import, no execution of user code."""

from __future__ import annotations

import ast
import sys
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple

from msgspec import Struct

from gate.facts.dependencies import PythonVersionDecl
from gate.facts.walk import walk
from gate.lazyre import lazy
from gate.snapshot import ParseError, Snapshot, python_summary

_TEST_DIRS = ("tests/", "test/", "testing/")
KEEP_TREES_UP_TO = 2000
ROUTE_HINTS = (
    "Flask",
    "FastAPI",
    "APIRouter",
    "Blueprint",
    "Starlette",
    "Quart",
    "urlpatterns",
    "flask_rest",
)


class EnvRead(Struct, frozen=True):
    """A place where the code reads an environment variable by a literal name."""

    name: str
    path: str
    line: int
    has_default: bool = False
    """The read falls back to a value of its own (getenv("X", "8000"), environ.setdefault)."""
    empty_default: bool = False
    """That fallback is empty ("" or None): the code starts, but without a value (an API key that is
    empty rejects every request)."""


class TestFunction(Struct, frozen=True):
    path: str
    line: int
    name: str


class PythonFacts(Struct, frozen=True):
    modules: tuple[str, ...]
    syntax_errors: tuple[ParseError, ...]
    env_reads: tuple[EnvRead, ...]
    """Reads in service code (tests excluded: they set variables up rather than document configuration)."""
    test_functions: tuple[TestFunction, ...]
    imports: tuple[EnvRead, ...]
    """Top-level modules imported by non-test code (first place per file); `name` is the module."""
    optional_imports: frozenset[str]
    """Modules imported inside `try: ... except ImportError`: optional, not required."""
    local_modules: frozenset[str]
    """Names that resolve to the repository's own modules and packages."""
    server_runs: tuple[EnvRead, ...]
    """Where code starts a server itself; `name` says which: flask-dev (Flask's app.run), werkzeug-dev
    (run_simple), uvicorn, hypercorn, waitress, or app-run (`app.run()` on an application made in
    another module: Flask's development server when the repository's application is a Flask one)."""
    dotenv_loads: tuple[EnvRead, ...]
    """Places that load a .env file (python-dotenv, pydantic-settings env_file); name is what loads it."""
    unparsed: tuple[str, ...]
    """.py files listed but not parsed (over the size cap, unreadable or binary)."""
    unread_apps: tuple[str, ...] = ()
    """The unparsed files that may hold the web application (they name a web framework, or could not be
    read at all): with one of them unread, "no application" cannot be concluded."""
    newer_grammar: tuple[ParseError, ...] = ()
    """Files that do not parse with the gate's interpreter while the project declares a newer Python
    (`newer_python`): they may be written in its grammar, so they are unread, not syntax errors."""
    newer_python: PythonVersionDecl | None = None


GATE_PYTHON = sys.version_info[:2]
_VERSION = lazy(r"(?<![\d.])([<>=!~^]*)\s*3\.(\d+)")


def lowest_python(decl: PythonVersionDecl) -> tuple[int, int] | None:
    """The oldest Python a declaration admits (`>=3.12,<3.14` -> 3.12, `python:3.13-slim` -> 3.13); None
    when it names no 3.x version or only upper bounds."""
    floors = [int(minor) for op, minor in _VERSION.findall(decl.value) if not op.startswith(("<", "!"))]
    return (3, min(floors)) if floors else None


def newest_declared(declared: Sequence[PythonVersionDecl]) -> PythonVersionDecl | None:
    """The declaration whose oldest admitted Python is the newest: code deployed on it may use that
    grammar (a Dockerfile on python:3.13 runs 3.13 whatever requires-python allows)."""
    ranked = [(v, d) for d in declared if (v := lowest_python(d)) is not None]
    return max(ranked, key=lambda vd: (vd[0], vd[1].path, vd[1].line or 0))[1] if ranked else None


def imported_from(rel: str, node: ast.ImportFrom) -> str:
    """The absolute module `from X import ...` names in the file `rel`: a relative import resolves against
    the file's folder (for a package's __init__.py, that is the package itself)."""
    base = node.module or ""
    if not node.level:
        return base
    package = rel.rsplit("/", 1)[0].replace("/", ".") if "/" in rel else ""
    parts = package.split(".") if package else []
    parts = parts[: len(parts) - (node.level - 1)] if node.level > 1 else parts
    return ".".join([*parts, base] if base else parts)


_DJANGO_SETTINGS = lazy(r"(^|/)(settings\.py|settings/[^/]+\.py)$")


def django_settings(files: Iterable[str]) -> list[str]:
    """The Django settings modules among `files`: `settings.py`, or a module of a `settings/` package
    (base, production), tests aside. They serve no route, and hold what Django's middleware does on
    every request."""
    return [rel for rel in files if _DJANGO_SETTINGS.search(rel) and not is_test_path(rel)]


def is_test_path(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return (
        rel.startswith(_TEST_DIRS)
        or any(f"/{d}" in rel for d in _TEST_DIRS)
        or name.startswith("test_")
        or name.endswith("_test.py")
        or name in {"tests.py", "conftest.py"}
    )


WEB_FRAMEWORKS = (b"flask", b"fastapi", b"starlette", b"django", b"Flask", b"FastAPI", b"Starlette")


def collect_python(snap: Snapshot, declared: Sequence[PythonVersionDecl] = ()) -> PythonFacts:
    """Every fact drawn from Python code, one module at a time: each module's are taken from its tree at
    its first parse (`module_facts`, a summary), which is usually the routes collector's.
    `declared`: the Python versions the project declares, so that a file written for a newer grammar
    than the gate's is reported as unread rather than as a syntax error."""
    newest = newest_declared(declared)
    if newest is not None and (lowest_python(newest) or GATE_PYTHON) <= GATE_PYTHON:
        newest = None
    newer: list[ParseError] = []
    modules: list[str] = []
    errors: list[ParseError] = []
    reads: list[EnvRead] = []
    tests: list[TestFunction] = []
    dotenv: list[EnvRead] = []
    servers: list[EnvRead] = []
    imports: list[EnvRead] = []
    optional: set[str] = set()
    unparsed: list[str] = []
    files = snap.with_suffix(".py")
    # Later collectors (routes, service code) walk some of these trees again: keep them while the
    # repository is small enough for that to be cheap; a very large one parses each file once per use.
    keep_all = len(files) <= KEEP_TREES_UP_TO
    for rel in files:
        # modules that may define routes are walked again by the routes collector: keep those trees
        keep = keep_all or any(h in (snap.text(rel) or "") for h in ROUTE_HINTS)
        found: ModuleFacts | None = snap.summary("python-facts", rel, keep=keep)
        if found is None:
            tree = snap.python(rel, keep=False)  # unread, or its parse error: both known, nothing parsed
            if tree is None:
                unparsed.append(rel)
            elif isinstance(tree, ParseError):
                (newer if newest is not None else errors).append(tree)
            continue
        modules.append(rel)
        imports.extend(found.imports)
        optional.update(found.optional)
        tests.extend(found.tests)
        reads.extend(found.reads)
        dotenv.extend(found.dotenv)
        servers.extend(found.servers)
    return PythonFacts(
        modules=tuple(modules),
        syntax_errors=tuple(errors),
        env_reads=tuple(reads),
        test_functions=tuple(tests),
        imports=tuple(imports),
        optional_imports=frozenset(optional),
        local_modules=_local_names(files),
        server_runs=tuple(servers),
        dotenv_loads=tuple(dotenv),
        unparsed=tuple(unparsed),
        unread_apps=tuple(
            rel
            for rel in (*unparsed, *(e.path for e in newer))
            if snap.mentions(rel, WEB_FRAMEWORKS) is not False
        ),
        newer_grammar=tuple(newer),
        newer_python=newest,
    )


class ModuleFacts(NamedTuple):
    """What collect_python takes from one module, kept as its summary (gate.snapshot.python_summary):
    taken from the tree when any pass first parses the module (the routes collector, on a service), so
    this pass parses only the modules no earlier pass did."""

    imports: tuple[EnvRead, ...]
    optional: tuple[str, ...]
    tests: tuple[TestFunction, ...]
    reads: tuple[EnvRead, ...]
    dotenv: tuple[EnvRead, ...]
    servers: tuple[EnvRead, ...]


@python_summary("python-facts")
def module_facts(rel: str, text: str, tree: ast.Module) -> ModuleFacts:
    imports: list[EnvRead] = []
    optional: set[str] = set()
    tests: list[TestFunction] = []
    reads: list[EnvRead] = []
    dotenv: list[EnvRead] = []
    servers: list[EnvRead] = []
    # Walking a whole tree costs as much as parsing it, and what a walk looks for is always spelled out
    # in the text: walk only the statements that span a line mentioning it.
    if is_test_path(rel):
        if lines := _lines_with(text, ("def test", "async def test")):
            tests.extend(_test_functions(rel, walk_near(tree, lines)))
    else:
        _imports(rel, tree, imports, optional)
        if lines := _lines_with(text, ("environ", "getenv", "BaseSettings")):
            reads.extend(_env_reads(rel, walk_near(tree, lines)))
        if any(lib in text for lib in _CONFIG_LIBRARIES) and (readers := _config_readers(tree)):
            reads.extend(_config_library_reads(rel, tree, readers))
            # each of these libraries reads a .env file too (starlette when given one)
            dotenv.extend(_config_library_loads(rel, tree, readers))
        if lines := _lines_with(text, ("dotenv", "env_file")):
            dotenv.extend(_dotenv_loads(rel, walk_near(tree, lines)))
        if lines := _lines_with(text, (".run(", "serve(", "run_simple(", "Flask(")):
            servers.extend(_server_runs(rel, walk_near(tree, lines)))
    return ModuleFacts(
        tuple(imports), tuple(sorted(optional)), tuple(tests), tuple(reads), tuple(dotenv), tuple(servers)
    )


def _lines_with(text: str, needles: tuple[str, ...]) -> list[int]:
    if not any(n in text for n in needles):
        return []
    return [i for i, line in enumerate(text.splitlines(), 1) if any(n in line for n in needles)]


def walk_near(tree: ast.AST, lines: list[int]) -> Iterator[ast.AST]:
    """Like ast.walk, but skips every node whose line span holds none of `lines` (sorted, 1-based)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            start = getattr(child, "lineno", None)
            if start is not None:
                end = getattr(child, "end_lineno", None) or start
                i = bisect_left(lines, start)
                if i == len(lines) or lines[i] > end:
                    continue
            stack.append(child)


def _literal(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _is_environ(node: ast.expr) -> bool:
    # os.environ, environ (from os import environ)
    return (isinstance(node, ast.Attribute) and node.attr == "environ") or (
        isinstance(node, ast.Name) and node.id == "environ"
    )


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _is_empty(value: ast.expr | None) -> bool:
    """A fallback that gives no value: "" or None."""
    return isinstance(value, ast.Constant) and value.value in ("", None)


def _env_reads(rel: str, nodes: Iterable[ast.AST]) -> list[EnvRead]:
    found: list[EnvRead] = []
    for node in nodes:
        name: str | None = None
        has_default = empty = False
        line = getattr(node, "lineno", 1)
        if isinstance(node, ast.Subscript) and _is_environ(node.value) and isinstance(node.ctx, ast.Load):
            name = _literal(node.slice)
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            if (
                (
                    isinstance(func, ast.Attribute)
                    and func.attr in {"get", "setdefault"}
                    and _is_environ(func.value)
                )
                or (isinstance(func, ast.Attribute) and func.attr == "getenv")
                or (isinstance(func, ast.Name) and func.id == "getenv")
            ):
                name = _literal(node.args[0])
                fallback = node.args[1] if len(node.args) > 1 else _keyword(node, "default")
                has_default = fallback is not None
                empty = _is_empty(fallback)
        if name:
            found.append(EnvRead(name, rel, line, has_default, empty))
        if isinstance(node, ast.ClassDef) and _is_settings_class(node):
            found.extend(_settings_fields(rel, node))
    return found


# Libraries that read the environment through an object of their own (each also reads a .env file):
# starlette's Config (`config("KEY", cast=int, default=...)`), python-decouple (`config("KEY", default)`),
# environs (`env.str("KEY", default)`, `env("KEY")`).
_CONFIG_LIBRARIES = ("starlette.config", "decouple", "environs")
_CONSTRUCTORS = {
    ("starlette.config", "Config"): "starlette",
    ("decouple", "Config"): "decouple",
    ("decouple", "AutoConfig"): "decouple",
    ("environs", "Env"): "environs",
}
_NOT_READS = {"read_env", "prefixed", "seal", "dump", "expand_vars", "add_parser", "parser_for"}


def _config_readers(tree: ast.Module) -> dict[str, str]:
    """Names bound to a reader in this module, and which library's: `from decouple import config`, or
    `settings = Config(".env")` after `from starlette.config import Config`."""
    constructors: dict[str, str] = {}
    readers: dict[str, str] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.ImportFrom) and stmt.module in _CONFIG_LIBRARIES:
            for alias in stmt.names:
                kind = _CONSTRUCTORS.get((stmt.module, alias.name))
                if kind:
                    constructors[alias.asname or alias.name] = kind
                elif (stmt.module, alias.name) == ("decouple", "config"):
                    readers[alias.asname or alias.name] = "decouple"
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.name in ("environs", "decouple"):
                    for (module, cls), kind in _CONSTRUCTORS.items():
                        if module == alias.name:
                            constructors[f"{alias.asname or alias.name}.{cls}"] = kind
    for node in walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            kind = constructors.get(_dotted(node.value.func))
            if kind:
                readers.update({t.id: kind for t in node.targets if isinstance(t, ast.Name)})
    return readers


def _dotted(expr: ast.expr) -> str:
    if isinstance(expr, ast.Attribute):
        return f"{_dotted(expr.value)}.{expr.attr}"
    return expr.id if isinstance(expr, ast.Name) else ""


def _config_library_loads(rel: str, tree: ast.Module, readers: dict[str, str]) -> list[EnvRead]:
    """Where a config library loads a .env file: decouple always (from the working directory up), starlette
    when its Config is given an env file, environs when read_env() is called."""
    found: list[EnvRead] = []
    for node in walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            call = node.value
            named = [t.id for t in node.targets if isinstance(t, ast.Name) and t.id in readers]
            if named and readers[named[0]] == "starlette" and (call.args or _kw_given(call, "env_file")):
                found.append(EnvRead("starlette Config", rel, node.lineno))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "read_env"
            and isinstance(node.func.value, ast.Name)
            and readers.get(node.func.value.id) == "environs"
        ):
            found.append(EnvRead("environs read_env", rel, node.lineno))
    if "decouple" in readers.values():
        found.append(EnvRead("python-decouple", rel, 1))
    return found


def _kw_given(call: ast.Call, name: str) -> bool:
    return any(k.arg == name for k in call.keywords)


def _config_library_reads(rel: str, tree: ast.Module, readers: dict[str, str]) -> list[EnvRead]:
    found: list[EnvRead] = []
    for node in walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in readers:
            kind = readers[func.id]
        elif (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and readers.get(func.value.id) == "environs"
            and func.attr not in _NOT_READS
        ):
            kind = "environs"
        else:
            continue
        name = _literal(node.args[0])
        if not name:
            continue
        # starlette's second positional is the cast; decouple's and environs' is the default
        positional_default = kind != "starlette" and len(node.args) > 1
        has_default = positional_default or any(k.arg == "default" for k in node.keywords)
        found.append(EnvRead(name, rel, node.lineno, has_default))
    return found


def _base_name(base: ast.expr) -> str:
    if isinstance(base, ast.Attribute):
        return base.attr
    return base.id if isinstance(base, ast.Name) else ""


def _is_settings_class(cls: ast.ClassDef) -> bool:
    return any(_base_name(b) == "BaseSettings" for b in cls.bases)


def _settings_fields(rel: str, cls: ast.ClassDef) -> list[EnvRead]:
    """pydantic-settings fields: each reads the variable PREFIX + FIELD (matched case-insensitively)."""
    prefix = ""
    for stmt in cls.body:
        if isinstance(stmt, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "model_config" for t in stmt.targets
        ):
            value = stmt.value
            if isinstance(value, ast.Call):
                for kw in value.keywords:
                    if kw.arg == "env_prefix":
                        prefix = _literal(kw.value) or ""
            elif isinstance(value, ast.Dict):
                for k, v in zip(value.keys, value.values, strict=True):
                    if _literal(k) == "env_prefix":
                        prefix = _literal(v) or ""
    fields: list[EnvRead] = []
    for stmt in cls.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            field = stmt.target.id
            if field == "model_config" or field.startswith("_"):
                continue
            fields.append(
                EnvRead(
                    (prefix + field).upper(), rel, stmt.lineno, stmt.value is not None, _is_empty(stmt.value)
                )
            )
    return fields


def _test_functions(rel: str, nodes: Iterable[ast.AST]) -> list[TestFunction]:
    found: list[TestFunction] = []
    for node in nodes:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test"):
            found.append(TestFunction(rel, node.lineno, node.name))
    return found


def _dotenv_loads(rel: str, nodes: Iterable[ast.AST]) -> list[EnvRead]:
    found: list[EnvRead] = []
    for node in nodes:
        if (isinstance(node, ast.ImportFrom) and node.module == "dotenv") or (
            isinstance(node, ast.Import) and any(a.name == "dotenv" for a in node.names)
        ):
            found.append(EnvRead("python-dotenv", rel, node.lineno))
        elif isinstance(node, ast.keyword) and node.arg == "env_file" and node.value is not None:
            found.append(EnvRead("env_file setting", rel, node.value.lineno))
        elif (
            # pydantic v1's `class Config: env_file = ".env"`, and `model_config = {"env_file": ".env"}`
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "env_file" for t in node.targets)
        ) or (
            isinstance(node, ast.Dict) and any(_literal(k) == "env_file" for k in node.keys if k is not None)
        ):
            found.append(EnvRead("env_file setting", rel, node.lineno))
    return found


_SERVER_FUNCS = {
    ("uvicorn", "run"): "uvicorn",
    ("hypercorn", "run"): "hypercorn",
    ("waitress", "serve"): "waitress",
}


def _server_runs(rel: str, nodes: Iterable[ast.AST]) -> list[EnvRead]:
    """Calls that start a server: Flask's development server (app.run on a Flask(...) object, werkzeug's
    run_simple) or a production one (uvicorn.run, waitress.serve, ...)."""
    found: list[EnvRead] = []
    flask_names: set[str] = set()
    calls: list[ast.Call] = []
    for node in nodes:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and _base_name(node.value.func) == "Flask"
        ):
            flask_names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.Call):
            calls.append(node)
    for call in calls:
        func = call.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            owner, attr = func.value.id, func.attr
            if attr == "run" and owner in flask_names:
                found.append(EnvRead("flask-dev", rel, call.lineno))
            elif attr == "run" and "app" in owner.lower() and not call.args:
                # `from service import app; app.run(host=...)`: an application made elsewhere, started
                # by its own run(); Flask's (and Quart's) is the development server, FastAPI has none
                found.append(EnvRead("app-run", rel, call.lineno))
            elif (owner, attr) in _SERVER_FUNCS:
                found.append(EnvRead(_SERVER_FUNCS[(owner, attr)], rel, call.lineno))
        elif isinstance(func, ast.Name):
            if func.id == "run_simple":
                found.append(EnvRead("werkzeug-dev", rel, call.lineno))
            elif func.id == "serve":
                found.append(EnvRead("waitress", rel, call.lineno))
    return found


def _local_names(files: list[str]) -> frozenset[str]:
    """Every name a module of this repository can be imported as at the top level: each file's stem,
    each folder on its path (packages, src layouts and scripts run from their own folder alike)."""
    names: set[str] = set()
    for rel in files:
        parts = rel[:-3].split("/")
        names.update(parts)
    names.discard("__init__")
    return frozenset(names)


def _imports(rel: str, tree: ast.Module, out: list[EnvRead], optional: set[str]) -> None:
    seen: set[str] = set()
    # A stack of statement lists, in the order a recursive walk takes them, rather than a nested function
    # that calls itself: such a closure is a reference cycle, one per module, and the cyclic collector is
    # paused through a run (25,000 modules left 340,000 objects behind).
    stack: list[tuple[Iterator[ast.stmt], bool]] = [(iter(tree.body), False)]
    while stack:
        body, guarded = stack[-1]
        node = next(body, None)
        if node is None:
            stack.pop()
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name.split(".")[0] for a in node.names]
            elif not node.level and node.module:
                names = [node.module.split(".")[0]]
            for name in names:
                if guarded:
                    optional.add(name)
                elif name not in seen:
                    seen.add(name)
                    out.append(EnvRead(name, rel, node.lineno))
        elif isinstance(node, ast.Try):
            catches = any(
                (h.type is not None and "ImportError" in ast.unparse(h.type))
                or "ModuleNotFoundError" in ast.unparse(h.type or ast.Constant(None))
                for h in node.handlers
            )
            handlers = [(iter(h.body), guarded) for h in node.handlers]
            stack.extend(reversed([(iter(node.body), guarded or catches), *handlers]))
        elif isinstance(node, ast.If):
            stack.extend(((iter(node.orelse), guarded), (iter(node.body), guarded)))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            stack.append((iter(node.body), guarded))
