"""The two trained models, the scaler and the feature list, loaded once and used for every prediction."""

import json
import logging
from pathlib import Path

import joblib

log = logging.getLogger(__name__)


class PowerTheftDetector:
    """Scores meter readings with the random forest (default) or the logistic regression."""

    def __init__(self, artifacts: Path) -> None:
        """Load the feature list, the metrics, the scaler and both models from `artifacts`."""
        self.features: list[str] = json.loads((artifacts / "features.json").read_text())["features"]
        self.metrics: dict[str, dict[str, float]] = json.loads(
            (artifacts / "training_results.json").read_text()
        )["results"]
        self.scaler = joblib.load(artifacts / "scaler.joblib")
        self.models = {
            "random_forest": joblib.load(artifacts / "random_forest.joblib"),
            "logistic_regression": joblib.load(artifacts / "logistic_regression.joblib"),
        }
        log.info("loaded %d models with %d features from %s", len(self.models), len(self.features), artifacts)

    def predict(self, rows: list[dict[str, float]], model: str = "random_forest") -> list[float]:
        """Theft probabilities for rows that carry every feature by name."""
        missing = [f for f in self.features if any(f not in row for row in rows)]
        if missing:
            raise ValueError(f"missing features: {', '.join(missing)}")
        matrix = self.scaler.transform([[row[f] for f in self.features] for row in rows])
        return [float(p) for p in self.models[model].predict_proba(matrix)[:, 1]]
