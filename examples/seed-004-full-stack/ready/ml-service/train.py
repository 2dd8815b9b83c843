"""Train the demonstration sentiment-score model and write models/model.joblib with its metadata.

Run: python train.py  (needs scikit-learn, joblib, numpy and prometheus-client)
"""

import json
import os
from datetime import date
from pathlib import Path

import joblib
import numpy as np
import sklearn
from prometheus_client import CollectorRegistry, Gauge, push_to_gateway
from sklearn.linear_model import LogisticRegression

FEATURES = ["length", "exclamations", "positive_words", "negative_words"]
OUT = Path(__file__).parent / "models"
REGISTRY = CollectorRegistry()
LAST_SUCCESS = Gauge(
    "training_job_last_success_unixtime", "When training last finished successfully", registry=REGISTRY
)


def main() -> None:
    """Fit on synthetic reviews and save the model with its metadata."""
    rng = np.random.default_rng(4)
    x = rng.normal(size=(400, len(FEATURES)))
    y = (x[:, 2] - x[:, 3] > 0).astype(int)
    model = LogisticRegression().fit(x, y)
    OUT.mkdir(exist_ok=True)
    joblib.dump(model, OUT / "model.joblib")
    metadata = {
        "version": "0.9.0",
        "trained_on": date.today().isoformat(),
        "framework": {"scikit-learn": sklearn.__version__, "numpy": np.__version__},
        "features": FEATURES,
        "classes": ["negative", "positive"],
        "random_seed": 4,
    }
    (OUT / "metadata.json").write_text(json.dumps(metadata, indent=2) + "\n")
    LAST_SUCCESS.set_to_current_time()
    if gateway := os.getenv("PUSHGATEWAY_URL"):  # scheduled runs report here; alerts watch the age
        push_to_gateway(gateway, job="reviews-training", registry=REGISTRY)


if __name__ == "__main__":
    main()
