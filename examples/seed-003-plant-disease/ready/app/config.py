"""Service settings, all from the environment (documented in README.md and .env.example)."""

import os

MODEL_PATH = os.getenv("MODEL_PATH", "models/best_model.pth")
CLASS_NAMES_PATH = os.getenv("CLASS_NAMES_PATH", "models/class_names.txt")
API_KEY = os.environ.get("API_KEY", "")
LOG_LEVEL = os.getenv("LOG_LEVEL", "INFO")
CORS_ORIGINS = [o for o in os.getenv("CORS_ORIGINS", "https://plants.example.com").split(",") if o]
MAX_UPLOAD_BYTES = int(os.getenv("MAX_UPLOAD_BYTES", str(5 * 1024 * 1024)))
# Off only for the load test in CI, whose one client would otherwise be throttled like an abuser.
RATE_LIMIT_ENABLED = os.getenv("RATE_LIMIT_ENABLED", "true").lower() != "false"
