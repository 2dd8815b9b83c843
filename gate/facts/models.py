"""ML artifacts in the repository: what they are, how large, whether they are really there (or a Git
LFS / DVC pointer), what their pickles would import, and whether a hash manifest vouches for them.

Nothing here ever unpickles or loads a model. Pickle-based files are read as bytes and scanned with
picklescan (chosen over fickling and modelscan: small and pure Python, maintained, used by the Hugging
Face Hub, and it reads PyTorch zip archives itself; fickling's decompiler and modelscan's framework
extras add weight the gate does not need). Its known bypasses shape what is reported: compressed
joblib files are decompressed first (bounded), a stream picklescan cannot fully parse is "not
verified" rather than safe, and garbage that parses as nothing is not taken for a clean pickle.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import lzma
import pickletools
import posixpath
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from picklescan.scanner import SafetyLevel, scan_pickle_bytes, scan_zip_bytes

from gate.snapshot import Snapshot

MODEL_SUFFIXES = (
    ".joblib",
    ".pkl",
    ".pickle",
    ".pt",
    ".pth",
    ".onnx",
    ".h5",
    ".keras",
    ".safetensors",
    ".bin",
    ".mar",
    ".ckpt",
)
PICKLE_SUFFIXES = (".joblib", ".pkl", ".pickle", ".pt", ".pth", ".bin", ".ckpt")
SAFE_SUFFIXES = (".safetensors", ".onnx", ".skops")
MANIFEST_NAMES = ("MODELS.sha256", "models.sha256", "SHA256SUMS")
MAX_SCAN_BYTES = 512 * 1024 * 1024
_LFS = b"version https://git-lfs.github.com/spec/v1"


@dataclass(frozen=True)
class Artifact:
    path: str
    size: int
    lfs_pointer: bool
    dvc_tracked: bool
    scan: str
    """'dangerous', 'suspicious', 'clean', 'not-verified', 'not-pickle' or 'not-scanned' (a pointer)."""
    scan_detail: str
    sha256: str | None


@dataclass(frozen=True)
class ManifestEntry:
    path: str
    sha256: str
    line: int


@dataclass(frozen=True)
class ModelFacts:
    artifacts: tuple[Artifact, ...]
    manifests: tuple[str, ...]
    entries: tuple[ManifestEntry, ...]
    manifest_errors: tuple[tuple[str, int, str], ...]
    dvc_files: tuple[str, ...]
    saved_model_dirs: tuple[str, ...]


def is_model_file(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1].lower()
    if name.endswith(".bin"):  # .bin is a model only where model files live, not any binary blob
        return any(k in rel.lower() for k in ("model", "weights", "checkpoint"))
    return name.endswith(MODEL_SUFFIXES)


def _stream_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _decompressed(head: bytes, data: bytes) -> bytes | None:
    """joblib's compressed formats (zlib, gzip, bz2, xz/lzma), bounded so a bomb cannot blow up."""
    try:
        if head.startswith(b"\x78"):
            return zlib.decompressobj().decompress(data, MAX_SCAN_BYTES)
        if head.startswith(b"\x1f\x8b"):
            return gzip.GzipFile(fileobj=io.BytesIO(data)).read(MAX_SCAN_BYTES)
        if head.startswith(b"BZh"):
            return bz2.BZ2Decompressor().decompress(data, MAX_SCAN_BYTES)
        if head.startswith((b"\xfd7zXZ", b"\x5d\x00\x00")):
            return lzma.LZMADecompressor().decompress(data, MAX_SCAN_BYTES)
    except (OSError, EOFError, zlib.error, lzma.LZMAError, ValueError):
        return None
    return data


def _verdict(result: object) -> tuple[str, str]:
    globals_ = getattr(result, "globals", [])
    dangerous = [g for g in globals_ if g.safety == SafetyLevel.Dangerous]
    suspicious = [g for g in globals_ if g.safety == SafetyLevel.Suspicious]
    if dangerous:
        return "dangerous", ", ".join(sorted({f"{g.module}.{g.name}" for g in dangerous}))
    if getattr(result, "scan_err", False):
        return "not-verified", "the scanner could not parse the whole file"
    if suspicious:
        return "suspicious", ", ".join(sorted({f"{g.module}.{g.name}" for g in suspicious}))
    return "clean", ""


def scan_model(rel: str, data: bytes) -> tuple[str, str]:
    if zipfile.is_zipfile(io.BytesIO(data)):  # PyTorch's archive format
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                expanded = sum(i.file_size for i in zf.infolist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return "not-verified", "a corrupt zip archive"
        if expanded > MAX_SCAN_BYTES:  # a zip bomb, or simply too big: bounded, and said so
            return "not-verified", f"expands to {expanded} bytes: not scanned"
        return _verdict(scan_zip_bytes(io.BytesIO(data), rel))
    payload = _decompressed(data[:6], data) if rel.endswith(".joblib") else data
    if payload is None:
        return "not-verified", "compressed with a format that could not be decompressed within bounds"
    if len(payload) >= MAX_SCAN_BYTES:
        return "not-verified", f"more than {MAX_SCAN_BYTES} bytes once decompressed: not scanned whole"
    if rel.endswith(".joblib"):
        return _scan_joblib(rel, payload)
    try:  # is it one whole pickle? picklescan reports garbage as clean; genops reads, never executes
        if sum(1 for _ in pickletools.genops(io.BytesIO(payload))) == 0:
            raise ValueError("no opcodes")
    except Exception:
        if rel.endswith((".pkl", ".pickle", ".pt", ".pth")):
            return "not-verified", "not a readable pickle"
        return "not-pickle", "not a pickle stream"
    return _verdict(scan_pickle_bytes(io.BytesIO(payload), rel))


def _scan_joblib(rel: str, payload: bytes) -> tuple[str, str]:
    """joblib interleaves raw numpy buffers with the pickle opcodes (its unpickler reads each array
    right after the wrapper that describes it), so no opcode walker reads a joblib file to the end:
    picklescan reads up to the first buffer. What it read is judged; a file where it found nothing
    is not verified; the rest is said in the detail."""
    try:
        next(iter(pickletools.genops(io.BytesIO(payload))))
    except Exception:
        return "not-verified", "not a readable joblib file"
    result = scan_pickle_bytes(io.BytesIO(payload), rel, multiple_pickles=False)
    if not result.globals:
        return "not-verified", "no imports could be read from the pickle stream"
    if any(g.safety == SafetyLevel.Dangerous for g in result.globals):
        return _verdict(result)
    verdict, detail = _verdict(type(result)(globals=result.globals))
    partial = "opcodes scanned up to the first array buffer" if result.scan_err else ""
    return verdict, "; ".join(x for x in (detail, partial) if x)


def collect_models(snap: Snapshot) -> ModelFacts:
    dvc_files = tuple(f for f in snap.files if f.endswith(".dvc") or f.rsplit("/", 1)[-1] == "dvc.lock")
    dvc_outs = {f[: -len(".dvc")] for f in dvc_files if f.endswith(".dvc")}
    artifacts: list[Artifact] = []
    for rel in snap.files:
        if not is_model_file(rel):
            continue
        full = snap.root / rel
        try:
            size = full.stat().st_size
            with full.open("rb") as fh:
                head = fh.read(len(_LFS))
        except OSError:
            continue
        if head == _LFS:
            artifacts.append(
                Artifact(
                    rel,
                    size,
                    True,
                    rel in dvc_outs,
                    "not-scanned",
                    "a Git LFS pointer: the file is not in the checkout",
                    None,
                )
            )
            continue
        digest = _stream_hash(full)
        if rel.endswith(SAFE_SUFFIXES) or rel.endswith((".h5", ".keras", ".mar")):
            artifacts.append(
                Artifact(rel, size, False, rel in dvc_outs, "not-pickle", "a non-pickle format", digest)
            )
            continue
        if size > MAX_SCAN_BYTES:
            artifacts.append(
                Artifact(
                    rel,
                    size,
                    False,
                    rel in dvc_outs,
                    "not-verified",
                    f"{size} bytes: too large to scan",
                    digest,
                )
            )
            continue
        verdict, detail = scan_model(rel, full.read_bytes())
        artifacts.append(Artifact(rel, size, False, rel in dvc_outs, verdict, detail, digest))
    manifests = tuple(f for f in snap.files if f.rsplit("/", 1)[-1] in MANIFEST_NAMES)
    entries: list[ManifestEntry] = []
    errors: list[tuple[str, int, str]] = []
    for manifest in manifests:
        base = posixpath.dirname(manifest)
        for i, line in enumerate((snap.text(manifest) or "").splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = line.split(None, 1)
            digest = parts[0].lower()
            if len(parts) != 2 or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
                errors.append((manifest, i, "expected `<64 hex sha256>  <path>`"))
                continue
            path = parts[1].strip().lstrip("*")
            entries.append(ManifestEntry(posixpath.normpath(posixpath.join(base, path)), digest, i))
    saved = tuple(
        sorted({posixpath.dirname(f) for f in snap.files if f.rsplit("/", 1)[-1] == "saved_model.pb"})
    )
    return ModelFacts(tuple(artifacts), manifests, tuple(entries), tuple(errors), dvc_files, saved)
