"""Facts about the service's database: whether the code uses one, and where its schema is made
(CREATE TABLE run by the code, an ORM's create_all, migrations run where the service starts).

Read line by line from the service's modules, and from the commands that start it (Dockerfile CMD and
ENTRYPOINT, compose `command`, Kubernetes init containers and Jobs, Procfile, the shell scripts they
run); not run.
"""

from __future__ import annotations

import re

from gate.facts.signals import Signal, Signals, scan
from gate.lazyre import lazy
from gate.snapshot import Snapshot

_CODE = (
    (
        "database",
        lazy(
            r"\bsqlite3\.connect\(|\bcreate_engine\(|\bcreate_async_engine\(|\bpsycopg2?\.connect\(|\basyncpg\.|"
            r"\bpymysql\.connect\(|\bSQLAlchemy\(|\bdatabases\.Database\(|\baiosqlite\.connect\("
        ),
    ),
    (
        "schema",
        lazy(r"\bCREATE\s+TABLE\b|\.metadata\.create_all\(|\bcreate_all\(\s*(bind\s*=|engine)", re.I),
    ),
)
_START = (
    (
        "migrations",
        lazy(
            # [^\n]{0,80}, not [^\n]*: from every `alembic` on a hostile line the rest of the line
            # was rescanned (quadratic: 20 s on 2,000 lines of dbmate words); a command is shorter
            r"\balembic\b[^\n]{0,80}?\bupgrade\b|\bflask\s+db\s+upgrade\b|\bmanage\.py\s+migrate\b|"
            r"\byoyo\s+apply\b|\bprisma\s+migrate\s+deploy\b|\bflyway\b[^\n]{0,80}?\bmigrate\b|"
            r"\bdbmate\b[^\n]{0,80}?\b(up|migrate)\b"
        ),
    ),
)
_STARTERS = lazy(
    r"(^|/)(Dockerfile[^/]*|[^/]*\.dockerfile|(docker-)?compose[^/]*\.ya?ml|Procfile|[^/]*entrypoint[^/]*|"
    r"[^/]*start[^/]*\.sh|[^/]*\.ya?ml)$",
    re.I,
)


class DatabaseFacts(Signals, frozen=True):
    """Kinds: database (the code connects to one), schema (the code makes its tables), migrations (run
    where the service starts)."""


def collect_database(snap: Snapshot, service_modules: tuple[str, ...]) -> DatabaseFacts:
    signals: list[Signal] = []
    for rel in service_modules:
        signals.extend(scan(rel, snap.text(rel) or "", _CODE, comments=("#",)))
    for rel in snap.files:
        if _STARTERS.search(rel) and not rel.startswith(".github/"):
            signals.extend(scan(rel, snap.text(rel) or "", _START, comments=("#",)))
    return DatabaseFacts(tuple(signals))
