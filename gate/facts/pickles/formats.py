"""Every pickle stream in a model file, found the way each loader finds it.

A file is judged by every loader that could open it, because its name does not say which one will:
- pickle.load reads the first stream; a loop of pickle.load calls reads the ones after it;
- joblib.load reads array bytes right after each NumpyArrayWrapper (and a nested stream for object
  arrays), then resumes opcodes; compressed joblib files are one compressed stream of the same;
- torch.load reads `*/data.pkl` (and other pickles) inside a zip archive, or, for the legacy format,
  five streams in a row followed by raw storages whose sizes the streams describe;
- np.load reads a pickle after an object array's header.
Every byte of the file must be accounted for by one of these; bytes nothing accounts for make the
file "not verified", never clean. Zip members are read the permissive way PyTorch reads them (no CRC
or flag checks, central directory sizes), so a member Python's zipfile would refuse is still scanned.
"""

from __future__ import annotations

import _compat_pickle
import ast
import bz2
import io
import lzma
import struct
import time
import zipfile
import zlib
from collections.abc import Callable
from typing import Any, BinaryIO

from msgspec import Struct, field

from gate.facts.pickles.allowed import may_return_str
from gate.facts.pickles.stream import (
    Blob,
    Call,
    FileSource,
    Global,
    Malformed,
    Source,
    StreamResult,
    plain,
    read_stream,
)

TORCH_MAGIC = 0x1950A86A20F9469CFC6C
TORCH_PROTOCOL = 1001
MAX_MEMBERS = 100_000
MAX_STREAMS = 1000
"""Concatenated compressed streams read in one file (pbzip2 writes one per ~900 KB: 1,000 is ~1 GB)."""
_CHUNK = 1024 * 1024
_ZIP = b"PK\x03\x04"
_NPY = b"\x93NUMPY"
_STORAGE_BYTES = {
    "Double": 8, "Float": 4, "Half": 2, "BFloat16": 2, "Long": 8, "Int": 4, "Short": 2, "Char": 1,
    "Byte": 1, "Bool": 1, "ComplexFloat": 8, "ComplexDouble": 16, "QInt8": 1, "QUInt8": 1, "QInt32": 4,
    "QUInt4x2": 1, "QUInt2x4": 1, "Untyped": 1, "Float8_e4m3fn": 1, "Float8_e5m2": 1,
    "UInt16": 2, "UInt32": 4, "UInt64": 8,
}  # fmt: skip
_WRAPPERS = {
    "joblib.numpy_pickle.NumpyArrayWrapper",
    "sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper",
}


class NotVerified(Exception):
    """The file cannot be accounted for byte by byte; the message says where and why."""


class Findings(Struct):
    """What every stream of a file imports, and what could not be verified."""

    where: dict[Global, str] = field(default_factory=dict)
    """Each import, with the first place (a description) it was seen."""
    unresolved: list[str] = field(default_factory=list)
    unsafe: list[str] = field(default_factory=list)
    streams: int = 0

    def add(self, result: StreamResult, place: str) -> None:
        self.streams += 1
        for g, _at in result.globals:
            self.where.setdefault(g, place)
        for why, _at in result.unresolved:
            self.unresolved.append(f"{why} ({place})")


def fix_names(module: str, name: str) -> Global:
    """Python 2 names as the unpickler maps them (fix_imports, protocols 0-2): `__builtin__.eval` is
    `builtins.eval`, `copy_reg._reconstructor` is copyreg's."""
    if (module, name) in _compat_pickle.NAME_MAPPING:
        module, name = _compat_pickle.NAME_MAPPING[(module, name)]
    elif module in _compat_pickle.IMPORT_MAPPING:
        module = _compat_pickle.IMPORT_MAPPING[module]
    return Global(module, name)


class BytesSource(FileSource):
    def __init__(self, data: bytes) -> None:
        super().__init__(io.BytesIO(data), len(data))


class DecompressingSource:
    """A forward-only view of a compressed stream, bounded in what it may expand to."""

    def __init__(self, fh: BinaryIO, make: Callable[[], Any], limit: int, what: str) -> None:
        self.fh = fh
        self.make = make
        self.dec = make()
        self.is_zlib = what.startswith(("a zlib", "a gzip"))
        self.limit = limit
        self.what = what
        self.buf = b""
        self.pos = 0
        self.base = 0  # decompressed offset of buf[0]
        self.eof = False
        self.streams = 1

    def _fill(self, need: int) -> None:
        while len(self.buf) - self.pos < need and not self.eof:
            if self.pos > _CHUNK:
                self.base += self.pos
                self.buf, self.pos = self.buf[self.pos :], 0
            out = self._more()
            if self.base + len(self.buf) + len(out) > self.limit:
                raise NotVerified(f"{self.what} expands to more than {self.limit} bytes: not scanned whole")
            self.buf += out

    def _more(self) -> bytes:
        dec = self.dec
        try:
            if self.is_zlib:
                if dec.eof:
                    if dec.unused_data or self.fh.read(1):
                        # joblib's zlib reader cannot go past the end of a stream: bytes there are not
                        # its pickle, and are not taken for anything
                        raise NotVerified(f"bytes after the end of {self.what}")
                    self.eof = True
                    return b""
                data = dec.unconsumed_tail or self.fh.read(_CHUNK)
                if not data:
                    raise NotVerified(f"{self.what} is cut short")
                out: bytes = dec.decompress(data, _CHUNK)
                return out
            if dec.eof:
                # read on only when what the finished stream left over is used up: appending a chunk at
                # every stream end grew the leftover and copied it again and again
                leftover = dec.unused_data or self.fh.read(_CHUNK)
                if not leftover:
                    self.eof = True
                    return b""
                self.streams += 1
                if self.streams > MAX_STREAMS:
                    # tens of thousands of tiny streams cost a copy of the rest each: not a real model
                    raise NotVerified(f"{self.what} has more than {MAX_STREAMS} compressed streams")
                # bz2 and xz readers (joblib's, Python's) go on to the next stream as if it were one
                self.dec = dec = self.make()
                following: bytes = dec.decompress(leftover, _CHUNK)
                return following
            data = self.fh.read(_CHUNK) if dec.needs_input else b""
            if not data and dec.needs_input:
                raise NotVerified(f"{self.what} is cut short")
            more: bytes = dec.decompress(data, _CHUNK)
            return more
        except (OSError, EOFError, zlib.error, lzma.LZMAError, ValueError) as exc:
            raise NotVerified(f"{self.what} does not decompress: {exc}") from None

    def read(self, n: int) -> bytes:
        self._fill(n)
        data = self.buf[self.pos : self.pos + n]
        self.pos += len(data)
        return data

    def peek(self, n: int) -> bytes:
        self._fill(n)
        return self.buf[self.pos : self.pos + n]

    def tell(self) -> int:
        return self.base + self.pos

    def skip(self, n: int) -> int:
        done = 0
        while done < n:
            step = min(n - done, _CHUNK)
            got = len(self.read(step))
            done += got
            if got < step:
                break
        return done

    def readline(self, limit: int) -> bytes:
        out = bytearray()
        while len(out) < limit:
            self._fill(1)
            if self.pos >= len(self.buf):
                break
            end = self.buf.find(b"\n", self.pos, self.pos + limit - len(out))
            if end >= 0:
                out += self.buf[self.pos : end + 1]
                self.pos = end + 1
                break
            out += self.buf[self.pos :]
            self.pos = len(self.buf)
        return bytes(out)


_COMPRESSED: tuple[tuple[bytes, str, Callable[[], Any]], ...] = (
    (b"\x78", "a zlib-compressed stream", zlib.decompressobj),
    (b"\x1f\x8b", "a gzip-compressed stream", lambda: zlib.decompressobj(wbits=31)),
    (b"BZh", "a bz2-compressed stream", bz2.BZ2Decompressor),
    (b"\xfd7zXZ\x00", "an xz-compressed stream", lambda: lzma.LZMADecompressor(lzma.FORMAT_XZ)),
    (b"\x5d\x00\x00", "an lzma-compressed stream", lambda: lzma.LZMADecompressor(lzma.FORMAT_ALONE)),
)
_UNREADABLE: tuple[tuple[bytes, str], ...] = (
    (b"\x04\x22\x4d\x18", "lz4-compressed (joblib's lz4 option), which the gate cannot decompress"),
    (b"ZF", "joblib's pre-0.10 compressed format"),
    (b"7z\xbc\xaf\x27\x1c", "a 7z archive"),
)


class Scanner:
    """One file's scan. `scan()` fills `findings`, or raises NotVerified."""

    def __init__(self, max_bytes: int, deadline: float | None) -> None:
        self.findings = Findings()
        self.max_bytes = max_bytes
        self.deadline = deadline

    def _check_time(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise NotVerified("the time budget ran out while scanning")

    # -- the file -------------------------------------------------------------------------------

    def scan(self, fh: BinaryIO, size: int) -> None:
        head = fh.read(16)
        fh.seek(0)
        if head.startswith(_ZIP):
            self._zip(fh, "")
            return
        if head.startswith(_NPY):
            self._npy(FileSource(fh, size), "")
            return
        for magic, what in _UNREADABLE:
            if head.startswith(magic):
                raise NotVerified(f"{what}: not scanned")
        for magic, what, make in _COMPRESSED:
            if head.startswith(magic) and (magic != b"BZh" or head[3:4].isdigit()):
                self._streams(DecompressingSource(fh, make, self.max_bytes, what), "decompressed", fh=None)
                return
        self._streams(FileSource(fh, size), "", fh=fh)

    # -- streams --------------------------------------------------------------------------------

    def _streams(self, src: Source, place: str, fh: BinaryIO | None) -> None:
        """Every stream from src's position to its end, then whatever framing follows."""
        index = 0
        while True:
            self._check_time()
            at = src.tell()
            head = src.peek(4)
            if not head:
                if index == 0:
                    raise NotVerified("an empty file")
                return
            if head.startswith(_ZIP) and fh is not None and index > 0:
                self._zip(fh, f" after byte {at}")  # an archive appended to pickles: torch may read it
                return
            label = _label(place, index, at)
            result = self._stream(src, label, first=index == 0)
            if result is None:  # not a stream at all: bytes nothing accounts for
                raise NotVerified(f"{_trailing(src, at)} bytes at byte {at} are not a pickle stream")
            if index == 0 and result.value == TORCH_MAGIC and not result.globals:
                self._torch_legacy(src, place)
            index += 1

    def _stream(self, src: Source, label: str, *, first: bool) -> StreamResult | None:
        """One stream, read both as joblib reads it and as pickle.load reads it."""
        start = src.tell()
        if not _starts_like_pickle(src.peek(2)):
            if first:
                raise NotVerified("not a pickle stream (its first byte is not a pickle opcode)")
            return None
        joblib_seen: list[int] = []

        def after_build(call: Call, inner: Source, result: StreamResult) -> None:
            if isinstance(call.func, Global) and call.func.dotted in _WRAPPERS:
                joblib_seen.append(inner.tell())
                self._joblib_array(call, inner, result, label)

        try:
            result = read_stream(
                src,
                after_build=after_build,
                fix_names=fix_names,
                deadline=self.deadline,
                may_return_str=may_return_str,
            )
        except Malformed as exc:
            self._broken(exc, label)
            raise AssertionError("unreachable") from None  # _broken always raises
        self.findings.add(result, label)
        if joblib_seen and isinstance(src, FileSource):
            self._as_plain_pickle(src, start, label)
        return result

    def _as_plain_pickle(self, src: FileSource, start: int, label: str) -> None:
        """The same bytes as pickle.load would read them, array buffers included: whatever it would
        import before it stops must be allowed too (array bytes can be written to be opcodes)."""
        end = src.tell()
        src.fh.seek(start)
        try:
            plain_result = read_stream(
                src, fix_names=fix_names, deadline=self.deadline, may_return_str=may_return_str
            )
            self.findings.add(plain_result, f"{label} read by pickle.load")
        except Malformed as exc:
            partial: StreamResult | None = getattr(exc, "partial", None)
            if partial is not None:  # stopping at an array buffer is what pickle.load does too
                self.findings.add(partial, f"{label} read by pickle.load")
        finally:
            src.fh.seek(end)

    def _broken(self, exc: Malformed, label: str) -> None:
        partial: StreamResult | None = getattr(exc, "partial", None)
        if partial is not None:
            self.findings.add(partial, label)  # what ran before the break counts: it would have run
        if exc.unsafe:
            self.findings.unsafe.append(f"{exc} ({label})")
            raise NotVerified(str(exc)) from None
        raise NotVerified(f"{exc} ({label})") from None

    # -- joblib ---------------------------------------------------------------------------------

    def _joblib_array(self, call: Call, src: Source, result: StreamResult, label: str) -> None:
        state = plain(call.state)
        if not isinstance(state, dict):
            raise Malformed("a joblib array wrapper without its description")
        shape = state.get("shape")
        if not isinstance(shape, tuple) or not all(isinstance(n, int) and n >= 0 for n in shape):
            raise Malformed("a joblib array whose shape cannot be read")
        itemsize, has_object = _dtype_size(state.get("dtype"))
        if has_object:
            nested = read_stream(
                src, fix_names=fix_names, deadline=self.deadline, may_return_str=may_return_str
            )
            result.globals.extend(nested.globals)
            result.unresolved.extend(nested.unresolved)
            return
        if itemsize is None:
            raise Malformed("a joblib array whose item size cannot be read")
        if "numpy_array_alignment_bytes" in state:
            pad = src.read(1)
            if len(pad) != 1 or src.skip(pad[0]) != pad[0]:
                raise Malformed("a joblib array's alignment padding is cut short")
        count = 1
        for n in shape:
            count *= n
        nbytes = count * itemsize
        if nbytes > self.max_bytes or src.skip(nbytes) != nbytes:
            raise Malformed(f"a joblib array of {nbytes} bytes runs past the end of the file")

    # -- PyTorch's legacy format ----------------------------------------------------------------

    def _torch_legacy(self, src: Source, place: str) -> None:
        """Magic number (read), protocol version, system info, the object, the storage keys, then each
        storage as an 8-byte element count and its bytes."""
        results: list[StreamResult] = []
        for _ in range(4):
            at = src.tell()
            result = self._stream(src, _label(place, len(results) + 1, at), first=False)
            if result is None:
                raise NotVerified(f"a PyTorch legacy file cut short at byte {at}")
            results.append(result)
        protocol, _info, main, keys = results
        if protocol.value != TORCH_PROTOCOL:
            raise NotVerified("a PyTorch legacy file with an unknown protocol version")
        sizes: dict[str, int] = {}
        for pid in main.persids:
            pid = plain(pid)
            if isinstance(pid, tuple) and len(pid) >= 5 and pid[0] == "storage":
                storage, key = pid[1], pid[2]
                kind = storage.name[: -len("Storage")] if isinstance(storage, Global) else None
                if kind not in _STORAGE_BYTES or not isinstance(key, str):
                    raise NotVerified(f"a PyTorch legacy storage of an unknown type ({storage})")
                sizes[key] = _STORAGE_BYTES[kind]
        names = plain(keys.value)
        if not isinstance(names, list) or not all(isinstance(k, str) for k in names):
            raise NotVerified("a PyTorch legacy file whose storage keys cannot be read")
        for key in names:
            if key not in sizes:
                raise NotVerified(f"a PyTorch legacy storage key {key!r} that no tensor names")
            head = src.read(8)
            if len(head) != 8:
                raise NotVerified("a PyTorch legacy storage cut short")
            (count,) = struct.unpack("<q", head)
            nbytes = count * sizes[key]
            if count < 0 or nbytes > self.max_bytes or src.skip(nbytes) != nbytes:
                raise NotVerified("a PyTorch legacy storage runs past the end of the file")

    # -- archives -------------------------------------------------------------------------------

    def _zip(self, fh: BinaryIO, where: str) -> None:
        fh.seek(0)
        try:
            archive = zipfile.ZipFile(fh)
            infos = archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise NotVerified(f"a zip archive{where} that cannot be read: {exc}") from None
        if len(infos) > MAX_MEMBERS:
            raise NotVerified(f"a zip archive with {len(infos)} members: not scanned")
        expanded = sum(i.file_size for i in infos)
        if expanded > self.max_bytes:
            raise NotVerified(f"a zip archive that expands to {expanded} bytes: not scanned")
        for info in sorted(infos, key=lambda i: (i.filename, i.header_offset)):
            self._check_time()
            if info.is_dir():
                continue
            name = info.filename
            if _is_storage(name):
                continue  # raw tensor bytes: nothing loads them as a pickle
            if name.endswith(".npy"):
                data = _member(fh, info)
                self._npy(BytesSource(data), f"member {name}")
                continue
            if name.endswith("pkl") or _starts_like_proto(_member(fh, info, 2)):
                self._streams(BytesSource(_member(fh, info)), f"member {name}", fh=None)

    def _npy(self, src: Source, place: str) -> None:
        head = src.read(10)
        if len(head) < 10 or not head.startswith(_NPY):
            raise NotVerified(f"a .npy {place} with a broken header")
        major = head[6]
        width = 2 if major == 1 else 4
        raw_len = head[8:10] if width == 2 else head[8:10] + src.read(2)
        (length,) = struct.unpack("<H" if width == 2 else "<I", raw_len)
        if length > 1024 * 1024:
            raise NotVerified(f"a .npy {place} with a {length}-byte header")
        try:
            header = ast.literal_eval(src.read(length).decode("latin-1"))
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            raise NotVerified(f"a .npy {place} whose header cannot be read") from None
        descr = header.get("descr") if isinstance(header, dict) else None
        if "O" in str(descr):
            self._streams(src, f"{place} object array".strip(), fh=None)


def _member(fh: BinaryIO, info: zipfile.ZipInfo, limit: int | None = None) -> bytes:
    """A member's bytes read as PyTorch's reader reads them: from its local header, with the central
    directory's sizes and method, ignoring CRCs and flag bits."""
    fh.seek(info.header_offset)
    local = fh.read(30)
    if len(local) != 30 or not local.startswith(_ZIP):
        raise NotVerified(f"zip member {info.filename}: no local header where the directory says")
    name_len, extra_len = struct.unpack("<HH", local[26:30])
    fh.seek(info.header_offset + 30 + name_len + extra_len)
    want = info.file_size if limit is None else min(limit, info.file_size)
    if info.compress_type == zipfile.ZIP_STORED:
        return fh.read(want)
    if info.compress_type == zipfile.ZIP_DEFLATED:
        try:
            dec = zlib.decompressobj(-15)
            return dec.decompress(fh.read(info.compress_size), want)
        except zlib.error as exc:
            raise NotVerified(f"zip member {info.filename} does not decompress: {exc}") from None
    raise NotVerified(
        f"zip member {info.filename} uses compression method {info.compress_type}, which the gate cannot read"
    )


def _is_storage(name: str) -> bool:
    """PyTorch's raw storages: `<archive>/data/<key>` (and `.data/` bookkeeping files)."""
    parts = name.split("/")
    return (
        (len(parts) >= 2 and parts[-2] == "data" and parts[-1].isdigit())
        or ".data" in parts[:-1]
        or parts[-1] in ("version", "byteorder", ".format_version", ".storage_alignment")
    )


def _starts_like_proto(head: bytes) -> bool:
    return len(head) >= 2 and head[0] == 0x80 and 2 <= head[1] <= 5


def _starts_like_pickle(head: bytes) -> bool:
    import pickletools

    return bool(head) and any(op.code == chr(head[0]) for op in pickletools.opcodes)


def _trailing(src: Source, at: int) -> str:
    size = getattr(src, "size", None)
    return str(size - at) if isinstance(size, int) else "the"


def _label(place: str, index: int, at: int) -> str:
    stream = "the pickle" if index == 0 and at == 0 else f"stream {index + 1} at byte {at}"
    return f"{place} {stream}".strip() if place else stream


def _dtype_size(dtype: Any) -> tuple[int | None, bool]:
    """(item size, has objects) of a pickled numpy dtype: `numpy.dtype(code, align, copy)` with the
    state numpy writes, whose flags and element size take precedence, as numpy's own __setstate__ does."""
    if (
        not isinstance(dtype, Call)
        or not isinstance(dtype.func, Global)
        or dtype.func.dotted != "numpy.dtype"
    ):
        return None, False
    args = plain(dtype.args)
    code = args[0] if isinstance(args, tuple) and args else None
    if not isinstance(code, str) or isinstance(code, Blob):
        return None, False
    state = plain(dtype.state)
    size: int | None = None
    has_object = code.lstrip("<>=|").startswith("O")
    if isinstance(state, tuple) and len(state) >= 8 and state[0] in (3, 4):
        elsize, flags = state[5], state[7]
        if isinstance(flags, int):
            has_object = bool(flags & 1)
        if isinstance(elsize, int) and elsize > 0:
            size = elsize
    if size is None:
        digits = "".join(ch for ch in code if ch.isdigit())
        size = int(digits) if digits else None
    return size, has_object
