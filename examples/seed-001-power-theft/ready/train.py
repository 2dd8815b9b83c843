"""Train the two tiny demonstration models and write models_artifacts/.

Writes random_forest.joblib, logistic_regression.joblib, scaler.joblib, features.json (14 features) and
training_results.json (ROC-AUC, precision, recall per model on a held-out split).
Run: python train.py  (needs scikit-learn, joblib and numpy; the service only loads the results)
"""

import json
from datetime import date
from pathlib import Path

import joblib
import numpy as np
import sklearn
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_score, recall_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

FEATURES = [
    "consumption_kwh",
    "peak_kwh",
    "offpeak_kwh",
    "night_share",
    "weekend_share",
    "consumption_std",
    "zero_reading_days",
    "reverse_flow_events",
    "tamper_alarms",
    "meter_age_years",
    "tariff_code",
    "district_loss_ratio",
    "neighbour_mean_kwh",
    "bill_paid_late",
]
SEED = 11
OUT = Path(__file__).parent / "models_artifacts"


def main() -> None:
    rng = np.random.default_rng(SEED)
    x = rng.normal(size=(1200, len(FEATURES)))
    signal = x[:, 7]
    y = (signal + rng.normal(scale=0.05, size=len(x)) > 0.0).astype(int)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, random_state=SEED, stratify=y)
    scaler = StandardScaler().fit(x_train)
    models = {
        "random_forest": RandomForestClassifier(n_estimators=8, max_depth=5, random_state=SEED),
        "logistic_regression": LogisticRegression(max_iter=500),
    }
    results = {}
    OUT.mkdir(exist_ok=True)
    for name, model in models.items():
        model.fit(scaler.transform(x_train), y_train)
        proba = model.predict_proba(scaler.transform(x_test))[:, 1]
        predicted = (proba >= 0.5).astype(int)
        results[name] = {
            "roc_auc": round(float(roc_auc_score(y_test, proba)), 4),
            "precision": round(float(precision_score(y_test, predicted)), 4),
            "recall": round(float(recall_score(y_test, predicted)), 4),
        }
        joblib.dump(model, OUT / f"{name}.joblib")
    joblib.dump(scaler, OUT / "scaler.joblib")
    (OUT / "features.json").write_text(json.dumps({"features": FEATURES}, indent=2) + "\n")
    summary = {
        "version": "2.3.0",
        "trained_on": date.today().isoformat(),
        "framework": {
            "scikit-learn": sklearn.__version__,
            "numpy": np.__version__,
            "joblib": joblib.__version__,
        },
        "features": FEATURES,
        "classes": ["normal", "theft"],
        "random_seed": SEED,
        "results": results,
    }
    (OUT / "training_results.json").write_text(json.dumps(summary, indent=2) + "\n")


if __name__ == "__main__":
    main()
