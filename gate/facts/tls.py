"""Facts about TLS in front of the service: where it terminates, where its certificates come from, and
what sends plain HTTP to HTTPS.

Read from Kubernetes objects (Ingress `tls`, cert-manager, Gateway listeners) and, line by line, from
proxy configuration (nginx, Caddy, Traefik labels and files), infrastructure code (Terraform, Bicep) and
the service's own modules (HSTS, HTTPS redirect middleware). A managed platform's file (render.yaml,
fly.toml, a Procfile...) or a workflow's deploy to one (`gcloud run deploy`) says that TLS terminates at
that platform's edge, outside the repository.
"""

from __future__ import annotations

import bisect
import re

from gate.facts.iac import IacFacts
from gate.facts.kubernetes import KubernetesFacts
from gate.facts.python import django_settings
from gate.facts.signals import MAX_LINE, Signal, Signals
from gate.lazyre import lazy
from gate.snapshot import Snapshot

_PLATFORM_FILES = {
    "render.yaml": "Render",
    "render.yml": "Render",
    "fly.toml": "Fly.io",
    "railway.json": "Railway",
    "railway.toml": "Railway",
    "heroku.yml": "Heroku",
    "procfile": "a platform that runs Procfiles, such as Heroku",
    "apprunner.yaml": "AWS App Runner",
    "vercel.json": "Vercel",
    "netlify.toml": "Netlify",
}
"""Files a managed platform deploys from, by their name in lower case. Each of these platforms serves
the application over HTTPS at its own edge, with a certificate it manages."""
_APP_ENGINE = lazy(r"^runtime:\s*\w", re.M)
"""app.yaml is a common name; App Engine's says which runtime it wants at its top level."""
_PLATFORM_DEPLOY = lazy(
    r"\bgcloud\s+run\s+deploy\b|deploy-cloudrun@|\baz\s+containerapp\s+(up|create|update)\b|"
    r"container-apps-deploy-action@|\bflyctl\s+deploy\b|\bfly\s+deploy\b|\brailway\s+up\b"
)
"""A workflow's deploy to a managed platform that serves HTTPS itself (Cloud Run, Azure Container Apps,
Fly.io, Railway)."""

# (kind, pattern) for configuration read line by line
_LINES = (
    (
        "termination",
        lazy(
            r"\bssl_certificate\s|traefik\.http\.routers\.[\w-]+\.tls\b|"
            r"\bprotocol\s*=\s*\"HTTPS\"|\bhttps_only\s*=\s*true|\bhttpsOnly:\s*true|entryPoints?\.websecure|"
            r"\bminimum_tls_version\b|\bssl_policy\s*="
        ),
    ),
    (
        "certificate",
        lazy(
            r"\bssl_certificate\s|certresolver|certificatesResolvers|certificate_arn|aws_acm_certificate|"
            r"google_compute_managed_ssl_certificate|azurerm_app_service_certificate|\bacme:|acme-v02|letsencrypt|"
            r"\btls\s+[\w.@-]+@[\w.-]+|\btls\s+/\S+\.(pem|crt)"
        ),
    ),
    (
        "renewal",
        lazy(
            r"certresolver|certificatesResolvers|aws_acm_certificate|google_compute_managed_ssl_certificate|"
            r"\bacme:|acme-v02|certbot\s+renew|certbot/certbot|\bacme\.sh\b.*--cron"
        ),
    ),
    ("platform", _PLATFORM_DEPLOY),
    (
        "redirect",
        lazy(
            r"return\s+30[18]\s+https://|redirectscheme\.scheme=https|"
            r"redirect-to-https|Strict-Transport-Security|HTTPSRedirectMiddleware|Talisman\(|"
            r"force_https|SECURE_SSL_REDIRECT\s*=\s*True|SECURE_HSTS_SECONDS\s*=\s*[1-9]|redirections:|"
            r"\bhttps_only\s*=\s*true|"
            r"\bhttpsOnly:\s*true|status_code\s*=\s*\"HTTP_30[18]\""
        ),
    ),
)
_FILES = lazy(
    r"(^|/)([^/]*nginx[^/]*|[^/]*\.conf|Caddyfile[^/]*|traefik[^/]*\.(ya?ml|toml)|(docker-)?compose[^/]*\.ya?ml|"
    r"[^/]*\.tf|[^/]*\.bicep|crontab[^/]*|[^/]*\.cron|\.github/workflows/[^/]+\.ya?ml)$",
    re.I,
)
# the other addresses, [^\s,{]+ and not \S+: a comma inside the repeated part let a line of
# `a.com,b,b,b...` be split every way (exponential: 20 names took 0.1 s, 30 a minute)
_CADDY_SITE = lazy(r"^([a-z0-9-]+\.)+[a-z]{2,}(:443)?(\s*,\s*[^\s,{]+)*\s*\{", re.I)
"""A Caddyfile site block named by a domain: Caddy obtains its certificate and redirects HTTP itself."""


_HTTP_SITE = lazy(r"^(http://[\w.-]+|:80)(\s*,\s*[^\s,{]+)*\s*\{", re.I)
"""A Caddyfile site block that asks for plain HTTP by its address: Caddy serves it without TLS."""
_APP_PORTS = {3000, 5000, 7860, 8000, 8080, 8501, 8888}
"""Ports application servers (uvicorn, gunicorn, Flask, Streamlit, Gradio, Jupyter, Node) answer HTTP on:
one open to the internet is the application answering without TLS in front."""
_OPEN_WORLD = lazy(r"0\.0\.0\.0/0|::/0")
_PORT = lazy(r"\b(from_port|to_port)\s*=\s*(\d+)")
_EGRESS = lazy(r'\btype\s*=\s*"egress"')


class TlsFacts(Signals, frozen=True):
    """Kinds: termination, certificate, renewal (a certificate renewed by itself), redirect, plain (a
    place that serves plain HTTP: an Ingress without tls, an HTTP-only load balancer listener, an
    application port open to the internet, a proxy site on port 80 only), platform (a managed platform
    the service deploys to, which terminates TLS itself; its detail names the platform). A plain
    signal's detail is the noun phrase "... serves plain HTTP" completes."""


def _kubernetes(kube: KubernetesFacts) -> list[Signal]:
    sites: list[Signal] = []
    for ing in kube.of_kind("Ingress"):
        spec = ing.data.get("spec") if isinstance(ing.data.get("spec"), dict) else {}
        annotations = (ing.data.get("metadata") or {}).get("annotations") or {}
        if not isinstance(annotations, dict):
            annotations = {}
        if isinstance(spec, dict) and spec.get("tls"):
            sites.append(Signal("termination", ing.path, ing.line_at("spec", "tls"), f"Ingress {ing.name}"))
            if any(str(k).startswith("cert-manager.io/") for k in annotations):
                for kind in ("certificate", "renewal"):
                    sites.append(Signal(kind, ing.path, ing.line, f"cert-manager on Ingress {ing.name}"))
            redirect = next(
                (
                    k
                    for k, v in annotations.items()
                    if str(k).endswith(("ssl-redirect", "force-ssl-redirect")) and str(v).lower() == "true"
                ),
                None,
            )
            if redirect:
                sites.append(Signal("redirect", ing.path, ing.line, f"{redirect} on Ingress {ing.name}"))
        else:
            sites.append(Signal("plain", ing.path, ing.line, f"Ingress {ing.name}, with no tls section,"))
    for kind in ("Certificate", "ClusterIssuer", "Issuer"):
        for m in kube.of_kind(kind):
            if "cert-manager" in str(m.data.get("apiVersion", "")):
                for signal in ("certificate", "renewal"):
                    sites.append(Signal(signal, m.path, m.line, f"cert-manager {kind} {m.name}"))
    for gw in kube.of_kind("Gateway"):
        listeners = (gw.data.get("spec") or {}).get("listeners") or []
        if any(
            isinstance(x, dict) and str(x.get("protocol", "")).upper() in ("HTTPS", "TLS") for x in listeners
        ):
            sites.append(Signal("termination", gw.path, gw.line, f"Gateway {gw.name}"))
    return sites


def _lines(rel: str, text: str) -> list[Signal]:
    sites: list[Signal] = []
    caddy = rel.rsplit("/", 1)[-1].lower().startswith("caddyfile")
    for i, line in enumerate(text.splitlines(), 1):
        if len(line) > MAX_LINE or line.lstrip().startswith(("#", "//")):
            continue
        for kind, rx in _LINES:
            if m := rx.search(line):
                sites.append(Signal(kind, rel, i, m.group(0).strip()[:60]))
        # nginx's `listen 443 ssl` and `rewrite ^ https://...`, by literal tests: a pattern with a
        # wildcard between the words would rescan a long line from every `listen`
        words = line.replace(";", " ").split()
        if words[:1] == ["listen"] and "ssl" in words[1:] and any("443" in w for w in words[1:]):
            sites.append(Signal("termination", rel, i, "listen 443 ssl"))
        if words[:1] == ["rewrite"] and any(w.startswith("https://") for w in words[1:]):
            sites.append(Signal("redirect", rel, i, "rewrite to https://"))
        if caddy and _HTTP_SITE.match(line.strip()):
            sites.append(Signal("plain", rel, i, f"the Caddy site {line.strip().rstrip('{').strip()}"))
        if caddy and _CADDY_SITE.match(line.strip()) and "auto_https off" not in text:
            name = line.strip().rstrip("{").strip()
            sites.extend(
                Signal(k, rel, i, f"Caddy site {name}")
                for k in ("termination", "certificate", "renewal", "redirect")
            )
    return sites


def _nginx_plain(rel: str, text: str) -> list[Signal]:
    """A host proxy's server that names a domain and listens on port 80 only, in a file with no TLS
    and no redirect at all: that name is served over plain HTTP. An nginx inside a container (no
    domain, or `localhost`) may sit behind TLS elsewhere and is not judged."""
    if "proxy_pass" not in text or "ssl" in text or "https://" in text or "Strict-Transport" in text:
        return []
    listens: list[tuple[int, str]] = []
    named = False
    for i, line in enumerate(text.splitlines(), 1):
        words = line.replace(";", " ").split()
        if words[:1] == ["listen"]:
            listens.append((i, " ".join(words[1:])))
        if words[:1] == ["server_name"] and any("." in w and w != "localhost" for w in words[1:]):
            named = True
    if not named or not listens or any(not re.fullmatch(r"(\[::\]:|[\d.]+:)?80", p) for _, p in listens):
        return []
    return [Signal("plain", rel, listens[0][0], "the nginx server on port 80 (no TLS in the file)")]


def _terraform(iac: IacFacts) -> list[Signal]:
    sites: list[Signal] = []
    for r in iac.of(r"^aws_a?lb_listener$"):
        if re.search(r'\bprotocol\s*=\s*"HTTP"', r.body) and "redirect" not in r.body:
            sites.append(
                Signal("plain", r.path, r.line, f"the load balancer listener {r.name} (protocol HTTP)")
            )
    for r in iac.of(r"^aws_security_group(_rule)?$|^aws_vpc_security_group_ingress_rule$"):
        # each ingress block of a group, or the whole rule resource
        blocks = re.split(r"\n\s*(?=ingress\s*\{)", r.body) if r.type == "aws_security_group" else [r.body]
        for block in blocks:
            if r.type == "aws_security_group" and not block.lstrip().startswith("ingress"):
                continue
            if _EGRESS.search(block) or not _OPEN_WORLD.search(block):
                continue
            bounds = [int(m.group(2)) for m in _PORT.finditer(block)]
            if not bounds:
                continue
            low, high = min(bounds), max(bounds)
            opened = sorted(p for p in _APP_PORTS if low <= p <= high)
            if opened and high - low < 1000:
                offset = r.body[: r.body.find(block)].count("\n")
                sites.append(
                    Signal(
                        "plain",
                        r.path,
                        r.line + offset,
                        f"port {opened[0]}, open to the internet by {r.type} {r.name},",
                    )
                )
    return sites


def _platforms(snap: Snapshot, service_modules: tuple[str, ...]) -> list[Signal]:
    """The managed platforms the service deploys from a file of. One counts at the repository's root or
    in a folder that holds the service's code: a frontend's vercel.json says where the frontend is
    served, not the Python service."""
    found: list[Signal] = []
    # sorted once, each platform file's folder is one binary search: a repository of many platform files
    # and many modules is neither read pairwise nor copied into every folder above each module
    modules = sorted(service_modules)

    def holds(folder: str) -> bool:
        at = bisect.bisect_left(modules, folder + "/")
        return at < len(modules) and modules[at].startswith(folder + "/")

    for rel in snap.named(*_PLATFORM_FILES, "app.yaml", "app.yml"):
        folder, _, name = rel.rpartition("/")
        platform = _PLATFORM_FILES.get(name.lower())
        if platform is None and _APP_ENGINE.search(snap.text(rel) or ""):
            platform = "Google App Engine"
        if platform is None or (folder and not holds(folder)):
            continue
        found.append(Signal("platform", rel, 1, platform))
    return found


def collect_tls(
    snap: Snapshot, kube: KubernetesFacts, service_modules: tuple[str, ...], iac: IacFacts
) -> TlsFacts:
    sites = _kubernetes(kube) + _terraform(iac) + _platforms(snap, service_modules)
    for rel in snap.files:
        if _FILES.search(rel):
            text = snap.text(rel) or ""
            sites.extend(_lines(rel, text))
            if rel.endswith(".conf") or "nginx" in rel.lower():
                sites.extend(_nginx_plain(rel, text))
    # Django sets its redirect and HSTS in a settings module, which serves no route: read those too
    for rel in sorted({*service_modules, *django_settings(snap.files)}):
        text = snap.text(rel) or ""
        if (
            "Strict-Transport-Security" in text
            or "HTTPSRedirect" in text
            or "Talisman" in text
            or "SSL_REDIRECT" in text
            or "HSTS_SECONDS" in text
        ):
            sites.extend(s for s in _lines(rel, text) if s.kind == "redirect")
    return TlsFacts(tuple(sites))
