"""Environment checks: secrets stay out of git, and every variable the code reads is documented."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict, Field

from gate.checks.base import Decision, Hit, NoOptions, at, check, failed, not_applicable, passed
from gate.checks.secretnames import compose_literal_secrets, k8s_literal_secrets
from gate.facts import Facts
from gate.facts.python import EnvRead
from gate.ignore import PatternList
from gate.lazyre import lazy
from gate.model import Level, Location, Outcome, Severity
from gate.paths import folder_of, within
from gate.wording import agree, count, every

_UNTRACK = "Run `git rm --cached <file>`, add it to .gitignore, and rotate every secret it held: it stays in history."


@check(
    id="env-file-ignored",
    title=".env files kept out of git",
    category="security",
    severity=Severity.HIGH,
    level=Level.BRONZE,
    applies_when="the repository has .env files or an environment example, or its code loads a .env file",
    remediation="Add `.env` to the root .gitignore (after any negation) and keep no .env file in git.",
    seeds=(".env file added to .gitignore",),
)
def env_file_ignored(facts: Facts, options: NoOptions) -> Decision:
    """
    ## What it checks
    That a `.env` file at the root would be ignored by git under the repository's own .gitignore files
    (evaluated with git's rules: anchoring, `**`, negations such as `!.env`, nested .gitignore files),
    and that no real environment file (`.env`, `.env.production`, `prod.env`, ...) is tracked, or sits
    in the work tree unignored. Another `<name>.env` counts only when it holds a credential-like
    setting (a name with key, secret, token, password, ...): a file of image pins is not an environment. It applies where a .env file exists, an environment example documents
    one, the code loads one (python-dotenv, pydantic-settings `env_file`, starlette `Config(".env")`,
    environs `read_env()`, python-decouple), or a compose service reads one (`env_file: .env`).
    Examples are exempt however they are named: a name with an `env` part
    and an `example`, `sample`, `template`, `dist` or `defaults` part (`.env.example`,
    `.env.production.example`, `.example.env`, `env.sample`).

    ## Why it matters
    `.env` files hold API keys and database passwords. Once committed they live in the history of every
    clone and fork; removing the file later does not remove the secret.

    ## How to fix
    Add `.env` (or `.env*` with `!.env.example`) to the root .gitignore. If a file was committed,
    untrack it and rotate every value it held.

    ## Example
    ```gitignore
    .env
    .env.*
    !.env.example
    ```
    """
    repo = facts.repo
    # Reading os.environ alone says nothing about .env files (the platform may set the variables), so the
    # check applies only where a .env file exists, is documented, or is loaded: precision over reach.
    compose_env = [
        s for s in facts.compose.services if any(posixpath.basename(p) == ".env" for p in s.env_files)
    ]
    uses_env = bool(repo.env_files or facts.docs.env_examples or facts.python.dotenv_loads or compose_env)
    if not uses_env:
        return not_applicable("No .env files, no environment example, and no code that loads a .env file.")
    hits: list[Hit] = []
    for env in repo.env_files:
        if env.tracked:
            hits.append(
                Hit(
                    f"{env.path} is tracked by git: its values are in the history.",
                    (at(env.path),),
                    _UNTRACK,
                    Severity.CRITICAL,
                )
            )
        elif env.ignored_by is None or env.ignored_by.negated:
            where = " (not a git work tree, judged by .gitignore)" if not repo.is_git else ""
            hits.append(
                Hit(
                    f"{env.path} is not ignored by .gitignore and would be committed{where}.", (at(env.path),)
                )
            )
    rule = repo.root_env_rule
    if not repo.gitignores:
        hits.append(Hit("There is no .gitignore, so a .env file would be committed.", (at(".gitignore"),)))
    elif rule is None:
        hits.append(Hit("No .gitignore rule ignores .env.", (at(repo.gitignores[0], 1),)))
    elif rule.negated:
        hits.append(Hit(f"`{rule.pattern}` re-includes .env.", (at(rule.path, rule.line),)))
    if hits or rule is None:  # rule is None only together with a hit; the test narrows the type
        return failed(f"{count(len(hits), 'problem')} with .env files.", *hits)
    return passed(
        f".env is ignored ({rule.path}:{rule.line} `{rule.pattern}`) and no environment file is tracked."
    )


# Variables the platform sets, not the service's configuration.
PLATFORM_VARIABLES = (
    "HOME",
    "PATH",
    "USER",
    "PWD",
    "SHELL",
    "LANG",
    "TERM",
    "TMPDIR",
    "HOSTNAME",
    "CI",
    "GITHUB_ACTIONS",
    "PYTHONPATH",
    "VIRTUAL_ENV",
    "KUBERNETES_SERVICE_HOST",
)


class EnvExampleOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    ignore_variables: tuple[str, ...] = PLATFORM_VARIABLES


@check(
    id="env-example-present",
    title=".env.example lists the required variables",
    category="configuration",
    severity=Severity.LOW,
    level=Level.SILVER,
    applies_when="the service's Python code reads environment variables",
    remediation="Add a .env.example that lists every variable the service reads, with safe placeholder values.",
    options=EnvExampleOptions,
    seeds=(".env.example created with all variables",),
)
def env_example_present(facts: Facts, options: EnvExampleOptions) -> Decision:
    """
    ## What it checks
    That a `.env.example` (or `.env.sample`, `.env.template`, `example.env`, ...) names every environment
    variable the service code reads: `os.environ["X"]`, `os.environ.get("X")`, `os.getenv("X")`, and
    the fields of pydantic `BaseSettings` classes (with their `env_prefix`). Scripts run by hand are not
    counted (modules under `scripts/`, `*_scripts/`, `tools/`, `bin/`, `migrations/`, `alembic/`,
    unless the service imports them), nor is test code,
    nor variables the platform sets (`HOME`, `PATH`, ...; see the `ignore_variables` option), nor a
    variable read with a default of its own (`os.getenv("PORT", "8000")`, `os.environ.setdefault`, a
    settings field with a value): the service starts without it. Any file named like an example
    counts (`.env.production.example`, `.example.env`). Names are compared case-insensitively, as
    pydantic-settings does.

    ## Why it matters
    A variable nobody documented is found at 3 a.m. when the service starts without it. The example
    file is the contract between the code and whoever deploys it.

    ## How to fix
    Add each missing variable to the example file with a placeholder value (never a real secret).

    ## Example
    ```dotenv
    MODEL_PATH=models/model.joblib
    API_KEY=change-me
    LOG_LEVEL=INFO
    ```
    """
    ignored = {v.upper() for v in options.ignore_variables}
    examples = facts.docs.env_examples
    # An example documents the code in its own folder and below, so each service of a monorepo is
    # held to its own .env.example. A variable is reported once per scope, at its first read.
    missing: dict[tuple[str, tuple[str, ...]], Location] = {}
    seen: set[str] = set()
    required: set[str] = set()
    for read in deployed_reads(facts, ignored):
        key = read.name.upper()
        seen.add(key)
        if read.has_default:
            continue  # the code works without it being set: nothing to document for a first run
        required.add(key)
        scope = tuple(ex.path for ex in examples if within(read.path, folder_of(ex.path)))
        documented = any(key in {v.upper() for v in ex.variables} for ex in examples if ex.path in scope)
        if not documented:
            missing.setdefault((key, scope), at(read.path, read.line))
    if not seen:
        return not_applicable("The service code reads no environment variables.")
    if not missing:
        defaults = len(seen) - len(required)
        if not required:
            return passed(
                f"{every(len(seen), 'variable')} the code reads {agree(len(seen), 'has', 'have')} a default: none must be set."
            )
        return passed(
            f"{', '.join(ex.path for ex in examples)} {agree(len(examples), 'lists', 'list')} {every(len(required), 'variable').lower()} the code needs"
            + (f" ({defaults} more have a default)." if defaults else ".")
        )
    hits = [
        Hit(
            f"{name} is read here but not listed in {', '.join(scope)}."
            if scope
            else f"{name} is read here and no .env.example documents it.",
            (where,),
        )
        for (name, scope), where in sorted(missing.items(), key=lambda item: (str(item[1]), item[0][0]))
    ]
    return failed(
        f"{count(len(missing), 'environment variable')} read by the code {agree(len(missing), 'is', 'are')} not in a .env.example.",
        *hits,
    )


_SCRIPT_FOLDER = lazy(r"(^|/)(scripts?|\w+_scripts|tools|bin|migrations|alembic)/")


def deployed_reads(facts: Facts, ignored: set[str]) -> Iterator[EnvRead]:
    """The environment reads of the code the deployment runs: a verification script, a one-off job or
    a migration is run by hand (unless the service itself imports it), and `ignored` names are the
    platform's."""
    for read in facts.python.env_reads:
        if read.name.upper() in ignored:
            continue
        if _SCRIPT_FOLDER.search(read.path) and read.path not in facts.code.service_modules:
            continue
        yield read


class SecretOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    relaxed_paths: tuple[str, ...] = Field(
        default=(
            "tests/", "test/", "**/tests/", "**/test/", "test_*.py", "*_test.py", "conftest.py",
            "docs/", "*.md", "*.rst", "*.ipynb",
            "*.example", "*.sample", "*.template", "*.example.*", "*.sample.*", "*.template.*",
        ),
        description="Where a secret is reported at relaxed_severity instead (gitignore-style): test "
        "dummies, documentation and example files are rarely live credentials.",
    )  # fmt: skip
    relaxed_severity: Severity = Field(
        default=Severity.LOW, description="The severity of a secret found in relaxed_paths."
    )


@check(
    id="no-hardcoded-secrets",
    title="No hardcoded secrets or credentials",
    category="security",
    severity=Severity.CRITICAL,
    level=Level.BRONZE,
    applies_when="always",
    remediation="Remove the secret from the file and from git history, rotate it, and read it from the environment or a secret store.",
    seeds=(
        "No hardcoded credentials",
        "No secrets in git repository",
        "Secrets not in code/configs",
        "No hardcoded secrets or credentials",
        "Credentials stored in environment variables only",
    ),
    options=SecretOptions,
    concern="secret-in-repository",
)
def no_hardcoded_secrets(facts: Facts, options: SecretOptions) -> Decision:
    """
    ## What it checks
    Every tracked text file for secrets, with detect-secrets' detectors: cloud keys (AWS, Azure,
    IBM), GitHub/GitLab/Slack/Stripe/SendGrid/PyPI/npm/OpenAI tokens, private keys, JWTs, credentials
    in URLs, and literal values assigned to password/secret/token/key names, in any casing
    (`signingKey`, `ENCRYPTION_KEY`, `secret_key_base`, `jwt-key`; a signing, encryption, master,
    session, JWT or HMAC key needs a random-looking value of 16 characters or more). Placeholders
    (`changeme`, `<your-key>`, `${VAR}`; an environment reference with a default, `${VAR:-default}`
    or tox's `{env:VAR:default}`, is judged by its default), values marked as test dummies (dummy, fake, example) and
    names that only mention a secret (`secretName`, `TOKEN_URL`) are not reported. A literal secret in
    a compose `environment:` entry or a Kubernetes env `value` is reported once, by
    `compose-no-inline-secrets` or `k8s-secrets-from-refs`, at the same line (here when that check is
    disabled). A finding names the
    file, the line and the kind of secret, never its value. A line can be allow-listed with a
    comment `prodgate: ignore[no-hardcoded-secrets] <reason>` (the reason is required), or
    detect-secrets' own `pragma: allowlist secret`. For values the detectors take from a secret's place
    (a password or key assignment, a URL's password) the value must look like a credential: stock
    defaults (`postgres`, `admin`, `password`), filler (`not-needed`, `auto`, `None`, empty), a
    short plain word, a sentence (`"No API key provided."`), placeholders (`dev-...`, `your-...`,
    `replace-with-...`, `...-here`, a name and the word it stands for: `ledger_password`), a value shown
    cut short (`mlp_live_4f9a...`), a JWT signed with a word (`....signature`), in docs and tests an
    example password made of stock words and digits (`SecureP@ss123`, `wrongpassword`; in service code
    the same string is a weak password that works, and is reported) and a URL whose password repeats its user are not secrets; keys
    recognised by their format (AWS, GitHub, Stripe...) always are. A secret in tests, docs or an
    example file (`relaxed_paths`) is reported at `relaxed_severity` (low: it does not block by
    default). Only lines that could hold a secret go through the
    detectors, at most 100,000 a run; a file past that budget is listed and the check is an `error`,
    never a pass.

    ## Why it matters
    A secret in git is in every clone, fork and CI cache, forever: bots scan public pushes for cloud
    keys within minutes.

    ## How to fix
    Rotate the secret first, then remove it (and purge history if the repository is public).

    ## Example
    ```python
    API_KEY = os.environ["API_KEY"]   # not: API_KEY = "sk_live_..."
    ```
    """
    # a literal secret in a compose `environment:` or a Kubernetes env `value` is the compose and
    # manifest checks' to report, at the same line: one place, one report
    claimed: set[tuple[str, int]] = set()
    runs = facts.enabled_checks
    if runs is None or "compose-no-inline-secrets" in runs:
        claimed |= {(path, line) for _, _, path, line in compose_literal_secrets(facts.compose.services)}
    if runs is None or "k8s-secrets-from-refs" in runs:
        claimed |= {
            (w.manifest.path, line) for w, _, _, _, line in k8s_literal_secrets(facts.kubernetes.workloads)
        }
    found = tuple(s for s in facts.secrets.found if (s.path, s.line) not in claimed)
    unscanned = facts.secrets.unscanned
    relaxed = PatternList(options.relaxed_paths)
    note = f" {len(facts.secrets.allowed)} allow-listed with a reason." if facts.secrets.allowed else ""
    if len(found) < len(facts.secrets.found):
        note += (
            f" {len(facts.secrets.found) - len(found)} reported by compose-no-inline-secrets or"
            " k8s-secrets-from-refs."
        )
    if unscanned:
        note += (
            f" {count(len(unscanned), 'file')} not scanned: the run's budget of candidate lines was spent."
        )
    left = tuple(
        Hit("Not scanned for secrets (too many secret-like lines): not judged.", (at(p),))
        for p in unscanned[:20]
    )
    if found:
        hits = [
            Hit(
                f"{s.kind} in a test, docs or example file (value not shown).",
                (at(s.path, s.line),),
                severity=options.relaxed_severity,
            )
            if relaxed.match_file(s.path)
            else Hit(f"{s.kind} in a tracked file (value not shown).", (at(s.path, s.line),))
            for s in found
        ]
        return failed(f"{count(len(found), 'secret')} in tracked files.{note}", *hits, *left)
    if unscanned:
        return Decision(Outcome.ERROR, f"No secret found in what was scanned.{note}", left)
    return passed(f"No secrets found ({count(facts.secrets.scanned, 'file')} looked at closely).{note}")
