"""The action's inputs as the runner hands them to a Docker action: INPUT_<NAME> variables.

The runner upper-cases the input's name and keeps everything else, so `comment_mode` arrives as
INPUT_COMMENT_MODE. Every input action.yml declares is listed here once (tests keep the two in step);
an INPUT_* variable that matches none of them is reported by name, never ignored silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path

from pydantic import Field, ValidationError, field_validator

from gate.errors import InputProblem
from gate.model import Frozen, Level, Severity


class CommentMode(StrEnum):
    ALWAYS = "always"
    """create the comment once, then edit it whenever its text changes"""
    FAILURES = "failures"
    """create it only when the gate fails; once it exists, keep it current"""
    CHANGES = "changes"
    """edit it only when an outcome changed (not when wording or line numbers moved)"""
    OFF = "off"


class StatusMode(StrEnum):
    NONE = "none"
    COMMIT_STATUS = "commit_status"
    CHECK_RUN = "check_run"


class InputError(InputProblem):
    pass


class Inputs(Frozen):
    github_token: str = Field(default="", repr=False)
    path: str = "."
    config: str = ""
    checklist: str = ""
    fail_on: Severity | None = None
    require_level: Level | None = None
    comment_mode: CommentMode = CommentMode.ALWAYS
    comment_key: str = Field(default="default", pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    status_mode: StatusMode = StatusMode.NONE
    status_context: str = Field(default="prodgate", min_length=1, max_length=255)
    job_summary: bool = True
    annotations: bool = True
    sarif_file: str = ""
    json_file: str = ""
    publish: str = ""
    """publish mode: the path of a result file made by an earlier, unprivileged run (workflow_run)"""
    offline: bool = False

    @field_validator("fail_on", "require_level", mode="before")
    @classmethod
    def _empty_is_default(cls, value: object) -> object:
        return None if value == "" else value

    def path_in(self, workspace: Path) -> Path:
        return workspace / self.path


_BOOLEANS = {"true": True, "false": False}
NAMES = tuple(Inputs.model_fields)


def read_inputs(environ: Mapping[str, str]) -> tuple[Inputs, list[str]]:
    """The inputs, and the names of INPUT_* variables that are not inputs of this action."""
    by_env = {f"INPUT_{name.upper()}": name for name in NAMES}
    values: dict[str, object] = {}
    unknown: list[str] = []
    for key, raw in environ.items():
        if not key.startswith("INPUT_"):
            continue
        name = by_env.get(key)
        if name is None:
            unknown.append(key[len("INPUT_") :].lower())
            continue
        value = raw.strip()
        if value == "" and name not in ("fail_on", "require_level"):
            continue  # an empty input means the default, as it does for every action
        field_type = Inputs.model_fields[name].annotation
        if field_type is bool:
            if value.lower() not in _BOOLEANS:
                raise InputError(f"input {name}: expected true or false, got {value!r}")
            values[name] = _BOOLEANS[value.lower()]
        else:
            values[name] = value
    try:
        inputs = Inputs.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else "inputs"
        shown = "" if name == "github_token" else f" (got {values.get(name)!r})"
        raise InputError(f"input {name}: {first['msg']}{shown}") from None
    return inputs, sorted(unknown)
