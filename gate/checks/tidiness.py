"""The service's code is tidy in the two ways a checklist names: no unused imports or variables, and
consistent (PEP 8) naming.

A go-live checklist asks "No unused imports or variables", "Consistent naming conventions". The code is
read here (gate/facts/lint.py), so the answer does not depend on which linter CI runs or how it is
configured; which aspect a line asks for comes from its own words (gate/thresholds.py).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict

from gate.checks.base import Decision, Hit, at, check, failed, not_applicable, passed
from gate.facts import Facts
from gate.lazyre import lazy
from gate.model import Level, Severity
from gate.wording import count

TidyAspect = Literal["unused", "naming"]
NAMES: dict[TidyAspect, str] = {
    "unused": "no unused imports or variables",
    "naming": "PEP 8 names (CapWords classes, lower_case functions and arguments)",
}
_KINDS: dict[TidyAspect, tuple[str, ...]] = {
    "unused": ("unused-import", "unused-variable"),
    "naming": ("class-name", "function-name", "argument-name"),
}
_SAID = {
    "unused-import": "{name} is imported and never used.",
    "unused-variable": "{name} is assigned and never read.",
    "class-name": "class {name} is not in CapWords.",
    "function-name": "function {name} is not in lower_case.",
    "argument-name": "argument {name} is not in lower_case.",
}
_ASKED: tuple[tuple[TidyAspect, re.Pattern[str]], ...] = (
    ("unused", lazy(r"\bunused\b|dead imports?", re.I)),
    ("naming", lazy(r"naming conventions?|consistent naming|pep ?8 nam", re.I)),
)
_SHOWN = 30


def asked_tidiness(text: str) -> tuple[TidyAspect, ...]:
    return tuple(a for a, rx in _ASKED if rx.search(text))


class TidyOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    aspects: tuple[TidyAspect, ...] = ()
    """What tidiness to judge. None by default: a checklist line asks for its own."""


@check(
    id="code-tidy",
    title="No unused code, consistent names",
    category="code-quality",
    severity=Severity.INFO,
    level=Level.GOLD,
    applies_when="the config or a checklist line names unused code or naming conventions",
    remediation="Remove what is unused and rename what breaks PEP 8 (ruff check --select F401,F841,N fixes or lists them).",
    options=TidyOptions,
)
def code_tidy(facts: Facts, options: TidyOptions) -> Decision:
    """
    ## What it checks
    In the service's and the training code's modules (tests aside), for each aspect asked for:

    - **unused**: no module-level import that the module never uses (a package's `__init__.py`, `import
      x as x` and names listed in `__all__` or string annotations count as used), and no local variable
      assigned with a plain `=` (or `with ... as`) and never read in its function (pyflakes F401, F841);
    - **naming**: classes in CapWords, functions, methods and arguments in lower_case (pep8-naming
      N801, N802, N803), methods that unittest or ast.NodeVisitor call by name aside.

    No aspect is asked by default. A checklist line names its own ("No unused imports or variables").

    ## Why it matters
    An unused import is a dependency that still has to install and be audited; a variable assigned and
    never read is often the line where a bug hides (the result computed, then the old one returned).

    ## How to fix
    Remove or rename what the report lists.

    ## Example
    ```toml
    # pyproject.toml: keep it that way in CI
    [tool.ruff.lint]
    extend-select = ["F401", "F841", "N"]
    ```
    """
    if not options.aspects:
        return not_applicable("No tidiness is asked for (options.aspects, or a checklist line).")
    lint = facts.lint
    if not lint.modules:
        return not_applicable("No service or training code to read.")
    hits: list[Hit] = []
    missing: list[str] = []
    found: list[str] = []
    for aspect in dict.fromkeys(options.aspects):
        untidy = lint.of(*_KINDS[aspect])
        if untidy:
            missing.append(f"{NAMES[aspect]} ({count(len(untidy), 'place')})")
            hits.extend(
                Hit(_SAID[u.kind].format(name=u.name), (at(u.path, u.line),)) for u in untidy[:_SHOWN]
            )
        else:
            found.append(NAMES[aspect])
    if hits:
        return failed(f"Not met: {', '.join(missing)}.", *hits)
    return passed(f"In {count(lint.modules, 'module')}: " + "; ".join(found) + ".")
