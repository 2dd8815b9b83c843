"""How the image starts: exec-form CMD and ENTRYPOINT, a production server."""

from __future__ import annotations

from gate.checks.base import Decision, Hit, NoOptions, at, check, not_applicable
from gate.checks.container.common import (
    _FLASK_DEV,
    _PROD_SERVERS,
    _PYTHON_RELATED,
    _PYTHON_SCRIPT,
    _decide,
)
from gate.facts import Facts
from gate.model import Level, Severity

# -- exec form --------------------------------------------------------------------------------------


@check(
    id="dockerfile-exec-form-cmd",
    title="CMD and ENTRYPOINT in exec form",
    category="container",
    severity=Severity.MEDIUM,
    level=Level.SILVER,
    applies_when="a Dockerfile's final stage sets CMD or ENTRYPOINT",
    remediation='Write CMD and ENTRYPOINT as JSON arrays: `CMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]`.',
)
def dockerfile_exec_form_cmd(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That the `CMD` and `ENTRYPOINT` the final image runs (its own or inherited from an earlier stage)
    use the exec (JSON array) form. Peer: hadolint DL3025.

    ## Why it matters
    In shell form the server runs under `/bin/sh -c`, which does not forward SIGTERM: every rollout
    waits for the kill timeout and drops the requests in flight instead of shutting down cleanly.

    ## How to fix
    Use the JSON array form; if you need a shell for variable expansion, `exec` the server from it.

    ## Example
    ```dockerfile
    CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]
    ```
    """
    hits: list[Hit] = []
    judged = 0
    for df in facts.docker.dockerfiles:
        for cmd in ("ENTRYPOINT", "CMD"):
            found = df.inherited(df.final, cmd)
            if found is None:
                continue
            judged += 1
            ins = found[1]
            if not ins.json:
                hits.append(Hit(f"`{ins.original}` is in shell form.", (at(df.path, ins.line),)))
    if facts.docker.dockerfiles and not judged and not facts.docker.errors:
        return not_applicable("No final stage sets CMD or ENTRYPOINT.")
    return _decide(facts, hits, [], "CMD and ENTRYPOINT use the exec form.", "Shell-form CMD or ENTRYPOINT")


# -- production server ------------------------------------------------------------------------------


@check(
    id="dockerfile-production-server",
    title="Image starts a production server",
    category="container",
    severity=Severity.HIGH,
    level=Level.BRONZE,
    applies_when="a Dockerfile starts a Python service",
    remediation="Start the app with gunicorn (Flask) or uvicorn/gunicorn with uvicorn workers (FastAPI), not Flask's development server.",
    concern="development-server",
)
def dockerfile_production_server(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    What the final image starts (ENTRYPOINT plus CMD): a production server (gunicorn, uvicorn,
    hypercorn, waitress, uwsgi, or a model server such as BentoML, TorchServe, Triton) passes;
    `flask run` fails; `python app.py` is judged by reading app.py's code: it fails when the module
    starts Flask's development server (`app.run()` on a `Flask(...)` object, werkzeug's `run_simple`)
    and passes when it starts uvicorn, hypercorn or waitress itself. A command prodgate cannot
    follow (a shell script) is reported as undecided; images that do not start Python are not judged.

    ## Why it matters
    Flask's development server is single-threaded by default, has no worker management and says
    in its own banner that it is not for production; under load the model endpoint queues and times out.

    ## How to fix
    Add gunicorn to the requirements and start it in the CMD.

    ## Example
    ```dockerfile
    CMD ["gunicorn", "--workers", "2", "--bind", "0.0.0.0:8000", "app:app"]
    ```
    """
    hits: list[Hit] = []
    unsure: list[Hit] = []
    judged = 0
    for df in facts.docker.dockerfiles:
        parts = [df.inherited(df.final, c) for c in ("ENTRYPOINT", "CMD")]
        found = [p[1] for p in parts if p is not None]
        command = " ".join(" ".join(i.value) for i in found)
        if not found or not _PYTHON_RELATED.search(command):
            continue
        judged += 1
        where = at(df.path, found[-1].line)
        if _PROD_SERVERS.search(command):
            continue
        if _FLASK_DEV.search(command):
            hits.append(Hit(f"Starts Flask's development server (`{command}`).", (where,)))
            continue
        script = _PYTHON_SCRIPT.search(command)
        if script is None:
            unsure.append(Hit(f"Cannot tell which server `{command}` starts.", (where,)))
            continue
        name = script.group(1).rsplit("/", 1)[-1]
        runs = [r for r in facts.python.server_runs if r.path.rsplit("/", 1)[-1] == name]
        dev = [r for r in runs if r.name in ("flask-dev", "werkzeug-dev")]
        if dev:
            hits.append(
                Hit(
                    f"`{command}` runs {dev[0].path}, which starts Flask's development server.",
                    (where, at(dev[0].path, dev[0].line)),
                )
            )
        elif not runs:
            unsure.append(Hit(f"`{command}` starts no server prodgate can see in {name}.", (where,)))
    if facts.docker.dockerfiles and not judged and not facts.docker.errors:
        return not_applicable("No Dockerfile starts a Python service.")
    return _decide(
        facts,
        hits,
        unsure,
        "Every Python image starts a production server.",
        "Development server in the image",
    )
