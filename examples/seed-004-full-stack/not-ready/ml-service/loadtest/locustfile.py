"""Load test, run by hand against a local uvicorn: one 50-review CSV after another."""

import random

from locust import HttpUser, task


def reviews(rows):
    lines = ["length,exclamations,positive_words,negative_words"]
    lines += [f"{random.randint(20, 900)},{random.randint(0, 6)},{random.randint(0, 12)},{random.randint(0, 12)}" for _ in range(rows)]
    return "\n".join(lines).encode()


class Backend(HttpUser):
    @task
    def score(self):
        self.client.post("/predict", files={"file": ("reviews.csv", reviews(50))}, name="/predict [50 rows]")
