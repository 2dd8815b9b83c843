"""The checklist catalog: every item of the seed checklists, shipped as data (gate/data/catalog.yaml).

Each item is exactly one kind: automated (bound to registered checks that decide it from evidence),
attestation (a person signs off a stated fact) or out_of_scope (with the reason). Items carry the
wordings they answer to; a checklist line is matched to an item by an explicit marker, by its wording
(normalised), or by similarity with a confidence, and below the threshold it is not guessed.
"""

from __future__ import annotations

import difflib
from enum import StrEnum
from functools import cache, lru_cache
from importlib.resources import files

import yaml
from pydantic import Field, model_validator

from gate.lazyre import lazy
from gate.model import Frozen, Level

CHECKBOX = lazy(r"^(?P<indent>\s*)[-*+]\s+\[(?P<mark>[ xX])\]\s+(?P<text>.*)$")
r"""A checkbox line; its text still carries trailing whitespace (rstrip it: a lazy `.*?` before `\s*$`
backtracked quadratically over a line of spaces, and a checklist comes from the pull request)."""
_CODE_TAIL = lazy(r":\s*`.*$")
_NON_WORD = lazy(r"[^a-z0-9.+<>%/]+")
_CANDIDATES = 12
MATCH_THRESHOLD = 0.86
"""Below this similarity a line is not mapped to an item (it shows as a manual item instead)."""


class Kind(StrEnum):
    AUTOMATED = "automated"
    ATTESTATION = "attestation"
    OUT_OF_SCOPE = "out_of_scope"


class Item(Frozen):
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    title: str
    category: str
    level: Level
    kind: Kind
    checks: tuple[str, ...] = ()
    """automated: the registered checks that decide it (the worst outcome wins)"""
    statement: str = ""
    """attestation: what the signer confirms"""
    expires_days: int | None = Field(default=None, ge=1)
    """attestation: how long a sign-off holds (e.g. a restore test every 90 days)"""
    reason: str = ""
    """out_of_scope: why no gate decides it"""
    wordings: tuple[str, ...]
    contexts: tuple[str, ...] = ()
    """heading words that pick this item when the same wording means different things in different
    sections ("Health checks configured" under Docker Compose or under Kubernetes)"""
    needs: str | None = None
    """the part of a full-stack app the item is about ("node-backend", "frontend"): its checks decide it,
    or its reason is shown, only where the repository has that part; elsewhere the line is left to a
    person, without a verdict or a reason about a part the team does not have"""
    instead: str | None = None
    """a Node/JS backend item: the item its line means in a repository without such a backend (a Python
    team's "Backend" section is its Python service)"""

    @model_validator(mode="after")
    def _one_kind(self) -> Item:
        need = {
            Kind.AUTOMATED: bool(self.checks),
            Kind.ATTESTATION: bool(self.statement),
            Kind.OUT_OF_SCOPE: bool(self.reason),
        }
        if not need[self.kind]:
            raise ValueError(f"{self.id}: a {self.kind.value} item needs its {_FIELD[self.kind]}")
        if any(v for k, v in need.items() if k is not self.kind):
            raise ValueError(f"{self.id}: only a {self.kind.value} item's own field may be set")
        return self


_FIELD = {Kind.AUTOMATED: "checks", Kind.ATTESTATION: "statement", Kind.OUT_OF_SCOPE: "reason"}


class Catalog(Frozen):
    items: tuple[Item, ...]

    @model_validator(mode="after")
    def _unique(self) -> Catalog:
        seen: set[str] = set()
        for item in self.items:
            if item.id in seen:
                raise ValueError(f"catalog item id {item.id!r} appears twice")
            seen.add(item.id)
        return self

    @model_validator(mode="after")
    def _instead_exists(self) -> Catalog:
        ids = {item.id for item in self.items}
        for item in self.items:
            if item.instead is not None and item.instead not in ids:
                raise ValueError(f"{item.id}: instead names {item.instead!r}, which is no catalog item")
        return self

    def by_id(self) -> dict[str, Item]:
        return {i.id: i for i in self.items}


def _without_asides(text: str) -> str:
    r"""Each `(...)` replaced by a space, as `re.sub(r"\([^)]*\)", " ", text)` does, in one pass: the
    pattern rescanned to the end of the line from every `(` that no `)` closes (quadratic)."""
    out: list[str] = []
    at = 0
    while (start := text.find("(", at)) >= 0 and (end := text.find(")", start)) >= 0:
        out.append(text[at:start] + " ")
        at = end + 1
    out.append(text[at:])
    return "".join(out)


MAX_MATCHED = 2_000
"""A line longer than this is never a catalog wording (they are a sentence each): it is not compared."""


def normalize(text: str) -> str:
    """The form wordings are compared in: no markup, no commands after a colon, no parenthesised
    asides, no tick marks, lower case, single spaces."""
    text = _CODE_TAIL.sub("", text)
    text = _without_asides(text).replace("`", "").replace("**", "")
    text = text.encode("ascii", "ignore").decode().lower()
    return " ".join(_NON_WORD.sub(" ", text).split()).rstrip(" .")


@cache
def load_catalog() -> Catalog:
    raw = files("gate.data").joinpath("catalog.yaml").read_text(encoding="utf-8")
    return Catalog.model_validate({"items": yaml.safe_load(raw)})


class Match(Frozen):
    item: Item | None
    confidence: float
    how: str
    """marker, wording, similar, none"""


_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "is",
        "of",
        "on",
        "or",
        "the",
        "to",
        "with",
        "all",
        "any",
        "not",
        "no",
        "if",
    ]
)


def _tokens(key: str) -> frozenset[str]:
    return frozenset(t for t in key.split() if len(t) > 1 and t not in _STOP)


@cache
def _index() -> tuple[dict[str, list[Item]], list[tuple[str, Item]], dict[str, list[int]]]:
    exact: dict[str, list[Item]] = {}
    pairs: list[tuple[str, Item]] = []
    postings: dict[str, list[int]] = {}
    for item in load_catalog().items:
        for wording in item.wordings:
            key = normalize(wording)
            exact.setdefault(key, []).append(item)
            for token in _tokens(key):
                postings.setdefault(token, []).append(len(pairs))
            pairs.append((key, item))
    return exact, pairs, postings


_FILLERS = frozenset(
    w[:5]  # compared with a word's first five letters: longer entries never matched
    for w in (
        "implement",
        "configur",
        "enable",
        "set",
        "setup",
        "defin",
        "creat",
        "added",
        "done",
        "compl",
        "availa",
        "prese",
        "exist",
        "in",
        "place",
        "prope",
        "correc",
        "approp",
        "ready",
        "work",
        "works",
        "verif",
        "valid",
        "check",
        "there",
        "up",
        "our",
        "your",
        "we",
        "it",
        "this",
        "that",
        "have",
        "has",
        "been",
        "should",
        "must",
        "will",
        "can",
        "all",
        "every",
        "each",
        "prod",
        "produ",
        "env",
        "envir",
        "high",
        "low",
        "use",
        "using",
    )
)
"""Word stems a line may add to a wording without changing what it asks ("configured properly")."""


def _covered(word: str, known: frozenset[str]) -> bool:
    """The word is one of the wording's, up to its ending (log, logs, logging)."""
    return any(t[: min(4, len(word), len(t))] == word[: min(4, len(word), len(t))] for t in known)


def _qualified(key: str, item: Item) -> bool:
    """A line that adds a word of substance to the wording it resembles asks something else: "Model
    caching implemented" is not "Caching implemented", "Consistent endpoint naming conventions" not
    "Consistent naming conventions". Only words that change nothing (verbs of being done, adverbs of
    manner) may be added."""
    from gate.concepts import DOCUMENTS

    known = frozenset(w for wording in item.wordings for w in _tokens(normalize(wording)))
    extra = [w for w in _tokens(key) if not _covered(w, known)]
    # an item decided by reading documents is about what is written: "documented" adds nothing to it
    documents = bool(item.checks) and all(c in DOCUMENTS for c in item.checks)
    return any(
        w[:5] not in _FILLERS and not w.isdigit() and not (documents and w.startswith("docum")) for w in extra
    )


def _pick(candidates: list[Item], headings: tuple[str, ...]) -> Item:
    if len(candidates) == 1:
        return candidates[0]
    context = " ".join(normalize(h) for h in headings)
    scored = [(sum(c in context for c in item.contexts), i, item) for i, item in enumerate(candidates)]
    return max(scored, key=lambda s: (s[0], -s[1]))[2]


@lru_cache(maxsize=4096)
def match(text: str, headings: tuple[str, ...] = ()) -> Match:
    """The catalog item a checklist line answers to. `headings` (outermost first) break ties between
    items with the same wording."""
    if len(text) > MAX_MATCHED:
        return Match(item=None, confidence=0.0, how="none")
    key = normalize(text)
    if not key:
        return Match(item=None, confidence=0.0, how="none")
    exact, pairs, postings = _index()
    if key in exact:
        return Match(item=_pick(exact[key], headings), confidence=1.0, how="wording")
    # similar wordings share words: compare only with the few that share the most
    shared: dict[int, int] = {}
    for token in _tokens(key):
        for i in postings.get(token, ()):
            shared[i] = shared.get(i, 0) + 1
    # ties in shared words go to the earlier wording: the dict's order follows the set of tokens, whose
    # order changes with the interpreter's string hashing from one run to the next
    candidates = sorted(shared, key=lambda i: (-shared[i], i))[:_CANDIDATES]
    best: tuple[float, Item | None] = (0.0, None)
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(key)  # the line is the sequence difflib caches details of
    for wording, item in (pairs[i] for i in candidates):
        matcher.set_seq1(wording)
        # the cheap upper bounds first: most wordings are ruled out by length or letters alone
        floor = max(best[0], MATCH_THRESHOLD - 1e-9)
        if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
            continue
        ratio = matcher.ratio()
        if ratio > best[0]:
            best = (ratio, item)
    if best[1] is not None and best[0] >= MATCH_THRESHOLD and not _qualified(key, best[1]):
        return Match(item=best[1], confidence=round(best[0], 2), how="similar")
    return Match(item=None, confidence=round(best[0], 2), how="none")
