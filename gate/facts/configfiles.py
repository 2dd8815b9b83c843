"""Facts about the repository's configuration files (YAML, JSON, TOML, INI, CFG): which there are, and
whether each parses as the tool that reads it would parse it.

Parsed on demand, file by file, through the snapshot's bounded and cached readers: a check that asks
about one file does not parse the others.
"""

from __future__ import annotations

import configparser
import tomllib
from dataclasses import dataclass, field
from typing import Any

from gate.snapshot import ParseError, Snapshot

SUFFIXES = (".yaml", ".yml", ".json", ".toml", ".ini", ".cfg")


@dataclass(frozen=True)
class ConfigFiles:
    files: tuple[str, ...] = ()
    snap: Snapshot | None = field(default=None, compare=False, repr=False)

    def readable(self, rel: str) -> bool:
        """Whether the file could be read at all (not over the size limit, not binary)."""
        return self.snap is not None and self.snap.text(rel) is not None

    def ini_like(self, rel: str) -> bool:
        """Whether a .ini or .cfg file is written in INI sections at all: haproxy.cfg and its kind share
        the suffix, not the format, and are not judged by an INI parser."""
        if not rel.endswith((".ini", ".cfg")):
            return True
        text = self.snap.text(rel) if self.snap is not None else None
        return text is None or any(line.lstrip().startswith("[") for line in text.splitlines())

    def error(self, rel: str) -> str | None:
        """Why the file does not parse, or None when it does (or cannot be read: see `readable`)."""
        snap = self.snap
        text = snap.text(rel) if snap is not None else None
        if snap is None or text is None:
            return None
        if rel.endswith(".json"):
            parsed: Any = snap.json(rel)
            return parsed.message if isinstance(parsed, ParseError) else None
        if rel.endswith((".yaml", ".yml")):
            docs = snap.yaml(rel)
            # a tag its application defines (CloudFormation's !Sub, !Ref) is valid YAML all the same
            if isinstance(docs, ParseError) and "could not determine a constructor" not in docs.message:
                return docs.message
            return None
        try:
            if rel.endswith(".toml"):
                tomllib.loads(text)
            else:
                # strict=False: uwsgi and others repeat keys on purpose
                configparser.ConfigParser(interpolation=None, strict=False).read_string(text, rel)
        except (tomllib.TOMLDecodeError, configparser.Error) as exc:
            return str(exc).splitlines()[0][:200]
        return None


def collect_config_files(snap: Snapshot) -> ConfigFiles:
    return ConfigFiles(tuple(f for f in snap.files if f.endswith(SUFFIXES)), snap)
