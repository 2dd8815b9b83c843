from fastapi.testclient import TestClient

from app import config
from app.main import app


def test_health_reports_model_loaded():
    with TestClient(app) as client:
        assert client.get("/health").json() == {"status": "healthy", "model_loaded": True}


def test_predict_requires_api_key():
    with TestClient(app) as client:
        assert client.post("/predict", json={"values": [0, 0, 0, 0]}).status_code == 401


def test_predict_scores_a_reading(monkeypatch):
    monkeypatch.setattr(config, "API_KEY", "test-key")
    with TestClient(app) as client:
        r = client.post("/predict", json={"values": [1.0, 0.2, 0.1, 3.0]}, headers={"X-API-Key": "test-key"})
        assert r.status_code == 200
        assert 0.0 <= r.json()["theft_probability"] <= 1.0
