"""Train the tiny demonstration model and write models/ (model.joblib, features.json, training_results.json).

Run: python train.py  (needs scikit-learn, joblib and numpy; the service itself only loads the result)
"""

import json
from datetime import date
from pathlib import Path

import joblib
import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

FEATURES = ["consumption_kwh", "peak_ratio", "night_share", "meter_age_years"]
OUT = Path(__file__).parent / "models"


def main() -> None:
    rng = np.random.default_rng(7)
    x = rng.normal(size=(400, len(FEATURES)))
    y = (x[:, 0] - 0.8 * x[:, 2] + rng.normal(scale=0.5, size=400) > 0).astype(int)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, random_state=7)
    model = LogisticRegression().fit(x_train, y_train)
    auc = roc_auc_score(y_test, model.predict_proba(x_test)[:, 1])
    OUT.mkdir(exist_ok=True)
    joblib.dump(model, OUT / "model.joblib")
    (OUT / "features.json").write_text(json.dumps({"features": FEATURES}, indent=2) + "\n")
    results = {
        "model": "logistic_regression",
        "version": "1.0.0",
        "trained_on": date.today().isoformat(),
        "framework": {
            "scikit-learn": sklearn.__version__,
            "numpy": np.__version__,
            "joblib": joblib.__version__,
        },
        "metrics": {"roc_auc": round(float(auc), 4)},
        "classes": ["normal", "theft"],
    }
    (OUT / "training_results.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
