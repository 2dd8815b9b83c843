"""Facts about where request data goes inside a route's handler: into code execution, a shell, an
unsafe deserialiser (injection), or into HTML the service renders (cross-site scripting); and whether
the service keeps sessions in cookies, and protects them against cross-site request forgery.

Taint is followed within one handler only: its parameters and Flask's `request` are tainted, and so is
what is assigned from them; a helper the handler calls is not followed (medium confidence).
"""

from __future__ import annotations

import ast
import re

from msgspec import Struct

from gate.facts.routes import RouteFacts, handlers
from gate.facts.signals import MAX_LINE, Finder, Then
from gate.facts.walk import walk
from gate.lazyre import lazy
from gate.snapshot import Snapshot

_SHELL_CALLS = frozenset({"Popen", "run", "call", "check_call", "check_output"})
_XSS_CALLS = frozenset({"HTMLResponse", "render_template_string", "Markup", "Template"})
_NOT_TAINTED_PARAMS = frozenset({"self", "cls", "db", "session", "background_tasks"})
_COOKIE_SESSIONS: tuple[Finder, ...] = (
    lazy(r"^\s*from\s+flask\s+import\s+[^\n]*\bsession\b|\bSessionMiddleware\b|\blogin_user\("),
    # a session or token cookie set (linear on a line of many set_cookie calls: gate/facts/signals.py)
    Then(lazy(r"\bset_cookie\("), lazy(r"session|token|auth"), stop=")"),
)
# protections, not mentions: `csrf_exempt` or a "TODO: csrf" protects nothing (comment lines are skipped)
_CSRF = lazy(
    r"\bCSRFProtect\(|\bCsrfProtect\(|\bCSRFMiddleware\b|\bCsrfViewMiddleware\b|\bcsrf_protect\b|"
    r"\bflask_wtf\b|\bstarlette_csrf\b|\bfastapi_csrf_protect\b|samesite\s*=\s*['\"]strict",
    re.I,
)


class Sink(Struct, frozen=True):
    kind: str
    """injection or xss"""
    path: str
    line: int
    call: str
    route: str


class SinkFacts(Struct, frozen=True):
    sinks: tuple[Sink, ...] = ()
    handlers: int = 0
    cookie_sessions: tuple[tuple[str, int], ...] = ()
    csrf: tuple[tuple[str, int], ...] = ()


def _name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _tainted(node: ast.AST, names: set[str]) -> bool:
    for n in walk(node):
        if isinstance(n, ast.Name) and n.id in names:
            return True
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "request":
            return True
    return False


def _sink_kind(call: ast.Call) -> str | None:
    name = _name(call.func)
    owner = _name(call.func.value) if isinstance(call.func, ast.Attribute) else ""
    if name in _XSS_CALLS:
        return "xss"
    if name in ("loads", "load"):
        # pickle/marshal/dill deserialise code; yaml.load without a safe loader builds objects
        if owner in ("pickle", "cPickle", "dill", "marshal", "joblib"):
            return "injection"
        if owner == "yaml" and not any("Safe" in ast.unparse(k.value) for k in call.keywords):
            return "injection"
        return None
    if name in _SHELL_CALLS:
        return (
            "injection"
            if owner == "subprocess"
            and any(
                k.arg == "shell" and isinstance(k.value, ast.Constant) and k.value.value is True
                for k in call.keywords
            )
            else None
        )
    if name in ("system", "popen"):
        return "injection" if owner == "os" else None
    if name in ("getoutput", "getstatusoutput"):
        return "injection" if owner == "subprocess" else None
    if name in ("eval", "exec", "compile", "__import__"):
        return "injection" if not owner else None
    if name == "import_module":
        return "injection"
    return None


def _injected(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """Parameters FastAPI fills from the server's own dependencies (`= Depends(...)`, `= Security(...)`,
    or `Annotated[..., Depends(...)]`), not from the request."""
    a = fn.args
    positional = a.posonlyargs + a.args
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(a.defaults))
    defaults += a.defaults
    pairs = [*zip(positional, defaults, strict=True), *zip(a.kwonlyargs, a.kw_defaults, strict=True)]

    def is_dependency(node: ast.AST | None) -> bool:
        return isinstance(node, ast.Call) and ast.unparse(node.func).rsplit(".", 1)[-1] in (
            "Depends",
            "Security",
        )

    return {
        arg.arg
        for arg, default in pairs
        if is_dependency(default) or (arg.annotation and any(map(is_dependency, walk(arg.annotation))))
    }


def _first_line(text: str, finders: tuple[Finder, ...], comments: tuple[str, ...] = ()) -> int | None:
    """The first line any of the finders matches on (lines starting with one of `comments` skipped)."""
    for number, line in enumerate(text.splitlines(), 1):
        if comments and line.lstrip().startswith(comments):
            continue
        if len(line) <= MAX_LINE and any(f.search(line) for f in finders):
            return number
    return None


def collect_sinks(snap: Snapshot, routes: RouteFacts, service_modules: tuple[str, ...]) -> SinkFacts:
    sinks: list[Sink] = []
    found = handlers(snap, routes)
    for r, fn in found:
        args = [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs]
        injected = _injected(fn)
        names = {a.arg for a in args if a.arg not in _NOT_TAINTED_PARAMS and a.arg not in injected}
        assigns = sorted(
            (
                n
                for n in walk(fn)
                if isinstance(n, ast.Assign | ast.AnnAssign | ast.AugAssign) and n.value is not None
            ),
            key=lambda n: n.lineno,
        )
        for _ in range(2):  # a value assigned from one assigned from the request
            for a in assigns:
                if a.value is not None and _tainted(a.value, names):
                    targets = a.targets if isinstance(a, ast.Assign) else [a.target]
                    names.update(t.id for tgt in targets for t in walk(tgt) if isinstance(t, ast.Name))
        for call in (n for n in walk(fn) if isinstance(n, ast.Call)):
            kind = _sink_kind(call)
            if kind and any(_tainted(a, names) for a in [*call.args, *(k.value for k in call.keywords)]):
                sinks.append(Sink(kind, r.module, call.lineno, ast.unparse(call.func)[:60], r.path))
    cookies: list[tuple[str, int]] = []
    csrf: list[tuple[str, int]] = []
    for rel in service_modules:
        text = snap.text(rel) or ""
        if (line := _first_line(text, _COOKIE_SESSIONS)) is not None:
            cookies.append((rel, line))
        if (line := _first_line(text, (_CSRF,), comments=("#",))) is not None:
            csrf.append((rel, line))
    return SinkFacts(tuple(dict.fromkeys(sinks)), len(found), tuple(cookies), tuple(csrf))
