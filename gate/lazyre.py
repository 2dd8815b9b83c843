"""Regular expressions compiled on first use.

The checks and fact readers hold about 520 module-level patterns; a small run uses about a fifth of
them (the rest belong to checks that do not apply, or to files the repository does not have), and
compiling all of them was a sixth of the start-up (gate/checks imported: 75 ms of 400). A lazy
pattern compiles on the first attribute asked of it and then keeps the compiled pattern's methods on
itself, so later calls cost what a compiled pattern's do.
"""

from __future__ import annotations

import re
from typing import Any, cast

MADE: list[_Lazy] = []
"""Every lazy pattern made, for the test that compiles them all (an invalid one must not wait for the
run that first uses it)."""
_METHODS = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split", "scanner")


class _Lazy:
    def __init__(self, pattern: str, flags: int) -> None:
        self.pattern = pattern
        self._flags = flags
        MADE.append(self)

    def __getattr__(self, name: str) -> Any:
        # only reached for what the instance does not hold yet: the first use compiles
        compiled = re.compile(self.pattern, self._flags)
        for method in _METHODS:
            setattr(self, method, getattr(compiled, method))
        self.flags, self.groups, self.groupindex = compiled.flags, compiled.groups, compiled.groupindex
        return getattr(compiled, name)

    def __reduce__(self) -> tuple[Any, ...]:
        return (lazy, (self.pattern, self._flags))

    def __repr__(self) -> str:
        return f"lazy({self.pattern!r})"


def lazy(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile`, deferred to the pattern's first use (an invalid pattern raises there)."""
    return cast(re.Pattern[str], _Lazy(pattern, flags))
