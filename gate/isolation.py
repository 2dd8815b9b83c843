"""Running another program without handing it the repository or the runner's secrets.

The repository under judgement is hostile input, and in the Action it is also the working directory.
A Python started there with `-m` puts that directory first on sys.path, so a file named like a module
it imports (argparse.py, pip_audit.py) would run inside the gate with the workflow's token in its
environment. Every subprocess therefore runs:
- isolated (`python -I`: no working directory or script directory on sys.path, no PYTHON* variables,
  no user site-packages),
- from an empty temporary directory it owns,
- with an environment reduced to what a network client needs (locale, proxies, CA bundles), so no
  token, INPUT_* or GITHUB_* variable ever reaches it.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import subprocess

# What a program that only reads files we give it and talks HTTPS needs from our environment.
_PASSED = (
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "TZ",
    "TMPDIR",
    "HTTPS_PROXY",
    "HTTP_PROXY",
    "NO_PROXY",
    "https_proxy",
    "http_proxy",
    "no_proxy",
    "REQUESTS_CA_BUNDLE",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "CURL_CA_BUNDLE",
)


def isolated_env(environ: Mapping[str, str], home: str) -> dict[str, str]:
    """The environment a subprocess gets: an allow-list, never a deny-list, so a secret under a name
    nobody thought of (ACTIONS_RUNTIME_TOKEN, a cloud credential) stays behind too."""
    env = {k: environ[k] for k in _PASSED if k in environ}
    env["PATH"] = os.defpath
    env["HOME"] = home
    env["PYTHONNOUSERSITE"] = "1"
    env.setdefault("LC_ALL", "C.UTF-8")
    return env


def run_python(
    args: Sequence[str],
    *,
    timeout: float,
    environ: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`python -I ARGS` with this interpreter, from a fresh empty directory, with an isolated environment.

    Raises subprocess.TimeoutExpired and OSError like subprocess.run."""
    import subprocess  # 4 ms: an offline run starts no process

    with tempfile.TemporaryDirectory(prefix="prodgate-run-") as cwd:
        return subprocess.run(
            [sys.executable, "-I", *args],
            cwd=cwd,
            env=isolated_env(os.environ if environ is None else environ, cwd),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
