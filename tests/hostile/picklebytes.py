"""A small pickle assembler: hostile and benign model files written opcode by opcode.

Hand-assembled rather than made with `pickle.dumps` of real objects, so a test can build what no
library would write (a payload hidden after an array buffer, a second stream, a dotted global) and
never needs joblib, numpy or torch installed. Every malicious payload here writes a marker file when
executed; the tests assert the marker never appears.
"""

from __future__ import annotations

import struct


class Pickle:
    """Opcodes appended in order; `bytes(p)` is the stream."""

    def __init__(self, protocol: int = 4) -> None:
        self.out = bytearray(b"\x80" + bytes([protocol]))

    def __bytes__(self) -> bytes:
        return bytes(self.out)

    def raw(self, data: bytes) -> Pickle:
        self.out += data
        return self

    def text(self, value: str) -> Pickle:
        data = value.encode()
        if len(data) < 256:
            self.out += b"\x8c" + bytes([len(data)]) + data  # SHORT_BINUNICODE
        else:
            self.out += b"X" + struct.pack("<I", len(data)) + data  # BINUNICODE
        return self

    def integer(self, value: int) -> Pickle:
        self.out += b"J" + struct.pack("<i", value)  # BININT
        return self

    def true(self) -> Pickle:
        self.out += b"\x88"
        return self

    def false(self) -> Pickle:
        self.out += b"\x89"
        return self

    def none(self) -> Pickle:
        self.out += b"N"
        return self

    def glob(self, module: str, name: str) -> Pickle:
        """STACK_GLOBAL (protocol 4): the module and name are strings on the stack."""
        self.text(module).text(name)
        self.out += b"\x93"
        return self

    def old_glob(self, module: str, name: str) -> Pickle:
        """GLOBAL (protocol 0): the names inline, newline-terminated."""
        self.out += b"c" + module.encode() + b"\n" + name.encode() + b"\n"
        return self

    def mark(self) -> Pickle:
        self.out += b"("
        return self

    def tuple(self) -> Pickle:
        self.out += b"t"
        return self

    def tuple1(self) -> Pickle:
        self.out += b"\x85"
        return self

    def tuple2(self) -> Pickle:
        self.out += b"\x86"
        return self

    def tuple3(self) -> Pickle:
        self.out += b"\x87"
        return self

    def empty_tuple(self) -> Pickle:
        self.out += b")"
        return self

    def empty_dict(self) -> Pickle:
        self.out += b"}"
        return self

    def empty_list(self) -> Pickle:
        self.out += b"]"
        return self

    def setitems(self) -> Pickle:
        self.out += b"u"
        return self

    def appends(self) -> Pickle:
        self.out += b"e"
        return self

    def reduce(self) -> Pickle:
        self.out += b"R"
        return self

    def newobj(self) -> Pickle:
        self.out += b"\x81"
        return self

    def build(self) -> Pickle:
        self.out += b"b"
        return self

    def pop(self) -> Pickle:
        self.out += b"0"
        return self

    def memoize(self) -> Pickle:
        self.out += b"\x94"
        return self

    def get(self, index: int) -> Pickle:
        self.out += b"h" + bytes([index])  # BINGET
        return self

    def bytes8(self, size: int, filler: bytes = b"\0") -> Pickle:
        self.out += b"\x8e" + struct.pack("<Q", size) + filler * size  # BINBYTES8
        return self

    def stop(self) -> Pickle:
        self.out += b"."
        return self

    # -- compound pieces ----------------------------------------------------------------------

    def call(self, module: str, name: str, *args: str) -> Pickle:
        """module.name(*args) through REDUCE."""
        self.glob(module, name).mark()
        for arg in args:
            self.text(arg)
        return self.tuple().reduce()

    def dtype(self, code: str = "f8") -> Pickle:
        """numpy.dtype(code, False, True) with the state numpy itself pickles."""
        self.glob("numpy", "dtype").text(code).false().true().tuple3().reduce()
        flags = 63 if code.startswith("O") else 0  # numpy marks object dtypes in the state's flags
        order = "|" if code.startswith("O") else "<"
        self.mark().integer(3).text(order).none().none().none().integer(-1).integer(-1).integer(
            flags
        ).tuple().build()
        return self

    def joblib_wrapper(self, count: int, code: str = "f8", aligned: bool = True) -> Pickle:
        """joblib's NumpyArrayWrapper for a 1-d array of `count` items; the caller appends the buffer."""
        self.glob("joblib.numpy_pickle", "NumpyArrayWrapper").empty_tuple().newobj()
        self.empty_dict().mark()
        self.text("subclass").glob("numpy", "ndarray")
        self.text("shape").integer(count).tuple1()
        self.text("order").text("C")
        self.text("dtype").dtype(code)
        self.text("allow_mmap").true()
        if aligned:
            self.text("numpy_array_alignment_bytes").integer(16)
        return self.setitems().build()

    def joblib_buffer(self, data: bytes, aligned: bool = True) -> Pickle:
        """The array bytes joblib writes right after the wrapper's BUILD (with its alignment padding)."""
        if aligned:
            pad = 16 - ((len(self.out) + 1) % 16)
            self.out += bytes([pad]) + b"\xff" * pad
        self.out += data
        return self


def marker_command(marker: str) -> str:
    return f"touch {marker}"


def marker_source(marker: str) -> str:
    return f"open({marker!r}, 'w').close()"


def os_system(marker: str, protocol: int = 4) -> bytes:
    """The textbook malicious pickle: os.system('touch MARKER')."""
    return bytes(Pickle(protocol).call("os", "system", marker_command(marker)).stop())


def benign_dict() -> bytes:
    """{'coef': [1, 2]}: what a tiny model's pickle looks like, with no imports at all."""
    return bytes(
        Pickle()
        .empty_dict()
        .text("coef")
        .empty_list()
        .mark()
        .integer(1)
        .integer(2)
        .appends()
        .raw(b"s")
        .stop()
    )


def interpreter_runsource(marker: str) -> bytes:
    """code.InteractiveInterpreter().runsource(SOURCE) through a dotted global: no eval, exec or os."""
    p = Pickle()
    p.glob("code", "InteractiveInterpreter.runsource")
    p.mark().glob("code", "InteractiveInterpreter").empty_tuple().reduce()
    p.text(marker_source(marker)).tuple().reduce()
    return bytes(p.stop())


def joblib_payload_after_array(marker: str, count: int = 4) -> bytes:
    """A joblib file whose array buffer is followed by more opcodes that call os.system: a scanner
    that stops at the first buffer never sees them."""
    p = Pickle().empty_list().mark()
    p.joblib_wrapper(count).joblib_buffer(struct.pack(f"<{count}d", *range(count)))
    p.call("os", "system", marker_command(marker))
    return bytes(p.appends().stop())


def joblib_benign(count: int = 4, aligned: bool = True) -> bytes:
    p = Pickle().empty_list().mark()
    p.joblib_wrapper(count, aligned=aligned).joblib_buffer(
        struct.pack(f"<{count}d", *range(count)), aligned=aligned
    )
    return bytes(p.appends().stop())


def joblib_object_array(marker: str) -> bytes:
    """An object-dtype array: joblib stores it as a nested pickle right after the wrapper."""
    p = Pickle().joblib_wrapper(1, code="O8", aligned=True)
    return bytes(p) + os_system(marker) + b"."


def torch_legacy(storages: dict[str, tuple[str, int]], *, extra_tail: bytes = b"") -> bytes:
    """PyTorch's legacy (non-zip) layout: magic number, protocol version, system info, the object (a
    dict of tensors whose storages are persistent ids), the storage keys, then each storage as an
    8-byte element count and its bytes. `storages` maps key -> (storage class, element count)."""
    sizes = {"FloatStorage": 4, "LongStorage": 8, "HalfStorage": 2}
    magic = b"\x80\x02\x8a\x0a" + (0x1950A86A20F9469CFC6C).to_bytes(10, "little") + b"."
    protocol = b"\x80\x02M\xe9\x03."  # BININT2 1001
    info = bytes(Pickle(2).empty_dict().text("little_endian").true().raw(b"s").stop())
    main = Pickle(2).empty_dict()
    for key, (kind, count) in storages.items():
        main.text(key).glob("torch._utils", "_rebuild_tensor_v2").mark()
        main.mark().text("storage").glob("torch", kind).text(key).text("cpu").integer(count).none().tuple()
        main.raw(b"Q")  # BINPERSID
        main.integer(0).integer(count).tuple1().integer(1).tuple1().false()
        main.glob("collections", "OrderedDict").empty_tuple().reduce().tuple().reduce().raw(b"s")
    keys = Pickle(2).empty_list().mark()
    for key in storages:
        keys.text(key)
    data = b"".join(
        struct.pack("<q", count) + b"\x01" * (count * sizes[kind]) for kind, count in storages.values()
    )
    return magic + protocol + info + bytes(main.stop()) + bytes(keys.appends().stop()) + data + extra_tail
