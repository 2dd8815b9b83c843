"""Train the demonstration sentiment-score model and write models/model.joblib with its metadata.

Run: python train.py  (needs scikit-learn, joblib and numpy)
"""

import json
from datetime import date
from pathlib import Path

import joblib
import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression

FEATURES = ["length", "exclamations", "positive_words", "negative_words"]
OUT = Path(__file__).parent / "models"


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


if __name__ == "__main__":
    main()
