from __future__ import annotations

import json
from pathlib import Path

import pytest

from gate.config import Config, ConfigError, json_schema, load_config, parse_config
from gate.model import Severity
from tests.conftest import ROOT


def _error(text: str) -> str:
    with pytest.raises(ConfigError) as info:
        parse_config(text, "prodgate.yml")
    return str(info.value)


def test_defaults_when_absent(tmp_path: Path) -> None:
    config, source = load_config(None, tmp_path)
    assert config == Config() and source is None
    assert config.fail_on is Severity.HIGH


def test_full_config_is_read(tmp_path: Path) -> None:
    cfg = tmp_path / ".github" / "prodgate.yml"
    cfg.parent.mkdir()
    cfg.write_text(
        "fail_on: medium\nexclude: ['vendor/']\nchecks:\n  license-present:\n    enabled: false\n"
        "  readme-present:\n    severity: high\n    options:\n      usage_headings: ['serving']\n"
    )
    config, source = load_config(None, tmp_path)
    assert source == str(cfg)
    assert config.fail_on is Severity.MEDIUM and config.exclude == ("vendor/",)
    assert not config.for_check("license-present").enabled
    assert config.options_for("readme-present").usage_headings == ("serving",)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("fail_onn: high\n", "prodgate.yml:1:1: fail_onn: unknown key (did you mean 'fail_on'?)"),
        (
            "fail_on: severe\n",
            "prodgate.yml:1:10: fail_on: Input should be 'critical', 'high', 'medium', 'low' or 'info'",
        ),
        (
            "checks:\n  readme-presnt: {}\n",
            "prodgate.yml:2:3: checks.readme-presnt: unknown check id (did you mean 'readme-present'?)",
        ),
        (
            "checks:\n  readme-present:\n    enabeld: false\n",
            "prodgate.yml:3:5: checks.readme-present.enabeld: unknown key (did you mean 'enabled'?)",
        ),
        (
            "checks:\n  readme-present:\n    options:\n      usage: [x]\n",
            "prodgate.yml:4:7: checks.readme-present.options.usage: unknown key; allowed: install_headings, usage_headings",
        ),
        (
            "checks:\n  license-present:\n    options: {x: 1}\n",
            "prodgate.yml:3:15: checks.license-present.options.x: unknown key",
        ),
        ("max_file_size: -1\n", "prodgate.yml:1:16: max_file_size: Input should be greater than 0"),
        ("fail_on: [high\n", "prodgate.yml:2:1: invalid YAML"),
        ("- a\n- b\n", "prodgate.yml:1:1: the config must be a mapping of settings"),
        ("a: 1\n---\nb: 2\n", "prodgate.yml:3:1: one YAML document expected"),
    ],
)
def test_errors_name_file_line_column_and_key(text: str, expected: str) -> None:
    assert _error(text).startswith(expected)


def test_empty_file_means_defaults() -> None:
    assert parse_config("", "x.yml") == Config()
    assert parse_config("# only a comment\n", "x.yml") == Config()


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    cfg = tmp_path / "c.yml"
    cfg.write_bytes(b"fail_on: high\n# caf\xe9\n")
    with pytest.raises(ConfigError, match=r"c.yml:2: not UTF-8"):
        load_config(cfg, tmp_path)


@pytest.mark.parametrize("kind", ["missing", "directory"])
def test_explicit_config_must_be_a_file(tmp_path: Path, kind: str) -> None:
    target = tmp_path / "c.yml"
    if kind == "directory":
        target.mkdir()
    with pytest.raises(ConfigError, match="no such config file" if kind == "missing" else "is a directory"):
        load_config(target, tmp_path)


def test_committed_schema_is_current() -> None:
    committed = json.loads((ROOT / "docs" / "config.schema.json").read_text())
    assert committed == json_schema(), "run: prodgate docs"


def test_schema_lists_every_check_id() -> None:
    from gate.checks import REGISTRY

    assert json_schema()["properties"]["checks"]["propertyNames"]["enum"] == sorted(REGISTRY)


def test_default_options_built_without_validation_equal_the_validated_ones() -> None:
    """Config.options_for skips validation when a check is not configured (model_construct); that is
    only right while every check's defaults validate to themselves."""
    from gate.checks import REGISTRY

    for check_id, spec in REGISTRY.items():
        constructed, validated = spec.options.model_construct(), spec.options.model_validate({})
        assert constructed == validated, check_id
        assert constructed.model_dump(mode="json") == validated.model_dump(mode="json"), check_id


def test_the_defaults_built_without_validation_equal_the_validated_ones() -> None:
    """A repository without a config gets `defaults()`, built without pydantic's validator for the
    config: right only while the defaults validate to themselves."""
    from gate.config import defaults

    constructed, validated = defaults(), Config.model_validate({})
    assert constructed == validated == Config()
    assert constructed.model_dump(mode="json") == validated.model_dump(mode="json")
    assert constructed.model_fields_set == validated.model_fields_set == set()
    for name in Config.model_fields:  # the nested defaults are themselves what validation gives
        assert getattr(constructed, name) == getattr(validated, name), name
