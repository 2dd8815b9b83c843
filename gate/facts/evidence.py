"""Reports that the user's CI leaves in the workspace: coverage, JUnit test results, load-test results.

They are usually git-ignored build outputs, so they are found by path patterns in the work tree (never
outside it, never through symlinks that leave it), not in the tracked-file listing. XML is read with
defusedxml: a report is input like any other, and entity bombs or external entities must not work.
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from pathlib import Path
from typing import Any

from msgspec import Struct, field
from msgspec.structs import replace

from gate.ignore import PatternList
from gate.snapshot import ParseError

MAX_REPORT_BYTES = 64 * 1024 * 1024
DEFAULT_PATTERNS: dict[str, tuple[str, ...]] = {
    "coverage": ("coverage.xml", "coverage.json", "lcov.info", "coverage.lcov"),
    "junit": ("junit*.xml", "pytest*.xml", "TEST-*.xml", "test-results/**/*.xml", "reports/**/*.xml"),
    "load": ("*_stats.csv", "k6-summary*.json", "k6*.json", "summary*.json"),
}


class CoverageReport(Struct, frozen=True):
    path: str
    percent: float
    files: tuple[tuple[str, float], ...] = ()
    """(source file as the report names it, percent of its lines run by the tests)"""


SUITE_KINDS: dict[str, tuple[str, ...]] = {
    "smoke": ("smoke",),
    "integration": ("integration",),
    "e2e": ("e2e", "end_to_end", "end-to-end", "endtoend"),
}
"""The suites a checklist names, and the words that put a test case in them."""


class FailedCase(Struct, frozen=True):
    name: str
    file: str | None
    line: int | None


class JUnitReport(Struct, frozen=True):
    path: str
    tests: int
    failures: int
    errors: int
    skipped: int
    failed: tuple[FailedCase, ...]
    kinds: tuple[tuple[str, int, int], ...] = ()
    """(kind, cases, failed) for the suites named smoke, integration and e2e: a case is of a kind when
    the report's file name, its test suite, class, file or name says so (tests/smoke/test_up.py)."""


class LoadReport(Struct, frozen=True):
    path: str
    tool: str
    p95_ms: float | None
    rps: float | None
    failure_ratio: float | None
    p95_by_name: dict[str, float] = field(default_factory=dict)
    failed_by_name: dict[str, float] = field(default_factory=dict)
    """the share of each named request that failed (locust), for the names that failed at all"""
    rps_by_name: dict[str, float] = field(default_factory=dict)
    """each named request's rate (locust)"""
    users: float | None = None
    """the most virtual users at once (k6's vus_max, locust's User Count in its stats history)"""


class EvidenceFacts(Struct, frozen=True):
    coverage: tuple[CoverageReport, ...] = ()
    junit: tuple[JUnitReport, ...] = ()
    load: tuple[LoadReport, ...] = ()
    errors: tuple[ParseError, ...] = ()


def _endings(patterns: list[str]) -> tuple[str, ...] | None:
    """The file endings the patterns can match, or None when one of them could match any ending."""
    out = set()
    for p in patterns:
        last = p.rstrip("/").rsplit("/", 1)[-1]
        ext = last.rsplit(".", 1)[-1] if "." in last else ""
        if not ext or any(c in ext for c in "*?[]"):
            return None
        out.add("." + ext)
    return tuple(sorted(out))


_SKIP_DIRS = {
    ".git",
    "node_modules",
    ".venv",
    "venv",
    "__pycache__",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".ruff_cache",
    "site-packages",
}


def _find_all(
    root: Path, patterns: dict[str, tuple[str, ...]], exclude: tuple[str, ...] = ()
) -> dict[str, list[tuple[str, Path]]]:
    """One walk of the work tree (ignored files included: reports usually are), matched per kind with
    gitignore-style patterns; files that resolve outside the root are left out."""
    specs = {kind: PatternList(p) for kind, p in patterns.items() if p}
    endings = _endings([p for ps in patterns.values() for p in ps])
    skip = PatternList(exclude)
    found: dict[str, list[tuple[str, Path]]] = {kind: [] for kind in specs}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in _SKIP_DIRS]
        base = Path(dirpath)
        for name in filenames:
            if endings and not name.endswith(endings):
                continue  # pattern matching is the slow part of the walk: skip what no pattern can match
            path = base / name
            rel = path.relative_to(root).as_posix()
            if exclude and skip.match_file(rel):
                continue
            for kind, spec in specs.items():
                if spec.match_file(rel):
                    try:
                        real = path.resolve(strict=True)
                    except OSError:
                        continue
                    if real.is_relative_to(root) and real.is_file():
                        found[kind].append((rel, real))
    return found


def _read(rel: str, path: Path, errors: list[ParseError]) -> bytes | None:
    try:
        if path.stat().st_size > MAX_REPORT_BYTES:
            errors.append(ParseError(path=rel, message=f"report over {MAX_REPORT_BYTES} bytes: not read"))
            return None
        return path.read_bytes()
    except OSError as exc:
        errors.append(ParseError(path=rel, message=f"unreadable report: {exc.strerror}"))
        return None


def _xml(rel: str, data: bytes, errors: list[ParseError]) -> Any:
    from defusedxml import ElementTree  # only runs given a JUnit or coverage report read it
    from defusedxml.common import DefusedXmlException

    try:
        return ElementTree.fromstring(data)
    except DefusedXmlException as exc:
        errors.append(
            ParseError(
                path=rel,
                message=f"refused XML ({exc.__class__.__name__}): entities are not allowed in reports",
            )
        )
    except ElementTree.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        errors.append(ParseError(path=rel, line=line, message=f"invalid XML: {exc}"))
    return None


def _coverage(rel: str, data: bytes, errors: list[ParseError]) -> CoverageReport | None:
    if rel.endswith(".json"):
        try:
            doc = json.loads(data)
            totals = doc["totals"]
            listed = doc.get("files") if isinstance(doc.get("files"), dict) else {}
            files = tuple(
                (str(name), float(info["summary"]["percent_covered"]))
                for name, info in listed.items()
                if isinstance(info, dict)
                and isinstance(info.get("summary"), dict)
                and isinstance(info["summary"].get("percent_covered"), int | float)
            )
            return CoverageReport(rel, float(totals["percent_covered"]), files)
        except (ValueError, KeyError, TypeError):
            errors.append(
                ParseError(path=rel, message="not a coverage.py JSON report (no totals.percent_covered)")
            )
            return None
    if rel.endswith((".info", ".lcov")):
        found = hit = 0
        source, file_found, file_hit = "", 0, 0
        by_file: list[tuple[str, float]] = []
        for line in data.decode("utf-8", "replace").splitlines():
            if line.startswith("SF:"):
                source, file_found, file_hit = line[3:].strip(), 0, 0
            elif line.startswith("LF:"):
                file_found = int(line[3:] or 0)
                found += file_found
            elif line.startswith("LH:"):
                file_hit = int(line[3:] or 0)
                hit += file_hit
            elif line.startswith("end_of_record") and source and file_found:
                by_file.append((source, 100.0 * file_hit / file_found))
        if not found:
            errors.append(ParseError(path=rel, message="lcov report with no LF/LH lines"))
            return None
        return CoverageReport(rel, 100.0 * hit / found, tuple(by_file))
    root = _xml(rel, data, errors)
    if root is None:
        return None
    rate = root.get("line-rate")
    if root.tag != "coverage" or rate is None:
        errors.append(
            ParseError(path=rel, message="not a Cobertura coverage report (no coverage/@line-rate)")
        )
        return None
    lines: dict[str, list[int]] = {}
    for cls in root.iter("class"):
        name = cls.get("filename")
        if not name:
            continue
        counts = lines.setdefault(name, [0, 0])
        for line in cls.iter("line"):
            counts[0] += 1
            counts[1] += (line.get("hits") or "0") != "0"
    files = tuple((name, 100.0 * run / total) for name, (total, run) in lines.items() if total)
    return CoverageReport(rel, 100.0 * float(rate), files)


def _junit(rel: str, data: bytes, errors: list[ParseError]) -> JUnitReport | None:
    root = _xml(rel, data, errors)
    if root is None:
        return None
    if root.tag not in ("testsuites", "testsuite"):
        return None  # some other XML in a reports folder
    tests = failures = errs = skipped = 0
    failed: list[FailedCase] = []
    # cases sit directly in their suite: findall, not iter, so nested suites are not walked again
    suite_of = {
        id(case): suite.get("name", "")
        for suite in root.iter("testsuite")
        for case in suite.findall("testcase")
    }
    kinds = {k: [0, 0] for k in SUITE_KINDS}
    for case in root.iter("testcase"):
        tests += 1
        said = " ".join(
            (
                rel,
                suite_of.get(id(case), ""),
                case.get("classname") or "",
                case.get("file") or "",
                case.get("name") or "",
            )
        ).lower()
        broke = any(c.tag in ("failure", "error") for c in case)
        for kind, words in SUITE_KINDS.items():
            if any(w in said for w in words):
                kinds[kind][0] += 1
                kinds[kind][1] += broke
        outcome = next((c.tag for c in case if c.tag in ("failure", "error", "skipped")), None)
        if outcome == "skipped":
            skipped += 1
        elif outcome is not None:
            failures += outcome == "failure"
            errs += outcome == "error"
            line = case.get("line")
            name = ".".join(filter(None, (case.get("classname"), case.get("name"))))
            failed.append(FailedCase(name, case.get("file"), int(line) if line and line.isdigit() else None))
    found = tuple((k, ran, bad) for k, (ran, bad) in kinds.items() if ran)
    return JUnitReport(rel, tests, failures, errs, skipped, tuple(failed), found)


def _load(rel: str, data: bytes, errors: list[ParseError]) -> LoadReport | None:
    if rel.endswith(".csv"):
        try:
            rows = list(csv.DictReader(io.StringIO(data.decode("utf-8", "replace"))))
        except csv.Error as exc:
            errors.append(ParseError(path=rel, message=f"invalid CSV: {exc}"))
            return None
        if not rows or "Request Count" not in rows[0]:
            return None
        total = next((r for r in rows if r.get("Name") == "Aggregated"), rows[-1])
        by_name = {
            str(r["Name"]): p95
            for r in rows
            if r.get("Name") not in (None, "Aggregated") and (p95 := _num(r.get("95%"))) is not None
        }
        failed_by_name = {
            str(r["Name"]): bad / sent
            for r in rows
            if r.get("Name") not in (None, "Aggregated")
            and (sent := _num(r.get("Request Count")))
            and (bad := _num(r.get("Failure Count")))
        }
        rps_by_name = {
            str(r["Name"]): rate
            for r in rows
            if r.get("Name") not in (None, "Aggregated") and (rate := _num(r.get("Requests/s"))) is not None
        }
        requests, failures = _num(total.get("Request Count")) or 0, _num(total.get("Failure Count")) or 0
        return LoadReport(
            rel,
            "locust",
            _num(total.get("95%")),
            _num(total.get("Requests/s")),
            failures / requests if requests else None,
            by_name,
            failed_by_name,
            rps_by_name,
        )
    try:
        doc = json.loads(data)
    except ValueError:
        return None
    metrics = doc.get("metrics") if isinstance(doc, dict) else None
    if not isinstance(metrics, dict) or "http_req_duration" not in metrics:
        return None
    duration = metrics["http_req_duration"]
    duration = duration.get("values", duration)
    reqs = metrics.get("http_reqs", {})
    reqs = reqs.get("values", reqs)
    failed = metrics.get("http_req_failed", {})
    failed = failed.get("values", failed)
    vus = metrics.get("vus_max", metrics.get("vus", {}))
    vus = vus.get("values", vus) if isinstance(vus, dict) else {}
    return LoadReport(
        rel,
        "k6",
        _num(duration.get("p(95)")),
        _num(reqs.get("rate")),
        _num(failed.get("rate", failed.get("value"))),
        users=_num(vus.get("max", vus.get("value"))) if isinstance(vus, dict) else None,
    )


def _num(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _locust_users(rel: str, path: Path, errors: list[ParseError]) -> float | None:
    """The most users locust ran at once, from the stats history written beside its stats (--csv)."""
    history = path.with_name(path.name.removesuffix("_stats.csv") + "_stats_history.csv")
    try:
        if not stat.S_ISREG(history.lstat().st_mode):
            return None  # a link or a FIFO is not a report locust wrote
    except OSError:
        return None
    data = _read(rel.removesuffix("_stats.csv") + "_stats_history.csv", history, errors)
    if data is None:
        return None
    try:
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8", "replace"))))
    except csv.Error:
        return None
    counts = [n for r in rows if (n := _num(r.get("User Count"))) is not None]
    return max(counts) if counts else None


def collect_evidence(
    root: Path, patterns: dict[str, tuple[str, ...]], exclude: tuple[str, ...] = ()
) -> EvidenceFacts:
    errors: list[ParseError] = []
    coverage, junit, load = [], [], []
    files = _find_all(root.resolve(), patterns, exclude)
    for rel, path in files.get("coverage", []):
        if (data := _read(rel, path, errors)) is not None and (c := _coverage(rel, data, errors)):
            coverage.append(c)
    for rel, path in files.get("junit", []):
        if (data := _read(rel, path, errors)) is not None and (j := _junit(rel, data, errors)):
            junit.append(j)
    for rel, path in files.get("load", []):
        if (data := _read(rel, path, errors)) is not None and (lr := _load(rel, data, errors)):
            if lr.tool == "locust" and rel.endswith("_stats.csv"):
                lr = replace(lr, users=_locust_users(rel, path, errors))
            load.append(lr)
    return EvidenceFacts(tuple(coverage), tuple(junit), tuple(load), tuple(errors))
