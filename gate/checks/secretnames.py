"""What the ENV/ARG, Compose and Kubernetes secret checks share: which variable names hold secrets,
and which values are placeholders or references rather than a secret."""

from __future__ import annotations

import re

_SECRET_NAME = re.compile(
    r"(password|passwd|secret|token|api_?key|apikey|access_?key|private_?key|credential)", re.I
)
# names that mention a secret without holding one: DB_PASSWORD_FILE, TOKEN_URL, SECRET_NAME, ...
_NOT_SECRET = re.compile(r"_(file|path|dir|name|url|endpoint|length|ttl|header)$", re.I)
_PLACEHOLDER = re.compile(
    r"^(|changeme|change-me|change_me|placeholder|dummy|example|none|null|x+|\*+|<.*>"
    r"|\$\(\w+\)|\$\{?\w+\}?|\$\{\w+:?[-?][^}]*\})$",  # $(VAR) (Kubernetes), ${VAR}, ${VAR:-default}, ${VAR:?error}
    re.I,
)


def is_secret_name(name: str) -> bool:
    return bool(_SECRET_NAME.search(name)) and not _NOT_SECRET.search(name)


def is_placeholder(value: str) -> bool:
    return bool(_PLACEHOLDER.match(value.strip().strip("\"'")))
