"""Credentials inside URLs, masked before any text leaves the gate.

Requirement files carry them (`--extra-index-url https://deploy:{token}@host/simple`, `pkg @
https://ci:{token}@host/pkg.tar.gz`, `git+https://oauth2:{token}@host/repo.git`); a finding that
quotes the line must not print the token, in any format. The whole userinfo is masked: with a
token-only URL (`https://{token}@host`) the user name is the secret.
"""

from __future__ import annotations

from gate.lazyre import lazy

_USERINFO = lazy(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/\s@]+@")


def redact(text: str) -> str:
    return _USERINFO.sub(r"\1***@", text) if "@" in text else text
