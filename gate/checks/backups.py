"""Backups configured: a job copies the service's state away, often enough, kept long enough, to
another region, continuously when asked, and restored on a schedule to prove it works.

A go-live checklist asks "Backup retention policy (30 days)", "SQLite database backed up daily",
"Point-in-time recovery capability". One check reads the backup jobs the repository schedules
(gate/facts/backups.py); which aspects it asks for comes from the team's config or, for a checklist
line, from the line's own words (gate/thresholds.py).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from gate.checks.base import Decision, Hit, at, check, failed, not_applicable, passed
from gate.facts import Facts
from gate.facts.backups import BackupJob
from gate.lazyre import lazy
from gate.model import Level, Outcome, Severity

Aspect = Literal["job", "frequency", "retention", "region", "pitr", "volume", "verification"]

NAMES: dict[Aspect, str] = {
    "job": "a backup job",
    "frequency": "a backup schedule",
    "retention": "a retention period",
    "region": "a backup region",
    "pitr": "point-in-time recovery (continuous replication)",
    "volume": "a backup of the volumes",
    "verification": "a scheduled restore or verification",
}
_ASKED: tuple[tuple[Aspect, re.Pattern[str]], ...] = (
    ("frequency", lazy(r"frequen|daily|nightly|hourly|weekly|\bevery\b|\bRPO\b|recovery point", re.I)),
    ("retention", lazy(r"retention|retain|kept for|\bkeep\b", re.I)),
    ("region", lazy(r"region|geo-?redundan|off-?site|cross-?region", re.I)),
    ("pitr", lazy(r"point[- ]in[- ]time|\bpitr\b", re.I)),
    ("volume", lazy(r"volume", re.I)),
    ("verification", lazy(r"verif|restor(e|ation) (test|drill|check)", re.I)),
)
_EVERY = {"hourly": 1.0, "daily": 24.0, "nightly": 24.0, "weekly": 168.0}
_WITHIN = lazy(
    r"(?:<|≤|<=|under|below|within|less than|at most)\s*(\d+(?:\.\d+)?)\s*(hours?|h|days?)\b", re.I
)
_DAYS = lazy(r"(\d+)\s*days?\b", re.I)


def asked_aspects(text: str) -> tuple[tuple[Aspect, ...], float | None, float | None]:
    """The aspects a checklist line asks for, the longest interval it accepts in hours ("daily": 24,
    "RPO < 24 hours": 24) and the shortest retention in days ("(30 days)"). A line about backups that
    names no aspect asks for a backup job."""
    asked = [aspect for aspect, rx in _ASKED if rx.search(text)]
    interval: float | None = None
    retention: float | None = None
    if "frequency" in asked:
        word = next((w for w in _EVERY if re.search(rf"\b{w}\b", text, re.I)), None)
        if word is not None:
            interval = _EVERY[word]
        elif m := _WITHIN.search(text):
            interval = float(m.group(1)) * (24 if m.group(2).lower().startswith("d") else 1)
    if "retention" in asked and (m := _DAYS.search(text)):
        retention = float(m.group(1))
    if not asked and re.search(r"backup|backed up", text, re.I):
        asked = ["job"]
    return tuple(asked), interval, retention


class BackupOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    aspects: tuple[Aspect, ...] = ()
    """What the backups must show. None by default: a checklist line asks for its own."""
    max_interval_hours: float | None = Field(default=None, gt=0)
    """The longest time between two backups ("daily": 24)."""
    min_retention_days: float | None = Field(default=None, gt=0)
    """The shortest time a backup must be kept."""
    external: str | None = Field(default=None, min_length=1)
    """Where backups are made instead, when not by this repository ("RDS automated backups, 35 days"):
    the check is then not applicable, with that reason."""


def _meets(job: BackupJob, aspect: Aspect, options: BackupOptions) -> bool:
    if aspect == "job":
        return True
    if aspect == "frequency":
        hours = job.interval_hours
        return hours is not None and (
            options.max_interval_hours is None or hours <= options.max_interval_hours
        )
    if aspect == "retention":
        days = job.retention_days
        return days is not None and (options.min_retention_days is None or days >= options.min_retention_days)
    if aspect == "region":
        return bool(job.region)
    if aspect == "pitr":
        return job.schedule == "continuous"
    if aspect == "volume":
        return job.volumes
    return job.verifies and job.schedule != ""


def _describe(job: BackupJob, aspect: Aspect) -> str:
    what = {
        "frequency": f"runs {job.schedule!r}",
        "retention": f"keeps {job.retention_days:g} days" if job.retention_days is not None else "",
        "region": f"region {job.region}",
    }.get(aspect, "")
    named = f"{job.via} {job.name}" if job.name else job.via
    return f"{named} ({job.path}:{job.line}{', ' + what if what else ''})"


@check(
    id="backups-configured",
    title="Backups configured for the aspects asked for",
    category="backup-recovery",
    severity=Severity.LOW,
    level=Level.GOLD,
    applies_when="the service keeps state or schedules backups, and the config or a checklist line asks",
    remediation="Schedule a backup of the database or volume (a CronJob, a compose backup service, a crontab line or Litestream) with a retention and an off-site destination.",
    options=BackupOptions,
)
def backups_configured(facts: Facts, options: BackupOptions) -> Decision:
    """
    ## What it checks
    That the repository schedules backups of the service's state, with each aspect asked for: a
    backup job at all; a schedule (at most `max_interval_hours` apart); a retention period (at least
    `min_retention_days`); a region for the copies; point-in-time recovery (continuous replication
    such as Litestream); a backup of the volumes; a scheduled restore or verification.

    A backup job is found by what it runs (backup, dump, snapshot, Litestream, restic, Velero,
    `sqlite3 .backup`...) wherever it is scheduled: a Kubernetes CronJob, a Velero Schedule, a compose
    service made for backups (its schedule read from a `*CRON*` variable), a GitHub workflow run on a
    schedule, a crontab line in the repository, or a `litestream.yml`. Retention is read from the
    job's settings (`BACKUP_RETENTION_DAYS=30`, `--keep-daily 30`, `find -mtime +30 -delete`,
    `retention: 720h`), the region from `--region` or `AWS_REGION`.

    No aspect is asked by default. A checklist line names its own ("Backup retention policy (30 days)"
    asks for a retention of at least 30 days; "SQLite database backed up daily" for a schedule at
    most a day apart), or the team lists them in `aspects`. A service that keeps no state (no SQLite
    database in its code, no database service, volume claim or StatefulSet) and schedules no backup
    has nothing to back up; one that keeps state without a backup job in the repository cannot be
    decided (missing evidence) unless `external` says where backups are made.

    ## Why it matters
    The first restore is the wrong time to learn that the job stopped in spring, kept three days, or
    wrote to the disk that failed.

    ## How to fix
    Schedule the backup next to the deployment, with its retention and destination in the same file.

    ## Example
    ```text
    # ops/crontab on the host
    15 2 * * * sqlite3 /data/jobs.db ".backup /backups/jobs.db" && aws s3 cp /backups/jobs.db s3://acme-backups/jobs/ --region eu-west-1
    30 2 * * * find /backups -name '*.db' -mtime +30 -delete
    ```
    """
    if not options.aspects:
        return not_applicable("No backup aspect is asked for (options.aspects, or a checklist line).")
    if options.external:
        return not_applicable(f"Backups are made outside the repository: {options.external}")
    jobs = facts.backups.jobs
    stores = facts.backups.stores
    if not jobs:
        if not stores:
            return not_applicable(
                "The service keeps no state to back up (no SQLite database, database service, volume "
                "claim or StatefulSet) and schedules no backup."
            )
        return Decision(
            Outcome.MISSING_EVIDENCE,
            f"No backup job in the repository for {stores[0]}"
            f"{' and ' + str(len(stores) - 1) + ' more' if len(stores) > 1 else ''}. If backups are made "
            "elsewhere, say where in options.external.",
        )
    found: list[str] = []
    missing: list[str] = []
    for aspect in dict.fromkeys(options.aspects):
        job = next((j for j in jobs if _meets(j, aspect, options)), None)
        if job is None:
            wanted = NAMES[aspect]
            if aspect == "frequency" and options.max_interval_hours is not None:
                wanted += f" at most {options.max_interval_hours:g} hours apart"
            if aspect == "retention" and options.min_retention_days is not None:
                wanted += f" of at least {options.min_retention_days:g} days"
            missing.append(wanted)
        else:
            found.append(f"{NAMES[aspect]}: {_describe(job, aspect)}")
    if missing:
        first = jobs[0]
        return failed(
            f"The backup jobs lack {', '.join(missing)}.",
            *(Hit(f"No backup job has {name}.", (at(first.path, first.line),)) for name in missing),
        )
    return passed("Backups: " + "; ".join(found) + ".")
