"""Power Theft Detection API: five endpoints over the models loaded once at startup."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Request, Security
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader
from prometheus_client import Counter
from prometheus_fastapi_instrumentator import Instrumentator
from pydantic import BaseModel, Field
from slowapi import Limiter, _rate_limit_exceeded_handler
from slowapi.errors import RateLimitExceeded
from slowapi.util import get_remote_address

import config
from power_theft_detector import PowerTheftDetector

logging.basicConfig(level=config.LOG_LEVEL, format="%(asctime)s %(levelname)s %(name)s %(message)s")
log = logging.getLogger("power-theft")
api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)
limiter = Limiter(key_func=get_remote_address, default_limits=["120/minute"], enabled=config.RATE_LIMIT_ENABLED)
state: dict[str, PowerTheftDetector] = {}
THEFT_FLAGS = Counter("theft_flags_total", "Meters scored at or above the theft threshold")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Load the models once, before the first request."""
    state["detector"] = PowerTheftDetector(Path(config.ARTIFACTS_DIR))
    yield
    state.clear()


app = FastAPI(title="power-theft-detection", lifespan=lifespan)
app.state.limiter = limiter
app.add_exception_handler(RateLimitExceeded, _rate_limit_exceeded_handler)
app.add_middleware(CORSMiddleware, allow_origins=config.CORS_ORIGINS, allow_methods=["GET", "POST"])
Instrumentator().instrument(app).expose(app)


class Reading(BaseModel):
    """One meter's features, by name."""

    features: dict[str, float]


class Batch(BaseModel):
    """Up to MAX_BATCH readings."""

    readings: list[Reading] = Field(max_length=config.MAX_BATCH)


def require_key(key: str | None = Security(api_key_header)) -> None:
    """Reject requests without the configured API key."""
    if not config.API_KEY or key != config.API_KEY:
        raise HTTPException(status_code=401, detail="invalid API key")


@app.exception_handler(ValueError)
async def bad_input(request: Request, exc: ValueError) -> JSONResponse:
    """Readings the models cannot score are the client's error."""
    log.warning("rejected input on %s: %s", request.url.path, exc)
    return JSONResponse(status_code=422, content={"detail": str(exc)})


@app.get("/health")
def health() -> dict[str, Any]:
    """Healthy once the models are loaded."""
    return {"status": "healthy", "models_loaded": "detector" in state}


@app.get("/model_info", dependencies=[Depends(require_key)])
def model_info() -> dict[str, Any]:
    """The models and their held-out metrics."""
    return {"models": state["detector"].metrics}


@app.get("/features", dependencies=[Depends(require_key)])
def features() -> dict[str, list[str]]:
    """The 14 features, in order."""
    return {"features": state["detector"].features}


@app.post("/predict", dependencies=[Depends(require_key)])
@limiter.limit("60/minute")
def predict(request: Request, reading: Reading) -> dict[str, float]:
    """Theft probability for one meter."""
    probability = state["detector"].predict([reading.features])[0]
    if probability >= config.THEFT_THRESHOLD:
        THEFT_FLAGS.inc()
    return {"theft_probability": probability}


@app.post("/predict_batch", dependencies=[Depends(require_key)])
@limiter.limit("10/minute")
def predict_batch(request: Request, batch: Batch) -> dict[str, list[float]]:
    """Theft probabilities for many meters."""
    return {"theft_probabilities": state["detector"].predict([r.features for r in batch.readings])}
