"""The conformance bench's readers of the peers' test suites, on small repositories written here in each
peer's test syntax (the real suites are read from mirrors by bench/conformance.py, never in tests), and
the mapping every figure depends on."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bench.peers import hadolint, kubescore, zizmor
from bench.peers.cases import AGREE, DOCUMENTED, Case, Rule, judge, with_context
from gate.checks import REGISTRY
from tests.conftest import git_repo

MAPPING = yaml.safe_load((Path(__file__).resolve().parents[2] / "bench/peers/mapping.yaml").read_text())
PEERS = ("hadolint", "kube-score", "zizmor", "checkov")

HADOLINT_SPEC = """spec = do
  let ?config = def
  describe "DL3042 - pip cache" $ do
    it "plain pip keeps its cache" $ do
      ruleCatches "DL3042" "RUN pip install flask"
      onBuildRuleCatches "DL3042" "RUN pip install flask"
    it "no cache dir" $ ruleCatchesNot "DL3042" "RUN pip install --no-cache-dir \\"flask\\""
    it "set in a stage" $
      let dockerFile =
            [ "FROM python:3.12 AS base",
              "ENV PIP_NO_CACHE_DIR=1",
              "RUN pip install flask"
            ]
       in ruleCatchesNot "DL3042" $ Text.unlines dockerFile
"""


def test_hadolint_specs_become_one_case_per_assertion_without_the_onbuild_copies(tmp_path: Path) -> None:
    repo = git_repo(tmp_path / "hadolint", {"test/Hadolint/Rule/DL3042Spec.hs": HADOLINT_SPEC})
    cases = hadolint.cases(repo, {"DL3042"})
    assert [(c.peer_fails, c.files["Dockerfile"]) for c in cases] == [
        (True, "RUN pip install flask\n"),
        (False, 'RUN pip install --no-cache-dir "flask"\n'),
        (False, "FROM python:3.12 AS base\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask\n"),
    ]


KUBE_SCORE_TEST = """package score
// a comment that names testExpectedScore(t, "x.yaml", "Pod Probes", scorecard.GradeCritical) is not a case
func TestProbes(t *testing.T) {
	testExpectedScore(t, "probes-missing.yaml", "Pod Probes", scorecard.GradeCritical)
	testExpectedScore(t, "probes-set.yaml", "Pod Probes", scorecard.GradeAllOK)
	testExpectedScore(t, "skipped.yaml", "Pod Probes", 0)
	testExpectedScoreWithConfig(t, []ks.NamedReader{testFile("probes-set.yaml")}, nil, &config.RunConfiguration{
		MinReplicasDeployment: 3,
	}, "Pod Probes", scorecard.GradeWarning)
}
"""


def test_kube_score_tests_become_graded_cases_with_their_settings(tmp_path: Path) -> None:
    files = {
        "score/probes_test.go": KUBE_SCORE_TEST,
        "score/testdata/probes-missing.yaml": "kind: Pod\n",
        "score/testdata/probes-set.yaml": "kind: Pod\nmetadata: {name: a}\n",
        "score/testdata/skipped.yaml": "kind: Pod\n",
    }
    cases = kubescore.cases(git_repo(tmp_path / "ks", files), {"Pod Probes"})
    assert [(c.files.popitem()[0], c.peer_fails, c.peer_config) for c in cases] == [
        ("k8s/probes-missing.yaml", True, ""),
        ("k8s/probes-set.yaml", False, ""),
        ("k8s/probes-set.yaml", True, "MinReplicasDeployment: 3"),
    ]


ZIZMOR_TEST = """#[test]
fn artipacked() -> Result<()> {
    insta::assert_snapshot!(
        zizmor().input(input_under_test("artipacked.yml")).run()?,
        @"
    warning[artipacked]: credential persistence through GitHub Actions artifacts
     --> @@INPUT@@:9:9
      |
    9 |       - uses: actions/checkout@v4
      |         ^^^^^^^^^^^^^^^^^^^^^^^^^ does not set persist-credentials: false
      |
      = note: audit confidence → Low

    help[unpinned-uses]: unpinned action reference
     --> @@INPUT@@:9:9

    2 findings: 0 informational, 1 low, 1 medium, 0 high
    "
    );
    insta::assert_snapshot!(
        zizmor().input(input_under_test("artipacked.yml")).args(["--persona=auditor"]).run()?,
        @"No findings to report. Good job!"
    );
    Ok(())
}
"""


def test_zizmor_snapshots_become_cases_of_the_audit_under_test_only(tmp_path: Path) -> None:
    files = {
        "crates/zizmor/tests/integration/audit/artipacked.rs": ZIZMOR_TEST,
        "crates/zizmor/tests/integration/test-data/artipacked.yml": "on: push\n",
    }
    cases = zizmor.cases(git_repo(tmp_path / "zizmor", files), {"artipacked"})
    assert [(list(c.files), c.peer_fails, c.lines, c.peer_config) for c in cases] == [
        ([".github/workflows/artipacked.yml"], True, (9,), ""),
        ([".github/workflows/artipacked.yml"], False, (), "--persona=auditor"),
    ]


def test_every_mapped_rule_names_a_check_and_every_difference_is_in_that_checks_docs() -> None:
    for peer in PEERS:
        for rule, m in MAPPING[peer].items():
            assert m["check"] in REGISTRY, f"{peer} {rule}: no check {m['check']}"
            re.compile(m.get("aspect", ""))
    for d in MAPPING["differences"]:
        check = MAPPING[d["peer"]][d["rule"]]["check"]
        assert d["rule"] in REGISTRY[check].docs, f"{d['peer']} {d['rule']}: not in {check}'s docs"
        assert d["why"]


def test_a_case_is_judged_by_prodgate_and_a_documented_difference_is_not_agreement() -> None:
    rule = Rule(check="dockerfile-pip-no-cache", context=("from",))
    falsy = with_context(
        Case(
            "hadolint",
            "DL3042",
            "falsy values",
            {"Dockerfile": "ENV PIP_NO_CACHE_DIR=0\nRUN pip install flask\n"},
            True,
        ),
        rule,
    )
    assert falsy.added == ("FROM line",) and falsy.files["Dockerfile"].startswith("FROM ")
    differences = [{"peer": "hadolint", "rule": "DL3042", "case": "falsy", "why": "pip"}]
    assert judge(falsy, rule, differences).verdict == DOCUMENTED
    plain = with_context(
        Case("hadolint", "DL3042", "plain", {"Dockerfile": "RUN pip install flask\n"}, True), rule
    )
    assert judge(plain, rule, differences).verdict == AGREE
