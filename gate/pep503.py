"""Package names compared the way pip compares them (PEP 503: runs of `-`, `_` and `.` are one `-`, case
does not count). packaging.utils.canonicalize_name does the same, but importing it costs 23 ms of every
run's start-up (it loads the platform tags); tests/test_pep503.py holds the two to the same answers."""

from __future__ import annotations

from gate.lazyre import lazy

_SEPARATORS = lazy(r"[-_.]+")


def canonical_name(name: str) -> str:
    return _SEPARATORS.sub("-", name).lower()
