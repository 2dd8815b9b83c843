from fastapi.testclient import TestClient

from src import config
from src.api.main import app

TX = {"transactions_7d": 1, "avg_amount": 2, "chargebacks_90d": 0, "account_age_days": 300, "country_risk": 0.1}


def test_health_and_stats():
    with TestClient(app) as client:
        assert client.get("/health").json() == {"status": "healthy"}
        assert client.get("/stats").json()["model"]["model_name"] == "random_forest"


def test_predict(monkeypatch):
    monkeypatch.setattr(config, "API_KEY", "k")
    with TestClient(app) as client:
        assert client.post("/predict", json=TX).status_code == 401
        assert 0 <= client.post("/predict", json=TX, headers={"X-API-Key": "k"}).json()["fraud_probability"] <= 1
