"""no-hardcoded-secrets: credentials, not words; relaxed where dummies live."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from gate.config import Config
from gate.engine import evaluate
from gate.facts.secrets import example_password, not_a_secret
from gate.model import CheckResult, Outcome, Severity

REAL = 'DB_PASSWORD = "x9$Kq2!vLm7#Tz4p"\n'  # prodgate: ignore[no-hardcoded-secrets] a fixture value


def _result(root: Path, config: Config | None = None) -> CheckResult:
    report = evaluate(root, config or Config(), offline=True)
    return next(r for r in report.results if r.check_id == "no-hardcoded-secrets")


def test_a_real_looking_password_in_service_code_blocks(make_tree: Callable[..., Path]) -> None:
    result = _result(make_tree({"app/settings.py": REAL}))
    assert result.outcome is Outcome.FAIL and result.severity is Severity.CRITICAL and result.blocking


def test_the_same_value_in_tests_docs_or_an_example_is_reported_low_and_does_not_block(
    make_tree: Callable[..., Path],
) -> None:
    root = make_tree({"tests/test_db.py": REAL, "docs/setup.md": REAL, "config/settings.example.py": REAL})
    result = _result(root)
    assert result.outcome is Outcome.FAIL and result.severity is Severity.LOW and not result.blocking
    assert len(result.findings) == 3


def test_relaxed_paths_and_severity_are_the_teams_to_set(make_tree: Callable[..., Path]) -> None:
    root = make_tree({"tests/test_db.py": REAL})
    strict = Config.model_validate({"checks": {"no-hardcoded-secrets": {"options": {"relaxed_paths": []}}}})
    assert _result(root, strict).blocking


@pytest.mark.parametrize(
    ("value", "line", "kind", "expected"),
    [
        ("postgres", "POSTGRES_PASSWORD: postgres", "Secret Keyword", True),
        ("fraud", "POSTGRES_PASSWORD: fraud", "Secret Keyword", True),
        ("No API key provided.", 'NO_API_KEY = "No API key provided."', "Secret Keyword", True),
        ("dev-jwt-secret", 'JWT = "dev-jwt-secret"', "Secret Keyword", True),
        ("your-key-here", 'KEY = "your-key-here"', "Secret Keyword", True),
        ("not-needed", 'OPENAI_API_KEY = "not-needed"', "Secret Keyword", True),
        ("app", "postgresql://app:app@db/app", "Basic Auth Credentials", True),
        ("admin-password", 'ADMIN_PASSWORD = "admin-password"', "Secret Keyword", True),
        ("minio_pass", "AWS_SECRET_ACCESS_KEY=minio_pass", "Secret Keyword", False),
        ("ledger_password", "POSTGRES_PASSWORD: ledger_password", "Secret Keyword", True),
        (
            "ledger_password",
            "postgresql://ledger_user:ledger_password@db/ledger",
            "Basic Auth Credentials",
            True,
        ),
        ("q7x2_password", "POSTGRES_PASSWORD: q7x2_password", "Secret Keyword", False),
        ("s3cr3t-Pr0d", 'PASSWORD = "s3cr3t-Pr0d"', "Secret Keyword", False),
        ("Sup3rS3cretPw", "postgresql://admin:Sup3rS3cretPw@db/app", "Basic Auth Credentials", False),
        ("ghp", "token ghp_R7bN1xQ9vLw2KpT5zY8mC3dF6hJ0sA4eG1iU", "GitHub Token", False),
        # read from the environment where the file is used: only a default written here can leak
        ("{env:DB_PASSWORD:password}", "DB_PASSWORD={env:DB_PASSWORD:password}", "Secret Keyword", True),
        ("{env:DB_PASSWORD}", "DB_PASSWORD={env:DB_PASSWORD}", "Secret Keyword", True),
        (
            "password}",
            "  DB_PASSWORD={env:DB_PASSWORD:password}",
            "Secret Keyword",
            True,
        ),  # as read in tox.ini
        ("${API_TOKEN:-changeme}", "API_TOKEN=${API_TOKEN:-changeme}", "Secret Keyword", True),
        ("${API_TOKEN:-s3cr3t-Pr0d}", "API_TOKEN=${API_TOKEN:-s3cr3t-Pr0d}", "Secret Keyword", False),
    ],
)
def test_what_counts_as_a_credential(value: str, line: str, kind: str, expected: bool) -> None:
    assert not_a_secret(value, line, kind) is expected


def test_an_environment_reference_in_tox_ini_is_judged_by_its_default(make_tree: Callable[..., Path]) -> None:
    stock = (
        "[testenv]\nsetenv =\n  DB_PASSWORD={env:DB_PASSWORD:password}\n  DB_HOST={env:DB_HOST:localhost}\n"
    )
    assert _result(make_tree({"tox.ini": stock})).outcome is not Outcome.FAIL
    chosen = "[testenv]\nsetenv =\n  DB_PASSWORD={env:DB_PASSWORD:x9Kq2vLm7Tz4pQ}\n"  # prodgate: ignore[no-hardcoded-secrets] a fixture value
    assert _result(make_tree({"tox.ini": chosen})).outcome is Outcome.FAIL


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("SecureP@ss123", True),
        ("Password123!", True),
        ("wrongpassword", True),
        ("AnotherPass1!", True),
        ("admin123", True),
        ("Tr0ub4dor&3", False),
        ("hunter2", False),
        ("x9Kq2vLm7Tz4", False),
    ],
)
def test_example_passwords_are_stock_words_with_digits(value: str, expected: bool) -> None:
    assert example_password(value) is expected


def test_examples_in_docs_and_tests_are_not_findings_but_the_same_value_in_service_code_is(
    make_tree: Callable[..., Path],
) -> None:
    # a signed-up user in a guide, a login in a test; a token cut short; a JWT signed with a word
    sample = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTEiLCJleHAiOjk5OTk5OTk5OTl9"
    guide = (
        '    {"email": "ana@example.org", "password": "SecureP@ss123"}\n'
        '    {"api_key": "mlp_live_4f9a1c...", "note": "shown once"}\n'
        f"    Authorization: Bearer {sample}.signature\n"
    )
    tests = 'LOGIN = {"email": "ana@example.org", "password": "AnotherPass1!"}\n'
    root = make_tree({"docs/auth.md": guide, "tests/test_login.py": tests, "app/main.py": "x = 1\n"})
    assert _result(root).outcome is Outcome.PASS
    live = make_tree({"app/settings.py": 'ADMIN_PASSWORD = "SecureP@ss123"\n'})
    result = _result(live)
    assert result.outcome is Outcome.FAIL and result.severity is Severity.CRITICAL


def test_a_piped_run_is_reported_without_quoting_the_token_it_carries(make_tree: Callable[..., Path]) -> None:
    token = "ghp_" + "Zq8xR2mV7kL4pN9sT1wY6bC3dF5hJ0aE"
    dockerfile = f'FROM python:3.12-slim\nRUN curl -fsSL -H "Authorization: token {token}" https://x.example/m.tgz | tar -xz\n'
    report = evaluate(make_tree({"Dockerfile": dockerfile}), Config(), offline=True)
    (pipefail,) = [r for r in report.results if r.check_id == "dockerfile-pipefail"]
    assert pipefail.outcome.value == "fail"
    assert token not in report.model_dump_json()
