"""Integration: an uploaded image goes through the real model and comes back classified."""

import io

from fastapi.testclient import TestClient
from PIL import Image

from app import config
from app.main import app


def test_predict_classifies_an_image(monkeypatch):
    monkeypatch.setattr(config, "API_KEY", "test-key")
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "green").save(buffer, format="PNG")
    with TestClient(app) as client:
        r = client.post("/predict", files={"image": ("leaf.png", buffer.getvalue())}, headers={"X-API-Key": "test-key"})
        assert r.status_code == 200
        assert set(r.json()["probabilities"]) == {"healthy", "leaf_blight", "powdery_mildew"}
