"""Code checks: the service parses, and it has tests."""

from __future__ import annotations

from gate.checks.base import Decision, Hit, NoOptions, at, check, failed, not_applicable, passed
from gate.facts import Facts
from gate.facts.python import GATE_PYTHON
from gate.model import Level, Outcome, Severity
from gate.wording import agree, count, every


@check(
    id="python-syntax-valid",
    title="No syntax errors",
    category="code-quality",
    severity=Severity.HIGH,
    level=Level.BRONZE,
    applies_when="the repository has Python files",
    remediation="Fix the syntax error; `python -m py_compile FILE` reproduces it.",
    seeds=("No syntax errors: `python -m py_compile *.py`",),
)
def python_syntax_valid(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That every tracked `.py` file parses with the Python grammar of the gate's own interpreter
    (3.11 or newer; the Action's image runs the newest Python it was built with). Files over the parse
    size cap are not parsed and the result says so rather than passing.

    When the project declares a newer Python than the gate runs on (`requires-python = ">=3.12"`,
    `.python-version`, a `FROM python:3.13` base image, `python_requires`, a conda `python=`), a file
    that fails to parse may simply use that version's grammar (`type` aliases, `def f[T]()`, nested
    quotes in f-strings): it is reported as not judged (`not_available`, naming the files and the
    declaration), never as a syntax error, and the checks that needed the file cannot conclude that
    the application is absent.

    ## Why it matters
    A module that does not parse fails at import: the container starts, the health check fails,
    and the rollout stalls. It is the cheapest failure to catch before merge.

    ## How to fix
    Correct the line the finding names; `python -m py_compile FILE` shows the same error.

    ## Example
    ```python
    def predict(x)      # missing colon: SyntaxError
        return model.predict(x)
    ```
    """
    py = facts.python
    if not py.modules and not py.syntax_errors and not py.unparsed and not py.newer_grammar:
        return not_applicable("No Python files.")
    if py.syntax_errors:
        return failed(
            f"{count(len(py.syntax_errors), 'Python file')} {agree(len(py.syntax_errors), 'does', 'do')} not parse.",
            *(Hit(f"SyntaxError: {e.message}", (at(e.path, e.line),)) for e in py.syntax_errors),
        )
    if py.unparsed:
        # a file the gate does not read is not known to parse: undecided, which blocks, never a pass
        return Decision(
            Outcome.ERROR,
            f"{count(len(py.modules), 'file')} {agree(len(py.modules), 'parses', 'parse')}; {len(py.unparsed)} {agree(len(py.unparsed), 'was', 'were')} not read (over max_file_size, a symlink out of the repository, or binary).",
            tuple(
                Hit("Not read, so not judged: raise max_file_size or exclude the file.", (at(p),))
                for p in py.unparsed[:20]
            ),
        )
    if py.newer_grammar and py.newer_python is not None:
        # the gate's interpreter is older than the project's: its grammar cannot be judged here (the
        # project's own CI parses it), so this is not a syntax error and not a pass either
        declared = py.newer_python
        gate = ".".join(map(str, GATE_PYTHON))
        return Decision(
            Outcome.NOT_AVAILABLE,
            f"{count(len(py.newer_grammar), 'file')} {agree(len(py.newer_grammar), 'does', 'do')} not parse with Python {gate}, the gate's; the project declares "
            f"{declared.value} ({declared.source}), whose grammar they may use. Run the gate on that Python "
            "or newer (the Action's image is on the newest one it was built with).",
            tuple(
                Hit(f"Not judged: {e.message} under Python {gate}.", (at(e.path, e.line),))
                for e in py.newer_grammar[:20]
            ),
        )
    return passed(f"{every(len(py.modules), 'Python file')} {agree(len(py.modules), 'parses', 'parse')}.")


@check(
    id="tests-present",
    title="Tests present",
    category="testing",
    severity=Severity.MEDIUM,
    level=Level.BRONZE,
    applies_when="the repository has Python files",
    remediation="Add tests (pytest `test_*.py` files or unittest TestCase classes) for the prediction path and the API.",
    seeds=("Unit tests for ML functions",),
)
def tests_present(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That the repository has automated tests: test functions or methods (`def test_...`) in files that
    test runners collect (`tests/`, `test/`, `test_*.py`, `*_test.py`, `tests.py`). Files that merely
    have a test-like name but define no test do not count.

    ## Why it matters
    Every seed checklist starts with "all tests passing". Without tests that line can only ever be
    ticked by hand, and a retrained model or a refactor ships unverified.

    ## How to fix
    Add at least tests for the prediction path and the HTTP API (FastAPI's TestClient or Flask's
    test_client make this a few lines).

    ## Example
    ```python
    def test_predict_returns_probability(client):
        r = client.post("/predict", json={"features": [0.1] * 14})
        assert r.status_code == 200
    ```
    """
    py = facts.python
    if not py.modules and not py.syntax_errors:
        return not_applicable("No Python files.")
    tests = py.test_functions
    if tests:
        files = sorted({t.path for t in tests})
        return passed(f"{count(len(tests), 'test')} in {count(len(files), 'file')}.")
    return failed(
        "No tests found.",
        Hit("No test functions in tests/, test_*.py, *_test.py or tests.py files.", (at("tests"),)),
    )
