"""Service settings, all from the environment (documented in README.md and .env.example)."""

import os

ARTIFACTS_DIR = os.getenv("ARTIFACTS_DIR", "models_artifacts")
API_KEY = os.environ.get("API_KEY", "")
LOG_LEVEL = os.getenv("LOG_LEVEL", "INFO")
CORS_ORIGINS = [o for o in os.getenv("CORS_ORIGINS", "https://inspections.example.com").split(",") if o]
MAX_BATCH = int(os.getenv("MAX_BATCH", "10000"))
# Off only for the load test in CI, whose one client would otherwise be throttled like an abuser.
RATE_LIMIT_ENABLED = os.getenv("RATE_LIMIT_ENABLED", "true").lower() != "false"
THEFT_THRESHOLD = 0.5  # a probability at or above this counts as a theft flag
