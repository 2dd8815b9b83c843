"""ML service: scores uploaded CSVs, records every job in SQLite, exposes health and metrics."""

import csv
import io
import logging
import os
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import joblib
from fastapi import Depends, FastAPI, File, HTTPException, Request, Security, UploadFile
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader
from prometheus_client import Gauge
from prometheus_fastapi_instrumentator import Instrumentator
from slowapi import Limiter, _rate_limit_exceeded_handler
from slowapi.errors import RateLimitExceeded
from slowapi.util import get_remote_address

MODEL_PATH = os.getenv("MODEL_PATH", "models/model.joblib")
DATABASE_PATH = os.getenv("DATABASE_PATH", "/data/ml.db")
API_KEY_FILE = os.getenv("API_KEY_FILE", "/run/secrets/ml_api_key")
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
FEATURES = ["length", "exclamations", "positive_words", "negative_words"]

logging.basicConfig(level=os.getenv("LOG_LEVEL", "INFO"), format="%(asctime)s %(levelname)s %(message)s")
log = logging.getLogger("ml-service")
api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)
# Off only for the load test in CI, whose one client would otherwise be throttled like an abuser.
RATE_LIMIT_ENABLED = os.getenv("RATE_LIMIT_ENABLED", "true").lower() != "false"
limiter = Limiter(key_func=get_remote_address, default_limits=["100/minute"], enabled=RATE_LIMIT_ENABLED)
state: dict[str, Any] = {}
DATABASE_BYTES = Gauge("jobs_database_size_bytes", "Size of the SQLite job history")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Load the model and the API key once; create the jobs table."""
    state["model"] = joblib.load(MODEL_PATH)
    with open(API_KEY_FILE) as fh:
        state["api_key"] = fh.read().strip()
    with sqlite3.connect(DATABASE_PATH) as db:
        db.execute("CREATE TABLE IF NOT EXISTS jobs (id INTEGER PRIMARY KEY, rows INTEGER, mean REAL)")
    yield


app = FastAPI(title="ml-service", lifespan=lifespan)
app.state.limiter = limiter
app.add_exception_handler(RateLimitExceeded, _rate_limit_exceeded_handler)
app.add_middleware(CORSMiddleware, allow_origins=[os.getenv("FRONTEND_ORIGIN", "https://reviews.example.com")])
Instrumentator().instrument(app).expose(app)


def require_key(key: str | None = Security(api_key_header)) -> None:
    """Only the backend, which holds the key, may call the model."""
    if key != state.get("api_key"):
        raise HTTPException(status_code=401, detail="invalid API key")


@app.exception_handler(ValueError)
async def bad_input(request: Request, exc: ValueError) -> JSONResponse:
    """A CSV the model cannot score is the client's error."""
    log.warning("rejected upload: %s", exc)
    return JSONResponse(status_code=422, content={"detail": str(exc)})


@app.get("/health")
def health() -> dict[str, Any]:
    """Detailed status: model loaded, database reachable."""
    with sqlite3.connect(DATABASE_PATH) as db:
        jobs = db.execute("SELECT COUNT(*) FROM jobs").fetchone()[0]
    return {"status": "healthy", "model_loaded": "model" in state, "jobs": jobs}


@app.post("/predict", dependencies=[Depends(require_key)])
@limiter.limit("20/minute")
async def predict(request: Request, file: UploadFile = File(...)) -> dict[str, Any]:
    """Scores for every row of an uploaded CSV (at most 50 MB)."""
    data = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise HTTPException(status_code=413, detail="file too large")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    if not rows or any(f not in rows[0] for f in FEATURES):
        raise ValueError(f"the CSV needs the columns {', '.join(FEATURES)}")
    scores = state["model"].predict_proba([[float(r[f]) for f in FEATURES] for r in rows])[:, 1].tolist()
    with sqlite3.connect(DATABASE_PATH) as db:
        db.execute("INSERT INTO jobs (rows, mean) VALUES (?, ?)", (len(scores), sum(scores) / len(scores)))
    DATABASE_BYTES.set(Path(DATABASE_PATH).stat().st_size)
    return {"scores": scores}
