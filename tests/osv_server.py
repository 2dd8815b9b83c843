"""A loopback OSV-compatible vulnerability service for tests and benchmarks.

Serves the real PyPA advisories in ../shared/advisories (OSV schema, CC BY 4.0: "Python Packaging
Advisory Database, https://github.com/pypa/advisory-database") through the two OSV endpoints pip-audit
and prodgate use: POST /v1/query and GET /v1/vulns/{id}. A `mode` makes it misbehave on purpose:
"ok", "404" (every request), "500", or "slow" (answers after `delay` seconds).
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

ADVISORIES = (
    Path(__file__).resolve().parents[2] / "shared" / "advisories" / "pypa-advisory-database" / "vulns"
)


def load_advisories(root: Path = ADVISORIES) -> dict[str, list[dict[str, Any]]]:
    by_package: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for path in sorted(root.glob("*/*.yaml")):
        advisory = yaml.safe_load(path.read_text(encoding="utf-8"))
        for affected in advisory.get("affected", []):
            by_package[canonicalize_name(affected["package"]["name"])].append(advisory)
    return by_package


def _in_ranges(version: Version, ranges: list[dict[str, Any]]) -> bool:
    for rng in ranges:
        if rng.get("type") != "ECOSYSTEM":
            continue
        affected = False
        for event in rng.get("events", []):
            try:
                if "introduced" in event:
                    affected = event["introduced"] == "0" or version >= Version(event["introduced"])
                elif ("fixed" in event and version >= Version(event["fixed"])) or (
                    "last_affected" in event and version > Version(event["last_affected"])
                ):
                    affected = False
            except InvalidVersion:
                continue
        if affected:
            return True
    return False


def affects(advisory: dict[str, Any], name: str, version: str) -> bool:
    for affected in advisory.get("affected", []):
        if canonicalize_name(affected["package"]["name"]) != name:
            continue
        if version in (affected.get("versions") or []):
            return True
        try:
            if _in_ranges(Version(version), affected.get("ranges") or []):
                return True
        except InvalidVersion:
            continue
    return False


@dataclass
class OsvService:
    advisories: dict[str, list[dict[str, Any]]]
    mode: str = "ok"
    delay: float = 0.0
    queries: list[tuple[str, str]] = field(default_factory=list)
    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for advisories in self.advisories.values():
            for adv in advisories:
                self.by_id[adv["id"]] = adv

    def query(self, body: dict[str, Any]) -> dict[str, Any]:
        name = canonicalize_name(body.get("package", {}).get("name", ""))
        version = str(body.get("version", ""))
        self.queries.append((name, version))
        vulns = [adv for adv in self.advisories.get(name, []) if affects(adv, name, version)]
        return {"vulns": vulns} if vulns else {}


def _handler(service: OsvService) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def _misbehave(self) -> bool:
            if service.mode == "slow":
                time.sleep(service.delay)
            if service.mode in ("404", "500"):
                self.send_response(int(service.mode))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return True
            return False

        def _json(self, payload: dict[str, Any]) -> None:
            # YAML reads the advisories' timestamps as datetimes; OSV sends RFC 3339 strings
            data = json.dumps(payload, default=lambda o: o.isoformat().replace("+00:00", "Z")).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            if self._misbehave():
                return
            if self.path.rstrip("/") != "/v1/query":
                self.send_error(404)
                return
            self._json(service.query(body))

        def do_GET(self) -> None:
            if self._misbehave():
                return
            prefix = "/v1/vulns/"
            if self.path.startswith(prefix) and self.path[len(prefix) :] in service.by_id:
                self._json(service.by_id[self.path[len(prefix) :]])
                return
            self.send_error(404)

    return Handler


@contextmanager
def serve(mode: str = "ok", delay: float = 0.0) -> Iterator[tuple[str, OsvService]]:
    """Run the service on 127.0.0.1 on a free port; yields (query URL, service)."""
    service = OsvService(load_advisories(), mode=mode, delay=delay)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(service))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1/query", service
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
