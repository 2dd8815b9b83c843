"""The candidate-line prefilter in front of detect-secrets: it must lose nothing detect-secrets finds."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
from detect_secrets.core.scan import scan_file
from detect_secrets.settings import transient_settings

from gate.facts import secrets as secrets_module
from gate.facts.secrets import (
    PLUGINS,
    _scan_lines,
    candidate_lines,
    candidate_plugins,
    collect_secrets,
    without_notebook_images,
)
from gate.snapshot import Snapshot

ROOT = Path(__file__).resolve().parents[2]
TREES = (ROOT / "tests" / "fixtures", ROOT / "examples")


def _texts() -> list[tuple[Path, str]]:
    found = []
    for tree in TREES:
        for path in sorted(tree.rglob("*")):
            if not path.is_file() or path.stat().st_size > 1_000_000:
                continue
            try:
                found.append((path, path.read_bytes().decode("utf-8")))
            except UnicodeDecodeError:
                continue
    return found


# prodgate's first prefilter, one regular expression tried on every line: every line it chose must still
# be a candidate (it also fed prodgate's own key-name rule)
_CANDIDATE = re.compile(
    r"AKIA|ASIA|gh[pousr]_|glpat-|xox[abprs]-|[rs]k_live_|sk-[A-Za-z0-9]{20}|PRIVATE KEY|pypi-Ag|SG\.[\w-]{16}|"
    r"eyJ[A-Za-z0-9_-]{10,512}\.|://[^/\s:@'\"]+:[^/\s:@'\"]+@|"
    r"(?i:pass(word|wd)?|secret|token|api_?key|apikey|credential|private_?key|"
    r"(signing|encryption|master|session|jwt|hmac|cipher|crypto)[-_]?key)\w{0,64}['\"]?\s*[:=]"
)


def _by_line(text: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), 1) if _CANDIDATE.search(line)]


def test_candidate_lines_keep_every_line_the_first_prefilter_matched() -> None:
    texts = _texts()
    assert len(texts) > 500
    lost = [
        str(path.relative_to(ROOT))
        for path, text in texts
        if set(_by_line(text)) - set(candidate_lines(text))
    ]
    assert lost == []


@pytest.mark.parametrize("seed", range(4))
def test_candidate_lines_on_mixed_anchors_and_line_breaks(seed: int) -> None:
    pieces = [
        "AKIA", "ghp_", "gh", "xoxb-", "rk_live_", "k_live_", "sk-", "sk-" + "a" * 20, "PRIVATE KEY",
        "pypi-Ag", "SG." + "b" * 16, "eyJ" + "c" * 12 + ".", "://", "://u:p@", "Pass", "SECRET",
        "tOkEn", "ApiKey", "private_key", "signing_key", "hmac-key", " = ", ":", "\n", "\r\n", "\r",
        "\x0b", "\x85", "\u2028", " ", "'", "x", "İ", "ß", "_", "@", "/",
    ]  # fmt: skip
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        assert set(_by_line(text)) <= set(candidate_lines(text)), repr(text)


# One line per plugin, in the shape its own pattern describes (made-up values, no real credential),
# each surrounded by lines that hold nothing: the prefilter must hand that line, and only that one
# of the three, to the plugins.
PLUGIN_LINES = {
    "AWSKeyDetector": 'aws_secret_access_key = "' + "Zq9" * 13 + 'x"',
    "ArtifactoryDetector": 'artifactory = "AKC' + "p3Rq" * 4 + '"',
    "AzureStorageKeyDetector": "conn = AccountKey=" + "Ab3+" * 22,
    "BasicAuthDetector": 'db = "postgres://svc:Wq8-rT2-zz@db.internal/scores"',
    "CloudantDetector": 'cloudant_password = "' + "0a1b2c3d" * 8 + '"',
    "DiscordBotTokenDetector": "bot = M" + "T" * 23 + ".GhIjKl." + "m" * 27,
    "GitHubTokenDetector": "token_value = ghp_" + "A1b2C3d4E5" * 3 + "f6G7h8",
    "GitLabTokenDetector": "ci_value = glpat-" + "x7Y8z9" * 4,
    "IbmCloudIamDetector": 'ibm_cloud_iam_api_key = "' + "q" * 22 + "R" * 22 + '"',
    "IbmCosHmacDetector": 'cos_hmac_secret_access_key = "' + "a1b2c3" * 8 + '"',
    "JwtTokenDetector": "auth = eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlX2J5dGVz",
    "KeywordDetector": 'if header != "t7-Qm2-Lp9" and db_password == "v8-Rk3-Wx1": pass',
    "MailchimpDetector": "mc = " + "a1" * 16 + "-us12",
    "NpmDetector": "//registry.npmjs.org/:_authToken=npm_" + "Ab12" * 9,
    "OpenAIDetector": "llm = sk-" + "a1B2" * 5 + "T3BlbkFJ" + "c3D4" * 5,
    "PrivateKeyDetector": "-----BEGIN OPENSSH PRIVATE KEY-----",
    "PypiTokenDetector": "upload = pypi-AgEIcHlwaS5vcmc" + "Ab1-" * 18,
    "SendGridDetector": "mail = SG." + "a1B2c3D4e5F" * 2 + "." + "G6h7I8j9K0l" * 4 + "mno",
    "SlackDetector": "hook = https://hooks.slack.com/services/T0AB12CD/B0EF34GH/" + "x1Y2z3" * 4,
    "SoftlayerDetector": "softlayer_api_key = " + "a1b2c3d4" * 8,
    "SquareOAuthDetector": "sq = sq0csp-" + "Ab1_" * 10 + "xyz",
    "StripeDetector": "billing = sk_live_" + "a1B2c3D4" * 3,
    "TelegramBotTokenDetector": "bot = 123456789:" + "AbC-dEf_12" * 3 + "GhIjK",
    "TwilioKeyDetector": "sms = AC" + "a1b2c3d4" * 4,
}


@pytest.mark.parametrize("plugin", sorted(PLUGIN_LINES))
def test_each_plugins_own_kind_of_line_is_a_candidate(plugin: str, tmp_path: Path) -> None:
    assert plugin in PLUGINS
    text = f"x = 1\n{PLUGIN_LINES[plugin]}\nprint('done')\n"
    path = tmp_path / "settings.py"
    path.write_text(text, encoding="utf-8")
    with transient_settings({"plugins_used": [{"name": plugin}]}):
        reported = {secret.line_number for secret in scan_file(str(path))}
    assert reported == {2}, f"the example line is not one {plugin} reports: the test would prove nothing"
    assert candidate_lines(text) == [2]
    assert plugin in candidate_plugins(text)[2]  # and the line is handed to that plugin


_KINDS: dict[str, type] = get_mapping_from_secret_type_to_class()
_TYPES = {plugin.__name__: kind for kind, plugin in _KINDS.items()}


def test_every_line_a_full_detect_secrets_scan_reports_is_a_candidate() -> None:
    """detect-secrets' own scan_file, every plugin on every line, on the fixtures and examples: each line
    it reports must be one the prefilter hands to the plugin that reported it. Findings that only its
    config-file transformers make (a continuation line reported under the key of the line above) come
    from no line's own text; prodgate does not run the transformers, so they are listed apart."""
    missed = []
    reported = 0
    transformed = []
    with transient_settings({"plugins_used": [{"name": p} for p in PLUGINS]}):
        for path, text in _texts():
            routes = candidate_plugins(text)
            lines = text.splitlines()
            for secret in scan_file(str(path)):
                reported += 1
                every = {secret.line_number: set(PLUGINS)}  # all plugins on this one line, as prodgate scans
                if not any(s.type == secret.type for s in _scan_lines(str(path), lines, every)):
                    transformed.append(f"{path.relative_to(ROOT)}:{secret.line_number}")
                    continue
                if secret.type not in {_TYPES[p] for p in routes.get(secret.line_number, ())}:
                    missed.append(f"{path.relative_to(ROOT)}:{secret.line_number} {secret.type}")
    assert reported > 20  # the fixtures do hold secrets: the comparison means something
    assert missed == []
    assert len(transformed) < reported / 5, transformed  # the exception, not the rule


# The plugins' own patterns for the two kinds of token with no literal to anchor on (detect-secrets'
# DiscordBotTokenDetector and TelegramBotTokenDetector): the faster finders must nominate exactly the
# lines these match.
_PLAIN = {
    "DiscordBotTokenDetector": re.compile(r"[MNO][a-zA-Z\d_-]{23,25}\.[a-zA-Z\d_-]{6}\.[a-zA-Z\d_-]{27}"),
    "TelegramBotTokenDetector": re.compile(r"\d{8,10}:[0-9A-Za-z_-]{35}"),
}


def _lines_for(plugin: str, text: str) -> tuple[set[int], set[int]]:
    plain = {n for n, line in enumerate(text.splitlines(), 1) if _PLAIN[plugin].search(line)}
    fast = {n for n, plugins in candidate_plugins(text).items() if plugin in plugins}
    return plain, fast


@pytest.mark.parametrize("seed", range(3))
def test_the_unanchored_token_finders_nominate_the_lines_the_plugins_patterns_match(seed: int) -> None:
    pieces = [
        "M", "N", "O", "m", "a" * 6, "b" * 23, "c" * 24, "d" * 25, "e" * 27, "f" * 26, ".", "..",
        "M" + "b" * 22, "N" + "c" * 24, "O" + "d" * 25, ".a1_-b2.", ".abcde.", ".abcdefg.", "e" * 26,
        "1234567", "12345678", "9", "123456789012", ":", "::", "g" * 34, "h" * 35, "_-", "\n", "\r",
        "\u2028", " ", "x",
    ]  # fmt: skip
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    shown = dict.fromkeys(_PLAIN, 0)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        for plugin in _PLAIN:
            plain, fast = _lines_for(plugin, text)
            assert plain == fast, (plugin, text)
            shown[plugin] += bool(plain)
    assert min(shown.values()) >= 10, shown  # tokens of both kinds, not only near misses


def test_the_unanchored_token_finders_agree_with_the_plugins_patterns_on_the_fixtures() -> None:
    for path, text in _texts():
        for plugin in _PLAIN:
            plain, fast = _lines_for(plugin, text)
            assert plain == fast, (plugin, str(path.relative_to(ROOT)))


def test_detect_secrets_indirect_reference_filter_gets_the_linear_pattern() -> None:
    from detect_secrets.filters import heuristic

    from gate.facts.secrets import _INDIRECT_REFERENCE_SUFFIX, faster_indirect_reference

    # True with the locked detect-secrets: a version with another pattern fails here, to be read again
    assert faster_indirect_reference()
    assert heuristic._get_indirect_reference_regex().pattern == _INDIRECT_REFERENCE_SUFFIX
    assert heuristic.is_indirect_reference("secret = get_secret_key()")
    assert heuristic.is_indirect_reference("api_key = request.headers['apikey']")
    assert not heuristic.is_indirect_reference("password = 'hunter22'")


@pytest.mark.parametrize("seed", range(3))
def test_the_linear_indirect_reference_pattern_answers_as_detect_secrets_own(seed: int) -> None:
    from gate.facts.secrets import _INDIRECT_REFERENCE, _INDIRECT_REFERENCE_SUFFIX

    own, linear = re.compile(_INDIRECT_REFERENCE), re.compile(_INDIRECT_REFERENCE_SUFFIX)
    lines = [line for _, text in _texts() for line in text.splitlines() if len(line) <= 1000][seed::3]
    pieces = [
        " ", "\t", "\x0b", "=", "==", "===", "!=", "!==", ":", ":=", "!", "x", "a.b", "-", "[", "(", "]", ")",
        "get_key", "'k'", '"', "\u2028",
    ]  # fmt: skip
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    lines += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 25))) for _ in range(5000)]
    assert sum(bool(own.search(x)) for x in lines) > 100
    assert [bool(own.search(x)) for x in lines] == [bool(linear.search(x)) for x in lines]


TOKEN = "ghp_" + "Q7vL2xN9kR4tW8zY3mB6cD1fH5jP0sA" + "e4Gi7"  # made up; the shape of a GitHub token


def _notebook(image: str) -> str:
    """A notebook as Jupyter writes it: a code cell's source lines, then an image output's base64."""
    return (
        '{\n "cells": [\n  {\n   "cell_type": "code",\n   "source": [\n'
        '    "import requests\\n",\n'
        f'    "GITHUB = \\"{TOKEN}\\"\\n"\n'
        '   ],\n   "outputs": [\n    {\n     "data": {\n'
        f'      "image/png": "{image}",\n'
        '      "text/plain": [\n       "<Figure size 640x480>"\n      ]\n'
        "     }\n    }\n   ]\n  }\n ]\n}\n"
    )


def test_a_notebook_image_is_not_scanned_but_its_code_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Base64 plot data can spell a keyword by chance (here `secretKey`, `passwd` and `==`): the line
    would be handed to the keyword plugin, which is slow on such lines, and nobody types a secret
    there. The code cell's token is still found."""
    rng = random.Random(7)  # noqa: S311 - reproducible test data, not secrets
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    noise = "".join(rng.choice(alphabet) for _ in range(20_000))
    image = f"iVBORw0KGgo{noise[:9000]}secretKey{noise[9000:15000]}passwd{noise[15000:]}=="
    text = _notebook(image)
    lines = text.splitlines()
    image_line = next(n for n, line in enumerate(lines, 1) if '"image/png"' in line)
    code_line = next(n for n, line in enumerate(lines, 1) if "GITHUB" in line)
    routes = candidate_plugins(text)
    assert image_line in routes and code_line in routes  # the data does look like a candidate
    kept = without_notebook_images(text, routes)
    assert image_line not in kept and kept[code_line] == routes[code_line]

    root = tmp_path / "repo"
    (root / "notebooks").mkdir(parents=True)
    (root / "notebooks" / "explore.ipynb").write_text(text)
    handed: list[int] = []

    def scan_lines(path: str, lines: list[str], routes: dict[int, set[str]]) -> Iterator[Any]:
        handed.extend(routes)
        return _scan_lines(path, lines, routes)

    monkeypatch.setattr(secrets_module, "_scan_lines", scan_lines)
    found = collect_secrets(Snapshot.load(root)).found
    assert handed == [code_line], "only the code line goes to detect-secrets"
    assert [(s.path, s.line) for s in found] == [("notebooks/explore.ipynb", code_line)]


@pytest.mark.parametrize(
    "line",
    [
        '      "image/png": "iVBOR", "password": "Xk9mQ2vL7pR4zT8w"',  # more than image data on the line
        '      "text/plain": "passwd=Xk9mQ2vL7pR4zT8w"',  # not an image
        '      "image/png": "iVBOR password = Xk9mQ2vL7pR4zT8w"',  # not base64
    ],
)
def test_only_a_line_of_image_data_alone_is_left_out(line: str) -> None:
    assert without_notebook_images(line + "\n", {1: {"KeywordDetector"}}) == {1: {"KeywordDetector"}}
