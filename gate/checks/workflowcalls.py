"""Calls to reusable workflows, and what the caller hands over with them."""

from __future__ import annotations

from gate.checks.base import Decision, Hit, NoOptions, at, check, conclude
from gate.facts import Facts
from gate.model import Level, Severity
from gate.wording import agree, every


@check(
    id="workflow-secrets-not-inherited",
    title="Reusable workflows get only the secrets they need",
    category="ci-cd",
    severity=Severity.MEDIUM,
    level=Level.SILVER,
    applies_when="a workflow calls a reusable workflow",
    remediation="Replace `secrets: inherit` with the secrets the called workflow uses: `secrets: {PYPI_TOKEN: ${{ secrets.PYPI_TOKEN }}}`.",
)
def workflow_secrets_not_inherited(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That no job calling a reusable workflow (`jobs.<id>.uses`) passes `secrets: inherit`, which hands
    the called workflow every secret of the repository, the deploy keys and registry tokens included.
    Peer: zizmor secrets-inherit.

    ## Why it matters
    The called workflow (often in another repository, at a branch that moves) then holds the model
    registry's write token and the cloud credentials whether it needs them or not; one compromised
    step there reads them all.

    ## How to fix
    Name each secret the called workflow declares under `on.workflow_call.secrets`.

    ## Example
    ```yaml
    jobs:
      publish:
        uses: ./.github/workflows/publish-model.yml
        secrets:
          REGISTRY_TOKEN: ${{ secrets.REGISTRY_TOKEN }}
    ```
    """
    hits: list[Hit] = []
    judged = 0
    for wf in facts.workflows.ci:
        for job in wf.jobs:
            if not job.uses:
                continue
            judged += 1
            if job.data.get("secrets") == "inherit":
                line = wf.line_at("jobs", job.id, "secrets")
                hits.append(Hit(f"Job {job.id} hands every secret to `{job.uses}`.", (at(wf.path, line),)))
    return conclude(
        hits,
        facts.workflows.errors,
        what="workflow file",
        ok=f"{every(judged, 'reusable workflow call')} {agree(judged, 'names', 'name')} the secrets it passes.",
        bad="Reusable workflows given every secret",
        judged=bool(judged),
        nothing="No workflow calls a reusable workflow.",
    )
