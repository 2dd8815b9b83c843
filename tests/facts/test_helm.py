"""Helm templates read line for line with their chart's values.yaml, without Helm."""

from __future__ import annotations

import time
from pathlib import Path

import yaml

from gate.facts.helm import Chart, render
from gate.facts.kubernetes import collect_kubernetes
from gate.snapshot import Snapshot
from tests.conftest import write_tree

CHART = Chart(
    "deploy/api", "api", {"on": True, "off": False, "name": "x", "probe": {"path": "/ready"}}, "1.0.0"
)


def _read(template: str) -> object:
    rendered = render(template, CHART)
    assert rendered is not None
    assert rendered.count("\n") == template.count("\n"), "lines stay where the template has them"
    return yaml.safe_load(rendered)


def test_branches_follow_the_values_and_else_takes_what_if_left() -> None:
    template = "a:\n  {{- if .Values.off }}\n  b: 1\n  {{- else if .Values.on }}\n  b: 2\n  {{- else }}\n  b: 3\n  {{- end }}\n"
    assert _read(template) == {"a": {"b": 2}}


def test_and_or_not_and_with_are_read_and_a_range_is_left_out() -> None:
    template = (
        "{{- if and .Values.on (not .Values.off) }}\n"  # a parenthesised term cannot be read: first branch kept
        "a: {{ .Values.name | quote }}\n"
        "{{- end }}\n"
        "{{- with .Values.probe }}\n"
        "p: {{- toYaml . | nindent 2 }}\n"
        "{{- end }}\n"
        "{{- range .Values.hosts }}\n"
        "h: {{ . }}\n"
        "{{- end }}\n"
    )
    assert _read(template) == {"a": "x", "p": {"path": "/ready"}}


def test_a_control_in_the_middle_of_a_line_is_not_guessed() -> None:
    assert render("a: {{ if .Values.on }}1{{ else }}2{{ end }}\n", CHART) is None


def test_a_line_of_unclosed_braces_is_read_in_linear_time() -> None:
    start = time.monotonic()
    assert render("a: " + "{{ .Values.name " * 50_000 + "\n", CHART) is None
    assert time.monotonic() - start < 2


def test_each_template_is_listed_as_read_with_values_or_as_skipped(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "chart/Chart.yaml": "apiVersion: v2\nname: api\nversion: 0.1.0\n",
            "chart/values.yaml": "replicas: 3\n",
            "chart/templates/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  replicas: {{ .Values.replicas }}\n",
            "chart/templates/odd.yaml": "apiVersion: v1\nkind: ConfigMap\ndata: {a: {{ if .Values.x }}1{{ end }}}\n",
            "loose/templated.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ .Values.name }}}\n",
        },
    )
    facts = collect_kubernetes(Snapshot.load(tmp_path))
    assert facts.from_helm == ("chart/templates/deployment.yaml",)
    assert sorted(facts.templated) == ["chart/templates/odd.yaml", "loose/templated.yaml"]
    (deployment,) = facts.of_kind("Deployment")
    assert deployment.data["spec"]["replicas"] == 3 and deployment.line_at("spec", "replicas") == 5
