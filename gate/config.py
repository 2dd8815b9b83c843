""".github/prodgate.yml: the team's settings, validated strictly, with errors that point at file:line:column."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gate.budget import DEFAULT_TIME_BUDGET_S
from gate.checks import REGISTRY
from gate.checks.vulnerabilities import IgnoreEntry
from gate.errors import InputProblem
from gate.facts.evidence import DEFAULT_PATTERNS
from gate.facts.vulnerabilities import AuditSettings
from gate.model import Level, Severity
from gate.paths import DEFAULT_CONFIG_PATH, OutsideRepository, inside
from gate.snapshot import DEFAULT_MAX_FILE_SIZE, ParseFailure, parse_yaml_text
from gate.waivers import Waiver
from gate.wording import count
from gate.yamlpath import Node, locate

MAX_CONFIG_BYTES = DEFAULT_MAX_FILE_SIZE
"""The config is read under the same cap as every other file (a 50 MB config once took 2.5 GB)."""
VULNERABILITY_CHECK = "dependencies-no-known-vulnerabilities"


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class CheckConfig(_Strict):
    enabled: bool = True
    severity: Severity | None = Field(default=None, description="Replaces the check's default severity.")
    options: dict[str, Any] = Field(
        default_factory=dict, description="The check's own options (see `prodgate explain ID`)."
    )


class VulnerabilityConfig(_Strict):
    service: Literal["osv", "pypi"] = Field(
        default="osv",
        description="Where pip-audit looks advisories up. osv accepts a custom endpoint (osv_url).",
    )
    osv_url: str | None = Field(
        default=None,
        pattern=r"^https?://",
        description="OSV query endpoint for air-gapped or Enterprise runners (implies service: osv). "
        "The PRODGATE_OSV_URL environment variable overrides it.",
    )
    cache_dir: str | None = Field(default=None, description="Result cache (default: ~/.cache/prodgate).")
    timeout: int = Field(default=15, gt=0, le=300, description="Seconds to wait for each service answer.")
    max_packages: int = Field(
        default=1000,
        gt=0,
        description="Distinct package versions audited at most; the rest are reported as not audited.",
    )
    ignore: tuple[IgnoreEntry, ...] = Field(
        default=(), description="Accepted advisories, each with an expiry."
    )


class EvidenceConfig(_Strict):
    coverage: tuple[str, ...] = Field(
        default=DEFAULT_PATTERNS["coverage"],
        description="Coverage reports (Cobertura XML, coverage.py JSON, lcov), gitignore-style patterns.",
    )
    junit: tuple[str, ...] = Field(default=DEFAULT_PATTERNS["junit"], description="JUnit XML test results.")
    load_tests: tuple[str, ...] = Field(
        default=DEFAULT_PATTERNS["load"],
        description="Load-test results: locust --csv *_stats.csv, k6 --summary-export JSON.",
    )

    def patterns(self) -> dict[str, tuple[str, ...]]:
        return {"coverage": self.coverage, "junit": self.junit, "load": self.load_tests}


class Config(_Strict):
    fail_on: Severity = Field(
        default=Severity.HIGH,
        description="The gate fails when an enabled check at or above this severity fails or errors.",
    )
    include: tuple[str, ...] = Field(
        default=(), description="Only these paths are evaluated (gitignore-style patterns)."
    )
    exclude: tuple[str, ...] = Field(
        default=(), description="These paths are not evaluated (gitignore-style patterns)."
    )
    max_file_size: int = Field(
        default=DEFAULT_MAX_FILE_SIZE,
        gt=0,
        description="Files larger than this (bytes) are listed but not parsed.",
    )
    checks: dict[str, CheckConfig] = Field(
        default_factory=dict, description="Per-check settings, by check id."
    )
    evidence: EvidenceConfig = Field(
        default_factory=EvidenceConfig, description="Where CI leaves the reports that evidence checks read."
    )
    vulnerabilities: VulnerabilityConfig = Field(
        default_factory=VulnerabilityConfig, description="The dependency vulnerability audit (pip-audit)."
    )
    waivers: tuple[Waiver, ...] = Field(
        default=(), description="Accepted failures, each with a reason, an owner and an expiry date."
    )
    waiver_max_days: int = Field(
        default=180, gt=0, le=3650, description="How far in the future a waiver's expiry may be."
    )
    require_level: Level | None = Field(
        default=None, description="The gate passes only when this level (bronze, silver, gold) is reached."
    )
    fail_on_new_only: bool = Field(
        default=False,
        description="With a baseline (pull requests with the base commit in the clone, or --baseline), only "
        "failures the change introduces block; older ones are listed as existing.",
    )
    signoff_permission: Literal["triage", "write", "maintain", "admin", "codeowners"] = Field(
        default="write",
        description="Who may sign a manual item off by ticking it: the least repository permission, or "
        "codeowners (people named in the base branch's CODEOWNERS; teams are not expanded).",
    )
    signoff_boxes: int = Field(
        default=20,
        ge=0,
        le=1000,
        description="How many open manual items the pull-request comment offers as boxes at once (signed "
        "ones are always shown); the next ones appear as these are signed, and the job summary lists all.",
    )
    services: tuple[str, ...] = Field(
        default=(),
        description="For `prodgate org plan --services`: the folders of this repository that are services of "
        "their own (each evaluated as a row), instead of every folder with a Dockerfile.",
    )
    trust_pr_config: bool = Field(
        default=False,
        description="On pull requests, use the PR's own config instead of the base branch's. Risky: a PR "
        "can then waive its own failures or disable checks, and pass.",
    )
    time_budget: int = Field(
        default=DEFAULT_TIME_BUDGET_S,
        gt=0,
        le=3600,
        description="Seconds the whole evaluation may take. Past it, what was not read yet is not judged: "
        "those checks are errors (they block), and the report says what was being read.",
    )
    checklist: str | None = Field(
        default=None,
        description="The team's own Markdown checklist (relative to the repository), filled in by the gate.",
    )

    def for_check(self, check_id: str) -> CheckConfig:
        return self.checks.get(check_id) or CheckConfig()

    def options_for(self, check_id: str) -> BaseModel:
        options = dict(self.for_check(check_id).options)
        if check_id == VULNERABILITY_CHECK:
            # accepted advisories live beside the audit settings, where users look for them
            options.setdefault("ignore", self.vulnerabilities.ignore)
        if not options:
            # the defaults, without building the model's validator: a run that configures a check
            # pays for it, one that does not (most checks, most runs) does not (test_config holds the
            # two equal for every check)
            return REGISTRY[check_id].options.model_construct()
        return REGISTRY[check_id].options.model_validate(options)

    def audit_settings(self, environ: Mapping[str, str]) -> AuditSettings:
        vc = self.vulnerabilities
        url = environ.get("PRODGATE_OSV_URL") or vc.osv_url
        return AuditSettings(
            service="osv" if url else vc.service,
            osv_url=url,
            cache_dir=Path(vc.cache_dir).expanduser() if vc.cache_dir else None,
            timeout=vc.timeout,
            max_packages=vc.max_packages,
        )


class ConfigError(InputProblem):
    """A config problem, already phrased as `file:line:column: message`."""


def json_schema() -> dict[str, Any]:
    schema = Config.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "prodgate configuration (.github/prodgate.yml)"
    check_props = schema["$defs"]["CheckConfig"]
    check_props.setdefault("description", "Settings of one check.")
    schema["properties"]["checks"]["propertyNames"] = {"enum": sorted(REGISTRY)}
    return schema


def defaults() -> Config:
    """The default config, built without pydantic's validator for it (building the validators of the
    config's models takes a few milliseconds of a small run), since the defaults need no validating:
    tests/test_config.py holds this equal to `Config()`."""
    return Config.model_construct()


def load_config(path: Path | None, root: Path, boundary: Path | None = None) -> tuple[Config, str | None]:
    """The config at `path`, or the repository's default one, or the defaults. Returns it and its source.
    The file must lie inside `boundary` (default: root): the Action's `config` input may name a file
    anywhere in the workspace, never outside it."""
    if path is None:
        path = root / DEFAULT_CONFIG_PATH
        if not path.is_file():
            return defaults(), None
    shown = str(path)
    try:
        inside(boundary or root, path, "the config file")
        size = path.stat().st_size
        if size > MAX_CONFIG_BYTES:
            raise ConfigError(f"{shown}: {size} bytes; a config file may have at most {MAX_CONFIG_BYTES}")
        data = path.read_bytes()
    except OutsideRepository as exc:
        raise ConfigError(str(exc)) from None
    except FileNotFoundError:
        raise ConfigError(f"{shown}: no such config file") from None
    except IsADirectoryError:
        raise ConfigError(f"{shown}: is a directory, not a config file") from None
    except OSError as exc:
        raise ConfigError(f"{shown}: cannot read: {exc.strerror}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"{shown}:{line}: not UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8"
        ) from None
    return parse_config(text, shown), shown


def parse_config(text: str, shown: str) -> Config:
    try:
        docs = parse_yaml_text(text)
    except ParseFailure as exc:
        raise ConfigError(f"{shown}:{exc.line or 1}:{exc.column or 1}: {exc.msg}") from None
    if len(docs.nodes) > 1:
        raise ConfigError(
            f"{shown}:{docs.nodes[1].line + 1}:1: one YAML document expected, found {len(docs.nodes)}"
        )
    if not docs.nodes or docs.data[0] is None:
        return defaults()
    node, data = docs.nodes[0], docs.data[0]
    if not isinstance(data, dict):
        raise ConfigError(
            f"{shown}:{node.line + 1}:{node.column + 1}: the config must be a mapping of settings"
        )
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, node, shown, Config)) from None
    horizon = date.today() + timedelta(days=config.waiver_max_days)
    for i, waiver in enumerate(config.waivers):
        if waiver.check not in REGISTRY:
            value_node, _ = locate(node, ("waivers", i, "check"))
            hint = _did_you_mean(waiver.check, REGISTRY)
            raise ConfigError(
                f"{_mark(shown, value_node)}: waivers[{i}].check: unknown check id {waiver.check!r}{hint}"
            )
        if waiver.expires > horizon:
            value_node, _ = locate(node, ("waivers", i, "expires"))
            raise ConfigError(
                f"{_mark(shown, value_node)}: waivers[{i}].expires: {waiver.expires} is more than "
                f"{config.waiver_max_days} days ahead (waiver_max_days)"
            )
    for check_id, check_cfg in config.checks.items():
        if check_id not in REGISTRY:
            key_node, _ = locate(node, ("checks", check_id), key=True)
            hint = _did_you_mean(check_id, REGISTRY)
            raise ConfigError(f"{_mark(shown, key_node)}: checks.{check_id}: unknown check id{hint}")
        try:
            REGISTRY[check_id].options.model_validate(check_cfg.options)
        except ValidationError as exc:
            raise ConfigError(
                _describe(
                    exc, node, shown, REGISTRY[check_id].options, prefix=("checks", check_id, "options")
                )
            ) from None
    return config


def _mark(shown: str, node: Node) -> str:
    return f"{shown}:{node.line + 1}:{node.column + 1}"


def _allowed_keys(model: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    """Field names valid at the mapping that holds loc[-1]."""
    current: type[BaseModel] | None = model
    parts = list(loc[:-1])
    while parts and current is not None:
        part = parts.pop(0)
        field = current.model_fields.get(str(part))
        if field is None:
            return []
        ann = field.annotation
        if get_origin(ann) is dict and get_args(ann)[1] is CheckConfig and parts:
            parts.pop(0)  # the check id
            current = CheckConfig
        elif isinstance(ann, type) and issubclass(ann, BaseModel):
            current = ann
        else:
            current = None
    return list(current.model_fields) if current is not None and not parts else []


def _did_you_mean(word: str, choices: Any) -> str:
    import difflib  # only for a config that names something unknown

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _describe(
    exc: ValidationError,
    root: Node,
    shown: str,
    model: type[BaseModel],
    prefix: tuple[str | int, ...] = (),
) -> str:
    errors = exc.errors()
    err = errors[0]
    loc = prefix + tuple(err["loc"])
    dotted = ".".join(str(p) for p in loc)
    if err["type"] == "extra_forbidden":
        node, _ = locate(root, loc, key=True)
        allowed = _allowed_keys(model, tuple(err["loc"]))
        message = f"{dotted}: unknown key{_did_you_mean(str(loc[-1]), allowed)}"
        if allowed and not _did_you_mean(str(loc[-1]), allowed):
            message += f"; allowed: {', '.join(allowed)}"
    else:
        node, _ = locate(root, loc)
        message = f"{dotted}: {err['msg']}"
    more = f" (and {count(len(errors) - 1, 'more problem')})" if len(errors) > 1 else ""
    return f"{_mark(shown, node)}: {message}{more}"
