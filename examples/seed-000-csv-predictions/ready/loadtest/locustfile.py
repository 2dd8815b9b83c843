"""Load test run by CI (see .github/workflows/ci.yml): uploads of 100-customer CSVs from 20 clients at
once."""

import os
import random

from locust import HttpUser, between, task

HEADERS = {"X-API-Key": os.environ.get("API_KEY", "")}


def upload(rows: int) -> bytes:
    lines = ["tenure_months,monthly_spend,support_calls"]
    lines += [f"{random.randint(1, 72)},{random.uniform(10, 120):.2f},{random.randint(0, 9)}" for _ in range(rows)]
    return "\n".join(lines).encode()


class SalesExport(HttpUser):
    wait_time = between(0.01, 0.05)

    @task
    def predict(self) -> None:
        files = {"file": ("customers.csv", upload(100), "text/csv")}
        self.client.post("/predict", files=files, headers=HEADERS, name="/predict [100 rows]")
