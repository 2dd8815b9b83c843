"""What the image is built FROM: a pinned version, a minimal base."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

from gate.checks.base import NOT_ASKED, Decision, Hit, NoOptions, at, check, not_applicable
from gate.checks.container.common import (
    _decide,
    _image_parts,
    _root_stage,
)
from gate.facts import Facts
from gate.lazyre import lazy
from gate.model import Confidence, Level, Severity

# -- base image pinned ------------------------------------------------------------------------------


@check(
    id="dockerfile-base-image-pinned",
    title="Dockerfile base images pinned",
    category="container",
    severity=Severity.MEDIUM,
    level=Level.BRONZE,
    applies_when="the repository has a Dockerfile",
    remediation="Name an explicit version tag (`python:3.11.9-slim`), or better a digest (`python:3.11-slim@sha256:...`).",
    seeds=("Images tagged with version numbers",),
)
def dockerfile_base_image_pinned(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That every `FROM` names an explicit tag other than `latest` (build-stage references and `scratch`
    are exempt). `ARG`s are substituted with their defaults; a base that depends on an ARG without a
    default cannot be judged and is reported as undecided. A digest (`@sha256:...`) is the stronger
    form and is named as such. Peers: hadolint DL3006 and DL3007.

    ## Why it matters
    `FROM python` builds on whatever was pushed last: the Python minor version, the Debian release
    and the system libraries a model depends on change under a rebuild nobody reviewed.

    ## How to fix
    Pin a version tag; for reproducible builds pin the digest and let Dependabot or Renovate move it.

    ## Example
    ```dockerfile
    FROM python:3.11.9-slim-bookworm@sha256:<digest>
    ```
    """
    hits: list[Hit] = []
    unsure: list[Hit] = []
    digests = 0
    for df in facts.docker.dockerfiles:
        names = set()
        for stage in df.stages:
            base = stage.base_resolved
            if stage.base.lower() in names or stage.base.lower() == "scratch":
                pass
            elif base is None:
                unsure.append(
                    Hit(
                        f"`FROM {stage.base}` depends on an ARG with no default.",
                        (at(df.path, stage.line),),
                    )
                )
            else:
                _, tag, digest = _image_parts(base)
                if digest:
                    digests += 1
                elif tag is None:
                    hits.append(
                        Hit(
                            f"`FROM {base}` has no tag, so it means latest.",
                            (at(df.path, stage.line),),
                        )
                    )
                elif tag == "latest":
                    hits.append(Hit(f"`FROM {base}` uses the latest tag.", (at(df.path, stage.line),)))
            if stage.name:
                names.add(stage.name)
    strong = f" ({digests} pinned by digest)" if digests else " (none by digest, the stronger form)"
    return _decide(
        facts, hits, unsure, f"Every base image has an explicit version{strong}.", "Base images not pinned"
    )


# -- minimal base -----------------------------------------------------------------------------------

_MINIMAL = lazy(r"(slim|alpine|minimal|distroless|chainguard|micro|busybox|scratch|runtime)", re.I)
_KNOWN_FULL = (
    "python",
    "node",
    "debian",
    "ubuntu",
    "pytorch/pytorch",
    "nvidia/cuda",
    "tensorflow/tensorflow",
    "continuumio/miniconda3",
    "continuumio/anaconda3",
)


@check(
    id="dockerfile-minimal-base",
    title="Dockerfile uses minimal base image",
    category="container",
    severity=Severity.LOW,
    level=Level.SILVER,
    applies_when="the repository has a Dockerfile",
    remediation="Build the final stage FROM a slim or distroless image (python:3.11-slim, gcr.io/distroless/python3).",
    seeds=("Dockerfile uses minimal base image (python:3.9-slim)",),
)
def dockerfile_minimal_base(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That the final image is built on a minimal base: a slim, alpine, distroless, Chainguard, minimal,
    micro or runtime variant, or scratch. Full images prodgate knows (python, node, debian, ubuntu,
    pytorch/pytorch, nvidia/cuda, tensorflow/tensorflow, conda) without such a variant fail; a base it
    does not know cannot be judged and is reported as undecided rather than passed.

    ## Why it matters
    `python:3.11` is about 1 GB with compilers and hundreds of packages the service never uses; each
    of them is in the vulnerability scan and in every pull during a scale-out.

    ## How to fix
    Use the `-slim` variant (and a build stage for anything that needs compilers).

    ## Example
    ```dockerfile
    FROM python:3.11-slim
    ```
    """
    hits: list[Hit] = []
    unsure: list[Hit] = []
    for df in facts.docker.dockerfiles:
        root = _root_stage(df, df.final)
        base = root.base_resolved
        if base is None:
            unsure.append(
                Hit(
                    f"The final base `{root.base}` depends on an ARG with no default.",
                    (at(df.path, root.line),),
                )
            )
            continue
        name, tag, _ = _image_parts(base)
        if name == "scratch" or _MINIMAL.search(f"{name}:{tag or ''}"):
            continue
        short = name.removeprefix("docker.io/").removeprefix("library/")
        if short in _KNOWN_FULL:
            hits.append(
                Hit(
                    f"The final image is built on the full `{base}` image.",
                    (at(df.path, root.line),),
                )
            )
        else:
            unsure.append(
                Hit(
                    f"Cannot tell whether `{base}` is a minimal image.",
                    (at(df.path, root.line),),
                    confidence=Confidence.LOW,
                )
            )
    return _decide(facts, hits, unsure, "Every final image is built on a minimal base.", "Full base images")


# -- trusted source ---------------------------------------------------------------------------------

_TRUSTED_SOURCES = (
    "gcr.io/distroless/",
    "cgr.dev/chainguard/",
    "mcr.microsoft.com/",
    "public.ecr.aws/docker/library/",
    "registry.access.redhat.com/",
    "nvcr.io/nvidia/",
    "pytorch/",
    "tensorflow/",
    "nvidia/",
    "continuumio/",
    "bitnami/",
)
"""Official images (Docker Hub's library, and its mirror on ECR Public), vendors' own registries and
Docker Hub namespaces of verified publishers."""


class TrustedBaseOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    trusted: tuple[str, ...] = _TRUSTED_SOURCES
    """Image name prefixes trusted besides Docker Hub's official images (`library/`, no namespace).
    Add the team's own registry (`registry.example.com/`) to build on its internal bases."""
    asked: bool = False
    """Judge it on every pull request. A checklist line this check decides asks it for that line."""


@check(
    id="dockerfile-base-trusted",
    title="Base images come from a trusted source",
    category="container",
    severity=Severity.MEDIUM,
    level=Level.SILVER,
    applies_when="asked (options.asked or a checklist line), and the repository has a Dockerfile",
    remediation="Build FROM an official image (python:3.12-slim) or a vendor's own (gcr.io/distroless, cgr.dev/chainguard), or add the team's registry to options.trusted.",
    options=TrustedBaseOptions,
)
def dockerfile_base_trusted(facts: Facts, options: TrustedBaseOptions) -> Decision:
    """
    ## What it checks
    That every `FROM` (build stages too: what they compile ends up in the image) names an official
    Docker Hub image (`python`, `library/python`, `docker.io/python`), its ECR Public mirror, or an image
    under a trusted prefix: vendors' registries (gcr.io/distroless, cgr.dev/chainguard,
    mcr.microsoft.com, registry.access.redhat.com, nvcr.io/nvidia) and verified publishers' namespaces
    (pytorch, tensorflow, nvidia, continuumio, bitnami), plus whatever `trusted` adds. References to
    earlier stages and `scratch` are exempt; a base that depends on an ARG without a default is
    undecided. It judges only when asked (`asked`, or a checklist line it decides): a team building on
    its own registry's bases would otherwise be told so on every pull request.

    ## Why it matters
    A base image runs as the first layer of every container: an image from someone's personal Docker
    Hub account can change under the same tag, or carry a miner, and the service inherits it.

    ## How to fix
    Switch to the official or vendor image, or mirror the base into the team's registry and trust that.

    ## Example
    ```yaml
    checks:
      dockerfile-base-trusted:
        options:
          trusted: ["registry.example.com/base/", "gcr.io/distroless/"]
    ```
    """
    if not options.asked:
        return not_applicable(NOT_ASKED)
    hits: list[Hit] = []
    unsure: list[Hit] = []
    for df in facts.docker.dockerfiles:
        stages: set[str] = set()
        for stage in df.stages:
            if stage.base.lower() in stages or stage.base.lower() == "scratch":
                pass
            elif stage.base_resolved is None:
                unsure.append(
                    Hit(f"`FROM {stage.base}` depends on an ARG with no default.", (at(df.path, stage.line),))
                )
            elif not _trusted(stage.base_resolved, options.trusted):
                hits.append(
                    Hit(
                        f"`FROM {stage.base_resolved}` is neither an official image nor under a trusted prefix.",
                        (at(df.path, stage.line),),
                    )
                )
            if stage.name:
                stages.add(stage.name.lower())
    return _decide(
        facts, hits, unsure, "Every base image is official or from a trusted source.", "Untrusted base images"
    )


def _trusted(image: str, trusted: tuple[str, ...]) -> bool:
    name, _, _ = _image_parts(image)
    name = name.lower().removeprefix("docker.io/").removeprefix("index.docker.io/")
    if name.startswith("library/") or "/" not in name:
        return True  # Docker Hub's official images
    return name.startswith(("public.ecr.aws/docker/library/", *(t.lower() for t in trusted)))
