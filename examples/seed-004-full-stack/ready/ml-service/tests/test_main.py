import io

from fastapi.testclient import TestClient

from app import main


def test_predict_scores_a_csv(tmp_path, monkeypatch):
    key = tmp_path / "key"
    key.write_text("k")
    monkeypatch.setattr(main, "API_KEY_FILE", str(key))
    monkeypatch.setattr(main, "DATABASE_PATH", str(tmp_path / "ml.db"))
    csv_data = b"length,exclamations,positive_words,negative_words\n1,0,3,0\n"
    with TestClient(main.app) as client:
        assert client.get("/health").json()["model_loaded"] is True
        r = client.post("/predict", files={"file": ("r.csv", io.BytesIO(csv_data))}, headers={"X-API-Key": "k"})
        assert r.status_code == 200 and len(r.json()["scores"]) == 1
