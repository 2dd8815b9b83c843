"""Facts about what the service's GET routes answer: the keys of the JSON object a handler returns
(`return {"status": "ok", "model_loaded": True}`, `jsonify(status="ok")`, `JSONResponse({...})`).

Read from the handlers' syntax trees, not run: an answer built elsewhere and returned by name is not
seen.
"""

from __future__ import annotations

import ast

from msgspec import Struct

from gate.facts.routes import RouteFacts, handlers
from gate.facts.walk import walk
from gate.snapshot import Snapshot

_WRAPPERS = frozenset({"jsonify", "JSONResponse", "ORJSONResponse", "UJSONResponse", "dict", "make_response"})


class Answers(Struct, frozen=True):
    keys: dict[tuple[str, int], tuple[str, ...]]
    """(module, route line) -> the keys of the objects its handler returns, in order of appearance"""
    unread: frozenset[tuple[str, int]] = frozenset()
    """handlers with an answer that could not be read here (a variable, a helper's result)"""


def _keys(node: ast.expr | None) -> list[str] | None:
    """The keys of the object a return statement answers with; None when it cannot be read here (a
    variable, or a call that builds the answer elsewhere)."""
    if node is None or isinstance(node, ast.Constant):
        return []
    if isinstance(node, ast.Dict):
        return [k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
    if isinstance(node, ast.Tuple) and node.elts:  # return {...}, 200
        return _keys(node.elts[0])
    if isinstance(node, ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        found = [k.arg for k in node.keywords if k.arg and k.arg not in ("status_code", "headers", "content")]
        if name in _WRAPPERS:
            content = next((k.value for k in node.keywords if k.arg == "content"), None)
            inner = [_keys(content), _keys(node.args[0]) if node.args else []]
            return None if None in inner else found + [k for part in inner for k in part or []]
        # a response model built in place (HealthOut(status="ok", model_loaded=True)): its fields
        return found or None
    return None


def collect_answers(snap: Snapshot, routes: RouteFacts) -> Answers:
    found: dict[tuple[str, int], tuple[str, ...]] = {}
    unread: set[tuple[str, int]] = set()
    for r, fn in handlers(snap, routes):
        if "GET" not in r.methods:
            continue
        answers = [_keys(n.value) for n in walk(fn) if isinstance(n, ast.Return)]
        found[(r.module, r.line)] = tuple(dict.fromkeys(k for keys in answers for k in keys or []))
        if None in answers:
            unread.add((r.module, r.line))
    return Answers(found, frozenset(unread))
