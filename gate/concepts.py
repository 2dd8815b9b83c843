"""A team's checklist line mapped to the check that decides it, by the concepts the line names.

The catalog matches the five seed checklists by their wording. Teams write the same things in other
words ("Rate limiting", "Configure rate limiting", "**Auth**: API keys on every route"), so each check
also declares, in gate/data/concepts.yaml, the concepts it decides and the component it is about. A
line maps to a check when it names one of its concepts, and:
- the headings above the line (and the line itself) name the check's component, or none at all: a
  "Resource limits set" under "Kubernetes" can only be the Kubernetes check;
- a generic concept (`~` in the file: "health checks", "resource limits") needs its component named;
- no qualifier changes what is asked ("beyond Swagger", "per user", "if applicable", "not yet"), and
  the line is not in a list the team itself marks as open ("Not done yet", "Critical for production");
- one check names it best: a tie the headings cannot settle is left to a person, with the candidates.

Matching is by whole words and word stems, never by sound or similarity, so that what is automated can
be explained: the report names the concept each line was mapped by.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache, lru_cache
from importlib.resources import files
from typing import Any

import yaml
from msgspec import Struct

from gate.lazyre import lazy

COMPONENTS = ("kubernetes", "compose", "dockerfile", "ci", "github", "service", "model", "repo", "any")
NEUTRAL = frozenset({"any", "repo", "github"})
"""Components every scope admits: documents, dependencies and repository settings are about the whole
service, whatever section a line sits in."""

# the words that name a component, in a heading or in the line itself
_NAMED: dict[str, frozenset[str]] = {
    "kubernetes": frozenset(
        {"kubernetes", "k8s", "helm", "kustomize", "pod", "pods", "cluster", "kubectl", "eks", "gke", "aks"}
        | {"openshift"}
    ),
    "compose": frozenset({"compose", "docker-compose"}),
    "dockerfile": frozenset({"dockerfile", "dockerfiles", "docker", "container", "containers", "image"})
    | frozenset({"images", "containerization", "containerized", "containerisation"}),
    "ci": frozenset({"ci", "cd", "ci/cd", "pipeline", "pipelines", "workflow", "workflows", "actions"}),
    "service": frozenset({"api", "apis", "backend", "server", "endpoint", "endpoints", "flask", "fastapi"})
    | frozenset({"django", "service", "services", "application", "app", "web"}),
    "model": frozenset({"model", "models", "ml", "training", "inference", "mlops"}),
}
# "Docker" and "containers" are also where compose services and pods live
_ALSO = {
    "docker": ("compose",),
    "container": ("compose", "kubernetes"),
    "containers": ("compose", "kubernetes"),
}
_IMAGE_WORDS = frozenset({"dockerfile", "dockerfiles", "image", "images", "container", "containers"})
_STRONG = frozenset({"kubernetes", "compose", "dockerfile", "ci"})
"""Components whose name in a heading confines its lines to them. "Model" or "API" in a heading does
not: an ML checklist's "Model serving" section asks for autoscaling and probes too."""

_VETO_LINE = lazy(
    r"\b(beyond|besides|other than|in addition to|apart from|except)\b"
    r"|\bper[- ](user|customer|tenant|client|account|api[- ]key|key|ip|endpoint|route)\b"
    r"|\b(if|where|when) applicable\b|\bn/a\b"
    r"|\bnot (yet|done|implemented|configured|started|required|needed|necessary|applicable)\b"
    r"|\bno need\b|\b(tbd|wip)\b"
    # what only the running service shows, or what changes over time: no file in the repository says it
    r"|\b(returns|work|working|works|responds|reachable|successful|successfully|updated|update|up[- ]to[- ]date)\b"
    r"|\b(track|tracked|monitored)\b|\bif needed\b|\b(all|every) ((api|http|public) )?(endpoints|routes)\b"
    r"|\b(curl|wget)\b"
    # the `.env` file itself (not `.env.example`): the operator's secrets, never in the repository;
    # made before or after it is named ("`.env` file configured (not committed)": the other half of
    # such a line is the ignore rule, but a person makes the file)
    r"|\b(create|created|creating|copy|copied|fill|populate)\b[^.]{0,20}\.env\b(?!\.)"
    r"|\.env\b(?![.\w-])[^.]{0,20}?\b(created|configured|populated|filled)\b"
    # advice and activities rather than a state of the repository; work repeated at every release
    r"|\b(consider|avoid|unless|optional|optionally|tested|verified)\b"
    r"|\b(for|before|after|with) (each|every) (release|deploy|deployment|version)s?\b"
    # something else does it (a hosting platform, a managed service): the repository does not say it
    r"|\b(provided|handled|managed|supplied|terminated) by\b|\bprovides?\b"
    # "(automatic on Render)", "automatic in App Platform": a host does it; not "on every push", "in CI"
    r"|\bautomatic(ally)? (on|in|by|via) (?!(every|each|a|an|the|our|this|push|pushes|pull|prs?|merges?"
    r"|commits?|ci|github|gitlab|schedules?|main|master|releases?|tags?|deploys?|deployment|startup|start|boot"
    r"|kubernetes|k8s|docker|compose|helm|terraform)\b)[a-z][\w.-]*"
)
_IMPERATIVE = lazy(r"^\W*(check|verify|validate|monitor|review|confirm|inspect|watch)\b")
"""A line that tells a person to look at something now ("Check service health", "Verify the
certificate"): an activity at that moment, not a state of the repository, even when its verb is also
a word of what a check reads ("health check"); unless a clause of state follows (_STATE_CLAUSE)."""
_SCHEDULE_LABEL = lazy(r"^\W*(daily|weekly|monthly|quarterly|annually|yearly)\W*:")
"""A line that opens with its schedule ("Daily: verify backups completed"), as a heading can: work
people repeat, even when the check reads the interval ("Daily backups" is a backup's schedule)."""
_STATE_CLAUSE = lazy(r"\b(has|have|includes?|uses?|contains?|is|are|sets?|lists?)\b")
"""What turns a person's verb into a question about the repository: "Verify all services have a
healthcheck", "Verify `.gitignore` includes `.env`" ask a state a check reads."""
_VETO_PLATFORM = lazy(r"\b(dashboards?|alerts?|alerting|grafana|new ?relic|datadog|pager ?duty)\b")
"""Monitoring platforms and paging: decided outside the repository, except what the repository keeps
of them, which the checks in _READS_PLATFORM read."""
_READS_PLATFORM = {
    "alert": frozenset({"alert-rules-cover", "monitoring-wired"}),  # rules; receivers and routes
    "dashboard": frozenset({"monitoring-wired"}),  # Grafana dashboards kept as JSON
    "grafana": frozenset({"monitoring-wired"}),
}
"""By the platform word's stem, the checks that read the files a repository keeps of it."""
_HOST_COMMAND = lazy(r"`\s*((?:sudo\s+)?(?:systemctl|service|certbot|ufw|journalctl|ssh|scp)|sudo)\s[^`]*`")
"""A command a person runs on a server (`sudo certbot --nginx`, `systemctl status nginx`): what the line
asks happens on that host, by hand, not in the repository. Not a package manager's own command: `apt-get
install --no-install-recommends` is as often a Dockerfile's RUN as a host's."""
_VETO_HEADING = lazy(
    r"\b(not done|not yet|to ?do|open items|open issues|gaps?|missing|critical for production|known issues"
    r"|future|roadmap|later|nice to have|backlog|next steps|won'?t|out of scope|not implemented|pending"
    # after the release: live behaviour, read from the running service
    r"|post[- ]?deploy(ment)?|after (the )?(deploy(ment)?|release|launch)|post[- ]?launch|in production"
    r"|sign[- ]?off|external services?|third[- ]party services?"
    # what people learn: the team knows the procedure, not that the repository documents it
    r"|(team|staff|operator|on-?call) training|knowledge transfer"
    # what a person does by hand ("Test all endpoints manually", "Manual QA")
    r"|manual(ly)?"
    # a schedule of what people do again and again: the work, not a state of the repository
    r"|daily|weekly|monthly|quarterly|annual(?:ly)?|maintenance schedule|routine|recurring|ongoing)\b"
)
_ROUTE_SUBJECT = lazy(
    r"^(?:(?P<label>[a-z][a-z ]{0,24}):(?!//)\s*)?"  # a label ("Readiness: /ready"), never a URL's "https:"
    # "and" only between spaces: a path's own letters could spell it, and every way of splitting a
    # long run of "and/" between the two would be tried (exponential on a line a pull request wrote)
    # an HTTP method may stand before each path ("`GET /status` - Show the status")
    r"(?P<paths>(?:(?:get|post|put|patch|delete|head|options)\s+)?/[\w{}<>:.\-/]*"
    r"(?:\s*[,&]\s*(?:(?:get|post|put|patch|delete|head|options)\s+)?/[\w{}<>:.\-/]*"
    r"|\s+and\s+(?:(?:get|post|put|patch|delete|head|options)\s+)?/[\w{}<>:.\-/]*)*)"
    r"(?:(?:\s+(?:-|=>|->)\s+|\s*:\s+)(?P<rest>.*)|\s+(?:created|done|implemented|added|exists|available))?$"
)
"""A line whose subject is the routes it lists: "`/api/predict` - Single prediction", "Readiness:
`/ready`". What it asks is that the service serves them, whatever the description after them says
(emoji are gone by then, so "`/predict` ✅ Created" reads as a path and a word of status)."""
_SETTING_LABEL = lazy(r"\b(path|url)$|^(set|configure|configured|enter)\b")
"""A label that names a setting ("Health check path: `/health`", "Set health check: `/health`"): a
value typed into a hosting platform's form, not a route the line asks the service to serve (the
platform calls it, and the repository may serve it or not)."""
_HOST_PATH = lazy(r"(?:^|[\s,&])/(?:var|etc|usr|opt|proc|srv|mnt)/")
"""A folder of the host's file system among the paths ("Log groups created: `/var/log/app/`"): files on
a server, not routes of the service."""
_ROUTE_DESCRIPTION_WORDS = 8
"""Past this the words after the paths say more than a description of them."""
_MAX_WORDS = 30
"""A longer line bundles several asks; a check that answers one of them does not answer the line."""
_MAX_CHARS = 1_000
"""Past this a line is not matched at all (it could not be automated anyway): the cost of matching
grows with the words of a line, and a checklist comes from the pull request."""
_FILE = lazy(r"\.(ya?ml|json|md|txt|toml|cfg|ini|py|sh|html|conf)$")

# no character class reaches past the next bracket or parenthesis: every scan ends where the next
# attempt starts, so a line of 400 KB of `[` or `](` is read in linear time
_LINK = lazy(r"!?\[([^\[\]]*)\]\([^()]*\)")
_INLINE_HTML = lazy(
    r"</?(?:br|b|i|em|strong|code|kbd|sub|sup|span|small|mark|del|ins|s|u)\b[^<>]{0,200}>", re.I
)
"""The inline tags GitHub renders inside a line (`TLS for Ingress<br/>`, `<b>Auth</b>`): markup, not
words. Only these: `<image>` or `<your-domain>` in a line is a placeholder, and says what it stands for."""
_RUN = lazy(r"[a-z0-9_./+-]+")
_PARTS = lazy(r"[./_+-]+")
_DIGITS = lazy(r"\d+(?:\.\d+)*|[a-z]+")


class _Concept(Struct, frozen=True):
    check: str
    terms: tuple[tuple[str, ...], ...]
    generic: bool
    unless: tuple[str, ...] = ()
    """words (`!a|b` in the file) that say the line asks something narrower or else ("Database
    migration tests exist" is not "Tests exist")"""
    automate: bool = False
    """`+` in the file: this concept's matches are automated where its check's are not"""
    written: str = ""
    """the concept as concepts.yaml writes it (bench/checklist_matcher.py keeps a record of each)"""


class ConceptMatch(Struct, frozen=True):
    check: str | None
    concept: str = ""
    """the concept the line named (for the report)"""
    vetoed: str = ""
    """the qualifier or heading that kept a matching line from being automated"""
    candidates: tuple[str, ...] = ()
    """for a line left to a person: the checks it nearly mapped to"""
    automated: bool = False
    """the concept the line named is automated by itself (`+` in concepts.yaml)"""
    written: str = ""
    """that concept as concepts.yaml writes it"""
    unplaced: bool = False
    """only generic concepts matched, and the line names no component: the candidates are suggestions"""


def _without_comments(line: str) -> str:
    """`<!-- ... -->` replaced by a space, in one pass (`<!--.*?-->` rescanned to the end of the line from
    every opening that nothing closes)."""
    out: list[str] = []
    at = 0
    while (start := line.find("<!--", at)) >= 0 and (end := line.find("-->", start + 4)) >= 0:
        out.append(line[at:start] + " ")
        at = end + 3
    out.append(line[at:])
    return "".join(out)


_NUMBERING = lazy(r"^\s*(?:\d+(?:\.\d+)+\.?\s+(?=[A-Z][a-z])|\d+[.)]\s+(?=[A-Za-z]))")
"""An item's own number in front of what it says (`**1.1** All variables documented`, `3) Rate
limiting`): numbering, not a word the line asks. A dotted number only before a capitalised word, so that
a quantity ("1.5 GB memory limit") is read."""


def text_of(line: str) -> str:
    """What a line says, lower case: markup, links, comments, emoji and ticks gone; code spans and a
    `**Label**: description` read as words."""
    line = _without_comments(line)
    line = _LINK.sub(r"\1", line)
    line = _INLINE_HTML.sub(" ", line)
    line = line.replace("`", " ").replace("**", " ").replace("__", " ")
    line = _NUMBERING.sub("", line, count=1)
    # accents folded first ("café" reads "cafe", not "caf"); what has no ASCII letter is dropped
    line = unicodedata.normalize("NFKD", line).encode("ascii", "ignore").decode().lower()
    return " ".join(line.split())


def tokens(text: str) -> frozenset[str]:
    """Each word as written (`.env`, `/health`, `pip-audit`, `100ms`), and its parts."""
    return frozenset(word for _, word in _positioned(text))


def _positioned(text: str) -> list[tuple[int, str]]:
    """(position, word): a word's parts share its position."""
    found: list[tuple[int, str]] = []
    for position, run in enumerate(_RUN.findall(text)):
        run = run.rstrip("./-+")
        if not run:
            continue
        found.append((position, run))
        for part in _PARTS.split(run):
            if part:
                found.append((position, part))
                found.extend((position, piece) for piece in _DIGITS.findall(part) if piece != part)
    return found


_WINDOW = 8
"""A concept's words must stand within this many words of each other: in a long line, "integration"
at one end and "test" at the other are not integration tests."""


def _alternative_matches(alternative: str, word: str) -> bool:
    if alternative == "#number":
        return word[0].isdigit()
    if alternative.startswith("*"):
        return word.endswith(alternative[1:])
    if alternative.endswith("*"):
        return word.startswith(alternative[:-1])
    return word == alternative


def _matches(concept: _Concept, words: list[tuple[int, str]]) -> bool:
    if any(_alternative_matches(a, w) for _, w in words for a in concept.unless):
        return False
    places: list[list[int]] = []
    for term in concept.terms:
        found = sorted({p for p, w in words if any(_alternative_matches(a, w) for a in term)})
        if not found:
            return False
        places.append(found)
    # some choice of one place per term within the window: try each place of the rarest term as a start
    anchor = min(places, key=len)
    return any(all(any(abs(p - start) < _WINDOW for p in ps) for ps in places) for start in anchor)


@cache
def _raw() -> dict[str, dict[str, Any]]:
    loaded: dict[str, dict[str, Any]] = yaml.safe_load(
        files("gate.data").joinpath("concepts.yaml").read_text(encoding="utf-8")
    )
    return loaded


@cache
def automated() -> frozenset[str]:
    """The checks whose concept matches are automated, not only suggested (`automate: true` in
    concepts.yaml): those whose concept matches, on the labelled public checklists seen so far, were
    right at least three times at a precision of at least 0.95 (bench/checklist_matcher.py
    --concept-record). A single concept of another check may meet the same bar (`+`)."""
    return frozenset(check for check, entry in _raw().items() if entry.get("automate") is True)


@cache
def _words() -> dict[str, tuple[str, ...]]:
    """Per check, the words that may stand beside its concepts without changing what a line asks (tools
    that do it, the objects it is about): `words:` in concepts.yaml."""
    return {check: tuple(entry.get("words", "").split()) for check, entry in _raw().items()}


@cache
def leaves_to() -> dict[str, tuple[str, ...]]:
    """Per check, the checks it leaves part of what it decides to (`leaves_to:` in concepts.yaml): the
    secret scan leaves a literal password in a compose file or a manifest to their checks, so that it
    is reported once. A line mapped to that check, by a concept or a seed wording (not by a marker),
    shows beside it those that failed: "No hardcoded secrets" must not pass beside a password the
    compose check found."""
    return {
        check: tuple(entry["leaves_to"].split()) for check, entry in _raw().items() if "leaves_to" in entry
    }


@cache
def _under() -> dict[str, frozenset[str]]:
    """Per check, the other components whose scope admits it (`under:` in concepts.yaml): the CI
    check that scans the image it builds is what "Images scanned for vulnerabilities" asks, though
    "images" confines a line to the Dockerfile's component."""
    return {check: frozenset(entry.get("under", "").split()) for check, entry in _raw().items()}


@cache
def _concepts() -> tuple[tuple[_Concept, ...], dict[str, str]]:
    raw = _raw()
    concepts: list[_Concept] = []
    components: dict[str, str] = {}
    for check, entry in raw.items():
        components[check] = entry["component"]
        for text in entry["concepts"]:
            marks = text[: len(text) - len(text.lstrip("~+"))]
            words = text.lstrip("~+").split()
            terms = tuple(tuple(t.split("|")) for t in words if not t.startswith("!"))
            unless = tuple(a for t in words if t.startswith("!") for a in t[1:].split("|"))
            concepts.append(_Concept(check, terms, "~" in marks, unless, "+" in marks, text))
    return tuple(concepts), components


def components() -> dict[str, str]:
    """Each check's component, as concepts.yaml declares it."""
    return _concepts()[1]


def _named(words: frozenset[str]) -> set[str]:
    named = {component for component, vocabulary in _NAMED.items() if words & vocabulary}
    for word, more in _ALSO.items():
        if word in words:
            named.update(more)
    if words & _NAMED["compose"] and not words & _IMAGE_WORDS:
        # "Docker Compose" names compose, not the Dockerfile; "Docker builds" still names the Dockerfile
        named.discard("dockerfile")
    return named


def scope(line_words: frozenset[str], headings: tuple[str, ...]) -> set[str] | None:
    """The infrastructure components a line can be about: those it names (narrowed to its nearest
    heading's, when both name some), or else those of its nearest heading that names any; None when
    nothing names one (every check is eligible)."""
    named = _named(line_words) & _STRONG
    for heading in reversed(headings):
        above = set(_heading_names(heading) & _STRONG)
        if above:
            # "Containers run as non-root" under "Kubernetes": the containers of the heading's component
            return (named & above or named) if named else above
    return named or None


def _mentioned(line_words: frozenset[str], headings: tuple[str, ...]) -> set[str]:
    """The components a generic concept may count as named: any the line names, and the
    infrastructure ones its headings name ("Service communication" above "Health check polling" does
    not make it the service's health route)."""
    named = _named(line_words)
    for heading in headings:
        named |= _heading_names(heading) & _STRONG
    return named


_FOREIGN_LETTERS = 3
"""From this many letters outside ASCII a line is not read as English: fewer are a borrowed word
("café", "naïve"), and emoji are not letters. The matcher reads a line's words by their ASCII spelling: of "Rate limiting đã cấu
hình" it would read "rate limiting a cu hnh", and take it, or give "cu" as the word it cannot
read."""


_FOREIGN_TEXT = (
    # German
    "und oder nicht keine kein keinen für fur ist sind wird werden wurde eingerichtet konfiguriert "
    "vorhanden aktiviert eingestellt durchgeführt alle auf bei über im vom zum zur eine einen sowie "
    # Spanish and Portuguese
    "para los las del está están configurado configurada configurados habilitado habilitada "
    "implementado implementada todos todas una según cada sin não estão uma "
    # French
    "pour avec les sont configuré configurée activé aucun aucune dans "
    # Indonesian
    "tidak untuk yang dengan sudah belum"
)
_FOREIGN_WORDS = frozenset(_FOREIGN_TEXT.split())
"""Function words of the other languages the labelled lists were written in, seldom English words
("pour", "sin") and never a token an English line carries (so not "die", "den", "os", "com", "em",
"et", "la", "el", "y", "mit"): two of them mark a line written in that language with English
technical words in it ("Keine hardcoded Passwörter oder API-Keys im Code"), which the matcher would
read word by word as English."""
_LETTER_RUN = lazy(r"[^\W\d_]+")


def foreign_words(line: str) -> int:
    """How many of `_FOREIGN_WORDS` the line uses."""
    return len({w for w in _LETTER_RUN.findall(line.lower()) if w in _FOREIGN_WORDS})


FOREIGN_LIST_SHARE = 0.15
"""A checklist at least this share of whose checkbox lines use one of `_FOREIGN_WORDS` is written in
another language: there one such word marks a line ("Database-Backups eingerichtet"). Over the 154
labelled lists, the English ones have at most 0.01, the others (German, Spanish, Indonesian) 0.17
to 0.50."""

NOT_ENGLISH = "the line is not in English, and the matcher reads English only"


def _not_english(line: str) -> bool:
    letters = 0
    for char in line:
        if char > "\x7f" and unicodedata.category(char).startswith("L"):
            letters += 1
            if letters >= _FOREIGN_LETTERS:
                return True
    return foreign_words(line) >= 2


def _too_long(said: str) -> bool:
    return len(said) > _MAX_CHARS or len(said.split()) > _MAX_WORDS


def veto(line: str, headings: tuple[str, ...], checks: Iterable[str] = ()) -> str:
    """The qualifier, or the heading, that makes a line ask something no check decides ("" if none).
    `checks`: the checks the line would go to (a line about alerts is theirs when they read alert rules)."""
    if _not_english(line):
        return NOT_ENGLISH
    said = text_of(line)
    if _too_long(said):
        return "the line asks several things at once"
    if (imperative := _IMPERATIVE.match(said)) and not _STATE_CLAUSE.search(said, imperative.end()):
        return f"the line says “{imperative.group(1)}”"
    if schedule := _SCHEDULE_LABEL.match(said):
        return f"it is listed as “{schedule.group(1)}” work"
    for qualifier in _VETO_LINE.finditer(said):
        if not _asked_by(qualifier.group(0), checks):
            return f"the line says “{qualifier.group(0)}”"
    for found in _VETO_PLATFORM.finditer(said):  # every one: "Dashboards in Datadog" is Datadog's
        if not any(
            found.group(0).startswith(stem) and readers.intersection(checks)
            for stem, readers in _READS_PLATFORM.items()
        ):
            return f"the line says “{found.group(0)}”"
    if command := _HOST_COMMAND.search(line):
        return f"the line gives a command to run on a host (`{command.group(1)}`)"
    if said.rstrip().endswith(":"):
        return "the line introduces the lines under it"
    for heading in headings:
        if open_list := _open_list(heading):
            return f"it is listed under “{open_list}”"
    return ""


def _asked_by(phrase: str, checks: Iterable[str]) -> bool:
    """The qualifier is what one of the checks reads ("Backup restore tested" to the check that reads
    restore drills, "API documentation up to date" to the one that compares it with the routes), so it
    does not take the line from it."""
    said = phrase.split()
    for check in checks:
        own = _terms().get(check, ())
        if all(any(_alternative_matches(a, w) for a in own) for w in said):
            return True
    return False


@cache
def _terms() -> dict[str, tuple[str, ...]]:
    """Each check's concept words (their alternatives and stems)."""
    found: dict[str, set[str]] = {}
    for concept in _concepts()[0]:
        found.setdefault(concept.check, set()).update(a for term in concept.terms for a in term)
    return {check: tuple(sorted(words)) for check, words in found.items()}


@lru_cache(maxsize=1024)
def _open_list(heading: str) -> str:
    """The heading, when it marks its lines as open or after the release ("" if not): read once per
    heading, not once per line under it. A list of work that says it is done ("TODO 7: Dashboards
    (COMPLETE)") is not open. A parent line that tells a person to look at what follows ("Verify
    health endpoints:", then the paths) makes its points things to check on the running service."""
    said = text_of(heading)
    if _IMPERATIVE.match(said) and said.rstrip().endswith(":"):
        return heading.strip()
    found = [m.group(0) for m in _VETO_HEADING.finditer(said)]
    if not found:
        return ""
    if _DONE_HEADING.search(said) and all(_OPEN_WORK.fullmatch(f) for f in found):
        return ""
    return heading.strip()


_OPEN_WORK = lazy(r"to ?do|open items|open issues|gaps?|missing|not implemented|pending|backlog")
"""The words of _VETO_HEADING that call a list's lines work still to do: a heading may also say the work
is done. The others (after the release, by hand, on a schedule) hold whatever state the work is in."""
_DONE_HEADING = lazy(r"(?<!not )(?<!not yet )\b(complete|completed|done|finished|resolved|fixed|closed)\b")


@lru_cache(maxsize=1024)
def _heading_names(heading: str) -> frozenset[str]:
    return frozenset(_named(tokens(text_of(heading))))


DOCUMENTS = frozenset(
    {"api-docs-present", "deployment-guide-present", "readme-present", "readme-configuration-section"}
    | {"readme-deployment-section", "runbook-present", "rollback-documented", "changelog-present"}
    | {"security-policy-present", "env-example-present", "model-card-present", "docstring-coverage"}
    | {"license-present", "ops-doc-topics", "api-docs-current"}
)
"""Checks that read documents: only they decide a line that asks for something to be documented."""
_DOCUMENTED = lazy(r"\b(documented|documentation|document)\b")


def _specific(line: str, check: str) -> str:
    """A route or file the line names that none of the check's concepts does ("`/ready` answers" is not
    decided by a check that accepts any health route), or documentation a check that reads none."""
    if check not in DOCUMENTS and (found := _DOCUMENTED.search(text_of(line))):
        return f"the line asks for “{found.group(0)}”, and the check reads no document"
    own = _terms().get(check, ())
    for word in tokens(text_of(line)):
        specific = (word.startswith("/") and len(word) > 1) or bool(_FILE.search(word))
        if specific and not any(_alternative_matches(a, word) for a in own):
            return f"the line names {word}, which the check does not look for by name"
    return ""


@lru_cache(maxsize=4096)
def match(line: str, headings: tuple[str, ...] = ()) -> ConceptMatch:
    said = text_of(line)
    if _too_long(said):
        return ConceptMatch(None)
    words = _positioned(said)
    vocabulary = frozenset(w for _, w in words)
    allowed = scope(vocabulary, headings)
    if _platform_setting(said):
        return ConceptMatch(None, vetoed=_SETTING, candidates=(ROUTES_CHECK,))
    if routes := _route_subject(said, allowed):
        why = veto(line, headings, (ROUTES_CHECK,))
        if why:
            return ConceptMatch(None, concept=routes, vetoed=why, candidates=(ROUTES_CHECK,))
        return ConceptMatch(ROUTES_CHECK, concept=routes)
    mentioned = _mentioned(vocabulary, headings)
    kinds = components()
    best: dict[str, tuple[int, _Concept]] = {}
    unplaced: set[str] = set()
    for concept in _concepts()[0]:
        component = kinds[concept.check]
        admitted = allowed is None or component in allowed or component in NEUTRAL
        if not admitted and not (allowed or set()) & _under().get(concept.check, frozenset()):
            continue
        if concept.generic and component not in mentioned:
            if _matches(concept, words):
                unplaced.add(concept.check)
            continue
        if _matches(concept, words):
            score = len(concept.terms)
            if concept.check not in best or score > best[concept.check][0]:
                best[concept.check] = (score, concept)
    if not best and unplaced:
        # "Linting passes": linted in CI, or by hand? The checks that would decide it are suggested,
        # so that a team sees which marker says where
        return ConceptMatch(None, vetoed=_UNPLACED, candidates=tuple(sorted(unplaced)), unplaced=True)
    if not best:
        return ConceptMatch(None)
    # a check the whole line is about comes before one that leaves a word of it unread ("Rollback plan
    # tested" is the rollback drills', not the written rollback plan's)
    gaps = {check: _unexplained(check, words) for check in best}
    pool = {check: found for check, found in best.items() if not gaps[check]} or best
    top = max(score for score, _ in pool.values())
    leaders = sorted(check for check, (score, _) in pool.items() if score == top)
    if len(leaders) > 1:
        return ConceptMatch(None, vetoed=_TIED, candidates=tuple(leaders))
    check = leaders[0]
    named = _in_own_words(best[check][1], words)
    why = veto(line, headings, (check,)) or _specific(line, check) or gaps[check]
    concept = best[check][1]
    if why:
        return ConceptMatch(None, concept=named, vetoed=why, candidates=(check,), written=concept.written)
    return ConceptMatch(check, concept=named, automated=concept.automate, written=concept.written)


ROUTES_CHECK = "routes-served"
_UNPLACED = "the line does not name where this is done"
_TIED = "the line fits these checks equally; a marker says which"
"""A tie: "Container runs as non-root user" is the Dockerfile's USER as much as a manifest's security
context. Measured (2026-12-01, evening), letting the repository choose the one place it has was right
6 times and wrong 6 on the labelled lists (a host's systemd user, a Helm chart, a Compose health
check the line meant): a team's marker says which."""


_SETTING = "the line gives a value to set on a hosting platform, not a route the service serves"


def _platform_setting(said: str) -> bool:
    """The line lists paths under a label that names a setting (_SETTING_LABEL)."""
    found = _ROUTE_SUBJECT.match(said)
    return bool(found and found.group("label") and _SETTING_LABEL.search(found.group("label").strip()))


def _route_subject(said: str, allowed: set[str] | None) -> str:
    """The paths a line lists as its subject ("" if it lists none, or its headings rule out the
    service): the routes-served check judges exactly those."""
    if allowed is not None and components()[ROUTES_CHECK] not in allowed:
        return ""
    found = _ROUTE_SUBJECT.match(said)
    if not found or len(found.group("paths")) < 2:
        return ""
    if _HOST_PATH.search(found.group("paths")):
        return ""
    rest = found.group("rest") or ""
    if len(rest.split()) > _ROUTE_DESCRIPTION_WORDS:
        return ""
    return found.group("paths").strip()


def _in_own_words(concept: _Concept, words: list[tuple[int, str]]) -> str:
    """The concept as the line wrote it: for each term, the line's first word that matched it."""
    said = []
    for term in concept.terms:
        word = next((w for _, w in words if any(_alternative_matches(a, w) for a in term)), term[0])
        said.append(word)
    return " ".join(said)


# Words that say nothing of what is asked: a line may add them to a concept and still ask only it.
_FUNCTION_TEXT = (
    "a an the and or of for to in on at by with from via into is are be been being was were "
    "has have had it its this that these those our your we you they their there all any each "
    "every as per so such should must will shall can may need needs needed required require "
    "requires e.g eg i.e ie etc similar not no never always does do s critical important "
    "mandatory essential recommended don doesn isn aren won shouldn mustn t after before common"
)
_FUNCTION_WORDS = frozenset(_FUNCTION_TEXT.split())
"""`s` is what is left of a possessive ("the gate's status"), `don` and `t` of a contracted negation
("Don't log secrets"). Negations count as no substance because the checks' own asks are often
negative ("Secrets not in images", "Image tags are immutable (not latest)"); the negations that leave
a line open ("not yet", "not configured") are vetoed before (_VETO_LINE)."""
_STATE_TEXT = (
    "implemented implement implementing configured configure configuring set setup up enabled "
    "enable added add adding defined define created create done complete completed exists "
    "exist present available in-place place established ensure ensured make sure provided "
    "properly proper correctly correct appropriate appropriately applied apply enforced "
    "enforce written maintained prepared ready choose chosen select selected policy policies "
    "strategy use used using uses include includes included including have verify confirm "
    "automatic automatically built-in basic regular regularly protection settings setting prepare "
    "installed remaining replaced removed generated auto-generated already"
)
_STATE_WORDS = frozenset(_STATE_TEXT.split())
"""Words that say a thing is done, or how firmly, not what it is."""
_SUBJECT_TEXT = (
    "production prod service services application app api python code codebase environment environments"
)
_SUBJECT_WORDS = frozenset(_SUBJECT_TEXT.split())
"""The service every line of the checklist is about, its code and where it runs: naming it adds
nothing to what a line asks ("Type hints added to Python code", "JSON logging for production
environments"). Its language included: where the service is not Python, gate.checklist leaves its
lines to a person."""
_KUBERNETES_OBJECTS = (
    "deployment deployments statefulset statefulsets daemonset daemonsets replicaset replicasets "
    "workload workloads manifest manifests container containers"
)
_CI_WORDS = "automated automatically automatic ci/cd github"
_COMPONENT_WORDS: dict[str, frozenset[str]] = {
    "kubernetes": frozenset(_KUBERNETES_OBJECTS.split()),
    "ci": frozenset(_CI_WORDS.split()),
    "compose": frozenset(["docker"]),  # "Docker Compose" is the tool's name
}
"""The objects a component's checks read, beside the words that name the component (_NAMED)."""


@cache
def _vocabularies() -> dict[str, tuple[str, ...]]:
    from gate.checks import REGISTRY  # the titles; only matching a checklist line needs them

    found = {check: set(words) for check, words in _terms().items()}
    kinds = components()
    for check, words in found.items():
        words.update(_NAMED.get(kinds[check], ()))
        words.update(_COMPONENT_WORDS.get(kinds[check], ()))
        words.update(_words()[check])
        if check in REGISTRY:  # how the check names what it decides
            words.update(w for _, w in _positioned(text_of(REGISTRY[check].title)))
    return {check: tuple(sorted(words)) for check, words in found.items()}


def _explained(word: str, vocabulary: tuple[str, ...]) -> bool:
    if word in _FUNCTION_WORDS or word in _STATE_WORDS or word in _SUBJECT_WORDS:
        return True
    return any(_alternative_matches(a, word) for a in vocabulary)


_BENEFIT_TEXT = (
    "efficiency efficient availability reliability reliable resilience resiliency performance "
    "speed faster fast easier easy better improved simpler quick quicker parsing debugging "
    "troubleshooting distribution scalability scaling observability visibility traceability "
    "auditability consistency reproducibility maintainability readability safety high higher "
    "smaller size"
)
_BENEFIT_WORDS = frozenset(_BENEFIT_TEXT.split())
"""What a closing "for ..." may say a thing is good for ("multi-stage builds for efficiency", "replicas
for high availability"): the why of the line, not more of what it asks. A closing "for" with any other
word ("tests for billing") still names more than the check reads."""


def _purpose(by_place: dict[int, list[str]]) -> set[int]:
    """The places of a closing clause that says what the thing is good for: "for ..." made only of
    benefit and function words, or "to prevent|avoid|stop ..." (a harm it keeps away: "rate limiting
    to prevent abuse")."""
    places = sorted(by_place)
    for i, place in enumerate(places):
        rest = places[i + 1 :]
        if not rest:
            break
        if by_place[place][0] == "to" and by_place[rest[0]][0] in _AVERTING:
            return {place, *rest}
        if by_place[place][0] != "for":
            continue
        if all(by_place[p][0] in _BENEFIT_WORDS or by_place[p][0] in _FUNCTION_WORDS for p in rest):
            return {place, *rest}
    return set()


_AVERTING = frozenset(["prevent", "avoid", "stop", "block", "reduce", "limit", "minimize", "minimise"])
"""The verbs of a closing "to ..." that names a harm a thing keeps away: what it is for, not more of
what it is."""


def _unexplained(check: str, words: list[tuple[int, str]]) -> str:
    """A word of the line that neither the check's concepts nor a word of no substance accounts for:
    "Model caching implemented" asks about models, which the caching concept does not read."""
    vocabulary = _vocabularies().get(check, ())
    by_place: dict[int, list[str]] = {}
    for place, word in words:
        by_place.setdefault(place, []).append(word)
    why = _purpose(by_place)
    for place, said in by_place.items():
        if place in why:
            continue
        whole = said[0]
        parts = [w for w in said[1:] if not w.isdigit()]
        if _explained(whole, vocabulary) or (check in DOCUMENTS and _DOCUMENTED.fullmatch(whole)):
            # a check that reads a document reads what is documented ("Runbooks documented")
            continue
        if parts and all(_explained(w, vocabulary) for w in parts):
            continue
        return f"the line also says “{whole}”, which the check does not read"
    return ""
