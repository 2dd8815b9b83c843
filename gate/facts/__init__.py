"""Facts: everything checks may know, collected once from a snapshot by one collector per source."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar, cast

import msgspec
import msgspec.structs

from gate import background
from gate.budget import BudgetExceeded, Unfinished
from gate.facts.evidence import EvidenceFacts
from gate.facts.vulnerabilities import not_run

# The collectors are imported by collect(), not here: a module of this package (the secret scanner a
# warm child imports ahead, gate/background.py) then does not pay for all the others.
if TYPE_CHECKING:
    from gate.facts.alerts import AlertFacts
    from gate.facts.answers import Answers
    from gate.facts.apidocs import ApiDocs
    from gate.facts.backups import BackupFacts
    from gate.facts.code import CodeFacts
    from gate.facts.compose import ComposeFacts
    from gate.facts.configfiles import ConfigFiles
    from gate.facts.database import DatabaseFacts
    from gate.facts.dependencies import DependencyFacts, PythonVersionDecl
    from gate.facts.dockerfile import DockerFacts
    from gate.facts.docs import DocsFacts
    from gate.facts.github import GitHubFacts
    from gate.facts.iac import IacFacts
    from gate.facts.images import ImageLinks
    from gate.facts.kubernetes import KubernetesFacts
    from gate.facts.lint import LintFacts
    from gate.facts.logpipeline import LogFacts
    from gate.facts.modelmeta import DataFile, ModelMetaFacts
    from gate.facts.models import ModelFacts
    from gate.facts.monitoring import MonitoringFacts
    from gate.facts.practices import PracticeFacts
    from gate.facts.python import PythonFacts
    from gate.facts.registry import RegistryFacts
    from gate.facts.repo import RepoFacts
    from gate.facts.requested import RequestedPaths
    from gate.facts.routes import RouteFacts
    from gate.facts.secrets import SecretFacts
    from gate.facts.sinks import SinkFacts
    from gate.facts.tls import TlsFacts
    from gate.facts.tracing import TracingFacts
    from gate.facts.validation import ValidationFacts
    from gate.facts.vulnerabilities import AuditSettings, VulnerabilityFacts
    from gate.facts.webapp import WebFacts
    from gate.facts.workflows import WorkflowFacts
    from gate.snapshot import Snapshot

T = TypeVar("T")

BACKGROUND_MIN_FILES = 50
"""From this many files, secret scanning and the dependency files are read in a child forked for them
beside the other collectors (below, forking costs about what it saves). A child the command line
forked ahead (background.prewarm) is used whatever the size: its imports are already paid, on the
other core."""


def _no_github() -> GitHubFacts:
    # imported when facts are made: the module is pydantic models, which the second process
    # (gate/facts/apart.py) never needs
    from gate.facts.github import GitHubFacts

    return GitHubFacts()


class Sources(msgspec.Struct, frozen=True):
    """The snapshot and the facts the on-demand facts are read from."""

    snap: Snapshot
    compose: ComposeFacts
    kubernetes: KubernetesFacts
    workflows: WorkflowFacts
    code: CodeFacts


# By identity, as a snapshot is: nothing compares or prints the whole facts, and each generated method
# is an exec() at import.
@dataclass(frozen=True, eq=False, repr=False)
class Facts:
    repo: RepoFacts
    python: PythonFacts
    routes: RouteFacts
    code: CodeFacts
    secrets: SecretFacts
    models: ModelFacts
    model_meta: ModelMetaFacts
    dependencies: DependencyFacts
    docs: DocsFacts
    docker: DockerFacts
    kubernetes: KubernetesFacts
    compose: ComposeFacts
    workflows: WorkflowFacts
    images: ImageLinks
    """Which Dockerfile builds which image (derived from the facts above, no I/O)."""
    evidence: EvidenceFacts = field(default_factory=EvidenceFacts)
    sources: Sources | None = field(default=None, compare=False, repr=False)
    """What the facts below are read from, when a check first asks for them (None: nothing to read)."""

    vulnerabilities: VulnerabilityFacts = field(default_factory=not_run)
    github: GitHubFacts = field(default_factory=_no_github)
    base_metrics: tuple[DataFile, ...] | None = None
    """the metrics files of the base commit, when a baseline is made (None: no baseline)"""
    """live repository state; only the Action reads it (unavailable, with the reason, elsewhere)"""
    enabled_checks: frozenset[str] | None = None
    """The checks this run decides (None: all): one check may leave a finding to another only if that
    other one runs."""
    today: date = field(default_factory=date.today)
    """The evaluation date, for expiry dates: one value for the whole run, and settable in tests."""

    # The facts only checklist lines and explicit options ask for (alert rules, backups, TLS, ...):
    # read on first use, so that a run nobody asks them of does not pay for reading them. A collector
    # cut short by the deadline raises BudgetExceeded into the check that asked, which is undecided.
    @cached_property
    def alerts(self) -> AlertFacts:
        from gate.facts.alerts import AlertFacts, collect_alerts

        return collect_alerts(self.sources.snap) if self.sources else AlertFacts()

    @cached_property
    def backups(self) -> BackupFacts:
        from gate.facts.backups import BackupFacts, collect_backups

        if self.sources is None:
            return BackupFacts()
        s = self.sources
        return collect_backups(s.snap, s.compose, s.kubernetes, s.workflows, s.code.service_modules)

    @cached_property
    def logs(self) -> LogFacts:
        from gate.facts.logpipeline import LogFacts, collect_log_pipeline

        return (
            collect_log_pipeline(self.sources.snap, self.sources.code.service_modules)
            if self.sources
            else LogFacts()
        )

    @cached_property
    def tls(self) -> TlsFacts:
        from gate.facts.tls import TlsFacts, collect_tls

        if self.sources is None:
            return TlsFacts()
        return collect_tls(
            self.sources.snap, self.sources.kubernetes, self.sources.code.service_modules, self.iac
        )

    @cached_property
    def web(self) -> WebFacts:
        from gate.facts.webapp import WebFacts, collect_webapp

        if self.sources is None:
            return WebFacts()
        return collect_webapp(self.sources.snap, self.repo.node_backends, self.repo.frontends)

    @cached_property
    def tracing(self) -> TracingFacts:
        from gate.facts.tracing import TracingFacts, collect_tracing

        return (
            collect_tracing(self.sources.snap, self.sources.code.service_modules)
            if self.sources
            else TracingFacts()
        )

    @cached_property
    def iac(self) -> IacFacts:
        from gate.facts.iac import IacFacts, collect_iac

        return collect_iac(self.sources.snap) if self.sources else IacFacts()

    @cached_property
    def requested(self) -> RequestedPaths:
        from gate.facts.requested import RequestedPaths, collect_requested

        return collect_requested(self.sources.snap) if self.sources else RequestedPaths()

    @cached_property
    def monitoring(self) -> MonitoringFacts:
        from gate.facts.monitoring import MonitoringFacts, collect_monitoring

        if self.sources is None:
            return MonitoringFacts()
        s = self.sources
        return collect_monitoring(s.snap, s.kubernetes, s.code.service_modules)

    @cached_property
    def answers(self) -> Answers:
        from gate.facts.answers import Answers, collect_answers

        return collect_answers(self.sources.snap, self.routes) if self.sources else Answers({})

    @cached_property
    def api_docs(self) -> ApiDocs:
        from gate.facts.apidocs import ApiDocs, collect_api_docs

        return collect_api_docs(self.sources.snap, self.docs) if self.sources else ApiDocs()

    @cached_property
    def lint(self) -> LintFacts:
        from gate.facts.lint import LintFacts, collect_lint

        if self.sources is None:
            return LintFacts()
        code = self.sources.code
        return collect_lint(
            self.sources.snap, tuple(dict.fromkeys((*code.service_modules, *code.training_modules)))
        )

    @cached_property
    def practices(self) -> PracticeFacts:
        from gate.facts.practices import PracticeFacts, collect_practices

        if self.sources is None:
            return PracticeFacts()
        artifacts = tuple(a.path for a in self.models.artifacts)
        return collect_practices(self.sources.snap, self.sources.code.service_modules, artifacts)

    @cached_property
    def sinks(self) -> SinkFacts:
        from gate.facts.sinks import SinkFacts, collect_sinks

        if self.sources is None:
            return SinkFacts()
        return collect_sinks(self.sources.snap, self.routes, self.sources.code.service_modules)

    @cached_property
    def registry(self) -> RegistryFacts:
        from gate.facts.registry import RegistryFacts, collect_registry

        return collect_registry(self.sources.snap) if self.sources else RegistryFacts()

    @cached_property
    def config_files(self) -> ConfigFiles:
        from gate.facts.configfiles import ConfigFiles, collect_config_files

        return collect_config_files(self.sources.snap) if self.sources else ConfigFiles()

    @cached_property
    def database(self) -> DatabaseFacts:
        from gate.facts.database import DatabaseFacts, collect_database

        if self.sources is None:
            return DatabaseFacts()
        return collect_database(self.sources.snap, self.sources.code.service_modules)

    @cached_property
    def validation(self) -> ValidationFacts:
        from gate.facts.validation import ValidationFacts, collect_validation

        if self.sources is None:
            return ValidationFacts()
        return collect_validation(self.sources.snap, self.routes, self.sources.code.service_modules)


def _declared_pythons(dependencies: DependencyFacts) -> tuple[PythonVersionDecl, ...]:
    try:
        return dependencies.python_versions
    except BudgetExceeded:  # an Unfinished stand-in: no declaration known, so every failure is a failure
        return ()


def collect(
    snap: Snapshot,
    *,
    audit: AuditSettings | None = None,
    offline: bool = False,
    today: date | None = None,
    evidence: dict[str, tuple[str, ...]] | None = None,
    exclude: tuple[str, ...] = (),
    github: GitHubFacts | None = None,
    base_metrics: tuple[DataFile, ...] | None = None,
) -> Facts:
    """All facts. `audit` is None when no check needs the vulnerability audit (it is the one slow source);
    `offline` skips it on purpose (e.g. a pre-commit hook), and the check then says it was not available.
    Past the snapshot's deadline, a collector gives way to an Unfinished stand-in (gate/budget.py)."""
    from gate.facts.apart import Apart, collect_apart
    from gate.facts.code import collect_code
    from gate.facts.compose import collect_compose
    from gate.facts.dependencies import collect_dependencies
    from gate.facts.dockerfile import collect_docker
    from gate.facts.docs import collect_docs
    from gate.facts.evidence import collect_evidence
    from gate.facts.images import build_references, link_images
    from gate.facts.kubernetes import collect_kubernetes
    from gate.facts.modelmeta import collect_model_meta
    from gate.facts.models import collect_models
    from gate.facts.python import collect_python
    from gate.facts.repo import collect_repo
    from gate.facts.routes import collect_routes
    from gate.facts.secrets import collect_secrets
    from gate.facts.vulnerabilities import collect_vulnerabilities
    from gate.facts.workflows import collect_workflows

    deadline = snap.deadline

    def run(source: str, collector: Callable[[], T]) -> T:
        try:
            return collector()
        except BudgetExceeded as exc:
            return cast(T, Unfinished(source, exc))

    # The dependency files and the secret scan run in the second process when there is one (forked
    # first, before this process has parsed anything: less memory to copy), and are waited for only
    # when the Python facts need the declared versions, after every other collector.
    warm = background.take()
    what = "reading dependency files and scanning for secrets"
    apart: Callable[[], Apart] | None = None
    if warm is not None:
        # the child gets the listing only: nothing read or parsed here travels
        apart = warm.submit(functools.partial(collect_apart, snap.listing()), deadline, what)
    elif len(snap.files) >= BACKGROUND_MIN_FILES and background.forking():
        apart = background.start(lambda: collect_apart(snap), deadline, what)
    routes = run("route", lambda: collect_routes(snap))
    compose = run("compose", lambda: collect_compose(snap))
    workflows = run("workflow", lambda: collect_workflows(snap))

    def dockerfiles() -> DockerFacts:
        try:
            named = frozenset(build_references(compose, workflows))
        except BudgetExceeded:  # compose or workflows were cut short: Dockerfiles known by name only
            named = frozenset()
        return collect_docker(snap, named)

    docker = run("Dockerfile", dockerfiles)

    def vulnerabilities() -> VulnerabilityFacts:
        if offline:
            return not_run("offline run (--offline), the advisory service was not asked")
        if audit is None:
            return not_run()
        left = deadline.remaining()
        if left is not None:
            deadline.check("starting the vulnerability audit")
            audit_now = msgspec.structs.replace(audit, run_timeout=max(1, min(audit.run_timeout, int(left))))
        else:
            audit_now = audit
        return collect_vulnerabilities(snap, dependencies, audit_now)

    repo = run("repository", lambda: collect_repo(snap))
    code = run("service code", lambda: collect_code(snap, sorted({module for module, _, _ in routes.apps})))
    models = run("model", lambda: collect_models(snap, deadline.at))
    model_meta = run("model metadata", lambda: collect_model_meta(snap))
    docs = run("documentation", lambda: collect_docs(snap))
    kubernetes = run("Kubernetes", lambda: collect_kubernetes(snap))
    images = run("image", lambda: link_images(docker, compose, workflows))
    found_evidence = run(
        "evidence", lambda: collect_evidence(snap.root, evidence, exclude) if evidence else EvidenceFacts()
    )
    if apart is None:
        dependencies = run("dependency", lambda: collect_dependencies(snap))
        secrets = run("secret", lambda: collect_secrets(snap))
    else:
        try:
            side = apart()
        except BudgetExceeded as exc:  # the child itself was stopped at the deadline: both unfinished
            dependencies = cast(DependencyFacts, Unfinished("dependency", exc))
            secrets = cast(SecretFacts, Unfinished("secret", exc))
        else:
            snap.note_skipped(side.skipped)
            dependencies = run("dependency", lambda: background.unwrap(side.dependencies, what))
            secrets = run("secret", lambda: background.unwrap(side.secrets, what))
    python = run("Python", lambda: collect_python(snap, _declared_pythons(dependencies)))
    audited = run("vulnerability", vulnerabilities)
    return Facts(
        repo=repo,
        python=python,
        routes=routes,
        code=code,
        secrets=secrets,
        models=models,
        model_meta=model_meta,
        dependencies=dependencies,
        docs=docs,
        docker=docker,
        kubernetes=kubernetes,
        compose=compose,
        workflows=workflows,
        images=images,
        evidence=found_evidence,
        vulnerabilities=audited,
        today=today or date.today(),
        github=github or _no_github(),
        sources=Sources(snap, compose, kubernetes, workflows, code),
        base_metrics=base_metrics,
    )
