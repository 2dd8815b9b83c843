"""Facts about infrastructure as code: the Terraform, Bicep, ARM and CloudFormation resources a repository
declares, read line by line (a resource's type and name, and the settings written inside it).

Nothing is planned or applied: a resource counts as written, with its literal settings. Values that come
from variables are not resolved.
"""

from __future__ import annotations

import re

from msgspec import Struct

from gate.lazyre import lazy
from gate.snapshot import Snapshot

_MAX_LINE = 2_000
_MAX_BODY = 400
"""A resource's body is read over at most this many lines."""
_TERRAFORM = lazy(r'^\s*resource\s+"([\w-]+)"\s+"([\w-]+)"')
_BICEP = lazy(r"^\s*resource\s+(\w+)\s+'([\w./-]+)@[\w-]+'")
_ARM_TYPE = lazy(r'"type"\s*:\s*"((?:Microsoft|AWS)[\w.:/-]+)"')
_CFN_TYPE = lazy(r"^\s*Type:\s*['\"]?(AWS::[\w:]+)")
_IAC_SUFFIXES = (".tf", ".bicep", ".tf.json")
_TEMPLATE_NAME = lazy(
    r"(^|/)(infra|infrastructure|cloudformation|cfn|arm|iac|terraform)/|template|cloudformation|azuredeploy|stack",
    re.IGNORECASE,
)
"""ARM and CloudFormation templates are JSON or YAML like any other: only files named or placed as
templates are opened to look."""


class Resource(Struct, frozen=True):
    path: str
    line: int
    type: str
    """aws_lb, Microsoft.Network/loadBalancers, AWS::EC2::VPC..."""
    name: str
    body: str
    """the resource's own lines, joined (its settings as written)"""


class IacFacts(Struct, frozen=True):
    resources: tuple[Resource, ...] = ()
    files: tuple[str, ...] = ()

    def of(self, pattern: str) -> tuple[Resource, ...]:
        rx = re.compile(pattern, re.IGNORECASE)
        return tuple(r for r in self.resources if rx.search(r.type))


def _blocks(rel: str, lines: list[str], header: re.Pattern[str], bicep: bool) -> list[Resource]:
    found: list[Resource] = []
    for i, line in enumerate(lines):
        if len(line) > _MAX_LINE:
            continue
        m = header.match(line)
        if not m:
            continue
        kind, name = (m.group(2), m.group(1)) if bicep else (m.group(1), m.group(2))
        depth = 0
        body: list[str] = []
        for j in range(i, min(len(lines), i + _MAX_BODY)):
            text = lines[j] if len(lines[j]) <= _MAX_LINE else ""
            body.append(text)
            depth += text.count("{") - text.count("}")
            if depth <= 0 and j > i:
                break
        found.append(Resource(rel, i + 1, kind, name, "\n".join(body)))
    return found


def _typed(rel: str, lines: list[str], rx: re.Pattern[str]) -> list[Resource]:
    """ARM and CloudFormation: each `type` line and the lines after it (up to the next type)."""
    starts = [
        (i, m.group(1)) for i, line in enumerate(lines) if len(line) <= _MAX_LINE and (m := rx.search(line))
    ]
    found: list[Resource] = []
    for n, (i, kind) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else min(len(lines), i + _MAX_BODY)
        found.append(
            Resource(rel, i + 1, kind, kind.rsplit("/", 1)[-1], "\n".join(lines[max(0, i - 3) : end]))
        )
    return found


def collect_iac(snap: Snapshot) -> IacFacts:
    resources: list[Resource] = []
    files: list[str] = []
    for rel in snap.files:
        if "/.terraform/" in f"/{rel}":
            continue
        if rel.endswith(_IAC_SUFFIXES):
            lines = (snap.text(rel) or "").splitlines()
            if rel.endswith(".bicep"):
                found = _blocks(rel, lines, _BICEP, bicep=True)
            else:
                found = _blocks(rel, lines, _TERRAFORM, bicep=False)
        elif rel.endswith((".json", ".yaml", ".yml", ".template")) and _TEMPLATE_NAME.search(rel):
            text = snap.text(rel) or ""
            if '"$schema"' in text and "deploymentTemplate" in text:
                found = _typed(rel, text.splitlines(), _ARM_TYPE)
            elif "AWSTemplateFormatVersion" in text or "AWS::" in text:
                found = _typed(rel, text.splitlines(), _CFN_TYPE)
            else:
                continue
        else:
            continue
        if found:
            resources.extend(found)
            files.append(rel)
    return IacFacts(tuple(resources), tuple(files))
