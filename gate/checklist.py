"""A team's own Markdown checklist, read line by line and mapped to catalog items.

Everything that is not a checkbox line (headings, notes, tables, fenced blocks) is kept as it is, so the
checklist can be rendered back in its own order and nesting. A checkbox line maps to a catalog item by
an explicit marker (`<!-- prodgate: ID -->`, a catalog item id or a check id) or by its wording.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path

from pydantic import Field

from gate import concepts
from gate.catalog import CHECKBOX, Item, Kind, Match, load_catalog, match
from gate.errors import InputProblem
from gate.lazyre import lazy
from gate.model import OUTCOME_ORDER, ChecklistLine, CheckResult, FilledChecklist, Frozen, Outcome
from gate.paths import OutsideRepository, inside
from gate.signoffs import SignOffs

MAX_CHECKLIST_BYTES = 2 * 1024 * 1024
_HEADING = lazy(r"^(#{1,6})\s+(.*)$")
"""An ATX heading; its closing `#`s and whitespace are stripped in code (see _title)."""
_MARKER = lazy(r"<!--\s*prodgate:\s*([a-z0-9-]+)\s*-->")
_FENCE = lazy(r"^\s*(```|~~~)")
_LIST_ITEM = lazy(r"^(\s*)(?:[-*+]|\d+[.)])\s")


class ChecklistError(InputProblem):
    pass


class Line(Frozen):
    number: int
    text: str
    """the line as written (checkbox lines: the item's text, marker removed)"""
    kind: str
    """heading, item, other"""
    level: int = 0
    """heading: 1-6; item: nesting depth from 0"""
    ticked: bool = False
    headings: tuple[str, ...] = ()
    item: str | None = None
    """the catalog item id it maps to"""
    check: str | None = None
    """an explicit marker naming a check id rather than a catalog item"""
    confidence: float = 0.0
    how: str = "none"
    why: str = ""
    """how it was mapped (the wording or concept), or why a line that names a check was left to a person"""
    candidates: tuple[str, ...] = ()
    """a line left to a person: the checks it nearly mapped to (a marker would settle it)"""


class Checklist(Frozen):
    path: str
    lines: tuple[Line, ...]
    seed: bool = False
    """a seed checklist or a copy of one (SEED_LIST_SHARE): its lines carry the catalog's judgement"""

    @property
    def items(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.kind == "item")


def _title(text: str) -> str:
    r"""A heading's text without its closing `#`s and the whitespace around them (what a lazy `(.*?)`
    before `\s*#*\s*$` kept, in linear time: that pattern backtracked quadratically over spaces)."""
    return text.rstrip().rstrip("#").rstrip()


def _explicit(marker: str, items: dict[str, Item], check_ids: set[str]) -> tuple[str | None, str | None]:
    if marker in items:
        return marker, None
    if marker in check_ids:
        return None, marker
    raise ChecklistError(f"unknown prodgate marker {marker!r}: not a catalog item or check id")


def parse(text: str, path: str, *, check_ids: set[str] | None = None) -> Checklist:
    from gate.checks import REGISTRY  # the registry imports every check; only parsing a list needs it

    ids = set(REGISTRY) if check_ids is None else check_ids
    items = load_catalog().by_id()
    heads: list[tuple[int, str]] = []
    parents: list[tuple[int, str]] = []
    fenced = False
    lines: list[Line] = []
    raws = text.splitlines()
    boxes = _boxes(raws)
    seed_list = _reproduces_a_seed(boxes)
    foreign_list = _in_another_language(boxes)
    for number, raw in enumerate(raws, 1):
        if _FENCE.match(raw):
            fenced = not fenced
            lines.append(Line(number=number, text=raw, kind="other"))
            continue
        heading = None if fenced else _HEADING.match(raw)
        if heading:
            level = len(heading[1])
            title = _title(heading[2])
            heads = [h for h in heads if h[0] < level] + [(level, title)]
            parents = []
            lines.append(Line(number=number, text=title, kind="heading", level=level))
            continue
        box = None if fenced else CHECKBOX.match(raw)
        if not box:
            lines.append(Line(number=number, text=raw, kind="other"))
            continue
        indent = len(box["indent"].expandtabs(4))
        parents = [p for p in parents if p[0] < indent]
        body = box["text"].rstrip()
        context = tuple(h for _, h in heads) + tuple(p[1] for p in parents)
        marker = _MARKER.search(body)
        shown = _MARKER.sub("", body).strip()
        if marker:
            try:
                item_id, check_id = _explicit(marker[1], items, ids)
            except ChecklistError as exc:
                raise ChecklistError(f"{path}:{number}: {exc}") from None
            found = Match(item=items[item_id] if item_id else None, confidence=1.0, how="marker")
            why, candidates = "", tuple[str, ...]()
        else:
            check_id, found, why, candidates = _by_meaning(
                shown, context, _has_sub_points(raws, number, indent), seed_list
            )
            if foreign_list and check_id is None and found.item is None and concepts.foreign_words(shown):
                # "Database-Backups eingerichtet" in a German list, left to a person: say why in its terms
                why = f"not automated: {concepts.NOT_ENGLISH}"
        lines.append(
            Line(
                number=number,
                text=shown,
                kind="item",
                level=len(parents),
                ticked=box["mark"] in "xX",
                headings=context,
                item=found.item.id if found.item else None,
                check=check_id,
                confidence=found.confidence,
                how=found.how,
                why=why,
                candidates=candidates,
            )
        )
        parents.append((indent, shown))
    return Checklist(path=path, lines=tuple(lines), seed=seed_list)


CONCEPT_CONFIDENCE = 0.9
AUTOMATE_CONCEPTS = False
"""Lines that name a check's concept are suggested, not automated, until the concept matcher meets its
precision on checklists it was not tuned on; only the checks marked `automate: true` in concepts.yaml,
and the single concepts marked `+` (right at least three times, at a precision of at least 0.95, on the
labelled checklists seen so far, as the gate fills them in on their own repositories), take their
lines. On the fourteen public checklists kept aside last (`fresh21`), measured as the gate fills them
in, the matcher went from 36 right and 6 wrong (0.86, recall 0.30) to 27 and 2 (0.93, recall 0.23)
when that rule was applied both ways and a wording only similar to a seed line's stopped automating;
over the twenty-three sets seen before it, from 1,147 / 101 to 1,012 / 66 (0.94, recall 0.28), 19 of
the 66 only for a secret the scan left to the compose check, which failed (bench/checklists/README.md).
A wrong automation shows a check's verdict beside a line it does not answer, which is worse than a
line left to a person."""


def _has_sub_points(raws: list[str], number: int, indent: int) -> bool:
    """The next non-blank line after line `number` is a list item indented under it: its sub-points say
    what the line asks ("**Logging configured**" over "every prediction logged", "logs rotated")."""
    # by index, not a slice of the rest: a copy per checkbox line is quadratic in a long checklist
    at = number
    while at < len(raws) and not raws[at].strip():
        at += 1
    item = _LIST_ITEM.match(raws[at]) if at < len(raws) else None
    return item is not None and len(item[1].expandtabs(4)) > indent


SEED_LIST_SHARE = 0.5
"""A checklist at least this share of whose lines are seed checklist lines is a seed checklist, or a
copy of one: its lines carry the catalog's judgement of them. Of the 114 labelled public checklists one
list reproduces a seed (every line); of the others none has more than a fifth."""


def _boxes(raws: list[str]) -> list[str]:
    """The text of every checkbox line outside fenced code blocks."""
    fenced, found = False, []
    for raw in raws:
        if _FENCE.match(raw):
            fenced = not fenced
        elif not fenced and (box := CHECKBOX.match(raw)):
            found.append(box["text"])
    return found


def _in_another_language(boxes: list[str]) -> bool:
    """The list (its checkbox lines) is written in another language than English
    (concepts.FOREIGN_LIST_SHARE)."""
    foreign = sum(concepts.foreign_words(text) > 0 for text in boxes)
    return bool(boxes) and foreign >= concepts.FOREIGN_LIST_SHARE * len(boxes)


def _reproduces_a_seed(boxes: list[str]) -> bool:
    known = _seed_lines()
    seed = sum(concepts.text_of(_MARKER.sub("", text).rstrip()).rstrip(" .") in known for text in boxes)
    return bool(boxes) and seed >= SEED_LIST_SHARE * len(boxes)


def _by_meaning(
    text: str, headings: tuple[str, ...], sub_points: bool = False, seed_list: bool = True
) -> tuple[str | None, Match, str, tuple[str, ...]]:
    """A line without a marker: (check id, catalog match, why, candidates).

    The seed checklists' own wordings come first (the catalog was made from them and judged line by
    line), unless the team's line adds a qualifier the seed line did not have ("API documentation
    (beyond Swagger)" is not "API documentation"). In a list that is not a seed's (`seed_list`), the
    catalog judged the words in another team's context: they automate only where what the line names
    points to the same check ("Load testing completed" names a load test, not the throughput budget
    seed 000 bound it to). On the labelled checklists this took 10 false automations and 12 right ones
    away (bench/checklists/README.md). Then the concepts a check decides, ahead of a
    similar seed wording, so that a sign-off or out-of-scope item never wins over a check that decides
    the line: for the checks marked `automate: true` in concepts.yaml (all of them when
    AUTOMATE_CONCEPTS is on); for the others a concept is only a suggestion beside a line left to a
    person. A wording only similar to a seed line's is a suggestion too (its checks, as candidates),
    under the same bar as a concept: its record fell well under it."""
    found = match(text, headings)
    meaning = concepts.match(text, headings)
    qualifier = concepts.veto(text, headings, found.item.checks if found.item else ())
    automated = found.item is not None and found.item.kind is Kind.AUTOMATED
    seed_form = _seed_form(text, found.item)
    # points under a line say what it asks; a seed line's judgement covers them only when that seed line
    # had points under it too ("**Logging configured**" over log shipping and retention is more than
    # the seed's "Logging configured")
    asks_more = (
        sub_points and automated and concepts.text_of(text).rstrip(" .") not in _seed_lines_with_points()
    )
    if (
        found.how == "wording"
        and not asks_more
        and not (automated and not seed_form and (qualifier or _out_of_scope(found.item, text, headings)))
        and (seed_list or not automated or _meaning_agrees(found.item, meaning))
    ):
        if _item_names_nothing(found.item, text):
            return _nothing_named(found.item, text)
        return None, found, "the wording of a seed checklist line", ()
    sign_off = found.how != "none" and not automated  # a person's either way: its mapping stays
    if sub_points and not sign_off and (meaning.check is not None or found.how != "none"):
        nearest = (meaning.check,) if meaning.check else (found.item.checks if found.item else ())
        none = Match(item=None, confidence=0.0, how="none")
        return None, none, "not automated: the points under the line ask more than it says", tuple(nearest)
    if meaning.check is not None and (
        AUTOMATE_CONCEPTS or meaning.automated or meaning.check in concepts.automated()
    ):
        if _names_nothing_read(meaning.check, text):
            return None, _NONE, _nothing_why(meaning.check), (meaning.check,)
        concept = Match(item=None, confidence=CONCEPT_CONFIDENCE, how="concept")
        return meaning.check, concept, f"names “{meaning.concept}”", ()
    if found.how == "similar" and not automated:
        # a sign-off or out-of-scope item: a person's either way, and the line shows which
        return None, found, "a wording similar to a seed checklist line", ()
    vetoed = meaning.vetoed or (qualifier if automated else "")
    if not vetoed and found.how == "similar" and automated:
        # a wording close in characters to a seed line, no concept of the check automated: on the 23
        # labelled sets seen, such lines were right 44 times and false 17 as the gate filled them in
        vetoed = "its wording is only similar to a seed line's" + (
            "" if _meaning_agrees(found.item, meaning) else ", and what it names is not that line's check"
        )
    elif not vetoed and found.how == "wording" and automated:
        vetoed = "a seed line's wording, but what this line names does not point to that line's check"
    if meaning.check is not None:  # a suggestion: a marker makes it an automated line
        none = Match(item=None, confidence=0.0, how="none")
        return None, none, f"names “{meaning.concept}”; suggested, not automated", (meaning.check,)
    nearest = meaning.candidates or (found.item.checks if automated and found.item else ())
    none = Match(item=None, confidence=found.confidence if found.how != "wording" else 0.0, how="none")
    return None, none, (f"not automated: {vetoed}" if vetoed else ""), tuple(nearest)


_NONE = Match(item=None, confidence=0.0, how="none")


def _nothing_why(check: str) -> str:
    return f"not automated: {check} judges only what a line names, and this line names none of it"


def _item_names_nothing(item: Item | None, text: str) -> bool:
    """Every check of an automated item judges only what a line names, and this line names none."""
    if item is None or item.kind is not Kind.AUTOMATED or not item.checks:
        return False
    return all(_names_nothing_read(check, text) for check in item.checks)


def _nothing_named(item: Item | None, text: str) -> tuple[str | None, Match, str, tuple[str, ...]]:
    checks = item.checks if item else ()
    return None, _NONE, _nothing_why(checks[0]) if checks else "", tuple(checks)


def _names_nothing_read(check: str, text: str) -> bool:
    """The check judges only what a line names, and this line names nothing it reads: automated, the
    line would show "nothing is asked" (gate/thresholds.py: names_nothing)."""
    from gate.thresholds import names_nothing  # the check modules: only a line that maps needs them

    return names_nothing(check, text)


def _meaning_agrees(item: Item | None, meaning: concepts.ConceptMatch) -> bool:
    """What the line names (the concept matcher's check or candidates) points to one of the seed
    item's checks too. A wording only similar to a seed line's, or a seed line's exact wording in a
    list that is not a seed's, automates the item only then: on the labelled checklists a similar
    wording alone was wrong one time in four ("Create prediction endpoint" is not request validation,
    "Monitoring is configured" not a metrics route), and requiring the meaning to agree removed 10 of
    its 17 false automations for 9 of its 50 right ones (bench/checklists/README.md)."""
    if meaning.unplaced:  # "Health checks configured": the line does not say whose, so it confirms none
        return False
    named = {meaning.check, *meaning.candidates} - {None}
    return item is not None and bool(named.intersection(item.checks))


def _out_of_scope(item: Item | None, text: str, headings: tuple[str, ...]) -> bool:
    """A similar seed wording whose checks are all about a component the line's headings rule out
    ("Read-only filesystem" on a Docker Compose page is not the Kubernetes check)."""
    allowed = concepts.scope(concepts.tokens(concepts.text_of(text)), headings)
    if item is None or allowed is None:
        return False
    kinds = concepts.components()
    return not any(kinds.get(c) in allowed or kinds.get(c) in concepts.NEUTRAL for c in item.checks)


def _seed_form(text: str, item: Item | None) -> bool:
    """The line as a seed checklist or the catalog wrote it, qualifiers included: the catalog's
    judgement of that line already weighed them."""
    if item is None:
        return False
    kept = concepts.text_of(text).rstrip(" .")
    return kept in _seed_lines() or any(concepts.text_of(w).rstrip(" .") == kept for w in item.wordings)


@cache
def _seed_boxes() -> tuple[tuple[str, bool], ...]:
    """Every seed checklist line as `_seed_form` compares it, and whether points stand under it."""
    boxes: list[tuple[str, bool]] = []
    for _, seed in seed_files():
        raws = seed.splitlines()
        for number, raw in enumerate(raws, 1):
            if box := CHECKBOX.match(raw):
                said = concepts.text_of(box["text"].rstrip()).rstrip(" .")
                boxes.append((said, _has_sub_points(raws, number, len(box["indent"].expandtabs(4)))))
    return tuple(boxes)


@cache
def _seed_lines() -> frozenset[str]:
    return frozenset(said for said, _ in _seed_boxes())


@cache
def _seed_lines_with_points() -> frozenset[str]:
    return frozenset(said for said, points in _seed_boxes() if points)


def read_checklist(path: Path, root: Path) -> Checklist:
    """One clear error for a file that is outside `root`, missing, binary, too big or has no checklist in it."""
    try:
        inside(root, path, "the checklist")
    except OutsideRepository as exc:
        raise ChecklistError(str(exc)) from None
    try:
        size = path.stat().st_size
        if size > MAX_CHECKLIST_BYTES:
            raise ChecklistError(f"{path}: {size} bytes; a checklist may have at most {MAX_CHECKLIST_BYTES}")
        data = path.read_bytes()
    except OSError as exc:
        raise ChecklistError(f"{path}: cannot read the checklist: {exc.strerror}") from None
    if b"\0" in data[:8192]:
        raise ChecklistError(f"{path}: not a text file (a checklist is Markdown)")
    # named by its path in the repository, never by where this run happens to have it (a temporary
    # checkout's absolute path in the Action)
    checklist = parse(data.decode("utf-8", "replace"), path.resolve().relative_to(root.resolve()).as_posix())
    if not checklist.items:
        raise ChecklistError(f"{path}: no checklist items (lines like `- [ ] Health check endpoint working`)")
    return checklist


class SeedCoverage(Frozen):
    file: str
    lines: int
    accounted: int
    automated: int
    attestation: int
    out_of_scope: int


def coverage(checklist: Checklist, name: str) -> SeedCoverage:
    """How a checklist's lines are accounted for. `automated` counts only lines whose item is decided
    by checks that are all registered."""
    from gate.checks import REGISTRY

    items = load_catalog().by_id()
    counts = {"automated": 0, "attestation": 0, "out_of_scope": 0}
    for line in checklist.items:
        if line.check is not None:
            counts["automated"] += line.check in REGISTRY
            continue
        if line.item is None:
            continue
        item = items[line.item]
        if item.kind.value == "automated":
            counts["automated"] += all(c in REGISTRY for c in item.checks)
        else:
            counts[item.kind.value] += 1
    return SeedCoverage(file=name, lines=len(checklist.items), accounted=sum(counts.values()), **counts)


def seed_files() -> list[tuple[str, str]]:
    """The five seed checklists the catalog was made from, shipped with it: (file name, text)."""
    from importlib.resources import files

    folder = files("gate.data").joinpath("seeds")
    return sorted(
        (f.name, f.read_text(encoding="utf-8")) for f in folder.iterdir() if f.name.endswith(".txt")
    )


class LineJudgement(Frozen):
    results: dict[str, CheckResult] = Field(default_factory=dict)
    """check id -> its verdict at the line's own threshold"""
    note: str = ""


def item_of(line: Line, present: frozenset[str] = frozenset()) -> Item | None:
    """The catalog item a line stands for in this repository (a "Backend" item is the Python service's
    where there is no Node backend)."""
    items = load_catalog().by_id()
    item = items.get(line.item) if line.item else None
    if item is not None and item.instead and "node-backend" not in present:
        item = items[item.instead]  # no Node backend here: "Backend" is the Python service
    return item


def checks_of(line: Line, item: Item | None) -> tuple[str, ...]:
    """The checks that decide a line: its marker's check, or its (automated) item's."""
    return (line.check,) if line.check else item.checks if item else ()


def _about_unread_service(ran: list[CheckResult]) -> bool:
    """Every check is about the Python service and found none to judge."""
    kinds = concepts.components()
    return bool(ran) and all(
        kinds.get(r.check_id) == "service" and r.outcome is Outcome.NOT_APPLICABLE for r in ran
    )


def _evidence(results: list[CheckResult]) -> str:
    worst = min(results, key=lambda r: OUTCOME_ORDER.index(r.outcome))
    where = ""
    if worst.findings and worst.findings[0].primary is not None:
        where = f" ({worst.findings[0].primary})"
    return f"{worst.check_id}: {worst.summary}{where}"


def fill(
    checklist: Checklist,
    results: tuple[CheckResult, ...],
    signoffs: SignOffs | None = None,
    today: date | None = None,
    *,
    present: frozenset[str] = frozenset(),
    judged: dict[int, LineJudgement] | None = None,
    unread_service: str = "",
) -> FilledChecklist:
    """The checklist with each line's outcome and evidence, in its own order and nesting; manual items
    signed off (in the gate's comment, within their expiry) count as attested. `present`: the parts
    prodgate does not read yet that the repository has ("node-backend", "frontend"): a "Backend" line
    is the Node backend only where there is one, and a part the repository lacks is never named.
    `judged`: by line number, the verdicts of its checks at the thresholds the line states
    (gate/thresholds.py), and what was noted about them. `unread_service`: what the service is
    written in when prodgate cannot read it ("Java (pom.xml), which prodgate does not read"): a line
    mapped by its words to checks of the Python service that all found none is left to a person,
    instead of "not applicable" beside a team's "Rate limiting" (the checks' own rows say why). So is
    any line mapped by its words whose checks all found nothing here to judge, with what they found: a
    team wrote "Liveness probes configured" because it has probes somewhere, and "not applicable" beside
    it where this repository holds no manifests would say the team's own line does not apply. A marker
    keeps its check's answer, and so does a seed checklist's line: the catalog judged those lines, their
    "not applicable" included."""
    by_check = {r.check_id: r for r in results}
    lines: list[ChecklistLine] = []
    for line in checklist.lines:
        if line.kind != "item":
            lines.append(ChecklistLine(number=line.number, kind=line.kind, text=line.text, level=line.level))
            continue
        item = item_of(line, present)
        absent = item is not None and item.needs is not None and item.needs not in present
        checks = checks_of(line, item)
        own = (judged or {}).get(line.number, LineJudgement())
        base = {
            "number": line.number,
            "text": line.text,
            "level": line.level,
            "ticked": line.ticked,
            "item": item.id if item else None,
            "confidence": line.confidence,
            "how": line.how,
            "why": line.why,
            "candidates": line.candidates,
        }
        if line.how != "marker":
            # what a check left to others is part of the line: a failure there is the line's too (a
            # marker names the one check a team chose)
            left = dict.fromkeys(c for check in checks for c in concepts.leaves_to().get(check, ()))
            checks += tuple(
                c for c in left if c not in checks and c in by_check and by_check[c].outcome is Outcome.FAIL
            )
        if checks and not absent:
            ran = [own.results.get(c) or by_check[c] for c in checks if c in by_check]
            if unread_service and line.how != "marker" and _about_unread_service(ran):
                why = f"not automated: the service here is {unread_service}"
                lines.append(ChecklistLine(**{**base, "why": why, "candidates": checks}, kind="manual"))
                continue
            if (
                line.how != "marker"
                and not checklist.seed
                and ran
                and all(r.outcome is Outcome.NOT_APPLICABLE for r in ran)
            ):
                why = f"not automated: nothing here for {'its checks' if len(ran) > 1 else 'its check'} to judge"
                lines.append(
                    ChecklistLine(
                        **{**base, "why": why, "candidates": checks}, kind="manual", evidence=_evidence(ran)
                    )
                )
                continue
            if not ran:
                lines.append(
                    ChecklistLine(
                        **base,
                        kind="automated",
                        checks=checks,
                        evidence="Its checks are disabled in the config.",
                    )
                )
                continue
            outcome = min((r.outcome for r in ran), key=OUTCOME_ORDER.index)
            lines.append(
                ChecklistLine(
                    **base,
                    kind="automated",
                    checks=checks,
                    outcome=outcome,
                    evidence=_evidence(ran) + (f" ({own.note})" if own.note else ""),
                    contradiction=line.ticked and outcome in (Outcome.FAIL, Outcome.ERROR),
                )
            )
        elif item is not None and item.kind is Kind.ATTESTATION:
            signed = signoffs.valid(item.id, today or date.today(), item.expires_days) if signoffs else None
            lines.append(
                ChecklistLine(
                    **base,
                    kind="attestation",
                    outcome=Outcome.ATTESTED if signed else Outcome.PENDING,
                    evidence=item.statement,
                    signed_by=signed.by if signed else None,
                    signed_at=signed.at if signed else None,
                )
            )
        elif item is not None and not absent:
            lines.append(ChecklistLine(**base, kind="out_of_scope", evidence=item.reason))
        else:
            lines.append(ChecklistLine(**{**base, "item": None}, kind="manual"))
    return FilledChecklist(
        path=checklist.path, lines=tuple(lines), contradictions=sum(line.contradiction for line in lines)
    )
