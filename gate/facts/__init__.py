"""Facts: everything checks may know, collected once from a snapshot by one collector per source."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from gate.facts.code import CodeFacts, collect_code
from gate.facts.compose import ComposeFacts, collect_compose
from gate.facts.dependencies import DependencyFacts, collect_dependencies
from gate.facts.dockerfile import DockerFacts, collect_docker
from gate.facts.docs import DocsFacts, collect_docs
from gate.facts.evidence import EvidenceFacts, collect_evidence
from gate.facts.github import GitHubFacts
from gate.facts.images import ImageLinks, link_images
from gate.facts.kubernetes import KubernetesFacts, collect_kubernetes
from gate.facts.modelmeta import DataFile, ModelMetaFacts, collect_model_meta
from gate.facts.models import ModelFacts, collect_models
from gate.facts.python import PythonFacts, collect_python
from gate.facts.repo import RepoFacts, collect_repo
from gate.facts.routes import RouteFacts, collect_routes
from gate.facts.secrets import SecretFacts, collect_secrets
from gate.facts.vulnerabilities import AuditSettings, VulnerabilityFacts, collect_vulnerabilities, not_run
from gate.facts.workflows import WorkflowFacts, collect_workflows
from gate.snapshot import Snapshot


@dataclass(frozen=True)
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
    vulnerabilities: VulnerabilityFacts = field(default_factory=not_run)
    github: GitHubFacts = field(default_factory=GitHubFacts)
    base_metrics: tuple[DataFile, ...] | None = None
    """the metrics files of the base commit, when a baseline is made (None: no baseline)"""
    """live repository state; only the Action reads it (unavailable, with the reason, elsewhere)"""
    today: date = field(default_factory=date.today)
    """The evaluation date, for expiry dates: one value for the whole run, and settable in tests."""


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
    `offline` skips it on purpose (e.g. a pre-commit hook), and the check then says it was not available."""
    dependencies = collect_dependencies(snap)
    routes = collect_routes(snap)
    docker, compose, workflows = collect_docker(snap), collect_compose(snap), collect_workflows(snap)
    return Facts(
        repo=collect_repo(snap),
        python=collect_python(snap),
        routes=routes,
        code=collect_code(snap, sorted({module for module, _, _ in routes.apps})),
        secrets=collect_secrets(snap),
        models=collect_models(snap),
        model_meta=collect_model_meta(snap),
        dependencies=dependencies,
        docs=collect_docs(snap),
        docker=docker,
        kubernetes=collect_kubernetes(snap),
        compose=compose,
        workflows=workflows,
        images=link_images(docker, compose, workflows),
        evidence=collect_evidence(snap.root, evidence, exclude) if evidence else EvidenceFacts(),
        vulnerabilities=not_run("offline run (--offline), the advisory service was not asked")
        if offline
        else collect_vulnerabilities(snap, dependencies, audit)
        if audit
        else not_run(),
        today=today or date.today(),
        github=github or GitHubFacts(),
        base_metrics=base_metrics,
    )
