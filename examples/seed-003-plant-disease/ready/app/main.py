"""Plant disease detection API: one image in, class probabilities out."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, File, HTTPException, Request, Security, UploadFile
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader
from prometheus_client import Histogram
from prometheus_fastapi_instrumentator import Instrumentator
from slowapi import Limiter, _rate_limit_exceeded_handler
from slowapi.errors import RateLimitExceeded
from slowapi.util import get_remote_address

from app import config
from app.model import classify, load

logging.basicConfig(level=config.LOG_LEVEL, format="%(asctime)s %(levelname)s %(name)s %(message)s")
log = logging.getLogger("plant-disease")
api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)
limiter = Limiter(key_func=get_remote_address, default_limits=["60/minute"], enabled=config.RATE_LIMIT_ENABLED)
state: dict[str, Any] = {}
INFERENCE_SECONDS = Histogram("leaf_inference_seconds", "Time spent classifying one photo")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Load the model once, before the first request."""
    state["net"], state["classes"] = load(config.MODEL_PATH, config.CLASS_NAMES_PATH)
    yield
    state.clear()


app = FastAPI(title="plant-disease-detector", lifespan=lifespan)
app.state.limiter = limiter
app.add_exception_handler(RateLimitExceeded, _rate_limit_exceeded_handler)
app.add_middleware(CORSMiddleware, allow_origins=config.CORS_ORIGINS, allow_methods=["GET", "POST"])
Instrumentator().instrument(app).expose(app)


def require_key(key: str | None = Security(api_key_header)) -> None:
    """Reject requests without the configured API key."""
    if not config.API_KEY or key != config.API_KEY:
        raise HTTPException(status_code=401, detail="invalid API key")


@app.exception_handler(ValueError)
async def bad_input(request: Request, exc: ValueError) -> JSONResponse:
    """Images that cannot be read are the client's error."""
    log.warning("rejected input on %s: %s", request.url.path, exc)
    return JSONResponse(status_code=422, content={"detail": str(exc)})


@app.get("/health")
def health() -> dict[str, Any]:
    """Healthy once the model is loaded."""
    return {"status": "healthy", "model_loaded": "net" in state}


@app.post("/predict", dependencies=[Depends(require_key)])
@limiter.limit("30/minute")
async def predict(request: Request, image: UploadFile = File(...)) -> dict[str, Any]:
    """Disease probabilities for one leaf photo (at most MAX_UPLOAD_BYTES)."""
    data = await image.read(config.MAX_UPLOAD_BYTES + 1)
    if len(data) > config.MAX_UPLOAD_BYTES:
        raise HTTPException(status_code=413, detail="image too large")
    with INFERENCE_SECONDS.time():
        probabilities = classify(state["net"], state["classes"], data)
    return {"probabilities": probabilities}
