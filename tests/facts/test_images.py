"""Linking images to the Dockerfiles that build them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from gate.facts import collect
from gate.facts.images import repository
from gate.snapshot import Snapshot

DF = "FROM python:3.11-slim\n"


def test_repository_strips_tags_and_digests() -> None:
    assert repository("ghcr.io/org/api:1.2@sha256:abc") == "ghcr.io/org/api"
    assert repository("localhost:5000/api") == "localhost:5000/api"
    assert repository("Redis") == "redis"


def test_links_from_compose_workflows_and_folders(make_tree: Callable[..., Path]) -> None:
    root = make_tree(
        {
            "services/scoring/Dockerfile": DF,
            "docker/worker.Dockerfile": DF,
            "web/Dockerfile": DF,
            "compose.yaml": "services:\n  web:\n    build: {context: web}\n    image: registry.example/web-ui\n",
            ".github/workflows/build.yml": (
                "on: push\njobs:\n  b:\n    runs-on: x\n    steps:\n"
                "      - run: |\n          docker build --tag ghcr.io/example/worker:${{ github.sha }} \\\n            -t ghcr.io/example/worker:edge -f docker/worker.Dockerfile .\n"
                "      - uses: docker/build-push-action@v6\n        with:\n          context: services/scoring\n          tags: ghcr.io/example/scoring-api:1.0,ghcr.io/example/scoring-api:latest\n"
            ),
        }
    )
    links = collect(Snapshot.load(root)).images

    def built_by(image: str) -> str | None:
        link = links.dockerfile_for(image)
        return link[0] if link else None

    assert built_by("registry.example/web-ui:3") == "web/Dockerfile"
    assert built_by("ghcr.io/example/worker:1.0") == "docker/worker.Dockerfile"
    assert built_by("ghcr.io/example/scoring-api@sha256:00") == "services/scoring/Dockerfile"
    assert built_by("example/scoring:2") == "services/scoring/Dockerfile"  # the folder name
    assert links.dockerfile_for("postgres:16") is None
    assert links.only_dockerfile is None


def test_the_only_dockerfile_builds_private_images_only(make_tree: Callable[..., Path]) -> None:
    links = collect(Snapshot.load(make_tree({"Dockerfile": DF}))).images
    assert links.dockerfile_for("ghcr.io/example/anything:1") == (
        "Dockerfile",
        "the repository's only Dockerfile",
    )
    assert links.dockerfile_for("redis:7") is None


def test_a_public_image_is_not_tied_to_a_folder_of_its_name(make_tree: Callable[..., Path]) -> None:
    root = make_tree(
        {
            "nginx/Dockerfile": "FROM nginx:1.27-alpine\nCOPY site.conf /etc/nginx/conf.d/\n",
            "api/Dockerfile": DF,
            "compose.yaml": "services:\n  proxy:\n    image: nginx:alpine\n  api:\n    image: example/api:1\n",
        }
    )
    links = collect(Snapshot.load(root)).images
    assert links.dockerfile_for("nginx:alpine") is None  # the stock image, whatever nginx/ holds
    assert links.dockerfile_for("example/nginx:2") == (
        "nginx/Dockerfile",
        "the folder name of nginx/Dockerfile",
    )
    assert links.dockerfile_for("example/api:1") == ("api/Dockerfile", "the folder name of api/Dockerfile")
