"""Fraud scoring API."""

import json
import time
from typing import Any

import joblib
from fastapi import FastAPI
from pydantic import BaseModel

from src import config

app = FastAPI(title="fraud-scoring", docs_url=None, redoc_url=None)
state: dict[str, Any] = {"requests": 0, "started": time.time()}
state["model"] = joblib.load(config.MODEL_PATH)
state["metadata"] = json.load(open(config.METADATA_PATH))


class Transaction(BaseModel):
    """One account's features, by name."""

    transactions_7d: float
    avg_amount: float
    chargebacks_90d: float
    account_age_days: float
    country_risk: float


@app.get("/stats")
def stats() -> dict[str, Any]:
    """Request count and uptime."""
    return {"requests": state["requests"], "uptime_s": time.time() - state["started"]}


@app.post("/predict")
def predict(tx: Transaction) -> dict[str, float]:
    """Fraud probability for one account."""
    state["requests"] += 1
    row = [tx.transactions_7d, tx.avg_amount, tx.chargebacks_90d, tx.account_age_days, tx.country_risk]
    return {"fraud_probability": float(state["model"].predict_proba([row])[0][1])}
