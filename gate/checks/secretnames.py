"""What the ENV/ARG, Compose and Kubernetes secret checks share: which variable names hold secrets,
and which values are placeholders or references rather than a secret."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from gate.facts.compose import Service
from gate.facts.kubernetes import Container, Workload
from gate.lazyre import lazy

_SECRET_NAME = lazy(
    r"(password|passwd|secret|token|api_?key|apikey|access_?key|private_?key|credential)", re.I
)
# names that mention a secret without holding one: DB_PASSWORD_FILE, TOKEN_URL, SECRET_NAME, ...
_NOT_SECRET = lazy(r"_(file|path|dir|name|url|endpoint|length|ttl|header)$", re.I)
_PLACEHOLDER = lazy(
    r"^(|changeme|change-me|change_me|placeholder|dummy|example|none|null|x+|\*+|<.*>"
    r"|\$\(\w+\)|\$\{?\w+\}?|\$\{\w+:?[-?][^}]*\})$",  # $(VAR) (Kubernetes), ${VAR}, ${VAR:-default}, ${VAR:?error}
    re.I,
)


def is_secret_name(name: str) -> bool:
    return bool(_SECRET_NAME.search(name)) and not _NOT_SECRET.search(name)


def is_placeholder(value: str) -> bool:
    return bool(_PLACEHOLDER.match(value.strip().strip("\"'")))


def compose_environment(svc: Service) -> list[tuple[str | int, str, object]]:
    """(key, variable, value) of a service's `environment:`: the key is the variable in the map form and
    the entry's index in the `- KEY=value` list form (what `Service.where` takes); the value is None
    when the list entry passes the variable through from the host."""
    env = svc.config.get("environment")
    if isinstance(env, dict):
        return [(str(k), str(k), v) for k, v in env.items()]
    entries: list[tuple[str | int, str, object]] = []
    for i, item in enumerate(env if isinstance(env, list) else []):
        variable, sep, text = str(item).partition("=")
        entries.append((i, variable, text if sep else None))
    return entries


def compose_literal_secrets(services: Iterable[Service]) -> Iterator[tuple[Service, str, str, int]]:
    """(service, variable, file, line) for every secret-named compose variable given a literal value, at
    the variable's own line (map or `- KEY=value` list form)."""
    for svc in services:
        for key, name, value in compose_environment(svc):
            if value is None or not is_secret_name(name) or is_placeholder(str(value)):
                continue
            path, line = svc.where("environment", key)
            yield svc, name, path, line


def k8s_literal_secrets(workloads: Iterable[Workload]) -> Iterator[tuple[Workload, Container, str, int, int]]:
    """(workload, container, variable, env index, line of its value) for every secret-named env var
    given a literal `value`."""
    for w in workloads:
        for c in w.containers:
            for j, env in enumerate(c.spec.get("env") or []):
                if not isinstance(env, dict):
                    continue
                name, value = str(env.get("name", "")), env.get("value")
                if value is None or not is_secret_name(name) or is_placeholder(str(value)):
                    continue
                yield w, c, name, j, c.line_of("env", j, "value")
