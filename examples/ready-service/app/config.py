"""Service settings, all from the environment (see .env.example)."""

import os

MODEL_PATH = os.getenv("MODEL_PATH", "models/model.joblib")
FEATURES_PATH = os.getenv("FEATURES_PATH", "models/features.json")
API_KEY = os.environ.get("API_KEY", "")
LOG_LEVEL = os.getenv("LOG_LEVEL", "INFO")
