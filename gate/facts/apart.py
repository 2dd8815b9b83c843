"""The collectors that run in the second process (gate/background.py) beside all the others: the
dependency files and the secret scan.

Neither shares parsed trees with the other collectors, and each has imports of its own that the warm
child pays for on the other core while this process imports the checks: detect-secrets (with a
stand-in for `requests`, see `_requests_refused`), pip's requirements parser and `packaging`. What
comes back is small: both facts, each as its own outcome (one cut short by the
deadline leaves the other whole), and the files the child had to skip, so that the report lists them
as a single process would.
"""

from __future__ import annotations

import functools
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from msgspec import Struct

from gate import background

if TYPE_CHECKING:
    from gate.snapshot import Listed, Snapshot


class Apart(Struct, frozen=True):
    dependencies: tuple[str, Any]
    """background.outcome of collect_dependencies: ("ok", facts), ("budget", ...) or ("error", ...)"""
    secrets: tuple[str, Any]
    skipped: tuple[tuple[str, str], ...]
    """(path, why) of every file the child did not read: over the cap, unreadable."""


def warm_up() -> None:
    """What the collectors below import, done ahead in the warm child (and only there: see
    `_requests_refused`)."""
    _requests_refused()
    import packaging.requirements  # noqa: F401
    import pip_requirements_parser  # noqa: F401

    from gate.facts.secrets import warm_up as secrets_ready

    secrets_ready()


class NoNetwork(Exception):
    """What the stand-in for `requests` raises: the second process never sends anything anywhere."""


def _requests_refused() -> None:
    """detect-secrets imports `requests` (with urllib3, charset_normalizer, idna, http.client: more
    than a third of this process's imports) only to verify a found secret against its service, which
    prodgate never does: it would send the repository's secret over the network. The second process
    only scans, so a stand-in takes the module's place there, with what detect-secrets names of it
    (`Response` in signatures, `exceptions.RequestException` in its handlers) and calls that refuse.
    The process that runs the checks, and the Action's GitHub client, keep the real one.
    tests/test_background.py holds the stand-in to every name detect-secrets uses."""
    if "requests" in sys.modules:
        return
    stand_in = types.ModuleType("requests", _requests_refused.__doc__)

    def refuse(*_args: object, **_kwargs: object) -> NoReturn:
        raise NoNetwork("prodgate's secret scan never verifies a secret over the network")

    stand_in.Response = type("Response", (), {})  # type: ignore[attr-defined]
    stand_in.exceptions = types.SimpleNamespace(RequestException=NoNetwork)  # type: ignore[attr-defined]
    stand_in.get = stand_in.post = stand_in.request = stand_in.head = refuse  # type: ignore[attr-defined]
    sys.modules["requests"] = stand_in


def ahead(root: Path, listed: Listed) -> Callable[[Any], tuple[str, Any] | None]:
    """Run in the warm child before its job arrives (background.prewarm's `ahead_of_job`): the
    collection below, on the snapshot a run with the default settings makes of the child's listing.
    The command line asks for it only when nothing can change those settings (no config file, no
    --config or --time-budget); `reuse` still gives the result only for a job on the same listing,
    and only when nothing was cut short by the deadline, which here started earlier than the job's."""
    from gate.budget import DEFAULT_TIME_BUDGET_S, Deadline
    from gate.snapshot import Snapshot

    snap = Snapshot.load(root, listed=listed, deadline=Deadline.start(DEFAULT_TIME_BUDGET_S))
    given = snap.listing()
    early = collect_apart(given)

    def reuse(job: Any) -> tuple[str, Any] | None:
        if not (isinstance(job, functools.partial) and job.func is collect_apart and not job.keywords):
            return None
        if len(job.args) != 1 or not _same_listing(job.args[0], given):
            return None
        if "budget" in (early.dependencies[0], early.secrets[0]):
            return None
        return ("ok", early)

    return reuse


def _same_listing(a: Snapshot, b: Snapshot) -> bool:
    """Two listings (Snapshot.listing) of the same files, read with the same bounds."""
    return (a.root, a.files, a.tracked, a.is_git, a.max_file_size) == (
        b.root,
        b.files,
        b.tracked,
        b.is_git,
        b.max_file_size,
    ) and a.skipped_reasons() == b.skipped_reasons()


def collect_apart(snap: Snapshot) -> Apart:
    """Run in the child: the dependency files first (this process waits on them sooner), then secrets."""
    from gate.facts.dependencies import collect_dependencies
    from gate.facts.secrets import collect_secrets

    dependencies = background.outcome(lambda: collect_dependencies(snap))
    secrets = background.outcome(lambda: collect_secrets(snap))
    return Apart(dependencies, secrets, snap.skipped_reasons())
