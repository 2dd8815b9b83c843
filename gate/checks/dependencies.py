"""Dependency checks: a reproducible set of packages and a declared Python version."""

from __future__ import annotations

from gate.checks.base import Decision, Hit, NoOptions, at, check, failed, not_applicable, passed
from gate.facts import Facts
from gate.model import Confidence, Level, Outcome, Severity


@check(
    id="dependencies-pinned",
    title="requirements.txt pinned to exact versions",
    category="dependencies",
    severity=Severity.MEDIUM,
    level=Level.BRONZE,
    applies_when="the repository declares Python dependencies (requirements files or pyproject.toml)",
    remediation="Pin each dependency with `==` (e.g. generate requirements.txt with pip-compile or `uv pip compile`) or commit a lock file.",
    seeds=("requirements.txt pinned to exact versions", "Dependencies pinned"),
)
def dependencies_pinned(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That every direct dependency is pinned to one exact version (`==1.2.3`, no wildcard) in the
    requirements files, following `-r` and `-c` includes (a pin in a constraints file counts), or that
    a lock file is committed (poetry.lock, uv.lock, Pipfile.lock, pdm.lock). URL requirements count as
    pinned when they name a commit or carry a hash. The project itself (`-e .`) is not a dependency.
    Requirements files are read with pip's own grammar (extras, markers, options, hashes).

    ## Why it matters
    An unpinned dependency means the image built on release day is not the one that was tested: a new
    minor version of numpy or scikit-learn can change predictions or refuse to load the model.

    ## How to fix
    Compile the direct requirements into an exact set (`pip-compile`, `uv pip compile`, `poetry lock`)
    and commit the result.

    ## Example
    ```text
    fastapi==0.115.6
    scikit-learn==1.5.2
    joblib==1.4.2
    ```
    """
    deps = facts.dependencies
    if deps.lock_files:
        return passed(f"Lock file committed: {', '.join(deps.lock_files)}.")
    if deps.errors and any(e.path in deps.requirement_files for e in deps.errors):
        first = next(e for e in deps.errors if e.path in deps.requirement_files)
        return Decision(
            Outcome.ERROR,
            f"Could not read every requirements file: {first}",
            (
                Hit(
                    f"Cannot parse: {first.message}",
                    (at(first.path, first.line),),
                    confidence=Confidence.HIGH,
                ),
            ),
        )
    constrained = {d.name for d in deps.requirements if d.constraint and d.pinned}
    direct = [d for d in deps.requirements if not d.constraint]
    if direct:
        loose = [d for d in direct if not d.pinned and d.name not in constrained]
        if loose:
            return failed(
                f"{len(loose)} of {len(direct)} requirement(s) are not pinned to an exact version.",
                *(
                    Hit(
                        f"{d.name} is not pinned to an exact version ({d.specifier or 'any version'}).",
                        (at(d.path, d.line),),
                    )
                    for d in loose
                ),
            )
        return passed(f"All {len(direct)} requirement(s) in {', '.join(deps.requirement_files)} are pinned.")
    if deps.pyproject_dependencies:
        loose = [d for d in deps.pyproject_dependencies if not d.pinned]
        if loose:
            return failed(
                f"pyproject.toml declares {len(loose)} unpinned dependency(ies) and no lock file is committed.",
                *(
                    Hit(
                        f"{d.name} ({d.specifier or 'any version'}) is not pinned and no lock file is committed.",
                        (at(d.path, d.line),),
                    )
                    for d in loose
                ),
            )
        return passed(f"All {len(deps.pyproject_dependencies)} pyproject.toml dependencies are pinned.")
    return not_applicable("No Python dependency declarations found.")


@check(
    id="python-version-declared",
    title="Python version specified",
    category="dependencies",
    severity=Severity.LOW,
    level=Level.SILVER,
    applies_when="the repository has Python files",
    remediation="Declare the Python version: `requires-python` in pyproject.toml, a .python-version file, or a python:X.Y base image.",
    seeds=("Python version specified (3.9+)", "Python version verified: 3.8+", "Python 3.8+ installed"),
)
def python_version_declared(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That the Python version the service runs on is written down in a place tools read:
    `requires-python` in pyproject.toml, Poetry's `python` dependency, `.python-version`,
    `runtime.txt`, `python_requires` in setup.cfg/setup.py, Pipfile's `python_version`, or a
    Dockerfile built `FROM python:X.Y`.

    ## Why it matters
    Pickled models and pinned wheels are tied to a Python version. A service trained on 3.11 and
    deployed on 3.8 fails at import or, worse, at the first prediction.

    ## How to fix
    Add one of the declarations above; the Dockerfile base image is the one that decides production.

    ## Example
    ```toml
    [project]
    requires-python = ">=3.11,<3.12"
    ```
    """
    if not facts.python.modules and not facts.python.syntax_errors:
        return not_applicable("No Python files.")
    decls = facts.dependencies.python_versions
    if decls:
        shown = "; ".join(dict.fromkeys(f"{d.source} {d.value} ({d.path})" for d in decls))
        return passed(f"Python version declared: {shown}.")
    return failed(
        "No Python version is declared.",
        # point where the declaration belongs, so annotations and code scanning have a place to show it
        Hit(
            "No declaration of the Python version the service runs on.",
            (
                at(
                    "pyproject.toml"
                    if "pyproject.toml" in facts.dependencies.pyproject_files
                    else ".python-version"
                ),
            ),
        ),
    )
