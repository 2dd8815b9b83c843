"""Load test run by CI (see .github/workflows/ci.yml): the backend's calls, a 50-review CSV each, from
20 connections at once."""

import os
import random

from locust import HttpUser, between, task

HEADERS = {"X-API-Key": os.environ.get("API_KEY", "")}


def reviews(rows: int) -> bytes:
    lines = ["length,exclamations,positive_words,negative_words"]
    lines += [
        f"{random.randint(20, 900)},{random.randint(0, 6)},{random.randint(0, 12)},{random.randint(0, 12)}"
        for _ in range(rows)
    ]
    return "\n".join(lines).encode()


class Backend(HttpUser):
    wait_time = between(0.01, 0.05)

    @task
    def score(self) -> None:
        files = {"file": ("reviews.csv", reviews(50), "text/csv")}
        self.client.post("/predict", files=files, headers=HEADERS, name="/predict [50 rows]")
