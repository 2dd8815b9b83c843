"""The Kubernetes container checks on checklist lines that name one setting: "Liveness probes
configured" is judged on the liveness probe, "Read-only root filesystem" on that setting, "Resource
limits set" on the memory limit, while the check itself still asks for all of them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from gate.checklist import read_checklist
from gate.config import Config
from gate.engine import evaluate
from gate.model import Outcome

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: scorer}
spec:
  replicas: 2
  selector: {matchLabels: {app: scorer}}
  template:
    metadata: {labels: {app: scorer}}
    spec:
      containers:
        - name: scorer
          image: registry.example/scorer:3.1.0
          livenessProbe: {httpGet: {path: /live, port: 8000}, periodSeconds: 20}
          securityContext: {readOnlyRootFilesystem: true}
          resources:
            limits: {memory: 2Gi}
"""

CHECKLIST = """\
## Kubernetes
- [x] Liveness probes configured
- [ ] Readiness probes configured
- [x] Read-only root filesystem
- [ ] Capabilities dropped
- [x] Resource limits set
- [ ] CPU limits set <!-- prodgate: k8s-resource-limits -->
- [ ] Containers run with a restricted security context <!-- prodgate: k8s-security-context -->
"""


def test_a_line_naming_one_setting_is_judged_on_that_setting(make_tree: Callable[..., Path]) -> None:
    root = make_tree({"k8s/scorer.yaml": DEPLOYMENT, "CHECKLIST.md": CHECKLIST})
    report = evaluate(root, Config(), offline=True, checklist=read_checklist(root / "CHECKLIST.md", root))
    checks = {r.check_id: r.outcome for r in report.results}
    # the checks themselves ask for everything: none of them passes this container
    assert {checks[c] for c in ("k8s-probes", "k8s-security-context", "k8s-resource-limits")} == {
        Outcome.FAIL
    }
    assert report.checklist is not None
    lines = {line.text: line for line in report.checklist.lines if line.kind == "automated"}
    got = {text: line.outcome for text, line in lines.items()}
    assert got == {
        "Liveness probes configured": Outcome.PASS,
        "Readiness probes configured": Outcome.FAIL,
        "Read-only root filesystem": Outcome.PASS,
        "Capabilities dropped": Outcome.FAIL,
        "Resource limits set": Outcome.PASS,
        "CPU limits set": Outcome.FAIL,
        "Containers run with a restricted security context": Outcome.FAIL,
    }, {t: line.evidence for t, line in lines.items()}
    # a ticked line that holds is no contradiction, and the report says what the line was judged on
    assert not any(line.contradiction for line in lines.values())
    assert "a liveness probe" in lines["Liveness probes configured"].evidence
