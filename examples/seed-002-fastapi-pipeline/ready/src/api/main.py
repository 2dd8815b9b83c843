"""Fraud scoring API: /predict, /health, /stats, /metrics; FastAPI serves /docs."""

import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import joblib
from fastapi import Depends, FastAPI, HTTPException, Request, Security
from fastapi.responses import JSONResponse, Response
from fastapi.security import APIKeyHeader
from prometheus_fastapi_instrumentator import Instrumentator
from pydantic import BaseModel
from slowapi import Limiter, _rate_limit_exceeded_handler
from slowapi.errors import RateLimitExceeded
from slowapi.util import get_remote_address

from src import config

logging.basicConfig(level=config.LOG_LEVEL, format="%(asctime)s %(levelname)s %(name)s %(message)s")
log = logging.getLogger("fraud-api")
api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)
limiter = Limiter(key_func=get_remote_address, default_limits=["120/minute"])
state: dict[str, Any] = {"requests": 0, "started": time.time()}


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Load the model and its metadata once."""
    state["model"] = joblib.load(config.MODEL_PATH)
    with open(config.METADATA_PATH) as fh:
        state["metadata"] = json.load(fh)
    log.info("loaded model %s", state["metadata"]["version"])
    yield


app = FastAPI(title="fraud-scoring", lifespan=lifespan)
app.state.limiter = limiter
app.add_exception_handler(RateLimitExceeded, _rate_limit_exceeded_handler)
Instrumentator().instrument(app).expose(app)


@app.middleware("http")
async def request_id(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Carry the caller's X-Request-ID (or a new one) into the logs and back in the response."""
    rid = request.headers.get("X-Request-ID") or uuid.uuid4().hex
    log.info("request %s %s %s", rid, request.method, request.url.path)
    response = await call_next(request)
    response.headers["X-Request-ID"] = rid
    return response


class Transaction(BaseModel):
    """One account's features, by name."""

    transactions_7d: float
    avg_amount: float
    chargebacks_90d: float
    account_age_days: float
    country_risk: float


def require_key(key: str | None = Security(api_key_header)) -> None:
    """Reject requests without the configured API key."""
    if not config.API_KEY or key != config.API_KEY:
        raise HTTPException(status_code=401, detail="invalid API key")


@app.exception_handler(ValueError)
async def bad_input(request: Request, exc: ValueError) -> JSONResponse:
    """Inputs the model cannot score are the client's error."""
    log.warning("rejected input: %s", exc)
    return JSONResponse(status_code=422, content={"detail": str(exc)})


@app.get("/health")
def health() -> dict[str, str]:
    """healthy once the model is loaded."""
    return {"status": "healthy" if "model" in state else "starting"}


@app.get("/stats")
def stats() -> dict[str, Any]:
    """Request count, uptime and the model's metadata."""
    return {"requests": state["requests"], "uptime_s": time.time() - state["started"], "model": state["metadata"]}


@app.post("/predict", dependencies=[Depends(require_key)])
@limiter.limit("60/minute")
def predict(request: Request, tx: Transaction) -> dict[str, float]:
    """Fraud probability for one account."""
    state["requests"] += 1
    row = [getattr(tx, name) for name in state["metadata"]["feature_names"]]
    return {"fraud_probability": float(state["model"].predict_proba([row])[0][1])}
