"""Theft-risk scoring API: loads the model once at startup and scores meter readings."""

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import joblib
from fastapi import Depends, FastAPI, HTTPException, Request, Security
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader
from prometheus_fastapi_instrumentator import Instrumentator
from pydantic import BaseModel
from slowapi import Limiter, _rate_limit_exceeded_handler
from slowapi.errors import RateLimitExceeded
from slowapi.util import get_remote_address

from app import config

logging.basicConfig(level=config.LOG_LEVEL, format="%(asctime)s %(levelname)s %(name)s %(message)s")
log = logging.getLogger("scoring")
api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)
limiter = Limiter(key_func=get_remote_address, default_limits=["120/minute"])
state: dict[str, Any] = {}


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Load the model and its feature list once, before the first request."""
    state["model"] = joblib.load(config.MODEL_PATH)
    with open(config.FEATURES_PATH) as fh:
        state["features"] = json.load(fh)["features"]
    log.info("model loaded from %s", config.MODEL_PATH)
    yield
    state.clear()


app = FastAPI(title="theft-risk", lifespan=lifespan)
app.state.limiter = limiter
app.add_exception_handler(RateLimitExceeded, _rate_limit_exceeded_handler)
Instrumentator().instrument(app).expose(app)


class Reading(BaseModel):
    values: list[float]


def require_key(key: str | None = Security(api_key_header)) -> None:
    """Reject requests without the configured API key."""
    if not config.API_KEY or key != config.API_KEY:
        raise HTTPException(status_code=401, detail="invalid API key")


@app.exception_handler(ValueError)
async def bad_input(request: Request, exc: ValueError) -> JSONResponse:
    """Report values the model cannot score as a client error."""
    log.warning("rejected input on %s: %s", request.url.path, exc)
    return JSONResponse(status_code=422, content={"detail": str(exc)})


@app.get("/health")
def health() -> dict[str, Any]:
    """Liveness and readiness: healthy once the model is loaded."""
    return {"status": "healthy", "model_loaded": "model" in state}


@app.post("/predict", dependencies=[Depends(require_key)])
@limiter.limit("60/minute")
def predict(request: Request, reading: Reading) -> dict[str, float]:
    """Theft probability for one meter's feature values."""
    if len(reading.values) != len(state["features"]):
        raise ValueError(f"expected {len(state['features'])} values")
    score = float(state["model"].predict_proba([reading.values])[0][1])
    return {"theft_probability": score}
