"""Builds that switch off the checks that make downloads trustworthy: TLS certificate verification
and package signatures, in a Dockerfile's ENV, ARG and RUN."""

from __future__ import annotations

import itertools
import re
import shlex

from gate.checks.base import Decision, Hit, NoOptions, at, check, conclude
from gate.checks.container import env_pairs
from gate.facts import Facts
from gate.lazyre import lazy
from gate.model import Level, Severity
from gate.wording import agree, every

# environment variables that turn verification off, and the values that do it (None: any value)
_ENV_OFF: dict[str, frozenset[str] | None] = {
    "PYTHONHTTPSVERIFY": frozenset({"0"}),
    "GIT_SSL_NO_VERIFY": None,
    "NODE_TLS_REJECT_UNAUTHORIZED": frozenset({"0"}),
    "NPM_CONFIG_STRICT_SSL": frozenset({"false"}),
    "PIP_TRUSTED_HOST": None,
}
# quoted values bounded: a line of unclosed quotes is read in linear time
_ASSIGNMENT = lazy(r"(?:^|[\s;&|(])(?:export\s+)?([A-Z_]+)=(\"[^\"\n]{0,500}\"|'[^'\n]{0,500}'|\S*)")
_SEGMENT = lazy(r"&&|\|\||;|\||\n")
# a command and the arguments that make it skip verification
_COMMANDS: dict[str, re.Pattern[str]] = {
    "curl": lazy(r"^(--insecure|-[a-zA-Z]*k[a-zA-Z]*)$"),
    "wget": lazy(r"^--no-check-certificate$"),
    "pip": lazy(r"^--trusted-host(=.*)?$"),
    "apt-get": lazy(r"^(--allow-unauthenticated|--force-yes)$"),
    "apt": lazy(r"^(--allow-unauthenticated|--force-yes)$"),
    "apk": lazy(r"^--allow-untrusted$"),
    "rpm": lazy(r"^--nosignature$"),
}
# the Red Hat family's package managers and their config managers: no signature check, or sslverify off
_RPM_FAMILY = lazy(r"^--nogpgcheck$|^--setopt=(\S*\.)?sslverify=(0|false|no|off)$", re.I)
for _name in ("yum", "dnf", "tdnf", "microdnf", "yum-config-manager", "dnf-config-manager"):
    _COMMANDS[_name] = _RPM_FAMILY


def _switched_off(name: str, value: str) -> bool:
    values = _ENV_OFF.get(name, frozenset())
    value = value.strip("\"'")
    return bool(value) if values is None else value.lower() in values


def _git_ssl_off(words: list[str]) -> bool:
    """`git -c http.sslVerify=false ...` or `git config ... http.sslVerify false`, read word by word."""
    if "git" not in (w.rsplit("/", 1)[-1] for w in words):
        return False
    low = [w.lower() for w in words]
    return any(w in ("http.sslverify=false", "http.sslverify=0") for w in low) or any(
        a == "http.sslverify" and b in ("false", "0") for a, b in itertools.pairwise(low)
    )


def _run_findings(script: str) -> list[str]:
    """What a RUN does to switch verification off, each as the words that do it."""
    found = [
        f"{m[1]}={m[2]}"
        for m in _ASSIGNMENT.finditer(script)
        if m[1] in _ENV_OFF and _switched_off(m[1], m[2])
    ]
    for segment in _SEGMENT.split(script):
        try:
            words = shlex.split(segment)
        except ValueError:
            words = segment.split()
        # one pass: each word is read against the command last named (a segment of 40,000 `curl`
        # words must not read the rest of the segment once per word)
        current: tuple[str, re.Pattern[str]] | None = None
        for word in words:
            name = word.rsplit("/", 1)[-1]
            name = "pip" if re.fullmatch(r"pip(?:[23](?:\.\d+)?)?", name) else name
            if name in _COMMANDS:
                current = (name, _COMMANDS[name])
            elif current is not None and current[1].match(word):
                found.append(f"{current[0]} {word}")
        joined = " ".join(words)
        if re.search(r"\b(npm|yarn) config set strict-ssl false\b", joined):
            found.append("npm config set strict-ssl false")
        if _git_ssl_off(words):
            found.append("git http.sslVerify false")
        if re.search(r"\bconda config --set ssl_verify (false|no|0)\b", joined):
            found.append("conda ssl_verify false")
    return found


@check(
    id="dockerfile-tls-verified",
    title="Builds verify what they download",
    category="security",
    severity=Severity.MEDIUM,
    level=Level.SILVER,
    applies_when="the repository has a Dockerfile",
    remediation="Remove the flag or variable; give the build the CA certificate of your mirror or proxy instead (`COPY ca.crt` and `PIP_CERT`, `REQUESTS_CA_BUNDLE`, `update-ca-certificates`).",
)
def dockerfile_tls_verified(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That no Dockerfile switches off certificate or signature checks while it builds: `curl -k`/
    `--insecure`, `wget --no-check-certificate`, pip's `--trusted-host` or `PIP_TRUSTED_HOST`,
    `PYTHONHTTPSVERIFY=0`, `GIT_SSL_NO_VERIFY`, `git -c http.sslVerify=false`,
    `NODE_TLS_REJECT_UNAUTHORIZED=0`, npm's `strict-ssl false`, `apt-get --allow-unauthenticated` or
    `--force-yes`, `apk --allow-untrusted`, `rpm --nosignature`,
    `yum`/`dnf`/`tdnf`/`microdnf` `--nogpgcheck`, their config managers' `--setopt=sslverify=0`, conda's
    `ssl_verify false`; in ENV, ARG and RUN
    (assignments and `export` in a RUN included). Peer: Checkov CKV2_DOCKER_1 to CKV2_DOCKER_17 (the
    verification ones).

    ## Why it matters
    Model images pull wheels from private and CUDA indexes and weights from buckets; with
    verification off, anyone on the path (a proxy, a poisoned DNS answer) can swap a package or a
    model file, and the image ships it.

    ## How to fix
    Trust the certificate instead of skipping the check: copy your proxy's or mirror's CA into the
    image and point the tools at it.

    ## Example
    ```dockerfile
    COPY corp-ca.crt /usr/local/share/ca-certificates/corp-ca.crt
    RUN update-ca-certificates
    ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt
    ```
    """
    hits: list[Hit] = []
    judged = 0
    for df in facts.docker.dockerfiles:
        judged += 1
        for stage in df.stages:
            for ins in stage.instructions:
                if ins.cmd in ("ENV", "ARG"):
                    what = [f"{n}={v}" for n, v in env_pairs(ins) if n in _ENV_OFF and _switched_off(n, v)]
                elif ins.cmd == "RUN":
                    what = _run_findings(ins.text)
                else:
                    continue
                if what:
                    shown = ", ".join(f"`{w}`" for w in dict.fromkeys(what))
                    hits.append(
                        Hit(
                            f"{shown} {agree(len(what), 'switches', 'switch')} verification off.",
                            (at(df.path, ins.line),),
                        )
                    )
    return conclude(
        hits,
        facts.docker.errors,
        what="Dockerfile",
        ok=f"{every(judged, 'Dockerfile')} {agree(judged, 'keeps', 'keep')} certificate and signature checks on.",
        bad="Instructions that switch verification off",
        judged=bool(judged),
        nothing="No Dockerfile in the repository.",
    )
