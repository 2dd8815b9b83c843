"""A team's checklist line mapped by the concepts a check decides (gate/concepts.py), in wordings of
our own that follow how teams write."""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys

import pytest

from gate import concepts
from gate.checklist import Line, parse
from gate.checks import REGISTRY
from gate.report.formats import markdown
from tests.conftest import ROOT

CASES = [
    # (line, headings, the check it maps to, or None)
    ("Rate limiting", (), "rate-limiting"),
    ("Configure request throttling", (), "rate-limiting"),
    ("Runbook created", (), "runbook-present"),
    ("**Auth**: API keys required on every prediction call", (), "api-authentication"),
    ("Linting runs in the CI pipeline: `make lint`", (), "ci-lint"),
    ("✅ Secrets never committed to the repo", (), "no-hardcoded-secrets"),
    ("Liveness and readiness probes", (), "k8s-probes"),
    ("HPA in place", (), "k8s-hpa-present"),
    ("Rollback steps documented", (), "rollback-documented"),
    ("`/metrics` exposed for Prometheus", (), "metrics-endpoint"),
    ("Model artifact `churn.joblib` committed", (), "model-artifacts-present"),
    # the heading is scope: the same words, three components
    ("Resource limits set", ("Deploy", "Kubernetes"), "k8s-resource-limits"),
    ("Resource limits set", ("Docker Compose",), "compose-resource-limits"),
    ("Resource limits set", (), None),
    ("Health checks configured", ("Docker Compose",), "compose-healthcheck"),
    ("Containers run as non-root", ("Kubernetes",), "k8s-security-context"),
    ("Containers run as non-root", (), None),
    # qualifiers that change what is asked
    ("API documentation (beyond Swagger)", (), None),
    ("Rate limiting per user", (), None),
    ("Autoscaling (if applicable)", (), None),
    ("Rate limiting not yet implemented", (), None),
    ("Rate limiting", ("Critical for production (not done)",), None),
    # a line that tells a person to look at something is an activity, even when its verb is a word
    # of what a check reads
    ("Check service health endpoints", (), None),
    ("Health check endpoints exist", (), "health-endpoint"),
    ("Verify rate limiting", (), None),
    # unless a clause of state follows: then the verb asks what the repository holds
    ("Verify `.gitignore` includes `.env`", (), "env-file-ignored"),
    # a line that opens with its schedule is repeated work, even when the check reads the interval
    ("Daily: verify backups completed", (), None),
    ("Daily backups configured", (), "backups-configured"),
    # a restore tested is a drill; "disaster recovery" is more than a restore
    ("Test restore procedure", (), "drills-exercised"),
    ("Test disaster recovery", (), None),
    ("Log levels appropriate for production", (), "log-pipeline"),
    ("HTTP to HTTPS redirect configured", (), "tls-configured"),
    # each check's own objects: a reverse proxy's TLS, request IDs, the secrets as "sensitive data"
    ("TLS terminated at the reverse proxy", (), "tls-configured"),
    ("Request ID tracking enabled", (), "tracing-configured"),
    ("No sensitive data (passwords, tokens) in code", (), "no-hardcoded-secrets"),
    ("CORS configured for the frontend domain only", (), "cors-not-wildcard"),
    # a support contact is written down; a support channel is set up by people
    ("Support contact information", (), "ops-doc-topics"),
    ("Support channels ready", (), None),
    # a closing "to prevent ..." says what a thing is for; manner words and "documented" for a check
    # that reads a document add nothing to what is asked
    ("Add rate limiting to prevent abuse", (), "rate-limiting"),
    ("Regular automated backups", (), "backups-configured"),
    ("Runbooks documented", (), "runbook-present"),
    ("Distributed tracing configured (Jaeger/Tempo)", (), "tracing-configured"),
    ("Rate limiting documented", (), None),
    # a schedule lists what people do again and again, not a state of the repository
    ("Check service health endpoints", ("Maintenance Schedule", "Daily"), None),
    ("Test backup restoration", ("Operations", "Weekly"), None),
    ("Test backup restoration", ("Operations",), "drills-exercised"),
    ("Rate limiting is documented", (), None),
    ("Readiness route answers on `/ready`", (), None),
    ("Database migration tests exist", (), None),
    ("Unit tests exist", (), "tests-present"),
    # every route of the API is more than the check reads (one limited route passes it)
    ("Rate limits applied to all API endpoints", (), None),
    # a line whose subject is the routes it lists asks that they are served
    ("`/v2/score` - Batch scoring", (), "routes-served"),
    ("Liveness: `/livez`", (), "routes-served"),
    ("`/reports/{id}` ✅ Created", (), "routes-served"),
    ("`GET /v1/status` - Show the status", (), "routes-served"),
    ("`POST /jobs`, `GET /jobs/{id}` - Submit and read jobs", (), "routes-served"),
    ("GET requests are cached", (), None),
    # a URL's scheme is not a label before a path
    ("Go to https://example.org/new-space", (), None),
    ("Analytics endpoints work: GET `/api/analytics`", (), None),
    ("OpenAPI spec documented", (), "api-docs-present"),
    ("All required env vars documented in .env.example", (), "env-example-present"),
    ("Emergency rollback procedures documented", (), "rollback-documented"),
    # a whole workflow tested end to end is not CI running the tests
    ("Full workflow tested", (), None),
    # the `.env` file itself is the operator's; its example is the repository's
    ("Create `.env` from `.env.example`", (), None),
    ("Create `.env.example`", (), "env-example-present"),
    # Alertmanager routes alerts to receivers; it holds no alert rule
    ("AlertManager configured", (), "monitoring-wired"),
    ("Alert rules configured", (), "alert-rules-cover"),
    ("`/reports` returns every report", (), None),
    ("`/chat-stream` streams replies", (), None),
    ("`/etc/app/conf.d` configured", (), None),
    # the host's folders listed after a label are files on a server, not routes
    ("Log folders created: `/var/log/api/`, `/var/log/nginx/`", (), None),
    ("Readiness: `/ready`, `/live`", (), "routes-served"),
    # a path typed into a hosting platform's form is a setting there, not a route asked of the service
    ("Health check path: `/status`", (), None),
    ("Set liveness check: `/alive`", (), None),
    ("Liveness check: `/alive`", (), "routes-served"),
    ("`/v2/score` - Batch scoring", ("Kubernetes",), None),
    # what a person does by hand is an activity, whatever the line names
    ("Catalog: `/catalog`", ("Release", "Try every page manually"), None),
    ("Rate limiting", ("Manual QA",), None),
    # what a team is trained on is what people know, not what the repository documents
    ("Rollback steps documented", ("Launch", "Team training"), None),
    ("Rollback steps documented", ("Launch", "Documentation"), "rollback-documented"),
    # "Docker Compose" is the tool's name; incidents are what runbooks are for
    ("Docker Compose setup", (), "compose-stack"),
    # "Docker" alone is where images are built as much as where compose runs them
    ("Multi-stage Docker builds", (), "dockerfile-multi-stage"),
    ("Multi-stage builds", ("Deployment", "Docker"), "dockerfile-multi-stage"),
    ("Runbooks created for common incidents", (), "runbook-present"),
    ("Configure container security scanning", (), "ci-exercises"),
    ("Rate limiting protection", (), "rate-limiting"),
    ("All dependencies listed in requirements.txt (Python)", (), "no-undeclared-imports"),
    # debug switched on is not the check that it is off
    ("Debug mode true", (), None),
    ("Debug mode enabled", (), None),
    ("Debug mode not enabled", (), "debug-disabled"),
    ("Debug mode disabled", (), "debug-disabled"),
    # a readiness checklist is a list, not a readiness check; the checks themselves still are
    ("Production readiness checklist", (), None),
    ("Readiness checks configured", ("Kubernetes",), "k8s-probes"),
    # inline HTML is markup, not words of the line
    ("Resource requests and limits<br/>", ("Kubernetes",), "k8s-resource-limits"),
    ("<b>Rate limiting</b> in place", (), "rate-limiting"),
    # an item's own number is not a word it asks; a quantity in front is
    ("**2.3** Rollback steps documented", (), "rollback-documented"),
    ("4) Rate limiting", (), "rate-limiting"),
    ("0.5 CPU limit per container", ("Kubernetes",), None),
    # a list of work that says it is done is not open; one still to do, or after the release, is
    ("Rate limiting", ("TODO 3: Hardening (COMPLETE)",), "rate-limiting"),
    ("Rate limiting", ("TODO 3: Hardening (not done)",), None),
    ("Rate limiting", ("Post-deployment (done)",), None),
    # a check's own vocabulary: a restart policy's values, the ORM, what tracing instruments
    ("Restart policy set (`unless-stopped`)", (), "compose-restart-policy"),
    ("OpenTelemetry instrumentation", (), "tracing-configured"),
    ("SQL injection protection (SQLAlchemy ORM)", (), "sql-parameterized"),
    ("Runbooks for common operational tasks", (), "runbook-present"),
    # a name and its abbreviation are two concepts: neither asks for the other's words
    ("CSRF protection enabled", (), "request-sinks"),
    ("XSS protection", ("Backend security",), "request-sinks"),
    ("Model scored on a held-out set", (), "model-evaluated-on-holdout"),
    ("PrometheusRule for the error rate", (), "alert-rules-cover"),
]


@pytest.mark.parametrize(("line", "headings", "expected"), CASES)
def test_a_line_maps_by_the_concept_it_names(
    line: str, headings: tuple[str, ...], expected: str | None
) -> None:
    found = concepts.match(line, headings)
    assert found.check == expected, found


def test_a_qualified_line_says_why_it_is_left_to_a_person() -> None:
    found = concepts.match("API documentation (beyond Swagger)", ())
    assert found.check is None and found.candidates == ("api-docs-present",) and "beyond" in found.vetoed


def test_a_tie_the_headings_cannot_settle_names_the_candidates() -> None:
    found = concepts.match("Containers run as non-root", ())
    assert found.check is None
    assert found.candidates == ("dockerfile-non-root-user", "k8s-security-context")
    # and the report says why neither took it, beside them
    (line,) = parse("- [ ] Containers run as non-root\n", "go-live.md").items
    assert line.why == "not automated: the line fits these checks equally; a marker says which"


def test_a_check_admitted_under_another_component_is_reached_by_a_line_that_names_that_component() -> None:
    # "images" confines the line to the Dockerfile's component; the CI check that scans the image it
    # builds declares `under: dockerfile`
    assert concepts.match("Images scanned for vulnerabilities").check == "ci-exercises"
    assert concepts.match("Scan the image for vulnerabilities", ("Dockerfile",)).check == "ci-exercises"
    assert concepts.match("Set up docker-compose with all services").check != "ci-exercises"


def test_concepts_yaml_says_only_what_its_reader_reads() -> None:
    # a misspelt key (`automte: true`) or a value that is not a boolean would be ignored without a word
    raw = concepts._raw()
    assert {key for entry in raw.values() for key in entry} <= {
        "component",
        "words",
        "concepts",
        "automate",
        "under",
        "leaves_to",
    }
    assert all(isinstance(entry.get("automate", False), bool) for entry in raw.values())
    assert {c for entry in raw.values() for c in entry.get("under", "").split()} <= set(concepts.COMPONENTS)
    assert concepts.automated() <= set(REGISTRY)
    assert {c for checks in concepts.leaves_to().values() for c in checks} <= set(REGISTRY)


# the gate's own precondition ("something to judge"), not a line of anyone's readiness checklist
UNLISTED = {"service-present"}
HEADING = {"kubernetes": "Kubernetes", "compose": "Docker Compose", "dockerfile": "Dockerfile", "ci": "CI/CD"}


def test_every_check_declares_a_component_and_concepts() -> None:
    assert set(concepts.components()) == set(REGISTRY)
    assert set(concepts.components().values()) <= set(concepts.COMPONENTS)


@pytest.mark.parametrize("check_id", sorted(set(REGISTRY) - UNLISTED))
def test_every_check_is_reachable_by_its_own_title(check_id: str) -> None:
    component = concepts.components()[check_id]
    headings = (HEADING[component],) if component in HEADING else ()
    assert concepts.match(REGISTRY[check_id].title, headings).check == check_id


CHECKLIST = """# Go-live

## Service
- [ ] Error handlers registered
- [ ] Rate limiting on the login form
- [x] API documentation (beyond Swagger)
- [ ] Team lunch booked

## Kubernetes
- [ ] Resource limits set
- [ ] Containers run as non-root
"""


def test_the_checklist_suggests_the_check_a_line_names_and_says_why_not_automated() -> None:
    lines = {line.text: line for line in parse(CHECKLIST, "go-live.md").items}
    nonroot = lines["Containers run as non-root"]
    # under Kubernetes, the check's concept matches met the precision, as the gate shows its lines
    assert (nonroot.check, nonroot.how) == ("k8s-security-context", "concept")
    assert "“non root containers”" in nonroot.why, "in the line's words"
    # suggested, not automated, until the check's concept matches meet the precision (gate/checklist.py)
    cors = {line.text: line for line in parse("## Service\n- [ ] CORS origins restricted\n", "x.md").items}
    line = cors["CORS origins restricted"]
    assert line.check is None and line.candidates == ("cors-not-wildcard",)
    assert "suggested" in line.why and "“cors”" in line.why, "in the line's words"
    login = lines["Rate limiting on the login form"]
    assert login.check is None and login.candidates == ("rate-limiting",)
    assert "“login”" in login.why, "the word no check reads is named"
    beyond = lines["API documentation (beyond Swagger)"]
    assert beyond.item is None and beyond.check is None and "beyond" in beyond.why
    assert lines["Team lunch booked"].candidates == () and lines["Team lunch booked"].why == ""
    # a seed checklist's own wording keeps the catalog's judgement of it
    assert lines["Resource limits set"].item == "k8s-resources"
    # a check whose concept matches met the precision on the labelled checklists takes its lines
    handlers = lines["Error handlers registered"]
    assert (handlers.check, handlers.how) == ("error-handlers-registered", "concept")
    assert "error-handlers-registered" in concepts.automated()
    assert "cors-not-wildcard" not in concepts.automated()


DASHBOARDS = """# Observability
- [ ] Grafana dashboards for the API
- [ ] Monitoring dashboards set up
"""


def test_a_concept_marked_automated_takes_its_lines_where_its_check_is_not_automated() -> None:
    assert "monitoring-wired" not in concepts.automated()
    lines = {line.text: line for line in parse(DASHBOARDS, "dashboards.md").items}
    grafana = lines["Grafana dashboards for the API"]
    assert (grafana.check, grafana.how) == ("monitoring-wired", "concept")
    assert concepts.match("Grafana dashboards for the API").written.startswith("+")
    # the same check's other concept, under the bar on the labelled checklists: only suggested
    monitoring = lines["Monitoring dashboards set up"]
    assert monitoring.check is None and monitoring.candidates == ("monitoring-wired",)
    assert "suggested" in monitoring.why


def test_manual_lines_stay_compact_in_the_comment(tmp_path: object) -> None:
    from gate.config import Config
    from gate.engine import evaluate

    checklist = parse(CHECKLIST, "go-live.md")
    report = evaluate(ROOT / "examples" / "ready-service", Config(), offline=True, checklist=checklist)
    text = markdown(report)
    assert "No catalog item matches" not in text
    assert "nearest check: `rate-limiting`" in text
    # non-root and resource limits under Kubernetes, where the example has no workloads; the login
    # form; beyond Swagger (error handlers are automated)
    assert "Team lunch booked" in text and text.count("nearest check") == 4
    assert "nothing here for its check to judge" in text and "No workloads in the manifests" in text
    # an automated line says how it was mapped
    assert re.search(r"Error handlers registered · <sub>.*\(by meaning: names “error handlers", text)


def test_the_mapping_is_the_same_under_every_hash_seed() -> None:
    script = (
        "from gate.checklist import parse; import sys; "
        "c = parse(sys.stdin.read(), 'x.md'); "
        "print([(l.number, l.item, l.check, l.candidates, l.why) for l in c.items])"
    )
    outputs = set()
    for seed in ("1", "2", "3", "4"):
        proc = subprocess.run(
            [sys.executable, "-c", script],
            input=CHECKLIST,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            check=True,
        )
        outputs.add(proc.stdout)
    assert len(outputs) == 1


@pytest.mark.parametrize(
    ("line", "headings", "expected", "word"),
    [
        # every word is the concept's, a word of being done, or an object the check reads
        ("Caching set up", ("Service",), "practices-in-code", ""),
        ("Unit tests written with pytest", (), "tests-present", ""),
        ("Memory limits and requests set for all containers", ("Kubernetes",), "k8s-resource-limits", ""),
        # a word of substance no concept of the check reads: the line asks something else
        ("Caching of the tokenizer implemented", ("Service",), None, "tokenizer"),
        ("Unit tests for the billing rules written", (), None, "billing"),
        # a contracted negation says no more than "not" does; a check's `words:` are the objects it reads
        ("Don't log passwords or tokens", (), "no-secrets-in-logs", ""),
        ("Type hints on function signatures", (), "type-hint-coverage", ""),
        # a closing "for ..." that says only what the thing is good for is the line's why, not its what
        ("Multiple replicas for high availability", ("Kubernetes",), "k8s-replicas", ""),
        ("Use structured logging for easier parsing", (), "log-pipeline", ""),
        ("Structured logging for the audit trail", (), None, "audit"),
        # the service's code and environments are what every line is about; how firmly a line asks
        # ("recommended"), like "mandatory", says nothing of what it asks
        ("Type hints added to Python code", (), "type-hint-coverage", ""),
        ("JSON logging for production environments", (), "log-pipeline", ""),
        ("Rate limiting implemented (recommended)", (), "rate-limiting", ""),
        ("Prepare runbooks for common incidents", (), "runbook-present", ""),
        # words of the checks' own subjects that labelled checklists wrote beside them (2026-12-02):
        # how high an alert fires, how clear or current an operations document is, how a certificate
        # renews, what an ignore file does, where logs are centralized, and "already" (done)
        ("High error rate alerts set up", (), "alert-rules-cover", ""),
        ("Clear escalation paths documented", (), "ops-doc-topics", ""),
        ("Architecture diagram is current", (), "ops-doc-topics", ""),
        ("Emergency contact info listed", (), "ops-doc-topics", ""),
        ("TLS certificate renewal automated", (), "tls-configured", ""),
        ("Runs as a non-root user (already done)", ("Dockerfile",), "dockerfile-non-root-user", ""),
        ("Sentry integration for error reporting", (), "monitoring-wired", ""),
        ("Logs centralized in cloud logging", (), "log-pipeline", ""),
        ("Type hints used throughout", (), "type-hint-coverage", ""),
        ("Network policies restrict traffic", ("Kubernetes",), "k8s-network-policy", ""),
        ("`.dockerignore` excludes the virtualenv", (), None, "virtualenv"),
        ("`.env.local` added to `.gitignore`", (), "env-file-ignored", ""),
        ("Rollback script tested", (), "drills-exercised", ""),
        ("Comprehensive deployment guide written", (), "deployment-guide-present", ""),
    ],
)
def test_a_line_is_automated_only_when_the_check_reads_every_word_of_it(
    line: str, headings: tuple[str, ...], expected: str | None, word: str
) -> None:
    found = concepts.match(line, headings)
    assert found.check == expected, found
    if word:
        assert f"“{word}”" in found.vetoed and found.candidates, found


def test_checks_whose_concept_matches_met_the_bar_are_automated() -> None:
    # right 3 times and never wrong on the labelled checklists as the gate fills them in (2026-12-02)
    text = "# Service\n- [ ] Null values rejected\n- [ ] Model loaded once at startup\n"
    lines = {line.text: line for line in parse(text, "list.md").items}
    rejected = lines["Null values rejected"]
    assert (rejected.check, rejected.how) == ("request-validation", "concept")
    loaded = lines["Model loaded once at startup"]
    assert (loaded.check, loaded.how) == ("model-loaded-once", "concept")


def test_a_qualifier_the_check_itself_reads_does_not_veto_the_line() -> None:
    # "tested" leaves most lines to a person (live behaviour), but restore drills are what that check reads
    assert concepts.match("Backup restore tested", ()).check == "drills-exercised"
    assert concepts.match("Rate limiting tested", ("Service",)).check is None


def test_a_tie_goes_to_the_check_that_reads_the_whole_line() -> None:
    # both name a concept of two terms (rollback plan, rollback tested); only the drills check reads "tested"
    assert concepts.match("Rollback plan tested", ()).check == "drills-exercised"


def test_no_concept_term_was_meant_as_one_word_with_the_term_before() -> None:
    """`health check*|healthcheck*` reads as "health" and then "check* or healthcheck*": a line saying
    only "HEALTHCHECK" never matched. An alternative that extends the previous term's word is that
    mistake."""
    wrong = [
        f"{concept.check}: {' '.join('|'.join(t) for t in concept.terms)}"
        for concept in concepts._concepts()[0]
        for before, term in itertools.pairwise(concept.terms)
        for alternative in term
        for word in before
        if alternative.rstrip("*").startswith(word.rstrip("*")) and len(alternative) > len(word) + 2
    ]
    assert wrong == []


SUB_POINTS = """# Release

- [ ] **Structured logging in place**
  - every prediction logged with its input hash
  - logs kept 90 days
- [ ] Error handlers registered
- [ ] Error handlers registered
- [ ] Tracing
"""


def test_a_line_with_points_under_it_is_left_to_a_person() -> None:
    lines = parse(SUB_POINTS, "release.md").items
    assert lines[0].check is None and lines[0].item is None and "points under the line" in lines[0].why
    # the next line's list items are not its sub-points: they stand at its own indent
    assert "points under" not in lines[1].why and lines[1].check == "error-handlers-registered"


def test_a_line_that_says_something_else_provides_it_is_left_to_a_person() -> None:
    # a hosting platform's HTTPS is not the repository's TLS configuration, however close the wording
    line = parse("- [ ] HTTPS enabled (our host provides it automatically)\n", "x.md").items[0]
    assert line.item is None and line.candidates == ("tls-configured",) and "provides" in line.why
    enforced = parse("- [ ] HTTPS enforced\n", "x.md").items[0]
    assert enforced.candidates == ("tls-configured",) and "provides" not in enforced.why
    assert parse("- [ ] SSL certificates in place\n", "x.md").items[0].check == "tls-configured"


def test_a_seed_wording_with_points_under_it_is_left_to_a_person() -> None:
    # the seed line "Logging configured" had no points under it: the catalog's judgement did not weigh these
    under = parse(
        "- [ ] **Logging configured**\n  - every prediction logged\n  - logs rotated\n", "x.md"
    ).items[0]
    assert under.item is None and under.check is None and "points under the line" in under.why
    assert under.candidates == ("logging-configured",)
    bare = parse("- [ ] Logging configured\n", "x.md").items[0]
    assert bare.item == "logging-configured" and bare.how == "wording"


def test_a_seed_line_that_had_points_under_it_keeps_its_item_with_them() -> None:
    line = parse("- [ ] Model performance metrics documented\n  - accuracy on the holdout\n", "x.md").items[0]
    assert line.item == "model-card" and line.how == "wording"


def test_a_line_with_points_under_it_keeps_a_sign_off_it_resembles() -> None:
    # a person's line either way: the sub-points take only automations away
    line = parse("- [ ] README.md updated with latest\n  - the new routes\n", "x.md").items[0]
    assert line.item == "attest-readme-current" and line.check is None


def test_a_line_that_lists_routes_is_judged_on_those_routes() -> None:
    from gate.config import Config
    from gate.engine import evaluate

    checklist = parse("# Go-live\n\n- [ ] `/predict` - scoring\n- [ ] `/nowhere` - gone\n", "go-live.md")
    report = evaluate(ROOT / "examples" / "ready-service", Config(), offline=True, checklist=checklist)
    assert report.checklist is not None
    got = {line.text: line for line in report.checklist.lines if line.kind == "automated"}
    served, gone = got["`/predict` - scoring"], got["`/nowhere` - gone"]
    assert served.checks == gone.checks == ("routes-served",)
    assert served.outcome == "pass" and "/predict" in served.evidence
    assert gone.outcome == "fail" and "Not served: /nowhere" in gone.evidence


def test_a_similar_wording_is_only_a_suggestion() -> None:
    lines = parse("- [ ] Unit tests are passing\n- [ ] Create prediction endpoint\n", "x.md").items
    agrees, other = lines
    # close to a seed line whose check it names: suggested, since such lines were too often wrong
    assert agrees.item is None and agrees.check is None and "tests-passing" in agrees.candidates
    # close in characters to a seed line bound to request validation, but it names no validation
    assert other.item is None and other.check is None and other.candidates == ("request-validation",)
    assert "only similar to a seed line" in other.why
    # the seed line's "and tested" is what made it CI's: a virtual environment created is a person's
    venv = parse("- [ ] Virtual environment created\n", "x.md").items[0]
    assert venv.item is None and venv.check is None
    # a seed line's exact words in another team's list: a backup strategy defined is a plan, one in
    # place is the backups
    ours = "- [ ] Rate limiting on `/predict`\n- [ ] Feature flags for the new ranking\n- [ ] Vault sealed\n"
    planned = parse(ours + "- [ ] Backup strategy defined\n", "x.md").items[-1]
    placed = parse(ours + "- [ ] Backup strategy in place\n", "x.md").items[-1]
    assert planned.item is None and planned.check is None
    assert placed.item is not None and placed.how == "wording"
    # "acceptable" names no budget: the latency check judges one a line or the team states
    vague = parse(ours + "- [ ] Response times acceptable\n", "x.md").items[-1]
    assert vague.item is None and vague.check is None


def test_a_request_to_the_running_service_or_a_platform_doing_it_is_left_to_a_person() -> None:
    # both close to a seed line: without the veto they took its checks by a similar wording
    curl, platform, hosted = parse(
        "- [ ] Health check passing: `curl http://127.0.0.1:9000/health`\n"
        "- [ ] HTTPS enabled (automatic on Fly)\n"
        "- [ ] HTTPS enabled (automatic in App Platform)\n",
        "x.md",
    ).items
    assert curl.item is None and curl.check is None and "“curl”" in curl.why
    assert platform.item is None and platform.check is None and "“automatic on fly”" in platform.why
    assert hosted.item is None and hosted.check is None and "“automatic in app”" in hosted.why
    # what the repository makes run on its own is not a host's doing
    pushed = parse("- [ ] Tests run automatically in the CI pipeline\n", "x.md").items[0]
    assert pushed.check == "ci-runs-tests"


def test_the_env_file_made_by_a_person_is_left_to_them_before_or_after_it_is_named() -> None:
    made_after, made_before, ignored = parse(
        "- [ ] The `.env` for production filled in (not committed)\n"
        "- [ ] Fill in the `.env` for staging\n"
        "- [ ] `.env` kept out of git by `.gitignore`\n",
        "x.md",
    ).items
    assert made_after.check is None and "“.env for production filled”" in made_after.why
    assert made_before.check is None
    # the ignore rule alone is the check's, automated (right 26 times, never wrong, 2026-12-02)
    assert (ignored.check, ignored.how) == ("env-file-ignored", "concept")


def test_coverage_reported_is_not_a_coverage_floor_met() -> None:
    reported, floor = parse(
        "- [ ] Coverage reported on every pull request\n- [ ] Line coverage at least 85%\n", "x.md"
    ).items
    assert reported.check is None and "test-coverage" not in reported.candidates
    # automated once reporting lines no longer counted against it (right 22 times, never wrong)
    assert (floor.check, floor.how) == ("test-coverage", "concept")


def test_an_api_key_the_service_holds_is_not_authentication_on_its_routes() -> None:
    # a credential for another API, kept safe or set: every labelled line of this kind was a person's
    assert concepts.match("Our API keys are secured", ("Service",)).check is None
    assert concepts.match("API token properly set", ("Service",)).check is None
    assert concepts.match("API key required on every route", ("Service",)).check == "api-authentication"


def test_a_python_installed_on_a_host_is_not_a_declared_version() -> None:
    assert concepts.match("Python 3.12 installed on the build box").candidates == ()
    assert concepts.match("Python 3.12 installed").check is None
    assert concepts.match("Python version 3.12 declared").check == "python-version-declared"


def test_the_points_of_a_line_that_says_to_verify_them_are_checks_on_the_running_service() -> None:
    text = (
        "## Launch\n- [ ] Verify health endpoints:\n  - [ ] `/api/v2/health`\n"
        "- [ ] Health routes:\n  - [ ] `/api/v2/health`\n"
    )
    _, verified, _, served = parse(text, "x.md").items
    assert verified.check is None and "listed under “Verify health endpoints:”" in verified.why
    assert served.check == "routes-served"


def test_the_log_pipeline_automates_only_its_concepts_that_met_the_bar() -> None:
    # the whole check fell under the bar once a twenty-fifth set was read (86 right, 6 false): its
    # log-level concept (17 right, 4 false) is suggested, its clean ones stay automated (2026-12-02)
    assert "log-pipeline" not in concepts.automated()
    json_logs, levels, retention = parse(
        "- [ ] JSON logs enabled\n- [ ] Log levels appropriate for production\n- [ ] Log retention configured\n",
        "x.md",
    ).items
    assert (json_logs.check, retention.check) == ("log-pipeline", "log-pipeline")
    assert levels.check is None and levels.candidates == ("log-pipeline",) and "suggested" in levels.why


def test_a_line_that_gives_a_command_to_run_on_a_server_is_left_to_a_person() -> None:
    # both close to a seed line's wording; the command says it is done by hand on a host
    issued, plain = parse(
        "- [ ] SSL/TLS certificate obtained (`sudo certbot --nginx -d scores.example.org`)\n"
        "- [ ] SSL/TLS certificate obtained\n",
        "x.md",
    ).items
    assert issued.item is None and issued.check is None
    assert "command to run on a host (`sudo certbot`)" in issued.why
    assert "command" not in plain.why and plain.candidates == ("tls-configured",)
    # a package manager's command is as often a Dockerfile's RUN as a host's
    image = parse("- [ ] `apt-get install --no-install-recommends` in the image\n", "x.md").items[0]
    assert "command to run on a host" not in image.why


def test_a_seed_wording_in_another_teams_list_automates_only_where_its_meaning_agrees() -> None:
    from gate.checklist import seed_files

    ours = "- [ ] Load testing completed\n- [ ] Rate limiting\n- [ ] Runbook created\n"
    load = parse(ours, "go-live.md").items[0]
    # the seed line is bound to the throughput budget; what the line names is a load test run
    assert load.item is None and load.check is None and load.candidates == ("load-test-concurrent",)
    # the seed checklist itself keeps the catalog's judgement of the same line
    name, seed = next((n, t) for n, t in seed_files() if "- [ ] Load testing completed" in t)
    kept = next(line for line in parse(seed, name).items if line.text == "Load testing completed")
    assert (kept.item, kept.how) == ("throughput-budget", "wording")


def test_a_line_of_paths_is_read_in_linear_time() -> None:
    """A checklist line is the pull request's: "/a" then "and/" 200 times, closed by a character
    no route line ends with, was split between the path and the separator every possible way. In a
    child with a generous bound, as the hostile cases run; 40 repeats took longer than a day."""
    script = (
        "from gate.checklist import parse\n"
        "line = parse('- [ ] `/a' + 'and/' * 200 + '` !\\n', 'x.md').items[0]\n"
        "assert line.check is None, line\n"
        "line = parse('- [ ] `/a` and `/b` - two routes\\n', 'x.md').items[0]\n"
        "assert line.check == 'routes-served', line\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=20)


def _left_as_not_english(*lines: Line) -> None:
    for line in lines:
        assert line.check is None and line.item is None
        assert line.why == "not automated: the line is not in English, and the matcher reads English only"


def test_a_line_not_in_english_is_left_to_a_person_and_says_so() -> None:
    # read by its ASCII letters alone, the first would be "rate limiting a cu hnh" and the second "hpa
    # cpu memory": a line in another language is not guessed at
    vietnamese, chinese, english = parse(
        "- [ ] Rate limiting đã cấu hình\n- [ ] HPA 監控 CPU 和 Memory\n- [ ] Rate limiting for the café 🚀\n",
        "x.md",
    ).items
    _left_as_not_english(vietnamese, chinese)
    # a word with an accent is read whole, accent folded
    assert english.check is None and english.why.endswith(
        "the line also says “cafe”, which the check does not read"
    )
    # a line in German or Spanish around English technical words has few accents or none: its function
    # words say what it is written in; an English line's tokens (os.environ, example.com) are not those
    german, spanish, tokens = parse(
        "- [ ] Rate limiting für alle Endpunkte\n- [ ] CORS configurado para los dominios\n"
        "- [ ] Secrets read from os.environ, never from example.com\n",
        "x.md",
    ).items
    _left_as_not_english(german, spanish)
    assert "not in English" not in tokens.why
    # in a list written in German, one such word is enough; its English lines are still read as English
    backups, runbook, _ = parse(
        "- [ ] Database-Backups eingerichtet\n- [ ] Runbook created\n- [ ] Keine Secrets im Code\n", "x.md"
    ).items
    assert backups.why.endswith("not in English, and the matcher reads English only")
    assert backups.candidates == ("backups-configured",)
    assert runbook.check == "runbook-present"
    # one such word among many English lines is a borrowed word
    listed = "".join(f"- [ ] {line}\n" for line in ("Rate limiting", "Runbook created", "CORS restricted"))
    listed += "".join(f"- [ ] {line}\n" for line in ("Linting passes", "Changelog kept", "Tests pass"))
    borrowed = parse(listed + "- [ ] Database-Backups eingerichtet\n", "x.md").items[-1]
    assert "not in English" not in borrowed.why


def test_a_platform_word_is_left_to_a_person_unless_the_check_reads_what_the_repository_keeps_of_it() -> None:
    dashboards = concepts.match("Grafana dashboards configured")
    assert dashboards.check == "monitoring-wired" and dashboards.automated
    found = concepts.match("Datadog dashboards configured")
    assert found.check is None and "datadog" in found.vetoed
    # every platform word counts, not only the first
    assert "datadog" in concepts.veto("Dashboards configured in Datadog", (), ("monitoring-wired",))
    assert "dashboards" in concepts.veto("Dashboards configured", (), ("metrics-endpoint",))


def test_work_repeated_at_every_release_is_left_to_a_person() -> None:
    for line in ("Rollback plan written for each release", "Database backup before every deployment"):
        found = concepts.match(line)
        assert found.check is None and ("each" in found.vetoed or "every" in found.vetoed), line
    assert concepts.match("Rollback plan documented").check == "rollback-documented"


def test_a_line_naming_nothing_its_check_judges_is_left_to_a_person() -> None:
    # ops-doc-topics judges only the topics a line names; judged, this line would show "No
    # documentation topic is asked for"
    text = "# Go-live\n- [ ] Support contacts documented\n- [ ] Operations documentation topics\n"
    lines = {line.text: line for line in parse(text, "g.md").items}
    named = lines["Support contacts documented"]
    assert (named.check, named.how) == ("ops-doc-topics", "concept")
    assert concepts.match("Operations documentation topics").check == "ops-doc-topics"
    left = lines["Operations documentation topics"]
    assert left.check is None and left.candidates == ("ops-doc-topics",)
    assert "names none of it" in left.why


def test_a_line_that_does_not_say_where_gets_the_checks_that_would_decide_it_as_suggestions() -> None:
    """ "Linting passes" is CI's lint step only if CI runs it, and "Resource limits set" is compose's or
    Kubernetes': with no component named, the generic concepts' checks are suggested, never automated,
    and they never confirm a seed line's wording in a team's own list."""
    lint = concepts.match("Linting passes")
    assert lint.check is None and lint.candidates == ("ci-lint",) and lint.unplaced
    assert lint.vetoed == "the line does not name where this is done"
    limits = concepts.match("Resource limits set (CPU, memory)")
    assert limits.candidates == ("compose-resource-limits", "k8s-resource-limits") and limits.unplaced
    # named, the component places it, as before
    assert concepts.match("Linting runs in CI").check == "ci-lint"
    assert not concepts.match("Resource limits set", ("Kubernetes",)).unplaced
    text = "- [ ] Linting passes\n- [ ] Health checks configured\n- [ ] Team lunch booked\n"
    lines = {line.text: line for line in parse(text, "x.md").items}
    assert lines["Linting passes"].candidates == ("ci-lint",) and lines["Linting passes"].check is None
    assert lines["Linting passes"].why == "not automated: the line does not name where this is done"
    # a seed line's wording (compose's health checks), which the suggestions alone do not confirm
    health = lines["Health checks configured"]
    assert health.item is None and health.check is None and "compose-healthcheck" in health.candidates
