"""CSV prediction API: upload a CSV of customers, get a churn probability per row."""

import csv
import io
import logging
import os
import sqlite3
from functools import wraps
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any, Callable

import joblib
from flask import Flask, Response, jsonify, request
from flask_cors import CORS
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from prometheus_client import CONTENT_TYPE_LATEST, Counter, generate_latest

MODEL_PATH = os.getenv("MODEL_PATH", "models/model.joblib")
DATABASE_PATH = os.getenv("DATABASE_PATH", "/data/predictions.db")
API_KEY = os.environ.get("API_KEY", "")
FEATURES = ["tenure_months", "monthly_spend", "support_calls"]

LOG_FILE = Path(os.getenv("LOG_FILE", "logs/api.log"))
LOG_FILE.parent.mkdir(parents=True, exist_ok=True)  # logs/ is not in git: a fresh checkout has none
handler = RotatingFileHandler(LOG_FILE, maxBytes=5_000_000, backupCount=5)
logging.basicConfig(level=os.getenv("LOG_LEVEL", "INFO"), handlers=[handler, logging.StreamHandler()])
log = logging.getLogger("csv-predictions")

app = Flask(__name__)
app.config["MAX_CONTENT_LENGTH"] = 10 * 1024 * 1024  # a CSV of 10 MB at most
CORS(app, origins=os.getenv("CORS_ORIGINS", "https://app.example.com").split(","))
# Off only for the load test in CI, whose one client would otherwise be throttled like an abuser.
app.config["RATELIMIT_ENABLED"] = os.getenv("RATE_LIMIT_ENABLED", "true").lower() != "false"
limiter = Limiter(get_remote_address, app=app, default_limits=["60 per minute"])
model = joblib.load(MODEL_PATH)
ROWS_SCORED = Counter("csv_rows_scored_total", "Customers scored, summed over every upload")


def require_api_key(view: Callable[..., Any]) -> Callable[..., Any]:
    """Reject requests without the configured X-API-Key header."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        """The view, reached only with the right key."""
        if not API_KEY or request.headers.get("X-API-Key") != API_KEY:
            return jsonify(error="invalid API key"), 401
        return view(*args, **kwargs)

    return wrapper


@app.errorhandler(ValueError)
def bad_csv(exc: ValueError) -> tuple[Response, int]:
    """A CSV the model cannot score is the client's error."""
    log.warning("rejected upload: %s", exc)
    return jsonify(error=str(exc)), 422


@app.get("/health")
def health() -> Response:
    """Healthy once the model is loaded."""
    return jsonify(status="healthy", model_loaded=model is not None)


@app.get("/metrics")
@limiter.exempt
def metrics() -> Response:
    """Prometheus metrics: request counts by the scrape, rows scored by the app."""
    return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)


@app.post("/predict")
@require_api_key
@limiter.limit("10 per minute")
def predict() -> Response:
    """Churn probabilities for every row of the uploaded CSV (columns: the three features)."""
    upload = request.files.get("file")
    if upload is None or not upload.filename.endswith(".csv"):
        raise ValueError("upload a .csv file in the 'file' field")
    rows = list(csv.DictReader(io.StringIO(upload.read().decode("utf-8"))))
    missing = [f for f in FEATURES if rows and f not in rows[0]]
    if not rows or missing:
        raise ValueError(f"the CSV needs the columns {', '.join(FEATURES)}")
    scores = model.predict_proba([[float(r[f]) for f in FEATURES] for r in rows])[:, 1].tolist()
    with sqlite3.connect(DATABASE_PATH) as db:
        db.execute("CREATE TABLE IF NOT EXISTS predictions (rows INTEGER, mean_score REAL)")
        db.execute(
            "INSERT INTO predictions (rows, mean_score) VALUES (?, ?)",
            (len(scores), sum(scores) / len(scores)),
        )
    ROWS_SCORED.inc(len(scores))
    log.info("scored %d rows", len(scores))
    return jsonify(scores=scores)
