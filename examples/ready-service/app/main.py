"""Theft-risk scoring API: loads the model once at startup and scores meter readings."""

import json
import logging
from contextlib import asynccontextmanager

import joblib
from fastapi import Depends, FastAPI, HTTPException, Security
from fastapi.security import APIKeyHeader
from pydantic import BaseModel

from app import config

logging.basicConfig(level=config.LOG_LEVEL, format="%(asctime)s %(levelname)s %(name)s %(message)s")
log = logging.getLogger("scoring")
api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)
state: dict = {}


@asynccontextmanager
async def lifespan(app: FastAPI):
    state["model"] = joblib.load(config.MODEL_PATH)
    with open(config.FEATURES_PATH) as fh:
        state["features"] = json.load(fh)["features"]
    log.info("model loaded from %s", config.MODEL_PATH)
    yield
    state.clear()


app = FastAPI(title="theft-risk", lifespan=lifespan)


class Reading(BaseModel):
    values: list[float]


def require_key(key: str | None = Security(api_key_header)) -> None:
    if not config.API_KEY or key != config.API_KEY:
        raise HTTPException(status_code=401, detail="invalid API key")


@app.get("/health")
def health() -> dict:
    return {"status": "healthy", "model_loaded": "model" in state}


@app.post("/predict", dependencies=[Depends(require_key)])
def predict(reading: Reading) -> dict:
    if len(reading.values) != len(state["features"]):
        raise HTTPException(status_code=422, detail=f"expected {len(state['features'])} values")
    score = float(state["model"].predict_proba([reading.values])[0][1])
    return {"theft_probability": score}
