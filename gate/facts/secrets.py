"""Hard-coded secrets in tracked text files, found with Yelp's detect-secrets.

detect-secrets is the maintained detector with the widest plugin set (cloud keys, GitHub/GitLab/Slack/
Stripe tokens, private keys, JWTs, credentials in URLs, secret-named assignments) and its own filters
for templates and indirect references. prodgate runs its plugins only on the lines that could hold a
secret (one regular expression first: the plugins cost 150 us a line), then drops what is
a placeholder, a test dummy marked as such, or a name that only mentions a secret (secretName,
TOKEN_URL). Only the kind of secret and its place are kept: the value never leaves this module.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from contextlib import ExitStack
from functools import cache
from itertools import accumulate
from typing import Any

from msgspec import Struct

from gate.facts.python import is_test_path
from gate.lazyre import lazy
from gate.snapshot import Snapshot

PLUGINS = (
    "AWSKeyDetector", "ArtifactoryDetector", "AzureStorageKeyDetector", "BasicAuthDetector", "CloudantDetector",
    "DiscordBotTokenDetector", "GitHubTokenDetector", "GitLabTokenDetector", "IbmCloudIamDetector", "IbmCosHmacDetector",
    "JwtTokenDetector", "KeywordDetector", "MailchimpDetector", "NpmDetector", "OpenAIDetector", "PrivateKeyDetector",
    "PypiTokenDetector", "SendGridDetector", "SlackDetector", "SoftlayerDetector", "SquareOAuthDetector", "StripeDetector",
    "TelegramBotTokenDetector", "TwilioKeyDetector",
)  # fmt: skip

_GITLAB = (
    "glpat-", "gldt-", "glft-", "glsoat-", "glrt-", "GR1348941", "glcbt-", "glimt-", "glptt-", "glagent-", "gloas-",
)  # fmt: skip
# What every match of each plugin in PLUGINS contains, read from the plugin's own patterns: a literal
# (case-sensitive, or lowered where the plugin ignores case), and what must follow or surround it for the
# plugin's pattern to have a chance (a superset of its pattern, never narrower). A line holding none of
# them cannot be reported by detect-secrets' line scan, so only lines that do go through its plugins.
# (plugin, anchor, lowered, check at the anchor or None, characters before the anchor the check starts at)
_ANCHORS: tuple[tuple[str, str, bool, re.Pattern[str] | None, int], ...] = (
    *(("AWSKeyDetector", prefix, False, None, 0) for prefix in ("A3T", "ABIA", "ACCA", "AKIA", "ASIA")),
    ("ArtifactoryDetector", "AKC", False, lazy(r"AKC[a-zA-Z0-9]{10}"), 0),
    ("ArtifactoryDetector", "AP", False, lazy(r"AP[\dABCDEF][a-zA-Z0-9]{8}"), 0),
    ("AzureStorageKeyDetector", "accountkey=", True, None, 0),
    # the plugin's user and password exclude every reserved character; quotes are allowed around them
    ("BasicAuthDetector", "://", False, lazy(r"://[^/\s:@]+:[^/\s:@]+@"), 0),
    ("CloudantDetector", "cloudant.com", True, None, 0),  # the URL form
    ("SoftlayerDetector", "softlayer.com", True, None, 0),  # the URL form
    *(("GitHubTokenDetector", prefix, False, None, 0) for prefix in ("ghp_", "gho_", "ghu_", "ghs_", "ghr_")),
    *(("GitLabTokenDetector", prefix, False, None, 0) for prefix in _GITLAB),
    ("MailchimpDetector", "-us", False, lazy(r"[0-9a-z]{32}-us[0-9]"), 32),
    ("NpmDetector", "_authtoken=", True, None, 0),
    ("OpenAIDetector", "sk-", False, lazy(r"sk-[A-Za-z0-9_-]{20}"), 0),
    ("PrivateKeyDetector", "PRIVATE KEY", False, None, 0),
    # (joined at run time: written whole, the literal is what the plugin reports in this very file)
    ("PrivateKeyDetector", "-".join(("PuTTY", "User", "Key", "File", "2")), False, None, 0),
    ("PypiTokenDetector", "pypi-Ag", False, None, 0),
    ("SendGridDetector", "SG.", False, lazy(r"SG\.[\w-]{16}"), 0),
    ("SlackDetector", "xox", True, None, 0),  # its patterns ignore case
    ("SlackDetector", "hooks.slack.com", True, None, 0),
    ("SquareOAuthDetector", "sq0csp-", False, None, 0),
    ("StripeDetector", "k_live_", False, lazy(r"[rs]k_live_"), 1),
    ("TwilioKeyDetector", "AC", False, lazy(r"AC[a-z0-9]{32}"), 0),
    ("TwilioKeyDetector", "SK", False, lazy(r"SK[a-z0-9]{32}"), 0),
)
# Patterns with no literal to anchor on, searched in the whole text (their character classes hold no
# line break, so a match never spans lines). Each is found from the literal inside it, where re skips
# ahead in C, instead of being tried at every capital or digit (Telegram's plain pattern was 0.12 s of
# zizmor's 3.9 MB, this 0.007 s): (plugins, finder, the plugin's own pattern or None). With a pattern,
# the finder only nominates lines and the pattern decides each; without, the finder is exact.
_JWT = frozenset({"JwtTokenDetector"})
_UNANCHORED = (
    (
        frozenset({"DiscordBotTokenDetector"}),
        # its two dots and what follows them, a suffix of every match
        lazy(r"\.[a-zA-Z\d_-]{6}\.[a-zA-Z\d_-]{27}"),
        lazy(r"[MNO][a-zA-Z\d_-]{23,25}\.[a-zA-Z\d_-]{6}\.[a-zA-Z\d_-]{27}"),
    ),
    (
        frozenset({"TelegramBotTokenDetector"}),
        # \d{8,10}:[0-9A-Za-z_-]{35} matches exactly where a colon has 8 digits before it and the 35
        # after it (the class holds no colon, so no match hides another)
        lazy(r":(?<=\d{8}:)[0-9A-Za-z_-]{35}"),
        None,
    ),
)
_KEYWORDS = (
    # KeywordDetector's deny-list (it ignores case and lets any word characters surround the name)
    "apikey", "api_key", "authkey", "auth_key", "servicekey", "service_key", "accountkey", "account_key",
    "dbkey", "db_key", "databasekey", "database_key", "privkey", "priv_key", "privatekey", "private_key",
    "clientkey", "client_key", "dbpass", "db_pass", "databasepass", "database_pass", "keypass", "key_pass",
    "password", "passwd", "pwd", "secret", "contraseña", "contrasena",
)  # fmt: skip
# Names too common to stand alone, with what the plugin's pattern also needs on the same line:
# IbmCloudIamDetector, CloudantDetector and SoftlayerDetector assign a key, password or token name a
# value of 24 to 64 word characters; AWSKeyDetector's secret is 40 characters on a line naming aws.
_LONG_VALUE = lazy(r"[A-Za-z0-9_-]{24}")
_ASSIGNED = frozenset({"IbmCloudIamDetector", "CloudantDetector", "SoftlayerDetector"})
_LINE_CHECKED: tuple[tuple[frozenset[str], str, re.Pattern[str]], ...] = (
    *((_ASSIGNED, name, _LONG_VALUE) for name in ("key", "pwd", "pw", "pass", "token")),
    (frozenset({"AWSKeyDetector"}), "aws", lazy(r"[0-9a-zA-Z/+]{40}")),
)
# their assignment: the name, an optional quote and bracket, then `=`, `:` or a space
_ASSIGNED_AT = lazy(r"(?:key|pwd|pw|password|pass|token)['\"]?\]?(?: *[=:]| )")
# JwtTokenDetector: eyJ, then its header's characters (letters, digits, `-`, `_`, `=`), then a dot.
# The one bound narrower than the plugin: a header longer than 512 characters is not looked for (a
# real one is under 100; without the bound a line of eyJ repeated took seconds).
_JWT_HEADER_MAX = 512
_JWT_HEADER = lazy(r"[A-Za-z0-9_=-]+")
# prodgate's own first prefilter: a secret-like name assigned something (what `_named_keys` reads)
_OWN_WORDS = (
    "pass", "secret", "token", "api_key", "apikey", "credential", "private_key", "privatekey",
    "signing", "encryption", "master", "session", "jwt", "hmac", "cipher", "crypto",
)  # fmt: skip
_OWN_MATCH = lazy(
    r"(?:pass|secret|token|api_?key|apikey|credential|private_?key|"
    r"(?:signing|encryption|master|session|jwt|hmac|cipher|crypto)[-_]?key)"
    r"\w{0,64}['\"]?[^\S\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]*[:=]"
)


def _positions(text: str, needle: str) -> Iterator[int]:
    at = text.find(needle)
    while at >= 0:
        yield at
        at = text.find(needle, at + 1)


def candidate_lines(text: str) -> list[int]:
    """The 1-based numbers (as str.splitlines numbers them) of the lines detect-secrets' plugins could
    report, and of those prodgate's own key-name rule reads."""
    return sorted(candidate_plugins(text))


class _Action(Struct, frozen=True):
    """What a found anchor means: the plugins a line holding it goes to (none: prodgate's own rule),
    the check at the anchor (from `back` characters before it), and the check on its whole line."""

    plugins: frozenset[str]
    at: re.Pattern[str] | None = None
    back: int = 0
    line: re.Pattern[str] | None = None


@cache
def _automata() -> tuple[Any, Any]:
    """Two Aho-Corasick automata (every anchor found in one pass): the case-sensitive anchors, and
    those looked for in the lowered text."""
    import ahocorasick

    exact: dict[str, list[_Action]] = {}
    lowered: dict[str, list[_Action]] = {}
    for plugin, anchor, low, check, back in _ANCHORS:
        (lowered if low else exact).setdefault(anchor, []).append(_Action(frozenset({plugin}), check, back))
    for word in _KEYWORDS:
        lowered.setdefault(word, []).append(_Action(frozenset({"KeywordDetector"})))
    # IbmCosHmacDetector: a secret_access_key, secret-key or secretkey name (with a 48-character value)
    lowered.setdefault("secret", []).append(_Action(frozenset({"IbmCosHmacDetector"})))
    for word in _OWN_WORDS:
        lowered.setdefault(word, []).append(_Action(frozenset(), _OWN_MATCH))
    for plugins, word, check in _LINE_CHECKED:
        at = _ASSIGNED_AT if plugins is _ASSIGNED else None
        lowered.setdefault(word, []).append(_Action(plugins, at, 0, check))
    built = []
    for table in (exact, lowered):
        automaton = ahocorasick.Automaton()
        for word, actions in sorted(table.items()):
            automaton.add_word(word, (len(word), tuple(actions)))
        automaton.make_automaton()
        built.append(automaton)
    return built[0], built[1]


def candidate_plugins(text: str) -> dict[int, set[str]]:
    """For each line a plugin could report (or prodgate's own key-name rule reads: an empty set), the
    plugins that could report it: every literal anchor found in one pass, a short check at each, two
    searches for the patterns without one. Every plugin costs 150 us a line through detect-secrets;
    this costs a fraction of a microsecond a character and lets through no line a plugin could report
    (tests/facts/test_secrets.py compares it with detect-secrets' full scan)."""
    # U+0130 (İ) is the one character whose lower case is two: lowered as a plain i, positions hold
    low = text.replace("\u0130", "i").lower()
    hits: list[tuple[int, frozenset[str]]] = []
    named: list[tuple[int, frozenset[str], re.Pattern[str]]] = []
    for where, automaton in zip((text, low), _automata(), strict=True):
        for end, (size, actions) in automaton.iter(where):
            start = end - size + 1
            for action in actions:
                if action.at is not None and (
                    start < action.back or not action.at.match(where, start - action.back)
                ):
                    continue
                if action.line is None:
                    hits.append((start, action.plugins))
                else:
                    named.append((start, action.plugins, action.line))
    next_dot = -1
    for at in _positions(text, "eyJ"):
        if next_dot < at:
            next_dot = text.find(".", at)
            if next_dot < 0:
                break
        if next_dot - at - 3 <= _JWT_HEADER_MAX and _JWT_HEADER.fullmatch(text, at + 3, next_dot):
            hits.append((at, _JWT))
    for plugin, finder, pattern in _UNANCHORED:
        if pattern is None:
            hits += [(m.start(), plugin) for m in finder.finditer(text)]
        else:
            named += [(m.start(), plugin, pattern) for m in finder.finditer(text)]
    if not hits and not named:
        return {}
    lines = text.splitlines(keepends=True)
    starts = list(accumulate((len(line) for line in lines), initial=0))
    found: dict[int, set[str]] = {}
    for at, plugins in hits:
        found.setdefault(bisect_right(starts, at), set()).update(plugins)
    checked: dict[tuple[int, re.Pattern[str]], bool] = {}
    for at, plugins, check in named:
        n = bisect_right(starts, at)
        key = (n, check)
        if key not in checked:
            checked[key] = check.search(lines[n - 1]) is not None
        if checked[key]:
            found.setdefault(n, set()).update(plugins)
    return found


_DUMMY = lazy(
    r"(example|dummy|fake|placeholder|changeme|change[-_]me|sample|your[-_]|xxxx|\*\*\*|<[^>]*>|^test|test$|^\$\{?\w+\}?$)",
    re.I,
)
_NAME_ONLY = lazy(
    r"(secret|token|key|password)\w*(name|ref|_?file|_?path|_?url|_?id|_?header|_?length|_?ttl)\b['\"]?\s*[:=]",
    re.I,
)
_SKIP_NAMES = (
    "poetry.lock",
    "uv.lock",
    "Pipfile.lock",
    "pdm.lock",
    "package-lock.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "go.sum",
)
ALLOW = lazy(r"prodgate:\s*ignore\[no-hardcoded-secrets\]\s+\S")
MAX_SCANNED_LINES = 100_000
"""Candidate lines scanned at most in one run (about 15 s of detect-secrets): a real repository has a
few thousand; past it the rest is reported as not scanned, which the check treats as undecided."""


class FoundSecret(Struct, frozen=True):
    path: str
    line: int
    kind: str


class SecretFacts(Struct, frozen=True):
    found: tuple[FoundSecret, ...]
    scanned: int
    allowed: tuple[FoundSecret, ...] = ()
    """Findings silenced by an inline `prodgate: ignore[no-hardcoded-secrets] <reason>`."""
    unscanned: tuple[str, ...] = ()
    """Files with candidate lines left unscanned once the run's line budget was spent."""


# Values people write where a secret will go, and defaults every tutorial uses: not credentials anyone
# could abuse, and a gate that blocks on them is switched off.
_DEFAULTS = frozenset(
    [
        "password",
        "passwd",
        "pass",
        "pwd",
        "secret",
        "secrets",
        "token",
        "apikey",
        "api_key",
        "key",
        "admin",
        "administrator",
        "root",
        "user",
        "username",
        "postgres",
        "postgresql",
        "mysql",
        "mariadb",
        "mongo",
        "redis",
        "rabbitmq",
        "guest",
        "test",
        "testing",
        "example",
        "default",
        "changeme",
        "change_me",
        "change-me",
        "changeit",
        "foobar",
        "foo",
        "bar",
        "baz",
        "none",
        "null",
        "nil",
        "true",
        "false",
        "yes",
        "no",
        "auto",
        "not-needed",
        "not_needed",
        "notneeded",
        "unused",
        "dummy",
        "fake",
        "sample",
        "placeholder",
        "redacted",
        "hidden",
        "masked",
        "todo",
        "tbd",
        "xxx",
        "xxxx",
        "xxxxx",
        "123456",
        "12345678",
        "password1",
        "password123",
        "qwerty",
        "letmein",
        "inherit",
        "required",
        "optional",
        "minioadmin",
    ]
)
_PLACEHOLDER_AFFIX = lazy(
    r"^(dev|test|testing|local|fake|dummy|sample|example|replace|your|set|insert|enter|put|my|some|"
    r"placeholder|default|demo|changeme|change)[-_.]|[-_.](here|me|placeholder|example|changeme|dev|test)$",
    re.I,
)
_SECRET_WORDS = frozenset({"password", "passwd", "secret", "token", "key"})
"""Whole words only: `minio_pass` is somebody's chosen password, `orders_password` names what goes there,
`jwt-key` names a key."""
_FREE_FORM = frozenset({"Secret Keyword", "Basic Auth Credentials"})
"""Detectors that report whatever value sits in a secret's place, so the value itself must look like one."""
_URL_USERINFO = lazy(r"://([^:/\s@'\"]+):([^@/\s'\"]+)@")


# bounded: an unclosed `{env:A:` repeated along a line made each one scan to the line's end
_ENV_REFERENCE = lazy(
    r"\{env:\w{1,64}(?::(?P<tox>[^}]{0,256}))?\}|\$\{\w{1,64}(?::?[-=](?P<shell>[^}]{0,256}))?\}"
)
"""A value read from the environment where the file is used: tox's `{env:DB_PASSWORD:default}`, the
shell's and compose's `${DB_PASSWORD:-default}`. Only its default is written here."""


_DOCS = lazy(r"(^|/)docs?/|\.(md|rst|ipynb|txt)$", re.I)
# A notebook's image output: a JSON line holding only a MIME type key and base64 data (Jupyter may wrap
# it with escaped line breaks). Nobody types a secret there, and the keyword plugin took 1 ms per 1,000
# characters of such a line when a keyword-like run of letters turned up in the data by chance: most
# of the secret scan of a repository of notebooks (40 KB plots).
_NOTEBOOK_IMAGE = lazy(r'\s*"image/[\w.+-]+"\s*:\s*"(?:[A-Za-z0-9+/=]|\\n)*",?\s*')
_EXAMPLE_WORDS = frozenset({
    "pass", "password", "passwd", "pwd", "secure", "secret", "wrong", "right", "correct", "valid",
    "invalid", "another", "other", "new", "old", "my", "your", "strong", "weak", "good", "bad", "test",
    "user", "admin", "demo", "example", "sample", "super", "hello", "world", "foo", "bar", "abc",
    "letmein", "qwerty", "changeme", "default", "mine"
})  # fmt: skip
_LEET = str.maketrans("@$0134", "asoiea")


def _stock_words(letters: str) -> bool:
    """`securepass`, `anotherpassword`: the letters split into stock words (a small word-break)."""
    reach = [True] + [False] * len(letters)
    for end in range(1, len(letters) + 1):
        reach[end] = any(
            reach[start] and letters[start:end] in _EXAMPLE_WORDS for start in range(max(0, end - 8), end)
        )
    return bool(letters) and reach[-1]


def example_password(value: str) -> bool:
    """What documentation and tests write where a password goes: stock words with digits and a symbol
    (`SecureP@ss123`, `Password123!`, `wrongpassword`, `admin123`). Judged so only in docs and tests:
    in service code the same string is a weak password that works."""
    bare = value.strip().strip("'\"`")
    # leetspeak inside a word (`P@ssw0rd`) is read as letters; digits after it are just digits
    spelled = re.sub(r"(?<=[a-z@$])[0134@$](?=[a-z@$])", lambda m: m.group(0).translate(_LEET), bare.lower())
    letters = re.sub(r"[^a-z]", "", spelled.replace("@", "a").replace("$", "s"))
    tail = re.sub(r"[a-zA-Z@$]", "", spelled)
    return len(bare) <= 24 and _stock_words(letters) and all(c in "0123456789!?#._-*" for c in tail)


def not_a_secret(value: str, line: str, kind: str) -> bool:
    """True for what detect-secrets reports but no reviewer would call a leaked credential: a
    placeholder or filler, a stock default (`postgres`, `admin`, `password`), a short plain word, a
    sentence (a message about a key, not a key), a name that only mentions a secret (`TOKEN_URL`), and a
    URL whose password is one of those or repeats its user name. Real tokens, keys and passwords are long
    or mixed; these are words."""
    if _DUMMY.search(value) or (kind == "Secret Keyword" and _NAME_ONLY.search(line)):
        return True
    if value.rstrip("'\"`").endswith(("...", "…")):
        return True  # shown cut short: `mlp_live_abc123...` in a guide
    if kind == "JSON Web Token" and value in line:
        # detect-secrets stops at the second dot; what follows is the signature
        after = re.match(r"[\w.-]*", line[line.index(value) + len(value) :])
        signature = after.group(0).lstrip(".") if after else ""
        if re.fullmatch(r"[a-z]{3,}|[a-z]+(_[a-z]+)+", signature):
            return True  # signed with the word "signature": an illustration of the format
    bare = value.strip().strip("'\"`").rstrip("}")
    for reference in _ENV_REFERENCE.finditer(line):
        # detect-secrets reports the whole reference, or (in an ini file) its tail, `password}`
        if bare and bare in reference.group(0):
            default = reference.group("tox") or reference.group("shell")
            written = line[: reference.start()] + (default or "") + line[reference.end() :]
            return not default or not_a_secret(default, written, kind)
    if kind not in _FREE_FORM:
        return False  # a key recognised by its format (AWS, GitHub, Stripe...): the format is the proof
    stripped = value.strip().strip("'\"`")
    if not stripped or " " in stripped or stripped.lower() in _DEFAULTS:
        return True
    if _PLACEHOLDER_AFFIX.search(stripped):
        return True
    words = [w for w in re.split(r"[-_.]", stripped.lower()) if w]
    if len(words) > 1 and all(w in _DEFAULTS for w in words):
        return True  # stock words joined: `admin-password`, `secret_key`, `test.token`
    if (
        len(words) > 1
        and words[-1] in _SECRET_WORDS
        and stripped == stripped.lower()
        and all(w.isalpha() and len(w) <= 12 for w in words[:-1])
    ):
        return True  # a name and the word for what it stands in for: `mlapi_password`, `orders-db-secret`
    if stripped.isalpha() and stripped.islower() and len(stripped) <= 10:
        return True  # a plain dictionary-like word: `fraud`, `foobar`, the service's own name
    if kind == "Basic Auth Credentials":
        for user, password in _URL_USERINFO.findall(line):
            if password == value and (password == user or password.lower() in _DEFAULTS):
                return True
    return False


# Key names detect-secrets' keyword list does not hold (it knows api_key, private_key, secret, password,
# but not a signing or encryption key, and it matches names only as lower-case or snake_case words):
# `signingKey`, `ENCRYPTION_KEY`, `jwt-key`, `masterKey`. `key` alone stays out (CACHE_KEY, SORT_KEY).
_KEY_NAME = lazy(
    r"(?<![\w-])(?P<name>[\w-]*?(?:signing|encryption|master|session|jwt|hmac|cipher|crypto)[-_]?key)"
    r"['\"]?\s*(?::=|=|:)\s*(?P<q>['\"])(?P<value>[^'\"\s]+)(?P=q)",
    re.I,
)


def _named_keys(line: str) -> Iterator[str]:
    """Values assigned to a key name detect-secrets misses; the value must look random, since such a
    name is as often given a word or a path."""
    for m in _KEY_NAME.finditer(line):
        value = m.group("value")
        classes = sum(bool(re.search(c, value)) for c in ("[a-z]", "[A-Z]", "[0-9]"))
        if len(value) >= 16 and classes >= 2 and len(set(value)) >= 10:
            yield value


def _scan_lines(path: str, lines: list[str], routes: dict[int, set[str]]) -> Iterator[Any]:
    """detect-secrets' line scan (its plugins and filters, each line with its real context), on the given
    lines only, each with only the plugins that could report it. Its own scan_file runs every plugin on
    every line of a file, and a second time with eager transformers when the first finds nothing:
    150 us a line, blank lines included, which made secret scanning most of a run and let a file of
    key-like lines hold the gate for minutes."""
    from detect_secrets.core import scan
    from detect_secrets.settings import get_plugins
    from detect_secrets.util.code_snippet import get_code_snippet

    faster_indirect_reference()
    # the same calls, in the same order, as detect_secrets.core.scan._process_line_based_plugins
    if scan._is_filtered_out(required_filter_parameters=["filename"], filename=path):
        return
    plugins = get_plugins()
    for number, wanted in sorted(routes.items()):
        if not wanted:
            continue  # a line only prodgate's own key-name rule reads
        line = lines[number - 1].rstrip()
        snippet = get_code_snippet(lines=lines, line_number=number)
        if scan._is_filtered_out(
            required_filter_parameters=["line"], filename=path, line=line, context=snippet
        ):
            continue
        for plugin in plugins:
            if plugin.__class__.__name__ not in wanted:
                continue
            for secret in scan._scan_line(
                plugin=plugin, filename=path, line=line, line_number=number, context=snippet
            ):
                if not scan._is_filtered_out(
                    required_filter_parameters=["context"],
                    filename=secret.filename,
                    secret=secret.secret_value,
                    plugin=plugin,
                    line=line,
                    context=snippet,
                ):
                    yield secret


# detect-secrets' indirect-reference filter (`secret = get_key()`, `token = headers["x"]`), run on every
# line where a plugin found something, searches this unanchored pattern: its first two parts can both take
# the same spaces, so each start position tries every split, cubic in an indented line (380 us a line on
# average on zizmor, a quarter of its scan). The first group may be empty, so a line holds a match exactly
# when the rest of the pattern matches from some position: the same answer, searched in linear time.
_INDIRECT_REFERENCE = r"([^\v=!:]*)\s*(:=?|[!=]{1,3})\s*([\w.-]+[\[\(][^\v]*[\]\)])"
_INDIRECT_REFERENCE_SUFFIX = r"\s*(:=?|[!=]{1,3})\s*([\w.-]+[\[\(][^\v]*[\]\)])"


@cache
def faster_indirect_reference() -> bool:
    """Give detect-secrets' filter the equivalent linear pattern, only when its own is the one above (a
    later version with another pattern keeps its own). True when swapped."""
    from detect_secrets.filters import heuristic

    if heuristic._get_indirect_reference_regex().pattern != _INDIRECT_REFERENCE:
        return False
    fast = re.compile(_INDIRECT_REFERENCE_SUFFIX)
    heuristic._get_indirect_reference_regex = lambda: fast  # type: ignore[assignment]
    return True


def warm_up() -> None:
    """What a scan needs before its first file, done ahead in a warm child (gate/background.py):
    detect-secrets with every plugin module (its registry imports them all, and `requests` with them,
    a stand-in in that child: gate/facts/apart.py) and the prefilter's automata."""
    from detect_secrets.core import scan  # noqa: F401
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.settings import transient_settings  # noqa: F401
    from detect_secrets.util import code_snippet  # noqa: F401

    get_mapping_from_secret_type_to_class()
    faster_indirect_reference()
    _automata()


def without_notebook_images(text: str, routes: dict[int, set[str]]) -> dict[int, set[str]]:
    """A notebook's candidate lines, less those that are image data (base64 after an image MIME type)."""
    lines = text.splitlines()
    return {n: plugins for n, plugins in routes.items() if not _NOTEBOOK_IMAGE.fullmatch(lines[n - 1])}


def collect_secrets(snap: Snapshot, max_lines: int = MAX_SCANNED_LINES) -> SecretFacts:
    found: list[FoundSecret] = []
    allowed: list[FoundSecret] = []
    unscanned: list[str] = []
    budget = max_lines
    # first the candidate lines of every file (cheap), so that detect-secrets is imported and set up
    # with only the plugins some line needs, and not at all when none does
    routed: list[tuple[str, dict[int, set[str]]]] = []
    for rel in snap.files:
        if rel.rsplit("/", 1)[-1] in _SKIP_NAMES:
            continue
        text = snap.text(rel)
        routes = candidate_plugins(text) if text is not None else {}
        if routes and rel.endswith(".ipynb"):
            routes = without_notebook_images(text or "", routes)
        if not routes:
            continue
        if len(routes) > budget:
            unscanned.append(rel)  # past the budget: said, never taken for clean
            continue
        budget -= len(routes)
        routed.append((rel, routes))
    needed = sorted(set().union(*(p for _, routes in routed for p in routes.values())))
    with ExitStack() as settings:
        if needed:
            from detect_secrets.settings import transient_settings  # 70 ms, and each plugin's set-up

            settings.enter_context(transient_settings({"plugins_used": [{"name": p} for p in needed]}))
        for rel, routes in routed:
            lines = (snap.text(rel) or "").splitlines()  # not kept: held only while this file is scanned
            docs_or_tests = is_test_path(rel) or bool(_DOCS.search(rel))
            hits = [
                (s.line_number, s.secret_value or "", s.type)
                for s in (_scan_lines(str(snap.root / rel), lines, routes) if needed else ())
            ]
            hits += [
                (n, value, "Secret Keyword") for n in sorted(routes) for value in _named_keys(lines[n - 1])
            ]
            for number, value, kind in hits:
                line = lines[number - 1]
                if not_a_secret(value, line, kind) or (
                    docs_or_tests and kind in _FREE_FORM and example_password(value)
                ):
                    continue
                record = FoundSecret(rel, number, kind)
                (allowed if ALLOW.search(line) else found).append(record)
    scanned_files = len(routed)
    return SecretFacts(
        tuple(sorted(set(found), key=lambda s: (s.path, s.line, s.kind))),
        scanned_files,
        tuple(sorted(set(allowed), key=lambda s: (s.path, s.line, s.kind))),
        tuple(unscanned),
    )
