"""Settings from the environment (documented in README.md and .env.example)."""

import os

MODEL_PATH = os.getenv("MODEL_PATH", "models/random_forest_tuned.pkl")
METADATA_PATH = os.getenv("METADATA_PATH", "models/random_forest_tuned_metadata.json")
API_KEY = os.environ.get("API_KEY", "")
LOG_LEVEL = os.getenv("LOG_LEVEL", "INFO")
