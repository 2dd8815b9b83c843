"""ML artifacts in the repository: what they are, how large, whether they are really there (or a Git
LFS / DVC pointer), what their pickles would import, and whether a hash manifest vouches for them.

Nothing here ever unpickles or loads a model: pickle-based files are read as bytes by
gate/facts/pickles/, which parses every stream a loader could read (concatenated streams, zip and
PyTorch archives, joblib's array framing, compressed joblib files) and judges each import against an
allow-list, fail-closed.
"""

from __future__ import annotations

import hashlib
import posixpath
from pathlib import Path
from typing import TYPE_CHECKING

from msgspec import Struct

from gate.snapshot import Snapshot

if TYPE_CHECKING:
    # the pickle reader (with zipfile, pickletools and the compressors) is imported by the first scan:
    # most repositories hold no model file
    from gate.facts.pickles import PickleScan

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
    # gradient-boosting, mobile and other serialisations (none of them a pickle)
    ".cbm",
    ".xgb",
    ".ubj",
    ".tflite",
    ".skops",
    ".gguf",
    ".mlmodel",
    ".pmml",
)
PICKLE_SUFFIXES = (".joblib", ".pkl", ".pickle", ".pt", ".pth", ".bin", ".ckpt")
STRICT_PICKLE_SUFFIXES = (".joblib", ".pkl", ".pickle", ".pt", ".pth", ".ckpt")
"""Names that promise a pickle (a .bin may be anything)."""
SAFE_SUFFIXES = (".safetensors", ".onnx", ".skops")
MANIFEST_NAMES = ("MODELS.sha256", "models.sha256", "SHA256SUMS")
_LFS = b"version https://git-lfs.github.com/spec/v1"


class Artifact(Struct, frozen=True):
    path: str
    size: int
    lfs_pointer: bool
    dvc_tracked: bool
    scan: str
    """'dangerous', 'unsafe', 'clean', 'not-verified', 'not-pickle' or 'not-scanned' (a pointer)."""
    scan_detail: str
    sha256: str | None
    pickle: PickleScan | None = None
    """The whole scan of a pickle-based file (its imports, what the allow-list refused, problems)."""


class ManifestEntry(Struct, frozen=True):
    path: str
    sha256: str
    line: int


class ModelFacts(Struct, frozen=True):
    artifacts: tuple[Artifact, ...]
    manifests: tuple[str, ...]
    entries: tuple[ManifestEntry, ...]
    manifest_errors: tuple[tuple[str, int, str], ...]
    dvc_files: tuple[str, ...]
    saved_model_dirs: tuple[str, ...]
    test_fixtures: tuple[Artifact, ...] = ()
    """Model files under test folders: only the pickle-safety check reads them."""


def in_test_folder(rel: str) -> bool:
    """Under a tests/, test/ or testing/ folder at any depth (a file's own name does not make it a
    fixture: test_model.pkl at the root may be the held-out evaluation's model)."""
    return any(part in ("tests", "test", "testing") for part in rel.split("/")[:-1])


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


def _scan(full: Path, rel: str, deadline: float | None) -> tuple[str, str, PickleScan]:
    from gate.facts.pickles import scan_file

    scan = scan_file(full, deadline=deadline)
    if scan.verdict == "not-pickle" and rel.lower().endswith(STRICT_PICKLE_SUFFIXES):
        # a .pkl or .pt that is not a pickle cannot be vouched for: whoever loads it gets an error or worse
        return "not-verified", "not a pickle stream, though its name says it is one", scan
    return scan.verdict, scan.detail, scan


def collect_models(snap: Snapshot, deadline: float | None = None) -> ModelFacts:
    dvc_files = tuple(f for f in snap.files if f.endswith(".dvc") or f.rsplit("/", 1)[-1] == "dvc.lock")
    dvc_outs = {f[: -len(".dvc")] for f in dvc_files if f.endswith(".dvc")}
    artifacts: list[Artifact] = []
    for rel in snap.files:
        if not is_model_file(rel):
            continue
        full = snap.root / rel
        in_dvc = rel in dvc_outs
        if (why := snap.refusal(rel)) is not None:
            artifacts.append(Artifact(rel, 0, False, in_dvc, "not-verified", why, None))
            continue
        try:
            size = full.stat().st_size
            with full.open("rb") as fh:
                head = fh.read(len(_LFS))
        except OSError:
            continue
        if head == _LFS:
            detail = "a Git LFS pointer: the file is not in the checkout"
            artifacts.append(Artifact(rel, size, True, in_dvc, "not-scanned", detail, None))
            continue
        digest = _stream_hash(full)
        if rel.endswith(SAFE_SUFFIXES) or rel.endswith((".h5", ".keras", ".mar")):
            artifacts.append(Artifact(rel, size, False, in_dvc, "not-pickle", "a non-pickle format", digest))
            continue
        try:
            verdict, detail, scan = _scan(full, rel, deadline)
        except OSError as exc:
            verdict, detail, scan = "not-verified", f"unreadable: {exc.strerror or exc}", None
        artifacts.append(Artifact(rel, size, False, in_dvc, verdict, detail, digest, scan))
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
    # model files under tests/ are fixtures: scanned like any pickle (the tests load them), but they are
    # not the service's models, so they never decide whether models, metadata or hashes are present
    served = tuple(a for a in artifacts if not in_test_folder(a.path))
    fixtures = tuple(a for a in artifacts if in_test_folder(a.path))
    return ModelFacts(served, manifests, tuple(entries), tuple(errors), dvc_files, saved, fixtures)
