"""Secrets as references, not literals, in manifests."""

from __future__ import annotations

from gate.checks.base import Decision, Hit, NoOptions, check
from gate.checks.orchestration.common import (
    _at,
    _label,
    decide,
)
from gate.checks.secretnames import k8s_literal_secrets
from gate.facts import Facts
from gate.model import Level, Severity


@check(
    id="k8s-secrets-from-refs",
    title="Secrets come from Secret references",
    category="security",
    severity=Severity.HIGH,
    level=Level.BRONZE,
    applies_when="the repository has workloads",
    remediation="Move the value into a Secret and reference it with valueFrom.secretKeyRef (or envFrom.secretRef).",
    concern="secret-in-repository",
)
def k8s_secrets_from_refs(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That no container environment variable whose name says it holds a secret (password, token, API
    key, access key, private key, credential; names ending in _FILE, _PATH, _URL and the like exempt)
    is given a literal `value`; it must come from `valueFrom` (secretKeyRef) or `envFrom`. The finding
    names the variable and the line, never the value. Placeholders are not reported.
    A literal that is also a credential by no-hardcoded-secrets' measure is reported here only, at
    the variable's line, as critical.

    ## Why it matters
    A literal in a manifest is in git, in every clone and in `kubectl get -o yaml` for anyone with
    read access to the namespace.

    ## How to fix
    Create the Secret out of band (or with sealed-secrets / external-secrets) and reference it.

    ## Example
    ```yaml
    env:
      - name: API_KEY
        valueFrom: {secretKeyRef: {name: theft-risk, key: api-key}}
    ```
    """
    judged = sum(
        isinstance(env, dict)
        for w in facts.kubernetes.workloads
        for c in w.containers
        for env in c.spec.get("env") or []
    )
    secrets = {(s.path, s.line) for s in facts.secrets.found}
    hits = [
        Hit(
            f"{_label(w, c)} sets {name} to a literal value.",
            _at(w, c, "env", j),
            # also a credential by no-hardcoded-secrets' measure, which leaves it to this check
            severity=Severity.CRITICAL if (w.manifest.path, line) in secrets else None,
        )
        for w, c, name, j, line in k8s_literal_secrets(facts.kubernetes.workloads)
    ]
    return decide(
        facts,
        hits,
        "No secret-named variable has a literal value.",
        "Literal secrets in manifests",
        judged=judged or len(facts.kubernetes.workloads),
        nothing="No workloads in the manifests.",
    )
