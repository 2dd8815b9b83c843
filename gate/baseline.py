"""The baseline: the same checks on the commit a pull request starts from, to tell new failures from
old ones. The base tree is read from the clone with dulwich (no git binary needed), which requires its
history (`actions/checkout` with `fetch-depth: 0`); without it the report says no baseline was made.
"""

from __future__ import annotations

import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from gate.checks import REGISTRY
from gate.model import Baseline, Outcome, Report
from gate.policy import derived

MAX_BASE_FILES = 200_000


def merge_base(root: Path, base_sha: str, head_sha: str | None) -> str | None:
    """The merge-base of the two commits when both are in the clone, else the base commit itself when
    it is, else None."""
    from dulwich.graph import find_merge_base
    from dulwich.repo import Repo

    try:
        repo = Repo.discover(str(root))
        repo[base_sha.encode()]
    except Exception:  # no repository, or a shallow clone without the base commit
        return None
    if head_sha:
        try:
            commits: list[Any] = [base_sha.encode(), head_sha.encode()]
            found = find_merge_base(repo, commits)
        except Exception:  # the head is not in the clone: judge against the base itself
            found = []
        if found:
            return str(found[0].decode("ascii"))
    return base_sha


@contextmanager
def checked_out(root: Path, sha: str, subdir: str = "") -> Iterator[Path | None]:
    """The tree of commit `sha` written to a temporary folder (the part under `subdir`), or None."""
    from dulwich.object_store import iter_tree_contents
    from dulwich.objects import Blob
    from dulwich.repo import Repo

    with tempfile.TemporaryDirectory(prefix="prodgate-base-") as tmp:
        dest = Path(tmp)
        try:
            repo = Repo.discover(str(root))
            commit = repo[sha.encode()]
            prefix = (subdir.strip("/") + "/").encode() if subdir.strip("/") not in ("", ".") else b""
            written = 0
            for entry in iter_tree_contents(repo.object_store, commit.tree):  # type: ignore[attr-defined]
                if (
                    entry.path is None
                    or entry.sha is None
                    or entry.mode is None
                    or not entry.path.startswith(prefix)
                ):
                    continue
                if stat.S_ISDIR(entry.mode) or entry.mode == 0o160000:  # a submodule: not part of this tree
                    continue
                rel = entry.path[len(prefix) :].decode("utf-8", "surrogateescape")
                target = dest / rel
                if ".." in Path(rel).parts:
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                blob = repo[entry.sha]
                if isinstance(blob, Blob):
                    target.write_bytes(blob.data)  # symlinks become files holding their target
                written += 1
                if written > MAX_BASE_FILES:
                    break
        except Exception:  # an unreadable base: no baseline, and the report says so
            yield None
            return
        yield dest


def compare(head: Report, base: Report, *, fail_on_new_only: bool, source: str = "merge-base") -> Report:
    """Head results marked against the base; with fail_on_new_only, old failures stop blocking."""
    failing = {Outcome.FAIL, Outcome.ERROR}
    head_failing = {r.check_id for r in head.results if r.outcome in failing}
    # a repository setting (branch protection, reviews) is the same for the base and the head: the base
    # is judged without the live state, but a failing setting is never new in a pull request
    settings = {i for i in head_failing if i in REGISTRY and REGISTRY[i].repository_setting}
    base_failing = {r.check_id for r in base.results if r.outcome in failing} | settings
    baseline = Baseline(
        base_sha=base.root,
        new=tuple(sorted(head_failing - base_failing)),
        existing=tuple(sorted(head_failing & base_failing)),
        fixed=tuple(sorted(base_failing - head_failing)),
        fail_on_new_only=fail_on_new_only,
        source=source,
    )
    results = head.results
    if fail_on_new_only:
        results = tuple(
            r.model_copy(update={"blocking": False}) if r.blocking and r.check_id in base_failing else r
            for r in results
        )
    require = head.verdict.require_level
    return head.model_copy(
        update={"results": results, "baseline": baseline, **derived(results, head.verdict.fail_on, require)}
    )


def judge_with_baseline(
    root: Path,
    repo_root: Path,
    base_sha: str | None,
    head_sha: str | None,
    judge: Callable[[Path, Path | None], Report],
    *,
    fail_on_new_only: bool,
) -> Report:
    """The head's report with its baseline (or a note that none could be made). `judge(path, base_dir)`
    evaluates a folder; the head is judged with the base's files beside it (for metric drops)."""
    found = merge_base(repo_root, base_sha, head_sha) if base_sha else None
    if found is None:
        note = Baseline(
            base_sha=base_sha or "", unavailable="the base commit is not in the clone (use fetch-depth: 0)"
        )
        return judge(root, None).model_copy(update={"baseline": note})
    try:
        subdir = root.resolve().relative_to(repo_root.resolve()).as_posix()
    except ValueError:
        subdir = ""
    with checked_out(repo_root, found, subdir) as base_dir:
        if base_dir is None:
            note = Baseline(base_sha=found, unavailable="the base commit could not be read")
            return judge(root, None).model_copy(update={"baseline": note})
        head = judge(root, base_dir)
        base = judge(base_dir, None).model_copy(update={"root": found})
    return compare(head, base, fail_on_new_only=fail_on_new_only)
