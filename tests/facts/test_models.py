"""Model artifacts are scanned as bytes, never loaded: malicious pickles are built here from opcodes."""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from gate.cli import main
from gate.config import Config
from gate.engine import evaluate
from gate.facts.models import collect_models
from gate.model import Outcome
from gate.snapshot import Snapshot

# GLOBAL builtins.eval, MARK, STRING '1+1', TUPLE, REDUCE, STOP: what `pickle.loads` would execute
EVIL = b"cbuiltins\neval\n(S'1+1'\ntR."


def _scan(root: Path) -> dict[str, str]:
    return {a.path: a.scan for a in collect_models(Snapshot.load(root)).artifacts}


def test_compressed_joblib_and_torch_archives_are_opened_before_scanning(
    make_tree: Callable[..., Path],
) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:  # PyTorch's format: a zip with data.pkl inside
        zf.writestr("model/data.pkl", EVIL)
        zf.writestr("model/version", "3\n")
    root = make_tree(
        {
            "models/evil.joblib": zlib.compress(EVIL),
            "models/evil.pt": archive.getvalue(),
            "models/empty.pkl": b"",
            "models/unknown.joblib": b"\x78\x9c not really zlib",
        }
    )
    assert _scan(root) == {
        "models/evil.joblib": "dangerous",
        "models/evil.pt": "dangerous",
        "models/empty.pkl": "not-verified",
        "models/unknown.joblib": "not-verified",
    }


def test_lfs_pointers_are_recognised_not_scanned(make_tree: Callable[..., Path]) -> None:
    pointer = "version https://git-lfs.github.com/spec/v1\noid sha256:" + "a" * 64 + "\nsize 123456789\n"
    root = make_tree({"models/big.pth": pointer})
    (artifact,) = collect_models(Snapshot.load(root)).artifacts
    assert artifact.lfs_pointer and artifact.scan == "not-scanned" and artifact.sha256 is None


def test_hash_models_writes_the_manifest_the_check_reads(make_tree: Callable[..., Path]) -> None:
    root = make_tree(
        {"models/a.onnx": b"\x08\x07onnx", "models/b.safetensors": b"\x02\x00\x00\x00\x00\x00\x00\x00{}"}
    )
    assert main(["hash-models", str(root)], out=io.StringIO(), err=io.StringIO()) == 0
    manifest = (root / "MODELS.sha256").read_text()
    assert manifest.count("\n") == 2 and "  models/a.onnx" in manifest
    result = next(
        r for r in evaluate(root, Config(), offline=True).results if r.check_id == "model-integrity-verified"
    )
    assert result.outcome is Outcome.PASS
    (root / "models" / "a.onnx").write_bytes(b"\x08\x07tampered")
    result = next(
        r for r in evaluate(root, Config(), offline=True).results if r.check_id == "model-integrity-verified"
    )
    assert result.outcome is Outcome.FAIL and "changed without the manifest" in result.findings[0].message


def test_a_real_pytorch_state_dict_is_scanned_clean() -> None:
    from tests.conftest import FIXTURES

    (artifact,) = collect_models(Snapshot.load(FIXTURES / "models")).artifacts
    assert artifact.path == "best_model.pth" and artifact.size < 10_000
    assert artifact.scan == "clean", artifact.scan_detail
