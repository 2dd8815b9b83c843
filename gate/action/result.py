"""The result file one run hands to another (the two-workflow fork setup).

The unprivileged `pull_request` run writes it; the privileged `workflow_run` run publishes it. To the
publisher it is untrusted input: it is size-capped, validated against the Report model (frozen, no extra
fields), its head commit must be the one the triggering run was for, and every check id must be one this
version knows. Titles, categories, levels and remediation text are then taken from this version's own
registry, so the file cannot put Markdown of its choosing into the comment: what remains of it
(summaries, messages, paths) goes through the same escaping as any repository text.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from pydantic import Field, ValidationError

from gate.checks import REGISTRY
from gate.errors import InputProblem
from gate.model import CheckResult, Finding, Frozen, Report, Severity
from gate.policy import BLOCKING_OUTCOMES, derived
from gate.wording import agree

RESULT_SCHEMA = "prodgate-result/1"
RESULT_NAME = "prodgate-result.json"
MAX_RESULT_BYTES = 16 * 1024 * 1024


class ResultError(InputProblem):
    pass


class ResultFile(Frozen):
    schema_: str = Field(alias="schema", pattern=r"^prodgate-result/1$")
    pull_number: int | None = Field(ge=1)
    head_sha: str = Field(pattern=r"^[0-9a-f]{40}$")
    report: Report


def write_result(path: Path, report: Report, *, pull_number: int | None, head_sha: str) -> None:
    doc = ResultFile.model_validate(
        {"schema": RESULT_SCHEMA, "pull_number": pull_number, "head_sha": head_sha, "report": report}
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(doc.model_dump_json(by_alias=True, indent=1) + "\n", encoding="utf-8")


def _trusted(result: CheckResult, fail_on: Severity) -> CheckResult:
    spec = REGISTRY[result.check_id]
    findings = tuple(
        Finding.model_validate(
            f.model_dump() | {"check_id": spec.id, "remediation": spec.remediation if f.remediation else ""}
        )
        for f in result.findings
    )
    return result.model_copy(
        update={
            "title": spec.title,
            "category": spec.category,
            "level": spec.level,
            "findings": findings,
            "blocking": result.outcome in BLOCKING_OUTCOMES and result.severity.at_least(fail_on),
        }
    )


def parse_result(raw: bytes, shown: str, *, expected_sha: str | None = None) -> ResultFile:
    """A result file's bytes, validated, with everything derivable rebuilt from this version's registry."""
    if len(raw) > MAX_RESULT_BYTES:
        raise ResultError(f"{shown}: {len(raw)} bytes, over the {MAX_RESULT_BYTES} a result file may have")
    try:
        doc = ResultFile.model_validate_json(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ResultError(f"{shown}: not a valid prodgate result file: {where}: {first['msg']}") from None
    if expected_sha is not None and doc.head_sha != expected_sha:
        raise ResultError(
            f"{shown}: the result is for commit {doc.head_sha}, not {expected_sha}, the triggering run's head"
        )
    unknown = sorted({r.check_id for r in doc.report.results} - set(REGISTRY))
    if unknown:
        raise ResultError(
            f"{shown}: unknown check {agree(len(unknown), 'id', 'ids')} {', '.join(unknown[:5])}"
        )
    fail_on = doc.report.verdict.fail_on
    results = tuple(_trusted(r, fail_on) for r in doc.report.results)
    # the verdict, level, scores and counts follow from the results, never from what the file says
    update = {"results": results, **derived(results, fail_on, doc.report.verdict.require_level)}
    report = doc.report.model_copy(update=update)
    return doc.model_copy(update={"report": report})


def read_result(path: Path, *, expected_sha: str) -> ResultFile:
    try:
        size = path.stat().st_size
        if size > MAX_RESULT_BYTES:
            raise ResultError(f"{path}: {size} bytes, over the {MAX_RESULT_BYTES} a result file may have")
        raw = path.read_bytes()
    except OSError as exc:
        raise ResultError(f"{path}: cannot read the result file: {exc.strerror}") from None
    return parse_result(raw, str(path), expected_sha=expected_sha)


def result_from_zip(data: bytes, shown: str) -> ResultFile:
    """The result file inside an Actions artifact's zip: one member read, its size bounded first."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [m for m in archive.infolist() if m.filename.rsplit("/", 1)[-1] == RESULT_NAME]
            if not members:
                raise ResultError(f"{shown}: no {RESULT_NAME} in the artifact")
            if members[0].file_size > MAX_RESULT_BYTES:
                raise ResultError(f"{shown}: {RESULT_NAME} is over {MAX_RESULT_BYTES} bytes unpacked")
            with archive.open(members[0]) as member:
                raw = member.read(MAX_RESULT_BYTES + 1)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ResultError(f"{shown}: not a readable zip: {exc}") from None
    return parse_result(raw, f"{shown}/{RESULT_NAME}")
