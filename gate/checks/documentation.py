"""Documentation checks: the README a new teammate reads first, and the licence."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

from gate.checks.base import Decision, Hit, NoOptions, at, check, failed, passed
from gate.facts import Facts
from gate.model import Level, Severity


class ReadmeOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    install_headings: tuple[str, ...] = (
        r"install",
        r"setup",
        r"set up",
        r"getting started",
        r"quick ?start",
        r"requirements",
        r"prerequisites",
    )
    usage_headings: tuple[str, ...] = (
        r"usage",
        r"how to use",
        r"\brun",
        r"quick ?start",
        r"examples?",
        r"\bapi\b",
        r"endpoints",
        r"deploy",
    )


def _find(patterns: tuple[str, ...], texts: list[tuple[str, int]]) -> int | None:
    for text, line in texts:
        if any(re.search(p, text, re.IGNORECASE) for p in patterns):
            return line
    return None


@check(
    id="readme-present",
    title="README with install and run steps",
    category="documentation",
    severity=Severity.LOW,
    level=Level.BRONZE,
    applies_when="always",
    remediation="Add a README.md at the repository root with an Installation section and a Usage section.",
    options=ReadmeOptions,
    seeds=("README.md complete and current",),
)
def readme_present(facts: Facts, options: ReadmeOptions) -> Decision:
    """
    ## What it checks
    That the repository root has a README (README.md, README.rst, README.txt or README) with a section
    on installing the service and a section on using it, recognised by their headings (Markdown,
    setext or reStructuredText; "```git clone ...```" on one line is inline code, not a fence), or
    else by the steps themselves, so that a README in any language counts: a line that installs
    (`pip install`, `poetry install`, `uv sync`, `conda env create`, `docker build`, `make install`)
    and one that runs or calls the service (`uvicorn app:app`, `gunicorn`, `flask run`,
    `python app.py`, `docker run`, `docker compose up`, `kubectl apply`, `curl` on a URL).

    ## Why it matters
    The README is the first page an on-call engineer opens. Without install and usage steps, nobody but
    the author can start the service, and every seed checklist asks for it before go-live.

    ## How to fix
    Add the missing sections. The headings that count are configurable with the `install_headings` and
    `usage_headings` options (regular expressions, matched case-insensitively).

    ## Example
    ```markdown
    # Fraud scoring service
    ## Installation
    pip install -r requirements.txt
    ## Usage
    uvicorn app.main:app --port 8000
    ```
    """
    readme = facts.docs.readme
    if readme is None:
        return failed(
            "No README at the repository root.",
            Hit("No README file at the repository root.", (at("README.md"),)),
        )
    texts = [(h.text, h.line) for h in readme.headings]
    # a heading in the configured words, or else the steps themselves (a README in Portuguese or
    # Russian installs with the same `pip install`)
    install = _find(options.install_headings, texts) or readme.install_command
    usage = _find(options.usage_headings, texts) or readme.run_command
    missing = [name for name, line in (("install", install), ("usage", usage)) if line is None]
    if missing:
        what = " and ".join(missing)
        return failed(
            f"{readme.path} has no {what} section.",
            Hit(f"{readme.path} has no {what} section (no heading matches).", (at(readme.path, 1),)),
        )
    return passed(f"{readme.path} has install (line {install}) and usage (line {usage}) sections.")


@check(
    id="license-present",
    title="License file present",
    category="documentation",
    severity=Severity.LOW,
    level=Level.SILVER,
    applies_when="always",
    remediation="Add a LICENSE file at the repository root (for internal code, state the proprietary terms).",
    seeds=("License chosen and documented",),
)
def license_present(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That a non-empty licence file is at the repository root: LICENSE, LICENCE, COPYING or UNLICENSE,
    in any case, plain or with .md, .txt or .rst, and variants such as LICENSE-MIT or LICENSE-APACHE.

    ## Why it matters
    Without a licence nobody, inside the company or out, knows on what terms the code and the model
    may be used, copied or shipped; legal review of a launch asks for it first.

    ## How to fix
    Add a LICENSE file. For internal services a short proprietary notice is enough.

    ## Example
    ```text
    LICENSE
    Copyright (c) 2026 Example Corp. All rights reserved.
    ```
    """
    if facts.docs.licenses:
        return passed(f"Licence file: {', '.join(facts.docs.licenses)}.")
    return failed(
        "No licence file at the repository root.",
        Hit("No LICENSE, LICENCE or COPYING file at the root.", (at("LICENSE"),)),
    )
