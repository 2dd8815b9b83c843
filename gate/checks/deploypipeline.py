"""Deployments the repository automates: to staging and production through GitHub environments, and with
a progressive strategy (canary, blue-green) where the manifests declare one.

A go-live checklist asks "Automated deployment to staging", "Canary deployments", "Blue-green
deployments". One check reads the workflows and the manifests; which aspects it asks for comes from the
team's config or, for a checklist line, from the line's own words (gate/thresholds.py).
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from gate.checks.base import Decision, Hit, at, check, failed, not_applicable, passed
from gate.facts import Facts
from gate.facts.workflows import Job, Workflow
from gate.lazyre import lazy
from gate.model import Level, Severity

DeployAspect = Literal["staging", "production", "canary", "blue-green", "progressive"]
NAMES: dict[DeployAspect, str] = {
    "staging": "an automated deployment to a staging environment",
    "production": "an automated deployment to a production environment",
    "canary": "a canary rollout",
    "blue-green": "a blue-green rollout",
    "progressive": "a canary or blue-green rollout",
}
_ASKED: tuple[tuple[DeployAspect, re.Pattern[str]], ...] = (
    ("staging", lazy(r"(deploy\w*|deployment) to staging|staging deploy", re.I)),
    ("production", lazy(r"(deploy\w*|deployment) to production|production deploy", re.I)),
    ("canary", lazy(r"canary", re.I)),
    ("blue-green", lazy(r"blue[- /]?green", re.I)),
)
_ENVIRONMENTS: dict[DeployAspect, re.Pattern[str]] = {
    "staging": lazy(r"^(stag\w*|pre-?prod\w*|uat|qa)$", re.I),
    "production": lazy(r"^(prod\w*|live)$", re.I),
}
_AUTOMATIC = frozenset({"push", "workflow_run", "release", "schedule"})
"""Triggers that deploy without a person starting the run (workflow_dispatch alone is manual)."""


def asked_deploy_aspects(text: str) -> tuple[DeployAspect, ...]:
    """The aspects a line names ("Automated deployment to staging": staging). A bare "Deploy to
    staging" in a go-live list is the act of deploying, which only an automated deployment answers."""
    asked = tuple(a for a, rx in _ASKED if rx.search(text))
    # "Blue-green or canary deployment": either one answers the line
    if "canary" in asked and "blue-green" in asked and re.search(r"\bor\b", text, re.I):
        return (*(a for a in asked if a not in ("canary", "blue-green")), "progressive")
    return asked


class DeployOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    aspects: tuple[DeployAspect, ...] = ()
    """What the deployment pipeline must show. None by default: a checklist line asks for its own."""


def _environment(job: Job) -> str:
    env: Any = job.data.get("environment")
    if isinstance(env, dict):
        env = env.get("name")
    return str(env) if env is not None else ""


def _deploys(workflows: tuple[Workflow, ...], aspect: DeployAspect) -> tuple[Workflow, Job] | None:
    for wf in workflows:
        if not (wf.triggers & _AUTOMATIC):
            continue
        for job in wf.jobs:
            if _ENVIRONMENTS[aspect].match(_environment(job)):
                return wf, job
    return None


_ROLLOUT_KEYS: dict[str, tuple[str, ...]] = {
    "canary": ("canary",),
    "blue-green": ("blueGreen",),
    "progressive": ("canary", "blueGreen"),
}
"""An Argo Rollout's strategy keys that answer each aspect."""


def _strategy(facts: Facts, aspect: DeployAspect) -> str | None:
    """A progressive rollout declared in the manifests: Argo Rollouts or Flagger."""
    keys = _ROLLOUT_KEYS[aspect]
    for m in facts.kubernetes.of_kind("Rollout"):
        strategy = (m.data.get("spec") or {}).get("strategy") or {}
        if isinstance(strategy, dict) and any(k in strategy for k in keys):
            return f"Argo Rollout {m.name} ({m.path}:{m.line})"
    if aspect in ("canary", "progressive"):
        for m in facts.kubernetes.of_kind("Canary"):
            if "flagger" in str(m.data.get("apiVersion", "")):
                return f"Flagger Canary {m.name} ({m.path}:{m.line})"
    return None


@check(
    id="deploy-pipeline",
    title="Deployments automated the way asked for",
    category="ci-cd",
    severity=Severity.LOW,
    level=Level.GOLD,
    applies_when="the config or a checklist line names an aspect of deploying",
    remediation="Add a deploy job with `environment: staging` (and production) to a workflow that runs on push or release, or declare an Argo Rollout / Flagger Canary.",
    options=DeployOptions,
)
def deploy_pipeline(facts: Facts, options: DeployOptions) -> Decision:
    """
    ## What it checks
    For each aspect asked for: a workflow that runs by itself (on push, release, a schedule or another
    workflow's completion; not only by hand) and has a job deploying to a GitHub environment named for
    staging (staging, pre-prod, uat, qa) or production (production, prod, live); a canary or blue-green
    rollout declared as an Argo Rollout strategy or a Flagger Canary.

    Whether the last deployment succeeded is not read here: that is the deployment's status in GitHub,
    not the repository.

    No aspect is asked by default. A checklist line names its own ("Automated deployment to production"
    asks for the production job).

    ## Why it matters
    A release deployed by hand from a laptop is the one nobody can repeat at 3 a.m.; a canary limits the
    damage of the model that looked fine offline.

    ## How to fix
    Give the deploy job an environment (with its protection rules) and trigger it on push to main or on
    release.

    ## Example
    ```yaml
    on:
      push: {branches: [main]}
    jobs:
      deploy-staging:
        environment: staging
        runs-on: ubuntu-24.04
        steps:
          - run: ./deploy.sh staging
    ```
    """
    if not options.aspects:
        return not_applicable("No aspect of deploying is asked for (options.aspects, or a checklist line).")
    found: list[str] = []
    missing: list[str] = []
    hits: list[Hit] = []
    workflows = facts.workflows.ci
    for aspect in dict.fromkeys(options.aspects):
        if aspect in ("staging", "production"):
            deploy = _deploys(workflows, aspect)
            if deploy is not None:
                wf, job = deploy
                found.append(
                    f"{NAMES[aspect]}: job {job.id} ({wf.path}:{job.line}, environment {_environment(job)})"
                )
                continue
        elif (where := _strategy(facts, aspect)) is not None:
            found.append(f"{NAMES[aspect]}: {where}")
            continue
        missing.append(NAMES[aspect])
        place = (
            at(workflows[0].path)
            if workflows and aspect in ("staging", "production")
            else at(".github/workflows")
        )
        if aspect in ("canary", "blue-green", "progressive"):
            place = at(facts.kubernetes.manifests[0].path) if facts.kubernetes.manifests else at("k8s")
        hits.append(Hit(f"No {NAMES[aspect]}.", (place,)))
    if hits:
        return failed(f"Missing: {', '.join(missing)}.", *hits)
    return passed("Deploying: " + "; ".join(found) + ".")
