"""A peer's test case, how prodgate judges it, and how the two verdicts compare."""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from gate.config import Config
from gate.engine import evaluate
from gate.model import Outcome, Report

AGREE, STRICTER, LAXER, UNDECIDED, DOCUMENTED = "agree", "stricter", "laxer", "undecided", "documented"


@dataclass(frozen=True)
class Case:
    peer: str
    rule: str
    name: str
    """Where the case is in the peer's repository (file and line, or test name)."""
    files: dict[str, str]
    """The files to place, by path in the repository prodgate judges."""
    peer_fails: bool
    peer_config: str = ""
    """A non-default setting the peer's test runs with (such cases are reported, not scored)."""
    added: tuple[str, ...] = ()
    """Context the bench added because the fixture is a fragment (a FROM line, a service start)."""
    lines: tuple[int, ...] = ()
    """Where the peer reports its findings, when its test says (1-based lines of the first file)."""


@dataclass(frozen=True)
class Rule:
    """One peer rule's counterpart: a prodgate check, and for a check that bundles several settings the
    words a finding about this rule's setting contains (`aspect`, a regular expression)."""

    check: str
    aspect: str = ""
    context: tuple[str, ...] = ()
    config: dict[str, Any] = field(default_factory=dict)
    peer_configs: tuple[str, ...] = ()
    """Peer settings (regular expressions over the case's peer config) that match prodgate's default:
    cases run with them are scored; cases with any other non-default setting are not."""


@dataclass(frozen=True)
class Judged:
    case: Case
    check: str
    outcome: Outcome
    pg_fails: bool | None
    verdict: str
    why: str = ""


CONTEXT = {
    # a fragment without a FROM is not a Dockerfile; a pinned, slim Python base says nothing else
    "from": "FROM python:3.12-slim\n",
    # a final stage that serves: a port and a production server's start
    "service": 'EXPOSE 8000\nCMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]\n',
}


def _as_deployment(doc: dict[str, Any]) -> dict[str, Any]:
    """A bare Pod as the Deployment that would run it: prodgate judges long-running workloads."""
    meta = doc.get("metadata") or {}
    labels = meta.get("labels") or {"app": meta.get("name", "pod")}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {k: v for k, v in meta.items() if k in ("name", "namespace", "labels")},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": doc.get("spec") or {}},
        },
    }


def with_context(case: Case, rule: Rule) -> Case:
    files = dict(case.files)
    added: list[str] = []
    if "deployment" in rule.context:
        for path, text in case.files.items():
            if not path.endswith((".yaml", ".yml")):
                continue
            docs = list(yaml.safe_load_all(text))
            if any(isinstance(d, dict) and d.get("kind") == "Pod" for d in docs):
                wrapped = [
                    _as_deployment(d) if isinstance(d, dict) and d.get("kind") == "Pod" else d for d in docs
                ]
                files[path] = yaml.safe_dump_all(wrapped, sort_keys=False)
                added.append("bare Pod run by a Deployment")
    dockerfile = files.get("Dockerfile")
    if dockerfile is not None:
        if "from" in rule.context and not re.search(r"(?im)^\s*FROM\s", dockerfile):
            dockerfile = CONTEXT["from"] + dockerfile
            added.append("FROM line")
        if "service" in rule.context:
            if not re.search(r"(?im)^\s*FROM\s", dockerfile):
                dockerfile = CONTEXT["from"] + dockerfile
                added.append("FROM line")
            dockerfile = dockerfile.rstrip("\n") + "\n" + CONTEXT["service"]
            added.append("EXPOSE and a gunicorn CMD")
        files["Dockerfile"] = dockerfile
    return Case(
        case.peer, case.rule, case.name, files, case.peer_fails, case.peer_config, tuple(added), case.lines
    )


_REPORTS: dict[tuple[tuple[tuple[str, str], ...], str], Report] = {}


def _report(files: dict[str, str], rule: Rule) -> Report:
    """prodgate's report on these files (one evaluation per set of files and check options: several
    peer rules often judge the same file)."""
    options = f"{rule.check}={sorted(rule.config.items())!r}" if rule.config else ""
    key = (tuple(sorted(files.items())), options)
    if key not in _REPORTS:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            for path, text in files.items():
                target = root / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
            config = Config.model_validate(
                {"checks": {rule.check: {"options": rule.config}}} if rule.config else {}
            )
            _REPORTS[key] = evaluate(root, config, offline=True)
    return _REPORTS[key]


def judge(case: Case, rule: Rule, differences: list[dict[str, str]]) -> Judged:
    report = _report(case.files, rule)
    result = next(r for r in report.results if r.check_id == rule.check)
    if result.outcome in (Outcome.PASS, Outcome.FAIL):
        fails = result.outcome is Outcome.FAIL
        if fails and rule.aspect:
            fails = any(re.search(rule.aspect, f.message) for f in result.findings)
        if fails == case.peer_fails:
            verdict = AGREE
        else:
            verdict = STRICTER if fails else LAXER
            for d in differences:
                if d["peer"] == case.peer and d["rule"] == case.rule and re.search(d["case"], case.name):
                    return Judged(case, rule.check, result.outcome, fails, DOCUMENTED, d["why"])
        return Judged(case, rule.check, result.outcome, fails, verdict)
    return Judged(case, rule.check, result.outcome, None, UNDECIDED, result.summary)
