"""The check registry. Importing this package registers every built-in check."""

from gate.checks import (
    cicd,
    code,
    compose,
    container,
    dependencies,
    docs,
    documentation,
    environment,
    evidence,
    githubstate,
    models,
    orchestration,
    service,
    servicecode,
    vulnerabilities,
)
from gate.checks.base import CATEGORIES, REGISTRY, CheckSpec, Decision, Hit

__all__ = [
    "CATEGORIES",
    "REGISTRY",
    "CheckSpec",
    "Decision",
    "Hit",
    "cicd",
    "code",
    "compose",
    "container",
    "dependencies",
    "docs",
    "documentation",
    "environment",
    "evidence",
    "githubstate",
    "models",
    "orchestration",
    "service",
    "servicecode",
    "vulnerabilities",
]
