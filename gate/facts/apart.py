"""The collectors that run in the second process (gate/background.py) beside all the others: the
dependency files and the secret scan.

Neither shares parsed trees with the other collectors, and each has imports of its own that the warm
child pays for on the other core while this process imports the checks: detect-secrets (with
`requests` under it), pip's requirements parser and `packaging` (about 0.3 s together, half of a small
repository's run). What comes back is small: both facts, each as its own outcome (one cut short by the
deadline leaves the other whole), and the files the child had to skip, so that the report lists them
as a single process would.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from msgspec import Struct

from gate import background

if TYPE_CHECKING:
    from gate.snapshot import Snapshot


class Apart(Struct, frozen=True):
    dependencies: tuple[str, Any]
    """background.outcome of collect_dependencies: ("ok", facts), ("budget", ...) or ("error", ...)"""
    secrets: tuple[str, Any]
    skipped: tuple[tuple[str, str], ...]
    """(path, why) of every file the child did not read: over the cap, unreadable."""


def warm_up() -> None:
    """What the collectors below import, done ahead in the warm child."""
    import packaging.requirements  # noqa: F401
    import pip_requirements_parser  # noqa: F401

    from gate.facts.secrets import warm_up as secrets_ready

    secrets_ready()


def collect_apart(snap: Snapshot) -> Apart:
    """Run in the child: the dependency files first (this process waits on them sooner), then secrets."""
    from gate.facts.dependencies import collect_dependencies
    from gate.facts.secrets import collect_secrets

    dependencies = background.outcome(lambda: collect_dependencies(snap))
    secrets = background.outcome(lambda: collect_secrets(snap))
    return Apart(dependencies, secrets, snap.skipped_reasons())
