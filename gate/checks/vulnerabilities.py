"""The dependency vulnerability check: pinned packages against the advisory databases, never a silent pass."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from gate.checks.base import Decision, Hit, at, check, failed, not_applicable, passed
from gate.facts import Facts
from gate.facts.vulnerabilities import Advisory, AuditedPackage
from gate.model import Level, Outcome, Severity
from gate.wording import agree, count


class IgnoreEntry(BaseModel):
    """An accepted advisory. Required expiry: after it the advisory counts again, and the report says so."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    id: str = Field(min_length=1, description="Advisory id or alias (PYSEC-..., GHSA-..., CVE-...).")
    reason: str = Field(min_length=1, description="Why the risk is accepted; shown in the report.")
    expires: date = Field(description="After this date (YYYY-MM-DD) the advisory counts again.")


class VulnerabilityOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    ignore: tuple[IgnoreEntry, ...] = ()


def _link(advisory: Advisory) -> str:
    return f"https://osv.dev/vulnerability/{advisory.id}"


def _describe(advisory: Advisory) -> str:
    aliases = f" ({', '.join(advisory.aliases)})" if advisory.aliases else ""
    fix = (
        f", fixed in {', '.join(advisory.fix_versions)}"
        if advisory.fix_versions
        else ", no fixed version yet"
    )
    rated = f", {advisory.severity} ({advisory.severity_source})" if advisory.severity else ""
    return f"{advisory.id}{aliases}{fix}{rated} {_link(advisory)}"


def _severity(advisory: Advisory) -> Severity:
    # an advisory that states no severity counts as high: unknown is not harmless
    return Severity(advisory.severity) if advisory.severity else Severity.HIGH


def _matches(entry: IgnoreEntry, advisory: Advisory) -> bool:
    return entry.id in (advisory.id, *advisory.aliases)


@check(
    id="dependencies-no-known-vulnerabilities",
    title="No known CVEs in dependencies",
    category="security",
    severity=Severity.HIGH,
    level=Level.BRONZE,
    applies_when="the repository declares Python dependencies",
    remediation="Upgrade each package to a fixed version (or accept the risk with a `vulnerabilities.ignore` entry that expires).",
    options=VulnerabilityOptions,
    seeds=(
        "No known CVEs in dependencies",
        "Dependencies scanned for vulnerabilities: `pip audit` or `safety check`",
        "All dependencies security-reviewed",
    ),
)
def dependencies_no_known_vulnerabilities(facts: Facts, options: VulnerabilityOptions) -> Decision:
    """
    ## What it checks
    Every pinned Python dependency (requirements files with `-r`/`-c` includes, poetry.lock, uv.lock,
    Pipfile.lock, pdm.lock, exact pins in pyproject.toml) against known advisories, with pip-audit,
    in one run for the whole repository. Nothing is installed or resolved: prodgate hands pip-audit
    only validated `name==version` pairs (`--no-deps --disable-pip --strict`).
    A dependency that could not be audited (unpinned, installed from a URL, the service down or
    answering errors) is never counted as clean: the result is `error` when the audit failed and
    `missing_evidence` when some dependencies could not be audited. When the audit itself failed (the
    service could not be reached), the packages it left out are one finding, which suggests
    `--offline` for a machine without network. With the osv service a package
    the database does not know is indistinguishable from a clean one (that is how OSV answers).
    Each finding's severity is the advisory's own (CVSS v4/v3 base score: 9.0+ critical, 7.0+ high,
    4.0+ medium, else low; or the GHSA label, MODERATE as medium); without one it is high.

    ## Why it matters
    A model server exposes its dependencies to the network: a known hole in the web framework or
    the deserialiser is the cheapest way in, and the advisories name the fixed version.

    ## How to fix
    Upgrade to a version listed as fixed. When a finding does not apply (the vulnerable code path is
    not used), record it with an expiry so it is looked at again:
    `vulnerabilities: {ignore: [{id: PYSEC-2023-62, reason: "...", expires: 2027-01-31}]}`.
    The service is `osv` by default (`vulnerabilities.service`); air-gapped and Enterprise runners
    point `vulnerabilities.osv_url` or `PRODGATE_OSV_URL` at their own OSV endpoint.

    ## Example
    ```text
    flask==0.12.2      # PYSEC-2018-66 (CVE-2018-1000656), fixed in 0.12.3
    flask==2.3.3       # no known advisory
    ```
    """
    vf = facts.vulnerabilities
    if not vf.ran:
        return Decision(Outcome.NOT_AVAILABLE, f"Not audited: {vf.error or 'the audit did not run'}.")
    if not vf.audited and not vf.not_audited:
        return not_applicable("No Python dependencies to audit.")
    hits: list[Hit] = []
    accepted: list[str] = []
    expired: list[str] = []
    for pkg in vf.audited:
        counted: list[str] = []
        worst: list[Severity] = []
        for advisory in pkg.advisories:
            entries = [e for e in options.ignore if _matches(e, advisory)]
            live = [e for e in entries if e.expires >= facts.today]
            if live:
                accepted.append(f"{advisory.id} on {pkg.name} until {live[0].expires} ({live[0].reason})")
                continue
            note = f" [ignore expired on {entries[0].expires}]" if entries else ""
            if entries:
                expired.append(f"{advisory.id} (expired {entries[0].expires})")
            counted.append(_describe(advisory) + note)
            worst.append(_severity(advisory))
        if counted:
            hits.extend(_package_hits(pkg, counted, max(worst, key=lambda s: s.rank)))
    # packages left out by the audit's own failure (the service down) are one finding, not one each
    failed_with = [n for n in vf.not_audited if vf.error and n.reason == vf.error]
    own = [n for n in vf.not_audited if n not in failed_with]
    unaudited = [
        f"{n.name} ({n.place.path}{f':{n.place.line}' if n.place.line else ''}): {n.reason}" for n in own
    ]
    notes = ""
    if accepted:
        notes += f" Accepted: {'; '.join(accepted)}."
    if expired:
        notes += f" Ignore entries expired, counted again: {', '.join(expired)}."
    if unaudited:
        notes += f" Not audited ({len(unaudited)}): {'; '.join(unaudited[:5])}{' ...' if len(unaudited) > 5 else ''}."
    if failed_with:
        notes += f" {count(len(failed_with), 'pinned package')} not audited because of that."
    if hits:
        return failed(f"{count(len(hits), 'vulnerable pin')} found with {vf.service}.{notes}", *hits)
    not_audited_hits = tuple(
        Hit(f"{n.name} was not audited: {n.reason}.", (at(n.place.path, n.place.line),)) for n in own
    )
    if failed_with:
        files = sorted({n.place.path for n in failed_with})
        not_audited_hits += (
            Hit(
                f"{count(len(failed_with), 'pinned package')} {agree(len(failed_with), 'was', 'were')} not audited: {vf.error}.",
                tuple(at(f) for f in files[:5]),
                remediation="On a machine without network, run with --offline (the audit is then not "
                "available rather than failed); otherwise point vulnerabilities.osv_url or "
                "PRODGATE_OSV_URL at a reachable OSV service.",
            ),
        )
    if vf.error:
        return Decision(
            Outcome.ERROR, f"The vulnerability audit failed: {vf.error}.{notes}", not_audited_hits
        )
    if not_audited_hits:
        return Decision(
            Outcome.MISSING_EVIDENCE,
            f"{count(len(vf.audited), 'package')} audited, {len(not_audited_hits)} could not be.{notes}",
            not_audited_hits,
        )
    return passed(
        f"{count(len(vf.audited), 'pinned package')} audited with {vf.service}: no known vulnerabilities.{notes}"
    )


def _package_hits(pkg: AuditedPackage, advisories: list[str], severity: Severity) -> list[Hit]:
    message = (
        f"{pkg.name} {pkg.version} has {len(advisories)} known vulnerabilit{'y' if len(advisories) == 1 else 'ies'}: "
        + "; ".join(advisories)
    )
    return [Hit(message, (at(place.path, place.line),), severity=severity) for place in pkg.places]
