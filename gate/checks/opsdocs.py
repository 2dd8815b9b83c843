"""Operations documentation by topic: recovery, objectives, on-call, escalation, incidents, support,
FAQ, troubleshooting, diagrams, change management and service levels; and what a model's users are
owed: its owner, a disclaimer, fairness and interpretability, third-party licences.

A go-live checklist asks for each of these in its own line ("On-call rotation defined", "RTO < 1 hour").
One check decides them all from a topic table; which topics it asks for comes from the team's config
or, for a checklist line, from the line's own words (gate/thresholds.py), so a line is judged on the
topic it names and nothing else.
"""

from __future__ import annotations

import re
from typing import Literal

from msgspec import Struct
from pydantic import BaseModel, ConfigDict, Field

from gate.checks.base import Decision, Hit, at, check, failed, not_applicable, passed
from gate.facts import Facts
from gate.facts.docs import Document
from gate.lazyre import lazy
from gate.model import Level, Severity

TopicId = Literal[
    "recovery",
    "rto",
    "rpo",
    "on-call",
    "escalation",
    "incident-response",
    "support",
    "faq",
    "troubleshooting",
    "architecture-diagram",
    "data-flow-diagram",
    "change-management",
    "sla",
    "third-party-licenses",
    "model-owner",
    "disclaimer",
    "fairness",
    "interpretability",
]


class Topic(Struct, frozen=True):
    id: TopicId
    name: str
    """in the report's words: "an on-call rotation\""""
    asked: re.Pattern[str]
    """the words of a checklist line that ask for this topic"""
    files: str
    """a document whose file name starts so is the topic's own page"""
    heading: str
    """a heading whose section covers the topic"""
    needs: Literal["section", "diagram", "objective", "measured"]
    """section: two lines of prose of its own; diagram: an image, diagram block or diagram file in it;
    objective: a number stated for it (an RTO of 30 minutes, an SLO of 99.9%); measured: a section
    that states a measurement (a score per group)"""
    page: str
    """where the report suggests writing it"""
    statement: str = ""
    """a line that settles the topic by itself, outside any section ("Owner: the risk team")"""


def _rx(pattern: str) -> re.Pattern[str]:
    return lazy(pattern, re.IGNORECASE)  # compiled on first use: most runs use few of these


_OBJECTIVE_WORDS = r"recovery (time|point) objective|\bRT[OP]\b|\bRPO\b"
TOPICS: tuple[Topic, ...] = (
    Topic(
        "rto",
        "a recovery time objective (RTO)",
        _rx(r"\bRTO\b|recovery time objective"),
        r"^$",
        r"\bRTO\b|recovery time objective",
        "objective",
        "docs/RECOVERY.md",
    ),
    Topic(
        "rpo",
        "a recovery point objective (RPO)",
        _rx(r"\bRPO\b|recovery point objective"),
        r"^$",
        r"\bRPO\b|recovery point objective",
        "objective",
        "docs/RECOVERY.md",
    ),
    Topic(
        "recovery",
        "a recovery or failover plan",
        _rx(r"recover|fail-?over|disaster|business continuity|\bDR\b"),
        r"^(disaster[-_]?recovery|recovery|failover|dr|business[-_]continuity)\b",
        r"recover|fail-?over|disaster|business continuity",
        "section",
        "docs/RECOVERY.md",
    ),
    Topic(
        "on-call",
        "an on-call rotation",
        _rx(r"\bon[- ]?call\b"),
        r"^on[-_]?call",
        r"\bon[- ]?call\b|pager|\brota\b",
        "section",
        "docs/ON_CALL.md",
    ),
    Topic(
        "escalation",
        "an escalation policy",
        _rx(r"escalat"),
        r"^escalation",
        r"escalat",
        "section",
        "docs/ON_CALL.md",
    ),
    Topic(
        "incident-response",
        "an incident response plan",
        _rx(r"incident|emergency (procedure|response|plan)"),
        r"^(incident|emergency)",
        r"incident|emergenc|outage",
        "section",
        "docs/INCIDENT_RESPONSE.md",
    ),
    Topic(
        "support",
        "support contacts",
        _rx(r"support|contact"),
        r"^(support|contacts?)\.",
        r"\bsupport\b|\bcontacts?\b|getting help|get help",
        "section",
        "SUPPORT.md",
    ),
    Topic(
        "faq",
        "a FAQ",
        _rx(r"\bfaqs?\b|frequently asked"),
        r"^faq",
        r"\bfaqs?\b|frequently asked",
        "section",
        "docs/FAQ.md",
    ),
    Topic(
        "troubleshooting",
        "a troubleshooting guide",
        _rx(r"troubleshoot"),
        r"^troubleshoot",
        r"troubleshoot|common (issues|problems)|known issues",
        "section",
        "TROUBLESHOOTING.md",
    ),
    Topic(
        "architecture-diagram",
        "an architecture diagram",
        _rx(r"architecture"),
        r"^architect",
        r"architect",
        "diagram",
        "docs/ARCHITECTURE.md",
    ),
    Topic(
        "data-flow-diagram",
        "a data flow diagram",
        _rx(r"data[- ]?flow"),
        r"^data[-_]?flow",
        r"data[- ]?flow",
        "diagram",
        "docs/ARCHITECTURE.md",
    ),
    Topic(
        "change-management",
        "a change management procedure",
        _rx(r"change (management|process|procedure|control|approval)"),
        r"^(change[-_]?management|releas(e|ing)\.)",
        r"change (management|process|procedure|control|approval)|release process|releasing",
        "section",
        "docs/CHANGE_MANAGEMENT.md",
    ),
    Topic(
        "sla",
        "a service level objective",
        _rx(r"\bSL[AO]s?\b|service.level"),
        r"^(sla|slo)s?\.",
        r"\bSL[AO]s?\b|service.level",
        "objective",
        "docs/SLO.md",
    ),
    Topic(
        "third-party-licenses",
        "the third-party licences",
        _rx(r"third[- ]party licen[cs]es|licen[cs]es of (the )?dependencies"),
        r"^(third[-_]?party|notice|open[-_]?source[-_]licen)",
        r"third[- ]party|licen[cs]es of (the )?dependencies|open[- ]source licen[cs]es",
        "section",
        "THIRD_PARTY_NOTICES.md",
    ),
    Topic(
        "model-owner",
        "the model's owner",
        _rx(r"model own(er|ership)|owner of the model"),
        r"^owners?\.",
        r"\bowners?\b|\bownership\b|\bmaintainers?\b",
        "section",
        "MODEL_CARD.md",
        r"^\W*(model )?(owners?|maintainers?)\W*\s*[:|]\s*\w|\b(owned|maintained) by\s+\w",
    ),
    Topic(
        "disclaimer",
        "a liability disclaimer",
        _rx(r"disclaimer|liability"),
        r"^disclaimer",
        r"disclaimer|liabilit|warrant",
        "section",
        "MODEL_CARD.md",
        r"without (any )?warrant|no warrant|not (be )?(held )?liable|no liability|accepts? no (responsibility|liability)",
    ),
    Topic(
        "fairness",
        "fairness measured across groups",
        _rx(r"fairness|\bbias\b"),
        r"^(fairness|bias)",
        r"fairness|\bbias\b|subgroup|disparit"
        # [^\n]{0,60}?, not .*: a heading of many `by` words was rescanned from each (quadratic)
        r"|\b(by|per|across)\b[^\n]{0,60}?\b(age|gender|sex|race|ethnic\w*|region|groups?|bands?|segments?|cohorts?|slices?)\b",
        "measured",
        "MODEL_CARD.md",
    ),
    Topic(
        "interpretability",
        "an interpretability analysis",
        _rx(r"interpretab|explainab|\bshap\b|feature importance"),
        r"^(interpretab|explainab|shap)",
        r"interpretab|explainab|\bshap\b|feature (importance|attribution)",
        "section",
        "MODEL_CARD.md",
    ),
)
BY_ID = {t.id: t for t in TOPICS}

_DURATION = lazy(
    r"(\d+(?:\.\d+)?)\s*(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d)\b", re.IGNORECASE
)
_MINUTES = {"s": 1 / 60, "m": 1.0, "h": 60.0, "d": 1440.0}
_PERCENT = lazy(r"\d{2}(?:\.\d+)?\s*%")
_CHECKBOX = lazy(r"^\s*[-*+] \[")
_MAX_LINE = 500
"""A line stating an objective is a sentence; longer lines are not read for one (a document comes from
the pull request, and the duration pattern backtracks over a long run of digits)."""


def minutes(value: str, unit: str) -> float:
    """A duration in minutes: '4', 'hours' -> 240."""
    unit = unit.lower()
    key = "m" if unit.startswith("min") or unit == "m" else unit[0]
    return float(value) * _MINUTES[key]


def asked_topics(text: str) -> tuple[TopicId, ...]:
    """The topics a checklist line asks for, in the table's order. A line about a recovery objective
    asks for the objective, not also for a recovery plan ("RTO (Recovery Time Objective) defined")."""
    asked = [t.id for t in TOPICS if t.asked.search(text)]
    if "rto" in asked or "rpo" in asked:
        without = re.sub(_OBJECTIVE_WORDS, " ", text, flags=re.IGNORECASE)
        if not BY_ID["recovery"].asked.search(without) and "recovery" in asked:
            asked.remove("recovery")
    if "incident-response" in asked and "support" in asked:
        asked.remove("incident-response")  # "Emergency contacts provided": contacts, not a procedure
    return tuple(asked)


class TopicOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    topics: tuple[TopicId, ...] = ()
    """The topics the documentation must cover. None by default: a checklist line asks for its own."""
    rto_max_minutes: float | None = Field(default=None, gt=0)
    """The longest recovery time objective accepted ("RTO < 1 hour": 60)."""
    rpo_max_minutes: float | None = Field(default=None, gt=0)
    """The longest recovery point objective accepted."""


def _objective(doc: Document, topic: Topic) -> tuple[int, float | None] | None:
    """The first line that states the objective with a number: (line, minutes; None for a percentage)."""
    rx = _rx(topic.heading)
    for line in doc.mentions:
        text = doc.lines_text[line]
        if len(text) > _MAX_LINE:
            continue
        found = rx.search(text)
        if found is None or text.lstrip().startswith(("- [", "* [", "+ [")):
            continue
        rest = text[found.end() :]
        if topic.id == "sla":
            if _PERCENT.search(text):
                return line, None
            continue
        if duration := _DURATION.search(rest):
            return line, minutes(duration.group(1), duration.group(2))
    return None


def _covered(facts: Facts, topic: Topic) -> str | None:
    """Where the documentation covers the topic, or None."""
    if topic.needs == "objective":
        for doc in facts.docs.documents:
            if found := _objective(doc, topic):
                return f"{doc.path}:{found[0]}"
        return None
    heading = _rx(topic.heading)
    if topic.needs == "diagram":
        for doc in facts.docs.documents:
            for h in doc.headings:
                if heading.search(h.text) and (line := doc.figure_in(h)) is not None:
                    return f"{doc.path}:{line} (under {h.text!r})"
        name = _rx(topic.files.lstrip("^"))
        for path in facts.docs.diagrams:
            if name.search(path.rsplit("/", 1)[-1]):
                return path
        return None
    if topic.needs == "measured":
        for doc in facts.docs.documents:
            for h in doc.headings:
                if heading.search(h.text) and (line := doc.measure_in(h)) is not None:
                    return f"{doc.path}:{line} (under {h.text!r})"
        return None
    files = facts.docs.named(topic.files)
    if files:
        return files[0].path
    for doc in facts.docs.documents:
        for h in doc.headings:
            if heading.search(h.text) and doc.has_section(h):
                return f"{doc.path}:{h.line} ({h.text})"
    if topic.statement:
        said = _rx(topic.statement)
        for doc in facts.docs.documents:
            for line in doc.mentions:
                text = doc.lines_text[line]
                if len(text) <= _MAX_LINE and not _CHECKBOX.match(text) and said.search(text):
                    return f"{doc.path}:{line}"
    return None


def _too_long(facts: Facts, topic: Topic, limit: float | None) -> str | None:
    if limit is None:
        return None
    for doc in facts.docs.documents:
        if (found := _objective(doc, topic)) and found[1] is not None and found[1] > limit:
            return f"{doc.path}:{found[0]}"
    return None


def _amount(value: float) -> str:
    if value >= 1440 and value % 1440 == 0:
        return f"{value / 1440:g} days"
    if value >= 60 and value % 60 == 0:
        return f"{value / 60:g} hours" if value != 60 else "1 hour"
    return f"{value:g} minutes"


@check(
    id="ops-doc-topics",
    title="Operations documentation covers the topics asked for",
    category="operations",
    severity=Severity.LOW,
    level=Level.GOLD,
    applies_when="the config or a checklist line names a topic",
    remediation="Write the missing pages: what to do when the service fails, who is called, how to reach support.",
    options=TopicOptions,
)
def ops_doc_topics(facts: Facts, options: TopicOptions) -> Decision:
    """
    ## What it checks
    That the operations documentation covers each topic asked for: a recovery or failover plan, a
    recovery time or point objective stated with a number (and within `rto_max_minutes` /
    `rpo_max_minutes` when set), an on-call rotation, an escalation policy, an incident response plan,
    support contacts, a FAQ, a troubleshooting guide, an architecture or data flow diagram, a change
    management procedure, a service level objective stated as a percentage; and, for the model and its
    users, the model's owner, a liability disclaimer, fairness measured across groups (a section headed
    for fairness, bias or a breakdown by group that states a measurement), an interpretability
    analysis (SHAP, feature importance), the third-party licences. The owner and the disclaimer also
    count as one line of their own (`Owner: the risk team`; "provided without warranty"). A topic counts when a
    document is named for it (SUPPORT.md, docs/FAQ.md, TROUBLESHOOTING.md...) or a section headed for
    it has at least two lines of its own; a diagram topic needs an image, a Mermaid or PlantUML block,
    or a diagram file linked under its heading (or a .drawio/.puml/image file named for it). Checkbox
    lines never count: a checklist asking for the page is not the page. The README, the root's
    Markdown and the docs/, doc/, ops/, runbooks/ and .github/ folders are read.

    No topic is asked by default. A checklist line names its own ("On-call rotation defined" asks for
    the on-call topic only; "RTO < 1 hour" for an RTO of at most an hour), or the team lists them in
    `topics` to have them judged on every pull request.

    ## Why it matters
    When the service is down at night, the person paged needs to find who to call, what to restore
    and how long they have, in the repository they already know, not in someone's memory.

    ## How to fix
    Write the pages the report names; a short section with real names and numbers is enough.

    ## Example
    ```yaml
    # .github/prodgate.yml
    checks:
      ops-doc-topics:
        options:
          topics: [on-call, escalation, rto]
          rto_max_minutes: 60
    ```
    ```markdown
    ## Recovery objectives
    RTO: 30 minutes. RPO: 24 hours (the nightly backup of the predictions database).
    ```
    """
    if not options.topics:
        return not_applicable("No documentation topic is asked for (options.topics, or a checklist line).")
    found: list[str] = []
    missing: list[str] = []
    hits: list[Hit] = []
    limits = {"rto": options.rto_max_minutes, "rpo": options.rpo_max_minutes}
    for topic_id in dict.fromkeys(options.topics):
        topic = BY_ID[topic_id]
        where = _covered(facts, topic)
        if where is None:
            wanted = topic.name + (" stated with a number" if topic.needs == "objective" else "")
            missing.append(wanted)
            hits.append(Hit(f"Not documented: {wanted}.", (at(topic.page),)))
            continue
        limit = limits.get(topic_id)
        if (over := _too_long(facts, topic, limit)) is not None and limit is not None:
            path, _, line = over.rpartition(":")
            hits.append(
                Hit(
                    f"The documented {topic_id.upper()} is longer than {_amount(limit)}.",
                    (at(path, int(line)),),
                )
            )
            continue
        found.append(f"{topic.name}: {where}")
    if hits:
        said = [f"Not documented: {', '.join(missing)}."] if missing else []
        said += [h.message for h in hits if not h.message.startswith("Not documented")]
        return failed(" ".join(said), *hits)
    return passed("Documented: " + "; ".join(found) + ".")
