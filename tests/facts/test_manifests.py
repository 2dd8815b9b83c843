"""Oversize manifests and the like: a per-file error, and the other checks still run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from gate.config import Config
from gate.engine import evaluate
from gate.model import Outcome


def test_oversize_files_are_per_file_errors(make_tree: Callable[..., Path]) -> None:
    big = "apiVersion: v1\nkind: ConfigMap\ndata:\n" + "".join(f"  k{i}: v{i}\n" for i in range(200_000))
    root = make_tree(
        {
            "k8s/huge.yaml": big,
            "data/huge.yaml": "rows:\n" + "  - 1\n" * 400_000,  # big YAML data, not a manifest: not an error
            "compose.yaml": "services:\n  x:\n    image: a:1\n" + "#\n" * 600_000,
            "Dockerfile": 'FROM python:3.11-slim\nEXPOSE 8000\nCMD ["uvicorn", "app:app"]\n',
        }
    )
    report = evaluate(root, Config(), offline=True)
    results = {r.check_id: r for r in report.results}
    assert results["k8s-probes"].outcome is Outcome.ERROR
    assert [str(f.primary) for f in results["k8s-probes"].findings] == ["k8s/huge.yaml:1"]
    assert results["compose-restart-policy"].outcome is Outcome.ERROR
    assert "parse cap" in results["compose-restart-policy"].findings[0].message
    assert results["dockerfile-healthcheck"].outcome is Outcome.FAIL  # the other checks still run


def test_compose_merge_tags_load_and_replace_what_they_are_merged_over() -> None:
    from gate.facts.compose import merge
    from gate.snapshot import YamlDocuments, parse_yaml_text

    base = {
        "ports": ["8000:8000"],
        "environment": {"A": "1", "B": "2"},
        "healthcheck": {"test": ["CMD", "true"]},
    }
    docs = parse_yaml_text(
        "ports: !override ['9000:9000']\nenvironment: !reset {}\nhealthcheck: !reset null\n"
    )
    assert isinstance(docs, YamlDocuments)
    assert merge(base, docs.data[0]) == {"ports": ["9000:9000"], "environment": {}, "healthcheck": None}
    # without the tags, Compose joins sequences and merges mappings
    plain = parse_yaml_text("ports: ['9000:9000']\nenvironment: {C: '3'}\n")
    assert merge(base, plain.data[0])["ports"] == ["8000:8000", "9000:9000"]


def test_pip_installs_are_read_command_by_command_with_their_options_values_left_out() -> None:
    from gate.facts.dockerfile import pip_installs

    script = (
        "apt-get install -y curl && python3 -m pip install --index-url https://x.example/simple "
        "--root-user-action ignore torch==2.4.0 'numpy<2' ; uv pip install -r req.txt gunicorn # a comment"
    )
    assert [(i.requirements, i.files) for i in pip_installs(script)] == [
        (("torch==2.4.0", "numpy<2"), False),
        (("gunicorn",), True),
    ]
    assert pip_installs("echo 'unbalanced && pip install flask") == [pip_installs("pip install flask")[0]]


def test_dockerfiles_are_known_by_their_usual_names_and_not_by_lookalikes() -> None:
    from gate.facts.dockerfile import is_dockerfile

    named = [
        "Dockerfile",
        "dockerfile",
        "Dockerfile.prod",
        "Dockerfile-gpu",
        "Dockerfile_dev",
        "api.Dockerfile",
        "api-dockerfile",
        "x/Containerfile",
    ]
    lookalikes = [
        "Dockerfile.dockerignore",
        "dockerfile_lint.py",
        "Dockerfile-notes.md",
        "dockerfile-ci.yml",
        "docker-compose.yml",
        "Dockerfiles",
    ]
    assert [n for n in named if not is_dockerfile(n)] == []
    assert [n for n in lookalikes if is_dockerfile(n)] == []


def test_a_variant_that_defines_every_service_is_judged_alone_and_a_partial_one_as_an_overlay(
    make_tree: Callable[..., Path],
) -> None:
    from gate.facts.compose import collect_compose
    from gate.snapshot import Snapshot

    base = "services:\n  api: {build: ., ports: ['8000:8000']}\n  db: {image: 'postgres:16'}\n"
    whole = "services:\n  api: {image: 'registry.example/api:1.2'}\n  db: {image: 'postgres:16.4'}\n"
    partial = "services:\n  db: {image: 'postgres:16.4', restart: always}\n"
    root = make_tree(
        {"compose.yaml": base, "docker-compose.prod.yml": whole, "docker-compose.ci.yml": partial}
    )
    facts = collect_compose(Snapshot.load(root))
    configurations = {s.configuration for s in facts.services}
    assert configurations == {
        "compose.yaml",
        "docker-compose.prod.yml",
        "compose.yaml + docker-compose.ci.yml",
    }
    (prod_api,) = [
        s for s in facts.services if s.configuration == "docker-compose.prod.yml" and s.name == "api"
    ]
    assert "ports" not in prod_api.config, "the base's ports are not the variant's"


def test_the_items_of_a_kubectl_list_are_manifests_at_their_own_lines(make_tree: Callable[..., Path]) -> None:
    from gate.facts.kubernetes import collect_kubernetes
    from gate.snapshot import Snapshot

    listed = (
        "apiVersion: v1\nkind: List\nitems:\n"
        "  - apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: api}\n"
        "  - apiVersion: v1\n    kind: Service\n    metadata: {name: api}\n"
    )
    facts = collect_kubernetes(Snapshot.load(make_tree({"k8s/all.yaml": listed})))
    assert [(m.kind, m.name, m.line) for m in facts.manifests] == [
        ("Deployment", "api", 4),
        ("Service", "api", 7),
    ]


def test_a_json_manifest_is_read_and_other_json_is_not(make_tree: Callable[..., Path]) -> None:
    from gate.facts.kubernetes import collect_kubernetes
    from gate.snapshot import Snapshot

    manifest = '{\n  "apiVersion": "apps/v1",\n  "kind": "Deployment",\n  "metadata": {"name": "api"}\n}\n'
    other = '{"name": "ui", "kind": "app", "apiVersion": "3", "scripts": {"build": "vite"}}\n'
    root = make_tree({"k8s/api.json": manifest, "package.json": '{"name": "ui"}\n', "model/card.json": other})
    facts = collect_kubernetes(Snapshot.load(root))
    assert [(m.path, m.kind, m.line) for m in facts.manifests] == [("k8s/api.json", "Deployment", 1)]


def test_facts_cut_short_by_the_budget_leave_the_dockerfile_reader_to_its_names(
    make_tree: Callable[..., Path],
) -> None:
    from gate.budget import Deadline
    from gate.facts import collect
    from gate.snapshot import Snapshot

    root = make_tree(
        {"compose.yaml": "services:\n  api: {build: .}\n", "Dockerfile": "FROM python:3.12-slim\n"}
    )
    snap = Snapshot.load(root, deadline=Deadline(1.0, at=float("inf")))
    snap.deadline = Deadline(1.0, at=0.0)  # spent before the first collector reads a file
    facts = collect(snap, offline=True)  # no collector's cut may escape as an exception
    assert facts is not None
