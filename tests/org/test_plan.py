"""`prodgate org plan` against the loopback GitHub: real pagination, real PyGithub, real HTTP."""

from __future__ import annotations

import io
import json
import math
from typing import Any

import pytest

from gate.cli import main
from gate.org.plan import MAX_JOBS, Plan, Service, chunk_size
from tests.github_fake import FakeGitHub, org_repo


def _plan(github: FakeGitHub, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, dict[str, Any], str]:
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_" + "x" * 36)
    out, err = io.StringIO(), io.StringIO()
    code = main(["org", "plan", *args, "--api-url", github.url, "--pause", "0"], out=out, err=err)
    return code, json.loads(out.getvalue()) if code == 0 else {}, err.getvalue()


def _services(matrix: dict[str, Any]) -> list[str]:
    return [f"{s['repo']}:{s['path']}" for job in matrix["include"] for s in job["services"]]


def _calls(github: FakeGitHub) -> list[str]:
    return [p for m, p, _ in github.requests if m == "GET"]


def _organisation(count: int) -> list[dict[str, Any]]:
    repos = []
    for n in range(count):
        repos.append(
            org_repo(
                "acme",
                f"svc-{n:04d}",
                archived=n % 10 == 0,
                fork=n % 15 == 0,
                topics=["ml"] if n % 3 == 0 else ["web"],
                language="Go" if n % 7 == 0 else "Python",
            )
        )
    return repos


def test_every_page_of_1200_repositories_is_read_and_filtered_from_the_listing(
    github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    github.org_repos = [*_organisation(1200), org_repo("other", "elsewhere", topics=["ml"])]
    code, matrix, err = _plan(
        github, monkeypatch, "acme", "--topic", "ml", "--language", "python", "--chunk", "7"
    )
    assert code == 0, err
    expected = [f"acme/svc-{n:04d}:." for n in range(1200) if n % 10 and n % 15 and n % 3 == 0 and n % 7]
    assert _services(matrix) == expected
    assert all(len(job["services"]) <= 7 for job in matrix["include"])
    assert [job["chunk"] for job in matrix["include"]] == list(range(1, len(matrix["include"]) + 1))
    assert _calls(github) == ["/orgs/acme/repos"] * 12  # 12 pages of 100, no tree read, nothing else


def test_archived_repositories_and_forks_are_left_out_unless_asked(
    github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    github.org_repos = _organisation(40)
    _, default, _ = _plan(github, monkeypatch, "acme")
    _, everything, _ = _plan(github, monkeypatch, "acme", "--archived", "--forks", "--name", "svc-00[0-3]?")
    assert "acme/svc-0000:." not in _services(default) and "acme/svc-0015:." not in _services(default)
    assert len(_services(default)) == 40 - len({n for n in range(40) if n % 10 == 0 or n % 15 == 0})
    assert _services(everything) == [f"acme/svc-{n:04d}:." for n in range(40)]


def test_services_are_found_in_trees_read_only_when_asked(
    github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    github.org_repos = [
        org_repo("acme", "platform"),
        org_repo("acme", "churn", default_branch="trunk"),
        org_repo("acme", "docs"),
        org_repo("acme", "empty"),
        org_repo("acme", "fraud model"[:5], topics=["ml"]),
    ]
    github.trees = {
        "acme/platform": [
            "services/api/Dockerfile",
            "services/api/app.py",
            "services/batch job/Dockerfile",
            "README.md",
        ],
        "acme/churn": ["model/churn.joblib", "serve.py"],
        "acme/docs": ["README.md", "docs/index.md"],
        "acme/fraud": ["Dockerfile", "app.py", "worker/Dockerfile"],
    }
    code, matrix, err = _plan(
        github, monkeypatch, "acme", "--needs", "dockerfile", "--needs", "model", "--services"
    )
    assert code == 0, err
    assert _services(matrix) == [
        "acme/churn:.",
        "acme/fraud:.",
        "acme/fraud:worker",
        "acme/platform:services/api",
        "acme/platform:services/batch job",  # a folder name with a space stays one value in JSON
    ]
    churn = next(s for job in matrix["include"] for s in job["services"] if s["repo"] == "acme/churn")
    assert churn["branch"] == "trunk"
    # one listing page, then one tree per repository that passed the listing's filters
    assert len(_calls(github)) == 1 + 5
    github.requests.clear()
    _plan(github, monkeypatch, "acme")
    assert _calls(github) == ["/orgs/acme/repos"]


def test_the_calls_for_1000_repositories_are_bounded_and_counted(
    github: FakeGitHub, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    github.org_repos = [org_repo("acme", f"r{n:04d}") for n in range(1000)]
    github.trees = {f"acme/r{n:04d}": ["Dockerfile"] if n % 2 else ["README.md"] for n in range(1000)}
    written = tmp_path / "plan.json"
    code, matrix, err = _plan(github, monkeypatch, "acme", "--needs", "dockerfile", "--output", str(written))
    assert code == 0, err
    plan = Plan.model_validate_json(written.read_text())
    assert plan.api_calls == len(_calls(github)) == 10 + 1000  # ceil(1000/100) pages + one tree each
    assert len(_services(matrix)) == 500


def test_a_rate_limit_is_waited_out(github: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> None:
    github.org_repos = [org_repo("acme", f"r{n}") for n in range(3)]
    github.fail("GET", r"^/orgs/acme/repos$", 403, headers={"X-RateLimit-Remaining": "0", "Retry-After": "1"})
    code, matrix, err = _plan(github, monkeypatch, "acme")
    assert code == 0, err
    assert len(_services(matrix)) == 3
    assert _calls(github) == ["/orgs/acme/repos", "/orgs/acme/repos"]


def test_an_empty_repository_is_named_in_the_plan_not_fatal(
    github: FakeGitHub, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    github.org_repos = [org_repo("acme", "empty"), org_repo("acme", "api")]
    github.trees = {"acme/api": ["Dockerfile"]}
    written = tmp_path / "plan.json"
    code, matrix, _ = _plan(github, monkeypatch, "acme", "--services", "--output", str(written))
    assert code == 0 and _services(matrix) == ["acme/api:."]
    assert Plan.model_validate_json(written.read_text()).skipped == (
        "acme/empty: its tree could not be read (HTTP 409)",
    )


def test_the_same_organisation_gives_the_same_plan(
    github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    repos = _organisation(250)
    github.org_repos = list(reversed(repos))
    first = _plan(github, monkeypatch, "acme", "--chunk", "3")
    github.org_repos = repos
    assert _plan(github, monkeypatch, "acme", "--chunk", "3") == first


def test_a_missing_token_or_an_unknown_organisation_is_one_line(
    github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("GH_TOKEN", raising=False)
    err = io.StringIO()
    assert main(["org", "plan", "acme", "--api-url", github.url], out=io.StringIO(), err=err) == 2
    assert "set GITHUB_TOKEN" in err.getvalue() and len(err.getvalue().splitlines()) == 1
    github.fail("GET", r"^/orgs/ghost/repos$", 404, times=5)
    code, _, message = _plan(github, monkeypatch, "ghost")
    assert code == 2 and "GitHub answered 404" in message and "ghs_" not in message


@pytest.mark.parametrize("services", [0, 1, 256, 257, 2560, 5000])
def test_the_matrix_stays_within_256_jobs(services: int) -> None:
    plan = Plan(
        organization="acme",
        services=tuple(Service(repo=f"acme/r{n}", branch="main") for n in range(services)),
        chunk_size=chunk_size(services, 5),
        api_calls=1,
    )
    jobs = plan.matrix()["include"]
    assert len(jobs) <= MAX_JOBS
    assert len(jobs) == math.ceil(services / max(5, math.ceil(services / MAX_JOBS)))
    assert sum(len(job["services"]) for job in jobs) == services


def test_a_tree_refused_stops_the_plan_and_a_partial_tree_is_a_warning(
    github: FakeGitHub, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    github.org_repos = [org_repo("acme", f"r{n}") for n in range(4)] + [org_repo("acme", "empty")]
    github.trees = {f"acme/r{n}": ["Dockerfile"] for n in range(4)}
    github.fail("GET", r"^/repos/acme/r2/git/trees/", 403, times=10, headers={"Retry-After": "2400"})
    code, _, message = _plan(github, monkeypatch, "acme", "--services")
    assert code == 2 and "GitHub answered 403" in message  # not a plan of r0 and r1 only
    github.injected.clear()
    code, matrix, _ = _plan(github, monkeypatch, "acme", "--services")
    assert code == 0 and len(_services(matrix)) == 4
    assert "prodgate: warning: acme/empty: its tree could not be read (HTTP 409)" in capsys.readouterr().err


def test_test_fixtures_and_hidden_folders_are_not_services() -> None:
    from gate.org.plan import services_in

    paths = [
        ".devcontainer/Dockerfile",
        "tests/fixtures/bad/Dockerfile",
        "api/Dockerfile",
        "api/tests/Dockerfile",
        "worker/Dockerfile",
        "-legacy/Dockerfile",
    ]
    assert services_in(paths) == ["-legacy", "api", "worker"]
    assert services_in([".devcontainer/Dockerfile", "README.md"]) == ["."]


def test_a_repository_may_list_its_services_in_its_config(
    github: FakeGitHub, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    github.org_repos = [org_repo("acme", "mono"), org_repo("acme", "broken")]
    github.trees = {
        "acme/mono": [
            ".github/prodgate.yml",
            "api/app.py",
            "api/Dockerfile",
            "batch/job.py",
            "tools/Dockerfile",
        ],
        "acme/broken": [".github/prodgate.yml", "Dockerfile"],
    }
    github.org_files = {
        ("acme/mono", ".github/prodgate.yml"): "services:\n  - api\n  - batch/\n  - gone\n",
        ("acme/broken", ".github/prodgate.yml"): "services: [\n",
    }
    code, matrix, err = _plan(github, monkeypatch, "acme", "--services")
    assert code == 0, err
    # mono: the folders its config lists (tools/ has a Dockerfile but is not a service); broken: the Dockerfiles
    assert _services(matrix) == ["acme/broken:.", "acme/mono:api", "acme/mono:batch"]
    warnings = capsys.readouterr().err
    assert "acme/mono: .github/prodgate.yml lists 'gone', which holds no file" in warnings
    assert "acme/broken: its services config could not be read (acme/broken:.github/prodgate.yml:" in warnings
    assert len(_calls(github)) == 1 + 2 + 2  # the listing, two trees, two configs
