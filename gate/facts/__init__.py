"""Facts: everything checks may know, collected once from a snapshot by one collector per source."""

from __future__ import annotations

from dataclasses import dataclass

from gate.facts.dependencies import DependencyFacts, collect_dependencies
from gate.facts.docs import DocsFacts, collect_docs
from gate.facts.python import PythonFacts, collect_python
from gate.facts.repo import RepoFacts, collect_repo
from gate.snapshot import Snapshot


@dataclass(frozen=True)
class Facts:
    repo: RepoFacts
    python: PythonFacts
    dependencies: DependencyFacts
    docs: DocsFacts


def collect(snap: Snapshot) -> Facts:
    return Facts(
        repo=collect_repo(snap),
        python=collect_python(snap),
        dependencies=collect_dependencies(snap),
        docs=collect_docs(snap),
    )
