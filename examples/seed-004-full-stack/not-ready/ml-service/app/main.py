"""ML service: scores uploaded CSVs and records every job in SQLite."""

import csv
import io
import os
import sqlite3
from typing import Any

import joblib
from fastapi import FastAPI, File, UploadFile
from fastapi.middleware.cors import CORSMiddleware

DATABASE_PATH = os.getenv("DATABASE_PATH", "/data/ml.db")
FEATURES = ["length", "exclamations", "positive_words", "negative_words"]

app = FastAPI(title="ml-service", docs_url=None, redoc_url=None)
app.add_middleware(CORSMiddleware, allow_origins=["*"])


@app.get("/health")
def health() -> dict[str, Any]:
    """Detailed status."""
    return {"status": "healthy"}


@app.post("/predict")
async def predict(file: UploadFile = File(...)) -> dict[str, Any]:
    """Scores for every row of an uploaded CSV."""
    model = joblib.load("models/model.joblib")
    data = await file.read()
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    print(f"scoring {len(rows)} rows from {file.filename}")
    scores = model.predict_proba([[float(r[f]) for f in FEATURES] for r in rows])[:, 1].tolist()
    db = sqlite3.connect(DATABASE_PATH)
    db.execute(f"INSERT INTO jobs (rows, name) VALUES ({len(scores)}, '{file.filename}')")
    db.commit()
    return {"scores": scores}
