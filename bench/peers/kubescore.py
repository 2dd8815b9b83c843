"""kube-score's own tests (score/*_test.go) as cases: each `testExpectedScore(t, "file.yaml", "Check
Name", scorecard.GradeX)` (and the `...WithConfig` form) grades one fixture of score/testdata/ for one
check. CRITICAL and WARNING are a failure, OK (AllOK, AlmostOK) a pass; grade 0 (the check skipped
itself) is not scored. A run configuration other than what does not matter here (Kubernetes version,
optional tests switched on) is recorded as the case's peer config."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from bench.peers.cases import Case

_SIMPLE = re.compile(
    r'testExpectedScore\(\s*t,\s*"(?P<file>[^"]+)",\s*"(?P<check>[^"]+)",\s*(?P<grade>scorecard\.Grade\w+|0)\s*\)'
)
_CONFIGURED = re.compile(
    r'testExpectedScoreWithConfig\(\s*t,\s*\[\]ks\.NamedReader\{\s*testFile\("(?P<file>[^"]+)"\)\s*\},\s*'
    r"(?P<checks>nil|&checks\.Config\{.*?\}),\s*(?P<run>nil|&config\.RunConfiguration\{.*?\}),\s*"
    r'"(?P<check>[^"]+)",\s*(?P<grade>scorecard\.Grade\w+|0)\s*\)',
    re.S,
)
_FAILS = {"scorecard.GradeCritical": True, "scorecard.GradeWarning": True}
_PASSES = {"scorecard.GradeAllOK": False, "scorecard.GradeAlmostOK": False}
# settings of kube-score's run that do not change what these checks decide
_NEUTRAL = re.compile(
    r"KubernetesVersion:\s*config\.Semver\{[^}]*\},?|EnabledOptionalTests:\s*\w+,?|Use\w+Annotation:\s*\w+,?"
)


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def _config(run: str) -> str:
    inner = run.removeprefix("&config.RunConfiguration{").removesuffix("}") if run != "nil" else ""
    return " ".join(_NEUTRAL.sub("", inner).split()).strip(", ")


def cases(repo: Path, rules: set[str]) -> list[Case]:
    found: list[Case] = []
    tests = [
        p for p in _git(repo, "ls-tree", "--name-only", "HEAD", "score/").split() if p.endswith("_test.go")
    ]
    for path in sorted(tests):
        text = re.sub(r"//[^\n]*", "", _git(repo, "show", f"HEAD:{path}"))
        calls = [(m, "") for m in _SIMPLE.finditer(text)]
        for m in _CONFIGURED.finditer(text):
            ignored = "" if m["checks"] == "nil" else f" {m['checks']}"
            calls.append((m, (_config(m["run"]) + ignored).strip()))
        for m, config in sorted(calls, key=lambda c: c[0].start()):
            if m["check"] not in rules or m["grade"] == "0":
                continue
            line = text.count("\n", 0, m.start()) + 1
            found.append(
                Case(
                    peer="kube-score",
                    rule=m["check"],
                    name=f"{path}:{line} {m['file']}",
                    files={f"k8s/{m['file']}": _git(repo, "show", f"HEAD:score/testdata/{m['file']}")},
                    peer_fails=_FAILS.get(m["grade"], _PASSES.get(m["grade"], False)),
                    peer_config=config,
                )
            )
    return found
