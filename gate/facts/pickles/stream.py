"""One pickle stream, read opcode by opcode and interpreted symbolically: nothing is ever imported,
called or constructed.

The reader mirrors CPython's unpickler where it matters for safety:
- every opcode is decoded from pickletools' table, so no opcode is unknown or skipped;
- FRAME is enforced as the unpickler enforces it: an opcode that starts in a frame must end in it, and a
  new frame may only start where the last one ended (an operand that straddles a frame's end is the
  known way to hide opcodes from linear parsers, cpython#154848);
- STACK_GLOBAL resolves its names from the symbolic stack and the memo, so memo tricks, names pushed
  with protocol-0 string opcodes and names that are the results of calls are all seen for what they
  are (the last one is unresolvable, which is a finding, never a pass);
- large operands (array data stored in-band) are skipped, not read, so memory stays flat however large
  the file is; small values are kept, because joblib's and torch's framing is described by them.

The result is every global the stream imports, every persistent id it names, and the opcodes it
breaks; the caller (formats.py) decides what the framing around the stream is.
"""

from __future__ import annotations

import io
import pickletools
import struct
import time
from collections.abc import Callable
from typing import Any, BinaryIO, Protocol

from msgspec import Struct, field

KEEP_BYTES = 64 * 1024
"""Operands longer than this are skipped (their size is kept): nothing the scan needs is that long."""
MAX_OPS = 20_000_000
"""Opcodes read at most in one stream: past it the stream is not verified (about 20 s of scanning)."""
MAX_LINE = 1024 * 1024
"""Longest protocol-0 text operand read."""
MAX_ITEMS = 4096
"""Items kept per container; the rest are counted, not held (the scan needs small structures only)."""

_OPS = {op.code.encode("latin-1"): op for op in pickletools.opcodes}
# pickletools' length-prefixed argument kinds, by their `n` (TAKEN_FROM_ARGUMENT...): prefix bytes
_PREFIX = {
    pickletools.TAKEN_FROM_ARGUMENT1: ("<B", 1),
    pickletools.TAKEN_FROM_ARGUMENT4: ("<i", 4),
    pickletools.TAKEN_FROM_ARGUMENT4U: ("<I", 4),
    pickletools.TAKEN_FROM_ARGUMENT8U: ("<Q", 8),
}
_TEXT_KINDS = {"unicodestring1", "unicodestring4", "unicodestring8"}


class Source(Protocol):
    """What a stream is read from: a file, a decompressing reader, a zip member."""

    def read(self, n: int) -> bytes: ...

    def tell(self) -> int: ...

    def skip(self, n: int) -> int:
        """Advance n bytes; returns how many were skipped (fewer at the end)."""
        ...

    def readline(self, limit: int) -> bytes: ...

    def peek(self, n: int) -> bytes:
        """The next n bytes (fewer at the end) without consuming them."""
        ...


class FileSource:
    """A seekable binary file."""

    def __init__(self, fh: BinaryIO, size: int | None = None) -> None:
        self.fh = fh
        if size is None:
            here = fh.tell()
            size = fh.seek(0, io.SEEK_END)
            fh.seek(here)
        self.size = size

    def read(self, n: int) -> bytes:
        return self.fh.read(n)

    def tell(self) -> int:
        return self.fh.tell()

    def skip(self, n: int) -> int:
        here = self.fh.tell()
        target = min(here + n, self.size)
        self.fh.seek(target)
        return target - here

    def readline(self, limit: int) -> bytes:
        return self.fh.readline(limit)

    def peek(self, n: int) -> bytes:
        here = self.fh.tell()
        data = self.fh.read(n)
        self.fh.seek(here)
        return data


class Malformed(Exception):
    """The stream breaks the pickle format (or our bounds); `unsafe` marks breaks that a real
    unpickler may read differently from any scanner (framing), which is a finding of its own."""

    def __init__(self, message: str, *, unsafe: bool = False) -> None:
        super().__init__(message)
        self.unsafe = unsafe


class Blob(Struct, frozen=True):
    """An operand too large to keep: its kind and size only."""

    kind: str
    size: int


class Global(Struct, frozen=True):
    module: str
    name: str

    @property
    def dotted(self) -> str:
        return f"{self.module}.{self.name}"


class Call(Struct):
    """The result of REDUCE/NEWOBJ/OBJ/INST: what was called, with what, and any BUILD state."""

    func: Any
    args: Any
    how: str
    state: Any = None


class Container(Struct):
    kind: str  # "list", "dict", "set"
    items: list[Any] = field(default_factory=list)
    more: int = 0

    def add(self, *values: Any) -> None:
        if len(self.items) < MAX_ITEMS:
            self.items.extend(values)
        else:
            self.more += len(values)


class Persid(Struct, frozen=True):
    value: Any


class Mark:
    pass


UNRESOLVED = object()
"""A value the scan cannot know statically (an extension-registry code, a name computed at load time)."""


class StreamResult(Struct):
    globals: list[tuple[Global, int]] = field(default_factory=list)
    """Every import with the offset of the opcode that made it."""
    unresolved: list[tuple[str, int]] = field(default_factory=list)
    """Imports whose name cannot be known without running the pickle, with why."""
    persids: list[Any] = field(default_factory=list)
    value: Any = None
    ops: int = 0


# Called after a BUILD whose object is a joblib array wrapper (see formats.py): it consumes the array
# bytes joblib writes right there, and may scan a nested stream, before opcodes resume.
AfterBuild = Callable[[Call, "Source", StreamResult], None]


def _decode_text(op: pickletools.OpcodeInfo, raw: bytes) -> Any:
    """Decode a protocol-0 newline-terminated operand with pickletools' own readers."""
    if op.arg is None:  # pragma: no cover - only called for opcodes with an operand
        raise Malformed(f"{op.name} has no operand")
    return op.arg.reader(io.BytesIO(raw))


def _read_arg(op: pickletools.OpcodeInfo, src: Source) -> Any:
    arg = op.arg
    if arg is None:
        return None
    n = arg.n
    if n == pickletools.UP_TO_NEWLINE:
        line = src.readline(MAX_LINE)
        if not line.endswith(b"\n"):
            raise Malformed(f"{op.name}: operand longer than {MAX_LINE} bytes or cut short")
        if arg.name == "stringnl_noescape_pair":
            line += src.readline(MAX_LINE)
            if not line.endswith(b"\n") or line.count(b"\n") != 2:
                raise Malformed(f"{op.name}: operand cut short")
        try:
            return _decode_text(op, line)
        except ValueError as exc:
            raise Malformed(f"{op.name}: {exc}") from None
    if n >= 0:
        data = src.read(n)
        if len(data) != n:
            raise Malformed(f"{op.name}: cut short")
        try:
            return arg.reader(io.BytesIO(data))
        except ValueError as exc:
            raise Malformed(f"{op.name}: {exc}") from None
    fmt, width = _PREFIX[n]
    head = src.read(width)
    if len(head) != width:
        raise Malformed(f"{op.name}: cut short")
    (length,) = struct.unpack(fmt, head)
    if length < 0:
        raise Malformed(f"{op.name}: negative length")
    if length > KEEP_BYTES:
        if src.skip(length) != length:
            raise Malformed(f"{op.name}: declares {length} bytes past the end of the data")
        return Blob(arg.name, length)
    data = src.read(length)
    if len(data) != length:
        raise Malformed(f"{op.name}: cut short")
    if arg.name in _TEXT_KINDS:
        return data.decode("utf-8", "surrogatepass")
    if arg.name in ("long1", "long4"):
        return int.from_bytes(data, "little", signed=True)  # pickle's LONG1/LONG4 encoding
    if arg.name in ("string1", "string4"):
        return data.decode("latin-1")
    return data


class _Machine:
    def __init__(
        self,
        src: Source,
        after_build: AfterBuild | None,
        fix_names: Callable[[str, str], Global],
        deadline: float | None,
        may_return_str: Callable[[Global], bool],
    ) -> None:
        self.src = src
        self.may_return_str = may_return_str
        self.deadline = deadline
        self.after_build = after_build
        self.fix_names = fix_names
        self.stack: list[Any] = []
        self.marks: list[list[Any]] = []
        self.memo: dict[int, Any] = {}
        self.result = StreamResult()
        self.frame_end: int | None = None
        self.protocol = 0

    # -- the stack ------------------------------------------------------------------------------

    def pop(self) -> Any:
        if self.stack:
            return self.stack.pop()
        raise Malformed("an opcode pops from an empty stack")

    def pop_mark(self) -> list[Any]:
        if not self.marks:
            raise Malformed("an opcode expects a MARK that was never pushed")
        items = self.stack
        self.stack = self.marks.pop()
        return items

    def top(self) -> Any:
        if not self.stack:
            raise Malformed("an opcode reads an empty stack")
        return self.stack[-1]

    def imported(self, module: Any, name: Any, at: int) -> Any:
        if not isinstance(module, str) or not isinstance(name, str):
            if not all(self._may_be_str(v) for v in (module, name)):
                # an int, a container, a class, an array: the unpickler refuses it ("requires str") and stops
                raise Malformed(f"an import at byte {at} names something that is not a string")
            why = "an import whose module or name is computed at load time"
            self.result.unresolved.append((why, at))
            return UNRESOLVED
        found = self.fix_names(module, name) if self.protocol < 3 else Global(module, name)
        self.result.globals.append((found, at))
        return found

    def _may_be_str(self, value: Any) -> bool:
        """Whether a value could be an exact str when the pickle is loaded."""
        if isinstance(value, str | Persid) or value is UNRESOLVED:
            return True
        if isinstance(value, Call):
            return not isinstance(value.func, Global) or self.may_return_str(value.func)
        return False

    # -- the loop -------------------------------------------------------------------------------

    def run(self) -> StreamResult:
        src = self.src
        while True:
            at = src.tell()
            if self.frame_end is not None and at == self.frame_end:
                self.frame_end = None
            code = src.read(1)
            if not code:
                raise Malformed("the stream ends before its STOP opcode")
            op = _OPS.get(code)
            if op is None:
                raise Malformed(f"unknown opcode 0x{code[0]:02x} at byte {at}")
            self.result.ops += 1
            if not self.result.ops & 0xFFFF:
                if self.result.ops > MAX_OPS:
                    raise Malformed(f"more than {MAX_OPS} opcodes: not scanned to the end")
                if self.deadline is not None and time.monotonic() > self.deadline:
                    raise Malformed("the time budget ran out while scanning")
            arg = _read_arg(op, src)
            end = src.tell()
            if self.frame_end is not None and end > self.frame_end:
                raise Malformed(
                    f"{op.name} at byte {at} crosses the end of its FRAME (a known way to hide opcodes)",
                    unsafe=True,
                )
            if op.name == "FRAME":
                if self.frame_end is not None:
                    raise Malformed(f"a FRAME at byte {at} starts inside another frame", unsafe=True)
                self.frame_end = end + arg
                continue
            if op.name == "STOP":
                self.result.value = self.pop()
                return self.result
            self.step(op.name, arg, at)

    def push(self, value: Any) -> None:
        self.stack.append(value)  # never bound early: MARK and pop_mark replace self.stack

    def step(self, name: str, arg: Any, at: int) -> None:
        items: Any
        push = self.push
        if name == "PROTO":
            if not 0 <= arg <= 5:
                raise Malformed(f"unsupported pickle protocol {arg}")
            self.protocol = arg
        elif name in (
            "INT", "BININT", "BININT1", "BININT2", "LONG", "LONG1", "LONG4", "FLOAT", "BINFLOAT",
            "STRING", "BINSTRING", "SHORT_BINSTRING", "BINBYTES", "SHORT_BINBYTES", "BINBYTES8",
            "BYTEARRAY8", "UNICODE", "BINUNICODE", "SHORT_BINUNICODE", "BINUNICODE8",
        ):  # fmt: skip
            push(arg)
        elif name == "NONE":
            push(None)
        elif name == "NEWTRUE":
            push(True)
        elif name == "NEWFALSE":
            push(False)
        elif name == "NEXT_BUFFER":
            push(Blob("out-of-band buffer", 0))
        elif name == "READONLY_BUFFER":
            self.top()
        elif name == "EMPTY_TUPLE":
            push(())
        elif name in ("TUPLE1", "TUPLE2", "TUPLE3"):
            n = int(name[-1])
            if len(self.stack) < n:
                raise Malformed(f"{name} on a stack of {len(self.stack)}")
            items = tuple(self.stack[-n:])
            del self.stack[-n:]
            push(items)
        elif name == "TUPLE":
            push(tuple(self.pop_mark()))
        elif name == "EMPTY_LIST":
            push(Container("list"))
        elif name == "LIST":
            box = Container("list")
            box.add(*self.pop_mark())
            push(box)
        elif name == "APPEND":
            value = self.pop()
            self._add(self.top(), value)
        elif name == "APPENDS":
            items = self.pop_mark()
            self._add(self.top(), *items)
        elif name == "EMPTY_DICT":
            push(Container("dict"))
        elif name == "DICT":
            items = self.pop_mark()
            box = Container("dict")
            box.add(*zip(items[::2], items[1::2], strict=False))
            push(box)
        elif name == "SETITEM":
            value, key = self.pop(), self.pop()
            self._add(self.top(), (key, value))
        elif name == "SETITEMS":
            items = self.pop_mark()
            self._add(self.top(), *zip(items[::2], items[1::2], strict=False))
        elif name == "EMPTY_SET":
            push(Container("set"))
        elif name == "ADDITEMS":
            items = self.pop_mark()
            self._add(self.top(), *items)
        elif name == "FROZENSET":
            box = Container("set")
            box.add(*self.pop_mark())
            push(box)
        elif name == "POP":
            if self.stack:
                self.stack.pop()
            else:
                self.pop_mark()  # as CPython does: POP on an empty stack discards the mark
        elif name == "POP_MARK":
            self.pop_mark()
        elif name == "DUP":
            push(self.top())
        elif name == "MARK":
            self.marks.append(self.stack)
            self.stack = []
        elif name in ("GET", "BINGET", "LONG_BINGET"):
            key = int(arg)
            if key not in self.memo:
                raise Malformed(f"{name} reads memo entry {key}, which was never stored")
            push(self.memo[key])
        elif name in ("PUT", "BINPUT", "LONG_BINPUT"):
            self.memo[int(arg)] = self.top()
        elif name == "MEMOIZE":
            self.memo[len(self.memo)] = self.top()
        elif name == "GLOBAL":
            module, _, qual = str(arg).partition(" ")
            push(self.imported(module, qual, at))
        elif name == "STACK_GLOBAL":
            qual, module = self.pop(), self.pop()
            push(self.imported(module, qual, at))
        elif name == "INST":
            module, _, qual = str(arg).partition(" ")
            cls = self.imported(module, qual, at)
            push(Call(cls, tuple(self.pop_mark()), "inst"))
        elif name == "OBJ":
            items = self.pop_mark()
            if not items:
                raise Malformed("OBJ without a class")
            push(Call(items[0], tuple(items[1:]), "obj"))
        elif name == "REDUCE":
            args, func = self.pop(), self.pop()
            push(Call(func, args, "reduce"))
        elif name == "NEWOBJ":
            args, cls = self.pop(), self.pop()
            push(Call(cls, args, "newobj"))
        elif name == "NEWOBJ_EX":
            kwargs, args, cls = self.pop(), self.pop(), self.pop()
            push(Call(cls, (args, kwargs), "newobj_ex"))
        elif name == "BUILD":
            state = self.pop()
            target = self.top()
            if isinstance(target, Global) or target is UNRESOLVED:
                # setting attributes on an imported module or class rewrites what later imports return
                why = f"BUILD modifies the imported {getattr(target, 'dotted', 'object')} (rewrites what a later import returns)"
                self.result.unresolved.append((why, at))
            elif isinstance(target, Call):
                target.state = state
                if self.after_build is not None:
                    before = self.src.tell()
                    self.after_build(target, self.src, self.result)
                    if self.src.tell() != before:
                        # joblib read bytes straight from the file: a loader holding a partly read frame
                        # would read them from elsewhere, so they must start where the frame ended
                        if self.frame_end is not None and before != self.frame_end:
                            raise Malformed(
                                f"array data at byte {before} starts inside a FRAME (loaders disagree on where it is)",
                                unsafe=True,
                            )
                        self.frame_end = None
        elif name in ("PERSID", "BINPERSID"):
            pid = arg if name == "PERSID" else self.pop()
            self.result.persids.append(pid)
            push(Persid(pid))
        elif name in ("EXT1", "EXT2", "EXT4"):
            why = f"{name} {arg}: an import through copyreg's extension registry, decided at load time"
            self.result.unresolved.append((why, at))
            push(UNRESOLVED)
        else:  # pragma: no cover - every opcode of pickletools' table is handled above
            raise Malformed(f"opcode {name} is not understood")

    @staticmethod
    def _add(target: Any, *values: Any) -> None:
        if isinstance(target, Container):
            target.add(*values)
        # appending to or setting items on an object calls its own methods: what the object is was
        # decided by the import that made it, which is judged


def read_stream(
    src: Source,
    *,
    after_build: AfterBuild | None = None,
    fix_names: Callable[[str, str], Global] = Global,
    deadline: float | None = None,
    may_return_str: Callable[[Global], bool] = lambda _g: True,
) -> StreamResult:
    """Read one stream from src's position to its STOP. Raises Malformed (with what was found so far
    attached as `.partial`) when the stream is broken."""
    machine = _Machine(src, after_build, fix_names, deadline, may_return_str)
    try:
        return machine.run()
    except Malformed as exc:
        exc.partial = machine.result  # type: ignore[attr-defined]
        raise
    except RecursionError:
        failure = Malformed("structures nested too deeply")
        failure.partial = machine.result  # type: ignore[attr-defined]
        raise failure from None


def plain(value: Any) -> Any:
    """A symbolic value as plain Python data where it is plain (for reading joblib's and torch's
    descriptions): containers become lists/dicts, other values stay as they are."""
    if isinstance(value, Container):
        if value.kind == "dict":
            out: dict[Any, Any] = {}
            for k, v in value.items:
                try:
                    out[plain(k)] = plain(v)
                except TypeError:
                    continue  # an unhashable key: not part of any description we read
            return out
        return [plain(v) for v in value.items]
    if isinstance(value, tuple):
        return tuple(plain(v) for v in value)
    return value
