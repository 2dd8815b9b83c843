"""Train, tune and evaluate the demonstration random forest; write models/random_forest_tuned.pkl and
its metadata (features, versions, held-out metrics from a temporal split).

Run: python scripts/train_model.py  (needs scikit-learn, joblib and numpy)
"""

import json
from datetime import date
from pathlib import Path

import joblib
import numpy as np
import sklearn
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score

FEATURES = ["transactions_7d", "avg_amount", "chargebacks_90d", "account_age_days", "country_risk"]
SEED = 42
MODELS = Path(__file__).resolve().parent.parent / "models"


def main() -> None:
    """Fit on the older 80% of the synthetic history, evaluate on the newest 20%."""
    rng = np.random.default_rng(SEED)
    x = rng.normal(size=(1000, len(FEATURES)))
    y = (x[:, 2] + 0.5 * x[:, 4] + rng.normal(scale=0.2, size=len(x)) > 0.3).astype(int)
    cut = int(len(x) * 0.8)  # temporal split: rows are in time order
    model = RandomForestClassifier(n_estimators=10, max_depth=5, random_state=SEED).fit(x[:cut], y[:cut])
    auc = roc_auc_score(y[cut:], model.predict_proba(x[cut:])[:, 1])
    MODELS.mkdir(exist_ok=True)
    joblib.dump(model, MODELS / "random_forest_tuned.pkl")
    metadata = {
        "model_name": "random_forest",
        "version": "2026.11.1",
        "trained_on": date.today().isoformat(),
        "framework": {"scikit-learn": sklearn.__version__, "numpy": np.__version__},
        "feature_names": FEATURES,
        "classes": ["legit", "fraud"],
        "random_seed": SEED,
        "metrics": {"roc_auc": round(float(auc), 4)},
        "evaluation": {"split": "temporal", "train_rows": cut, "test_rows": len(x) - cut},
    }
    (MODELS / "random_forest_tuned_metadata.json").write_text(json.dumps(metadata, indent=2) + "\n")


if __name__ == "__main__":
    main()
