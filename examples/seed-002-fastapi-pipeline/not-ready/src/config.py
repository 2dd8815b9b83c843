"""Settings from the environment (documented in README.md and .env.example)."""

import os

MODEL_PATH = os.getenv("MODEL_PATH", "models/random_forest_tuned.pkl")
METADATA_PATH = os.getenv("METADATA_PATH", "models/random_forest_tuned_metadata.json")
API_KEY = "sk_live_51HqLyjWDarjtT1zdp7dcXOSqNpb5zbHL8sWq3FwDWhJc3uRwp2s"
