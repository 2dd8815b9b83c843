"""Facts about the routes the tests request: the paths test code passes to a test client's get, post,
put, patch or delete (`client.post("/predict", ...)`), with the file and line that does.

Read from the text of the test files, not run: a path built at run time is not seen.
"""

from __future__ import annotations

from msgspec import Struct

from gate.facts.python import is_test_path
from gate.lazyre import lazy
from gate.snapshot import Snapshot

_REQUEST = lazy(r"\.(?:get|post|put|patch|delete|head|options)\(\s*f?['\"](/[^'\"\s]{0,200})['\"]")


class RequestedPaths(Struct, frozen=True):
    paths: tuple[tuple[str, str, int], ...] = ()
    """(path, test file, line)"""


def collect_requested(snap: Snapshot) -> RequestedPaths:
    found: list[tuple[str, str, int]] = []
    for rel in snap.with_suffix(".py"):
        if not is_test_path(rel):
            continue
        text = snap.text(rel) or ""
        if "client" not in text and "requests" not in text and "httpx" not in text:
            continue
        # line numbers counted forward from the previous match: counting from the start for each match
        # was quadratic over a test file of many requests
        line, at = 1, 0
        for m in _REQUEST.finditer(text):
            line += text.count("\n", at, m.start())
            at = m.start()
            found.append((m.group(1), rel, line))
    return RequestedPaths(tuple(found))
