"""Hard-coded secrets in tracked text files, found with Yelp's detect-secrets.

detect-secrets is the maintained detector with the widest plugin set (cloud keys, GitHub/GitLab/Slack/
Stripe tokens, private keys, JWTs, credentials in URLs, secret-named assignments) and its own filters
for templates and indirect references. prodgate runs it only on files whose text could hold a secret
(one regular expression over the text first: the plugins cost milliseconds a file), then drops what is
a placeholder, a test dummy marked as such, or a name that only mentions a secret (secretName,
TOKEN_URL). Only the kind of secret and its place are kept: the value never leaves this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from detect_secrets.core.secrets_collection import SecretsCollection
from detect_secrets.settings import transient_settings

from gate.snapshot import Snapshot

PLUGINS = (
    "AWSKeyDetector", "ArtifactoryDetector", "AzureStorageKeyDetector", "BasicAuthDetector", "CloudantDetector",
    "DiscordBotTokenDetector", "GitHubTokenDetector", "GitLabTokenDetector", "IbmCloudIamDetector", "IbmCosHmacDetector",
    "JwtTokenDetector", "KeywordDetector", "MailchimpDetector", "NpmDetector", "OpenAIDetector", "PrivateKeyDetector",
    "PypiTokenDetector", "SendGridDetector", "SlackDetector", "SoftlayerDetector", "SquareOAuthDetector", "StripeDetector",
    "TelegramBotTokenDetector", "TwilioKeyDetector",
)  # fmt: skip
_CANDIDATE = re.compile(
    r"AKIA|ASIA|gh[pousr]_|glpat-|xox[abprs]-|[rs]k_live_|sk-[A-Za-z0-9]{20}|PRIVATE KEY|pypi-Ag|SG\.[\w-]{16}|"
    r"eyJ[A-Za-z0-9_-]{10,}\.|://[^/\s:@'\"]+:[^/\s:@'\"]+@|"
    r"(?i:pass(word|wd)?|secret|token|api_?key|apikey|credential|private_?key)[\w]*['\"]?\s*[:=]"
)
_DUMMY = re.compile(
    r"(example|dummy|fake|placeholder|changeme|change[-_]me|sample|your[-_]|xxxx|\*\*\*|<[^>]*>|^test|test$|^\$\{?\w+\}?$)",
    re.I,
)
_NAME_ONLY = re.compile(
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
ALLOW = re.compile(r"prodgate:\s*ignore\[no-hardcoded-secrets\]\s+\S")


@dataclass(frozen=True)
class FoundSecret:
    path: str
    line: int
    kind: str


@dataclass(frozen=True)
class SecretFacts:
    found: tuple[FoundSecret, ...]
    scanned: int
    allowed: tuple[FoundSecret, ...] = ()
    """Findings silenced by an inline `prodgate: ignore[no-hardcoded-secrets] <reason>`."""


def collect_secrets(snap: Snapshot) -> SecretFacts:
    candidates = []
    for rel in snap.files:
        if rel.rsplit("/", 1)[-1] in _SKIP_NAMES:
            continue
        text = snap.text(rel)
        if text is not None and _CANDIDATE.search(text):
            candidates.append(rel)
    found: list[FoundSecret] = []
    allowed: list[FoundSecret] = []
    with transient_settings({"plugins_used": [{"name": p} for p in PLUGINS]}):
        collection = SecretsCollection(root=str(snap.root))
        for rel in candidates:
            collection.scan_file(rel)
        for rel, secrets in collection.data.items():
            lines = (snap.text(rel) or "").splitlines()
            for secret in secrets:
                line_no = secret.line_number
                line = lines[line_no - 1] if 0 < line_no <= len(lines) else ""
                value = secret.secret_value or ""
                if _DUMMY.search(value) or (secret.type == "Secret Keyword" and _NAME_ONLY.search(line)):
                    continue
                record = FoundSecret(rel, line_no, secret.type)
                (allowed if ALLOW.search(line) else found).append(record)
    return SecretFacts(
        tuple(sorted(set(found), key=lambda s: (s.path, s.line))), len(candidates), tuple(allowed)
    )
