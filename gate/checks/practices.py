"""Practices a checklist names one line at a time, found in the code: the model served in an optimised
format, data quality checked in the pipeline, server timeouts set, a cache in front of the work.

A go-live checklist asks "Model inference optimized (TorchScript, ONNX)", "Data quality checks in
place", "Timeout values configured", "Caching implemented (Redis, memcached)". One check reads the
signals gate/facts/practices.py finds; which aspects it asks for comes from the team's config or, for a
checklist line, from the line's own words (gate/thresholds.py).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict

from gate.checks.base import Decision, Hit, check, failed, not_applicable, passed
from gate.checks.servicecode import app_at, no_application
from gate.facts import Facts
from gate.lazyre import lazy
from gate.model import Level, Severity

Practice = Literal["optimized-inference", "data-quality", "timeouts", "cache", "shared-cache", "retries"]
NAMES: dict[Practice, str] = {
    "optimized-inference": "the model served by an optimised runtime or format (ONNX, TorchScript, TensorRT...)",
    "data-quality": "data quality checked in the pipeline (Great Expectations, pandera, Deepchecks...)",
    "timeouts": "server timeouts set (gunicorn/uvicorn timeouts, a proxy's read timeout)",
    "cache": "a cache in the service (a cache client, or an in-process cache on a function)",
    "shared-cache": "a shared cache client in the service (Redis, memcached)",
    "retries": "retries on the service's outbound calls (tenacity, backoff, urllib3's Retry)",
}
_KINDS: dict[Practice, tuple[str, ...]] = {
    "optimized-inference": ("optimized-runtime", "optimized-format"),
    "data-quality": ("data-quality",),
    "timeouts": ("timeouts",),
    "cache": ("cache",),
    "shared-cache": ("shared-cache",),
    "retries": ("retries",),
}
_ASKED: tuple[tuple[Practice, re.Pattern[str]], ...] = (
    (
        "optimized-inference",
        lazy(r"inference optimi[sz]ed|torchscript|\bonnx\b|tensorrt|quantiz", re.I),
    ),
    ("data-quality", lazy(r"data quality|data validation (checks?|in place)", re.I)),
    ("timeouts", lazy(r"timeouts? (values? )?(configured|set|defined)", re.I)),
    ("shared-cache", lazy(r"\bredis\b|memcached", re.I)),
    ("cache", lazy(r"\bcach(e|ing)\b", re.I)),
    ("retries", lazy(r"\bretry logic|\bretries (implemented|configured|on)", re.I)),
)


def asked_practices(text: str) -> tuple[Practice, ...]:
    asked = [a for a, rx in _ASKED if rx.search(text)]
    if "shared-cache" in asked and "cache" in asked:
        asked.remove("cache")  # "Caching implemented (Redis, memcached)" names the kind of cache
    return tuple(asked)


class PracticeOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    aspects: tuple[Practice, ...] = ()
    """The practices to look for. None by default: a checklist line asks for its own."""


@check(
    id="practices-in-code",
    title="Practices the checklist names are in the code",
    category="performance",
    severity=Severity.LOW,
    level=Level.GOLD,
    applies_when="the config or a checklist line names a practice",
    remediation="Add what the report names: an ONNX or TorchScript export served by its runtime, a data validation step, server timeouts, a cache client.",
    options=PracticeOptions,
)
def practices_in_code(facts: Facts, options: PracticeOptions) -> Decision:
    """
    ## What it checks
    For each practice asked for:

    - **optimized-inference**: the service loads its model with an optimised runtime (onnxruntime's
      InferenceSession, `torch.jit.load`, TensorRT, OpenVINO, TFLite, CTranslate2, Optimum) or ships it
      in such a format (.onnx, .engine, .tflite, .ptl);
    - **data-quality**: a module of the pipeline validates data with Great Expectations, pandera,
      Deepchecks, TensorFlow Data Validation, Soda or whylogs;
    - **timeouts**: the commands that start the service, or its code, set server timeouts (gunicorn
      `--timeout`/`graceful_timeout`, uvicorn `--timeout-keep-alive`/`--timeout-graceful-shutdown`, a
      gunicorn.conf.py `timeout`, nginx `proxy_read_timeout`);
    - **cache**: the service caches: a cache client (redis, pymemcache, aiocache, fastapi-cache,
      Flask-Caching, cachetools, diskcache) or an in-process cache on a function (`@lru_cache`,
      `@cache`, `@cached`);
    - **shared-cache**: a shared cache client (Redis, memcached, aiocache, fastapi-cache,
      Flask-Caching). A Redis container in the compose file that nothing in the code talks to caches
      nothing;
    - **retries**: the service's outbound calls are retried (tenacity, backoff, retrying, stamina,
      urllib3's Retry, `max_retries=`); a service that calls nothing over the network (no requests,
      httpx, aiohttp, boto3, gRPC, urllib) needs none: not applicable.

    No practice is asked by default. A checklist line names its own ("Timeout values configured").

    ## Why it matters
    Each is a line a reviewer would otherwise tick on the author's word; found in the code, it stays
    found when the code changes.

    ## How to fix
    Add what the report names, or take the line off the checklist if the service does not need it.

    ## Example
    ```dockerfile
    CMD ["uvicorn", "app:app", "--host", "0.0.0.0", "--timeout-keep-alive", "5", "--timeout-graceful-shutdown", "30"]
    ```
    """
    if not options.aspects:
        return not_applicable("No practice is asked for (options.aspects, or a checklist line).")
    found: list[str] = []
    missing: list[str] = []
    moot: list[str] = []
    for aspect in dict.fromkeys(options.aspects):
        if aspect == "retries" and not facts.practices.of("outbound"):
            moot.append("the service calls nothing over the network: no retries needed")
            continue
        signals = [s for kind in _KINDS[aspect] for s in facts.practices.of(kind)]
        if signals:
            s = signals[0]
            found.append(f"{NAMES[aspect]}: {s.detail} ({s.path}:{s.line})")
        else:
            missing.append(NAMES[aspect])
    if missing and not (facts.routes.apps or facts.code.service_modules):
        return no_application(facts)  # no service whose code could hold what is missing
    if missing:
        place = app_at(facts)
        return failed(
            f"Not found: {'; '.join(missing)}.", *(Hit(f"Not in the code: {m}.", place) for m in missing)
        )
    if not found:
        return not_applicable("Not needed: " + "; ".join(moot) + ".")
    return passed("Found " + "; ".join(found + moot) + ".")
