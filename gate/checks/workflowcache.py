"""Release jobs that restore GitHub Actions caches, which any workflow of the default branch can write.

Which actions cache, through which input and with which default, is a fact about each action's
`action.yml`; the table below holds the ones a model-serving repository meets (Python, Node, Docker,
uv, Rust and Go builds). An input set by an expression cannot be read statically: the step *may*
cache, reported at low confidence, except for the few expressions a release triggered only by tags
decides (`startsWith(github.ref, 'refs/tags/')`, `github.ref_type == 'tag'`).
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Any

from msgspec import Struct

from gate.checks.base import Decision, Hit, NoOptions, at, check, conclude
from gate.facts import Facts
from gate.facts.workflows import Job, Step, Workflow, on_section
from gate.lazyre import lazy
from gate.model import Confidence, Level, Severity
from gate.wording import agree, every


class Cache(Enum):
    ON = "on"
    OFF = "off"
    MAYBE = "maybe"


class Input(Struct, frozen=True):
    """An input that turns the cache on (or, with `off`, off: `lookup-only: true`)."""

    name: str
    default_on: bool
    kind: str = "bool"
    """bool (any value but false, `true` in quotes included), text (any non-empty value), exact"""
    values: tuple[str, ...] = ()
    off: bool = False


class Before(Struct, frozen=True):
    """The action's version is below this major one (read from the tag, or from the `# v6.1.0`
    comment beside a pinned hash); with `since`, at or above it."""

    major: int
    since: bool = False


class AnyOf(Struct, frozen=True):
    parts: tuple[Control, ...]


class AllOf(Struct, frozen=True):
    parts: tuple[Control, ...]


class Always(Struct, frozen=True):
    pass


Control = Input | Before | AnyOf | AllOf | Always

# action (owner/repo or owner/repo/path, compared case-insensitively) -> when it restores a cache
CACHING: dict[str, Control] = {
    "actions/cache": Input("lookup-only", default_on=True, off=True),
    "actions/cache/restore": Input("lookup-only", default_on=True, off=True),
    "actions/setup-python": Input("cache", default_on=False, kind="text"),
    "actions/setup-java": Input("cache", default_on=False, kind="text"),
    "actions/setup-go": Input("cache", default_on=True),
    "actions/setup-dotnet": Input("cache", default_on=False),
    # from v5, setup-node caches the package manager's store unless told not to
    "actions/setup-node": AnyOf(
        (
            Input("cache", default_on=False, kind="exact", values=("npm", "yarn", "pnpm")),
            AllOf((Before(5, since=True), Input("package-manager-cache", default_on=True))),
        )
    ),
    # before v10, setup-uv cached unless told not to (`auto` included); from v10 only `true` does
    "astral-sh/setup-uv": AnyOf(
        (
            Input("enable-cache", default_on=False, kind="exact", values=("true",)),
            AllOf((Before(10), Input("enable-cache", default_on=True))),
        )
    ),
    "swatinem/rust-cache": Input("lookup-only", default_on=True, off=True),
    "pyo3/maturin-action": Input("sccache", default_on=False),
    "mozilla-actions/sccache-action": Always(),
    "ruby/setup-ruby": Input("bundler-cache", default_on=False),
    "gradle/actions/setup-gradle": Input("cache-disabled", default_on=True, off=True),
    "graalvm/setup-graalvm": Input("cache", default_on=False, kind="text"),
    # buildx's binary is cached only when a version is asked for
    "docker/setup-buildx-action": AllOf(
        (Input("cache-binary", default_on=True), Input("version", default_on=False, kind="text"))
    ),
    "oven-sh/setup-bun": Input("no-cache", default_on=True, off=True),
    "jdx/mise-action": Input("cache", default_on=True),
    "actions-rust-lang/setup-rust-toolchain": Input("cache", default_on=True),
    "mlugg/setup-zig": Input("use-cache", default_on=True),
    "determinatesystems/magic-nix-cache-action": Input("use-gha-cache", default_on=True),
    "nix-community/cache-nix-action": Always(),
    "awalsh128/cache-apt-pkgs-action": Always(),
    "ramsey/composer-install": Input(
        "ignore-cache", default_on=True, kind="exact", values=("yes", "true", "1"), off=True
    ),
}

# actions that publish what the job built: to a package index, a release, a registry, a cloud
PUBLISHING = frozenset(
    {
        "pypa/gh-action-pypi-publish",
        "softprops/action-gh-release",
        "release-drafter/release-drafter",
        "googleapis/release-please-action",
        "goreleaser/goreleaser-action",
        "rubygems/release-gem",
        "jreleaser/release-action",
        "redhat-actions/push-to-registry",
        "aws-actions/amazon-ecs-deploy-task-definition",
        "aws-actions/aws-cloudformation-github-deploy",
        "azure/aci-deploy",
        "azure/container-apps-deploy-action",
        "azure/functions-action",
        "azure/webapps-deploy",
        "cloudflare/wrangler-action",
        "google-github-actions/deploy-appengine",
        "google-github-actions/deploy-cloudrun",
        "google-github-actions/deploy-cloud-functions",
    }
)

# commands in a run step that publish: an image, a package, a release, a model
_PUBLISH_RUN = lazy(
    r"\b(?:docker|podman)\s+(?:image\s+)?push\b"
    r"|\btwine\s+upload\b"
    r"|\b(?:uv|poetry|flit|hatch|cargo|npm|pnpm)\s+publish\b"
    r"|\bgh\s+release\s+(?:create|upload)\b"
    r"|\bhelm\s+push\b"
    r"|\b(?:huggingface-cli|hf)\s+upload\b"
)
_SHA = lazy(r"[0-9a-fA-F]{40}")
_VERSION = lazy(r"v?(\d{1,6})(?:\.(\d{1,6}))?(?:\.(\d{1,6}))?")
_EXPRESSION = lazy(r"\s*\$\{\{(.*)\}\}\s*", re.S)
_MAX_EXPRESSION = 500


def _action(uses: str) -> tuple[str, str]:
    """(owner/repo[/path] lowercased, ref)"""
    name, _, ref = uses.partition("@")
    return name.strip().lower(), ref.strip()


def _version(step: Step) -> tuple[int, ...] | None:
    _, ref = _action(step.uses or "")
    candidates = [ref] if ref and not _SHA.fullmatch(ref) else step.uses_comment.split()
    for word in candidates:
        if m := _VERSION.fullmatch(word.strip()):
            return tuple(int(g) for g in m.groups() if g is not None)
    return None


def _boolish(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return "" if value is None else str(value).strip()


def _tag_expression(text: str) -> bool | None:
    """What a cache input's expression says on a tag push or release: the forms release workflows
    write to keep the cache off their tags; anything else is unknown (None)."""
    body = re.sub(r"\s+", "", text).lower()
    negated = False
    while True:
        if body.startswith("!"):
            negated, body = not negated, body[1:]
        elif body.startswith("(") and body.endswith(")"):
            body = body[1:-1]
        else:
            break
    value: bool | None = None
    if body in ("true", "false"):
        value = body == "true"
    elif (
        body == "startswith(github.ref,'refs/tags/')"
        or {frozenset(part.split("==")) for part in body.split("&&")} == _TAG_PUSH
    ):
        value = True
    return None if value is None else value != negated


_TAG_PUSH = {frozenset({"github.event_name", "'push'"}), frozenset({"github.ref_type", "'tag'"})}


def _input(control: Input, with_: dict[str, Any], tags_only: bool) -> Cache:
    if control.name not in with_:
        return Cache.ON if control.default_on else Cache.OFF
    text = _boolish(with_[control.name])
    set_to: bool | None
    if "${{" in text:
        m = _EXPRESSION.fullmatch(text) if len(text) <= _MAX_EXPRESSION else None
        set_to = _tag_expression(m[1]) if m and tags_only else None
        if set_to is None:
            return Cache.MAYBE
    elif control.kind == "text":
        set_to = text not in ("", "false")
    elif control.kind == "exact":
        set_to = text.lower() in control.values
    else:
        set_to = text.lower() != "false"
    return Cache.ON if set_to != control.off else Cache.OFF


def _evaluate(control: Control, step: Step, tags_only: bool) -> Cache:
    if isinstance(control, Always):
        return Cache.ON
    if isinstance(control, Input):
        return _input(control, step.with_, tags_only)
    if isinstance(control, Before):
        version = _version(step)
        if version is None:
            return Cache.MAYBE
        return Cache.ON if (version < (control.major,)) != control.since else Cache.OFF
    results = [_evaluate(part, step, tags_only) for part in control.parts]
    decisive, other = (Cache.ON, Cache.OFF) if isinstance(control, AnyOf) else (Cache.OFF, Cache.ON)
    if decisive in results:
        return decisive
    return Cache.MAYBE if Cache.MAYBE in results else other


def _release_triggers(wf: Workflow) -> list[str]:
    """The triggers of `wf` that usually publish: a release, a tag pushed, a release branch pushed."""
    on = on_section(wf.data)
    found: list[str] = []
    if on == "release" or (isinstance(on, list) and "release" in on):
        return ["release"]
    if not isinstance(on, dict):
        return found
    push = on.get("push")
    if isinstance(push, dict):
        if "tags" in push or "tags-ignore" in push:
            found.append("tag")
        branches = push.get("branches")
        if isinstance(branches, list) and any("release" in str(b).lower() for b in branches):
            found.append("release branch")
    if "release" in on:
        found.append("release")
    return found


def _publishes(step: Step) -> bool:
    if step.uses:
        name, _ = _action(step.uses)
        if name in PUBLISHING:
            return True
        # docker/build-push-action pushes only when asked (its `push` defaults to false)
        if name == "docker/build-push-action":
            return _boolish(step.with_.get("push")).lower() not in ("", "false")
        return False
    texts = [step.run or "", *(text for _, text in step.scripts)]
    for text in texts:
        for line in text.splitlines():
            if _PUBLISH_RUN.search(line) or ("buildx" in line and "--push" in line):
                return True
    return False


_TRIGGER_WORDS = {"release": "a release", "tag": "pushed tags", "release branch": "a release branch"}


def _publishing(wf: Workflow, job: Job) -> str | None:
    """Why the job publishes, or None."""
    if triggers := _release_triggers(wf):
        return "runs on " + " and ".join(_TRIGGER_WORDS[t] for t in triggers)
    for step in job.steps:
        if _publishes(step):
            return f"publishes in step {step.name!r}"
    return None


def _caching(step: Step, tags_only: bool) -> tuple[str, Cache] | None:
    if not step.uses:
        return None
    name, _ = _action(step.uses)
    if name == "docker/build-push-action":
        # BuildKit's `type=gha` cache lives in the same Actions cache, under the same scopes
        source = _boolish(step.with_.get("cache-from"))
        if "type=gha" in source.replace(" ", ""):
            return name, Cache.ON
        return (name, Cache.MAYBE) if "${{" in source else None
    control = CACHING.get(name)
    if control is None:
        return None
    state = _evaluate(control, step, tags_only)
    return (name, state) if state is not Cache.OFF else None


@check(
    id="workflow-no-cache-poisoning",
    title="Release jobs do not restore shared caches",
    category="ci-cd",
    severity=Severity.MEDIUM,
    level=Level.SILVER,
    applies_when="a workflow publishes: runs on a release, a tag or a release branch, or pushes an image or package",
    remediation="Turn the cache off in release jobs (`cache: ''` for setup-python, `lookup-only: true` for actions/cache, `enable-cache: false` for setup-uv) and build from a clean runner.",
)
def workflow_no_cache_poisoning(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That no job of a publishing workflow restores a GitHub Actions cache. A job publishes when its
    workflow runs on `release`, on pushed tags or on a push to a branch named like a release, or when
    one of its steps publishes (a known publishing action such as `pypa/gh-action-pypi-publish`,
    `softprops/action-gh-release` or a cloud deploy action; `docker/build-push-action` with
    `push: true`; or a run step with `docker push`, `twine upload`, `uv publish`, `gh release create`,
    `huggingface-cli upload`). A step restores a cache when it is a caching action whose cache is on:
    `actions/cache` (unless `lookup-only: true`), `actions/setup-python`/`setup-java` with `cache:`,
    `setup-go` and `setup-node` v5 by default, `astral-sh/setup-uv` before v10 by default (from v10
    only `enable-cache: true`), `docker/setup-buildx-action` with a `version`,
    `docker/build-push-action` with `cache-from: type=gha` (BuildKit's layers kept in the same
    Actions cache), and a dozen others.
    An input set by an expression is reported at low confidence, except on a workflow triggered only
    by releases and tags, where `startsWith(github.ref, 'refs/tags/')` and
    `github.ref_type == 'tag'` are known to be true.
    Peer: zizmor cache-poisoning. Deliberate difference: zizmor counts a `docker/build-push-action`
    without `push:` as publishing; the action's `push` input defaults to false, so prodgate does not.
    zizmor does not count BuildKit's `cache-from: type=gha` as a cache; prodgate does.

    ## Why it matters
    Every workflow run on the default branch can write the cache a release restores, including a
    test job running a compromised dependency. A poisoned pip, uv or buildx cache goes into the
    image or wheel the release ships, signed and pushed with the release's credentials.

    ## How to fix
    Turn the cache off in jobs that publish, or split building (cached, no credentials) from
    publishing (uncached, with credentials).

    ## Example
    ```yaml
    on:
      push:
        tags: ["v*"]
    jobs:
      publish:
        steps:
          - uses: actions/setup-python@v5
            with:
              python-version: "3.12"
              cache: ""
    ```
    """
    hits: list[Hit] = []
    judged = 0
    for wf in facts.workflows.ci:
        triggers = _release_triggers(wf)
        tags_only = bool(triggers) and all(t in ("tag", "release") for t in triggers)
        for job in wf.jobs:
            why = _publishing(wf, job)
            if why is None:
                continue
            judged += 1
            for step in job.steps:
                found = _caching(step, tags_only)
                if found is None:
                    continue
                name, state = found
                where = (at(wf.path, step.uses_line or step.line),)
                if state is Cache.ON:
                    hits.append(Hit(f"Job {job.id} {why} and restores a cache through `{name}`.", where))
                else:
                    hits.append(
                        Hit(
                            f"Job {job.id} {why} and may restore a cache through `{name}` "
                            "(its cache input is set by an expression or its version is unknown).",
                            where,
                            confidence=Confidence.LOW,
                        )
                    )
    return conclude(
        hits,
        facts.workflows.errors,
        what="workflow file",
        ok=f"{every(judged, 'publishing job')} {agree(judged, 'builds', 'build')} without a shared cache.",
        bad="Publishing jobs that restore shared caches",
        judged=bool(judged),
        nothing="No workflow publishes.",
    )
