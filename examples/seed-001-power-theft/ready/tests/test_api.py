from fastapi.testclient import TestClient

import config
from app import app

FEATURES = [
    "consumption_kwh",
    "peak_kwh",
    "offpeak_kwh",
    "night_share",
    "weekend_share",
    "consumption_std",
    "zero_reading_days",
    "reverse_flow_events",
    "tamper_alarms",
    "meter_age_years",
    "tariff_code",
    "district_loss_ratio",
    "neighbour_mean_kwh",
    "bill_paid_late",
]


def test_health_reports_models_loaded():
    with TestClient(app) as client:
        assert client.get("/health").json() == {"status": "healthy", "models_loaded": True}


def test_predict_requires_api_key():
    with TestClient(app) as client:
        assert client.post("/predict", json={"features": {}}).status_code == 401


def test_predict_batch_scores_readings(monkeypatch):
    monkeypatch.setattr(config, "API_KEY", "test-key")
    reading = {"features": {name: 0.0 for name in FEATURES}}
    with TestClient(app) as client:
        r = client.post(
            "/predict_batch", json={"readings": [reading, reading]}, headers={"X-API-Key": "test-key"}
        )
        assert r.status_code == 200
        assert len(r.json()["theft_probabilities"]) == 2
