"""Which functions of the service modules can run in the service, read from the AST.

A module the application imports is service code, but not every function in it runs when the service
does: a shared `model.py` often holds `train()` beside `predict()`. Checks about what the running
service does (print() calls) judge only what can run: module-level code (it runs on import), decorated
functions (decorators register routes, hooks and handlers), and every function or method referenced
from those, followed through the service's own imports.

The reading over-approximates wherever a name cannot be resolved statically: a method call `x.m()` on
an unknown object reaches every method named `m`, a class that is referenced reaches all its methods,
and a module whose tree cannot be read is left whole. So a function is called unreachable only when no
code that can run names it, which keeps the filter from hiding a print() that does run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator

from msgspec import Struct

from gate.facts.python import imported_from
from gate.facts.walk import walk

Function = ast.FunctionDef | ast.AsyncFunctionDef


class _Def(Struct, frozen=True):
    rel: str
    qualname: str
    node: Function | ast.ClassDef


class _Module(Struct):
    rel: str
    tree: ast.Module
    top: dict[str, _Def]
    """Top-level functions and classes by name."""
    imported: dict[str, tuple[str, str | None]]
    """Local name -> (module rel, the name imported from it, or None for the module itself)."""


def unreachable_spans(
    trees: dict[str, ast.Module], module_names: ModuleNames, entries: set[str]
) -> dict[str, list[tuple[int, int]]]:
    """For each service module, the line spans of functions no runnable code refers to.
    `module_names` maps dotted module names to their files (the repository's own modules); `entries` are
    the modules run as the program (the application's, and scripts that start it), whose
    `if __name__ == "__main__":` block runs; in a module that is only imported, it does not."""
    modules = {rel: _index(rel, tree, module_names) for rel, tree in trees.items()}
    methods: dict[str, list[_Def]] = {}
    every: list[_Def] = []
    for mod in modules.values():
        for d in _all_defs(mod.rel, mod.tree):
            every.append(d)
            if "." in d.qualname and not isinstance(d.node, ast.ClassDef):
                methods.setdefault(d.qualname.rsplit(".", 1)[1], []).append(d)
    reached: set[tuple[str, str]] = set()
    queue: list[tuple[str, ast.AST]] = []
    for mod in modules.values():
        queue.extend((mod.rel, stmt) for stmt in _runs_on_import(mod.tree, mod.rel in entries))
    for d in every:
        if not isinstance(d.node, ast.ClassDef) and d.node.decorator_list:
            queue.extend(_reach(d, reached))
    while queue:
        rel, node = queue.pop()
        mod = modules[rel]
        for name, attr in _references(node):
            for target in _resolve(mod, modules, methods, name, attr):
                queue.extend(_reach(target, reached))
    spans: dict[str, list[tuple[int, int]]] = {}
    for d in every:
        if isinstance(d.node, ast.ClassDef) or (d.rel, d.qualname) in reached:
            continue
        if _inside_reached(d, reached):
            continue
        spans.setdefault(d.rel, []).append((d.node.lineno, d.node.end_lineno or d.node.lineno))
    return spans


def _index(rel: str, tree: ast.Module, module_names: ModuleNames) -> _Module:
    top: dict[str, _Def] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            top[stmt.name] = _Def(rel, stmt.name, stmt)
    imported: dict[str, tuple[str, str | None]] = {}
    for node in walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = module_names.find(alias.name)
                if target:
                    imported[alias.asname or alias.name.split(".")[0]] = (target, None)
        elif isinstance(node, ast.ImportFrom):
            base = imported_from(rel, node)
            for alias in node.names:
                submodule = module_names.find(f"{base}.{alias.name}" if base else alias.name)
                owner = module_names.find(base) if base else None
                if submodule:
                    imported[alias.asname or alias.name] = (submodule, None)
                elif owner:
                    imported[alias.asname or alias.name] = (owner, alias.name)
    return _Module(rel, tree, top, imported)


class ModuleNames:
    """The repository's own modules by dotted name. Scripts run from their folder import by a shorter
    name (`from model import predict` for src/model.py), so a unique suffix match counts too; looked up
    by last component, not by scanning every module."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names
        self.by_last: dict[str, list[str]] = {}
        for name in sorted(names):
            self.by_last.setdefault(name.rsplit(".", 1)[-1], []).append(name)

    def find(self, dotted: str) -> str | None:
        if dotted in self.names:
            return self.names[dotted]
        last = dotted.rsplit(".", 1)[-1]
        matches = [n for n in self.by_last.get(last, ()) if n.endswith("." + dotted)]
        return self.names[matches[0]] if len(matches) == 1 else None


def _all_defs(rel: str, tree: ast.Module) -> Iterator[_Def]:
    def walk(body: Iterable[ast.stmt], prefix: str) -> Iterator[_Def]:
        for stmt in body:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                qual = f"{prefix}{stmt.name}"
                yield _Def(rel, qual, stmt)
                if isinstance(stmt, ast.ClassDef):
                    yield from walk(stmt.body, qual + ".")
            elif isinstance(stmt, ast.If | ast.Try | ast.With):
                # definitions under `if TYPE_CHECKING:`, `try:` import fallbacks and the like
                for field in ("body", "orelse", "finalbody"):
                    yield from walk(getattr(stmt, field, []), prefix)

    yield from walk(tree.body, "")


def _runs_on_import(tree: ast.Module, entry: bool) -> Iterator[ast.AST]:
    """Statements executed when the module is imported: everything but function bodies (decorators,
    defaults and class bodies do run), and the `__main__` block only when the module is run."""
    for stmt in tree.body:
        if entry or not _is_main_block(stmt):
            yield from _outside_bodies(stmt)


def _is_main_block(stmt: ast.stmt) -> bool:
    test = stmt.test if isinstance(stmt, ast.If) else None
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators)
    )


def _outside_bodies(node: ast.AST) -> Iterator[ast.AST]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        yield from node.decorator_list
        yield node.args
        if node.returns is not None:
            yield node.returns
    elif isinstance(node, ast.ClassDef):
        yield from node.decorator_list
        yield from node.bases
        yield from node.keywords
        for stmt in node.body:
            yield from _outside_bodies(stmt)
    elif isinstance(node, ast.stmt) and any(
        isinstance(getattr(node, f, None), list) for f in ("body", "orelse", "finalbody", "handlers")
    ):
        for _, value in ast.iter_fields(node):
            if isinstance(value, list):
                for child in value:
                    yield from _outside_bodies(child)
            elif isinstance(value, ast.AST):
                yield value
    else:
        yield node


def _reach(d: _Def, reached: set[tuple[str, str]]) -> list[tuple[str, ast.AST]]:
    """Mark a definition reached; what its body refers to is to be followed. A class reaches all its
    methods (how an instance is used is not followed)."""
    key = (d.rel, d.qualname)
    if key in reached:
        return []
    reached.add(key)
    if isinstance(d.node, ast.ClassDef):
        out: list[tuple[str, ast.AST]] = []
        for stmt in d.node.body:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                out.extend(_reach(_Def(d.rel, f"{d.qualname}.{stmt.name}", stmt), reached))
        return out
    return [(d.rel, stmt) for stmt in d.node.body]


def _references(node: ast.AST) -> Iterator[tuple[str, str | None]]:
    """(name, attribute) pairs: `f` -> (f, None); `mod.f` -> (mod, f); `obj.method` -> ('', method)."""
    for child in walk(node):
        if isinstance(child, ast.Name):
            yield child.id, None
        elif isinstance(child, ast.Attribute):
            base = child.value
            yield (base.id if isinstance(base, ast.Name) else ""), child.attr


def _resolve(
    mod: _Module, modules: dict[str, _Module], methods: dict[str, list[_Def]], name: str, attr: str | None
) -> Iterator[_Def]:
    if attr is None:
        if name in mod.top:
            yield mod.top[name]
        elif name in mod.imported:
            target, imported = mod.imported[name]
            if imported is not None and target in modules and imported in modules[target].top:
                yield modules[target].top[imported]
        return
    if name in mod.imported:
        target, imported = mod.imported[name]
        if imported is None and target in modules and attr in modules[target].top:
            yield modules[target].top[attr]
            return
    # an attribute on anything else (self.helper(), service.predict()): any method of that name
    yield from methods.get(attr, ())


def _inside_reached(d: _Def, reached: set[tuple[str, str]]) -> bool:
    """A nested definition runs when its enclosing function does."""
    parts = d.qualname.split(".")
    return any((d.rel, ".".join(parts[:i])) in reached for i in range(1, len(parts)))
