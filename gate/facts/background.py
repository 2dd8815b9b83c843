"""A collector run in a forked child while the others run in this process: the runner's second core.

Secret scanning reads every text file and shares nothing with the other collectors (which share parsed
trees through the snapshot's cache), so it is the one that moves: on a real repository it was half of a
run. The child is forked before anything is parsed (little memory to copy), sends back its facts (small
frozen dataclasses) through a pipe, and is bound by the same deadline: past it plus a grace period it is
killed and its facts are unfinished, as any collector cut short by the budget. Where fork is not
available, or PRODGATE_NO_FORK is set (tests and benchmarks compare both ways), the collector simply
runs here, later.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from gate.budget import BudgetExceeded, Deadline

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

T = TypeVar("T")

GRACE_S = 10.0
"""How long past the deadline the child may take to notice it (it checks between files)."""


def _child(send: Connection, collector: Callable[[], Any]) -> None:
    try:
        message: tuple[str, Any] = ("ok", collector())
    except BudgetExceeded as exc:
        message = ("budget", (exc.seconds, exc.what))
    except Exception as exc:  # carried back and raised in the parent
        message = ("error", f"{exc.__class__.__name__}: {exc}")
    try:
        send.send_bytes(pickle.dumps(message))
    finally:
        send.close()


def start(collector: Callable[[], T], deadline: Deadline, what: str) -> Callable[[], T]:
    """Start `collector` in a forked child; the returned function waits for its result (raising
    BudgetExceeded as the collector would have)."""
    import multiprocessing  # with socket and its friends: only runs that fork pay for it

    if "fork" not in multiprocessing.get_all_start_methods() or os.environ.get("PRODGATE_NO_FORK"):
        return collector
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(send, collector), daemon=True)
    child.start()
    send.close()

    def result() -> T:
        remaining = deadline.remaining()
        ready = False
        try:
            ready = receive.poll(None if remaining is None else remaining + GRACE_S)
            data = receive.recv_bytes() if ready else None
        except EOFError:  # the child died without a word (killed, out of memory)
            data = None
        finally:
            receive.close()
        if data is None:
            child.kill()
            child.join()
            if not ready:
                raise BudgetExceeded(deadline.seconds or 0, what)
            raise RuntimeError(
                f"{what}: the worker process ended without a result (exit code {child.exitcode})"
            )
        child.join()
        kind, value = pickle.loads(data)  # noqa: S301 - our own child's bytes, through our own pipe
        if kind == "budget":
            raise BudgetExceeded(*value)
        if kind == "error":
            raise RuntimeError(f"{what}: {value}")
        return value  # type: ignore[no-any-return]

    return result
