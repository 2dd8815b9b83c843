"""The service's database gets its schema where the service starts, not by hand.

A go-live checklist asks "SQLite database initialized", "Database schema created". A schema someone
created once on the server is gone with the next volume; the code or the start-up command makes it.
"""

from __future__ import annotations

from gate.checks.base import NOT_ASKED, AskedOptions, Decision, Hit, at, check, failed, not_applicable, passed
from gate.facts import Facts
from gate.model import Confidence, Level, Severity


@check(
    id="db-schema-initialised",
    title="Database schema created by the service",
    category="configuration",
    severity=Severity.MEDIUM,
    level=Level.SILVER,
    confidence=Confidence.MEDIUM,
    applies_when="asked (options.asked or a checklist line), and the service's code connects to a SQL database",
    options=AskedOptions,
    remediation="Create the tables at start-up (CREATE TABLE IF NOT EXISTS, metadata.create_all) or run the migrations where the service starts (alembic upgrade head in the entrypoint, an init container).",
)
def db_schema_initialised(facts: Facts, options: AskedOptions) -> Decision:
    """
    ## What it checks
    When the service's code connects to a SQL database (sqlite3, SQLAlchemy, psycopg, asyncpg,
    PyMySQL, aiosqlite, Flask-SQLAlchemy, databases), that its schema is made without a person: the
    code runs `CREATE TABLE` (best with IF NOT EXISTS) or an ORM's `metadata.create_all`, or the
    commands that start it run the migrations (`alembic upgrade`, `flask db upgrade`,
    `manage.py migrate`, prisma, flyway, dbmate, yoyo) in a Dockerfile, compose file, Kubernetes
    manifest, Procfile or entrypoint script. Migrations run only in a CI workflow do not count: they
    make the test database. Read from the text, hence medium confidence. It judges only when asked
    (`asked`, or a checklist line it decides).

    ## Why it matters
    The first request after a fresh deploy writes to a table that does not exist; the service answers
    500 until someone remembers the manual step.

    ## How to fix
    Make the schema part of starting the service.

    ## Example
    ```python
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        with sqlite3.connect(DATABASE_PATH) as db:
            db.execute("CREATE TABLE IF NOT EXISTS jobs (id INTEGER PRIMARY KEY, rows INTEGER)")
        yield
    ```
    """
    if not options.asked:
        return not_applicable(NOT_ASKED)
    db = facts.database
    uses = db.of("database")
    if not uses:
        return not_applicable("The service's code connects to no SQL database.")
    made = db.of("schema") + db.of("migrations")
    if made:
        s = made[0]
        return passed(f"The schema is made by {s.detail} ({s.path}:{s.line}).")
    first = uses[0]
    return failed(
        "Nothing creates the schema of the database the code uses.",
        Hit(
            f"{first.detail} opens a database; no CREATE TABLE, create_all or migration runs where the "
            "service starts.",
            (at(first.path, first.line),),
        ),
    )
