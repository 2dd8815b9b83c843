"""Container images that name a version."""

from __future__ import annotations

from gate.checks.base import Decision, Hit, NoOptions, check
from gate.checks.orchestration.common import (
    _at,
    _label,
    decide,
)
from gate.facts import Facts
from gate.model import Level, Severity
from gate.wording import agree, every


def _image_tag(image: str) -> tuple[str | None, bool]:
    """(tag, has_digest)."""
    if "@" in image:
        return None, True
    last = image.rsplit("/", 1)[-1]
    return (last.rsplit(":", 1)[1] if ":" in last else None), False


@check(
    id="k8s-image-pinned",
    title="Kubernetes images pinned to a version",
    category="orchestration",
    severity=Severity.MEDIUM,
    level=Level.BRONZE,
    applies_when="the repository has workloads",
    remediation="Deploy an explicit version tag or, better, a digest; never latest.",
    seeds=("Images tagged with version numbers",),
)
def k8s_image_pinned(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That every container image names a tag other than `latest`, or a digest (the stronger form).
    An image written with a variable (`$(IMAGE)`, `${TAG}`) is left to the tool that fills it in.
    Peers: Checkov CKV_K8S_14 and CKV_K8S_43, kube-score container-image-tag.

    ## Why it matters
    With `latest`, a node that restarts a pod may pull a different model server than its neighbours,
    and a rollback has nothing to roll back to.

    ## How to fix
    Have CI write the built image's version or digest into the manifest (kustomize edit set image).

    ## Example
    ```yaml
    image: registry.example/theft-risk:1.4.2
    ```
    """
    hits: list[Hit] = []
    judged = 0
    for w in facts.kubernetes.workloads:
        for c in w.containers:
            image = str(c.spec.get("image") or "")
            if not image or "$" in image:
                continue
            judged += 1
            tag, digest = _image_tag(image)
            if not digest and tag in (None, "latest"):
                hits.append(
                    Hit(
                        f"{_label(w, c)} runs `{image}` ({'latest' if tag else 'no tag'}).",
                        _at(w, c, "image"),
                    )
                )
    return decide(
        facts,
        hits,
        f"{every(judged, 'image')} {agree(judged, 'names', 'name')} a version.",
        "Images without a version",
        judged=judged,
        nothing="No container images in the manifests.",
    )
