"""Kubernetes checks: how the serving workload is probed, sized, secured, scaled and exposed.

They read manifests (multi-document YAML and JSON, kubectl Lists, Kustomize bases) and Helm templates
with their chart's values.yaml (gate.facts.helm); templated files that cannot be read are skipped and
named in the result; a manifest file that does not parse makes each check report `error` for it while
the other files are still judged."""

from gate.checks.orchestration import images, network, objects, probes, resources, scaling, secrets, security
from gate.checks.orchestration.common import decide, hpa_for, overlay_replicas, selects

__all__ = [
    "decide",
    "hpa_for",
    "images",
    "network",
    "objects",
    "overlay_replicas",
    "probes",
    "resources",
    "scaling",
    "secrets",
    "security",
    "selects",
]
