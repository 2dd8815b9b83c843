"""Dockerfile checks: what the image runs, as whom, from what, and what it carries along.

Every Dockerfile in the repository counts (Dockerfile, a lowercase dockerfile, Dockerfile.*, *.Dockerfile, Containerfile).
The image's behaviour is its final stage's, including what that stage inherits from an earlier stage it
is built FROM. A Dockerfile the parser rejects makes each check report `error` for that file, and the
other files are still judged."""

from gate.checks.container import base_image, context, health, ports, secrets, size, start, user
from gate.checks.container.common import env_pairs, final_chain

__all__ = [
    "base_image",
    "context",
    "env_pairs",
    "final_chain",
    "health",
    "ports",
    "secrets",
    "size",
    "start",
    "user",
]
