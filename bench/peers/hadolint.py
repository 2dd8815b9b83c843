"""hadolint's rule specs (test/Hadolint/Rule/*Spec.hs) as cases: each `ruleCatches "DLxxxx" TEXT` is a
Dockerfile the rule fires on, each `ruleCatchesNot` one it does not. TEXT is a string literal or the
`[ "line", ... ]` list the `it` block binds (joined with newlines, as `Text.unlines` does). The
`onBuild...` variants wrap the same lines in ONBUILD and are left out; so are specs run with a
non-default config (`let ?config = def { ... }`), which the case records instead."""

from __future__ import annotations

import itertools
import re
import subprocess
from pathlib import Path

from bench.peers.cases import Case

_STRING = r'"((?:[^"\\]|\\[\s\S])*)"'
_CALL = re.compile(
    r"\b(onBuildRuleCatches|onBuildRuleCatchesNot|ruleCatches|ruleCatchesNot)\s+" + _STRING + r"\s*(.?)"
)
_LIST = re.compile(
    r"\[\s*(" + _STRING + r"(?:\s*,\s*(?:--[^\n]*\n\s*)?" + _STRING + r")*)\s*(?:--[^\n]*)?\]", re.S
)
_IT = re.compile(r"^\s*it\s+" + _STRING, re.M)
_CONFIG = re.compile(r"let \?config\s*=\s*(.+)")
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "&": ""}


def unquote(literal: str) -> str:
    """A Haskell string literal's text (the escapes the specs use; a gap, backslash-newline-backslash,
    joins the lines of one literal)."""
    literal = re.sub(r"\\\s*\n\s*\\", "", literal)
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m[1], m[0]), literal)


def _show(repo: Path, path: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "show", f"HEAD:{path}"], check=True, capture_output=True, text=True
    ).stdout


def cases(repo: Path, rules: set[str]) -> list[Case]:
    found: list[Case] = []
    for rule in sorted(rules):
        path = f"test/Hadolint/Rule/{rule}Spec.hs"
        try:
            text = _show(repo, path)
        except subprocess.CalledProcessError:
            continue
        starts = [m.start() for m in _IT.finditer(text)] + [len(text)]
        for begin, end in itertools.pairwise(starts):
            block = text[begin:end]
            title = unquote(_IT.match(block)[1])  # type: ignore[index]
            before = text[:begin]
            configs = _CONFIG.findall(before)
            config = configs[-1].strip() if configs else "def"
            lines = _LIST.search(block)
            listed = "\n".join(unquote(s) for s in re.findall(_STRING, lines[1])) + "\n" if lines else None
            line_no = before.count("\n") + 1
            for n, call in enumerate(_CALL.finditer(block)):
                kind, rule_id, follow = call[1], call[2], call[3]
                if rule_id != rule or kind.startswith("onBuild"):
                    continue
                if follow == '"':
                    literal = re.match(_STRING, block[call.end() - 1 :])
                    dockerfile = unquote(literal[1]) + "\n" if literal else None
                else:
                    dockerfile = listed
                if dockerfile is None:
                    continue
                found.append(
                    Case(
                        peer="hadolint",
                        rule=rule,
                        name=f"{path}:{line_no} {title}" + (f" #{n + 1}" if n else ""),
                        files={"Dockerfile": dockerfile},
                        peer_fails=kind == "ruleCatches",
                        peer_config="" if config == "def" else config,
                    )
                )
    return found
