"""Code checks: the service parses, and it has tests."""

from __future__ import annotations

from gate.checks.base import Decision, Hit, NoOptions, at, check, failed, not_applicable, passed
from gate.facts import Facts
from gate.model import Level, Outcome, Severity


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
    (3.11 or newer). Files over the parse size cap are not parsed and the result says so rather
    than passing.

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
    if not py.modules and not py.syntax_errors and not py.unparsed:
        return not_applicable("No Python files.")
    if py.syntax_errors:
        return failed(
            f"{len(py.syntax_errors)} Python file(s) do not parse.",
            *(Hit(f"SyntaxError: {e.message}", (at(e.path, e.line),)) for e in py.syntax_errors),
        )
    if py.unparsed:
        # a file the gate does not read is not known to parse: undecided, which blocks, never a pass
        return Decision(
            Outcome.ERROR,
            f"{len(py.modules)} file(s) parse; {len(py.unparsed)} were not read (over max_file_size, a symlink out of the repository, or binary).",
            tuple(
                Hit("Not read, so not judged: raise max_file_size or exclude the file.", (at(p),))
                for p in py.unparsed[:20]
            ),
        )
    return passed(f"All {len(py.modules)} Python file(s) parse.")


@check(
    id="tests-present",
    title="All unit tests passing",
    category="testing",
    severity=Severity.MEDIUM,
    level=Level.BRONZE,
    applies_when="the repository has Python files",
    remediation="Add tests (pytest `test_*.py` files or unittest TestCase classes) for the prediction path and the API.",
    seeds=("Unit tests for ML functions", "All critical functions have unit tests"),
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
        return passed(f"{len(tests)} test(s) in {len(files)} file(s).")
    return failed(
        "No tests found.",
        Hit("No test functions in tests/, test_*.py, *_test.py or tests.py files.", (at("tests"),)),
    )
