"""Dependency checks: a reproducible set of packages and a declared Python version."""

from __future__ import annotations

import re
import sys

from pydantic import BaseModel, ConfigDict, Field

from gate.checks.base import Decision, Hit, NoOptions, at, check, conclude, failed, not_applicable, passed
from gate.facts import Facts
from gate.facts.dependencies import Dependency, PythonVersionDecl, is_requirements_file
from gate.facts.dockerfile import pip_installs
from gate.facts.importnames import RUNTIME_ONLY, distributions_for, modules_for
from gate.facts.python import EnvRead
from gate.lazyre import lazy
from gate.model import Confidence, Level, Outcome, Severity
from gate.paths import folder_of, within
from gate.pep503 import canonical_name
from gate.wording import agree, count, every


@check(
    id="dependencies-pinned",
    title="Dependencies pinned to exact versions",
    category="dependencies",
    severity=Severity.MEDIUM,
    level=Level.BRONZE,
    applies_when="the repository declares Python dependencies (requirements files or pyproject.toml)",
    remediation="Pin each dependency with `==` (e.g. generate requirements.txt with pip-compile or `uv pip compile`) or commit a lock file.",
    seeds=("requirements.txt pinned to exact versions",),
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
    # A lock file covers the project it sits in: declarations in its folder and below. In a monorepo,
    # one service's uv.lock says nothing about another service's requirements.txt.
    lock_dirs = [folder_of(p) for p in deps.lock_files]

    def locked(path: str) -> bool:
        return any(within(path, d) for d in lock_dirs)

    unreadable = [e for e in deps.errors if e.path in deps.requirement_files and not locked(e.path)]
    if unreadable:
        first = unreadable[0]
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
    declared = [d for d in deps.requirements if not d.constraint] + list(deps.manifest_dependencies)
    if not declared:
        if deps.lock_files:
            return passed(f"Lock file committed: {', '.join(deps.lock_files)}.")
        return not_applicable("No Python dependency declarations found.")
    # pyproject ranges compiled into a pinned requirements file of the same project (pip-compile,
    # `uv pip compile`) are pinned where they are installed from
    compiled = [(d.path, d.name) for d in deps.requirements if d.pinned]

    def pinned_elsewhere(dep: Dependency) -> bool:
        return not is_requirements_file(dep.path) and any(
            name == dep.name and within(path, folder_of(dep.path)) for path, name in compiled
        )

    loose = [
        d
        for d in declared
        if not d.pinned and d.name not in constrained and not locked(d.path) and not pinned_elsewhere(d)
    ]
    if loose:
        return failed(
            f"{len(loose)} of {count(len(declared), 'dependency', 'dependencies')} {agree(len(loose), 'is', 'are')} not pinned to an exact version.",
            *(
                Hit(
                    f"{d.name} is not pinned to an exact version ({d.specifier or 'any version'})"
                    + ("." if is_requirements_file(d.path) else " and no lock file is committed beside it."),
                    (at(d.path, d.line),),
                )
                for d in loose
            ),
        )
    by_lock = sum(locked(d.path) and not d.pinned for d in declared)
    via = f"; {by_lock} through {', '.join(deps.lock_files)}" if by_lock else ""
    by_compiled = sum(not d.pinned and not locked(d.path) and pinned_elsewhere(d) for d in declared)
    via += (
        f"; {count(by_compiled, 'pyproject range')} pinned in a compiled requirements file"
        if by_compiled
        else ""
    )
    return passed(
        f"{every(len(declared), 'dependency', 'dependencies')} {agree(len(declared), 'is', 'are')} pinned{via}."
    )


_MATRIX_REF = lazy(r"^\$\{\{\s*matrix\.([\w-]+)\s*\}\}$")


_PYTHON_IMAGE = lazy(r"^(?:(?:docker\.io/)?library/)?python(?::(?P<tag>[^@]+))?(?:@.*)?$", re.I)


def _floating_python_images(facts: Facts) -> list[tuple[str, int, str]]:
    """Final stages built FROM the official python image with no version in the tag (`python`,
    `python:latest`, `python:slim`): which Python runs is decided by the next rebuild."""
    found = []
    for dockerfile in facts.docker.dockerfiles:
        stage = dockerfile.final
        base = stage.base_resolved or stage.base
        m = _PYTHON_IMAGE.match(base)
        if m and not re.search(r"\d", m.group("tag") or "") and "@sha256:" not in base:
            found.append((dockerfile.path, stage.line, base))
    return found


def _setup_python(facts: Facts) -> list[PythonVersionDecl]:
    """`actions/setup-python` steps: the versions CI installs are the versions the code is tested on."""
    found: list[PythonVersionDecl] = []
    for wf in facts.workflows.ci:
        for job in wf.jobs:
            for step in job.steps:
                if not (step.uses or "").lower().startswith("actions/setup-python"):
                    continue
                value = step.with_.get("python-version")
                file = step.with_.get("python-version-file")
                if isinstance(value, str | int | float) and str(value).strip():
                    text = str(value).strip()
                    ref = _MATRIX_REF.match(text)
                    if ref:
                        matrix = (job.data.get("strategy") or {}).get("matrix") or {}
                        values = matrix.get(ref.group(1)) if isinstance(matrix, dict) else None
                        if not isinstance(values, list) or not values:
                            continue  # from an include or an expression: not a version written here
                        text = ", ".join(str(v) for v in values)
                    found.append(PythonVersionDecl("actions/setup-python", wf.path, step.line, text))
                elif isinstance(file, str) and file.strip():
                    found.append(
                        PythonVersionDecl(
                            "actions/setup-python python-version-file", wf.path, step.line, file
                        )
                    )
    return found


class PythonVersionOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    min_version: str | None = Field(default=None, pattern=r"^3\.\d{1,2}$")
    """The oldest Python accepted ("3.9"): every declaration's lowest version must be at least this."""


_VERSION = lazy(r"(\d+)\.(\d+)")


def lowest_python(value: str) -> tuple[int, int] | None:
    """The lowest Python a declaration allows: ">=3.9,<3.13" -> (3, 9); "3.10, 3.11" -> (3, 10); an
    upper bound or an exclusion alone says nothing about the lowest."""
    found = [
        (int(m.group(1)), int(m.group(2)))
        # an operator written apart from its version ("!= 3.7", "<= 3.12") stays with it
        for clause in re.split(r"[,\s|]+", re.sub(r"([<>=!~^]=?)\s+", r"\1", value))
        if clause and not clause.lstrip().startswith(("<", "!="))
        for m in [_VERSION.search(clause)]
        if m and m.group(1) == "3"
    ]
    return min(found) if found else None


def _below(decls: list[PythonVersionDecl], floor: str) -> Decision | None:
    """The declarations that allow a Python older than the floor, judged where production is decided: the
    image's base when there is one, else every declaration."""
    want = lowest_python(floor)
    images = [d for d in decls if d.source == "Dockerfile base image"]
    judged = images or decls
    read = [(d, low) for d in judged if (low := lowest_python(d.value)) is not None]
    if want is None or not read:
        return Decision(
            Outcome.MISSING_EVIDENCE, f"No declaration states a version to compare with Python {floor}+."
        )
    old = [(d, low) for d, low in read if low < want]
    if old:
        return failed(
            f"Python older than {floor} is allowed by {count(len(old), 'declaration')}.",
            *(
                Hit(f"{d.source} {d.value} allows Python {low[0]}.{low[1]}.", (at(d.path, d.line),))
                for d, low in old
            ),
        )
    return None


@check(
    id="python-version-declared",
    title="Python version specified",
    category="dependencies",
    severity=Severity.LOW,
    level=Level.SILVER,
    applies_when="the repository has Python files",
    remediation="Declare the Python version: `requires-python` in pyproject.toml, a .python-version file, or a python:X.Y base image.",
    seeds=("Python version specified (3.9+)",),
    options=PythonVersionOptions,
)
def python_version_declared(facts: Facts, options: PythonVersionOptions) -> Decision:
    """
    ## What it checks
    That the Python version the service runs on is written down in a place tools read:
    `requires-python` in pyproject.toml, Poetry's `python` dependency, `.python-version`,
    `runtime.txt`, `python_requires` in setup.cfg/setup.py, Pipfile's `python_version`, a conda
    `environment.yml` pinning `python=X.Y`, a Dockerfile built `FROM python:X.Y` or on an image
    whose tag names its Python (`tiangolo/uvicorn-gunicorn:python3.11-slim`), or a workflow's
    `actions/setup-python` step with `python-version` (a matrix value is read from the job's matrix)
    or `python-version-file`. A Dockerfile whose final stage is built on the official Python image
    without a version (`python`, `python:latest`, `python:slim`) fails whatever else declares one:
    the image is what runs, and its Python changes with the next rebuild.

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
    decls = [*facts.dependencies.python_versions, *_setup_python(facts)]
    floating = _floating_python_images(facts)
    if floating:
        # the image is what runs in production: a version CI or a manifest names does not decide it
        return failed(
            "The service's image runs a Python that is not named (the base image floats), whatever else declares a version.",
            *(
                Hit(f"FROM {base}: the Python version changes when the image is rebuilt.", (at(path, line),))
                for path, line, base in floating
            ),
        )
    if decls:
        if options.min_version and (below := _below(decls, options.min_version)) is not None:
            return below
        shown = "; ".join(dict.fromkeys(f"{d.source} {d.value} ({d.path})" for d in decls))
        floor = f", none older than {options.min_version}" if options.min_version else ""
        return passed(f"Python version declared{floor}: {shown}.")
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


_DEV_TOOLS = lazy(
    r"^(pytest(-[\w-]+)?|black|ruff|flake8(-[\w-]+)?|pylint|mypy|isort|pre-commit|tox|nox|ipython|jupyter(lab)?|notebook|"
    r"ipykernel|coverage|hypothesis|debugpy|pdbpp|ipdb|locust|bandit|safety|pip-audit|types-[\w-]+|twine|build|wheel-inspect)$"
)
_DEV_FILE = lazy(r"(dev|test|lint|doc|ci|check|local|notebook)", re.I)


class DevToolOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    allow: tuple[str, ...] = ()
    """Tools that are this project's real runtime dependencies (a CLI that runs pip-audit, say)."""


@check(
    id="dependency-lock-present",
    title="Dependency lock file present",
    category="dependencies",
    severity=Severity.LOW,
    level=Level.SILVER,
    applies_when="the repository declares Python dependencies",
    remediation="Commit a lock of the whole dependency tree: poetry.lock, uv.lock, Pipfile.lock, pdm.lock, or a requirements file compiled with hashes (pip-compile --generate-hashes).",
)
def dependency_lock_present(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That the whole dependency tree, transitive packages included, is locked: a lock file (poetry.lock,
    uv.lock, Pipfile.lock, pdm.lock), or a requirements file compiled by pip-compile or `uv pip compile`
    (recognised by its header or its `--hash` options). Pinning only the direct dependencies
    (`dependencies-pinned`) leaves every transitive package free to change.

    ## Why it matters
    Most breakages come from a transitive package: a new urllib3, numpy or protobuf pulled in by
    something pinned that did not pin it.

    ## How to fix
    Compile the direct requirements into a lock and install from it in the image.

    ## Example
    ```text
    uv pip compile requirements.in --generate-hashes -o requirements.txt
    ```
    """
    deps = facts.dependencies
    if not deps.requirement_files and not deps.manifest_dependencies and not deps.lock_files:
        return not_applicable("No Python dependency declarations found.")
    if deps.lock_files:
        return passed(f"Lock file: {', '.join(deps.lock_files)}.")
    compiled = [f for f in deps.requirement_files if f in deps.compiled_files]
    if compiled:
        return passed(f"Compiled requirements: {', '.join(compiled)}.")
    where = deps.requirement_files[0] if deps.requirement_files else deps.manifest_dependencies[0].path
    return failed(
        "No lock of the full dependency tree.",
        Hit(
            "Dependencies are declared but no lock file or compiled requirements file is committed.",
            (at(where, 1),),
        ),
    )


@check(
    id="no-dev-packages-in-runtime",
    title="No development packages in runtime dependencies",
    category="dependencies",
    severity=Severity.LOW,
    level=Level.SILVER,
    applies_when="the repository has runtime requirements",
    remediation="Move test and lint tools to requirements-dev.txt (or a dev extra / dependency group).",
    options=DevToolOptions,
    seeds=("No development-only packages in requirements.txt",),
)
def no_dev_packages_in_runtime(facts: Facts, options: DevToolOptions) -> Decision:
    """
    ## What it checks
    That the runtime dependencies (requirements files whose name does not say dev, test, lint, docs
    or ci, and `[project].dependencies`) do not include development tools: pytest and its plugins,
    black, ruff, flake8, pylint, mypy, isort, pre-commit, tox, nox, IPython, Jupyter, coverage,
    hypothesis, debuggers, locust, type stubs.

    ## Why it matters
    Every extra package in the image is more to download, more to scan and more attack surface;
    Jupyter alone pulls in a web server.

    ## How to fix
    Split the requirements; a tool the service really runs goes in the `allow` option.

    ## Example
    ```text
    requirements.txt      fastapi==0.115.6 ...
    requirements-dev.txt  -r requirements.txt
                          pytest==8.3.4
    ```
    """
    deps = facts.dependencies
    runtime = [
        d for d in deps.requirements if not d.constraint and not _DEV_FILE.search(d.path.rsplit("/", 1)[-1])
    ]
    runtime += list(deps.manifest_dependencies)
    if not runtime:
        return not_applicable("No runtime requirements.")
    allowed = {canonical_name(n) for n in options.allow}
    dev = [d for d in runtime if _DEV_TOOLS.match(d.name) and d.name not in allowed]
    if dev:
        return failed(
            f"{count(len(dev), 'development tool')} in the runtime requirements.",
            *(Hit(f"{d.name} is a development tool.", (at(d.path, d.line),)) for d in dev),
        )
    return passed(f"{count(len(runtime), 'runtime requirement')}, none of them a development tool.")


_TOOLING_SCRIPTS = frozenset({"setup.py", "noxfile.py", "fabfile.py", "tasks.py"})
_PIP_RUN = lazy(r"\bpip3?\s+install\s+([^&|;\n]+)")


def _declared(facts: Facts) -> set[str]:
    deps = facts.dependencies
    names = (
        {d.name for d in deps.requirements}
        | {d.name for d in deps.manifest_dependencies}
        | {d.name for d in deps.setup_dependencies}
        | set(deps.locked_names)
    )
    for df in facts.docker.dockerfiles:  # `RUN pip install x` declares x for that image
        for stage in df.stages:
            for ins in stage.instructions:
                if ins.cmd == "RUN":
                    for m in _PIP_RUN.finditer(ins.text):
                        for word in m.group(1).split():
                            if not word.startswith("-") and re.match(r"^[A-Za-z0-9][\w.-]*", word):
                                names.add(canonical_name(re.split(r"[=<>!~\[]", word, maxsplit=1)[0]))
    return names


@check(
    id="no-undeclared-imports",
    title="All imported packages declared",
    category="dependencies",
    severity=Severity.MEDIUM,
    level=Level.SILVER,
    confidence=Confidence.MEDIUM,
    applies_when="the repository's code imports third-party packages",
    remediation="Declare the package in the requirements (or the lock) the service is installed from.",
)
def no_undeclared_imports(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That every third-party module the code imports (test code excluded) is provided by a declared
    distribution: requirements files, pyproject/Poetry/Pipfile/conda manifests, `install_requires` in
    setup.py (read, never run) or setup.cfg, lock files, or a `pip install` in a Dockerfile. Standard-library modules, the repository's own modules and imports
    guarded by `except ImportError` are skipped, and so are build and task scripts (setup.py,
    noxfile.py, fabfile.py, tasks.py), which run with their own tools installed. Import names map to distributions through a table of
    the common mismatches (sklearn: scikit-learn, cv2: opencv-python, PIL: pillow, yaml: PyYAML, ...),
    otherwise by name, hence medium confidence.

    ## Why it matters
    A package that happens to be installed on the developer's laptop is missing in the image: the
    service fails at import on its first deployment, or worse, on the first request that reaches the
    import.

    ## How to fix
    Add the package, pinned, to the requirements.

    ## Example
    ```text
    import sklearn   ->   scikit-learn==1.5.2 in requirements.txt
    ```
    """
    py = facts.python
    third_party = [
        imp
        for imp in py.imports
        if imp.name not in sys.stdlib_module_names
        and imp.name not in py.local_modules
        and imp.name != "__future__"
        # build and task scripts run with their own tools installed (setuptools, nox), not the service's
        and imp.path.rsplit("/", 1)[-1] not in _TOOLING_SCRIPTS
    ]
    if not third_party:
        return not_applicable("The code imports no third-party package.")
    declared = _declared(facts)
    missing: dict[str, EnvRead] = {}
    for imp in third_party:
        if not any(canonical_name(d) in declared for d in distributions_for(imp.name)):
            missing.setdefault(imp.name, imp)
    if missing:
        return failed(
            f"{count(len(missing), 'imported package')} {agree(len(missing), 'is', 'are')} not declared.",
            *(
                Hit(
                    f"`{name}` is imported but {distributions_for(name)[0]} is not declared.",
                    (at(imp.path, imp.line),),
                )
                for name, imp in sorted(missing.items())
            ),
        )
    imported = len({i.name for i in third_party})
    return passed(
        f"{every(imported, 'imported third-party package')} {agree(imported, 'is', 'are')} declared."
    )


class UnusedOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    ignore: tuple[str, ...] = ()
    """Distributions that are needed without being imported (plugins, drivers, CLIs)."""


@check(
    id="no-unused-dependencies",
    title="No unused dependencies",
    category="dependencies",
    severity=Severity.LOW,
    level=Level.GOLD,
    confidence=Confidence.LOW,
    applies_when="the repository declares runtime dependencies",
    remediation="Remove the dependency, or add it to this check's `ignore` option with the reason it is needed.",
    options=UnusedOptions,
    seeds=("No unused dependencies",),
)
def no_unused_dependencies(facts: Facts, options: UnusedOptions) -> Decision:
    """
    ## What it checks
    Runtime dependencies (requirements files not named for dev, test, lint or docs, and manifest
    dependencies) that no non-test module imports. Packages needed without an import are exempt:
    servers (gunicorn, uvicorn), database drivers, FastAPI's optional parsers, and the libraries a
    pickled model needs when it is unpickled (scikit-learn, numpy, pandas, xgboost, ...); the `ignore`
    option adds more. Low confidence: plugins and entry points are invisible to an import scan.

    ## Why it matters
    Every unused package is image size, install time, vulnerability-scan noise and a supply-chain
    risk with nothing in return.

    ## How to fix
    Remove it, or record why it stays.

    ## Example
    ```yaml
    checks:
      no-unused-dependencies:
        options: {ignore: [sentry-sdk]}   # loaded by the platform's sitecustomize
    ```
    """
    deps = facts.dependencies
    # a compiled file lists the whole tree; only what the project asked for directly can be unused
    runtime = [
        d
        for d in deps.requirements
        if not d.constraint
        and not _DEV_FILE.search(d.path.rsplit("/", 1)[-1])
        and d.path not in deps.compiled_files
    ]
    runtime += [d for d in deps.manifest_dependencies if not d.conda]
    if not runtime:
        return not_applicable("No runtime dependencies declared.")
    imported = {i.name for i in facts.python.imports} | set(facts.python.optional_imports)
    skip = RUNTIME_ONLY | {canonical_name(n) for n in options.ignore}
    unused = [
        d
        for d in runtime
        if d.name not in skip and not (modules_for(d.name) & imported) and not _DEV_TOOLS.match(d.name)
    ]
    if unused:
        return failed(
            f"{count(len(unused), 'runtime dependency', 'runtime dependencies')} {agree(len(unused), 'is', 'are')} never imported.",
            *(Hit(f"{d.name} is declared but no module imports it.", (at(d.path, d.line),)) for d in unused),
        )
    return passed(
        f"{every(len(runtime), 'runtime dependency', 'runtime dependencies')} {agree(len(runtime), 'is', 'are')} imported or needed at run time."
    )


# -- pip installs in Dockerfiles --------------------------------------------------------------------

# the installer's own tooling, upgraded before the real installs: not what the service runs on
_TOOLING = frozenset({"pip", "setuptools", "wheel"})
# a name, extras, `==` or `===` and a version: no two parts can match the same characters
_EXACT = lazy(r"^[A-Za-z0-9._-]+(?:\[[A-Za-z0-9._, -]*\])?\s*===?\s*[^=<>!~*,;\s]+$")


def _pinned(spec: str) -> bool | None:
    """Whether one argument of pip install names an exact version: a local path, an archive or a
    VCS or URL reference at a ref counts as pinned; a variable cannot be read (None)."""
    if "$" in spec:
        return None
    if "://" in spec:  # a URL: pinned at a ref (`@v1.2`, `@<sha>`) or as a file
        return "@" in spec.split("://", 1)[1] or spec.endswith((".whl", ".tar.gz", ".zip"))
    if "/" in spec or spec.startswith((".", "~")) or spec.endswith((".whl", ".tar.gz", ".zip", ".tgz")):
        return True  # a local folder, wheel or archive: what the build context holds
    return bool(_EXACT.match(spec.split(";", 1)[0]))


@check(
    id="dockerfile-pip-pinned",
    title="Packages installed by name in Dockerfiles pinned",
    category="dependencies",
    severity=Severity.MEDIUM,
    level=Level.SILVER,
    applies_when="a Dockerfile installs Python packages by name",
    remediation="Pin each package to an exact version (`pip install gunicorn==23.0.0`), or install from a pinned requirements file.",
)
def dockerfile_pip_pinned(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That every package a Dockerfile's `RUN` installs by name with pip (`pip2`, `pip3.x`,
    `python -m pip`, `uv pip`) or pipx carries an exact version (`==` or `===`). Installs from a
    requirements or constraints file (`-r`, `-c`), local paths, wheels and archives are judged
    elsewhere or are fixed by nature; pip's own tooling (pip, setuptools, wheel) is left alone, but
    not uv or pipx, whose release decides how everything after them is resolved. Packages named through a build variable (`pip install $PACKAGES`) cannot be read: with
    nothing unpinned besides them the check is undecided (missing evidence), never a pass. Peer:
    hadolint DL3013.

    Differs from hadolint DL3013 on purpose: a range (`>=0.7`, `<0.7`, `!=0.7`, `~=1.2`) passes there;
    here it is not a pin, as in `dependencies-pinned`: two builds a week apart get different code.

    ## Why it matters
    `RUN pip install torch transformers` builds a different image every time a release comes out:
    the image that passed review is not the one that ships, and a bad release breaks the service
    without a single change in the repository.

    ## How to fix
    Pin the version in the Dockerfile, or move the packages into the pinned requirements file the
    image installs.

    ## Example
    ```dockerfile
    RUN pip install --no-cache-dir gunicorn==23.0.0 uvicorn[standard]==0.32.0
    ```
    """
    hits: list[Hit] = []
    unsure: list[Hit] = []
    judged = 0
    for df in facts.docker.dockerfiles:
        for stage in df.stages:
            for ins in stage.instructions:
                if ins.cmd != "RUN" or "install" not in ins.text:
                    continue
                for install in pip_installs(ins.text):
                    named = [
                        r
                        for r in install.requirements
                        if canonical_name(re.split(r"[\[=<>!~;@ ]", r, maxsplit=1)[0]) not in _TOOLING
                    ]
                    judged += bool(named)
                    loose = [r for r in named if _pinned(r) is False and not install.files]
                    if not install.files and any(_pinned(r) is None for r in named):
                        # `pip install $PACKAGES`: what it installs is decided at build time, not here
                        message = (
                            "Packages named through a build variable: their versions cannot be read here."
                        )
                        unsure.append(Hit(message, (at(df.path, ins.line),)))
                    if loose:
                        shown = ", ".join(f"`{r}`" for r in loose[:5]) + (" ..." if len(loose) > 5 else "")
                        hits.append(
                            Hit(
                                f"{shown} {agree(len(loose), 'is', 'are')} installed without an exact version.",
                                (at(df.path, ins.line),),
                            )
                        )
    # a Dockerfile that could not be read is an error here too, never a silent not-applicable
    return conclude(
        hits,
        facts.docker.errors,
        what="Dockerfile",
        ok=f"{every(judged, 'pip install')} in Dockerfiles {agree(judged, 'pins', 'pin')} every package it names.",
        bad="pip installs without exact versions",
        judged=bool(judged),
        nothing="No Dockerfile installs Python packages by name.",
        unsure=unsure,
    )
