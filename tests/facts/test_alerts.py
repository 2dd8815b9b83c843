"""Alert rules read line by line (gate/facts/alerts.py): rule files, PrometheusRule, Helm templates."""

from __future__ import annotations

from gate.facts.alerts import rules_in

HELM = """\
{{- if .Values.alerts.enabled }}
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: {{ include "scorer.fullname" . }}
spec:
  groups:
    - name: scorer
      rules:
        - alert: ScorerDown
          expr: absent(up{job="{{ .Release.Name }}"} == 1)
          for: {{ .Values.alerts.downFor }}
          labels: {severity: critical, team: ml}
        - alert: ScorerErrors
          expr: >-
            sum(rate(http_requests_total{status=~"5.."}[5m]))
            / sum(rate(http_requests_total[5m])) > 0.05
          labels:
            severity: "warning"
{{- end }}
"""


def test_rules_in_a_helm_template_with_block_expressions_and_flow_labels() -> None:
    rules = rules_in("chart/templates/alerts.yaml", HELM)
    assert [(r.name, r.line, r.severity) for r in rules] == [
        ("ScorerDown", 10, "critical"),
        ("ScorerErrors", 14, "warning"),
    ]
    assert rules[0].duration == "{{ .Values.alerts.downFor }}"
    assert rules[1].expr.endswith("/ sum(rate(http_requests_total[5m])) > 0.05")


def test_an_entry_ends_at_the_next_item_and_keys_of_a_later_entry_are_not_borrowed() -> None:
    text = "rules:\n  - alert: A\n    expr: up == 0\n  - alert: B\n  - record: job:rate5m\n    expr: rate(x[5m])\n"
    rules = rules_in("r.yml", text)
    assert [(r.name, r.expr) for r in rules] == [("A", "up == 0"), ("B", "")]


def test_nested_entries_and_long_lines_are_read_in_bounded_time() -> None:
    # each entry nested in the one before: every entry would otherwise read all the lines after it
    nested = "".join(" " * (i % 1_500) + "- alert: A\n" for i in range(20_000))
    assert len(rules_in("deep.yml", nested)) == 20_000
    long = "- alert: X\n  expr: " + "1" * 100_000 + " > 0\n"
    assert rules_in("long.yml", long)[0].expr == ""
