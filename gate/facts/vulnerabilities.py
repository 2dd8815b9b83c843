"""Known vulnerabilities in the pinned Python dependencies, found by pip-audit.

How the audit stays safe and honest:
- nothing from the repository reaches pip-audit's command line or pip: prodgate writes its own lock
  file (PEP 751) of validated names and versions and runs `pip-audit --locked`, so nothing is resolved,
  downloaded, built or installed, and pip never runs;
- `--strict`, and any failure of the run (service down, HTTP errors, timeouts, unreadable output) is
  an audit error, never a clean result; dependencies whose version is not pinned are listed as not
  audited, with the reason;
- one pip-audit run for the whole repository, however many versions of a package its services pin,
  and results cached per (service, package, version).

pip-audit runs as a subprocess of the same interpreter: its JSON output and CLI are its documented
interface (its Python modules are private), and a subprocess can be bounded by a timeout and killed.
It runs isolated (gate/isolation.py): from an empty folder, `python -I`, with no token in its
environment and no PIP_* setting that could point it elsewhere.
"""

from __future__ import annotations

import json
import os
import re
import stat
import tempfile
import time
from pathlib import Path
from typing import Any

import msgspec.structs
from msgspec import Struct

from gate.facts.dependencies import DependencyFacts, lock_packages
from gate.isolation import run_python
from gate.lazyre import lazy
from gate.paths import folder_of, within
from gate.pep503 import canonical_name
from gate.snapshot import ParseError, Snapshot

CACHE_TTL_S = 12 * 3600
MAX_CACHE_BYTES = 64 * 1024 * 1024
MAX_ADVISORY_BYTES = 1024 * 1024
"""An advisory record read at most: OSV records are a few kilobytes."""
SEVERITY_DEADLINE_S = 60
"""All severity look-ups of a run together, at most."""
_NAME = lazy(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class AuditSettings(Struct, frozen=True):
    service: str = "osv"
    osv_url: str | None = None
    cache_dir: Path | None = None
    timeout: int = 15
    run_timeout: int = 600
    max_packages: int = 1000


class Place(Struct, frozen=True):
    path: str
    line: int | None


class Advisory(Struct, frozen=True):
    id: str
    aliases: tuple[str, ...]
    fix_versions: tuple[str, ...]
    description: str
    severity: str | None = None
    """critical/high/medium/low/info from the advisory itself, None when it states none."""
    severity_source: str | None = None


class AuditedPackage(Struct, frozen=True):
    name: str
    version: str
    places: tuple[Place, ...]
    advisories: tuple[Advisory, ...]


class NotAudited(Struct, frozen=True):
    name: str
    place: Place
    reason: str


class VulnerabilityFacts(Struct, frozen=True):
    service: str
    audited: tuple[AuditedPackage, ...]
    not_audited: tuple[NotAudited, ...]
    error: str | None
    """Why the audit itself failed; the packages it could not audit are in not_audited."""
    ran: bool
    """False when the audit was not asked for (the check is disabled)."""


def not_run(reason: str = "the audit did not run") -> VulnerabilityFacts:
    return VulnerabilityFacts(service="", audited=(), not_audited=(), error=reason, ran=False)


# -- what is pinned where ---------------------------------------------------------------------------


def pinned_set(
    snap: Snapshot, deps: DependencyFacts
) -> tuple[dict[tuple[str, str], list[Place]], list[NotAudited]]:
    from packaging.version import InvalidVersion, Version  # imported when an audit runs, not at start-up

    pins: dict[tuple[str, str], list[Place]] = {}
    skipped: list[NotAudited] = []

    def add(name: str, version: str, place: Place) -> None:
        try:
            Version(version)
        except InvalidVersion:
            skipped.append(NotAudited(name, place, f"'{version}' is not a valid version"))
            return
        if not _NAME.match(name):
            skipped.append(NotAudited(name, place, "not a valid package name"))
            return
        pins.setdefault((canonical_name(name), version), []).append(place)

    lock_dirs = [folder_of(p) for p in deps.lock_files]
    for lock in deps.lock_files:
        parsed = snap.json(lock) if lock.endswith("Pipfile.lock") else snap.toml(lock)
        if parsed is None or isinstance(parsed, ParseError):
            why = str(parsed) if parsed is not None else "it could not be read"
            skipped.append(NotAudited(lock, Place(lock, None), f"the lock file was not audited: {why}"))
            continue
        for name, version, line in lock_packages(snap, lock):
            add(name, version, Place(lock, line))
    for err in deps.errors:
        if err.path in deps.requirement_files:
            skipped.append(
                NotAudited(
                    "(unparsed line)", Place(err.path, err.line), f"the line does not parse: {err.message}"
                )
            )
    constrained = {d.name for d in deps.requirements if d.constraint and d.pinned}
    for dep in deps.requirements:
        place = Place(dep.path, dep.line)
        if dep.pinned and dep.specifier.startswith("=="):
            add(dep.name, dep.specifier.lstrip("="), place)
        elif dep.specifier.startswith("@"):
            skipped.append(
                NotAudited(dep.name, place, "installed from a URL, which advisories do not cover by version")
            )
        elif (
            not dep.constraint
            and dep.name not in constrained
            and not any(within(dep.path, d) for d in lock_dirs)
        ):
            why = dep.specifier or "any version"
            skipped.append(
                NotAudited(dep.name, place, f"not pinned ({why}): the version is chosen at install time")
            )
    pinned_names = {name for name, _ in pins}
    for dep in deps.manifest_dependencies:
        if any(within(dep.path, d) for d in lock_dirs) or dep.name in pinned_names:
            continue
        place = Place(dep.path, dep.line)
        if dep.conda:
            skipped.append(
                NotAudited(dep.name, place, "a conda package: PyPI advisories do not cover it by name")
            )
            continue
        if dep.pinned:
            add(dep.name, dep.specifier.lstrip("="), place)
        else:
            why = dep.specifier or "any version"
            skipped.append(
                NotAudited(
                    dep.name,
                    place,
                    f"not pinned ({why}) and no lock file: the version is chosen at install time",
                )
            )
    return pins, skipped


# -- the cache ---------------------------------------------------------------------------------------


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "prodgate"


class _Cache:
    def __init__(self, folder: Path | None, service_key: str, repository: Path) -> None:
        folder = folder or default_cache_dir()
        if _within(folder, repository):
            # a file the repository (a pull request) ships would answer "no advisories" for every
            # package, and the gate writes nothing into the repository it judges
            folder = default_cache_dir()
        self.path = folder / "vulnerabilities-v1.json"
        self.service_key = service_key
        self.entries: dict[str, Any] = {}
        try:
            # opened first, then judged by what was opened: no swap between a check and the read
            with self.path.open("rb") as fh:
                if _own_private(os.fstat(fh.fileno())):
                    loaded = json.loads(fh.read(MAX_CACHE_BYTES))
                    if isinstance(loaded, dict):
                        self.entries = loaded
        except (OSError, ValueError):
            self.entries = {}

    def _key(self, name: str, version: str) -> str:
        return f"{self.service_key}|{name}|{version}"

    def get(self, name: str, version: str) -> list[Advisory] | None:
        entry = self.entries.get(self._key(name, version))
        age = time.time() - float(entry.get("at", 0)) if isinstance(entry, dict) else -1.0
        if not isinstance(entry, dict) or not 0 <= age <= CACHE_TTL_S:
            return None  # expired, or dated in the future (never written by us)
        try:
            return [
                Advisory(**{**a, "aliases": tuple(a["aliases"]), "fix_versions": tuple(a["fix_versions"])})
                for a in entry["advisories"]
            ]
        except (KeyError, TypeError):
            return None  # written by another version: ask again

    def put(self, name: str, version: str, advisories: list[Advisory]) -> None:
        self.entries[self._key(name, version)] = {
            "at": time.time(),
            "advisories": [msgspec.structs.asdict(a) for a in advisories],
        }

    def save(self) -> None:
        """Atomically (a unique temporary file renamed over the cache: two runs at once never leave a torn
        file), and readable by this user only."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, name = tempfile.mkstemp(prefix=".vulnerabilities-", dir=self.path.parent)  # mode 0600
        except OSError:
            return  # a cache that cannot be written only costs time
        tmp = Path(name)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(json.dumps(self.entries, sort_keys=True))
            tmp.replace(self.path)
        except OSError:
            tmp.unlink(missing_ok=True)


def _own_private(st: os.stat_result) -> bool:
    """A cache is believed only when it is a regular file this user owns, nobody else can write, within
    the size cap: in a shared folder (a cache_dir of /tmp/...), another user's file could say "no
    vulnerabilities" for everything."""
    return (
        stat.S_ISREG(st.st_mode)
        and st.st_uid == os.getuid()
        and not st.st_mode & 0o022
        and st.st_size <= MAX_CACHE_BYTES
    )


def _within(folder: Path, repository: Path) -> bool:
    try:
        return folder.resolve().is_relative_to(repository.resolve())
    except (OSError, RuntimeError):
        return True  # cannot tell: do not use it


# -- the audit ---------------------------------------------------------------------------------------


def _run_pip_audit(
    pins: list[tuple[str, str]], settings: AuditSettings
) -> tuple[dict[tuple[str, str], list[Advisory]], dict[tuple[str, str], str], str | None]:
    """Audit `pins` in one pip-audit run. Returns advisories per pin, per-pin skip reasons, and a run error.

    The pins go to pip-audit as a PEP 751 lock file (`--locked`): it lists resolved versions, so nothing
    is resolved or installed and pip is never run, and unlike a requirements file it may hold several
    versions of one package (a monorepo's services), so one run audits them all."""
    import subprocess  # only a run that audits starts a process (gate/isolation.py)

    with tempfile.TemporaryDirectory(prefix="prodgate-audit-") as tmp:
        lock = Path(tmp) / "project" / "pylock.toml"
        lock.parent.mkdir()
        entries = "".join(
            f"\n[[packages]]\nname = {json.dumps(n)}\nversion = {json.dumps(v)}\n" for n, v in pins
        )
        lock.write_text(f'lock-version = "1.0"\ncreated-by = "prodgate"\n{entries}', encoding="utf-8")
        cmd = [
            "-m", "pip_audit",
            "--locked", str(lock.parent),
            "--strict",
            "--format", "json", "--aliases", "on", "--desc", "on",
            "--progress-spinner", "off",
            "--timeout", str(settings.timeout),
            "--vulnerability-service", settings.service,
            "--cache-dir", str(Path(tmp) / "http-cache"),
        ]  # fmt: skip
        if settings.service == "osv" and settings.osv_url:
            cmd += ["--osv-url", settings.osv_url]
        try:
            # isolated: never from the repository's folder, never with a token (see gate/isolation.py)
            proc = run_python(cmd, timeout=settings.run_timeout)
        except subprocess.TimeoutExpired:
            return {}, {}, f"pip-audit did not finish within {settings.run_timeout} s"
        except OSError as exc:
            return {}, {}, f"pip-audit could not be started: {exc}"
    try:
        report = json.loads(proc.stdout)
        dependencies = report["dependencies"]
    except (ValueError, KeyError, TypeError):
        return {}, {}, _explain_failure(proc.returncode, proc.stderr)
    found: dict[tuple[str, str], list[Advisory]] = {}
    skipped: dict[tuple[str, str], str] = {}
    for dep in dependencies:
        key = (canonical_name(str(dep.get("name", ""))), str(dep.get("version", "")))
        if "skip_reason" in dep:
            skipped[key] = str(dep["skip_reason"])
            continue
        found[key] = [
            Advisory(
                id=str(v.get("id", "")),
                aliases=tuple(sorted(str(a) for a in v.get("aliases") or [])),
                fix_versions=tuple(str(f) for f in v.get("fix_versions") or []),
                description=" ".join(str(v.get("description") or "").split())[:300],
            )
            for v in dep.get("vulns") or []
        ]
    return found, skipped, None


_GHSA_LABELS = {
    "CRITICAL": "critical",
    "HIGH": "high",
    "MODERATE": "medium",
    "MEDIUM": "medium",
    "LOW": "low",
}


def severity_of(record: dict[str, Any]) -> tuple[str | None, str | None]:
    """An OSV record's severity: the CVSS v4 or v3 base score of its vector (bands of the CVSS
    specification: 9.0+ critical, 7.0+ high, 4.0+ medium, 0.1+ low, 0 info), else the GHSA label
    (MODERATE is medium); (None, None) when the advisory states none."""
    from cvss import CVSS3, CVSS4, CVSSError

    for entry in record.get("severity") or []:
        kind, vector = entry.get("type"), str(entry.get("score", ""))
        try:
            if kind == "CVSS_V4":
                score = float(CVSS4(vector).base_score)
            elif kind == "CVSS_V3":
                score = float(CVSS3(vector).base_score)
            else:
                continue
        except (CVSSError, ValueError, KeyError, TypeError):
            continue
        band = (
            "critical"
            if score >= 9
            else "high"
            if score >= 7
            else "medium"
            if score >= 4
            else "low"
            if score > 0
            else "info"
        )
        return band, f"CVSS {score:.1f}"
    label = (record.get("database_specific") or {}).get("severity")
    if isinstance(label, str) and label.upper() in _GHSA_LABELS:
        return _GHSA_LABELS[label.upper()], f"advisory severity {label.upper()}"
    return None, None


def _vulns_endpoint(settings: AuditSettings) -> str:
    query = settings.osv_url or "https://api.osv.dev/v1/query"
    return query.rsplit("/", 1)[0] + "/vulns/"


def _with_severity(
    found: dict[tuple[str, str], list[Advisory]], settings: AuditSettings
) -> dict[tuple[str, str], list[Advisory]]:
    """Look each found advisory up once (GET /v1/vulns/ID) for its severity. A failed lookup leaves the
    severity unknown, which the check treats as high: it never makes the audit fail or pass."""
    import urllib.request  # with http.client and ssl: only when an audit found something to rate

    ids = sorted({a.id for advisories in found.values() for a in advisories})
    rated: dict[str, tuple[str | None, str | None]] = {}
    base = _vulns_endpoint(settings)
    give_up = time.monotonic() + SEVERITY_DEADLINE_S
    for vuln_id in ids:
        if not re.fullmatch(r"[A-Za-z0-9._:-]+", vuln_id):
            continue
        left = give_up - time.monotonic()
        if left <= 0:
            break  # the rest stay unrated, which the check treats as high: bounded, never a pass
        try:
            # the endpoint is http(s) only: config validates osv_url's scheme
            timeout = min(settings.timeout, left)
            with urllib.request.urlopen(base + vuln_id, timeout=timeout) as response:  # noqa: S310
                body = response.read(MAX_ADVISORY_BYTES + 1)
            if len(body) > MAX_ADVISORY_BYTES:
                continue
            rated[vuln_id] = severity_of(json.loads(body))
        except (OSError, ValueError, RecursionError):
            continue
    return {
        key: [
            msgspec.structs.replace(a, severity=rated[a.id][0], severity_source=rated[a.id][1])
            if a.id in rated
            else a
            for a in advisories
        ]
        for key, advisories in found.items()
    }


def _explain_failure(code: int, stderr: str) -> str:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip() and not ln.startswith("WARNING:")]
    last = lines[-1] if lines else f"exit code {code} and no output"
    if "ServiceError" in last or "HTTPError" in stderr:
        return "the vulnerability service answered with an HTTP error (is the service URL right?)"
    if "Timeout" in last or "timed out" in last:
        return "the vulnerability service did not answer in time"
    if "ConnectionError" in stderr or "Could not connect" in stderr or "Max retries exceeded" in stderr:
        return "the vulnerability service could not be reached"
    return f"pip-audit failed: {last[:300]}"


def collect_vulnerabilities(
    snap: Snapshot, deps: DependencyFacts, settings: AuditSettings
) -> VulnerabilityFacts:
    pins, not_audited = pinned_set(snap, deps)
    service_key = f"{settings.service}:{settings.osv_url or 'default'}"
    cache = _Cache(settings.cache_dir, service_key, snap.root)
    results: dict[tuple[str, str], list[Advisory]] = {}
    todo: list[tuple[str, str]] = []
    for key in sorted(pins):
        cached = cache.get(*key)
        if cached is None:
            todo.append(key)
        else:
            results[key] = cached
    if len(todo) > settings.max_packages:
        # pip-audit asks the service once per package: an absurd manifest must not hold the gate for hours
        over, todo = todo[settings.max_packages :], todo[: settings.max_packages]
        reason = f"over the audit limit of {settings.max_packages} packages (vulnerabilities.max_packages)"
        not_audited.extend(
            NotAudited(name, place, reason) for name, version in over for place in pins[(name, version)]
        )
        for key in over:
            del pins[key]
    error: str | None = None
    found: dict[tuple[str, str], list[Advisory]] = {}
    skipped: dict[tuple[str, str], str] = {}
    if todo:
        found, skipped, error = _run_pip_audit(todo, settings)
    if settings.service == "osv":
        found = _with_severity(found, settings)
    if todo:
        for key in todo:
            if key in found:
                results[key] = found[key]
                cache.put(*key, found[key])
            else:
                reason = skipped.get(key) or error or "pip-audit returned no result for it"
                for place in pins[key]:
                    not_audited.append(NotAudited(key[0], place, reason))
        cache.save()
    audited = tuple(
        AuditedPackage(name, version, tuple(pins[(name, version)]), tuple(results[(name, version)]))
        for name, version in sorted(results)
    )
    service = settings.service + (
        f" ({settings.osv_url})" if settings.service == "osv" and settings.osv_url else ""
    )
    return VulnerabilityFacts(service, audited, tuple(not_audited), error, ran=True)
