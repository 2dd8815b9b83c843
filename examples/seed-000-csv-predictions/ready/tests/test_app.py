import io

import app as service


def test_health():
    assert service.app.test_client().get("/health").get_json()["status"] == "healthy"


def test_predict_needs_the_api_key():
    response = service.app.test_client().post("/predict", data={"file": (io.BytesIO(b"a\n1\n"), "x.csv")})
    assert response.status_code == 401


def test_predict_scores_rows(monkeypatch, tmp_path):
    monkeypatch.setattr(service, "API_KEY", "k")
    monkeypatch.setattr(service, "DATABASE_PATH", str(tmp_path / "p.db"))
    csv_data = b"tenure_months,monthly_spend,support_calls\n1,2,3\n4,5,6\n"
    response = service.app.test_client().post(
        "/predict", data={"file": (io.BytesIO(csv_data), "c.csv")}, headers={"X-API-Key": "k"}
    )
    assert response.status_code == 200 and len(response.get_json()["scores"]) == 2


def test_metrics_are_exposed_for_prometheus():
    response = service.app.test_client().get("/metrics")
    assert response.status_code == 200 and b"csv_rows_scored_total" in response.data
