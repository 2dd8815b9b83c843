"""Facts about practices a checklist names and the code shows: an optimised model format served, data
quality checked in the pipeline, server timeouts set, a cache client in the service.

Read line by line from the service's modules, every module but the tests (data checks live in the
pipeline), and the commands that start the service; model artifacts by their format.
"""

from __future__ import annotations

import re

from gate.facts.python import is_test_path
from gate.facts.signals import Signal, Signals, scan
from gate.lazyre import lazy
from gate.snapshot import Snapshot

_SERVICE = (
    (
        "optimized-runtime",
        lazy(
            r"\bonnxruntime\b[^\n]*InferenceSession\(|\bort\.InferenceSession\(|\btorch\.jit\.load\(|\btensorrt\b|"
            r"\bopenvino\b|\btflite_runtime\b|\btf\.lite\.Interpreter\(|\bctranslate2\b|\boptimum\.onnxruntime\b"
        ),
    ),
    (
        "shared-cache",
        lazy(r"^\s*(from|import)\s+(redis|pymemcache|aiomcache|aiocache|fastapi_cache|flask_caching)\b"),
    ),
    (
        "cache",
        lazy(
            r"^\s*(from|import)\s+(redis|pymemcache|aiomcache|aiocache|fastapi_cache|flask_caching|cachetools|diskcache)\b"
            r"|^\s*@(functools\.)?(lru_cache|cache|cached)\b"
        ),
    ),
    (
        "retries",
        lazy(
            r"^\s*(from|import)\s+(tenacity|backoff|retrying|stamina)\b|\burllib3\.util\.retry\b|\bRetry\(|"
            r"\bmax_retries\s*="
        ),
    ),
    (
        "outbound",
        lazy(
            r"^\s*(from|import)\s+(requests|httpx|aiohttp|boto3|botocore|urllib3|grpc|openai|anthropic|google\.cloud)\b|"
            r"\burllib\.request\.urlopen\("
        ),
    ),
)
_PIPELINE = (
    (
        "data-quality",
        lazy(
            r"^\s*(from|import)\s+(great_expectations|pandera|deepchecks|tensorflow_data_validation|soda|whylogs)\b"
            r"|\bDataFrameSchema\(|\bExpectationSuite\b"
        ),
    ),
)
_START = (
    (
        "timeouts",
        lazy(
            r"--timeout(-keep-alive|-graceful-shutdown)?\b|\btimeout_keep_alive\s*=|"
            r"\bgraceful_timeout\s*=|^\s*timeout\s*=\s*\d|\bproxy_(read|connect|send)_timeout\b"
        ),
    ),
)
_STARTERS = lazy(
    r"(^|/)(Dockerfile[^/]*|(docker-)?compose[^/]*\.ya?ml|Procfile|gunicorn[^/]*\.py|[^/]*entrypoint[^/]*|"
    r"[^/]*start[^/]*\.sh|[^/]*nginx[^/]*|[^/]*\.conf)$",
    re.I,
)
_OPTIMIZED_FORMATS = (".onnx", ".engine", ".plan", ".tflite", ".ptl", ".torchscript", ".ov", ".xml.ov")


class PracticeFacts(Signals, frozen=True):
    """Kinds: optimized-runtime, optimized-format, cache, shared-cache, retries, outbound (the service calls
    out over the network), data-quality, timeouts."""


def collect_practices(
    snap: Snapshot, service_modules: tuple[str, ...], artifacts: tuple[str, ...]
) -> PracticeFacts:
    signals: list[Signal] = []
    for rel in service_modules:
        signals.extend(scan(rel, snap.text(rel) or "", _SERVICE, comments=("#",)))
        signals.extend(scan(rel, snap.text(rel) or "", _START, comments=("#",)))
    for rel in snap.with_suffix(".py"):
        if not is_test_path(rel):
            signals.extend(scan(rel, snap.text(rel) or "", _PIPELINE, comments=("#",)))
    for rel in snap.files:
        if _STARTERS.search(rel):
            # a HEALTHCHECK's --timeout is the probe's, not the server's
            signals.extend(scan(rel, snap.text(rel) or "", _START, comments=("#", "HEALTHCHECK")))
    signals.extend(
        Signal("optimized-format", a, 1, a.rsplit("/", 1)[-1])
        for a in artifacts
        if a.lower().endswith(_OPTIMIZED_FORMATS)
    )
    return PracticeFacts(tuple(signals))
