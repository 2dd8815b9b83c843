"""What CI exercises beyond the unit tests: the built image started and answered, the compose stack
brought up, the requirements installed on a fresh runner, the image scanned and pushed with credentials,
the infrastructure templates validated, the model retrained on a schedule, a dynamic security scan.

A go-live checklist asks "Container starts successfully", "docker-compose.yml tested locally",
"Virtual environment created and tested", "Image pushed to registry", "Bicep/Terraform templates
validated", "Retraining schedule defined". A machine that is not the developer's (the CI runner) doing
it on every change is the evidence a reviewer can check; "locally" in a line is where the author did it,
the runner is where it is repeatable. One check reads the workflows (and the repository's own scripts
and Makefile targets they run); which aspects it asks for comes from the team's config or, for a
checklist line, from the line's own words (gate/thresholds.py). Under the Action the job's result on the
head commit is read too: a job that failed fails the aspect.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal

from pydantic import BaseModel, ConfigDict

from gate.checks.base import Decision, Hit, at, check, failed, not_applicable, passed
from gate.checks.jobresults import FAILED, job_result, results_read
from gate.facts import Facts
from gate.facts.signals import AnyOf, Finder, Then
from gate.facts.workflows import Job, Step, Workflow, on_section
from gate.lazyre import lazy
from gate.model import Level, Severity

Exercise = Literal[
    "container",
    "container-model",
    "container-predict",
    "compose",
    "fresh-install",
    "image-scan",
    "registry-push",
    "registry-login",
    "iac-validate",
    "retraining",
    "dast",
]
NAMES: dict[Exercise, str] = {
    "container": "the built image started and requested in CI",
    "container-model": "the started image asked whether its model loaded",
    "container-predict": "the started image asked for a prediction",
    "compose": "the compose stack brought up and requested in CI",
    "fresh-install": "the requirements installed on a fresh runner and the tests run there",
    "image-scan": "the image scanned in CI, failing the build on findings",
    "registry-push": "the image pushed to a registry by CI",
    "registry-login": "registry credentials from the CI's secrets",
    "iac-validate": "the infrastructure templates validated in CI",
    "retraining": "a scheduled retraining job",
    "dast": "a dynamic security scan (OWASP ZAP) against the running service",
}
_ASKED: tuple[tuple[Exercise, re.Pattern[str]], ...] = (
    (
        "container",
        lazy(r"dockerfile tested|container (starts|started|runs|tested)|image (runs|tested|starts)", re.I),
    ),
    ("container-model", lazy(r"^\W*model loads? (correctly|successfully)", re.I)),
    ("container-predict", lazy(r"^\W*predictions? (are )?working", re.I)),
    (
        "compose",
        lazy(
            r"(docker-?compose(\.ya?ml)?|compose (file|stack)) (is |was )?tested|orchestration tested"
            r"|all services (start|started|come up|run)",
            re.I,
        ),
    ),
    (
        "fresh-install",
        lazy(r"virtual ?env\w* (created|tested)|dependencies installed|fresh (environment|install)", re.I),
    ),
    (
        "image-scan",
        lazy(
            r"image scan\w*|(security|vulnerability) scan passed|docker scan"
            # "Container scanning", "Images scanned for vulnerabilities"
            r"|\b(images?|containers?) (security )?scan\w*|\b(images?|containers?) (are |is )?scanned",
            re.I,
        ),
    ),
    ("registry-push", lazy(r"pushed to (the |a )?(container |docker |image )?registry", re.I)),
    ("registry-login", lazy(r"registry credentials", re.I)),
    ("iac-validate", lazy(r"(bicep|terraform|arm|cloudformation|iac)\b.{0,30}\bvalidated", re.I)),
    ("retraining", lazy(r"retraining schedule|retrain\w* (scheduled|on a schedule)", re.I)),
    ("dast", lazy(r"owasp|dast\b|dynamic (application )?security", re.I)),
)


def asked_exercises(text: str) -> tuple[Exercise, ...]:
    return tuple(a for a, rx in _ASKED if rx.search(text))


class ExerciseOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    aspects: tuple[Exercise, ...] = ()
    """What CI must exercise. None by default: a checklist line asks for its own."""


# `a[^\n]*b` patterns are written as Then(a, b): linear on a hostile line (gate/facts/signals.py)
_BUILD = AnyOf(
    (
        lazy(
            r"\bdocker\s+(buildx\s+)?build\b|\bdocker[\s-]compose\s+build\b|\bpodman\s+build\b|\bbuildah\s+bud\b"
        ),
        Then(lazy(r"\bdocker[\s-]compose\s+up\b"), lazy(r"--build")),
    )
)
_BUILD_USES = lazy(r"^(docker/build-push-action|redhat-actions/buildah-build)")
_RUN_IMAGE = lazy(r"\bdocker\s+(container\s+)?run\b|\bpodman\s+run\b")
_COMPOSE_UP = Then(lazy(r"\bdocker[\s-]compose\b"), lazy(r"\s(up|run)\b"))
# a request to what was started: curl/wget/httpie/python against the local host, a wait on the compose
# healthchecks, or a test run pointed at the service
_REQUEST = AnyOf(
    (
        Then(
            lazy(r"\b(curl|wget|http|https|httpx|requests\.(get|post))\b"),
            lazy(r"localhost|127\.0\.0\.1|0\.0\.0\.0|\$\{?\w*(URL|HOST)\b"),
        ),
        Then(lazy(r"\bup\b"), lazy(r"\s--wait\b")),
        Then(lazy(r"\bdocker\s+(compose\s+)?exec\b"), lazy(r"\b(curl|wget|python)\b")),
        Then(lazy(r"\bpytest\b"), lazy(r"\b(smoke|e2e|integration|container)\b")),
    )
)
_INSTALL = lazy(
    r"\bpip3?\s+install\s+(-r\s+\S+|--requirement\s+\S+|-e\s+\.|\.(\[\S+\])?(\s|$))|\buv\s+(sync|pip\s+install\s+-r)\b"
    r"|\bpoetry\s+install\b|\bpipenv\s+(install|sync)\b|\bpdm\s+(install|sync)\b|\bhatch\s+env\s+create\b"
)
_TESTS = lazy(r"\b(pytest|py\.test|unittest|tox|nox|make\s+(test|check)|manage\.py\s+test)\b")
_SCAN = AnyOf(
    (
        Then(lazy(r"\btrivy(:\S+)?\s+(image|i)\b"), lazy(r"--exit-code\s+[1-9]")),
        Then(lazy(r"\bgrype\b"), lazy(r"--fail-on\b")),
        Then(lazy(r"\bdocker\s+scout\s+cves\b"), lazy(r"--exit-code")),
        lazy(r"\bsnyk\s+container\s+test\b"),
    )
)
_SCAN_USES = lazy(r"^(aquasecurity/trivy-action|anchore/scan-action|docker/scout-action|snyk/actions/docker)")
_PUSH = AnyOf(
    (
        lazy(
            r"\bdocker\s+(image\s+)?push\b|\bdocker[\s-]compose\s+push\b|\bpodman\s+push\b|\bbuildah\s+push\b"
            r"|\bcrane\s+push\b|\bskopeo\s+copy\b"
        ),
        Then(lazy(r"\bdocker\s+buildx\s+build\b"), lazy(r"--push\b")),
    )
)
_PUSH_USES = lazy(r"^(docker/build-push-action|redhat-actions/push-to-registry)")
_LOGIN = AnyOf(
    (
        Then(lazy(r"\bdocker\s+login\b"), lazy(r"--password-stdin")),
        lazy(r"\baws\s+ecr\s+get-login-password\b|\baz\s+acr\s+login\b"),
    )
)
_LOGIN_USES = lazy(
    r"^(docker/login-action|aws-actions/amazon-ecr-login|azure/docker-login|redhat-actions/podman-login)"
)
_SECRET = lazy(r"\$\{\{\s*(secrets\.|github\.token)")
_IAC = AnyOf(
    (
        Then(lazy(r"\bterraform\b"), lazy(r"\s(validate|plan)\b"), stop=";&|"),
        lazy(
            r"\btflint\b|\b(az\s+)?bicep\s+(build|lint)\b|\baz\s+deployment\s+\w+\s+(validate|what-if)\b"
            r"|\bcfn-lint\b|\baws\s+cloudformation\s+validate-template\b|\bcheckov\b|\btfsec\b|\btrivy\s+config\b"
        ),
    )
)
_IAC_USES = lazy(
    r"^(bridgecrewio/checkov-action|aquasecurity/tfsec-action|terraform-linters/setup-tflint|azure/arm-deploy)"
)
_TRAIN = lazy(r"\btrain\w*\.py\b|\bmake\s+train\b|-m\s+\S*train\w*|\bdvc\s+repro\b|\btrain(ing)?\b\s*$", re.M)
_DAST = lazy(r"\bzap-(baseline|full-scan|api-scan)\.py\b|\bnuclei\b")
_DAST_USES = lazy(r"^zaproxy/action-(baseline|full-scan|api-scan)")


def _texts(step: Step) -> Iterator[str]:
    if step.run:
        yield step.run
    for _, text in step.scripts:
        yield text


def _matches(step: Step, rx: Finder, uses: re.Pattern[str] | None = None) -> bool:
    if uses is not None and step.uses and uses.search(step.uses):
        return True
    return any(rx.search(t) for t in _texts(step))


def _jobs(workflows: tuple[Workflow, ...]) -> Iterator[tuple[Workflow, Job]]:
    for wf in workflows:
        for job in wf.jobs:
            yield wf, job


def _first(job: Job, rx: Finder, uses: re.Pattern[str] | None = None) -> Step | None:
    return next((s for s in job.steps if _matches(s, rx, uses)), None)


def _builds(wf: Workflow) -> bool:
    return any(_first(job, _BUILD, _BUILD_USES) is not None for job in wf.jobs)


_LOCAL_URL = lazy(r"\bhttps?://(?:localhost|127\.0\.0\.1|0\.0\.0\.0)(?::\d+)?(/[^\s'\"|)>]*)")
_SENDS_BODY = lazy(r"\s(-d|--data\S*|-F|--form|--json|-X\s*POST|--request\s+POST)\b|\bpost\(", re.I)


def _asks_the_image(
    facts: Facts, workflows: tuple[Workflow, ...], aspect: Exercise
) -> tuple[Workflow, Job, Step] | None:
    """A request, after the image or the stack was started, to a route that reports the model's state
    and whose answer the step reads (model-loads), or to a route that runs the model, with a body
    (predict)."""
    for wf, job in _jobs(workflows):
        started = False
        for step in job.steps:
            started = started or _matches(step, _RUN_IMAGE) or _matches(step, _COMPOSE_UP)
            if not started:
                continue
            for text in _texts(step):
                for line in text.splitlines():
                    for m in _LOCAL_URL.finditer(line):
                        route = facts.routes.serves(m.group(1) or "/")
                        if route is None:
                            continue
                        if aspect == "container-predict" and route.runs_model and _SENDS_BODY.search(line):
                            return wf, job, step
                        keys = facts.answers.keys.get((route.module, route.line), ())
                        read = [k for k in keys if "model" in k.lower() and k in text]
                        if aspect == "container-model" and read:
                            return wf, job, step
    return None


def _paired(
    workflows: tuple[Workflow, ...], first: Finder, then: Finder, *, built: bool = False
) -> tuple[Workflow, Job, Step] | None:
    """A job with a step matching `first` and, in it or a later step, one matching `then`; with
    `built`, only in a workflow that builds the image. A scanner run in a container is not a start.
    Read from the last step back, so that each step is matched once."""
    for wf, job in _jobs(workflows):
        if built and not _builds(wf):
            continue
        later, earliest = False, None
        for step in reversed(job.steps):
            later = later or _matches(step, then)
            if later and _matches(step, first) and not _matches(step, _SCAN):
                earliest = step
        if earliest is not None:
            return wf, job, earliest
    return None


def _anywhere(
    workflows: tuple[Workflow, ...], rx: Finder, uses: re.Pattern[str] | None = None
) -> tuple[Workflow, Job, Step] | None:
    for wf, job in _jobs(workflows):
        if (step := _first(job, rx, uses)) is not None:
            return wf, job, step
    return None


def _pushes(step: Step) -> bool:
    if step.uses and _PUSH_USES.search(step.uses) and step.uses.startswith("docker/build-push-action"):
        return str(step.with_.get("push", "false")).lower() not in ("false", "")
    return _matches(step, _PUSH, _PUSH_USES)


def _login(workflows: tuple[Workflow, ...]) -> tuple[tuple[Workflow, Job, Step] | None, Hit | None]:
    """A registry login whose password comes from the CI's secrets; or why a login found does not count."""
    for wf, job in _jobs(workflows):
        for step in job.steps:
            if step.uses and _LOGIN_USES.search(step.uses):
                password = str(step.with_.get("password", ""))
                if step.uses.startswith("docker/login-action") and password and not _SECRET.search(password):
                    why = "The registry login's password is written in the workflow, not taken from secrets."
                    return None, Hit(why, (at(wf.path, step.line),))
                return (wf, job, step), None
            if step.run and _LOGIN.search(step.run):
                return (wf, job, step), None
    return None, None


def _retraining(facts: Facts, workflows: tuple[Workflow, ...]) -> str | None:
    for wf in workflows:
        if "schedule" not in wf.triggers:
            continue
        for job in wf.jobs:
            if (step := _first(job, _TRAIN)) is not None:
                crons = _crons(wf)
                return f"{wf.path}:{step.line} (job {job.id}, on schedule {crons})"
    for m in facts.kubernetes.of_kind("CronJob"):
        spec = m.data.get("spec") or {}
        if isinstance(spec, dict) and _TRAIN.search(str(spec.get("jobTemplate", ""))):
            return f"CronJob {m.name} ({m.path}:{m.line}, schedule {spec.get('schedule')!s})"
    return None


def _crons(wf: Workflow) -> str:
    on = on_section(wf.data)
    entries = on.get("schedule") if isinstance(on, dict) else None
    if isinstance(entries, list):
        return ", ".join(f"`{e.get('cron')}`" for e in entries if isinstance(e, dict) and e.get("cron"))
    return "?"


@check(
    id="ci-exercises",
    title="CI exercises the service the way asked for",
    category="ci-cd",
    severity=Severity.LOW,
    level=Level.GOLD,
    applies_when="the config or a checklist line names something CI should exercise",
    remediation="Add the step the report names to a workflow: run the built image and curl its health route, `docker compose up --wait`, install the requirements and run the tests, scan and push the image, validate the templates.",
    options=ExerciseOptions,
)
def ci_exercises(facts: Facts, options: ExerciseOptions) -> Decision:
    """
    ## What it checks
    For each aspect asked for, a workflow job that:

    - **container**: starts the image the workflow builds (`docker run`) and then requests it (curl,
      wget or a script against localhost, `docker exec ... curl`, or a smoke/e2e/integration pytest run);
    - **container-model**: after starting the image (or the stack), requests a route whose answer
      reports the model (a key such as `model_loaded`) and reads that key (`grep`, `jq -e`);
    - **container-predict**: after starting it, sends a body to a route that runs the model;
    - **compose**: brings the compose stack up (`docker compose up`) and requests it, or waits on its
      healthchecks (`up --wait`);
    - **fresh-install**: installs the declared requirements on the runner (`pip install -r`,
      `pip install .`, `uv sync`, `poetry install`, `pipenv sync`) and then runs the tests;
    - **image-scan**: scans the image so that findings fail the job (`trivy image --exit-code 1`,
      `grype --fail-on`, `docker scout cves --exit-code`, or the Trivy, Anchore, Scout or Snyk action);
    - **registry-push**: pushes the image (`docker push`, build-push-action with `push:` set,
      `buildx build --push`);
    - **registry-login**: logs in to the registry with a password from `secrets.` (or the workflow
      token): a literal password fails;
    - **iac-validate**: validates the infrastructure templates (`terraform validate` or `plan`, tflint,
      `bicep build`, `az deployment ... validate` or `what-if`, cfn-lint, checkov, tfsec); not applicable
      when the repository holds no Terraform, Bicep, ARM or CloudFormation;
    - **retraining**: a workflow on `schedule` (or a Kubernetes CronJob) that runs the training entry
      point (`train*.py`, `make train`, `dvc repro`);
    - **dast**: an OWASP ZAP scan (the ZAP actions or `zap-baseline.py`) or nuclei.

    Steps in the repository's own scripts and Makefile targets that a workflow runs count. Run as the
    GitHub Action, when it reads the head commit's checks (`ci-checks-passing` with names in
    `required`), the job's check run is read as well, and a job that failed fails the aspect;
    otherwise the workflows alone are read, and the result says so.

    No aspect is asked by default. A checklist line names its own ("Container starts successfully" asks
    for the container run).

    ## Why it matters
    "Tested locally" is a claim about one laptop on one day; the same step on the CI runner is repeated
    on every change, where a reviewer can see it.

    ## How to fix
    Add the step to the workflow that builds the image.

    ## Example
    ```yaml
    - run: docker build -t scorer:ci .
    - run: docker run -d -p 8000:8000 --name scorer scorer:ci
    - run: curl --retry 10 --retry-connrefused --fail http://localhost:8000/health
    ```
    """
    if not options.aspects:
        return not_applicable("No exercise is asked for (options.aspects, or a checklist line).")
    workflows = facts.workflows.ci
    found: list[str] = []
    missing: list[str] = []
    hits: list[Hit] = []
    unjudged: list[str] = []
    read_results = False
    for aspect in dict.fromkeys(options.aspects):
        where: tuple[Workflow, Job, Step] | None = None
        said: str | None = None
        why: Hit | None = None
        if aspect == "container":
            if not facts.docker.dockerfiles:
                unjudged.append(f"{NAMES[aspect]} (no Dockerfile)")
                continue
            where = _paired(workflows, _RUN_IMAGE, _REQUEST, built=True)
        elif aspect in ("container-model", "container-predict"):
            if not facts.docker.dockerfiles and not facts.compose.files:
                unjudged.append(f"{NAMES[aspect]} (no Dockerfile)")
                continue
            if not facts.routes.routes:
                # routes are read from Python services only: a Node service's requests cannot be told
                unjudged.append(f"{NAMES[aspect]} (no route of the service could be read)")
                continue
            where = _asks_the_image(facts, workflows, aspect)
        elif aspect == "compose":
            if not facts.compose.files:
                unjudged.append(f"{NAMES[aspect]} (no compose file)")
                continue
            where = _paired(workflows, _COMPOSE_UP, _REQUEST)
        elif aspect == "fresh-install":
            where = _paired(workflows, _INSTALL, _TESTS)
        elif aspect == "image-scan":
            where = _anywhere(workflows, _SCAN, _SCAN_USES)
        elif aspect == "registry-push":
            where = next(
                ((wf, job, s) for wf, job in _jobs(workflows) for s in job.steps if _pushes(s)), None
            )
        elif aspect == "registry-login":
            where, why = _login(workflows)
        elif aspect == "iac-validate":
            if not facts.iac.files:
                unjudged.append(f"{NAMES[aspect]} (no infrastructure templates)")
                continue
            where = _anywhere(workflows, _IAC, _IAC_USES)
        elif aspect == "retraining":
            said = _retraining(facts, workflows)
        else:
            where = _anywhere(workflows, _DAST, _DAST_USES)
        if where is not None:
            wf, job, step = where
            result = job_result(facts, job)
            read_results = read_results or result is not None
            if result is not None and result.conclusion in FAILED:
                missing.append(NAMES[aspect])
                hits.append(
                    Hit(
                        f"Job {job.id} ({NAMES[aspect]}) concluded {result.conclusion} on this commit.",
                        (at(wf.path, job.line),),
                    )
                )
                continue
            said = f"{wf.path}:{step.line} (job {job.id}, `{step.name}`)"
        if said is not None:
            found.append(f"{NAMES[aspect]}: {said}")
            continue
        missing.append(NAMES[aspect])
        place = at(workflows[0].path, 1) if workflows else at(".github/workflows")
        hits.append(why or Hit(f"No workflow job shows {NAMES[aspect]}.", (place,)))
    if hits:
        return failed(f"Missing: {', '.join(missing)}.", *hits)
    if not found:
        return not_applicable("Nothing here to exercise: " + "; ".join(unjudged) + ".")
    if read_results:
        source = "the jobs' results on this commit read"
    elif results_read(facts):
        source = "read from the workflows; no result of these jobs on this commit yet"
    else:
        source = "read from the workflows; their results are read only by the GitHub Action"
    return passed("CI exercises " + "; ".join(found) + f" ({source}).")
