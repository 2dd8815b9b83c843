"""A collector run in a forked child while the others run in this process: the runner's second core.

Secret scanning reads every text file, and the dependency files need pip's parser; neither shares
anything with the other collectors (which share parsed trees through the snapshot's cache), so they are
what moves (gate/facts/apart.py): on a real repository the scan was half of a run. Their facts (small
frozen records) come back through a pipe, and the child is bound by the same deadline: past it plus a
grace period it is killed and its facts are unfinished, as any collector cut short by the budget.

Two ways to get the child:
- `prewarm`, called by the command line before it imports the rest of prodgate: for `check`, the child
  first lists the repository's files (git's index through dulwich, and the walk for untracked ones),
  which this process takes with `listed` when it builds its snapshot; then it imports what those
  collectors need (detect-secrets, pip's parser and the listing: 0.2 s of CPU, a third of a small
  repository's run, and no pydantic) on the other core while this process imports the checks, and
  waits for one job (`Warm.submit`);
- `start`, a child forked at the moment of need (from BACKGROUND_MIN_FILES files), when none is warm.

The child's standard streams point to /dev/null: a pipeline such as `prodgate check | head` must not
wait on a child that holds its stdout. Where fork is not available, or PRODGATE_NO_FORK is set (tests and
benchmarks compare both ways), the collector simply runs here, later.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import os
import pickle
import select
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

if TYPE_CHECKING:
    from gate.budget import Deadline
    from gate.snapshot import Listed

T = TypeVar("T")

GRACE_S = 10.0
"""How long past the deadline the child may take to notice it (it checks between files)."""

_children: set[int] = set()
_warm: Warm | None = None


def forking() -> bool:
    return hasattr(os, "fork") and not os.environ.get("PRODGATE_NO_FORK")


def stop_children() -> None:
    """At exit, no child outlives this process (one still scanning after an error elsewhere)."""
    for pid in list(_children):
        _kill(pid)


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    _reap(pid)


def _reap(pid: int) -> int | None:
    _children.discard(pid)
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return None
    return os.waitstatus_to_exitcode(status)


atexit.register(stop_children)


def outcome(collector: Callable[[], Any]) -> tuple[str, Any]:
    """What `collector()` did, as picklable data: ("ok", value), ("budget", (seconds, what)) or
    ("error", text); `unwrap` turns it back, in the parent."""
    from gate.budget import BudgetExceeded  # imported when a job runs: prewarm forks before any import

    try:
        return ("ok", collector())
    except BudgetExceeded as exc:
        return ("budget", (exc.seconds, exc.what))
    except Exception as exc:  # carried back and raised in the parent
        return ("error", f"{exc.__class__.__name__}: {exc}")


def unwrap(done: tuple[str, Any], what: str) -> Any:
    """The value of an `outcome`, or what the collector raised: BudgetExceeded as it was, any other
    failure as a RuntimeError naming `what`."""
    from gate.budget import BudgetExceeded

    kind, value = done
    if kind == "budget":
        raise BudgetExceeded(*value)
    if kind == "error":
        raise RuntimeError(f"{what}: {value}")
    return value


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _write_behind(fd: int, data: bytes) -> None:
    """Write `data` to the pipe `fd` and close it, from a thread: past a pipe's 64 KiB a write waits
    for the reader, and a child still busy with its work ahead of the job (apart.ahead) reads the job
    only when that is done. Written here, a 10k-file repository's listing held this process's
    collectors up for about 0.9 s. A child that is gone leaves nothing to write to: its waiter reports
    it."""

    def write() -> None:
        try:
            _write_all(fd, data)
        except OSError:
            pass
        finally:
            os.close(fd)

    threading.Thread(target=write, daemon=True).start()


def _fork(body: Callable[[int], None]) -> tuple[int, int]:
    """Fork a child that runs `body(result_fd)` and exits; returns its pid and the result pipe's end."""
    receive, send = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        code = 1
        try:
            os.close(receive)
            quiet = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(quiet, fd)
            body(send)
            code = 0
        except BaseException:  # noqa: S110 - the parent reports a child that ended without a result
            pass
        finally:
            os._exit(code)
    os.close(send)
    _children.add(pid)
    return pid, receive


def _waiter(pid: int, receive: int, deadline: Deadline, what: str) -> Callable[[], Any]:
    from gate.budget import BudgetExceeded

    def result() -> Any:
        remaining = deadline.remaining()
        until = None if remaining is None else time.monotonic() + remaining + GRACE_S
        chunks: list[bytes] = []
        timed_out = False
        try:
            while True:
                wait = None if until is None else until - time.monotonic()
                if wait is not None and (wait <= 0 or not select.select([receive], [], [], wait)[0]):
                    timed_out = True
                    break
                chunk = os.read(receive, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
        finally:
            os.close(receive)
        if timed_out:
            _kill(pid)
            raise BudgetExceeded(deadline.seconds or 0, what)
        code = _reap(pid)
        if not chunks:
            raise RuntimeError(f"{what}: the worker process ended without a result (exit code {code})")
        done = pickle.loads(b"".join(chunks))  # noqa: S301 - our own child's bytes, through our own pipe
        return unwrap(done, what)

    return result


def start(collector: Callable[[], T], deadline: Deadline, what: str) -> Callable[[], T]:
    """Start `collector` in a forked child; the returned function waits for its result (raising
    BudgetExceeded as the collector would have)."""
    if not forking():
        return collector
    pid, receive = _fork(lambda send: _write_all(send, pickle.dumps(outcome(collector))))
    return _waiter(pid, receive, deadline, what)


class Warm:
    """A child forked early, its imports done or under way, waiting for one job."""

    def __init__(self, pid: int, jobs: int, receive: int) -> None:
        self._pid = pid
        self._jobs: int | None = jobs
        self._receive = receive

    def submit(self, job: Callable[[], T], deadline: Deadline, what: str) -> Callable[[], T]:
        """Run `job` (picklable: a module-level function, or a functools.partial of one) in the child;
        the returned function waits for its result, as `start`'s does."""
        if self._jobs is None:
            raise RuntimeError("a warm child runs one job")
        jobs, self._jobs = self._jobs, None
        _write_behind(jobs, pickle.dumps(job))
        return _waiter(self._pid, self._receive, deadline, what)

    def close(self) -> None:
        """No job after all: the child is stopped (it may still be importing)."""
        if self._jobs is not None:
            os.close(self._jobs)
            os.close(self._receive)
            self._jobs = None
            _kill(self._pid)


_listing: tuple[Path, int] | None = None


def listed(root: Path) -> Listed | None:
    """The files under `root` as the child listed them ahead (snapshot.list_files), or None when it did
    not (another root, not a folder, a failure: the caller lists them itself). Given once; waits for
    the child to finish listing, which it does first, while this process imports."""
    global _listing
    if _listing is None:
        return None
    (ahead, receive), _listing = _listing, None
    try:
        data = b"".join(iter(lambda: os.read(receive, 1 << 16), b""))
    finally:
        os.close(receive)
    try:
        if root.resolve() != ahead or not data:
            return None
        return cast("Listed | None", pickle.loads(data))  # noqa: S301 - our own child's bytes, through our own pipe
    except Exception:  # an unreadable answer: list here
        return None


def _send_listing(root: Path, send: int) -> Listed | None:
    """List `root` and hand the result to a thread that writes it: past a pipe's 64 KiB the write waits
    for this process's parent to read, and the child's imports must not wait with it. Returns the
    listing (None when it failed)."""
    try:
        from gate.snapshot import list_files

        if not root.is_dir():  # the parent says what is wrong with it
            raise NotADirectoryError(root)
        listed = list_files(root)
        data = pickle.dumps(listed)
    except Exception:  # the parent lists the root itself
        os.close(send)
        return None

    _write_behind(send, data)  # the parent that stops listening lists the root itself
    return listed


def prewarm(warm_up: str, listing: Path | None = None, ahead_of_job: str | None = None) -> Warm | None:
    """Fork the child now: it runs `warm_up` ("module:function", no arguments: the imports a job will
    need) and then waits for a job. It is kept for `take` (the next collection asks for it). Given
    `listing` (the repository a `check` will read), the child first lists its files, which this
    process takes with `listed` instead of importing git's reader and walking the tree itself.

    `ahead_of_job` ("module:function", given the root and the child's listing): the job this process
    will most likely send, run before it arrives (this process is still importing the checks then,
    and the child would only wait). The function returns `reuse(job)`: that job's outcome when the
    job is the one it ran, on the same input; None, and the job runs as sent, otherwise."""
    global _warm, _listing
    if _warm is not None or not forking():
        return _warm
    jobs_receive, jobs = os.pipe()
    ahead = listing.resolve() if listing is not None else None
    listing_receive, listing_send = os.pipe() if ahead is not None else (-1, -1)

    def body(send: int) -> None:
        os.close(jobs)
        files = None  # the child's own listing (`listed` is what this process reads of it)
        if ahead is not None:
            os.close(listing_receive)
            files = _send_listing(ahead, listing_send)
        module, _, function = warm_up.partition(":")
        getattr(importlib.import_module(module), function)()
        reuse: Callable[[Any], tuple[str, Any] | None] | None = None
        if ahead_of_job is not None and ahead is not None and files is not None:
            module, _, function = ahead_of_job.partition(":")
            with contextlib.suppress(Exception):  # the job runs as sent
                reuse = getattr(importlib.import_module(module), function)(ahead, files)
        data = b"".join(iter(lambda: os.read(jobs_receive, 1 << 20), b""))
        if data:
            job = pickle.loads(data)  # noqa: S301 - our own parent's bytes, through our own pipe
            done = reuse(job) if reuse is not None else None
            _write_all(send, pickle.dumps(done if done is not None else outcome(job)))

    pid, receive = _fork(body)
    os.close(jobs_receive)
    if ahead is not None:
        os.close(listing_send)
        _listing = (ahead, listing_receive)
    _warm = Warm(pid, jobs, receive)
    return _warm


def take() -> Warm | None:
    """The warm child, if any, given to one caller only."""
    global _warm
    warm, _warm = _warm, None
    return warm
