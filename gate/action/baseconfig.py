"""On a pull request the gate's own settings come from the BASE branch, never from the change it judges.

Otherwise a pull request could add a waiver for its own failure, lower a metric floor or disable the
check it fails, and pass. The base version of the config is read from the local clone when the base
commit is in it (fetch-depth: 0, or the merge commit's parents), else through the contents API at the
base sha. What the pull request would change is listed in the comment and takes effect after merge.
`trust_pr_config: true` in the base config opts out (documented with its risk).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gate.action.github import ApiProblem, GitHubClient
from gate.config import Config, ConfigError, parse_config
from gate.model import Frozen, Level


class BaseConfig(Frozen):
    config: Config
    source: str
    """where it came from: 'base commit abc1234 (local clone)', '... (contents API)', or why not"""
    changes: tuple[str, ...] = ()
    """what the pull request's config would change, in words"""
    verified: bool = True


def local_file_at(workspace: Path, base_sha: str, path: str) -> tuple[bool, str | None]:
    """(found the commit, file text or None when the file is not in it)."""
    from dulwich.objects import Blob, Commit, Tree
    from dulwich.repo import Repo

    try:
        repo = Repo.discover(str(workspace))
        commit = repo[base_sha.encode()]
    except Exception:  # no repository, or the base commit is not in this (shallow) clone
        return False, None
    if not isinstance(commit, Commit):
        return False, None
    node: Any = repo[commit.tree]
    for part in path.split("/"):
        if not isinstance(node, Tree):
            return True, None
        try:
            _mode, sha = node[part.encode()]
        except KeyError:
            return True, None
        node = repo[sha]
    return True, node.data.decode("utf-8", "replace") if isinstance(node, Blob) else None


def _describe_changes(base: Config, pr: Config) -> tuple[str, ...]:
    changes: list[str] = []
    if pr.fail_on.rank > base.fail_on.rank:
        changes.append(f"fail_on raised from {base.fail_on.value} to {pr.fail_on.value}")
    levels = list(Level)
    if base.require_level and (
        pr.require_level is None or levels.index(pr.require_level) < levels.index(base.require_level)
    ):
        shown = pr.require_level.value if pr.require_level else "none"
        changes.append(f"require_level lowered from {base.require_level.value} to {shown}")
    for check_id in sorted(set(base.checks) | set(pr.checks)):
        old, new = base.for_check(check_id), pr.for_check(check_id)
        if old.enabled and not new.enabled:
            changes.append(f"check {check_id} disabled")
        if new.severity and (old.severity is None or new.severity.rank < old.severity.rank):
            changes.append(f"check {check_id} severity set to {new.severity.value}")
        if old.options != new.options:
            changes.append(
                f"check {check_id} options changed: {old.options or '{}'} -> {new.options or '{}'}"
            )
    old_waivers = {(w.check, w.paths, w.expires) for w in base.waivers}
    for w in pr.waivers:
        if (w.check, w.paths, w.expires) not in old_waivers:
            changes.append(f"waiver added for {w.check} until {w.expires} (owner {w.owner})")
    if set(pr.exclude) - set(base.exclude):
        changes.append(f"paths excluded: {', '.join(sorted(set(pr.exclude) - set(base.exclude)))}")
    old_ignores = {i.id for i in base.vulnerabilities.ignore}
    for entry in pr.vulnerabilities.ignore:
        if entry.id not in old_ignores:
            changes.append(f"advisory {entry.id} ignored until {entry.expires}")
    if pr.trust_pr_config and not base.trust_pr_config:
        changes.append("trust_pr_config switched on")
    if not changes and base != pr:
        changes.append("other settings changed")
    return tuple(changes)


def base_config(
    workspace: Path,
    path: str,
    base_sha: str,
    pr_config: Config | None,
    pr_error: str | None,
    client: GitHubClient | None,
) -> BaseConfig | None:
    """The config to judge a pull request by, or None when the base version cannot be read (the caller
    then uses the pull request's own config and says so)."""
    found, text = local_file_at(workspace, base_sha, path)
    where = f"base commit {base_sha[:7]}"
    if found:
        where += " (local clone)"
    elif client is not None:
        try:
            text = client.file_at(path, base_sha)
        except ApiProblem:
            return None
        where += " (contents API)"
    else:
        return None
    try:
        config = parse_config(text, f"{path}@{base_sha[:7]}") if text else Config()
    except ConfigError:
        config = Config()  # a broken base config cannot be fixed by the PR either: defaults, stated
        where += ", invalid there: defaults used"
    if config.trust_pr_config and pr_config is not None:
        return BaseConfig(config=pr_config, source=f"{where}: trust_pr_config is on, the PR's config is used")
    changes = _describe_changes(config, pr_config) if pr_config is not None else ()
    if pr_error:
        changes = (*changes, f"the pull request's config is invalid: {pr_error}")
    return BaseConfig(config=config, source=where, changes=changes)
