"""Operational documentation checks: the pages someone needs to deploy, operate and roll back the service.

They read Markdown and reStructuredText at the root, in docs/, doc/, ops/, runbooks/ and .github/,
by file name and by heading or mention; the README's own sections count where they fit.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

from gate.checks.base import Decision, Hit, NoOptions, at, check, failed, not_applicable, passed
from gate.checks.servicecode import no_application
from gate.facts import Facts
from gate.lazyre import lazy
from gate.model import Level, Outcome, Severity


def _readme_heading(facts: Facts, pattern: str) -> str | None:
    readme = facts.docs.readme
    if readme is None:
        return None
    for h in readme.headings:
        if re.search(pattern, h.text, re.IGNORECASE):
            return f"{readme.path}:{h.line} ({h.text})"
    return None


def _doc_or_heading(facts: Facts, name: str, heading: str, missing: str, where: str) -> Decision:
    files = facts.docs.named(name)
    if files:
        return passed(f"Found {', '.join(d.path for d in files[:3])}.")
    for doc in facts.docs.documents:
        for h in doc.headings:
            if re.search(heading, h.text, re.IGNORECASE) and doc.has_section(h):
                return passed(f"Section {h.text!r} in {doc.path}:{h.line}.")
    return failed(missing, Hit(missing, (at(where),)))


@check(
    id="api-docs-present",
    title="API documentation present",
    category="documentation",
    severity=Severity.LOW,
    level=Level.SILVER,
    applies_when="the repository has a web application",
    remediation="Keep FastAPI's /docs enabled, commit an OpenAPI file, or write docs/API.md with request and response examples.",
    seeds=(
        "API documentation accessible (`/docs`)",
        "API documentation with examples",
        "API documentation generated",
    ),
)
def api_docs_present(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That the API is documented: an OpenAPI/Swagger file in the repository, a FastAPI application that
    still serves its generated docs (not created with `openapi_url=None`, or with both `docs_url` and
    `redoc_url` set to None), a document named like API*.md, or a README section about the API or
    its endpoints.

    ## Why it matters
    Client teams integrate against the documented contract; without one they guess field names and
    units from a curl someone once pasted into chat.

    ## How to fix
    Leave FastAPI's docs on (behind auth if needed), or commit the OpenAPI document.

    ## Example
    ```python
    app = FastAPI(title="theft-risk", version="1.4.2")   # serves /docs and /openapi.json
    ```
    """
    if not facts.routes.apps:
        return no_application(facts)
    if facts.docs.openapi_files:
        return passed(f"OpenAPI document: {', '.join(facts.docs.openapi_files)}.")
    if facts.routes.served_docs:
        module, line = facts.routes.served_docs[0]
        return passed(f"FastAPI serves its generated docs ({module}:{line}).")
    if files := facts.docs.named(r"^api[\w-]*\.(md|rst)$"):
        return passed(f"API document: {files[0].path}.")
    if section := _readme_heading(facts, r"\b(api|endpoints?)\b"):
        return passed(f"README section {section}.")
    module, line, _ = facts.routes.apps[0]
    return failed(
        "The API is not documented.",
        Hit("No OpenAPI file, served docs, API document or README API section.", (at(module, line),)),
    )


@check(
    id="deployment-guide-present",
    title="Deployment guide present",
    category="documentation",
    severity=Severity.LOW,
    level=Level.SILVER,
    applies_when="always",
    remediation="Write DEPLOYMENT.md (or a README Deployment section): build, configure, deploy, verify.",
    seeds=("Deployment procedures documented",),
)
def deployment_guide_present(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That deployment is documented: a document named DEPLOY*.md / DEPLOYMENT*.md, or a section whose
    heading mentions deployment, with at least two lines of its own, in the README or another
    document.

    ## Why it matters
    The release is done by whoever is on shift, not by the author; written steps are what makes two
    deployments the same.

    ## How to fix
    Write the steps down: image build, configuration, rollout command, how to verify.

    ## Example
    ```markdown
    ## Deployment
    1. `docker build -t theft-risk:$VERSION .` ...
    ```
    """
    return _doc_or_heading(facts, r"^deploy", r"\bdeploy", "No deployment guide.", "DEPLOYMENT.md")


@check(
    id="runbook-present",
    title="Operations runbook present",
    category="operations",
    severity=Severity.LOW,
    level=Level.GOLD,
    applies_when="always",
    remediation="Write RUNBOOK.md: what alerts mean, how to restart, scale, roll back, and whom to call.",
    seeds=(
        "Operations runbook is available",
        "Runbooks for common operations created",
        "Runbooks created for common issues",
        "Runbook for common issues",
    ),
)
def runbook_present(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That an operations runbook exists: a document named RUNBOOK*, OPERATIONS* or PLAYBOOK*, a file
    under runbooks/, or a section headed runbook, operations, incident or troubleshooting with at
    least two lines of its own (a one-line pointer to another file is not the runbook).

    ## Why it matters
    At 3 a.m. the person paged did not write the service; the runbook is the difference between a
    ten-minute and a three-hour incident.

    ## How to fix
    Start with the alerts you have and the first three things to check for each.

    ## Example
    ```markdown
    ## High latency alert
    1. Check the model load time in the /health response ...
    ```
    """
    return _doc_or_heading(
        facts,
        r"^(runbook|operations|playbook)",
        r"\b(runbook|operations|incident|troubleshoot)",
        "No runbook.",
        "RUNBOOK.md",
    )


@check(
    id="rollback-documented",
    title="Rollback procedures documented",
    category="operations",
    severity=Severity.MEDIUM,
    level=Level.SILVER,
    applies_when="always",
    remediation="Document how to return to the previous version (image tag, model file, migrations) and test it.",
    seeds=("Rollback procedures documented", "Rollback plan documented", "Rollback procedure"),
)
def rollback_documented(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That some document explains rolling back: a heading or a line mentioning rollback or "roll back"
    in the README or the documentation folders.

    ## Why it matters
    A bad model version is found in production; how fast it is undone depends on whether the steps
    exist before they are needed.

    ## How to fix
    Write the rollback steps next to the deployment steps.

    ## Example
    ```markdown
    ## Rollback
    `kubectl rollout undo deployment/theft-risk`, then restore `models/` from the previous release.
    ```
    """
    found = facts.docs.mentioning(r"roll ?back")
    if found:
        doc, line = found[0]
        return passed(f"Rollback described in {doc.path}:{line}.")
    return failed(
        "Rolling back is not documented.", Hit("No document mentions rolling back.", (at("DEPLOYMENT.md"),))
    )


class ChangelogOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    current: bool = False
    """The change log must have an entry for the version being released ("Release notes published")."""


_SEMVER = lazy(r"(?<![\w.])v?(\d+\.\d+(?:\.\d+)?(?:[-+.][\w.]+)?)(?![\w.])")


def released_versions(facts: Facts) -> list[tuple[str, str]]:
    """(version, where it is declared) for the release: the package's own version, the tag of the image
    the repository builds, the model's version in its metadata."""
    found: list[tuple[str, str]] = list(facts.dependencies.package_versions)
    built = {svc.name: svc for svc in facts.compose.services if svc.dockerfile}
    for svc in built.values():
        image = str(svc.config.get("image") or "")
        tag = image.rsplit(":", 1)[-1] if ":" in image.rsplit("/", 1)[-1] else ""
        if _SEMVER.fullmatch(tag):
            found.append((tag.lstrip("v"), f"{svc.where('image')[0]} ({svc.name})"))
    for f in facts.model_meta.metadata:
        data = f.data if isinstance(f.data, dict) else {}
        for holder in (data, data.get("model") if isinstance(data.get("model"), dict) else {}):
            version = holder.get("version") if isinstance(holder, dict) else None
            if isinstance(version, str | int | float) and _SEMVER.fullmatch(str(version)):
                found.append((str(version).lstrip("v"), f.path))
    return list(dict.fromkeys(found))


@check(
    id="changelog-present",
    title="Changelog present",
    category="documentation",
    severity=Severity.INFO,
    level=Level.GOLD,
    applies_when="always",
    remediation="Keep a CHANGELOG.md with one entry per release (model version changes included).",
    options=ChangelogOptions,
)
def changelog_present(facts: Facts, options: ChangelogOptions) -> Decision:
    """
    ## What it checks
    That the repository keeps a change log: CHANGELOG, CHANGES, HISTORY, NEWS or RELEASE_NOTES
    (.md or .rst). With `current` ("Release notes published" in a checklist line), one of its headings
    must name the version being released: the package's version in pyproject.toml, the tag of an image
    a compose service builds, or the model's version in its metadata (no version declared anywhere:
    missing evidence).

    ## Why it matters
    When predictions shift, the first question is what changed and when: the model, the features or
    the code.

    ## How to fix
    Add the file and an entry per release.

    ## Example
    ```markdown
    ## 1.4.2 - 2026-11-02
    - Model retrained on October data (ROC-AUC 0.953)
    ```
    """
    files = facts.docs.named(r"^(changelog|changes|history|news|release[_-]?notes)\.")
    if files and options.current:
        versions = released_versions(facts)
        if not versions:
            return Decision(
                Outcome.MISSING_EVIDENCE,
                f"{files[0].path} is there, but no version is declared to look for in it (pyproject, an image tag, "
                "the model's metadata).",
            )
        entries = {v for doc in files for h in doc.headings for v in _SEMVER.findall(h.text)}
        listed = [(v, where) for v, where in versions if v in entries]
        if listed:
            return passed(f"{files[0].path} has an entry for {listed[0][0]} ({listed[0][1]}).")
        v, where = versions[0]
        return failed(
            f"{files[0].path} has no entry for the version released.",
            Hit(f"No heading names {v}, the version {where} declares.", (at(files[0].path),)),
        )
    if files:
        return passed(f"Change log: {files[0].path}.")
    return failed("No change log.", Hit("No CHANGELOG.md or equivalent.", (at("CHANGELOG.md"),)))


@check(
    id="security-policy-present",
    title="Security policy documented",
    category="compliance",
    severity=Severity.INFO,
    level=Level.GOLD,
    applies_when="always",
    remediation="Add SECURITY.md saying how to report a vulnerability and who responds.",
)
def security_policy_present(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That a SECURITY.md exists at the root, in .github/ or in docs/ (GitHub shows it on the
    repository's Security tab).

    ## Why it matters
    Whoever finds a hole needs to know where to report it privately instead of in a public issue.

    ## How to fix
    Add the file with a contact and the supported versions.

    ## Example
    ```markdown
    # Security
    Report vulnerabilities to security@example.com; we answer within two working days.
    ```
    """
    files = facts.docs.named(r"^security\.(md|rst)$")
    if files:
        return passed(f"Security policy: {files[0].path}.")
    return failed("No security policy.", Hit("No SECURITY.md.", (at("SECURITY.md"),)))


@check(
    id="codeowners-present",
    title="CODEOWNERS file present",
    category="operations",
    severity=Severity.LOW,
    level=Level.SILVER,
    applies_when="always",
    remediation="Add .github/CODEOWNERS naming the team that must review changes (and require code-owner review).",
)
def codeowners_present(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That a CODEOWNERS file exists (root, .github/ or docs/), so GitHub requests reviews from the
    owning team automatically.

    ## Why it matters
    "Code reviewed by team member" only holds when review is routed to someone who knows the model
    and the service; CODEOWNERS plus branch protection enforces it.

    ## How to fix
    Add the file and enable "Require review from Code Owners".

    ## Example
    ```text
    *           @example/ml-platform
    /models/    @example/data-science
    ```
    """
    if facts.docs.codeowners:
        return passed(f"Code owners: {facts.docs.codeowners[0]}.")
    return failed("No CODEOWNERS file.", Hit("No CODEOWNERS file.", (at(".github/CODEOWNERS"),)))


@check(
    id="readme-configuration-section",
    title="README documents configuration",
    category="documentation",
    severity=Severity.LOW,
    level=Level.SILVER,
    applies_when="the repository has a README",
    remediation="Add a Configuration section to the README listing the settings and their defaults.",
)
def readme_configuration_section(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That the README has a section about configuration: a heading mentioning configuration, settings,
    environment or variables.

    ## Why it matters
    The .env.example says which variables exist; the README says what they do and which values are
    safe in production.

    ## How to fix
    Add the section.

    ## Example
    ```markdown
    ## Configuration
    | Variable | Default | Meaning |
    ```
    """
    if facts.docs.readme is None:
        return not_applicable("No README.")
    if section := _readme_heading(facts, r"(config|settings|environment|variables)"):
        return passed(f"README section {section}.")
    return failed(
        "The README has no configuration section.",
        Hit("No configuration section in the README.", (at(facts.docs.readme.path, 1),)),
    )


@check(
    id="readme-deployment-section",
    title="README explains deployment",
    category="documentation",
    severity=Severity.INFO,
    level=Level.GOLD,
    applies_when="the repository has a README",
    remediation="Add a Deployment section to the README, or link the deployment guide from it.",
)
def readme_deployment_section(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That the README has a section about deployment (a heading mentioning deploy, production,
    release or docker), or links a deployment guide.

    ## Why it matters
    The README is where a newcomer starts; it should say how the service reaches production, even
    if the details live elsewhere.

    ## How to fix
    Add the section or the link.

    ## Example
    ```markdown
    ## Deployment
    See [DEPLOYMENT.md](DEPLOYMENT.md).
    ```
    """
    if facts.docs.readme is None:
        return not_applicable("No README.")
    if section := _readme_heading(facts, r"(deploy|production|release|docker)"):
        return passed(f"README section {section}.")
    return failed(
        "The README has no deployment section.",
        Hit("No deployment section in the README.", (at(facts.docs.readme.path, 1),)),
    )
