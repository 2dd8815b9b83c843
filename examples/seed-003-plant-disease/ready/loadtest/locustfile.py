"""Load test run by CI (see .github/workflows/ci.yml): leaf photos uploaded by 20 growers at once."""

import io
import os
import random

from locust import HttpUser, between, task
from PIL import Image

HEADERS = {"X-API-Key": os.environ.get("API_KEY", "")}


def photo() -> bytes:
    buffer = io.BytesIO()
    colour = (random.randint(20, 90), random.randint(90, 200), random.randint(20, 90))
    Image.new("RGB", (256, 256), colour).save(buffer, format="JPEG")
    return buffer.getvalue()


class Grower(HttpUser):
    wait_time = between(0.01, 0.05)

    @task
    def classify(self) -> None:
        self.client.post("/predict", files={"image": ("leaf.jpg", photo(), "image/jpeg")}, headers=HEADERS)
