"""config-files-valid never takes a file it could not read for one that parses."""

from __future__ import annotations

from pathlib import Path

from gate.config import load_config
from gate.engine import evaluate
from gate.model import Outcome


def test_a_configuration_file_that_cannot_be_read_is_not_judged(tmp_path: Path) -> None:
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "prodgate.yml").write_text(
        "checks:\n  config-files-valid:\n    options:\n      files: ['*']\n"
    )
    (tmp_path / "settings.yaml").write_bytes(b"\x00\x01binary\x00" * 100)
    config, _ = load_config(None, tmp_path)
    result = next(
        r for r in evaluate(tmp_path, config, offline=True).results if r.check_id == "config-files-valid"
    )
    assert result.outcome is Outcome.MISSING_EVIDENCE, result.summary
    assert "settings.yaml" in result.summary
