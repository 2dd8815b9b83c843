"""The model-pickle scanner, on hand-assembled files: every way a loader could find a stream, every
known way to hide an import, and benign files of each framing. Nothing here is ever unpickled; the
malicious payloads would write a marker file if they were, and the tests assert it never appears."""

from __future__ import annotations

import io
import lzma
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from gate.config import Config
from gate.engine import evaluate
from gate.facts.pickles import PickleScan, scan_file
from gate.model import Outcome
from tests.hostile import picklebytes as pb
from tests.hostile.cases import _bad_compression, _frame_straddle, _torch_like, _zip

FAILS = ("dangerous", "unsafe")


@pytest.fixture
def marker(tmp_path: Path) -> str:
    return str(tmp_path / "EXECUTED")


def scan(tmp_path: Path, data: bytes, name: str = "model.pkl") -> PickleScan:
    path = tmp_path / name
    path.write_bytes(data)
    return scan_file(path)


def test_the_textbook_payload_in_every_protocol(tmp_path: Path, marker: str) -> None:
    for protocol in (2, 3, 4, 5):
        result = scan(tmp_path, pb.os_system(marker, protocol))
        assert result.verdict == "dangerous" and "os.system" in result.detail
    protocol0 = f"cos\nsystem\n(S'touch {marker}'\ntR.".encode()
    assert scan(tmp_path, protocol0).verdict == "dangerous"
    python2_names = b"c__builtin__\neval\n(S'1'\ntR."
    assert scan(tmp_path, python2_names).dangerous == ("builtins.eval",)


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (pb.interpreter_runsource, "code.InteractiveInterpreter.runsource"),
        (lambda m: bytes(pb.Pickle().call("timeit", "timeit", m).stop()), "timeit.timeit"),
        (lambda m: bytes(pb.Pickle().call("numpy.f2py.crackfortran", "getlincoef", m).stop()), "getlincoef"),
        (
            lambda m: bytes(pb.Pickle().call("torch.serialization", "load", m).stop()),
            "torch.serialization.load",
        ),
        (lambda m: bytes(pb.Pickle().call("mylib.helpers", "Runner", m).stop()), "mylib.helpers.Runner"),
        (lambda m: bytes(pb.Pickle().call("sklearn.utils._testing", "TempMemmap", m).stop()), "_testing"),
        (
            lambda m: bytes(pb.Pickle().call("sklearn.base", "BaseEstimator.run", m).stop()),
            "BaseEstimator.run",
        ),
    ],
)
def test_an_import_off_the_allow_list_fails_whatever_it_is(
    tmp_path: Path, marker: str, make: Callable[[str], bytes], expected: str
) -> None:
    result = scan(tmp_path, make(marker))
    assert result.verdict in FAILS and expected in result.detail


def test_memo_tricks_and_protocol0_operands_cannot_hide_the_name(tmp_path: Path) -> None:
    # names stored in the memo under decoy entries, then fetched for STACK_GLOBAL
    decoys = b"Vtorch\np0\n0Vos\np1\n0Vsystem\np2\n0g1\ng2\n\x93(Vid\ntR."
    assert scan(tmp_path, decoys).dangerous == ("os.system",)
    # STACK_GLOBAL fed by protocol-0 STRING opcodes
    strings = b"S'os'\nS'system'\n\x93S'id'\n\x85R."
    assert scan(tmp_path, strings).dangerous == ("os.system",)
    # INST: import and call in one opcode
    inst = b"(S'print(1)'\nibuiltins\nexec\n."
    assert scan(tmp_path, inst).dangerous == ("builtins.exec",)


def test_names_computed_at_load_time_or_rewritten_imports_fail(tmp_path: Path) -> None:
    # the module name is the result of a call: only running the pickle would tell what it is
    computed = bytes(
        pb.Pickle().glob("copyreg", "_reconstructor").mark().glob("builtins", "str").glob("builtins", "str")
        .text("os").tuple().reduce().text("system").raw(b"\x93").text("id").tuple1().reduce().stop()
    )  # fmt: skip
    result = scan(tmp_path, computed)
    assert result.verdict == "unsafe" and "computed at load time" in result.detail
    # BUILD on an imported module rewrites what the next import of it returns
    rewrite = bytes(
        pb.Pickle().glob("torch", "_utils").empty_dict().text("x").text("eval").raw(b"s").build().stop()
    )
    assert "rewrites what a later import returns" in scan(tmp_path, rewrite).detail
    # the extension registry: the global is whatever copyreg maps the code to on the loading machine
    assert "extension registry" in scan(tmp_path, b"\x80\x02\x82\x07)R.").detail


def test_an_operand_across_a_frame_boundary_is_a_finding(tmp_path: Path, marker: str) -> None:
    result = scan(tmp_path, _frame_straddle(marker))
    assert result.verdict == "unsafe" and "FRAME" in result.detail
    nested = b"\x80\x04\x95" + struct.pack("<Q", 30) + b"N\x95" + struct.pack("<Q", 2) + b"0N."
    assert scan(tmp_path, nested).verdict == "unsafe"


def test_every_stream_of_a_file_is_read(tmp_path: Path, marker: str) -> None:
    assert scan(tmp_path, pb.benign_dict() + pb.os_system(marker)).verdict == "dangerous"
    assert scan(tmp_path, pb.benign_dict() + pb.benign_dict()).verdict == "clean"
    # a pickle with a zip appended: pickle.load and torch's legacy loader read the pickle first
    assert (
        scan(tmp_path, pb.os_system(marker) + _torch_like(pb.benign_dict()), "m.pth").verdict == "dangerous"
    )
    # and a benign pickle followed by a malicious archive: the archive is scanned too
    tail = _torch_like(pb.os_system(marker))
    assert scan(tmp_path, pb.benign_dict() + tail, "m.pth").verdict == "dangerous"


def test_bytes_no_loader_reads_make_the_file_not_verified(tmp_path: Path) -> None:
    result = scan(tmp_path, pb.benign_dict() + b"\xff\xfe junk")
    assert result.verdict == "not-verified" and "not a pickle stream" in result.detail
    assert scan(tmp_path, pb.benign_dict()[:-1]).verdict == "not-verified"  # no STOP
    assert scan(tmp_path, b"").verdict == "not-verified"


def test_joblib_array_buffers_are_skipped_exactly_and_the_opcodes_after_them_read(
    tmp_path: Path, marker: str
) -> None:
    assert scan(tmp_path, pb.joblib_benign(8), "m.joblib").verdict == "clean"
    assert scan(tmp_path, pb.joblib_benign(3, aligned=False), "m.joblib").verdict == "clean"
    after = scan(tmp_path, pb.joblib_payload_after_array(marker), "m.joblib")
    assert after.verdict == "dangerous" and "os.system" in after.detail
    nested = scan(tmp_path, pb.joblib_object_array(marker), "m.joblib")
    assert nested.verdict == "dangerous"
    short = pb.joblib_benign(8)[:-20]
    assert scan(tmp_path, short, "m.joblib").verdict == "not-verified"


def test_array_bytes_written_as_opcodes_are_read_as_pickle_load_would_read_them(
    tmp_path: Path, marker: str
) -> None:
    """The same file opened with pickle.load runs the array bytes as opcodes: they are judged too."""
    hidden = bytes(pb.Pickle(2).call("os", "system", f"touch {marker}"))[2:] + b"."
    p = pb.Pickle().empty_list().mark()
    p.joblib_wrapper(len(hidden), code="i1", aligned=False).joblib_buffer(hidden, aligned=False)
    result = scan(tmp_path, bytes(p.appends().stop()), "m.pkl")
    assert result.verdict == "dangerous" and "read by pickle.load" in result.detail


def test_compressed_joblib_files_are_scanned_inside(tmp_path: Path, marker: str) -> None:
    evil = pb.joblib_payload_after_array(marker)
    assert scan(tmp_path, zlib.compress(evil), "m.joblib").verdict == "dangerous"
    assert scan(tmp_path, lzma.compress(evil), "m.joblib").verdict == "dangerous"
    assert scan(tmp_path, zlib.compress(pb.joblib_benign(4)), "m.joblib").verdict == "clean"
    assert scan(tmp_path, b"\x78\x9c not really zlib", "m.joblib").verdict == "not-verified"
    # bz2 and xz readers join concatenated streams: the second one is read as part of the first
    import bz2

    assert (
        scan(
            tmp_path, bz2.compress(pb.benign_dict()) + bz2.compress(pb.os_system(marker)), "m.joblib"
        ).verdict
        == "dangerous"
    )
    assert (
        scan(
            tmp_path, lzma.compress(pb.benign_dict()) + lzma.compress(pb.os_system(marker)), "m.joblib"
        ).verdict
        == "dangerous"
    )
    tail = scan(tmp_path, zlib.compress(pb.benign_dict()) + zlib.compress(pb.os_system(marker)), "m.joblib")
    assert tail.verdict == "not-verified" and "after the end" in tail.detail
    lz4 = scan(tmp_path, b"\x04\x22\x4d\x18" + b"\0" * 20, "m.joblib")
    assert lz4.verdict == "not-verified" and "lz4" in lz4.detail


def test_zip_members_are_read_as_pytorch_reads_them(tmp_path: Path, marker: str) -> None:
    assert scan(tmp_path, _torch_like(pb.benign_dict()), "m.pt").verdict == "clean"
    extra = _torch_like(pb.benign_dict(), {"archive/notes.txt": pb.os_system(marker)})
    assert scan(tmp_path, extra, "m.pt").verdict == "dangerous"  # sniffed by its PROTO opcode
    # a CRC that does not match, as CVE-2025-10156: Python's zipfile refuses, PyTorch reads it
    data = bytearray(_zip({"archive/data.pkl": pb.os_system(marker)}))
    crc_at = data.find(b"PK\x01\x02") + 16
    data[crc_at : crc_at + 4] = b"\0\0\0\0"
    assert scan(tmp_path, bytes(data), "m.pt").verdict == "dangerous"
    # an "encrypted" flag on a stored member (PyTorch ignores it)
    flagged = bytearray(_zip({"archive/data.pkl": pb.os_system(marker)}))
    for sig, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = flagged.find(sig) + offset
        flagged[at] |= 0x01
    assert scan(tmp_path, bytes(flagged), "m.pt").verdict == "dangerous"
    deflated = _zip({"archive/data.pkl": pb.os_system(marker)}, zipfile.ZIP_DEFLATED)
    assert scan(tmp_path, deflated, "m.pt").verdict == "dangerous"


def test_a_member_in_an_unreadable_compression_is_not_verified_not_a_crash(tmp_path: Path) -> None:
    result = scan(tmp_path, _bad_compression(""), "m.pth")
    assert result.verdict == "not-verified" and "compression method 99" in result.detail


def test_pytorch_legacy_files_are_accounted_for_to_the_last_byte(tmp_path: Path, marker: str) -> None:
    benign = pb.torch_legacy({"w": ("FloatStorage", 6), "b": ("LongStorage", 2)})
    assert scan(tmp_path, benign, "m.pt").verdict == "clean"
    assert scan(tmp_path, benign + pb.os_system(marker), "m.pt").verdict == "dangerous"
    assert scan(tmp_path, benign[:-3], "m.pt").verdict == "not-verified"


def test_numpy_object_arrays_are_pickles(tmp_path: Path, marker: str) -> None:
    header = b"{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"
    header += b" " * (63 - len(header)) + b"\n"
    npy = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header
    assert scan(tmp_path, npy + pb.os_system(marker), "a.npy").verdict == "dangerous"
    raw = npy.replace(b"|O", b"<f")
    assert scan(tmp_path, raw + b"\0" * 8, "a.npy").verdict == "not-pickle"


def test_a_large_sparse_pickle_is_scanned_without_reading_its_data(tmp_path: Path) -> None:
    path = tmp_path / "big.pkl"
    size = 300 * 1024 * 1024
    with path.open("wb") as fh:
        fh.write(b"\x80\x04\x8e" + struct.pack("<Q", size))
        fh.truncate(11 + size)
        fh.seek(11 + size)
        fh.write(b".")
    assert scan_file(path).verdict == "clean"


def test_not_a_pickle_at_all(tmp_path: Path) -> None:
    assert scan(tmp_path, b"\x89PNG\r\n\x1a\n", "x.bin").verdict in ("not-pickle", "not-verified")
    assert scan(tmp_path, b"\x00\x01\x02", "x.bin").verdict == "not-pickle"


def _check(root: Path, options: dict[str, object] | None = None) -> tuple[Outcome, str]:
    config = Config.model_validate(
        {"checks": {"model-pickle-safe": {"options": options}}} if options is not None else {}
    )
    result = next(
        r for r in evaluate(root, config, offline=True).results if r.check_id == "model-pickle-safe"
    )
    return result.outcome, " ".join([result.summary, *(f.message for f in result.findings)])


def test_the_team_allows_its_own_classes_by_name(tmp_path: Path, marker: str) -> None:
    own = bytes(pb.Pickle().glob("features.transformers", "ClipOutliers").empty_tuple().newobj().stop())
    root = tmp_path / "repo"
    (root / "models").mkdir(parents=True)
    (root / "models" / "model.pkl").write_bytes(own)
    outcome, text = _check(root)
    assert outcome is Outcome.FAIL and "features.transformers.ClipOutliers" in text and "allow" not in text
    assert _check(root, {"allow_globals": ["features.transformers.ClipOutliers"]})[0] is Outcome.PASS
    assert _check(root, {"allow_globals": ["features.*"]})[0] is Outcome.PASS
    # an allowance never excuses a dotted name (a method), nor a structural problem
    (root / "models" / "model.pkl").write_bytes(pb.interpreter_runsource(marker))
    assert _check(root, {"allow_globals": ["code.*"]})[0] is Outcome.FAIL


def test_a_file_that_cannot_be_verified_is_an_error_never_a_pass(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "models").mkdir(parents=True)
    (root / "models" / "model.pth").write_bytes(_bad_compression(""))
    outcome, text = _check(root)
    assert outcome is Outcome.ERROR and "compression method 99" in text


def test_the_examples_models_are_clean() -> None:
    """Every model file the examples and fixtures ship was written by the real libraries."""
    from tests.conftest import ROOT

    for path in sorted(ROOT.glob("examples/**/*")):
        if path.suffix in (".joblib", ".pkl", ".pth", ".pt"):
            assert scan_file(path).verdict == "clean", path


def test_nothing_ever_ran(tmp_path: Path) -> None:
    """A canary over the whole module: the scans above wrote no marker anywhere in tmp_path."""
    assert not list(tmp_path.rglob("EXECUTED"))


def test_in_memory_zip_helper_roundtrips() -> None:
    with zipfile.ZipFile(io.BytesIO(_zip({"a/data.pkl": b"x"}))) as zf:
        assert zf.read("a/data.pkl") == b"x"


def test_tens_of_thousands_of_tiny_compressed_streams_are_not_verified_quickly(tmp_path: Path) -> None:
    """Each stream end copied the rest of the file again: 4 MB of empty bz2 streams took a minute."""
    import bz2
    import time

    data = bz2.compress(pb.benign_dict()) + bz2.compress(b"") * 300_000
    started = time.monotonic()
    result = scan(tmp_path, data, "m.joblib")
    assert result.verdict == "not-verified" and "compressed streams" in result.detail
    assert time.monotonic() - started < 30
