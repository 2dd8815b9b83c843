"""Each seed system's example, in a ready and a not-ready variant, judged against that seed's own
checklist (named in the example's .github/prodgate.yml). The expected outcome of every automated item
was written down from reading the example's files, not from running the gate."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from gate.config import load_config
from gate.engine import evaluate
from gate.facts.github import GitHubFacts, WorkflowRunState
from gate.model import Level, Outcome, Report
from tests.conftest import ROOT, git

PASS, FAIL, NA = Outcome.PASS, Outcome.FAIL, Outcome.NOT_APPLICABLE
MISSING, UNAVAILABLE = Outcome.MISSING_EVIDENCE, Outcome.NOT_AVAILABLE

# Outcomes shared by every variant of an example run offline as `prodgate check`: no advisory service,
# no GitHub API. The reports CI leaves (JUnit, coverage, load tests, Lighthouse) are in each variant,
# left by really running its tests, load test or Lighthouse; their outcomes are per variant.
OFFLINE = {
    "no-known-vulnerabilities": UNAVAILABLE,
    "code-reviewed": UNAVAILABLE,
}

EXPECTED: dict[str, dict[str, dict[str, Outcome]]] = {
    "seed-004-full-stack": {
        "ready": OFFLINE
        | {
            "restore-drill-run": UNAVAILABLE,  # restore-drill.yml restores weekly; its runs are read by the Action only
            "throughput-budget": PASS,  # ml-service/reports/load_stats.csv: 366 req/s, no request failed
            "db-schema-initialised": PASS,  # CREATE TABLE IF NOT EXISTS jobs at start-up
            "health-detailed": PASS,  # model_loaded and jobs in the answer
            "batch-route": PASS,  # /predict scores every row of a CSV
            "ci-dast": FAIL,  # no ZAP scan
            "api-integration-tests": PASS,  # ml-service/tests request /health and /predict
            "error-tracking": FAIL,  # no error tracker
            "models-backed-up": FAIL,  # the line asks for S3/GCS; the model is only in git
            "deploy-staging-automated": FAIL,  # ci.yml tests only; DEPLOY.md deploys by hand
            "deploy-production-automated": FAIL,
            "deploy-canary": FAIL,  # compose, no Rollout
            "deploy-blue-green": FAIL,
            "compose-valid": PASS,
            "compose-network-isolation": PASS,  # only the frontend publishes a port
            "node-ml-proxy-routes": PASS,  # fetch(`${ML_URL}/predict`) in backend/server.js
            "node-request-timeout": PASS,  # AbortSignal.timeout(120000)
            "node-request-log-file": FAIL,  # no request log at all
            "node-auth-middleware": FAIL,  # the backend holds the ML key; its own callers are not authenticated
            "node-upload-validation": FAIL,  # the body is streamed on unchecked
            "node-secure-headers": PASS,  # helmet()
            "node-compression": PASS,  # compression()
            "frontend-offline-support": FAIL,  # no service worker
            "frontend-pwa": FAIL,
            "frontend-csp": PASS,  # a CSP meta tag
            "frontend-secure-cookies": PASS,  # sets no cookie
            "frontend-no-secrets-in-localstorage": PASS,  # uses no localStorage
            "frontend-browser-tests": FAIL,  # no Playwright
            "frontend-mobile-tests": FAIL,
            "ml-endpoints-authenticated": PASS,  # the ML service's X-API-Key
            "tls-enforced": NA,  # declared external: the host's Caddy
            "logs-centralized": FAIL,  # compose's default json-file driver, no shipper
            "backups-volumes": PASS,  # ops/crontab copies the ml-data volume nightly
            "backups-point-in-time": FAIL,  # nightly copies, no continuous replication
            "alerts-service-down": PASS,
            "alerts-error-rate": PASS,
            "alerts-latency": PASS,
            "alerts-disk": PASS,  # the /data filesystem
            "alerts-memory": PASS,
            "alerts-training-failure": PASS,  # age of the last successful training
            "metrics-requests-per-endpoint": PASS,  # Instrumentator labels by handler
            "metrics-latency": PASS,
            "metrics-error-rate": PASS,  # status label
            "metrics-training-outcome": PASS,  # train.py pushes its last success
            "metrics-database-size": PASS,  # a gauge of the SQLite file
            "rto-defined": PASS,  # RUNBOOK.md, docs/ARCHITECTURE.md
            "recovery-plan-documented": PASS,
            "architecture-diagram": PASS,
            "incident-response-documented": PASS,
            "on-call-documented": PASS,
            "error-responses": PASS,
            "cors": PASS,
            "rate-limiting": PASS,
            "api-authentication": PASS,
            "logging-configured": PASS,
            "metrics-endpoint": PASS,
            "compose-health-checks": PASS,  # ml-service, backend and nginx
            "log-rotation": NA,  # stdout
            "compose-resource-limits": PASS,
            "restart-policies": PASS,
            "compose-secrets": PASS,  # the API key is a Docker secret
            "upload-limits": PASS,  # 50 MB, 413 beyond
            "sql-injection": PASS,
            "model-loaded-once": PASS,
            "tests-present": PASS,
            "api-docs": PASS,  # FastAPI /docs and API_EXAMPLES.md
            "deployment-guide": PASS,
            "runbooks": PASS,
            "ci-workflow-present": PASS,
            "automated-tests-on-pr": PASS,
            "rollback-documented": PASS,
        },
        "not-ready": OFFLINE
        | {
            "tls-enforced": FAIL,  # deploy/Caddyfile serves http://reviews.example.com
            "restore-drill-run": UNAVAILABLE,  # restore-drill.yml; its runs are read by the Action only
            "throughput-budget": FAIL,  # ml-service/loadtest_stats.csv: every request failed (no jobs table)
            "db-schema-initialised": FAIL,  # inserts into jobs, never creates it
            "health-detailed": FAIL,  # only a status, whatever its docstring says
            "batch-route": PASS,
            "ci-dast": FAIL,  # no workflow
            "api-integration-tests": FAIL,  # ml-service/tests removed
            "error-tracking": FAIL,
            "models-backed-up": FAIL,
            "deploy-staging-automated": FAIL,  # no workflow
            "deploy-production-automated": FAIL,
            "deploy-canary": FAIL,
            "deploy-blue-green": FAIL,
            "compose-valid": PASS,
            "compose-network-isolation": PASS,  # only the frontend publishes a port
            "node-ml-proxy-routes": PASS,  # the same server.js
            "node-request-timeout": PASS,
            "node-request-log-file": FAIL,
            "node-auth-middleware": FAIL,
            "node-upload-validation": FAIL,
            "node-secure-headers": PASS,  # helmet() is there too
            "node-compression": FAIL,
            "frontend-offline-support": FAIL,
            "frontend-pwa": FAIL,
            "frontend-csp": FAIL,  # no CSP
            "frontend-secure-cookies": PASS,  # sets no cookie
            "frontend-no-secrets-in-localstorage": PASS,
            "frontend-browser-tests": FAIL,
            "frontend-mobile-tests": FAIL,
            "ml-endpoints-authenticated": FAIL,  # the ML service takes no key
            "logs-centralized": FAIL,
            "backups-volumes": FAIL,  # a weekly cp of a host file
            "backups-point-in-time": FAIL,
            "alerts-service-down": PASS,  # one `up == 0` rule
            "alerts-error-rate": FAIL,
            "alerts-latency": FAIL,
            "alerts-disk": FAIL,
            "alerts-memory": FAIL,
            "alerts-training-failure": FAIL,
            "metrics-requests-per-endpoint": FAIL,  # no exporter at all
            "metrics-latency": FAIL,
            "metrics-error-rate": FAIL,
            "metrics-training-outcome": FAIL,
            "metrics-database-size": FAIL,
            "rto-defined": FAIL,  # README.md only
            "recovery-plan-documented": FAIL,
            "architecture-diagram": FAIL,
            "incident-response-documented": FAIL,
            "on-call-documented": FAIL,
            "error-responses": FAIL,
            "cors": FAIL,
            "rate-limiting": FAIL,
            "api-authentication": FAIL,
            "logging-configured": FAIL,
            "metrics-endpoint": FAIL,
            "compose-health-checks": FAIL,
            "log-rotation": NA,  # stdout
            "compose-resource-limits": FAIL,
            "restart-policies": FAIL,
            "compose-secrets": FAIL,  # the key as a literal environment value
            "upload-limits": FAIL,
            "sql-injection": FAIL,  # an f-string INSERT
            "model-loaded-once": FAIL,  # joblib.load in the view
            "tests-present": FAIL,  # ml-service/tests removed
            "api-docs": FAIL,  # docs_url=None, API_EXAMPLES.md gone
            "deployment-guide": FAIL,
            "runbooks": FAIL,
            "ci-workflow-present": FAIL,
            "automated-tests-on-pr": FAIL,  # no workflow
            "rollback-documented": FAIL,
        },
    },
    "seed-002-fastapi-pipeline": {
        "ready": OFFLINE
        | {
            "tests-passing": PASS,  # junit.xml: 2 passed
            "model-registered": PASS,  # registry/registry.json names models/random_forest_tuned.pkl
            "injection-prevented": PASS,  # typed bodies, no eval, shell or pickle of input
            "data-quality-checked": FAIL,  # train_model.py validates nothing
            "api-docs-current": PASS,  # FastAPI's generated /docs
            "model-evaluated-on-holdout": PASS,  # evaluation.split: temporal, in the metadata train_model.py writes
            "runtime-env-passed": NA,  # run by scripts/run_api.py, no deployment configuration
            "model-routes-tested": PASS,  # test_predict posts a transaction
            "drift-detection": FAIL,  # nothing compares live inputs with the training data
            "secrets-managed": PASS,  # secrets from the environment
            "interpretability-documented": FAIL,  # no SHAP or feature-importance section
            "request-ids": PASS,  # a middleware carries X-Request-ID
            "alerts-configured": PASS,
            "alerts-error-rate": PASS,
            "alerts-latency": PASS,  # p95 over 300 ms
            "ci-lint": PASS,  # ruff and black --check
            "ci-format-check": PASS,  # black --check
            "no-hardcoded-secrets": PASS,
            "model-metrics": PASS,  # ROC-AUC 0.99 on the temporal split, floor 0.95
            "model-metadata": PASS,  # random_forest_tuned_metadata.json: version, date, versions, features
            "model-integrity": PASS,  # MODELS.sha256 matches
            "health-endpoint": PASS,
            "api-docs": PASS,  # /docs
            "metrics-endpoint": PASS,
            "logging-configured": PASS,
            "rate-limiting": PASS,
            "api-authentication": PASS,
            "runbooks": PASS,  # OPERATIONS_RUNBOOK.md
            "deployment-guide": PASS,  # docs/DEPLOYMENT.md
            "rollback-documented": PASS,
        },
        "not-ready": OFFLINE
        | {
            "tests-passing": FAIL,  # junit.xml from its CI's pytest: both tests fail against this variant
            "model-registered": PASS,  # the same record
            "injection-prevented": PASS,  # the same handlers
            "data-quality-checked": FAIL,
            "api-docs-current": FAIL,  # docs_url=None and nothing committed
            "model-evaluated-on-holdout": FAIL,  # a bare roc_auc, no split
            "runtime-env-passed": NA,
            "model-routes-tested": PASS,
            "drift-detection": FAIL,
            "secrets-managed": FAIL,  # a key written in src/config.py
            "interpretability-documented": FAIL,
            "request-ids": FAIL,
            "alerts-configured": PASS,  # one `up == 0` rule
            "alerts-error-rate": FAIL,
            "alerts-latency": FAIL,
            "ci-lint": FAIL,  # the lint step is gone
            "ci-format-check": FAIL,  # no formatter step either
            "no-hardcoded-secrets": FAIL,
            "model-metrics": FAIL,  # ROC-AUC 0.74
            "model-metadata": FAIL,  # no version, date, framework versions or feature names
            "model-integrity": FAIL,  # retrained without updating MODELS.sha256
            "health-endpoint": FAIL,  # no /health
            "api-docs": FAIL,  # docs_url=None and no API document
            "metrics-endpoint": FAIL,
            "logging-configured": FAIL,
            "rate-limiting": FAIL,
            "api-authentication": FAIL,
            "runbooks": FAIL,  # the checklist only points to an OPERATIONS_RUNBOOK.md that is not there
            "deployment-guide": PASS,  # the checklist file itself lists the deployment steps
            "rollback-documented": PASS,  # and the rollback procedure
        },
    },
    "seed-000-csv-predictions": {
        "ready": OFFLINE
        | {
            "restore-drill-run": UNAVAILABLE,  # restore-drill.yml; its runs are read by the Action only
            "throughput-budget": PASS,  # reports/load_stats.csv: 251 req/s, no request failed
            "latency-budget": PASS,  # reports/load_stats.csv: p95 71 ms
            "tests-passing": PASS,  # junit.xml from CI's pytest: 3 passed
            "cache-expensive-work": FAIL,  # nothing is cached
            "config-files-valid": PASS,  # compose, ruff.toml, metadata and rules parse
            "runtime-env-passed": PASS,  # env_file .env, documented by .env.example: API_KEY
            "ci-fresh-install": PASS,  # pip install -r requirements-dev.txt, then pytest
            "ci-container-run": PASS,  # docker run, then curl /health
            "ci-compose-up": PASS,  # docker compose up --wait
            "ci-registry-push": FAIL,  # CI builds, never pushes
            "models-backed-up": PASS,  # models/ is committed: git is the copy
            "dependency-updates-check": PASS,  # .github/dependabot.yml: pip, docker, actions weekly
            "tls-certificates": PASS,  # deploy/nginx.conf: Let's Encrypt
            "alerts-configured": PASS,  # a blackbox probe alert, monitoring/alerts.yml
            "faq-present": PASS,  # docs/RUNBOOK.md, docs/FAQ.md
            "recovery-plan-documented": PASS,
            "incident-response-documented": PASS,
            "no-syntax-errors": PASS,
            "no-todo-fixme": PASS,
            "docstrings": PASS,
            "type-hints": PASS,
            "ci-workflow-present": PASS,
            "api-authentication": PASS,  # @require_api_key on /predict
            "no-hardcoded-secrets": PASS,
            "env-file-ignored": PASS,
            "upload-limits": PASS,  # MAX_CONTENT_LENGTH
            "rate-limiting": PASS,  # flask-limiter
            "cors": PASS,  # CORS_ORIGINS
            "no-secrets-in-logs": PASS,
            "sql-injection": PASS,  # placeholders
            "model-loaded-once": PASS,  # loaded at import
            "requirements-pinned": PASS,
            "no-unused-dependencies": PASS,  # gunicorn serves, scikit-learn/numpy train
            "env-example": PASS,
            "logging-configured": PASS,
            "log-rotation": PASS,  # RotatingFileHandler
            "health-endpoint": PASS,
            "model-artifacts": PASS,
            "image-builds": PASS,
            "compose-volumes": PASS,  # the SQLite folder /data is a named volume
        },
        "not-ready": OFFLINE
        | {
            "tls-certificates": FAIL,  # deploy/nginx.conf serves predict.example.com on port 80 only
            "restore-drill-run": UNAVAILABLE,  # restore-drill.yml; its runs are read by the Action only
            "tests-passing": FAIL,  # junit.xml: the test module fails to import without DATABASE_PATH
            "throughput-budget": FAIL,  # the same report: 100% failures
            "latency-budget": FAIL,  # loadtest_stats.csv: every request failed (no predictions table)
            "cache-expensive-work": FAIL,
            "config-files-valid": PASS,
            "runtime-env-passed": PASS,  # DATABASE_PATH in environment
            "ci-fresh-install": FAIL,  # no workflow
            "ci-container-run": FAIL,
            "ci-compose-up": FAIL,
            "ci-registry-push": FAIL,
            "models-backed-up": PASS,  # committed too
            "dependency-updates-check": FAIL,
            "alerts-configured": PASS,  # one `up == 0` rule, nothing else
            "faq-present": FAIL,  # the runbook covers 413s only
            "recovery-plan-documented": FAIL,
            "incident-response-documented": FAIL,
            "no-syntax-errors": FAIL,  # utils.py
            "no-todo-fixme": FAIL,
            "docstrings": FAIL,
            "type-hints": FAIL,
            "ci-workflow-present": FAIL,
            "api-authentication": FAIL,
            "no-hardcoded-secrets": FAIL,
            "env-file-ignored": FAIL,  # a committed .env, not ignored
            "upload-limits": FAIL,
            "rate-limiting": FAIL,
            "cors": FAIL,  # CORS(app)
            "no-secrets-in-logs": FAIL,  # logs the X-API-Key header
            "sql-injection": FAIL,  # an f-string INSERT
            "model-loaded-once": FAIL,  # joblib.load inside the view
            "requirements-pinned": FAIL,
            "no-unused-dependencies": FAIL,  # flask-limiter and requests are never imported
            "env-example": FAIL,  # DATABASE_PATH is required (no default), there is no .env.example
            "logging-configured": FAIL,
            "log-rotation": NA,  # no file logging
            "health-endpoint": PASS,  # /health is still there
            "model-artifacts": PASS,
            "image-builds": FAIL,
            "compose-volumes": FAIL,  # the SQLite database has no volume
        },
    },
    "seed-001-power-theft": {
        "ready": OFFLINE
        | {
            "rollback-drill-run": UNAVAILABLE,  # rollback-drill.yml; its runs are read by the Action only
            "restore-drill-run": NA,  # stateless: the models ship in the image, no database
            "performance-meets-slas": FAIL,  # reports/load_stats.csv: 92 req/s against the 167 req/s (10k/min) the seed asks
            "load-test-concurrent": PASS,  # reports/load_stats_history.csv: 20 users
            "tests-passing": PASS,  # junit.xml: 3 passed
            "test-coverage": PASS,  # coverage.xml: 90%
            "service-modules-tested": PASS,  # app 88%, config 100%, power_theft_detector 94%
            "retries-outbound": NA,  # the service calls nothing over the network
            "model-versioned": PASS,  # version 2.3.0, MODELS.sha256 lists the files
            "server-timeouts": PASS,  # uvicorn --timeout-keep-alive and --timeout-graceful-shutdown
            "code-unused": PASS,  # ruff agrees
            "code-naming": PASS,
            "db-schema-initialised": NA,  # no database
            "routes-implemented": PASS,  # app.py serves all five
            "all-security-checks": UNAVAILABLE,  # the advisory audit is not run offline
            "runtime-env-passed": NA,  # deployed by Terraform (ECS), not read
            "model-routes-tested": PASS,  # tests post readings to /predict and /predict_batch
            "python-version-specified": PASS,  # python:3.11 image, .python-version 3.11: none older than 3.8
            "auto-recovery": PASS,  # aws_ecs_service replaces failed tasks
            "health-checks-automated": PASS,  # the target group's health_check
            "input-validated": PASS,  # Reading and Batch are pydantic models
            "invalid-types-rejected": PASS,  # features: dict[str, float]
            "empty-values-rejected": PASS,  # required, not Optional
            "batch-size-bounded": PASS,  # Field(max_length=MAX_BATCH)
            "ci-fresh-install": PASS,  # pip install -r requirements-dev.txt, then pytest
            "retraining-scheduled": FAIL,  # train.py runs by hand only
            "ci-image-scan": FAIL,  # pip-audit only, no image scan
            "ci-registry-login": FAIL,  # no registry login
            "ci-compose-up": NA,  # no compose file
            "ci-iac-validate": PASS,  # terraform validate, in a container
            "api-endpoints-tested": FAIL,  # tests request /health, /predict, /predict_batch; not /model_info or /features
            "batch-route-tested": PASS,  # test_predict_batch_scores_readings
            "alert-receivers": PASS,  # monitoring/alertmanager.yml: PagerDuty and email
            "dashboards": PASS,  # monitoring/dashboards/power-theft.json
            "error-tracking": FAIL,  # no Sentry or Rollbar
            "models-backed-up": PASS,  # committed
            "iac-firewall": PASS,  # infra/main.tf: 80/443 to the load balancer, 8000 from it
            "iac-scaling-policy": PASS,  # target tracking on CPU
            "iac-iam": PASS,  # a task execution role, no wildcard
            "iac-network": PASS,  # a VPC and two subnets
            "iac-scaling-group": PASS,  # an ECS service
            "iac-load-balancer": PASS,
            "iac-health-check": PASS,  # /health on the target group
            "iac-db-replication": NA,  # no state, no database
            "iac-instances": PASS,  # desired_count 2
            "authentication-if-required": PASS,  # as api-authentication
            "runbooks-available": PASS,  # docs/RUNBOOK.md
            "prediction-accuracy-verified": PASS,  # the metric floors
            "compose-valid": NA,  # no compose file: one image on a platform
            "compose-services-defined": NA,
            "compose-networks": NA,
            "tracing-enabled": NA,  # '(if needed)', and no tracer
            "tracing-sampling": FAIL,  # no tracer, no sampler
            "request-ids": FAIL,
            "tls-certificates": PASS,  # infra/main.tf: the HTTPS listener's ACM certificate
            "tls-enforced": PASS,  # the HTTP listener redirects with a 301
            "tls-terminated": PASS,
            "logs-level": PASS,  # LOG_LEVEL defaults to INFO
            "logs-access": PASS,  # uvicorn's CMD
            "logs-centralized": PASS,  # declared external: the platform ships stdout
            "logs-retention": PASS,  # declared external
            "logs-errors-separated": FAIL,  # one basicConfig stream
            "metrics-retention": FAIL,  # no Prometheus configuration here
            "backups-scheduled": NA,  # no state: the models ship in the image
            "backups-retention": NA,
            "alerts-configured": PASS,
            "alerts-critical": PASS,  # ApiDown
            "alerts-warning": PASS,  # server errors, flag spike
            "metrics-key-signals": PASS,  # Instrumentator
            "metrics-custom": PASS,  # theft_flags_total
            "on-call-documented": PASS,  # docs/RUNBOOK.md, SUPPORT.md, TROUBLESHOOTING.md, docs/ARCHITECTURE.md
            "rto-defined": PASS,
            "rpo-defined": PASS,
            "recovery-plan-documented": PASS,
            "troubleshooting-documented": PASS,
            "incident-response-documented": PASS,
            "escalation-documented": PASS,
            "support-contacts-published": PASS,
            "change-management-documented": PASS,
            "architecture-diagram": PASS,
            "data-flow-diagram": PASS,
            "no-dev-packages": PASS,  # requirements.txt is compiled from requirements.in: no test tools
            "ci-lint": PASS,  # ci.yml runs ruff
            "model-artifacts": PASS,  # both models and the scaler the detector loads are committed
            "features-schema": PASS,  # 14 features, the configured count
            "model-metrics": PASS,  # both models above 0.90 / 0.95 / 0.85
            "model-card": PASS,
            "docstrings": PASS,
            "type-hints": PASS,
            "cors": PASS,  # origins from CORS_ORIGINS
            "rate-limiting": PASS,  # slowapi
            "no-hardcoded-secrets": PASS,
            "no-todo-fixme": PASS,
            "no-print": PASS,
            "api-authentication": PASS,  # X-API-Key on every model route
            "no-secrets-in-logs": PASS,
            "ports": PASS,  # 8000 in EXPOSE and CMD
            "logging-configured": PASS,
            "log-rotation": NA,  # logs go to stdout
            "minimal-base": PASS,  # python:3.11-slim
            "non-root": PASS,
            "container-health-checks": PASS,
            "image-builds": PASS,  # ci.yml builds the image
            "compose-volumes": NA,
            "metrics-endpoint": PASS,  # prometheus instrumentator
            "runbooks": PASS,
            "redundant-instances": NA,  # no Kubernetes manifests
            "readme": PASS,
            "api-docs": PASS,  # FastAPI's /docs
            "hpa": NA,
        },
        "not-ready": OFFLINE
        | {
            "tls-terminated": FAIL,  # the same
            "tls-enforced": FAIL,  # the same
            "tls-certificates": FAIL,  # infra/main.tf opens port 8000 to the internet, no TLS anywhere
            "tests-passing": FAIL,  # junit.xml: 3 of 3 fail, scaler.joblib is missing
            "test-coverage": FAIL,  # coverage.xml: 74%
            "service-modules-tested": PASS,  # coverage.xml: app.py, config.py, power_theft_detector.py each run past half (imports, definitions) though every test fails
            "rollback-drill-run": UNAVAILABLE,  # rollback-drill.yml; its runs are read by the Action only
            "restore-drill-run": NA,  # stateless
            "performance-meets-slas": FAIL,  # loadtest_stats.csv: every request failed (the service does not start)
            "load-test-concurrent": FAIL,  # loadtest_stats_history.csv: 1 user
            "dashboards": FAIL,  # none, and .github/prodgate.yml says all monitoring is in monitoring/
            "alert-receivers": FAIL,  # monitoring/alertmanager.yml: the on-call receiver has no integration
            "retries-outbound": NA,
            "model-versioned": PASS,  # the same version and manifest
            "server-timeouts": FAIL,  # uvicorn with no timeout
            "code-unused": PASS,  # tidy, whatever else it lacks
            "code-naming": PASS,
            "db-schema-initialised": NA,
            "routes-implemented": PASS,  # all five are there
            "all-security-checks": FAIL,  # anonymous prediction routes, among others
            "runtime-env-passed": NA,  # no deployment configuration
            "model-routes-tested": PASS,  # the same requests
            "python-version-specified": FAIL,  # FROM python (floating)
            "auto-recovery": FAIL,  # infra/main.tf: one EC2 instance, nothing replaces it
            "health-checks-automated": FAIL,  # no load balancer to check it
            "input-validated": PASS,  # the same models
            "invalid-types-rejected": PASS,
            "empty-values-rejected": PASS,
            "batch-size-bounded": PASS,
            "ci-fresh-install": FAIL,  # no workflow
            "retraining-scheduled": FAIL,
            "ci-image-scan": FAIL,
            "ci-registry-login": FAIL,
            "ci-compose-up": NA,  # no compose file
            "ci-iac-validate": FAIL,  # no workflow validates infra/main.tf
            "api-endpoints-tested": FAIL,  # /model_info and /features untested
            "batch-route-tested": PASS,  # /predict_batch is requested
            "error-tracking": FAIL,
            "models-backed-up": PASS,  # committed
            "iac-firewall": FAIL,  # 22 and 8000 open to 0.0.0.0/0
            "iac-scaling-policy": FAIL,
            "iac-iam": FAIL,  # Action = "*" in a jsonencode policy
            "iac-network": PASS,  # a VPC and its subnet
            "iac-scaling-group": FAIL,  # a lone aws_instance
            "iac-load-balancer": FAIL,
            "iac-health-check": FAIL,
            "iac-db-replication": NA,  # no state, no database
            "iac-instances": FAIL,
            "authentication-if-required": FAIL,
            "runbooks-available": FAIL,
            "prediction-accuracy-verified": FAIL,
            "compose-valid": NA,
            "compose-services-defined": NA,
            "compose-networks": NA,
            "tracing-enabled": NA,
            "tracing-sampling": FAIL,
            "request-ids": FAIL,
            "logs-level": PASS,  # LOG_LEVEL defaults to INFO
            "logs-access": PASS,  # CMD uvicorn
            "logs-centralized": FAIL,  # nothing declared or shipped
            "logs-retention": FAIL,
            "logs-errors-separated": FAIL,
            "metrics-retention": FAIL,
            "backups-scheduled": NA,  # no state
            "backups-retention": NA,
            "alerts-configured": PASS,  # one `up == 0` rule
            "alerts-critical": FAIL,  # no severity label
            "alerts-warning": FAIL,
            "metrics-key-signals": PASS,  # Instrumentator kept
            "metrics-custom": FAIL,  # no metric of its own
            "on-call-documented": FAIL,  # no runbook at all
            "rto-defined": FAIL,
            "rpo-defined": FAIL,
            "recovery-plan-documented": FAIL,
            "troubleshooting-documented": FAIL,
            "incident-response-documented": FAIL,
            "escalation-documented": FAIL,
            "support-contacts-published": FAIL,
            "change-management-documented": FAIL,
            "architecture-diagram": FAIL,
            "data-flow-diagram": FAIL,
            "no-dev-packages": FAIL,  # pytest in requirements.txt
            "ci-lint": FAIL,  # no workflow at all
            "model-artifacts": FAIL,  # scaler.joblib is loaded but missing
            "features-schema": FAIL,  # 13 features
            "model-metrics": FAIL,  # ROC-AUC 0.80 / precision 0.75
            "model-card": FAIL,
            "docstrings": PASS,
            "type-hints": PASS,
            "cors": FAIL,  # allow_origins=["*"]
            "rate-limiting": FAIL,  # slowapi removed
            "no-hardcoded-secrets": FAIL,  # a live key in config.py and a committed .env
            "no-todo-fixme": FAIL,
            "no-print": FAIL,
            "api-authentication": FAIL,  # /predict and /predict_batch are open
            "no-secrets-in-logs": PASS,  # it prints features, not secrets
            "ports": PASS,
            "logging-configured": PASS,
            "log-rotation": NA,
            "minimal-base": FAIL,  # python:latest
            "non-root": FAIL,
            "container-health-checks": FAIL,
            "image-builds": FAIL,
            "compose-volumes": NA,
            "metrics-endpoint": PASS,
            "runbooks": FAIL,
            "redundant-instances": NA,
            "readme": FAIL,  # no install or usage section
            "api-docs": PASS,
            "hpa": NA,
        },
    },
    "seed-003-plant-disease": {
        "ready": OFFLINE
        | {
            "restore-drill-run": NA,  # stateless: the model ships in the image
            "tests-passing": PASS,  # junit.xml: 2 passed
            "throughput-budget": PASS,  # reports/load_stats.csv: 133 req/s, no request failed
            "latency-budget": PASS,  # reports/load_stats.csv: p95 230 ms
            "k8s-secrets": PASS,  # k8s/externalsecret.yaml defines the plant-disease Secret
            "smoke-tests-passed": PASS,  # junit.xml: tests/smoke passed
            "integration-tests-passed": PASS,  # junit.xml: tests/integration passed
            "iac-network": PASS,  # infra/main.tf: a VPC and two private subnets
            "iac-encryption-at-rest": NA,  # stateless: infra/main.tf declares no data store
            "release-notes-published": PASS,  # CHANGELOG.md ## 1.4.0, the tag compose builds
            "xss-prevention": PASS,  # JSON only
            "csrf-protection": NA,  # API key in a header, no cookies
            "inference-optimized": FAIL,  # torch.load of a .pth, no TorchScript or ONNX
            "cache-in-service": FAIL,  # redis runs in compose, the code never uses it
            "model-config-verified": PASS,  # num_classes 3, class_names.txt 3 lines
            "model-evaluated-on-holdout": FAIL,  # training accuracy only, as the card admits
            "ci-container-model": PASS,  # the smoke step greps model_loaded from /health
            "ci-container-predict": PASS,  # and posts a leaf to /predict
            "k8s-private-registry": PASS,  # registry.example.com images
            "base-image-trusted": PASS,  # FROM python:3.11-slim, official
            "runtime-env-passed": PASS,  # compose env_file and the Deployment's secretKeyRef pass API_KEY
            "tls-renewal": PASS,  # cert-manager on the Ingress
            "k8s-spread": PASS,  # topologySpreadConstraints; the HPA keeps two or more
            "k8s-startup-probes": PASS,  # initialDelaySeconds: 10
            "fairness-measured": FAIL,  # the card measures nothing per group
            "third-party-licenses-documented": FAIL,  # no notices file
            "model-owner-documented": PASS,  # MODEL_CARD.md: Ownership
            "disclaimer-included": PASS,  # MODEL_CARD.md: Disclaimer
            "input-validated": PASS,  # the upload's size is checked
            "batch-route": NA,  # one image per request; the line says if applicable
            "ci-container-run": PASS,  # docker run, then curl /health
            "ci-compose-up": PASS,  # docker compose up --wait
            "retraining-scheduled": FAIL,  # no scheduled training
            "alert-receivers": PASS,  # an AlertmanagerConfig with Slack
            "dashboards": PASS,  # a grafana_dashboard ConfigMap
            "metrics-scraped": PASS,  # a ServiceMonitor
            "models-backed-up": PASS,  # committed
            "iac-firewall": PASS,  # no cloud code: the NetworkPolicy is the firewall
            "api-key-authentication": PASS,
            "deployment-plan-documented": PASS,  # docs/DEPLOYMENT.md
            "minimal-dependencies": PASS,  # slim base, no dev tool, every package imported
            "k8s-namespace": PASS,  # k8s/namespace.yaml
            "k8s-quotas": PASS,
            "k8s-rbac": PASS,  # a Role bound to the plant-disease account
            "k8s-pull-secrets": PASS,  # on the service account
            "k8s-configmaps": NA,  # the pod names no ConfigMap
            "k8s-claims": NA,  # no claim
            "k8s-service-accounts": PASS,
            "k8s-services": PASS,
            "k8s-ingress": PASS,
            "compose-networks": PASS,  # public and an internal cache network
            "tracing-enabled": NA,  # '(optional)', and no tracer
            "request-ids": FAIL,
            "tls-terminated": PASS,  # k8s/ingress.yaml tls
            "logs-level": PASS,
            "logs-access": PASS,  # uvicorn's CMD
            "logs-structured": FAIL,  # a plain format string
            "logs-centralized": PASS,  # declared external: Fluent Bit in the platform repository
            "logs-retention": PASS,  # declared external
            "backups-scheduled": NA,  # no database, volume claim or StatefulSet
            "backups-frequency": NA,
            "backups-retention": NA,
            "backups-region": NA,
            "backups-verified": NA,
            "alerts-configured": PASS,  # k8s/prometheusrule.yaml
            "metrics-key-signals": PASS,  # Instrumentator
            "metrics-request-rate": PASS,
            "metrics-error-rate": PASS,
            "metrics-latency": PASS,
            "metrics-process-resources": PASS,  # the default registry's process collector
            "metrics-inference-time": PASS,  # leaf_inference_seconds
            "architecture-diagram": PASS,  # docs/RUNBOOK.md, SUPPORT.md, docs/FAQ.md, docs/SLO.md, docs/ARCHITECTURE.md
            "on-call-documented": PASS,
            "escalation-documented": PASS,
            "rto-defined": PASS,
            "rpo-defined": PASS,
            "recovery-plan-documented": PASS,
            "support-contacts-published": PASS,
            "faq-present": PASS,
            "sla-defined": PASS,
            "incident-response-documented": PASS,
            "model-card": PASS,
            "model-artifacts": PASS,  # models/best_model.pth, loaded by app/model.py
            "class-names": PASS,  # models/class_names.txt
            "ci-lint": PASS,
            "ci-format-check": PASS,  # ruff format --check after ruff check
            "python-version-specified": PASS,  # .python-version and the base image
            "cors": PASS,
            "rate-limiting": PASS,
            "upload-limits": PASS,  # reads at most MAX_UPLOAD_BYTES + 1 and answers 413
            "api-docs": PASS,
            "dockerignore": PASS,
            "multi-stage": PASS,
            "non-root": PASS,
            "images-pinned": PASS,  # python:3.11-slim, plant-disease:1.4.0, redis:7.4.1-alpine
            "container-health-endpoint": PASS,  # probes and HEALTHCHECK call /health, which the app serves
            "compose-volumes": NA,  # the check judges SQLite databases' volumes; redis is not one
            "compose-depends": PASS,  # the API waits for a healthy redis
            "compose-health-checks": PASS,
            "restart-policies": PASS,
            "compose-resource-limits": PASS,
            "network-policies": PASS,
            "k8s-resources": PASS,
            "hpa": PASS,
            "pdb": PASS,
            "k8s-probes": PASS,
            "metrics-endpoint": PASS,
            "ingress-tls": PASS,
            "api-authentication": PASS,
            "sql-injection": NA,  # no database
            "no-hardcoded-secrets": PASS,  # the API key comes from a Secret
            "security-scanning": PASS,  # pip-audit in CI
            "k8s-security-context": PASS,  # non-root, read-only root, capabilities dropped
            "runbooks": PASS,
            "license": PASS,
            "rollback-documented": PASS,  # docs/DEPLOYMENT.md, Rollback
            "dependency-updates-scheduled": PASS,  # dependabot
            "log-rotation": NA,  # stdout
        },
        "not-ready": OFFLINE
        | {
            "restore-drill-run": NA,  # stateless
            "tests-passing": FAIL,  # junit.xml: 2 of 2 fail
            "throughput-budget": FAIL,  # the same
            "latency-budget": FAIL,  # loadtest_stats.csv: every request failed (the service does not start)
            "smoke-tests-passed": FAIL,  # the same
            "integration-tests-passed": FAIL,  # junit.xml: models/class_names.txt is missing
            "iac-network": FAIL,  # infra/main.tf uses the default VPC's subnets
            "iac-encryption-at-rest": NA,  # stateless
            "metrics-scraped": FAIL,  # no ServiceMonitor or scrape annotation in k8s/
            "dashboards": FAIL,  # the same
            "alert-receivers": FAIL,  # none in k8s/, where .github/prodgate.yml says all monitoring is
            "release-notes-published": FAIL,  # no change log
            "xss-prevention": PASS,
            "csrf-protection": NA,
            "inference-optimized": FAIL,
            "cache-in-service": FAIL,
            "model-config-verified": FAIL,  # num_classes 3 and no class names file
            "model-evaluated-on-holdout": FAIL,
            "ci-container-model": FAIL,  # the image is never started
            "ci-container-predict": FAIL,
            "k8s-private-registry": PASS,  # the same registry
            "base-image-trusted": PASS,  # FROM python, official though floating
            "runtime-env-passed": PASS,  # every read has a non-empty default
            "tls-renewal": FAIL,  # the Ingress serves plain HTTP: no certificate at all
            "k8s-spread": NA,  # one replica
            "k8s-startup-probes": NA,  # no liveness probe
            "fairness-measured": FAIL,  # no model card
            "third-party-licenses-documented": FAIL,
            "model-owner-documented": FAIL,
            "disclaimer-included": FAIL,
            "input-validated": FAIL,  # the upload is read whole, unchecked
            "batch-route": NA,
            "ci-container-run": FAIL,
            "ci-compose-up": FAIL,
            "retraining-scheduled": FAIL,
            "models-backed-up": PASS,  # committed
            "iac-firewall": FAIL,  # no cloud code, and no NetworkPolicy
            "api-key-authentication": FAIL,
            "deployment-plan-documented": PASS,  # docs/DEPLOYMENT.md is still there
            "minimal-dependencies": FAIL,  # python:latest, an unused package
            "k8s-namespace": FAIL,  # default namespace
            "k8s-quotas": FAIL,
            "k8s-rbac": FAIL,
            "k8s-pull-secrets": FAIL,  # a private registry, no pull secret
            "k8s-configmaps": NA,
            "k8s-secrets": NA,  # names no Secret
            "k8s-claims": NA,
            "k8s-service-accounts": FAIL,  # the default account
            "k8s-services": PASS,
            "k8s-ingress": PASS,
            "compose-networks": FAIL,  # the default network only
            "tracing-enabled": NA,
            "request-ids": FAIL,
            "tls-terminated": FAIL,  # the Ingress has no tls section
            "logs-level": PASS,
            "logs-access": PASS,
            "logs-structured": FAIL,
            "logs-centralized": FAIL,
            "logs-retention": FAIL,
            "backups-scheduled": NA,  # no state
            "backups-frequency": NA,
            "backups-retention": NA,
            "backups-region": NA,
            "backups-verified": NA,
            "alerts-configured": PASS,  # a PrometheusRule with one down alert
            "metrics-key-signals": PASS,  # Instrumentator kept
            "metrics-request-rate": PASS,
            "metrics-error-rate": PASS,
            "metrics-latency": PASS,
            "metrics-process-resources": PASS,
            "metrics-inference-time": FAIL,  # no inference histogram
            "architecture-diagram": FAIL,  # no runbook at all
            "on-call-documented": FAIL,
            "escalation-documented": FAIL,
            "rto-defined": FAIL,
            "rpo-defined": FAIL,
            "recovery-plan-documented": FAIL,
            "support-contacts-published": FAIL,
            "faq-present": FAIL,
            "sla-defined": FAIL,
            "incident-response-documented": FAIL,
            "model-card": FAIL,
            "model-artifacts": PASS,  # the weights are still there
            "class-names": FAIL,  # class_names.txt removed
            "ci-lint": FAIL,  # the workflow only runs pytest
            "ci-format-check": FAIL,  # nor a formatter
            "python-version-specified": FAIL,  # no .python-version, python:latest
            "cors": FAIL,
            "rate-limiting": FAIL,
            "upload-limits": FAIL,  # reads the whole upload
            "api-docs": PASS,
            "dockerignore": FAIL,
            "multi-stage": FAIL,
            "non-root": FAIL,
            "images-pinned": FAIL,  # latest everywhere
            "container-health-endpoint": NA,  # no probe or health check to compare
            "compose-volumes": NA,  # no SQLite database in any service
            "compose-depends": FAIL,  # depends_on without waiting for health
            "compose-health-checks": FAIL,
            "restart-policies": FAIL,
            "compose-resource-limits": FAIL,
            "network-policies": FAIL,
            "k8s-resources": FAIL,
            "hpa": FAIL,
            "pdb": FAIL,
            "k8s-probes": FAIL,
            "metrics-endpoint": PASS,
            "ingress-tls": FAIL,
            "api-authentication": FAIL,
            "sql-injection": NA,
            "no-hardcoded-secrets": FAIL,  # a token in app/config.py
            "security-scanning": FAIL,
            "k8s-security-context": FAIL,
            "runbooks": FAIL,
            "license": FAIL,
            "rollback-documented": FAIL,  # the Rollback section is gone
            "dependency-updates-scheduled": FAIL,
            "log-rotation": NA,
        },
    },
}


def _items_of(report: object) -> set[str]:
    lines = report.checklist.lines if report.checklist else ()  # type: ignore[attr-defined]
    return {line.item for line in lines if line.kind == "automated" and line.item}


_copies: dict[Path, Path] = {}
_scratch: list[Path] = []


@pytest.fixture(scope="module", autouse=True)
def _scratch_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    _scratch.append(tmp_path_factory.mktemp("examples"))
    yield
    _scratch.clear()
    _copies.clear()


def _committed(example: Path) -> Path:
    """The example as a git work tree of its own, its files committed as the project commits them (the
    same set: its own .gitignore applies). Some expectations depend on git ("models/ is committed: git
    is the copy"), and they must hold in a copy of the project without .git too: a release tarball, the
    fresh-machine check's export."""
    if example not in _copies:
        copy = _scratch[0] / example.parent.name / example.name
        shutil.copytree(example, copy, ignore=shutil.ignore_patterns("__pycache__"))
        git(copy, "init", "-q", "-b", "main")
        git(copy, "add", "-A")
        git(copy, "commit", "-q", "-m", "example")
        _copies[example] = copy
    return _copies[example]


def _filled(example: Path, github: GitHubFacts | None = None) -> Report:
    """The example judged offline, on its fixed date, with its seed checklist filled in."""
    from gate.checklist import read_checklist

    root = _committed(example)

    config, _ = load_config(None, root)
    assert config.checklist, "the example names its seed checklist in .github/prodgate.yml"
    return evaluate(
        root,
        config,
        offline=True,
        github=github,
        checklist=read_checklist(root / config.checklist, root),
        today=date(2026, 11, 22),
    )


CASES = [(example, variant) for example, variants in EXPECTED.items() for variant in variants]


# What GitHub holds for each variant when the gate runs as the Action (gate/action/github.py reads it;
# tests/action read it from the loopback GitHub): the workflows whose runs are its drills, and whether
# the variant's team protects its branch (a required review, the gate a required check). The ready
# teams' drills last succeeded six days before the examples' date; the not-ready teams' last runs failed.
DRILLS: dict[str, dict[str, tuple[str, ...]]] = {
    "seed-000-csv-predictions": {"ready": ("restore-drill.yml",), "not-ready": ("restore-drill.yml",)},
    "seed-001-power-theft": {"ready": ("rollback-drill.yml",), "not-ready": ("rollback-drill.yml",)},
    "seed-002-fastapi-pipeline": {"ready": (), "not-ready": ()},
    "seed-003-plant-disease": {"ready": (), "not-ready": ()},
    "seed-004-full-stack": {"ready": ("restore-drill.yml",), "not-ready": ("restore-drill.yml",)},
}


def _github(example: str, variant: str) -> GitHubFacts:
    ready = variant == "ready"
    runs = tuple(
        WorkflowRunState(
            path=f".github/workflows/{name}",
            conclusion="success" if ready else "failure",
            created="2026-11-16T05:31:07Z",
        )
        for name in DRILLS[example][variant]
    )
    return GitHubFacts(
        available=True,
        reason="",
        branch="main",
        required_reviews=1 if ready else 0,
        gate_names=("prodgate",),
        required_checks=("prodgate",) if ready else (),
        head_sha="0" * 40,
        checks=(),
        drill_runs=runs,
    )


@pytest.mark.parametrize(("example", "variant"), CASES, ids=[f"{e}/{v}" for e, v in CASES])
def test_as_the_action_every_automated_line_is_decided(example: str, variant: str) -> None:
    """Section 3 of the catalog issue: with what GitHub holds, every automated line of every seed is
    decided on both variants. The one exception is the advisory audit, which these tests leave offline
    (tests/facts/test_vulnerabilities.py runs it against the real advisories)."""
    report = _filled(ROOT / "examples" / example / variant, _github(example, variant))
    assert report.checklist is not None
    undecided = {
        (line.item, line.outcome.value)
        for line in report.checklist.lines
        if line.kind == "automated"
        and line.outcome in (MISSING, UNAVAILABLE, Outcome.ERROR)
        and not (line.outcome is UNAVAILABLE and "Not audited: offline run" in line.evidence)
    }
    assert undecided == set()
    want = {"code-reviewed": PASS if variant == "ready" else FAIL}
    drills = {"restore-drill-run", "rollback-drill-run"} & _items_of(report)
    for item in drills:
        own = EXPECTED[example][variant].get(item)
        want[item] = NA if own is NA else PASS if variant == "ready" else FAIL
    got = {
        line.item: line.outcome
        for line in report.checklist.lines
        if line.item in want and line.kind == "automated"
    }
    assert got == {k: v for k, v in want.items() if k in _items_of(report)}


@pytest.mark.parametrize(("example", "variant"), CASES, ids=[f"{e}/{v}" for e, v in CASES])
def test_the_seed_checklist_is_filled_in_as_expected(example: str, variant: str) -> None:
    report = _filled(ROOT / "examples" / example / variant)
    assert report.checklist is not None
    # the offline outcomes are listed once for all seeds; a seed without such a line skips them
    want = {k: v for k, v in EXPECTED[example][variant].items() if k not in OFFLINE or k in _items_of(report)}
    got: dict[str, Outcome | None] = {}
    for line in report.checklist.lines:
        # a line that states its own threshold has its own verdict (test_a_line_is_judged_at_its_threshold)
        if (
            line.kind == "automated"
            and line.item is not None
            and "this line's threshold" not in line.evidence
        ):
            got.setdefault(line.item, line.outcome)
            assert got[line.item] == line.outcome, f"{line.item}: lines disagree"
    own_threshold = {
        line.item
        for line in report.checklist.lines
        if line.kind == "automated" and "this line's threshold" in line.evidence
    }
    want = {k: v for k, v in want.items() if k in got or k not in own_threshold}
    assert set(got) == set(want), "every automated item of the seed has an expectation"
    wrong = {item: (got[item], want[item]) for item in want if got[item] != want[item]}
    assert wrong == {}, "item: (gate, expected)"


def test_the_ready_variants_reach_silver() -> None:
    """Section 3 of the catalog issue: judged as the Action would judge them (the branch protection and
    drills of _github, the advisory audit against the suite's loopback OSV service over the real PyPA
    advisories), every ready variant reaches silver. What used to hold them at bronze was read off the
    reports and added to the examples: locked requirements, Dependabot, CODEOWNERS, licences, a
    metrics route, compose limits, CI lint, format, audit and image steps, a coverage report."""
    from gate.checklist import read_checklist
    from gate.policy import held_back

    for example in EXPECTED:
        root = ROOT / "examples" / example / "ready"
        config, _ = load_config(None, root)
        assert config.checklist
        report = evaluate(
            root,
            config,
            github=_github(example, "ready"),
            checklist=read_checklist(root / config.checklist, root),
            today=date(2026, 11, 22),
        )
        held = [(r.check_id, r.outcome.value) for r in held_back(tuple(report.results), Level.SILVER)]
        assert report.level in (Level.SILVER, Level.GOLD), (example, held)


def test_seed_004s_own_ticks_contradict_the_not_ready_variant() -> None:
    """Seed 004 comes with lines already ticked; where the not-ready variant breaks them, the filled-in
    checklist says so (read off the seed: the ticked lines whose items that variant fails)."""
    from gate.checklist import read_checklist

    contradictions = {}
    for variant in ("ready", "not-ready"):
        root = ROOT / "examples" / "seed-004-full-stack" / variant
        config, _ = load_config(None, root)
        assert config.checklist
        report = evaluate(root, config, offline=True, checklist=read_checklist(root / config.checklist, root))
        assert report.checklist is not None
        contradictions[variant] = {line.text for line in report.checklist.lines if line.contradiction}
    assert contradictions["ready"] == set()
    assert contradictions["not-ready"] == {
        "Error handling implemented",
        "CORS configured",
        "Health checks defined",
        "Unit tests for ML functions",
        "API documentation (API_EXAMPLES.md âœ“)",
        "Deployment guide (DEPLOY.md âœ“)",
        "GitHub Actions workflow configured",
        "Automated tests on PR",
        "Architecture diagram",  # ticked in the seed; the not-ready variant has a README only
        "Integration tests for API",  # ticked; the not-ready variant's ml-service has no tests
        "SQLite database initialized",  # ticked; the not-ready service inserts into a table it never creates
    }


def test_a_line_is_judged_at_its_threshold() -> None:
    """Seed 001's not-ready variant documents 80% of its public functions: "Comprehensive docstrings"
    passes at the check's default, "Docstrings present for all functions" does not. Its metric lines are
    each judged on their own metric; "Single predictions: <100ms" asks for a 100 ms budget on the single
    predictions, and "Batch (1000 records): <5s" for 5 s on the batches of 1,000 records, which its
    hand-run load test sent to a service that never started (loadtest_stats.csv: every request failed)."""
    report = _filled(ROOT / "examples" / "seed-001-power-theft" / "not-ready")
    assert report.checklist is not None
    lines = {line.text: line for line in report.checklist.lines if line.kind == "automated"}
    assert lines["Comprehensive docstrings"].outcome is Outcome.PASS
    everything = lines["Docstrings present for all functions"]
    assert everything.outcome is Outcome.FAIL and "at least 100%" in everything.evidence
    assert "roc_auc at least 0.9" in lines["ROC-AUC: >0.90 acceptable"].evidence
    assert "recall at least 0.85" in lines["Recall: >0.85 acceptable"].evidence
    assert "at most 100 ms at p95 for single predictions" in lines["Single predictions: <100ms"].evidence
    batch = lines["Batch (1000 records): <5s"]
    assert "at most 5000 ms at p95 for batches of 1,000 records" in batch.evidence
    assert batch.outcome is Outcome.FAIL


def test_load_test_lines_are_judged_on_their_own_requests() -> None:
    """Seed 001's ready variant ran its load test in CI (reports/load_stats.csv, 20 users for 30 s on a
    2-core runner with locust beside the service): single predictions p95 460 ms, batches of 1,000
    records 720 ms, batches of 10,000 records 1.4 s, 92 requests/s with none failed, of which 3.8 a
    second were batches of 1,000 and 2.1 batches of 10,000: about 25,000 predictions a second. The seed
    asks for 100 ms, 5 s, 50 s and 10k predictions a minute."""
    report = _filled(ROOT / "examples" / "seed-001-power-theft" / "ready")
    assert report.checklist is not None
    lines = {line.text: line for line in report.checklist.lines if line.kind == "automated"}
    want = {
        "Single predictions: <100ms": Outcome.FAIL,
        "Single prediction latency: <100ms ✓": Outcome.FAIL,
        "Batch (1000 records): <5s": Outcome.PASS,
        "Batch latency (1k records): <5s ✓": Outcome.PASS,
        "Batch latency (10k records): <50s ✓": Outcome.PASS,
        "Throughput: >10k predictions/min ✓": Outcome.PASS,
        "Concurrent requests tested": Outcome.PASS,
    }
    got = {text: lines[text].outcome for text in want}
    assert got == want, {t: lines[t].evidence for t in want}
    assert "/predict_batch [10000 records]" in lines["Batch latency (10k records): <50s ✓"].evidence


def test_backup_lines_are_judged_at_their_interval_and_retention() -> None:
    """Seed 004 asks for a daily SQLite backup kept 30 days and an RPO under 24 hours: the ready
    variant's ops/crontab copies the volume at 02:15 every night and deletes copies after 30 days; the
    not-ready variant copies the file once a week and keeps one copy."""
    for variant, want in (("ready", Outcome.PASS), ("not-ready", Outcome.FAIL)):
        report = _filled(ROOT / "examples" / "seed-004-full-stack" / variant)
        assert report.checklist is not None
        lines = {line.text: line for line in report.checklist.lines if line.kind == "automated"}
        for text in (
            "SQLite database backed up daily",
            "Backup retention policy (30 days)",
            "RPO (Recovery Point Objective) < 24 hours",
        ):
            assert lines[text].outcome is want, (variant, text, lines[text].evidence)
            assert "this line's threshold" in lines[text].evidence


def test_frontend_budget_lines_are_judged_at_their_numbers() -> None:
    """Seed 004 asks for a bundle under 500 KB and a Lighthouse score over 90: its frontend is one small
    static page (no build step), and CI's Lighthouse run scored its performance 100
    (reports/lighthouse.json)."""
    report = _filled(ROOT / "examples" / "seed-004-full-stack" / "ready")
    assert report.checklist is not None
    lines = {line.text: line for line in report.checklist.lines if line.kind == "automated"}
    assert lines["Bundle size < 500KB"].outcome is Outcome.PASS
    assert "at most 500 KB" in lines["Bundle size < 500KB"].evidence
    assert lines["Lighthouse score > 90"].outcome is Outcome.PASS
