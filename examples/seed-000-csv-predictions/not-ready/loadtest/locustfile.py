"""Load test, run by hand against `python app.py`: one upload of a 100-customer CSV after another."""

import random

from locust import HttpUser, task


def upload(rows):
    lines = ["tenure_months,monthly_spend,support_calls"]
    lines += [f"{random.randint(1, 72)},{random.uniform(10, 120):.2f},{random.randint(0, 9)}" for _ in range(rows)]
    return "\n".join(lines).encode()


class SalesExport(HttpUser):
    @task
    def predict(self):
        self.client.post("/predict", files={"file": ("customers.csv", upload(100))}, name="/predict [100 rows]")
