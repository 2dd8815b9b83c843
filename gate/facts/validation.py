"""Facts about how the service validates what a request sends: for each route that takes a body (POST,
PUT, PATCH), whether the body is a typed model (pydantic, a marshmallow or JSON schema), checked by hand
(a guard that rejects), an upload, or read raw; whether a list in it is bounded; whether the route
takes a batch.

Read from the service's syntax trees, handler by handler, not run: a check made in a helper the handler
calls is not seen (medium confidence).
"""

from __future__ import annotations

import ast
import re

from msgspec import Struct

from gate.facts.routes import RouteFacts, handlers
from gate.facts.walk import walk
from gate.lazyre import lazy
from gate.snapshot import Snapshot

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_RAW_BODY = lazy(r"\brequest\.(get_json|json|form|data|values|body|stream)\b")
_FILES = lazy(r"\brequest\.files\b|\bUploadFile\b|\bFile\(")
# a schema's validation, not any load: json.loads(request.data) or joblib.load(...) validates nothing
_SCHEMA_CALL = lazy(
    r"\.(model_validate|model_validate_json|parse_obj|parse_raw)\(|\bjsonschema\b|"
    r"\b\w*(?:schema|Schema|validator|Validator)(?:\(\))?\.(?:load|loads|validate)\(|\bvalidate\(\s*(instance\s*=\s*)?\w+\s*,\s*schema"
)
_BATCHED = lazy(r"\bcsv\.(reader|DictReader)\(|\bread_csv\(|\bread_json\(|\bread_parquet\(|\.splitlines\(")
_LIST = lazy(r"^(list|List|Sequence|tuple|Tuple|set|Set|conlist)\b|^Annotated\[\s*(list|List|conlist)\b")
_BOUND = frozenset({"max_length", "max_items"})
_LOOSE = lazy(r"^(Any|object|dict|Dict|Json)$")
_OPTIONAL = lazy(r"\bOptional\[|\|\s*None\b|\bNone\s*\|")


class BodyField(Struct, frozen=True):
    name: str
    annotation: str
    required: bool
    """no default, and null not accepted (not Optional)"""
    bounded: bool
    """max_length / max_items on a list (Field, conlist, Annotated)"""


class BodyModel(Struct, frozen=True):
    name: str
    path: str
    line: int
    fields: tuple[BodyField, ...]


class BodyRoute(Struct, frozen=True):
    path: str
    module: str
    line: int
    how: str
    """model (a typed model or typed body parameters), schema (a schema's load/validate call), hand (a
    guard in the handler that raises, aborts or answers 4xx), upload (a file, judged by its guards), raw
    (the body read with no check)"""
    detail: str
    typed: bool
    """value types are checked (a model's annotations, a schema, isinstance/float() by hand)"""
    required: bool
    """missing or null values are rejected"""
    batch: bool
    """the route takes many items: a list body or list field, a CSV or JSON-lines upload, 'batch' in its path"""
    bounded: bool
    """the batch is bounded: max_length on the list, or a guard on its length or the upload's size"""
    guarded: bool
    """the handler has a guard that rejects (raises, aborts, returns 4xx)"""


class ValidationFacts(Struct, frozen=True):
    routes: tuple[BodyRoute, ...] = ()
    models: tuple[BodyModel, ...] = ()


def _kwargs(call: ast.Call) -> dict[str, ast.expr]:
    return {k.arg: k.value for k in call.keywords if k.arg}


def _call_name(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        f = node.func
        return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
    return ""


def _field(stmt: ast.AnnAssign) -> BodyField | None:
    if not isinstance(stmt.target, ast.Name):
        return None
    annotation = ast.unparse(stmt.annotation)
    value = stmt.value
    required = value is None
    bounds: set[str] = set()
    if isinstance(value, ast.Call) and _call_name(value) == "Field":
        kw = _kwargs(value)
        first = value.args[0] if value.args else kw.get("default")
        required = (first is None or (isinstance(first, ast.Constant) and first.value is Ellipsis)) and (
            "default_factory" not in kw
        )
        bounds |= set(kw)
    for node in walk(stmt.annotation):
        if isinstance(node, ast.Call) and _call_name(node) in ("Field", "conlist", "constr", "conset"):
            bounds |= set(_kwargs(node))
    optional = bool(_OPTIONAL.search(annotation))
    is_list = bool(_LIST.match(annotation))
    return BodyField(
        name=stmt.target.id,
        annotation=annotation,
        required=required and not optional,
        bounded=is_list and bool(bounds & _BOUND),
    )


def _models(snap: Snapshot, modules: tuple[str, ...]) -> dict[str, BodyModel]:
    """pydantic models (BaseModel and its subclasses defined here), by class name."""
    classes: list[tuple[str, ast.ClassDef]] = []
    for rel in modules:
        tree = snap.python(rel)
        if isinstance(tree, ast.Module):
            classes.extend((rel, n) for n in walk(tree) if isinstance(n, ast.ClassDef))
    names = {"BaseModel"}
    found: dict[str, BodyModel] = {}
    for _ in range(3):  # subclasses of subclasses, a few levels
        for rel, cls in classes:
            bases = {b.attr if isinstance(b, ast.Attribute) else getattr(b, "id", "") for b in cls.bases}
            if cls.name in found or not bases & names:
                continue
            inherited = tuple(f for b in bases if b in found for f in found[b].fields)
            own = tuple(f for s in cls.body if isinstance(s, ast.AnnAssign) and (f := _field(s)))
            found[cls.name] = BodyModel(cls.name, rel, cls.lineno, inherited + own)
            names.add(cls.name)
    return found


def _rejects(body: list[ast.stmt]) -> bool:
    """A guard's body that turns the request away: raise, abort(), or a 4xx answer."""
    for node in (n for stmt in body for n in walk(stmt)):
        if isinstance(node, ast.Raise):
            return True
        if isinstance(node, ast.Call) and _call_name(node) == "abort":
            return True
        if isinstance(node, ast.Constant) and isinstance(node.value, int) and 400 <= node.value < 500:
            return True
    return False


def _guards(fn: ast.AST) -> list[ast.If]:
    return [n for n in walk(fn) if isinstance(n, ast.If) and _rejects(n.body)]


def _names_in(annotation: str) -> list[str]:
    return re.findall(r"[A-Za-z_]\w*", annotation)


def _route(
    route_path: str,
    rel: str,
    line: int,
    fn: ast.FunctionDef | ast.AsyncFunctionDef,
    models: dict[str, BodyModel],
) -> BodyRoute | None:
    source = ast.unparse(fn)
    guards = _guards(fn)
    guarded = bool(guards)
    guard_text = " ".join(ast.unparse(g.test) for g in guards)
    by_hand_typed = bool(re.search(r"\bisinstance\(", guard_text)) or (
        bool(re.search(r"\b(float|int)\(", source)) and "ValueError" in source
    )
    batch_path = "batch" in route_path.lower()
    args = [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs]
    annotations = {a.arg: ast.unparse(a.annotation) for a in args if a.annotation is not None}
    body_models = [
        (arg, ann, [models[n] for n in _names_in(ann) if n in models]) for arg, ann in annotations.items()
    ]
    typed_models = [(arg, ann, ms) for arg, ann, ms in body_models if ms]
    if _FILES.search(source) and not typed_models:
        batch = batch_path or bool(_BATCHED.search(source))
        size_guard = bool(re.search(r"\blen\(|\bsize\b|content_length|MAX_CONTENT_LENGTH", guard_text))
        return BodyRoute(
            route_path,
            rel,
            line,
            "upload",
            "a file upload",
            False,
            guarded,
            batch,
            batch and size_guard,
            guarded,
        )
    if typed_models:
        fields = [f for _, _, ms in typed_models for m in ms for f in m.fields]
        listed = any(_LIST.match(ann) for _, ann, _ in typed_models)
        list_fields = [f for f in fields if _LIST.match(f.annotation)]
        batch = batch_path or listed or bool(list_fields)
        length_guard = bool(re.search(r"\blen\(", guard_text))
        bounded = (not listed and bool(list_fields) and all(f.bounded for f in list_fields)) or length_guard
        typed = all(not _LOOSE.match(f.annotation) for f in fields)
        required = bool(fields) and all(f.required for f in fields)
        names = ", ".join(dict.fromkeys(m.name for _, _, ms in typed_models for m in ms))
        return BodyRoute(
            route_path, rel, line, "model", names, typed, required, batch, batch and bounded, guarded
        )
    raw = _RAW_BODY.search(source)
    loose = [arg for arg, ann in annotations.items() if _LOOSE.match(ann.split("[")[0])]
    if not raw and not loose:
        return None  # no body: path and query parameters only
    detail = raw.group(0) if raw else f"parameter {loose[0]}: {annotations[loose[0]]}"
    batch = batch_path or bool(_BATCHED.search(source))
    bounded = batch and bool(re.search(r"\blen\(", guard_text))
    if _SCHEMA_CALL.search(source):
        return BodyRoute(route_path, rel, line, "schema", detail, True, True, batch, bounded, guarded)
    if guarded:
        required = bool(re.search(r"\bnot\b|\bis None\b|\bnot in\b", guard_text))
        return BodyRoute(
            route_path, rel, line, "hand", detail, by_hand_typed, required, batch, bounded, guarded
        )
    return BodyRoute(route_path, rel, line, "raw", detail, False, False, batch, False, False)


def collect_validation(
    snap: Snapshot, routes: RouteFacts, service_modules: tuple[str, ...]
) -> ValidationFacts:
    modules = tuple(dict.fromkeys((*service_modules, *(r.module for r in routes.routes))))
    models = _models(snap, modules)
    found: list[BodyRoute] = []
    for r, fn in handlers(snap, routes):
        if not set(r.methods) & _BODY_METHODS:
            continue
        if (body := _route(r.path, r.module, r.line, fn, models)) is not None:
            found.append(body)
    return ValidationFacts(tuple(found), tuple(models.values()))
