"""Facts about what the service's GET routes answer: the keys of the JSON object a handler returns
(`return {"status": "ok", "model_loaded": True}`, `jsonify(status="ok")`, `JSONResponse({...})`).

Read from the handlers' syntax trees, not run: an answer built elsewhere and returned by name is not
seen.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from gate.facts.routes import RouteFacts, handlers
from gate.snapshot import Snapshot

_WRAPPERS = frozenset({"jsonify", "JSONResponse", "ORJSONResponse", "UJSONResponse", "dict", "make_response"})


@dataclass(frozen=True)
class Answers:
    keys: dict[tuple[str, int], tuple[str, ...]]
    """(module, route line) -> the keys of the objects its handler returns, in order of appearance"""


def _keys(node: ast.expr | None) -> list[str]:
    if isinstance(node, ast.Dict):
        return [k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
    if isinstance(node, ast.Tuple) and node.elts:  # return {...}, 200
        return _keys(node.elts[0])
    if isinstance(node, ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name in _WRAPPERS:
            found = [
                k.arg for k in node.keywords if k.arg and k.arg not in ("status_code", "headers", "content")
            ]
            content = next((k.value for k in node.keywords if k.arg == "content"), None)
            return found + _keys(content) + (_keys(node.args[0]) if node.args else [])
    return []


def collect_answers(snap: Snapshot, routes: RouteFacts) -> Answers:
    found: dict[tuple[str, int], tuple[str, ...]] = {}
    for r, fn in handlers(snap, routes):
        if "GET" not in r.methods:
            continue
        keys = [k for n in ast.walk(fn) if isinstance(n, ast.Return) for k in _keys(n.value)]
        found[(r.module, r.line)] = tuple(dict.fromkeys(keys))
    return Answers(found)
