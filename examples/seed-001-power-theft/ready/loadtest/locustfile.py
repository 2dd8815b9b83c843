"""Load test run by CI (see .github/workflows/ci.yml): single predictions, and batches of 1,000 and
10,000 meters named by size, so that each of the checklist's budgets is read from its own row."""

import json
import os
import random
from pathlib import Path

from locust import HttpUser, between, task

FEATURES = json.loads((Path(__file__).parent.parent / "models_artifacts" / "features.json").read_text())["features"]
HEADERS = {"X-API-Key": os.environ.get("API_KEY", "")}


def reading() -> dict[str, dict[str, float]]:
    return {"features": {name: random.uniform(0, 50) for name in FEATURES}}


class Inspector(HttpUser):
    wait_time = between(0.01, 0.05)

    @task(50)
    def single(self) -> None:
        self.client.post("/predict", json=reading(), headers=HEADERS)

    @task(2)
    def batch_1k(self) -> None:
        batch = {"readings": [reading() for _ in range(1000)]}
        self.client.post("/predict_batch", json=batch, headers=HEADERS, name="/predict_batch [1000 records]")

    @task(1)
    def batch_10k(self) -> None:
        batch = {"readings": [reading() for _ in range(10000)]}
        self.client.post("/predict_batch", json=batch, headers=HEADERS, name="/predict_batch [10000 records]")
