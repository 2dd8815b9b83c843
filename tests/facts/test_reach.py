"""Which functions of the service modules can run: followed from module-level code and decorated functions."""

from __future__ import annotations

import ast

from gate.facts.reach import ModuleNames, unreachable_spans


def _unreached(sources: dict[str, str], entries: set[str]) -> dict[str, list[str]]:
    trees = {rel: ast.parse(text) for rel, text in sources.items()}
    names = ModuleNames({rel[:-3].replace("/", "."): rel for rel in sources})
    spans = unreachable_spans(trees, names, entries)
    out: dict[str, list[str]] = {}
    for rel, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and (node.lineno, node.end_lineno) in spans.get(rel, []):
                out.setdefault(rel, []).append(node.name)
    return {rel: sorted(v) for rel, v in out.items()}


APP = """
from fastapi import Depends, FastAPI
from svc.deps import session
from svc import jobs

app = FastAPI()

@app.get("/items")
def items(db=Depends(session)):
    def inner():
        return jobs.pending()
    return inner()
"""
DEPS = """
def session():
    return connect()

def connect():
    return 1

def migrate():
    return 2
"""
JOBS = """
def pending():
    return []

def rebuild():
    return None

if __name__ == "__main__":
    rebuild()
"""


def test_followed_through_depends_nested_functions_and_module_attributes() -> None:
    got = _unreached({"svc/app.py": APP, "svc/deps.py": DEPS, "svc/jobs.py": JOBS}, entries={"svc/app.py"})
    # migrate is never named; rebuild only from the __main__ block of a module the app imports
    assert got == {"svc/deps.py": ["migrate"], "svc/jobs.py": ["rebuild"]}


def test_the_main_block_of_a_program_runs() -> None:
    got = _unreached(
        {"svc/app.py": APP, "svc/deps.py": DEPS, "svc/jobs.py": JOBS}, entries={"svc/app.py", "svc/jobs.py"}
    )
    assert got == {"svc/deps.py": ["migrate"]}


def test_a_method_called_on_an_unknown_object_reaches_every_method_of_that_name() -> None:
    model = "class Model:\n    def predict(self, x):\n        return x\n\n    def fit(self, x):\n        return self\n"
    app = "from model import Model\n\ndef handler(m):\n    return m.predict(1)\n\nhandler(None)\n"
    got = _unreached({"model.py": model, "app.py": app}, entries={"app.py"})
    assert got == {"model.py": ["fit"]}
