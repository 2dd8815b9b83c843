"""Facts about backups: the jobs that copy the service's state somewhere else, and that state.

A backup job is recognised by what it runs, wherever it is scheduled: a Kubernetes CronJob, a Velero
Schedule, a compose service built for backups, a scheduled GitHub workflow, a crontab line, or a
Litestream configuration (continuous replication of a SQLite file). Its schedule, retention,
destination and region are read from its own text; nothing is run.
"""

from __future__ import annotations

import re
from typing import Any

from msgspec import Struct

from gate.facts.compose import ComposeFacts
from gate.facts.kubernetes import KubernetesFacts
from gate.facts.workflows import WorkflowFacts
from gate.lazyre import lazy
from gate.snapshot import Snapshot

BACKUP_WORDS = lazy(
    r"backup|\bdump\b|pg_dump|mysqldump|mongodump|snapshot|litestream|restic|velero|borg|rclone|"
    r"\.backup\b|docker-volume-backup",
    re.IGNORECASE,
)
_VERIFY = lazy(r"restore|verif|integrity_check|restic check", re.IGNORECASE)
_RETENTION = (
    (lazy(r"(?:retention|keep|retain)[_-]?(?:days?|daily)\D{0,6}(\d{1,5})", re.I), 1.0),
    (lazy(r"-mtime\s+\+(\d{1,5})"), 1.0),
    (lazy(r"--keep-within[= ](\d{1,5})d"), 1.0),
    (lazy(r"\b(?:retention|ttl):\s*['\"]?(\d{1,6})h", re.I), 1 / 24),
    (lazy(r"\b(?:retention|ttl)[^\n\d]{0,12}(\d{1,5})\s*d(?:ays?)?\b", re.I), 1.0),
)
_DESTINATION = lazy(r"\b(s3|gs|gcs|azblob|abs|az|sftp|b2|swift)://[^\s'\"]+", re.I)
_REGION = lazy(
    r"(?:--region[= ]|\bregion:\s*|AWS_(?:DEFAULT_|S3_)?REGION['\"]?\s*[:=]\s*)['\"]?([a-z]{2}(?:-[a-z]+)+-\d)\b"
)
_MAX_TEXT = 20_000
"""A job's text is read up to this many characters (a job is a command and its settings)."""


class BackupJob(Struct, frozen=True):
    path: str
    line: int
    via: str
    """CronJob, Velero Schedule, compose service, scheduled workflow, crontab, Litestream"""
    name: str
    schedule: str
    """the cron expression, or 'continuous' (Litestream)"""
    interval_hours: float | None
    """how often it runs, from the schedule (None: unread)"""
    retention_days: float | None
    destination: str
    region: str
    volumes: bool
    """it reads a volume or claim (not only a database over the network)"""
    verifies: bool
    """it restores or checks what it copied"""


class BackupFacts(Struct, frozen=True):
    jobs: tuple[BackupJob, ...] = ()
    stores: tuple[str, ...] = ()
    """where the service keeps state worth backing up: 'path:line (what)'"""


_NAMED = {"@hourly": 1.0, "@daily": 24.0, "@midnight": 24.0, "@weekly": 168.0, "@monthly": 720.0}


def interval_hours(cron: str) -> float | None:
    """Hours between runs of a cron schedule, for the usual shapes ('0 2 * * *': 24, '0 */6 * * *': 6,
    '30 1 * * 0': 168); None for one it cannot read."""
    cron = cron.strip()
    if cron in _NAMED:
        return _NAMED[cron]
    parts = cron.split()
    if len(parts) != 5:
        return None
    minute, hour, dom, _month, dow = parts
    if dom != "*" and not dom.startswith("*/"):
        return 720.0 / len(dom.split(","))
    if dom.startswith("*/") and dom[2:].isdigit():
        return 24.0 * int(dom[2:])
    if dow != "*":
        days = dow.split(",")
        return 168.0 / len(days) if "-" not in dow else 24.0
    if hour == "*":
        if minute.startswith("*/") and minute[2:].isdigit():
            return int(minute[2:]) / 60
        return 1.0 / len(minute.split(",")) if minute != "*" else 1 / 60
    if hour.startswith("*/") and hour[2:].isdigit():
        return float(hour[2:])
    return 24.0 / len(hour.split(","))


def _retention(text: str) -> float | None:
    for rx, scale in _RETENTION:
        if m := rx.search(text):
            return round(float(m.group(1)) * scale, 2)
    return None


def _job(path: str, line: int, via: str, name: str, schedule: str, text: str, volumes: bool) -> BackupJob:
    text = text[:_MAX_TEXT]
    dest = _DESTINATION.search(text)
    region = _REGION.search(text)
    return BackupJob(
        path,
        line,
        via,
        name,
        schedule,
        interval_hours(schedule) if schedule != "continuous" else 0.0,
        _retention(text),
        dest.group(0) if dest else "",
        region.group(1) if region else "",
        volumes,
        bool(_VERIFY.search(name) or _VERIFY.search(text)),
    )


def _flat(value: Any) -> str:
    """A manifest or service, flattened to its words (keys, commands, arguments, environment), up to
    _MAX_TEXT characters. Not a YAML dump: a merged compose file holds `!reset` values it cannot write."""
    words: list[str] = []
    size = 0
    stack = [value]
    while stack and size < _MAX_TEXT:
        item = stack.pop()
        if isinstance(item, dict):
            for k, v in reversed(list(item.items())):
                stack.append(v)
                stack.append(str(k))
        elif isinstance(item, list | tuple):
            stack.extend(reversed(item))
        elif item is not None:
            text = str(item)
            words.append(text)
            size += len(text) + 1
    return " ".join(words)[:_MAX_TEXT]


def _kubernetes(kube: KubernetesFacts) -> list[BackupJob]:
    jobs: list[BackupJob] = []
    for m in kube.of_kind("CronJob"):
        text = _flat(m.data)
        if not BACKUP_WORDS.search(text):
            continue
        spec = m.data.get("spec") if isinstance(m.data.get("spec"), dict) else {}
        schedule = str(spec.get("schedule", "")) if isinstance(spec, dict) else ""
        jobs.append(_job(m.path, m.line, "CronJob", m.name, schedule, text, "persistentVolumeClaim" in text))
    for m in kube.of_kind("Schedule"):
        spec = m.data.get("spec")
        if not isinstance(spec, dict) or "velero" not in str(m.data.get("apiVersion", "")):
            continue
        text = _flat(m.data)
        jobs.append(
            _job(m.path, m.line, "Velero Schedule", m.name, str(spec.get("schedule", "")), text, True)
        )
    return jobs


def _compose(compose: ComposeFacts) -> list[BackupJob]:
    jobs: list[BackupJob] = []
    for service in compose.services:
        text = _flat(service.config)
        if not BACKUP_WORDS.search(service.name + " " + str(service.config.get("image", ""))):
            continue
        env = service.config.get("environment")
        cron = ""
        if isinstance(env, dict):
            cron = next((str(v) for k, v in env.items() if "CRON" in str(k).upper() and v), "")
        elif isinstance(env, list):
            cron = next(
                (str(e).split("=", 1)[1] for e in env if "CRON" in str(e).upper() and "=" in str(e)), ""
            )
        volumes = any(
            ":" in str(v) and not str(v).startswith((".", "/")) for v in service.config.get("volumes") or []
        )
        source, line = service.where()
        jobs.append(_job(source, line, "compose service", service.name, cron.strip("'\""), text, volumes))
    return jobs


def _workflows(workflows: WorkflowFacts) -> list[BackupJob]:
    jobs: list[BackupJob] = []
    for wf in workflows.ci:
        # `on:` is the key True to a YAML 1.1 reader
        on = next((v for k, v in wf.data.items() if k in ("on", True)), None)
        schedules = on.get("schedule") if isinstance(on, dict) else None
        if not isinstance(schedules, list) or not schedules:
            continue
        crons = [str(s.get("cron", "")) for s in schedules if isinstance(s, dict)]
        for job in wf.jobs:
            text = " ".join(f"{s.name} {s.run or ''} {s.uses or ''} {_flat(s.with_)}" for s in job.steps)
            if BACKUP_WORDS.search(job.id + " " + text):
                jobs.append(
                    _job(
                        wf.path,
                        job.line,
                        "scheduled workflow",
                        job.id,
                        crons[0] if crons else "",
                        text,
                        False,
                    )
                )
    return jobs


_MOUNTS = lazy(r"\s-v\s|--volume|--mount|/var/lib/docker/volumes/|volume", re.I)
"""A crontab command that reads a container volume (a host path alone could be anything)."""
_CRON_LINE = lazy(r"^\s*(@\w+|(?:\S+\s+){4}\S+)\s+(.+)$")


def _crontabs(snap: Snapshot) -> list[BackupJob]:
    jobs: list[BackupJob] = []
    for rel in snap.files:
        name = rel.rsplit("/", 1)[-1]
        if not (name == "crontab" or name.endswith((".cron", ".crontab")) or "/cron.d/" in f"/{rel}"):
            continue
        for i, line in enumerate((snap.text(rel) or "").splitlines()[:2_000], 1):
            if len(line) > _MAX_TEXT or line.lstrip().startswith("#") or not BACKUP_WORDS.search(line):
                continue
            if m := _CRON_LINE.match(line):
                volumes = bool(_MOUNTS.search(m.group(2)))
                jobs.append(_job(rel, i, "crontab line", "", m.group(1), m.group(2), volumes))
    return jobs


def _litestream(snap: Snapshot) -> list[BackupJob]:
    jobs: list[BackupJob] = []
    for rel in snap.files:
        if rel.rsplit("/", 1)[-1] not in ("litestream.yml", "litestream.yaml"):
            continue
        text = snap.text(rel) or ""
        if "replicas" in text:
            jobs.append(_job(rel, 1, "Litestream", rel, "continuous", text, True))
    return jobs


_SQLITE = lazy(r"sqlite3\.connect|sqlite\+?\w*:///|aiosqlite")
_DB_IMAGES = lazy(r"^(postgres|mysql|mariadb|mongo|bitnami/(postgresql|mysql|mongodb))(:|$)", re.I)


def _stores(
    snap: Snapshot, compose: ComposeFacts, kube: KubernetesFacts, modules: tuple[str, ...]
) -> list[str]:
    stores = [f"{path} (SQLite)" for path in modules if _SQLITE.search(snap.text(path) or "")]
    for service in compose.services:
        image = str(service.config.get("image", ""))
        if _DB_IMAGES.match(image):
            stores.append(f"{service.sources[0].path if service.sources else ''} ({service.name}: {image})")
    for m in kube.of_kind("PersistentVolumeClaim"):
        stores.append(f"{m.path}:{m.line} (PersistentVolumeClaim {m.name})")
    for m in kube.of_kind("StatefulSet"):
        stores.append(f"{m.path}:{m.line} (StatefulSet {m.name})")
    return stores


def collect_backups(
    snap: Snapshot,
    compose: ComposeFacts,
    kube: KubernetesFacts,
    workflows: WorkflowFacts,
    service_modules: tuple[str, ...],
) -> BackupFacts:
    """`service_modules`: the service's own modules (code facts), read for a SQLite database they open."""
    jobs = [
        *_kubernetes(kube),
        *_compose(compose),
        *_workflows(workflows),
        *_crontabs(snap),
        *_litestream(snap),
    ]
    return BackupFacts(tuple(jobs), tuple(_stores(snap, compose, kube, service_modules)))
