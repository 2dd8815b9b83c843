"""Facts about the tidiness of the code a team writes for the service: imports never used, local
variables assigned and never read, and names that break PEP 8's conventions (classes in CapWords,
functions and arguments in lower_case).

Read from the syntax trees of the service's and the training code's modules, the way pyflakes (F401,
F841) and pep8-naming (N801, N802, N803) read them, for the cases they agree on.
"""

from __future__ import annotations

import ast
import re

from msgspec import Struct

from gate.facts.walk import walk
from gate.lazyre import lazy
from gate.snapshot import Snapshot

_CLASS = lazy(r"^_*[A-Z][A-Za-z0-9]*$")
_FUNCTION = lazy(r"^_*[a-z][a-z0-9_]*$|^__[a-z][a-z0-9_]*__$")
_FRAMEWORK_NAMES = frozenset(
    {"setUp", "tearDown", "setUpClass", "tearDownClass", "asyncSetUp", "asyncTearDown", "setUpModule"}
)
"""Methods a framework calls by these names: the convention is theirs."""


class Untidy(Struct, frozen=True):
    kind: str
    """unused-import, unused-variable, class-name, function-name, argument-name"""
    path: str
    line: int
    name: str


class LintFacts(Struct, frozen=True):
    findings: tuple[Untidy, ...] = ()
    modules: int = 0

    def of(self, *kinds: str) -> tuple[Untidy, ...]:
        return tuple(f for f in self.findings if f.kind in kinds)


def _loaded(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) < 200:
            names.update(re.findall(r"[A-Za-z_]\w*", node.value))  # string annotations, __all__
    return names


def _unused_imports(rel: str, tree: ast.Module, used: set[str]) -> list[Untidy]:
    if rel.endswith("__init__.py"):
        return []  # a package's imports are its re-exports
    found: list[Untidy] = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                if alias.name == "*":
                    continue
                bound = alias.asname or alias.name.split(".", 1)[0]
                if alias.asname and alias.asname == alias.name:
                    continue  # `import x as x`: an explicit re-export
                if bound not in used:
                    found.append(Untidy("unused-import", rel, node.lineno, alias.asname or alias.name))
    return found


def _unused_variables(rel: str, tree: ast.Module) -> list[Untidy]:
    found: list[Untidy] = []
    for fn in walk(tree):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        declared = {n for node in walk(fn) if isinstance(node, ast.Global | ast.Nonlocal) for n in node.names}
        loaded = {n.id for n in walk(fn) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Store)}
        for node in walk(fn):
            # a plain `x = ...` (or `with ... as x`) whose x is never read: F841's cases, not unpacking
            targets: list[ast.expr] = []
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                targets = [node.target]
            elif isinstance(node, ast.withitem) and node.optional_vars is not None:
                targets = [node.optional_vars]
            for target in targets:
                if (
                    isinstance(target, ast.Name)
                    and not target.id.startswith("_")
                    and target.id not in loaded
                    and target.id not in declared
                ):
                    found.append(Untidy("unused-variable", rel, target.lineno, target.id))
    return found


def _names(rel: str, tree: ast.Module) -> list[Untidy]:
    found: list[Untidy] = []
    for node in walk(tree):
        if isinstance(node, ast.ClassDef) and not _CLASS.match(node.name):
            found.append(Untidy("class-name", rel, node.lineno, node.name))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            name = node.name
            if not _FUNCTION.match(name) and name not in _FRAMEWORK_NAMES and not name.startswith("visit_"):
                found.append(Untidy("function-name", rel, node.lineno, name))
            args = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
            found.extend(
                Untidy("argument-name", rel, a.lineno, a.arg)
                for a in args
                if a.arg not in ("self", "cls") and not _FUNCTION.match(a.arg)
            )
    return found


def collect_lint(snap: Snapshot, modules: tuple[str, ...]) -> LintFacts:
    findings: list[Untidy] = []
    read = 0
    for rel in modules:
        tree = snap.python(rel)
        if not isinstance(tree, ast.Module):
            continue
        read += 1
        findings += _unused_imports(rel, tree, _loaded(tree))
        findings += _unused_variables(rel, tree)
        findings += _names(rel, tree)
    # a nested function's variables are seen from the outer function's walk too: once each
    return LintFacts(tuple(dict.fromkeys(findings)), read)
