"""Load test, run by hand against a local uvicorn: one leaf photo after another."""

import io

from locust import HttpUser, task
from PIL import Image


def photo():
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (40, 140, 40)).save(buffer, format="JPEG")
    return buffer.getvalue()


class Grower(HttpUser):
    @task
    def classify(self):
        self.client.post("/predict", files={"image": ("leaf.jpg", photo(), "image/jpeg")})
