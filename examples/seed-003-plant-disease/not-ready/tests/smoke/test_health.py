"""Smoke: the service starts and says its model is loaded."""

from fastapi.testclient import TestClient

from app.main import app


def test_health_reports_model_loaded():
    with TestClient(app) as client:
        assert client.get("/health").json() == {"status": "healthy", "model_loaded": True}
