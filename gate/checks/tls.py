"""TLS in front of the service: terminated, with a certificate source, and HTTP sent to HTTPS.

A go-live checklist asks "SSL certificates installed", "HTTPS enforced in production", "SSL termination
enabled". One check reads where the repository terminates TLS (gate/facts/tls.py); which aspects it asks
for comes from the team's config or, for a checklist line, from the line's own words (gate/thresholds.py).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from gate.checks.base import Decision, Hit, at, check, failed, not_applicable, passed
from gate.facts import Facts
from gate.lazyre import lazy
from gate.model import Level, Outcome, Severity
from gate.wording import count

TlsAspect = Literal["tls", "certificates", "enforced", "renewal"]

NAMES: dict[TlsAspect, str] = {
    "tls": "TLS termination",
    "certificates": "a certificate source",
    "enforced": "HTTP sent to HTTPS (a redirect or HSTS)",
    "renewal": "certificates renewed automatically (ACME, cert-manager, a managed certificate)",
}
_ASKED: tuple[tuple[TlsAspect, re.Pattern[str]], ...] = (
    ("renewal", lazy(r"certificate renewal|renew\w* (the )?certificates?|certificates? renew", re.I)),
    ("certificates", lazy(r"certificat(?!e renewal)", re.I)),
    ("enforced", lazy(r"enforc|https only|only https|redirect|\bhsts\b|force_?https", re.I)),
    (
        "tls",
        lazy(
            r"\b(tls|ssl|https)\b.{0,20}(enabled|termination|terminated|configured|on|set ?up|in use)\b|termination"
            # the verb before it: "Set up HTTPS", "Enable TLS/SSL"
            r"|\b(enable|set ?up|configure|use)\s+(https|tls|ssl)\b",
            re.I,
        ),
    ),
)
_KIND = {"tls": "termination", "certificates": "certificate", "enforced": "redirect", "renewal": "renewal"}


def asked_tls_aspects(text: str) -> tuple[TlsAspect, ...]:
    """The aspects a checklist line names ("HTTPS enforced in production": enforced)."""
    return tuple(aspect for aspect, rx in _ASKED if rx.search(text))


class TlsOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    aspects: tuple[TlsAspect, ...] = ()
    """What TLS must show. None by default: a checklist line asks for its own."""
    external: str | None = Field(default=None, min_length=1)
    """Where TLS terminates instead, when not in this repository ("the platform's load balancer, with a
    managed certificate and HTTP redirected"): the check is then not applicable, with that reason."""


@check(
    id="tls-configured",
    title="TLS configured for the aspects asked for",
    category="security",
    severity=Severity.LOW,
    level=Level.GOLD,
    applies_when="the config or a checklist line names an aspect of TLS",
    remediation="Terminate TLS in front of the service (Ingress tls with cert-manager, a proxy with a certificate, an HTTPS listener) and redirect HTTP to HTTPS.",
    options=TlsOptions,
)
def tls_configured(facts: Facts, options: TlsOptions) -> Decision:
    """
    ## What it checks
    That TLS is set up in front of the service, with each aspect asked for:

    - termination: an Ingress with `tls`, a Gateway listener on HTTPS, nginx `listen 443 ssl` or
      `ssl_certificate`, a Caddy site named by its domain, Traefik routers with `tls`, an HTTPS load
      balancer listener or `https_only`/`httpsOnly` in Terraform or Bicep;
    - a certificate source: cert-manager (annotations, Certificate, Issuer), Traefik or Caddy ACME,
      Let's Encrypt, an ACM or managed certificate, an `ssl_certificate` file;
    - certificates renewed automatically: cert-manager, an ACME resolver (Traefik, Caddy), `certbot
      renew` in a crontab or workflow, an ACM or Google-managed certificate (a certificate file alone
      is not renewed by anyone);
    - HTTP sent to HTTPS: a redirect (nginx `return 301 https://`, Traefik's redirectscheme, an
      Ingress `ssl-redirect` annotation, a load balancer redirect, Starlette's
      HTTPSRedirectMiddleware, Talisman, Django's `SECURE_SSL_REDIRECT = True` in a settings module)
      or HSTS (a `Strict-Transport-Security` header, Django's `SECURE_HSTS_SECONDS`).

    No aspect is asked by default. A checklist line names its own ("SSL certificates installed" asks for
    a certificate source), or the team lists them in `aspects`. An Ingress without `tls` fails. With no
    TLS and no Ingress in the repository, the service may deploy to a managed platform that serves
    HTTPS at its own edge: a `render.yaml`, `fly.toml`, `railway.json`, `heroku.yml`, `Procfile`,
    `apprunner.yaml`, App Engine `app.yaml`, or a `vercel.json` or `netlify.toml` beside the service's
    code, or a workflow that runs `gcloud run deploy`, `az containerapp up`, `fly deploy` or `railway
    up`. The check then does not apply, and says which platform: what the platform sets is not in the
    repository. Otherwise it cannot decide (missing evidence) unless `external` says where TLS
    terminates. What serves plain HTTP fails too: an Ingress without `tls`, a load
    balancer listener on HTTP that does not redirect, a security group that opens an application port
    (8000, 8080, 5000...) to the internet, a Caddy site addressed `http://` or `:80`, and a host
    nginx that names a domain on port 80 only with no TLS in its file (an nginx without a domain may
    sit behind TLS elsewhere, and is not judged).

    ## Why it matters
    Prediction requests carry customer data and keys; a certificate that nobody renews, or a port 80
    that still answers, undoes the rest.

    ## How to fix
    Terminate TLS where traffic enters, let an ACME client renew the certificate, and redirect HTTP.

    ## Example
    ```nginx
    server { listen 80; return 301 https://$host$request_uri; }
    server {
      listen 443 ssl;
      ssl_certificate /etc/letsencrypt/live/scores.example.com/fullchain.pem;
    }
    ```
    """
    if not options.aspects:
        return not_applicable("No TLS aspect is asked for (options.aspects, or a checklist line).")
    if options.external:
        return not_applicable(f"TLS terminates outside the repository: {options.external}")
    tls = facts.tls
    plain = tls.of("plain")
    if not tls.of("termination") and not plain:
        if platform := tls.of("platform"):
            return not_applicable(
                f"TLS terminates at the platform the service deploys to: {platform[0].detail} "
                f"({platform[0].path}:{platform[0].line}). Its certificate and redirects are set there, "
                "not in the repository."
            )
        return Decision(
            Outcome.MISSING_EVIDENCE,
            "No TLS termination in the repository (Ingress tls, proxy configuration, load balancer "
            "listener). If TLS terminates elsewhere, say where in options.external.",
        )
    found: list[str] = []
    missing: list[str] = []
    hits: list[Hit] = []
    for aspect in dict.fromkeys(options.aspects):
        sites = tls.of(_KIND[aspect])
        if sites:
            found.append(f"{NAMES[aspect]}: {sites[0].detail} ({sites[0].path}:{sites[0].line})")
            continue
        missing.append(NAMES[aspect])
        if plain:
            place, said = plain[0], f"No {NAMES[aspect]}: {plain[0].detail} serves plain HTTP."
        else:
            place = tls.of("termination")[0]
            said = f"No {NAMES[aspect]} where TLS terminates ({place.detail})."
        hits.append(Hit(said, (at(place.path, place.line),)))
    for site in plain:
        hits.append(Hit(f"{site.detail} serves plain HTTP.", (at(site.path, site.line),)))
    if hits:
        said = (
            f"Missing: {', '.join(missing)}."
            if missing
            else f"{count(len(plain), 'place')} serving plain HTTP."
        )
        return failed(said, *hits)
    return passed("TLS: " + "; ".join(found) + ".")
