"""Load test, run by hand before a release: single predictions and batches of 1,000 and
10,000 meters, each size under its own name."""

import json
import random
from pathlib import Path

from locust import HttpUser, between, task

FEATURES = json.loads((Path(__file__).parent.parent / "models_artifacts" / "features.json").read_text())["features"]


def reading():
    return {"features": {name: random.uniform(0, 50) for name in FEATURES}}


class Inspector(HttpUser):
    wait_time = between(0.01, 0.05)

    @task(50)
    def single(self):
        self.client.post("/predict", json=reading())

    @task(2)
    def batch_1k(self):
        self.client.post("/predict_batch", json={"readings": [reading() for _ in range(1000)]}, name="/predict_batch [1000 records]")

    @task(1)
    def batch_10k(self):
        self.client.post("/predict_batch", json={"readings": [reading() for _ in range(10000)]}, name="/predict_batch [10000 records]")
