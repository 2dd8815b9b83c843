"""Facts about a full-stack app's JavaScript parts: the Node backend in front of the ML service, and the
browser frontend.

Read line by line from the backend's and the frontend's own sources (JavaScript, TypeScript, HTML, Vue
and Svelte files beside their package.json or index.html, never node_modules), from nginx
configuration, from Playwright configuration, and from a Lighthouse report CI left in the workspace.
Nothing is run or built.
"""

from __future__ import annotations

import json
import posixpath
import re

from gate.facts.signals import Signal, Signals, scan
from gate.lazyre import lazy
from gate.snapshot import Snapshot

_SOURCES = (".js", ".mjs", ".cjs", ".ts", ".jsx", ".tsx", ".vue", ".svelte", ".html")
_SKIP = ("node_modules/", "/node_modules/", "vendor/")

_BACKEND = (
    (
        "proxy",
        lazy(
            r"createProxyMiddleware|http-proxy|\bproxy\(|fetch\(\s*[`'\"]?\$\{[^}]{0,80}\}|fetch\(\s*process\.env|axios\.\w+\(\s*[`'\"]?\$\{"
        ),
    ),
    (
        "timeout",
        lazy(
            r"AbortSignal\.timeout\(|\.setTimeout\(\s*\d|\b(requestTimeout|headersTimeout|keepAliveTimeout)\s*=|\btimeout:\s*\d|connect-timeout"
        ),
    ),
    (
        "log-file",
        lazy(
            r"createWriteStream\([^)]{0,200}\.log|transports\.File\b|pino\.destination\(|morgan\([^)]{0,200}stream"
        ),
    ),
    (
        "auth",
        lazy(
            r"passport\.authenticate|expressjwt\(|express-jwt|app\.use\([^)]{0,120}\b(auth\w*|jwt\w*|requireAuth|verifyToken|authenticate)\b"
        ),
    ),
    ("upload-limits", lazy(r"\bfileFilter\b|\blimits:\s*\{[^}]{0,120}fileSize|\bfileSize:\s*\d")),
    ("helmet", lazy(r"\bhelmet\(")),
    ("compression", lazy(r"\bcompression\(\)|\bgzip\s+on\b")),
)
_FRONTEND = (
    ("csp", lazy(r"Content-Security-Policy", re.I)),
    ("service-worker", lazy(r"serviceWorker\.register\(|workbox|vite-plugin-pwa|next-pwa")),
    ("manifest", lazy(r"rel=['\"]?manifest|\.webmanifest|manifest\.json")),
    (
        "cookie-set",
        lazy(r"document\.cookie\s*=|res\.cookie\(|Set-Cookie|cookie-session|express-session"),
    ),
    ("cookie-secure", lazy(r"\bsecure:\s*true|;\s*Secure\b|\bhttpOnly:\s*true")),
    ("local-storage", lazy(r"localStorage\.setItem\(|localStorage\[")),
    (
        "local-storage-secret",
        lazy(
            r"localStorage\.setItem\(\s*['\"`][^'\"`]{0,60}(token|jwt|auth|secret|password|api[-_]?key|session)",
            re.I,
        ),
    ),
    ("compression", lazy(r"\bgzip\s+on\b")),
)
_PLAYWRIGHT = lazy(r"(^|/)playwright\.config\.(ts|js|mjs|cjs)$")
_BROWSERS = lazy(r"\b(firefox|webkit|Desktop Firefox|Desktop Safari|msedge)\b")
_MOBILE = lazy(r"devices\[['\"](Pixel|iPhone|Galaxy|iPad|Mobile)|isMobile:\s*true")
_LIGHTHOUSE = lazy(r"(^|/)(\.lighthouseci/lhr-[^/]*\.json|[^/]*lighthouse[^/]*\.json|lhr[^/]*\.json)$", re.I)


class WebFacts(Signals, frozen=True):
    backends: tuple[str, ...] = ()
    """folders of the Node backends (their package.json's folder)"""
    frontends: tuple[str, ...] = ()
    """folders of the browser frontends"""
    frontend_bytes: int | None = None
    """what the browser downloads, in bytes: the built bundle (dist/, build/) when the frontend is built,
    else its own static files; None when it is built and no build output is in the repository"""
    lighthouse: tuple[tuple[str, float], ...] = ()
    """(report, performance score 0-100) of the Lighthouse reports found"""


def _folder_of(rel: str, folders: frozenset[str]) -> str | None:
    """The listed folder `rel` lies in, by its ancestors (a set lookup per level: a repository may
    list many folders, and comparing every file with every folder would be quadratic)."""
    parent = posixpath.dirname(rel)
    while True:
        if parent in folders:
            return parent
        if not parent:
            return None
        parent = posixpath.dirname(parent)


def _built(snap: Snapshot, folder: str) -> bool:
    package = posixpath.join(folder, "package.json") if folder else "package.json"
    try:
        scripts = json.loads(snap.text(package) or "{}").get("scripts") or {}
    except (ValueError, AttributeError):
        return False
    return isinstance(scripts, dict) and "build" in scripts


def _bundle_bytes(snap: Snapshot, folders: tuple[str, ...]) -> int | None:
    """What the browser downloads: each built frontend's dist/ or build/, each other one's own files."""
    built = {folder for folder in folders if _built(snap, folder)}
    outputs = frozenset(f"{folder}/{out}".lstrip("/") for folder in built for out in ("dist", "build"))
    total = 0
    seen_output: set[str] = set()
    listed = frozenset(folders)
    for rel in snap.files:
        if not rel.endswith((".js", ".mjs", ".css", ".html")) or any(s in f"/{rel}" for s in _SKIP):
            continue
        folder = _folder_of(rel, listed)
        if folder is None:
            continue
        if folder in built:
            output = _folder_of(rel, outputs)
            if output is None:
                continue
            seen_output.add(folder)
        total += len(snap.raw(rel) or b"")
    if built - seen_output:
        return None  # built, and its build output is not in the repository
    return total


def _lighthouse(snap: Snapshot) -> list[tuple[str, float]]:
    reports: list[tuple[str, float]] = []
    for rel in snap.files:
        if not _LIGHTHOUSE.search(rel):
            continue
        try:
            data = json.loads(snap.text(rel) or "")
            score = data["categories"]["performance"]["score"]
        except (ValueError, KeyError, TypeError):
            continue
        if isinstance(score, int | float):
            reports.append((rel, round(float(score) * 100, 1)))
    return reports


def collect_webapp(snap: Snapshot, node_backends: tuple[str, ...], frontends: tuple[str, ...]) -> WebFacts:
    """`node_backends`: their package.json files; `frontends`: package.json files or index.html pages."""
    backends = tuple(sorted({posixpath.dirname(p) for p in node_backends}))
    fronts = tuple(sorted({posixpath.dirname(p) for p in frontends}))
    if not backends and not fronts:
        return WebFacts()
    backend_set, front_set = frozenset(backends), frozenset(fronts)
    signals: list[Signal] = []
    for rel in snap.files:
        if any(s in f"/{rel}" for s in _SKIP):
            continue
        if _PLAYWRIGHT.search(rel):
            text = snap.text(rel) or ""
            signals.extend(scan(rel, text, (("browsers", _BROWSERS), ("mobile", _MOBILE))))
            signals.append(Signal("playwright", rel, 1, "Playwright configuration"))
        elif rel.endswith(_SOURCES):
            if backends and _folder_of(rel, backend_set) is not None and not rel.endswith(".html"):
                signals.extend(scan(rel, snap.text(rel) or "", _BACKEND))
            if fronts and _folder_of(rel, front_set) is not None:
                signals.extend(scan(rel, snap.text(rel) or "", _FRONTEND))
        elif (rel.endswith(".conf") and "nginx" in rel.lower()) or rel.rsplit("/", 1)[-1] == "nginx.conf":
            signals.extend(scan(rel, snap.text(rel) or "", _FRONTEND))
    return WebFacts(
        signals=tuple(signals),
        backends=backends,
        frontends=fronts,
        frontend_bytes=_bundle_bytes(snap, fronts) if fronts else None,
        lighthouse=tuple(_lighthouse(snap)),
    )
