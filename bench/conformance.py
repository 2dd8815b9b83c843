"""prodgate's Dockerfile, Kubernetes and workflow checks against the peers' own test suites.

Each peer's fixtures are read from a local mirror of its repository (never copied into this project),
placed where prodgate looks (a fragment gets only the context it lacks, and the output says so), judged
offline with the default config, and compared with the peer's expected verdict through
bench/peers/mapping.yaml:
  agree       both fail or both pass
  stricter    prodgate fails, the peer passes
  laxer       prodgate passes, the peer fails
  documented  a deliberate difference, written in the check's docs (listed, not counted as agreement)
  undecided   prodgate does not decide (not applicable, missing evidence, error)
Agreement is agree / (agree + stricter + laxer): the cases where both tools decide and mean the same.

    python bench/conformance.py --hadolint MIRROR [--kube-score MIRROR] [--zizmor MIRROR]
                                [--checkov MIRROR --checkov-bin PATH] [--verbose] [--json FILE]

Checkov's per-resource verdicts come from Checkov itself: `pip install checkov` in a separate venv
(it pins its own dependencies) and give its `checkov` with --checkov-bin.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Callable
from functools import partial
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.peers import checkov, hadolint, kubescore, zizmor
from bench.peers.cases import (
    AGREE,
    DOCUMENTED,
    LAXER,
    STRICTER,
    UNDECIDED,
    Case,
    Judged,
    Rule,
    judge,
    with_context,
)
from gate.checks import REGISTRY

MAPPING = Path(__file__).resolve().parent / "peers" / "mapping.yaml"
COLUMNS = (AGREE, STRICTER, LAXER, DOCUMENTED, UNDECIDED)


def _head(repo: Path) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()


def _rules(mapping: dict[str, object], peer: str) -> dict[str, Rule]:
    table = mapping.get(peer) or {}
    assert isinstance(table, dict)
    return {
        rule: Rule(
            check=m["check"],
            aspect=m.get("aspect", ""),
            context=tuple(m.get("context", ())),
            config=m.get("config", {}),
            peer_configs=tuple(m.get("peer_configs", ())),
        )
        for rule, m in table.items()
    }


def _undocumented(differences: list[dict[str, str]], mapping: dict[str, object]) -> list[str]:
    """Differences whose check's docs do not name the peer rule: a difference must be written down."""
    missing = []
    for d in differences:
        rule = _rules(mapping, d["peer"]).get(d["rule"])
        if rule is None or d["rule"] not in REGISTRY[rule.check].docs:
            missing.append(f"{d['peer']} {d['rule']} ({rule.check if rule else 'unmapped'})")
    return missing


def _checkov(repo: Path, rules: set[str], *, binary: str, folders: dict[str, dict[str, str]]) -> list[Case]:
    return checkov.cases(repo, {rule: folders[rule]["folder"] for rule in rules}, binary)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hadolint", type=Path)
    parser.add_argument("--kube-score", type=Path)
    parser.add_argument("--zizmor", type=Path)
    parser.add_argument("--checkov", type=Path, help="a mirror of bridgecrewio/checkov (its test resources)")
    parser.add_argument("--checkov-bin", default="checkov", help="the checkov command (pip install checkov)")
    parser.add_argument("--verbose", action="store_true", help="print every case that does not agree")
    parser.add_argument("--json", type=Path, help="write every judged case here")
    args = parser.parse_args()
    mapping = yaml.safe_load(MAPPING.read_text())
    differences: list[dict[str, str]] = mapping.get("differences") or []
    readers: dict[str, tuple[Path | None, Callable[[Path, set[str]], list[Case]]]] = {
        "hadolint": (args.hadolint, hadolint.cases),
        "kube-score": (args.kube_score, kubescore.cases),
        "zizmor": (args.zizmor, zizmor.cases),
        "checkov": (args.checkov, partial(_checkov, binary=args.checkov_bin, folders=mapping["checkov"])),
    }
    judged: list[Judged] = []
    skipped: Counter[str] = Counter()
    for peer, (repo, read) in readers.items():
        if repo is None:
            continue
        rules = _rules(mapping, peer)
        print(f"{peer}: {repo} at {_head(repo)}")
        for case in read(repo, set(rules)):
            rule = rules[case.rule]
            if case.peer_config and not any(re.fullmatch(p, case.peer_config) for p in rule.peer_configs):
                skipped[f"{peer} {case.rule}: peer config {case.peer_config}"] += 1
                continue
            judged.append(judge(with_context(case, rule), rule, differences))
    _print(judged, skipped, args.verbose)
    missing = _undocumented(differences, mapping)
    for m in missing:
        print(f"UNDOCUMENTED difference: {m}")
    if args.json:
        args.json.write_text(
            json.dumps(
                [
                    {
                        "peer": j.case.peer,
                        "rule": j.case.rule,
                        "case": j.case.name,
                        "check": j.check,
                        "peer_fails": j.case.peer_fails,
                        "prodgate": j.outcome.value,
                        "verdict": j.verdict,
                        "added": list(j.case.added),
                        "why": j.why,
                    }
                    for j in judged
                ],
                indent=1,
            )
        )
    return 1 if missing else 0


def _print(judged: list[Judged], skipped: Counter[str], verbose: bool) -> None:
    per_rule: dict[tuple[str, str, str], Counter[str]] = defaultdict(Counter)
    per_peer: dict[str, Counter[str]] = defaultdict(Counter)
    context: Counter[tuple[str, str]] = Counter()
    for j in judged:
        per_rule[(j.case.peer, j.case.rule, j.check)][j.verdict] += 1
        per_peer[j.case.peer][j.verdict] += 1
        context[(j.case.peer, j.case.rule)] += bool(j.case.added)
    print()
    print(
        "| peer | rule | prodgate check | cases | " + " | ".join(COLUMNS) + " | context added | agreement |"
    )
    print("|---|---|---|---:|" + "---:|" * (len(COLUMNS) + 2))
    for (peer, rule, check), c in sorted(per_rule.items()):
        print(
            f"| {peer} | {rule} | {check} | {sum(c.values())} | "
            + " | ".join(str(c[k]) for k in COLUMNS)
            + f" | {context[(peer, rule)]} | {_rate(c)} |"
        )
    for peer, c in sorted(per_peer.items()):
        print(
            f"| **{peer}** | | | {sum(c.values())} | "
            + " | ".join(str(c[k]) for k in COLUMNS)
            + f" | | **{_rate(c)}** |"
        )
    total: Counter[str] = sum(per_peer.values(), Counter())
    print(
        f"| **all** | | | {sum(total.values())} | "
        + " | ".join(str(total[k]) for k in COLUMNS)
        + f" | | **{_rate(total)}** |"
    )
    for what, n in sorted(skipped.items()):
        print(f"not scored: {n} case(s) of {what}")
    if verbose:
        print()
        for j in judged:
            if j.verdict != AGREE:
                shown = j.case.files.get("Dockerfile") or next(iter(j.case.files.values()))
                print(
                    f"{j.verdict.upper():10} {j.case.peer} {j.case.rule} {j.case.name}: peer {'fails' if j.case.peer_fails else 'passes'}, {j.check} {j.outcome.value}{' (added: ' + ', '.join(j.case.added) + ')' if j.case.added else ''}{' - ' + j.why if j.why else ''}"
                )
                if verbose and j.verdict in (STRICTER, LAXER, UNDECIDED):
                    for line in shown.splitlines()[:12]:
                        print(f"             | {line}")


def _rate(c: Counter[str]) -> str:
    decided = c[AGREE] + c[STRICTER] + c[LAXER]
    return f"{c[AGREE] / decided:.1%} ({c[AGREE]}/{decided})" if decided else "-"


if __name__ == "__main__":
    sys.exit(main())
