"""The vulnerability audit: real pip-audit against a loopback OSV service serving the real PyPA advisories."""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from gate.checks.vulnerabilities import (
    IgnoreEntry,
    VulnerabilityOptions,
    dependencies_no_known_vulnerabilities,
)
from gate.config import Config, VulnerabilityConfig
from gate.engine import evaluate
from gate.facts import collect
from gate.facts.dependencies import collect_dependencies
from gate.facts.vulnerabilities import AuditSettings, collect_vulnerabilities, pinned_set, severity_of
from gate.model import CheckResult, Outcome
from gate.snapshot import Snapshot
from tests.osv_server import OsvService, serve

CHECK = "dependencies-no-known-vulnerabilities"


def _audit(root: Path, url: str, cache: Path, timeout: int = 5):  # type: ignore[no-untyped-def]
    snap = Snapshot.load(root)
    settings = AuditSettings(service="osv", osv_url=url, cache_dir=cache, timeout=timeout, run_timeout=120)
    return collect_vulnerabilities(snap, collect_dependencies(snap), settings)


def _result(root: Path, **env: str) -> CheckResult:
    report = evaluate(root, Config(), environ=env or None)
    return next(r for r in report.results if r.check_id == CHECK)


def test_vulnerable_pins_are_found_with_ids_aliases_and_fixes(
    make_tree: Callable[..., Path], tmp_path: Path
) -> None:
    # aiohttp's advisories carry unquoted YAML timestamps: the service must still answer OSV's JSON
    root = make_tree({"requirements.txt": "flask==0.12.2\nrequests==2.19.0\njinja2==3.1.6\naiohttp==3.8.4\n"})
    with serve() as (url, _):
        facts = _audit(root, url, tmp_path / "c")
    assert facts.error is None and facts.not_audited == ()
    found = {(p.name, p.version): {a.id: a for a in p.advisories} for p in facts.audited}
    assert set(found[("flask", "0.12.2")]) == {"PYSEC-2018-66", "PYSEC-2019-179", "PYSEC-2023-62"}
    assert found[("flask", "0.12.2")]["PYSEC-2018-66"].fix_versions == ("0.12.3",)
    assert "CVE-2018-1000656" in found[("flask", "0.12.2")]["PYSEC-2018-66"].aliases
    assert "PYSEC-2018-28" in found[("requests", "2.19.0")]
    assert found[("jinja2", "3.1.6")] == {}
    assert "PYSEC-2023-120" in found[("aiohttp", "3.8.4")]


def test_clean_pins_pass_and_results_are_cached(make_tree: Callable[..., Path], tmp_path: Path) -> None:
    root = make_tree({"requirements.txt": "flask==3.0.3\nrequests==2.32.3\n"})
    with serve() as (url, service):
        first = _audit(root, url, tmp_path / "c")
        asked = len(service.queries)
        second = _audit(root, url, tmp_path / "c")
        assert len(service.queries) == asked == 2  # the second run asked nothing
    assert first.audited == second.audited and first.error is None


@pytest.mark.parametrize("mode", ["404", "500", "slow", "down"])
def test_service_failures_are_errors_never_passes(
    make_tree: Callable[..., Path], tmp_path: Path, mode: str
) -> None:
    root = make_tree({"requirements.txt": "flask==3.0.3\n"})
    if mode == "down":
        with socket.socket() as s:  # a port nobody listens on
            s.bind(("127.0.0.1", 0))
            url = f"http://127.0.0.1:{s.getsockname()[1]}/v1/query"
        facts = _audit(root, url, tmp_path / "c", timeout=1)
    else:
        with serve(mode, delay=3) as (url, _):
            facts = _audit(root, url, tmp_path / "c", timeout=1)
    assert facts.error and not facts.audited
    assert [n.name for n in facts.not_audited] == ["flask"]
    decision = dependencies_no_known_vulnerabilities(_facts(root, facts), VulnerabilityOptions())
    assert decision.outcome is Outcome.ERROR
    assert (
        "could not be reached" in decision.summary
        or "HTTP error" in decision.summary
        or "in time" in decision.summary
    )


def test_a_service_that_cannot_be_reached_is_one_finding_that_suggests_offline(
    make_tree: Callable[..., Path], tmp_path: Path
) -> None:
    pins = "".join(f"package-{i}==1.0.{i}\n" for i in range(40))
    root = make_tree({"requirements.txt": pins + "loose>=1\n"})
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}/v1/query"
    facts = _audit(root, url, tmp_path / "c", timeout=1)
    decision = dependencies_no_known_vulnerabilities(_facts(root, facts), VulnerabilityOptions())
    assert decision.outcome is Outcome.ERROR
    # the unpinned one keeps its own finding; the forty the service could not answer for are one
    assert len(decision.hits) == 2
    shared = next(h for h in decision.hits if "40 pinned packages" in h.message)
    assert shared.remediation is not None and "--offline" in shared.remediation
    assert decision.summary.count("could not be reached") == 1


def _facts(root: Path, vulns):  # type: ignore[no-untyped-def]
    import dataclasses

    return dataclasses.replace(collect(Snapshot.load(root)), vulnerabilities=vulns)


def test_unpinned_urls_unparsable_and_hashed_lines(make_tree: Callable[..., Path]) -> None:
    root = make_tree(
        {
            "requirements.txt": (
                "flask==3.0.3 --hash=sha256:" + "a" * 64 + "\n"
                "requests>=2\n"
                "-e .\n"
                "foo @ https://example.invalid/foo-1.0.whl\n"
                "this is ( not valid\n"
                "-r more.txt\n"
            ),
            "more.txt": "flask==0.12.2\n",
        }
    )
    result = _result(root)
    assert result.outcome is Outcome.FAIL  # flask 0.12.2 from the included file
    assert [str(f.primary) for f in result.findings] == ["more.txt:1"]
    assert "Not audited (3)" in result.summary
    assert "requests" in result.summary and "foo" in result.summary and "does not parse" in result.summary


def test_partial_audit_is_missing_evidence(make_tree: Callable[..., Path]) -> None:
    root = make_tree({"requirements.txt": "flask==3.0.3\nrequests\n"})
    result = _result(root)
    assert result.outcome is Outcome.MISSING_EVIDENCE
    assert [str(f.primary) for f in result.findings] == ["requirements.txt:2"]


def test_ignore_entries_expire(make_tree: Callable[..., Path]) -> None:
    root = make_tree({"requirements.txt": "requests==2.30.0\n"})
    facts = collect(Snapshot.load(root), audit=Config().audit_settings(os.environ), today=date(2026, 6, 1))
    vulns = {a.id for p in facts.vulnerabilities.audited for a in p.advisories}
    assert vulns == {"PYSEC-2023-74"}
    live = VulnerabilityOptions(
        ignore=(IgnoreEntry(id="CVE-2023-32681", reason="no proxies", expires=date(2026, 12, 31)),)
    )
    accepted = dependencies_no_known_vulnerabilities(facts, live)
    assert accepted.outcome is Outcome.PASS and "Accepted: PYSEC-2023-74" in accepted.summary
    gone = VulnerabilityOptions(
        ignore=(IgnoreEntry(id="PYSEC-2023-74", reason="no proxies", expires=date(2026, 5, 31)),)
    )
    counted = dependencies_no_known_vulnerabilities(facts, gone)
    assert counted.outcome is Outcome.FAIL
    assert "ignore expired on 2026-05-31" in counted.hits[0].message


def test_config_ignore_and_osv_url(tmp_path: Path, make_tree: Callable[..., Path]) -> None:
    root = make_tree({"requirements.txt": "requests==2.30.0\n"})
    config = Config(
        vulnerabilities=VulnerabilityConfig(
            ignore=({"id": "PYSEC-2023-74", "reason": "r", "expires": "2999-01-01"},)
        )
    )
    report = evaluate(root, config)
    assert next(r for r in report.results if r.check_id == CHECK).outcome is Outcome.PASS
    with serve() as (url, service):
        settings = Config(vulnerabilities=VulnerabilityConfig(service="pypi", osv_url=url)).audit_settings({})
        assert settings.service == "osv" and settings.osv_url == url  # a URL implies the osv service
        env_settings = Config().audit_settings({"PRODGATE_OSV_URL": url})
        assert env_settings.osv_url == url
        del service


def test_offline_runs_say_not_available(make_tree: Callable[..., Path]) -> None:
    root = make_tree({"requirements.txt": "flask==0.12.2\n"})
    report = evaluate(root, Config(), offline=True)
    result = next(r for r in report.results if r.check_id == CHECK)
    assert result.outcome is Outcome.NOT_AVAILABLE and "offline" in result.summary


def test_nothing_is_installed_or_executed(make_tree: Callable[..., Path], tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    root = make_tree(
        {
            "requirements.txt": (
                f"flask==0.12.2; $(touch {marker})\n"
                f"`touch {marker}`==1.0\n"
                f"--install-option=--prefix=$(touch {marker})\n"
                f"requests==2.19.0 ; python_version > '3' and os.system('touch {marker}')\n"
                "-e git+https://example.invalid/evil.git#egg=evil\n"
            ).encode()
            + b"caf\xe9==1.0\n",
        }
    )
    report = evaluate(root, Config())
    assert not marker.exists()
    site = Path(sys.prefix) / "lib"
    assert not list(site.glob("python3*/site-packages/flask")), "the audit must not install anything"
    result = next(r for r in report.results if r.check_id == CHECK)
    assert result.outcome in (Outcome.FAIL, Outcome.ERROR, Outcome.MISSING_EVIDENCE)


def test_osv_server_is_the_session_service(local_osv: OsvService) -> None:
    assert local_osv.by_id["PYSEC-2018-66"]["affected"][0]["package"]["name"] == "flask"


def test_a_huge_requirements_file_gets_a_clear_bounded_answer(
    make_tree: Callable[..., Path], tmp_path: Path
) -> None:
    lines = "".join(f"pkg-{i}==1.0.{i % 7}\n" for i in range(50_000))
    root = make_tree({"requirements.txt": "flask==0.12.2\n" + lines})
    with serve() as (url, service):
        settings = AuditSettings(service="osv", osv_url=url, cache_dir=tmp_path / "c", max_packages=50)
        snap = Snapshot.load(root)
        facts = collect_vulnerabilities(snap, collect_dependencies(snap), settings)
        assert len(service.queries) == 50
    assert len(facts.audited) == 50 and len(facts.not_audited) == 50_001 - 50
    assert all("audit limit of 50" in n.reason for n in facts.not_audited)
    assert facts.error is None


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (
            {"severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}]},
            ("high", "CVSS 7.5"),
        ),
        (
            {"severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:L/A:N"}]},
            ("medium", "CVSS 5.3"),
        ),
        (
            {"severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]},
            ("critical", "CVSS 9.8"),
        ),
        (
            {
                "severity": [{"type": "CVSS_V3", "score": "not a vector"}],
                "database_specific": {"severity": "MODERATE"},
            },
            ("medium", "advisory severity MODERATE"),
        ),
        ({"id": "PYSEC-1"}, (None, None)),
    ],
)
def test_severity_from_the_advisory(
    record: dict[str, object], expected: tuple[str | None, str | None]
) -> None:
    assert severity_of(record) == expected


def test_findings_carry_the_advisory_severity(make_tree: Callable[..., Path]) -> None:
    root = make_tree({"requirements.txt": "fastapi==0.109.0\nflask==0.12.2\n"})
    result = _result(root)
    by_path = {f.message.split(" ")[0]: f for f in result.findings}
    assert by_path["fastapi"].severity.value == "high" and "high (CVSS 7.5)" in by_path["fastapi"].message
    assert by_path["flask"].severity.value == "high"  # PYSEC entries without a rating count as high


def test_every_lock_format_is_read_with_lines(make_tree: Callable[..., Path]) -> None:
    root = make_tree(
        {
            "a/poetry.lock": (
                '[[package]]\nname = "flask"\nversion = "0.12.2"\ndescription = "x"\n\n'
                '[package.dependencies]\njinja2 = ">=2"\n\n[[package]]\nname = "jinja2"\nversion = "3.1.6"\n'
            ),
            "b/Pipfile.lock": json.dumps(
                {
                    "_meta": {},
                    "default": {"requests": {"version": "==2.19.0"}},
                    "develop": {"pytest": {"version": "==8.3.4"}},
                },
                indent=4,
            ),
            "c/pdm.lock": '[metadata]\ngroups = ["default"]\n\n[[package]]\nname = "idna"\nversion = "3.6"\n',
            "d/uv.lock": "this is [not toml\n",
        }
    )
    snap = Snapshot.load(root)
    pins, skipped = pinned_set(snap, collect_dependencies(snap))
    assert {k: [str(p.path) + ":" + str(p.line) for p in v] for k, v in pins.items()} == {
        ("flask", "0.12.2"): ["a/poetry.lock:2"],
        ("jinja2", "3.1.6"): ["a/poetry.lock:10"],
        ("requests", "2.19.0"): ["b/Pipfile.lock:4"],
        ("pytest", "8.3.4"): ["b/Pipfile.lock:9"],
        ("idna", "3.6"): ["c/pdm.lock:5"],
    }
    assert [(s.place.path, "does not parse" in s.reason or "not audited" in s.reason) for s in skipped] == [
        ("d/uv.lock", True)
    ]


def test_many_versions_of_one_package_are_one_pip_audit_run(
    make_tree: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A monorepo whose services pin 40 versions of requests: one run, not one per version."""
    import gate.facts.vulnerabilities as module
    from gate.isolation import run_python as real

    runs: list[list[str]] = []

    def counted(args: list[str], **kwargs: float) -> object:
        runs.append(list(args))
        return real(args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(module, "run_python", counted)
    root = make_tree({f"svc{i}/requirements.txt": f"requests==2.{i}.0\n" for i in range(40)})
    with serve() as (url, _):
        facts = _audit(root, url, tmp_path / "c")
    assert len(runs) == 1
    assert facts.error is None and len(facts.audited) == 40
    assert any(p.advisories for p in facts.audited if p.version == "2.19.0")


def test_the_cache_is_believed_only_when_it_is_ours_and_private(
    make_tree: Callable[..., Path], tmp_path: Path
) -> None:
    root = make_tree({"requirements.txt": "requests==2.19.0\n"})
    cache = tmp_path / "shared"
    with serve() as (url, service):
        _audit(root, url, cache)
        path = cache / "vulnerabilities-v1.json"
        assert path.stat().st_mode & 0o077 == 0, "written for this user only"
        # someone else writes "no advisories" for everything into the shared file
        forged = {k: {**v, "advisories": []} for k, v in json.loads(path.read_text()).items()}
        path.write_text(json.dumps(forged))
        path.chmod(0o666)
        asked = len(service.queries)
        facts = _audit(root, url, cache)
        assert len(service.queries) > asked, "a world-writable cache is not believed"
    assert any(p.advisories for p in facts.audited)
    assert not list(cache.glob(".vulnerabilities-*")), "no temporary file left behind"


def test_a_cache_inside_the_repository_or_dated_in_the_future_is_not_believed(
    make_tree: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pull request can ship a private, runner-owned `vulnerabilities-v1.json` of its own saying "no
    advisories"; and an entry dated in the future would never expire."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    root = make_tree({"requirements.txt": "requests==2.19.0\n"})
    with serve() as (url, service):
        _audit(root, url, tmp_path / "real")
        real = tmp_path / "real" / "vulnerabilities-v1.json"
        forged = {
            k: {"at": time.time() + 10 * 365 * 86400, "advisories": []} for k in json.loads(real.read_text())
        }
        inside = root / ".cache"
        inside.mkdir()
        (inside / "vulnerabilities-v1.json").write_text(json.dumps(forged))
        (inside / "vulnerabilities-v1.json").chmod(0o600)
        asked = len(service.queries)
        facts = _audit(root, url, inside)
        assert len(service.queries) > asked, "the repository's own cache file is not read"
        assert any(p.advisories for p in facts.audited)
        assert json.loads((inside / "vulnerabilities-v1.json").read_text()) == forged, "nothing written there"
        real.write_text(json.dumps(forged))
        real.chmod(0o600)
        asked = len(service.queries)
        facts = _audit(root, url, tmp_path / "real")
        assert len(service.queries) > asked, "an entry from the future is not believed"
    assert any(p.advisories for p in facts.audited)
