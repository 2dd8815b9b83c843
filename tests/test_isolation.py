"""Subprocesses start isolated: not from the repository, not with its modules, not with a token."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gate.isolation import isolated_env, run_python

PROBE = (
    "import json, os, sys; print(json.dumps({'cwd': os.getcwd(), 'path': sys.path, 'env': dict(os.environ)}))"
)


def test_the_environment_is_an_allow_list() -> None:
    environ = {
        "GITHUB_TOKEN": "ghp_x",
        "INPUT_GITHUB-TOKEN": "ghp_y",
        "ACTIONS_RUNTIME_TOKEN": "z",
        "AWS_SECRET_ACCESS_KEY": "k",
        "PIP_INDEX_URL": "https://attacker.example/simple",
        "PYTHONPATH": "/work/repo",
        "HTTPS_PROXY": "http://proxy:3128",
        "SSL_CERT_FILE": "/etc/ssl/certs/ca.pem",
    }
    env = isolated_env(environ, "/tmp/home")
    assert env["HTTPS_PROXY"] == "http://proxy:3128"
    assert env["SSL_CERT_FILE"] == "/etc/ssl/certs/ca.pem"
    assert env["HOME"] == "/tmp/home"
    for name in ("GITHUB_TOKEN", "INPUT_GITHUB-TOKEN", "ACTIONS_RUNTIME_TOKEN", "AWS_SECRET_ACCESS_KEY"):
        assert name not in env
    assert "PIP_INDEX_URL" not in env and "PYTHONPATH" not in env


def test_a_subprocess_sees_no_token_no_repository_and_an_empty_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    marker = tmp_path / "EXECUTED"
    (repo / "json.py").write_text(f"open({str(marker)!r}, 'w').close()\n", encoding="utf-8")
    monkeypatch.chdir(repo)
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_secret")
    monkeypatch.setenv("PYTHONPATH", str(repo))
    proc = run_python(["-c", PROBE], timeout=30)
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout)
    assert not marker.exists()
    assert "GITHUB_TOKEN" not in seen["env"]
    assert Path(seen["cwd"]) != repo and not Path(seen["cwd"]).exists()  # removed afterwards
    assert str(repo) not in seen["path"] and "" not in seen["path"]
