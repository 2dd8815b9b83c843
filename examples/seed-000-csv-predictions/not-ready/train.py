"""Train the tiny demonstration churn model and write models/model.joblib and models/metadata.json.

Run: python train.py  (needs scikit-learn, joblib and numpy; the API only loads the result)
"""

import json
from datetime import date
from pathlib import Path

import joblib
import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression

FEATURES = ["tenure_months", "monthly_spend", "support_calls"]
OUT = Path(__file__).parent / "models"


def main() -> None:
    """Fit on synthetic customers and save the model with its metadata."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, len(FEATURES)))
    y = (x[:, 2] - x[:, 0] > 0).astype(int)
    model = LogisticRegression().fit(x, y)
    OUT.mkdir(exist_ok=True)
    joblib.dump(model, OUT / "model.joblib")
    metadata = {
        "version": "1.2.0",
        "trained_on": date.today().isoformat(),
        "framework": {"scikit-learn": sklearn.__version__, "numpy": np.__version__},
        "features": FEATURES,
        "classes": ["stays", "churns"],
        "random_seed": 0,
    }
    (OUT / "metadata.json").write_text(json.dumps(metadata, indent=2) + "\n")


if __name__ == "__main__":
    main()
