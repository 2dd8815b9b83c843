"""The run's time budget: past it, what was not read yet is not judged, and says so.

A fork's pull request can hold files that are slow to read (under every size cap, many of them); a
gate that hangs takes a runner with it and teaches a team to switch it off. So one deadline covers the
whole evaluation: reading a file past it raises BudgetExceeded, the collector that was reading gives
way to an Unfinished stand-in, and every check that needs those facts is an `error` naming what was
being read. The report is still written, and the verdict fails closed (an error blocks like a failure).
"""

from __future__ import annotations

import time
from typing import NoReturn

from msgspec import Struct

DEFAULT_TIME_BUDGET_S = 300


class BudgetExceeded(BaseException):
    """BaseException, so that no `except Exception` in a collector can swallow it."""

    def __init__(self, seconds: float, what: str) -> None:
        super().__init__(f"the time budget ({seconds:g} s) ran out while {what}")
        self.seconds = seconds
        self.what = what


class Deadline(Struct, frozen=True):
    seconds: float | None
    at: float | None

    @classmethod
    def start(cls, seconds: float | None) -> Deadline:
        return cls(seconds, None if seconds is None else time.monotonic() + seconds)

    def check(self, what: str) -> None:
        if self.at is not None and time.monotonic() > self.at:
            raise BudgetExceeded(self.seconds or 0, what)

    def remaining(self) -> float | None:
        return None if self.at is None else max(0.0, self.at - time.monotonic())


NO_DEADLINE = Deadline(None, None)


class Unfinished:
    """Stands in for the facts of a collector the budget cut short: any attribute read raises again, so a
    check that needs them is undecided, and one that does not is unaffected."""

    def __init__(self, source: str, exc: BudgetExceeded) -> None:
        self._source = source
        self._exc = exc

    def __getattr__(self, name: str) -> NoReturn:
        raise BudgetExceeded(self._exc.seconds, f"{self._exc.what} (collecting {self._source} facts)")
