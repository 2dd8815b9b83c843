"""Configuration files that parse, and a model's configuration that agrees with its artifacts.

A go-live checklist asks "Config files validated", "Model configuration (`config.yaml`) verified". The
first is decided by parsing every configuration file as the tool that reads it would; the second also
by comparing what the model's configuration declares (its number of classes, its features) with the
class names and feature schema shipped beside it.
"""

from __future__ import annotations

import fnmatch
import re
from collections import deque
from typing import Any

from pydantic import BaseModel, ConfigDict

from gate.checks.base import Decision, Hit, at, check, failed, not_applicable, passed
from gate.facts import Facts
from gate.facts.modelmeta import DataFile
from gate.lazyre import lazy
from gate.model import Level, Outcome, Severity
from gate.wording import count

_NOT_CONFIG = lazy(
    r"(^|/)(tests?|testing|fixtures|node_modules|\.github|\.devcontainer|charts/[^/]+/templates)/|"
    r"(^|/)(package-lock\.json|.*\.lock|tsconfig\.json|.*\.ipynb)$",
    re.I,
)
_MAX_FILES = 500
"""Files parsed at most: a checklist line is worth parsing a repository's configuration, not a data lake."""


class ConfigOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    files: tuple[str, ...] = ()
    """Which configuration files to judge (glob patterns, or names such as config.yaml). None by
    default: a checklist line asks, for every configuration file or the one it names."""


def _count(value: Any) -> int | None:
    return len(value) if isinstance(value, list | dict) else None


def _declared(data: Any, keys: tuple[str, ...]) -> tuple[str, int] | None:
    """The first of `keys` a (possibly nested) mapping declares, with its count."""
    stack: deque[tuple[str, Any]] = deque([("", data)])
    while stack:
        prefix, item = stack.popleft()
        if not isinstance(item, dict):
            continue
        for k, v in item.items():
            path = f"{prefix}{k}"
            if str(k) in keys:
                n = v if isinstance(v, int) and not isinstance(v, bool) else _count(v)
                if n is not None:
                    return path, n
            stack.append((path + ".", v))
    return None


def _value(data: Any, path: str) -> Any:
    for key in path.split("."):
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _shipped(data: Any, keys: tuple[str, ...]) -> int | None:
    """How many a class names or feature file holds: its lines or list, or the list under a known key
    (`{"features": [...]}`), or the entries of a mapping (`id2label`)."""
    if isinstance(data, list):
        return len(data)
    if isinstance(data, dict):
        found = _declared(data, keys)
        return found[1] if found else len(data)
    return None


def _mismatches(config: DataFile, facts: Facts) -> list[Hit]:
    """What a model's configuration declares against what ships beside it."""
    hits: list[Hit] = []
    pairs = (
        (
            ("num_classes", "n_classes", "classes", "class_names", "labels"),
            facts.model_meta.classes,
            "class names",
        ),
        (
            ("num_features", "n_features", "features", "feature_names", "input_features"),
            facts.model_meta.features,
            "features",
        ),
    )
    folder = config.path.rsplit("/", 1)[0] if "/" in config.path else ""
    for keys, shipped, what in pairs:
        declared = _declared(config.data, keys)
        if declared is None:
            continue
        beside = [f for f in shipped if (f.path.rsplit("/", 1)[0] if "/" in f.path else "") == folder]
        if not beside:
            if _count(_value(config.data, declared[0])) is not None:
                continue  # the configuration lists them itself: nothing beside it to disagree with
            hits.append(
                Hit(
                    f"{config.path} declares {declared[1]} {what} ({declared[0]}), and no {what} file ships beside it.",
                    (at(config.path, config.line_of(declared[0])),),
                )
            )
            continue
        actual = _shipped(beside[0].data, keys)
        if actual is not None and actual != declared[1]:
            hits.append(
                Hit(
                    f"{config.path} declares {declared[1]} {what} ({declared[0]}); {beside[0].path} has {actual}.",
                    (at(config.path, config.line_of(declared[0])),),
                )
            )
    return hits


@check(
    id="config-files-valid",
    title="Configuration files parse and agree with the model",
    category="configuration",
    severity=Severity.MEDIUM,
    level=Level.SILVER,
    applies_when="the config or a checklist line names configuration files to judge",
    remediation="Fix the syntax the report points at, and bring the model's configuration in line with the class names and features it ships with.",
    options=ConfigOptions,
)
def config_files_valid(facts: Facts, options: ConfigOptions) -> Decision:
    """
    ## What it checks
    For the configuration files asked for (every YAML, JSON, TOML, INI and CFG file outside tests,
    fixtures, workflows and Helm templates; or the files a line names, such as `config.yaml`): that
    each parses, as PyYAML, json, tomllib or configparser read it. A file that is a model's
    configuration (beside a model artifact) must also agree with what ships beside it: its declared
    number of classes (`num_classes`, a `classes` list) with the class names file, its declared
    features (`num_features`, a `features` list) with the feature schema.

    Nothing is asked by default. A checklist line asks ("Config files validated": every configuration
    file; "Model configuration (`config.yaml`) verified": that file).

    ## Why it matters
    A YAML file with a tab in it fails when the service starts, not when the pull request merges; a
    model configured for four classes with three names behind it labels every fourth prediction wrong.

    ## How to fix
    Fix what the report names.

    ## Example
    ```yaml
    # models/config.yaml, beside class_names.txt (3 lines)
    model:
      num_classes: 3
    ```
    """
    if not options.files:
        return not_applicable("No configuration file is asked for (options.files, or a checklist line).")
    everything = options.files == ("*",)
    wanted = [
        rel
        for rel in facts.config_files.files
        if (
            not _NOT_CONFIG.search(rel) and facts.config_files.ini_like(rel)
            if everything
            else any(fnmatch.fnmatch(rel, p) or rel.rsplit("/", 1)[-1] == p for p in options.files)
        )
    ]
    cut = len(wanted) > _MAX_FILES
    wanted = wanted[:_MAX_FILES]
    if not wanted:
        if everything:
            return not_applicable("No configuration file (YAML, JSON, TOML, INI) in the repository.")
        return failed(
            f"No file named {', '.join(options.files)}.",
            Hit(f"{', '.join(options.files)} is not in the repository.", (at(options.files[0]),)),
        )
    hits: list[Hit] = []
    for rel in wanted:
        if (error := facts.config_files.error(rel)) is not None:
            hits.append(Hit(f"{rel} does not parse: {error}", (at(rel),)))
    models = {f.path: f for f in facts.model_meta.metadata}
    for rel in wanted:
        if rel in models:
            hits.extend(_mismatches(models[rel], facts))
    if hits:
        return failed(f"{count(len(hits), 'problem')} in the configuration.", *hits)
    unread = [rel for rel in wanted if not facts.config_files.readable(rel)]
    if unread:
        return Decision(
            Outcome.MISSING_EVIDENCE,
            f"Not read, so not judged (over the size limit, or not text): {', '.join(unread[:10])}.",
        )
    checked = sum(1 for rel in wanted if rel in models)
    agreed = (
        f"; {count(checked, 'model configuration')} {'agrees' if checked == 1 else 'agree'} with its artifacts"
        if checked
        else ""
    )
    if cut:  # the rest was not read: not a pass
        return Decision(
            Outcome.MISSING_EVIDENCE,
            f"The first {_MAX_FILES} configuration files parse{agreed}; the others were not read.",
        )
    return passed(
        f"{count(len(wanted), 'configuration file')} {'parses' if len(wanted) == 1 else 'parse'}{agreed}."
    )
